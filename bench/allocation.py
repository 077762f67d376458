"""Two-sided matching's speed and quality (issue 20), against baselines run alongside.

    python bench/allocation.py [--prospects 1000] [--repeat 3]

- The exact allocation of ``--prospects`` simulated prospects over the 52 partners with
  simulated needs and capacities (k = 3, capacities summing to 70 % of the proposals wanted):
  its time (target under 2 s), its gap to the solver's bound (target within 0.1 %) and its
  total score against greedy placement's (target at least 2 % above); greedy's time is the
  baseline.
- One prospect's full ranking with reasons when villages state needs, as a ratio to the same
  ranking without needs (what the ``village_needs`` criterion costs).
- The service's two-sided routes over ``--prospects`` stored consented prospects (in process,
  through the app's test client, SQLite in a temporary folder): ``GET
  /v1/villages/{insee}/prospects?k=20`` against ``matcher.fits.prospects_for`` on the same
  profiles, and ``POST /v1/allocations`` of them all (``dry_run``) against
  ``matcher.allocate.allocate`` on their scores: what the service adds to the engine (reading
  the prospects, their profiles, the JSON).
"""

import argparse
from datetime import date

import numpy as np
from figures import Figure, machine, median_seconds, table

import geodata
from features.personas import PERSONAS
from matcher import Recommender
from matcher.allocate import allocate, greedy_allocation
from matcher.simulate import simulate_capacities, simulate_needs, simulate_profiles

TODAY = date(2026, 12, 7)
K = 3
CAPACITY_RATIO = 0.7
TIME_TARGET = 2.0


def figures(prospects: int = 1000, repeat: int = 3) -> list[Figure]:
    villages = geodata.read_villages()
    partners = villages[villages["partner"]].sort_values("insee")
    needs = simulate_needs(partners["insee"].tolist(), TODAY, random_state=0)
    capacity = simulate_capacities(
        partners["population"].tolist(), round(CAPACITY_RATIO * prospects * K), random_state=0
    )
    with_needs = Recommender(partners, needs=needs, today=TODAY)
    profiles = simulate_profiles(prospects, random_state=0)
    scores = with_needs.scorer.decision_function(with_needs.scorer.prospect_columns(profiles))
    exact_seconds = median_seconds(lambda: allocate(scores, capacity, K), repeat, warmup=1)
    greedy_seconds = median_seconds(lambda: greedy_allocation(scores, capacity, K), repeat)
    exact, greedy = allocate(scores, capacity, K), greedy_allocation(scores, capacity, K)
    persona = PERSONAS["developer_family"]
    plain = Recommender(partners, today=TODAY)
    one = median_seconds(lambda: with_needs.recommend(persona, 10)[0].to_dict(), 2000)
    one_plain = median_seconds(lambda: plain.recommend(persona, 10)[0].to_dict(), 2000)
    name = f"allocation of {prospects:,} prospects x 52 partners, k={K}"
    engine = [
        Figure(name, exact_seconds, "s", f"< {TIME_TARGET:g} s", exact_seconds < TIME_TARGET,
               "greedy placement", greedy_seconds),
        Figure("  its total score, to the solver's bound", exact.total, "score",
               ">= 0.999 x baseline", exact.gap <= 0.001, "the bound", exact.bound),
        Figure("  its total score, to greedy placement's", exact.total, "score",
               ">= 1.02 x baseline", exact.total >= 1.02 * greedy.total, "greedy's total",
               greedy.total),
        Figure("one prospect, full ranking, villages with needs", one, "s", "", None,
               "the same without needs", one_plain),
    ]  # fmt: skip
    return [*engine, *service_figures(prospects, repeat)]


def service_figures(prospects: int, repeat: int) -> list[Figure]:
    import shutil
    import tempfile
    from pathlib import Path

    from fastapi.testclient import TestClient

    from matcher.fits import prospects_for
    from service.app import create_app
    from service.config import Settings
    from service.store import Contact

    key = "bench-staff-key-0000000000000001"
    folder = Path(tempfile.mkdtemp(prefix="sohosolo-bench-"))
    settings = Settings(data_dir=folder, staff_api_keys=[key], rate_limit="off")  # type: ignore[arg-type,list-item]
    profiles = simulate_profiles(prospects, random_state=1)
    try:
        with TestClient(create_app(settings)) as client:
            state = client.app.state.sohosolo  # type: ignore[attr-defined]
            ids = [
                state.store.add_prospect(
                    p.model_dump(mode="json"), Contact(f"P{i}", f"p{i}@example.org"), True
                ).id
                for i, p in enumerate(profiles)
            ]
            codes = sorted(state.partner_codes)
            populations = [state.rows[c]["population"] for c in codes]
            total = round(CAPACITY_RATIO * prospects * K)
            for code, n in zip(codes, simulate_capacities(populations, total, 0), strict=True):
                state.store.set_committee(code, int(min(n, 50)), None, None, by="bench")
            headers = {"X-API-Key": key}
            listing = f"/v1/villages/{codes[0]}/prospects?k=20"
            body = {"prospect_ids": ids, "k": K, "dry_run": True}

            def listed() -> None:
                assert client.get(listing, headers=headers).status_code == 200

            def allocated() -> None:
                assert client.post("/v1/allocations", json=body, headers=headers).status_code == 200

            snapshot = state.snapshot()
            fits = median_seconds(
                lambda: prospects_for(snapshot.recommender, codes[0], profiles, 20), repeat
            )
            listing_seconds = median_seconds(listed, repeat, warmup=1)
            scores = snapshot.recommender.scorer.decision_function(
                snapshot.recommender.scorer.prospect_columns(profiles)
            )
            capacity = [snapshot.capacity_left.get(c, 0) for c in codes]
            engine = median_seconds(lambda: allocate(scores, capacity, K), repeat, warmup=1)
            route = median_seconds(allocated, repeat, warmup=1)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return [
        Figure(f"GET /v1/villages/{{insee}}/prospects, {prospects:,} stored", listing_seconds,
               "s", "", None, "matcher.fits.prospects_for", fits),
        Figure(f"POST /v1/allocations of {prospects:,} stored prospects", route, "s",
               f"< {TIME_TARGET:g} s", route < TIME_TARGET, "matcher.allocate.allocate", engine),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prospects", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(machine())
    print(table(figures(args.prospects, args.repeat)))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
