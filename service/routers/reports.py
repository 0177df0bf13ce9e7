"""Reports over HTTP: ``GET /api/reports/intersectionality``.

The filters are query parameters, repeated for lists (``region=europe&region=africa``; ``from``
and ``to`` are start years; ``wave`` campaign wave numbers; ``examples=false`` leaves the example
data out). The format comes from ``format=`` (html, md, pdf, csv, json) or else from ``Accept``
(``text/html``, ``text/markdown``, ``application/pdf``, ``text/csv``, ``application/zip``,
``application/json``); CSV is one table (``table=``) or, when several must travel, a zip. The
language comes from ``lang=`` or ``Accept-Language``.

Reports are costly (a dozen aggregate queries, networks, charts), so both the built report and
each rendered output are kept in a small in-memory cache keyed by the store revision, the
filters, the language (and the format): any write to the store changes the revision, so a cached
answer is never stale. The ETag middleware (``service/middleware.py``) answers a repeated request
with 304 before this router runs. Bad filters are 400 ``application/problem+json`` (RFC 9457).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from rightsgraph.errors import InputError
from rightsgraph.reports.model import Filters, Report
from rightsgraph.service.deps import EngineDep
from rightsgraph.service.engine import QueryEngine
from rightsgraph.service.i18n import request_language
from rightsgraph.service.negotiation import negotiate
from rightsgraph.service.problems import problem

if TYPE_CHECKING:  # the charts pull in Altair and vl-convert: loaded on the first report
    from rightsgraph.reports.charts import Chart

router = APIRouter(prefix="/api/reports", tags=["reports"])

#: ``format=`` value -> media type of the answer.
FORMATS = {
    "json": "application/json",
    "html": "text/html",
    "md": "text/markdown",
    "pdf": "application/pdf",
    "csv": "text/csv",
}
#: What ``Accept`` may ask for, the server's preference first (``*/*`` gets JSON).
_OFFERS = [
    "application/json",
    "text/html",
    "text/markdown",
    "application/pdf",
    "text/csv",
    "application/zip",
]
_BY_MEDIA = {media: fmt for fmt, media in FORMATS.items()} | {"application/zip": "csv"}
#: File name extension of each answer (a zip of CSV files: ``zip``).
_EXTENSIONS = {"json": "json", "html": "html", "md": "md", "pdf": "pdf", "csv": "csv"}
#: Reports and rendered outputs kept per process.
CACHED_REPORTS = 16
CACHED_OUTPUTS = 48

Codes = Annotated[list[str], Query(max_length=100)]


@dataclass(frozen=True)
class Rendered:
    """One rendered output: its bytes, media type and a file name for ``Content-Disposition``."""

    body: bytes
    media_type: str
    filename: str


class _Cache:
    """A small thread-safe LRU cache that builds each missing value once, even when several
    requests ask for it at the same time (the others wait for the first)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            guard = self._building.setdefault(key, threading.Lock())
        with guard:
            with self._lock:
                if key in self._items:
                    return self._items[key]
            try:
                value = build()
            finally:
                with self._lock:
                    self._building.pop(key, None)
            with self._lock:
                self._items[key] = value
                self._items.move_to_end(key)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
            return value


def _values(values: Iterable[str]) -> list[str]:
    """The values of one list filter: repeated parameters, each also comma- or space-separated
    (what a form or a hand-typed URL gives)."""
    return [part for value in values for part in re.split(r"[\s,]+", value.strip()) if part]


def parse_filters(
    *,
    regions: Iterable[str] = (),
    countries: Iterable[str] = (),
    territories: Iterable[str] = (),
    categories: Iterable[str] = (),
    groups: Iterable[str] = (),
    instruments: Iterable[str] = (),
    year_from: int | None = None,
    year_to: int | None = None,
    waves: Iterable[int] = (),
    include_examples: bool = True,
) -> Filters:
    """:class:`Filters` from what a user typed (CLI options, query parameters), checked by
    :func:`rightsgraph.reports.filters.checked` (codes, ISO countries, territory keys, years,
    waves). Raises ``InputError`` naming the filter at fault (400 over HTTP, exit code 2 in the
    CLI)."""
    from rightsgraph.reports.filters import checked

    return checked(
        Filters(
            regions=tuple(_values(regions)),
            countries=tuple(_values(countries)),
            territories=tuple(_values(territories)),
            categories=tuple(_values(categories)),
            groups=tuple(_values(groups)),
            instruments=tuple(_values(instruments)),
            year_from=year_from,
            year_to=year_to,
            waves=tuple(waves),
            include_examples=include_examples,
        )
    )


def _caches(request: Request) -> tuple[_Cache, _Cache, _Cache]:
    """The app's caches (reports, their drawn charts, rendered outputs), made on first use:
    one set per app, so that two apps (tests) never share."""
    state = request.app.state
    with _CACHE_LOCK:
        if not hasattr(state, "report_caches"):
            state.report_caches = (
                _Cache(CACHED_REPORTS), _Cache(CACHED_REPORTS), _Cache(CACHED_OUTPUTS)
            )
    caches: tuple[_Cache, _Cache, _Cache] = state.report_caches
    return caches


_CACHE_LOCK = threading.Lock()


def build(engine: QueryEngine, filters: Filters, lang: str) -> Report:
    """Build the report through the service's query engine (its deadlines and row caps apply).
    Raises what the analysis raises: ``InputError`` for filters naming nothing known,
    ``QueryTimeoutError`` past the deadline, ``StoreError``."""
    from rightsgraph.reports.analysis import build_report
    from rightsgraph.reports.source import store_source

    return build_report(store_source(engine), filters, lang)


def render(
    report: Report,
    fmt: str,
    *,
    table: str | None = None,
    charts: Callable[[], Sequence[Chart]] | None = None,
) -> Rendered:
    """``report`` in format ``fmt`` as bytes. CSV is one table when ``table`` is given or the
    report has only one, else a zip of all of them. ``charts`` gives the report's charts (so
    that HTML and PDF share one drawing of them). Raises ``InputError`` for an unknown format
    or table, :class:`~rightsgraph.reports.render_pdf.PdfError` when PDF cannot be made, and
    :class:`~rightsgraph.reports.charts.ChartError` when a chart cannot be drawn."""
    from rightsgraph.reports.charts import report_charts

    drawn = charts or (lambda: report_charts(report))
    stem = f"intersectionality-{report.lang}"
    if fmt == "html":
        from rightsgraph.reports.render_html import render_html

        return Rendered(render_html(report, charts=drawn()).encode("utf-8"),
                        "text/html; charset=utf-8",
                        f"{stem}.html")
    if fmt == "md":
        from rightsgraph.reports.render_md import render_markdown

        return Rendered(render_markdown(report).encode("utf-8"),
                        "text/markdown; charset=utf-8", f"{stem}.md")
    if fmt == "pdf":
        from rightsgraph.reports.render_pdf import render_pdf

        return Rendered(render_pdf(report, charts=drawn()), "application/pdf", f"{stem}.pdf")
    if fmt == "json":
        from rightsgraph.reports.render_tables import to_json

        return Rendered(to_json(report).encode("utf-8"), "application/json", f"{stem}.json")
    if fmt == "csv":
        from rightsgraph.reports.render_tables import pick_table, table_csv, tables_zip

        if table is not None or len(report.tables) == 1:
            chosen = pick_table(report, table) if table else next(iter(report.tables.values()))
            return Rendered(table_csv(chosen).encode("utf-8"), "text/csv; charset=utf-8",
                            f"{stem}-{chosen.name}.csv")
        return Rendered(tables_zip(report), "application/zip", f"{stem}.zip")
    raise InputError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def _drawn(charts: list[Chart]) -> list[Chart]:
    """The charts with their SVG drawn now (each chart keeps its drawing), so that the cache
    holds finished drawings."""
    for chart in charts:
        chart.svg()
    return charts


def _format(request: Request, fmt: str | None, table: str | None) -> str | None:
    """The format asked by ``format=`` or ``Accept`` (``None``: nothing acceptable). Raises
    ``InputError`` for an unknown ``format=``."""
    if fmt:
        if fmt not in FORMATS:
            raise InputError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        return fmt
    if table:  # a table is only ever CSV
        accept = request.headers.get("accept")
        return "csv" if negotiate(accept, ["text/csv"]) else None
    chosen = negotiate(request.headers.get("accept"), _OFFERS)
    return _BY_MEDIA[chosen] if chosen else None


@router.get(
    "/intersectionality",
    operation_id="report_intersectionality",
    summary="The intersectionality report, filtered, in HTML, Markdown, PDF, CSV or JSON",
    responses={
        200: {
            "description": "The report in the format asked.",
            "content": {m: {} for m in _OFFERS},
        },
        400: {"description": "A filter is not valid (problem+json)."},
        406: {"description": "None of the formats the client accepts."},
    },
)
def intersectionality(
    request: Request,
    engine: EngineDep,
    region: Codes = [],  # noqa: B006 - FastAPI copies the default per request
    country: Codes = [],  # noqa: B006
    territory: Codes = [],  # noqa: B006
    category: Codes = [],  # noqa: B006
    group: Codes = [],  # noqa: B006
    instrument: Codes = [],  # noqa: B006
    wave: Annotated[list[int], Query()] = [],  # noqa: B006
    year_from: Annotated[int | None, Query(alias="from", ge=1000, le=9999)] = None,
    year_to: Annotated[int | None, Query(alias="to", ge=1000, le=9999)] = None,
    examples: bool = True,
    format: Annotated[str | None, Query(max_length=10)] = None,
    table: Annotated[str | None, Query(max_length=64)] = None,
    lang: Annotated[str | None, Query(max_length=35)] = None,
) -> Response:
    """The intersectionality report for the filters given (none: the whole campaign).

    Lists are repeated parameters. Codes are the vocabularies' codes: UCLG regions (``europe``),
    ISO 3166-1 alpha-2 countries (``ES``), territory keys (``es-barcelona``), rights category and
    group codes (a category includes its narrower ones), instrument codes (``crpd``), wave
    numbers. ``from``/``to`` bound the initiatives' start year. Raises ``InputError`` (400)
    for a bad filter or format, 406 when no acceptable format is offered.
    """
    filters = parse_filters(
        regions=region,
        countries=country,
        territories=territory,
        categories=category,
        groups=group,
        instruments=instrument,
        year_from=year_from,
        year_to=year_to,
        waves=wave,
        include_examples=examples,
    )
    fmt = _format(request, format, table)
    if fmt is None:
        return problem(
            406,
            "Not Acceptable",
            "this report is served as " + ", ".join(_OFFERS),
            "not-acceptable",
        )
    if table is not None and fmt != "csv":
        raise InputError("table= picks one table of the CSV output; use it with format=csv")
    from rightsgraph.reports.charts import report_charts

    language = request_language(request, lang)
    revision = engine.revision()
    reports, drawings, outputs = _caches(request)
    report: Report = reports.get(
        (revision, filters, language), lambda: build(engine, filters, language)
    )
    rendered: Rendered = outputs.get(
        (revision, filters, language, fmt, table),
        lambda: render(
            report, fmt, table=table,
            charts=lambda: drawings.get((revision, filters, language),
                                        lambda: _drawn(report_charts(report))),
        ),
    )
    disposition = "attachment" if rendered.media_type == "application/zip" else "inline"
    return Response(
        rendered.body,
        media_type=rendered.media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{rendered.filename}"',
            "Content-Language": language,
            "Vary": "Accept, Accept-Language",
            "RightsGraph-Data-Version": str(report.data_version),
            # The HTML report is self-contained: it may load nothing and run no script.
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:; frame-ancestors 'self'",
        },
    )
