"""The session cookie and the CSRF tokens.

The session cookie is HttpOnly (no script reads it), ``SameSite=Lax`` and ``Secure`` when the
request came over HTTPS (its scheme as uvicorn gives it, after a trusted proxy's
``X-Forwarded-Proto``). Lax rather than Strict: a committee member who follows a link to
``/intranet/`` from an email or a chat arrives signed in, while a cross-site POST, frame or
fetch carries no cookie; every change needs the CSRF token besides, so Lax costs nothing in
safety and spares people a sign-in per link.

CSRF: a request authenticated by the cookie that changes something carries the session's token,
in the ``X-CSRF-Token`` header (API) or the ``csrf_token`` form field (pages). The pages'
forms used before sign-in (signing in, choosing a password) carry a token of their own, the
same as a short-lived ``sohosolo_form`` cookie's (double submit).
"""

from fastapi import Request, Response

SESSION_COOKIE = "sohosolo_session"
FORM_COOKIE = "sohosolo_form"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
#: How long the anonymous forms' token lives: time to type a password.
FORM_COOKIE_SECONDS = 2 * 3600


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def clear_cookie(response: Response, request: Request, name: str) -> None:
    response.delete_cookie(name, path="/", httponly=True, samesite="lax", secure=is_https(request))
