"""The exposure counts: kept in memory, written in batches, never lost to a failed write."""

import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from matcher import Ranking
from matcher.ranking import Result
from service import exposure
from service.exposure import ExposureLog
from service.store import ExposureKey, Store

AT = datetime(2026, 11, 2, 9, 30, 15, 250_000, tzinfo=UTC)


def ranking(*codes: str) -> Ranking:
    results = [Result(n, code, code, 1.0, {}, [], {}) for n, code in enumerate(codes, start=1)]
    return Ranking({"name": "test", "version": "1"}, len(codes), results)


def test_rankings_are_counted_per_second_and_written_in_one_go(store: Store) -> None:
    log = ExposureLog(store)
    log.add("public", [ranking("32001", "32002"), ranking("32001")], at=AT)
    log.add("public", [ranking("32001")], at=AT + timedelta(milliseconds=500))
    log.add("batch", [ranking("32003")], at=AT + timedelta(seconds=1))
    assert store.exposure() == ({}, 0), "nothing is written before a flush"
    log.flush()
    assert store.exposure() == ({"32001": 3, "32002": 1, "32003": 1}, 4)
    assert store.exposure(AT + timedelta(seconds=1)) == ({"32003": 1}, 1)
    log.flush()  # nothing pending: nothing written twice
    assert store.exposure()[1] == 4


def test_stopping_writes_what_remains(store: Store) -> None:
    log = ExposureLog(store, interval=3600)
    log.start()
    log.add("public", [ranking("32001")])
    log.stop()
    assert store.exposure() == ({"32001": 1}, 1)


def test_the_writer_thread_flushes_on_its_own(store: Store) -> None:
    log = ExposureLog(store, interval=0.01)
    log.start()
    try:
        log.add("public", [ranking("32001")])
        deadline = datetime.now(UTC) + timedelta(seconds=10)
        while store.exposure()[1] == 0 and datetime.now(UTC) < deadline:
            time.sleep(0.01)
        assert store.exposure() == ({"32001": 1}, 1)
    finally:
        log.stop()


class FailingStore:
    """Refuses the first ``failures`` writes, then records them."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.written: Counter[ExposureKey] = Counter()

    def log_exposure(self, counts: Counter[ExposureKey]) -> None:
        if self.failures:
            self.failures -= 1
            raise OSError("disk full")
        self.written.update(counts)


def test_a_failed_write_keeps_the_counts_for_the_next(caplog: pytest.LogCaptureFixture) -> None:
    failing = FailingStore(failures=1)
    log = ExposureLog(failing)  # type: ignore[arg-type]
    log.add("public", [ranking("32001", "32002")], at=AT)
    log.flush()
    assert "2 counts not written" in caplog.text
    assert not failing.written
    log.add("public", [ranking("32001")], at=AT)
    log.flush()
    second = AT.replace(microsecond=0)
    assert failing.written == {
        (second, "public", "32001", 1): 2,
        (second, "public", "32002", 2): 1,
    }


def test_past_the_limit_the_oldest_counts_are_dropped(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(exposure, "MAX_PENDING", 2)
    failing = FailingStore(failures=1)
    log = ExposureLog(failing)  # type: ignore[arg-type]
    for seconds in range(3):
        log.add("public", [ranking("32001")], at=AT + timedelta(seconds=seconds))
    log.flush()
    assert "the 1 oldest counts dropped" in caplog.text
    log.flush()
    assert sorted(key[0] for key in failing.written) == [
        (AT + timedelta(seconds=s)).replace(microsecond=0) for s in (1, 2)
    ]


def test_the_counts_survive_a_restart_of_the_service(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    for _ in range(2):
        store = Store(url)
        store.upgrade()
        log = ExposureLog(store)
        log.start()
        log.add("public", [ranking("32001")])
        log.stop()
        store.dispose()
    store = Store(url)
    assert store.exposure() == ({"32001": 2}, 2)
    store.dispose()
