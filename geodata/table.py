"""``VillageTable``: the village table as plain columns, for a process that loads no pandas.

The service reads the villages from ``villages.json`` (``geodata.io.read_village_table``),
written by the build beside the GeoParquet from the same rows: importing pandas (with pyarrow)
and geopandas would cost the serving process more memory than all the rest of its work. The
geometries stay WKB until something draws them (``geometries`` loads shapely then).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from geodata.schema import CRS_STORED

if TYPE_CHECKING:
    import geopandas as gpd
    import numpy as np
    import pandas as pd


@dataclass(frozen=True)
class VillageTable:
    """Rows of the village table, column by column, in a fixed order.

    ``columns`` holds every column but the geometry, as Python values; a missing value is
    ``nan``, as in the records pandas gives, so that code reading rows sees the same values
    from either. ``geometry_wkb`` holds each row's outline as hexadecimal WKB, in ``crs``.
    """

    columns: dict[str, list[Any]]
    geometry_wkb: list[str]
    crs: str = CRS_STORED

    def __len__(self) -> int:
        return len(self.geometry_wkb)

    def __contains__(self, name: object) -> bool:
        return name in self.columns

    def __getitem__(self, name: str) -> list[Any]:
        return self.columns[name]

    def records(self) -> list[dict[str, Any]]:
        """One dict per row, of every column but the geometry."""
        names = list(self.columns)
        rows = zip(*self.columns.values(), strict=True)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def take(self, positions: Sequence[int]) -> "VillageTable":
        """The rows at ``positions``, in that order."""
        return VillageTable(
            {name: [values[i] for i in positions] for name, values in self.columns.items()},
            [self.geometry_wkb[i] for i in positions],
            self.crs,
        )

    def sorted_by(self, name: str) -> "VillageTable":
        values = self.columns[name]
        return self.take(sorted(range(len(self)), key=values.__getitem__))

    def where(self, name: str) -> "VillageTable":
        """The rows whose boolean column ``name`` is true."""
        return self.take([i for i, flag in enumerate(self.columns[name]) if flag])

    def geometries(self) -> "np.ndarray":
        """The outlines as shapely geometries (loads shapely)."""
        import shapely

        geometries: np.ndarray = shapely.from_wkb(self.geometry_wkb)
        return geometries

    @classmethod
    def from_frame(cls, villages: "gpd.GeoDataFrame") -> "VillageTable":
        """The rows of a GeoDataFrame (``geodata.read_villages()``'s, or a file's)."""
        import shapely

        from geodata.schema import crs_label

        table = villages.reset_index(drop=True)
        columns = {
            str(name): [missing_as_nan(v) for v in table[name].tolist()]
            for name in table.columns
            if name != table.geometry.name
        }
        wkb = shapely.to_wkb(table.geometry.to_numpy(), hex=True).tolist()
        return cls(columns, wkb, crs_label(villages.crs) or "")

    def to_frame(self) -> "pd.DataFrame":
        """The columns as a DataFrame, without the geometry (for analysts' tools)."""
        import pandas as pd

        return pd.DataFrame(self.columns)


def missing_as_nan(value: Any) -> Any:
    """A table value, missing ones as nan (pandas gives None or nan depending on the dtype)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    return value


def json_value(value: Any) -> Any:
    """A table value as JSON writes it: numpy scalars as Python ones, nan as null."""
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
