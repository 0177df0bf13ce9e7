"""The web UI over a real socket: pages in en/fr/es, escaping of hostile labels, no outside URL.

The pages that only read (status, content, links, counts, languages) run on both backends
through the ``service`` fixture of conftest.py (``rightsgraph serve`` on the embedded store, and
``rightsgraph serve --endpoint`` on Virtuoso, both with what ``rightsgraph init`` loads), and
:func:`test_pages_are_the_same_on_both_backends` checks that the two serve the same HTML. The
tests that need data written first (hostile labels) and those about the service's own files
(templates, static files, the query editor) use one more embedded server, over a copy of the
initialised store with a territory and an initiative whose labels are hostile HTML (as a
submitter could write them): the read-only ``service`` must not be written to.
``test_browser.py`` drives the same pages in Chromium.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import httpx
import pyoxigraph as ox
import pytest

from conftest import Served, copy_store, running_server
from rightsgraph.queries.catalog import catalog
from rightsgraph.service.routers import pages
from rightsgraph.service.ui_text import TEXT

REPO = Path(__file__).resolve().parents[1]
VENDOR = REPO / "service" / "static" / "vendor"
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>\"&'"
HOSTILE_TERRITORY = "https://w3id.org/rightsgraph/id/territory/example/zz-hostile"
HOSTILE_INITIATIVE = "https://w3id.org/rightsgraph/id/initiative/example/zz-hostile/hostile"
LANGS = ("en", "fr", "es")
PAGES = (
    "/",
    "/query",
    "/search?q=bar",
    "/browse/territories",
    "/browse/initiatives",
    "/browse/rights",
    "/browse/groups",
    "/browse/instruments",
)
#: The page each path is about, by its title key in ui_text.
TITLES = {
    "/": "home_title",
    "/query": "query_title",
    "/browse/territories": "territories_title",
    "/browse/initiatives": "initiatives_title",
    "/browse/rights": "rights_title",
    "/browse/groups": "groups_title",
    "/browse/instruments": "instruments_title",
}
#: The only outside addresses a page may name: OpenStreetMap's tiles and the attribution link
#: its tile usage policy requires. The map works without them.
ALLOWED_EXTERNAL = (pages.OSM_TILES, "https://www.openstreetmap.org/copyright")
#: Hosts that serve front-end code or fonts: never named by anything the service serves.
CDN_HOSTS = (
    "fonts.googleapis.com",
    "fonts.gstatic.com",
    "cdn.jsdelivr.net",
    "unpkg.com",
    "cdnjs.cloudflare.com",
    "code.jquery.com",
    "ajax.googleapis.com",
    "use.fontawesome.com",
    "maxcdn.bootstrapcdn.com",
    "stackpath.bootstrapcdn.com",
    "yasgui.triply.cc",
)
#: Outside services the YASGUI bundle can call only when enabled; static/js/query.js leaves
#: them off (the class/property autocompleters ask Linked Open Vocabularies), and
#: test_browser.py checks that no request leaves the machine while the editor is used.
DISABLED_IN_BUNDLE = ("lov.linkeddata.es",)
#: Links (``<a href>``) that the YASGUI bundle shows for help: followed only if a reader clicks.
LINKS_IN_BUNDLE = ("http://enable-cors.org/", "https://docs.triply.cc/yasgui/")


def _add_hostile_data(store_path: Path) -> None:
    from rightsgraph.store import open_store

    store = open_store(store_path)
    try:
        label = ox.Literal(HOSTILE, language="en")
        store.update(
            "PREFIX rg: <https://w3id.org/rightsgraph/ontology#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "PREFIX wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#>\n"
            "PREFIX schema: <https://schema.org/>\n"
            "INSERT DATA { GRAPH <https://w3id.org/rightsgraph/graph/example> {\n"
            f"  <{HOSTILE_TERRITORY}> a rg:Territory ; rdfs:label {label} ;\n"
            '    rg:countryCode "ZZ" ; rg:isExample true ;\n'
            '    wgs:lat "10.5"^^<http://www.w3.org/2001/XMLSchema#decimal> ;\n'
            '    wgs:long "20.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n'
            f"  <{HOSTILE_INITIATIVE}> a rg:Initiative ; rdfs:label {label} ;\n"
            f"    rg:ledBy <{HOSTILE_TERRITORY}> ; rg:isExample true ;\n"
            f'    schema:startDate "{date.today().isoformat()}"'
            "^^<http://www.w3.org/2001/XMLSchema#date> .\n"
            "} }"
        )
    finally:
        store.close()


@pytest.fixture(scope="session")
def ui_server(
    initialised_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``rightsgraph serve`` on a free loopback port, over a copy of the store with hostile
    labels."""
    store = copy_store(initialised_store, tmp_path_factory, "ui")
    _add_hostile_data(store)
    with running_server(store) as url:
        yield url


@pytest.fixture(scope="session")
def client(ui_server: str) -> Iterator[httpx.Client]:
    """A client of the embedded server with hostile labels (tests that need written data)."""
    with httpx.Client(base_url=ui_server, timeout=30) as c:
        yield c


@pytest.fixture(scope="session")
def pages_client(service: Served) -> Iterator[httpx.Client]:
    """A client of the read-only service on each backend (embedded, then Virtuoso)."""
    with httpx.Client(base_url=service.url, timeout=60) as c:
        yield c


# -------------------------------------------------------------------------------------------------
# Pages in three languages
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_page_in_each_language(pages_client: httpx.Client, path: str, lang: str) -> None:
    sep = "&" if "?" in path else "?"
    response = pages_client.get(f"{path}{sep}lang={lang}")
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-language"] == lang
    html = response.text
    assert f'<html lang="{lang}">' in html
    assert TEXT["nav_territories"][lang] in html
    key = TITLES.get(path.split("?")[0])
    if key:
        assert f"<h1>{_escaped(TEXT[key][lang])}" in html
    # The language switcher keeps the page: it links to this path in the other languages.
    for other in LANGS:
        if other != lang:
            assert re.search(rf'href="{re.escape(path.split("?")[0])}\?[^"]*lang={other}"', html)


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("'", "&#39;").replace('"', "&#34;")


@pytest.mark.parametrize(
    ("header", "lang"),
    [("fr-CA,fr;q=0.9,en;q=0.5", "fr"), ("es-MX", "es"), ("de-DE", "en"), ("", "en")],
)
def test_accept_language_picks_the_page_language(
    pages_client: httpx.Client, header: str, lang: str
) -> None:
    response = pages_client.get("/", headers={"Accept-Language": header})
    assert response.status_code == 200
    assert response.headers["content-language"] == lang
    assert TEXT["home_title"][lang] in response.text
    assert "accept-language" in response.headers["vary"].lower()


def test_lang_parameter_wins_over_accept_language(pages_client: httpx.Client) -> None:
    response = pages_client.get("/browse/rights?lang=es", headers={"Accept-Language": "fr"})
    assert response.headers["content-language"] == "es"
    assert TEXT["rights_title"]["es"] in response.text


def test_labels_from_the_graph_follow_the_language(pages_client: httpx.Client) -> None:
    fr = pages_client.get("/browse/territories?lang=fr").text
    es = pages_client.get("/browse/territories?lang=es").text
    assert "Barcelone" in fr and "Espagne" in fr
    assert "Viena" in es and "España" in es


# -------------------------------------------------------------------------------------------------
# Home: progress, map data, regions, latest initiatives
# -------------------------------------------------------------------------------------------------


def _map_data(html: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S)
    assert match, "the map data block is missing"
    data: dict[str, object] = json.loads(match.group(1))
    return data


def test_home_shows_progress_chart_map_and_regions(pages_client: httpx.Client) -> None:
    html = pages_client.get("/?lang=en").text
    assert 'id="progress-chart"' in html
    assert re.search(r'<path d="M[\d.]+,[\d.]+ L', html), "the members line is not drawn"
    for target in ("10", "100", "1,000"):
        assert f"milestone {target}</text>" in html
    points = _map_data(html)["points"]
    assert isinstance(points, list) and len(points) >= 10
    assert all(-90 <= p["lat"] <= 90 and -180 <= p["lon"] <= 180 for p in points)
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    regions = _regions(html)
    for region in ("Europe", "Africa", "Latin America"):
        assert f">{region}</a>" in regions
    # The header and the seven regions (the Metropolis section aside): every packaged
    # territory has a region, so there is no "no region" row.
    assert TEXT["no_region"]["en"] not in regions
    assert regions.count("<tr>") == 1 + 7
    assert TEXT["latest_title"]["en"] in html


def _regions(html: str) -> str:
    return html.split('id="regions-title"', 1)[1].split("</table>", 1)[0]


def test_home_counts_territories_without_a_region(client: httpx.Client) -> None:
    """Embedded only: the territory without a region is written by this file's server."""
    regions = _regions(client.get("/?lang=en").text)
    assert TEXT["no_region"]["en"] in regions
    assert regions.count("<tr>") == 1 + 7 + 1


def test_regions_without_territories_count_zero(pages_client: httpx.Client) -> None:
    """Without the example data, the regions that only have example territories still show,
    with zero everywhere (they were once given the counts of the whole graph)."""
    html = pages_client.get("/?lang=en&examples=0").text
    rows = re.findall(
        r'region=([a-z-]+)&amp;lang=en">[^<]*</a>\s*</th>\s*<td class="num">(\d+)</td>\s*'
        r'<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>',
        _regions(html),
    )
    assert len(rows) == 7
    counts = {region: tuple(int(n) for n in numbers) for region, *numbers in rows}
    assert counts["africa"] == (0, 0, 0)
    assert counts["europe"][0] > 0


def test_home_can_hide_example_data(pages_client: httpx.Client) -> None:
    with_examples = pages_client.get("/?lang=en").text
    without = pages_client.get("/?lang=en&examples=0").text
    assert TEXT["examples_excluded"]["en"] in without
    assert len(_map_data(without)["points"]) < len(_map_data(with_examples)["points"])  # type: ignore[arg-type]


def test_latest_initiatives_exclude_future_starts(pages_client: httpx.Client) -> None:
    html = pages_client.get("/?lang=en").text
    latest = html.split('id="latest-title"', 1)[1]
    today = date.today().isoformat()
    starts = re.findall(r'<time datetime="([0-9-]+)">', latest)
    assert starts and all(s <= today for s in starts)


def test_chart_layout() -> None:
    _ = lambda key, **v: f"{key}{v}"  # noqa: E731
    timeline = [{"month": "2022-06", "joined": 4}, {"month": "2023-01", "joined": 6}]
    milestones = [
        {"target": 10, "date": None, "label": "ten"},
        {"target": 100, "date": "2022-10-10", "label": "hundred"},
        {"target": 1000, "date": "2030", "label": "thousand"},
    ]
    chart = pages.build_chart(timeline, milestones, 16, date(2024, 6, 1), _)
    assert chart.members_path.startswith("M")
    assert [p["total"] for p in chart.member_points] == [4, 10]
    # Log scale: 10 is a third of the way up, 1000 at the top.
    assert chart.y(1) == chart.plot_bottom and chart.y(1000) == chart.top
    third = chart.plot_bottom - (chart.plot_bottom - chart.top) / 3
    assert chart.y(10) == pytest.approx(third, abs=0.1)
    reached = {m["target"]: m["reached"] for m in chart.milestones}
    assert reached == {10: True, 100: False, 1000: False}
    by_2030 = next(m for m in chart.milestones if m["target"] == 1000)
    assert by_2030["x"] == chart.x(date(2030, 12, 31))
    assert chart.today["total"] == 16


def test_thousands_follow_the_language() -> None:
    assert pages.thousands(1000, "en") == "1,000"
    assert pages.thousands(1000, "fr") == "1\u202f000"
    assert pages.thousands(1000, "es") == "1000"
    assert pages.thousands(12000, "es") == "12\u202f000"


# -------------------------------------------------------------------------------------------------
# Browse pages and search
# -------------------------------------------------------------------------------------------------


def test_browse_pages_link_to_entity_pages(pages_client: httpx.Client) -> None:
    html = pages_client.get("/browse/territories?lang=en").text
    assert 'href="/id/territory/es-barcelona?lang=en"' in html
    rights = pages_client.get("/browse/rights?lang=en").text
    assert 'href="/vocab/rights/housing?lang=en"' in rights
    assert 'href="/browse/initiatives?right=housing&amp;lang=en"' in rights
    groups = pages_client.get("/browse/groups?lang=en").text
    assert 'href="/vocab/groups/children?lang=en"' in groups
    instruments = pages_client.get("/browse/instruments?lang=en").text
    assert 'href="/vocab/instruments/udhr?lang=en"' in instruments
    assert ">UDHR<" in instruments


def test_entity_links_open_entity_pages(pages_client: httpx.Client) -> None:
    response = pages_client.get(
        "/id/territory/es-barcelona?lang=fr", headers={"Accept": "text/html"}
    )
    assert response.status_code == 200
    assert "Barcelone" in response.text


def test_territories_filter_by_region(pages_client: httpx.Client) -> None:
    everything = pages_client.get("/browse/territories?lang=en").text
    europe = pages_client.get("/browse/territories?lang=en&region=europe").text
    assert "Vienna" in europe and "Mexico City" not in europe
    assert europe.count("<tr>") < everything.count("<tr>")


@pytest.mark.parametrize(
    "query",
    [
        "right=equality",
        "group=children",
        "instrument=udhr",
        "type=policy",
        "territory=es-barcelona",
        "right=equality&group=children",
        "right=civil-political&group=children",
    ],
)
def test_initiatives_filters(pages_client: httpx.Client, query: str) -> None:
    everything = pages_client.get("/browse/initiatives?lang=en").text
    filtered = pages_client.get(f"/browse/initiatives?lang=en&{query}").text
    total = int(re.search(r"(\d+) initiatives</span>", everything).group(1))  # type: ignore[union-attr]
    count = int(re.search(r"(\d+) initiatives</span>", filtered).group(1))  # type: ignore[union-attr]
    assert 0 < count < total
    assert 'class="chip"' in filtered
    # The page lists the matching initiatives, not fewer (a page chosen before the filter
    # applies once listed a handful of them).
    rows = re.findall(r'<th scope="row"><a href="([^"]+)"', filtered)
    assert len(rows) == min(count, pages.PAGE_SIZE)


def test_initiatives_are_paged(pages_client: httpx.Client) -> None:
    first = pages_client.get("/browse/initiatives?lang=en").text
    second = pages_client.get("/browse/initiatives?lang=en&page=2").text
    assert 'rel="next"' in first and 'rel="prev"' in second
    rows = re.findall(r'<th scope="row"><a href="([^"]+)"', first)
    assert len(rows) == pages.PAGE_SIZE
    assert not set(rows) & set(re.findall(r'<th scope="row"><a href="([^"]+)"', second))


@pytest.mark.parametrize(
    "path",
    [
        "/browse/territories?region=%3Cscript%3E",
        "/browse/initiatives?right=a%20b",
        "/browse/initiatives?territory=..%2F..",
        "/?examples=2",
        "/browse/initiatives?page=0",
    ],
)
def test_bad_filters_are_client_errors(pages_client: httpx.Client, path: str) -> None:
    response = pages_client.get(path)
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/problem+json")


def test_search_finds_territories_and_initiatives(pages_client: httpx.Client) -> None:
    html = pages_client.get("/search?q=barcel&lang=es").text
    assert 'href="/id/territory/es-barcelona?lang=es"' in html
    assert TEXT["search_results_for"]["es"].format(q="barcel") in html
    assert "/id/initiative/" in pages_client.get("/search?q=housing&lang=en").text
    none = pages_client.get("/search?q=zzqqxx&lang=fr").text
    assert TEXT["search_none"]["fr"] in none
    short = pages_client.get("/search?q=a&lang=en").text
    assert TEXT["search_hint"]["en"] in short


def test_search_words_are_bound_not_pasted(pages_client: httpx.Client) -> None:
    response = pages_client.get("/search?q=%22)%20}%20DROP%20ALL%20%23&lang=en")
    assert response.status_code == 200
    assert pages_client.get("/browse/territories?lang=en").status_code == 200


#: Pages (with filters) whose HTML must be the same on both backends, in each language.
COMPARED = (
    "/",
    "/?examples=0",
    "/browse/territories",
    "/browse/territories?region=europe",
    "/browse/initiatives",
    "/browse/initiatives?page=2",
    "/browse/initiatives?right=equality&page=3",
    "/browse/initiatives?right=civil-political&group=children",
    "/browse/initiatives?instrument=udhr",
    "/browse/initiatives?type=policy",
    "/browse/initiatives?territory=es-barcelona",
    "/browse/rights",
    "/browse/groups",
    "/browse/instruments",
    "/search?q=barcel",
    "/search?q=housing",
    "/reports",
)


@pytest.mark.virtuoso
@pytest.mark.parametrize("path", COMPARED)
def test_pages_are_the_same_on_both_backends(
    server: tuple[str, Path], virtuoso_service: Served, path: str
) -> None:
    """The same data (what ``rightsgraph init`` loads) gives the same page, byte for byte:
    same rows, same order, same counts, on the embedded store and on Virtuoso."""
    with httpx.Client(timeout=60) as http:
        for lang in LANGS:
            url = f"{path}{'&' if '?' in path else '?'}lang={lang}"
            embedded = http.get(server[0] + url)
            remote = http.get(virtuoso_service.url + url)
            assert embedded.status_code == remote.status_code == 200, (url, remote.text[:300])
            if embedded.text != remote.text:
                diff = [
                    (a, b)
                    for a, b in zip(embedded.text.splitlines(), remote.text.splitlines(),
                                    strict=False)
                    if a != b
                ]
                pytest.fail(f"{url} differs on Virtuoso; first lines: {diff[:3]}")


# -------------------------------------------------------------------------------------------------
# Escaping user-submitted labels
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/browse/territories", "/browse/initiatives", "/search?q=alert"]
)
def test_hostile_labels_are_escaped(client: httpx.Client, path: str) -> None:
    """Embedded only: the hostile labels are written into this file's own store first."""
    sep = "&" if "?" in path else "?"
    html = client.get(f"{path}{sep}lang=en").text
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "onerror=alert(1)>" not in html
    # It is shown, escaped, in the page (the home page carries it in the map's JSON).
    assert "&lt;script&gt;alert(" in html or "\\u003cscript\\u003ealert(" in html


# -------------------------------------------------------------------------------------------------
# The query editor
# -------------------------------------------------------------------------------------------------


def _query_config(html: str) -> dict[str, object]:
    match = re.search(
        r'<script type="application/json" id="query-config">(.*?)</script>', html, re.S
    )
    assert match
    config: dict[str, object] = json.loads(match.group(1))
    return config


def test_query_page_presets_prefixes_and_examples(client: httpx.Client) -> None:
    config = _query_config(client.get("/query?lang=fr").text)
    assert config["endpoint"] == "/sparql"
    prefixes = config["prefixes"]
    assert isinstance(prefixes, dict)
    assert prefixes["rg"] == "https://w3id.org/rightsgraph/ontology#"
    assert "PREFIX rg: <https://w3id.org/rightsgraph/ontology#>" in str(config["defaultQuery"])
    examples = config["examples"]
    assert isinstance(examples, list)
    assert {e["name"] for e in examples} == set(catalog())
    assert client.get("/query/prefixes.json").json() == prefixes


def test_every_example_runs_as_it_opens(client: httpx.Client) -> None:
    """Embedded only: three named questions do not run alike on Virtuoso 7.2.5 (the federated
    ones fail there; ``PACKAGED_GAPS`` in test_remote_store.py)."""
    config = _query_config(client.get("/query?lang=es").text)
    for example in config["examples"]:  # type: ignore[attr-defined]
        response = client.post(
            "/sparql",
            data={"query": example["text"]},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert response.status_code == 200, (example["name"], response.text[:300])
        assert "results" in response.json() or "boolean" in response.json()
    default = client.post(
        "/sparql",
        data={"query": config["defaultQuery"]},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert default.status_code == 200
    assert len(default.json()["results"]["bindings"]) == 10


def test_the_editor_binds_parameter_defaults() -> None:
    query = catalog()["territories"]
    text = pages.editor_text(query, "fr")
    assert 'VALUES (?_lang) { ("fr") }' in text
    assert text.startswith(f"# {query.summary}")


# -------------------------------------------------------------------------------------------------
# Nothing from outside
# -------------------------------------------------------------------------------------------------

_URL = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s"'<>`)]*""")


class _Assets(HTMLParser):
    """Collects every attribute value and the scripts and stylesheets a page loads."""

    def __init__(self) -> None:
        super().__init__()
        self.attributes: list[tuple[str, str, str]] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        for name, value in values.items():
            self.attributes.append((tag, name, value))
        if tag == "script" and values.get("src"):
            self.assets.append(values["src"])
        if tag == "link" and values.get("href") and "stylesheet" in values.get("rel", ""):
            self.assets.append(values["href"])
        if tag == "link" and values.get("rel") == "icon":
            self.assets.append(values["href"])


def _allowed(url: str) -> bool:
    return any(url.startswith(allowed) for allowed in ALLOWED_EXTERNAL)


def _served_pages(client: httpx.Client) -> dict[str, str]:
    return {
        f"{path} ({lang})": client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}").text
        for path in PAGES
        for lang in LANGS
    }


def test_pages_load_nothing_from_outside(client: httpx.Client) -> None:
    """On the embedded server with hostile labels: templates and static files are the same on
    both backends, and test_pages_are_the_same_on_both_backends compares the HTML."""
    assets: set[str] = set()
    for name, html in _served_pages(client).items():
        parser = _Assets()
        parser.feed(html)
        for tag, attribute, value in parser.attributes:
            for url in _URL.findall(value):
                assert _allowed(url), f"{name}: <{tag} {attribute}> names {url}"
        assets.update(parser.assets)
        # Inline styles and scripts may not load anything either.
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", html), name
        assert "@import" not in html, name
    assert any(a.endswith("yasgui.min.js") for a in assets)
    assert any(a.endswith("leaflet.js") for a in assets)
    for asset in sorted(assets):
        assert urlparse(asset).netloc == "", f"{asset} is not served by the service"
        response = client.get(urljoin("/", asset))
        assert response.status_code == 200, asset
        text = response.text
        if "/vendor/" in asset:
            _check_vendor(asset, text)
        elif asset.endswith((".js", ".css")):
            for url in _URL.findall(text):
                assert _allowed(url), f"{asset} names {url}"


def _check_vendor(asset: str, text: str) -> None:
    """A vendored build may mention IRIs (YASGUI ships a prefix list), but may not load from
    outside: no remote url() or @import in CSS, no remote script, style, fetch or font in JS."""
    for host in CDN_HOSTS:
        assert host not in text, f"{asset} names {host}"
    if asset.endswith(".css"):
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", text), asset
        assert "@import" not in text, asset
        return
    loading = re.compile(
        r"""(?:fetch|importScripts|open)\(\s*["'`]((?:https?:)?//[^"'`]*)"""
        r"""|(?:\.src|\.href|["'`]src["'`]|["'`]href["'`])\s*[=,]\s*["'`]((?:https?:)?//[^"'`]*)"""
        r"""|url\(\s*["']?((?:https?:)?//[^"')]*)|(@import)\s"""
    )
    found = [
        url
        for m in loading.finditer(text)
        if (url := next(g for g in m.groups() if g)) not in LINKS_IN_BUNDLE
    ]
    assert not found, f"{asset} loads from outside: {found[:3]}"
    for host in DISABLED_IN_BUNDLE:
        if host in text:
            query_js = (REPO / "service" / "static" / "js" / "query.js").read_text("utf-8")
            assert 'var local = ["prefixes", "variables"];' in query_js


def test_static_files_are_cached_and_typed(client: httpx.Client) -> None:
    response = client.get("/static/vendor/yasgui/yasgui.min.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert response.headers.get("etag")
    land = client.get("/static/vendor/world-atlas/land-110m.geojson")
    assert land.status_code == 200 and land.json()["type"] in ("Feature", "FeatureCollection")


# -------------------------------------------------------------------------------------------------
# Vendored libraries, texts
# -------------------------------------------------------------------------------------------------


def test_vendored_libraries_are_pinned_and_licensed() -> None:
    package = json.loads((REPO / "package.json").read_text("utf-8"))
    lock = json.loads((REPO / "package-lock.json").read_text("utf-8"))
    versions = json.loads((VENDOR / "VERSIONS.json").read_text("utf-8"))
    for name, version in package["devDependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} is not pinned: {version}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
        assert lock["packages"][f"node_modules/{name}"]["integrity"].startswith("sha512-")
        assert versions[name] == version
    for folder in ("yasgui", "leaflet", "world-atlas", "swagger-ui"):
        assert (VENDOR / folder / "LICENSE").stat().st_size > 500
    assert (VENDOR / "yasgui" / "THIRD-PARTY-LICENSES.txt").stat().st_size > 10_000
    # Only the minified builds the pages load: no source maps, no unminified builds.
    shipped = {p.name for p in VENDOR.rglob("*") if p.is_file()}
    assert not {n for n in shipped if n.endswith(".map") or n.endswith("-src.js")}
    assert "sourceMappingURL" not in (VENDOR / "yasgui" / "yasgui.min.js").read_text("utf-8")


def test_every_text_has_three_languages() -> None:
    for key, entry in TEXT.items():
        assert set(entry) == set(LANGS), key
        placeholders = {lang: set(re.findall(r"{(\w+)}", text)) for lang, text in entry.items()}
        assert all(v == placeholders["en"] for v in placeholders.values()), key
        assert all(text.strip() for text in entry.values()), key


def test_templates_use_only_known_texts() -> None:
    folder = REPO / "service" / "templates"
    used: set[str] = set()
    for template in folder.glob("page_*.html"):
        used |= set(re.findall(r"_\('([a-z0-9_]+)'", template.read_text("utf-8")))
    used |= set(re.findall(r"_\('([a-z0-9_]+)'", (folder / "base.html").read_text("utf-8")))
    assert used and used <= set(TEXT), sorted(used - set(TEXT))


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_offline_api_docs_load_nothing_from_outside() -> None:
    """``offline_docs`` replaces FastAPI's /docs (Swagger UI from a CDN) with the vendored one."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    app = FastAPI(docs_url=None, redoc_url=None)
    pages.mount_static(app)
    pages.offline_docs(app)
    with TestClient(app) as test_client:
        html = test_client.get("/docs").text
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert len(assets) == 3
        assert all(a.startswith("/static/vendor/swagger-ui/") for a in assets)
        assert not _URL.findall(html)
        for asset in assets:
            response = test_client.get(asset)
            assert response.status_code == 200
            if asset.endswith((".js", ".css")):
                _check_vendor(asset, response.text)
