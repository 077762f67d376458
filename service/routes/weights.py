"""The active weight profile (analysts change it), the exposure of the villages, and the
audit log of changes."""

from dataclasses import asdict
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query

from matcher.evaluate import exposure_gini
from matcher.weights import WeightProfile
from service.deps import AnalystDep, SnapshotDep, StaffDep, StateDep
from service.errors import problems
from service.exceptions import Conflict
from service.schemas import AuditEntryOut, Exposure, Timestamp, WeightsIn, WeightsOut
from service.store import StoredWeights, utcnow

router = APIRouter(prefix="/v1", tags=["weights"])
#: Attempts at a fresh version name when two analysts save at the same moment.
VERSION_ATTEMPTS = 5


def weights_out(stored: StoredWeights) -> WeightsOut:
    profile = stored.profile
    return WeightsOut(
        name=profile.name,
        version=profile.version,
        description=profile.description,
        weights=dict(profile.weights),
        created_at=stored.created_at,
        created_by=stored.created_by,
    )


@router.get("/weights", response_model=WeightsOut, responses=problems(401))
def active_weights(snapshot: SnapshotDep, _caller: StaffDep) -> WeightsOut:
    return weights_out(snapshot.weights)


@router.put("/weights", response_model=WeightsOut, responses=problems(401, 403, 413, 415))
def replace_weights(body: WeightsIn, state: StateDep, caller: AnalystDep) -> WeightsOut:
    """Validate a new weight profile, version it, and use it from the next request."""
    weights = body.weights.model_dump()
    for _ in range(VERSION_ATTEMPTS):
        version = f"{utcnow():%Y-%m-%d}.{state.store.weight_profile_count() + 1}"
        profile = WeightProfile(body.name, version, weights, body.description)
        try:
            return weights_out(state.store.add_weights(profile, by=str(caller)))
        except Conflict:
            continue  # another profile took this version number meanwhile
    raise RuntimeError(f"no free weight profile version after {VERSION_ATTEMPTS} attempts")


@router.get("/exposure", response_model=Exposure, responses=problems(401))
def exposure(
    state: StateDep,
    _caller: StaffDep,
    since: Annotated[
        Timestamp | None,
        Query(description="Count rankings from this time (ISO 8601 with a timezone)."),
    ] = None,
) -> Exposure:
    """How often each partner village appeared in a top k, and the Gini index of that."""
    state.exposure.flush()  # what this process showed up to now
    counts, rankings = state.store.exposure(since)
    codes = sorted(state.partner_codes)
    appearances = np.array([counts.get(code, 0) for code in codes])
    villages = [
        {
            "insee": code,
            "name": state.name_of(code),
            "appearances": int(n),
            "share": float(n / rankings) if rankings else 0.0,
        }
        for code, n in zip(codes, appearances, strict=True)
    ]
    villages.sort(key=lambda v: (-v["appearances"], v["insee"]))
    return Exposure.model_validate(
        {
            "since": since,
            "rankings": rankings,
            "villages": villages,
            "gini": exposure_gini(appearances),
        }
    )


#: Entries one audit request answers at most.
MAX_AUDIT_ENTRIES = 10_000


@router.get("/audit", response_model=list[AuditEntryOut], responses=problems(401, 403))
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
