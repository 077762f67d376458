"""The service's domain errors: the store, the state and the rate limit raise them, and
``service.errors`` answers each with its HTTP status, in one place."""


class ServiceError(Exception):
    """Base of the service's domain errors."""


class NotFound(ServiceError, LookupError):
    """No such village or prospect (answered 404 with the message)."""

    def __init__(self, what: str, key: str, message: str | None = None) -> None:
        self.what = what
        self.key = key
        super().__init__(message or f"{what} {key!r}: no such {what}")


class Conflict(ServiceError, ValueError):
    """A write that collides with what is stored already, such as a weight profile's version
    taken by another writer, or an outcome the outcome rules refuse (answered 409 with the
    message)."""

    def __init__(self, what: str, key: str, message: str | None = None) -> None:
        self.what = what
        self.key = key
        super().__init__(message or f"{what} {key!r}: already stored")


class OverQuota(ServiceError, ValueError):
    """A batch of more rankings than the rate limit allows in a whole window: it could never
    pass, so it is refused at once (answered 422 on ``profiles``, naming the most it may
    hold) rather than told to wait."""

    def __init__(self, message: str, most: int, found: int) -> None:
        self.most = most
        self.found = found
        super().__init__(message)


class RateLimited(ServiceError):
    """More rankings from one address than the limit allows (answered 429, with
    ``Retry-After``)."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class Unauthenticated(ServiceError):
    """No valid key nor session, or a wrong email or password (answered 401)."""


class Forbidden(ServiceError):
    """The caller may not do this: its role, its villages, or a missing CSRF token (403)."""


class Gone(ServiceError):
    """A one-time link used already or expired (410)."""


class InvalidField(ServiceError, ValueError):
    """A value the body's schema cannot judge alone (a common password, a value out of a
    village fact's range): answered 422 in FastAPI's shape, naming ``field``."""

    def __init__(
        self,
        field: str,
        message: str,
        value: object = None,
        code: str = "",
        context: dict[str, object] | None = None,
    ) -> None:
        self.field = field
        self.value = value
        self.code = code or "value_error"
        self.context = context or {}
        super().__init__(message)


class PreconditionFailed(ServiceError):
    """``If-Match`` names a version that is no longer the current one (412); ``current`` is
    what is stored now."""

    def __init__(self, message: str, current: object) -> None:
        self.current = current
        super().__init__(message)


class PreconditionRequired(ServiceError):
    """A change that needs ``If-Match`` came without it (428)."""


class SignInRequired(ServiceError):
    """An intranet page asked without a live session: answered by a redirect to sign in."""

    def __init__(self, then: str, lang: str = "fr") -> None:
        self.then = then
        self.lang = lang
        super().__init__("sign in first")


class Unavailable(ServiceError):
    """The database cannot do it now (locked, read-only, full, out of reach): answered 503,
    with ``Retry-After``; the message says why, in words."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)
