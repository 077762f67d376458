"""The messages of refused form fields in the reader's language, from the validation error's
type (pydantic's, or the service's own: ``date_range``, ``fact_range``, ``common``...)."""

from typing import Any

from features.catalogue_intranet import INTRANET
from features.i18n import Lang, text

#: Validation error types that share a message.
SAME_AS = {
    "float_parsing": "number",
    "float_type": "number",
    "number_type": "number",
    "int_parsing": "whole",
    "int_from_float": "whole",
    "int_type": "whole",
    "string_too_short": "too_short",
    "string_too_long": "too_long",
    "literal_error": "choice",
    "enum": "choice",
    "date_parsing": "date",
    "date_type": "date",
    "date_text": "date",
    "date_from_datetime_parsing": "date",
    "date_from_datetime_inexact": "date",
    "string_pattern_mismatch": "email",
}


def message(error: dict[str, Any], lang: Lang) -> str:
    kind = str(error.get("type", ""))
    kind = SAME_AS.get(kind, kind)
    if kind == "value_error" and "control character" in str(error.get("msg", "")):
        kind = "control"
    key = f"err_{kind}"
    if key not in INTRANET[lang]:
        key = "err_other"
    context = {name: _shown(value, lang) for name, value in (error.get("ctx") or {}).items()}
    try:
        return text(lang, f"intranet.{key}", **context)
    except (KeyError, IndexError):
        return text(lang, "intranet.err_other")


def _shown(value: Any, lang: Lang) -> Any:
    if isinstance(value, float) and lang == "fr":
        return f"{value:g}".replace(".", ",")
    if isinstance(value, float):
        return f"{value:g}"
    return value
