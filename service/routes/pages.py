"""The embeddable page: the profile form, the ranking and the map, for the prospection site."""

import re
import secrets
from collections.abc import Sequence

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from service import pages
from service.deps import StateDep
from service.params import Lang

router = APIRouter(tags=["pages"])

#: An origin as CORS lists it (scheme, host, optional port): anything else could smuggle a
#: directive into the policy, so it is left out of ``frame-ancestors``.
ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def content_security_policy(nonce: str, frame_origins: Sequence[str]) -> str:
    """Only the page's own inline script and style run; it talks to its own origin only, and
    only its own origin and the configured ones may frame it."""
    ancestors = " ".join(["'self'", *(o for o in frame_origins if ORIGIN.match(o))])
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src 'nonce-{nonce}'",
            f"style-src 'nonce-{nonce}'",
            "connect-src 'self'",
            "img-src 'self' data:",
            f"frame-ancestors {ancestors}",
            "form-action 'self'",
            "base-uri 'none'",
        )
    )


@router.get("/embed", response_class=HTMLResponse, summary="The page for the prospection site")
def embed(state: StateDep, lang: Lang = "fr") -> HTMLResponse:
    """An HTML page for an iframe: the profile form, the ranked villages with reasons, a map.

    Self-contained (no external resource) and under a strict Content-Security-Policy; it posts
    to ``v1/recommendations`` beside it.
    """
    nonce = secrets.token_urlsafe(18)
    return HTMLResponse(
        pages.embed(state, lang, nonce),
        headers={
            "Content-Security-Policy": content_security_policy(nonce, state.settings.cors_origins),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            # A cached copy would replay the nonce; the page is small and quick to render.
            "Cache-Control": "no-store",
        },
    )
