import pandas as pd

from geodata import roads, schema
from geodata.io import RAW_FORMATS, packaged_path
from tests.conftest import REPO


def test_the_committed_data_dictionary_is_generated_from_the_schema() -> None:
    committed = (REPO / "geodata" / "DATA.md").read_text(encoding="utf-8")
    assert committed == schema.render_data_dictionary(), (
        "run: sohosolo data dictionary --out geodata/DATA.md"
    )


def test_every_column_names_known_sources() -> None:
    for column in schema.COLUMNS:
        assert column.sources, column.name
        assert set(column.sources) <= set(schema.SOURCES), column.name
    assert set(schema.SOURCES) == set(RAW_FORMATS)
    assert len(schema.COLUMN_NAMES) == len(set(schema.COLUMN_NAMES))


def test_every_source_carries_its_licence_and_vintage() -> None:
    for key, source in schema.SOURCES.items():
        assert source.licence, key
        assert source.vintage, key
        assert source.publisher, key


def test_the_packaged_file_is_compact() -> None:
    assert packaged_path("villages.parquet").stat().st_size < 5_000_000


def test_every_numeric_column_says_in_words_what_it_measures() -> None:
    for column in schema.COLUMNS:
        if column.kind in ("int", "float"):
            assert column.label_fr, column.name
            assert column.label_en, column.name
            assert "_" not in column.label_fr + column.label_en, column.name
        if column.vintage_column:
            assert column.vintage_column in schema.COLUMNS_BY_NAME, column.name
    assert all(source.credit for source in schema.SOURCES.values())


def test_every_column_states_the_vintage_of_its_sources() -> None:
    assert schema.column_vintage(schema.COLUMNS_BY_NAME["ftth_share"]) == "ARCEP 2025"
    assert schema.column_vintage(schema.COLUMNS_BY_NAME["apl_doctors"]) == "APL 2023; COG 2024"
    assert all(schema.column_vintage(c) for c in schema.COLUMNS)


def test_road_classes_cover_the_systems_of_the_skeleton() -> None:
    systems = ["fraa", "fran", "eure", "frasf", "fraoccd32", "franaqd40", "fraoccm31"]
    speeds = dict(zip(systems, roads.road_speeds(pd.Series(systems)), strict=True))
    assert speeds == {
        "fraa": schema.MOTORWAY_SPEED_KMH,
        "fran": schema.NATIONAL_SPEED_KMH,
        "eure": schema.NATIONAL_SPEED_KMH,
        "frasf": schema.NATIONAL_SPEED_KMH,
        "fraoccd32": schema.DEPARTMENTAL_SPEED_KMH,
        "franaqd40": schema.DEPARTMENTAL_SPEED_KMH,
        "fraoccm31": schema.METROPOLITAN_SPEED_KMH,
    }
    assert schema.FASTEST_SPEED_KMH == schema.MOTORWAY_SPEED_KMH == 110
