"""Writes under faults: where requests that write run, and whether the database can be
written, as health says.

A write waits for the database's lock up to the store's write timeout (2 s): on a database
locked from outside, every write would wait that long. Run in the thread pool that the reads
share (40 threads), sixty such writes would take every thread, and the reads, the key checks
and health would queue behind them. So writes run in a few threads of their own
(``WriteGate``): at most ``SLOTS`` wait for the database at once, the others wait for a slot
without holding a thread, and give up a little after the write timeout (answering the fault
the writes ahead of them met, if they met one). Once a write has failed on
a fault, those that come within ``HOLD`` seconds answer 503 at once instead of each waiting
again; after that, the next ones try the database again.

``DatabaseWatch`` tells health whether the database can be written: the latest of how the
last write went and of a probe (a write tried and rolled back), run in a thread of its own at
most once a second, so that health never waits on the database.
"""

import functools
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

import anyio
import anyio.to_thread

from service.db.faults import Fault
from service.exceptions import Unavailable
from service.store import Store
from service.store.base import Observed, unavailable

T = TypeVar("T")
P = ParamSpec("P")

#: Writes that wait for the database at once (SQLite takes one writer at a time anyway).
SLOTS = 4
#: Seconds after a fault during which writes are answered 503 without trying.
HOLD = 1.0
#: Seconds a write waits for a slot beyond the write timeout: the writes that hold the slots
#: give up on a lock within the timeout (and a tenth of a second, SQLite's longest sleep between
#: two tries), so the writes behind them hear of the fault and answer it in words.
SLOT_MARGIN = 0.5
#: Seconds a probe's answer is used before health asks for a new one.
PROBE_INTERVAL = 1.0


class WriteGate:
    """Runs the requests that write, apart from the thread pool the reads share."""

    def __init__(self, store: Store, slots: int = SLOTS, hold: float = HOLD) -> None:
        self.store = store
        self.slots = slots
        self.hold = hold
        self._limiters: tuple[anyio.CapacityLimiter, anyio.CapacityLimiter] | None = None

    async def run(self, func: Callable[..., T], *args: object, **kwargs: object) -> T:
        """``func(*args, **kwargs)`` in a write thread; ``Unavailable`` without trying when a
        write failed on a fault just before, or when no slot frees within the write timeout
        (and ``SLOT_MARGIN``)."""
        self._refuse_after_a_fault()
        slots, threads = self._limiters_of_this_loop()
        with anyio.move_on_after(self.store.write_timeout + SLOT_MARGIN) as waited:
            await slots.acquire()
        if waited.cancelled_caught:
            # The writes ahead of this one most likely failed on a fault just now: name it.
            self._refuse_after_a_fault()
            raise Unavailable(
                f"the database cannot be written now: {self.slots} writes already wait for it "
                f"and no slot freed within {self.store.write_timeout + SLOT_MARGIN:g} s",
                retry_after=max(1, round(self.store.write_timeout)),
            )
        try:
            self._refuse_after_a_fault()
            call = functools.partial(func, *args, **kwargs)
            return await anyio.to_thread.run_sync(call, limiter=threads)
        finally:
            slots.release()

    def _refuse_after_a_fault(self) -> None:
        last = self.store.last_write
        if last is not None and last.fault and time.monotonic() - last.at < self.hold:
            raise unavailable(last.fault)

    def _limiters_of_this_loop(self) -> tuple[anyio.CapacityLimiter, anyio.CapacityLimiter]:
        # Made on first use, inside the event loop they belong to.
        if self._limiters is None:
            self._limiters = (anyio.CapacityLimiter(self.slots), anyio.CapacityLimiter(self.slots))
        return self._limiters


def a_write(route: Callable[P, T]) -> Callable[P, Awaitable[T]]:
    """A route that writes, run through the service's ``WriteGate`` rather than the thread
    pool the reads share. The route takes the service's state as ``state`` (``StateDep``);
    FastAPI reads its parameters through ``functools.wraps``."""

    @functools.wraps(route)
    async def gated(*args: P.args, **kwargs: P.kwargs) -> T:
        state: Any = kwargs["state"]
        gate: WriteGate = state.writes
        return await gate.run(route, *args, **kwargs)

    return gated


class DatabaseWatch:
    """Whether the database can be written, without waiting on it."""

    def __init__(self, store: Store, interval: float = PROBE_INTERVAL) -> None:
        self.store = store
        self.interval = interval
        self._probed: Observed | None = None
        self._lock = threading.Lock()
        self._probing = False

    def check(self) -> Fault | None:
        """Probe now, in this thread (at startup)."""
        self._probe()
        return self.fault()

    def fault(self) -> Fault | None:
        """Why the database cannot be written, by the latest news of it (None: it can);
        starts a probe in the background when the last one is older than ``interval``."""
        self._refresh()
        news = [seen for seen in (self.store.last_write, self._probed) if seen is not None]
        return max(news, key=lambda seen: seen.at).fault if news else None

    def _refresh(self) -> None:
        with self._lock:
            probed = self._probed
            if self._probing or (probed and time.monotonic() - probed.at < self.interval):
                return
            self._probing = True
        threading.Thread(target=self._probe, name="database-probe", daemon=True).start()

    def _probe(self) -> None:
        try:
            fault = self.store.probe_writes()
            self._probed = Observed(time.monotonic(), fault)
        finally:
            with self._lock:
                self._probing = False
