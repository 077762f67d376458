"""Upgrading a database made by the previous version (revision 0003) keeps every row: built
here with realistic rows of each table, then upgraded to the newest revision, on SQLite and on
PostgreSQL."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import JSON, column, insert, select, table, text

from service import clock
from service.db.models import HomeRow
from service.store import Store
from tests.conftest import API_EXAMPLE_PROFILE

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
PROSPECT_ID = "7d3c4a8e-1b2f-4c5d-9e0a-1b2c3d4e5f60"


def _fill_at_0003(store: Store) -> None:
    prospects = table(
        "prospects",
        column("id"),
        column("profile", JSON),
        column("name"),
        column("email"),
        column("phone"),
        column("consent"),
        column("consent_at"),
        column("created_at"),
    )
    outcomes = table(
        "outcomes",
        column("prospect_id"),
        column("insee"),
        column("event"),
        column("at"),
        column("recorded_at"),
    )
    homes = table(
        "homes",
        column("insee"),
        column("tenure"),
        column("price_eur"),
        column("bedrooms"),
        column("surface_m2"),
        column("description"),
        column("updated_at"),
        column("updated_by"),
    )
    audit = table(
        "audit_log",
        column("at"),
        column("actor"),
        column("action"),
        column("target"),
        column("detail"),
    )
    with store.engine.begin() as connection:
        connection.execute(
            insert(prospects),
            [
                {
                    "id": PROSPECT_ID,
                    "profile": API_EXAMPLE_PROFILE,
                    "name": "Camille",
                    "email": "c@example.org",
                    "phone": None,
                    "consent": True,
                    "consent_at": AT,
                    "created_at": AT,
                }
            ],
        )
        connection.execute(
            insert(outcomes),
            [
                {
                    "prospect_id": PROSPECT_ID,
                    "insee": "32001",
                    "event": "settled",
                    "at": AT,
                    "recorded_at": AT,
                }
            ],
        )
        connection.execute(
            insert(homes),
            [
                {
                    "insee": "32001",
                    "tenure": "buy",
                    "price_eur": 150000.0,
                    "bedrooms": 3,
                    "surface_m2": 95.0,
                    "description": "Maison de bourg",
                    "updated_at": AT,
                    "updated_by": "staff:1a2b3c4d",
                },
                {
                    "insee": "32012",
                    "tenure": "rent",
                    "price_eur": 600.0,
                    "bedrooms": 2,
                    "surface_m2": None,
                    "description": None,
                    "updated_at": AT - timedelta(days=40),
                    "updated_by": "staff:1a2b3c4d",
                },
            ],
        )
        connection.execute(
            insert(audit),
            [
                {
                    "at": AT,
                    "actor": "staff:1a2b3c4d",
                    "action": "homes.replace",
                    "target": "32001",
                    "detail": "2 listing(s)",
                }
            ],
        )


def test_a_database_of_revision_0003_upgrades_without_loss(database_url: str) -> None:
    store = Store(database_url)
    try:
        store.upgrade("0003")
        _fill_at_0003(store)
        store.upgrade()
        assert store.at_head()
        with store.sessions() as session:
            homes = session.scalars(select(HomeRow).order_by(HomeRow.id)).all()
            found = [
                (
                    h.insee,
                    h.tenure,
                    h.price_eur,
                    h.bedrooms,
                    h.surface_m2,
                    h.note,
                    h.version,
                    h.available_from,
                    h.updated_by,
                )
                for h in homes
            ]
            expires = {h.expires_at for h in homes}
        assert found == [
            ("32001", "buy", 150000.0, 3, 95.0, "Maison de bourg", 1, AT.date(), "staff:1a2b3c4d"),
            (
                "32012",
                "rent",
                600.0,
                2,
                None,
                None,
                1,
                (AT - timedelta(days=40)).date(),
                "staff:1a2b3c4d",
            ),
        ]
        # 90 days from the migration (UTC's date, which is Paris's or the day before)
        assert expires <= {clock.today() + timedelta(days=d) for d in (89, 90)}
        assert len(expires) == 1
        prospect = store.prospect(PROSPECT_ID)
        assert (prospect.contact.email, prospect.profile) == ("c@example.org", API_EXAMPLE_PROFILE)
        assert store.settled_counts() == {"32001": 1}
        assert [(e.action, e.target) for e in store.audit()] == [("homes.replace", "32001")]
        assert len(store.listings()) == 2  # both count in rankings until they expire
        assert store.accounts() == []
        with store.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM sessions")).scalar() == 0
    finally:
        store.dispose()
