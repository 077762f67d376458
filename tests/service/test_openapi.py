"""The published OpenAPI document states what the server does, in standard JSON Schema."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.schemas import FREE_TEXT, MAX_YEAR, MIN_YEAR, YEARS_PATTERN
from tests.service.conftest import make_settings

#: pydantic's names for constraints: JSON Schema says minimum, maximum, exclusiveMinimum...
#: Clients and fuzzers ignore these, so a bound published under them is no bound at all.
PYDANTIC_KEYWORDS = {
    "ge",
    "le",
    "gt",
    "lt",
    "min_length",
    "max_length",
    "multiple_of",
    "allow_inf_nan",
    "strict",
}


def keys_anywhere(node: Any, path: str = "#") -> Iterator[tuple[str, str]]:
    """(path, key) of every key of every object in a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key
            yield from keys_anywhere(value, f"{path}/{key}")
    elif isinstance(node, list):
        for n, item in enumerate(node):
            yield from keys_anywhere(item, f"{path}/{n}")


@pytest.fixture(scope="module")
def document(shared_client: TestClient) -> dict[str, Any]:
    answer: dict[str, Any] = shared_client.get("/openapi.json").json()
    return answer


def test_bounds_are_published_as_json_schema(document: dict[str, Any]) -> None:
    leaked = [f"{path}/{key}" for path, key in keys_anywhere(document) if key in PYDANTIC_KEYWORDS]
    assert leaked == []


@pytest.mark.parametrize(
    ("component", "field", "bounds"),
    [
        ("Household", "adults", {"minimum": 1, "maximum": 6}),
        ("Housing", "budget_eur", {"exclusiveMinimum": 0, "maximum": 100_000_000}),
        ("Housing", "min_bedrooms", {"minimum": 0, "maximum": 10}),
        ("Profile", "remote_days_per_week", {"minimum": 0, "maximum": 7}),
        ("HomeIn", "bedrooms", {"minimum": 0, "maximum": 20}),
        ("CriterionWeights", "housing", {"minimum": 0, "maximum": 1000}),
    ],
)
def test_each_bound_is_stated(
    document: dict[str, Any], component: str, field: str, bounds: dict[str, float]
) -> None:
    schema = document["components"]["schemas"][component]["properties"][field]
    assert bounds.items() <= schema.items()


def test_a_childs_age_is_bounded(document: dict[str, Any]) -> None:
    items = document["components"]["schemas"]["Household"]["properties"]["children_ages"]["items"]
    assert items == {"type": "integer", "minimum": 0, "maximum": 25}


def test_k_is_at_most_the_partner_villages(
    document: dict[str, Any], partner_codes: set[str]
) -> None:
    ranking_paths = [
        ("/v1/recommendations", "post"),
        ("/v1/recommendations/batch", "post"),
        ("/v1/prospects/{prospect_id}/shortlist", "get"),
    ]
    for path, method in ranking_paths:
        (k,) = [p for p in document["paths"][path][method]["parameters"] if p["name"] == "k"]
        integer, _null = k["schema"]["anyOf"]
        assert integer == {"type": "integer", "minimum": 1, "maximum": len(partner_codes)}
        assert f"from 1 to {len(partner_codes)}" in k["description"]


def test_k_follows_the_partner_list(tmp_path: Path) -> None:
    partners = tmp_path / "partners.csv"
    partners.write_text(
        "insee,name,source\n32436,Solomiac,test\n32416,Sarrant,test\n", encoding="utf-8"
    )
    app = create_app(make_settings(tmp_path, partners_path=partners))
    (k,) = [
        p
        for p in app.openapi()["paths"]["/v1/recommendations"]["post"]["parameters"]
        if p["name"] == "k"
    ]
    assert k["schema"]["anyOf"][0]["maximum"] == 2
    assert k["description"].endswith("from 1 to 2 (the partner villages); default 2.")


def test_dates_state_their_years() -> None:
    years = re.compile(YEARS_PATTERN)
    written = {year for year in range(1900, 2300) if years.match(f"{year}-01-01T00:00:00Z")}
    assert written == set(range(MIN_YEAR, MAX_YEAR + 1))


def test_dates_are_published_with_their_years(document: dict[str, Any]) -> None:
    at = document["components"]["schemas"]["OutcomeIn"]["properties"]["at"]["anyOf"][0]
    assert at["format"] == "date-time"
    assert at["pattern"] == YEARS_PATTERN


def test_free_text_states_that_control_characters_are_refused(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    name = schemas["Contact"]["properties"]["name"]["anyOf"][0]
    assert name["pattern"] == FREE_TEXT
    pattern = re.compile(FREE_TEXT)
    assert pattern.match("Jeanne Martin, été 2026\n\t")
    for character in ("\x00", "\x07", "\x1b", "\x85", "\u202e", "\u2066"):
        assert not pattern.match(f"a{character}b")
    assert schemas["WeightsIn"]["properties"]["description"]["pattern"] == FREE_TEXT


def test_the_rules_across_fields_are_stated(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    prospect = schemas["ProspectIn"]
    assert "needs consent" in prospect["properties"]["consent_at"]["description"]
    assert {"properties": {"consent_at": {"type": "null"}}} in prospect["anyOf"]
    assert "not all 0" in schemas["WeightsIn"]["properties"]["weights"]["description"]
    some_weight = schemas["CriterionWeights"]["anyOf"]
    assert {"properties": {"schools": {"exclusiveMinimum": 0}}} in some_weight


def test_the_two_sided_routes_are_documented_with_their_bounds(shared_client) -> None:  # type: ignore[no-untyped-def]
    document = shared_client.get("/openapi.json").json()
    paths = document["paths"]
    listing = paths["/v1/villages/{insee}/prospects"]["get"]
    (k,) = [p for p in listing["parameters"] if p["name"] == "k"]
    assert (k["schema"]["maximum"], k["schema"]["default"]) == (200, 20)  # prospects, not villages
    assert "anonymised" in listing["description"]
    assert {"since", "limit", "lang"} <= {
        p["name"] for p in paths["/v1/alerts"]["get"]["parameters"]
    }
    allocation = document["components"]["schemas"]["AllocationIn"]["properties"]
    assert allocation["k"]["maximum"] == 52
    assert allocation["prospect_ids"]["uniqueItems"] is True
    assert "404" in paths["/v1/allocations"]["post"]["responses"]
    result = document["components"]["schemas"]["Result"]["properties"]
    assert "public answers never carry it" in result["committee"]["description"]
