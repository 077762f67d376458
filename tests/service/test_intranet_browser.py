"""The intranet in a real headless Chromium on a 360 px wide screen, against the real server:
a committee member opens an invitation link, chooses a password, signs in, adds a home and a
need, proposes a correction; staff approve it; the public /embed ranking then shows the home
in its reasons. A second member editing the same home sees that it changed.

Screenshots go to $SOHOSOLO_SCREENSHOTS (default: a folder under /tmp) to be looked at.
"""

import json
import os
import tempfile
import urllib.request
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from tests.service.conftest import STAFF
from tests.service.test_browser import (
    WAIT_SECONDS,
    chromium,
    csp_errors,
    post_json,
    served_url,
)

pytestmark = pytest.mark.slow

try:
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # the dev extras bring it; test_browser reports its absence
    webdriver = None  # type: ignore[assignment]

PHONE = 360
PASSWORD = "un village au soleil du Gers"
VILLAGE, NAME = "32001", "Aignan"
SHOTS = Path(os.environ.get("SOHOSOLO_SCREENSHOTS", tempfile.gettempdir())) / "sohosolo-intranet"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_url(tmp_path_factory, "intranet") as url:
        yield url


@pytest.fixture(scope="module")
def driver(server: str) -> Iterator["webdriver.Chrome"]:
    with chromium(f"{PHONE},800") as browser:
        yield browser


def shoot(driver: "webdriver.Chrome", name: str, whole: bool = True) -> Path:
    """The whole page at the phone's width, or what the phone's screen shows."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    if whole:
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(PHONE, int(height) + 140)
    path = SHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(PHONE, 800)
    print(f"screenshot: {path}")
    return path


def open_page(driver: "webdriver.Chrome", url: str) -> None:
    driver.set_window_size(PHONE, 800)
    driver.get(url)
    wait_loaded(driver)


def wait_loaded(driver: "webdriver.Chrome") -> None:
    WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def no_overflow(driver: "webdriver.Chrome") -> None:
    assert driver.execute_script("return window.innerWidth") <= PHONE
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    widest = driver.execute_script(
        "const w = document.documentElement.clientWidth; return [...document.querySelectorAll("
        "'body *')].filter(e => e.getBoundingClientRect().right > w + 1).slice(0, 5)"
        ".map(e => e.tagName + '#' + e.id + '.' + e.className)"
    )
    assert overflow <= 0, f"the page is {overflow} px wider than a {PHONE} px screen: {widest}"


def type_into(driver: "webdriver.Chrome", element_id: str, text: str) -> None:
    field = driver.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(text)


def click_to_next_page(driver: "webdriver.Chrome", element: Any) -> None:
    """Click ``element`` and wait for the next page, not the old one still complete.

    The old page is marked in its window, and the wait is for a complete page without the
    mark. Waiting for the old element to go stale fails at random: while Chromium swaps the
    documents it may answer "node does not belong to the document", an unknown error."""
    driver.execute_script(
        "window.sohosoloOldPage = true; arguments[0].scrollIntoView({block: 'center'})", element
    )
    element.click()
    WebDriverWait(driver, WAIT_SECONDS, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script(
            "return window.sohosoloOldPage === undefined && document.readyState === 'complete'"
        )
    )


def submit(driver: "webdriver.Chrome", button_id: str) -> None:
    """Click a form's button and wait for the next page."""
    click_to_next_page(driver, driver.find_element(By.ID, button_id))


def sign_in(driver: "webdriver.Chrome", server: str, email: str) -> None:
    open_page(driver, f"{server}/intranet/sign-in")
    type_into(driver, "email", email)
    type_into(driver, "password", PASSWORD)
    submit(driver, "sign-in")


def sign_out(driver: "webdriver.Chrome") -> None:
    button = driver.find_element(By.CSS_SELECTOR, "form[action^='/intranet/sign-out'] button")
    click_to_next_page(driver, button)


def invite(server: str, email: str, role: str = "committee") -> str:
    villages = [VILLAGE] if role == "committee" else []
    body = {"role": role, "villages": villages, "name": email.split("@")[0].title(), "email": email}
    return str(post_json(f"{server}/v1/accounts/invitations", body, headers=STAFF)["url"])


def accept(url: str) -> None:
    token = url.rsplit("/", 1)[1]
    base = url.split("/intranet/")[0]
    post_json(f"{base}/v1/invitations/{token}", {"password": PASSWORD})


def api_session(server: str, email: str) -> tuple[str, str]:
    """Another person's session through the API: (cookie, CSRF token)."""
    request = urllib.request.Request(
        f"{server}/v1/session",
        data=json.dumps({"email": email, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        cookie = response.headers["set-cookie"].split(";")[0]
        return cookie, json.load(response)["csrf_token"]


def patch_home(server: str, home_id: int, session: tuple[str, str], body: dict[str, Any]) -> None:
    cookie, csrf = session
    request = urllib.request.Request(
        f"{server}/v1/villages/{VILLAGE}/homes/{home_id}",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "Cookie": cookie,
            "X-CSRF-Token": csrf,
            "If-Match": '"1"',
        },
        method="PATCH",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def test_a_committee_member_keeps_the_village_from_a_phone(
    server: str, driver: "webdriver.Chrome"
) -> None:
    link = invite(server, "jeanne@example.org")
    open_page(driver, link)
    assert driver.find_element(By.TAG_NAME, "h1").text == "Choisissez votre mot de passe"
    type_into(driver, "password", PASSWORD)
    type_into(driver, "confirm", PASSWORD)
    no_overflow(driver)
    shoot(driver, "01-invitation")
    submit(driver, "save-password")
    assert "Votre mot de passe est enregistré" in driver.page_source
    shoot(driver, "02-sign-in")
    type_into(driver, "email", "jeanne@example.org")
    type_into(driver, "password", PASSWORD)
    submit(driver, "sign-in")
    assert driver.find_element(By.TAG_NAME, "h1").text == NAME
    shoot(driver, "03-village")
    no_overflow(driver)

    driver.find_element(By.CSS_SELECTOR, "#add-home summary").click()
    Select(driver.find_element(By.ID, "new-tenure")).select_by_value("buy")
    type_into(driver, "new-price_eur", "85 000")
    type_into(driver, "new-bedrooms", "3")
    type_into(driver, "new-surface_m2", "95")
    type_into(driver, "new-note", "Maison de bourg avec jardin")
    submit(driver, "add-home-submit")
    assert "Logement ajouté." in driver.page_source

    driver.find_element(By.CSS_SELECTOR, "#need-trade summary").click()
    driver.find_element(By.CSS_SELECTOR, "#need-trade input[value='building_artisan']").click()
    Select(driver.find_element(By.ID, "need-trade-service")).select_by_value("bakery")
    type_into(driver, "need-trade-note", "La boulangerie a fermé en 2026")
    submit(driver, "add-need-trade")
    assert "Besoin enregistré." in driver.page_source

    Select(driver.find_element(By.ID, "proposal-field")).select_by_value("minutes_to_bakery")
    type_into(driver, "proposal-value", "9")
    type_into(driver, "proposal-source", "Fermeture de la boulangerie du bourg")
    driver.execute_script("document.getElementById('proposal-observed_at').value = '2026-11-30'")
    submit(driver, "propose")
    assert "Correction envoyée" in driver.page_source
    no_overflow(driver)
    shoot(driver, "04-village-filled")
    assert csp_errors(driver) == []
    sign_out(driver)

    invite_and_review(server, driver)
    embed_shows_the_home(server, driver)


def invite_and_review(server: str, driver: "webdriver.Chrome") -> None:
    accept(invite(server, "marie@example.org", role="staff"))
    sign_in(driver, server, "marie@example.org")
    open_page(driver, f"{server}/intranet/proposals")
    assert "Fermeture de la boulangerie du bourg" in driver.page_source
    no_overflow(driver)
    shoot(driver, "05-review")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "[id^=approve-]").get_attribute("id"))
    assert "Correction approuvée" in driver.page_source
    detail = json.load(urllib.request.urlopen(f"{server}/v1/villages/{VILLAGE}", timeout=30))
    corrected = detail["attributes"]["minutes_to_bakery"]["corrected"]
    assert corrected["source"] == "Fermeture de la boulangerie du bourg"
    assert corrected["approved_by"].startswith("staff:account-")
    sign_out(driver)


def embed_shows_the_home(server: str, driver: "webdriver.Chrome") -> None:
    open_page(driver, f"{server}/embed")
    Select(driver.find_element(By.ID, "profession")).select_by_value("translator")
    driver.find_element(By.ID, "connectivity-basic").click()
    driver.find_element(By.ID, "tenure-buy").click()
    type_into(driver, "budget_eur", "85 000")
    type_into(driver, "k", "5")
    driver.find_element(By.ID, "must-housing").click()
    driver.find_element(By.ID, "submit").click()
    WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#ranked > li")
    )
    items = driver.find_elements(By.CSS_SELECTOR, "#ranked > li")
    ours = [i for i in items if i.find_element(By.CSS_SELECTOR, "h3").text == NAME]
    assert ours, [i.find_element(By.CSS_SELECTOR, "h3").text for i in items]
    assert "1 logement disponible dans votre budget" in ours[0].text
    assert "boulangerie à 9 min" in ours[0].text  # the approved correction
    shoot(driver, "06-embed")


def test_a_second_member_sees_that_the_home_changed(
    server: str, driver: "webdriver.Chrome"
) -> None:
    accept(invite(server, "paul@example.org"))
    body = {"tenure": "rent", "price_eur": 550, "bedrooms": 2}
    home = post_json(f"{server}/v1/villages/{VILLAGE}/homes", body, headers=STAFF)
    sign_in(driver, server, "jeanne@example.org")
    open_page(driver, f"{server}/intranet/villages/{VILLAGE}#home-{home['id']}")
    # Paul changes the rent while Jeanne has the page open.
    patch_home(server, home["id"], api_session(server, "paul@example.org"), {"price_eur": 590})
    type_into(driver, f"home{home['id']}-price_eur", "500")
    submit(driver, f"save-home-{home['id']}")
    page = unescape(driver.page_source)
    assert "Quelqu'un a modifié ce logement" in page
    price = driver.find_element(By.ID, f"home{home['id']}-price_eur").get_attribute("value")
    assert price == "590"
    assert "Ce que vous aviez saisi : Prix ou loyer mensuel (€) : 500" in page
    no_overflow(driver)
    shoot(driver, "07-stale-home", whole=False)  # the answer lands on the listing's form
