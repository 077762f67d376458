"""The programme's funnel: how many families were qualified, shortlisted a village, visited
one, settled, and still lived there 12 months later, per month and per village; drawn as an
SVG chart (no script, no outside file) and written as CSV.

Counts are of events, as the outcome rules store them: a ``shortlisted`` or ``visited`` is
stored once per prospect and village, a ``settled`` once per stay, so a month's "visited" is
the visits (prospect and village) dated that month. Qualified is the prospects stored that
month (erased ones too: the audit log keeps their creation). Still settled after 12 months:
of the stays begun that month (or in that village), those that lasted 12 months (no ``left``
within 365 days); a row holding no stay begun 12 months ago or more has no such count yet
(None, shown as missing, never 0). The stays of erased prospects are no longer linked to a
person, so their end cannot be followed: they count as settled, not in the 12-month count."""

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from features.i18n import Lang, text
from service.store import FunnelInput, Outcome

STAGES = ("qualified", "shortlisted", "visited", "settled", "still_settled")
#: The stages counted from one event each.
EVENT_STAGES = {"shortlisted": "shortlisted", "visited": "visited", "settled": "settled"}
RETENTION = timedelta(days=365)
GERS = ZoneInfo("Europe/Paris")
#: The stages' colours in the chart (distinct for colour-blind readers: Okabe-Ito).
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9")

Counts = dict[str, int | None]


@dataclass(frozen=True)
class FunnelRow:
    key: str  # a month "2026-09", or a village's INSEE code
    counts: Counts


def month_of(at: datetime) -> str:
    """The month in the Gers (an event at 00:30 on 1 October, Paris time, is October's)."""
    return at.astimezone(GERS).strftime("%Y-%m")


def stayed(outcome: Outcome, later: Sequence[Outcome], now: datetime) -> bool | None:
    """Whether a stay lasted 12 months; None while it is younger than that."""
    if now - outcome.at < RETENTION:
        return None
    for other in later:
        if (
            other.event == "left"
            and other.insee == outcome.insee
            and other.id > outcome.id
            and other.at < outcome.at + RETENTION
        ):
            return False
    return True


def _rows(
    data: FunnelInput, now: datetime, key: Callable[[Outcome], str], with_qualified: bool
) -> dict[str, Counts]:
    rows: dict[str, Counts] = defaultdict(
        lambda: (
            {stage: 0 if stage != "still_settled" else None for stage in STAGES}
            | ({} if with_qualified else {"qualified": None})
        )
    )
    if with_qualified:
        for created_at in data.qualified.values():
            rows[month_of(created_at)]["qualified"] = (
                rows[month_of(created_at)]["qualified"] or 0
            ) + 1
    by_prospect: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in data.outcomes:
        if outcome.prospect_id is not None:
            by_prospect[outcome.prospect_id].append(outcome)
    for outcome in data.outcomes:
        stage = EVENT_STAGES.get(outcome.event)
        if stage is None:
            continue
        row = rows[key(outcome)]
        row[stage] = (row[stage] or 0) + 1
        if stage == "settled" and outcome.prospect_id is not None:
            lasted = stayed(outcome, by_prospect[outcome.prospect_id], now)
            if lasted is not None:
                row["still_settled"] = (row["still_settled"] or 0) + int(lasted)
    return rows


def by_month(data: FunnelInput, now: datetime) -> list[FunnelRow]:
    """Every month from the first qualified prospect or event to this one, oldest first."""
    rows = _rows(data, now, lambda o: month_of(o.at), with_qualified=True)
    months = _months(min(rows, default=month_of(now)), month_of(now))
    return [FunnelRow(month, dict(rows[month])) for month in months]


def by_village(data: FunnelInput, now: datetime, villages: Iterable[str]) -> list[FunnelRow]:
    """Every partner village (those without events too), in the order given."""
    rows = _rows(data, now, lambda o: o.insee, with_qualified=False)
    return [FunnelRow(insee, dict(rows[insee])) for insee in villages]


def total(rows: Sequence[FunnelRow]) -> Counts:
    """The rows summed, stage by stage; a stage missing from every row stays missing."""
    summed: Counts = {}
    for stage in STAGES:
        known = [row.counts[stage] for row in rows if row.counts[stage] is not None]
        summed[stage] = sum(n for n in known if n is not None) if known else None
    return summed


def _months(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def stage_labels(lang: Lang) -> list[str]:
    return [text(lang, f"console.stage_{stage}") for stage in STAGES]


def to_csv(rows: Sequence[FunnelRow], first_column: str, names: dict[str, str], lang: Lang) -> str:
    """The table as CSV: a month or a village (code and name) per row, a stage per column; a
    missing count is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = [first_column] + ([text(lang, "console.village_name")] if names else [])
    writer.writerow(header + stage_labels(lang))
    for row in rows:
        label = [row.key] + ([names.get(row.key, "")] if names else [])
        writer.writerow(label + ["" if row.counts[s] is None else row.counts[s] for s in STAGES])
    return out.getvalue()


# -- the chart ------------------------------------------------------------------------------

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 1120, 300, 44, 40, 16


def chart(rows: Sequence[FunnelRow], lang: Lang, last: int = 12) -> dict[str, object]:
    """A grouped bar chart of the last ``last`` months, as values for its SVG template."""
    shown = list(rows[-last:])
    peak = max([1] + [n for row in shown for n in row.counts.values() if n is not None])
    step = _step(peak)
    top = step * -(-peak // step)
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    group = plot_w / max(len(shown), 1)
    bar = min(18.0, group * 0.8 / len(STAGES))
    bars, labels = [], []
    for i, row in enumerate(shown):
        x0 = LEFT + i * group + (group - bar * len(STAGES)) / 2
        labels.append({"x": round(LEFT + (i + 0.5) * group, 1), "text": row.key})
        for j, stage in enumerate(STAGES):
            n = row.counts[stage]
            if n:
                h = plot_h * n / top
                bars.append(
                    {
                        "x": round(x0 + j * bar, 1),
                        "y": round(TOP + plot_h - h, 1),
                        "w": round(bar - 2, 1),
                        "h": round(h, 1),
                        "colour": COLOURS[j],
                        "n": n,
                    }
                )
    ticks = [
        {"y": round(TOP + plot_h - plot_h * v / top, 1), "v": v} for v in range(0, top + 1, step)
    ]
    legend = [
        {"x": LEFT + j * 190, "colour": COLOURS[j], "text": label}
        for j, label in enumerate(stage_labels(lang))
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT + 30,
        "bars": bars,
        "labels": labels,
        "ticks": ticks,
        "legend": legend,
        "axis_y": HEIGHT - BOTTOM + TOP,
        "left": LEFT,
        "right": WIDTH - 8,
    }


def _step(peak: int) -> int:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500):
        if peak / step <= 6:
            return step
    return 1000
