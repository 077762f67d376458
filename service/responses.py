"""Answers the routes build themselves: JSON written by orjson, and the headers of HTML pages."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson
from fastapi import Response

if TYPE_CHECKING:
    from matcher.ranking import Ranking
    from service.state import Snapshot

#: What any HTML page of the service may do, directive by directive, unless it says more:
#: load nothing, and be framed by no other page.
BASE_POLICY = {
    "default-src": "'none'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
}
#: Every HTML page: not sniffed as another type, not sent as a referrer, and not cached (a page
#: carries a nonce, or a prospect's data that a shared browser or proxy must not keep).
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def content_security_policy(directives: Mapping[str, str]) -> str:
    """``BASE_POLICY`` with ``directives`` added or replaced, as the header writes it."""
    return "; ".join(f"{name} {value}" for name, value in (BASE_POLICY | dict(directives)).items())


def page_headers(directives: Mapping[str, str]) -> dict[str, str]:
    """The headers of an HTML page whose policy adds ``directives`` to ``BASE_POLICY``."""
    return {"Content-Security-Policy": content_security_policy(directives), **PAGE_HEADERS}


#: The printable shortlist: its own inline style (its saved copy carries the same policy in a
#: meta tag, where a nonce would mean nothing), no script, and framed by no page.
SHORTLIST_POLICY = {"style-src": "'unsafe-inline'", "img-src": "data:", "form-action": "'none'"}


def json_response(body: object, status_code: int = 200) -> Response:
    # The rankings are built from checked values: serialising them directly spares a second
    # validation of every field. orjson writes dataclasses (``Ranking``) field by field, as
    # their ``to_dict()``.
    return Response(orjson.dumps(body), status_code, media_type="application/json")


def staff_ranking(ranking: "Ranking", snapshot: "Snapshot") -> dict[str, Any]:
    """A ranking as staff see it: each result whose committee stated its capacity carries
    ``committee.capacity_left`` for this quarter (public answers never do)."""
    body = ranking.to_dict()
    for result in body["results"]:
        left = snapshot.capacity_left.get(result["insee"])
        if left is not None:
            result["committee"] = {"capacity_left": left}
    return body
