"""A per-address limit on the public rankings (``SOHOSOLO_RATE_LIMIT``), answered with 429.

The counts are sliding-window counters of the ``limits`` library, in ``service.counters``: in
Redis with ``SOHOSOLO_REDIS_URL``, one count for every worker and server; else in the worker's
memory, where N workers let an address reach up to N times the limit. The address is the one uvicorn
gives: behind a reverse proxy on the same machine, the X-Forwarded-For it sets; for a proxy
elsewhere, name it with ``sohosolo serve --forwarded-allow-ips``.

Routes count a request only once everything else has accepted it, so that a refused request
costs nothing; callers with a staff or analyst key are not counted at all.
"""

import math
import time

from fastapi import Request
from limits import RateLimitItem, parse
from limits.strategies import SlidingWindowCounterRateLimiter

from service.counters import Counters
from service.exceptions import OverQuota, RateLimited

#: The setting's value that switches the limit off.
OFF = "off"


def parse_limit(text: str) -> RateLimitItem | None:
    """``"60/minute"``, ``"1000 per hour"``...; ``"off"`` gives None. Raises ValueError."""
    if text.strip().lower() == OFF:
        return None
    try:
        return parse(text)
    except ValueError:
        raise ValueError(
            f"expected a rate such as 60/minute or 1000/hour, or {OFF!r}, found {text!r}"
        ) from None


class RateLimit:
    """Rankings each client address may ask for in a window; a batch counts each profile."""

    def __init__(self, limit: RateLimitItem | None, counters: Counters | None = None) -> None:
        self.limit = limit
        self._limiter = (counters or Counters(None)).limiter(SlidingWindowCounterRateLimiter)

    def check(self, request: Request, cost: int = 1) -> None:
        """Count ``cost`` rankings for the request's address; ``RateLimited`` past the limit,
        ``OverQuota`` (counting nothing) when ``cost`` is more than a whole window allows."""
        if self.limit is None:
            return
        if cost > self.limit.amount:
            raise OverQuota(
                f"List should have at most {self.limit.amount} profiles, not {cost}: the rate "
                f"limit is {self.limit} rankings per address, and a batch counts each profile; "
                "send them in several requests",
                most=self.limit.amount,
                found=cost,
            )
        address = request.client.host if request.client else "unknown"
        if self._limiter.hit(self.limit, address, cost=cost):
            return
        reset = self._limiter.get_window_stats(self.limit, address).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        raise RateLimited(
            f"too many rankings from {address}: the limit is {self.limit} per address"
            + (f" (this batch counts {cost})" if cost > 1 else "")
            + f"; try again in {wait} s",
            retry_after=wait,
        )
