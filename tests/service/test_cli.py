import pytest

from service.cli import EXAMPLES, main


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
    ],
)
def test_every_command_has_help_with_an_example(argv, example, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    assert example in capsys.readouterr().out
