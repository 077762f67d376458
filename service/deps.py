"""Dependencies shared by the routers, as ``Annotated`` aliases: the service's state, its
settings and model snapshot, and the caller a key names."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader

from service.auth import Caller
from service.config import Settings
from service.state import ServiceState, Snapshot

api_key = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="A staff or analyst key (see the README: SOHOSOLO_STAFF_API_KEYS).",
)


# Dependencies are coroutines: FastAPI runs plain functions in its thread pool, and a thread
# hop costs more than their work. The revision read ``snapshot`` makes takes microseconds.


def state_of(request: Request) -> ServiceState:
    """The state the app's lifespan loaded (for routes that take no dependencies)."""
    state: ServiceState = request.app.state.sohosolo
    return state


async def get_state(request: Request) -> ServiceState:
    return state_of(request)


async def get_app_settings(request: Request) -> Settings:
    # From the app's state, not ``dependency_overrides``: while any override is set, FastAPI
    # analyses every dependency's signature again on every request (a third of a ranking's
    # time went there).
    return state_of(request).settings


async def get_snapshot(request: Request) -> Snapshot:
    return await state_of(request).serving_snapshot()


async def get_caller(
    request: Request, key: Annotated[str | None, Security(api_key)] = None
) -> Caller:
    # A coroutine that never waits on the database: the revoked keys come with the snapshot,
    # rebuilt when the revision moves (a revocation through any worker, or the command line,
    # raises it), so a key is refused from the next request, and the check stays fast while
    # writes wait for a locked database.
    state = state_of(request)
    caller = state.keyring.caller(key)
    if caller is not None and caller.digest in (await state.snapshot_async()).revoked_keys:
        caller = None
    if caller is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="missing, wrong or revoked API key: send a staff or analyst key in the "
            "X-API-Key header",
            headers={"WWW-Authenticate": "X-API-Key"},
        )
    return caller


async def get_analyst(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
    if not caller.may("analyst"):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="this needs an analyst key; the key sent is a staff key",
        )
    return caller


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
StateDep = Annotated[ServiceState, Depends(get_state)]
SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]
StaffDep = Annotated[Caller, Depends(get_caller)]
AnalystDep = Annotated[Caller, Depends(get_analyst)]
