"""Two to five villages side by side for one prospect: every criterion, with what it adds to
each village's score for this prospect and the village facts behind it (value, unit, vintage
and publishers, as ``GET /v1/villages/{insee}`` gives them), the criterion where the villages
differ most first. A fact the data lacks is shown as missing, never as 0.

The scores come from the service's ranking of the prospect (the same model and code as every
ranking), with the prospect's must-haves set aside so that a village a must-have excludes is
still compared; the must-have's verdict is shown beside it."""

import math
from typing import Any

from features import criteria
from features.i18n import Lang, decimal, text
from features.profile import Profile
from geodata.schema import COLUMNS_BY_NAME
from service.intranet.views import fact_label, fact_value
from service.state import ServiceState, Snapshot

MIN_VILLAGES, MAX_VILLAGES = 2, 5


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _fact(attribute: dict[str, Any], field: str, lang: Lang) -> dict[str, Any]:
    value = attribute.get("value")
    missing = _missing(value)
    return {
        "label": fact_label(field, lang) if field in COLUMNS_BY_NAME else field,
        "value": text(lang, "console.missing") if missing else fact_value(field, value, lang),
        "missing": missing,
        "vintage": attribute.get("vintage") or "",
        "publishers": ", ".join(attribute.get("publishers") or []),
        "corrected": "corrected" in attribute,
    }


def comparison(
    state: ServiceState, snapshot: Snapshot, profile: Profile, codes: list[str], lang: Lang
) -> dict[str, Any]:
    """The comparison's rows and columns, as plain values for its template."""
    recommender = snapshot.recommender
    (ranking,) = recommender.recommend(
        profile.model_copy(update={"must": []}), k=len(recommender.codes), lang=lang
    )
    (kept,) = recommender.recommend(profile, k=len(recommender.codes), lang=lang)
    results = {r.insee: r for r in ranking.results}
    excluded = {e.insee: list(e.reasons) for e in kept.excluded}
    details = {code: state.detail(code, snapshot)["attributes"] for code in codes}
    columns = [
        {
            "insee": code,
            "name": state.name_of(code),
            "score": decimal(round(results[code].score * 100, 1), lang),
            "rank": results[code].rank,
            "excluded": excluded.get(code, []),
            "reasons": results[code].reasons,
        }
        for code in codes
    ]
    rows: list[dict[str, Any]] = []
    for criterion in criteria.all_criteria():
        points = [results[code].contributions.get(criterion.code, 0.0) * 100 for code in codes]
        fields = [f for f in criterion.village_columns if f in COLUMNS_BY_NAME]
        rows.append(
            {
                "code": criterion.code,
                "label": criterion.label(lang),
                "spread": max(points) - min(points),
                "difference": decimal(round(max(points) - min(points), 1), lang),
                "points": [decimal(round(p, 1), lang) for p in points],
                "best": [p == max(points) and max(points) > min(points) for p in points],
                "facts": [
                    [_fact(details[code].get(f, {}), f, lang) for f in fields] for code in codes
                ],
                "must": criterion.code in profile.must,
            }
        )
    rows.sort(key=lambda row: (-float(row["spread"]), str(row["label"])))
    return {"columns": columns, "rows": rows}
