"""Outcome histories: what prospects did with the villages, and how well weights predict it.

An outcome file is a prospect file (``features.table``) with two more columns, ``insee`` and
``event`` (shortlisted, visit_planned, visited, met_committee, settled or left): one row per
event, the prospect's profile repeated on each of its rows. ``evaluate_weights`` ranks the
villages for every prospect of a history and measures the rankings against the events (NDCG
and recall at k) and across the villages (coverage and the Gini index of exposure).
"""

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from features.profile import Profile
from features.table import (
    PROSPECT_COLUMNS,
    RowError,
    profile_row,
    read_prospect_rows,
    write_prospect_rows,
)
from geodata.io import write_text
from matcher.evaluate import (
    EVENT_RELEVANCE,
    catalogue_coverage,
    exposure_counts,
    exposure_gini,
    ndcg_at_k,
    recall_at_k,
    shown_top_k,
)
from matcher.exceptions import MatcherError
from matcher.learned import relevance_from_outcomes
from matcher.recommend import WeightsLike, resolve_weights
from matcher.rerank import exposure_aware
from matcher.simulate import simulate_outcomes, simulate_profiles
from matcher.weighted import WeightedMatcher

OUTCOME_COLUMNS = ("insee", "event")


@dataclass
class OutcomeHistory:
    """Prospects (ids and profiles) and their events ``prospect, insee, event``.

    ``prospect`` in ``events`` is a position in ``ids``/``profiles``. ``errors`` lists the
    rows of the file that were left out; ``synthetic`` says the events were simulated.
    """

    ids: list[str]
    profiles: list[Profile]
    events: pd.DataFrame
    errors: list[RowError] = field(default_factory=list)
    synthetic: bool = False
    #: The encoding the file was read in (Windows-1252 when it was not UTF-8).
    encoding: str = "utf-8"

    def __post_init__(self) -> None:
        if len(self.ids) != len(self.profiles):
            raise MatcherError(
                f"history: expected one id per profile, found {len(self.ids)} ids and "
                f"{len(self.profiles)} profiles"
            )


@dataclass(frozen=True)
class Evaluation:
    """How a weight profile's rankings meet an outcome history."""

    model: dict[str, str]
    k: int
    exposure_aware: bool
    prospects: int
    events: int
    ndcg: float
    recall: float
    coverage: float
    gini: float
    #: Times each village is shown in a top k, by INSEE code.
    exposure: pd.Series

    def metrics(self) -> dict[str, float]:
        return {
            f"ndcg@{self.k}": self.ndcg,
            f"recall@{self.k}": self.recall,
            f"coverage@{self.k}": self.coverage,
            "exposure_gini": self.gini,
        }


def read_outcomes(source: str | os.PathLike[str], codes: Sequence[str]) -> OutcomeHistory:
    """The outcome history of a CSV file, against the candidate villages ``codes``.

    Rows that cannot be used (a bad profile, an unknown village or event, a profile that
    differs from the prospect's earlier rows) are left out and listed in ``errors``.
    """
    rows = read_prospect_rows(source, extra_columns=OUTCOME_COLUMNS, unique_ids=False)
    known = set(codes)
    position: dict[str, int] = {}
    first_line: dict[str, int] = {}
    history = OutcomeHistory(
        ids=[], profiles=[], events=_events([]), errors=list(rows.errors), encoding=rows.encoding
    )
    records = []
    for prospect_id, profile, line, extra in zip(
        rows.ids, rows.profiles, rows.lines, rows.extra, strict=True
    ):
        insee, event = extra["insee"], extra["event"]
        if insee not in known:
            history.errors.append(
                RowError(
                    line,
                    f"insee: expected one of the {len(known)} candidate villages, found {insee!r}",
                    "row_village",
                    {"n": len(known), "found": insee},
                )
            )
            continue
        if event not in EVENT_RELEVANCE:
            history.errors.append(
                RowError(
                    line,
                    f"event: expected one of {', '.join(EVENT_RELEVANCE)}, found {event!r}",
                    "row_event",
                    {"choices": ", ".join(EVENT_RELEVANCE), "found": event},
                )
            )
            continue
        if prospect_id in position:
            differs = _differences(history.profiles[position[prospect_id]], profile)
            if differs:
                history.errors.append(
                    RowError(
                        line,
                        f"{', '.join(differs)}: the profile of prospect {prospect_id!r} differs "
                        f"from the one on line {first_line[prospect_id]}",
                        "row_profile_differs",
                        {
                            "columns": ", ".join(differs),
                            "found": prospect_id,
                            "first": first_line[prospect_id],
                        },
                    )
                )
                continue
        else:
            position[prospect_id] = len(history.ids)
            first_line[prospect_id] = line
            history.ids.append(prospect_id)
            history.profiles.append(profile)
        records.append((position[prospect_id], insee, event))
    history.errors.sort(key=lambda error: error.line)
    history.events = _events(records)
    return history


def write_outcomes(history: OutcomeHistory, path: str | os.PathLike[str]) -> Path:
    """Write a history as an outcome CSV file, atomically; ``read_outcomes`` reads it back."""
    events = history.events.sort_values(["prospect", "insee"], kind="stable")
    positions = events["prospect"].to_numpy()
    text = write_prospect_rows(
        [history.ids[p] for p in positions],
        [history.profiles[p] for p in positions],
        [
            {"insee": str(insee), "event": str(event)}
            for insee, event in zip(events["insee"], events["event"], strict=True)
        ],
        OUTCOME_COLUMNS,
    )
    return write_text(text, path)


def simulated_history(
    villages: pd.DataFrame,
    n: int,
    hidden_weights: Mapping[str, float],
    random_state: int | None = None,
    noise: float = 0.03,
) -> OutcomeHistory:
    """``n`` simulated prospects and their events (``matcher.simulate``): not real people."""
    rng = np.random.default_rng(random_state)
    seeds = rng.integers(0, 2**32, size=2)
    profiles = simulate_profiles(n, random_state=int(seeds[0]))
    outcomes = simulate_outcomes(
        profiles, villages, hidden_weights, random_state=int(seeds[1]), noise=noise
    )
    events = outcomes[["prospect", "insee", "event"]].copy()
    events.attrs.update(outcomes.attrs)
    return OutcomeHistory(
        ids=[f"sim-{i:05d}" for i in range(n)],
        profiles=profiles,
        events=events,
        synthetic=True,
    )


def evaluate_weights(
    history: OutcomeHistory,
    villages: pd.DataFrame,
    weights: WeightsLike = "default",
    k: int = 5,
    *,
    exposure_aware_rerank: bool = False,
    max_loss: float = 0.05,
    homes: pd.DataFrame | None = None,
    solos_settled: pd.Series | None = None,
) -> Evaluation:
    """Rank ``villages`` for every prospect of ``history`` with ``weights`` and measure it.

    NDCG@k and recall@k are averaged over the prospects with at least one village they
    shortlisted, visited or settled in (``left`` alone gives nothing to find); coverage is
    the share of villages in at least one top k; the Gini index is of how often each village
    is shown (0 equal, towards 1 concentrated). With ``exposure_aware_rerank``, the top k are
    spread over the villages as ``recommend(..., exposure_aware=True)`` does.
    """
    if not history.profiles:
        raise MatcherError("history: expected at least one prospect, found none")
    n = len(villages)
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= n:
        raise MatcherError(f"k: expected a whole number from 1 to {n}, found {k!r}")
    profile = resolve_weights(weights)
    villages = villages.sort_values("insee")
    matcher = WeightedMatcher.from_weights(
        profile.weights, villages=villages, homes=homes, solos_settled=solos_settled
    ).fit()
    scores = matcher.decision_function(history.profiles)
    rankings = (
        exposure_aware(scores, k, max_loss=max_loss)
        if exposure_aware_rerank
        else shown_top_k(scores, k)
    )
    relevance = relevance_from_outcomes(history.events, len(history.profiles), matcher.codes_)
    ranked_scores = _scores_of(rankings, scores.shape[1])
    n_villages = scores.shape[1]
    return Evaluation(
        model={"name": profile.name, "version": profile.version},
        k=k,
        exposure_aware=exposure_aware_rerank,
        prospects=len(history.profiles),
        events=len(history.events),
        ndcg=ndcg_at_k(relevance, ranked_scores, k),
        recall=recall_at_k(relevance, ranked_scores, k),
        coverage=catalogue_coverage(rankings, n_villages),
        gini=exposure_gini(exposure_counts(rankings, n_villages)),
        exposure=pd.Series(
            exposure_counts(rankings, n_villages),
            index=pd.Index(matcher.codes_, name="insee"),
            name="shown",
        ),
    )


def _scores_of(rankings: NDArray[np.intp], n_villages: int) -> NDArray[np.float64]:
    """Scores that rank exactly as ``rankings`` do (the first highest), ``-inf`` elsewhere:
    the metrics then measure the rankings as chosen, re-ranked or not."""
    scores = np.full((len(rankings), n_villages), -np.inf)
    rows, slots = np.nonzero(rankings >= 0)
    scores[rows, rankings[rows, slots]] = rankings.shape[1] - slots
    return scores


def _differences(first: Profile, other: Profile) -> list[str]:
    """Columns whose cells differ between two profiles, lists compared as sets of items (an
    age or a must-have written in another order is the same profile)."""
    a, b = profile_row("", first), profile_row("", other)
    return [name for name in PROSPECT_COLUMNS if sorted(a[name].split()) != sorted(b[name].split())]


def _events(records: list[tuple[int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(records, columns=["prospect", "insee", "event"]).astype(
        {"prospect": "int64", "insee": "str", "event": "str"}
    )
