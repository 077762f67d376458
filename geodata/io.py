"""Every file the geodata package reads or writes goes through this module.

Raw open-data files are read only by the build (``read_raw``); at run time only the packaged
files under ``geodata/data`` are read (``read_villages``, ``read_partners``, and for the service
``read_village_table``). pandas and geopandas are imported by the functions that use them: the
service reads its villages and partners without loading them (see ``geodata.table``).
"""

import contextlib
import csv
import json
import math
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geodata.exceptions import GeodataError, PartnerError, RawDataError
from geodata.schema import CRS_STORED, SOURCES, crs_label
from geodata.table import VillageTable
from geodata.validate import check_partner_codes

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
    from matplotlib.figure import Figure

VILLAGES_FILE = "villages.parquet"
#: The same rows for the service (``read_village_table``), written beside the GeoParquet.
TABLE_FILE = "villages.json"
TABLE_FORMAT = "sohosolo-village-table"
TABLE_VERSION = 1
PARTNERS_FILE = "partners.csv"
PARTNER_COLUMNS = ("insee", "name", "source")


@dataclass(frozen=True)
class RawFormat:
    columns: tuple[str, ...]  # the columns the build needs; others are ignored
    sep: str = ","
    text_columns: tuple[str, ...] = ()  # read as text so that codes keep their leading zeros


RAW_FORMATS: dict[str, RawFormat] = {
    "polygons": RawFormat(("code", "nom", "geometry")),
    "cantons": RawFormat(("code", "nom", "geometry")),
    "cog2019": RawFormat(("com", "dep", "libelle", "can"), ";", ("com", "dep", "can")),
    "points": RawFormat(
        ("insee_com", "insee_dep", "commune", "lat", "lng", "population_2021"),
        ",",
        ("insee_com", "insee_dep"),
    ),
    "neighbours": RawFormat(("insee_com", "insee_dep", "nom", "lat", "lng"), ",", ("insee_com",)),
    "comparateur": RawFormat(
        (
            "CODGEO",
            "P22_POP",
            "SUPERF",
            "P22_LOG",
            "P22_RP",
            "P22_RSECOCC",
            "P22_LOGVAC",
            "P22_RP_PROP",
            "MED21",
            "P22_EMPLT",
            "ETTOT24",
        ),
        ";",
        ("CODGEO", "MED21"),
    ),
    "bpe": RawFormat(("DEP", "DEPCOM", "TYPEQU", "NB_EQUIP"), ";", ("DEP", "DEPCOM")),
    "stations": RawFormat(
        ("Intitulé gare", "Code département", "Longitude", "Latitude"),
        ";",
        ("Code département",),
    ),
    "airports": RawFormat(("name", "icao", "latitude", "longitude")),
    "roads": RawFormat(
        ("system", "route_file", "seq", "hidden_shaping_point", "lat", "lon"), ",", ("system",)
    ),
    "ftth": RawFormat(("insee_com", "insee_dep", "fibre_pct"), ",", ("insee_com", "insee_dep")),
    "ftth_2018": RawFormat(("Code commune", "Champ", "T1 2018"), ",", ("Code commune",)),
    "antennas": RawFormat(("Operateur", "x", "y", "4G"), ";", ("Operateur",)),
    "apl": RawFormat(("codgeo", "apl_med_gen"), ",", ("codgeo",)),
    "rents": RawFormat(
        ("INSEE_COM", "POPULATION", "loyer_apparts", "loyer_maisons"), ";", ("INSEE_COM",)
    ),
    "ptod_iris": RawFormat(
        ("COM", "libelle_com", "epci", "TYP_IRIS", "logd_px2q2_mai_24", "logd_trans_mai_24"),
        ",",
        ("COM", "epci", "TYP_IRIS"),
    ),
    "ptod_epci": RawFormat(
        ("code", "libelle", "annee", "aggregation", "pxm2_mai", "nbtrans_mai"), ",", ("code",)
    ),
    "soho_solo": RawFormat(("insee_com", "nom", "relation", "source_url"), ",", ("insee_com",)),
}


def read_raw(raw_dir: str | os.PathLike[str], key: str) -> "pd.DataFrame":
    """Read one raw source (a key of ``geodata.schema.SOURCES``) and check its columns.

    Raises
    ------
    RawDataError
        If the file is missing or lacks a column the build needs; the message names both.
    """
    import geopandas as gpd
    import pandas as pd

    source, fmt = SOURCES[key], RAW_FORMATS[key]
    path = Path(raw_dir) / source.path
    if not path.is_file():
        raise RawDataError(f"raw file {path} is missing (expected: {source.title})")
    frame: pd.DataFrame
    try:
        if path.suffix == ".geojson":
            frame = gpd.read_file(path)
        else:
            frame = pd.read_csv(
                path,
                sep=fmt.sep,
                dtype=dict.fromkeys(fmt.text_columns, str),
                encoding="utf-8",
                low_memory=False,
                # Only an empty cell is missing: 'n/a' or 'NA' in a numeric column is an error
                # to report, not a value to drop silently.
                keep_default_na=False,
                na_values=[""],
            )
    except Exception as exc:  # pyogrio, pandas and the codecs each raise their own kinds
        raise RawDataError(f"raw file {path} could not be read: {exc}") from exc
    missing = [c for c in fmt.columns if c not in frame.columns]
    if missing:
        raise RawDataError(
            f"raw file {path}: column(s) {', '.join(map(repr, missing))} missing; "
            f"expected {list(fmt.columns)}, found {list(frame.columns)}"
        )
    return frame


#: The columns of ARCEP's "Commune" table of the deployment observatory the build reads.
ARCEP_COMMUNE_COLUMNS = ("INSEE_COM", "ftth", "Locaux")


def read_arcep_communes(path: str | os.PathLike[str]) -> "pd.DataFrame":
    """Read ARCEP's "Commune" table (``INSEE_COM``, ``ftth``, ``Locaux``), as published.

    A ``.dbf`` is read by geopandas through pyogrio, whose wheel bundles GDAL (its dBase
    driver needs no other install); a ``.csv`` may be delimited by ``;`` or ``,`` and encoded
    in UTF-8 or Windows-1252. Column names are matched whatever their case; codes come back as
    five characters (a numeric code loses its leading zero in some exports).

    Raises
    ------
    RawDataError
        Naming the file and what is wrong: its kind, its encoding or a missing column.
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise RawDataError(f"ARCEP file {path} is missing (expected the 'Commune' table)")
    try:
        frame = _read_table(path)
    except RawDataError:
        raise
    except Exception as exc:  # pyogrio and pandas raise their own kinds
        raise RawDataError(f"ARCEP file {path} could not be read: {exc}") from exc
    by_lower = {str(c).lower(): c for c in frame.columns}
    missing = [c for c in ARCEP_COMMUNE_COLUMNS if c.lower() not in by_lower]
    if missing:
        raise RawDataError(
            f"ARCEP file {path}: column(s) {', '.join(map(repr, missing))} missing; expected "
            f"{list(ARCEP_COMMUNE_COLUMNS)}, found {list(frame.columns)}"
        )
    out = frame[[by_lower[c.lower()] for c in ARCEP_COMMUNE_COLUMNS]]
    out.columns = pd.Index(ARCEP_COMMUNE_COLUMNS)
    codes = out["INSEE_COM"].map(lambda c: str(c).split(".")[0].strip().zfill(5))
    return out.assign(INSEE_COM=codes)


def _read_table(path: Path) -> "pd.DataFrame":
    import geopandas as gpd
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix == ".dbf":
        return pd.DataFrame(gpd.read_file(path))  # a table without geometry
    if suffix != ".csv":
        raise RawDataError(f"ARCEP file {path}: expected a .dbf or .csv file, found {suffix!r}")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    header = text.split("\n", 1)[0]
    return pd.read_csv(
        StringIO(text), sep=";" if ";" in header else ",", dtype=str, keep_default_na=False
    )


def packaged_path(name: str) -> Path:
    """Path of a file packaged under ``geodata/data``."""
    return Path(str(resources.files("geodata") / "data" / name))


def read_villages(
    path: str | os.PathLike[str] | None = None,
    partners: "str | os.PathLike[str] | pd.DataFrame | None" = None,
) -> "gpd.GeoDataFrame":
    """Read the packaged village table, with a boolean ``partner`` column.

    Parameters
    ----------
    path
        A villages GeoParquet file; defaults to the packaged one.
    partners
        A partner CSV path or a frame with an ``insee`` column; defaults to the packaged list.
        Any set of Gers communes may be given.

    Returns
    -------
    GeoDataFrame indexed by INSEE code (the ``insee`` column is kept too), in EPSG:4326.
    """
    import geopandas as gpd
    import pandas as pd

    path = Path(path) if path is not None else packaged_path(VILLAGES_FILE)
    if not path.is_file():
        raise GeodataError(f"village file {path} does not exist")
    villages = gpd.read_parquet(path)
    if crs_label(villages.crs) != CRS_STORED:
        raise GeodataError(
            f"village file {path}: expected CRS {CRS_STORED}, found {crs_label(villages.crs)}"
        )
    villages.index = pd.Index(villages["insee"], name="code")
    partner_frame = partners if isinstance(partners, pd.DataFrame) else read_partners(partners)
    where = partner_frame.attrs.get("source", "partners")
    check_partner_codes(partner_frame["insee"], villages.index, where)
    villages["partner"] = villages.index.isin(partner_frame["insee"])
    return villages


def write_villages(villages: "gpd.GeoDataFrame", path: str | os.PathLike[str]) -> Path:
    """Write the village table atomically: a reader never sees a half-written file."""
    path = Path(path)
    table = villages.reset_index(drop=True)
    with atomic_target(path) as tmp:
        table.to_parquet(tmp, index=False, compression="zstd", schema_version="1.0.0")
    return path


def read_partners(path: str | os.PathLike[str] | None = None) -> "pd.DataFrame":
    """Read a partner CSV (``insee,name,source``), checking its shape and codes.

    Raises
    ------
    PartnerError
        Naming the line and what is wrong: a missing column, a malformed or duplicated code.
    """
    import pandas as pd

    path = Path(path) if path is not None else packaged_path(PARTNERS_FILE)
    frame = pd.DataFrame(read_partner_rows(path), columns=list(PARTNER_COLUMNS), dtype=str)
    frame.attrs["source"] = f"partner file {path}"  # so later errors can name the file
    return frame


def read_partner_rows(path: str | os.PathLike[str] | None = None) -> list[dict[str, str]]:
    """The rows of a partner CSV, checked as ``read_partners`` does, without pandas."""
    path = Path(path) if path is not None else packaged_path(PARTNERS_FILE)
    if not path.is_file():
        raise PartnerError(f"partner file {path} does not exist")
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            lines = [row for row in csv.reader(file) if row]
    except (csv.Error, UnicodeDecodeError) as exc:
        raise PartnerError(f"partner file {path} could not be read: {exc}") from exc
    header = lines[0] if lines else []
    missing = [c for c in PARTNER_COLUMNS if c not in header]
    if missing:
        raise PartnerError(
            f"partner file {path}: column(s) {', '.join(missing)} missing; expected "
            f"{','.join(PARTNER_COLUMNS)}, found {','.join(header)}"
        )
    rows = [_partner_row(path, line, header, cells) for line, cells in enumerate(lines[1:], 2)]
    codes = [row["insee"] for row in rows]
    duplicated = [code for i, code in enumerate(codes) if code in codes[:i]]
    if duplicated:
        raise PartnerError(
            f"partner file {path}: code(s) {', '.join(duplicated)} listed more than once"
        )
    return rows


def _partner_row(path: Path, line: int, header: list[str], cells: list[str]) -> dict[str, str]:
    """One line of a partner CSV, its code checked to be a Gers commune's."""
    if len(cells) > len(header):
        raise PartnerError(
            f"partner file {path} could not be read: line {line} has {len(cells)} fields, "
            f"expected {len(header)}"
        )
    cells_by_name = dict(zip(header, cells, strict=False))
    row = {c: cells_by_name.get(c, "").strip() for c in PARTNER_COLUMNS}
    code = row["insee"]
    if not (len(code) == 5 and code.isdigit() and code.startswith("32")):
        raise PartnerError(
            f"partner file {path}, line {line}: expected a Gers INSEE code (32xxx), found {code!r}"
        )
    return row


def read_village_table(
    path: str | os.PathLike[str] | None = None,
    partners: str | os.PathLike[str] | None = None,
) -> VillageTable:
    """Read the village table written for the service, with a boolean ``partner`` column.

    The rows and values are those of ``read_villages`` (the build writes both files from the
    same table; a test checks they agree), read without pandas.

    Parameters
    ----------
    path
        A ``villages.json`` written by ``write_village_table``; defaults to the packaged one.
    partners
        A partner CSV path; defaults to the packaged list.
    """
    path = Path(path) if path is not None else packaged_path(TABLE_FILE)
    if not path.is_file():
        raise GeodataError(f"village file {path} does not exist")
    try:
        document = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise GeodataError(f"village file {path} could not be read: {exc}") from exc
    found = (document.get("format"), document.get("version"))
    if found != (TABLE_FORMAT, TABLE_VERSION):
        raise GeodataError(
            f"village file {path}: expected format {TABLE_FORMAT} version {TABLE_VERSION}, "
            f"found {found[0]} version {found[1]}"
        )
    if document["crs"] != CRS_STORED:
        raise GeodataError(
            f"village file {path}: expected CRS {CRS_STORED}, found {document['crs']}"
        )
    columns = {
        name: [math.nan if v is None else v for v in values]
        for name, values in document["columns"].items()
    }
    partner_path = Path(partners) if partners is not None else packaged_path(PARTNERS_FILE)
    codes = [row["insee"] for row in read_partner_rows(partner_path)]
    check_partner_codes(codes, {str(c) for c in columns["insee"]}, f"partner file {partner_path}")
    chosen = set(codes)
    columns["partner"] = [code in chosen for code in columns["insee"]]
    return VillageTable(columns, document["geometry_wkb"], document["crs"])


def write_village_table(villages: "gpd.GeoDataFrame", path: str | os.PathLike[str]) -> Path:
    """Write the village table for ``read_village_table``, atomically.

    JSON, so that it reads without pandas and diffs in review: every column but the geometry
    as a list (a missing value as ``null``; floats written exactly, as ``repr`` does), the
    outlines as hexadecimal WKB.
    """
    path = Path(path)
    table = VillageTable.from_frame(villages.drop(columns="partner", errors="ignore"))
    document: dict[str, Any] = {
        "format": TABLE_FORMAT,
        "version": TABLE_VERSION,
        "crs": table.crs,
        "columns": {
            name: [None if isinstance(v, float) and math.isnan(v) else v for v in values]
            for name, values in table.columns.items()
        },
        "geometry_wkb": table.geometry_wkb,
    }
    with atomic_target(path) as tmp:
        tmp.write_text(
            json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n",
            encoding="utf-8",
        )
    return path


def write_partners(partners: "pd.DataFrame", path: str | os.PathLike[str]) -> Path:
    """Write a partner CSV atomically, sorted by INSEE code."""
    path = Path(path)
    table = partners[list(PARTNER_COLUMNS)].sort_values("insee")
    with atomic_target(path) as tmp:
        table.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
    return path


def write_text(text: str, path: str | os.PathLike[str]) -> Path:
    """Write a text file atomically (the generated data dictionary)."""
    path = Path(path)
    with atomic_target(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def write_figure(figure: "Figure", path: str | os.PathLike[str], dpi: int = 150) -> Path:
    """Write a matplotlib figure atomically; PNG or SVG according to the file's suffix."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise GeodataError(f"map file {path}: expected a .png or .svg name, found {path.suffix!r}")
    with atomic_target(path) as tmp:
        figure.savefig(tmp, format=fmt, dpi=dpi)
    return path


@contextlib.contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``, renamed over it only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    # mkstemp creates 0600 files; published data must get the usual permissions.
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o666 & ~umask)
    try:
        yield tmp
        # On disk before the rename, and the rename itself on disk after it: a crash leaves the
        # old file or the new one, never an empty new one.
        _fsync(tmp)
        os.replace(tmp, path)
        _fsync(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
