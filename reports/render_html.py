"""The report as ONE self-contained HTML file: it opens offline, names no outside address and
needs no script.

Everything travels inside the file: the CSS inline, every chart as inline SVG drawn by vl-convert
(with its Vega-Lite specification beside it, collapsed), the tables, the filters, the data
version, the base of every figure and the SPARQL behind it (collapsed). The same template, in
``print`` mode, is what WeasyPrint turns into the PDF (``render_pdf``): A4 pages with numbers,
the SPARQL in an appendix instead of collapsible blocks.

The view model built here (:func:`view`) is shared with the Markdown renderer, so the three
outputs say the same things in the same order.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from rightsgraph import __version__
from rightsgraph.reports.charts import (
    VEGA_LITE_VERSION,
    Chart,
    charts_by_table,
    report_charts,
)
from rightsgraph.reports.model import Filters, Report, Table
from rightsgraph.reports.render_tables import ordered_tables
from rightsgraph.reports.text import format_decimal, format_int, format_percent, render_text

#: Rows of a table printed in the HTML and Markdown outputs (the CSV and JSON hold them all).
MAX_ROWS = 300
#: Rows of a table printed in the PDF.
MAX_ROWS_PRINT = 25


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    numeric: bool


@dataclass(frozen=True)
class Section:
    """One table as the renderers show it: its title, visible columns, formatted rows (at most
    ``shown``), the charts drawn from it, and what it counts."""

    table: Table
    title: str
    anchor: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    total: int
    charts: tuple[Chart, ...] = ()

    @property
    def cut(self) -> bool:
        return len(self.rows) < self.total


@dataclass(frozen=True)
class View:
    """Everything a renderer prints, already in the report's language."""

    report: Report
    lang: str
    kind: str
    filters: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    charts: tuple[Chart, ...]
    examples: bool
    footer: str
    generated: str
    generated_at: str
    extra: dict[str, Any] = field(default_factory=dict)


# -------------------------------------------------------------------------------------------------
# Formatting
# -------------------------------------------------------------------------------------------------


def format_float(value: float, lang: str) -> str:
    """A decimal with two places (three significant digits below 0.01), with a decimal comma
    in French and Spanish.

    >>> format_float(1.5, "en"), format_float(1.5, "fr"), format_float(0.004567, "es")
    ('1.50', '1,50', '0,00457')
    """
    if math.isnan(value) or math.isinf(value):
        return "—"
    if value != 0 and abs(value) < 0.01:
        text = f"{value:.3g}"
        if "e" in text:
            text = f"{value:.6f}".rstrip("0")
    else:
        text = f"{value:,.2f}"
    if lang == "en":
        return text
    whole, _, decimals = text.partition(".")
    whole = whole.replace(",", "\u202f")
    return f"{whole},{decimals}" if decimals else whole


def format_datetime(value: str, lang: str) -> str:
    """An ISO 8601 time as a reader writes it, in UTC; the text unchanged when it is not one.

    >>> format_datetime("2026-11-22T09:05:00Z", "fr")
    '22 novembre 2026, 09 h 05 UTC'
    """
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    months = render_text("months", lang).split()
    return render_text(
        "date_time",
        lang,
        day=moment.day,
        month=months[moment.month - 1],
        year=moment.year,
        hour=f"{moment.hour:02d}",
        minute=f"{moment.minute:02d}",
    )


#: Columns whose numbers are shares (0.125) and print as percentages.
PERCENT_COLUMNS = frozenset({"share", "campaign_share", "share_of_next"})
#: Columns whose numbers are differences of shares and print as signed percentage points.
POINTS_COLUMNS = frozenset({"gap"})
#: Columns whose whole numbers are names, not quantities: no thousands separator (a year).
PLAIN_COLUMNS = frozenset({"year", "wave", "size", "community"})


def format_cell(value: Any, lang: str, column: str = "") -> str:
    """A table cell for reading: numbers as ``lang`` writes them (shares as percentages, gaps
    in signed percentage points, years bare), IRIs shortened to their last segment, the
    ``kind`` of a gap as a word, ``None`` as an em dash.

    >>> format_cell(0.125, "fr", "share") == "12,5\u202f%"
    True
    >>> format_cell(-0.0831, "en", "gap") == "−8.3\u00a0pp"
    True
    >>> format_cell(2021, "en", "year"), format_cell(2021, "en")
    ('2021', '2,021')
    """
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float) and column in PERCENT_COLUMNS:
        return format_percent(float(value), lang)
    if isinstance(value, int | float) and column in POINTS_COLUMNS:
        points = format_decimal(abs(float(value)) * 100, lang)
        sign = "−" if value < 0 and points.strip("0.,") else "+" if value > 0 else ""
        return f"{sign}{points}{render_text('points_suffix', lang)}"
    if isinstance(value, int):
        return str(value) if column in PLAIN_COLUMNS else format_int(value, lang)
    if isinstance(value, float):
        return format_float(value, lang)
    text = str(value)
    if column == "kind" and text in ("category", "group"):
        return render_text(f"chart_kind_{text}", lang)
    if text.startswith(("http://", "https://", "urn:")):
        return text.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return text


def _is_iri(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://", "urn:"))


def visible_columns(table: Table) -> list[int]:
    """Indexes of the columns worth printing: an IRI column is hidden when a label column
    names the same things (``group`` beside ``group_label``); CSV and JSON keep every column."""
    hidden: set[int] = set()
    for i, name in enumerate(table.columns):
        has_label = any(
            other in table.columns
            for other in (f"{name}_label", f"{name}label", f"{name}_name")
        )
        values = [row[i] for row in table.rows if row[i] not in (None, "")]
        if has_label and values and all(_is_iri(v) for v in values):
            hidden.add(i)
    return [i for i in range(len(table.columns)) if i not in hidden]


def _numeric(table: Table, index: int) -> bool:
    values = [row[index] for row in table.rows if row[index] is not None]
    return bool(values) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    )


def filter_lines(
    filters: Filters, lang: str, labels: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """The filters as (label, value) lines in ``lang``; empty when there is none, apart from
    the example data (always stated, because it changes every figure). A code with a label in
    ``labels`` reads "Label (code)": the name for the reader, the code to reproduce the filter."""
    out: list[tuple[str, str]] = []
    named = labels or {}
    lists = (
        ("filter_regions", filters.regions),
        ("filter_countries", filters.countries),
        ("filter_territories", filters.territories),
        ("filter_categories", filters.categories),
        ("filter_groups", filters.groups),
        ("filter_instruments", filters.instruments),
    )
    for key, values in lists:
        if values:
            shown = (f"{named[v]} ({v})" if v in named else v for v in values)
            out.append((render_text(key, lang), ", ".join(shown)))
    if filters.year_from is not None and filters.year_to is not None:
        period = render_text(
            "period_from_to", lang, start=filters.year_from, end=filters.year_to
        )
        out.append((render_text("filter_period", lang), period))
    elif filters.year_from is not None:
        out.append(
            (render_text("filter_period", lang),
             render_text("period_from", lang, start=filters.year_from))
        )
    elif filters.year_to is not None:
        out.append(
            (render_text("filter_period", lang),
             render_text("period_to", lang, end=filters.year_to))
        )
    if filters.waves:
        out.append((render_text("filter_waves", lang), ", ".join(str(w) for w in filters.waves)))
    return out


def view(
    report: Report,
    *,
    max_rows: int = MAX_ROWS,
    charts: Sequence[Chart] | None = None,
) -> View:
    """The view model of ``report``: sections in reading order with their charts, formatted
    cells (at most ``max_rows`` per table), filters and footer, all in the report's language.
    ``charts`` defaults to :func:`~rightsgraph.reports.charts.report_charts`."""
    lang = report.lang
    when = format_datetime(report.generated_at, lang)
    drawn = list(report_charts(report) if charts is None else charts)
    placed = charts_by_table(drawn)
    sections = []
    for table in ordered_tables(report):
        indexes = visible_columns(table)
        columns = tuple(
            Column(
                table.columns[i],
                table.labels[i] if i < len(table.labels) else table.columns[i],
                _numeric(table, i),
            )
            for i in indexes
        )
        rows = tuple(
            tuple(format_cell(row[i], lang, table.columns[i]) for i in indexes)
            for row in table.rows[:max_rows]
        )
        title_key = f"table_{table.name}"
        try:
            title = render_text(title_key, lang)
        except KeyError:
            title = table.name.replace("_", " ").capitalize()
        sections.append(
            Section(
                table=table,
                title=title,
                anchor=f"t-{table.name.replace('_', '-')}",
                columns=columns,
                rows=rows,
                total=len(table.rows),
                charts=tuple(placed.get(table.name, ())),
            )
        )
    return View(
        report=report,
        lang=lang,
        kind=render_text("kind", lang),
        filters=tuple(filter_lines(report.filters, lang, report.filter_labels)),
        sections=tuple(sections),
        charts=tuple(drawn),
        examples=report.filters.include_examples,
        footer=render_text("footer", lang, version=__version__, vega_lite=VEGA_LITE_VERSION),
        generated=render_text(
            "generated", lang, when=when, version=format_int(report.data_version, lang)
        ),
        generated_at=when,
    )


def css_string(value: str) -> Markup:
    r"""``value`` as a CSS string literal, safe inside a ``<style>`` element: quotes, backslashes,
    angle brackets and control characters as CSS escapes (so no ``</style>`` can appear).

    >>> str(css_string('a "b" </style>'))
    '"a \\22 b\\22  \\3c /style\\3e "'
    """
    out = []
    for ch in value:
        if ch in '"\\<>&' or ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return Markup('"' + "".join(out) + '"')


def spec_json(chart: Chart) -> str:
    """A chart's Vega-Lite specification as indented JSON (with its version), for reading."""
    spec = {"$comment": f"Vega-Lite {VEGA_LITE_VERSION}", **chart.spec}
    return json.dumps(spec, ensure_ascii=False, indent=2)


# -------------------------------------------------------------------------------------------------
# Rendering
# -------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """Jinja2 with autoescaping always on (labels in the tables are user-submitted) and a
    missing variable an error, not an empty string."""
    env = Environment(
        loader=PackageLoader("rightsgraph.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["int"] = format_int
    return env


def _translator(lang: str) -> Callable[..., str]:
    def _(key: str, **values: object) -> str:
        return render_text(key, lang, **values)

    return _


def render_html(
    report: Report,
    *,
    mode: str = "screen",
    max_rows: int | None = None,
    charts: Sequence[Chart] | None = None,
) -> str:
    """The report as one self-contained HTML document (text).

    ``mode="screen"`` (the HTML output) puts each chart's Vega-Lite specification and each
    figure's SPARQL in collapsible blocks; ``mode="print"`` (what the PDF is made from) sets A4
    pages with numbers and moves the SPARQL to an appendix. Raises ``ValueError`` for another
    mode and :class:`~rightsgraph.reports.charts.ChartError` if a chart cannot be drawn.
    """
    if mode not in ("screen", "print"):
        raise ValueError(f"mode must be 'screen' or 'print', not {mode!r}")
    limit = max_rows if max_rows is not None else (MAX_ROWS if mode == "screen" else MAX_ROWS_PRINT)
    model = view(report, max_rows=limit, charts=charts)
    template = _environment().get_template("report.html")
    return template.render(
        v=model,
        r=report,
        lang=report.lang,
        mode=mode,
        _=_translator(report.lang),
        spec_json=spec_json,
        css_string=css_string,
        vega_lite=VEGA_LITE_VERSION,
    )
