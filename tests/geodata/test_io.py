import os
import stat

import pandas as pd
import pytest

from geodata import io
from geodata.exceptions import GeodataError, PartnerError, RawDataError


def test_villages_round_trip_through_geoparquet(villages, tmp_path) -> None:
    path = io.write_villages(villages, tmp_path / "villages.parquet")
    partners = pd.DataFrame({"insee": ["32002", "32004"]})
    back = io.read_villages(path, partners=partners)
    assert back.crs.to_string() == "EPSG:4326"
    assert back.index.tolist() == villages.index.tolist()
    assert back["partner"].tolist() == [False, True, False, True, False]
    pd.testing.assert_frame_equal(
        pd.DataFrame(back.drop(columns=["partner", "geometry"])),
        pd.DataFrame(villages.drop(columns="geometry")),
        check_dtype=False,
    )
    assert back.geometry.geom_equals_exact(villages.geometry, tolerance=1e-9).all()


def test_written_files_get_ordinary_permissions(villages, tmp_path) -> None:
    path = io.write_villages(villages, tmp_path / "villages.parquet")
    assert stat.S_IMODE(path.stat().st_mode) & 0o044 == 0o044  # readable by group and others
    assert os.listdir(tmp_path) == ["villages.parquet"]


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(villages, tmp_path) -> None:
    path = io.write_villages(villages, tmp_path / "villages.parquet")
    before = path.read_bytes()
    with pytest.raises(ValueError, match="Conversion failed for column population"):
        io.write_villages(villages.assign(population=[object()] * 5), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["villages.parquet"]


def test_read_villages_refuses_unknown_partners(villages, tmp_path) -> None:
    path = io.write_villages(villages, tmp_path / "v.parquet")
    with pytest.raises(
        PartnerError, match=r"partners: partner 32007: expected a Gers commune code"
    ):
        io.read_villages(path, partners=pd.DataFrame({"insee": ["32007"]}))


def test_read_villages_refuses_another_crs(villages, tmp_path) -> None:
    path = io.write_villages(villages.to_crs("EPSG:2154"), tmp_path / "v.parquet")
    with pytest.raises(GeodataError, match="expected CRS EPSG:4326, found EPSG:2154"):
        io.read_villages(path, partners=pd.DataFrame({"insee": []}))


def test_read_villages_names_a_missing_file(tmp_path) -> None:
    with pytest.raises(GeodataError, match=r"village file .*nope\.parquet does not exist"):
        io.read_villages(tmp_path / "nope.parquet")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("insee,name\n32001,A\n", "column\\(s\\) source missing; expected insee,name,source"),
        ("insee,name,source\n32001,A,x\n3200,B,x\n", "line 3: expected a Gers INSEE code .*'3200'"),
        ("insee,name,source\n31555,Toulouse,x\n", "line 2: expected a Gers INSEE code .*'31555'"),
        ("insee,name,source\n32001,A,x\n32001,A,y\n", "code\\(s\\) 32001 listed more than once"),
    ],
)
def test_read_partners_names_the_problem(tmp_path, text, message) -> None:
    path = tmp_path / "partners.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PartnerError, match=message):
        io.read_partners(path)


def test_partners_round_trip_sorted_and_stripped(tmp_path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("insee,name,source\n 32002 ,B,staff\n32001,A,staff\n", encoding="utf-8")
    frame = io.read_partners(path)
    assert frame["insee"].tolist() == ["32002", "32001"]
    io.write_partners(frame, path)
    assert path.read_text(encoding="utf-8").splitlines() == [
        "insee,name,source",
        "32001,A,staff",
        "32002,B,staff",
    ]


def test_read_raw_names_a_missing_file(tmp_path) -> None:
    with pytest.raises(
        RawDataError, match=r"raw file .*insee/cog2019_communes_gers_voisins\.csv is missing"
    ):
        io.read_raw(tmp_path, "cog2019")


def test_read_raw_names_a_missing_column(tmp_path) -> None:
    (tmp_path / "insee").mkdir()
    (tmp_path / "insee/cog2019_communes_gers_voisins.csv").write_text(
        "com;dep;LIBELLE;can\n32013;32;Auch;3299\n", encoding="utf-8"
    )
    with pytest.raises(RawDataError, match="column\\(s\\) 'libelle' missing"):
        io.read_raw(tmp_path, "cog2019")


def test_write_figure_refuses_other_formats(tmp_path) -> None:
    from matplotlib.figure import Figure

    with pytest.raises(GeodataError, match=r"expected a .png or .svg name, found '.jpg'"):
        io.write_figure(Figure(), tmp_path / "map.jpg")
    assert os.listdir(tmp_path) == []
