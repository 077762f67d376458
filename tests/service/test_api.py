"""The v1 contract of ../shared/design/api.md, endpoint by endpoint, with its invariants."""

import json
import math
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from features.village import OPTIONAL_COLUMNS, VILLAGE_COLUMNS
from features.vocab import CRITERION_CODES, PROFESSION_CODES
from tests.conftest import API_EXAMPLE_PROFILE
from tests.service.conftest import ANALYST, STAFF
from tests.strategies import profiles

PARTNERS = 52
#: One partner village, and one commune of the Gers that is not a partner.
PARTNER, NOT_PARTNER = "32001", "32002"


def locs(response: Any) -> list[list[str | int]]:
    return [error["loc"] for error in response.json()["detail"]]


def check_invariants(ranking: dict[str, Any], k: int, partners: set[str]) -> None:
    """Every invariant api.md lists for a ranking."""
    results, excluded = ranking["results"], ranking["excluded"]
    assert ranking["k"] == k
    assert len(results) <= k
    assert [r["rank"] for r in results] == list(range(1, len(results) + 1))
    order = [(-r["score"], r["insee"]) for r in results]
    assert order == sorted(order), "sorted by score descending, ties by INSEE code"
    for r in results:
        assert 0.0 <= r["score"] <= 1.0
        assert set(r["contributions"]) == set(CRITERION_CODES)
        assert math.isclose(sum(r["contributions"].values()), r["score"], abs_tol=1e-6)
        assert r["reasons"]
        assert all(isinstance(text, str) and text for text in r["reasons"])
    shown = [r["insee"] for r in results] + [e["insee"] for e in excluded]
    assert len(shown) == len(set(shown)), "a village stands at most once"
    assert set(shown) <= partners
    for e in excluded:
        assert e["reasons"], f"{e['insee']} is excluded without a reason"


@pytest.fixture(scope="module")
def shared_client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One server for the read-only checks of this module (each write test has its own)."""
    from service.app import create_app
    from tests.service.conftest import make_settings

    with TestClient(create_app(make_settings(tmp_path_factory.mktemp("api")))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def partner_codes(shared_client: TestClient) -> set[str]:
    return {v["insee"] for v in shared_client.get("/v1/villages?partner=true").json()}


# -- public endpoints -----------------------------------------------------------------------


def test_health_names_the_partner_count_and_the_model(shared_client: TestClient) -> None:
    body = shared_client.get("/v1/health").json()
    assert body == {
        "status": "ok",
        "villages": PARTNERS,
        "model": {"name": "default", "version": "2026-11-22"},
    }


@pytest.mark.parametrize(("lang", "label"), [("fr", "Traducteur·rice"), ("en", "Translator")])
def test_professions_in_each_language(shared_client: TestClient, lang: str, label: str) -> None:
    body = shared_client.get(f"/v1/professions?lang={lang}").json()
    assert [p["code"] for p in body] == list(PROFESSION_CODES)
    assert {"code": "translator", "label": label} in body


def test_professions_default_to_french(shared_client: TestClient) -> None:
    assert shared_client.get("/v1/professions").json()[2]["label"] == "Traducteur·rice"


def test_an_unknown_language_is_a_422_naming_lang(shared_client: TestClient) -> None:
    response = shared_client.get("/v1/professions?lang=de")
    assert response.status_code == 422
    assert locs(response) == [["query", "lang"]]


@pytest.mark.parametrize(("partner", "count"), [("true", PARTNERS), ("false", 458 - PARTNERS)])
def test_village_summaries(shared_client: TestClient, partner: str, count: int) -> None:
    body = shared_client.get(f"/v1/villages?partner={partner}").json()
    assert len(body) == count
    assert {v["partner"] for v in body} == {partner == "true"}
    required = {"insee", "name", "population", "partner", "km_to_auch", "minutes_to_auch"}
    assert required | {"ftth_share", "homes_available"} <= set(body[0])
    assert len(shared_client.get("/v1/villages").json()) == 458


def test_one_village_has_every_model_attribute_with_its_unit(shared_client: TestClient) -> None:
    body = shared_client.get("/v1/villages/32013").json()
    assert body["name"] == "Auch"
    for column in set(VILLAGE_COLUMNS) - set(OPTIONAL_COLUMNS):
        attribute = body["attributes"][column]
        assert attribute["unit"], f"{column} has no unit"
        assert attribute["sources"], f"{column} has no source"
    assert body["attributes"]["population"]["value"] == body["population"] == 22825
    assert body["attributes"]["minutes_to_auch"]["estimate"] is True


@pytest.mark.parametrize("code", ["99999", "32999", "abc", "3201"])
def test_an_unknown_village_is_a_404(shared_client: TestClient, code: str) -> None:
    response = shared_client.get(f"/v1/villages/{code}")
    assert response.status_code == 404
    assert code in response.json()["detail"]


def test_geojson_of_the_partner_villages_in_wgs84(shared_client: TestClient) -> None:
    response = shared_client.get("/v1/villages.geojson")
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == PARTNERS
    for feature in body["features"]:
        assert feature["properties"]["partner"] is True
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        ring = feature["geometry"]["coordinates"][0]
        ring = ring[0] if feature["geometry"]["type"] == "MultiPolygon" else ring
        lon, lat = ring[0]
        assert -0.4 < lon < 1.3, "degrees of EPSG:4326 within the Gers"
        assert 43.2 < lat < 44.1


# -- recommendations ------------------------------------------------------------------------


def test_the_api_md_example_keeps_every_invariant(
    shared_client: TestClient, partner_codes: set[str]
) -> None:
    response = shared_client.post("/v1/recommendations?k=10&lang=fr", json=API_EXAMPLE_PROFILE)
    assert response.status_code == 200
    ranking = response.json()
    assert ranking["model"] == {"name": "default", "version": "2026-11-22"}
    check_invariants(ranking, 10, partner_codes)
    assert ranking["excluded"], "the example's musts exclude some villages"
    first = ranking["results"][0]
    assert {"minutes_to_auch", "ftth_share", "homes_matching"} <= set(first["facts"])


def test_excluded_lists_every_partner_failing_a_must(
    shared_client: TestClient, partner_codes: set[str]
) -> None:
    ranking = shared_client.post(f"/v1/recommendations?k={PARTNERS}", json=API_EXAMPLE_PROFILE)
    body = ranking.json()
    listed = {r["insee"] for r in body["results"]} | {e["insee"] for e in body["excluded"]}
    assert listed == partner_codes


def test_k_defaults_to_10_and_lang_to_french(shared_client: TestClient) -> None:
    body = shared_client.post("/v1/recommendations", json={**API_EXAMPLE_PROFILE, "must": []})
    assert body.json()["k"] == 10
    assert len(body.json()["results"]) == 10
    english = shared_client.post("/v1/recommendations?lang=en", json=API_EXAMPLE_PROFILE).json()
    french = shared_client.post("/v1/recommendations", json=API_EXAMPLE_PROFILE).json()
    assert english["results"][0]["insee"] == french["results"][0]["insee"]
    assert english["results"][0]["reasons"] != french["results"][0]["reasons"]


def test_the_same_request_gives_the_same_response(shared_client: TestClient) -> None:
    first = shared_client.post("/v1/recommendations?k=7", json=API_EXAMPLE_PROFILE)
    second = shared_client.post("/v1/recommendations?k=7", json=API_EXAMPLE_PROFILE)
    assert first.content == second.content


@pytest.mark.parametrize("k", [0, -1, PARTNERS + 1, 1000])
def test_k_out_of_range_is_a_422_naming_k(shared_client: TestClient, k: int) -> None:
    response = shared_client.post(f"/v1/recommendations?k={k}", json=API_EXAMPLE_PROFILE)
    assert response.status_code == 422
    assert locs(response) == [["query", "k"]]
    error = response.json()["detail"][0]
    assert error["type"] in {"greater_than_equal", "less_than_equal"}, "pydantic's own types"
    if k > PARTNERS:
        assert error["ctx"] == {"le": PARTNERS}


@pytest.mark.parametrize("text", ['"\\ud800"', '"\\udc00x"'])
def test_a_lone_surrogate_is_a_422_not_a_crash(shared_client: TestClient, text: str) -> None:
    body = json.dumps(API_EXAMPLE_PROFILE).replace('"any"', text.replace("\\\\", "\\"))
    response = shared_client.post(
        "/v1/recommendations", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert ["body", "preferences", "settlement"] in locs(response)


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"profesion": "translator"}, ["body", "profesion"]),
        ({"profession": "astronaut"}, ["body", "profession"]),
        ({"connectivity": None}, ["body", "connectivity"]),
        ({"remote_days_per_week": 8}, ["body", "remote_days_per_week"]),
        ({"household": {"adults": 0}}, ["body", "household", "adults"]),
        ({"household": {"children_ages": [4, 26]}}, ["body", "household", "children_ages", 1]),
        ({"housing": {"tenure": "buy", "budget_eur": -5}}, ["body", "housing", "budget_eur"]),
        ({"housing": {"tenure": "lease", "budget_eur": 900}}, ["body", "housing", "tenure"]),
        ({"preferences": {"settlement": "city"}}, ["body", "preferences", "settlement"]),
        ({"must": ["wifi"]}, ["body", "must", 0]),
    ],
)
def test_an_invalid_profile_is_a_422_naming_the_field(
    shared_client: TestClient, change: dict[str, Any], loc: list[str | int]
) -> None:
    response = shared_client.post("/v1/recommendations", json={**API_EXAMPLE_PROFILE, **change})
    assert response.status_code == 422
    assert loc in locs(response)


def test_a_missing_required_field_is_named(shared_client: TestClient) -> None:
    profile = {k: v for k, v in API_EXAMPLE_PROFILE.items() if k != "profession"}
    response = shared_client.post("/v1/recommendations", json=profile)
    assert response.status_code == 422
    assert locs(response) == [["body", "profession"]]


def test_malformed_json_is_a_422(shared_client: TestClient) -> None:
    response = shared_client.post(
        "/v1/recommendations",
        content=b'{"profession": "translator",',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_nan_is_a_422(shared_client: TestClient) -> None:
    body = json.dumps({**API_EXAMPLE_PROFILE, "housing": {"tenure": "buy", "budget_eur": 1}})
    response = shared_client.post(
        "/v1/recommendations",
        content=body.replace('"budget_eur": 1', '"budget_eur": NaN'),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert ["body", "housing", "budget_eur"] in locs(response)


def test_a_body_over_64_kib_is_a_413(shared_client: TestClient) -> None:
    padded = json.dumps({**API_EXAMPLE_PROFILE, "pad": "x" * 70_000})
    assert shared_client.post("/v1/recommendations", content=padded).status_code == 413

    def chunks() -> Any:  # no Content-Length: the limit applies as the body streams in
        for _ in range(70):
            yield b" " * 1024

    response = shared_client.post(
        "/v1/recommendations", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


def _example_with(field: str, raw: str) -> bytes:
    """The api.md example with one top-level field set to raw JSON text."""
    return json.dumps({**API_EXAMPLE_PROFILE, field: "@@"}).replace('"@@"', raw).encode()


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b'{"profession": "translator",', "JSON decode error"),
        (b'{"profession": "\xff"}', "not UTF-8 text: byte 0xff at 16"),
        (b'{"profession": "\xe9crivain"}', "not UTF-8 text: byte 0xe9"),
        (b"[" * 30_000 + b"]" * 30_000, "nested too deeply"),
        (_example_with("remote_days_per_week", "1" + "0" * 5000), "number too long"),
        (_example_with("remote_days_per_week", "NaN"), "finite number"),
        (_example_with("remote_days_per_week", "Infinity"), "finite number"),
        (_example_with("remote_days_per_week", "-Infinity"), "finite number"),
        (_example_with("remote_days_per_week", "1e400"), "finite number"),
        (_example_with("remote_days_per_week", "10" * 50), "less than or equal to 7"),
        (_example_with("remote_days_per_week", "-3"), "greater than or equal to 0"),
        (_example_with("remote_days_per_week", '"5"'), "JSON number, not a string"),
        (_example_with("profession", json.dumps("x" * 60_000)), "Input should be"),
        (_example_with("profession", r'"translator\u0000"'), "Input should be"),
        (_example_with("connectivity", r'"b\u00e1sic \ud83d\udce1"'), "Input should be"),
    ],
    ids=[
        "malformed",
        "not-utf8",
        "latin1",
        "deeply-nested",
        "huge-integer",
        "nan",
        "infinity",
        "minus-infinity",
        "overflowing-float",
        "huge-but-readable",
        "negative",
        "number-as-text",
        "very-long-string",
        "control-character",
        "unicode",
    ],
)
def test_hostile_bodies_get_a_422_naming_the_problem(
    shared_client: TestClient, body: bytes, named: str
) -> None:
    response = shared_client.post("/v1/recommendations", content=body, headers=JSON)
    assert response.status_code == 422, response.text
    assert any(named in error["msg"] for error in response.json()["detail"]), response.text


def test_a_nested_input_is_echoed_only_so_deep(shared_client: TestClient) -> None:
    # Nested within what the JSON reader takes, but too deep to echo back in full.
    nested = '{"a": ' * 900 + "1" + "}" * 900
    response = shared_client.post(
        "/v1/recommendations", content=_example_with("x", nested), headers=JSON
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "x"]
    assert "..." in json.dumps(error["input"])


@pytest.mark.parametrize(
    ("headers", "found"),
    [
        ({"Content-Type": "text/plain"}, "found 'text/plain'"),
        ({"Content-Type": "application/x-www-form-urlencoded"}, "found 'application/x-www"),
        ({"Content-Type": ""}, "found none"),
    ],
)
def test_a_body_not_sent_as_json_is_a_415_naming_its_type(
    shared_client: TestClient, headers: dict[str, str], found: str
) -> None:
    body = json.dumps(API_EXAMPLE_PROFILE)
    response = shared_client.post("/v1/recommendations", content=body, headers=headers)
    assert response.status_code == 415
    assert "expected Content-Type: application/json" in response.json()["detail"]
    assert found in response.json()["detail"]


def test_json_with_a_charset_or_a_suffix_is_json(shared_client: TestClient) -> None:
    body = json.dumps(API_EXAMPLE_PROFILE)
    for content_type in ("application/json; charset=utf-8", "application/vnd.api+json"):
        response = shared_client.post(
            "/v1/recommendations", content=body, headers={"Content-Type": content_type}
        )
        assert response.status_code == 200, content_type


def test_a_method_not_allowed_lists_every_method_of_the_path(client: TestClient) -> None:
    response = client.delete("/v1/villages/32001/homes", headers=STAFF)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PUT"


def test_batch_answers_in_order_as_single_requests_do(shared_client: TestClient) -> None:
    first = API_EXAMPLE_PROFILE
    second = {"profession": "therapist", "connectivity": "basic", "must": ["health"]}
    batch = shared_client.post("/v1/recommendations/batch?k=5", json={"profiles": [first, second]})
    assert batch.status_code == 200
    rankings = batch.json()["rankings"]
    singles = [
        shared_client.post("/v1/recommendations?k=5", json=p).json() for p in (first, second)
    ]
    assert rankings == singles


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"profiles": []}, ["body", "profiles"]),
        ({"profiles": [{"profession": "translator"}]}, ["body", "profiles", 0, "connectivity"]),
        ({"rankings": []}, ["body", "profiles"]),
    ],
)
def test_a_bad_batch_is_a_422_naming_the_profile(
    shared_client: TestClient, body: dict[str, Any], loc: list[str | int]
) -> None:
    response = shared_client.post("/v1/recommendations/batch", json=body)
    assert response.status_code == 422
    assert loc in locs(response)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(profile=profiles, k=st.integers(1, PARTNERS))
def test_every_generated_profile_keeps_the_invariants(
    shared_client: TestClient, partner_codes: set[str], profile: dict[str, Any], k: int
) -> None:
    response = shared_client.post(f"/v1/recommendations?k={k}", json=profile)
    assert response.status_code == 200
    check_invariants(response.json(), k, partner_codes)


# -- keys -----------------------------------------------------------------------------------

STAFF_ENDPOINTS = [
    ("POST", "/v1/prospects"),
    ("GET", "/v1/prospects/any"),
    ("DELETE", "/v1/prospects/any"),
    ("GET", "/v1/prospects/any/shortlist"),
    ("POST", "/v1/outcomes"),
    ("GET", f"/v1/villages/{PARTNER}/homes"),
    ("PUT", f"/v1/villages/{PARTNER}/homes"),
    ("GET", "/v1/weights"),
    ("PUT", "/v1/weights"),
    ("GET", "/v1/exposure"),
]


@pytest.mark.parametrize(("method", "path"), STAFF_ENDPOINTS)
@pytest.mark.parametrize("key", [None, "", "wrong-key-0123456789", STAFF["X-API-Key"] + "x"])
def test_staff_endpoints_refuse_a_missing_or_wrong_key(
    shared_client: TestClient, method: str, path: str, key: str | None
) -> None:
    headers = {} if key is None else {"X-API-Key": key}
    response = shared_client.request(method, path, headers=headers, json={})
    assert response.status_code == 401
    assert "X-API-Key" in response.json()["detail"]


def test_changing_weights_needs_an_analyst_key(shared_client: TestClient) -> None:
    body = {"name": "staff-try", "weights": dict.fromkeys(CRITERION_CODES, 1.0)}
    response = shared_client.put("/v1/weights", json=body, headers=STAFF)
    assert response.status_code == 403
    assert shared_client.get("/v1/weights", headers=ANALYST).json()["name"] == "default"


# -- prospects, shortlists, outcomes ---------------------------------------------------------

PROSPECT = {
    "profile": API_EXAMPLE_PROFILE,
    "contact": {"name": "Camille Martin", "email": "camille@example.org", "phone": "+33 6 12"},
    "consent": True,
}


def add_prospect(client: TestClient, body: dict[str, Any] = PROSPECT) -> str:
    response = client.post("/v1/prospects", json=body, headers=STAFF)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_a_prospect_is_stored_and_read_back(client: TestClient) -> None:
    prospect_id = add_prospect(client)
    body = client.get(f"/v1/prospects/{prospect_id}", headers=STAFF).json()
    assert body["id"] == prospect_id
    assert body["contact"] == PROSPECT["contact"]
    assert body["consent"] is True
    assert body["consent_at"] is not None
    for key, value in API_EXAMPLE_PROFILE.items():
        assert body["profile"][key] == value


def test_unicode_contact_fields_are_kept_as_sent(client: TestClient) -> None:
    contact = {"name": "Zoé Ñúñez-Łukasiewicz 李 🌻", "email": "zoé@exemple.fr", "phone": "+33 6"}
    prospect_id = add_prospect(client, {**PROSPECT, "contact": contact})
    body = client.get(f"/v1/prospects/{prospect_id}", headers=STAFF).json()
    assert body["contact"] == contact


def test_without_consent_there_is_no_consent_date(client: TestClient) -> None:
    prospect_id = add_prospect(client, {**PROSPECT, "consent": False})
    body = client.get(f"/v1/prospects/{prospect_id}", headers=STAFF).json()
    assert body["consent"] is False
    assert body["consent_at"] is None


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"contact": {"email": "not-an-address"}}, ["body", "contact", "email"]),
        ({"contact": {"name": "Camille\x00"}}, ["body", "contact", "name"]),
        ({"contact": {"name": "Camille\x85"}}, ["body", "contact", "name"]),
        ({"contact": {"name": "\u202eellimaC"}}, ["body", "contact", "name"]),
        ({"contact": {"name": "C" * 10_000}}, ["body", "contact", "name"]),
        ({"contact": {"phone": "+33 6 12 34 56 78 " * 100}}, ["body", "contact", "phone"]),
        ({"contact": {"fax": "01"}}, ["body", "contact", "fax"]),
        ({"consent": None}, ["body", "consent"]),
        ({"profile": {"profession": "translator"}}, ["body", "profile", "connectivity"]),
        ({"consent": False, "consent_at": "2026-11-01T10:00:00Z"}, ["body", "consent_at"]),
        ({"consent_at": "0001-01-01T00:00:00+01:00"}, ["body", "consent_at"]),
        ({"consent_at": "2026-11-01T10:00:00"}, ["body", "consent_at"]),
    ],
)
def test_a_bad_prospect_is_a_422_naming_the_field(
    client: TestClient, change: dict[str, Any], loc: list[str | int]
) -> None:
    response = client.post("/v1/prospects", json={**PROSPECT, **change}, headers=STAFF)
    assert response.status_code == 422
    assert loc in locs(response)


def test_deleting_a_prospect_erases_it(client: TestClient) -> None:
    prospect_id = add_prospect(client)
    outcome = {"prospect_id": prospect_id, "insee": PARTNER, "event": "visited"}
    assert client.post("/v1/outcomes", json=outcome, headers=STAFF).status_code == 201
    assert client.delete(f"/v1/prospects/{prospect_id}", headers=STAFF).status_code == 204
    assert client.get(f"/v1/prospects/{prospect_id}", headers=STAFF).status_code == 404
    assert client.delete(f"/v1/prospects/{prospect_id}", headers=STAFF).status_code == 404
    store = client.app.state.sohosolo.store  # type: ignore[attr-defined]
    with store.sessions() as session:
        from sqlalchemy import select

        from service.db.models import OutcomeRow

        linked = session.scalars(select(OutcomeRow.prospect_id)).all()
    assert linked == [None], "the outcome stays for the village, without the person"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/prospects/nobody",
        "/v1/prospects/nobody/shortlist?format=html",
        "/v1/prospects/%00nobody",
        "/v1/prospects/00000000-0000-4000-8000-000000000000",
    ],
)
def test_an_unknown_prospect_is_a_404(client: TestClient, path: str) -> None:
    response = client.get(path, headers=STAFF)
    assert response.status_code == 404
    assert "no such prospect" in response.json()["detail"]


def test_the_shortlist_is_the_prospects_ranking(client: TestClient) -> None:
    prospect_id = add_prospect(client)
    shortlist = client.get(f"/v1/prospects/{prospect_id}/shortlist?k=5", headers=STAFF)
    direct = client.post("/v1/recommendations?k=5", json=API_EXAMPLE_PROFILE)
    assert shortlist.json() == direct.json()
    page = client.get(f"/v1/prospects/{prospect_id}/shortlist?format=html", headers=STAFF)
    assert page.headers["content-type"].startswith("text/html")
    bad = client.get(f"/v1/prospects/{prospect_id}/shortlist?format=pdf", headers=STAFF)
    assert bad.status_code == 422
    assert locs(bad) == [["query", "format"]]


def test_outcomes_are_recorded(client: TestClient) -> None:
    prospect_id = add_prospect(client)
    body = {
        "prospect_id": prospect_id,
        "insee": PARTNER,
        "event": "settled",
        "at": "2026-10-01T09:30:00+02:00",
    }
    response = client.post("/v1/outcomes", json=body, headers=STAFF)
    assert response.status_code == 201
    assert response.json()["at"] == "2026-10-01T07:30:00Z"
    village = client.get(f"/v1/villages/{PARTNER}").json()
    assert village["solos_settled"] == 1


@pytest.mark.parametrize(
    ("change", "status", "where"),
    [
        ({"prospect_id": "nobody"}, 404, "nobody"),
        ({"insee": "99999"}, 404, "99999"),
        ({"event": "liked"}, 422, ["body", "event"]),
        ({"insee": "3201"}, 422, ["body", "insee"]),
        ({"at": "2026-10-01T09:30:00"}, 422, ["body", "at"]),
        ({"at": "9999-12-31T23:59:59-01:00"}, 422, ["body", "at"]),
        ({"at": "yesterday"}, 422, ["body", "at"]),
    ],
)
def test_a_bad_outcome_is_refused(
    client: TestClient, change: dict[str, Any], status: int, where: object
) -> None:
    body = {"prospect_id": add_prospect(client), "insee": PARTNER, "event": "visited"}
    response = client.post("/v1/outcomes", json={**body, **change}, headers=STAFF)
    assert response.status_code == status
    if status == 404:
        assert str(where) in response.json()["detail"]
    else:
        assert where in locs(response)


# -- homes ----------------------------------------------------------------------------------


def test_homes_feed_the_next_recommendation(client: TestClient) -> None:
    profile = {
        "profession": "translator",
        "connectivity": "basic",
        "housing": {"tenure": "buy", "budget_eur": 150000, "min_bedrooms": 2},
    }
    before = client.post(f"/v1/recommendations?k={PARTNERS}", json=profile).json()
    village = next(r for r in before["results"] if r["insee"] == PARTNER)
    assert village["facts"]["homes_matching"] == 0
    homes = {
        "homes": [
            {"tenure": "buy", "price_eur": 120000, "bedrooms": 3, "surface_m2": 95},
            {"tenure": "buy", "price_eur": 140000, "bedrooms": 2},
            {"tenure": "rent", "price_eur": 650, "bedrooms": 3, "description": "Maison de bourg"},
        ]
    }
    put = client.put(f"/v1/villages/{PARTNER}/homes", json=homes, headers=STAFF)
    assert put.status_code == 200
    assert client.get(f"/v1/villages/{PARTNER}/homes", headers=STAFF).json()["homes"] == [
        {"surface_m2": None, "description": None} | home for home in homes["homes"]
    ]
    after = client.post(f"/v1/recommendations?k={PARTNERS}", json=profile).json()
    changed = next(r for r in after["results"] if r["insee"] == PARTNER)
    assert changed["facts"]["homes_matching"] == 2
    assert changed["facts"]["homes_available"] == 3
    assert changed["contributions"]["housing"] > village["contributions"]["housing"]
    assert client.get(f"/v1/villages/{PARTNER}").json()["homes_available"] == 3
    cleared = client.put(f"/v1/villages/{PARTNER}/homes", json={"homes": []}, headers=STAFF)
    assert cleared.json()["homes"] == []


@pytest.mark.parametrize(
    ("insee", "body", "status", "where"),
    [
        ("99999", {"homes": []}, 404, "99999"),
        (NOT_PARTNER, {"homes": []}, 404, "not a partner"),
        (PARTNER, {"homes": [{"tenure": "lease"}]}, 422, ["body", "homes", 0, "tenure"]),
        (
            PARTNER,
            {"homes": [{"tenure": "buy", "price_eur": -1, "bedrooms": 2}]},
            422,
            ["body", "homes", 0, "price_eur"],
        ),
        (PARTNER, [], 422, ["body"]),
    ],
)
def test_bad_homes_are_refused_and_change_nothing(
    client: TestClient, insee: str, body: object, status: int, where: object
) -> None:
    listed = {"homes": [{"tenure": "rent", "price_eur": 500, "bedrooms": 1}]}
    client.put(f"/v1/villages/{PARTNER}/homes", json=listed, headers=STAFF)
    response = client.put(f"/v1/villages/{insee}/homes", json=body, headers=STAFF)
    assert response.status_code == status
    if status == 404:
        assert str(where) in response.json()["detail"]
    else:
        assert where in locs(response)
    kept = client.get(f"/v1/villages/{PARTNER}/homes", headers=STAFF).json()["homes"]
    assert len(kept) == 1


# -- weights and exposure --------------------------------------------------------------------


def test_new_weights_are_versioned_and_used_from_the_next_request(client: TestClient) -> None:
    before = client.post("/v1/recommendations", json=API_EXAMPLE_PROFILE).json()
    weights = dict.fromkeys(CRITERION_CODES, 1.0) | {"community": 0.0, "housing": 5.0}
    body = {"name": "housing-first", "description": "Essai", "weights": weights}
    response = client.put("/v1/weights", json=body, headers=ANALYST)
    assert response.status_code == 200
    stored = response.json()
    assert stored["name"] == "housing-first"
    assert stored["weights"] == weights
    assert stored["version"].endswith(".2")
    assert stored["created_by"].startswith("analyst:")
    assert client.get("/v1/weights", headers=STAFF).json() == stored
    after = client.post("/v1/recommendations", json=API_EXAMPLE_PROFILE).json()
    assert after["model"] == {"name": "housing-first", "version": stored["version"]}
    assert after["results"][0]["contributions"]["community"] == 0.0
    assert before["results"] != after["results"]
    assert client.get("/v1/health").json()["model"]["name"] == "housing-first"


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"schools": -1.0}, ["body", "weights", "schools"]),
        ({"schools": "high"}, ["body", "weights", "schools"]),
        ({"wifi": 1.0}, ["body", "weights", "wifi"]),
        ({"schools": None}, ["body", "weights", "schools"]),
        (dict.fromkeys(CRITERION_CODES, 0.0), ["body", "weights"]),
        ({"schools": 1e308}, ["body", "weights", "schools"]),
    ],
)
def test_bad_weights_are_a_422_and_leave_the_active_profile(
    client: TestClient, change: dict[str, Any], loc: list[str | int]
) -> None:
    weights = dict.fromkeys(CRITERION_CODES, 1.0) | change
    body = {"name": "bad", "weights": weights}
    response = client.put("/v1/weights", json=body, headers=ANALYST)
    assert response.status_code == 422
    assert loc in locs(response)
    assert client.get("/v1/weights", headers=STAFF).json()["name"] == "default"


def test_a_nan_or_missing_weight_is_refused(client: TestClient) -> None:
    weights = {code: 1.0 for code in CRITERION_CODES if code != "schools"}
    missing = client.put("/v1/weights", json={"name": "m", "weights": weights}, headers=ANALYST)
    assert ["body", "weights", "schools"] in locs(missing)
    text = json.dumps({"name": "n", "weights": {**weights, "schools": 1.5}})
    nan = client.put(
        "/v1/weights",
        content=text.replace("1.5", "NaN"),
        headers={**ANALYST, "Content-Type": "application/json"},
    )
    assert nan.status_code == 422
    assert ["body", "weights", "schools"] in locs(nan)


def test_exposure_counts_the_villages_shown(client: TestClient) -> None:
    for _ in range(3):
        client.post("/v1/recommendations?k=4", json=API_EXAMPLE_PROFILE)
    body = client.get("/v1/exposure", headers=STAFF).json()
    assert body["rankings"] == 3
    assert len(body["villages"]) == PARTNERS
    assert sum(v["appearances"] for v in body["villages"]) == 12
    assert [v["appearances"] for v in body["villages"][:4]] == [3, 3, 3, 3]
    assert body["villages"][0]["share"] == 1.0
    assert 0.9 < body["gini"] <= 1.0, "4 villages of 52 take every appearance"
    later = client.get("/v1/exposure?since=2099-01-01T00:00:00Z", headers=STAFF).json()
    assert later["rankings"] == 0
    assert later["gini"] == 0.0
    naive = client.get("/v1/exposure?since=2026-01-01T00:00:00", headers=STAFF)
    assert naive.status_code == 422
    assert locs(naive) == [["query", "since"]]


# -- documentation ----------------------------------------------------------------------------


def test_docs_work_offline(shared_client: TestClient) -> None:
    page = shared_client.get("/docs").text
    assert "https://" not in page
    assert "http://" not in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"):
        assert f"/static/docs/{asset}" in page
        assert shared_client.get(f"/static/docs/{asset}").status_code == 200


def test_the_openapi_schema_lists_every_api_md_endpoint(shared_client: TestClient) -> None:
    paths = shared_client.get("/openapi.json").json()["paths"]
    expected = {
        "/v1/health": {"get"},
        "/v1/professions": {"get"},
        "/v1/villages": {"get"},
        "/v1/villages/{insee}": {"get"},
        "/v1/villages.geojson": {"get"},
        "/v1/recommendations": {"post"},
        "/v1/recommendations/batch": {"post"},
        "/v1/prospects": {"post"},
        "/v1/prospects/{prospect_id}": {"get", "delete"},
        "/v1/prospects/{prospect_id}/shortlist": {"get"},
        "/v1/outcomes": {"post"},
        "/v1/villages/{insee}/homes": {"get", "put"},
        "/v1/weights": {"get", "put"},
        "/v1/exposure": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path


def test_public_endpoints_store_nothing_personal(client: TestClient) -> None:
    client.post("/v1/recommendations?k=3", json=API_EXAMPLE_PROFILE)
    client.post("/v1/recommendations/batch?k=3", json={"profiles": [API_EXAMPLE_PROFILE]})
    state = client.app.state.sohosolo  # type: ignore[attr-defined]
    state.exposure.flush()  # the rows are written once a second: now
    store = state.store
    from sqlalchemy import func, select

    from service.db.models import ExposureRow, ProspectRow

    with store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProspectRow)) == 0
        shown = session.scalars(select(ExposureRow)).all()
    assert sum(row.shown for row in shown) == 6
    assert {row.channel for row in shown} == {"public", "batch"}
    assert set(ExposureRow.__table__.columns.keys()) == {"at", "channel", "insee", "rank", "shown"}
