"""Reconciling INSEE commune codes across vintages of the Code officiel géographique (COG).

The raw files come in four vintages (SOURCES.md, section 0): polygons and ARCEP of COG 2018
(462 Gers communes), BPE, Filosofi and the COG list of 2019 (461), datas.fun of 2024 (461), the
INSEE comparateur and ptod of 2025 (458). The packaged table uses the **COG 2025** geography.
The mergers are listed once, below; the build maps or sums every older source through them
(and refuses a Gers code it cannot place), and keeps the absorbing commune's own row where a
source lists the absorbed ones separately (names, points).
"""

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # pandas only types these: the service reads codes without loading it
    import pandas as pd

Frame = TypeVar("Frame", bound="pd.DataFrame")

GEOGRAPHY = "COG 2025"
GERS_COMMUNE_COUNT = 458

#: Codes that disappeared from the Gers between COG 2018 and COG 2025, mapped to the commune
#: that absorbed them, with the year the merger took effect.
MERGED_INTO: Mapping[str, tuple[str, int]] = {
    # Cannet joined Riscle on 1 January 2019: only the 2018 polygons and ARCEP 2018 have 32074.
    "32074": ("32344", 2019),
    # Cabas-Loumassès, Monbardon and Sarcos joined Saint-Blancard, renamed Cap d'Astarac (2025).
    "32067": ("32365", 2025),
    "32260": ("32365", 2025),
    "32413": ("32365", 2025),
}

#: Names that changed between COG 2019 (the INSEE list we read names from) and COG 2025.
#: The build checks the result against the COG 2025 names carried by the ptod files.
RENAMED_SINCE_2019: Mapping[str, str] = {
    "32199": "Lasserrade",
    "32289": "Montpezat",
    "32365": "Cap d'Astarac",
    "32465": "Villefranche-d'Astarac",
}


def to_cog2025(codes: Iterable[str], vintage: int) -> list[str]:
    """Map INSEE codes of an older vintage to their COG 2025 code.

    Parameters
    ----------
    codes
        Five-character INSEE commune codes.
    vintage
        The COG year the codes belong to; only mergers that took effect after it apply.
    """
    mapped = []
    for code in codes:
        target = MERGED_INTO.get(code)
        mapped.append(target[0] if target is not None and target[1] > vintage else code)
    return mapped


def recode(frame: Frame, column: str, vintage: int) -> Frame:
    """Return ``frame`` with ``column`` mapped to COG 2025 codes (a copy; the input is kept)."""
    out = frame.copy()
    out[column] = to_cog2025(out[column].astype(str), vintage)
    return out


def apply_renames(names: "pd.Series") -> "pd.Series":
    """Give COG 2025 names to a Series of COG 2019 names indexed by COG 2025 code."""
    out = names.copy()
    for code, name in RENAMED_SINCE_2019.items():
        if code in out.index:
            out.loc[code] = name
    return out
