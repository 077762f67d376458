import json
import math
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

import geodata
from geodata import io
from geodata.exceptions import GeodataError, PartnerError
from geodata.svgmap import svg_map
from geodata.table import VillageTable


def same_values(a: list[object], b: list[object]) -> bool:
    return len(a) == len(b) and all(
        (isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y))
        or (type(x) is type(y) and x == y)
        for x, y in zip(a, b, strict=True)
    )


def test_the_packaged_table_is_the_packaged_geoparquet() -> None:
    from_parquet = VillageTable.from_frame(geodata.read_villages())
    table = io.read_village_table()
    assert list(table.columns) == list(from_parquet.columns)
    for name, values in from_parquet.columns.items():
        assert same_values(table[name], values), name
    assert table.geometry_wkb == from_parquet.geometry_wkb
    assert table.crs == from_parquet.crs == "EPSG:4326"


def test_records_are_those_pandas_gives() -> None:
    villages = geodata.read_villages()
    expected = villages.drop(columns="geometry").to_dict("records")
    records = io.read_village_table().records()
    assert [list(r) for r in records] == [list(e) for e in expected]
    for record, row in zip(records, expected, strict=True):
        assert same_values(list(record.values()), list(row.values()))


def test_a_table_round_trips_through_its_file(villages, tmp_path) -> None:
    path = io.write_village_table(villages, tmp_path / "villages.json")
    partners = tmp_path / "partners.csv"
    partners.write_text("insee,name,source\n32002,Village 2,x\n", encoding="utf-8")
    table = io.read_village_table(path, partners=partners)
    assert len(table) == len(villages) == 5
    assert table["partner"] == [False, True, False, False, False]
    assert math.isnan(table["median_income_eur"][0])  # written as null, read as nan
    assert table.where("partner")["insee"] == ["32002"]
    assert table.take([4, 0])["insee"] == ["32005", "32001"]
    assert table.take([4, 0]).sorted_by("insee")["insee"] == ["32001", "32005"]
    assert table.geometries()[1].equals(villages.geometry.iloc[1])
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["columns"]["median_income_eur"][0] is None


def test_reading_a_table_names_what_is_wrong(villages, tmp_path) -> None:
    with pytest.raises(GeodataError, match=r"village file .*nope\.json does not exist"):
        io.read_village_table(tmp_path / "nope.json")
    path = io.write_village_table(villages, tmp_path / "villages.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(document | {"version": 9}), encoding="utf-8")
    with pytest.raises(GeodataError, match="expected format sohosolo-village-table version 1"):
        io.read_village_table(path)
    path.write_text(json.dumps(document | {"crs": "EPSG:2154"}), encoding="utf-8")
    with pytest.raises(GeodataError, match="expected CRS EPSG:4326, found EPSG:2154"):
        io.read_village_table(path)
    path.write_text(json.dumps(document), encoding="utf-8")
    partners = tmp_path / "partners.csv"
    partners.write_text("insee,name,source\n32007,Nowhere,x\n", encoding="utf-8")
    with pytest.raises(PartnerError, match="partner 32007: expected a Gers commune code"):
        io.read_village_table(path, partners=partners)


def test_partner_rows_are_the_partner_frame(tmp_path) -> None:
    path = tmp_path / "partners.csv"
    path.write_text("insee,name,source,note\n 32002 ,B,x,\n\n32001,A,y,z\n", encoding="utf-8")
    rows = io.read_partner_rows(path)
    assert rows == [
        {"insee": "32002", "name": "B", "source": "x"},
        {"insee": "32001", "name": "A", "source": "y"},
    ]
    assert io.read_partners(path).to_dict("records") == rows
    path.write_text("insee,name,source\n32001,A,x,extra\n", encoding="utf-8")
    with pytest.raises(PartnerError, match="line 2 has 4 fields, expected 3"):
        io.read_partner_rows(path)


def test_the_map_is_the_same_from_the_table_and_from_the_geoparquet() -> None:
    assert svg_map(io.read_village_table()) == svg_map(geodata.read_villages())


def test_reading_the_table_loads_neither_pandas_nor_shapely() -> None:
    code = (
        "import sys; from geodata.io import read_village_table; read_village_table(); "
        "print(sorted({'pandas', 'geopandas', 'pyarrow', 'shapely', 'sklearn'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_from_frame_reads_missing_text_as_nan() -> None:
    frame = pd.DataFrame({"insee": ["32001"], "tiers_lieu": [None]})
    table = VillageTable.from_frame(gpd.GeoDataFrame(frame, geometry=[Point(0, 0)], crs=4326))
    assert math.isnan(table["tiers_lieu"][0])
