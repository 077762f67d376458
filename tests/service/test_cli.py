import hashlib
import json

import pytest

import geodata
import matcher
from service.cli import EXAMPLES, main
from tests.conftest import API_EXAMPLE_PROFILE


def test_data_check_validates_the_packaged_data(capsys) -> None:
    assert main(["data", "check"]) == 0
    assert "ok: 458 communes (COG 2025), 52 partner villages" in capsys.readouterr().out


def test_data_check_names_a_partner_outside_the_gers(tmp_path, capsys) -> None:
    partners = tmp_path / "partners.csv"
    partners.write_text(
        "insee,name,source\n32013,Auch,staff\n31555,Toulouse,staff\n", encoding="utf-8"
    )
    assert main(["data", "check", "--partners", str(partners)]) == 2
    assert "line 3: expected a Gers INSEE code (32xxx), found '31555'" in capsys.readouterr().err


def test_data_check_names_a_code_that_is_no_commune(tmp_path, capsys) -> None:
    partners = tmp_path / "partners.csv"
    partners.write_text("insee,name,source\n32074,Cannet,staff\n", encoding="utf-8")
    assert main(["data", "check", "--partners", str(partners)]) == 2
    err = capsys.readouterr().err
    assert f"partner file {partners}: partner 32074" in err
    assert "(merged into 32344 in 2019: use 32344)" in err


def test_an_output_path_under_a_file_is_an_error_not_a_traceback(tmp_path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert main(["map", "--out", str(blocker / "map.svg")]) == 2
    assert "sohosolo: error:" in capsys.readouterr().err


def test_data_build_names_a_missing_raw_folder(tmp_path, capsys) -> None:
    assert (
        main(["data", "build", "--raw", str(tmp_path / "none"), "--out", str(tmp_path / "out")])
        == 2
    )
    assert "is missing" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_data_partners_writes_the_default_list(tmp_path) -> None:
    out = tmp_path / "partners.csv"
    assert main(["data", "partners", "--out", str(out)]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 53


def test_map_writes_an_svg(tmp_path) -> None:
    out = tmp_path / "fibre.svg"
    assert main(["map", "--attribute", "ftth_share", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_dictionary_prints_markdown(capsys) -> None:
    assert main(["data", "dictionary"]) == 0
    assert capsys.readouterr().out.startswith("# The packaged village data")


@pytest.mark.parametrize(
    ("argv", "example"),
    [
        (["data", "build", "--help"], EXAMPLES["build"]),
        (["data", "check", "--help"], EXAMPLES["check"]),
        (["data", "partners", "--help"], EXAMPLES["partners"]),
        (["data", "dictionary", "--help"], EXAMPLES["dictionary"]),
        (["map", "--help"], EXAMPLES["map"]),
        (["rank", "--help"], EXAMPLES["rank"]),
        (["serve", "--help"], EXAMPLES["serve"]),
        (["key", "--help"], EXAMPLES["key"]),
        (["db", "upgrade", "--help"], EXAMPLES["upgrade"]),
    ],
)
def test_every_command_has_help_with_an_example(argv, example, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    assert example in capsys.readouterr().out


def test_rank_prints_a_table_by_default(tmp_path, capsys) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(API_EXAMPLE_PROFILE), encoding="utf-8")
    assert main(["rank", str(profile), "--k", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[0] == "1"
    assert any(line.strip().startswith("- ") for line in lines), "reasons under each village"
    assert "excluded by a 'must'" in lines[-1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"profession": "translator"}', "connectivity"),
        ('{"profession": ', "not a valid profile"),
    ],
)
def test_rank_names_what_is_wrong_with_a_profile(tmp_path, capsys, text, message) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text(text, encoding="utf-8")
    assert main(["rank", str(profile)]) == 2
    assert message in capsys.readouterr().err


def test_rank_refuses_k_beyond_the_partners(tmp_path, capsys) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(API_EXAMPLE_PROFILE), encoding="utf-8")
    assert main(["rank", str(profile), "--k", "53"]) == 2
    assert "k: expected a whole number from 1 to 52, found 53" in capsys.readouterr().err


def test_the_same_profile_ranks_the_same_through_api_cli_and_library(
    tmp_path, capsys, client
) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(API_EXAMPLE_PROFILE), encoding="utf-8")
    assert main(["rank", str(profile), "--k", "10", "--lang", "en", "--format", "json"]) == 0
    from_cli = json.loads(capsys.readouterr().out)
    from_api = client.post("/v1/recommendations?k=10&lang=en", json=API_EXAMPLE_PROFILE).json()
    villages = geodata.read_villages()
    (ranking,) = matcher.recommend(
        API_EXAMPLE_PROFILE, villages[villages["partner"]], k=10, lang="en"
    )
    from_library = json.loads(json.dumps(ranking.to_dict()))
    assert from_cli == from_api == from_library
    assert len(from_api["results"]) == 10


def test_key_prints_a_key_and_its_digest(capsys) -> None:
    assert main(["key", "--role", "analyst"]) == 0
    out = capsys.readouterr().out
    key = out.split("stored anywhere): ")[1].split()[0]
    digest = out.split("SOHOSOLO_ANALYST_API_KEYS=sha256:")[1].strip()
    assert hashlib.sha256(key.encode()).hexdigest() == digest
    assert len(key) >= 40


def test_db_upgrade_creates_the_schema(tmp_path, capsys, monkeypatch) -> None:
    from service.config import get_settings

    monkeypatch.setenv("SOHOSOLO_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    try:
        assert main(["db", "upgrade"]) == 0
    finally:
        get_settings.cache_clear()
    assert (tmp_path / "var" / "sohosolo.sqlite3").is_file()
    assert "is up to date" in capsys.readouterr().out
