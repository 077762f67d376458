"""The prospects a village fits (GET /v1/villages/{insee}/prospects): the consented prospects
ranked by the model's score of the village for each (the model of every ranking, run the other
way), with contacts for staff and anonymised for the village's committee. SQLite and
PostgreSQL."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.api import NOT_PARTNER, PARTNER, PARTNERS, locs
from tests.service.conftest import COMMITTEE, STAFF

#: Prospects alike but for their contacts and budget, and one of a rare profession.
ALIKE = [
    {
        "profile": {
            "profession": "translator",
            "connectivity": "basic",
            "household": {"adults": 2, "children_ages": [7]},
            "housing": {"tenure": "buy", "budget_eur": 161_000 + 1_234 * n},
        },
        "contact": {
            "name": f"Personne {n}",
            "email": f"personne{n}@example.org",
            "phone": f"+33 6 00 00 00 0{n}",
        },
        "consent": True,
    }
    for n in range(4)
]
RARE = {
    "profile": {
        "profession": "architect",
        "connectivity": "large_uploads",
        "household": {"adults": 1, "children_ages": [3, 11, 16]},
        "housing": {"tenure": "rent", "budget_eur": 777},
    },
    "contact": {"name": "Rare Unique", "email": "rare@example.org", "phone": "+33 7 77 77 77 77"},
    "consent": True,
}
NO_CONSENT = {
    "profile": {"profession": "translator", "connectivity": "basic"},
    "contact": {"name": "Sans Accord", "email": "sans.accord@example.org"},
    "consent": False,
}


def add(client: TestClient, body: dict[str, Any]) -> str:
    response = client.post("/v1/prospects", json=body, headers=STAFF)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture
def people(backend_client: TestClient) -> dict[str, str]:
    ids = {body["contact"]["email"]: add(backend_client, body) for body in (*ALIKE, RARE)}
    ids["none"] = add(backend_client, NO_CONSENT)
    return ids


def test_staff_see_consented_prospects_ranked_by_the_villages_score(
    backend_client: TestClient, people: dict[str, str]
) -> None:
    response = backend_client.get(f"/v1/villages/{PARTNER}/prospects?k=20", headers=STAFF)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["insee"], body["k"], body["anonymised"], body["consented"]) == (
        PARTNER,
        20,
        False,
        5,
    )
    listed = body["prospects"]
    assert people["none"] not in {p["id"] for p in listed}, "no consent, not listed"
    assert [p["rank"] for p in listed] == list(range(1, len(listed) + 1))
    assert [p["score"] for p in listed] == sorted((p["score"] for p in listed), reverse=True)
    for prospect in listed:
        assert prospect["email"]
        assert prospect["name"]
        assert prospect["reasons"]
        assert abs(sum(prospect["contributions"].values()) - prospect["score"]) < 1e-6
        # The same model as the prospect's own ranking: the same score, at the rank it says.
        ranking = backend_client.post(
            f"/v1/recommendations?k={PARTNERS}", json=prospect["profile"], headers=STAFF
        ).json()
        (mine,) = [r for r in ranking["results"] if r["insee"] == PARTNER]
        assert mine["score"] == pytest.approx(prospect["score"], abs=1e-12)
        assert mine["rank"] == prospect["rank_for_them"]
    top = backend_client.get(f"/v1/villages/{PARTNER}/prospects?k=2", headers=STAFF).json()
    assert top["prospects"] == listed[:2]


def test_the_committee_sees_the_same_ranking_anonymised(
    backend_client: TestClient, people: dict[str, str]
) -> None:
    staff = backend_client.get(f"/v1/villages/{PARTNER}/prospects", headers=STAFF).json()
    response = backend_client.get(f"/v1/villages/{PARTNER}/prospects", headers=COMMITTEE)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["anonymised"] is True
    listed = body["prospects"]
    assert [p["id"] for p in listed] == [p["committee_id"] for p in staff["prospects"]]
    assert [p["score"] for p in listed] == [round(p["score"], 2) for p in staff["prospects"]]
    assert set(listed[0]) == {
        "rank",
        "id",
        "profession",
        "household",
        "housing",
        "score",
        "answers_needs",
    }
    text = response.text
    for body_of in (*ALIKE, RARE, NO_CONSENT):
        for value in body_of["contact"].values():
            assert value not in text, f"{value} shown to a committee"
    for prospect_id in people.values():
        assert prospect_id not in text
    for n in range(4):  # exact budgets are told as bands
        assert f"{161_000 + 1_234 * n}" not in text.replace("\u202f", "").replace(" ", "")
    # The rare architect with three children is not told as such: fewer than 3 are alike.
    assert not any("Architecte" in p["profession"] for p in listed)
    assert not any("3, 11" in p["household"] or "11" in p["household"] for p in listed)


def test_opaque_ids_differ_between_villages(
    backend_client: TestClient, people: dict[str, str]
) -> None:
    one = backend_client.get(f"/v1/villages/{PARTNER}/prospects", headers=STAFF).json()
    other = backend_client.get("/v1/villages/32012/prospects", headers=STAFF).json()
    ids = {p["id"]: p["committee_id"] for p in one["prospects"]}
    for prospect in other["prospects"]:
        assert prospect["committee_id"] != ids.get(prospect["id"])


def test_a_prospect_who_answers_a_need_is_said_to(backend_client: TestClient) -> None:
    add(backend_client, ALIKE[0])
    need = {"kind": "school_pupils", "school": "École", "age_min": 6, "age_max": 10, "pupils": 2}
    stated = backend_client.post(
        f"/v1/villages/{PARTNER}/needs", json=need | {"by": "2027-09-01"}, headers=COMMITTEE
    )
    assert stated.status_code == 201, stated.text
    (prospect,) = backend_client.get(f"/v1/villages/{PARTNER}/prospects", headers=COMMITTEE).json()[
        "prospects"
    ]
    assert prospect["answers_needs"] is True


def test_other_committees_unknown_villages_and_bad_k_are_refused(
    backend_client: TestClient,
) -> None:
    assert backend_client.get("/v1/villages/32012/prospects", headers=COMMITTEE).status_code == 403
    assert backend_client.get("/v1/villages/32012/prospects").status_code == 401
    assert (
        backend_client.get(f"/v1/villages/{NOT_PARTNER}/prospects", headers=STAFF).status_code
        == 404
    )
    for k in (0, 201):
        response = backend_client.get(f"/v1/villages/{PARTNER}/prospects?k={k}", headers=STAFF)
        assert response.status_code == 422
        assert locs(response) == [["query", "k"]]


def test_no_consented_prospect_gives_an_empty_list(backend_client: TestClient) -> None:
    add(backend_client, NO_CONSENT)
    body = backend_client.get(f"/v1/villages/{PARTNER}/prospects", headers=COMMITTEE).json()
    assert (body["consented"], body["prospects"]) == (0, [])
