"""The villages shown in rankings, kept in memory and written to the database in batches.

Writing each ranking's rows in its own transaction cost a synced commit per request, more than
the ranking itself, and made requests queue for database connections under load. They are
statistics, not something a request acknowledges: they are counted in memory per second,
channel, village and rank, and added to the database's counts in one transaction a second (and
at shutdown). A crash loses at most that last second of counts; ``GET /v1/exposure`` writes
this process's counts first.
"""

import logging
import threading
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from matcher import Ranking
from service.store import ExposureKey, Store, exposure_second, utcnow

logger = logging.getLogger(__name__)

#: Seconds between two writes of the buffer.
FLUSH_INTERVAL = 1.0
#: Counts kept while the database cannot be written; the oldest are dropped past this.
MAX_PENDING = 100_000


class ExposureLog:
    def __init__(self, store: Store, interval: float = FLUSH_INTERVAL) -> None:
        self.store = store
        self.interval = interval
        self._pending: Counter[ExposureKey] = Counter()
        self._pending_lock = threading.Lock()
        self._flush_lock = threading.Lock()  # one writer at a time keeps the rows in order
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, channel: str, rankings: Iterable[Ranking], at: datetime | None = None) -> None:
        """Count the villages of these rankings' top k as shown now."""
        second = exposure_second(at or utcnow())
        keys = [(second, channel, r.insee, r.rank) for ranking in rankings for r in ranking.results]
        with self._pending_lock:
            self._pending.update(keys)

    def flush(self) -> None:
        """Write the pending counts in one transaction; kept for the next try if that fails."""
        with self._flush_lock:
            with self._pending_lock:
                counts, self._pending = self._pending, Counter()
            if not counts:
                return
            try:
                self.store.log_exposure(counts)
            except Exception:
                logger.exception(
                    "exposure: %d counts not written, kept for the next try", len(counts)
                )
                with self._pending_lock:
                    self._pending.update(counts)
                    excess = len(self._pending) - MAX_PENDING
                    if excess > 0:
                        for key in sorted(self._pending)[:excess]:
                            del self._pending[key]
                        logger.error("exposure: the %d oldest counts dropped (buffer full)", excess)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="exposure-log", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the writer thread and write what remains."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush()
