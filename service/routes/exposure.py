"""The exposure of the partner villages: how often each appeared in a top k."""

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query

from matcher.evaluate import exposure_gini
from service.deps import StaffDep, StateDep
from service.errors import problems
from service.schemas import Exposure, Timestamp

# Tagged with the weights, where the OpenAPI document has always listed this path.
router = APIRouter(prefix="/v1", tags=["weights"])


@router.get("/exposure", response_model=Exposure, responses=problems(401, 503))
def exposure(
    state: StateDep,
    _caller: StaffDep,
    since: Annotated[
        Timestamp | None,
        Query(description="Count rankings from this time (ISO 8601 with a timezone)."),
    ] = None,
) -> Exposure:
    """How often each partner village appeared in a top k, and the Gini index of that."""
    if state.database.fault() is None:  # a locked database would hold this read for seconds
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
