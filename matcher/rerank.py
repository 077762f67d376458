"""Re-ranking: diversity within one ranking, exposure across a batch of rankings."""

import numpy as np
from numpy.typing import NDArray

from matcher.exceptions import MatcherError

#: Distance (km) at which two villages count as half-similar for diversity.
SIMILARITY_KM = 10.0


def mmr(
    scores: NDArray[np.float64], xy_km: NDArray[np.float64], k: int, relevance: float = 0.7
) -> NDArray[np.intp]:
    """Maximal marginal relevance on geographic distance: k positions into ``scores``.

    Each pick maximises ``relevance * score - (1 - relevance) * similarity`` to the villages
    already picked, similarity being ``exp(-d ln 2 / SIMILARITY_KM)``. Ties go to the lower
    position. ``relevance = 1`` gives the plain top k.
    """
    if not 0.0 <= relevance <= 1.0:
        raise MatcherError(f"relevance: expected a number from 0 to 1, found {relevance!r}")
    n = len(scores)
    k = min(k, n)
    if k == 0:
        return np.zeros(0, dtype=np.intp)
    distance = np.hypot(
        xy_km[:, None, 0] - xy_km[None, :, 0], xy_km[:, None, 1] - xy_km[None, :, 1]
    )
    similarity = np.exp(-distance * np.log(2.0) / SIMILARITY_KM)
    picked = [int(np.argmax(scores))]
    closest = similarity[picked[0]].copy()
    available = np.ones(n, dtype=bool)
    available[picked[0]] = False
    while len(picked) < k:
        gain = np.where(available, relevance * scores - (1.0 - relevance) * closest, -np.inf)
        best = int(np.argmax(gain))
        picked.append(best)
        available[best] = False
        closest = np.maximum(closest, similarity[best])
    return np.asarray(picked, dtype=np.intp)


def exposure_aware(
    scores: NDArray[np.float64], k: int, max_loss: float = 0.05, strength: float = 1.0
) -> NDArray[np.intp]:
    """Top-k rankings for a batch that spread the prospects over the villages.

    Parameters
    ----------
    scores
        (P, V) scores, ``-inf`` for villages a prospect may not be shown.
    k
        Results per prospect.
    max_loss
        The bound on what a prospect gives up: every village shown to a prospect scores at
        least its plain k-th best score minus ``max_loss``.
    strength
        How hard exposure is penalised, in units of score per fair share of exposure.

    Returns
    -------
    (P, k) village positions, each row sorted by score (ties by position); ``-1`` pads a row
    with fewer than k eligible villages.

    Prospects are served in order, each villages' exposure so far lowering its adjusted score
    within the allowed band; then every village still never shown is placed, where the band
    allows, in the ranking where it loses least, in place of that ranking's most exposed item.
    """
    if max_loss < 0 or strength < 0:
        raise MatcherError(
            f"max_loss and strength: expected >= 0, found {max_loss!r}, {strength!r}"
        )
    n_p, n_v = scores.shape
    k = min(k, n_v)
    plain = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    kth = np.take_along_axis(scores, plain[:, -1:], axis=1)[:, 0]
    floor = kth - max_loss
    allowed = np.isfinite(scores) & (scores >= floor[:, None])
    fair = max(n_p * k / n_v, 1.0)
    exposure = np.zeros(n_v)
    chosen = np.full((n_p, k), -1, dtype=np.intp)
    for p in range(n_p):
        adjusted = np.where(allowed[p], scores[p] - strength * max_loss * exposure / fair, -np.inf)
        order = np.argsort(-adjusted, kind="stable")[:k]
        order = order[np.isfinite(adjusted[order])]
        chosen[p, : len(order)] = order
        exposure[order] += 1
    for v in np.flatnonzero(exposure == 0):
        hosts = np.flatnonzero(allowed[:, v])
        if hosts.size == 0:
            continue
        # The host whose ranking loses least: the smallest gap below its best score.
        loss = scores[hosts, chosen[hosts, 0]] - scores[hosts, v]
        for host in hosts[np.argsort(loss, kind="stable")]:
            row = chosen[host]
            filled = row[row >= 0]
            shared = filled[exposure[filled] > 1]
            if len(filled) < k:
                row[len(filled)] = v
            elif shared.size:
                out = shared[np.argmax(exposure[shared] * 1e6 - scores[host, shared])]
                row[np.flatnonzero(row == out)[0]] = v
                exposure[out] -= 1
            else:
                continue
            exposure[v] += 1
            break
    for p in range(n_p):
        row = chosen[p]
        filled = row[row >= 0]
        chosen[p, : len(filled)] = filled[np.argsort(-scores[p, filled], kind="stable")]
    return chosen
