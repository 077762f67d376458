"""Rankings for prospect profiles: public, nothing personal is stored (only which villages
were shown, for the exposure statistics)."""

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from pydantic import TypeAdapter
from starlette.requests import ClientDisconnect

from features.profile import Profile
from features.vocab import Lang as LangCode
from service.body_limit import is_json_media
from service.deps import SettingsDep, SnapshotDep, StateDep, state_of
from service.errors import problems
from service.params import K, Lang, resolve_k
from service.responses import json_response
from service.schemas import BatchIn, BatchOut
from service.schemas import Ranking as RankingOut

router = APIRouter(prefix="/v1/recommendations", tags=["recommendations"])

#: The query parameters of ``recommend_one``, validated as FastAPI validates them.
K_VALUE: TypeAdapter[int | None] = TypeAdapter(K)
LANG_VALUE: TypeAdapter[LangCode] = TypeAdapter(Lang)
DEFAULT_LANG: LangCode = "fr"

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class RankingRoute(APIRoute):
    """``POST /v1/recommendations``, the busiest route, without FastAPI's per-request
    overhead where the request is valid.

    FastAPI's request handler costs as much as the ranking's scores (it parses the media
    type, inspects the endpoint and works out each parameter's annotation on every request).
    A valid request is parsed here with the same steps and the same types (``json.loads``,
    the ``Profile`` model, the annotations of ``k`` and ``lang``), so it gets the same
    arguments; anything else goes to FastAPI's own handler, so that its refusals, and the
    OpenAPI schema from the endpoint's signature, are FastAPI's.
    """

    def get_route_handler(self) -> Handler:
        standard = super().get_route_handler()
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            arguments = await valid_ranking_request(request)
            if arguments is None:
                return await standard(request)
            return await endpoint(request, *arguments)

        return handler


async def valid_ranking_request(
    request: Request,
) -> tuple[Profile, int | None, LangCode] | None:
    """The profile, ``k`` and ``lang`` of a valid ranking request; ``None`` for anything
    FastAPI would refuse (or might: the full check then falls to it)."""
    if not is_json_media(request.headers.get("content-type")):
        return None  # FastAPI would not read the body as JSON
    query = request.query_params
    try:
        k = K_VALUE.validate_python(query.get("k"))
        lang = query.get("lang")
        lang = DEFAULT_LANG if lang is None else LANG_VALUE.validate_python(lang)
        # json.loads, as FastAPI reads the body (orjson would be faster, but reads some
        # numbers differently: 10**29 as a float).
        profile = Profile.model_validate(json.loads(await request.body()))
    # JSON, Unicode and validation errors are ValueErrors; a client gone mid-body is left to
    # FastAPI's handler too, which answers it as it always has.
    except (ValueError, RecursionError, ClientDisconnect):
        return None
    return profile, k, lang


async def recommend_one(
    request: Request, profile: Profile, k: K = None, lang: Lang = DEFAULT_LANG
) -> Response:
    """The ranked partner villages for one prospect profile, with reasons and exclusions."""
    # A coroutine: one ranking is a fraction of a millisecond of work that holds the GIL
    # anyway, less than the hop to a pool thread would cost. No dependencies: the arguments
    # are all that ``RankingRoute`` passes.
    state = state_of(request)
    state.rate_limit.check(request)
    snapshot = await state.snapshot_async()
    chosen_k = resolve_k(k, state.settings.default_k, snapshot)
    (ranking,) = snapshot.recommender.recommend(profile, chosen_k, lang=lang)
    state.exposure.add("public", [ranking])
    return json_response(ranking)


router.add_api_route(
    "",
    recommend_one,
    methods=["POST"],
    response_model=RankingOut,
    responses=problems(413, 415, 429),
    route_class_override=RankingRoute,
)


@router.post("/batch", response_model=BatchOut, responses=problems(413, 415, 429))
def recommend_batch(
    request: Request,
    body: BatchIn,
    state: StateDep,
    snapshot: SnapshotDep,
    settings: SettingsDep,
    k: K = None,
    lang: Lang = "fr",
) -> Response:
    """One ranking per profile, in the order given."""
    state.rate_limit.check(request, cost=len(body.profiles))
    chosen_k = resolve_k(k, settings.default_k, snapshot)
    rankings = snapshot.recommender.recommend(body.profiles, chosen_k, lang=lang)
    state.exposure.add("batch", rankings)
    return json_response({"rankings": rankings})
