"""The published OpenAPI document states what the server does, in standard JSON Schema."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

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
        ("HomeItem", "bedrooms", {"minimum": 0, "maximum": 20}),
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
