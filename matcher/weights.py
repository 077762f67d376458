"""Weight profiles: versioned TOML files in ``matcher/weights/``, read and written here only."""

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from features import criteria
from matcher.exceptions import WeightProfileError

#: Weights are relative: this bound only keeps sums of weights far from overflowing.
MAX_WEIGHT = 1000.0


@dataclass(frozen=True)
class WeightProfile:
    name: str
    version: str
    weights: Mapping[str, float]
    description: str = ""
    comments: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", check_weights(self.weights))
        if not self.name or not self.version:
            raise WeightProfileError(
                "weight profile: expected a name and a version, found "
                f"{self.name!r}, {self.version!r}"
            )


def check_weights(weights: Mapping[str, object]) -> dict[str, float]:
    """Weights for every criterion, finite and non-negative, not all zero; in criterion order."""
    codes = criteria.codes()
    unknown = sorted(set(weights) - set(codes))
    if unknown:
        raise WeightProfileError(
            f"weights: unknown criterion {unknown[0]!r}; expected one of {list(codes)}"
        )
    missing = [c for c in codes if c not in weights]
    if missing:
        raise WeightProfileError(f"weights: expected a weight for {missing[0]!r}, found none")
    checked: dict[str, float] = {}
    for code in codes:
        value = weights[code]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise WeightProfileError(f"weights.{code}: expected a number, found {value!r}")
        if not math.isfinite(value) or not 0 <= value <= MAX_WEIGHT:
            raise WeightProfileError(
                f"weights.{code}: expected a number from 0 to {MAX_WEIGHT:g}, found {value!r}"
            )
        checked[code] = float(value)
    if not any(checked.values()):
        raise WeightProfileError("weights: expected at least one weight above 0, found all 0")
    return checked


def profile_path(name: str) -> Path:
    return Path(str(resources.files("matcher") / "weights" / f"{name}.toml"))


def load_weight_profile(source: str | Path) -> WeightProfile:
    """A packaged profile by name (``"default"``) or a TOML file by path."""
    path = (
        Path(source)
        if isinstance(source, Path) or str(source).endswith(".toml")
        else profile_path(str(source))
    )
    if not path.is_file():
        raise WeightProfileError(f"weight profile {source!r}: no such profile ({path})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise WeightProfileError(f"weight profile {path}: not valid TOML: {exc}") from exc
    return weight_profile_from_dict(data, str(path))


def weight_profile_from_dict(
    data: Mapping[str, object], where: str = "weight profile"
) -> WeightProfile:
    weights = data.get("weights")
    if not isinstance(weights, Mapping):
        raise WeightProfileError(
            f"{where}: expected a [weights] table, found {type(weights).__name__}"
        )
    for key in ("name", "version"):
        if not isinstance(data.get(key), str):
            raise WeightProfileError(f"{where}: expected a text {key!r}, found {data.get(key)!r}")
    return WeightProfile(
        name=str(data["name"]),
        version=str(data["version"]),
        weights=weights,
        description=str(data.get("description", "")),
    )


def dump_weight_profile(profile: WeightProfile) -> str:
    """TOML text of a profile, each criterion commented with what it measures."""
    lines = [
        f"name = {_quote(profile.name)}",
        f"version = {_quote(profile.version)}",
        f"description = {_quote(profile.description)}",
        "",
        "[weights]",
    ]
    for code, weight in profile.weights.items():
        comment = profile.comments.get(code) or criteria.get(code).label("en")
        lines += [f"# {comment}", f"{code} = {weight!r}"]
    return "\n".join(lines) + "\n"


def save_weight_profile(profile: WeightProfile, path: str | Path) -> Path:
    """Write a profile as TOML, atomically; it loads back identical."""
    path = Path(path)
    text = dump_weight_profile(profile)
    if weight_profile_from_dict(tomllib.loads(text)).weights != profile.weights:
        raise WeightProfileError("weight profile: the TOML text does not load back identical")
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
