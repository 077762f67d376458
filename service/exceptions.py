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


class RateLimited(ServiceError):
    """More rankings from one address than the limit allows (answered 429, with
    ``Retry-After``)."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class Unavailable(ServiceError):
    """The database cannot do it now (locked, read-only, full, out of reach): answered 503,
    with ``Retry-After``; the message says why, in words."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)
