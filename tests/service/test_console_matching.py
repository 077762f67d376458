"""The staff console's matching pages through the app: the alerts page lists what
``GET /v1/alerts`` answers (same prospects, villages, words), the prospect's page the alerts
about them; the quarter's proposals page runs ``POST /v1/allocations``'s code: a trial records
nothing and answers as the API's dry run, recording counts against the quarter's capacity;
forms refused at the field in French."""

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service import clock
from service.store import Store, quarter_of
from tests.service.api import PARTNER, add_prospect
from tests.service.conftest import COMMITTEE, STAFF
from tests.service.people import make_person, sign_in
from tests.service.routes.test_alerts import HOME, RENTER
from tests.service.routes.test_allocations import CAPACITIES, add_prospects, state_capacities
from tests.service.test_console import form, get, post


@pytest.fixture
def staff(client: TestClient) -> dict[str, str]:
    make_person(client, "marie@example.org", "staff", ())
    return sign_in(client, "marie@example.org")


def store_of(client: TestClient) -> Store:
    return client.app.state.sohosolo.store  # type: ignore[attr-defined,no-any-return]


def page_text(response: Any) -> str:
    """The page's text as read: tags out, entities decoded, spaces joined."""
    return said(html.unescape(re.sub(r"<[^>]+>", " ", response.text)))


def said(words: str) -> str:
    """Words with their spaces (no-break ones included) made one plain space."""
    return " ".join(words.split())


def test_the_alerts_page_lists_what_the_api_answers(
    client: TestClient, staff: dict[str, str]
) -> None:
    empty = get(client, "/intranet/alerts", staff)
    assert "Aucune alerte pour l'instant." in page_text(empty)
    renter = add_prospect(client, RENTER)
    added = client.post(f"/v1/villages/{PARTNER}/homes", json=HOME, headers=COMMITTEE)
    assert added.status_code == 201, added.text
    french = get(client, "/intranet/alerts", staff)
    assert french.status_code == 200
    shown = page_text(french)
    assert "Nouveaux logements et besoins qui conviennent à vos prospects" in shown
    (alert,) = client.get("/v1/alerts", headers=STAFF).json()["alerts"]
    assert f'href="/intranet/prospects/{renter}?lang=fr">Zoé Arnaud</a>' in french.text
    assert said(alert["change"]["text"]) in shown
    assert f"rang {alert['fit']['rank']} sur ses 10 premiers" in shown
    assert "remplit toutes ses exigences" in shown
    for reason in alert["fit"]["reasons"]:
        assert said(reason) in shown
    english = page_text(get(client, "/intranet/alerts?lang=en", staff))
    (alert_en,) = client.get("/v1/alerts?lang=en", headers=STAFF).json()["alerts"]
    assert said(alert_en["change"]["text"]) in english
    assert "meets all their must-haves" in english
    # The prospect's page shows the alerts about them; another prospect's shows none.
    mine = page_text(get(client, f"/intranet/prospects/{renter}", staff))
    assert "Alertes pour ce prospect" in mine
    assert said(alert["change"]["text"]) in mine
    other = add_prospect(client)
    theirs = page_text(get(client, f"/intranet/prospects/{other}", staff))
    assert "Aucun nouveau logement ni besoin ne lui a encore été signalé." in theirs


def allocation_form(headers: dict[str, str], ids: list[str], action: str, **more: str) -> Any:
    return form(headers, prospect_ids=ids, action=action, **more)


def test_a_trial_records_nothing_and_answers_as_the_api(
    client: TestClient, staff: dict[str, str]
) -> None:
    state_capacities(client)
    ids = add_prospects(client, 6, seed=3)
    quarter = quarter_of(clock.today())
    page = get(client, "/intranet/allocations", staff)
    assert page.status_code == 200
    for prospect in ids:  # qualified, so ticked in advance
        assert f'value="{prospect}" checked' in page.text
    assert f'value="{quarter}"' in page.text
    tried = post(client, "/intranet/allocations", staff, allocation_form(staff, ids, "try"))
    assert tried.status_code == 200, tried.text
    shown = page_text(tried)
    assert "Essai : rien n'est enregistré." in shown
    assert store_of(client).allocated(quarter) == {}
    api = client.post(
        "/v1/allocations", json={"prospect_ids": ids, "dry_run": True}, headers=STAFF
    ).json()
    # Each committee with a stated capacity: capacity, load, what is left, as the API says.
    for village in api["villages"]:
        if village["capacity"] is None:
            continue
        left = village["capacity_left"] - village["load"]
        row = f"{village['name']} ({village['insee']}) {village['capacity']} 0 {village['load']}"
        assert row in shown, row
        assert str(left) in shown
    assert sum(v["load"] for v in api["villages"]) <= sum(CAPACITIES.values())
    for proposal in api["proposals"]:
        if proposal["short"]:
            assert said(proposal["why"]) in shown
    assert ("Meilleure répartition possible" in shown) == api["optimal"]


def test_recording_counts_against_the_quarter(client: TestClient, staff: dict[str, str]) -> None:
    state_capacities(client)
    ids = add_prospects(client, 4, seed=5)
    data = allocation_form(staff, ids, "record", k="1", quarter="2027-Q2")
    recorded = post(client, "/intranet/allocations?lang=en", staff, data)
    assert recorded.status_code == 200, recorded.text
    shown = page_text(recorded)
    assert "Proposals recorded: they count against the capacity of quarter 2027-Q2." in shown
    allocated = store_of(client).allocated("2027-Q2")
    assert sum(allocated.values()) >= 1
    # The API's trial of the same prospects (their own proposals left out) says the same loads.
    body = {"prospect_ids": ids, "k": 1, "quarter": "2027-Q2", "dry_run": True}
    api = client.post("/v1/allocations", json=body, headers=STAFF).json()
    assert allocated == {v["insee"]: v["load"] for v in api["villages"] if v["load"]}
    assert all(v["allocated_before"] == 0 for v in api["villages"])
    # Run again: the same prospects' earlier proposals are replaced, not added to.
    post(client, "/intranet/allocations", staff, data)
    assert store_of(client).allocated("2027-Q2") == allocated
    # Another prospect of the quarter sees that capacity taken.
    other = add_prospects(client, 1, seed=9)
    later = {"prospect_ids": other, "k": 1, "quarter": "2027-Q2", "dry_run": True}
    before = client.post("/v1/allocations", json=later, headers=STAFF).json()["villages"]
    assert {v["insee"]: v["allocated_before"] for v in before if v["allocated_before"]} == (
        allocated
    )


def test_the_form_refuses_at_the_field_in_french(client: TestClient, staff: dict[str, str]) -> None:
    ids = add_prospects(client, 1)
    none = post(client, "/intranet/allocations", staff, allocation_form(staff, [], "try"))
    assert none.status_code == 422
    assert "Cochez au moins un prospect." in page_text(none)
    too_many = allocation_form(staff, ids, "try", k="99")
    refused = post(client, "/intranet/allocations", staff, too_many)
    assert refused.status_code == 422
    assert "Doit être au plus 52 : le nombre de villages partenaires." in page_text(refused)
    quarter = allocation_form(staff, ids, "record", quarter="2027-T1")
    wrong = post(client, "/intranet/allocations", staff, quarter)
    assert wrong.status_code == 422
    assert (
        'value="2027-T1" aria-describedby="quarter-hint quarter-error" aria-invalid' in wrong.text
    )
    assert store_of(client).allocated("2027-Q1") == {}
