"""The model run the other way: the prospects a village fits best, and the prospects a change in
a village (a home, a need) brings it to.

Both score every prospect against every village with the recommender's own model, as their
rankings do, and read one village's column: there is no second model.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from features.columns import ProspectTable
from features.i18n import Lang
from matcher.exceptions import MatcherError
from matcher.recommend import ProfileLike, Recommender
from matcher.scoring import Scored


@dataclass(frozen=True)
class Fit:
    """How well a village fits one prospect."""

    prospect: int  # the prospect's position among the profiles given
    score: float  # the model's score of the village for the prospect
    rank: int  # the village's rank in the prospect's own ranking (ties by INSEE code)
    contributions: dict[str, float]
    reasons: list[str]


@dataclass(frozen=True)
class NewFit:
    """A prospect a change in a village brings it to."""

    prospect: int
    entered_top: bool  # the village entered the prospect's top k
    must_passes: bool  # the village now meets every must-have the prospect set
    fit: Fit


def prospects_for(
    recommender: Recommender,
    insee: str,
    profiles: Sequence[ProfileLike],
    k: int | None = None,
    lang: Lang = "fr",
) -> list[Fit]:
    """The prospects the village ``insee`` fits best, by its score for each (ties by their
    order), at most ``k``; a prospect whose must-haves exclude the village is left out."""
    v = _village(recommender, insee)
    if not profiles:
        return []
    prospects, scored = _scored(recommender, profiles)
    eligible = np.flatnonzero(scored.eligible[:, v])
    order = eligible[np.argsort(-scored.scores[eligible, v], kind="stable")][:k]
    return _fits(recommender, prospects, scored, order, v, lang)


def newly_fitting(
    before: Recommender,
    after: Recommender,
    insee: str,
    profiles: Sequence[ProfileLike],
    k: int,
    lang: Lang = "fr",
) -> list[NewFit]:
    """The prospects for whom the change from ``before`` to ``after`` brings the village
    ``insee`` into their top ``k``, or makes it meet a must-have they set (an alert)."""
    v = _village(after, insee)
    if not profiles:
        return []
    (_, was), (prospects, now) = _scored(before, profiles), _scored(after, profiles)
    ranks_before, ranks_now = _ranks(was, v), _ranks(now, v)
    entered = (ranks_now <= k) & (ranks_before > k)
    passes = now.eligible[:, v] & ~was.eligible[:, v]
    changed = np.flatnonzero(entered | passes)
    fits = _fits(after, prospects, now, changed, v, lang)
    return [
        NewFit(fit.prospect, bool(entered[fit.prospect]), bool(passes[fit.prospect]), fit)
        for fit in fits
    ]


def _village(recommender: Recommender, insee: str) -> int:
    codes = recommender.scorer.codes
    if insee not in codes:
        raise MatcherError(f"village {insee!r}: expected one of the candidate villages")
    return codes.index(insee)


def _scored(
    recommender: Recommender, profiles: Sequence[ProfileLike]
) -> tuple[ProspectTable, Scored]:
    prospects = recommender.scorer.prospect_columns(list(profiles))
    return prospects, recommender.scorer.evaluate(prospects)


def _ranks(scored: Scored, v: int) -> NDArray[np.int64]:
    """(P,) the village's rank in each prospect's ranking; past every village where a must
    excludes it."""
    ranked = scored.ranking_scores()
    own = ranked[:, v : v + 1]
    ahead = (ranked > own).sum(axis=1) + (ranked[:, :v] == own).sum(axis=1)
    ranks: NDArray[np.int64] = np.where(np.isfinite(own[:, 0]), ahead + 1, ranked.shape[1] + 1)
    return ranks.astype(np.int64)


def _fits(
    recommender: Recommender,
    prospects: ProspectTable,
    scored: Scored,
    rows: NDArray[np.intp],
    v: int,
    lang: Lang,
) -> list[Fit]:
    """The fits of the prospects of ``rows`` to village ``v``, with contributions and reasons."""
    if not len(rows):
        return []
    contributions, top, weakest = recommender.reasons_for(scored, rows, np.full(len(rows), v))
    ranks = _ranks(scored, v)
    codes = recommender.scorer.evaluator.codes
    return [
        Fit(
            p,
            float(scored.scores[p, v]),
            int(ranks[p]),
            dict(zip(codes, contributions[i].tolist(), strict=True)),
            recommender.sentences(prospects.row(p), scored, p, lang).result_reasons(
                v, top[i].tolist(), int(weakest[i])
            ),
        )
        for i, p in enumerate(rows.tolist())
    ]
