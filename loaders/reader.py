"""Read one submitted file into RDF: the entry point of the loaders.

``read_submission`` is a pure function from bytes to a :class:`ParsedSubmission`: the mapped graph,
the territory it is about, where every node and statement came from in the file, and the problems
the mapping found. It reads nothing but its argument (the vocabularies and the JSON-LD context are
packaged) and writes nothing; the submission pipeline validates the graph with the shapes and
commits it only if neither the mapping nor the shapes reported a ``Violation``.

>>> csv = (
...     "territory_name,country,region,population,joined_campaign,contact_email,"
...     "initiative_title,initiative_description,rights_categories,rights_holder_groups,"
...     "instruments,start_date,end_date,language\\n"
...     "Villa Ejemplo,ES,Andalucía,12000,,,,,,,,,,es\\n"
... ).encode()
>>> parsed = read_submission(csv, filename="villa.csv")
>>> parsed.territory_key, parsed.format, parsed.problems
('es-villa-ejemplo', 'csv', [])
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import rdflib
from rdflib.term import Node

from rightsgraph.errors import Problem
from rightsgraph.languages import pick_language
from rightsgraph.loaders.formats import (
    MEDIA_TYPES,
    check_size,
    detect_format,
    sha256_hex,
)
from rightsgraph.loaders.mapping import Location, Mapped, map_table
from rightsgraph.loaders.rdf_input import check_document, read_jsonld, read_turtle
from rightsgraph.loaders.tabular import read_csv, read_xlsx

__all__ = ["Location", "ParsedSubmission", "read_submission"]


@dataclass
class ParsedSubmission:
    """A submitted file as RDF, ready for validation.

    ``locations`` maps ``(focus node, predicate)`` (``predicate`` ``None`` for the node itself)
    to where it came from, so that a validation result can point at a row and column or a line.
    ``problems`` are the mapping's own findings; any ``Violation`` among them must block the
    commit, as a shape violation would.
    """

    graph: rdflib.Graph
    territory: rdflib.URIRef
    territory_key: str
    format: str
    locations: dict[tuple[Node, Node | None], Location] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    filename: str | None = None
    media_type: str = ""
    size: int = 0
    sha256: str = ""


def read_submission(
    data: bytes,
    *,
    filename: str | None = None,
    media_type: str | None = None,
    lang: str = "en",
    max_bytes: int = 5_000_000,
    today: dt.date | None = None,
) -> ParsedSubmission:
    """Read a submission in CSV, XLSX, JSON-LD or Turtle and map it to the model.

    The format comes from the file name, else the media type, else the content. ``lang`` (en, fr
    or es; others fall back to English) is the language of every message. ``today`` is the day of
    the submission (it decides initiative statuses and the default population year).

    Raises ``TooLargeError`` (file over ``max_bytes``, too many rows or statements, a field over
    its limit), ``UnsupportedFormatError`` (a format we do not read) and ``InputError`` (a file
    that cannot be read at all: encoding, syntax, header, no territory), each located by row,
    line or column where known.
    """
    lang = pick_language(lang)
    check_size(data, max_bytes, lang)
    fmt = detect_format(data, filename=filename, media_type=media_type, lang=lang)
    mapped: Mapped
    if fmt == "csv":
        mapped = map_table(read_csv(data, lang=lang), lang=lang, today=today)
    elif fmt == "xlsx":
        mapped = map_table(read_xlsx(data, lang=lang), lang=lang, today=today)
    elif fmt == "jsonld":
        mapped = check_document(read_jsonld(data, lang=lang), lang=lang)
    else:
        mapped = check_document(read_turtle(data, lang=lang), lang=lang)
    return ParsedSubmission(
        graph=mapped.graph,
        territory=mapped.territory,
        territory_key=mapped.territory_key,
        format=fmt,
        locations=mapped.locations,
        problems=mapped.problems,
        filename=filename,
        media_type=MEDIA_TYPES[fmt],
        size=len(data),
        sha256=sha256_hex(data),
    )
