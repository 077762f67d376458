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

_LABELS = {
    "fr": {
        "partners": "Villages partenaires",
        "no_data": "Pas de donnée",
        "title": "Communes du Gers",
        "sources": "Sources",
        "estimate": "estimation",
    },
    "en": {
        "partners": "Partner villages",
        "no_data": "No data",
        "title": "Communes of the Gers",
        "sources": "Sources",
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
    attribute = ATTRIBUTE_ALIASES.get(attribute, attribute) if attribute else attribute
    if attribute is not None and attribute not in villages.columns:
        raise GeodataError(
            f"attribute: expected a column of the village table or one of "
            f"{', '.join(ATTRIBUTE_ALIASES)}, found {attribute!r}"
        )
    if attribute is not None and villages[attribute].dtype.kind not in "biuf":
        raise GeodataError(
            f"attribute {attribute!r}: expected a numeric column, found {villages[attribute].dtype}"
        )
    metric = villages.to_crs(CRS_METRIC)
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_aspect("equal")
    if attribute is None:
        metric.plot(ax=ax, facecolor="#f2efe6", edgecolor="#9a9a9a", linewidth=0.3)
    else:
        column = COLUMNS_BY_NAME.get(attribute)
        unit = f" ({column.unit})" if column is not None and column.unit else ""
        note = f", {text['estimate']}" if column is not None and column.estimate else ""
        metric.plot(
            ax=ax,
            column=attribute,
            cmap=cmap,
            edgecolor="#ffffff",
            linewidth=0.2,
            legend=True,
            legend_kwds={"label": f"{attribute}{unit}{note}", "shrink": 0.6},
            missing_kwds={"color": "#d9d9d9", "label": text["no_data"]},
        )
    if show_partners and "partner" in metric.columns and metric["partner"].any():
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
            label=f"{text['partners']} ({len(partners)})",
            zorder=3,
        )
        ax.legend(loc="lower left", frameon=False)
    ax.set_title(title or text["title"])
    keys = ["polygons"]
    if attribute is not None and attribute in COLUMNS_BY_NAME:
        keys += [k for k in COLUMNS_BY_NAME[attribute].sources if k not in keys]
    vintages: dict[str, list[str]] = {}
    for key in keys:
        listed = vintages.setdefault(SOURCES[key].publisher, [])
        if SOURCES[key].vintage not in listed:
            listed.append(SOURCES[key].vintage)
    caption = "; ".join(f"{who} ({', '.join(when)})" for who, when in vintages.items())
    wrapped = textwrap.fill(f"{text['sources']}: {caption}", width=int(figsize[0] * 17))
    fig.text(0.01, 0.005, wrapped, fontsize=7, color="#555555", va="bottom")
    return fig
