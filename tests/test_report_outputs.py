"""The intersectionality report's outputs: HTML, Markdown, PDF, CSV and JSON, from the CLI and
over HTTP, and the reports page of the web UI, in a real browser.

The figures are the analysis' business (``test_report_analysis.py``); here every output is
checked against the :class:`~rightsgraph.reports.model.Report` it was made from: every table is
there with its numbers, its base and its SPARQL, the filters are echoed, the labels follow the
language, the HTML names no outside address, and every chart is drawn (SVG with marks, and, in
Chromium, a non-empty box on screen). Screenshots go to ``tests/artifacts/``.

The renderers are also run on a small hand-made report (real model objects, no store), where
every value is known, to check formatting, escaping of hostile labels and the Markdown syntax.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

import httpx
import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS

from conftest import run_cli
from rightsgraph.reports import charts as report_charts
from rightsgraph.reports.model import TABLES, Base, Filters, Report, Table
from rightsgraph.reports.render_html import format_cell, render_html
from rightsgraph.reports.render_md import render_markdown, write_markdown
from rightsgraph.reports.render_tables import report_dict, table_csv, tables_zip, write_csv
from rightsgraph.reports.text import render_text

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
IN_CI = os.environ.get("CI", "").lower() == "true"
LANGS = ("en", "fr", "es")
API = "/api/reports/intersectionality"
#: Charts the example data must give (its tables are all non-empty).
EXPECTED_CHARTS = {"heatmap", "group-network", "category-network", "trend-by-year"}
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>\"&'"


# -------------------------------------------------------------------------------------------------
# Helpers
# -------------------------------------------------------------------------------------------------


class _Links(HTMLParser):
    """Every address an HTML document would load or link to: src, href, srcset, action, data,
    poster, url(...) in style attributes and <style> elements, @import."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name in ("src", "href", "action", "data", "poster", "xlink:href", "formaction"):
                self.urls.append(value)
            elif name == "srcset":
                self.urls += [part.split()[0] for part in value.split(",") if part.strip()]
            elif name == "style":
                self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", data)
            self.urls += re.findall(r"@import\s+['\"]([^'\"]+)", data)


def outside_urls(html: str) -> list[str]:
    """Addresses in ``html`` that are not inside the document (``#fragment``) or ``data:``."""
    parser = _Links()
    parser.feed(html)
    return [u for u in parser.urls if not u.startswith(("#", "data:"))]


def tables_of(html: str) -> dict[str, list[list[str]]]:
    """The body cells of every ``<table id="table-NAME">`` of a rendered report, unescaped."""
    out: dict[str, list[list[str]]] = {}
    for name, body in re.findall(
        r'<table class="data" id="table-([a-z_]+)">.*?<tbody>(.*?)</tbody>', html, re.S
    ):
        rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
        out[name] = [
            [unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in rows
        ]
    return out


def report_from_json(data: dict[str, Any]) -> Report:
    """A :class:`Report` back from the JSON output (the JSON is the whole report)."""
    tables = {
        name: Table(
            name=t["name"],
            columns=tuple(t["columns"]),
            labels=tuple(t["labels"]),
            rows=tuple(tuple(r[c] for c in t["columns"]) for r in t["rows"]),
            base=Base(**t["base"]),
            sparql=t["sparql"],
            note=t["note"],
        )
        for name, t in data["tables"].items()
    }
    f = data["filters"]
    given: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in f.items()}
    filters = Filters(**given)
    return Report(
        title=data["title"],
        lang=data["lang"],
        filters=filters,
        data_version=data["data_version"],
        generated_at=data["generated_at"],
        base=Base(**data["base"]),
        tables=tables,
        summary=tuple(data["summary"]),
    )


def check_html_against(html: str, report: Report) -> None:
    """Every table of ``report`` is in ``html`` with its base, its SPARQL and its rows (as the
    renderer formats them); the filters, data version and summary are there; nothing outside
    is named."""
    assert outside_urls(html) == []
    assert f'<html lang="{report.lang}">' in html
    assert f'content="{report.data_version}"' in html
    cells = tables_of(html)
    for table in report.tables.values():
        section = re.search(
            rf'<section class="table-section" id="[^"]+" data-table="{table.name}">(.*?)</section>',
            html,
            re.S,
        )
        assert section, f"no section for {table.name}"
        body = section.group(1)
        assert (
            f'data-initiatives="{table.base.initiatives}" '
            f'data-territories="{table.base.territories}"'
        ) in body
        assert unescape(body).count(table.sparql.strip()) == 1, f"SPARQL of {table.name}"
        if not table.rows:
            assert table.name not in cells
            continue
        shown = cells[table.name]
        assert len(shown) == min(len(table.rows), 300)
        # The first and the last shown row carry the report's values (hidden IRI columns aside).
        for index in (0, len(shown) - 1):
            row = table.rows[index]
            expected = [format_cell(v, report.lang, c) for v, c in zip(row, table.columns,
                                                                           strict=True)]
            assert set(shown[index]) <= set(expected), (table.name, shown[index], expected)
            numbers = [
                format_cell(v, report.lang, c)
                for v, c in zip(row, table.columns, strict=True)
                if isinstance(v, int | float) and not isinstance(v, bool)
            ]
            assert all(n in shown[index] for n in numbers), (table.name, numbers, shown[index])
    for sentence in report.summary:
        assert sentence in unescape(html)


def check_svg_has_marks(svg: str) -> None:
    assert svg.lstrip().startswith("<svg")
    width = float(re.search(r'width="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    height = float(re.search(r'height="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    assert width > 50 and height > 50
    assert re.search(r'class="mark-(rect|symbol|rule|text)', svg), "no marks in the chart"
    assert len(re.findall(r"<path|<line|<circle|<rect", svg)) > 5


# -------------------------------------------------------------------------------------------------
# A small hand-made report: every value known
# -------------------------------------------------------------------------------------------------

_V = "https://w3id.org/rightsgraph/vocab/"


def small_report(lang: str = "en", label: str = "Migrants") -> Report:
    base = Base(initiatives=7, territories=3)

    def table(name: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> Table:
        return Table(
            name=name,
            columns=columns,
            labels=tuple(c.replace("_", " ").capitalize() for c in columns),
            rows=tuple(rows),
            base=base,
            sparql=f"SELECT ?x WHERE {{ ?x a <{_V}{name}> }}  # {name} | `x`",
            note=f"How to read {name}.",
        )

    groups = [("women-girls", "Women and girls"), ("migrants", label), ("youth", "Youth")]
    cats = [("housing", "Housing"), ("health", "Health")]
    tables = {
        "overview": table(
            "overview",
            ("initiatives", "territories", "countries", "groups", "categories"),
            [(7, 3, 2, 3, 2)],
        ),
        "groups": table(
            "groups",
            ("group", "group_label", "initiatives", "territories", "share"),
            [(f"{_V}groups/{g}", lab, 4 - i, 2, (4 - i) / 7) for i, (g, lab) in enumerate(groups)],
        ),
        "group_cooccurrence": table(
            "group_cooccurrence",
            ("group_a", "group_a_label", "group_b", "group_b_label", "together", "expected",
             "lift"),
            [
                (f"{_V}groups/women-girls", "Women and girls", f"{_V}groups/migrants", label,
                 2, 1.5, 1.3333),
                (f"{_V}groups/women-girls", "Women and girls", f"{_V}groups/youth", "Youth", 1,
                 0.5, 2.0),
                (f"{_V}groups/migrants", label, f"{_V}groups/youth", "Youth", 1, 0.75, 1.3333),
            ],
        ),
        "group_category": table(
            "group_category",
            ("group", "group_label", "category", "category_label", "initiatives", "expected",
             "lift"),
            [
                (f"{_V}groups/{g}", lab, f"{_V}rights/{c}", clab, n, n / 1.2, 1.2)
                for (g, lab), n in zip(groups, (3, 2, 1), strict=True)
                for c, clab in cats
            ],
        ),
        "trend_by_year": table(
            "trend_by_year",
            ("year", "category", "category_label", "initiatives"),
            [(2019, f"{_V}rights/housing", "Housing", 2), (2021, f"{_V}rights/health", "Health",
                                                           5)],
        ),
        "members_by_wave": table(
            "members_by_wave", ("wave", "members", "cumulative"), [(1, 10, 10), (2, 2, 12)]
        ),
        "headline_gaps": table("headline_gaps", ("territory", "territory_label"), []),
        "similar_territories": table(
            "similar_territories",
            ("territory_a", "territory_a_label", "territory_b", "territory_b_label",
             "similarity"),
            [("https://w3id.org/rightsgraph/id/territory/example/xx-a", "A",
              "https://w3id.org/rightsgraph/id/territory/example/xx-b", "B", 0.004567)],
        ),
    }
    return Report(
        title=f"Test report {label}",
        lang=lang,
        filters=Filters(regions=("europe",), categories=("housing",), year_from=2015,
                        year_to=2024, waves=(1, 2)),
        data_version=12345,
        generated_at="2026-11-22T09:05:00Z",
        base=base,
        tables=tables,
        summary=(f"Seven initiatives; {label} are served in two.",),
    )


@pytest.mark.parametrize("lang", LANGS)
def test_html_of_a_small_report_holds_every_table_and_chart(lang: str) -> None:
    report = small_report(lang)
    html = render_html(report)
    check_html_against(html, report)
    # Filters echoed, in the report's language.
    filters = html.split('id="filters"', 1)[1].split("</dd>", 1)[0]
    assert render_text("filter_regions", lang) in filters and "europe" in filters
    assert "housing" in filters and "2015" in filters and "2024" in filters
    # Numbers as the language writes them; the data version too.
    assert {"en": "12,345", "fr": "12\u202f345", "es": "12\u202f345"}[lang] in html
    assert {"en": "1.33", "fr": "1,33", "es": "1,33"}[lang] in html
    assert {"en": "0.00457", "fr": "0,00457", "es": "0,00457"}[lang] in html
    assert render_text("summary", lang) in html
    assert render_text("table_group_cooccurrence", lang) in html
    # IRI columns beside a label column are hidden; the labels are shown.
    assert f"{_V}groups/migrants" not in html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    # Every chart is inline SVG with marks, and its Vega-Lite spec is beside it.
    figures = re.findall(r'<figure class="chart" id="chart-([a-z-]+)"', html)
    assert set(figures) == {"heatmap", "group-network", "trend-by-year", "members-by-wave"}
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        check_svg_has_marks(svg)
    assert html.count("Vega-Lite specification") == (4 if lang == "en" else 0)
    assert '"$schema"' not in html  # the one outside URL Altair writes is left out
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "two elements share an id (clip paths of two charts?)"


def test_hostile_labels_are_escaped_everywhere(tmp_path: Path) -> None:
    report = small_report("en", label=HOSTILE)
    html = render_html(report)
    assert "<script>" not in html and "<img" not in html
    assert outside_urls(html) == []
    md = render_markdown(report)
    # Raw HTML in Markdown is live in many renderers: every < of a label is escaped.
    assert not re.search(r"(?<!\\)<(script|img|/script)", md)
    # The hostile label does not break the pipe table: every row has as many cells as the head.
    tables = [
        block.splitlines()
        for block in md.split("\n\n")
        if block.startswith("| ") and block.splitlines()[1].startswith("| -")
    ]
    assert len(tables) >= 5
    for lines in tables:
        width = len(re.findall(r"(?<!\\)\|", lines[0]))
        assert all(len(re.findall(r"(?<!\\)\|", line)) == width for line in lines), lines


def test_markdown_of_a_small_report(tmp_path: Path) -> None:
    report = small_report("fr")
    streamed = render_markdown(report)
    assert streamed.startswith("# Test report Migrants\n")
    assert render_text("charts_omitted", "fr") in streamed
    assert "![" not in streamed
    assert "| Initiatives | Territories | Countries | Groups | Categories |" in streamed
    assert "| 7 | 3 | 2 | 3 | 2 |" in streamed
    assert "| ---: |" in streamed
    # The SPARQL of every table, fenced (its own backticks cannot close the fence).
    for table in report.tables.values():
        assert f"```sparql\n{table.sparql}\n```" in streamed
    written = write_markdown(report, tmp_path / "out")
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    svgs = sorted(p.name for p in written if p.suffix == ".svg")
    assert svgs == ["group-network.svg", "heatmap.svg", "members-by-wave.svg", "trend-by-year.svg"]
    for name in svgs:
        assert f"]({name})" in md
        check_svg_has_marks((tmp_path / "out" / name).read_text(encoding="utf-8"))
    assert render_text("charts_omitted", "fr") not in md
    beside = write_markdown(report, tmp_path / "single.md")
    assert (tmp_path / "single-heatmap.svg").exists() and beside[0] == tmp_path / "single.md"


def test_csv_and_json_of_a_small_report(tmp_path: Path) -> None:
    report = small_report()
    data = report_dict(report)
    assert data["filters"]["regions"] == ["europe"] and data["data_version"] == 12345
    assert data["tables"]["groups"]["rows"][1]["group_label"] == "Migrants"
    assert data["tables"]["groups"]["base"] == {"initiatives": 7, "territories": 3}
    assert list(data["tables"]) == [n for n in TABLES if n in report.tables]
    rows = list(csv.reader(io.StringIO(table_csv(report.tables["group_cooccurrence"]))))
    assert rows[0] == list(report.tables["group_cooccurrence"].columns)
    assert rows[1][4:] == ["2", "1.5", "1.3333"]
    with zipfile.ZipFile(io.BytesIO(tables_zip(report))) as archive:
        names = set(archive.namelist())
        assert names == {f"{n}.csv" for n in report.tables} | {"report.json"}
        meta = json.loads(archive.read("report.json"))
        assert "rows" not in meta["tables"]["groups"]
        assert meta["tables"]["groups"]["sparql"] == report.tables["groups"].sparql
    written = write_csv(report, tmp_path / "tables")
    assert len(written) == len(report.tables) + 1
    empty = (tmp_path / "tables" / "headline_gaps.csv").read_bytes()
    assert empty == b"territory,territory_label\r\n"


@pytest.mark.parametrize("module", ["render_html", "render_tables", "render_md", "charts"])
def test_doctests(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"rightsgraph.reports.{module}"))
    assert result.failed == 0


def test_chart_rendering_fetches_nothing() -> None:
    """vl-convert may fetch no URL: a chart whose data is a URL fails instead of loading it."""
    spec = {"data": {"url": "http://127.0.0.1:9/x.json"}, "mark": "point",
            "encoding": {"x": {"field": "a", "type": "quantitative"}}}
    with pytest.raises(report_charts.ChartError):
        report_charts.to_svg(spec)


# -------------------------------------------------------------------------------------------------
# The real report on the example data: CLI
# -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_outputs(
    initialised_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """Every format from ``rightsgraph report intersectionality``, once, over the store."""
    out = tmp_path_factory.mktemp("report-cli")
    store = out / "store"
    shutil.copytree(initialised_store, store)
    runs: dict[str, list[str | Path]] = {
        "json": ["--format", "json", "-o", out / "report.json"],
        "html": ["-o", out / "report.html"],
        "html-fr": ["--lang", "fr", "--region", "europe", "--category", "housing",
                    "-o", out / "report-fr.html"],
        "md": ["--lang", "es", "--format", "md", "-o", out / "md"],
        "md-stream": ["--format", "md"],
        "csv": ["--format", "csv", "-o", out / "tables.zip"],
        "csv-table": ["--format", "csv", "--table", "groups", "-o", out / "groups.csv"],
        "pdf": ["--format", "pdf", "-o", out / "report.pdf"],
    }

    def run(options: list[str | Path]) -> subprocess.CompletedProcess[str]:
        return run_cli("report", "intersectionality", "--lang", "en", *options, store=store,
                       env={"LANG": "C.UTF-8"})

    # Side by side: each run only reads the store (opened read-only).
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = dict(zip(runs, pool.map(run, runs.values()), strict=True))
    for name, proc in results.items():
        assert proc.returncode == 0, f"{name}: {proc.stderr}"
    return {"dir": out, "runs": results, "store": store}


def test_cli_json_is_the_whole_report(cli_outputs: dict[str, Any]) -> None:
    data = json.loads((cli_outputs["dir"] / "report.json").read_text(encoding="utf-8"))
    assert data["lang"] == "en" and data["filters"]["include_examples"] is True
    assert set(data["tables"]) <= set(TABLES) and "group_category" in data["tables"]
    for table in data["tables"].values():
        assert table["sparql"].strip() and set(table["base"]) == {"initiatives", "territories"}
        assert all(set(r) == set(table["columns"]) for r in table["rows"])
    assert data["base"]["initiatives"] > 0 and data["summary"]


def test_cli_html_matches_the_report(cli_outputs: dict[str, Any]) -> None:
    report = report_from_json(
        json.loads((cli_outputs["dir"] / "report.json").read_text(encoding="utf-8"))
    )
    html = (cli_outputs["dir"] / "report.html").read_text(encoding="utf-8")
    check_html_against(html, report)
    charts = set(re.findall(r'<figure class="chart" id="chart-([a-z-]+)"', html))
    assert charts >= EXPECTED_CHARTS
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        check_svg_has_marks(svg)


def test_cli_html_in_french_with_filters(cli_outputs: dict[str, Any]) -> None:
    html = (cli_outputs["dir"] / "report-fr.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html
    assert render_text("summary", "fr") in html and render_text("summary", "en") not in html
    filters = unescape(html.split('id="filters"', 1)[1].split("</dd>", 1)[0])
    assert render_text("filter_regions", "fr") in filters and "europe" in filters
    assert render_text("filter_categories", "fr") in filters and "housing" in filters
    assert outside_urls(html) == []


def test_cli_markdown_folder_and_stream(cli_outputs: dict[str, Any]) -> None:
    folder = cli_outputs["dir"] / "md"
    md = (folder / "report.md").read_text(encoding="utf-8")
    assert render_text("summary", "es") in md and "```sparql" in md
    svgs = sorted(folder.glob("*.svg"))
    assert {p.stem for p in svgs} >= EXPECTED_CHARTS
    for svg in svgs:
        assert f"]({svg.name})" in md
    streamed = cli_outputs["runs"]["md-stream"].stdout
    assert streamed.startswith("# ") and render_text("charts_omitted", "en") in streamed
    assert "| ---" in streamed


def test_cli_csv_zip_and_one_table(cli_outputs: dict[str, Any]) -> None:
    data = json.loads((cli_outputs["dir"] / "report.json").read_text(encoding="utf-8"))
    with zipfile.ZipFile(cli_outputs["dir"] / "tables.zip") as archive:
        assert set(archive.namelist()) == {f"{n}.csv" for n in data["tables"]} | {"report.json"}
        for name, table in data["tables"].items():
            rows = list(csv.DictReader(io.StringIO(archive.read(f"{name}.csv").decode())))
            assert len(rows) == len(table["rows"])
            if rows:
                first = table["rows"][0]
                assert rows[0] == {k: "" if v is None else str(v) for k, v in first.items()}
    groups = (cli_outputs["dir"] / "groups.csv").read_text(encoding="utf-8")
    assert groups.splitlines()[0] == ",".join(data["tables"]["groups"]["columns"])


def pdf_objects(data: bytes) -> bytes:
    """A PDF's bytes with every Flate stream decompressed after it (object streams hold the
    page and info dictionaries): enough to check the structure without a PDF library."""
    out = [data]
    for match in re.finditer(rb"/FlateDecode.*?stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(out)


def pdf_text(pdf: Path) -> str | None:
    """The text of a PDF with pdftotext or pypdf, when either is there; else ``None``."""
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                              text=True, check=True, timeout=60).stdout
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return "\n".join(page.extract_text() or "" for page in PdfReader(str(pdf)).pages)


def test_cli_pdf_is_a_valid_pdf_with_the_report(cli_outputs: dict[str, Any]) -> None:
    path = cli_outputs["dir"] / "report.pdf"
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert re.search(rb"startxref\s+\d+\s+%%EOF\s*$", data)
    # The objects, once their Flate streams are opened: one A4 page object per page.
    objects = pdf_objects(data)
    assert b"WeasyPrint" in objects
    pages = len(re.findall(rb"/Type\s*/Page\b", objects))
    assert pages >= 3
    assert len(re.findall(rb"/MediaBox\s*\[\s*0 0 595\.\d+ 841\.\d+\s*\]", objects)) == pages
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                              check=True, timeout=60).stdout
        assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
        assert re.search(rf"Pages:\s+{pages}\b", info), info
    text = pdf_text(path)
    if text is None:
        pytest.skip("neither pdftotext (poppler-utils) nor pypdf is installed: structure only")
    report = json.loads((cli_outputs["dir"] / "report.json").read_text(encoding="utf-8"))
    flat = " ".join(text.split())
    assert render_text("summary", "en") in flat
    assert render_text("sparql_appendix", "en") in flat
    assert f"{render_text('page', 'en')} 1 /" in flat  # the page numbers of the print CSS
    assert f"{render_text('page', 'en')} {pages} /" in flat
    for name in report["tables"]:
        assert render_text(f"table_{name}", "en") in flat


def test_cli_rejects_bad_filters(initialised_store: Path) -> None:
    proc = run_cli("report", "intersectionality", "--region", "Europe!", "--format", "json",
                   store=initialised_store)
    assert proc.returncode == 2 and "region" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("report", "intersectionality", "--from", "2020", "--to", "2010",
                   store=initialised_store)
    assert proc.returncode == 2 and "2020" in proc.stderr


# -------------------------------------------------------------------------------------------------
# Over HTTP
# -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api(server: tuple[str, Path]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server[0], timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def api_report(api: httpx.Client) -> Report:
    answer = api.get(API, params={"lang": "en"}, headers={"Accept": "application/json"})
    assert answer.status_code == 200, answer.text
    return report_from_json(answer.json())


@pytest.mark.parametrize(
    ("accept", "media", "fmt"),
    [
        ("application/json", "application/json", "json"),
        ("text/html", "text/html", "html"),
        ("text/markdown", "text/markdown", "md"),
        ("application/pdf", "application/pdf", "pdf"),
        ("text/csv", "application/zip", "csv"),
        ("application/zip", "application/zip", "csv"),
    ],
)
def test_api_formats_by_accept_and_by_format(
    api: httpx.Client, api_report: Report, accept: str, media: str, fmt: str
) -> None:
    by_accept = api.get(API, params={"lang": "en"}, headers={"Accept": accept})
    by_param = api.get(API, params={"lang": "en", "format": fmt})
    for answer in (by_accept, by_param):
        assert answer.status_code == 200, answer.text[:300]
        assert answer.headers["content-type"].split(";")[0] == media
        assert answer.headers["content-language"] == "en"
        assert answer.headers["rightsgraph-data-version"] == str(api_report.data_version)
        assert "etag" in answer.headers
    assert by_accept.content == by_param.content  # the same cached rendering
    body = by_accept.content
    if fmt == "html":
        check_html_against(by_accept.text, api_report)
        assert "default-src 'none'" in by_accept.headers["content-security-policy"]
    elif fmt == "md":
        assert render_text("charts_omitted", "en") in by_accept.text
        for table in api_report.tables.values():
            assert table.sparql.strip() in by_accept.text
    elif fmt == "pdf":
        assert body.startswith(b"%PDF-") and b"%%EOF" in body[-32:]
    elif fmt == "csv":
        assert by_accept.headers["content-disposition"].startswith("attachment")
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            assert {f"{n}.csv" for n in api_report.tables} <= set(archive.namelist())
    else:
        data = by_accept.json()
        assert {n: t["base"] for n, t in data["tables"].items()} == {
            n: {"initiatives": t.base.initiatives, "territories": t.base.territories}
            for n, t in api_report.tables.items()
        }


def test_cli_from_the_remote_endpoint_gives_the_same_tables(
    server: tuple[str, Path], api: httpx.Client, tmp_path: Path
) -> None:
    """``--endpoint`` builds the report through SPARQL over HTTP (the served store's /sparql):
    the same tables as the service builds from its embedded store."""
    out = tmp_path / "remote.json"
    proc = run_cli("report", "intersectionality", "--endpoint", f"{server[0]}/sparql",
                   "--lang", "es", "--format", "json", "-o", out)
    assert proc.returncode == 0, proc.stderr
    remote = json.loads(out.read_text(encoding="utf-8"))
    local = api.get(API, params={"lang": "es", "format": "json"}).json()
    assert remote["data_version"] == local["data_version"]
    assert remote["base"] == local["base"]
    for name, table in local["tables"].items():
        assert remote["tables"][name]["rows"] == table["rows"], name
        assert remote["tables"][name]["base"] == table["base"], name


def test_api_one_csv_table(api: httpx.Client, api_report: Report) -> None:
    answer = api.get(API, params={"table": "groups"}, headers={"Accept": "text/csv"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    table = api_report.tables["groups"]
    assert rows[0] == list(table.columns) and len(rows) == len(table.rows) + 1
    missing = api.get(API, params={"table": "nope", "format": "csv"})
    assert missing.status_code == 400 and "groups" in missing.json()["detail"]


def test_api_language_from_accept_language(api: httpx.Client) -> None:
    answer = api.get(API, headers={"Accept": "text/html", "Accept-Language": "es-ES,es;q=0.9"})
    assert answer.headers["content-language"] == "es"
    assert render_text("summary", "es") in answer.text
    assert render_text("how_to_read", "es") in answer.text
    data = api.get(API, params={"lang": "fr", "format": "json"}).json()
    english = api.get(API, params={"lang": "en", "format": "json"}).json()
    assert data["lang"] == "fr" and data["title"] != english["title"]
    assert data["tables"]["groups"]["labels"] != english["tables"]["groups"]["labels"]
    # The numbers do not depend on the language (ties may sort by label, so compare by group).
    def numbers(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {r["group"]: {k: v for k, v in r.items() if not k.endswith("label")} for r in rows}

    assert numbers(data["tables"]["groups"]["rows"]) == numbers(
        english["tables"]["groups"]["rows"]
    )


def test_api_filters_are_echoed_and_change_the_base(api: httpx.Client) -> None:
    whole = api.get(API, params={"format": "json"}).json()
    params = [("region", "europe"), ("category", "housing"), ("from", "2000"),
              ("examples", "false"), ("format", "json")]
    answer = api.get(API + "?" + urlencode(params))
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["filters"]["regions"] == ["europe"]
    assert data["filters"]["categories"] == ["housing"]
    assert data["filters"]["year_from"] == 2000 and data["filters"]["include_examples"] is False
    assert data["base"]["initiatives"] <= whole["base"]["initiatives"]
    html = api.get(API + "?" + urlencode([*params[:-1], ("format", "html")])).text
    filters = unescape(html.split('id="filters"', 1)[1].split("</dd>", 1)[0])
    assert "europe" in filters and "housing" in filters and "2000" in filters


@pytest.mark.parametrize(
    "query",
    [
        "region=Europe!",
        "region=atlantis",  # well-formed, but names nothing in the graph
        "country=ESP",
        "territory=../etc",
        "wave=0",
        "from=2020&to=2010",
        "from=soon",
        "format=docx",
        "table=groups&format=html",
    ],
)
def test_api_bad_filters_are_problems(api: httpx.Client, query: str) -> None:
    answer = api.get(f"{API}?{query}")
    assert answer.status_code in (400, 422), answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert {"type", "title", "status", "detail"} <= set(problem)
    assert problem["status"] == answer.status_code


def test_api_not_acceptable(api: httpx.Client) -> None:
    answer = api.get(API, headers={"Accept": "image/png"})
    assert answer.status_code == 406
    assert answer.headers["content-type"] == "application/problem+json"


def test_api_cache_and_etag(api: httpx.Client) -> None:
    first = api.get(API, params={"format": "html", "lang": "es"})
    second = api.get(API, params={"format": "html", "lang": "es"})
    assert first.content == second.content  # cached: even generated_at is the same
    etag = first.headers["etag"]
    again = api.get(API, params={"format": "html", "lang": "es"},
                    headers={"If-None-Match": etag})
    assert again.status_code == 304


# -------------------------------------------------------------------------------------------------
# The reports page
# -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_reports_page_has_the_form_and_the_report(api: httpx.Client, lang: str) -> None:
    answer = api.get("/reports", params={"lang": lang, "region": "europe"})
    assert answer.status_code == 200, answer.text[:500]
    html = answer.text
    assert f"<h1>{render_text('ui_title', lang)}</h1>" in html
    for name in ("region", "country", "category", "group", "instrument", "wave"):
        select = re.search(rf'<select id="f-{name}" name="{name}" multiple.*?</select>', html,
                           re.S)
        assert select, name
        assert len(re.findall(r"<option ", select.group(0))) >= 1, name
    assert re.search(r'<option value="europe" selected>', html)
    assert re.search(r'<option value="housing"', html) and re.search(r'value="migrants"', html)
    assert re.search(r'<option value="ES"', html)  # a country with a territory in the graph
    frame = re.search(r'<iframe [^>]*src="([^"]+)"', html)
    assert frame
    src = unescape(frame.group(1))
    assert src.startswith(API + "?") and "region=europe" in src and f"lang={lang}" in src
    for fmt in ("html", "pdf", "md", "csv", "json"):
        assert f'data-format="{fmt}"' in html
    assert 'href="/reports?lang=' in html  # the nav link
    inline = api.get(src)
    assert inline.status_code == 200 and inline.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "params", [{"from": "2020", "to": "2010"}, {"region": "atlantis"}, {"wave": "x"}]
)
def test_reports_page_shows_a_bad_filter(api: httpx.Client, params: dict[str, str]) -> None:
    answer = api.get("/reports", params={"lang": "en", **params})
    assert answer.status_code == 400
    assert 'id="report-error"' in answer.text and "<iframe" not in answer.text


# -------------------------------------------------------------------------------------------------
# In a real browser
# -------------------------------------------------------------------------------------------------

try:
    from playwright.sync_api import Page, Route, sync_playwright
except ImportError:  # pragma: no cover - depends on the installation
    sync_playwright = None  # type: ignore[assignment]

_browser_reason = (
    "the playwright package is not installed" if sync_playwright is None
    else f"{CHROMIUM} is missing (apt-get install chromium)" if not CHROMIUM.exists()
    else None
)
if _browser_reason and IN_CI:
    raise RuntimeError(f"the report browser tests cannot run under CI=true: {_browser_reason}")
needs_browser = pytest.mark.skipif(_browser_reason is not None, reason=_browser_reason or "")


@pytest.fixture(scope="module")
def browser_page(server: tuple[str, Path]) -> Iterator[tuple[Page, list[str]]]:
    """A Chromium page that may reach only the service (anything else is refused and listed)."""
    assert sync_playwright is not None
    ARTIFACTS.mkdir(exist_ok=True)
    host = urlparse(server[0]).netloc
    outside: list[str] = []

    def route(r: Route) -> None:
        parsed = urlparse(r.request.url)
        if parsed.scheme in ("data", "blob", "file", "about") or parsed.netloc == host:
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort("blockedbyclient")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route("**/*", route)
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            yield page, outside
        finally:
            context.close()
            browser.close()
    assert not outside, f"the report reached outside the service: {outside}"


def check_charts_drawn(frame: Any, expected: set[str]) -> dict[str, dict[str, float]]:
    """Every chart figure in ``frame`` has an SVG with a non-empty box and marks on screen.
    Fails naming the chart that did not render."""
    charts: dict[str, dict[str, float]] = frame.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('figure.chart')].map(f => {
            const svg = f.querySelector('svg');
            const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
            const marks = svg ? svg.querySelectorAll(
                '.role-mark path, .role-mark line, .role-mark rect, .role-mark circle').length : 0;
            const drawn = svg ? [...svg.querySelectorAll('.role-mark *')].filter(m => {
                const b = m.getBoundingClientRect(); return b.width > 0 || b.height > 0;
            }).length : 0;
            return [f.dataset.chart, {width: box.width, height: box.height, marks, drawn}];
        }))"""
    )
    assert set(charts) >= expected, f"charts missing: {expected - set(charts)}"
    for key, info in charts.items():
        assert info["width"] > 100 and info["height"] > 80, f"chart {key} has no size: {info}"
        assert info["marks"] > 0 and info["drawn"] > 0, f"chart {key} drew no marks: {info}"
    return charts


@needs_browser
@pytest.mark.parametrize("lang", LANGS)
def test_browser_renders_the_html_report(
    browser_page: tuple[Page, list[str]], server: tuple[str, Path], lang: str,
    tmp_path: Path,
) -> None:
    page, _outside = browser_page
    # The file a user downloads, opened from disk (offline): nothing may be fetched.
    html = httpx.get(f"{server[0]}{API}", params={"lang": lang, "format": "html"}, timeout=120)
    path = tmp_path / f"report-{lang}.html"
    path.write_bytes(html.content)
    page.goto(path.as_uri())
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h2#summary, section#summary h2").first.inner_text() == render_text(
        "summary", lang
    )
    check_charts_drawn(page, EXPECTED_CHARTS)
    # Collapsible blocks open: the SPARQL of the first table.
    details = page.locator("details.sparql").first
    details.locator("summary").click()
    assert "SELECT" in details.locator("pre").inner_text().upper()
    page.screenshot(path=str(ARTIFACTS / f"report_{lang}.png"), full_page=True)


@needs_browser
def test_browser_reports_page(
    browser_page: tuple[Page, list[str]], server: tuple[str, Path]
) -> None:
    page, _outside = browser_page
    page.goto(f"{server[0]}/reports?lang=fr")
    assert page.locator("h1").inner_text() == render_text("ui_title", "fr")
    page.select_option("#f-region", ["europe"])
    page.locator("#report-filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"/reports\?.*region=europe"))
    frame_element = page.locator("#report-frame")
    frame_element.wait_for()
    frame = page.frame_locator("#report-frame")
    frame.locator("section#summary").wait_for()
    box = frame_element.bounding_box()
    assert box and box["width"] > 600 and box["height"] > 400
    content = frame_element.element_handle().content_frame()
    assert content is not None
    filters = content.locator("#filters").inner_text()
    assert "europe" in filters
    check_charts_drawn(content, {"heatmap"})
    page.screenshot(path=str(ARTIFACTS / "reports_page_fr.png"), full_page=True)


def test_pdf_first_page_as_png(cli_outputs: dict[str, Any]) -> None:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm (Debian's poppler-utils) is not installed: no PNG of the PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "report_pdf_page1"
    subprocess.run([pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                    str(cli_outputs["dir"] / "report.pdf"), str(target)], check=True,
                   timeout=60)
    png = target.with_suffix(".png")
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 5000
