"""Checks of a village table and a partner list against their definitions.

Every check runs and every failure is reported at once, each naming the column or code, what
was expected and what was found.
"""

from collections.abc import Container, Iterable
from typing import TYPE_CHECKING

import numpy as np

from geodata.cog import GERS_COMMUNE_COUNT, MERGED_INTO
from geodata.exceptions import GeodataError, PartnerError
from geodata.schema import (
    COLUMNS,
    CRS_METRIC,
    CRS_STORED,
    FASTEST_SPEED_KMH,
    POINT_TOLERANCE_M,
    Column,
    crs_label,
)

if TYPE_CHECKING:
    # Loaded where a check needs them: reading villages for the service checks partner codes
    # and must not load pandas (see geodata.io).
    import geopandas as gpd
    import pandas as pd

#: Columns added when reading, not stored in the file.
READ_TIME_COLUMNS = ("partner",)


def validate(
    villages: "gpd.GeoDataFrame",
    partners: "pd.DataFrame | None" = None,
    expected_count: int | None = GERS_COMMUNE_COUNT,
) -> None:
    """Check a village table (and optionally a partner list) against ``geodata.schema``.

    Parameters
    ----------
    villages
        The table, as built or as read by ``read_villages``.
    partners
        A frame with ``insee`` and ``name``; every row must be a village of the table.
    expected_count
        Number of communes the geography has; ``None`` for a subset (tests, other territories).

    Raises
    ------
    GeodataError
        Listing every problem found.
    """
    problems: list[str] = []
    problems += _check_columns(villages)
    for column in COLUMNS:
        if column.name in villages.columns and column.kind != "geometry":
            problems += _check_column(villages[column.name], column)
    if "insee" in villages.columns:
        problems += _check_codes(villages["insee"], expected_count)
    problems += _check_geometry(villages)
    problems += _check_travel(villages)
    if partners is not None:
        try:
            validate_partners(partners, villages)
        except PartnerError as exc:
            problems.append(str(exc))
    if problems:
        raise GeodataError(
            f"village table: {len(problems)} problem(s):\n- " + "\n- ".join(problems)
        )


def check_partner_codes(
    codes: Iterable[str], known: Container[str], where: str = "partners"
) -> None:
    """Every partner code must be a commune of the table; a merged code says what it became."""
    problems = []
    for code in codes:
        if code in known:
            continue
        merged = MERGED_INTO.get(code)
        hint = f" (merged into {merged[0]} in {merged[1]}: use {merged[0]})" if merged else ""
        problems.append(f"partner {code}: expected a Gers commune code, found none such{hint}")
    if problems:
        raise PartnerError(f"{where}: " + "; ".join(problems))


def validate_partners(partners: "pd.DataFrame", villages: "pd.DataFrame") -> None:
    """Check that every partner is a village of the table, under its own name."""
    import pandas as pd

    check_partner_codes(partners["insee"], pd.Index(villages["insee"]))
    names = pd.Series(villages["name"].to_numpy(), index=villages["insee"].to_numpy())
    problems = [
        f"partner {code}: name {name!r} does not match {names[code]!r}"
        for code, name in zip(partners["insee"], partners["name"], strict=True)
        if name and name != names[code]
    ]
    if problems:
        raise PartnerError("partners: " + "; ".join(problems))


def _check_columns(villages: "pd.DataFrame") -> list[str]:
    expected = {c.name for c in COLUMNS}
    found = set(villages.columns)
    problems = [f"column {name!r}: expected, not found" for name in sorted(expected - found)]
    problems += [
        f"column {name!r}: not in geodata.schema (unexpected)"
        for name in sorted(found - expected - set(READ_TIME_COLUMNS))
    ]
    return problems


def _kind_ok(values: "pd.Series", kind: str) -> bool:
    from pandas.api import types

    if kind == "int":
        return types.is_integer_dtype(values)
    if kind == "float":
        return types.is_float_dtype(values) or types.is_integer_dtype(values)
    if kind == "bool":
        return types.is_bool_dtype(values)
    present = values.dropna()
    return types.is_string_dtype(values) and all(isinstance(v, str) for v in present)


def _check_column(values: "pd.Series", column: Column) -> list[str]:
    name = column.name
    if not _kind_ok(values, column.kind):
        return [f"column {name!r}: expected {column.kind} values, found dtype {values.dtype}"]
    problems = []
    missing = values.isna()
    if missing.any() and not column.nullable:
        problems.append(
            f"column {name!r}: expected no empty value, found {int(missing.sum())} "
            f"(first at {values.index[missing.to_numpy()][0]})"
        )
    present = values[~missing]
    if column.kind in ("int", "float"):
        numbers = present.astype("float64")
        if not np.isfinite(numbers).all():
            problems.append(f"column {name!r}: expected finite numbers, found inf")
        for bound, bad in (
            (column.minimum, numbers < column.minimum if column.minimum is not None else None),
            (column.maximum, numbers > column.maximum if column.maximum is not None else None),
        ):
            if bad is not None and bad.any():
                first = numbers.index[bad.to_numpy()][0]
                side = "at least" if bound == column.minimum else "at most"
                problems.append(
                    f"column {name!r}: expected {side} {bound:g} {column.unit}, found "
                    f"{numbers[first]:g} at {first}"
                )
    if column.choices:
        bad_choice = present[~present.isin(column.choices)]
        if not bad_choice.empty:
            problems.append(
                f"column {name!r}: expected one of {list(column.choices)}, found "
                f"{bad_choice.iloc[0]!r} at {bad_choice.index[0]}"
            )
    return problems


def _check_codes(codes: "pd.Series", expected_count: int | None) -> list[str]:
    problems = []
    text = codes.astype(str)
    malformed = text[~text.str.fullmatch(r"32\d{3}")]
    if not malformed.empty:
        problems.append(f"column 'insee': expected Gers codes 32xxx, found {malformed.iloc[0]!r}")
    duplicated = text[text.duplicated()]
    if not duplicated.empty:
        problems.append(f"column 'insee': expected unique codes, found {duplicated.iloc[0]} twice")
    if expected_count is not None and len(codes) != expected_count:
        problems.append(f"table: expected {expected_count} communes, found {len(codes)}")
    return problems


def _check_travel(villages: "pd.DataFrame") -> list[str]:
    # A road time shorter than the straight line at the fastest speed means a wrong graph or
    # join; the straight-line fallback (travel_estimated) is slower by construction.
    problems = []
    for target in ("auch", "toulouse", "station", "airport"):
        minutes, straight = f"minutes_to_{target}", f"km_straight_to_{target}"
        if not {minutes, straight} <= set(villages.columns):
            continue
        floor = villages[straight] / FASTEST_SPEED_KMH * 60.0
        fast = villages[minutes] < floor - 0.05  # minutes are rounded to 0.1
        if fast.any():
            first = int(fast.to_numpy().argmax())
            problems.append(
                f"{minutes} of {villages.index[first]}: expected at least "
                f"{floor.iloc[first]:.1f} min (the straight line at {FASTEST_SPEED_KMH:g} "
                f"km/h), found {villages[minutes].iloc[first]:g}"
            )
    return problems


def _check_geometry(villages: "gpd.GeoDataFrame") -> list[str]:
    import geopandas as gpd

    if not isinstance(villages, gpd.GeoDataFrame) or villages.geometry.name != "geometry":
        return ["column 'geometry': expected the active geometry of a GeoDataFrame"]
    crs = crs_label(villages.crs)
    if crs != CRS_STORED:
        return [f"CRS: expected {CRS_STORED}, found {crs}"]
    problems = []
    geoms = villages.geometry
    kinds = geoms.geom_type
    bad_kind = kinds[~kinds.isin(["Polygon", "MultiPolygon"])]
    if not bad_kind.empty:
        problems.append(
            f"column 'geometry': expected polygons, found {bad_kind.iloc[0]} at {bad_kind.index[0]}"
        )
    invalid = geoms[~geoms.is_valid | geoms.is_empty]
    if not invalid.empty:
        problems.append(f"column 'geometry': invalid or empty outline at {invalid.index[0]}")
    if {"point_lon", "point_lat"} <= set(villages.columns) and not problems:
        points = gpd.GeoSeries(
            gpd.points_from_xy(villages["point_lon"], villages["point_lat"]),
            index=villages.index,
            crs=CRS_STORED,
        ).to_crs(CRS_METRIC)
        gap = geoms.to_crs(CRS_METRIC).distance(points)
        far = gap[gap > POINT_TOLERANCE_M]
        if not far.empty:
            problems.append(
                f"point of {far.index[0]}: expected within {POINT_TOLERANCE_M:g} m of its "
                f"outline, found {far.iloc[0]:.0f} m away"
            )
    return problems
