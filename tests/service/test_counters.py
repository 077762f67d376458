"""Counts shared by every process through a real Redis (service/counters.py), and what happens
while it is down: each process counts in its own memory, logs one line, and goes back to Redis
when it answers again, without a restart."""

import logging
import time

import pytest
from limits import parse
from limits.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter
from pydantic import ValidationError

from service.accounts.throttle import SignInThrottle, ThrottlePolicy
from service.config import Settings
from service.counters import TIMEOUT_SECONDS, Counters, redacted
from service.exceptions import RateLimited
from tests.service.conftest import RedisServer

THREE = parse("3/minute")
#: How soon a test's counters try Redis again after a failure.
RETRY = 0.2


def hits(counters: Counters, key: str, n: int) -> list[bool]:
    limiter = counters.limiter(SlidingWindowCounterRateLimiter)
    return [limiter.hit(THREE, key) for _ in range(n)]


def test_without_redis_each_process_counts_alone() -> None:
    first, second = Counters(None), Counters(None)
    assert hits(first, "a", 4) == [True, True, True, False]
    assert hits(second, "a", 3) == [True, True, True]
    assert not first.answering


def test_two_processes_share_one_count_in_redis(redis_url: str) -> None:
    first, second = Counters(redis_url), Counters(redis_url)
    key = f"shared-{time.time_ns()}"
    assert hits(first, key, 2) == [True, True]
    assert hits(second, key, 2) == [True, False]
    assert first.answering
    assert second.answering


def test_failed_sign_ins_are_counted_across_processes(redis_url: str) -> None:
    policy = ThrottlePolicy(account_limit="3/minute", address_limit="100/minute", slow_after=10)
    first = SignInThrottle(policy, Counters(redis_url))
    second = SignInThrottle(policy, Counters(redis_url))
    email = f"someone-{time.time_ns()}@example.org"
    first.failed(email, "198.51.100.1")
    second.failed(email, "198.51.100.2")
    first.failed(email, "198.51.100.3")
    with pytest.raises(RateLimited, match="too many failed sign-ins for this account"):
        second.check(email, "198.51.100.4")


def test_while_redis_is_down_counts_stay_in_memory_then_go_back(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    counters = Counters(redis_server.url, retry_seconds=RETRY)
    throttle = counters.limiter(MovingWindowRateLimiter)
    assert hits(counters, "before", 1) == [True]
    redis_server.stop()
    caplog.set_level(logging.WARNING, logger="service.counters")
    started = time.monotonic()
    # Limited still, in this process's memory: neither refused to all nor unlimited.
    assert hits(counters, "down", 4) == [True, True, True, False]
    throttle.hit(THREE, "account:0123")
    assert time.monotonic() - started < 2 * TIMEOUT_SECONDS
    assert not counters.answering
    (line,) = caplog.messages  # one line, however many calls
    assert f"Redis at {redis_server.url} does not answer" in line
    assert "memory" in line
    assert "account:" not in line  # no key is logged

    redis_server.start()
    time.sleep(RETRY * 1.5)
    caplog.clear()
    assert hits(counters, "down", 1) == [True]  # a count of Redis's own, not the memory's
    assert counters.answering
    back = f"counters: Redis at {redis_server.url} answers again; counting there"
    assert caplog.messages == [back]
    other = Counters(redis_server.url)
    assert hits(other, "down", 3) == [True, True, False]  # shared again: 1 + 2 of 3


def test_a_redis_password_is_not_logged() -> None:
    assert redacted("redis://:s3cret@cache:6379/0") == "redis://:***@cache:6379/0"
    assert redacted("rediss://app:s3cret@cache:6380") == "rediss://app:***@cache:6380"
    assert redacted("redis://cache:6379/0") == "redis://cache:6379/0"


@pytest.mark.parametrize("url", ["http://cache:6379", "memory://", "cache:6379"])
def test_a_url_that_is_not_redis_is_refused_naming_the_setting(url: str) -> None:
    with pytest.raises(ValidationError, match=r"redis_url[\s\S]*expected a Redis URL"):
        Settings(redis_url=url)
