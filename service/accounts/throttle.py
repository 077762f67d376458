"""Failed sign-ins, counted per account and per address: past a few, each attempt is answered
later (doubling, up to a ceiling); past the limit, refused (429 with ``Retry-After``) until
the oldest failure leaves the window.

The counts live in ``service.counters``: in Redis with ``SOHOSOLO_REDIS_URL``, one count for
every process and server; else in each process's memory. Accounts are counted under a digest
of the email typed, so that the storage holds no address.
"""

import hashlib
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.strategies import MovingWindowRateLimiter

from service.counters import Counters
from service.exceptions import RateLimited

#: The first delay once attempts are slowed, doubled at each further failure.
FIRST_DELAY_SECONDS = 0.5


@dataclass(frozen=True)
class ThrottlePolicy:
    account_limit: str = "10/15 minutes"
    address_limit: str = "50/15 minutes"
    slow_after: int = 3
    max_delay_seconds: float = 4.0


class SignInThrottle:
    """Counts failed sign-ins; ``check`` before an attempt, ``failed`` or ``succeeded`` after."""

    def __init__(self, policy: ThrottlePolicy, counters: Counters | None = None) -> None:
        self.policy = policy
        self._limiter = (counters or Counters(None)).limiter(MovingWindowRateLimiter)
        self._account: RateLimitItem = parse(policy.account_limit)
        self._address: RateLimitItem = parse(policy.address_limit)

    def check(self, email: str, address: str) -> float:
        """The seconds to wait before answering this attempt (0 for most); ``RateLimited`` when
        the account or the address has failed too often lately."""
        failures = 0
        for item, key in self._keys(email, address):
            if not self._limiter.test(item, key):
                reset = self._limiter.get_window_stats(item, key).reset_time
                wait = max(1, math.ceil(reset - time.time()))
                raise RateLimited(
                    f"too many failed sign-ins for this {key.split(':')[0]}: try again in {wait} s",
                    retry_after=wait,
                )
            failures = max(
                failures, item.amount - self._limiter.get_window_stats(item, key).remaining
            )
        return self.delay(failures)

    def delay(self, failures: int) -> float:
        """How long an attempt after ``failures`` recent failures waits."""
        over = failures - self.policy.slow_after
        if over < 0:
            return 0.0
        return min(FIRST_DELAY_SECONDS * 2.0**over, self.policy.max_delay_seconds)

    def failed(self, email: str, address: str) -> None:
        for item, key in self._keys(email, address):
            self._limiter.hit(item, key)

    def succeeded(self, email: str) -> None:
        """A right password clears the account's failures (not the address's)."""
        self._limiter.clear(self._account, self._account_key(email))

    def _keys(self, email: str, address: str) -> list[tuple[RateLimitItem, str]]:
        return [
            (self._account, self._account_key(email)),
            (self._address, f"address:{address}"),
        ]

    @staticmethod
    def _account_key(email: str) -> str:
        digest = hashlib.sha256(email.strip().lower().encode("utf-8", "replace")).hexdigest()
        return f"account:{digest[:32]}"
