"""The intranet's pages rendered from their templates (``service/templates/intranet``,
Jinja2 with autoescape), self-contained and under a strict Content-Security-Policy: only the
page's own inline style runs (no script, but for the staff's qualification form, whose own
inline script shows the ranking as the project is typed, asking the service only), nothing is
fetched from elsewhere, forms post to the service only, and no other site may frame the page.
The staff console's templates (``service/templates/console``) extend the intranet's."""

import secrets
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from features.i18n import CATALOGUE, Lang

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "intranet"

_env = Environment(
    # "base.html" is the intranet's; "console/prospects.html" the console's.
    loader=ChoiceLoader([FileSystemLoader(TEMPLATES), FileSystemLoader(TEMPLATES.parent)]),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def content_security_policy(nonce: str, script: bool = False) -> str:
    scripts = (f"script-src 'nonce-{nonce}'", "connect-src 'self'") if script else ()
    return "; ".join(
        (
            "default-src 'none'",
            f"style-src 'nonce-{nonce}'",
            *scripts,
            "img-src 'self' data:",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        )
    )


#: Headers of every intranet page: not cached (it holds a CSRF token and people's data), not
#: sent as a referrer (an invitation's link holds its token), not framed.
def page_headers(nonce: str, script: bool = False) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(nonce, script),
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }


def page(template: str, lang: Lang, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page in ``lang`` (its texts as ``t``, the console's as ``c``), with ``context``."""
    return _render(template, lang, status_code, False, context)


def script_page(template: str, lang: Lang, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page as ``page`` makes it, whose own inline script may run and ask the service."""
    return _render(template, lang, status_code, True, context)


def _render(
    template: str, lang: Lang, status_code: int, script: bool, context: dict[str, Any]
) -> HTMLResponse:
    nonce = secrets.token_urlsafe(18)
    html = _env.get_template(template).render(
        lang=lang,
        other_lang="en" if lang == "fr" else "fr",
        t=CATALOGUE.section(lang, "intranet"),
        c=CATALOGUE.section(lang, "console"),
        nonce=nonce,
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers=page_headers(nonce, script))


def fragment(template: str, lang: Lang, **context: Any) -> HTMLResponse:
    """A part of a page, for a page's script to put in place (no policy of its own: it is
    never a page)."""
    html = _env.get_template(template).render(
        lang=lang, c=CATALOGUE.section(lang, "console"), **context
    )
    headers = {
        "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return HTMLResponse(html, headers=headers)
