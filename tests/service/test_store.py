"""The database, on SQLite and on PostgreSQL: schema, writes that land whole, and restarts."""

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import column, func, insert, select, table, text
from sqlalchemy.exc import IntegrityError

from matcher.weights import WeightProfile, load_weight_profile
from service.db.migrate import MIGRATIONS
from service.db.models import Base, ExposureRow, OutcomeRow
from service.exceptions import Conflict, NotFound
from service.store import Contact, Home, Store
from tests.conftest import API_EXAMPLE_PROFILE
from tests.service.conftest import ANALYST, STAFF, ClientFactory, make_settings


def test_the_migrations_build_exactly_the_orm_schema(store: Store) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_upgrading_twice_changes_nothing(store: Store) -> None:
    store.add_weights(load_weight_profile("default"), by="test")
    store.upgrade()
    assert store.weight_profile_count() == 1


def test_exposure_rows_become_counts_and_back(database_url: str) -> None:
    """Migration 0002 turns the log of one row per village shown into counts per second,
    and its downgrade gives the rows back."""
    store = Store(database_url)
    store.upgrade("0001")
    at = datetime(2026, 11, 2, 9, 30, 15, tzinfo=UTC)
    shown = [(at, "32001", 1), (at.replace(microsecond=400_000), "32001", 1), (at, "32002", 2)]
    shown.append((at + timedelta(seconds=1), "32001", 1))
    log = table("exposure_log", column("at"), column("channel"), column("insee"), column("rank"))
    with store.engine.begin() as connection:
        connection.execute(
            insert(log),
            [{"at": t, "channel": "public", "insee": i, "rank": r} for t, i, r in shown],
        )
    store.upgrade()
    with store.sessions() as session:
        rows = session.execute(select(ExposureRow.at, ExposureRow.insee, ExposureRow.shown)).all()
    assert sorted(rows) == [
        (at, "32001", 2),
        (at, "32002", 1),
        (at + timedelta(seconds=1), "32001", 1),
    ]
    assert store.exposure() == ({"32001": 3, "32002": 1}, 3)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    with store.engine.connect() as connection:
        back = connection.execute(select(log.c.insee, func.count()).group_by(log.c.insee)).all()
    assert sorted(back) == [("32001", 3), ("32002", 1)]
    store.dispose()


def test_the_revision_is_read_fresh_on_its_own_connection(database_url: str) -> None:
    """Every request reads the revision: a write by another process is seen at once, and a
    connection the server dropped is replaced without an error."""
    reader, writer = Store(database_url), Store(database_url)
    reader.upgrade()
    assert reader.model_inputs_revision() == 0
    writer.replace_homes("32001", [Home("rent", 600, 2)], by="test")
    assert reader.model_inputs_revision() == 1
    if reader.is_sqlite:
        reader._revision._connection.close()
    else:
        with writer.engine.begin() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    writer.replace_homes("32001", [], by="test")
    assert reader.model_inputs_revision() == 2
    reader.dispose()
    writer.dispose()


def test_sqlite_runs_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'nested' / 'db.sqlite3'}")
    store.upgrade()
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    store.dispose()


def test_erasing_a_prospect_unlinks_its_outcomes(store: Store) -> None:
    prospect = store.add_prospect(API_EXAMPLE_PROFILE, Contact("A", "a@b.fr"), consent=True)
    other = store.add_prospect(API_EXAMPLE_PROFILE, Contact("B"), consent=False)
    now = datetime.now(UTC)
    store.add_outcome(prospect.id, "32001", "visited", now)
    store.add_outcome(other.id, "32001", "visited", now)
    assert store.delete_prospect(prospect.id)
    assert store.get_prospect(prospect.id) is None
    assert not store.delete_prospect(prospect.id)
    with store.sessions() as session:
        links = sorted(session.scalars(select(OutcomeRow.prospect_id)).all(), key=str)
    assert links == sorted([None, other.id], key=str)
    assert store.get_prospect(other.id) is not None


def test_a_failed_homes_update_leaves_the_old_listings(store: Store) -> None:
    store.replace_homes("32001", [Home("buy", 150000.0, 3, 100.0)], by="test")
    revision = store.model_inputs_revision()
    broken = [Home("buy", 100000.0, 2), Home("rent", None, 1)]  # type: ignore[arg-type]
    with pytest.raises(IntegrityError):
        store.replace_homes("32001", broken, by="test")
    (kept,) = store.homes("32001")
    assert (kept.tenure, kept.price_eur, kept.bedrooms, kept.surface_m2) == (
        "buy",
        150000.0,
        3,
        100.0,
    )
    assert store.model_inputs_revision() == revision


def test_writes_that_change_rankings_raise_the_revision(store: Store) -> None:
    revisions = [store.model_inputs_revision()]
    store.add_weights(load_weight_profile("default"), by="test")
    revisions.append(store.model_inputs_revision())
    store.replace_homes("32001", [], by="test")
    revisions.append(store.model_inputs_revision())
    prospect = store.add_prospect(API_EXAMPLE_PROFILE, Contact(), consent=False)
    store.add_outcome(prospect.id, "32001", "visited", datetime.now(UTC))
    revisions.append(store.model_inputs_revision())  # a visit does not change a ranking
    store.add_outcome(prospect.id, "32001", "settled", datetime.now(UTC))
    revisions.append(store.model_inputs_revision())
    assert revisions == [0, 1, 2, 2, 3]


def test_solos_settled_are_the_prospects_who_live_there(store: Store) -> None:
    now = datetime.now(UTC)
    ids = [store.add_prospect(API_EXAMPLE_PROFILE, Contact(), False).id for _ in range(3)]
    for prospect_id in ids:
        store.add_outcome(prospect_id, "32001", "settled", now)
    store.add_outcome(ids[1], "32001", "settled", now)  # a repeat counts once
    store.add_outcome(ids[0], "32001", "left", now)
    store.add_outcome(ids[0], "32002", "settled", now)
    assert store.solos_settled().to_dict() == {"32001": 2.0, "32002": 1.0}
    # Erased, a prospect's events are no one's, and still count where they lived.
    store.delete_prospect(ids[0])
    store.delete_prospect(ids[1])
    assert store.settled_counts() == {"32001": 2, "32002": 1}


def test_the_same_event_twice_is_stored_once(store: Store) -> None:
    prospect = store.add_prospect(API_EXAMPLE_PROFILE, Contact(), consent=False)
    monday, tuesday = datetime(2026, 10, 5, tzinfo=UTC), datetime(2026, 10, 6, tzinfo=UTC)
    first = store.add_outcome(prospect.id, "32001", "visited", monday)
    again = store.add_outcome(prospect.id, "32001", "visited", tuesday)
    assert (first.created, again.created) == (True, False)
    assert again.outcome == first.outcome
    settled = store.add_outcome(prospect.id, "32001", "settled", monday).outcome
    assert store.add_outcome(prospect.id, "32001", "settled", tuesday).outcome == settled
    left = store.add_outcome(prospect.id, "32001", "left", tuesday).outcome
    assert store.add_outcome(prospect.id, "32001", "left", tuesday).outcome == left
    # Back in the village after leaving it: a new stay, recorded.
    assert store.add_outcome(prospect.id, "32001", "settled", tuesday).created
    with store.sessions() as session:
        events = session.scalars(select(OutcomeRow.event).order_by(OutcomeRow.id)).all()
    assert events == ["visited", "settled", "left", "settled"]


def test_a_prospect_lives_in_one_village_at_a_time(store: Store) -> None:
    prospect = store.add_prospect(API_EXAMPLE_PROFILE, Contact(), consent=False)
    at = datetime(2026, 10, 5, tzinfo=UTC)
    store.add_outcome(prospect.id, "32001", "settled", at)
    with pytest.raises(Conflict, match=r"settled in 32001 since 2026-10-05 .*'left' from 32001"):
        store.add_outcome(prospect.id, "32012", "settled", at)
    store.add_outcome(prospect.id, "32001", "left", at)
    assert store.add_outcome(prospect.id, "32012", "settled", at).created
    assert store.settled_counts() == {"32012": 1}


def test_a_left_follows_a_settled_in_that_village(store: Store) -> None:
    prospect = store.add_prospect(API_EXAMPLE_PROFILE, Contact(), consent=False)
    at = datetime(2026, 10, 5, tzinfo=UTC)
    with pytest.raises(Conflict, match=r"not settled in Aignan: a 'left' is recorded only after"):
        store.add_outcome(prospect.id, "32001", "left", at, label=lambda _: "Aignan")
    store.add_outcome(prospect.id, "32012", "settled", at)
    with pytest.raises(Conflict, match=r"not settled in 32001 \(they are settled in 32012"):
        store.add_outcome(prospect.id, "32001", "left", at)
    assert store.model_inputs_revision() == 1, "only the settlement raised it"


def test_every_outcome_is_audited_with_who_entered_it(store: Store) -> None:
    prospect = store.add_prospect(API_EXAMPLE_PROFILE, Contact("Zoé", "z@b.fr"), True)
    at = datetime(2026, 10, 5, 9, tzinfo=UTC)
    recorded = store.add_outcome(prospect.id, "32001", "visited", at, by="staff:1a2b3c4d")
    store.add_outcome(prospect.id, "32001", "visited", at, by="staff:1a2b3c4d")  # a repeat
    (entry, *_) = store.audit()
    assert (entry.actor, entry.action, entry.target) == (
        "staff:1a2b3c4d",
        "outcome.create",
        prospect.id,
    )
    assert (
        entry.detail
        == f"32001 visited at 2026-10-05T09:00:00+00:00 (outcome {recorded.outcome.id})"
    )
    assert [e.action for e in store.audit()].count("outcome.create") == 1


@pytest.mark.parametrize("villages", [["32001"] * 8, ["32001", "32012", "32249", "32019"] * 2])
def test_concurrent_settlements_of_one_prospect_land_in_one_village(
    store: Store, villages: list[str]
) -> None:
    """Eight requests at once settle one prospect (in one village, or in several): one
    settlement is stored, the repeats answer it, the other villages are refused."""
    prospect = store.add_prospect(API_EXAMPLE_PROFILE, Contact(), consent=False)
    at = datetime.now(UTC)

    def settle(insee: str) -> str:
        try:
            return (
                "created"
                if store.add_outcome(prospect.id, insee, "settled", at).created
                else "repeat"
            )
        except Conflict:
            return "refused"

    with ThreadPoolExecutor(max_workers=len(villages)) as pool:
        answers = list(pool.map(settle, villages))
    assert answers.count("created") == 1
    with store.sessions() as session:
        (home,) = session.scalars(select(OutcomeRow.insee)).all()
    assert store.settled_counts() == {home: 1}
    assert answers.count("repeat") == villages.count(home) - 1


def test_timestamps_come_back_in_utc(store: Store) -> None:
    paris = timezone(timedelta(hours=1))
    prospect = store.add_prospect(
        API_EXAMPLE_PROFILE, Contact(), True, consent_at=datetime(2026, 1, 5, 10, tzinfo=paris)
    )
    read = store.get_prospect(prospect.id)
    assert read is not None
    assert read.consent_at == datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert read.consent_at.tzinfo is not None


def test_exposure_counts_since_a_time(store: Store) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    store.log_exposure({(now, "public", "32001", 1): 2, (now, "public", "32002", 2): 1})
    # A second write of the same second adds to its counts (another worker, a later flush).
    store.log_exposure({(now, "public", "32001", 1): 1, (now, "batch", "32002", 1): 4})
    assert store.exposure() == ({"32001": 3, "32002": 5}, 7)
    # Counted to the second: a time within the second still counts it.
    assert store.exposure(now + timedelta(milliseconds=999)) == ({"32001": 3, "32002": 5}, 7)
    assert store.exposure(now + timedelta(seconds=1)) == ({}, 0)


def test_weight_versions_are_unique(store: Store) -> None:
    profile = WeightProfile("a", "2026-11-22.1", load_weight_profile("default").weights)
    store.add_weights(profile, by="test")
    with pytest.raises(Conflict, match=r"weight profile version '2026-11-22\.1'"):
        store.add_weights(profile, by="test")
    assert store.weight_profile_count() == 1


def test_an_outcome_of_an_erased_prospect_is_not_found(store: Store) -> None:
    """The prospect may be erased between a route's lookup and the outcome's write."""
    prospect = store.add_prospect(API_EXAMPLE_PROFILE, Contact(), consent=False)
    store.delete_prospect(prospect.id)
    with pytest.raises(NotFound, match="no such prospect"):
        store.add_outcome(prospect.id, "32001", "settled", datetime.now(UTC))
    assert store.model_inputs_revision() == 0, "nothing of the failed write stays"


@pytest.mark.parametrize("prospect_id", ["nobody", "\x00", "00000000-0000-4000-8000-000000000000"])
def test_an_unknown_prospect_is_not_found(store: Store, prospect_id: str) -> None:
    assert store.get_prospect(prospect_id) is None
    assert not store.delete_prospect(prospect_id)
    with pytest.raises(NotFound, match="no such prospect"):
        store.prospect(prospect_id)


def test_what_the_api_wrote_survives_a_restart(
    database_url: str, tmp_path: Path, new_client: ClientFactory
) -> None:
    settings = make_settings(tmp_path, database_url)
    homes = {"homes": [{"tenure": "buy", "price_eur": 99000, "bedrooms": 2, "surface_m2": 70}]}
    weights = load_weight_profile("default").weights | {"community": 0.5}
    with new_client(settings) as client:
        prospect = {"profile": API_EXAMPLE_PROFILE, "contact": {"name": "C"}, "consent": True}
        prospect_id = client.post("/v1/prospects", json=prospect, headers=STAFF).json()["id"]
        outcome = {"prospect_id": prospect_id, "insee": "32001", "event": "settled"}
        assert client.post("/v1/outcomes", json=outcome, headers=STAFF).status_code == 201
        assert client.put("/v1/villages/32001/homes", json=homes, headers=STAFF).is_success
        put = client.put("/v1/weights", json={"name": "kept", "weights": weights}, headers=ANALYST)
        version = put.json()["version"]
        ranking = client.post("/v1/recommendations?k=52", json=API_EXAMPLE_PROFILE).json()
    with new_client(settings) as client:
        stored = client.get(f"/v1/prospects/{prospect_id}", headers=STAFF).json()
        assert stored["contact"]["name"] == "C"
        listed = client.get("/v1/villages/32001/homes", headers=STAFF).json()["homes"]
        assert [{k: home[k] for k in homes["homes"][0]} for home in listed] == homes["homes"]
        assert client.get("/v1/weights", headers=STAFF).json()["version"] == version
        assert client.get("/v1/villages/32001").json()["solos_settled"] == 1
        again = client.post("/v1/recommendations?k=52", json=API_EXAMPLE_PROFILE).json()
        assert again == ranking
        assert client.get("/v1/exposure", headers=STAFF).json()["rankings"] == 2


def test_concurrent_replacements_of_a_villages_homes_do_not_mix(store: Store) -> None:
    def replace(n: int) -> None:
        store.replace_homes("32001", [Home("buy", 1000.0 * n + i, n) for i in range(3)], by="t")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(replace, range(1, 9)))
    homes = store.homes("32001")
    assert len(homes) == 3, "one replacement's listings, not a mix"
    assert len({home.bedrooms for home in homes}) == 1


def test_workers_starting_together_on_a_new_database_all_start(database_url: str) -> None:
    script = (
        "import sys; from service.store import Store; "
        "s = Store(sys.argv[1]); s.upgrade(); s.dispose()"
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, database_url], stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    errors = [worker.communicate(timeout=120)[1] for worker in workers]
    assert [worker.returncode for worker in workers] == [0] * 4, errors
    store = Store(database_url)
    assert store.model_inputs_revision() == 0
    store.dispose()


def test_an_in_memory_database_is_one_database_for_every_thread() -> None:
    store = Store("sqlite://")
    store.upgrade()
    store.replace_homes("32001", [Home("rent", 500.0, 1)], by="test")
    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = list(pool.map(lambda _: len(store.homes("32001")), range(4)))
    assert counts == [1, 1, 1, 1]
    store.dispose()
