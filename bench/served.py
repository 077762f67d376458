"""The service as ``sohosolo serve`` runs it, plus a hello-world endpoint: the baseline the
HTTP figures are measured against, in the same app, process and server settings.

    uvicorn --factory --app-dir bench served:app_factory
"""

from fastapi import FastAPI

HELLO_PATH = "/bench/hello"


def app_factory() -> FastAPI:
    # Imported here, so that ``hello_only`` measures a process without the service loaded.
    from service.app import create_app

    app = create_app()

    # FastAPI's own hello world (its tutorial's first example): the framework's floor.
    @app.get(HELLO_PATH, include_in_schema=False)
    async def hello() -> dict[str, str]:
        return {"message": "Hello World"}

    return app


def hello_only() -> FastAPI:
    """FastAPI's hello world alone: the memory floor of a FastAPI process under uvicorn."""
    app = FastAPI()

    @app.get(HELLO_PATH)
    async def hello() -> dict[str, str]:
        return {"message": "Hello World"}

    return app
