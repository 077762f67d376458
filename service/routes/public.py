"""Health and vocabularies."""

from typing import Literal

from fastapi import APIRouter

from features.vocab import PROFESSIONS
from service.deps import SnapshotDep, StateDep
from service.schemas import Health, ProfessionItem

router = APIRouter(prefix="/v1", tags=["public"])


@router.get("/health", response_model=Health)
def health(state: StateDep, snapshot: SnapshotDep) -> Health:
    model = snapshot.recommender.model
    return Health.model_validate(
        {"status": "ok", "villages": len(state.partner_codes), "model": model}
    )


@router.get("/professions", response_model=list[ProfessionItem])
def professions(lang: Literal["fr", "en"] = "fr") -> list[ProfessionItem]:
    return [ProfessionItem(code=p.code, label=p.label(lang)) for p in PROFESSIONS]
