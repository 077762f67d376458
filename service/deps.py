"""Dependencies shared by the routers, as ``Annotated`` aliases."""

import email.message
from typing import Annotated, Literal

import orjson
from fastapi import Depends, HTTPException, Query, Request, Response, Security, status
from fastapi.security import APIKeyHeader

from service.auth import Caller
from service.config import Settings
from service.errors import invalid
from service.state import ServiceState, Snapshot

api_key = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="A staff or analyst key (see the README: SOHOSOLO_STAFF_API_KEYS).",
)


# Dependencies are coroutines: FastAPI runs plain functions in its thread pool, and a thread
# hop costs more than their work. The revision read ``snapshot`` makes takes microseconds.


def state_of(request: Request) -> ServiceState:
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


def get_caller(request: Request, key: Annotated[str | None, Security(api_key)] = None) -> Caller:
    # A plain function (run in the thread pool): the revocation check asks the database, so
    # that a key revoked through any worker, or the command line, is refused at once.
    state = state_of(request)
    caller = state.keyring.caller(key)
    if caller is None or state.store.is_revoked(caller.digest):
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

Lang = Annotated[Literal["fr", "en"], Query(description="Language of reasons and labels.")]
K = Annotated[
    int | None,
    Query(ge=1, description="Results per ranking, up to the number of partner villages."),
]


def resolve_k(k: int | None, default: int, snapshot: Snapshot) -> int:
    villages = len(snapshot.recommender.villages)
    if k is None:
        return min(default, villages)
    if k > villages:
        invalid(
            ("query", "k"),
            f"Input should be less than or equal to {villages} (the partner villages)",
            k,
            kind="less_than_equal",
            context={"le": villages},
        )
    return k


def is_json_media(content_type: str | None) -> bool:
    """Whether a Content-Type is JSON as FastAPI decides it before it reads a body as JSON:
    ``application/json`` or ``application/*+json``, parsed by the email package."""
    if content_type is None:
        return False
    if content_type == "application/json":  # what clients send: no parsing
        return True
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def json_response(body: object, status_code: int = 200) -> Response:
    # The rankings are built from checked values: serialising them directly spares a second
    # validation of every field. orjson writes dataclasses (``Ranking``) field by field, as
    # their ``to_dict()``.
    return Response(orjson.dumps(body), status_code, media_type="application/json")
