"""Allocations under the committees' capacity, one code path for ``POST /v1/allocations`` and
``sohosolo allocate``: each prospect's scores of the partner villages by the model of every
ranking, then ``matcher.allocate.allocate`` (exact, HiGHS) under the capacity left to each
committee, and the answer in words and numbers.

A village whose committee never stated its capacity can take no one: proposing families to a
committee that has not said it can welcome them would be a promise made for it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from features.i18n import Lang, text
from features.profile import Profile
from matcher import Recommender
from service.state import ServiceState, capacity_left
from service.store.allocations import Proposed

#: How far below a prospect's plain k-th best village a proposed one's score may be (the
#: exposure-aware re-ranking's bound, ``matcher.rerank``).
MAX_LOSS = 0.05


@dataclass(frozen=True)
class ProposalAnswer:
    prospect_id: str
    villages: list[dict[str, Any]]  # rank, insee, name, score
    short: bool
    why: str | None  # a short prospect: why, in words


@dataclass(frozen=True)
class AllocationAnswer:
    k: int
    max_loss: float
    method: str
    total_score: float
    bound: float
    gap: float
    proposals: list[ProposalAnswer]
    villages: list[dict[str, Any]]  # insee, name, capacity_left, load
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def short(self) -> list[str]:
        return [p.prospect_id for p in self.proposals if p.short]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.extra,
            "k": self.k,
            "max_loss": self.max_loss,
            "method": self.method,
            "total_score": self.total_score,
            "bound": self.bound,
            "gap": self.gap,
            "optimal": self.gap == 0.0,
            "proposals": [
                {
                    "prospect_id": p.prospect_id,
                    "villages": p.villages,
                    "short": p.short,
                    "why": p.why,
                }
                for p in self.proposals
            ],
            "short": self.short,
            "villages": self.villages,
        }


def allocate_prospects(
    recommender: Recommender,
    prospect_ids: Sequence[str],
    profiles: Sequence[Profile],
    capacity_left: Mapping[str, int],
    k: int,
    max_loss: float = MAX_LOSS,
    lang: Lang = "fr",
) -> AllocationAnswer:
    """Propose ``k`` villages to each prospect, no village over ``capacity_left`` (a partner
    missing from it takes no one), the total score as high as it can be."""
    from matcher.allocate import allocate  # scipy: loaded by the first allocation, not at start

    codes = list(recommender.scorer.codes)
    names = dict(recommender.labels)
    if profiles:
        prospects = recommender.scorer.prospect_columns(list(profiles))
        scores = recommender.scorer.decision_function(prospects)
    else:
        scores = np.zeros((0, len(codes)))
    capacity = np.array([max(0, int(capacity_left.get(code, 0))) for code in codes])
    found = allocate(scores, capacity, k, max_loss)
    proposals = []
    for p, prospect_id in enumerate(prospect_ids):
        villages = [
            {
                "rank": rank,
                "insee": codes[v],
                "name": names[codes[v]],
                "score": float(scores[p, v]),
            }
            for rank, v in enumerate(found.proposals[p], start=1)
        ]
        short = len(villages) < k
        why = None
        if short:
            allowed = int(found.allowed[p])
            n = len(villages)
            why = (
                text(lang, "alerts.short_capacity", n=n, k=k)
                if allowed >= k
                else text(lang, "alerts.short_musts", n=n, k=k, allowed=allowed)
            )
        proposals.append(ProposalAnswer(prospect_id, villages, short, why))
    loads = [
        {
            "insee": code,
            "name": names[code],
            "capacity_left": int(capacity[v]),
            "load": int(found.load[v]),
        }
        for v, code in enumerate(codes)
    ]
    return AllocationAnswer(
        k=k,
        max_loss=max_loss,
        method=found.method,
        total_score=found.total,
        bound=found.bound + 0.0,  # never -0.0
        gap=found.gap,
        proposals=proposals,
        villages=loads,
    )


@dataclass(frozen=True)
class Allocation:
    """What staff ask to allocate: the prospects (their ids and profiles, in the same order),
    the quarter whose capacity it uses, ``k`` villages each, within ``max_loss``."""

    prospect_ids: Sequence[str]
    profiles: Sequence[Profile]
    quarter: str
    k: int
    max_loss: float = MAX_LOSS


def allocate_stored(
    state: ServiceState,
    recommender: Recommender,
    asked: Allocation,
    by: str,
    record: bool,
    lang: Lang = "fr",
) -> AllocationAnswer:
    """Allocate under the capacity each committee has left in the quarter (its stated
    capacity less the other prospects allocated to it then), and record the proposals in
    place of these prospects' earlier ones of the quarter unless not ``record``: the one code
    ``POST /v1/allocations`` and the staff's page run. Each village's answer also holds its
    stated ``capacity`` (None: unstated) and ``allocated_before``."""

    def solve(
        capacities: dict[str, int], allocated: dict[str, int]
    ) -> tuple[AllocationAnswer, list[Proposed]]:
        left = capacity_left(capacities, allocated, state.partner_codes)
        answer = allocate_prospects(
            recommender, asked.prospect_ids, asked.profiles, left, asked.k, asked.max_loss, lang
        )
        for village in answer.villages:
            village["capacity"] = capacities.get(village["insee"])
            village["allocated_before"] = allocated.get(village["insee"], 0)
        proposed = [
            Proposed(p.prospect_id, v["insee"], v["rank"], v["score"])
            for p in answer.proposals
            for v in p.villages
        ]
        return answer, proposed

    return state.store.allocate(asked.quarter, asked.prospect_ids, solve, by, record=record)
