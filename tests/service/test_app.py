"""The app as a whole: its routers, the order it matches them in, its documentation."""

import re

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from service.app import ROUTERS, create_app
from service.config import Settings
from service.routes import recommendations


def api_routes() -> list[APIRoute]:
    return [route for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)]


def template(route: APIRoute) -> str:
    """The route's path as the OpenAPI document writes it (no ``:int`` convertors)."""
    return re.sub(r":\w+\}", "}", route.path)


def test_the_rankings_are_matched_first() -> None:
    assert ROUTERS[0] is recommendations.router
    first = api_routes()[0]
    assert (first.path, first.methods) == ("/v1/recommendations", {"POST"})


def test_each_resource_has_its_router_module() -> None:
    modules = {
        template(route): route.endpoint.__module__.rsplit(".", 1)[-1] for route in api_routes()
    }
    assert modules == {
        "/v1/recommendations": "recommendations",
        "/v1/recommendations/batch": "recommendations",
        "/v1/health": "public",
        "/v1/professions": "public",
        "/v1/villages": "villages",
        "/v1/villages.geojson": "villages",
        "/v1/villages/{insee}": "villages",
        "/v1/villages/{insee}/homes": "homes",
        "/v1/villages/{insee}/homes/{home_id}": "homes",
        "/v1/villages/{insee}/homes/{home_id}/confirm": "homes",
        "/v1/villages/{insee}/needs": "needs",
        "/v1/villages/{insee}/needs/{need_id}": "needs",
        "/v1/villages/{insee}/committee": "committee",
        "/v1/villages/{insee}/facts/proposals": "facts",
        "/v1/facts/proposals": "facts",
        "/v1/facts/proposals/{proposal_id}/approve": "facts",
        "/v1/facts/proposals/{proposal_id}/reject": "facts",
        "/v1/session": "session",
        "/v1/session/password": "session",
        "/v1/invitations/{token}": "session",
        "/v1/accounts/invitations": "accounts",
        "/v1/accounts": "accounts",
        "/v1/accounts/{account_id}": "accounts",
        "/v1/prospects": "prospects",
        "/v1/prospects/{prospect_id}": "prospects",
        "/v1/prospects/{prospect_id}/shortlist": "prospects",
        "/v1/prospects/{prospect_id}/outcomes": "prospects",
        "/v1/outcomes": "outcomes",
        "/v1/villages/{insee}/prospects": "village_prospects",
        "/v1/alerts": "alerts",
        "/v1/allocations": "allocations",
        "/v1/weights": "weights",
        "/v1/exposure": "exposure",
        "/v1/audit": "audit",
        "/embed": "pages",
        "/docs": "pages",
        "/": "pages",
        "/intranet/": "intranet_account",
        "/intranet/sign-in": "intranet_account",
        "/intranet/invitation/{token}": "intranet_account",
        "/intranet/password": "intranet_account",
        "/intranet/sign-out": "intranet_account",
        "/intranet/villages": "intranet_village",
        "/intranet/villages/{insee}": "intranet_village",
        "/intranet/villages/{insee}/homes": "intranet_village",
        "/intranet/villages/{insee}/homes/{home_id}": "intranet_village",
        "/intranet/villages/{insee}/homes/{home_id}/confirm": "intranet_village",
        "/intranet/villages/{insee}/homes/{home_id}/withdraw": "intranet_village",
        "/intranet/villages/{insee}/needs": "intranet_village",
        "/intranet/villages/{insee}/needs/{need_id}/withdraw": "intranet_village",
        "/intranet/villages/{insee}/committee": "intranet_village",
        "/intranet/villages/{insee}/proposals": "intranet_village",
        "/intranet/proposals": "intranet_staff",
        "/intranet/proposals/{proposal_id}/approve": "intranet_staff",
        "/intranet/proposals/{proposal_id}/reject": "intranet_staff",
        "/intranet/prospects": "console_prospects",
        "/intranet/prospects/new": "console_prospects",
        "/intranet/prospects/preview": "console_prospects",
        "/intranet/prospects/{prospect_id}": "console_prospects",
        "/intranet/prospects/{prospect_id}/outcomes": "console_prospects",
        "/intranet/prospects/{prospect_id}/erase": "console_prospects",
        "/intranet/prospects/{prospect_id}/compare": "console_prospects",
        "/intranet/funnel": "console_programme",
        "/intranet/funnel.csv": "console_programme",
        "/intranet/partners": "console_programme",
        "/intranet/alerts": "console_matching",
        "/intranet/allocations": "console_matching",
        "/intranet/accounts": "console_programme",
        "/intranet/accounts/invite": "console_programme",
        "/intranet/accounts/{account_id}/disable": "console_programme",
        "/intranet/accounts/{account_id}/enable": "console_programme",
    }


def test_the_app_serves_every_routers_paths() -> None:
    documented = create_app(Settings(database_url="sqlite://")).openapi()["paths"]
    # The intranet's HTML pages are for people, not in the API's document.
    assert set(documented) == {template(route) for route in api_routes() if route.include_in_schema}


def test_docs_work_offline(shared_client: TestClient) -> None:
    page = shared_client.get("/docs").text
    assert "https://" not in page
    assert "http://" not in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"):
        assert f"/static/docs/{asset}" in page
        assert shared_client.get(f"/static/docs/{asset}").status_code == 200


def test_the_openapi_schema_lists_every_api_md_endpoint(shared_client: TestClient) -> None:
    paths = shared_client.get("/openapi.json").json()["paths"]
    expected = {
        "/v1/health": {"get"},
        "/v1/professions": {"get"},
        "/v1/villages": {"get"},
        "/v1/villages/{insee}": {"get"},
        "/v1/villages.geojson": {"get"},
        "/v1/recommendations": {"post"},
        "/v1/recommendations/batch": {"post"},
        "/v1/prospects": {"post"},
        "/v1/prospects/{prospect_id}": {"get", "delete"},
        "/v1/prospects/{prospect_id}/shortlist": {"get"},
        "/v1/outcomes": {"post"},
        "/v1/villages/{insee}/homes": {"get", "put", "post"},
        "/v1/villages/{insee}/homes/{home_id}": {"patch", "delete"},
        "/v1/weights": {"get", "put"},
        "/v1/exposure": {"get"},
        "/v1/accounts/invitations": {"post"},
        "/v1/invitations/{token}": {"post"},
        "/v1/session": {"post", "delete"},
        "/v1/accounts": {"get"},
        "/v1/accounts/{account_id}": {"patch"},
        "/v1/villages/{insee}/needs": {"get", "post"},
        "/v1/villages/{insee}/needs/{need_id}": {"delete"},
        "/v1/villages/{insee}/committee": {"get", "put"},
        "/v1/villages/{insee}/facts/proposals": {"post"},
        "/v1/facts/proposals": {"get"},
        "/v1/facts/proposals/{proposal_id}/approve": {"post"},
        "/v1/facts/proposals/{proposal_id}/reject": {"post"},
        "/v1/alerts": {"get"},
        "/v1/villages/{insee}/prospects": {"get"},
        "/v1/allocations": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
