"""The staff's day in a real headless Chromium at 1280 px, against the real server: a staff
member invites a colleague from the accounts page; the colleague chooses a password, signs in,
qualifies a prospect (the ranking follows the form), compares three villages, records a visit
then a settlement, sees the funnel move (its numbers equal counts made here from the stored
outcomes), and erases the prospect, after which no page and no answer holds the person.

Every page visited: no horizontal scroll at 1280 px, printable on A4 (Chrome's print to PDF),
every control reached with the Tab key alone, and axe-core (axe-selenium-python) reporting no
serious or critical violation.

Screenshots go to $SOHOSOLO_SCREENSHOTS (default: a folder under /tmp) to be looked at; with
SOHOSOLO_DOCS_SCREENSHOTS=1, the README's five are written again to docs/ (small PNGs).
"""

import base64
import json
import os
import tempfile
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.service.conftest import STAFF
from tests.service.routes.test_alerts import HOME, RENTER
from tests.service.routes.test_allocations import CAPACITIES
from tests.service.test_browser import (
    WAIT_SECONDS,
    chromium,
    csp_errors,
    post_json,
    served_url,
)
from tests.service.test_intranet_browser import (
    PASSWORD,
    accept,
    click_to_next_page,
    type_into,
    wait_loaded,
)

pytestmark = pytest.mark.slow

try:
    from axe_selenium_python import Axe
    from selenium import webdriver
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # the dev extras bring them; test_browser reports their absence
    webdriver = None  # type: ignore[assignment]

LAPTOP = 1280
SHOTS = Path(os.environ.get("SOHOSOLO_SCREENSHOTS", tempfile.gettempdir())) / "sohosolo-console"
DOCS = Path(__file__).resolve().parents[2] / "docs"
VILLAGES = ("32001",)  # Aignan: where the family visits and settles
PERSON = {"name": "Hélène Garcia", "email": "helene.garcia@example.org", "phone": "0611223344"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_url(tmp_path_factory, "console") as url:
        yield url


@pytest.fixture(scope="module")
def driver(server: str) -> Iterator["webdriver.Chrome"]:
    with chromium(f"{LAPTOP},900", "--force-device-scale-factor=1") as browser:
        yield browser


# -- what every page must do -----------------------------------------------------------------


def open_page(driver: "webdriver.Chrome", url: str) -> None:
    driver.set_window_size(LAPTOP, 900)
    driver.get(url)
    wait_loaded(driver)


def submit(driver: "webdriver.Chrome", button_id: str) -> None:
    click_to_next_page(driver, driver.find_element(By.ID, button_id))


def fits_a_laptop(driver: "webdriver.Chrome") -> None:
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{driver.current_url} is {overflow} px wider than {LAPTOP} px"


def prints_on_a4(driver: "webdriver.Chrome", name: str) -> int:
    """Chrome's print to PDF on A4 paper with the page's print style; its page count."""
    pdf = driver.execute_cdp_cmd(
        "Page.printToPDF",
        {"paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": True},
    )
    data = base64.b64decode(pdf["data"])
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"{name}.pdf").write_bytes(data)
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    assert 1 <= pages <= 8, f"{name} prints on {pages} A4 pages"
    return pages


def accessible(driver: "webdriver.Chrome") -> None:
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, axe.report(serious)


#: What a keyboard must reach: every visible link, button and field of the page.
CONTROLS_JS = """
const all = [...document.querySelectorAll(
  'a[href], button, input:not([type=hidden]), select, textarea, summary')];
return all.filter(e => e.checkVisibility() && !e.disabled).length;
"""


def reached_by_keyboard(driver: "webdriver.Chrome") -> None:
    """Tab from the top of the page: every visible control is focused once before the focus
    comes back to the first."""
    controls = int(driver.execute_script(CONTROLS_JS))
    driver.execute_script("document.activeElement && document.activeElement.blur()")
    keyboard = ActionChains(driver)
    keyboard.send_keys(Keys.TAB).perform()
    seen: list[Any] = []
    for _ in range(controls * 4 + 10):  # a date field takes a Tab per part
        focused = driver.switch_to.active_element
        if seen and focused == seen[0]:
            break
        seen.append(focused)
        keyboard.send_keys(Keys.TAB).perform()
    distinct = len({element.id for element in seen})  # a date field counts once
    assert distinct >= controls, (
        f"{driver.current_url}: Tab reached {distinct} of its {controls} controls"
    )


def shoot(driver: "webdriver.Chrome", name: str, docs: str | None = None) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(LAPTOP, min(height, 4000) + 140)
    driver.save_screenshot(str(SHOTS / f"{name}.png"))
    if docs and os.environ.get("SOHOSOLO_DOCS_SCREENSHOTS") == "1":
        driver.set_window_size(LAPTOP, 900)
        driver.execute_script("window.scrollTo(0, 0)")
        raw = SHOTS / f"{name}-screen.png"
        driver.save_screenshot(str(raw))
        small_png(raw, DOCS / docs)
    driver.set_window_size(LAPTOP, 900)


def small_png(source: Path, target: Path) -> None:
    """A screenshot the README can carry: 960 px wide, 64 colours (under 150 KB)."""
    from PIL import Image

    with Image.open(source) as image:
        width, height = image.size
        scaled = image.convert("RGB").resize((960, round(height * 960 / width)), Image.LANCZOS)
        target.parent.mkdir(parents=True, exist_ok=True)
        scaled.quantize(colors=64, dither=Image.Dither.NONE).save(target, optimize=True)
    assert target.stat().st_size <= 150_000, f"{target} is {target.stat().st_size} bytes"


def checked(driver: "webdriver.Chrome", name: str) -> None:
    """Every check of a page, and its screenshot."""
    assert csp_errors(driver) == []
    fits_a_laptop(driver)
    accessible(driver)
    reached_by_keyboard(driver)
    prints_on_a4(driver, name)


# -- the API, read with the staff's key, as the test's own counts --------------------------------


def api(server: str, path: str) -> Any:
    request = urllib.request.Request(f"{server}{path}", headers=STAFF)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def counted_this_month(server: str) -> Counter[str]:
    """The events of this month (in the Gers), counted from each prospect's stored outcomes."""
    month = datetime.now(ZoneInfo("Europe/Paris")).strftime("%Y-%m")
    counts: Counter[str] = Counter()
    for item in api(server, "/v1/prospects?per_page=100")["items"]:
        if (
            datetime.fromisoformat(item["created_at"])
            .astimezone(ZoneInfo("Europe/Paris"))
            .strftime("%Y-%m")
            == month
        ):
            counts["qualified"] += 1
        for event in api(server, f"/v1/prospects/{item['id']}/outcomes"):
            at = datetime.fromisoformat(event["at"]).astimezone(ZoneInfo("Europe/Paris"))
            if at.strftime("%Y-%m") == month:
                counts[event["event"]] += 1
    return counts


def funnel_shown(driver: "webdriver.Chrome") -> dict[str, int]:
    """This month's row of the funnel's table, as the page shows it."""
    row = driver.find_elements(By.CSS_SELECTOR, "#by-month tbody tr")[-1]
    return {
        cell.get_attribute("data-stage") or "": int(cell.text) if cell.text.isdigit() else -1
        for cell in row.find_elements(By.CSS_SELECTOR, "td")
    }


# -- the journey -------------------------------------------------------------------------------


def sign_in(driver: "webdriver.Chrome", server: str, email: str) -> None:
    open_page(driver, f"{server}/intranet/sign-in")
    type_into(driver, "email", email)
    type_into(driver, "password", PASSWORD)
    submit(driver, "sign-in")


def test_the_staffs_day(server: str, driver: "webdriver.Chrome") -> None:
    first = {"role": "staff", "villages": [], "name": "Marie Dupont", "email": "marie@example.org"}
    accept(post_json(f"{server}/v1/accounts/invitations", first, headers=STAFF)["url"])
    sign_in(driver, server, "marie@example.org")
    link = invite_a_colleague(driver, server)
    driver.delete_all_cookies()
    open_page(driver, link)
    type_into(driver, "password", PASSWORD)
    type_into(driver, "confirm", PASSWORD)
    submit(driver, "save-password")
    sign_in(driver, server, "paul@example.org")
    prospect_url = qualify(driver, server)
    compare_three(driver, prospect_url)
    before = counted_this_month(server)
    open_page(driver, f"{server}/intranet/funnel")
    assert funnel_shown(driver)["visited"] == before["visited"]
    record(driver, prospect_url, VILLAGES[0], "visited")
    record(driver, prospect_url, VILLAGES[0], "settled")
    funnel_moved(driver, server, before)
    other_pages(driver, server)
    alerts_page(driver, server)
    proposals_page(driver, server)
    erase(driver, server, prospect_url)


def invite_a_colleague(driver: "webdriver.Chrome", server: str) -> str:
    open_page(driver, f"{server}/intranet/accounts")
    Select(driver.find_element(By.ID, "invite-role")).select_by_value("staff")
    type_into(driver, "invite-name", "Paul Laborde")
    type_into(driver, "invite-email", "paul@example.org")
    submit(driver, "invite")
    link = str(driver.find_element(By.ID, "invitation-url").get_attribute("value"))
    assert "/intranet/invitation/" in link
    checked(driver, "accounts")
    shoot(driver, "accounts", "staff-day-5-accounts.png")
    return link


def qualify(driver: "webdriver.Chrome", server: str) -> str:
    open_page(driver, f"{server}/intranet/prospects/new")
    Select(driver.find_element(By.ID, "profession")).select_by_value("translator")
    type_into(driver, "adults", "2")
    type_into(driver, "children_ages", "4 ans et 12 ans")
    Select(driver.find_element(By.ID, "tenure")).select_by_value("buy")
    type_into(driver, "budget_eur", "220 000 €")
    WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#ranking-body ol li")
    )
    shown = driver.find_element(By.ID, "ranking-body").text
    type_into(driver, "budget_eur", "90 000")
    WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: d.find_element(By.ID, "ranking-body").text != shown
    )
    for field, value in PERSON.items():
        type_into(driver, field, value)
    driver.find_element(By.ID, "consent").click()
    type_into(driver, "budget_eur", "220 000 €")
    WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: d.find_element(By.ID, "ranking-body").text == shown
    )
    checked(driver, "qualify")
    shoot(driver, "qualify", "staff-day-1-qualify.png")
    submit(driver, "create")
    assert "Prospect enregistré." in driver.page_source
    assert driver.find_element(By.TAG_NAME, "h1").text == PERSON["name"]
    return str(driver.current_url.split("?")[0])


def compare_three(driver: "webdriver.Chrome", prospect_url: str) -> None:
    open_page(driver, prospect_url)
    checked(driver, "prospect")
    boxes = driver.find_elements(By.CSS_SELECTOR, "#compare-form input[name='v']")[:3]
    chosen = [box.get_attribute("value") for box in boxes]
    for box in boxes:  # the first three of the shortlist
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
        box.click()
    submit(driver, "compare")
    headers = driver.find_elements(By.CSS_SELECTOR, "table.compare thead th")
    assert len(headers) == 1 + len(chosen)
    assert all(f"({code})" in driver.page_source for code in chosen)
    assert "non renseigné" in driver.page_source or "ARCEP" in driver.page_source
    checked(driver, "compare")
    shoot(driver, "compare", "staff-day-2-compare.png")


def record(driver: "webdriver.Chrome", prospect_url: str, insee: str, event: str) -> None:
    open_page(driver, prospect_url)
    Select(driver.find_element(By.ID, "outcome-insee")).select_by_value(insee)
    Select(driver.find_element(By.ID, "outcome-event")).select_by_value(event)
    submit(driver, "record")
    assert "Événement enregistré." in driver.page_source
    if event == "settled":
        shoot(driver, "prospect", "staff-day-3-prospect.png")


def funnel_moved(driver: "webdriver.Chrome", server: str, before: Counter[str]) -> None:
    after = counted_this_month(server)
    assert after["visited"] == before["visited"] + 1
    assert after["settled"] == before["settled"] + 1
    open_page(driver, f"{server}/intranet/funnel")
    shown = funnel_shown(driver)
    for stage in ("qualified", "shortlisted", "visited", "settled"):
        assert shown[stage] == after[stage], f"{stage}: page {shown[stage]}, counted {after[stage]}"
    assert shown["still_settled"] == -1, "a stay of this month has no 12-month count yet"
    checked(driver, "funnel")
    shoot(driver, "funnel", "staff-day-4-funnel.png")


def other_pages(driver: "webdriver.Chrome", server: str) -> None:
    for name, path in (
        ("prospects", "/intranet/prospects"),
        ("partners", "/intranet/partners"),
        ("village", f"/intranet/villages/{VILLAGES[0]}"),
        ("proposals", "/intranet/proposals"),
        ("prospects-en", "/intranet/prospects?lang=en"),
    ):
        open_page(driver, f"{server}{path}")
        checked(driver, name)
        shoot(driver, name)


def alerts_page(driver: "webdriver.Chrome", server: str) -> None:
    """A home a committee adds brings a village to a renter: the alerts page says so, linked
    to the renter's page, which shows it too."""
    renter = post_json(f"{server}/v1/prospects", RENTER, headers=STAFF)["id"]
    post_json(f"{server}/v1/villages/{VILLAGES[0]}/homes", HOME, headers=STAFF)
    open_page(driver, f"{server}/intranet/alerts")
    link = driver.find_element(By.CSS_SELECTOR, f"#alerts a[href^='/intranet/prospects/{renter}']")
    assert link.text == RENTER["contact"]["name"]  # type: ignore[index]
    assert "Nouveau logement à Aignan" in driver.page_source
    checked(driver, "alerts")
    shoot(driver, "alerts")
    click_to_next_page(driver, link)
    assert "Nouveau logement à Aignan" in driver.find_element(By.ID, "alerts").text
    shoot(driver, "prospect-alerts")
    open_page(driver, f"{server}/intranet/alerts?lang=en")
    assert "New home in Aignan" in driver.page_source
    checked(driver, "alerts-en")
    shoot(driver, "alerts-en")


def proposals_page(driver: "webdriver.Chrome", server: str) -> None:
    """The quarter's proposals: tried first (nothing recorded), then recorded."""
    for insee, capacity in CAPACITIES.items():
        request = urllib.request.Request(
            f"{server}/v1/villages/{insee}/committee",
            data=json.dumps({"capacity_per_quarter": capacity}).encode(),
            headers={"Content-Type": "application/json", **STAFF},
            method="PUT",
        )
        urllib.request.urlopen(request, timeout=30).close()
    open_page(driver, f"{server}/intranet/allocations")
    checked(driver, "allocations")
    submit(driver, "try")
    assert driver.find_element(By.ID, "tried").is_displayed()
    rows = driver.find_elements(By.CSS_SELECTOR, "#committees tbody tr")
    assert len(rows) >= len(CAPACITIES)
    checked(driver, "allocations-tried")
    shoot(driver, "allocations-tried")
    submit(driver, "record")
    assert "Propositions enregistrées" in driver.page_source
    assert driver.find_elements(By.ID, "tried") == []
    shoot(driver, "allocations-recorded")


def erase(driver: "webdriver.Chrome", server: str, prospect_url: str) -> None:
    prospect_id = prospect_url.rsplit("/", 1)[1]
    open_page(driver, prospect_url)
    click_to_next_page(driver, driver.find_element(By.ID, "erase-link"))
    checked(driver, "erase")
    submit(driver, "erase-confirm")
    assert "Prospect effacé" in driver.page_source
    personal = [*PERSON.values(), "Hélène", "helene"]
    open_page(driver, f"{server}/intranet/prospects?q=garcia")  # the search finds no one
    assert driver.find_elements(By.CSS_SELECTOR, "table.data tbody tr") == []
    for path in (
        "/intranet/prospects",
        "/intranet/funnel",
        "/intranet/partners",
        f"/intranet/villages/{VILLAGES[0]}",
        "/intranet/accounts",
        "/intranet/alerts",
        "/intranet/allocations",
        f"/intranet/prospects/{prospect_id}",
    ):
        open_page(driver, f"{server}{path}")
        assert not [v for v in personal if v in driver.page_source], path
    for path in ("/v1/prospects?per_page=100", f"/v1/villages/{VILLAGES[0]}", "/v1/audit"):
        request = urllib.request.Request(f"{server}{path}", headers=STAFF)
        try:
            body = urllib.request.urlopen(request, timeout=30).read().decode()
        except urllib.error.HTTPError as error:  # the audit is for analysts: 403 is nothing
            body = error.read().decode()
        assert not [v for v in personal if v in body], path
