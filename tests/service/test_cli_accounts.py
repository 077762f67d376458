"""``sohosolo key --role committee`` and ``sohosolo account``: a fresh install's first staff
account, and committee keys that work for their villages only."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.cli import main
from service.config import get_settings
from tests.service.api import PARTNER
from tests.service.conftest import make_settings
from tests.service.people import OTHER_PARTNER, PASSWORD, sign_in, token_of


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("SOHOSOLO_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_a_committee_key_opens_its_villages_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["key", "--role", "committee", "--village", PARTNER, "--village", PARTNER]) == 0
    out = capsys.readouterr().out
    key = out.split("it is not stored anywhere): ")[1].split()[0]
    entry = out.split("SOHOSOLO_COMMITTEE_API_KEYS=")[1].strip()
    assert entry.startswith("sha256:")
    assert entry.endswith(f"@{PARTNER}")
    settings = make_settings(tmp_path, committee_api_keys=[entry])
    with TestClient(create_app(settings)) as client:
        headers = {"X-API-Key": key}
        assert client.get(f"/v1/villages/{PARTNER}/homes", headers=headers).status_code == 200
        assert client.get(f"/v1/villages/{OTHER_PARTNER}/homes", headers=headers).status_code == 403
        assert client.get("/v1/weights", headers=headers).status_code == 403


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["key", "--role", "committee"], "one village or more"),
        (["key", "--role", "staff", "--village", PARTNER], "one village or more"),
        (["key", "--role", "committee", "--village", "32002"], "expected partner villages"),
    ],
)
def test_a_key_with_wrong_villages_is_refused(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "entry", ["sha256:" + "ab" * 32, "sha256:" + "ab" * 32 + "@", "sha256:" + "ab" * 32 + "@3200x"]
)
def test_a_committee_key_without_readable_villages_stops_the_service(
    tmp_path: Path, entry: str
) -> None:
    app = create_app(make_settings(tmp_path, committee_api_keys=[entry]))
    with pytest.raises(ValueError, match="expected the key, then @"), TestClient(app):
        pass


def test_the_first_staff_account_of_a_fresh_install(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["account", "invite", "--role", "staff", "--email", "marie@example.org"]
    assert main([*argv, "--name", "Marie Dupont"]) == 0
    said = capsys.readouterr().out.strip().splitlines()
    assert said[0].startswith("compte 1 (équipe Soho Solo) invité ; le lien ne sert qu'une fois")
    link = said[-1]
    assert link.startswith("http://127.0.0.1:8000/intranet/invitation/")
    with TestClient(create_app(make_settings(tmp_path, database))) as client:
        accepted = client.post(f"/v1/invitations/{token_of(link)}", json={"password": PASSWORD})
        assert accepted.status_code == 201
        headers = sign_in(client, "marie@example.org")
        assert client.get("/v1/accounts", headers=headers).status_code == 200
    assert main(["account", "list"]) == 0
    listed = capsys.readouterr().out
    assert "actif" in listed
    assert "marie@example.org" in listed
    assert "équipe Soho Solo" in listed
    assert main(["account", "list", "--lang", "en"]) == 0
    assert "Soho Solo staff" in capsys.readouterr().out
    assert main(["account", "disable", "1"]) == 0
    assert capsys.readouterr().out == "compte 1 : désactivé, sessions fermées\n"
    assert main(["account", "enable", "1", "--lang", "en"]) == 0
    assert capsys.readouterr().out == "account 1 active\n"
    assert main(["account", "disable", "1", "--lang", "en"]) == 0
    assert "disabled, signed out" in capsys.readouterr().out
    assert main(["account", "disable", "7"]) == 2
    assert "no such account" in capsys.readouterr().err
