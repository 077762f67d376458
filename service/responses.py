"""Answers the routes build themselves: JSON written by orjson, and the headers of pages that
hold a prospect's data."""

import orjson
from fastapi import Response

#: A prospect's page: not to be cached by a shared browser or proxy, nor sent as a referrer.
PRIVATE_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def json_response(body: object, status_code: int = 200) -> Response:
    # The rankings are built from checked values: serialising them directly spares a second
    # validation of every field. orjson writes dataclasses (``Ranking``) field by field, as
    # their ``to_dict()``.
    return Response(orjson.dumps(body), status_code, media_type="application/json")
