"""Refreshing fibre from ARCEP's own "Commune" table, as DBF or CSV, as staff do each quarter."""

import struct
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geodata import fibre
from geodata.build import build_villages
from geodata.exceptions import RawDataError
from geodata.io import packaged_path, read_arcep_communes
from service.cli import main

FIELDS = [("INSEE_COM", "C", 5), ("NOM_COM", "C", 30), ("ftth", "N", 9), ("Locaux", "N", 9)]
VIVREA = "broadband/arcep_ftth_pct_commune_vivrea_2026-02_gers_voisins.csv"


def write_dbf(path: Path, rows: list[tuple[object, ...]], fields=FIELDS) -> Path:
    """A dBase III table as ARCEP publishes it: a 32-byte header, 32 bytes per field, then
    fixed-width records (text left-aligned, numbers right-aligned), in Windows-1252."""
    record = 1 + sum(width for _, _, width in fields)
    header = struct.pack("<BBBBIHH20x", 3, 126, 2, 20, len(rows), 33 + 32 * len(fields), record)
    descriptors = b"".join(
        struct.pack("<11sc4xBB14x", name.encode("ascii"), kind.encode("ascii"), width, 0)
        for name, kind, width in fields
    )
    body = b"".join(
        b" "
        + b"".join(
            (str(value).ljust(width) if kind == "C" else str(value).rjust(width))
            .encode("cp1252")
            .ljust(width)[:width]
            for (_, kind, width), value in zip(fields, row, strict=True)
        )
        for row in rows
    )
    path.write_bytes(header + descriptors + b"\r" + body + b"\x1a")
    return path


CODES = pd.Index(["32013", "32365", "32416"])
ROWS = [
    ("32013", "Auch", 5000, 5241),
    ("32365", "Cap d'Astarac", 300, 320),
    ("32067", "Cabas-Loumassès", 40, 40),  # an old code of Cap d'Astarac: summed into it
    ("32416", "Sarrant", 260, 250),  # more connectable premises than premises: capped
    ("31555", "Toulouse", 300000, 320000),  # other départements are ignored
]


def test_a_dbf_is_read_without_gdal_extras(tmp_path) -> None:
    table = read_arcep_communes(write_dbf(tmp_path / "2025t4_commune.dbf", ROWS))
    assert list(table.columns) == ["INSEE_COM", "ftth", "Locaux"]
    assert table["INSEE_COM"].tolist() == [r[0] for r in ROWS]
    share = fibre.arcep_shares(table, CODES, "test")
    assert share.name == "ftth_share"
    assert share.to_dict() == {"32013": 0.954, "32365": 0.944, "32416": 1.0}


def test_a_csv_in_windows_1252_with_semicolons_and_codes_as_numbers(tmp_path) -> None:
    lines = ["insee_com;nom_com;FTTH;LOCAUX"]
    lines += [f"{int(code)};{name};{ftth};{premises}" for code, name, ftth, premises in ROWS]
    lines.append("1001;L'Abergement-Clémenciat;10;400")
    path = tmp_path / "commune.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    table = read_arcep_communes(path)
    assert table["INSEE_COM"].iloc[-1] == "01001"  # the leading zero restored
    share = fibre.arcep_shares(table, CODES, "test")
    assert share["32013"] == 0.954


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (ROWS[:1], r"test: expected the 3 Gers communes of COG 2025; missing \['32365', '32416'\]"),
        ([*ROWS, ("32999", "Nowhere", 1, 1)], r"unexpected \['32999'\]"),
        ([("32013", "Auch", 0, 0), *ROWS[1:]], "commune 32013 has no premises"),
        ([("32013", "Auch", "n/a", 5), *ROWS[1:]], "'ftth' expected a count of premises, found"),
    ],
)
def test_bad_arcep_rows_are_named(tmp_path, rows, message) -> None:
    table = pd.DataFrame(rows, columns=["INSEE_COM", "name", "ftth", "Locaux"])
    with pytest.raises(RawDataError, match=message):
        fibre.arcep_shares(table, CODES, "test")


def test_a_table_of_another_kind_is_named(tmp_path) -> None:
    fields = [("INSEE_COM", "C", 5), ("ftth", "N", 9)]
    path = write_dbf(tmp_path / "2025t4.dbf", [("32013", 5000)], fields)
    with pytest.raises(RawDataError, match=r"column\(s\) 'Locaux' missing"):
        read_arcep_communes(path)
    sheet = tmp_path / "2025t4.xlsx"
    sheet.write_bytes(b"PK")
    with pytest.raises(RawDataError, match=r"expected a \.dbf or \.csv file, found '\.xlsx'"):
        read_arcep_communes(sheet)
    with pytest.raises(RawDataError, match="is missing"):
        read_arcep_communes(tmp_path / "none.dbf")


@pytest.mark.parametrize(
    ("name", "given", "vintage"),
    [
        ("2025t3_commune.dbf", None, "ARCEP T3 2025"),
        ("2026_T1-commune.csv", None, "ARCEP T1 2026"),
        ("commune-T4-2025.csv", None, "ARCEP T4 2025"),
        ("commune.dbf", " ARCEP T2 2026 ", "ARCEP T2 2026"),
        ("2025t3_commune.dbf", "ARCEP septembre 2025", "ARCEP septembre 2025"),
    ],
)
def test_the_vintage_is_given_or_read_from_the_name(name, given, vintage) -> None:
    assert fibre.arcep_vintage(name, given) == vintage


def test_a_vintage_that_cannot_be_told_is_refused() -> None:
    with pytest.raises(RawDataError, match=r"expected a quarter in its name .*--ftth-vintage"):
        fibre.arcep_vintage("commune.dbf")
    with pytest.raises(RawDataError, match="expected a text such as 'ARCEP T3 2025'"):
        fibre.arcep_vintage("2025t3.dbf", "  ")


@pytest.fixture(scope="module")
def quarter(raw_dir, tmp_path_factory) -> Path:
    """An ARCEP table for the 458 communes, with the packaged shares (ftth = per mille)."""
    vivrea = pd.read_csv(raw_dir / VIVREA, dtype={"insee_com": str, "insee_dep": str})
    gers = vivrea[vivrea["insee_dep"] == "32"]
    rows = [
        (code, name, round(percent * 10), 1000)
        for code, name, percent in zip(
            gers["insee_com"], gers["nom"], gers["fibre_pct"], strict=True
        )
    ]
    rows[0] = (rows[0][0], rows[0][1], 0, 1000)  # a change: the first commune loses its fibre
    folder = tmp_path_factory.mktemp("arcep")
    return write_dbf(folder / "2025t4_commune.dbf", [*rows, ("31555", "Toulouse", 9, 10)])


@pytest.mark.raw
def test_a_build_with_a_newer_quarter_changes_only_the_fibre(raw_dir, quarter) -> None:
    built = build_villages(raw_dir, ftth=quarter)
    packaged = gpd.read_parquet(packaged_path("villages.parquet")).set_index("insee", drop=False)
    assert (built["ftth_vintage"] == "ARCEP T4 2025").all()
    first = built.index[0]
    assert built.loc[first, "ftth_share"] == 0.0
    pd.testing.assert_series_equal(
        built["ftth_share"].drop(first), packaged["ftth_share"].drop(first), check_names=False
    )
    same = [c for c in built.columns if c not in ("ftth_share", "ftth_vintage", "geometry")]
    pd.testing.assert_frame_equal(
        pd.DataFrame(built[same]).reset_index(drop=True),
        pd.DataFrame(packaged[same]).reset_index(drop=True),
    )


@pytest.mark.raw
def test_the_command_line_refreshes_fibre(raw_dir, quarter, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    command = ["data", "build", "--raw", str(raw_dir), "--out", str(out), "--ftth", str(quarter)]
    assert main([*command, "--ftth-vintage", "ARCEP T4 2025 (test)"]) == 0
    assert "wrote" in capsys.readouterr().out
    villages = gpd.read_parquet(out / "villages.parquet")
    assert set(villages["ftth_vintage"]) == {"ARCEP T4 2025 (test)"}
    unnamed = quarter.with_name("commune.dbf")
    unnamed.write_bytes(quarter.read_bytes())
    command[-1] = str(unnamed)
    assert main(command) == 2
    assert "--ftth-vintage" in capsys.readouterr().err
