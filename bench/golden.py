"""Rankings of 3,000 simulated prospects, saved and compared: a refactoring must not change them.

    python bench/golden.py write GOLDEN.jsonl.gz [--prospects 3000]
    python bench/golden.py compare GOLDEN.jsonl.gz [--prospects 3000]

Each prospect is ranked under five settings (plain; with homes on offer and Solos settled;
diversity by MMR; exposure-aware over the whole batch; and one by one, as the API ranks) in
French and English. ``compare`` ranks them again with the code of the working tree and
reports every difference: another village, order, reason, fact, exclusion or suggestion, or
a score or contribution more than 1e-12 away. The file is not committed (it holds tens of
megabytes); write it with the code before a change, compare after.
"""

import argparse
import gzip
import json
import math
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np

import geodata
from matcher import Recommender
from matcher.simulate import simulate_profiles

TOLERANCE = 1e-12
SETTINGS = ("plain", "homes", "mmr", "exposure", "one_by_one")
LANGS = ("fr", "en")


def prospects(n: int) -> list[dict[str, Any]]:
    """Simulated profiles, a third of them with one to three must-haves (to exercise
    exclusions and suggestions) and some with a short time to Auch."""
    rng = np.random.default_rng(2026)
    criteria = [
        "connectivity",
        "housing",
        "schools",
        "childcare",
        "health",
        "shops",
        "access_auch",
        "access_toulouse",
        "settlement",
        "ecosystem",
        "community",
    ]
    out = []
    for profile in simulate_profiles(n, random_state=7):
        data = profile.model_dump(mode="json")
        if rng.random() < 0.35:
            data["must"] = [str(c) for c in rng.choice(criteria, rng.integers(1, 4), False)]
        if rng.random() < 0.1:
            data["preferences"]["max_minutes_to_auch"] = float(rng.choice([0.3, 12.5, 20, 25]))
        out.append(data)
    return out


def listings(codes: list[str]) -> list[tuple[str, str, float, float]]:
    rng = np.random.default_rng(11)
    homes = []
    for code in rng.choice(codes, 30, replace=False):
        for _ in range(int(rng.integers(1, 4))):
            buy = bool(rng.random() < 0.6)
            price = float(rng.uniform(90_000, 300_000) if buy else rng.uniform(400, 1100))
            homes.append(
                (str(code), "buy" if buy else "rent", round(price), int(rng.integers(1, 5)))
            )
    return homes


def rankings(n: int) -> Iterator[tuple[str, str, int, dict[str, Any]]]:
    villages = geodata.read_villages()
    partners = villages[villages["partner"]]
    codes = sorted(partners["insee"])
    profiles = prospects(n)
    plain = Recommender(partners)
    settled = {code: float(i % 4) for i, code in enumerate(codes[:20])}
    with_homes = Recommender(partners, homes=listings(codes), solos_settled=settled)
    for lang in LANGS:
        runs = {
            "plain": plain.recommend(profiles, 10, lang=lang),
            "homes": with_homes.recommend(profiles, 10, lang=lang),
            "mmr": plain.recommend(profiles, 10, lang=lang, diversity=0.3),
            "exposure": plain.recommend(profiles, 5, lang=lang, exposure_aware=True),
            "one_by_one": [with_homes.recommend(p, 10, lang=lang)[0] for p in profiles],
        }
        for setting, found in runs.items():
            for i, ranking in enumerate(found):
                yield setting, lang, i, ranking.to_dict()


def write(path: str, n: int) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for setting, lang, i, ranking in rankings(n):
            out.write(json.dumps([setting, lang, i, ranking], ensure_ascii=False) + "\n")


def differences(old: Any, new: Any, where: str) -> Iterator[str]:
    if isinstance(old, float) or isinstance(new, float):
        if not (
            isinstance(old, int | float)
            and isinstance(new, int | float)
            and (math.isclose(old, new, rel_tol=0, abs_tol=TOLERANCE))
        ):
            yield f"{where}: {old!r} -> {new!r}"
    elif isinstance(old, dict) and isinstance(new, dict):
        if set(old) != set(new):
            yield f"{where}: keys {sorted(set(old) ^ set(new))} differ"
        for key in sorted(set(old) & set(new)):
            yield from differences(old[key], new[key], f"{where}.{key}")
    elif isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            yield f"{where}: {len(old)} items -> {len(new)}"
        for i, (a, b) in enumerate(zip(old, new, strict=False)):
            yield from differences(a, b, f"{where}[{i}]")
    elif old != new:
        yield f"{where}: {old!r} -> {new!r}"


def compare(path: str, n: int) -> int:
    found = 0
    compared = 0
    with gzip.open(path, "rt", encoding="utf-8") as saved:
        for line, (setting, lang, i, ranking) in zip(saved, rankings(n), strict=True):
            compared += 1
            old_setting, old_lang, old_i, old = json.loads(line)
            assert (old_setting, old_lang, old_i) == (setting, lang, i)
            for difference in differences(old, ranking, f"{setting}/{lang}/{i}"):
                found += 1
                if found <= 50:
                    print(difference)
    print(f"{compared} rankings compared, {found} differences")
    return 1 if found else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["write", "compare"])
    parser.add_argument("path")
    parser.add_argument("--prospects", type=int, default=3000)
    args = parser.parse_args()
    if args.action == "write":
        write(args.path, args.prospects)
        return 0
    return compare(args.path, args.prospects)


if __name__ == "__main__":
    sys.exit(main())
