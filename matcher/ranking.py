"""What a ranking answers: the villages with their contributions, reasons and facts, the
villages a ``must`` excludes, and the changes of the profile that would open more. Its
``to_dict()`` is the JSON body of ``POST /v1/recommendations`` (which the service writes with
orjson straight from the dataclasses: the same JSON).
"""

from dataclasses import dataclass, field
from typing import Any

#: Columns of the flat rankings ``Ranking.rows`` gives (the CSV of ``sohosolo batch``).
RANKING_COLUMNS = ("prospect_id", "rank", "insee", "name", "score", "reasons", "excluded")
REASON_SEPARATOR = " | "


@dataclass(frozen=True)
class Result:
    rank: int
    insee: str
    name: str
    score: float
    contributions: dict[str, float]
    reasons: list[str]
    facts: dict[str, float | int | str | None]


@dataclass(frozen=True)
class Excluded:
    insee: str
    name: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    change: str
    to: float | list[str]
    opens: list[str]
    #: For opened villages where the prospect answers a need (or any criterion that highlights
    #: itself in suggestions): what, by INSEE code.
    highlights: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Ranking:
    model: dict[str, str]
    k: int
    results: list[Result]
    excluded: list[Excluded] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        # By hand: dataclasses.asdict deep-copies every value, and cost more than the ranking.
        return {
            "model": dict(self.model),
            "k": self.k,
            "results": [
                {
                    "rank": r.rank,
                    "insee": r.insee,
                    "name": r.name,
                    "score": r.score,
                    "contributions": dict(r.contributions),
                    "reasons": list(r.reasons),
                    "facts": dict(r.facts),
                }
                for r in self.results
            ],
            "excluded": [
                {"insee": e.insee, "name": e.name, "reasons": list(e.reasons)}
                for e in self.excluded
            ],
            "suggestions": [
                {
                    "change": s.change,
                    "to": list(s.to) if isinstance(s.to, list) else s.to,
                    "opens": list(s.opens),
                    "highlights": {code: list(said) for code, said in s.highlights.items()},
                }
                for s in self.suggestions
            ],
        }

    def rows(self, prospect_id: str) -> list[dict[str, str | int | float]]:
        """The ranking as flat rows of ``RANKING_COLUMNS``, one per result; a prospect whose
        ``must``s exclude every village gets one row without a rank, so that no prospect is
        missing from a rankings file."""
        excluded = len(self.excluded)
        if not self.results:
            empty: dict[str, str | int | float] = dict.fromkeys(RANKING_COLUMNS, "")
            return [empty | {"prospect_id": prospect_id, "excluded": excluded}]
        return [
            {
                "prospect_id": prospect_id,
                "rank": r.rank,
                "insee": r.insee,
                "name": r.name,
                "score": round(r.score, 4),
                "reasons": REASON_SEPARATOR.join(r.reasons),
                "excluded": excluded,
            }
            for r in self.results
        ]
