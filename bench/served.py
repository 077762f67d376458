"""The service as ``sohosolo serve`` runs it, plus a hello-world endpoint: the baseline the
HTTP figures are measured against, in the same app, process and server settings; and the
ranking route without its ranking, to tell the engine's share of a request from the rest.

    uvicorn --factory --app-dir bench served:app_factory
"""

from fastapi import FastAPI, Request, Response

HELLO_PATH = "/bench/hello"
UNRANKED_PATH = "/bench/unranked"


def app_factory() -> FastAPI:
    # Imported here, so that ``hello_only`` measures a process without the service loaded.
    from service.app import create_app

    app = create_app()

    # FastAPI's own hello world (its tutorial's first example): the framework's floor.
    @app.get(HELLO_PATH, include_in_schema=False)
    async def hello() -> dict[str, str]:
        return {"message": "Hello World"}

    from service.deps import json_response, resolve_k, state_of
    from service.routes.recommendations import valid_ranking_request

    answers: dict[tuple[bytes, int | None, str], Response] = {}

    @app.post(UNRANKED_PATH, include_in_schema=False)
    async def unranked(request: Request) -> Response:
        """What ``POST /v1/recommendations`` does but rank: the same parsing and validation,
        and an answer as large (the profile's ranking, made once and kept)."""
        arguments = await valid_ranking_request(request)
        if arguments is None:
            return Response(status_code=422)
        profile, k, lang = arguments
        key = (await request.body(), k, lang)  # read once: Starlette keeps it
        if key not in answers:
            state = state_of(request)
            snapshot = await state.snapshot_async()
            chosen_k = resolve_k(k, state.settings.default_k, snapshot)
            (ranking,) = snapshot.recommender.recommend(profile, chosen_k, lang=lang)
            answers[key] = json_response(ranking)
        answer = answers[key]
        return Response(answer.body, media_type="application/json")

    return app


def hello_only() -> FastAPI:
    """FastAPI's hello world alone: the memory floor of a FastAPI process under uvicorn."""
    app = FastAPI()

    @app.get(HELLO_PATH)
    async def hello() -> dict[str, str]:
        return {"message": "Hello World"}

    return app
