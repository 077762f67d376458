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
