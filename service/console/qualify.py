"""The qualification form: a prospect's whole profile, contact and consent, read into the
API's own request model (``ProspectIn``), so that the form, the API and the ranking refuse the
same values; each error is put at its field, in the reader's language."""

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from features.i18n import Lang
from service.intranet.forms import FORM_WIDE, first, number
from service.intranet.messages import message
from service.schemas import ProspectIn

#: The form's text fields; ``must`` (checkboxes), ``needs_train_station`` and ``consent``
#: (one checkbox each) are read apart.
TEXT_FIELDS = (
    "profession",
    "connectivity",
    "remote_days_per_week",
    "adults",
    "children_ages",
    "tenure",
    "budget_eur",
    "min_bedrooms",
    "max_minutes_to_auch",
    "settlement",
    "name",
    "email",
    "phone",
)
NUMBERS = ("remote_days_per_week", "adults", "budget_eur", "min_bedrooms", "max_minutes_to_auch")
#: Words people write between ages ("4 ans et 12 ans", "4 and 12 years").
AGE_WORDS = re.compile(r"\b(?:et|and|ans?|years?|old)\b", re.IGNORECASE)
FIELDS = frozenset((*TEXT_FIELDS, "must", "needs_train_station", "consent"))


def typed(fields: Mapping[str, list[str]]) -> dict[str, Any]:
    """What was typed, to show the form again as it was sent."""
    values: dict[str, Any] = {name: first(fields, name) for name in TEXT_FIELDS}
    values["must"] = list(fields.get("must", []))
    values["needs_train_station"] = bool(first(fields, "needs_train_station"))
    values["consent"] = bool(first(fields, "consent"))
    return values


def ages(text: str) -> list[Any]:
    """Ages as people type them: "4, 12", "4 12", "4 ans et 12 ans"; a word that is no number
    stays as typed, for the model to refuse at its field."""
    items = re.split(r"[\s,;/]+", AGE_WORDS.sub(" ", text))
    # ASCII digits, and few: "²" is a digit to str.isdigit, and int() refuses 4,300 of them.
    return [
        int(item) if item.isascii() and item.isdigit() and len(item) <= 3 else item
        for item in items
        if item
    ]


def _group(values: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: values[name] for name in names if values.get(name) not in ("", None)}


def body_of(fields: Mapping[str, list[str]]) -> dict[str, Any]:
    """The form as the JSON body of ``POST /v1/prospects``."""
    values: dict[str, Any] = {name: first(fields, name) for name in TEXT_FIELDS}
    for name in NUMBERS:
        if values[name]:
            values[name] = number(values[name])
    profile = _group(values, ("profession", "connectivity", "remote_days_per_week"))
    household = _group(values, ("adults",))
    if values["children_ages"]:
        household["children_ages"] = ages(values["children_ages"])
    housing = _group(values, ("tenure", "budget_eur", "min_bedrooms"))
    preferences = _group(values, ("max_minutes_to_auch", "settlement"))
    if first(fields, "needs_train_station"):
        preferences["needs_train_station"] = True
    groups = {"household": household, "housing": housing, "preferences": preferences}
    profile |= {name: group for name, group in groups.items() if group}
    profile["must"] = list(dict.fromkeys(fields.get("must", [])))
    return {
        "profile": profile,
        "contact": _group(values, ("name", "email", "phone")),
        "consent": bool(first(fields, "consent")),
    }


def read(fields: Mapping[str, list[str]], lang: Lang) -> tuple[ProspectIn | None, dict[str, str]]:
    """The prospect the form describes, or None and each field's error."""
    try:
        return ProspectIn.model_validate(body_of(fields)), {}
    except ValidationError as error:
        return None, errors_by_field(error.errors(), lang)


def errors_by_field(errors: list[Any], lang: Lang) -> dict[str, str]:
    """Each error at the form's field it is about: the deepest name of its location that is
    a field (``profile.household.children_ages.1`` is ``children_ages``); an error of a whole
    group (a housing project without its budget) at the group's first field."""
    found: dict[str, str] = {}
    for error in errors:
        names = [str(part) for part in error.get("loc", ()) if str(part) in FIELDS]
        groups = {"housing": "budget_eur", "household": "adults", "preferences": "settlement"}
        if not names:
            parts = [groups[str(p)] for p in error.get("loc", ()) if str(p) in groups]
            names = parts or [FORM_WIDE]
        found.setdefault(names[-1], message(error, lang))
    return found
