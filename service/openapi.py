"""The published OpenAPI document: FastAPI's, with what depends on the deployment stated in it.

A route's parameters are declared once for every deployment; the partner villages, and so the
most results a ranking can hold, are known only from the settings. ``publish`` states them when
the app is made.
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

#: What the document says of ``k`` once the partner count is known.
K_DESCRIPTION = "Results per ranking, from 1 to {partners} (the partner villages); default {k}."


def publish(app: FastAPI, partners: int, default_k: int) -> None:
    """Make ``app`` publish ``k``'s maximum, the number of partner villages."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:  # FastAPI keeps the document once made
            _bound_k(generate(), partners, default_k)
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]


def _bound_k(document: dict[str, Any], partners: int, default_k: int) -> None:
    description = K_DESCRIPTION.format(partners=partners, k=min(default_k, partners))
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if (parameter["name"], parameter["in"]) != ("k", "query"):
                    continue
                branches = parameter["schema"].get("anyOf", [parameter["schema"]])
                if any("maximum" in branch for branch in branches):
                    continue  # a k of something else than villages (prospects listed)
                for branch in branches:
                    if branch.get("type") == "integer":
                        branch["maximum"] = partners
                parameter["description"] = parameter["schema"]["description"] = description
    # Villages proposed to each prospect by an allocation: at most the partner villages.
    allocation = document.get("components", {}).get("schemas", {}).get("AllocationIn")
    if allocation is not None:
        allocation["properties"]["k"]["maximum"] = partners
