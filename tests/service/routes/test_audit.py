"""The audit log of changes: who changed what and when; analysts only."""

from fastapi.testclient import TestClient

from tests.conftest import API_EXAMPLE_PROFILE
from tests.service.conftest import ANALYST, ANALYST_KEY, STAFF, STAFF_KEY
from tests.service.test_access import HOMES, WEIGHTS, key_id


def test_the_audit_log_records_who_changed_what_and_when(backend_client: TestClient) -> None:
    created = backend_client.post(
        "/v1/prospects", json={"profile": API_EXAMPLE_PROFILE, "consent": False}, headers=STAFF
    ).json()["id"]
    assert backend_client.put("/v1/villages/32001/homes", json=HOMES, headers=STAFF).is_success
    version = backend_client.put("/v1/weights", json=WEIGHTS, headers=ANALYST).json()["version"]
    assert backend_client.delete(f"/v1/prospects/{created}", headers=STAFF).status_code == 204
    # Refused changes leave no line.
    backend_client.put("/v1/weights", json={**WEIGHTS, "weights": {}}, headers=ANALYST)

    entries = backend_client.get("/v1/audit", headers=ANALYST).json()
    staff, analyst = f"staff:{key_id(STAFF_KEY)}", f"analyst:{key_id(ANALYST_KEY)}"
    lines = [(e["actor"], e["action"], e["target"]) for e in entries]
    assert lines[:4] == [
        (staff, "prospect.delete", created),
        (analyst, "weights.replace", version),
        (staff, "homes.replace", "32001"),
        (staff, "prospect.create", created),
    ]
    assert lines[4] == ("package", "weights.replace", entries[4]["target"])
    assert entries[1]["detail"] == "schools-first"
    assert entries[2]["detail"] == "1 listing(s)"
    times = [e["at"] for e in entries]
    assert times == sorted(times, reverse=True)
    newest = backend_client.get("/v1/audit?limit=1", headers=ANALYST).json()
    assert [e["action"] for e in newest] == ["prospect.delete"]
    later = backend_client.get(
        "/v1/audit", params={"since": "2100-01-01T00:00:00Z"}, headers=ANALYST
    )
    assert later.json() == []


def test_the_audit_log_needs_an_analyst_key(backend_client: TestClient) -> None:
    assert backend_client.get("/v1/audit", headers=STAFF).status_code == 403
