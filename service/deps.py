"""Dependencies shared by the routers, as ``Annotated`` aliases."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader

from service.auth import Caller
from service.config import Settings, get_settings
from service.state import ServiceState, Snapshot

api_key = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="A staff or analyst key (see the README: SOHOSOLO_STAFF_API_KEYS).",
)


def get_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.sohosolo
    return state


def get_snapshot(request: Request) -> Snapshot:
    return get_state(request).snapshot()


def get_caller(request: Request, key: Annotated[str | None, Security(api_key)] = None) -> Caller:
    caller = get_state(request).keyring.caller(key)
    if caller is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="missing or wrong API key: send a staff or analyst key in the X-API-Key header",
            headers={"WWW-Authenticate": "X-API-Key"},
        )
    return caller


def get_analyst(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
    if not caller.may("analyst"):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="this needs an analyst key; the key sent is a staff key",
        )
    return caller


SettingsDep = Annotated[Settings, Depends(get_settings)]
StateDep = Annotated[ServiceState, Depends(get_state)]
SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]
StaffDep = Annotated[Caller, Depends(get_caller)]
AnalystDep = Annotated[Caller, Depends(get_analyst)]
