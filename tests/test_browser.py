"""`csto-db serve` in a real browser: Debian's headless Chromium, driven by Selenium through
chromedriver, opens the members query, runs it for 2005-01-01 through the page's form, finds
the six member states, and saves a screenshot.

Skips when Chromium, chromedriver or Selenium is absent; fails instead in CI (`.ci/run`
installs them)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import in_ci

from csto_db.build.init import init_database

#: A real browser against a live server: out of the quick run.
pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("CSTO_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CSTO_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)
SIX_MEMBERS = ["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"]


def _missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            return f"{path} not found (apt-get install chromium chromium-driver)"
    for module, extra in (("selenium", "test"), ("datasette", "web")):
        try:
            __import__(module)
        except ImportError:
            return f"{module} not installed (pip install 'csto-db[{extra}]')"
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    problem = _missing()
    if problem:
        if in_ci():
            pytest.fail(f"the browser test cannot run: {problem}")
        pytest.skip(f"the browser test cannot run: {problem}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    # An explicit driver path keeps Selenium Manager from looking for one on the network.
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def web_server(built_db_url, tmp_path_factory):
    """`csto-db serve` as a user starts it, in its own process, on a free port."""
    if built_db_url.startswith("sqlite"):
        url = built_db_url
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('served') / 'csto.db'}"
        init_database(url)
    port = _free_port()
    log = tmp_path_factory.mktemp("serve-log") / "serve.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "csto_db.cli", "--db", url, "serve", "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"csto-db serve did not answer: {log.read_text()[-500:]}")
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_members_on_2005_in_a_real_browser(browser, web_server, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    # 1. The database's page lists the canned queries; follow the members one.
    browser.get(f"{web_server}/csto")
    browser.find_element(By.LINK_TEXT, "Members of an organization on a day").click()
    WebDriverWait(browser, 20).until(
        expected_conditions.presence_of_element_located((By.NAME, "day"))
    )
    # 2. Fill in the form as a reader does and run it.
    browser.find_element(By.NAME, "org").send_keys("CSTO")
    browser.find_element(By.NAME, "day").send_keys("2005-01-01")
    browser.find_element(By.CSS_SELECTOR, "form.sql input[type=submit]").click()
    cells = WebDriverWait(browser, 20).until(
        expected_conditions.presence_of_all_elements_located(
            (By.CSS_SELECTOR, "table.rows-and-columns td.col-state")
        )
    )
    # 3. The six member states are on the page, each certain.
    assert [cell.text for cell in cells] == SIX_MEMBERS
    certainty = browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns td.col-certainty")
    assert [cell.text for cell in certainty] == ["certain"] * 6
    assert "day=2005-01-01" in browser.current_url
    # 4. A screenshot of what the reader sees, scrolled to the answer.
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", cells[0])
    screenshot = tmp_path / "members-csto-2005-01-01.png"
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    keep = os.environ.get("CSTO_SCREENSHOT_DIR")
    if keep:
        os.makedirs(keep, exist_ok=True)
        shutil.copy(screenshot, keep)
    print(f"screenshot: {screenshot}")


def test_a_table_page_shows_column_descriptions(browser, web_server):
    from selenium.webdriver.common.by import By

    browser.get(f"{web_server}/csto/membership_spans")
    header = browser.find_element(By.CSS_SELECTOR, "th.col-start_lower")
    assert header.get_attribute("data-column-description") == ("Earliest day the start date can be")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    assert len(rows) == 19
