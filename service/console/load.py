"""Each partner village's load against its committee's capacity, and the age of its needs.

A committee states how many families it can accompany in a quarter (``capacity_per_quarter``).
Its load is the families it accompanies this quarter: distinct prospects with a planned visit,
a visit or a meeting with the committee about the village, dated in the current quarter (in
the Gers). A need's age is the days since it was stated."""

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from features.i18n import Lang, counted, text
from service.clock import today
from service.console.funnel import GERS
from service.state import ServiceState

#: The events in which a committee accompanies a family.
ACCOMPANIED = frozenset({"visit_planned", "visited", "met_committee"})


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_name(day: date) -> str:
    year, quarter = quarter_of(day)
    return f"{year}-Q{quarter}"


def _day(at: datetime) -> date:
    return at.astimezone(GERS).date()


def loads(state: ServiceState, lang: Lang) -> dict[str, Any]:
    """Every partner village: capacity, load this quarter, needs and the oldest need's age."""
    now = today()
    current = quarter_of(now)
    families: dict[str, set[str]] = defaultdict(set)
    for outcome in state.store.funnel_input().outcomes:
        if (
            outcome.event in ACCOMPANIED
            and outcome.prospect_id is not None
            and quarter_of(_day(outcome.at)) == current
        ):
            families[outcome.insee].add(outcome.prospect_id)
    rows = []
    for insee in sorted(state.partner_codes, key=state.name_of):
        capacity = state.store.committee(insee).capacity_per_quarter
        load = len(families[insee])
        needs = state.store.needs(insee)
        ages = [(now - _day(n.created_at)).days for n in needs if n.created_at is not None]
        rows.append(
            {
                "insee": insee,
                "name": state.name_of(insee),
                "capacity": capacity,
                "load": load,
                "over": capacity is not None and load > capacity,
                "full": capacity is not None and load >= capacity,
                "needs": len(needs),
                "oldest": counted(lang, "console.days", max(ages)) if ages else "",
            }
        )
    return {"rows": rows, "quarter": quarter_name(now), "note": text(lang, "console.load_note")}
