"""What-if changes to a village table, for analysts: each returns a modified copy.

The packaged figures are observations (ARCEP 2025, BPE 2019) and road times; a scenario replaces
some of them by a hypothesis. Every function here leaves its input untouched, keeps the columns
that derive from one another consistent (so the result still passes ``geodata.validate``), and
marks what it invented where the table has a place for it (``ftth_vintage``,
``travel_estimated``).
"""

import math

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata import derive
from geodata.exceptions import GeodataError
from geodata.schema import CRS_METRIC, POINT_TOLERANCE_M, SCHOOL_BREAKDOWN, SERVICES

#: ``ftth_vintage`` of a village whose fibre figures come from ``with_fibre``: reasons and
#: facts quote the vintage, so a hypothetical coverage is never shown as ARCEP's.
SCENARIO_VINTAGE = "hypothetical scenario"

SERVICE_CODES: tuple[str, ...] = tuple(s.code for s in SERVICES)

# As the build rounds them, so that a recomputed value reads like a packaged one.
MINUTES_DECIMALS = 1
SHARE_DECIMALS = 4


def _row_of(villages: pd.DataFrame, insee: str) -> object:
    """The index label of the commune ``insee`` (the table may be indexed by anything)."""
    if "insee" not in villages.columns:
        raise GeodataError("villages: expected an 'insee' column, found none")
    found = villages.index[villages["insee"].astype(str) == str(insee)]
    if len(found) == 0:
        raise GeodataError(f"insee: expected a commune of the table, found {insee!r}")
    if len(found) > 1:
        raise GeodataError(f"insee: expected one row for {insee!r}, found {len(found)}")
    return found[0]


def with_fibre(
    villages: gpd.GeoDataFrame,
    insee: str,
    share: float = 1.0,
    *,
    vintage: str = SCENARIO_VINTAGE,
) -> gpd.GeoDataFrame:
    """A copy of ``villages`` where the commune ``insee`` has ``share`` of its premises on fibre.

    ``ftth_share`` changes, and ``ftth_vintage`` says the figure is hypothetical. 4G and the
    2018 history (``ftth_share_2018``) are left as they were.

    Parameters
    ----------
    villages
        A village table as read by ``geodata.read_villages`` (any subset of it).
    insee
        The commune that gets fibre.
    share
        Share of premises connectable, from the village's current share to 1 (full FttH).
        A scenario only adds coverage: a lower share would be another question.
    vintage
        What ``ftth_vintage`` says of the new figure.

    Raises
    ------
    GeodataError
        Naming the unknown commune, or the share out of range.
    """
    row = _row_of(villages, insee)
    if isinstance(share, bool) or not isinstance(share, int | float) or not math.isfinite(share):
        raise GeodataError(f"share: expected a number from 0 to 1, found {share!r}")
    current = float(villages.at[row, "ftth_share"])
    if not current <= share <= 1:
        raise GeodataError(
            f"share: expected a number from the current share of {insee} ({current:g}) to 1, "
            f"found {share:g}"
        )
    changed = villages.copy()
    changed.loc[row, "ftth_share"] = round(float(share), SHARE_DECIMALS)
    changed.loc[row, "ftth_vintage"] = vintage
    return changed


def without_service(
    villages: gpd.GeoDataFrame, insee: str, service: str = "middle_school"
) -> gpd.GeoDataFrame:
    """A copy of ``villages`` where the commune ``insee`` has lost every ``service`` it had.

    ``n_<service>`` becomes 0 (and, for primary schools, the breakdown counts too). Every
    commune whose ``nearest_<service>`` was ``insee``, itself included, gets the nearest
    remaining commune of the table with that service by straight line, and an estimate of the
    minutes to it: the table holds road times but not the road network, so the build's
    fallback, straight-line km between commune points in Lambert-93 x ``DETOUR_FACTOR`` /
    ``AVERAGE_SPEED_KMH`` (``geodata.derive``), never less than the road minutes to the closed
    one (the build chose it as the nearest by road, so no other can be nearer), rounded to
    0.1 min. Those communes get ``travel_estimated`` True. Other communes keep their nearest,
    wherever it lies. Minutes can therefore only grow.

    Caveat: the table holds the Gers communes only, so the new nearest is searched within the
    table, whereas the build also searched the communes within 20 km across the border. Near
    the border the recomputed minutes can be overstated (a closer service may lie in the
    Landes, the Hautes-Pyrénées, the Haute-Garonne...), and on a subset table they can be
    overstated anywhere. ``may_be_overstated`` says which communes this can concern.

    Parameters
    ----------
    villages
        A village table as read by ``geodata.read_villages`` (any subset of it).
    insee
        The commune that loses the service.
    service
        A service code of ``geodata.SERVICES``, e.g. ``middle_school`` (a collège).

    Raises
    ------
    GeodataError
        Naming the unknown commune or service, a commune without the service, or a closure
        that would leave no commune of the table with it.
    """
    if service not in SERVICE_CODES:
        raise GeodataError(f"service: expected one of {list(SERVICE_CODES)}, found {service!r}")
    row = _row_of(villages, insee)
    count, nearest = f"n_{service}", f"nearest_{service}"
    if int(villages.at[row, count]) == 0:
        raise GeodataError(
            f"insee: expected a commune with a {service} to close, found {insee} with {count} = 0"
        )
    changed = villages.copy()
    changed.loc[row, count] = 0
    codes = next(s.bpe_codes for s in SERVICES if s.code == service)
    for breakdown, breakdown_codes in SCHOOL_BREAKDOWN.items():
        if set(breakdown_codes) <= set(codes):
            changed.loc[row, breakdown] = 0
    remaining = changed[changed[count] > 0]
    if remaining.empty:
        raise GeodataError(
            f"insee: closing the {service} of {insee} leaves no commune of the table with one; "
            "expected at least one other"
        )
    affected = changed[changed[nearest].astype(str) == str(insee)]
    if affected.empty:  # a subset table may not hold the communes it served
        return changed
    return _renearest(changed, affected, remaining, service)


def _renearest(
    changed: gpd.GeoDataFrame, affected: pd.DataFrame, remaining: pd.DataFrame, service: str
) -> gpd.GeoDataFrame:
    """``affected`` communes sent to their straight-line nearest of ``remaining``, at the
    estimate, never below their road minutes before, and flagged ``travel_estimated``."""
    minutes, nearest = f"minutes_to_{service}", f"nearest_{service}"
    km, label = derive.nearest(_points(affected), _points(remaining), service)
    estimate = derive.estimated_minutes(km, minutes).round(MINUTES_DECIMALS).to_numpy()
    floor = affected[minutes].to_numpy(dtype=float)
    changed.loc[affected.index, minutes] = np.maximum(estimate, floor)
    changed.loc[affected.index, nearest] = label.to_numpy()
    if "travel_estimated" in changed.columns:
        changed.loc[affected.index, "travel_estimated"] = True
    return changed


def may_be_overstated(
    before: gpd.GeoDataFrame, after: gpd.GeoDataFrame, service: str = "middle_school"
) -> pd.Series:
    """Where ``without_service`` moved a commune's nearest ``service`` farther than the edge of
    the table: a commune outside it (across the border, where the build also searched) may be
    nearer, so the minutes may be overstated (see ``without_service``).

    Elsewhere no commune outside the table can be nearer in a straight line: any lies beyond its
    edge, so farther than the commune found. The edge is the outline of the table's
    polygons, less ``POINT_TOLERANCE_M`` since outlines are simplified; holes in the union
    count as edges too, which errs towards flagging.

    Returns
    -------
    A boolean Series on ``after``'s index, named ``may_be_overstated``.
    """
    if service not in SERVICE_CODES:
        raise GeodataError(f"service: expected one of {list(SERVICE_CODES)}, found {service!r}")
    nearest = f"nearest_{service}"
    moved = after[nearest].astype(str) != before[nearest].reindex(after.index).astype(str)
    flags = pd.Series(False, index=after.index, name="may_be_overstated")
    if not moved.any():
        return flags
    origins = _points(after[moved]).to_crs(CRS_METRIC)
    by_code = _points(after).to_crs(CRS_METRIC)
    targets = by_code.loc[after.loc[moved, nearest].astype(str).to_numpy()]
    found_m = origins.distance(
        gpd.GeoSeries(targets.to_numpy(), index=origins.index, crs=CRS_METRIC)
    )
    edge = before.to_crs(CRS_METRIC).geometry.union_all().boundary
    edge_m = origins.distance(edge) - POINT_TOLERANCE_M
    flags.loc[moved[moved].index] = (edge_m < found_m).to_numpy()
    return flags


def _points(villages: pd.DataFrame) -> gpd.GeoSeries:
    """Commune points labelled by INSEE code, as ``nearest_<service>`` names them."""
    codes = pd.Index(villages["insee"].astype(str))
    return derive.points_from_lonlat(
        pd.Series(villages["point_lon"].to_numpy(), index=codes),
        pd.Series(villages["point_lat"].to_numpy(), index=codes),
    )
