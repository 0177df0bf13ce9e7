"""The web UI in a real browser: Playwright driving Debian's Chromium (never a downloaded one).

Loads the home page (map markers, progress chart), switches language, runs a query in the YASGUI
editor and opens a territory page, saving screenshots under ``tests/artifacts/``. Every request
the browser makes is watched: only the service itself may be reached; OpenStreetMap's tiles are
refused, as on a machine offline, and the map must still show its points.

Skipped when ``/usr/bin/chromium`` or the ``playwright`` package is missing, except under
``CI=true``, where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from rightsgraph.service.ui_text import TEXT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("CI", "").lower() == "true"

try:
    from playwright.sync_api import Page, Route, sync_playwright
except ImportError:  # pragma: no cover - depends on the installation
    sync_playwright = None  # type: ignore[assignment]


def _unavailable() -> str | None:
    if sync_playwright is None:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


reason = _unavailable()
if reason and IN_CI:
    raise RuntimeError(f"the browser test cannot run under CI=true: {reason}")
pytestmark = pytest.mark.skipif(reason is not None, reason=reason or "")

# The session's UI server (a real uvicorn server over a copy of the initialised store).
from test_ui import ui_server  # noqa: E402, F401


class Network:
    """Every URL the browser asked for, split into the service's and the outside's."""

    def __init__(self, service: str) -> None:
        self.host = urlparse(service).netloc
        self.tiles: list[str] = []
        self.outside: list[str] = []

    def route(self, route: Route) -> None:
        url = route.request.url
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob") or parsed.netloc == self.host:
            route.continue_()
        elif parsed.netloc == "tile.openstreetmap.org":
            self.tiles.append(url)
            route.abort("internetdisconnected")
        else:
            self.outside.append(url)
            route.abort("blockedbyclient")


@pytest.fixture(scope="module")
def browser_page(ui_server: str) -> Iterator[tuple[Page, Network, list[str]]]:  # noqa: F811
    assert sync_playwright is not None
    ARTIFACTS.mkdir(exist_ok=True)
    network = Network(ui_server)
    errors: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.route("**/*", network.route)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        def dialog(d: Any) -> None:
            dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)
        try:
            yield page, network, errors
        finally:
            context.close()
            browser.close()
    assert not network.outside, f"the pages reached outside the service: {network.outside}"
    assert not dialogs, f"a page ran injected script (hostile label): {dialogs}"


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_home_page_map_and_chart(
    browser_page: tuple[Page, Network, list[str]], ui_server: str  # noqa: F811
) -> None:
    page, network, errors = browser_page
    page.goto(f"{ui_server}/?lang=en")
    assert page.locator("h1").inner_text() == TEXT["home_title"]["en"]
    # The map shows its territories as circle markers although every tile is refused.
    markers = page.locator("#map path.territory-marker")
    markers.first.wait_for(state="attached")
    expected = int(page.locator("#map").get_attribute("data-points") or 0)
    assert expected >= 10 and markers.count() == expected
    page.locator("#map-offline").wait_for(state="visible")
    assert network.tiles, "the map did not even try the tiles"
    # The land outline (shipped with the page) is drawn under the points.
    assert page.locator("#map .leaflet-land-pane path").count() >= 1
    # A marker opens a popup with the territory's name and a link to its page.
    markers.first.click(force=True)
    popup = page.locator(".leaflet-popup-content .popup")
    popup.wait_for(state="visible")
    assert popup.locator("a").get_attribute("href", timeout=5000)
    # Hovering every marker shows its name as text: the hostile label stays inert.
    page.evaluate(
        """() => document.querySelectorAll('#map path.territory-marker').forEach(
             (m) => m.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})))"""
    )
    assert page.locator(".leaflet-tooltip").count() >= 1
    assert page.locator("#map img[src='x']").count() == 0
    # The progress chart is drawn: the members line has a real extent, the targets are there.
    line = page.locator("#progress-chart path.members")
    box = line.bounding_box()
    assert box is not None and box["width"] > 100
    assert page.locator("#progress-chart line.target").count() == 3
    assert page.locator("#progress-chart circle.now").count() == 1
    # A sane layout: nothing blows the page up.
    assert page.evaluate("() => document.documentElement.scrollHeight") < 5000
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    _shot(page, "home-en.png")
    assert not errors, errors


def test_switch_language_keeps_the_page(
    browser_page: tuple[Page, Network, list[str]], ui_server: str  # noqa: F811
) -> None:
    page, _network, errors = browser_page
    page.goto(f"{ui_server}/browse/rights?lang=en")
    page.locator("a.lang[data-lang='fr']").click()
    page.wait_for_url("**/browse/rights?*lang=fr*")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == TEXT["rights_title"]["fr"]
    page.locator("a.lang[data-lang='es']").click()
    page.wait_for_url("**/browse/rights?*lang=es*")
    assert page.locator("h1").inner_text() == TEXT["rights_title"]["es"]
    page.goto(f"{ui_server}/?lang=es")
    page.locator("#map path.territory-marker").first.wait_for(state="attached")
    assert TEXT["progress_title"]["es"] in page.locator("#progress-title").inner_text()
    _shot(page, "home-es.png")
    page.locator("a.lang[data-lang='fr']").click()
    page.wait_for_url("**/?lang=fr")
    assert page.locator("h1").inner_text() == TEXT["home_title"]["fr"]
    _shot(page, "home-fr.png")
    assert not errors, errors


def _results(page: Page) -> Any:
    rows = page.locator(".yasr table.dataTable tbody tr")
    rows.first.wait_for(state="visible")
    return rows


def test_run_a_query_in_the_editor(
    browser_page: tuple[Page, Network, list[str]], ui_server: str  # noqa: F811
) -> None:
    page, network, errors = browser_page
    page.goto(f"{ui_server}/query?lang=en")
    editor = page.locator(".yasqe .CodeMirror")
    editor.wait_for(state="visible")
    # Type a query as a person would: select all, then type.
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(
        "PREFIX rg: <https://w3id.org/rightsgraph/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        'SELECT ?name WHERE { ?t a rg:Territory ; rdfs:label ?name . FILTER(LANG(?name) = "fr") '
        'FILTER(CONTAINS(?name, "Barcel")) }'
    )
    page.locator(".yasqe_queryButton").click()
    rows = _results(page)
    assert "Barcelone" in rows.first.inner_text()
    _shot(page, "query-typed.png")
    # A hostile label in the results is shown as text, not run.
    page.evaluate(
        """() => window.rightsgraphYasgui.getTab().getYasqe().setValue(
             'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\\n' +
             'SELECT ?label WHERE { ?s rdfs:label ?label ' +
             'FILTER(CONTAINS(?label, \"onerror\")) }')"""
    )
    page.locator(".yasqe_queryButton").click()
    page.locator(".yasr table.dataTable tbody tr", has_text="onerror").first.wait_for()
    assert page.locator(".yasr img[src='x']").count() == 0
    # A named question opens in a new tab, already runnable.
    page.locator("button.example").first.click()
    tabs = page.locator(".tabsList .tab")
    assert tabs.count() >= 2
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    rows = page.locator(".tabPanel.active .yasr table.dataTable tbody tr")
    rows.first.wait_for(state="visible")
    assert rows.count() >= 1
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    _shot(page, "query-example.png")
    assert not network.outside
    assert not errors, errors


def test_open_a_territory_page(
    browser_page: tuple[Page, Network, list[str]], ui_server: str  # noqa: F811
) -> None:
    page, _network, errors = browser_page
    page.goto(f"{ui_server}/browse/territories?lang=fr")
    _shot(page, "territories-fr.png")
    page.locator("#territories a[href^='/id/territory/es-barcelona']").click()
    page.wait_for_url("**/id/territory/es-barcelona*")
    assert "Barcelone" in page.locator("h1").inner_text()
    _shot(page, "territory-fr.png")
    page.go_back()
    page.goto(f"{ui_server}/search?q=barcel&lang=en")
    page.locator("a[href^='/id/territory/es-barcelona']").first.wait_for(state="visible")
    _shot(page, "search-en.png")
    for path, name in (
        ("/browse/initiatives?lang=en&right=housing", "initiatives-en.png"),
        ("/browse/groups?lang=es", "groups-es.png"),
        ("/browse/instruments?lang=en", "instruments-en.png"),
    ):
        page.goto(ui_server + path)
        page.locator("table.data").first.wait_for(state="visible")
        _shot(page, name)
    assert not errors, errors


def test_the_editor_says_when_an_answer_was_capped(
    browser_page: tuple[Page, Network, list[str]],
    initialised_store: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A server capping answers at 5 rows: the editor shows the localized capped notice."""
    from conftest import copy_store, running_server

    browser = browser_page[0].context.browser
    assert browser is not None
    store = copy_store(initialised_store, tmp_path_factory, "capped-ui")
    with running_server(store, env={"RIGHTSGRAPH_MAX_ROWS": "5"}, log_name="capped.log") as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.goto(f"{url}/query?lang=fr")
            page.locator(".yasqe .CodeMirror").wait_for(state="visible")
            notice = page.locator("#capped-notice")
            assert notice.is_hidden()
            page.evaluate(
                "() => window.rightsgraphYasgui.getTab().getYasqe()"
                ".setValue('SELECT ?s WHERE { ?s ?p ?o }')"
            )
            page.locator(".yasqe_queryButton").click()
            notice.wait_for(state="visible")
            assert notice.inner_text() == TEXT["results_capped"]["fr"]
            _shot(page, "query-capped-fr.png")
        finally:
            context.close()
