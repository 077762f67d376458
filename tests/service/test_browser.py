"""The embeddable page in a real headless Chromium, against the real server (uvicorn).

This is what the prospection site's visitors run: the CSP must let the page's own script work,
the form must build a profile the API accepts, and the ranking shown must be the API's.

Chromium and chromedriver come from the system (Debian: ``apt install chromium
chromium-driver``; other paths through ``SOHOSOLO_CHROMIUM`` and ``SOHOSOLO_CHROMEDRIVER``).
Without them the tests skip, unless ``SOHOSOLO_REQUIRE_BROWSER=1`` (CI), where they fail.
"""

import base64
import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.service.conftest import STAFF, STAFF_KEY, served

# Each test drives Chromium against a served process: seconds each.
pytestmark = pytest.mark.slow

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.print_page_options import PrintOptions
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # the dev extras bring it; its absence is reported below
    webdriver = None  # type: ignore[assignment]

REPO = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 20.0
K = 8
#: What the test fills in, and the same profile as the page should send it.
PROFILE = {
    "profession": "software_developer",
    "remote_days_per_week": 5,
    "connectivity": "video_calls",
    "household": {"adults": 1, "children_ages": []},
    "housing": {"tenure": "buy", "budget_eur": 220000},
    "preferences": {"needs_train_station": False, "settlement": "any"},
    "must": ["connectivity"],
}


def _executable(variable: str, default: str, name: str) -> str | None:
    configured = os.environ.get(variable)
    if configured:
        return configured if Path(configured).is_file() else None
    if Path(default).is_file():
        return default
    return shutil.which(name)


def browser_paths() -> tuple[str, str]:
    """Chromium and chromedriver, or a skip (a failure when CI requires the browser)."""
    chromium = _executable("SOHOSOLO_CHROMIUM", "/usr/bin/chromium", "chromium")
    driver = _executable("SOHOSOLO_CHROMEDRIVER", "/usr/bin/chromedriver", "chromedriver")
    missing = [
        what
        for what, found in (
            ("chromium", chromium),
            ("chromedriver", driver),
            ("selenium (the dev extras)", webdriver),
        )
        if found is None
    ]
    if missing:
        reason = f"browser tests need {', '.join(missing)}: not found"
        if os.environ.get("SOHOSOLO_REQUIRE_BROWSER") == "1":
            pytest.fail(f"SOHOSOLO_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    assert chromium is not None
    assert driver is not None
    return chromium, driver


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def post_json(url: str, body: object, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def get_with_key(url: str) -> bytes:
    request = urllib.request.Request(url, headers=STAFF)
    with urllib.request.urlopen(request, timeout=30) as response:
        return bytes(response.read())


@contextmanager
def served_url(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[str]:
    """The service as ``sohosolo serve`` runs it, with a staff key and a database of its own;
    yields its base URL (no server is started when the browser tests cannot run)."""
    browser_paths()
    data_dir = tmp_path_factory.mktemp(name)
    env = {"SOHOSOLO_DATA_DIR": str(data_dir), "SOHOSOLO_STAFF_API_KEYS": STAFF_KEY}
    with served(data_dir, env) as (port, _process):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def chromium(window: str, *more: str) -> Iterator["webdriver.Chrome"]:
    """Headless Chromium in French, with a profile of its own (removed after), a window of
    ``window`` ("1024,1400") and ``more`` arguments; its console log kept for the CSP checks."""
    chromium_path, chromedriver = browser_paths()
    profile_dir = tempfile.mkdtemp(prefix="sohosolo-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium_path
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile_dir}",
        f"--window-size={window}",
        "--lang=fr-FR",
        *more,
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(chromedriver))
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_url(tmp_path_factory, "server") as url:
        yield url


@pytest.fixture(scope="module")
def driver(server: str) -> Iterator["webdriver.Chrome"]:
    with chromium("1024,1400") as browser:
        yield browser


def load(driver: "webdriver.Chrome", url: str, width: int = 1024) -> None:
    driver.set_window_size(width, 1400)
    driver.get(url)
    WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def fill_form(driver: "webdriver.Chrome") -> None:
    Select(driver.find_element(By.ID, "profession")).select_by_value("software_developer")
    driver.find_element(By.ID, "connectivity-video_calls").click()
    driver.find_element(By.ID, "tenure-buy").click()
    budget = driver.find_element(By.ID, "budget_eur")
    budget.clear()
    budget.send_keys("220 000")  # as a French visitor types it
    driver.find_element(By.ID, "must-connectivity").click()
    k = driver.find_element(By.ID, "k")
    k.clear()
    k.send_keys(str(K))


def submit_and_wait(driver: "webdriver.Chrome") -> list[Any]:
    driver.find_element(By.ID, "submit").click()
    WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#ranked > li")
    )
    return driver.find_elements(By.CSS_SELECTOR, "#ranked > li")


def full_page_screenshot(driver: "webdriver.Chrome", path: Path) -> Path:
    """The whole page, not only the window: the window is stretched to the page's height."""
    width = driver.get_window_size()["width"]
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, int(height) + 120)
    driver.save_screenshot(str(path))
    print(f"screenshot: {path}")
    return path


def csp_errors(driver: "webdriver.Chrome") -> list[str]:
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE"
        or "Content Security Policy" in entry["message"]
        or "Refused" in entry["message"]
    ]


def test_the_page_shows_the_ranking_of_the_api(
    server: str, driver: "webdriver.Chrome", tmp_path: Path
) -> None:
    load(driver, f"{server}/embed")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    fill_form(driver)
    items = submit_and_wait(driver)

    expected = post_json(f"{server}/v1/recommendations?k={K}&lang=fr", PROFILE)
    names = [item.find_element(By.CSS_SELECTOR, "h3").text for item in items]
    assert names[0] == expected["results"][0]["name"]
    assert names == [r["name"] for r in expected["results"]]
    first = items[0]
    assert first.find_elements(By.CSS_SELECTOR, ".reasons li")
    assert first.find_element(By.CSS_SELECTOR, ".reasons li").text
    assert first.find_element(By.CSS_SELECTOR, ".score strong").text.endswith("%")

    markers = driver.find_elements(By.CSS_SELECTOR, "#markers .marker")
    ranks = sorted(
        int(m.find_element(By.TAG_NAME, "text").get_attribute("textContent") or 0) for m in markers
    )
    assert ranks == list(range(1, len(items) + 1))
    by_rank = {m.get_attribute("data-rank"): m.get_attribute("data-insee") for m in markers}
    assert by_rank["1"] == expected["results"][0]["insee"]
    assert "has-results" in (driver.find_element(By.ID, "map").get_attribute("class") or "")
    status = driver.find_element(By.ID, "status").text
    assert f"{len(items)} villages classés" in status
    assert csp_errors(driver) == []

    full_page_screenshot(driver, tmp_path / "embed.png")


def test_the_page_fits_a_narrow_frame(
    server: str, driver: "webdriver.Chrome", tmp_path: Path
) -> None:
    load(driver, f"{server}/embed", width=400)
    assert driver.execute_script("return window.innerWidth") <= 400
    fill_form(driver)
    submit_and_wait(driver)
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow} px wider than a 400 px frame"
    full_page_screenshot(driver, tmp_path / "embed-narrow.png")
    driver.set_window_size(360, 1400)
    assert driver.execute_script("return window.innerWidth") <= 360
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow} px wider than a 360 px frame"


def test_the_english_page_speaks_english(
    server: str, driver: "webdriver.Chrome", tmp_path: Path
) -> None:
    load(driver, f"{server}/embed?lang=en")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    options = [o.text for o in Select(driver.find_element(By.ID, "profession")).options]
    assert "Software developer" in options
    assert driver.find_element(By.CSS_SELECTOR, "label[for=k]").text == "Villages to show"
    fill_form(driver)
    items = submit_and_wait(driver)
    expected = post_json(f"{server}/v1/recommendations?k={K}&lang=en", PROFILE)
    assert (
        items[0].find_element(By.CSS_SELECTOR, ".reasons li").text
        == (expected["results"][0]["reasons"][0])
    )
    assert "villages ranked" in driver.find_element(By.ID, "status").text
    full_page_screenshot(driver, tmp_path / "embed-en.png")


def test_a_refused_profile_names_the_fields_near_the_form(
    server: str, driver: "webdriver.Chrome", tmp_path: Path
) -> None:
    load(driver, f"{server}/embed")
    driver.find_element(By.ID, "tenure-buy").click()
    driver.find_element(By.ID, "submit").click()  # no profession, connectivity nor budget
    summary = WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: (
            d.find_element(By.ID, "form-errors").is_displayed()
            and d.find_element(By.ID, "form-errors")
        )
    )
    text = summary.text
    assert "Métier" in text
    assert "Usage d'internet" in text
    assert "Budget d'achat (€)" in text
    assert driver.find_element(By.ID, "profession").get_attribute("aria-invalid") == "true"
    assert driver.find_elements(By.CSS_SELECTOR, "[data-field='housing.budget_eur'] .field-error")
    assert driver.find_elements(By.CSS_SELECTOR, "#ranked > li") == []
    full_page_screenshot(driver, tmp_path / "embed-errors.png")


def test_the_shortlist_prints_on_a4(
    server: str, driver: "webdriver.Chrome", tmp_path: Path
) -> None:
    created = post_json(
        f"{server}/v1/prospects",
        {"profile": PROFILE, "contact": {"email": "someone@example.org"}, "consent": True},
        headers=STAFF,
    )
    shortlist = tmp_path / "shortlist.html"
    shortlist.write_bytes(
        get_with_key(f"{server}/v1/prospects/{created['id']}/shortlist?format=html&k=5")
    )
    load(driver, shortlist.as_uri(), width=900)
    names = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "article.village h3")]
    assert len(names) == 5
    full_page_screenshot(driver, tmp_path / "shortlist.png")

    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7  # A4, in centimetres
    pdf = base64.b64decode(driver.print_page(options))
    (tmp_path / "shortlist.pdf").write_bytes(pdf)
    print(f"pdf: {tmp_path / 'shortlist.pdf'}")
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 4, f"{pages} pages for 5 villages"


def test_the_docs_run_under_their_policy(
    server: str, driver: "webdriver.Chrome", tmp_path: Path
) -> None:
    driver.get_log("browser")  # what earlier pages logged
    load(driver, f"{server}/docs", width=1200)
    operations = WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".opblock")
    )
    assert len(operations) >= 15
    assert csp_errors(driver) == []
    full_page_screenshot(driver, tmp_path / "docs.png")


def test_the_served_shortlist_runs_under_its_policy(
    server: str, driver: "webdriver.Chrome", tmp_path: Path
) -> None:
    created = post_json(
        f"{server}/v1/prospects", {"profile": PROFILE, "consent": False}, headers=STAFF
    )
    driver.get_log("browser")
    # The key goes in a header, as staff tools send it; the browser adds it to each request.
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": STAFF})
    try:
        load(driver, f"{server}/v1/prospects/{created['id']}/shortlist?format=html&k=3", 900)
    finally:
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {}})
    assert len(driver.find_elements(By.CSS_SELECTOR, "article.village h3")) == 3
    # The inline style applies: the page is laid out as an A4 sheet, not as bare HTML.
    assert driver.execute_script("return getComputedStyle(document.body).fontSize") != "16px"
    assert csp_errors(driver) == []


def test_the_root_leads_a_newcomer_to_the_form(
    server: str, driver: "webdriver.Chrome", tmp_path: Path
) -> None:
    driver.get_log("browser")
    load(driver, f"{server}/", width=800)
    assert csp_errors(driver) == []
    full_page_screenshot(driver, tmp_path / "landing.png")
    driver.find_element(By.CSS_SELECTOR, "a[href='embed']").click()
    WebDriverWait(driver, WAIT_SECONDS).until(lambda d: d.find_elements(By.ID, "profile-form"))
    assert driver.current_url == f"{server}/embed"


def record_requests(driver: "webdriver.Chrome") -> None:
    """Keep the bodies the page sends (in ``window.sent``), for the test to read."""
    driver.execute_script(
        "window.sent = []; var send = window.fetch;"
        "window.fetch = function (url, options) {"
        "  window.sent.push(JSON.parse(options.body)); return send.apply(this, arguments); };"
    )


def type_into(driver: "webdriver.Chrome", field_id: str, text: str) -> None:
    field = driver.find_element(By.ID, field_id)
    field.clear()
    field.send_keys(text)


def submit_and_read(driver: "webdriver.Chrome") -> Any:
    """Submit, wait for the ranking, and return the profile the page sent."""
    before = driver.execute_script("return window.sent.length")
    driver.find_element(By.ID, "submit").click()
    WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: (
            d.execute_script("return window.sent.length") > before
            and d.find_elements(By.CSS_SELECTOR, "#ranked > li")
        )
    )
    return driver.execute_script("return window.sent[window.sent.length - 1]")


@pytest.mark.parametrize(
    ("lang", "children", "ages", "tenure", "budget", "euros"),
    [
        ("fr", "4 ans et 12 ans", [4, 12], "buy", "220 000 €", 220000),
        ("fr", "4, 12", [4, 12], "rent", "600 €/mois", 600),
        ("fr", "4 et 12", [4, 12], "buy", "220k€", 220000),
        ("fr", "18 mois, 7 ans", [1, 7], "rent", "1 250,50 € par mois", 1250.5),
        ("fr", "4,12", [4, 12], "buy", "220.000", 220000),
        ("en", "4 and 12 years old", [4, 12], "buy", "€220,000", 220000),
        ("en", "4 years, 12 years", [4, 12], "rent", "€600 a month", 600),
    ],
)
def test_the_form_reads_what_a_person_types(
    server: str,
    driver: "webdriver.Chrome",
    lang: str,
    children: str,
    ages: list[int],
    tenure: str,
    budget: str,
    euros: float,
) -> None:
    load(driver, f"{server}/embed?lang={lang}")
    record_requests(driver)
    fill_form(driver)
    driver.find_element(By.ID, f"tenure-{tenure}").click()
    type_into(driver, "children_ages", children)
    type_into(driver, "budget_eur", budget)
    sent = submit_and_read(driver)
    assert sent["household"]["children_ages"] == ages
    assert sent["housing"] == {"tenure": tenure, "budget_eur": euros}
    assert driver.find_element(By.ID, "form-errors").is_displayed() is False


ENGLISH_WORDS = ("Input should", "should be", "required", "expected", "JSON", "field")


def shown_errors(driver: "webdriver.Chrome") -> tuple[str, list[str]]:
    summary = WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: (
            d.find_element(By.ID, "form-errors").is_displayed()
            and d.find_element(By.ID, "form-errors")
        )
    )
    below = [p.text for p in driver.find_elements(By.CSS_SELECTOR, ".field-error")]
    return summary.text, below


def test_what_the_page_cannot_read_is_named_in_french_and_not_sent(
    server: str, driver: "webdriver.Chrome", tmp_path: Path
) -> None:
    load(driver, f"{server}/embed")
    record_requests(driver)
    fill_form(driver)
    type_into(driver, "children_ages", "4 ans et douze")
    type_into(driver, "budget_eur", "beaucoup")
    driver.find_element(By.ID, "submit").click()
    summary, below = shown_errors(driver)
    assert driver.execute_script("return window.sent.length") == 0
    assert below == [
        "«\u202fdouze\u202f» n'est pas compris. Écrivez les âges en chiffres, de 0 à 25 ans, "
        "séparés par des virgules : 4, 12.",
        "«\u202fbeaucoup\u202f» n'est pas compris. Écrivez un montant en euros, par exemple "
        "220\u202f000 (achat) ou 600 (loyer par mois).",
    ]
    # (WebDriver's text writes a no-break space as a space.)
    assert "Âges des enfants : «\u202fdouze\u202f» n'est pas compris." in summary
    assert not [word for word in ENGLISH_WORDS if word in summary]
    full_page_screenshot(driver, tmp_path / "embed-unread.png")


def test_the_apis_refusals_are_french_sentences_saying_what_to_type(
    server: str, driver: "webdriver.Chrome", tmp_path: Path
) -> None:
    load(driver, f"{server}/embed")
    record_requests(driver)
    driver.find_element(By.ID, "tenure-buy").click()
    type_into(driver, "adults", "0")
    type_into(driver, "children_ages", "4, 30")
    type_into(driver, "k", "99")
    driver.find_element(By.ID, "submit").click()  # no profession, connectivity nor budget
    summary, below = shown_errors(driver)
    assert driver.execute_script("return window.sent.length") == 1
    for sentence in (
        "À renseigner. Choisissez un métier dans la liste (ou «\u202fAutre\u202f»).",
        "À renseigner. Choisissez l'usage d'internet le plus proche du vôtre.",
        "«\u202f0\u202f» ne convient pas. Indiquez un nombre d'adultes de 1 à 6.",
        "«\u202f30\u202f» ne convient pas. Écrivez les âges en chiffres, de 0 à 25 ans, séparés "
        "par des virgules : 4, 12.",
        "À renseigner. Écrivez un montant en euros, par exemple 220\u202f000 (achat) ou 600 "
        "(loyer par mois).",
    ):
        assert sentence in below, below
    assert "Métier : à renseigner. Choisissez un métier" in summary
    assert not [word for word in ENGLISH_WORDS if word in summary]
    full_page_screenshot(driver, tmp_path / "embed-refused.png")
    # k is checked against the partner villages once the profile is valid.
    fill_form(driver)
    type_into(driver, "adults", "2")
    type_into(driver, "children_ages", "4")
    type_into(driver, "k", "99")
    driver.find_element(By.ID, "submit").click()
    _summary, below = shown_errors(driver)
    assert below == ["«\u202f99\u202f» ne convient pas. Indiquez un nombre de villages de 1 à 52."]


def test_the_english_page_explains_in_english(
    server: str, driver: "webdriver.Chrome", tmp_path: Path
) -> None:
    load(driver, f"{server}/embed?lang=en")
    driver.find_element(By.ID, "tenure-rent").click()
    type_into(driver, "children_ages", "4 and twelve")
    driver.find_element(By.ID, "submit").click()
    summary, below = shown_errors(driver)
    assert below == [
        "“twelve” is not understood. Write the ages in figures, from 0 to 25, separated by "
        "commas: 4, 12."
    ]
    driver.find_element(By.ID, "children_ages").clear()
    driver.find_element(By.ID, "submit").click()
    summary, below = shown_errors(driver)
    assert "Profession: required. Choose a profession from the list (or “Other”)." in summary
    assert (
        "Required. Write an amount in euros, for example 220,000 (to buy) or 600 (monthly "
        "rent)." in below
    )
    full_page_screenshot(driver, tmp_path / "embed-refused-en.png")
