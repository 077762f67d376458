"""Health and vocabularies."""

from typing import Literal

from fastapi import APIRouter

from features.vocab import PROFESSIONS
from service.deps import SnapshotDep, StateDep
from service.schemas import Health, ProfessionItem

router = APIRouter(prefix="/v1", tags=["public"])


@router.get("/health", response_model=Health, response_model_exclude_none=True)
async def health(state: StateDep, snapshot: SnapshotDep) -> Health:
    """Whether the service answers (always 200, ``ok``), and whether the database can be
    written now (``database.writable``, with why not). A coroutine that never waits on the
    database, so that it answers at once while writes wait."""
    fault = state.database.fault()
    detail = None if fault is None else f"the database cannot be written now: {fault.reason}"
    return Health.model_validate(
        {
            "status": "ok",
            "villages": len(state.partner_codes),
            "model": snapshot.recommender.model,
            "database": {"writable": fault is None, "detail": detail},
        }
    )


@router.get("/professions", response_model=list[ProfessionItem])
def professions(lang: Literal["fr", "en"] = "fr") -> list[ProfessionItem]:
    return [ProfessionItem(code=p.code, label=p.label(lang)) for p in PROFESSIONS]
