"""``rightsgraph report intersectionality``: the intersectionality report from the command line.

Kept apart from ``cli.py`` (like the token commands) so the report's options live with the
report. The report is built from the local store (read-only) or, with ``--endpoint``, from a
remote SPARQL endpoint, and written as HTML, Markdown, PDF, CSV or JSON::

    rightsgraph report intersectionality --region europe --category housing \\
        --lang fr --format pdf -o housing-europe.pdf

``-o -`` (or no ``-o``) writes to standard output; Markdown then has no charts (they are SVG
files written beside a Markdown file), and CSV must pick one table (``--table``) or go to a zip.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rightsgraph.errors import InputError
from rightsgraph.reports.model import Report

FORMATS = ("html", "md", "pdf", "csv", "json")
_SUFFIXES = {
    ".html": "html",
    ".htm": "html",
    ".md": "md",
    ".markdown": "md",
    ".pdf": "pdf",
    ".csv": "csv",
    ".zip": "csv",
    ".json": "json",
}


def add_report_commands(sub: Any) -> None:
    """Add ``report`` and its sub-commands to the ``rightsgraph`` sub-parsers (``sub`` is what
    ``ArgumentParser.add_subparsers`` returned)."""
    s = sub.add_parser(
        "report",
        help="write a report (intersectionality) as HTML, Markdown, PDF, CSV or JSON",
        description="Reports built from the knowledge graph. Every figure states its base and "
        "the SPARQL behind it.",
    )
    kinds = s.add_subparsers(dest="report_kind", required=True, metavar="REPORT")
    r = kinds.add_parser(
        "intersectionality",
        help="which rights and groups the initiatives address, together, where and since when",
        description="Which rights and which rights-holder groups the members' initiatives "
        "address, in which combinations, where, since when, and where the gaps are. "
        "Repeat a filter to give several values.",
    )
    f = r.add_argument_group("filters (repeat an option for several values)")
    f.add_argument("--region", action="append", default=[], metavar="CODE",
                   help="UCLG region code, e.g. europe")
    f.add_argument("--country", action="append", default=[], metavar="CC",
                   help="ISO 3166-1 alpha-2 country code, e.g. ES")
    f.add_argument("--territory", action="append", default=[], metavar="KEY",
                   help="territory key, e.g. es-barcelona")
    f.add_argument("--category", action="append", default=[], metavar="CODE",
                   help="rights category code (narrower ones included), e.g. housing")
    f.add_argument("--group", action="append", default=[], metavar="CODE",
                   help="rights-holder group code, e.g. migrants")
    f.add_argument("--instrument", action="append", default=[], metavar="CODE",
                   help="instrument code, e.g. crpd")
    f.add_argument("--from", dest="year_from", type=int, metavar="YEAR",
                   help="initiatives started in or after YEAR")
    f.add_argument("--to", dest="year_to", type=int, metavar="YEAR",
                   help="initiatives started in or before YEAR")
    f.add_argument("--wave", action="append", default=[], type=int, metavar="N",
                   help="campaign wave number")
    f.add_argument("--no-examples", action="store_true", help="leave out the example data")
    r.add_argument("--lang", choices=("en", "fr", "es"), default=None,
                   help="language of the report (default: from $LANG, else en)")
    r.add_argument("--endpoint", metavar="URL",
                   help="build from this SPARQL endpoint instead of the local store")
    r.add_argument("--format", choices=FORMATS, default=None,
                   help="output format (default: from the -o suffix, else html)")
    r.add_argument("--table", metavar="NAME",
                   help="with --format csv: write only this table")
    r.add_argument("-o", "--output", default="-", metavar="PATH",
                   help="file or folder to write; - for standard output (the default). "
                   "md: SVG charts are written beside the file; csv: a folder, a .zip, or "
                   "one .csv with --table")


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    if args.output != "-":
        suffix = Path(args.output).suffix.lower()
        if suffix in _SUFFIXES:
            return _SUFFIXES[suffix]
    return "html"


def build(args: argparse.Namespace, lang: str) -> Report:
    """Build the report the options describe, from the store or ``--endpoint``. Raises
    ``InputError`` for bad filters, ``StoreError`` when the store cannot be opened."""
    from rightsgraph.reports.analysis import build_report
    from rightsgraph.service.routers.reports import parse_filters

    filters = parse_filters(
        regions=args.region,
        countries=args.country,
        territories=args.territory,
        categories=args.category,
        groups=args.group,
        instruments=args.instrument,
        year_from=args.year_from,
        year_to=args.year_to,
        waves=args.wave,
        include_examples=not args.no_examples,
    )
    if args.endpoint:
        from rightsgraph.reports.source import endpoint_source

        return build_report(endpoint_source(args.endpoint), filters, lang)
    from rightsgraph.reports.source import store_source
    from rightsgraph.store import open_store, store_path

    store = open_store(store_path(args.store), read_only=True)
    try:
        return build_report(store_source(store), filters, lang)
    finally:
        store.close()


def cmd_report(args: argparse.Namespace) -> int:
    """Run ``report intersectionality``; returns the exit code (0). Raises ``InputError`` (bad
    filters, a format that cannot go where asked), ``StoreError``, ``OSError`` (cannot write),
    which ``cli.main`` turns into one line."""
    import os

    from rightsgraph.service.i18n import pick_language

    if args.report_kind != "intersectionality":
        raise InputError(f"unknown report {args.report_kind!r}")
    fmt = _format(args)
    if args.table and fmt != "csv":
        raise InputError("--table goes with --format csv")
    lang = args.lang or pick_language(os.environ.get("LANG", "en"))
    report = build(args, lang)
    to_stdout = args.output == "-"
    out = Path(args.output)
    try:
        written = _write(report, fmt, None if to_stdout else out, table=args.table)
    except OSError as exc:
        raise InputError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def _write(report: Report, fmt: str, out: Path | None, *, table: str | None) -> list[Path]:
    """Write ``report`` to ``out`` (``None``: standard output); returns the files written."""
    if fmt == "md":
        from rightsgraph.reports.render_md import render_markdown, write_markdown

        if out is None:
            sys.stdout.write(render_markdown(report))
            return []
        return write_markdown(report, out)
    if fmt == "csv":
        from rightsgraph.reports.render_tables import (
            pick_table,
            table_csv,
            tables_zip,
            write_csv,
        )

        if out is None:
            if table is None and len(report.tables) != 1:
                if sys.stdout.isatty():
                    raise InputError(
                        "the report has several tables: give -o FOLDER or -o FILE.zip, "
                        "or --table NAME"
                    )
                sys.stdout.buffer.write(tables_zip(report))
                sys.stdout.flush()
                return []
            chosen = pick_table(report, table) if table else next(iter(report.tables.values()))
            sys.stdout.write(table_csv(chosen))
            return []
        return write_csv(report, out, table=table)
    data: bytes
    if fmt == "html":
        from rightsgraph.reports.render_html import render_html

        data = render_html(report).encode("utf-8")
    elif fmt == "pdf":
        from rightsgraph.reports.render_pdf import render_pdf

        data = render_pdf(report)
    elif fmt == "json":
        from rightsgraph.reports.render_tables import to_json

        data = to_json(report).encode("utf-8")
    else:
        raise InputError(f"unknown format {fmt!r}")
    if out is None:
        if fmt == "pdf" and sys.stdout.isatty():
            raise InputError("a PDF is not for a terminal: give -o FILE.pdf")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return []
    if out.is_dir():
        out = out / f"intersectionality-{report.lang}.{fmt}"
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)
    return [out]
