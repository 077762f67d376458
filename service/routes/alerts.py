"""Alerts (api.md, "Staff's daily work"): new homes and needs that fit prospects who consented
to be contacted (computed by ``service.alerts``)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from service.alerts import change_text
from service.deps import StaffDep, StateDep
from service.errors import problems
from service.params import Lang
from service.responses import json_response
from service.schemas import Timestamp
from service.schemas_matching import AlertsOut

router = APIRouter(prefix="/v1", tags=["prospects"])


@router.get("/alerts", response_model=AlertsOut, responses=problems(401, 403))
def alerts(
    state: StateDep,
    _caller: StaffDep,
    since: Annotated[
        Timestamp | None,
        Query(description="Alerts from this time on (ISO 8601 with a timezone), included."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Alerts answered at most.")] = 100,
    lang: Lang = "fr",
) -> Response:
    """New homes and needs that fit prospects who consented to be contacted, oldest first:
    each with the prospect (id, name, email), the village, what changed (in words) and the fit
    (the village's score and rank for the prospect, and the reasons). A change brings an alert
    to a prospect when the village enters their top k (k: the service's default) or now meets
    every must-have they set; once per prospect and change. Changes whose alerts wait (their
    computation failed, or a server stopped before it) are computed first."""
    state.alerts.process_pending()
    listed = [
        {
            "id": alert.id,
            "at": alert.created_at,
            "prospect": {"id": alert.prospect_id, "name": alert.name, "email": alert.email},
            "village": {"insee": alert.insee, "name": state.name_of(alert.insee)},
            "change": {
                "kind": alert.change.kind,
                "id": alert.change.subject_id,
                "text": change_text(alert.change, state.name_of(alert.insee), lang),
                "at": alert.change.created_at,
                "by": alert.change.created_by,
            },
            "fit": {
                "score": alert.score,
                "rank": alert.rank,
                "k": alert.k,
                "entered_top_k": alert.entered_top,
                "must_passes": alert.must_passes,
                "contributions": alert.contributions,
                "reasons": alert.reasons.get(lang) or alert.reasons.get("fr", []),
            },
        }
        for alert in state.store.alerts(since, limit)
        if state.has_village(alert.insee)
    ]
    body = {"pending_changes": state.store.pending_change_count(), "alerts": listed}
    return json_response(AlertsOut.model_validate(body).model_dump(mode="json"))
