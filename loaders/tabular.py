"""Read the submission template, as CSV or as an Excel workbook, into checked rows.

Both readers give the same :class:`Table`: the data rows numbered as a spreadsheet numbers them
(header = row 1, first data row = row 2), each cell stripped, empty cells as ``None``. The mapping
then never needs to know which of the two formats it came from.

What cannot be read at all (wrong encoding, wrong separator, broken header, ragged rows, a file or
field over its limit) raises :class:`~rightsgraph.errors.InputError` with the row or line and
column; hostile cell content (a formula, markup, an invisible control character) is readable, so it
becomes a :class:`~rightsgraph.errors.Problem` for that cell and the cell is dropped, so that the
submitter sees every such cell at once and nothing hostile reaches the graph.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

from rightsgraph.errors import InputError, Problem, TooLargeError
from rightsgraph.loaders.formats import (
    MAX_FIELD_CHARS,
    MAX_ROWS,
    MAX_XLSX_UNCOMPRESSED,
    OLE2_MAGIC,
    ZIP_MAGIC,
    decode_utf8,
    message,
)

#: The template's columns, in the template's order.
COLUMNS: tuple[str, ...] = (
    "territory_name",
    "country",
    "region",
    "population",
    "joined_campaign",
    "contact_email",
    "initiative_title",
    "initiative_description",
    "rights_categories",
    "rights_holder_groups",
    "instruments",
    "start_date",
    "end_date",
    "language",
)

#: Columns whose cells hold a number: a leading sign there is a (wrong) number, not a formula.
NUMERIC_COLUMNS = frozenset({"population"})

CellValue = str | int | float | bool | dt.date | dt.datetime | None

# A spreadsheet runs a cell as a formula when it starts with one of these (OWASP "CSV injection";
# the full-width forms are formulas too in East Asian editions of Excel).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_SIGNED_NUMBER = re.compile(r"[+-]\s*\d[\d\s.,'\u00a0\u202f]*(\(\s*\d{4}\s*\))?")
# A tag or comment opening (<b, </b, <!--, <?xml), or a script URL: plain text never needs them.
_MARKUP = re.compile(
    r"<\s*[/!?]?\s*[a-zA-Z!]|\b(?:javascript|vbscript)\s*:|\bdata\s*:\s*text/html",
    re.IGNORECASE,
)
# C0 controls but tab, line feed and carriage return; DEL; bidirectional overrides and isolates,
# which can make a text display differently from what it says.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


@dataclass
class TableRow:
    """One data row: its number in the file and its cells by column name.

    ``rejected`` names the cells dropped as hostile; they read as empty but the mapping must not
    also call them missing.
    """

    number: int
    cells: dict[str, CellValue]
    rejected: set[str] = field(default_factory=set)

    def get(self, column: str) -> CellValue:
        return self.cells.get(column)


@dataclass
class Table:
    """The rows of a template file and the problems found in its cells."""

    rows: list[TableRow]
    problems: list[Problem] = field(default_factory=list)


def screen_text(
    text: str, lang: str, *, allow_sign: bool = False
) -> str | None:
    """Why ``text`` must not be accepted (a message in ``lang``), or ``None`` if it is safe.

    ``allow_sign`` lets a signed number through (``-3`` in a numeric column is a wrong number,
    which the mapping reports, not a formula).
    """
    if text.startswith(_FORMULA_START) and not (allow_sign and _SIGNED_NUMBER.fullmatch(text)):
        shown = {"\t": "TAB", "\r": "CR"}.get(text[0], text[0])
        return message("formula", lang, char=shown)
    found = _MARKUP.search(text)
    if found:
        snippet = text[found.start() : found.start() + 24]
        return message("markup", lang, snippet=repr(snippet))
    control = _CONTROL.search(text)
    if control:
        return message("control-char", lang, code=f"{ord(control.group()):04X}")
    return None


def check_length(text: str, lang: str, *, row: int | None = None, line: int | None = None,
                 column: str | None = None) -> None:
    """Refuse an over-long value. Raises ``TooLargeError`` located at ``row``/``line``."""
    if len(text) > MAX_FIELD_CHARS:
        raise TooLargeError(
            message("field-too-long", lang, length=len(text), limit=MAX_FIELD_CHARS),
            row=row,
            line=line,
            column=column,
        )


# --------------------------------------------------------------------------------------------
# Header and rows, common to both formats
# --------------------------------------------------------------------------------------------


def _header(cells: list[str], lang: str, *, row: int) -> list[str]:
    """The normalised column names; raises ``InputError`` for an empty, duplicate, unknown or
    missing column."""
    names = [c.strip().lower() for c in cells]
    while names and not names[-1]:
        names.pop()
    expected = ", ".join(COLUMNS)
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if not name:
            raise InputError(message("empty-column-name", lang, position=position), row=row)
        if name in seen:
            raise InputError(
                message("duplicate-column", lang, column=name, first=seen[name], second=position),
                row=row,
                column=name,
            )
        seen[name] = position
    for name in names:
        if name not in COLUMNS:
            close = difflib.get_close_matches(name, COLUMNS, n=1, cutoff=0.6)
            hint = message("column-hint", lang, suggestion=close[0]) if close else ""
            raise InputError(
                message("unknown-column", lang, column=name, hint=hint, header=expected),
                row=row,
                column=name,
            )
    missing = [c for c in COLUMNS if c not in seen]
    if missing:
        raise InputError(
            message("missing-columns", lang, columns=", ".join(missing), header=expected),
            row=row,
        )
    return names


class _RowBuilder:
    """Screens cells and collects the rows and problems of one table."""

    def __init__(self, columns: list[str], lang: str) -> None:
        self.columns = columns
        self.lang = lang
        self.table = Table(rows=[])

    def add(self, number: int, values: list[CellValue], kinds: list[str] | None = None) -> None:
        """Add one data row; ``kinds`` are openpyxl data types (``f`` = formula) when known."""
        if len(self.table.rows) >= MAX_ROWS:
            raise TooLargeError(message("too-many-rows", self.lang, limit=MAX_ROWS), row=number)
        row = TableRow(number=number, cells={})
        for index, column in enumerate(self.columns):
            value = values[index] if index < len(values) else None
            if kinds is not None and index < len(kinds) and kinds[index] == "f":
                formula = str(value)
                self._reject(row, column, formula, message(
                    "xlsx-formula", self.lang, value=repr(formula[:40])))
                continue
            if isinstance(value, str):
                value = value.strip()
                if not value:
                    value = None
                else:
                    check_length(value, self.lang, row=number, column=column)
                    why = screen_text(value, self.lang, allow_sign=column in NUMERIC_COLUMNS)
                    if why:
                        self._reject(row, column, value, why)
                        continue
            row.cells[column] = value
        self.table.rows.append(row)

    def _reject(self, row: TableRow, column: str, value: str, why: str) -> None:
        row.cells[column] = None
        row.rejected.add(column)
        self.table.problems.append(
            Problem(severity="Violation", message=why, value=value[:200], row=row.number,
                    field=column)
        )

    def finish(self) -> Table:
        if not self.table.rows:
            raise InputError(message("no-data-rows", self.lang))
        return self.table


def _blank(values: list[CellValue]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------

_DELIMITERS = {";": "delimiter-semicolon", "\t": "delimiter-tab", "|": "delimiter-pipe"}


def _check_delimiter(first_line: str, lang: str) -> None:
    """Refuse a file whose header is separated by something else than commas (a European-locale
    Excel writes semicolons), since it would otherwise read as one huge column."""
    if "," in first_line:
        return
    for delimiter, key in _DELIMITERS.items():
        if first_line.count(delimiter) >= 1:
            raise InputError(
                message("wrong-delimiter", lang, found=message(key, lang)), line=1
            )


def read_csv(data: bytes, *, lang: str = "en") -> Table:
    """The rows of a template saved as CSV (UTF-8, with or without BOM, comma-separated).

    Raises ``InputError`` (not UTF-8, empty, wrong separator, bad quoting, bad header, ragged
    row) and ``TooLargeError`` (too many rows, a field over the limit).
    """
    text = decode_utf8(data, lang, spreadsheet=True)
    if not text.strip():
        raise InputError(message("empty-file", lang))
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError(message("nul-byte", lang, line=line), line=line)
    lines = text.splitlines()
    first = next(i for i, ln in enumerate(lines) if ln.strip())
    sep = re.fullmatch(r'"?sep=(.)"?,*', lines[first].strip())
    if sep:  # Excel's "sep=;" hint line
        if sep.group(1) != ",":
            _check_delimiter(sep.group(1), lang)
        text = "\n".join(lines[first + 1 :])
        lines = lines[first + 1 :]
        if not text.strip():
            raise InputError(message("no-data-rows", lang))
        first = next(i for i, ln in enumerate(lines) if ln.strip())
    _check_delimiter(lines[first], lang)

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=",", quotechar='"', strict=True)
    builder: _RowBuilder | None = None
    header_len = 0
    number = 0
    try:
        for record in reader:
            number += 1
            if _blank(list(record)):
                continue
            if builder is None:
                columns = _header(record, lang, row=number)
                header_len = len(columns)
                builder = _RowBuilder(columns, lang)
                continue
            if len(record) != header_len:
                extra_blank = len(record) > header_len and _blank(list(record[header_len:]))
                if not extra_blank:
                    raise InputError(
                        message("ragged-row", lang, row=number, found=len(record),
                                expected=header_len),
                        row=number,
                        line=reader.line_num,
                    )
            builder.add(number, list(record[:header_len]))
    except csv.Error as err:
        line = reader.line_num
        if "field larger than field limit" in str(err):
            raise TooLargeError(
                message("field-too-long", lang, length=f"> {csv.field_size_limit()}",
                        limit=MAX_FIELD_CHARS),
                line=line,
            ) from None
        raise InputError(message("csv-syntax", lang, line=line), line=line) from None
    if builder is None:
        raise InputError(message("empty-file", lang))
    return builder.finish()


# --------------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------------


def _check_zip(data: bytes, lang: str) -> None:
    """Refuse what openpyxl should never open: not a ZIP, encrypted, macros, a ZIP bomb."""
    if data.startswith(OLE2_MAGIC):
        raise InputError(message("format-encrypted", lang))
    if not data.startswith(ZIP_MAGIC):
        raise InputError(message("xlsx-not-zip", lang))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = [i.filename.lower() for i in infos]
            if any(n.endswith("vbaproject.bin") for n in names):
                raise InputError(message("xlsx-macros", lang))
            total = sum(i.file_size for i in infos)
            if total > MAX_XLSX_UNCOMPRESSED:
                raise TooLargeError(
                    message("xlsx-too-large", lang, size=total, limit=MAX_XLSX_UNCOMPRESSED)
                )
            if "[content_types].xml" in names:
                types = archive.read("[Content_Types].xml")
                if b"macroenabled" in types.lower():
                    raise InputError(message("xlsx-macros", lang))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError):
        raise InputError(message("xlsx-not-zip", lang)) from None


def read_xlsx(data: bytes, *, lang: str = "en") -> Table:
    """The rows of the first worksheet of a template saved as .xlsx.

    The workbook is opened with ``data_only=False`` so that a formula is seen as a formula (and
    refused) rather than as its cached result. Dates may be real Excel dates.

    Raises ``InputError`` (not a ZIP, encrypted, macros, unreadable, bad header, a value outside
    the header's columns) and ``TooLargeError`` (expands too much, too many rows, a long field).
    """
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    _check_zip(data, lang)
    try:
        workbook = load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_vba=False, keep_links=False
        )
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError,
            IndexError, AttributeError, OSError, ParseError) as err:
        raise InputError(
            message("xlsx-unreadable", lang, error=type(err).__name__)
        ) from None
    try:
        if not workbook.worksheets:
            raise InputError(message("xlsx-no-sheet", lang))
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):  # some writers store wrong sheet dimensions
            sheet.reset_dimensions()
        builder: _RowBuilder | None = None
        header_len = 0
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            values: list[CellValue] = [getattr(c, "value", None) for c in cells]
            kinds = [getattr(c, "data_type", "n") for c in cells]
            if _blank(values):
                continue
            if builder is None:
                columns = _header(["" if v is None else str(v) for v in values], lang, row=number)
                header_len = len(columns)
                builder = _RowBuilder(columns, lang)
                continue
            for index in range(header_len, len(values)):
                if not _blank([values[index]]):
                    raise InputError(
                        message("cell-outside-header", lang, row=number,
                                column=get_column_letter(index + 1)),
                        row=number,
                        column=get_column_letter(index + 1),
                    )
            builder.add(number, values[:header_len], kinds[:header_len])
        if builder is None:
            raise InputError(message("empty-file", lang))
        return builder.finish()
    finally:
        workbook.close()
