"""The service as ``sohosolo serve`` runs it, plus a hello-world endpoint: the baseline the
HTTP figures are measured against, in the same app, process and server settings; the ranking
route without its ranking, to tell the engine's share of a request from the rest (with a busy
wait added on request, to find what time a target leaves the engine: ``budget.py``); and a
copy of the ranking route that times its own work.

    uvicorn --factory --app-dir bench served:app_factory
"""

import statistics
import time

from fastapi import FastAPI, Request, Response

HELLO_PATH = "/bench/hello"
UNRANKED_PATH = "/bench/unranked"
#: The unranked route's query parameter: microseconds to wait busily before answering.
BUSY_QUERY = "busy_us"
TIMED_PATH = "/bench/timed"


def app_factory() -> FastAPI:
    # Imported here, so that ``hello_only`` measures a process without the service loaded.
    from service.app import create_app

    app = create_app()

    # FastAPI's own hello world (its tutorial's first example): the framework's floor.
    @app.get(HELLO_PATH, include_in_schema=False)
    async def hello() -> dict[str, str]:
        return {"message": "Hello World"}

    from features.profile import Profile
    from service.deps import state_of
    from service.params import K, Lang, resolve_k
    from service.responses import json_response
    from service.routes.recommendations import recommend_one

    answers: dict[tuple[bytes, int | None, str], Response] = {}

    async def unranked(
        request: Request, profile: Profile, k: K = None, lang: Lang = "fr"
    ) -> Response:
        """What ``POST /v1/recommendations`` does but rank: the same parsing and validation
        (FastAPI's, from the same signature), and an answer as large (the profile's ranking,
        made once and kept); then, with ``busy_us``, that many microseconds of the server's
        one thread, held as a ranking holds it."""
        key = (await request.body(), k, lang)  # read once: Starlette keeps it
        if key not in answers:
            state = state_of(request)
            snapshot = await state.snapshot_async()
            chosen_k = resolve_k(k, state.settings.default_k, snapshot)
            (ranking,) = snapshot.recommender.recommend(profile, chosen_k, lang=lang)
            answers[key] = json_response(ranking)
        answer = answers[key]
        busy = request.query_params.get(BUSY_QUERY)
        if busy is not None:
            until = time.perf_counter() + float(busy) * 1e-6
            while time.perf_counter() < until:
                pass
        return Response(answer.body, media_type="application/json")

    timings: list[float] = []

    async def timed(request: Request, profile: Profile, k: K = None, lang: Lang = "fr") -> Response:
        """``POST /v1/recommendations`` itself, its work timed from the valid request's
        arguments to the answer (the ranking, the exposure count, the JSON): what it adds to
        ``unranked``."""
        start = time.perf_counter()
        answer = await recommend_one(request, profile, k, lang)
        timings.append(time.perf_counter() - start)
        return answer

    for path, endpoint in ((UNRANKED_PATH, unranked), (TIMED_PATH, timed)):
        app.router.add_api_route(path, endpoint, methods=["POST"], include_in_schema=False)

    @app.get(TIMED_PATH, include_in_schema=False)
    async def timed_work() -> dict[str, float | int]:
        """The mean and median times of the timed requests since the last call (the mean is
        what a throughput is made of), and their count."""
        found = {
            "mean_seconds": statistics.fmean(timings) if timings else 0.0,
            "median_seconds": statistics.median(timings) if timings else 0.0,
            "requests": len(timings),
        }
        timings.clear()
        return found

    return app


def hello_only() -> FastAPI:
    """FastAPI's hello world alone: the memory floor of a FastAPI process under uvicorn."""
    app = FastAPI()

    @app.get(HELLO_PATH)
    async def hello() -> dict[str, str]:
        return {"message": "Hello World"}

    return app
