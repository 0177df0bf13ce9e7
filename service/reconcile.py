"""RightsGraph as a registry: the W3C Entity Reconciliation Service API 0.2 (OpenRefine's protocol).

This module is the protocol's logic without HTTP (``service/routers/reconcile.py`` is the HTTP
side): the service manifest, the label index, candidate search and scoring, suggest, preview
cards and data extension.

**Entities, types, properties.** Candidates are territories (``rg:Territory``), initiatives
(``rg:Initiative``), rights categories (``rg:RightsCategory``) and rights-holder groups
(``rg:RightsHolderGroup``). Entity ids are our full IRIs, so the identifier space is the base IRI
(``https://w3id.org/rightsgraph/`` by default: it prefixes ``id/...`` and ``vocab/...`` alike);
type ids are the classes' IRIs (the schema space is the ontology namespace; the local name, such
as ``Territory``, and the CURIE ``rg:Territory`` are accepted in queries too). Property ids are
short, stable names listed in :data:`PROPERTIES` (``country``, ``subdivision``, ``wikidata`` ...).

**The index.** Candidate search never scans the store per query. :class:`Reconciler` holds an
:class:`Index` built with one aggregated SPARQL query per kind of entity (six in all: one row per
entity, every label and value packed into one ``GROUP_CONCAT`` of URI-encoded items so that no
label can break the packing), kept in memory and rebuilt, under a lock, when the store's revision
changes. Every query of a batch is answered from the same index. Data extension reads the store
with one SPARQL query per batch (``VALUES ?s { ... }``).

**Scoring** (0-100). Labels (``rdfs:label``, ``skos:prefLabel``, ``skos:altLabel``,
``rg:uhriLabel``, in any language), codes (``skos:notation``) and identifiers (Wikidata QID,
GeoNames id, the IRI itself) are folded: Unicode-decomposed, accents removed, case-folded,
punctuation turned into single spaces (:func:`fold`). A query equal to a folded label scores 100;
otherwise the best :class:`difflib.SequenceMatcher` ratio between the folded query and the folded
labels of the entity, times 100, shortlisted through a character-trigram index. Types are a hard
filter (an entity of any of the given types; ``type_strict`` is accepted and read as ``any``).
Properties are a hard filter too: a candidate whose value is known and differs is dropped; a
candidate without any value for a given property stays, 10 points lower
(:data:`UNKNOWN_PENALTY`). A query made of properties only (no ``query`` text) returns the
entities whose known values match every property, at 100. A property given without a type limits
the candidates to the types that have it.

**The match rule** is the project's one rule for automatic acceptance
(:mod:`rightsgraph.loaders.registries.model`): ``match`` is true only for the best candidate,
and only when its score is at least 90 (``AUTO_ACCEPT``), no other candidate scores within 5
points of it (``MARGIN``: two territories with the same name are never matched, whatever their
score) and every property given in the query is known for it and matches.

Errors raise :class:`ReconcileRequestError` (400) and its subclasses :class:`UnknownTypeError`,
:class:`UnknownPropertyError` (400) and :class:`ReconcileTooLargeError` (413); store failures
raise the engine's own errors (``QueryTimeoutError`` is a 503).
"""

from __future__ import annotations

import bisect
import html
import logging
import math
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Protocol
from urllib.parse import quote, unquote

import pyoxigraph as ox

from rightsgraph import __version__
from rightsgraph.errors import RightsGraphError
from rightsgraph.languages import localize
from rightsgraph.loaders.registries.model import AUTO_ACCEPT, MARGIN
from rightsgraph.store.base import QueryResult, SelectResult

log = logging.getLogger(__name__)

# -- limits ----------------------------------------------------------------------------------------
#: Most queries in one batch (announced as ``batchSize`` in the manifest; more is a 413).
MAX_BATCH = 50
#: Largest request body the reconciliation endpoint reads, bytes (more is a 413).
MAX_BODY_BYTES = 1_000_000
#: Longest ``query`` text, characters.
MAX_QUERY_CHARS = 500
#: Most property constraints in one query, and most values for one property.
MAX_PROPERTIES = 20
MAX_VALUES = 50
#: Default and highest ``limit`` (candidates per query).
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
#: Most ids and properties in one data extension query.
MAX_EXTEND_IDS = 500
MAX_EXTEND_PROPERTIES = 20
#: Suggest: default and highest page size, highest cursor.
SUGGEST_LIMIT = 10
MAX_SUGGEST_LIMIT = 50
MAX_CURSOR = 100_000

# -- scoring ---------------------------------------------------------------------------------------
#: Points taken from a candidate for each given property it has no value for.
UNKNOWN_PENALTY = 10.0
#: A candidate scoring at least this (0-100) may be a match (the project's AUTO_ACCEPT).
MATCH_SCORE = AUTO_ACCEPT * 100
#: A rival within this many points of the best candidate makes the best one no match.
MATCH_MARGIN = MARGIN * 100
#: Labels compared exactly after the trigram shortlist, per kind and query.
_SHORTLIST = 60
#: Candidates below this similarity (0-1) are not proposed at all.
_MIN_SIMILARITY = 0.6
#: Labels sharing fewer trigrams than this (Dice coefficient, 0-1) are not compared at all.
_MIN_DICE = 0.25

# -- vocabulary ------------------------------------------------------------------------------------
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
FOAF = "http://xmlns.com/foaf/0.1/"

_QID = re.compile(r"(?:^|[/:])(Q[1-9][0-9]*)$", re.IGNORECASE)
_GEONAMES = re.compile(r"^(?:https?://(?:sws\.|www\.)?geonames\.org/)?([0-9]{1,12})/?$")
_ALPHA2 = re.compile(r"^[A-Za-z]{2}$")
_ALPHA3 = re.compile(r"^[A-Za-z]{3}$")
_LANG_TAG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")


class ReconcileRequestError(RightsGraphError):
    """A reconciliation, suggest, preview or extension request that cannot be answered as sent.

    ``where`` names the part of the request at fault (e.g. ``q0.properties[1].pid``).
    """

    status = 400
    type = "invalid-reconciliation-request"

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message)
        self.where = where


class UnknownTypeError(ReconcileRequestError):
    """A type id that names none of the reconcilable types."""

    type = "unknown-type"


class UnknownPropertyError(ReconcileRequestError):
    """A property id that the service does not have (or not for the types asked)."""

    type = "unknown-property"


class ReconcileTooLargeError(ReconcileRequestError):
    """A batch, body, text or list over its limit."""

    status = 413
    type = "too-large"


class Engine(Protocol):
    """What the reconciler needs from the service's query engine (``QueryEngine`` fits)."""

    def query(self, sparql: str, *, max_rows: int | None = None) -> QueryResult: ...

    def revision(self) -> int: ...


# -- text ------------------------------------------------------------------------------------------
_TEXT: dict[str, dict[str, str]] = {
    "service": {
        "en": "RightsGraph: human-rights cities and territories",
        "fr": "RightsGraph : villes et territoires des droits humains",
        "es": "RightsGraph: ciudades y territorios de derechos humanos",
    },
    "example": {
        "en": "example data",
        "fr": "données d'exemple",
        "es": "datos de ejemplo",
    },
    "example_note": {
        "en": "Fictional example data: it describes no real place or commitment.",
        "fr": "Données d'exemple fictives : elles ne décrivent aucun lieu ni engagement réels.",
        "es": "Datos de ejemplo ficticios: no describen ningún lugar ni compromiso reales.",
    },
    "limit_label": {
        "en": "Most values per cell",
        "fr": "Nombre maximal de valeurs par cellule",
        "es": "Número máximo de valores por celda",
    },
    "limit_help": {
        "en": "Keep at most this many values of the property for each entity (0: all).",
        "fr": "Garder au plus ce nombre de valeurs de la propriété par entité (0 : toutes).",
        "es": "Conservar como máximo este número de valores de la propiedad por entidad (0: todos)",
    },
    "more": {"en": "{n} more", "fr": "{n} de plus", "es": "{n} más"},
}


def text(key: str, lang: str, **values: object) -> str:
    """A sentence of this module in ``lang`` (en, fr, es; English otherwise)."""
    return localize(_TEXT, key, lang, **values)


# -- types -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Kind:
    """A reconcilable type: its key in this module, its class's local name in ``rg:``, names."""

    key: str
    local: str
    names: Mapping[str, str]
    descriptions: Mapping[str, str]

    def iri(self, base: str) -> str:
        return f"{base}ontology#{self.local}"

    def name(self, lang: str) -> str:
        return self.names.get(lang, self.names["en"])

    def description(self, lang: str) -> str:
        return self.descriptions.get(lang, self.descriptions["en"])


KINDS: tuple[Kind, ...] = (
    Kind(
        "territory",
        "Territory",
        {"en": "Territory", "fr": "Territoire", "es": "Territorio"},
        {
            "en": "A local or regional government and the area it governs",
            "fr": "Une collectivité locale ou régionale et le territoire qu'elle administre",
            "es": "Un gobierno local o regional y el territorio que administra",
        },
    ),
    Kind(
        "initiative",
        "Initiative",
        {"en": "Initiative", "fr": "Initiative", "es": "Iniciativa"},
        {
            "en": "A human-rights policy, programme or body led by a territory",
            "fr": "Une politique, un programme ou un organe de droits humains porté par un "
            "territoire",
            "es": "Una política, un programa o un órgano de derechos humanos liderado por un "
            "territorio",
        },
    ),
    Kind(
        "category",
        "RightsCategory",
        {"en": "Rights Category", "fr": "Catégorie de droits", "es": "Categoría de derechos"},
        {
            "en": "A right or family of rights (Global Charter-Agenda, campaign themes)",
            "fr": "Un droit ou une famille de droits (Charte-Agenda mondiale, thèmes de la "
            "campagne)",
            "es": "Un derecho o una familia de derechos (Carta-Agenda Mundial, temas de la "
            "campaña)",
        },
    ),
    Kind(
        "group",
        "RightsHolderGroup",
        {
            "en": "Rights-Holder Group",
            "fr": "Groupe de titulaires de droits",
            "es": "Grupo de titulares de derechos",
        },
        {
            "en": "A group of rights holders that initiatives target",
            "fr": "Un groupe de titulaires de droits que visent les initiatives",
            "es": "Un grupo de titulares de derechos al que se dirigen las iniciativas",
        },
    ),
)
KIND_BY_KEY = {k.key: k for k in KINDS}
RECONCILABLE = tuple(k.key for k in KINDS)

#: Classes of the values of entity-valued properties that are not reconcilable types themselves.
_VALUE_CLASSES: dict[str, tuple[str, dict[str, str]]] = {
    "country": ("Country", {"en": "Country", "fr": "Pays", "es": "País"}),
    "region": ("UclgRegion", {"en": "UCLG region", "fr": "Région de CGLU", "es": "Región de CGLU"}),
    "level": (
        "TerritoryLevel",
        {"en": "Territory level", "fr": "Niveau de territoire", "es": "Nivel de territorio"},
    ),
    "initiative_type": (
        "InitiativeType",
        {"en": "Initiative type", "fr": "Type d'initiative", "es": "Tipo de iniciativa"},
    ),
    "status": (
        "InitiativeStatus",
        {"en": "Initiative status", "fr": "Statut d'initiative", "es": "Estado de la iniciativa"},
    ),
}


def _class_ref(kind: str, base: str, lang: str) -> dict[str, str]:
    """``{id, name}`` of the class of entities of ``kind`` (reconcilable or not)."""
    if kind in KIND_BY_KEY:
        k = KIND_BY_KEY[kind]
        return {"id": k.iri(base), "name": k.name(lang)}
    local, names = _VALUE_CLASSES[kind]
    return {"id": f"{base}ontology#{local}", "name": names.get(lang, names["en"])}


# -- properties ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Property:
    """A property of the service: where it applies, whether queries and extension use it, what its
    values are (``str``, ``int`` or the kind of the entities it points to)."""

    id: str
    kinds: tuple[str, ...]
    names: Mapping[str, str]
    descriptions: Mapping[str, str]
    values: str = "str"
    query: bool = True
    extend: bool = True

    def name(self, lang: str) -> str:
        return self.names.get(lang, self.names["en"])

    def description(self, lang: str) -> str:
        return self.descriptions.get(lang, self.descriptions["en"])


def _p(
    pid: str,
    kinds: tuple[str, ...],
    en: tuple[str, str],
    fr: tuple[str, str],
    es: tuple[str, str],
    **options: Any,
) -> Property:
    return Property(
        pid,
        kinds,
        {"en": en[0], "fr": fr[0], "es": es[0]},
        {"en": en[1], "fr": fr[1], "es": es[1]},
        **options,
    )


_T, _I, _C, _G = "territory", "initiative", "category", "group"

PROPERTIES: tuple[Property, ...] = (
    _p(
        "country",
        (_T, _I),
        (
            "country",
            "ISO 3166-1 alpha-2 or alpha-3 code, or a country name in any language "
            "(of the leading territory, for an initiative)",
        ),
        (
            "pays",
            "code ISO 3166-1 alpha-2 ou alpha-3, ou nom du pays dans toute langue "
            "(du territoire porteur, pour une initiative)",
        ),
        (
            "país",
            "código ISO 3166-1 alfa-2 o alfa-3, o nombre del país en cualquier idioma "
            "(del territorio que lidera, para una iniciativa)",
        ),
        values="country",
    ),
    _p(
        "subdivision",
        (_T,),
        ("ISO 3166-2 code", "the ISO 3166-2 code of the subdivision, e.g. ES-B"),
        ("code ISO 3166-2", "le code ISO 3166-2 de la subdivision, par ex. ES-B"),
        ("código ISO 3166-2", "el código ISO 3166-2 de la subdivisión, p. ej. ES-B"),
    ),
    _p(
        "uclg_region",
        (_T, _I),
        ("UCLG region", "the UCLG region: its code, IRI or name"),
        ("région de CGLU", "la région de CGLU : son code, son IRI ou son nom"),
        ("región de CGLU", "la región de CGLU: su código, IRI o nombre"),
        values="region",
    ),
    _p(
        "m49_region",
        (_T, _I),
        ("M49 region", "the UN M49 region of the country, e.g. Europe"),
        ("région M49", "la région M49 des Nations unies du pays, par ex. Europe"),
        ("región M49", "la región M49 de las Naciones Unidas del país, p. ej. Europe"),
    ),
    _p(
        "wikidata",
        (_T,),
        ("Wikidata QID", "the Wikidata item, e.g. Q1492"),
        ("QID Wikidata", "l'élément Wikidata, par ex. Q1492"),
        ("QID de Wikidata", "el elemento de Wikidata, p. ej. Q1492"),
    ),
    _p(
        "geonames",
        (_T,),
        ("GeoNames id", "the GeoNames identifier, e.g. 3128760"),
        ("identifiant GeoNames", "l'identifiant GeoNames, par ex. 3128760"),
        ("identificador de GeoNames", "el identificador de GeoNames, p. ej. 3128760"),
    ),
    _p(
        "level",
        (_T,),
        ("level", "municipality, metropolis, province, region ..."),
        ("niveau", "municipalité, métropole, province, région ..."),
        ("nivel", "municipio, metrópoli, provincia, región ..."),
        values="level",
    ),
    _p(
        "homepage",
        (_T,),
        ("official website", "the territory's official website"),
        ("site officiel", "le site officiel du territoire"),
        ("sitio web oficial", "el sitio web oficial del territorio"),
        query=False,
    ),
    _p(
        "population",
        (_T,),
        ("population", "the population recorded for the territory"),
        ("population", "la population enregistrée pour le territoire"),
        ("población", "la población registrada para el territorio"),
        values="int",
        query=False,
    ),
    _p(
        "led_by",
        (_I,),
        ("led by", "the territory that leads the initiative (IRI or name)"),
        ("portée par", "le territoire qui porte l'initiative (IRI ou nom)"),
        ("liderada por", "el territorio que lidera la iniciativa (IRI o nombre)"),
        values=_T,
    ),
    _p(
        "category",
        (_I,),
        (
            "rights category",
            "a right the initiative addresses (IRI, code or label); a family "
            "also matches its narrower rights",
        ),
        (
            "catégorie de droits",
            "un droit que vise l'initiative (IRI, code ou libellé) ; une "
            "famille comprend ses droits plus spécifiques",
        ),
        (
            "categoría de derechos",
            "un derecho que aborda la iniciativa (IRI, código o "
            "etiqueta); una familia incluye sus derechos más específicos",
        ),
        values=_C,
    ),
    _p(
        "group",
        (_I,),
        ("rights-holder group", "a group the initiative targets (IRI, code or label)"),
        (
            "groupe de titulaires de droits",
            "un groupe visé par l'initiative (IRI, code ou libellé)",
        ),
        (
            "grupo de titulares de derechos",
            "un grupo al que se dirige la iniciativa (IRI, código o etiqueta)",
        ),
        values=_G,
    ),
    _p(
        "initiative_type",
        (_I,),
        ("initiative type", "policy, programme, office, observatory ..."),
        ("type d'initiative", "politique, programme, bureau, observatoire ..."),
        ("tipo de iniciativa", "política, programa, oficina, observatorio ..."),
        values="initiative_type",
    ),
    _p(
        "status",
        (_I,),
        ("status", "planned, ongoing, completed, discontinued"),
        ("statut", "prévue, en cours, achevée, abandonnée"),
        ("estado", "prevista, en curso, finalizada, abandonada"),
        values="status",
    ),
    _p(
        "notation",
        (_C, _G),
        ("code", "the concept's code, e.g. housing or GCA-X"),
        ("code", "le code du concept, par ex. housing ou GCA-X"),
        ("código", "el código del concepto, p. ej. housing o GCA-X"),
    ),
    _p(
        "broader",
        (_C, _G),
        ("broader", "the broader right or group"),
        ("plus général", "le droit ou le groupe plus général"),
        ("más general", "el derecho o el grupo más general"),
        values="self",
        query=False,
    ),
)
PROPERTY_BY_ID = {p.id: p for p in PROPERTIES}


# -- folding ---------------------------------------------------------------------------------------
_WORDS = re.compile(r"\w+")


def fold(value: str) -> str:
    """A name as compared: accents removed, case folded, punctuation reduced to single spaces.

    >>> fold("  Ciudad de MÉXICO! ")
    'ciudad de mexico'
    >>> fold("Droits de l'enfant") == fold("droits de l enfant")
    True
    """
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = _WORDS.findall(bare.casefold().replace("_", " "))
    return unicodedata.normalize("NFC", " ".join(words))


def _trigrams(folded: str) -> frozenset[str]:
    padded = f"  {folded} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


# -- the index -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Label:
    lang: str
    value: str
    preferred: bool


@dataclass
class Entity:
    """One entity as the index holds it: labels, raw values per field, whether it is an example."""

    iri: str
    kind: str
    labels: list[Label] = field(default_factory=list)
    values: dict[str, list[str]] = field(default_factory=dict)
    example: bool = False

    def first(self, name: str) -> str | None:
        found = self.values.get(name)
        return found[0] if found else None

    def name(self, lang: str) -> str:
        """The preferred label in ``lang``, else in English, French, Spanish, untagged, any."""
        for preferred in (True, False):
            pool = [lb for lb in self.labels if lb.preferred == preferred]
            for want in (lang, "en", "fr", "es", ""):
                for label in pool:
                    if label.lang.lower().split("-")[0] == want:
                        return label.value
            if pool:
                return min(pool, key=lambda lb: (lb.lang, lb.value)).value
        notation = self.first("n")
        return notation or self.iri.rstrip("/").rsplit("/", 1)[-1]


def _prefixes(base: str) -> str:
    return (
        f"PREFIX rg: <{base}ontology#>\nPREFIX rgv: <{base}vocab/>\n"
        f"PREFIX rdfs: <{RDFS}>\nPREFIX skos: <{SKOS}>\nPREFIX foaf: <{FOAF}>\n"
    )


def _packed_query(base: str, classes: Sequence[str], fields: Sequence[tuple[str, str]]) -> str:
    """One row per entity of ``classes``: ``?s``, its class, and ``?items``, every field value
    packed as ``field|lang|uri-encoded value`` separated by spaces (URI encoding leaves no space
    or ``|`` inside an item, whatever the label holds)."""
    branches = " UNION ".join(
        f'{{ {pattern} BIND(CONCAT("{name}|", COALESCE(LANG(?o), ""), "|", '
        f"ENCODE_FOR_URI(STR(?o))) AS ?item) }}"
        for name, pattern in fields
    )
    listed = " ".join(f"rg:{c}" for c in classes)
    return (
        _prefixes(base)
        + "SELECT ?s (SAMPLE(?class) AS ?cls) "
        + '(GROUP_CONCAT(DISTINCT ?item; separator=" ") AS ?items)\n'
        + f"WHERE {{ VALUES ?class {{ {listed} }} ?s a ?class . FILTER(isIRI(?s))\n"
        + f"  {branches} }}\nGROUP BY ?s"
    )


_LABELS = (
    ("p", "?s rdfs:label ?o"),
    ("p", "?s skos:prefLabel ?o"),
    ("a", "?s skos:altLabel ?o"),
)
_CONCEPT_FIELDS = (
    ("p", "?s skos:prefLabel ?o"),
    ("a", "?s skos:altLabel ?o"),
    ("a", "?s rg:uhriLabel ?o"),
    ("n", "?s skos:notation ?o"),
    ("broader", "?s skos:broader ?o"),
)
#: (kinds by class local name, fields) of each index query.
_INDEX_QUERIES: tuple[tuple[dict[str, str], tuple[tuple[str, str], ...]], ...] = (
    (
        {"Territory": _T},
        (
            *_LABELS,
            ("country", "?s rg:countryCode ?o"),
            ("subdivision", "?s rg:subdivisionCode ?o"),
            ("uclg_region", "?s rg:uclgRegion ?o"),
            ("wikidata", "?s rg:wikidataId ?o"),
            ("geonames", "?s rg:geonamesId ?o"),
            ("level", "?s rg:level ?o"),
            ("homepage", "?s foaf:homepage ?o"),
            ("example", "?s rg:isExample ?o"),
        ),
    ),
    (
        {"Initiative": _I},
        (
            *_LABELS,
            ("led_by", "?s rg:ledBy ?o"),
            ("category", "?s rg:addressesRight ?o"),
            ("group", "?s rg:targetsGroup ?o"),
            ("initiative_type", "?s rg:initiativeType ?o"),
            ("status", "?s rg:status ?o"),
            ("example", "?s rg:isExample ?o"),
        ),
    ),
    ({"RightsCategory": _C}, _CONCEPT_FIELDS),
    ({"RightsHolderGroup": _G}, _CONCEPT_FIELDS),
    (
        {"Country": "country"},
        (
            ("p", "?s skos:prefLabel ?o"),
            ("a", "?s skos:altLabel ?o"),
            ("n", "?s skos:notation ?o"),
            ("m49_region", "?s rg:m49Region ?o"),
            ("m49_subregion", "?s rg:m49SubRegion ?o"),
            ("uclg_region", "?s rg:uclgRegion ?o"),
        ),
    ),
    (
        {
            "UclgRegion": "region",
            "TerritoryLevel": "level",
            "InitiativeType": "initiative_type",
            "InitiativeStatus": "status",
        },
        (("p", "?s skos:prefLabel ?o"), ("n", "?s skos:notation ?o")),
    ),
)


def _unpack(entity: Entity, items: str) -> None:
    for item in items.split():
        name, _, rest = item.partition("|")
        lang, _, encoded = rest.partition("|")
        value = unquote(encoded)
        if not value:
            continue
        if name in ("p", "a"):
            entity.labels.append(Label(lang, value, name == "p"))
        elif name == "example":
            entity.example = entity.example or value.strip().lower() in ("true", "1")
        else:
            entity.values.setdefault(name, []).append(value)
    entity.labels.sort(key=lambda lb: (not lb.preferred, lb.lang, lb.value))
    for values in entity.values.values():
        values.sort()


@dataclass
class Candidate:
    """A scored candidate before it is written out."""

    entity: Entity
    score: float
    name_score: float | None
    properties: dict[str, bool]


class Index:
    """Everything candidate search, suggest, preview and extension need, for one store revision.

    Immutable once built; shared by every request thread.
    """

    def __init__(self, revision: int, base: str, entities: Iterable[Entity]) -> None:
        self.revision = revision
        self.base = base
        self.entities: dict[str, Entity] = {}
        for entity in entities:
            self.entities.setdefault(entity.iri, entity)
        kinds = (*RECONCILABLE, "country", *_VALUE_CLASSES)
        self.by_kind: dict[str, list[Entity]] = {kind: [] for kind in kinds}
        for entity in self.entities.values():
            self.by_kind[entity.kind].append(entity)
        self.countries: dict[str, Entity] = {}
        for country in self.by_kind["country"]:
            for code in country.values.get("n", []):
                self.countries.setdefault(code.upper(), country)
        #: kind -> folded key -> IRIs (labels, codes and identifiers)
        self.keys: dict[str, dict[str, set[str]]] = {kind: {} for kind in kinds}
        for entity in self.entities.values():
            for key in self._keys_of(entity):
                self.keys[entity.kind].setdefault(key, set()).add(entity.iri)
        #: kind -> trigram -> keys (reconcilable kinds only)
        self.grams: dict[str, dict[str, set[str]]] = {}
        self.key_grams: dict[str, frozenset[str]] = {}
        #: kind -> sorted (word-start suffix of a key, rank, IRI) for prefix search
        self.prefixes: dict[str, list[tuple[str, int, str]]] = {}
        for kind in RECONCILABLE:
            postings: dict[str, set[str]] = defaultdict(set)
            entries: set[tuple[str, int, str]] = set()
            for key, iris in self.keys[kind].items():
                grams = self.key_grams.setdefault(key, _trigrams(key))
                for gram in grams:
                    postings[gram].add(key)
                words = key.split(" ")
                for i in range(len(words)):
                    suffix = " ".join(words[i:])
                    entries.update((suffix, 0 if i == 0 else 1, iri) for iri in iris)
            self.grams[kind] = dict(postings)
            self.prefixes[kind] = sorted(entries)
        #: IRI -> property id -> normalised values, for property constraints
        self.match_values: dict[str, dict[str, frozenset[str]]] = {
            e.iri: self._match_values(e) for kind in RECONCILABLE for e in self.by_kind[kind]
        }

    # -- building ----------------------------------------------------------------------------------
    def _keys_of(self, entity: Entity) -> set[str]:
        keys = {fold(label.value) for label in entity.labels}
        keys.update(fold(n) for n in entity.values.get("n", []))
        keys.update(fold(q) for q in entity.values.get("wikidata", []))
        keys.update(fold(g) for g in entity.values.get("geonames", []))
        keys.discard("")
        return keys

    def _ancestors(self, iris: Iterable[str]) -> frozenset[str]:
        """The concepts and every concept broader than them (``skos:broader``, transitively)."""
        seen: set[str] = set()
        todo = list(iris)
        while todo:
            iri = todo.pop()
            if iri in seen:
                continue
            seen.add(iri)
            concept = self.entities.get(iri)
            if concept is not None:
                todo.extend(concept.values.get("broader", []))
        return frozenset(seen)

    def _country_values(self, codes: Iterable[str]) -> dict[str, frozenset[str]]:
        codes = [c.upper() for c in codes]
        regions: set[str] = set()
        for code in codes:
            country = self.countries.get(code)
            if country is not None:
                regions.update(fold(r) for r in country.values.get("m49_region", []))
        return {"country": frozenset(codes), "m49_region": frozenset(regions)}

    def _match_values(self, entity: Entity) -> dict[str, frozenset[str]]:
        v = entity.values
        if entity.kind == _T:
            return {
                **self._country_values(v.get("country", [])),
                "subdivision": frozenset(s.upper() for s in v.get("subdivision", [])),
                "uclg_region": frozenset(v.get("uclg_region", [])),
                "wikidata": frozenset(q.upper() for q in v.get("wikidata", [])),
                "geonames": frozenset(v.get("geonames", [])),
                "level": frozenset(v.get("level", [])),
            }
        if entity.kind == _I:
            leaders = [self.entities[t] for t in v.get("led_by", []) if t in self.entities]
            codes = [c for t in leaders for c in t.values.get("country", [])]
            return {
                **self._country_values(codes),
                "uclg_region": frozenset(
                    r for t in leaders for r in t.values.get("uclg_region", [])
                ),
                "led_by": frozenset(v.get("led_by", [])),
                "category": self._ancestors(v.get("category", [])),
                "group": self._ancestors(v.get("group", [])),
                "initiative_type": frozenset(v.get("initiative_type", [])),
                "status": frozenset(v.get("status", [])),
            }
        return {"notation": frozenset(fold(n) for n in v.get("n", []))}

    # -- reading -----------------------------------------------------------------------------------
    def lookup(self, kind: str, value: str) -> set[str]:
        """IRIs of ``kind`` named exactly ``value`` (IRI, label in any language, code)."""
        entity = self.entities.get(value.strip())
        if entity is not None and entity.kind == kind:
            return {entity.iri}
        return set(self.keys.get(kind, {}).get(fold(value), ()))

    def kind_of(self, iri: str) -> str | None:
        entity = self.entities.get(iri)
        return entity.kind if entity is not None else None


class Reconciler:
    """The reconciliation service over one query engine: keeps the index of the store's current
    revision, rebuilding it (once, under a lock) when a write has changed the revision."""

    def __init__(self, engine: Engine, base: str) -> None:
        self.engine = engine
        self.base = base if base.endswith("/") else base + "/"
        self._lock = threading.Lock()
        self._index: Index | None = None
        #: How many times the index was built (tests check that queries do not rebuild it).
        self.builds = 0

    def index(self) -> Index:
        """The index of the current revision. Raises the engine's errors (``QueryTimeoutError``,
        ``StoreError``) when the store cannot be read."""
        revision = self.engine.revision()
        current = self._index
        if current is not None and current.revision == revision:
            return current
        with self._lock:
            current = self._index
            if current is not None and current.revision == revision:
                return current
            built = Index(revision, self.base, self._read_entities())
            self._index = built
            self.builds += 1
            log.info(
                "reconciliation index built for revision %s: %s entities",
                revision,
                len(built.entities),
            )
            return built

    def _read_entities(self) -> Iterator[Entity]:
        for classes, fields in _INDEX_QUERIES:
            sparql = _packed_query(self.base, list(classes), fields)
            result = self.engine.query(sparql)
            if not isinstance(result, SelectResult):
                continue
            if result.capped:
                log.warning("the reconciliation index is incomplete: a query hit the row cap")
            for subject, cls, items in result.rows:
                if subject is None or cls is None:
                    continue
                kind = classes.get(cls.value.rsplit("#", 1)[-1])
                if kind is None:
                    continue
                entity = Entity(subject.value, kind)
                _unpack(entity, items.value if items is not None else "")
                yield entity

    # -- manifest ----------------------------------------------------------------------------------
    def manifest(self, *, service_url: str, site_url: str, lang: str) -> dict[str, Any]:
        """The service manifest, in ``lang``. ``service_url`` is the endpoint's absolute URL,
        ``site_url`` the service's root (both without a trailing slash)."""
        return {
            "versions": ["0.2"],
            "name": text("service", lang),
            "identifierSpace": self.base,
            "schemaSpace": f"{self.base}ontology#",
            "documentation": f"{site_url}/docs",
            "serviceVersion": __version__,
            "defaultTypes": [{"id": k.iri(self.base), "name": k.name(lang)} for k in KINDS],
            "view": {"url": f"{service_url}/view?id={{{{id}}}}"},
            "preview": {
                "url": f"{service_url}/preview?id={{{{id}}}}&lang={lang}",
                "width": 420,
                "height": 220,
            },
            "suggest": {
                name: {"service_url": service_url, "service_path": f"/suggest/{name}"}
                for name in ("entity", "property", "type")
            },
            "extend": {
                "propose_properties": {
                    "service_url": service_url,
                    "service_path": "/extend/propose",
                },
                "property_settings": [
                    {
                        "name": "limit",
                        "label": text("limit_label", lang),
                        "type": "number",
                        "default": 0,
                        "help_text": text("limit_help", lang),
                    }
                ],
            },
            "batchSize": MAX_BATCH,
        }

    # -- types -------------------------------------------------------------------------------------
    def kind_for(self, type_id: object, *, where: str) -> str:
        """The kind a type id names: the class IRI, ``rg:Territory`` or ``Territory`` (any case).
        Raises ``UnknownTypeError``."""
        if not isinstance(type_id, str):
            raise ReconcileRequestError("a type must be a string", where=where)
        wanted = type_id.strip()
        for kind in KINDS:
            if wanted in (kind.iri(self.base), f"rg:{kind.local}") or (
                wanted.lower() in (kind.local.lower(), kind.key)
            ):
                return kind.key
        known = ", ".join(k.iri(self.base) for k in KINDS)
        raise UnknownTypeError(f"unknown type {wanted[:120]!r}; the types are {known}", where=where)

    def kinds_for(self, types: object, *, where: str) -> tuple[str, ...]:
        """The kinds of a query's ``type`` (a string or a list of strings; none, an empty string
        or an empty list: all)."""
        if types is None or types == "":
            return RECONCILABLE
        if isinstance(types, str):
            return (self.kind_for(types, where=where),)
        if isinstance(types, list):
            if len(types) > len(KINDS) * 4:
                raise ReconcileTooLargeError("too many types", where=where)
            kinds = {self.kind_for(t, where=f"{where}[{i}]") for i, t in enumerate(types)}
            return tuple(k for k in RECONCILABLE if k in kinds) or RECONCILABLE
        raise ReconcileRequestError("type must be a string or a list of strings", where=where)

    def _type_refs(self, kind: str, lang: str) -> list[dict[str, str]]:
        return [_class_ref(kind, self.base, lang)]

    # -- reconciliation ----------------------------------------------------------------------------
    def reconcile_batch(self, batch: object, lang: str) -> dict[str, Any]:
        """Answer a reconciliation query batch (the parsed ``queries`` JSON).

        Raises ``ReconcileRequestError`` (400) for a malformed batch, ``UnknownTypeError`` and
        ``UnknownPropertyError`` (400), ``ReconcileTooLargeError`` (413) for a batch over
        :data:`MAX_BATCH` or a value over its limit.
        """
        if not isinstance(batch, dict):
            raise ReconcileRequestError(
                "queries must be a JSON object mapping query ids to queries", where="queries"
            )
        if len(batch) > MAX_BATCH:
            raise ReconcileTooLargeError(
                f"the batch holds {len(batch)} queries; the limit is {MAX_BATCH} (batchSize)",
                where="queries",
            )
        parsed = {key: self._parse_query(key, query) for key, query in batch.items()}
        index = self.index()
        return {key: {"result": self._answer(index, q, lang)} for key, q in parsed.items()}

    def _parse_query(self, key: str, query: object) -> ParsedQuery:
        where = _where(key)
        if not isinstance(query, dict):
            raise ReconcileRequestError("a query must be a JSON object", where=where)
        unknown = set(query) - {"query", "type", "limit", "properties", "type_strict"}
        if unknown:
            raise ReconcileRequestError(
                f"unknown member(s) {', '.join(sorted(repr(u[:40]) for u in unknown))}; a query "
                "has query, type, limit, properties and type_strict",
                where=where,
            )
        text_query = query.get("query")
        if text_query is not None and not isinstance(text_query, str):
            raise ReconcileRequestError("query must be a string", where=f"{where}.query")
        if text_query is not None and len(text_query) > MAX_QUERY_CHARS:
            raise ReconcileTooLargeError(
                f"the query text is {len(text_query)} characters; the limit is {MAX_QUERY_CHARS}",
                where=f"{where}.query",
            )
        strict = query.get("type_strict")
        if strict is not None and strict not in ("any", "should", "all"):
            raise ReconcileRequestError(
                "type_strict must be any, should or all", where=f"{where}.type_strict"
            )
        kinds = self.kinds_for(query.get("type"), where=f"{where}.type")
        limit = _limit(query.get("limit"), where=f"{where}.limit")
        constraints = self._parse_properties(query.get("properties"), kinds, where=where)
        explicit = query.get("type") is not None
        if constraints:
            applicable = tuple(
                k for k in kinds if all(k in PROPERTY_BY_ID[pid].kinds for pid, _ in constraints)
            )
            if not applicable:
                pids = ", ".join(pid for pid, _ in constraints)
                raise UnknownPropertyError(
                    f"no {'given ' if explicit else ''}type has all the properties {pids}",
                    where=f"{where}.properties",
                )
            kinds = applicable
        has_text = bool(text_query and text_query.strip())
        if not has_text and not constraints:
            raise ReconcileRequestError(
                "a query needs a non-empty query text or at least one property", where=where
            )
        return ParsedQuery(
            text_query.strip() if has_text and text_query else None, kinds, limit, constraints
        )

    def _parse_properties(
        self, properties: object, kinds: tuple[str, ...], *, where: str
    ) -> list[tuple[str, list[object]]]:
        if properties is None:
            return []
        if not isinstance(properties, list):
            raise ReconcileRequestError("properties must be a list", where=f"{where}.properties")
        if len(properties) > MAX_PROPERTIES:
            raise ReconcileTooLargeError(
                f"{len(properties)} properties; the limit is {MAX_PROPERTIES}",
                where=f"{where}.properties",
            )
        out: list[tuple[str, list[object]]] = []
        for i, item in enumerate(properties):
            at = f"{where}.properties[{i}]"
            if not isinstance(item, dict) or "pid" not in item or "v" not in item:
                raise ReconcileRequestError("a property must be an object with pid and v", where=at)
            pid = item["pid"]
            if not isinstance(pid, str):
                raise ReconcileRequestError("pid must be a string", where=f"{at}.pid")
            prop = PROPERTY_BY_ID.get(pid.strip())
            if prop is None or not prop.query:
                known = ", ".join(p.id for p in PROPERTIES if p.query)
                raise UnknownPropertyError(
                    f"unknown property {pid[:80]!r}; queries may use {known}", where=f"{at}.pid"
                )
            if not set(prop.kinds) & set(kinds):
                raise UnknownPropertyError(
                    f"the property {prop.id!r} does not apply to the types asked", where=f"{at}.pid"
                )
            values = item["v"] if isinstance(item["v"], list) else [item["v"]]
            if len(values) > MAX_VALUES:
                raise ReconcileTooLargeError(
                    f"{len(values)} values; the limit is {MAX_VALUES}", where=f"{at}.v"
                )
            for j, value in enumerate(values):
                _check_value(
                    value, where=f"{at}.v[{j}]" if isinstance(item["v"], list) else f"{at}.v"
                )
            out.append((prop.id, values))
        return out

    def _wanted(self, index: Index, pid: str, values: list[object]) -> frozenset[str]:
        """The normalised values a constraint accepts (the union over its values)."""
        wanted: set[str] = set()
        for value in values:
            wanted.update(self._resolve(index, pid, value))
        return frozenset(wanted)

    def _resolve(self, index: Index, pid: str, value: object) -> set[str]:
        if isinstance(value, dict):
            out: set[str] = set()
            ref = value.get("id")
            if isinstance(ref, str):
                out |= self._resolve(index, pid, ref)
            name = value.get("name")
            if not out and isinstance(name, str):
                out |= self._resolve(index, pid, name)
            return out
        if isinstance(value, bool):
            given = str(value).lower()
        elif isinstance(value, int | float):
            given = str(int(value)) if float(value).is_integer() else str(value)
        else:
            given = str(value).strip()
        if not given:
            return set()
        if pid == "country":
            return self._resolve_country(index, given)
        if pid == "subdivision":
            return {given.upper()}
        if pid == "wikidata":
            found = _QID.search(given)
            return {found.group(1).upper()} if found else set()
        if pid == "geonames":
            found = _GEONAMES.match(given)
            return {found.group(1)} if found else set()
        if pid in ("m49_region", "notation"):
            return {fold(given)}
        target = {"uclg_region": "region", "led_by": _T}.get(pid, pid)
        return index.lookup(target, given)

    def _resolve_country(self, index: Index, given: str) -> set[str]:
        if given.startswith(("http://", "https://")):
            country = index.entities.get(given)
            if country is not None and country.kind == "country":
                return {c.upper() for c in country.values.get("n", []) if len(c) == 2}
            return set()
        if _ALPHA2.match(given) or _ALPHA3.match(given):
            country = index.countries.get(given.upper())
            if country is not None:
                return {c.upper() for c in country.values.get("n", []) if len(c) == 2}
            if _ALPHA2.match(given):
                return {given.upper()}
        codes: set[str] = set()
        for iri in index.lookup("country", given):
            codes.update(c.upper() for c in index.entities[iri].values.get("n", []) if len(c) == 2)
        return codes

    def _answer(self, index: Index, query: ParsedQuery, lang: str) -> list[dict[str, Any]]:
        wanted = [(pid, self._wanted(index, pid, values)) for pid, values in query.constraints]
        scored: list[Candidate] = []
        pool: Iterable[tuple[Entity, float | None]]
        if query.text is None:
            pool = ((e, None) for k in query.kinds for e in index.by_kind[k])
        else:
            similar = _name_scores(index, query.text, query.kinds)
            pool = ((index.entities[i], s) for i, s in similar.items())
        for entity, similarity in pool:
            checks: dict[str, bool] = {}
            rejected = False
            for pid, accepted in wanted:
                have = index.match_values.get(entity.iri, {}).get(pid, frozenset())
                if not have:
                    checks[pid] = False
                    if query.text is None:
                        rejected = True
                elif have & accepted:
                    checks[pid] = True
                else:
                    rejected = True
                if rejected:
                    break
            if rejected:
                continue
            name_score = None if similarity is None else round(similarity * 100, 1)
            base_score = 100.0 if name_score is None else name_score
            unknown = sum(1 for ok in checks.values() if not ok)
            score = max(0.0, round(base_score - UNKNOWN_PENALTY * unknown, 1))
            scored.append(Candidate(entity, score, name_score, checks))
        scored.sort(key=lambda c: (-c.score, c.entity.example, c.entity.name(lang), c.entity.iri))
        out = []
        for position, candidate in enumerate(scored[: query.limit]):
            out.append(self._candidate_json(index, candidate, lang, _is_match(scored, position)))
        return out

    def _candidate_json(
        self, index: Index, candidate: Candidate, lang: str, match: bool
    ) -> dict[str, Any]:
        entity = candidate.entity
        features: list[dict[str, Any]] = []
        if candidate.name_score is not None:
            features.append({"id": "name_similarity", "value": candidate.name_score})
        features.extend(
            {"id": f"property_{pid}", "value": ok} for pid, ok in candidate.properties.items()
        )
        body: dict[str, Any] = {
            "id": entity.iri,
            "name": entity.name(lang),
            "score": candidate.score,
            "match": match,
            "type": self._type_refs(entity.kind, lang),
            "features": features,
        }
        description = self.describe(index, entity, lang)
        if description:
            body["description"] = description
        return body

    def describe(self, index: Index, entity: Entity, lang: str) -> str:
        """A short line that tells namesakes apart: where a territory is, who leads an initiative,
        a concept's codes; example data says so."""
        parts: list[str] = []
        if entity.kind == _T:
            level = index.entities.get(entity.first("level") or "")
            if level is not None:
                parts.append(level.name(lang))
            parts.extend(self._country_names(index, entity.values.get("country", []), lang))
            parts.extend(entity.values.get("subdivision", []))
        elif entity.kind == _I:
            for leader in entity.values.get("led_by", []):
                territory = index.entities.get(leader)
                if territory is not None:
                    parts.append(territory.name(lang))
                    parts.extend(
                        self._country_names(index, territory.values.get("country", []), lang)
                    )
        else:
            parts.extend(entity.values.get("n", []))
        if entity.example:
            parts.append(text("example", lang))
        return " · ".join(parts)

    def _country_names(self, index: Index, codes: Iterable[str], lang: str) -> list[str]:
        names = []
        for code in codes:
            country = index.countries.get(code.upper())
            names.append(country.name(lang) if country is not None else code)
        return names

    # -- suggest -----------------------------------------------------------------------------------
    def suggest_entities(
        self, prefix: str, *, cursor: int, limit: int, types: str | None, lang: str
    ) -> dict[str, Any]:
        """Entities whose name (or a word of it, or a code, or their IRI) starts with ``prefix``:
        exact names first, then names starting with it, then names with a word starting with it.
        Raises ``UnknownTypeError`` for an unknown ``types``."""
        kinds = RECONCILABLE if not types else (self.kind_for(types, where="type"),)
        index = self.index()
        wanted = fold(prefix)
        ranked: dict[str, int] = {}
        exact = index.entities.get(prefix.strip())
        if exact is not None and exact.kind in kinds:
            ranked[exact.iri] = -2
        for kind in kinds:
            if not wanted:
                for entity in index.by_kind[kind]:
                    ranked.setdefault(entity.iri, 1)
                continue
            for iri in index.keys[kind].get(wanted, ()):
                ranked[iri] = min(ranked.get(iri, -1), -1)
            entries = index.prefixes[kind]
            start = bisect.bisect_left(entries, (wanted, -1, ""))
            for suffix, rank, iri in _take_while_prefix(entries, start, wanted):
                del suffix
                ranked[iri] = min(ranked.get(iri, rank), rank)
        ordered = sorted(
            ranked.items(),
            key=lambda kv: (
                kv[1],
                index.entities[kv[0]].example,
                fold(index.entities[kv[0]].name(lang)),
                kv[0],
            ),
        )
        result = []
        for iri, _rank in ordered[cursor : cursor + limit]:
            entity = index.entities[iri]
            item: dict[str, Any] = {
                "id": iri,
                "name": entity.name(lang),
                "notable": self._type_refs(entity.kind, lang),
            }
            description = self.describe(index, entity, lang)
            if description:
                item["description"] = description
            result.append(item)
        return {"result": result}

    def suggest_properties(
        self, prefix: str, *, cursor: int, limit: int, types: str | None, lang: str
    ) -> dict[str, Any]:
        """Properties whose id or name (in en, fr or es) starts with ``prefix`` or has a word that
        does, optionally only those of one type."""
        kinds = RECONCILABLE if not types else (self.kind_for(types, where="type"),)
        wanted = fold(prefix)
        found = [
            p
            for p in PROPERTIES
            if set(p.kinds) & set(kinds) and _starts(wanted, [p.id, *p.names.values()])
        ]
        return {
            "result": [
                {"id": p.id, "name": p.name(lang), "description": p.description(lang)}
                for p in found[cursor : cursor + limit]
            ]
        }

    def suggest_types(self, prefix: str, *, cursor: int, limit: int, lang: str) -> dict[str, Any]:
        """Types whose id, local name or name (en, fr, es) starts with ``prefix`` (or a word of
        it does)."""
        wanted = fold(prefix)
        found = [
            k for k in KINDS if _starts(wanted, [k.local, k.iri(self.base), *k.names.values()])
        ]
        return {
            "result": [
                {"id": k.iri(self.base), "name": k.name(lang), "description": k.description(lang)}
                for k in found[cursor : cursor + limit]
            ]
        }

    # -- preview -----------------------------------------------------------------------------------
    def preview(self, iri: str, *, lang: str, page_url: str | None) -> str | None:
        """A small HTML card about one entity (None if the index does not hold it): name, type,
        where it is, identifiers. Every value is HTML-escaped; the only links are ones the
        service builds (Wikidata, GeoNames, its own page) and ``http(s)`` websites."""
        index = self.index()
        entity = index.entities.get(iri)
        if entity is None or entity.kind not in RECONCILABLE:
            return None
        rows: list[tuple[str, str]] = []

        def add(pid: str, cell: str) -> None:
            if cell:
                rows.append((PROPERTY_BY_ID[pid].name(lang), cell))

        def refs(iris: Iterable[str], most: int = 6) -> str:
            listed = sorted(iris, key=lambda i: _ref_name(index, i, lang))
            cells = [html.escape(_ref_name(index, i, lang)) for i in listed[:most]]
            if len(listed) > most:
                cells.append(html.escape(text("more", lang, n=len(listed) - most)))
            return ", ".join(cells)

        v = entity.values
        if entity.kind == _T:
            add(
                "country",
                ", ".join(
                    f"{html.escape(name)} ({html.escape(code)})"
                    for code, name in zip(
                        v.get("country", []),
                        self._country_names(index, v.get("country", []), lang),
                        strict=True,
                    )
                ),
            )
            add("subdivision", html.escape(", ".join(v.get("subdivision", []))))
            add("level", refs(v.get("level", [])))
            add("uclg_region", refs(v.get("uclg_region", [])))
            for qid in v.get("wikidata", []):
                if _QID.fullmatch(qid):
                    add("wikidata", _link(f"https://www.wikidata.org/wiki/{qid}", qid))
            for gid in v.get("geonames", []):
                if gid.isdigit():
                    add("geonames", _link(f"https://www.geonames.org/{gid}", gid))
            for url in v.get("homepage", [])[:1]:
                if url.startswith(("http://", "https://")):
                    add("homepage", _link(url, url))
        elif entity.kind == _I:
            add("led_by", refs(v.get("led_by", [])))
            leaders = [index.entities[t] for t in v.get("led_by", []) if t in index.entities]
            add(
                "country",
                html.escape(
                    ", ".join(
                        self._country_names(
                            index, [c for t in leaders for c in t.values.get("country", [])], lang
                        )
                    )
                ),
            )
            add("initiative_type", refs(v.get("initiative_type", [])))
            add("status", refs(v.get("status", [])))
            add("category", refs(v.get("category", [])))
            add("group", refs(v.get("group", [])))
        else:
            add("notation", html.escape(", ".join(v.get("n", []))))
            add("broader", refs(v.get("broader", [])))
        name = html.escape(entity.name(lang))
        kind = html.escape(KIND_BY_KEY[entity.kind].name(lang))
        table = "".join(
            f"<tr><th>{html.escape(k[:1].upper() + k[1:])}</th><td>{cell}</td></tr>"
            for k, cell in rows
        )
        example = (
            f'<p class="example">{html.escape(text("example_note", lang))}</p>'
            if entity.example
            else ""
        )
        iri_cell = _link(page_url, entity.iri) if page_url else html.escape(entity.iri)
        return (
            f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
            f"<title>{name}</title><style>{_PREVIEW_CSS}</style></head><body>"
            f'<article><h1>{name}</h1><p class="type">{kind}</p>{example}'
            f"<table>{table}</table>"
            f'<p class="iri">{iri_cell}</p></article></body></html>'
        )

    # -- data extension ----------------------------------------------------------------------------
    def propose_properties(
        self, type_id: str | None, *, limit: int | None, lang: str
    ) -> dict[str, Any]:
        """The properties data extension offers for a type (every type when none is given).
        Raises ``UnknownTypeError``."""
        kinds = RECONCILABLE if not type_id else (self.kind_for(type_id, where="type"),)
        found = [p for p in PROPERTIES if p.extend and set(p.kinds) & set(kinds)]
        if limit is not None:
            found = found[:limit]
        body: dict[str, Any] = {
            "type": type_id or "",
            "properties": [
                {"id": p.id, "name": p.name(lang), "description": p.description(lang)}
                for p in found
            ],
        }
        if limit is not None:
            body["limit"] = limit
        return body

    def extend(self, request: object, lang: str) -> dict[str, Any]:
        """Answer a data extension query ``{ids, properties}`` with one SPARQL query.

        Ids the index does not hold as a territory, initiative, category or group get empty
        values. Raises ``ReconcileRequestError`` (400) for a malformed query,
        ``UnknownPropertyError`` (400), ``ReconcileTooLargeError`` (413).
        """
        ids, wanted = self._parse_extend(request)
        index = self.index()
        known = sorted({i for i in ids if index.kind_of(i) in RECONCILABLE})
        values: dict[tuple[str, str], set[str]] = defaultdict(set)
        if known and wanted:
            sparql = _extend_query(self.base, known, [pid for pid, _ in wanted])
            result = self.engine.query(sparql)
            if isinstance(result, SelectResult):
                for subject, pid, value in result.rows:
                    if subject is not None and pid is not None and value is not None:
                        values[(subject.value, pid.value)].add(value.value)
        rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for entity_id in ids:
            kind = index.kind_of(entity_id)
            row: dict[str, list[dict[str, Any]]] = {}
            for pid, most in wanted:
                prop = PROPERTY_BY_ID[pid]
                found = values.get((entity_id, pid), set()) if kind in prop.kinds else set()
                cells = self._cells(index, prop, kind, found, lang)
                row[pid] = cells[:most] if most else cells
            rows[entity_id] = row
        meta = []
        for pid, _ in wanted:
            prop = PROPERTY_BY_ID[pid]
            item: dict[str, Any] = {"id": pid, "name": prop.name(lang)}
            if prop.values not in ("str", "int", "self"):
                item["type"] = _class_ref(prop.values, self.base, lang)
            meta.append(item)
        return {"meta": meta, "rows": rows}

    def _parse_extend(self, request: object) -> tuple[list[str], list[tuple[str, int]]]:
        if not isinstance(request, dict):
            raise ReconcileRequestError(
                "extend must be a JSON object with ids and properties", where="extend"
            )
        ids = request.get("ids")
        properties = request.get("properties")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ReconcileRequestError("ids must be a list of strings", where="extend.ids")
        if not isinstance(properties, list):
            raise ReconcileRequestError(
                "properties must be a list of {id, settings}", where="extend.properties"
            )
        if len(ids) > MAX_EXTEND_IDS:
            raise ReconcileTooLargeError(
                f"{len(ids)} ids; the limit is {MAX_EXTEND_IDS}", where="extend.ids"
            )
        if len(properties) > MAX_EXTEND_PROPERTIES:
            raise ReconcileTooLargeError(
                f"{len(properties)} properties; the limit is {MAX_EXTEND_PROPERTIES}",
                where="extend.properties",
            )
        wanted: list[tuple[str, int]] = []
        for i, item in enumerate(properties):
            at = f"extend.properties[{i}]"
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise ReconcileRequestError("a property must be an object with an id", where=at)
            prop = PROPERTY_BY_ID.get(item["id"].strip())
            if prop is None or not prop.extend:
                known = ", ".join(p.id for p in PROPERTIES if p.extend)
                raise UnknownPropertyError(
                    f"unknown property {item['id'][:80]!r}; data extension offers {known}",
                    where=f"{at}.id",
                )
            settings = item.get("settings", {})
            if settings is None:
                settings = {}
            if not isinstance(settings, dict):
                raise ReconcileRequestError("settings must be an object", where=f"{at}.settings")
            unknown = set(settings) - {"limit"}
            if unknown:
                raise ReconcileRequestError(
                    f"unknown setting(s) {', '.join(sorted(repr(u[:40]) for u in unknown))}; "
                    "the only setting is limit",
                    where=f"{at}.settings",
                )
            most = _setting_limit(settings.get("limit", 0), where=f"{at}.settings.limit")
            if all(pid != prop.id for pid, _ in wanted):
                wanted.append((prop.id, most))
        return [i.strip() for i in ids], wanted

    def _cells(
        self, index: Index, prop: Property, kind: str | None, found: set[str], lang: str
    ) -> list[dict[str, Any]]:
        if prop.values == "str":
            return [{"str": v} for v in sorted(found)]
        if prop.values == "int":
            cells: list[dict[str, Any]] = []
            for v in sorted(found):
                try:
                    cells.append({"int": int(v)})
                except ValueError:
                    cells.append({"str": v})
            return cells
        iris = (
            [f"{self.base}vocab/countries/{code.upper()}" for code in found]
            if prop.values == "country"
            else sorted(found)
        )
        refs = []
        for iri in sorted(set(iris), key=lambda i: (fold(_ref_name(index, i, lang)), i)):
            if iri.startswith(self.base):
                refs.append({"id": iri, "name": _ref_name(index, iri, lang)})
            else:
                refs.append({"str": iri})
        return refs


@dataclass(frozen=True)
class ParsedQuery:
    """One query of a batch, checked: its text, kinds, limit and property constraints."""

    text: str | None
    kinds: tuple[str, ...]
    limit: int
    constraints: list[tuple[str, list[object]]]


# -- helpers ---------------------------------------------------------------------------------------
_PREVIEW_CSS = (
    "body{font:14px/1.4 system-ui,sans-serif;margin:8px;color:#222}"
    "h1{font-size:17px;margin:0 0 2px}p{margin:2px 0}.type{color:#555}"
    ".example{color:#8a4b00;font-size:12px}table{border-collapse:collapse;margin:6px 0}"
    "th{text-align:left;font-weight:600;padding:1px 8px 1px 0;vertical-align:top;color:#444}"
    "td{padding:1px 0}.iri{font-size:11px;color:#666;word-break:break-all}"
)


def _link(url: str, label: str) -> str:
    return (
        f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">'
        f"{html.escape(label)}</a>"
    )


def _ref_name(index: Index, iri: str, lang: str) -> str:
    entity = index.entities.get(iri)
    if entity is not None:
        return entity.name(lang)
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _where(key: str) -> str:
    shown = key if len(key) <= 60 else key[:57] + "..."
    return shown


def _check_value(value: object, *, where: str) -> None:
    """A property value as the protocol allows: string, number, boolean, or ``{id, name}``."""
    if isinstance(value, str):
        if len(value) > MAX_QUERY_CHARS:
            raise ReconcileTooLargeError(
                f"a value of {len(value)} characters; the limit is {MAX_QUERY_CHARS}", where=where
            )
        return
    if isinstance(value, bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ReconcileRequestError("a number value must be finite", where=where)
        return
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        for member in ("id", "name"):
            given = value.get(member)
            if given is not None and not isinstance(given, str):
                raise ReconcileRequestError(f"{member} must be a string", where=where)
            if isinstance(given, str) and len(given) > MAX_QUERY_CHARS:
                raise ReconcileTooLargeError(f"{member} is too long", where=where)
        return
    raise ReconcileRequestError(
        "a property value must be a string, a number, a boolean or an object with an id",
        where=where,
    )


def _limit(value: object, *, where: str) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ReconcileRequestError("limit must be a positive integer", where=where)
    if not math.isfinite(value) or not float(value).is_integer() or value < 1:
        raise ReconcileRequestError("limit must be a positive integer", where=where)
    return min(int(value), MAX_LIMIT)


def _setting_limit(value: object, *, where: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ReconcileRequestError("limit must be a whole number, 0 for all", where=where)
    if not math.isfinite(value) or not float(value).is_integer() or value < 0:
        raise ReconcileRequestError("limit must be a whole number, 0 for all", where=where)
    return int(value)


def _starts(wanted: str, names: Iterable[str]) -> bool:
    if not wanted:
        return True
    for name in names:
        folded = fold(name)
        if folded.startswith(wanted) or f" {folded}".find(f" {wanted}") >= 0:
            return True
    return False


def _take_while_prefix(
    entries: list[tuple[str, int, str]], start: int, prefix: str
) -> Iterator[tuple[str, int, str]]:
    for i in range(start, len(entries)):
        if not entries[i][0].startswith(prefix):
            return
        yield entries[i]


def _name_scores(index: Index, query: str, kinds: Sequence[str]) -> dict[str, float]:
    """Similarity (0-1) of the query to each entity of ``kinds`` that resembles it: 1 for an exact
    folded label, code, identifier or IRI; else the best ``SequenceMatcher`` ratio over the
    labels shortlisted by shared trigrams."""
    scores: dict[str, float] = {}
    by_iri = index.entities.get(query)
    if by_iri is not None and by_iri.kind in kinds:
        scores[by_iri.iri] = 1.0
    folded = fold(query)
    if not folded:
        return scores
    grams = _trigrams(folded)
    matcher = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(folded)  # the query is compared with many labels: analysed once
    for kind in kinds:
        keys = index.keys[kind]
        for iri in keys.get(folded, ()):
            scores[iri] = 1.0
        shared: Counter[str] = Counter()
        postings = index.grams[kind]
        for gram in grams:
            shared.update(postings.get(gram, ()))
        dice = {
            key: 2 * count / (len(grams) + len(index.key_grams[key]))
            for key, count in shared.items()
        }
        shortlist = sorted(dice.items(), key=lambda kv: (-kv[1], kv[0]))[:_SHORTLIST]
        for key, overlap in shortlist:
            if key == folded or overlap < _MIN_DICE:
                continue
            matcher.set_seq1(key)
            if matcher.real_quick_ratio() < _MIN_SIMILARITY:
                continue
            if matcher.quick_ratio() < _MIN_SIMILARITY:
                continue
            ratio = matcher.ratio()
            if ratio < _MIN_SIMILARITY:
                continue
            for iri in keys[key]:
                if scores.get(iri, 0.0) < ratio:
                    scores[iri] = ratio
    return scores


def _is_match(scored: list[Candidate], position: int) -> bool:
    """The match rule (see the module's docstring): the best candidate only, strong enough, with
    no rival within the margin, and every given property known and equal."""
    if position != 0 or not scored:
        return False
    best = scored[0]
    if best.score < MATCH_SCORE or not all(best.properties.values()):
        return False
    return not any(c.score >= best.score - MATCH_MARGIN for c in scored[1:])


#: Data extension: SPARQL patterns (``?s`` -> ``?v``) per property; territories and initiatives
#: are told apart by the pattern itself (only initiatives have ``rg:ledBy``).
_EXTEND_PATTERNS: dict[str, tuple[str, ...]] = {
    "country": ("?s a rg:Territory ; rg:countryCode ?v .", "?s rg:ledBy/rg:countryCode ?v ."),
    "subdivision": ("?s rg:subdivisionCode ?v .",),
    "uclg_region": ("?s a rg:Territory ; rg:uclgRegion ?v .", "?s rg:ledBy/rg:uclgRegion ?v ."),
    "m49_region": (
        "?s a rg:Territory ; rg:countryCode ?cc . "
        'BIND(IRI(CONCAT(STR(rgv:), "countries/", UCASE(STR(?cc)))) AS ?c) ?c rg:m49Region ?v .',
        "?s rg:ledBy/rg:countryCode ?cc . "
        'BIND(IRI(CONCAT(STR(rgv:), "countries/", UCASE(STR(?cc)))) AS ?c) ?c rg:m49Region ?v .',
    ),
    "wikidata": ("?s rg:wikidataId ?v .",),
    "geonames": ("?s rg:geonamesId ?v .",),
    "level": ("?s rg:level ?v .",),
    "homepage": ("?s foaf:homepage ?v .",),
    "population": ("?s rg:population ?v .",),
    "led_by": ("?s rg:ledBy ?v .",),
    "category": ("?s rg:addressesRight ?v .",),
    "group": ("?s rg:targetsGroup ?v .",),
    "initiative_type": ("?s rg:initiativeType ?v .",),
    "status": ("?s rg:status ?v .",),
    "notation": ("?s skos:notation ?v .",),
    "broader": ("?s skos:broader ?v .",),
}


def _extend_query(base: str, ids: Sequence[str], pids: Sequence[str]) -> str:
    """One query for every (entity, property, value) of a data extension batch. The ids are IRIs
    the index holds (so they are valid IRIs); they are written through pyoxigraph's serialiser."""
    values = " ".join(str(ox.NamedNode(i)) for i in ids)
    branches = " UNION ".join(
        f'{{ {pattern} BIND("{pid}" AS ?pid) }}'
        for pid in pids
        for pattern in _EXTEND_PATTERNS[pid]
    )
    return (
        _prefixes(base)
        + f"SELECT DISTINCT ?s ?pid ?v WHERE {{ VALUES ?s {{ {values} }}\n  {branches} }}"
    )


def language_or_none(value: str | None) -> str | None:
    """``value`` reduced to its primary subtag if it is a language tag, else None."""
    if value is None or not _LANG_TAG.match(value.strip()):
        return None
    return value.strip().split("-")[0].lower()


def page_path(iri: str, base: str) -> str | None:
    """The service path that shows ``iri`` (``/id/...``, ``/vocab/...``), None when the IRI is not
    under the base."""
    if not iri.startswith(base) or len(iri) == len(base):
        return None
    rest = iri[len(base) :]
    return "/" + quote(rest, safe="/:@!$&'()*+,;=-._~%#")


__all__ = [
    "KINDS",
    "MAX_BATCH",
    "MAX_BODY_BYTES",
    "PROPERTIES",
    "Index",
    "ReconcileRequestError",
    "ReconcileTooLargeError",
    "Reconciler",
    "UnknownPropertyError",
    "UnknownTypeError",
    "fold",
    "language_or_none",
    "page_path",
]
