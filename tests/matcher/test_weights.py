import math
import tomllib

import pytest

from features.criteria import codes as criterion_codes
from matcher.exceptions import WeightProfileError
from matcher.weights import (
    WeightProfile,
    dump_weight_profile,
    load_weight_profile,
    profile_path,
    save_weight_profile,
)

CRITERION_CODES = criterion_codes()


def test_the_default_profile_loads_with_every_criterion_commented() -> None:
    profile = load_weight_profile("default")
    assert list(profile.weights) == list(CRITERION_CODES)
    assert profile.version == "2026-12-07"
    lines = profile_path("default").read_text(encoding="utf-8").splitlines()
    for code in CRITERION_CODES:
        line = next(i for i, text in enumerate(lines) if text.startswith(f"{code} ="))
        assert lines[line - 1].startswith("#"), code


def test_a_profile_round_trips_through_toml(tmp_path) -> None:
    weights = dict.fromkeys(CRITERION_CODES, 1.0) | {"schools": 2.5, "shops": 0.0}
    profile = WeightProfile(
        name="analyst-test", version="2026-11-23", weights=weights, description='a "quoted" note'
    )
    path = save_weight_profile(profile, tmp_path / "analyst.toml")
    back = load_weight_profile(path)
    assert back.weights == profile.weights
    assert (back.name, back.version, back.description) == (
        "analyst-test",
        "2026-11-23",
        'a "quoted" note',
    )
    assert tomllib.loads(dump_weight_profile(profile))["weights"]["schools"] == 2.5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"schools": -1.0}, r"weights.schools: expected a number from 0 to 1000, found -1.0"),
        ({"schools": math.nan}, r"weights.schools: expected a number from 0 to 1000, found nan"),
        ({"schools": math.inf}, r"weights.schools: expected a number from 0 to 1000, found inf"),
        ({"schools": "2"}, r"weights.schools: expected a number, found '2'"),
        ({"schools": True}, r"weights.schools: expected a number, found True"),
        ({"beaches": 1.0}, r"weights: unknown criterion 'beaches'"),
        (dict.fromkeys(CRITERION_CODES, 0.0), r"expected at least one weight above 0"),
    ],
)
def test_bad_weights_are_refused_naming_the_criterion(change, message) -> None:
    weights = dict.fromkeys(CRITERION_CODES, 1.0) | change
    with pytest.raises(WeightProfileError, match=message):
        WeightProfile(name="x", version="1", weights=weights)


def test_a_missing_criterion_is_named() -> None:
    weights = dict.fromkeys(CRITERION_CODES, 1.0)
    del weights["health"]
    with pytest.raises(WeightProfileError, match="expected a weight for 'health'"):
        WeightProfile(name="x", version="1", weights=weights)


def test_unknown_and_broken_profiles_are_named(tmp_path) -> None:
    with pytest.raises(WeightProfileError, match="weight profile 'nope': no such profile"):
        load_weight_profile("nope")
    broken = tmp_path / "broken.toml"
    broken.write_text("name = 'x'\nversion = \n", encoding="utf-8")
    with pytest.raises(WeightProfileError, match="not valid TOML"):
        load_weight_profile(broken)
    no_table = tmp_path / "flat.toml"
    no_table.write_text("name = 'x'\nversion = '1'\nschools = 1\n", encoding="utf-8")
    with pytest.raises(WeightProfileError, match=r"expected a \[weights\] table"):
        load_weight_profile(no_table)
