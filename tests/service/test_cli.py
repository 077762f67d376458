import argparse
import codecs
import csv
import fcntl
import hashlib
import io
import json
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
from collections.abc import Iterator

import pytest

import geodata
import matcher
from features.table import PROSPECT_COLUMNS, read_prospect_rows, write_prospect_rows
from matcher.history import evaluate_weights, simulated_history, write_outcomes
from matcher.ranking import RANKING_COLUMNS, Ranking
from matcher.simulate import simulate_profiles
from matcher.weights import WeightProfile, load_weight_profile, save_weight_profile
from service.cli import build_parser, examples, main
from tests.conftest import API_EXAMPLE_PROFILE, REPO


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
    assert "sohosolo : erreur :" in capsys.readouterr().err
    assert main(["map", "--out", str(blocker / "map.svg"), "--lang", "en"]) == 2
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


def test_map_takes_the_issues_short_name_and_writes_a_png(tmp_path) -> None:
    out = tmp_path / "map.png"
    assert main(["map", "--attribute", "fibre", "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_dictionary_prints_markdown(capsys) -> None:
    assert main(["data", "dictionary"]) == 0
    assert capsys.readouterr().out.startswith("# The packaged village data")


def _commands(parser=None, path=()):
    """Every command path of the parser, groups included (``("data", "build")``...)."""
    parser = parser or build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name)
                yield from _commands(sub, (*path, name))


COMMANDS = sorted(_commands())


def test_the_command_list_is_complete() -> None:
    assert {" ".join(c) for c in COMMANDS} >= {"rank", "batch", "evaluate", "map", "serve"}


@pytest.mark.parametrize("command", [(), *COMMANDS], ids=lambda c: " ".join(c) or "sohosolo")
def test_every_command_has_help_with_an_example_in_french_by_default(command, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert re.search(r"^exemple\u00a0: (\S+=\S+ )?sohosolo ", out, re.MULTILINE)
    assert examples("fr")[command[-1] if command else "main"] in out
    with pytest.raises(SystemExit):
        main([*command, "--help", "--lang", "en"])
    english = capsys.readouterr().out
    assert re.search(r"^example: (\S+=\S+ )?sohosolo ", english, re.MULTILINE)
    assert examples("en")[command[-1] if command else "main"] in english


def test_each_language_has_an_example_for_every_command() -> None:
    names = {command[-1] for command in COMMANDS} | {"main"}
    assert set(examples("fr")) == names == set(examples("en"))


def test_rank_prints_a_table_by_default(tmp_path, capsys) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(API_EXAMPLE_PROFILE), encoding="utf-8")
    assert main(["rank", str(profile), "--k", "3"]) == 0
    out = capsys.readouterr().out
    (ranking,) = matcher.recommend([API_EXAMPLE_PROFILE], _partners(), k=3)
    assert out.startswith("Travail\u00a0: Développeur·se logiciel, 5 jours de télétravail")
    assert "Villages proposés (adéquation de 0 à 1, modèle default " in out
    first = ranking.results[0]
    score = f"{first.score:.3f}".replace(".", ",")
    assert re.search(rf"^  1\. {first.name} \({first.insee}\) +{score}$", out, re.MULTILINE)
    assert f"     - {first.reasons[0]}\n" in out
    assert f"Villages exclus ({len(ranking.excluded)})" in out
    assert "Pour élargir la recherche" in out
    assert main(["rank", str(profile), "--k", "3", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Suggested villages (match from 0 to 1, model default " in out
    assert "Work: Software developer" in out


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
    database = tmp_path / "var" / "sohosolo.sqlite3"
    assert database.is_file()
    assert (
        capsys.readouterr().out
        == f"database SQLite {database} (new: created empty now): up to date\n"
    )
    get_settings.cache_clear()
    try:
        assert main(["db", "upgrade"]) == 0
    finally:
        get_settings.cache_clear()
    assert capsys.readouterr().out == f"database SQLite {database} (existing): up to date\n"


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, object]]]:
    """``sohosolo serve`` up to the point where it would start uvicorn; its calls recorded."""
    import uvicorn

    from service.config import get_settings

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    get_settings.cache_clear()
    yield calls
    get_settings.cache_clear()


def test_the_default_database_does_not_depend_on_the_working_folder(
    tmp_path, capsys, monkeypatch, no_server
) -> None:
    from service.config import get_settings

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("SOHOSOLO_DATA_DIR", raising=False)
    monkeypatch.delenv("SOHOSOLO_DATABASE_URL", raising=False)
    database = tmp_path / "data" / "sohosolo" / "sohosolo.sqlite3"
    lines = []
    for folder in ("first", "second"):
        (tmp_path / folder).mkdir()
        monkeypatch.chdir(tmp_path / folder)
        get_settings.cache_clear()
        assert main(["serve"]) == 0
        lines.append(capsys.readouterr().out.splitlines()[0])
    assert lines == [
        f"sohosolo: database SQLite {database} (new: created empty now)",
        f"sohosolo: database SQLite {database} (existing)",
    ]
    assert not (tmp_path / "first" / "var").exists()
    assert len(no_server) == 2


def test_serve_points_at_the_database_an_earlier_version_left_here(
    tmp_path, capsys, monkeypatch, no_server
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("SOHOSOLO_DATA_DIR", raising=False)
    monkeypatch.delenv("SOHOSOLO_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "sohosolo.sqlite3").write_bytes(b"")
    assert main(["serve"]) == 0
    out = capsys.readouterr().out
    assert f"note: {tmp_path / 'var' / 'sohosolo.sqlite3'} holds the database of an earlier " in out
    assert f"set SOHOSOLO_DATA_DIR={tmp_path / 'var'}" in out


def test_sohosolo_data_dir_still_names_the_folder(tmp_path, capsys, monkeypatch, no_server) -> None:
    monkeypatch.setenv("SOHOSOLO_DATA_DIR", str(tmp_path / "mine"))
    monkeypatch.delenv("SOHOSOLO_DATABASE_URL", raising=False)
    assert main(["serve"]) == 0
    database = tmp_path / "mine" / "sohosolo.sqlite3"
    assert f"database SQLite {database} (new: created empty now)" in capsys.readouterr().out
    assert database.is_file()


# -- rankings in bulk and evaluation ---------------------------------------------------------


def _partners():
    villages = geodata.read_villages()
    return villages[villages["partner"]]


PROSPECT_LINES = [
    ",".join(PROSPECT_COLUMNS),
    "ana,software_developer,5,video_calls,2,4 12,buy,220000,3,45,no,any,connectivity housing",
    "ben,translator,,basic,1,,rent,650,1,,,village,",
    "carl,astronaut,5,basic,1,,,,,,,,",
    "dora,consultant,3,video_calls,2,15,buy,-5,3,,yes,small_town,access_toulouse",
    "emma,web_designer,4,large_uploads,2,,,,,,,,",
]


def _read_csv(path):
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_batch_ranks_every_readable_row_and_reports_the_others(tmp_path, capsys) -> None:
    prospects, out = tmp_path / "prospects.csv", tmp_path / "rankings.csv"
    prospects.write_text("\n".join(PROSPECT_LINES) + "\n", encoding="utf-8")
    assert main(["batch", str(prospects), "--out", str(out), "--k", "3"]) == 1
    french = capsys.readouterr()
    assert f"{prospects} : ligne 4 : profession\u00a0: Choisissez" in french.err
    assert (
        f"{prospects} : ligne 5 : budget_eur\u00a0: Doit être supérieur à 0 (trouvé « -5 »)"
        " ; ligne ignorée" in french.err
    )
    assert french.err.count("ligne ignorée") == 2
    assert french.out.startswith(
        f"3 prospect(s) classé(s) (2 ligne(s) ignorée(s)), 9 résultat(s) écrit(s) dans {out} ; "
    )
    english = ["batch", str(prospects), "--out", str(tmp_path / "en.csv"), "--k", "3"]
    assert main([*english, "--lang", "en"]) == 1
    captured = capsys.readouterr()
    assert f"{prospects}: line 4: profession: Choose one of the" in captured.err
    assert f"{prospects}: line 5: budget_eur: Must be over 0 (found '-5'); row skipped" in (
        captured.err
    )
    assert captured.err.count("row skipped") == 2
    assert captured.out.startswith(
        f"ranked 3 prospects (2 rows skipped), wrote 9 results to {tmp_path / 'en.csv'}; "
    )
    rows = _read_csv(out)
    assert list(rows[0]) == list(RANKING_COLUMNS)
    assert [r["prospect_id"] for r in rows] == ["ana"] * 3 + ["ben"] * 3 + ["emma"] * 3
    readable = read_prospect_rows(prospects)
    expected = matcher.recommend(readable.profiles, _partners(), k=3)
    for prospect_id, ranking in zip(readable.ids, expected, strict=True):
        mine = [r for r in rows if r["prospect_id"] == prospect_id]
        assert [r["insee"] for r in mine] == [x.insee for x in ranking.results]
        assert [r["reasons"] for r in mine] == [" | ".join(x.reasons) for x in ranking.results]
        assert {r["excluded"] for r in mine} == {str(len(ranking.excluded))}


def test_batch_of_clean_rows_exits_0_and_keeps_a_prospect_with_no_village(tmp_path, capsys) -> None:
    prospects, out = tmp_path / "prospects.csv", tmp_path / "rankings.csv"
    # A budget of 1 euro with housing as a must opens no village: the prospect still appears.
    prospects.write_text(
        f"{PROSPECT_LINES[0]}\nzed,translator,,basic,1,,buy,1,,,,,housing\n{PROSPECT_LINES[2]}\n",
        encoding="utf-8",
    )
    assert main(["batch", str(prospects), "--out", str(out), "--k", "2", "--lang", "en"]) == 0
    rows = _read_csv(out)
    assert rows[0] | {"excluded": None} == {
        "prospect_id": "zed",
        "rank": "",
        "insee": "",
        "name": "",
        "score": "",
        "reasons": "",
        "excluded": None,
    }
    assert rows[0]["excluded"] == "52"
    assert [r["rank"] for r in rows[1:]] == ["1", "2"]
    assert "ranked 2 prospects (0 rows skipped)" in capsys.readouterr().out


def test_batch_with_an_unreadable_header_writes_nothing(tmp_path, capsys) -> None:
    prospects, out = tmp_path / "prospects.csv", tmp_path / "rankings.csv"
    prospects.write_text("prospect_id,job,connectivity\na,translator,basic\n", encoding="utf-8")
    out.write_text("the previous rankings\n", encoding="utf-8")
    assert main(["batch", str(prospects), "--out", str(out)]) == 2
    assert "unknown column 'job' in the header" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "the previous rankings\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prospects.csv", "rankings.csv"]


def test_batch_exposure_aware_shows_more_villages(tmp_path, capsys) -> None:
    ids = [f"p{i}" for i in range(150)]
    prospects = tmp_path / "prospects.csv"
    prospects.write_text(
        write_prospect_rows(ids, simulate_profiles(150, random_state=4)), encoding="utf-8"
    )
    shown = {}
    for flag in ([], ["--exposure-aware"]):
        out = tmp_path / f"rankings{len(flag)}.csv"
        assert main(["batch", str(prospects), "--out", str(out), "--k", "5", *flag]) == 0
        shown[bool(flag)] = {r["insee"] for r in _read_csv(out)}
        summary = capsys.readouterr().out
        assert f"{len(shown[bool(flag)] - {''})} village(s) sur 52 montré(s)" in summary
    assert len(shown[True]) > len(shown[False])


def test_batch_shows_a_progress_bar_on_a_terminal(tmp_path) -> None:
    prospects, out = tmp_path / "prospects.csv", tmp_path / "rankings.csv"
    prospects.write_text("\n".join(PROSPECT_LINES[:3]) + "\n", encoding="utf-8")
    leader, follower = pty.openpty()
    # A new terminal is 0 columns wide, where tqdm would draw an empty bar.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "service.cli", "batch", str(prospects), "--out", str(out)],
            stderr=follower,
            stdout=subprocess.PIPE,
            cwd=REPO,
            timeout=120,
            check=False,
        )
        os.close(follower)
        follower = -1
        terminal = b""
        while chunk := _read_available(leader):
            terminal += chunk
    finally:
        for fd in (leader, follower):
            if fd >= 0:
                os.close(fd)
    assert done.returncode == 0
    assert b"ranking: 100%" in terminal
    assert b"2/2" in terminal
    # Not on a pipe: a log must not fill with bars.
    piped = subprocess.run(
        [sys.executable, "-m", "service.cli", "batch", str(prospects), "--out", str(out)],
        capture_output=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert b"ranking:" not in piped.stderr


def _read_available(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # the terminal is closed once its other end is
        return b""


def test_evaluate_prints_the_metrics_of_each_profile(tmp_path, capsys) -> None:
    partners = _partners()
    history = simulated_history(partners, 200, TUNED, random_state=7)
    outcomes = write_outcomes(history, tmp_path / "outcomes.csv")
    tuned = save_weight_profile(
        WeightProfile(name="tuned", version="2026-11-22.1", weights=TUNED), tmp_path / "t.toml"
    )
    assert main(["evaluate", str(outcomes), "--weights", "default", "--weights", str(tuned)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        f"{outcomes} : {len(history.events)} événement(s) de 200 prospect(s) (0 ligne(s) "
        "ignorée(s)), 52 villages partenaires"
    )
    assert lines[1].split()[-2:] == ["tuned", "2026-11-22.1"]
    expected = [evaluate_weights(history, partners, w) for w in ("default", TUNED)]
    for line, metric in zip(
        lines[2:], ["ndcg@5", "recall@5", "coverage@5", "exposure_gini"], strict=True
    ):
        assert line.split() == [metric, *(f"{e.metrics()[metric]:.3f}" for e in expected)]
    assert main(["evaluate", str(outcomes), "--format", "json", "--exposure-aware"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    spread = evaluate_weights(history, partners, "default", exposure_aware_rerank=True)
    assert report["metrics"] == pytest.approx(spread.metrics())
    assert report["exposure_aware"] is True
    assert report["prospects"] == 200


def test_evaluate_reports_rows_it_cannot_use(tmp_path, capsys) -> None:
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(
        "prospect_id,profession,connectivity,insee,event\n"
        "a,translator,basic,32249,settled\n"
        "b,translator,basic,32249,liked\n",
        encoding="utf-8",
    )
    assert main(["evaluate", str(outcomes)]) == 1
    french = capsys.readouterr().err
    assert "ligne 3 : event\u00a0: l'un de shortlisted, visit_planned" in french
    assert "« liked » ; ligne ignorée" in french
    assert main(["evaluate", str(outcomes), "--lang", "en"]) == 1
    captured = capsys.readouterr()
    assert "line 3: event: expected one of shortlisted, visit_planned, visited" in captured.err
    assert "1 events of 1 prospects (1 rows skipped)" in captured.out
    outcomes.write_text("prospect_id,profession,connectivity,insee\n", encoding="utf-8")
    assert main(["evaluate", str(outcomes)]) == 2
    assert "expected a column 'event' in the header" in capsys.readouterr().err


TUNED = dict(load_weight_profile("default").weights) | {"schools": 6.0, "connectivity": 0.5}


def _readme_block(after: str, language: str) -> str:
    """The first ``language`` code block of the README after the text ``after``."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    rest = text[text.index(after) :]
    start = rest.index(f"```{language}\n") + len(language) + 4
    return rest[start : rest.index("```\n", start)]


def test_the_readme_rank_output_is_what_the_command_prints(tmp_path, capsys) -> None:
    commands = _readme_block("### One prospect", "bash")
    profile = commands.split("<<'EOF'\n", 1)[1].split("\nEOF\n", 1)[0]
    (tmp_path / "profile.json").write_text(profile, encoding="utf-8")
    argv = commands.strip().splitlines()[-1].split()
    assert argv[:3] == [".venv/bin/sohosolo", "rank", "profile.json"]
    assert main([argv[1], str(tmp_path / "profile.json"), *argv[3:]]) == 0
    assert capsys.readouterr().out == _readme_block("### One prospect", "text")


def test_the_readme_prospect_file_ranks_cleanly(tmp_path, capsys) -> None:
    prospects = tmp_path / "prospects.csv"
    prospects.write_text(_readme_block("### Rankings in bulk", "csv"), encoding="utf-8")
    assert main(["batch", str(prospects), "--out", str(tmp_path / "rankings.csv")]) == 0
    assert "2 prospect(s) classé(s) (0 ligne(s) ignorée(s))" in capsys.readouterr().out


def test_batch_refuses_to_write_over_its_input_or_into_a_folder(tmp_path, capsys) -> None:
    prospects = tmp_path / "prospects.csv"
    prospects.write_text("\n".join(PROSPECT_LINES[:3]) + "\n", encoding="utf-8")
    before = prospects.read_bytes()
    assert main(["batch", str(prospects), "--out", str(prospects)]) == 2
    assert "un autre fichier que celui des prospects est attendu" in capsys.readouterr().err
    assert prospects.read_bytes() == before
    assert main(["batch", str(prospects), "--out", str(tmp_path)]) == 2
    assert "un nom de fichier est attendu, c'est un dossier" in capsys.readouterr().err


def test_a_terminated_batch_leaves_no_partial_file(tmp_path, capsys, monkeypatch) -> None:
    prospects, out = tmp_path / "prospects.csv", tmp_path / "rankings.csv"
    prospects.write_text("\n".join(PROSPECT_LINES[:3]) + "\n", encoding="utf-8")
    out.write_text("the previous rankings\n", encoding="utf-8")
    rows = Ranking.rows

    def rows_then_terminated(self, prospect_id):
        if prospect_id == "ben":  # the second prospect: the temporary file is half written
            os.kill(os.getpid(), signal.SIGTERM)
        return rows(self, prospect_id)

    monkeypatch.setattr(Ranking, "rows", rows_then_terminated)
    handler = signal.getsignal(signal.SIGTERM)
    try:
        assert main(["batch", str(prospects), "--out", str(out)]) == 130
    finally:
        signal.signal(signal.SIGTERM, handler)
    assert capsys.readouterr().err.endswith("sohosolo: interrupted\n")
    assert out.read_text(encoding="utf-8") == "the previous rankings\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prospects.csv", "rankings.csv"]


def test_batch_writes_as_a_french_spreadsheet_exported(tmp_path, capsys) -> None:
    prospects, out = tmp_path / "prospects.csv", tmp_path / "rankings.csv"
    text = "prospect_id;profession;connectivity\r\nzoé;translator;basic\r\n"
    prospects.write_bytes(text.encode("cp1252"))
    assert main(["batch", str(prospects), "--out", str(out), "--k", "1"]) == 0
    assert "pas en UTF-8 ; lu en cp1252" in capsys.readouterr().err
    written = out.read_bytes()
    assert written.startswith(codecs.BOM_UTF8)
    first = written.decode("utf-8-sig").splitlines()[1]
    assert first.startswith("zoé;1;")
    # The score with a decimal comma, as a French spreadsheet reads a number.
    assert re.fullmatch(r"0,\d{1,4}", first.split(";")[4]), first


def test_a_comma_delimited_file_gets_a_decimal_point(tmp_path) -> None:
    prospects, out = tmp_path / "prospects.csv", tmp_path / "rankings.csv"
    prospects.write_text("prospect_id,profession,connectivity\nzoé,translator,basic\n")
    assert main(["batch", str(prospects), "--out", str(out), "--k", "1"]) == 0
    (row,) = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
    assert re.fullmatch(r"0\.\d{1,4}", row["score"])


def _allocation_files(tmp_path, n: int = 40, delimiter: str = ";"):
    prospects = tmp_path / "prospects.csv"
    ids = [f"p{i}" for i in range(n)]
    text = write_prospect_rows(ids, simulate_profiles(n, random_state=3))
    if delimiter == ";":
        text = text.replace(",", ";")
    prospects.write_text(text, encoding="utf-8")
    codes = sorted(geodata.read_partners()["insee"])
    capacities = tmp_path / "capacities.csv"
    capacities.write_text(
        "insee;capacity\n" + "".join(f"{code};{i % 3}\n" for i, code in enumerate(codes))
    )
    return prospects, capacities, ids, {code: i % 3 for i, code in enumerate(codes)}


def test_allocate_keeps_the_capacities_of_a_file_and_tells_who_is_short(tmp_path, capsys) -> None:
    prospects, capacities, ids, capacity = _allocation_files(tmp_path)
    out = tmp_path / "proposals.csv"
    argv = ["allocate", str(prospects), "--out", str(out), "--capacity", str(capacities)]
    assert main([*argv, "--k", "2", "--lang", "en"]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"allocated {len(ids)} prospects (0 rows skipped) under ")
    assert "0.00% from the best possible (exact)" in said
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert {row["prospect_id"] for row in rows} == set(ids)  # every prospect, short ones too
    loads: dict[str, int] = {}
    for row in rows:
        if row["insee"]:
            loads[row["insee"]] = loads.get(row["insee"], 0) + 1
            assert re.fullmatch(r"0,\d{1,4}", row["score"]), row  # a decimal comma
        assert (row["short"] == "yes") == (row["why"] != "")
    assert loads
    assert all(loads[code] <= capacity[code] for code in loads)
    for prospect_id in ids:
        mine = [row for row in rows if row["prospect_id"] == prospect_id and row["insee"]]
        assert len(mine) <= 2
        short = [row["short"] for row in rows if row["prospect_id"] == prospect_id]
        assert set(short) == {"yes" if len(mine) < 2 else "no"}


def test_allocate_is_the_same_as_the_api(tmp_path, capsys) -> None:
    """The command line and POST /v1/allocations run the same code: the same proposals for
    the same prospects and capacities."""
    from fastapi.testclient import TestClient

    from service.app import create_app
    from tests.service.conftest import STAFF, make_settings

    prospects, capacities, _ids, capacity = _allocation_files(tmp_path, n=12, delimiter=",")
    out = tmp_path / "proposals.csv"
    argv = ["allocate", str(prospects), "--out", str(out), "--capacity", str(capacities)]
    assert main([*argv, "--k", "3"]) == 0
    capsys.readouterr()
    by_cli = {
        (row["prospect_id"], row["insee"])
        for row in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
        if row["insee"]
    }
    rows = read_prospect_rows(prospects)
    with TestClient(create_app(make_settings(tmp_path / "api"))) as client:
        stored = {}
        for prospect_id, profile in zip(rows.ids, rows.profiles, strict=True):
            body = {"profile": profile.model_dump(mode="json"), "consent": True}
            stored[client.post("/v1/prospects", json=body, headers=STAFF).json()["id"]] = (
                prospect_id
            )
        for code, n in capacity.items():
            client.put(
                f"/v1/villages/{code}/committee", json={"capacity_per_quarter": n}, headers=STAFF
            )
        answer = client.post(
            "/v1/allocations", json={"prospect_ids": list(stored), "k": 3}, headers=STAFF
        ).json()
    by_api = {
        (stored[p["prospect_id"]], v["insee"]) for p in answer["proposals"] for v in p["villages"]
    }
    assert by_cli == by_api


def test_allocate_reads_the_database_and_names_bad_input(tmp_path, capsys, monkeypatch) -> None:
    from service.config import get_settings

    prospects, capacities, ids, _ = _allocation_files(tmp_path, n=3)
    out = tmp_path / "proposals.csv"
    monkeypatch.setenv("SOHOSOLO_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    try:
        # A new database: no committee stated its capacity, so every prospect is short.
        assert main(["allocate", str(prospects), "--out", str(out), "--quarter", "2027-Q1"]) == 0
        said = capsys.readouterr().out
        assert "selon les comités de la base, 2027-Q1" in said
        assert f"{len(ids)} prospect(s) avec moins de 3 village(s)" in said
        assert main(["allocate", str(prospects), "--out", str(out), "--quarter", "2027-5"]) == 2
        assert "--quarter : un trimestre tel que 2027-Q1 est attendu" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()
    capacities.write_text("insee;capacity\n32002;3\n")
    argv = ["allocate", str(prospects), "--out", str(out), "--capacity", str(capacities)]
    assert main(argv) == 2
    assert "line 2: insee: expected a partner village, found '32002'" in capsys.readouterr().err
    capacities.write_text("insee;capacity\n32001;beaucoup\n")
    assert main(argv) == 2
    assert "capacity: expected a whole number from 0, found 'beaucoup'" in capsys.readouterr().err
