"""Alerts (api.md, "Staff's daily work"): new homes and needs that fit prospects who consented
to be contacted (computed by ``service.alerts``)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from service.alerts import alert_entries
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
    listed = alert_entries(state, lang, since, limit)
    body = {"pending_changes": state.store.pending_change_count(), "alerts": listed}
    return json_response(AlertsOut.model_validate(body).model_dump(mode="json"))
