"""The intranet's pages rendered from their templates (``service/templates/intranet``,
Jinja2 with autoescape), self-contained and under a strict Content-Security-Policy: only the
page's own inline style runs (no script at all), nothing is fetched from elsewhere, forms post
to the service only, and no other site may frame the page."""

import secrets
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from features.i18n import CATALOGUE, Lang

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "intranet"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        (
            "default-src 'none'",
            f"style-src 'nonce-{nonce}'",
            "img-src 'self' data:",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        )
    )


#: Headers of every intranet page: not cached (it holds a CSRF token and people's data), not
#: sent as a referrer (an invitation's link holds its token), not framed.
def page_headers(nonce: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(nonce),
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }


def page(template: str, lang: Lang, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page in ``lang`` (its texts as ``t``), with ``context``."""
    nonce = secrets.token_urlsafe(18)
    html = _env.get_template(template).render(
        lang=lang,
        other_lang="en" if lang == "fr" else "fr",
        t=CATALOGUE.section(lang, "intranet"),
        nonce=nonce,
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers=page_headers(nonce))
