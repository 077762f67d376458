"""The app as a whole: its routers and the order it matches them in."""

from fastapi.routing import APIRoute

from service.app import ROUTERS, create_app
from service.config import Settings
from service.routes import recommendations


def api_routes() -> list[APIRoute]:
    return [route for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)]


def test_the_rankings_are_matched_first() -> None:
    assert ROUTERS[0] is recommendations.router
    first = api_routes()[0]
    assert (first.path, first.methods) == ("/v1/recommendations", {"POST"})


def test_each_resource_has_its_router_module() -> None:
    modules = {route.path: route.endpoint.__module__.rsplit(".", 1)[-1] for route in api_routes()}
    assert modules == {
        "/v1/recommendations": "recommendations",
        "/v1/recommendations/batch": "recommendations",
        "/v1/health": "public",
        "/v1/professions": "public",
        "/v1/villages": "villages",
        "/v1/villages.geojson": "villages",
        "/v1/villages/{insee}": "villages",
        "/v1/villages/{insee}/homes": "homes",
        "/v1/prospects": "prospects",
        "/v1/prospects/{prospect_id}": "prospects",
        "/v1/prospects/{prospect_id}/shortlist": "prospects",
        "/v1/outcomes": "outcomes",
        "/v1/weights": "weights",
        "/v1/exposure": "exposure",
        "/v1/audit": "audit",
        "/embed": "pages",
    }


def test_the_app_serves_every_routers_paths() -> None:
    documented = create_app(Settings(database_url="sqlite://")).openapi()["paths"]
    assert set(documented) == {route.path for route in api_routes()}
