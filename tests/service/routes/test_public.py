"""Public endpoints: health and the profession vocabulary."""

import pytest
from fastapi.testclient import TestClient

from features.vocab import PROFESSION_CODES
from tests.service.api import PARTNERS, locs


def test_health_names_the_partner_count_and_the_model(shared_client: TestClient) -> None:
    body = shared_client.get("/v1/health").json()
    assert body == {
        "status": "ok",
        "villages": PARTNERS,
        "model": {"name": "default", "version": "2026-12-07"},
        "database": {"writable": True},
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
