"""A report as data: JSON (the whole :class:`~rightsgraph.reports.model.Report`) and CSV (one file
per table, or a zip of them when several must travel in one answer).

These are the formats for people who recompute: every table keeps its stable machine column
names (``Table.columns``), its base and the SPARQL that produced it, so a figure can be checked
against the endpoint without the HTML.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rightsgraph.errors import InputError
from rightsgraph.reports.model import TABLES, Report, Table

#: Name of the metadata file inside a zip of CSV tables (filters, version, bases, SPARQL).
METADATA_NAME = "report.json"


def ordered_tables(report: Report) -> list[Table]:
    """The report's tables in reading order (:data:`TABLES`), then any others by name."""
    known = [report.tables[name] for name in TABLES if name in report.tables]
    extra = [report.tables[name] for name in sorted(report.tables) if name not in TABLES]
    return known + extra


def _cell(value: Any) -> Any:
    """A cell as JSON can hold it (floats that are not numbers become ``None``)."""
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def table_dict(table: Table, *, rows: bool = True) -> dict[str, Any]:
    """One table as a JSON object: its rows as records (``rows=False`` leaves them out, for
    the metadata that goes beside CSV files)."""
    out: dict[str, Any] = {
        "name": table.name,
        "columns": list(table.columns),
        "labels": list(table.labels),
        "note": table.note,
        "base": asdict(table.base),
        "sparql": table.sparql,
    }
    if rows:
        out["rows"] = [
            {k: _cell(v) for k, v in record.items()} for record in table.records()
        ]
    return out


def report_dict(report: Report, *, rows: bool = True) -> dict[str, Any]:
    """The whole report as a JSON-ready dict: filters, language, data version, base, summary
    and every table (with its base and SPARQL)."""
    return {
        "title": report.title,
        "lang": report.lang,
        "filters": {
            k: list(v) if isinstance(v, tuple) else v for k, v in asdict(report.filters).items()
        },
        "data_version": report.data_version,
        "generated_at": report.generated_at,
        "base": asdict(report.base),
        "summary": list(report.summary),
        "tables": {t.name: table_dict(t, rows=rows) for t in ordered_tables(report)},
    }


def to_json(report: Report) -> str:
    """The report as a JSON document (UTF-8 text, indented for reading)."""
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def table_csv(table: Table) -> str:
    """One table as CSV (RFC 4180, ``\\r\\n`` line ends), headed by its machine column names;
    ``None`` is an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if _cell(v) is None else v for v in row])
    return buffer.getvalue()


def pick_table(report: Report, name: str) -> Table:
    """The table called ``name``. Raises ``InputError`` naming the tables there are."""
    try:
        return report.tables[name]
    except KeyError:
        names = ", ".join(t.name for t in ordered_tables(report))
        raise InputError(f"no table {name!r} in this report; there are: {names}") from None


def tables_zip(report: Report) -> bytes:
    """Every table as ``{name}.csv`` in one zip, with :data:`METADATA_NAME` (filters, data
    version, bases and SPARQL of each table) so that the CSV files stay citable."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in ordered_tables(report):
            archive.writestr(f"{table.name}.csv", table_csv(table).encode("utf-8"))
        metadata = json.dumps(report_dict(report, rows=False), ensure_ascii=False, indent=2)
        archive.writestr(METADATA_NAME, metadata.encode("utf-8"))
    return buffer.getvalue()


def write_csv(report: Report, path: Path, *, table: str | None = None) -> list[Path]:
    """Write the tables as CSV and return the files written.

    ``table`` picks one table, written to ``path`` itself. Otherwise a ``path`` ending in
    ``.zip`` gets :func:`tables_zip`, and any other path is a folder (created if needed) that
    gets one ``{name}.csv`` per table plus :data:`METADATA_NAME`. Raises ``InputError`` for an
    unknown table or a ``.csv`` path given without ``table`` (several tables cannot fit in one
    CSV file), ``OSError`` when the files cannot be written.
    """
    if table is not None:
        path.write_text(table_csv(pick_table(report, table)), encoding="utf-8", newline="")
        return [path]
    if path.suffix.lower() == ".zip":
        path.write_bytes(tables_zip(report))
        return [path]
    if path.suffix.lower() == ".csv":
        raise InputError(
            f"{path.name}: a report has {len(report.tables)} tables; give a folder or a .zip "
            "path, or pick one table"
        )
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for t in ordered_tables(report):
        target = path / f"{t.name}.csv"
        target.write_text(table_csv(t), encoding="utf-8", newline="")
        written.append(target)
    metadata = path / METADATA_NAME
    metadata.write_text(
        json.dumps(report_dict(report, rows=False), ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    written.append(metadata)
    return written
