"""The published OpenAPI document: FastAPI's, with what depends on the deployment stated in it.

A route's parameters are declared once for every deployment; the partner villages, and so the
most results a ranking can hold, are known only from the settings. ``publish`` states them when
the app is made: ``k``'s maximum, and the codes a field marked ``PARTNER_MARK`` may take.
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

#: The mark of a field that takes a partner village's code (see ``partner_code``).
PARTNER_MARK = "x-partner-village"
#: What the document says of ``k`` once the partner count is known.
K_DESCRIPTION = "Results per ranking, from 1 to {partners} (the partner villages); default {k}."


def publish(app: FastAPI, partners: list[str], default_k: int, keyed_fault: str) -> None:
    """Make ``app`` publish ``k``'s maximum (the number of partner villages), the partners'
    codes as the values of the fields marked ``PARTNER_MARK``, and the 503 (described by
    ``keyed_fault``) of every operation that checks a key or a session: the check reads the
    revoked keys or the session from the database, which may fail to answer."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:  # FastAPI keeps the document once made
            document = generate()
            _bound_k(document, len(partners), default_k)
            _list_partners(document, sorted(partners))
            _keyed_may_fail(document, keyed_fault)
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


def _list_partners(node: Any, codes: list[str]) -> None:
    if isinstance(node, dict):
        if node.pop(PARTNER_MARK, False):
            node["enum"] = codes
        for value in node.values():
            _list_partners(value, codes)
    elif isinstance(node, list):
        for value in node:
            _list_partners(value, codes)


def _keyed_may_fail(document: dict[str, Any], description: str) -> None:
    problem = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in document["paths"].values():
        for operation in operations.values():
            if operation.get("security"):
                operation["responses"].setdefault(
                    "503", {"description": description, "content": problem}
                )
