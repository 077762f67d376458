import xml.etree.ElementTree as ET

import pytest

from geodata.exceptions import GeodataError
from geodata.io import write_figure
from geodata.plot import plot_villages


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
    assert caption.startswith("Sources: IGN (COG 2018); INSEE (BPE 2019")
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
