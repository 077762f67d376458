"""Alerts as the staff's pages show them: ``GET /v1/alerts``'s own entries
(``service.alerts.alert_entries``), the fit said in words."""

from typing import Any

from features.i18n import Lang, text
from service.alerts import alert_entries
from service.state import ServiceState

#: Alerts a page lists, oldest first (as the API answers them).
ALERTS_SHOWN = 500


def score_text(score: float, lang: Lang) -> str:
    return f"{score:.2f}".replace(".", "," if lang == "fr" else ".")


def alert_rows(state: ServiceState, lang: Lang, prospect_id: str | None = None) -> list[Any]:
    """The alerts as the pages show them: the API's entries with the fit in words."""
    rows = []
    for entry in alert_entries(state, lang, limit=ALERTS_SHOWN, prospect_id=prospect_id):
        fit = entry["fit"]
        notes = [text(lang, "console.entered_top", k=fit["k"])] if fit["entered_top_k"] else []
        notes += [text(lang, "console.must_passes")] if fit["must_passes"] else []
        rank = text(
            lang,
            "console.fit_rank",
            rank=fit["rank"],
            k=fit["k"],
            score=score_text(fit["score"], lang),
        )
        rows.append(
            entry | {"day": entry["at"].date().isoformat(), "rank_text": rank, "notes": notes}
        )
    return rows
