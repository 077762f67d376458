import html
import json
import re
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from features.criteria import all_criteria
from features.i18n import Lang, euros
from features.vocab import PROFESSIONS
from geodata.schema import SOURCES
from service.app import create_app
from service.responses import content_security_policy
from service.routes.pages import embed_policy
from tests.conftest import API_EXAMPLE_PROFILE
from tests.service.conftest import STAFF, make_settings

ORIGIN = "https://www.soho-solo-gers.com"
#: Every field of the api.md profile, by the name its form control carries.
PROFILE_FIELDS = (
    "profession",
    "connectivity",
    "remote_days_per_week",
    "household.adults",
    "household.children_ages",
    "housing.tenure",
    "housing.budget_eur",
    "housing.min_bedrooms",
    "preferences.max_minutes_to_auch",
    "preferences.needs_train_station",
    "preferences.settlement",
    "must",
)
CONTACT = {
    "name": "Jeanne Martin",
    "email": "jeanne.martin@example.org",
    "phone": "+33 6 12 34 56 78",
}


class Page(HTMLParser):
    """What the tests look at in a page: tags with their attributes, and option labels."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.options: dict[str, list[tuple[str, str]]] = {}
        self._select: str | None = None
        self._option: str | None = None
        self._text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if tag == "select":
            self._select = attributes.get("id", "")
            self.options[self._select] = []
        elif tag == "option":
            self._option, self._text = attributes.get("value", ""), []

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._select is not None and self._option is not None:
            self.options[self._select].append((self._option, "".join(self._text).strip()))
            self._option = None
        elif tag == "select":
            self._select = None

    def names(self) -> set[str]:
        return {a["name"] for tag, a in self.tags if tag in ("input", "select") and "name" in a}

    def references(self) -> list[str]:
        return [
            a[key]
            for _, a in self.tags
            for key in ("src", "href", "action", "xlink:href")
            if key in a
        ]

    def nonces(self, tag: str) -> list[str]:
        return [a["nonce"] for t, a in self.tags if t == tag and "nonce" in a]


def directives(policy: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, cors_origins=[ORIGIN])
    with TestClient(create_app(settings)) as test_client:
        yield test_client


# -- /embed ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_form_lists_the_professions_in_the_page_language(
    client: TestClient, lang: Lang
) -> None:
    response = client.get("/embed", params={"lang": lang})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = Page(response.text)
    assert f'<html lang="{lang}">' in response.text
    options = [o for o in page.options["profession"] if o[0]]
    assert options == [(p.code, p.label(lang)) for p in PROFESSIONS]
    labels = [a for t, a in page.tags if t == "input" and a.get("name") == "must"]
    assert [a["value"] for a in labels] == OFFERED_MUSTS
    text = html.unescape(response.text)
    for criterion in all_criteria():
        if criterion.code in OFFERED_MUSTS:
            assert f">{criterion.label(lang)}<" in text


def test_french_is_the_default_with_a_switch_to_english(client: TestClient) -> None:
    text = client.get("/embed").text
    assert '<html lang="fr">' in text
    assert "Trouvez votre village dans le Gers" in text
    assert "Développeur·se logiciel" in text
    assert "Software developer" not in text
    switch = [a for t, a in Page(text).tags if t == "a" and a.get("hreflang") == "en"]
    assert switch
    assert switch[0]["href"] == "?lang=en"


def test_the_english_page_has_no_french_labels(client: TestClient) -> None:
    text = client.get("/embed", params={"lang": "en"}).text
    assert "Find your village in the Gers" in text
    assert "Must-haves" in text
    assert "Critères impératifs" not in text
    assert "Trouver mes villages" not in text
    assert 'href="?lang=fr"' in text


def test_every_profile_field_has_a_control(client: TestClient) -> None:
    page = Page(client.get("/embed").text)
    assert set(PROFILE_FIELDS) | {"k"} <= page.names()
    must = [a["value"] for t, a in page.tags if t == "input" and a.get("name") == "must"]
    assert must == OFFERED_MUSTS
    labelled = {a["for"] for t, a in page.tags if t == "label" and "for" in a}
    controls = [a for t, a in page.tags if t in ("input", "select") and a.get("type") != "radio"]
    assert all(c["id"] in labelled for c in controls)  # radios sit inside their labels


def page_data(text: str) -> dict[str, Any]:
    """The data the page hands its script."""
    start = text.index('<script type="application/json" id="page-data">') + len(
        '<script type="application/json" id="page-data">'
    )
    data: dict[str, Any] = json.loads(html.unescape(text[start : text.index("</script>", start)]))
    return data


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_field_says_what_to_type_with_the_profiles_own_bounds(
    client: TestClient, lang: Lang
) -> None:
    data = page_data(client.get("/embed", params={"lang": lang}).text)
    helps = data["help"]
    # What the form always sends whole cannot be refused: a checkbox, and two of the groups.
    never_refused = {"preferences.needs_train_station", "household", "preferences"}
    assert set(helps) == set(data["fields"]) - never_refused
    assert not [text for text in helps.values() if "{" in text or "}" in text]
    to = "à" if lang == "fr" else "to"
    assert f"1 {to} 6" in helps["household.adults"]
    assert f"0 {to} 25" in helps["household.children_ages"]
    assert f"0 {to} 10" in helps["housing.min_bedrooms"]
    assert f"1 {to} 52" in helps["k"]
    assert "240" in helps["preferences.max_minutes_to_auch"]
    for key in ("problem_missing", "problem_value", "problem_unread", "problem_other"):
        assert data["text"][key]


def test_the_inputs_bounds_are_the_profiles(client: TestClient) -> None:
    page = Page(client.get("/embed").text)
    inputs = {a["id"]: a for t, a in page.tags if t == "input" and "id" in a}
    assert (inputs["adults"]["min"], inputs["adults"]["max"]) == ("1", "6")
    assert (inputs["remote_days_per_week"]["min"], inputs["remote_days_per_week"]["max"]) == (
        "0",
        "7",
    )
    assert inputs["min_bedrooms"]["max"] == "10"
    assert inputs["max_minutes_to_auch"]["max"] == "240"
    assert inputs["k"]["max"] == "52"


#: The criteria the packaged partner villages leave a choice on: each of them has a doctor and
#: a grocery within 15 minutes, and a welcome committee, so those musts could exclude none.
OFFERED_MUSTS = [c.code for c in all_criteria() if c.code not in ("health", "shops", "community")]


@pytest.mark.parametrize(
    ("lang", "always"),
    [
        (
            "fr",
            "Tous les villages partenaires ont déjà\u00a0: un médecin généraliste à 15 min au "
            "plus, un commerce alimentaire à 15 min au plus et un comité d'accueil Soho Solo "
            "(village partenaire).",
        ),
        (
            "en",
            "Every partner village already has: a general practitioner within 15 min, a grocery "
            "within 15 min and a Soho Solo welcome committee (partner village).",
        ),
    ],
)
def test_a_must_every_partner_meets_is_said_to_be_met_not_offered(
    client: TestClient, lang: Lang, always: str
) -> None:
    text = html.unescape(client.get("/embed", params={"lang": lang}).text)
    assert 'value="community"' not in text
    assert always in text
    # The API still takes it: the contract lists every criterion.
    profile = {**API_EXAMPLE_PROFILE, "must": ["community", "health"]}
    answer = client.post("/v1/recommendations", json=profile)
    assert answer.status_code == 200
    assert answer.json()["excluded"] == []


def test_the_page_fetches_nothing_from_elsewhere(client: TestClient) -> None:
    text = client.get("/embed").text
    page = Page(text)
    for reference in page.references():
        assert not reference.startswith(("http:", "https:", "//")), reference
    assert "http://" not in text
    assert "https://" not in text
    assert not [a for t, a in page.tags if t in ("script", "img", "iframe") and "src" in a]
    assert not [a for t, a in page.tags if t == "link" and a.get("rel") == "stylesheet"]
    assert 'new URL("v1/recommendations", document.baseURI)' in text


def test_the_results_are_announced_and_listed_in_order(client: TestClient) -> None:
    page = Page(client.get("/embed").text)
    assert ("ol", {"id": "ranked", "class": "ranked"}) in page.tags
    assert any(a.get("aria-live") == "polite" for _, a in page.tags)
    assert any(t == "svg" and a.get("id") == "map" for t, a in page.tags)
    dots = [a for t, a in page.tags if t == "circle" and "data-insee" in a]
    assert len(dots) == 52


def test_the_policy_allows_only_the_page_own_script_and_style(client: TestClient) -> None:
    response = client.get("/embed")
    policy = directives(response.headers["content-security-policy"])
    page = Page(response.text)
    (script_nonce,) = page.nonces("script")
    (style_nonce,) = page.nonces("style")
    assert script_nonce == style_nonce
    assert len(script_nonce) >= 16
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == f"'nonce-{script_nonce}'"
    assert policy["style-src"] == f"'nonce-{script_nonce}'"
    assert policy["connect-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["form-action"] == "'self'"
    assert policy["frame-ancestors"].split() == ["'self'", ORIGIN]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    # The only other script is inert data, which a policy does not need to allow.
    scripts = [a for t, a in page.tags if t == "script"]
    assert [a.get("type") for a in scripts if "nonce" not in a] == ["application/json"]
    assert ' style="' not in response.text  # attributes a nonce does not cover


def test_each_page_gets_a_fresh_nonce(client: TestClient) -> None:
    first, second = (client.get("/embed") for _ in range(2))
    assert Page(first.text).nonces("script") != Page(second.text).nonces("script")
    assert first.headers["cache-control"] == "no-store"


def test_an_origin_that_is_not_one_stays_out_of_the_policy() -> None:
    policy = content_security_policy(
        embed_policy("n0nce", [ORIGIN, "https://x.example; script-src *", "*"])
    )
    assert directives(policy)["frame-ancestors"] == f"'self' {ORIGIN}"
    assert policy.count("script-src") == 1


@pytest.mark.parametrize("lang", ["de", "EN", "", "fr-FR"])
def test_a_page_in_an_unknown_language_is_the_french_page(client: TestClient, lang: str) -> None:
    response = client.get("/embed", params={"lang": lang})
    assert response.status_code == 200
    assert '<html lang="fr">' in response.text
    assert "Trouvez votre village dans le Gers" in response.text


def test_the_api_keeps_its_422_for_an_unknown_language(client: TestClient) -> None:
    for answer in (
        client.get("/v1/professions", params={"lang": "de"}),
        client.post("/v1/recommendations", params={"lang": "de"}, json=API_EXAMPLE_PROFILE),
    ):
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["loc"] == ["query", "lang"]


# -- / ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "heading", "embed_link"),
    [
        (None, "Soho Solo : trouver son village dans le Gers", "Le formulaire des visiteurs"),
        ("en", "Soho Solo: finding a village in the Gers", "The visitors' form"),
        ("de", "Soho Solo : trouver son village dans le Gers", "Le formulaire des visiteurs"),
    ],
)
def test_the_root_welcomes_a_newcomer_with_links(
    client: TestClient, lang: str | None, heading: str, embed_link: str
) -> None:
    response = client.get("/", params={"lang": lang} if lang else {}, follow_redirects=False)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    text = html.unescape(response.text).replace("\u00a0", " ")
    assert heading in text
    assert embed_link in text
    page = Page(response.text)
    links = [a["href"] for t, a in page.tags if t == "a"]
    for target in ("embed", "docs", "v1/health"):
        assert any(link.split("?")[0] == target for link in links), (target, links)
    assert "52" in text  # the partner villages
    policy = directives(response.headers["content-security-policy"])
    assert policy["default-src"] == "'none'"
    assert policy["style-src"] == f"'nonce-{page.nonces('style')[0]}'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert page.nonces("script") == []


# -- the printable shortlist -----------------------------------------------------------------


@pytest.fixture
def prospect(client: TestClient) -> str:
    response = client.post(
        "/v1/prospects",
        json={"profile": API_EXAMPLE_PROFILE, "contact": CONTACT, "consent": True},
        headers=STAFF,
    )
    assert response.status_code == 201
    return str(response.json()["id"])


def shortlist_json(client: TestClient, prospect: str, **params: str) -> dict[str, Any]:
    response = client.get(f"/v1/prospects/{prospect}/shortlist", params=params, headers=STAFF)
    assert response.status_code == 200
    return dict(response.json())


def shortlist_html(client: TestClient, prospect: str, **params: str) -> str:
    response = client.get(
        f"/v1/prospects/{prospect}/shortlist", params={"format": "html", **params}, headers=STAFF
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


@pytest.fixture
def listed(client: TestClient, prospect: str) -> str:
    """The INSEE code of the top village, given one home on offer."""
    top = shortlist_json(client, prospect)["results"][0]["insee"]
    home = {"tenure": "buy", "price_eur": 180000, "bedrooms": 3, "surface_m2": 110}
    response = client.put(f"/v1/villages/{top}/homes", json={"homes": [home]}, headers=STAFF)
    assert response.status_code == 200
    return str(top)


def test_the_shortlist_shows_the_ranking_in_order(
    client: TestClient, prospect: str, listed: str
) -> None:
    ranking = shortlist_json(client, prospect)
    text = shortlist_html(client, prospect)
    codes = re.findall(r'<article class="village" data-insee="(\d{5})">', text)
    assert codes == [r["insee"] for r in ranking["results"]]
    names = [html.unescape(n) for n in re.findall(r"<h3>(.+?) <small>", text)]
    assert names == [r["name"] for r in ranking["results"]]
    first = text.index(f'data-insee="{ranking["results"][0]["insee"]}"')
    for reason in ranking["results"][0]["reasons"]:
        assert reason in html.unescape(text[first:])


def test_the_shortlist_lists_the_homes_of_each_village(
    client: TestClient, prospect: str, listed: str
) -> None:
    text = shortlist_html(client, prospect)
    block = text[text.index(f'data-insee="{listed}"') :]
    block = block[: block.index("</article>")]
    assert euros(180000, "fr") in block
    assert "180\u202f000\u202f€" in block
    assert "110\u00a0m²" in block
    assert "Achat" in block
    assert "1 sur 1 dans le projet" in block
    assert "aucun listé pour l'instant" in html.unescape(text)  # the other villages


def test_the_shortlist_is_an_a4_page_without_contact_fields(
    client: TestClient, prospect: str
) -> None:
    text = shortlist_html(client, prospect)
    assert "size: A4" in text
    assert "page-break-inside: avoid" in text
    for value in CONTACT.values():
        assert value not in text
    assert "jeanne" not in text.lower()
    assert "<script" not in text
    assert "http://" not in text
    assert "https://" not in text


def test_the_shortlist_has_the_security_headers_of_a_page(
    client: TestClient, prospect: str
) -> None:
    response = client.get(
        f"/v1/prospects/{prospect}/shortlist", params={"format": "html"}, headers=STAFF
    )
    policy = directives(response.headers["content-security-policy"])
    assert policy["default-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"  # a prospect's page, in nobody's frame
    assert policy["style-src"] == "'unsafe-inline'"
    assert "script-src" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"


def test_the_docs_have_their_own_policy(client: TestClient) -> None:
    response = client.get("/docs")
    policy = directives(response.headers["content-security-policy"])
    (nonce,) = Page(response.text).nonces("script")
    assert policy["script-src"].split() == ["'self'", f"'nonce-{nonce}'"]
    assert policy["style-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    scripts = [a for t, a in Page(response.text).tags if t == "script"]
    assert [a.get("src") or a.get("nonce") for a in scripts] == [
        "/static/docs/swagger-ui-bundle.js",
        nonce,
    ]


def test_the_shortlist_summarises_the_project_in_french(client: TestClient, prospect: str) -> None:
    text = html.unescape(shortlist_html(client, prospect))
    assert '<html lang="fr">' in text
    assert "Sélection de villages" in text
    assert str(date.today().year) in text
    assert "Développeur·se logiciel" in text
    assert "2 adultes, 2 enfants (4 et 12 ans)" in text
    assert "Achat, budget 220\u202f000\u202f€, 3 chambres au moins" in text
    assert "Connexion, Logement" in text
    assert "Sources\u00a0:" in text
    assert "IGN" in text
    assert "Licence Ouverte" in text


def test_the_shortlist_in_english(client: TestClient, prospect: str, listed: str) -> None:
    ranking = shortlist_json(client, prospect, lang="en")
    text = html.unescape(shortlist_html(client, prospect, lang="en"))
    assert '<html lang="en">' in text
    assert "Village shortlist" in text
    assert "Software developer" in text
    assert "2 adults, 2 children (aged 4 and 12)" in text
    assert "Buy, budget €220,000, at least 3 bedrooms" in text
    assert "€180,000" in text
    assert "Connectivity, Housing" in text
    assert ranking["results"][0]["reasons"][0] in text
    assert "Sélection" not in text


def test_the_shortlist_counts_the_excluded_villages(client: TestClient, prospect: str) -> None:
    ranking = shortlist_json(client, prospect)
    text = html.unescape(shortlist_html(client, prospect))
    excluded = ranking["excluded"]
    if excluded:
        assert f"{len(excluded)} villages partenaires exclus" in text or (
            f"{len(excluded)} village partenaire exclu" in text
        )
        for village in excluded:
            assert village["name"] in text
    else:
        assert "Aucun village partenaire n'est exclu" in text
    markers = re.findall(r'<g class="marker">', text)
    assert len(markers) == len(ranking["results"])


@pytest.mark.parametrize(
    ("lang", "road_credit", "note"),
    [
        ("fr", "© contributeurs OpenStreetMap, via Travel Mapping 2026", "par la route"),
        ("en", "© OpenStreetMap contributors, via Travel Mapping 2026", "by road"),
    ],
)
def test_the_shortlist_names_each_facts_source_and_year(
    client: TestClient, prospect: str, lang: Lang, road_credit: str, note: str
) -> None:
    """Sources by publisher and year, in the page's language; no repository's handle."""
    text = re.sub(r"\s+", " ", html.unescape(shortlist_html(client, prospect, lang=lang)))
    sources = text.split("Sources", 1)[1]
    for credit in ("ARCEP 2018, 2025", "DREES 2023", "ANIL / DHUP 2022", road_credit):
        assert credit in sources
    for source in SOURCES.values():  # the copies' repositories are not the publishers
        for handle in re.findall(r"[\w.-]+/[\w.-]+", source.via):
            assert handle not in text
    assert note in text
    assert "ARCEP 2025" in text  # the fibre fact's vintage
    assert "DVF 2024" in text
