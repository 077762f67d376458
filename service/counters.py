"""Counts that must be one across processes: the public rate limit and failed sign-ins.

They live in a storage of the ``limits`` library. With ``SOHOSOLO_REDIS_URL`` set, that is
Redis (limits' own Redis storage, over redis-py), one count for every worker of every server;
without it, this process's memory: exact for one process, while ``--workers N`` or N servers
give each address N counts.

While Redis does not answer, every limiter counts in this process's memory instead, as without
Redis, and tries Redis again ``RETRY_SECONDS`` later: rankings and sign-ins go on being
answered and limited per process, rather than refused to everybody (fail closed) or not
limited at all (fail open). One line is logged when Redis stops answering and one when it
answers again, naming Redis without its password. A failed call costs at most
``TIMEOUT_SECONDS`` (redis-py's own retries are turned off: they would hold a request for
seconds), once per ``RETRY_SECONDS`` per process.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit, urlunsplit

from limits import RateLimitItem
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import RateLimiter
from limits.util import WindowStats
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

#: Seconds after a failure before Redis is tried again (meanwhile: this process's memory).
RETRY_SECONDS = 5.0
#: The longest a call to Redis may take (to connect, or to answer) before it counts as failed.
TIMEOUT_SECONDS = 0.5

Strategy = TypeVar("Strategy", bound=RateLimiter)
Result = TypeVar("Result")


def redacted(url: str) -> str:
    """A storage URL as logs name it: its password hidden."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.netloc.rsplit('@', 1)[1]}"
    return urlunsplit(parts._replace(netloc=netloc))


class Counters:
    """Where this process counts: Redis (``url``) while it answers, else its own memory."""

    def __init__(self, url: str | None, retry_seconds: float = RETRY_SECONDS) -> None:
        self.url = url
        self.retry_seconds = retry_seconds
        self.memory: Storage = MemoryStorage()
        self.shared: Storage | None = None
        if url is not None:
            options: dict[str, Any] = {
                "socket_timeout": TIMEOUT_SECONDS,
                "socket_connect_timeout": TIMEOUT_SECONDS,
                "retry": Retry(NoBackoff(), 0),
                "wrap_exceptions": True,
            }
            storage = storage_from_string(url, **options)
            if not isinstance(storage, Storage):  # async+redis:// names limits' asyncio kind
                raise ValueError(
                    f"SOHOSOLO_REDIS_URL: expected redis://host:port/db, found {redacted(url)}"
                )
            self.shared = storage
        self._failures: tuple[type[BaseException], ...] = (StorageError,)
        if self.shared is not None:
            base = self.shared.base_exceptions
            self._failures += base if isinstance(base, tuple) else (base,)
        self._lock = threading.Lock()
        self._down_until: float | None = None  # monotonic time of the next try; None: up

    def limiter(self, strategy: type[Strategy]) -> "Limiter[Strategy]":
        shared = strategy(self.shared) if self.shared is not None else None
        return Limiter(self, strategy(self.memory), shared)

    @property
    def answering(self) -> bool:
        """Whether counts go to Redis now (False without Redis, or while it is down)."""
        return self.shared is not None and self._down_until is None

    def run(
        self, action: Callable[[Strategy], Result], local: Strategy, shared: Strategy | None
    ) -> Result:
        """``action`` on the shared limiter, or on the local one without Redis, while it is
        down, or when this call finds it down."""
        if shared is not None and self._may_try():
            try:
                result = action(shared)
            except self._failures as error:
                self._went_down(error)
            else:
                self._answered()
                return result
        return action(local)

    def _may_try(self) -> bool:
        down_until = self._down_until
        return down_until is None or time.monotonic() >= down_until

    def _went_down(self, error: BaseException) -> None:
        with self._lock:
            was_up = self._down_until is None
            self._down_until = time.monotonic() + self.retry_seconds
        if was_up:
            cause = error.storage_error if isinstance(error, StorageError) else error
            logger.warning(
                "counters: Redis at %s does not answer (%s: %s); rate limits and failed "
                "sign-ins are counted in this process's memory until it does (tried again "
                "every %g s)",
                redacted(str(self.url)),
                type(cause).__name__,
                cause,
                self.retry_seconds,
            )

    def _answered(self) -> None:
        if self._down_until is None:
            return
        with self._lock:
            was_down, self._down_until = self._down_until is not None, None
        if was_down:
            logger.warning(
                "counters: Redis at %s answers again; counting there", redacted(str(self.url))
            )


class Limiter(Generic[Strategy]):
    """A strategy of the ``limits`` library over ``Counters``: the same four calls."""

    def __init__(self, counters: Counters, local: Strategy, shared: Strategy | None) -> None:
        self._counters = counters
        self._local = local
        self._shared = shared

    def hit(self, item: RateLimitItem, key: str, cost: int = 1) -> bool:
        return self._run(lambda limiter: limiter.hit(item, key, cost=cost))

    def test(self, item: RateLimitItem, key: str) -> bool:
        return self._run(lambda limiter: limiter.test(item, key))

    def get_window_stats(self, item: RateLimitItem, key: str) -> WindowStats:
        return self._run(lambda limiter: limiter.get_window_stats(item, key))

    def clear(self, item: RateLimitItem, key: str) -> None:
        self._run(lambda limiter: limiter.clear(item, key))

    def _run(self, action: Callable[[Strategy], Result]) -> Result:
        return self._counters.run(action, self._local, self._shared)
