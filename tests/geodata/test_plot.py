import re
import xml.etree.ElementTree as ET

import pytest

from geodata.exceptions import GeodataError
from geodata.io import write_figure
from geodata.plot import ATTRIBUTE_ALIASES, map_title, plot_villages
from geodata.schema import COLUMNS_BY_NAME


@pytest.fixture
def marked(villages):
    return villages.assign(partner=[True, False, True, False, False])


def test_choropleth_to_svg_and_png(marked, tmp_path) -> None:
    figure = plot_villages(marked, "ftth_share", lang="en", title="Fibre")
    svg = write_figure(figure, tmp_path / "map.svg")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    text = svg.read_text(encoding="utf-8")
    assert text.count("<path") > 5  # outlines, colour bar, partner marks
    png = write_figure(figure, tmp_path / "map.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    axes = figure.axes[0]
    assert axes.get_title() == "Fibre"
    assert axes.get_legend().get_texts()[0].get_text() == "Partner villages (2)"


def test_the_caption_credits_each_source_once(marked) -> None:
    figure = plot_villages(marked, "minutes_to_middle_school")
    caption = figure.texts[0].get_text().replace("\n", " ")
    assert caption.startswith("Sources\u00a0: IGN (COG 2018); INSEE (BPE 2019")
    assert caption.count("INSEE / La Poste") == 1
    assert "© OpenStreetMap contributors, via the Travel Mapping project" in caption
    prices = plot_villages(marked, "house_price_m2").texts[0].get_text().replace("\n", " ")
    assert prices.count("DGFiP (DVF)") == 1
    assert "DGFiP (DVF) (DVF 2024 (COG 2025), DVF 2024)" in prices


def test_titles_and_legends_say_in_words_what_and_whose(marked) -> None:
    # The vintage comes from the table's own vintage column where there is one.
    fibre = marked.assign(ftth_vintage="ARCEP 2025")
    figure = plot_villages(fibre, "ftth_share")
    assert figure.axes[0].get_title() == "Part des locaux raccordables à la fibre, ARCEP 2025"
    legend = figure.axes[-1].get_ylabel().replace("\n", " ")
    assert legend == "Part des locaux raccordables à la fibre (part de 0 à 1), ARCEP 2025"
    english = plot_villages(fibre, "minutes_to_auch", lang="en")
    title = "Minutes by road to Auch, Travel Mapping / OpenStreetMap 2026"
    assert english.axes[0].get_title() == title
    assert "min, estimate" in english.axes[-1].get_ylabel().replace("\n", " ")
    assert "_" not in figure.axes[-1].get_ylabel()


def test_french_is_the_default(marked) -> None:
    figure = plot_villages(marked)
    assert figure.axes[0].get_title() == "Communes du Gers"
    assert figure.axes[0].get_legend().get_texts()[0].get_text() == "Villages partenaires (2)"


def test_missing_values_are_drawn_as_no_data(marked) -> None:
    figure = plot_villages(marked, "median_income_eur")  # 32001 has no income (secret)
    assert figure.axes  # drawn without error, the empty commune in grey


@pytest.mark.parametrize(
    ("attribute", "lang", "message"),
    [
        ("fiber", "fr", "expected a column of the village table or one of fibre, price"),
        ("name", "fr", "attribute 'name': expected a numeric column"),
        (None, "de", "lang: expected one of \\['en', 'fr'\\], found 'de'"),
    ],
)
def test_bad_requests_are_named(marked, attribute, lang, message) -> None:
    with pytest.raises(GeodataError, match=message):
        plot_villages(marked, attribute, lang=lang)


def test_short_names_draw_their_column(marked) -> None:
    def colour_bar_label(figure):
        return figure.axes[-1].get_ylabel()

    short, full = plot_villages(marked, "fibre"), plot_villages(marked, "ftth_share")
    assert colour_bar_label(short) == colour_bar_label(full)
    assert colour_bar_label(short).startswith("Part des locaux raccordables")
    assert short.texts[0].get_text() == full.texts[0].get_text()


#: Who the maps credit, by the names their credits use.
PUBLISHERS = ("ARCEP", "INSEE", "DVF", "Travel Mapping", "SNCF", "IGN", "DREES", "ANIL")


@pytest.fixture(scope="module")
def gers():
    import geodata

    return geodata.read_villages()


@pytest.mark.parametrize("alias", sorted(ATTRIBUTE_ALIASES))
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_short_name_is_titled_in_words_with_source_and_year(gers, alias, lang) -> None:
    column = COLUMNS_BY_NAME[ATTRIBUTE_ALIASES[alias]]
    figure = plot_villages(gers, alias, lang=lang)
    title = figure.axes[0].get_title().replace("\n", " ")
    legend = figure.axes[-1].get_ylabel().replace("\n", " ")
    for text in (title, legend):
        assert text.startswith(column.label(lang)), text
        assert column.name not in text
        assert "_" not in text
        assert re.search(r"\b(19|20)\d\d\b", text), f"no year in {text!r}"
        assert any(publisher in text for publisher in PUBLISHERS), text
    estimate = "estimation" if lang == "fr" else "estimate"
    assert (estimate in legend) is column.estimate, legend
    assert estimate not in title
    assert "- " not in legend  # a word cut at its hyphen ("Toulouse- Matabiau")
    width = figure.get_figwidth() * 8  # characters of the title's size across the figure
    assert max(len(line) for line in figure.axes[0].get_title().splitlines()) <= width


def test_every_column_a_map_may_show_is_titled_in_words(gers) -> None:
    numeric = [c for c in gers.columns if gers[c].dtype.kind in "iuf"]
    for name in numeric:
        assert map_title(gers, name, "fr") != name
        assert map_title(gers, name, "en") != name


@pytest.mark.parametrize("name", ["partner", "travel_estimated"])
def test_a_yes_no_column_is_not_a_map(gers, name) -> None:
    with pytest.raises(GeodataError, match=f"attribute '{name}': expected a numeric column"):
        plot_villages(gers, name)


def test_the_french_caption_writes_a_french_colon(marked) -> None:
    assert plot_villages(marked, "fibre").texts[0].get_text().startswith("Sources\u00a0: ")
    assert plot_villages(marked, "fibre", lang="en").texts[0].get_text().startswith("Sources: ")
