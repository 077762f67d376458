"""The audit log of changes (weights, homes, prospects, key revocations): analysts only."""

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query

from service.deps import AnalystDep, StateDep
from service.errors import problems
from service.schemas import AuditEntryOut, Timestamp

# Tagged with the weights, where the OpenAPI document has always listed this path.
router = APIRouter(prefix="/v1", tags=["weights"])

#: Entries one audit request answers at most.
MAX_AUDIT_ENTRIES = 10_000


@router.get("/audit", response_model=list[AuditEntryOut], responses=problems(401, 403, 503))
def audit(
    state: StateDep,
    _caller: AnalystDep,
    since: Annotated[
        Timestamp | None, Query(description="Changes from this time (ISO 8601 with a timezone).")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_AUDIT_ENTRIES)] = 1000,
) -> list[AuditEntryOut]:
    """Who changed the weights, the homes or the prospects, and when; newest first."""
    return [AuditEntryOut.model_validate(asdict(e)) for e in state.store.audit(since, limit)]
