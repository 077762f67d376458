"""HTML forms: the body read (URL-encoded, UTF-8), its CSRF token checked, its text turned into
the values the API's request models take (numbers written the French way too: "140 000",
"0,5"), and the models' errors turned into messages by field."""

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from pydantic import BaseModel, ValidationError

from features.i18n import Lang
from service.accounts.cookies import CSRF_FIELD
from service.accounts.tokens import same_token
from service.exceptions import Forbidden, InvalidField
from service.intranet.messages import message

#: Fields one form may send; more is not a form of ours.
MAX_FIELDS = 100
#: Where a form-wide error (not of one field) is kept.
FORM_WIDE = "__form__"
Converter = Callable[[str], Any]


async def read_form(request: Request) -> dict[str, list[str]]:
    """The form's fields, each with its values in order (checkboxes repeat a name)."""
    body = (await request.body()).decode("utf-8", "replace")
    fields: dict[str, list[str]] = {}
    try:
        pairs = parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        raise InvalidField("form", f"expected at most {MAX_FIELDS} fields") from None
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    return fields


def check_csrf(fields: Mapping[str, list[str]], expected: str | None) -> None:
    """Forbidden unless the form's ``csrf_token`` is the expected one."""
    given = (fields.get(CSRF_FIELD) or [""])[0]
    if not same_token(expected, given):
        raise Forbidden(
            f"missing or wrong {CSRF_FIELD} form field: reload the page and send the form again"
        )


def first(fields: Mapping[str, list[str]], name: str) -> str:
    return (fields.get(name) or [""])[0].strip()


def number(text: str) -> Any:
    """A number as people type it ("140 000 €", "0,5"); the text itself when it is none (the
    model then refuses it, naming the field)."""
    cleaned = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "")
    cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in cleaned else value


def plain(text: str) -> str:
    return text


def values_of(
    fields: Mapping[str, list[str]], converters: Mapping[str, Converter]
) -> dict[str, Any]:
    """The non-empty fields named in ``converters``, converted."""
    found: dict[str, Any] = {}
    for name, convert in converters.items():
        text = first(fields, name)
        if text:
            found[name] = convert(text)
    return found


def validated(
    model: type[BaseModel], values: Mapping[str, Any], lang: Lang
) -> tuple[BaseModel | None, dict[str, str]]:
    """The model made from ``values``, or None and the error message of each field."""
    try:
        return model.model_validate(dict(values)), {}
    except ValidationError as error:
        return None, errors_by_field(error.errors(), lang)


def errors_by_field(errors: list[Any], lang: Lang) -> dict[str, str]:
    found: dict[str, str] = {}
    for error in errors:
        loc = [part for part in error.get("loc", ()) if part not in ("body",)]
        name = str(loc[0]) if loc else FORM_WIDE
        found.setdefault(name, message(error, lang))
    return found


def field_error(error: InvalidField, lang: Lang) -> dict[str, str]:
    """An error judged past the model (a common password, a fact's range) by its field."""
    raw = {"type": error.code, "msg": str(error), "ctx": error.context}
    return {error.field: message(raw, lang)}
