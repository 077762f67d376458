"""Which village facts a committee may correct, the check of a proposed value, and the
approved corrections applied to the village table the model is built from.

A correctable fact is a numeric column of ``geodata.schema`` that the model reads
(``features.columns.village_columns``); its value must lie in the column's documented range
(``minimum``, ``maximum``) and be whole for a count.
"""

import math
from collections.abc import Mapping
from typing import Any

from features.columns import village_columns
from geodata.schema import COLUMNS_BY_NAME
from geodata.table import VillageTable
from service.exceptions import InvalidField
from service.store import Proposal

#: The facts a committee may correct, in the model's order.
CORRECTABLE: tuple[str, ...] = tuple(
    name
    for name in village_columns()
    if name in COLUMNS_BY_NAME and COLUMNS_BY_NAME[name].kind in ("int", "float")
)


def expected_range(field: str) -> str:
    column = COLUMNS_BY_NAME[field]
    low = "" if column.minimum is None else f"{column.minimum:g}"
    high = "" if column.maximum is None else f"{column.maximum:g}"
    whole = "a whole number" if column.kind == "int" else "a number"
    if high:
        return f"{whole} from {low} to {high} ({column.unit})"
    return f"{whole} from {low} ({column.unit})"


def checked_value(field: str, value: float) -> float:
    """``value`` if it fits the field's documented range; ``InvalidField`` naming ``value``."""
    column = COLUMNS_BY_NAME[field]
    fits = (
        math.isfinite(value)
        and (column.minimum is None or value >= column.minimum)
        and (column.maximum is None or value <= column.maximum)
        and (column.kind != "int" or float(value).is_integer())
    )
    if not fits:
        whole = column.kind == "int" and math.isfinite(value) and not float(value).is_integer()
        raise InvalidField(
            "value",
            f"{field}: expected {expected_range(field)}, found {value:g}",
            value,
            code="fact_whole" if whole else "fact_range",
            context={
                "minimum": column.minimum,
                "maximum": "∞" if column.maximum is None else column.maximum,
                "unit": column.unit,
            },
        )
    return int(value) if column.kind == "int" else float(value)


def corrected_table(
    villages: VillageTable, corrections: Mapping[str, Mapping[str, Proposal]]
) -> VillageTable:
    """The table with each approved value in place of the packaged one (the same table when
    there is none)."""
    if not corrections:
        return villages
    columns: dict[str, list[Any]] = {
        name: list(values) for name, values in villages.columns.items()
    }
    for row, insee in enumerate(villages["insee"]):
        for field, proposal in corrections.get(str(insee), {}).items():
            if field in columns:
                kind = COLUMNS_BY_NAME[field].kind
                columns[field][row] = int(proposal.value) if kind == "int" else proposal.value
    return VillageTable(columns, villages.geometry_wkb, villages.crs)
