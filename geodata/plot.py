"""Maps of the Gers communes: partners marked, any attribute as a choropleth.

matplotlib is imported here only, and this module only when a map is drawn. Figures are built
without pyplot, so drawing never depends on a display or on global state.
"""

import textwrap
from typing import TYPE_CHECKING

import geopandas as gpd

from geodata.exceptions import GeodataError
from geodata.schema import COLUMNS_BY_NAME, CRS_METRIC, SOURCES

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Short names of the attributes people ask for most, for ``sohosolo map --attribute fibre``.
ATTRIBUTE_ALIASES = {
    "fibre": "ftth_share",
    "price": "house_price_m2",
    "college": "minutes_to_middle_school",
    "auch": "minutes_to_auch",
    "toulouse": "minutes_to_toulouse",
    "population": "population",
}

#: Units in French words (English uses the schema's own).
_UNITS_FR = {
    "share": "part de 0 à 1",
    "inhabitants": "habitants",
    "inhabitants/km²": "habitants/km²",
    "count": "nombre",
    "sales": "ventes",
    "operators": "opérateurs",
    "operator sites": "sites",
    "dwellings": "logements",
    "jobs": "emplois",
    "establishments": "établissements",
    "€/m² per month": "€/m² par mois",
    "€ per consumption unit per year": "€ par unité de consommation et par an",
    "consultations per inhabitant per year": "consultations par habitant et par an",
    "degree (EPSG:4326)": "degré",
}
#: Sources that only place the communes: not credited in a legend.
_PLACING_SOURCES = frozenset({"polygons", "cantons", "points", "neighbours"})

_LABELS = {
    "fr": {
        "partners": "Villages partenaires",
        "no_data": "Pas de donnée",
        "title": "Communes du Gers",
        "sources": "Sources\u00a0:",
        "estimate": "estimation",
    },
    "en": {
        "partners": "Partner villages",
        "no_data": "No data",
        "title": "Communes of the Gers",
        "sources": "Sources:",
        "estimate": "estimate",
    },
}


def plot_villages(
    villages: gpd.GeoDataFrame,
    attribute: str | None = None,
    *,
    show_partners: bool = True,
    title: str | None = None,
    lang: str = "fr",
    cmap: str = "viridis",
    figsize: tuple[float, float] = (9.0, 6.5),
) -> "Figure":
    """Draw the communes, optionally coloured by ``attribute``, with partners marked.

    Parameters
    ----------
    villages
        A table as read by ``geodata.read_villages`` (any subset of it).
    attribute
        A numeric column of the table to draw as a choropleth; ``None`` for outlines only.
    show_partners
        Mark the villages whose ``partner`` column is true.
    lang
        ``fr`` (default) or ``en`` for the legend and caption.

    Returns
    -------
    matplotlib.figure.Figure, ready for ``geodata.io.write_figure``.
    """
    from matplotlib.figure import Figure

    if lang not in _LABELS:
        raise GeodataError(f"lang: expected one of {sorted(_LABELS)}, found {lang!r}")
    text = _LABELS[lang]
    attribute = _numeric_column(villages, attribute)
    metric = villages.to_crs(CRS_METRIC)
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_aspect("equal")
    if attribute is None:
        metric.plot(ax=ax, facecolor="#f2efe6", edgecolor="#9a9a9a", linewidth=0.3)
    else:
        metric.plot(
            ax=ax,
            column=attribute,
            cmap=cmap,
            edgecolor="#ffffff",
            linewidth=0.2,
            legend=True,
            legend_kwds={"label": legend_text(villages, attribute, lang), "shrink": 0.6},
            missing_kwds={"color": "#d9d9d9", "label": text["no_data"]},
        )
    if show_partners and "partner" in metric.columns and metric["partner"].any():
        _mark_partners(ax, villages, text["partners"])
    default = text["title"] if attribute is None else map_title(villages, attribute, lang)
    # A title with its credits can be wider than the map: it goes on as many lines as it needs.
    ax.set_title(textwrap.fill(title or default, width=int(figsize[0] * 8), break_on_hyphens=False))
    wrapped = textwrap.fill(
        f"{text['sources']} {_sources_caption(attribute)}",
        width=int(figsize[0] * 17),
        break_on_hyphens=False,
    )
    fig.text(0.01, 0.005, wrapped, fontsize=7, color="#555555", va="bottom")
    return fig


def _numeric_column(villages: gpd.GeoDataFrame, attribute: str | None) -> str | None:
    """The column a map's ``attribute`` names (a column or a short name), checked numeric."""
    if attribute is None:
        return None
    attribute = ATTRIBUTE_ALIASES.get(attribute, attribute)
    if attribute not in villages.columns:
        raise GeodataError(
            f"attribute: expected a column of the village table or one of "
            f"{', '.join(ATTRIBUTE_ALIASES)}, found {attribute!r}"
        )
    # Yes/no columns (partner, travel_estimated) are no measure to colour by.
    if villages[attribute].dtype.kind not in "iuf":
        raise GeodataError(
            f"attribute {attribute!r}: expected a numeric column, found {villages[attribute].dtype}"
        )
    return attribute


def _mark_partners(ax: "Axes", villages: gpd.GeoDataFrame, label: str) -> None:
    partners = gpd.GeoSeries(
        gpd.points_from_xy(
            villages.loc[villages["partner"], "point_lon"],
            villages.loc[villages["partner"], "point_lat"],
        ),
        crs=villages.crs,
    ).to_crs(CRS_METRIC)
    partners.plot(
        ax=ax,
        color="#d7301f",
        edgecolor="#ffffff",
        linewidth=0.6,
        markersize=28,
        label=f"{label} ({len(partners)})",
        zorder=3,
    )
    ax.legend(loc="lower left", frameon=False)


def _sources_caption(attribute: str | None) -> str:
    """Every publisher behind the map, each once, with its vintages."""
    keys = ["polygons"]
    if attribute is not None and attribute in COLUMNS_BY_NAME:
        keys += [k for k in COLUMNS_BY_NAME[attribute].sources if k not in keys]
    vintages: dict[str, list[str]] = {}
    for key in keys:
        listed = vintages.setdefault(SOURCES[key].publisher, [])
        if SOURCES[key].vintage not in listed:
            listed.append(SOURCES[key].vintage)
    return "; ".join(f"{who} ({', '.join(when)})" for who, when in vintages.items())


def credit(villages: gpd.GeoDataFrame, attribute: str) -> str:
    """Publisher and year of a column's values: its vintage column's values when the table
    has one (a refreshed source or a scenario says so there), else its sources' credits."""
    column = COLUMNS_BY_NAME[attribute]
    if column.vintage_column and column.vintage_column in villages.columns:
        values = villages[column.vintage_column].dropna().astype(str)
        return ", ".join(sorted(set(values)))
    credits: list[str] = []
    for key in column.sources:
        if key not in _PLACING_SOURCES and SOURCES[key].credit not in credits:
            credits.append(SOURCES[key].credit)
    return "; ".join(credits)


def map_title(villages: gpd.GeoDataFrame, attribute: str, lang: str = "fr") -> str:
    """'What it measures, publisher year' (e.g. 'Part des locaux raccordables à la fibre,
    ARCEP 2025'); a column the schema does not know keeps its name."""
    column = COLUMNS_BY_NAME.get(attribute)
    if column is None:
        return attribute
    return f"{column.label(lang)}, {credit(villages, attribute)}"


def legend_text(villages: gpd.GeoDataFrame, attribute: str, lang: str = "fr") -> str:
    """The colour bar's label: what the colours measure, in words, with unit and source."""
    column = COLUMNS_BY_NAME.get(attribute)
    if column is None:
        return attribute
    unit = _UNITS_FR.get(column.unit, column.unit) if lang == "fr" else column.unit
    notes = [n for n in (unit, _LABELS[lang]["estimate"] if column.estimate else "") if n]
    inside = f" ({', '.join(notes)})" if notes else ""
    # Lines break at spaces only: not inside "Toulouse-Matabiau".
    return textwrap.fill(
        f"{column.label(lang)}{inside}, {credit(villages, attribute)}",
        width=48,
        break_on_hyphens=False,
    )
