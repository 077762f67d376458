"""Fibre shares per commune from ARCEP's own "Commune" table, and the vintage to label them.

The packaged data read a third party's percentages (``SOURCES['ftth']``); each quarter ARCEP
publishes a newer table, which ``sohosolo data build --ftth FILE`` reads instead through these
functions: share = min(ftth / Locaux, 1), the vintage given or read from the file's name.
"""

import os
import re
from pathlib import Path

import pandas as pd

from geodata import cog
from geodata.exceptions import RawDataError

#: ARCEP names its files by quarter: "2025t3", "2025_T3", "T3-2025"...
_QUARTER = (
    re.compile(r"(?<!\d)(20\d\d)[ _-]?[tTqQ]([1-4])(?!\d)"),
    re.compile(r"(?<![A-Za-z])[tTqQ]([1-4])[ _-]?(20\d\d)(?!\d)"),
)
#: Shares are kept to 0.1 %, the precision of the packaged file.
SHARE_DECIMALS = 3


def arcep_vintage(path: str | os.PathLike[str], given: str | None = None) -> str:
    """The ``ftth_vintage`` of an ARCEP file: ``given`` if any, else 'ARCEP Tq YYYY' from a
    quarter in the file's name (e.g. ``2025t3_commune.dbf``).

    Raises
    ------
    RawDataError
        When neither is available: a wrong quarter would mislabel every fibre fact.
    """
    if given is not None:
        if not given.strip():
            raise RawDataError("ftth vintage: expected a text such as 'ARCEP T3 2025', found ''")
        return given.strip()
    name = Path(path).name
    for pattern in _QUARTER:
        found = pattern.search(name)
        if found:
            year, quarter = sorted(found.groups(), key=len, reverse=True)
            return f"ARCEP T{quarter} {year}"
    raise RawDataError(
        f"ARCEP file {name}: expected a quarter in its name (such as 2025t3_commune.dbf), "
        "found none; give the vintage, e.g. --ftth-vintage 'ARCEP T3 2025'"
    )


def arcep_shares(table: pd.DataFrame, codes: pd.Index, where: str) -> pd.Series:
    """``ftth_share`` of every commune of ``codes`` from ARCEP's "Commune" table (columns
    ``INSEE_COM, ftth, Locaux``; other départements ignored); merged communes are summed.

    Raises
    ------
    RawDataError
        Naming the commune and the value: not a number, negative, no premises, or a Gers
        commune missing or unknown.
    """
    gers = table[table["INSEE_COM"].str.startswith("32")]
    counts = pd.DataFrame({"code": cog.to_cog2025(gers["INSEE_COM"], vintage=2018)})
    for column in ("ftth", "Locaux"):
        values = pd.to_numeric(gers[column], errors="coerce").to_numpy()
        bad = gers.loc[~(values >= 0), ["INSEE_COM", column]]
        if not bad.empty:
            raise RawDataError(
                f"{where}: column {column!r} expected a count of premises, found "
                f"{bad[column].iloc[0]!r} for commune {bad['INSEE_COM'].iloc[0]}"
            )
        counts[column] = values
    summed = counts.groupby("code")[["ftth", "Locaux"]].sum()
    missing, extra = codes.difference(summed.index), summed.index.difference(codes)
    if len(missing) or len(extra):
        raise RawDataError(
            f"{where}: expected the {len(codes)} Gers communes of {cog.GEOGRAPHY}; missing "
            f"{list(missing)[:10]}, unexpected {list(extra)[:10]}"
        )
    empty = summed.index[summed["Locaux"] <= 0]
    if len(empty):
        raise RawDataError(f"{where}: commune {empty[0]} has no premises (Locaux = 0)")
    share = (summed["ftth"] / summed["Locaux"]).clip(upper=1.0).round(SHARE_DECIMALS)
    return share.reindex(codes).rename("ftth_share")
