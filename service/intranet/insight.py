"""How a village looks in the rankings: its mean contribution per criterion over the packaged
personas, against the partner villages' mean (the personas' ``must``s dropped, so that every
village is ranked for every persona). Computed once per model snapshot."""

import threading
from collections import defaultdict
from weakref import WeakKeyDictionary

from features.personas import PERSONAS
from matcher import Recommender

#: Criteria shown as strengths and as weaknesses.
SHOWN = 3
_cache: "WeakKeyDictionary[Recommender, dict[str, dict[str, float]]]" = WeakKeyDictionary()
_lock = threading.Lock()


def gaps(recommender: Recommender) -> dict[str, dict[str, float]]:
    """Per village, per criterion: its mean contribution minus the partners' mean."""
    with _lock:
        found = _cache.get(recommender)
        if found is None:
            found = _cache[recommender] = _gaps(recommender)
    return found


def _gaps(recommender: Recommender) -> dict[str, dict[str, float]]:
    personas = [p.model_copy(update={"must": []}) for p in PERSONAS.values()]
    rankings = recommender.recommend(personas, k=len(recommender.codes))
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for ranking in rankings:
        for result in ranking.results:
            for code, value in result.contributions.items():
                sums[result.insee][code] += value / len(personas)
    criteria = {code for village in sums.values() for code in village}
    mean = {code: sum(v[code] for v in sums.values()) / len(sums) for code in criteria}
    return {
        insee: {code: village[code] - mean[code] for code in criteria}
        for insee, village in sums.items()
    }


def strongest_and_weakest(
    recommender: Recommender, insee: str
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The criteria where the village does best and worst against the partners."""
    ordered = sorted(gaps(recommender).get(insee, {}).items(), key=lambda item: (-item[1], item[0]))
    strong = [item for item in ordered[:SHOWN] if item[1] > 0]
    weak = [item for item in reversed(ordered[-SHOWN:]) if item[1] < 0]
    return strong, weak


PERSONA_COUNT = len(PERSONAS)
