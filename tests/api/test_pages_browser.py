"""The web pages in a real browser: Debian's Chromium, driven by Playwright, against a live `fakescope serve`.

Covers what an analyst does by hand: log in, see the cases, filter them, open one, log out.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from api_helpers import PURCHASE, bearer, open_cases

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def browser() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: run scripts/setup.sh (apt-get install chromium)")
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"]
        )
        try:
            yield launched
        finally:
            launched.close()


def test_analyst_logs_in_filters_cases_opens_one_and_logs_out(
    live_server: Any, make_user: Callable[..., str], browser: Any
) -> None:
    case_ids = open_cases(live_server.settings, n=3)
    admin = make_user("root", "admin")
    make_user("ana", "analyst", password=PASSWORD)
    # One case moves on, so the state filter has something to tell apart.
    moved = httpx.post(
        f"{live_server.url}/cases/{case_ids[0]}/moves",
        json={"state": "purchased", "expected_version": 1, "fields": PURCHASE, "reason": "bought"},
        headers=bearer(admin),
        timeout=10,
    )
    assert moved.status_code == 200, moved.text

    page = browser.new_page()
    page.goto(f"{live_server.url}/ui/cases")
    assert page.url.endswith("/login"), "a page that needs a login sends the visitor to it"

    page.fill("#username", "ana")
    page.fill("#password", "wrong password")
    page.click("#submit")
    assert page.locator("#error").is_visible()
    assert "/ui/cases" not in page.url

    page.fill("#username", "ana")
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url("**/ui/cases")
    assert page.locator("#count").inner_text() == "3 case(s)"
    shown = page.locator("#cases tbody a").all_inner_texts()
    assert sorted(shown) == sorted(case_ids)

    page.select_option("select[name=state]", "purchased")
    page.click("form[action='/ui/cases'] button")
    page.wait_for_url("**/ui/cases?state=purchased")
    assert page.locator("#cases tbody a").all_inner_texts() == [case_ids[0]]

    page.click(f"text={case_ids[0]}")
    page.wait_for_url(f"**/ui/cases/{case_ids[0]}")
    assert page.locator("#case-id").inner_text() == case_ids[0]
    assert page.locator("#state").inner_text().startswith("purchased")
    assert PURCHASE["order_ref"] in page.locator("#case").inner_text()
    history = page.locator("#history tbody tr").all_inner_texts()
    assert any("planned → purchased" in row and "bought" in row for row in history), history
    assert page.locator("#no-evidence").is_visible()

    # The cookie authorises reads only: the browser session cannot move a case.
    refused = page.request.post(
        f"{live_server.url}/cases/{case_ids[1]}/moves",
        data={"state": "purchased", "expected_version": 1, "fields": PURCHASE},
    )
    assert refused.status in (401, 403), refused.status

    page.request.post(f"{live_server.url}/logout")
    page.goto(f"{live_server.url}/ui/cases")
    assert page.url.endswith("/login"), "after logging out the pages ask for a login again"
