"""Map the rows of the submission template to RDF, following ``docs/model.md``.

One file describes one territory and its initiatives, one row per initiative. The territory's
columns (``territory_name``, ``country``, ``region``, ``population``, ``joined_campaign``,
``contact_email``) may be repeated on every row or left empty after the first; when repeated they
must agree. What the mapping adds on its own, and why:

- ``rg:uclgRegion`` comes from the country (``rgv:countries/{CC} rg:uclgRegion``), never from the
  file, so a territory cannot disagree with its country;
- ``rg:populationYear`` is the year written after the population, ``125000 (2021)``, else the
  year of the submission (the submitter gives today's figure unless they say otherwise);
- ``rg:membershipStatus`` is ``form-received``: the file is the campaign's form;
- ``rg:initiativeType`` is ``programme``: the template has no type column, and a programme is the
  most general kind of initiative; a curator can refine it;
- ``rg:status`` comes from the dates and the day of the submission: ``planned`` if the start is
  after it, ``completed`` if the end is before it, ``ongoing`` otherwise.

A value that cannot be mapped (an unknown term, country or region, a malformed date) is left out
of the graph and becomes a :class:`~rightsgraph.errors.Problem` located at its row and column.
A value that can be mapped is mapped even when it breaks a rule of the shapes (an end before the
start, a join date in the future, a malformed e-mail address): the shapes own those rules, and
reporting them here too would tell the submitter the same thing twice.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import langcodes
import pycountry
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD, Namespace
from rdflib.term import Node

from rightsgraph import iri
from rightsgraph.errors import InputError, Problem
from rightsgraph.loaders import places
from rightsgraph.loaders.formats import join_alternatives, message
from rightsgraph.loaders.tabular import CellValue, Table, TableRow
from rightsgraph.loaders.terms import SCHEME_OF_COLUMN, normalise, term_index

SCHEMA = Namespace("https://schema.org/")

#: Territory columns: given once, or repeated identically on every row.
TERRITORY_COLUMNS = ("region", "population", "joined_campaign", "contact_email")
#: Initiative columns: any of them filled makes the row an initiative, which needs a title.
INITIATIVE_COLUMNS = (
    "initiative_title",
    "initiative_description",
    "rights_categories",
    "rights_holder_groups",
    "instruments",
    "start_date",
    "end_date",
)
#: A territory_name starting with this marks the template's example rows.
EXAMPLE_MARK = "EXAMPLE"
#: Country placeholder of the territory key when the country cannot be resolved (ISO 3166-1
#: reserves ZZ for user assignment, so it is never a real country). The submission then carries
#: a Violation and is never committed.
UNKNOWN_COUNTRY = "ZZ"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_POPULATION = re.compile(
    r"(?P<n>\d{1,3}(?:(?P<sep>[ ,.'\u00a0\u202f])\d{3})(?:(?P=sep)\d{3})*|\d+)"
    r"(?:\s*\(\s*(?P<year>\d{4})\s*\))?"
)
_LIST_SEPARATOR = re.compile(r"[;\n\r]+")


@dataclass
class Location:
    """Where a node or one of its statements came from in the submitted file.

    ``row`` and ``field`` (the column) for tabular files, ``line`` for JSON-LD and Turtle.
    """

    row: int | None = None
    line: int | None = None
    field: str | None = None


@dataclass
class Mapped:
    """A submission as RDF, with where each part came from and what could not be mapped."""

    graph: Graph
    territory: URIRef
    territory_key: str
    locations: dict[tuple[Node, Node | None], Location] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def rg(term: str) -> URIRef:
    """A term of the RightsGraph ontology under the configured base."""
    return URIRef(iri.ontology(term))


def rgv(path: str) -> URIRef:
    """A concept (or scheme) IRI under the configured base."""
    return URIRef(iri.vocab(path))


def bind_prefixes(graph: Graph) -> None:
    """The project's prefixes, so that a serialised submission reads like ``docs/model.md``."""
    graph.bind("rg", iri.ontology())
    graph.bind("rgid", iri.entity(""))
    graph.bind("rgv", iri.vocab(""))
    graph.bind("schema", SCHEMA)
    graph.bind("dcterms", DCTERMS)
    graph.bind("skos", SKOS)
    graph.bind("xsd", XSD)


# --------------------------------------------------------------------------------------------
# Cell parsing
# --------------------------------------------------------------------------------------------


def _text(value: CellValue) -> str | None:
    """A cell as text (an Excel number 1234.0 as ``1234``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def parse_date(value: CellValue) -> dt.date | None:
    """A date from ``YYYY-MM-DD`` text or a real spreadsheet date; ``None`` if neither."""
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else None
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if text is None or not _DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def parse_population(value: CellValue) -> tuple[int, int | None] | None:
    """``(population, year or None)`` from ``125000``, ``1 620 343``, ``125,000 (2021)`` or a
    spreadsheet number; ``None`` when it is not a whole number >= 0."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (value, None) if value >= 0 else None
    if isinstance(value, float):
        return (int(value), None) if value.is_integer() and value >= 0 else None
    text = _text(value)
    if text is None:
        return None
    match = _POPULATION.fullmatch(text)
    if not match:
        return None
    number = int(re.sub(r"\D", "", match.group("n")))
    year = int(match.group("year")) if match.group("year") else None
    return number, year


def parse_language(value: str) -> str | None:
    """The standard form of a BCP 47 tag (``EN_us`` -> ``en-US``), or ``None``."""
    tag = value.strip().replace("_", "-")
    if not tag or not langcodes.tag_is_valid(tag):
        return None
    standard: str = langcodes.standardize_tag(tag)
    return standard


def guess_language(value: str) -> str | None:
    """The ISO 639-1 code of a language written by name ("French", "français", "español")."""
    key = normalise(value)
    for language in pycountry.languages:
        code = getattr(language, "alpha_2", None)
        if code and normalise(language.name) == key:
            return str(code)
    for lang in ("fr", "es"):
        translation = places.translation("iso639-3", lang)
        for language in pycountry.languages:
            code = getattr(language, "alpha_2", None)
            if code and normalise(translation.gettext(language.name)) == key:
                return str(code)
    return None


def split_list(value: CellValue) -> list[str]:
    """The items of a list cell (separated by ``;`` or line breaks), without blanks or repeats."""
    text = _text(value)
    if text is None:
        return []
    out: list[str] = []
    for item in _LIST_SEPARATOR.split(text):
        item = item.strip()
        if item and item not in out:
            out.append(item)
    return out


# --------------------------------------------------------------------------------------------
# The mapping
# --------------------------------------------------------------------------------------------


@dataclass
class _First:
    """The first value given for a territory column, and the row that gave it."""

    value: CellValue
    text: str
    row: int


class _TableMapper:
    def __init__(self, table: Table, lang: str, today: dt.date) -> None:
        self.table = table
        self.lang = lang
        self.today = today
        self.graph = Graph()
        bind_prefixes(self.graph)
        self.locations: dict[tuple[Node, Node | None], Location] = {}
        self.problems: list[Problem] = list(table.problems)
        self.languages: dict[int, str] = {}

    # -- helpers ------------------------------------------------------------------------------

    def problem(self, row: TableRow, column: str, text: str, *, value: object = None,
                focus: Node | None = None, path: Node | None = None,
                severity: str = "Violation") -> None:
        self.problems.append(Problem(
            severity=severity, message=text, focus=str(focus) if focus is not None else None,
            path=str(path) if path is not None else None,
            value=None if value is None else str(value), row=row.number, field=column,
        ))

    def add(self, s: URIRef, p: URIRef, o: Node, row: TableRow, column: str) -> None:
        self.graph.add((s, p, o))
        self.locations.setdefault((s, p), Location(row=row.number, field=column))

    def locate(self, node: Node, row: TableRow, column: str) -> None:
        self.locations.setdefault((node, None), Location(row=row.number, field=column))

    def expect(self, node: Node, row: TableRow, columns: dict[URIRef, str]) -> None:
        """Where each predicate of ``node`` would have come from, even when the cell was empty,
        so that a shape saying "missing" points at the column to fill in."""
        for predicate, column in columns.items():
            self.locations.setdefault((node, predicate), Location(row=row.number, field=column))

    # -- territory ----------------------------------------------------------------------------

    def run(self) -> Mapped:
        rows = self.table.rows
        for row in rows:
            name = _text(row.get("territory_name"))
            if name and name.startswith(EXAMPLE_MARK):
                self.problem(row, "territory_name", message("example-row", self.lang),
                             value=name)
        anchor = next(
            (r for r in rows if _text(r.get("territory_name")) and _text(r.get("country"))),
            None,
        )
        if anchor is None:
            hostile = next((p for p in self.problems if p.field in ("territory_name", "country")),
                           None)
            if hostile is not None:  # the name was there but refused: say why, not "missing"
                raise InputError(hostile.message, row=hostile.row, column=hostile.field)
            first = rows[0]
            column = "territory_name" if not _text(first.get("territory_name")) else "country"
            raise InputError(message("no-territory", self.lang), row=first.number, column=column)
        name = _text(anchor.get("territory_name")) or ""
        country_text = _text(anchor.get("country")) or ""
        cc = places.resolve_country(country_text)
        if cc is None:
            self.unknown_country(anchor, country_text)
        self.cc = cc or UNKNOWN_COUNTRY
        self.name = name
        self.key = iri.territory_key(self.cc, name)
        self.territory = URIRef(iri.territory(self.key))
        self.default_tag = self.default_language()

        firsts: dict[str, _First] = {}
        accepted: list[TableRow] = []
        for row in rows:
            if not self.same_territory(row, anchor, cc):
                continue
            accepted.append(row)
            for column in TERRITORY_COLUMNS:
                value = row.get(column)
                text = _text(value)
                if text is None:
                    continue
                if column not in firsts:
                    firsts[column] = _First(value, text, row.number)
                elif self.comparable(column, value) != self.comparable(
                        column, firsts[column].value):
                    self.problem(row, column, message(
                        "territory-inconsistent", self.lang, field=column, value=text,
                        expected=firsts[column].text, first_row=firsts[column].row),
                        value=text, focus=self.territory)
        self.map_territory(anchor, firsts)
        titles: dict[str, int] = {}
        for row in accepted:
            self.map_initiative(row, titles)
        return Mapped(self.graph, self.territory, self.key, self.locations, self.problems)

    def comparable(self, column: str, value: CellValue) -> object:
        if column == "joined_campaign":
            return parse_date(value) or _text(value)
        if column == "population":
            return parse_population(value) or _text(value)
        if column == "region" and self.cc != UNKNOWN_COUNTRY:
            text = _text(value) or ""
            return places.resolve_subdivision(self.cc, text).code or normalise(text)
        return normalise(_text(value) or "")

    def unknown_country(self, row: TableRow, text: str) -> None:
        options = [f"'{places.country_name(c, self.lang)}' ({c})"
                   for c in places.suggest_countries(text)]
        hint = message("did-you-mean", self.lang, options=join_alternatives(options, self.lang)) \
            if options else ""
        self.problem(row, "country", message("unknown-country", self.lang, value=text,
                                             suggestions=hint), value=text)

    def same_territory(self, row: TableRow, anchor: TableRow, cc: str | None) -> bool:
        """Whether a row belongs to the file's territory; a Problem when it names another."""
        name = _text(row.get("territory_name"))
        country = _text(row.get("country"))
        if row is anchor or (name is None and country is None):
            return True
        same_name = name is None or iri.slugify(name) == iri.slugify(self.name)
        if country is None:
            same_country = True
        else:
            row_cc = places.resolve_country(country)
            same_country = (row_cc == cc) if (row_cc and cc) else (
                normalise(country) == normalise(_text(anchor.get("country")) or ""))
        if same_name and same_country:
            return True
        expected_country = _text(anchor.get("country")) or ""
        self.problem(row, "territory_name" if not same_name else "country", message(
            "territory-mismatch", self.lang, name=name or self.name,
            country=country or expected_country, expected_name=self.name,
            expected_country=expected_country, first_row=anchor.number),
            value=name if not same_name else country, focus=self.territory)
        return False

    def default_language(self) -> str:
        """The first valid language of the file, else the submitter's interface language."""
        for row in self.table.rows:
            text = _text(row.get("language"))
            tag = parse_language(text) if text else None
            if tag:
                return tag
        return self.lang

    def row_language(self, row: TableRow, focus: URIRef | None) -> str:
        """The row's language tag; a Problem (and the default tag) when it is not BCP 47.

        The territory and the row's initiative both ask; the row is judged once.
        """
        if row.number not in self.languages:
            self.languages[row.number] = self._row_language(row, focus)
        return self.languages[row.number]

    def _row_language(self, row: TableRow, focus: URIRef | None) -> str:
        text = _text(row.get("language"))
        if text is None:
            if "language" not in row.rejected:
                self.problem(row, "language", message("no-language", self.lang,
                                                      tag=self.default_tag),
                             focus=focus, path=DCTERMS.language, severity="Warning")
            return self.default_tag
        tag = parse_language(text)
        if tag is None:
            guess = guess_language(text)
            hint = message("language-hint", self.lang, tag=guess) if guess else ""
            self.problem(row, "language", message("bad-language", self.lang, value=text,
                                                  suggestion=hint),
                         value=text, focus=focus, path=DCTERMS.language)
            return self.default_tag
        return tag

    def map_territory(self, anchor: TableRow, firsts: dict[str, _First]) -> None:
        t = self.territory
        tag = self.row_language(anchor, t)
        self.locate(t, anchor, "territory_name")
        self.add(t, RDF.type, rg("Territory"), anchor, "territory_name")
        self.add(t, RDFS.label, Literal(self.name, lang=tag), anchor, "territory_name")
        if self.cc != UNKNOWN_COUNTRY:
            self.add(t, rg("countryCode"), Literal(self.cc), anchor, "country")
            region = places.uclg_region(self.cc)
            if region is not None:
                self.add(t, rg("uclgRegion"), region, anchor, "country")
        if "region" in firsts:
            self.map_region(firsts["region"])
        if "population" in firsts:
            self.map_population(firsts["population"])
        if "contact_email" in firsts:
            self.map_contact(firsts["contact_email"])
        self.map_membership(anchor, firsts.get("joined_campaign"))
        self.expect(t, anchor, {
            rg("countryCode"): "country", rg("uclgRegion"): "country",
            rg("subdivisionCode"): "region", rg("population"): "population",
            rg("populationYear"): "population", rg("contactPoint"): "contact_email",
        })

    def _row(self, number: int) -> TableRow:
        return next(r for r in self.table.rows if r.number == number)

    def map_region(self, first: _First) -> None:
        row = self._row(first.row)
        if self.cc == UNKNOWN_COUNTRY:
            return
        found = places.resolve_subdivision(self.cc, first.text)
        country = places.country_name(self.cc, self.lang)
        path = rg("subdivisionCode")
        if found.code:
            self.add(self.territory, path, Literal(found.code), row, "region")
        elif found.other and found.other_country:
            self.problem(row, "region", message(
                "region-other-country", self.lang, value=first.text, code=found.other,
                other=places.country_name(found.other_country, self.lang), country=country),
                value=first.text, focus=self.territory, path=path)
        elif found.ambiguous:
            self.problem(row, "region", message(
                "ambiguous-region", self.lang, value=first.text, country=country,
                codes=", ".join(found.ambiguous)),
                value=first.text, focus=self.territory, path=path)
        else:
            options = [f"'{places.subdivision_name(c, self.lang)}' ({c})"
                       for c in found.suggestions]
            hint = message("did-you-mean", self.lang,
                           options=join_alternatives(options, self.lang)) if options else ""
            self.problem(row, "region", message(
                "unknown-region", self.lang, value=first.text, country=country, suggestions=hint,
                example=places.example_subdivision(self.cc)),
                value=first.text, focus=self.territory, path=path)

    def map_population(self, first: _First) -> None:
        row = self._row(first.row)
        parsed = parse_population(first.value)
        if parsed is None:
            self.problem(row, "population", message("bad-population", self.lang,
                                                    value=first.text),
                         value=first.text, focus=self.territory, path=rg("population"))
            return
        number, year = parsed
        if year is not None and not 1800 <= year <= self.today.year:
            self.problem(row, "population", message(
                "bad-population-year", self.lang, year=year, first=1800, last=self.today.year),
                value=first.text, focus=self.territory, path=rg("populationYear"))
            return
        self.add(self.territory, rg("population"),
                 Literal(number, datatype=XSD.nonNegativeInteger), row, "population")
        self.add(self.territory, rg("populationYear"),
                 Literal(str(year or self.today.year), datatype=XSD.gYear), row, "population")

    def map_contact(self, first: _First) -> None:
        row = self._row(first.row)
        email = first.text.removeprefix("mailto:").strip()
        contact = URIRef(iri.territory(self.key) + "/contact")
        self.add(self.territory, rg("contactPoint"), contact, row, "contact_email")
        self.locate(contact, row, "contact_email")
        self.add(contact, RDF.type, SCHEMA.ContactPoint, row, "contact_email")
        self.add(contact, SCHEMA.email, Literal(email), row, "contact_email")

    def map_membership(self, anchor: TableRow, joined: _First | None) -> None:
        membership = URIRef(iri.entity(f"membership/{self.key}"))
        row = self._row(joined.row) if joined else anchor
        column = "joined_campaign" if joined else "territory_name"
        self.locate(membership, row, column)
        self.add(membership, RDF.type, rg("Membership"), row, column)
        self.add(membership, rg("member"), self.territory, row, column)
        self.add(membership, rg("campaign"), URIRef(iri.entity("campaign/10-100-1000")), row,
                 column)
        self.add(membership, rg("membershipStatus"), rgv("membership-status/form-received"), row,
                 column)
        if joined is None:
            self.expect(membership, anchor, {rg("joinedOn"): "joined_campaign"})
            return
        day = parse_date(joined.value)
        if day is None:
            self.problem(row, "joined_campaign", message("bad-date", self.lang,
                                                         value=joined.text),
                         value=joined.text, focus=membership, path=rg("joinedOn"))
        else:
            self.add(membership, rg("joinedOn"), Literal(day.isoformat(), datatype=XSD.date),
                     row, "joined_campaign")

    # -- initiatives --------------------------------------------------------------------------

    def map_initiative(self, row: TableRow, titles: dict[str, int]) -> None:
        title = _text(row.get("initiative_title"))
        if title is None:
            filled = [c for c in INITIATIVE_COLUMNS if _text(row.get(c)) is not None]
            if filled and "initiative_title" not in row.rejected:
                self.problem(row, "initiative_title",
                             message("required", self.lang, field="initiative_title"))
            return
        slug = iri.slugify(title)
        if slug in titles:
            self.problem(row, "initiative_title", message("duplicate-title", self.lang,
                                                          first_row=titles[slug]), value=title)
            return
        titles[slug] = row.number
        node = URIRef(iri.entity(f"initiative/{self.key}/{slug}"))
        tag = self.row_language(row, node)
        self.locate(node, row, "initiative_title")
        self.add(node, RDF.type, rg("Initiative"), row, "initiative_title")
        self.add(node, RDFS.label, Literal(title, lang=tag), row, "initiative_title")
        self.add(node, rg("ledBy"), self.territory, row, "initiative_title")
        self.add(node, rg("initiativeType"), rgv("initiative-types/programme"), row,
                 "initiative_title")
        self.add(node, DCTERMS.language, Literal(tag), row, "language")
        description = _text(row.get("initiative_description"))
        if description:
            self.add(node, DCTERMS.description, Literal(description, lang=tag), row,
                     "initiative_description")
        for column, predicate in (("rights_categories", rg("addressesRight")),
                                  ("rights_holder_groups", rg("targetsGroup")),
                                  ("instruments", rg("implementsInstrument"))):
            for item in split_list(row.get(column)):
                concept = self.term(row, column, item, node, predicate)
                if concept is not None:
                    self.add(node, predicate, concept, row, column)
        self.map_dates(row, node)
        self.expect(node, row, {
            DCTERMS.description: "initiative_description",
            rg("addressesRight"): "rights_categories",
            rg("targetsGroup"): "rights_holder_groups",
            rg("implementsInstrument"): "instruments",
            SCHEMA.startDate: "start_date", SCHEMA.endDate: "end_date",
        })

    def term(self, row: TableRow, column: str, text: str, focus: URIRef,
             path: URIRef) -> URIRef | None:
        """The concept a list item names; a Problem (with the nearest terms) when none."""
        scheme = SCHEME_OF_COLUMN[column]
        index = term_index(scheme)
        kind = message(f"kind-{scheme}", self.lang)
        found = index.resolve(text)
        if found.deprecated is not None:
            if found.concept is None:
                self.problem(row, column, message("deprecated-no-replacement", self.lang,
                                                  value=text, kind=kind),
                             value=text, focus=focus, path=path)
            else:
                self.problem(row, column, message(
                    "deprecated-term", self.lang, value=text,
                    replacement=index.describe(found.concept, self.lang)),
                    value=text, focus=focus, path=path, severity="Warning")
            return found.concept
        if found.concept is not None:
            return found.concept
        if found.candidates:
            options = join_alternatives(
                [index.describe(c, self.lang) for c in found.candidates], self.lang)
            self.problem(row, column, message("ambiguous-term", self.lang, value=text, kind=kind,
                                              options=options),
                         value=text, focus=focus, path=path)
            return None
        suggestions = [index.describe(c, self.lang) for c in index.suggest(text)]
        hint = message("did-you-mean", self.lang,
                       options=join_alternatives(suggestions, self.lang)) if suggestions else ""
        self.problem(row, column, message("unknown-term", self.lang, kind=kind, value=text,
                                          suggestions=hint),
                     value=text, focus=focus, path=path)
        return None

    def map_dates(self, row: TableRow, node: URIRef) -> None:
        days: dict[str, dt.date | None] = {}
        for column, predicate in (("start_date", SCHEMA.startDate),
                                  ("end_date", SCHEMA.endDate)):
            value = row.get(column)
            days[column] = None
            if _text(value) is None:
                continue
            day = parse_date(value)
            if day is None:
                self.problem(row, column, message("bad-date", self.lang, value=_text(value)),
                             value=_text(value), focus=node, path=predicate)
                continue
            days[column] = day
            self.add(node, predicate, Literal(day.isoformat(), datatype=XSD.date), row, column)
        start, end = days["start_date"], days["end_date"]
        if start and start > self.today:
            status = "planned"
        elif end and end < self.today:
            status = "completed"
        else:
            status = "ongoing"
        self.add(node, rg("status"), rgv(f"initiative-status/{status}"), row,
                 "start_date" if start else "end_date")


def map_table(table: Table, *, lang: str = "en", today: dt.date | None = None) -> Mapped:
    """The RDF of a template's rows (see the module's docstring for what is derived).

    ``today`` is the day of the submission (for ``rg:status`` and the default population year);
    tests pass a fixed one.

    Raises ``InputError`` when no row names the territory (``territory_name`` and ``country``).
    """
    return _TableMapper(table, lang, today or dt.date.today()).run()

