"""The report as Markdown: the same content as the HTML (``render_html.view``), tables as pipe
tables, the SPARQL of each figure in a collapsible block (GitHub and most renderers show
``<details>``), charts as SVG files written beside the Markdown file.

When the Markdown is streamed (an HTTP answer, standard output) there is nowhere to put the SVG
files, so the charts are left out and the text says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from rightsgraph.reports.charts import Chart, report_charts
from rightsgraph.reports.model import Report
from rightsgraph.reports.render_html import MAX_ROWS, Section, view
from rightsgraph.reports.text import format_int, render_text

#: File name of the Markdown inside a folder output.
FOLDER_NAME = "report.md"


def _inline(text: str) -> str:
    """Text that must not turn into Markdown markup or raw HTML (labels are user-submitted):
    punctuation that means something is backslash-escaped, line breaks become spaces."""
    out = text
    for ch in ("\\", "`", "*", "_", "[", "]", "<", ">", "&", "#", "|"):
        out = out.replace(ch, "\\" + ch)
    return " ".join(out.split())


def _cell(text: str) -> str:
    """A cell made safe for a pipe table (see :func:`_inline`; pipes cannot end the cell)."""
    return _inline(text)


def _table(section: Section) -> list[str]:
    head = "| " + " | ".join(_cell(c.label) for c in section.columns) + " |"
    rule = "| " + " | ".join("---:" if c.numeric else "---" for c in section.columns) + " |"
    body = ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in section.rows]
    return [head, rule, *body]


def _fence(text: str, info: str) -> list[str]:
    """A fenced code block whose fence is longer than any run of backticks in ``text``."""
    longest = max((len(run) for run in text.split("\n") if set(run) == {"`"}), default=0)
    ticks = "`" * max(3, longest + 1)
    while ticks in text:
        ticks += "`"
    return [f"{ticks}{info}", text.rstrip("\n"), ticks]


def render_markdown(
    report: Report,
    *,
    chart_files: Mapping[str, str] | None = None,
    charts: Sequence[Chart] | None = None,
    max_rows: int = MAX_ROWS,
) -> str:
    """The report as Markdown text. ``chart_files`` maps a chart key to the (relative) path of
    its SVG file; without it the charts are left out with a note (a stream has no files)."""
    lang = report.lang
    drawn = list(report_charts(report) if charts is None and chart_files else charts or [])
    model = view(report, max_rows=max_rows, charts=drawn)

    def _(key: str, **values: object) -> str:
        return render_text(key, lang, **values)

    lines: list[str] = [f"# {_inline(report.title)}", "", f"*{model.kind}* · {model.generated}", ""]
    if model.filters:
        lines.append(f"**{_('filters')}**:")
        lines.append("")
        lines.extend(f"- **{label}**: {_inline(value)}" for label, value in model.filters)
    else:
        lines.append(f"**{_('filters')}**: {_('no_filter')}")
    lines.append("")
    examples = _("examples_included") if model.examples else _("examples_excluded")
    base = _(
        "base_text",
        initiatives=format_int(report.base.initiatives, lang),
        territories=format_int(report.base.territories, lang),
    )
    lines += [
        f"- **{_('filter_examples')}**: {examples}",
        f"- **{_('base')}**: {base}",
        f"- **{_('data_version')}**: {_('data_version_text', version=report.data_version)}",
        f"- **{_('generated_at')}**: {model.generated_at}",
        "",
    ]
    if model.examples:
        lines += [f"> {_('example_warning')}", ""]
    if not chart_files:
        lines += [f"> {_('charts_omitted')}", ""]
    lines += [f"## {_('summary')}", ""]
    for sentence in report.summary:
        lines += [_inline(sentence), ""]
    lines += [f"## {_('how_to_read')}", "", _("how_to_read_text"), ""]
    for section in model.sections:
        table = section.table
        lines += [f"## {section.title}", ""]
        if table.note:
            lines += [_inline(table.note), ""]
        figure_base = _(
            "base_of_figure",
            initiatives=format_int(table.base.initiatives, lang),
            territories=format_int(table.base.territories, lang),
        )
        lines += [f"*{figure_base}*", ""]
        for chart in section.charts:
            target = (chart_files or {}).get(chart.key)
            if target:
                lines += [f"![{_inline(chart.title)}]({target})", ""]
        if section.rows:
            lines += [*_table(section), ""]
            if section.cut:
                shown = format_int(len(section.rows), lang)
                lines += [f"*{_('rows_cut', shown=shown, total=format_int(section.total, lang))}*",
                          ""]
        else:
            lines += [f"*{_('empty_table')}*", ""]
        lines += [
            "<details>",
            f"<summary>{_('sparql')}</summary>",
            "",
            *_fence(table.sparql, "sparql"),
            "",
            "</details>",
            "",
        ]
    lines += ["---", "", model.footer, ""]
    return "\n".join(lines)


def write_markdown(report: Report, path: Path) -> list[Path]:
    """Write the report as Markdown with its charts as SVG files beside it; returns the files
    written. A ``path`` ending in ``.md`` is the Markdown file (charts ``{stem}-{key}.svg``
    beside it); any other path is a folder (created if needed) holding :data:`FOLDER_NAME` and
    ``{key}.svg``. Raises ``OSError`` when the files cannot be written and
    :class:`~rightsgraph.reports.charts.ChartError` when a chart cannot be drawn."""
    if path.suffix.lower() in (".md", ".markdown"):
        folder, target, prefix = path.parent, path, f"{path.stem}-"
    else:
        folder, target, prefix = path, path / FOLDER_NAME, ""
    folder.mkdir(parents=True, exist_ok=True)
    charts = report_charts(report)
    written: list[Path] = []
    files: dict[str, str] = {}
    for chart in charts:
        svg_path = folder / f"{prefix}{chart.key}.svg"
        svg_path.write_text(chart.svg(), encoding="utf-8")
        files[chart.key] = svg_path.name
        written.append(svg_path)
    target.write_text(render_markdown(report, chart_files=files, charts=charts), encoding="utf-8")
    return [target, *written]
