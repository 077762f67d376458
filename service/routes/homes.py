"""The homes of each partner village, kept by its committee and staff one listing at a time
(they feed the housing criterion from the next ranking)."""

from typing import Annotated

from fastapi import APIRouter, Header, Path, Response, status

from service.deps import StateDep, VillageDep
from service.errors import problems
from service.exceptions import PreconditionRequired
from service.params import Insee
from service.responses import json_response
from service.schemas_village import HomeIn, HomeOut, HomePatch, HomesIn, HomesOut
from service.store.homes import Home, Listing
from service.writes import a_write

# Tagged with the villages, where the OpenAPI document has always listed these paths.
router = APIRouter(prefix="/v1", tags=["villages"])
HomeId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A listing's id.")]
IfMatch = Annotated[
    str | None,
    Header(
        max_length=100,
        description='The listing\'s version as its ETag gave it ("3"); required.',
    ),
]


def home_out(listing: Listing) -> dict[str, object]:
    return HomeOut(
        id=listing.id,
        version=listing.version,
        tenure=listing.tenure,
        price_eur=listing.price_eur,
        bedrooms=listing.bedrooms,
        surface_m2=listing.surface_m2,
        note=listing.note,
        description=listing.note,
        available_from=listing.available_from,
        expires_at=listing.expires_at,
        expired=listing.expired,
        updated_at=listing.updated_at,
        updated_by=listing.updated_by,
    ).model_dump(mode="json")


def etag(listing: Listing) -> str:
    return f'"{listing.version}"'


def with_etag(listing: Listing, status_code: int = 200) -> Response:
    response = json_response(home_out(listing), status_code)
    response.headers["ETag"] = etag(listing)
    return response


#: Versions are counted in a 64-bit column: a longer number names none of them.
MAX_VERSION_DIGITS = 18


def version_number(text: str) -> int | None:
    """The listing version ``text`` names (ASCII digits, at most ``MAX_VERSION_DIGITS``), or
    None: ``str.isdigit`` alone takes "²", and the database no number past 64 bits."""
    if text.isascii() and text.isdigit() and len(text) <= MAX_VERSION_DIGITS:
        return int(text)
    return None


def version_of(if_match: str | None, listing_id: int) -> int:
    """The version an If-Match header names: ``"3"``, ``W/"3"`` or ``3``."""
    if if_match is None:
        raise PreconditionRequired(
            f"listing {listing_id}: send If-Match with the version you changed (its ETag), "
            "so that a change made since by someone else is not overwritten"
        )
    version = version_number(if_match.strip().removeprefix("W/").strip('"'))
    if version is None:
        raise PreconditionRequired(
            f'If-Match: expected a listing version such as "3", found {if_match[:40]!r}'
        )
    return version


def listing_of(item: HomeIn) -> Home:
    return Home(**item.model_dump())


@router.get("/villages/{insee}/homes", response_model=HomesOut, responses=problems(401, 403, 404))
def homes(insee: Insee, state: StateDep, _caller: VillageDep) -> Response:
    """Every listing of the village, with its version and dates; expired ones (no longer
    counted) say so."""
    state.partner_village(insee)
    listed = [home_out(home) for home in state.store.homes(insee)]
    return json_response({"insee": insee, "name": state.name_of(insee), "homes": listed})


@router.put(
    "/villages/{insee}/homes",
    response_model=HomesOut,
    responses=problems(401, 403, 404, 413, 415),
)
@a_write
def replace_homes(insee: Insee, body: HomesIn, state: StateDep, caller: VillageDep) -> Response:
    """Replace the village's listings (each gets a new id, version 1)."""
    state.partner_village(insee)
    stored = state.store.replace_homes(insee, [listing_of(h) for h in body.homes], str(caller))
    listed = [home_out(home) for home in stored]
    return json_response({"insee": insee, "name": state.name_of(insee), "homes": listed})


@router.post(
    "/villages/{insee}/homes",
    response_model=HomeOut,
    status_code=status.HTTP_201_CREATED,
    responses=problems(401, 403, 404, 413, 415),
)
@a_write
def add_home(insee: Insee, body: HomeIn, state: StateDep, caller: VillageDep) -> Response:
    """Add one listing: 201 with its id, version 1 and an ETag."""
    state.partner_village(insee)
    listing = state.store.add_home(insee, listing_of(body), str(caller))
    response = with_etag(listing, status.HTTP_201_CREATED)
    response.headers["Location"] = f"/v1/villages/{insee}/homes/{listing.id}"
    return response


@router.get(
    "/villages/{insee}/homes/{home_id:int}",
    response_model=HomeOut,
    responses=problems(401, 403, 404),
)
def home(insee: Insee, home_id: HomeId, state: StateDep, _caller: VillageDep) -> Response:
    """One listing, with its version as ETag."""
    state.partner_village(insee)
    return with_etag(state.store.home(insee, home_id))


@router.patch(
    "/villages/{insee}/homes/{home_id:int}",
    response_model=HomeOut,
    responses={
        **problems(401, 403, 404, 412, 413, 415, 428),
        412: {"description": "Changed since: the body holds detail and the current listing."},
    },
)
@a_write
def change_home(
    insee: Insee,
    home_id: HomeId,
    body: HomePatch,
    state: StateDep,
    caller: VillageDep,
    if_match: IfMatch = None,
) -> Response:
    """Change a listing. ``If-Match`` must name its current version: 412 (with the current
    listing) when someone changed it since, 428 without it. Nothing is overwritten then."""
    state.partner_village(insee)
    version = version_of(if_match, home_id)
    state.store.home(insee, home_id)  # 404 before 412
    listing = state.store.change_home(insee, home_id, body.changes(), version, str(caller))
    return with_etag(listing)


@router.post(
    "/villages/{insee}/homes/{home_id:int}/confirm",
    response_model=HomeOut,
    responses=problems(401, 403, 404),
)
@a_write
def confirm_home(insee: Insee, home_id: HomeId, state: StateDep, caller: VillageDep) -> Response:
    """ "Still on offer": one click moves the listing's expiry to 90 days from today (an
    expired listing counts again). No body; answers the listing with its new version."""
    state.partner_village(insee)
    return with_etag(state.store.confirm_home(insee, home_id, str(caller)))


@router.delete(
    "/villages/{insee}/homes/{home_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(401, 403, 404),
)
@a_write
def withdraw_home(insee: Insee, home_id: HomeId, state: StateDep, caller: VillageDep) -> Response:
    """Withdraw a listing: it no longer counts; the audit log keeps what it was."""
    state.partner_village(insee)
    state.store.withdraw_home(insee, home_id, str(caller))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
