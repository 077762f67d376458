"""The serving process: what it loads, and the migrations it skips when there are none to run."""

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from service.db.migrate import MIGRATIONS, migration_heads
from service.store import Store

SERVE_AND_LIST_MODULES = """
import sys
from fastapi.testclient import TestClient
from service.app import create_app
from service.config import Settings

settings = Settings(data_dir=sys.argv[1], staff_api_keys=["k" * 24])
with TestClient(create_app(settings)) as client:
    profile = {"profession": "consultant", "connectivity": "basic",
               "housing": {"tenure": "rent", "budget_eur": 300}, "must": ["housing"]}
    assert client.post("/v1/recommendations?k=5", json=profile).status_code == 200
    assert client.get("/v1/villages.geojson").status_code == 200
    assert client.get("/embed").status_code == 200
heavy = {"pandas", "pyarrow", "sklearn", "scipy", "geopandas", "alembic", "matplotlib"}
print(sorted(heavy & set(sys.modules)))
"""


def test_the_newest_migration_is_found_as_alembic_finds_it() -> None:
    assert migration_heads() == list(ScriptDirectory(str(MIGRATIONS)).get_heads())


def test_a_schema_at_the_newest_migration_is_seen_without_alembic(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        assert not store.at_head()  # a new database: no version table
        store.upgrade("0001")
        assert not store.at_head()
        store.upgrade()
        assert store.at_head()
    finally:
        store.dispose()


def test_a_started_service_has_loaded_neither_pandas_nor_scikit_learn(tmp_path: Path) -> None:
    # Its second start finds the schema up to date and does not load Alembic either.
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", SERVE_AND_LIST_MODULES, str(tmp_path)],
            capture_output=True,
            text=True,
            check=True,
        )
    assert done.stdout.strip() == "[]"


def test_a_rebuild_runs_off_the_event_loop(tmp_path: Path, monkeypatch) -> None:
    """After a change of the model's inputs the next request rebuilds the recommender (tens
    of milliseconds): in a worker thread, so the event loop answers other requests meanwhile."""
    import threading

    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.state import ServiceState
    from tests.service.conftest import STAFF, make_settings

    built_on: list[int] = []
    build = ServiceState._build

    def recording_build(self: ServiceState, revision: int) -> object:
        built_on.append(threading.get_ident())
        return build(self, revision)

    monkeypatch.setattr(ServiceState, "_build", recording_build)
    with TestClient(create_app(make_settings(tmp_path))) as client:
        loop_thread = client.portal.call(threading.get_ident)
        homes = {"homes": [{"tenure": "buy", "price_eur": 150000, "bedrooms": 2}]}
        assert client.put("/v1/villages/32001/homes", json=homes, headers=STAFF).is_success
        assert client.get("/v1/villages/32001").json()["homes_available"] == 1
    assert len(built_on) == 2  # at start, then after the change
    assert built_on[-1] != loop_thread
