"""The report as PDF: WeasyPrint lays out the HTML report in its ``print`` mode (A4 pages with
numbers, charts as vector SVG, the SPARQL in an appendix).

WeasyPrint is given a URL fetcher that refuses everything: the HTML is self-contained, so any
attempt to fetch would be a bug, and a report must never reach the network (or the file system)
while it is being printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

from rightsgraph.errors import RightsGraphError
from rightsgraph.reports.charts import Chart
from rightsgraph.reports.model import Report
from rightsgraph.reports.render_html import render_html


class PdfError(RightsGraphError):
    """WeasyPrint could not make the PDF (a missing system library such as Pango)."""

    status = 503
    type = "pdf-unavailable"


def _refuse(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise ValueError(f"the report may not fetch {url!r}: it is self-contained")


def _fetcher(weasyprint: Any) -> Any:
    """A URL fetcher that refuses every URL, and makes WeasyPrint stop on the first try.
    WeasyPrint 68 and later take a ``URLFetcher`` subclass; older ones a function."""
    base = getattr(weasyprint, "URLFetcher", None)
    if base is None:
        return _refuse

    class Refuse(base):  # type: ignore[misc, valid-type]
        def fetch(self, url: str, headers: Any = None) -> NoReturn:
            _refuse(url)

    return Refuse(fail_on_errors=True)


def render_pdf(
    report: Report, *, charts: Sequence[Chart] | None = None, max_rows: int | None = None
) -> bytes:
    """The report as PDF bytes (A4). Raises :class:`PdfError` when WeasyPrint cannot be loaded
    (its Debian libraries are missing), and
    :class:`~rightsgraph.reports.charts.ChartError` when a chart cannot be drawn."""
    try:
        import weasyprint
    except OSError as exc:  # cffi cannot load libpango / libgobject
        raise PdfError(f"PDF output needs WeasyPrint's system libraries (Pango): {exc}") from exc
    html = render_html(report, mode="print", charts=charts, max_rows=max_rows)
    document = weasyprint.HTML(string=html, url_fetcher=_fetcher(weasyprint), base_url=None)
    pdf = document.write_pdf()
    if pdf is None:  # only when a target is given; kept for the type checker
        raise PdfError("WeasyPrint returned no PDF")
    return bytes(pdf)
