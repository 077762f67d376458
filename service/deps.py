"""Dependencies shared by the routers, as ``Annotated`` aliases: the service's state, its
settings and model snapshot, and the caller a key names."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from service.auth import Caller
from service.config import Settings
from service.state import ServiceState, Snapshot

API_KEY_HEADER = "X-API-Key"
api_key = APIKeyHeader(
    name=API_KEY_HEADER,
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
    return await state_of(request).snapshot_async()


def keyed_caller(request: Request, key: str | None) -> Caller | None:
    """The staff or analyst caller ``key`` names, or None for a missing, wrong or revoked key.

    The revocation check asks the database, so that a key revoked through any worker, or the
    command line, is refused at once: call it from the thread pool, not the event loop.
    """
    state = state_of(request)
    caller = state.keyring.caller(key)
    if caller is None or state.store.is_revoked(caller.digest):
        return None
    return caller


def from_public(request: Request) -> bool:
    """Whether the request comes from the public, held by the rate limit: it sends no valid
    staff or analyst key (``keyed_caller``: from the thread pool)."""
    return keyed_caller(request, request.headers.get(API_KEY_HEADER)) is None


async def is_public(request: Request) -> bool:
    """``from_public``, for coroutines."""
    if API_KEY_HEADER not in request.headers:  # the public's requests: no thread hop
        return True
    return await run_in_threadpool(from_public, request)


def get_caller(request: Request, key: Annotated[str | None, Security(api_key)] = None) -> Caller:
    # A plain function, run in the thread pool: ``keyed_caller`` asks the database.
    caller = keyed_caller(request, key)
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
