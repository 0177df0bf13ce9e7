"""What an intersectionality report is, independent of how it is computed or rendered.

``reports.analysis`` fills a :class:`Report` from a store or a SPARQL endpoint (aggregation in
SPARQL; only aggregated tables come into Python); ``reports.render_*`` turn one into HTML,
Markdown, PDF, CSV or JSON. Every figure belongs to a :class:`Table` that carries its base (how
many initiatives and territories it counts) and the SPARQL behind it, so that any reader can check
it against the endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Kinds of the report's tables, in reading order (the renderers follow it).
TABLES = (
    "overview",  # one row: initiatives, territories, countries, groups, categories in the base
    "groups",  # per rights-holder group: initiatives, territories, share of initiatives
    "categories",  # per rights category: initiatives, territories, share
    "group_cooccurrence",  # group a x group b: together, a alone, b alone, expected, lift
    "category_cooccurrence",  # category a x category b: same columns
    "group_category",  # group x category: initiatives, expected, lift (the heat map)
    "intersections",  # 2- and 3-group combinations: together, each alone, under-service index
    "group_network",  # per group: weighted degree, betweenness, community
    "category_network",  # per category: weighted degree, betweenness, community
    "similar_territories",  # territory pairs by profile similarity (bipartite projection)
    "gaps_by_region",  # per UCLG region x category/group: initiatives, share, campaign share, gap
    "gaps_by_country",  # per country x category/group: same columns
    "headline_gaps",  # territories with no initiative on the campaign's headline themes
    "trend_by_year",  # initiatives started per year by category
    "members_by_wave",  # members joined per wave, cumulative, against the 10/100/1000 milestones
)


@dataclass(frozen=True)
class Filters:
    """What the report is restricted to. Empty means no restriction.

    Codes are the vocabularies' codes (``docs/model.md``): UCLG regions (``europe``), ISO 3166-1
    alpha-2 countries (``ES``), territory keys (``es-barcelona``) or IRIs, rights category and
    group codes (a category includes its narrower ones), instrument codes (``crpd``), start years
    (inclusive) and campaign wave numbers.
    """

    regions: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    territories: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    instruments: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    waves: tuple[int, ...] = ()
    include_examples: bool = True

    def is_empty(self) -> bool:
        return self == Filters(include_examples=self.include_examples)


@dataclass(frozen=True)
class Base:
    """How many things a figure counts: every figure states it."""

    initiatives: int
    territories: int


@dataclass(frozen=True)
class Table:
    """One table of figures. ``columns`` are stable machine names (CSV/JSON headers);
    ``labels`` their titles in the report's language; cells are str, int, float or None
    (IRIs as str). ``sparql`` is the query text that produced the rows (after filters)."""

    name: str
    columns: tuple[str, ...]
    labels: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    base: Base
    sparql: str
    note: str = ""  # how to read it, in the report's language

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Report:
    """A whole report: filters, language, data version, the tables and a plain-words summary."""

    title: str
    lang: str  # en, fr or es
    filters: Filters
    data_version: int  # the store revision the figures come from
    generated_at: str  # ISO 8601 UTC
    base: Base
    tables: dict[str, Table] = field(default_factory=dict)
    summary: tuple[str, ...] = ()  # sentences in plain words, in ``lang``
    #: The filters' codes with their labels in ``lang`` ("europe" -> "Europe"), so that a reader
    #: sees names rather than codes; a code without a label in the store is left out.
    filter_labels: dict[str, str] = field(default_factory=dict)
