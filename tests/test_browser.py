"""`csto-db serve` in a real browser: Debian's headless Chromium, driven by Selenium through
chromedriver. From the home page's form the members on 2005-01-01; on the record's turning
days the members each page shows equal `members_on`'s, certainty and contested line
included; a short day is read, an unknown organization named; the evidence of Armenia's
freeze is three clicks from home at most; a search finds the Protocol of 1999. Screenshots
of the home page, an answer, an evidence page and a search result are saved.

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
from datetime import date

import pytest
from conftest import in_ci

from csto_db.answers.asof import contested_note
from csto_db.answers.membership import members_on
from csto_db.build.init import init_database
from csto_db.store.db import make_engine

pytestmark = pytest.mark.slow

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
    "--window-size=1400,1000",
)
SIX_MEMBERS = ["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"]
#: Turning days of the record, each asked of the organization that had members on it: the
#: Treaty's signature, Georgia's contested accession, its entry into force, the departures of
#: 1999, the Charter's entry into force, Uzbekistan's return, its disputed membership and its
#: suspension, Armenia's freeze, the day after the record ends.
TURNING_DAYS = (
    ("CST", date(1992, 5, 15)),
    ("CST", date(1993, 10, 1)),
    ("CST", date(1994, 4, 20)),
    ("CST", date(1999, 4, 21)),
    ("CSTO", date(2003, 9, 18)),
    ("CSTO", date(2005, 1, 1)),
    ("CSTO", date(2006, 8, 16)),
    ("CSTO", date(2012, 7, 1)),
    ("CSTO", date(2012, 12, 19)),
    ("CSTO", date(2024, 2, 22)),
    ("CSTO", date(2026, 2, 1)),
)


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
        yield base, url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def site(web_server):
    return web_server[0]


@pytest.fixture(scope="module")
def connection(web_server):
    engine = make_engine(web_server[1])
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def _keep(browser, name: str, tmp_path) -> None:
    """A screenshot of what the reader sees, kept in CI's screenshot folder."""
    screenshot = tmp_path / f"{name}.png"
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    keep = os.environ.get("CSTO_SCREENSHOT_DIR")
    if keep:
        os.makedirs(keep, exist_ok=True)
        shutil.copy(screenshot, keep)
    print(f"screenshot: {screenshot}")


def _wait_for(browser, css: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, 20).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def _shown_members(browser) -> tuple[list[tuple[str, str, str, str, str, str]], list[str]]:
    """The members table as the reader sees it, and the contested lines under it."""
    from selenium.webdriver.common.by import By

    rows = []
    for row in browser.find_elements(By.CSS_SELECTOR, "table#members tbody tr"):
        cells = {
            name: row.find_element(By.CSS_SELECTOR, f"td.col-{name}").text
            for name in ("state", "status", "certainty", "since", "until", "span")
        }
        rows.append(tuple(cells[name] for name in cells))
    lines = [p.text for p in browser.find_elements(By.CSS_SELECTOR, "p.contested")]
    return rows, lines


def _expected_members(connection, org: str, day: date, listed: bool):
    answers = members_on(connection, org, day, contested=True)
    rows = [
        (
            m.state,
            m.status,
            "contested" if m.contested else m.certainty,
            m.since,
            m.until or "",
            m.span,
        )
        for m in answers
        if listed or not m.contested
    ]
    lines = [
        contested_note(f"{m.state} {m.name}", m.to_dict()["readings"], listed=listed).replace(
            "; --contested lists it", "; list it"
        )
        for m in answers
        if m.contested
    ]
    return rows, lines


def test_members_on_2005_from_the_home_page(browser, site, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(f"{site}/")
    form = _wait_for(browser, "form#form-members")
    _keep(browser, "home", tmp_path)
    form.find_element(By.NAME, "day").send_keys("2005-01-01")
    form.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    _wait_for(browser, "table#members")
    rows, lines = _shown_members(browser)
    assert [row[0] for row in rows] == SIX_MEMBERS
    assert [row[2] for row in rows] == ["certain"] * 6
    assert "day=2005-01-01" in browser.current_url
    assert lines and "UZB Uzbekistan" in lines[0]
    _keep(browser, "members-csto-2005-01-01", tmp_path)


@pytest.mark.parametrize("listed", [False, True], ids=["preferred", "contested"])
def test_members_equal_members_on_on_turning_days(browser, site, connection, listed):
    for org, day in TURNING_DAYS:
        browser.get(
            f"{site}/members?org={org}&day={day.isoformat()}" + ("&contested=1" if listed else "")
        )
        _wait_for(browser, "table#members")
        assert _shown_members(browser) == _expected_members(connection, org, day, listed), (
            org,
            day,
        )
    browser.get(f"{site}/members?org=CSTO&day=2012-07-01")
    rows, _ = _shown_members(browser)
    assert ("UZB", "member", "disputed") in [row[:3] for row in rows]
    browser.get(f"{site}/members?org=CST&day=1993-10-01" + ("&contested=1" if listed else ""))
    rows, lines = _shown_members(browser)
    assert ("GEO" in [row[0] for row in rows]) is listed
    assert len(lines) == 1 and lines[0].startswith("contested, ") and "GEO Georgia" in lines[0]


def test_a_short_day_and_an_unknown_organization(browser, site):
    from selenium.webdriver.common.by import By

    browser.get(f"{site}/members?org=CSTO&day=2012-07-01")
    _wait_for(browser, "table#members")
    full, _ = _shown_members(browser)
    browser.get(f"{site}/members?org=CSTO&day=2012-7-1")
    _wait_for(browser, "table#members")
    short, _ = _shown_members(browser)
    assert short == full and len(full) == 7
    assert "2012-7-1 read as 2012-07-01." in browser.find_element(By.TAG_NAME, "body").text
    browser.get(f"{site}/members?org=cso&day=2012-07-01")
    error = _wait_for(browser, "p.csto-error").text
    assert error.startswith("unknown organization 'cso'") and "CSTO" in error
    assert not browser.find_elements(By.CSS_SELECTOR, "table#members")


def test_the_evidence_of_armenias_freeze_in_three_clicks(browser, site, connection, tmp_path):
    from selenium.webdriver.common.by import By

    clicks = 0
    browser.get(f"{site}/")
    form = _wait_for(browser, "form#form-members")
    form.find_element(By.NAME, "day").send_keys("2024-03-01")
    form.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    clicks += 1
    _wait_for(browser, "table#members")
    rows, _ = _shown_members(browser)
    [armenia] = [row for row in rows if row[0] == "ARM"]
    assert armenia[1] == "frozen"
    browser.find_element(By.LINK_TEXT, armenia[5]).click()
    clicks += 1
    _wait_for(browser, "blockquote.csto-quote")
    assert clicks <= 3
    assert browser.current_url.endswith(f"/evidence?fact={armenia[5]}")
    body = browser.find_element(By.TAG_NAME, "body").text
    stored = browser.find_element(By.CSS_SELECTOR, "table#stored td.col-start_edtf").text
    assert stored == armenia[3]
    from csto_db.answers.evidence import evidence

    for quote in evidence(connection, armenia[5]).citations:
        assert " ".join(quote.quote.split()) in " ".join(body.split())
    _keep(browser, "evidence-csto-arm-frozen", tmp_path)


def test_a_search_for_prolongation_lists_the_1999_protocol(browser, site, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(f"{site}/")
    form = _wait_for(browser, "form#search")
    form.find_element(By.NAME, "q").send_keys("prolongation")
    form.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    _wait_for(browser, "table.rows-and-columns")
    texts = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "td.col-text")]
    assert "Protocol on prolongation of the Collective Security Treaty" in texts
    assert browser.find_elements(By.LINK_TEXT, "cst-prolongation-protocol")
    _keep(browser, "search-prolongation", tmp_path)


def test_a_table_page_shows_column_descriptions(browser, site):
    from selenium.webdriver.common.by import By

    browser.get(f"{site}/csto/membership_spans")
    header = browser.find_element(By.CSS_SELECTOR, "th.col-start_lower")
    assert header.get_attribute("data-column-description") == ("Earliest day the start date can be")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    assert len(rows) == 19
    # A date never breaks across lines: its cell is one line high.
    cell = browser.find_element(By.CSS_SELECTOR, "td.col-start_edtf")
    assert browser.execute_script("return getComputedStyle(arguments[0]).whiteSpace", cell) == (
        "nowrap"
    )


def test_the_front_page_picture_is_made_as_the_readme_says(web_server, tmp_path):
    from csto_db.outputs.web_screenshot import WINDOW, screenshot

    out = screenshot(web_server[1], tmp_path / "web-front-page.png", chromium=CHROMIUM)
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == WINDOW
