"""Road times and distances on the Travel Mapping skeleton of the Gers and its neighbours.

The network (``road_network``): the waypoints of each route are joined in order by straight
segments; waypoints of different routes within ``JUNCTION_RADIUS_M`` of each other are one
junction (hidden shaping points only where they coincide exactly: they are not crossings);
each segment is travelled at its road class's speed (``geodata.schema.ROAD_CLASSES``); only the
largest connected part is kept. Places (commune points, stations, the airport) are joined to it
by access legs (``Routes.join``): to the nearest junction in each quadrant within
``ACCESS_RADIUS_KM`` (so to its nearest one), at straight-line km x ``DETOUR_FACTOR`` and
``ACCESS_SPEED_KMH``. A place's legs also join the roads that meet in it, as its streets do;
a place with no junction that near has no road path.

Paths are the fastest; their km are those of the fastest path. Where no path exists the
callers fall back to the straight-line estimate, flagged (``nearest_or_estimate``).

Why ``scipy.sparse.csgraph``: scipy is already a dependency (no new one); its Dijkstra is
compiled, and it starts from many sources at once (``min_only=True``: one pass gives every node
its nearest source and the time to it), which is what "the nearest commune with a pharmacy"
asks. networkx would do the same in pure Python, a pass taking seconds instead of
milliseconds; igraph would add a compiled dependency for no gain here.
"""

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from geodata import derive
from geodata.exceptions import GeodataError, RawDataError
from geodata.schema import (
    ACCESS_RADIUS_KM,
    ACCESS_SPEED_KMH,
    DETOUR_FACTOR,
    JUNCTION_RADIUS_M,
    ROAD_CLASSES,
)

#: How many nearest junctions are searched for a place's quadrant legs.
_ACCESS_CANDIDATES = 64
_NO_NODE = -9999  # scipy's predecessor of a source or an unreached node


@dataclass(frozen=True)
class Network:
    """Junctions and the road segments between them."""

    xy: NDArray[np.float64]  # (n, 2) node coordinates, km in Lambert-93
    junction: NDArray[np.bool_]  # nodes a place may be joined to (a visible waypoint)
    edges: pd.DataFrame  # u < v, km, minutes: one row per pair of nodes, the fastest


def road_speeds(systems: pd.Series) -> NDArray[np.float64]:
    """The speed in km/h of each Travel Mapping system code, by ``ROAD_CLASSES``."""
    speeds = np.full(len(systems), np.nan)
    for road_class in ROAD_CLASSES:
        match = systems.str.fullmatch(road_class.systems).to_numpy(dtype=bool)
        speeds[match & np.isnan(speeds)] = road_class.speed_kmh
    unknown = systems[np.isnan(speeds)]
    if not unknown.empty:
        known = ", ".join(c.systems for c in ROAD_CLASSES)
        raise RawDataError(
            f"road system {unknown.iloc[0]!r}: expected one of the road classes of "
            f"geodata.schema.ROAD_CLASSES ({known})"
        )
    return speeds


def road_network(waypoints: pd.DataFrame) -> Network:
    """The network of ``waypoints`` (columns ``system, route_file, seq,
    hidden_shaping_point, lon, lat``, numbers already numeric)."""
    rows = waypoints.sort_values(["route_file", "seq"], kind="stable").reset_index(drop=True)
    xy = derive.lambert_km(rows["lon"].to_numpy(), rows["lat"].to_numpy())
    visible = rows["hidden_shaping_point"].to_numpy() == 0
    node = _junctions(xy, visible)
    same_route = rows["route_file"].to_numpy()[1:] == rows["route_file"].to_numpy()[:-1]
    km = np.hypot(*(xy[1:] - xy[:-1]).T)[same_route]
    speed = road_speeds(rows["system"])[:-1][same_route]
    u, v = node[:-1][same_route], node[1:][same_route]
    edges = _fastest(
        pd.DataFrame(
            {"u": np.minimum(u, v), "v": np.maximum(u, v), "km": km, "minutes": km / speed * 60}
        )
    )
    first = pd.Series(np.arange(len(rows))).groupby(node).min().to_numpy()
    junction = pd.Series(visible).groupby(node).any().to_numpy()
    return _largest_part(Network(xy[first], junction, edges))


def _junctions(xy: NDArray[np.float64], visible: NDArray[np.bool_]) -> NDArray[np.int64]:
    """A node number per waypoint: visible waypoints within the junction radius share one,
    as do waypoints at the very same place (concurrent routes)."""
    shown = np.flatnonzero(visible)
    near = cKDTree(xy[shown]).query_pairs(JUNCTION_RADIUS_M / 1000.0, output_type="ndarray")
    same = cKDTree(xy).query_pairs(1e-9, output_type="ndarray")
    rows = np.concatenate([shown[near[:, 0]], same[:, 0]])
    cols = np.concatenate([shown[near[:, 1]], same[:, 1]])
    pairs = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(xy), len(xy)))
    nodes: NDArray[np.int64] = connected_components(pairs, directed=False)[1].astype(np.int64)
    return nodes


def _fastest(edges: pd.DataFrame) -> pd.DataFrame:
    """One edge per pair of distinct nodes, the fastest (a sparse matrix would add them)."""
    edges = edges[edges["u"] != edges["v"]]
    order = edges.sort_values(["u", "v", "minutes", "km"], kind="stable")
    return order.drop_duplicates(["u", "v"]).reset_index(drop=True)


def _largest_part(network: Network) -> Network:
    n = len(network.xy)
    edges = network.edges
    links = coo_matrix((np.ones(len(edges)), (edges["u"], edges["v"])), shape=(n, n))
    part = connected_components(links, directed=False)[1]
    keep = part == np.bincount(part).argmax()
    renumber = np.cumsum(keep) - 1
    kept = edges[keep[edges["u"]]].assign(
        u=lambda e: renumber[e["u"]], v=lambda e: renumber[e["v"]]
    )
    return Network(network.xy[keep], network.junction[keep], kept.reset_index(drop=True))


def access_legs(network: Network, places: NDArray[np.float64]) -> pd.DataFrame:
    """Legs from each place (rows of ``places``, km in Lambert-93) to the nearest junction in
    each quadrant within ``ACCESS_RADIUS_KM``: ``place, node, km, minutes``, one row per
    pair; none for a place with no junction that near."""
    junctions = np.flatnonzero(network.junction)
    k = min(_ACCESS_CANDIDATES, len(junctions))
    dist, found = cKDTree(network.xy[junctions]).query(places, k=k)
    dist, found = dist.reshape(len(places), k), found.reshape(len(places), k)
    offset = network.xy[junctions][found] - places[:, None, :]
    quadrant = 2 * (offset[:, :, 0] >= 0) + (offset[:, :, 1] >= 0)
    keep = np.zeros_like(dist, dtype=bool)
    rows = np.arange(len(places))
    for q in range(4):
        masked = np.where((quadrant == q) & (dist <= ACCESS_RADIUS_KM), dist, np.inf)
        first = masked.argmin(axis=1)
        found_one = np.isfinite(masked[rows, first])
        keep[rows[found_one], first[found_one]] = True
    km = dist[keep] * DETOUR_FACTOR
    return pd.DataFrame(
        {
            "place": np.broadcast_to(rows[:, None], dist.shape)[keep],
            "node": junctions[found[keep]],
            "km": km,
            "minutes": km / ACCESS_SPEED_KMH * 60.0,
        }
    )


@dataclass(frozen=True)
class Routes:
    """A network with places joined to it: the fastest paths between places."""

    minutes: csr_matrix  # symmetric: edges in both directions
    km: csr_matrix
    places: pd.Index  # place labels; place i is node n_network + i

    @classmethod
    def join(cls, network: Network, places: gpd.GeoSeries) -> "Routes":
        """Join ``places`` (points labelled by a unique index) to ``network``."""
        if not places.index.is_unique:
            raise GeodataError("places: expected unique labels, found duplicates")
        legs = access_legs(network, derive.metric_xy(places) / 1000.0)
        n = len(network.xy)
        u = np.concatenate([network.edges["u"], n + legs["place"]])
        v = np.concatenate([network.edges["v"], legs["node"]])
        size = n + len(places)

        def symmetric(values: pd.Series, other: pd.Series) -> csr_matrix:
            data = np.concatenate([values, other, values, other])
            ends = (np.concatenate([u, v]), np.concatenate([v, u]))
            return coo_matrix((data, ends), shape=(size, size)).tocsr()

        minutes = symmetric(network.edges["minutes"], legs["minutes"])
        km = symmetric(network.edges["km"], legs["km"])
        return cls(minutes, km, pd.Index(places.index))

    def node(self, labels: pd.Index) -> NDArray[np.int64]:
        where = self.places.get_indexer(labels)
        if (where < 0).any():
            raise GeodataError(f"place {labels[where < 0][0]!r}: expected a joined place")
        nodes: NDArray[np.int64] = self.minutes.shape[0] - len(self.places) + where
        return nodes.astype(np.int64)

    def nearest(self, origins: pd.Index, targets: pd.Index) -> pd.DataFrame:
        """For each origin, the fastest target by road: ``minutes``, ``km`` (inf where no
        path) and ``nearest`` (its label; missing where no path), on ``origins``."""
        if targets.empty:
            raise GeodataError("targets: expected at least one place, found none")
        time, before, source = dijkstra(
            self.minutes, indices=self.node(targets), min_only=True, return_predecessors=True
        )
        ends = self.node(origins)
        reached = np.isfinite(time[ends])
        first = self.minutes.shape[0] - len(self.places)
        label = np.full(len(ends), None, dtype=object)
        label[reached] = self.places[source[ends][reached] - first]
        return pd.DataFrame(
            {
                "minutes": time[ends],
                "km": np.where(reached, _path_km(before, self.km)[ends], np.inf),
                "nearest": label,
            },
            index=origins,
        )


def nearest_or_estimate(
    routes: Routes, points: gpd.GeoSeries, targets: gpd.GeoSeries
) -> pd.DataFrame:
    """``minutes``, ``km`` and ``nearest`` target of each point by road (both joined to
    ``routes`` under their labels); where no road path exists, the straight-line nearest
    target with km x DETOUR_FACTOR and the estimated minutes, ``estimated`` True."""
    found = routes.nearest(points.index, targets.index)
    missing = ~np.isfinite(found["minutes"].to_numpy())
    if missing.any():
        km, label = derive.nearest(points[missing], targets, "fallback")
        found.loc[missing, "minutes"] = derive.estimated_minutes(km, "minutes").to_numpy()
        found.loc[missing, "km"] = (km * DETOUR_FACTOR).to_numpy()
        found.loc[missing, "nearest"] = label.to_numpy()
    return found.assign(estimated=missing)


def _path_km(before: NDArray[np.int32], km: csr_matrix) -> NDArray[np.float64]:
    """km from every node to its source along the shortest-path tree ``before``
    (pointer jumping: each round doubles the stretch of path summed)."""
    has = before >= 0
    leg = np.zeros(len(before))
    ends = np.flatnonzero(has)
    leg[ends] = np.asarray(km[before[ends], ends]).ravel()
    total, up = leg, np.where(has, before, _NO_NODE)
    while (up >= 0).any():
        live = np.flatnonzero(up >= 0)
        total, up = total.copy(), up.copy()
        total[live] += total[up[live]]
        up[live] = up[up[live]]
    return total
