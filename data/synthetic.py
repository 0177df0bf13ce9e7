"""Synthetic campaign graphs: fictional territories, memberships and initiatives, streamed as RDF.

The generator serves two needs that real data cannot: benchmarks need graphs of any size (100,000
territories with 10 initiatives each, about ten million triples) and demos and tests need a
dataset that looks real without claiming anything about a real place. It therefore

- writes RDF with string formatting, not rdflib, one resource at a time, so that memory stays flat
  and ten million triples stream in well under a minute;
- gives the example dataset the shape of real submissions (labels in en/fr/es and the local
  language, level, country, ISO 3166-2 subdivision, UCLG region, population, coordinates,
  membership, initiatives with types, statuses, dates, rights, groups, instruments and SDGs) and
  gives benchmark graphs a lean version of it (the core statements only, exactly the requested
  number of initiatives per territory, about 100 triples per territory with 10), so that sizes
  match the project's reference figures;
- keeps, in both, a realistic skew (many initiatives on housing, non-discrimination and
  participation, few on digital or extraterritorial rights; common intersections such as
  migrants with women and girls) and titles made of real words, for text search;
- marks every resource with ``rg:isExample true`` and mints every IRI under
  ``rgid:territory/example/`` or ``rgid:initiative/example/``, so example data can never be taken
  for, or overwrite, a real territory; the place names are invented.

The UCLG region of each country is read from the packaged countries vocabulary
(``ontology/vocab/countries.ttl``), so generated territories agree with the region the project
derives for their country. IRIs are written with the default base, like every packaged file;
:func:`rightsgraph.iri.rebase` rewrites them for another base.

>>> lines = list(generate(2, seed=1))
>>> all(line.endswith(" .\\n") for line in lines)
True
>>> lines == list(generate(2, seed=1))
True
"""

from __future__ import annotations

import argparse
import logging
import random
import re
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

import pycountry
import pyoxigraph

from rightsgraph import iri
from rightsgraph.resources import read_text

__all__ = [
    "EXAMPLE_INITIATIVES_PER_TERRITORY",
    "EXAMPLE_SEED",
    "EXAMPLE_TERRITORIES",
    "GEOGRAPHIC_REGIONS",
    "Detail",
    "country_regions",
    "example_trig",
    "generate",
    "main",
]

log = logging.getLogger(__name__)

#: The fixed parameters of the packaged example dataset (``data/example.trig``).
EXAMPLE_SEED = 2030
EXAMPLE_TERRITORIES = 70
EXAMPLE_INITIATIVES_PER_TERRITORY = 16

#: The seven geographic UCLG regions (the Metropolis section is not a geographic region).
GEOGRAPHIC_REGIONS: tuple[str, ...] = (
    "africa",
    "asia-pacific",
    "eurasia",
    "europe",
    "latin-america",
    "middle-east-west-asia",
    "north-america",
)

Format = Literal["nquads", "trig"]
#: How much each resource says: ``"full"`` (everything a submission would carry) or ``"lean"``
#: (the core statements only, about 100 triples per territory with ten initiatives).
Detail = Literal["lean", "full"]

# -------------------------------------------------------------------------------------------------
# Namespaces (default base: packaged files are written with it and rebased on load)
# -------------------------------------------------------------------------------------------------

_BASE = iri.DEFAULT_BASE
_RG = _BASE + "ontology#"
_ID = _BASE + "id/"
_VOCAB = _BASE + "vocab/"
_GRAPH = _BASE + "graph/"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_DCT = "http://purl.org/dc/terms/"
_SCHEMA = "https://schema.org/"
_WGS = "http://www.w3.org/2003/01/geo/wgs84_pos#"
_FOAF = "http://xmlns.com/foaf/0.1/"
_SDG = "http://metadata.un.org/sdg/"

_EXAMPLE_TERRITORY = _ID + "territory/example/"
_EXAMPLE_INITIATIVE = _ID + "initiative/example/"
_EXAMPLE_GRAPH = _GRAPH + "example"
_CAMPAIGN = _ID + "campaign/10-100-1000"

#: Prefixes of the TriG output, longest namespace first so that compaction picks the closest one.
_PREFIXES: tuple[tuple[str, str], ...] = tuple(
    sorted(
        {
            "rg": _RG,
            "rgg": _GRAPH,
            "rights": _VOCAB + "rights/",
            "groups": _VOCAB + "groups/",
            "itype": _VOCAB + "initiative-types/",
            "istatus": _VOCAB + "initiative-status/",
            "mstatus": _VOCAB + "membership-status/",
            "level": _VOCAB + "territory-levels/",
            "region": _VOCAB + "uclg-regions/",
            "instrument": _VOCAB + "instruments/",
            "sdg": _SDG,
            "rdf": _RDF,
            "rdfs": _RDFS,
            "dcterms": _DCT,
            "schema": _SCHEMA,
            "wgs": _WGS,
            "foaf": _FOAF,
            "xsd": _XSD,
        }.items(),
        key=lambda item: -len(item[1]),
    )
)


def _i(value: str) -> str:
    return f"<{value}>"


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _escape(text: str) -> str:
    # translate() is slow; most texts need no escaping, and four membership tests are cheap.
    if '"' in text or "\\" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


def _lit(text: str, lang: str) -> str:
    return f'"{_escape(text)}"@{lang}'


def _str(text: str) -> str:
    return f'"{_escape(text)}"'


def _typed(lexical: str, datatype: str) -> str:
    return f'"{lexical}"^^<{_XSD}{datatype}>'


# Predicates and constant objects, formatted once.
_A = _i(_RDF + "type")
_LABEL = _i(_RDFS + "label")
_DESCRIPTION = _i(_DCT + "description")
_TITLE = _i(_DCT + "title")
_SOURCE = _i(_DCT + "source")
_LANGUAGE = _i(_DCT + "language")
_IS_EXAMPLE = _i(_RG + "isExample")
_TRUE = _typed("true", "boolean")
_LEVEL = _i(_RG + "level")
_COUNTRY_CODE = _i(_RG + "countryCode")
_SUBDIVISION = _i(_RG + "subdivisionCode")
_UCLG_REGION = _i(_RG + "uclgRegion")
_POPULATION = _i(_RG + "population")
_POPULATION_YEAR = _i(_RG + "populationYear")
_LAT = _i(_WGS + "lat")
_LONG = _i(_WGS + "long")
_HOMEPAGE = _i(_FOAF + "homepage")
_CONTACT_POINT = _i(_RG + "contactPoint")
_EMAIL = _i(_SCHEMA + "email")
_NAME = _i(_SCHEMA + "name")
_MEMBER = _i(_RG + "member")
_CAMPAIGN_P = _i(_RG + "campaign")
_JOINED_ON = _i(_RG + "joinedOn")
_MEMBERSHIP_STATUS = _i(_RG + "membershipStatus")
_IN_WAVE = _i(_RG + "inWave")
_INITIATIVE_TYPE = _i(_RG + "initiativeType")
_LED_BY = _i(_RG + "ledBy")
_STATUS = _i(_RG + "status")
_START = _i(_SCHEMA + "startDate")
_END = _i(_SCHEMA + "endDate")
_ADDRESSES = _i(_RG + "addressesRight")
_TARGETS = _i(_RG + "targetsGroup")
_IMPLEMENTS = _i(_RG + "implementsInstrument")
_SDG_P = _i(_RG + "contributesToSdg")

_C_TERRITORY = _i(_RG + "Territory")
_C_INITIATIVE = _i(_RG + "Initiative")
_C_MEMBERSHIP = _i(_RG + "Membership")
_C_CONTACT = _i(_SCHEMA + "ContactPoint")
_C_EXAMPLE_DATA = _i(_RG + "ExampleData")
_O_CAMPAIGN = _i(_CAMPAIGN)


def _vocab(scheme: str, code: str) -> str:
    return _i(f"{_VOCAB}{scheme}/{code}")


# -------------------------------------------------------------------------------------------------
# Countries: local language, naming style and a rough populated area (centre and half-extent in
# degrees). Regions come from the countries vocabulary, not from this table.
# -------------------------------------------------------------------------------------------------

# code: (language, naming style, latitude, longitude, latitude half-extent, longitude half-extent)
_COUNTRIES: dict[str, tuple[str, str, float, float, float, float]] = {
    # Africa
    "SN": ("fr", "westafrica", 14.5, -14.5, 1.5, 1.8),
    "CI": ("fr", "westafrica", 7.5, -5.5, 2.0, 2.0),
    "CM": ("fr", "westafrica", 5.7, 12.0, 2.5, 2.0),
    "GH": ("en", "westafrica", 7.0, -1.2, 2.0, 1.2),
    "NG": ("en", "westafrica", 9.0, 7.5, 3.0, 4.0),
    "KE": ("en", "bantu", -0.5, 37.0, 2.0, 2.0),
    "ZA": ("en", "bantu", -29.0, 26.0, 3.5, 4.5),
    "MZ": ("pt", "bantu", -19.0, 34.5, 5.0, 2.0),
    "AO": ("pt", "bantu", -11.5, 16.5, 3.5, 3.0),
    "MA": ("ar", "ar", 32.5, -6.5, 2.0, 2.5),
    "TN": ("ar", "ar", 35.0, 9.8, 1.6, 0.8),
    # Asia-Pacific
    "KR": ("ko", "ko", 36.3, 127.8, 1.4, 1.0),
    "JP": ("ja", "ja", 35.8, 137.5, 2.5, 3.5),
    "AU": ("en", "en", -33.0, 147.0, 5.0, 6.0),
    "NZ": ("en", "en", -40.5, 174.5, 3.0, 2.5),
    "PH": ("en", "es", 12.5, 122.5, 4.0, 2.0),
    # Eurasia
    "RU": ("ru", "ru", 55.0, 45.0, 4.0, 12.0),
    "KZ": ("ru", "ru", 48.5, 68.0, 4.0, 10.0),
    "BY": ("ru", "ru", 53.5, 28.0, 1.5, 3.0),
    "KG": ("ru", "ru", 41.5, 74.5, 1.0, 3.0),
    # Europe
    "ES": ("es", "es", 40.0, -3.7, 3.0, 4.0),
    "FR": ("fr", "fr", 46.5, 2.5, 3.0, 3.5),
    "BE": ("fr", "fr", 50.6, 4.5, 0.6, 1.2),
    "DE": ("de", "de", 51.0, 10.3, 2.5, 3.5),
    "AT": ("de", "de", 47.6, 14.0, 0.6, 2.5),
    "CH": ("de", "de", 47.0, 8.2, 0.5, 1.5),
    "IT": ("it", "it", 42.5, 12.8, 3.5, 3.0),
    "PT": ("pt", "pt", 39.8, -8.2, 2.0, 0.8),
    "GB": ("en", "en", 53.0, -1.8, 2.5, 1.8),
    "IE": ("en", "en", 53.2, -8.0, 1.2, 1.5),
    # Latin America
    "MX": ("es", "es", 21.5, -101.0, 4.0, 6.0),
    "AR": ("es", "es", -33.0, -63.0, 5.0, 4.0),
    "CO": ("es", "es", 5.0, -74.5, 3.0, 2.0),
    "CL": ("es", "es", -34.0, -71.0, 5.0, 0.8),
    "PE": ("es", "es", -10.0, -76.0, 4.0, 2.0),
    "EC": ("es", "es", -1.5, -78.6, 1.5, 1.0),
    "UY": ("es", "es", -33.0, -56.0, 1.5, 1.5),
    "CR": ("es", "es", 9.9, -84.1, 0.6, 0.8),
    "BO": ("es", "es", -17.0, -65.0, 3.0, 3.0),
    "BR": ("pt", "pt", -15.0, -47.0, 8.0, 7.0),
    "HT": ("fr", "fr", 18.8, -72.5, 0.5, 1.0),
    # Middle East and West Asia
    "TR": ("tr", "tr", 39.0, 33.0, 2.0, 6.0),
    "JO": ("ar", "ar", 31.5, 36.0, 1.0, 0.6),
    "LB": ("ar", "ar", 33.8, 35.7, 0.5, 0.3),
    "PS": ("ar", "ar", 31.9, 35.2, 0.4, 0.2),
    "IQ": ("ar", "ar", 33.0, 44.0, 3.0, 3.0),
    "OM": ("ar", "ar", 22.0, 57.5, 2.0, 2.0),
    "AE": ("ar", "ar", 24.5, 55.0, 0.8, 1.2),
    # North America
    "CA": ("en", "en", 47.0, -90.0, 4.0, 28.0),
    "US": ("en", "en", 38.0, -96.0, 7.0, 22.0),
}

#: Subdivisions whose local language differs from the country's.
_SUBDIVISION_LANGUAGE = {"CA-QC": "fr", "CH-GE": "fr", "CH-VD": "fr", "CH-NE": "fr", "CH-JU": "fr"}

#: Share of benchmark territories per region (real campaigns are not evenly spread).
_REGION_WEIGHTS = {
    "europe": 30,
    "latin-america": 22,
    "africa": 14,
    "asia-pacific": 14,
    "middle-east-west-asia": 8,
    "north-america": 6,
    "eurasia": 6,
}


@lru_cache(maxsize=1)
def country_regions() -> dict[str, str]:
    """The UCLG region code of each country, read from the packaged countries vocabulary.

    Raises ``FileNotFoundError`` if ``ontology/vocab/countries.ttl`` is not packaged and
    ``SyntaxError`` if it does not parse.
    """
    text = read_text("ontology", "vocab/countries.ttl")
    countries = _VOCAB + "countries/"
    regions = _VOCAB + "uclg-regions/"
    predicate = _RG + "uclgRegion"
    out: dict[str, str] = {}
    for quad in pyoxigraph.parse(text, format=pyoxigraph.RdfFormat.TURTLE):
        subject, obj = quad.subject, quad.object
        if (
            quad.predicate.value == predicate
            and isinstance(subject, pyoxigraph.NamedNode)
            and subject.value.startswith(countries)
            and isinstance(obj, pyoxigraph.NamedNode)
            and obj.value.startswith(regions)
        ):
            out[subject.value[len(countries) :]] = obj.value[len(regions) :]
    return out


@lru_cache(maxsize=1)
def _countries_by_region() -> dict[str, tuple[str, ...]]:
    """The countries of the table grouped by their vocabulary region, each region sorted."""
    regions = country_regions()
    grouped: dict[str, list[str]] = {region: [] for region in GEOGRAPHIC_REGIONS}
    for code in sorted(_COUNTRIES):
        region = regions.get(code)
        if region in grouped:
            grouped[region].append(code)
        else:
            log.debug("country %s has no geographic UCLG region in the vocabulary; skipped", code)
    return {region: tuple(codes) for region, codes in grouped.items()}


@cache
def _subdivisions(country: str) -> tuple[str, ...]:
    """Top-level ISO 3166-2 codes of a country (overseas dependencies left out), sorted."""
    found = pycountry.subdivisions.get(country_code=country) or []
    codes = [
        s.code
        for s in found
        if s.parent_code is None and "verseas" not in s.type and "ependenc" not in s.type
    ]
    return tuple(sorted(codes))


# -------------------------------------------------------------------------------------------------
# Fictional place names
# -------------------------------------------------------------------------------------------------

# style: (starts, middles, ends, prefixes); each part is (native, latin); a Latin-script style has
# native == latin. Middles may be empty. Names are assembled from invented syllables so that they
# read as plausible in the local language while being unlikely to name a real place.
_Part = tuple[str, str]
_Style = tuple[tuple[_Part, ...], tuple[_Part, ...], tuple[_Part, ...], tuple[_Part, ...]]


def _latin(*words: str) -> tuple[_Part, ...]:
    return tuple((w, w) for w in words)


_STYLES: dict[str, _Style] = {
    "es": (
        _latin("Val", "Mor", "Sal", "Cas", "Ber", "Tor", "Alm", "Mon", "Riv", "Lur", "Garb",
               "Ester", "Pel", "Cor", "Vil", "Marz", "Ar", "Bel", "Cer", "Fuen"),
        _latin("a", "e", "o", "ar", "en", "or", "al", "el", "i"),
        _latin("dera", "rejo", "nillo", "quera", "vares", "lanca", "rrosa", "tiel", "mira",
               "llena", "doza", "guilla", "tona", "nares", "cedo"),
        _latin("San ", "Villa ", "Puerto ", "Santa ", "La ", "El "),
    ),
    "fr": (
        _latin("Beau", "Mont", "Val", "Bel", "Roche", "Fon", "Ver", "Char", "Mar", "Lou", "Bri",
               "Cor", "Sau", "Pré", "Gran", "Aub"),
        _latin("e", "er", "an", "ou", "i", "ar", "el"),
        _latin("ville", "court", "mont", "lac", "bourg", "dun", "ignac", "anne", "oux", "ières",
               "eval", "oire", "euil", "ans", "ac"),
        _latin("Saint-", "Sainte-", "Le ", "La "),
    ),
    "de": (
        _latin("Ahl", "Bren", "Dorn", "Eich", "Fal", "Gret", "Hol", "Kirn", "Lam", "Mor", "Nied",
               "Ost", "Ritt", "Sel", "Tann", "Wend"),
        _latin("e", "en", "er", "in", "ers", "el"),
        _latin("bach", "berg", "dorf", "feld", "hausen", "heim", "stein", "au", "stadt",
               "ingen", "brück", "wald"),
        _latin("Ober", "Unter", "Neu", "Alt"),
    ),
    "it": (
        _latin("Ca", "Ro", "Fio", "Mon", "Val", "Ser", "Bor", "Lu", "Pie", "Ter", "Ma", "Sor"),
        _latin("ra", "ve", "li", "na", "ter", "ro", "sa"),
        _latin("ello", "ano", "ino", "ate", "ora", "iglio", "esco", "uzzo", "enna", "aro"),
        _latin("San ", "Borgo ", "Castel ", "Villa "),
    ),
    "pt": (
        _latin("Ara", "Bel", "Cam", "Flor", "Ita", "Jar", "Lag", "Mir", "Por", "Vi", "Sar", "Tam"),
        _latin("a", "e", "i", "o", "an", "ur"),
        _latin("ópolis", "inho", "eira", "ão", "al", "ema", "anda", "uba", "ama", "elo", "ense"),
        _latin("São ", "Santa ", "Vila ", "Nova "),
    ),
    "en": (
        _latin("Ash", "Brad", "Carl", "Dun", "Elm", "Fair", "Glen", "Hal", "Kel", "Lang", "Mar",
               "Nor", "Pen", "Red", "Stan", "Wel"),
        _latin("ing", "er", "ham", "ley", "o", "by"),
        _latin("ford", "ton", "field", "bury", "wick", "mouth", "brook", "dale", "ridge",
               "stead", "haven"),
        _latin("New ", "Port ", "East ", "West "),
    ),
    "tr": (
        _latin("Kar", "Ak", "Gül", "Yıl", "Ses", "Ayd", "Ert", "Dem", "Çam", "Kuş", "Sar", "Ilg"),
        _latin("a", "e", "ı", "i", "o", "u"),
        _latin("köy", "dere", "pınar", "tepe", "ova", "yurt", "lı", "kent", "han", "ler"),
        _latin("Yeni", "Eski"),
    ),
    "westafrica": (
        _latin("Ako", "Bama", "Dio", "Kou", "Nia", "Oua", "Sé", "Ta", "Zi", "Ba", "Ko", "Ndi"),
        _latin("ra", "ko", "ma", "ne", "ba", "lo"),
        _latin("kro", "ni", "dougou", "bé", "ga", "ssa", "ra", "bo", "né"),
        (),
    ),
    "bantu": (
        _latin("Ki", "Mu", "Nya", "Ma", "Lu", "Chi", "Em", "Mo", "Ka", "Bu"),
        _latin("la", "sa", "ko", "nde", "mbi", "wa", "ru"),
        _latin("ni", "nga", "zi", "ko", "wa", "ne", "la", "mbo", "ti"),
        (),
    ),
    "ko": (
        (("별", "Byeol"), ("솔", "Sol"), ("온", "On"), ("누", "Nu"), ("다", "Da"), ("라", "Ra"),
         ("슬", "Seul"), ("하", "Ha"), ("새", "Sae"), ("빛", "Bit"), ("너", "Neo"), ("여", "Yeo")),
        (("미", "mi"), ("린", "rin"), ("솔", "sol"), ("별", "byeol"), ("온", "on"), ("", "")),
        (("뫼시", "moe-si"), ("들시", "deul-si"), ("내시", "nae-si"), ("빛시", "bit-si"),
         ("누리시", "nuri-si"), ("마루시", "maru-si")),
        (),
    ),
    "ja": (
        (("霧", "Kiri"), ("鈴", "Suzu"), ("萩", "Hagi"), ("柚", "Yuzu"), ("楓", "Kaede"),
         ("鶴", "Tsuru"), ("蛍", "Hotaru"), ("虹", "Niji"), ("澄", "Sumi"), ("雲", "Kumo")),
        (("鈴", "suzu"), ("萩", "hagi"), ("雲", "kumo"), ("澄", "sumi"), ("桐", "kiri")),
        (("台市", "dai-shi"), ("野市", "no-shi"), ("原市", "hara-shi"), ("沢市", "sawa-shi"),
         ("丘市", "oka-shi")),
        (),
    ),
    "ru": (
        (("Вер", "Ver"), ("Лад", "Lad"), ("Сев", "Sev"), ("Тал", "Tal"), ("Зор", "Zor"),
         ("Ярс", "Yars"), ("Кед", "Ked"), ("Руд", "Rud"), ("Снеж", "Snezh"), ("Лун", "Lun")),
        (("о", "o"), ("е", "e"), ("ин", "in"), ("ар", "ar"), ("ов", "ov")),
        (("горск", "gorsk"), ("ово", "ovo"), ("инск", "insk"), ("анск", "ansk"),
         ("овка", "ovka"), ("поль", "pol"), ("ец", "ets")),
        (),
    ),
    "ar": (
        (("سا", "Sa"), ("مي", "Mi"), ("رو", "Ru"), ("لا", "La"), ("ها", "Ha"), ("دي", "Di"),
         ("كا", "Ka"), ("زو", "Zu"), ("بي", "Bi"), ("نو", "Nu"), ("طا", "Ta"), ("فو", "Fu")),
        (("را", "ra"), ("لي", "li"), ("نا", "na"), ("سو", "su"), ("جي", "ji"), ("ما", "ma")),
        (("ر", "r"), ("ن", "n"), ("ل", "l"), ("د", "d"), ("م", "m"), ("ب", "b"), ("ة", "a")),
        (("عين ", "Ain "), ("تل ", "Tal "), ("دير ", "Deir "), ("بئر ", "Bir ")),
    ),
}


def _place_name(rng: random.Random, style: str) -> tuple[str, str]:
    """``(native, latin)`` for one invented place name in a naming style."""
    starts, middles, ends, prefixes = _STYLES[style]
    start, middle, end = rng.choice(starts), rng.choice(middles), rng.choice(ends)
    native = start[0] + middle[0] + end[0]
    latin = start[1] + middle[1] + end[1]
    if prefixes and rng.random() < 0.15:
        prefix = rng.choice(prefixes)
        if prefix[1].endswith((" ", "-")):
            native, latin = prefix[0] + native, prefix[1] + latin
        else:  # a bound prefix: "Ober" + "Ahlenbach" is "Oberahlenbach"
            native = prefix[0] + native[:1].lower() + native[1:]
            latin = prefix[1] + latin[:1].lower() + latin[1:]
    return native, latin[:1].upper() + latin[1:]


# -------------------------------------------------------------------------------------------------
# Initiative texts
# -------------------------------------------------------------------------------------------------

_LOCAL_LANGUAGES = ("de", "it", "pt", "ru", "ar", "tr", "ko", "ja")
_TEXT_LANGUAGES = ("en", "fr", "es", *_LOCAL_LANGUAGES)

_INITIATIVE_TYPES = (
    "policy", "programme", "charter-declaration", "bylaw", "office-ombudsperson",
    "observatory-indicators", "action-plan", "participatory-body", "awareness-campaign",
    "public-service", "network-cooperation", "training",
)
_TYPE_WEIGHTS = (8, 12, 4, 4, 4, 4, 8, 6, 8, 9, 4, 6)

_TYPE_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("Municipal policy", "Programme", "Local charter", "Municipal bylaw", "Rights office",
           "Observatory and indicators", "Action plan", "Participatory council",
           "Awareness campaign", "Public service", "Cooperation network", "Training programme"),
    "fr": ("Politique municipale", "Programme", "Charte locale", "Règlement municipal",
           "Bureau des droits", "Observatoire et indicateurs", "Plan d'action",
           "Conseil participatif", "Campagne de sensibilisation", "Service public",
           "Réseau de coopération", "Programme de formation"),
    "es": ("Política municipal", "Programa", "Carta local", "Ordenanza municipal",
           "Oficina de derechos", "Observatorio e indicadores", "Plan de acción",
           "Consejo participativo", "Campaña de sensibilización", "Servicio público",
           "Red de cooperación", "Programa de formación"),
    "de": ("Kommunale Strategie", "Programm", "Lokale Charta", "Gemeindesatzung",
           "Menschenrechtsbüro", "Beobachtungsstelle und Indikatoren", "Aktionsplan", "Beirat",
           "Sensibilisierungskampagne", "Öffentliche Dienstleistung", "Kooperationsnetzwerk",
           "Schulungsprogramm"),
    "it": ("Politica comunale", "Programma", "Carta locale", "Regolamento comunale",
           "Ufficio per i diritti", "Osservatorio e indicatori", "Piano d'azione",
           "Consulta partecipativa", "Campagna di sensibilizzazione", "Servizio pubblico",
           "Rete di cooperazione", "Programma di formazione"),
    "pt": ("Política municipal", "Programa", "Carta local", "Regulamento municipal",
           "Gabinete de direitos", "Observatório e indicadores", "Plano de ação",
           "Conselho participativo", "Campanha de sensibilização", "Serviço público",
           "Rede de cooperação", "Programa de formação"),
    "ru": ("Муниципальная политика", "Программа", "Местная хартия", "Муниципальное положение",
           "Бюро по правам человека", "Мониторинг и индикаторы", "План действий",
           "Общественный совет", "Информационная кампания", "Общественная услуга",
           "Сеть сотрудничества", "Обучающая программа"),
    "ar": ("سياسة بلدية", "برنامج", "ميثاق محلي", "لائحة بلدية", "مكتب الحقوق",
           "مرصد ومؤشرات", "خطة عمل", "مجلس تشاركي", "حملة توعية", "خدمة عامة", "شبكة تعاون",
           "برنامج تدريبي"),
    "tr": ("Belediye politikası", "Program", "Yerel şart", "Belediye yönetmeliği",
           "Haklar ofisi", "Gözlemevi ve göstergeler", "Eylem planı", "Katılımcı meclis",
           "Farkındalık kampanyası", "Kamu hizmeti", "İşbirliği ağı", "Eğitim programı"),
    "ko": ("지자체 정책", "프로그램", "지역 헌장", "조례", "인권 사무소", "인권 지표와 모니터링",
           "실행 계획", "참여 위원회", "인식 개선 캠페인", "공공서비스", "협력 네트워크",
           "교육 프로그램"),
    "ja": ("自治体の政策", "プログラム", "地域憲章", "条例", "人権相談窓口", "観測と指標",
           "行動計画", "参加型協議会", "啓発キャンペーン", "公共サービス", "協力ネットワーク",
           "研修プログラム"),
}

_RIGHTS = (
    "housing", "non-discrimination", "participatory-democracy", "inclusion",
    "women-men-equality", "violence-against-women", "migrants-rights", "anti-racism",
    "children-rights", "education", "human-rights-education", "health", "water-food",
    "public-services", "cultural-rights", "environment", "sustainable-urban-development",
    "right-to-the-city", "civic-peace-safety", "access-to-justice", "hate-speech", "work",
    "social-security", "commons", "digital-rights", "extraterritorial-rights",
    "assembly-association", "conscience-religion-opinion",
)
#: The skew of real campaign themes: housing, non-discrimination and participation dominate;
#: digital and extraterritorial rights are rare.
_RIGHT_WEIGHTS = (
    14, 12, 11, 9, 6, 5, 6, 5, 4, 5, 5, 5, 4, 4, 4, 4, 3, 4, 3, 3, 2, 2, 2, 1.5, 0.8, 0.3, 1, 1,
)

_RIGHT_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("right to housing", "equality and non-discrimination", "participatory democracy",
           "social inclusion", "equality of women and men", "ending violence against women",
           "migrants' rights", "anti-racism", "children's rights", "right to education",
           "human rights education", "right to health", "clean water and food",
           "accessible public services", "cultural rights", "sustainable environment",
           "sustainable urban development", "right to the city", "civic peace and safety",
           "access to justice", "countering hate speech", "right to work", "social security",
           "urban commons", "digital rights", "extraterritorial rights",
           "freedom of assembly and association", "freedom of opinion and information"),
    "fr": ("droit au logement", "égalité et non-discrimination", "démocratie participative",
           "inclusion sociale", "égalité entre les femmes et les hommes",
           "lutte contre les violences faites aux femmes", "droits des personnes migrantes",
           "lutte contre le racisme", "droits de l'enfant", "droit à l'éducation",
           "éducation aux droits humains", "droit à la santé", "eau potable et alimentation",
           "services publics de proximité", "droits culturels", "environnement durable",
           "développement urbain durable", "droit à la ville", "paix civique et sécurité",
           "accès à la justice", "lutte contre les discours de haine", "droit au travail",
           "sécurité sociale", "biens communs urbains", "droits numériques",
           "droits extraterritoriaux", "liberté de réunion et d'association",
           "liberté d'opinion et d'information"),
    "es": ("derecho a la vivienda", "igualdad y no discriminación", "democracia participativa",
           "inclusión social", "igualdad entre mujeres y hombres",
           "lucha contra la violencia hacia las mujeres", "derechos de las personas migrantes",
           "lucha contra el racismo", "derechos de la infancia", "derecho a la educación",
           "educación en derechos humanos", "derecho a la salud", "agua potable y alimentación",
           "servicios públicos de proximidad", "derechos culturales", "medio ambiente sostenible",
           "desarrollo urbano sostenible", "derecho a la ciudad", "paz cívica y seguridad",
           "acceso a la justicia", "lucha contra los discursos de odio", "derecho al trabajo",
           "seguridad social", "bienes comunes urbanos", "derechos digitales",
           "derechos extraterritoriales", "libertad de reunión y asociación",
           "libertad de opinión e información"),
    "de": ("Recht auf Wohnen", "Gleichstellung und Nichtdiskriminierung",
           "partizipative Demokratie", "soziale Inklusion", "Gleichstellung von Frauen und Männern",
           "Gewalt gegen Frauen beenden", "Rechte von Migrantinnen und Migranten", "Antirassismus",
           "Kinderrechte", "Recht auf Bildung", "Menschenrechtsbildung", "Recht auf Gesundheit",
           "sauberes Wasser und Nahrung", "bürgernahe öffentliche Dienste", "kulturelle Rechte",
           "nachhaltige Umwelt", "nachhaltige Stadtentwicklung", "Recht auf Stadt",
           "öffentlicher Frieden und Sicherheit", "Zugang zur Justiz", "gegen Hassrede",
           "Recht auf Arbeit", "soziale Sicherheit", "städtische Gemeingüter", "digitale Rechte",
           "extraterritoriale Rechte", "Versammlungs- und Vereinigungsfreiheit",
           "Meinungs- und Informationsfreiheit"),
    "it": ("diritto all'abitazione", "uguaglianza e non discriminazione",
           "democrazia partecipativa", "inclusione sociale", "parità tra donne e uomini",
           "contrasto alla violenza sulle donne", "diritti delle persone migranti",
           "antirazzismo", "diritti dell'infanzia", "diritto all'istruzione",
           "educazione ai diritti umani", "diritto alla salute", "acqua potabile e cibo",
           "servizi pubblici di prossimità", "diritti culturali", "ambiente sostenibile",
           "sviluppo urbano sostenibile", "diritto alla città", "pace civica e sicurezza",
           "accesso alla giustizia", "contrasto ai discorsi d'odio", "diritto al lavoro",
           "sicurezza sociale", "beni comuni urbani", "diritti digitali",
           "diritti extraterritoriali", "libertà di riunione e di associazione",
           "libertà di opinione e di informazione"),
    "pt": ("direito à habitação", "igualdade e não discriminação", "democracia participativa",
           "inclusão social", "igualdade entre mulheres e homens",
           "combate à violência contra as mulheres", "direitos das pessoas migrantes",
           "antirracismo", "direitos da criança", "direito à educação",
           "educação em direitos humanos", "direito à saúde", "água potável e alimentação",
           "serviços públicos de proximidade", "direitos culturais", "ambiente sustentável",
           "desenvolvimento urbano sustentável", "direito à cidade", "paz cívica e segurança",
           "acesso à justiça", "combate ao discurso de ódio", "direito ao trabalho",
           "segurança social", "bens comuns urbanos", "direitos digitais",
           "direitos extraterritoriais", "liberdade de reunião e associação",
           "liberdade de opinião e informação"),
    "ru": ("право на жильё", "равенство и недискриминация", "партисипативная демократия",
           "социальная инклюзия", "равенство женщин и мужчин",
           "противодействие насилию в отношении женщин", "права мигрантов",
           "борьба с расизмом", "права ребёнка", "право на образование",
           "образование в области прав человека", "право на здоровье", "чистая вода и питание",
           "доступные общественные услуги", "культурные права", "устойчивая окружающая среда",
           "устойчивое городское развитие", "право на город", "гражданский мир и безопасность",
           "доступ к правосудию", "противодействие языку вражды", "право на труд",
           "социальное обеспечение", "городские общие блага", "цифровые права",
           "экстерриториальные права", "свобода собраний и объединений",
           "свобода мнений и информации"),
    "ar": ("الحق في السكن", "المساواة وعدم التمييز", "الديمقراطية التشاركية",
           "الإدماج الاجتماعي", "المساواة بين النساء والرجال", "مناهضة العنف ضد المرأة",
           "حقوق المهاجرين", "مناهضة العنصرية", "حقوق الطفل", "الحق في التعليم",
           "التثقيف في مجال حقوق الإنسان", "الحق في الصحة", "المياه النظيفة والغذاء",
           "الخدمات العامة القريبة", "الحقوق الثقافية", "البيئة المستدامة",
           "التنمية الحضرية المستدامة", "الحق في المدينة", "السلم المدني والأمن",
           "الوصول إلى العدالة", "مكافحة خطاب الكراهية", "الحق في العمل", "الضمان الاجتماعي",
           "المشاعات الحضرية", "الحقوق الرقمية", "الحقوق خارج الحدود الإقليمية",
           "حرية التجمع وتكوين الجمعيات", "حرية الرأي والمعلومات"),
    "tr": ("barınma hakkı", "eşitlik ve ayrımcılık yasağı", "katılımcı demokrasi",
           "sosyal içerme", "kadın-erkek eşitliği", "kadına yönelik şiddetle mücadele",
           "göçmen hakları", "ırkçılıkla mücadele", "çocuk hakları", "eğitim hakkı",
           "insan hakları eğitimi", "sağlık hakkı", "temiz su ve gıda",
           "erişilebilir kamu hizmetleri", "kültürel haklar", "sürdürülebilir çevre",
           "sürdürülebilir kentsel gelişme", "kent hakkı", "toplumsal barış ve güvenlik",
           "adalete erişim", "nefret söylemiyle mücadele", "çalışma hakkı", "sosyal güvenlik",
           "kentsel müşterekler", "dijital haklar", "sınır ötesi haklar",
           "toplanma ve örgütlenme özgürlüğü", "düşünce ve bilgi edinme özgürlüğü"),
    "ko": ("주거권", "평등과 차별금지", "참여 민주주의", "사회적 포용", "성평등", "여성폭력 근절",
           "이주민 인권", "인종차별 반대", "아동 권리", "교육권", "인권교육", "건강권",
           "깨끗한 물과 식량", "공공서비스 접근성", "문화권", "지속가능한 환경",
           "지속가능한 도시개발", "도시에 대한 권리", "시민의 평화와 안전", "사법 접근성",
           "혐오표현 대응", "노동권", "사회보장", "도시 공유재", "디지털 권리", "역외 인권",
           "집회·결사의 자유", "의견과 정보의 자유"),
    "ja": ("居住の権利", "平等と差別禁止", "参加型民主主義", "社会的包摂", "男女平等",
           "女性に対する暴力の根絶", "移民の権利", "反人種差別", "子どもの権利",
           "教育を受ける権利", "人権教育", "健康への権利", "安全な水と食料", "身近な公共サービス",
           "文化的権利", "持続可能な環境", "持続可能な都市開発", "都市への権利",
           "市民の平和と安全", "司法へのアクセス", "ヘイトスピーチ対策", "労働の権利", "社会保障",
           "都市のコモンズ", "デジタル権", "域外の権利", "集会・結社の自由", "意見と情報の自由"),
}

#: Rights that tend to come together in one initiative.
_RIGHT_PAIRS: dict[str, tuple[str, ...]] = {
    "housing": ("inclusion", "public-services", "right-to-the-city", "social-security"),
    "non-discrimination": ("anti-racism", "migrants-rights", "hate-speech", "inclusion"),
    "participatory-democracy": ("right-to-the-city", "human-rights-education", "commons"),
    "inclusion": ("housing", "non-discrimination", "work"),
    "women-men-equality": ("violence-against-women", "work", "participatory-democracy"),
    "violence-against-women": ("women-men-equality", "health", "access-to-justice"),
    "migrants-rights": ("non-discrimination", "housing", "work", "health"),
    "anti-racism": ("non-discrimination", "hate-speech", "human-rights-education"),
    "children-rights": ("education", "health", "participatory-democracy"),
    "water-food": ("health", "public-services", "environment"),
    "environment": ("sustainable-urban-development", "water-food", "commons"),
}

_GROUPS = (
    "all-inhabitants", "women-girls", "women", "girls", "children", "youth", "older-persons",
    "persons-with-disabilities", "migrants", "refugees-asylum-seekers",
    "internally-displaced-persons", "stateless-persons", "lgbtiq", "indigenous-peoples",
    "minorities", "people-of-african-descent", "roma", "persons-in-poverty", "homeless-persons",
    "human-rights-defenders", "persons-living-with-hiv", "persons-deprived-of-liberty",
    "rural-population", "non-citizens",
)
_GROUP_WEIGHTS = (
    14, 9, 2, 1, 6, 6, 5, 6, 9, 4, 0.7, 0.4, 4, 2, 3, 2, 2, 6, 4, 1.5, 1, 0.7, 1.5, 1,
)
_GROUP_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("all inhabitants", "women and girls", "women", "girls", "children", "young people",
           "older persons", "persons with disabilities", "migrants",
           "refugees and asylum seekers", "internally displaced persons", "stateless persons",
           "LGBTIQ+ persons", "indigenous peoples", "minorities", "people of African descent",
           "Roma", "persons living in poverty", "homeless persons", "human rights defenders",
           "persons living with HIV", "persons deprived of liberty", "rural population",
           "non-citizens"),
    "fr": ("tous les habitants", "femmes et filles", "femmes", "filles", "enfants", "jeunes",
           "personnes âgées", "personnes handicapées", "personnes migrantes",
           "réfugiés et demandeurs d'asile", "personnes déplacées internes",
           "personnes apatrides", "personnes LGBTIQ+", "peuples autochtones", "minorités",
           "personnes d'ascendance africaine", "Roms", "personnes en situation de pauvreté",
           "personnes sans domicile", "défenseurs des droits humains",
           "personnes vivant avec le VIH", "personnes privées de liberté", "population rurale",
           "non-ressortissants"),
    "es": ("todos los habitantes", "mujeres y niñas", "mujeres", "niñas", "niños y niñas",
           "jóvenes", "personas mayores", "personas con discapacidad", "personas migrantes",
           "personas refugiadas y solicitantes de asilo", "personas desplazadas internas",
           "personas apátridas", "personas LGBTIQ+", "pueblos indígenas", "minorías",
           "personas afrodescendientes", "pueblo gitano", "personas en situación de pobreza",
           "personas sin hogar", "defensores de derechos humanos", "personas con VIH",
           "personas privadas de libertad", "población rural", "personas no nacionales"),
}

#: Groups that a right tends to target, and groups that tend to be targeted together.
_RIGHT_GROUPS: dict[str, tuple[str, ...]] = {
    "housing": ("homeless-persons", "persons-in-poverty", "migrants", "older-persons"),
    "migrants-rights": ("migrants", "refugees-asylum-seekers", "non-citizens"),
    "violence-against-women": ("women-girls", "women", "girls"),
    "women-men-equality": ("women-girls", "women"),
    "children-rights": ("children", "girls"),
    "education": ("children", "youth"),
    "anti-racism": ("people-of-african-descent", "minorities", "roma", "migrants"),
    "hate-speech": ("lgbtiq", "minorities", "migrants"),
    "health": ("older-persons", "persons-living-with-hiv", "persons-with-disabilities"),
    "public-services": ("persons-with-disabilities", "older-persons", "rural-population"),
    "social-security": ("persons-in-poverty", "older-persons"),
    "work": ("youth", "migrants", "women"),
    "water-food": ("persons-in-poverty", "rural-population"),
    "civic-peace-safety": ("youth", "human-rights-defenders"),
    "access-to-justice": ("persons-deprived-of-liberty", "persons-in-poverty"),
}
_GROUP_COMPANIONS: dict[str, tuple[str, ...]] = {
    "migrants": ("women-girls", "refugees-asylum-seekers", "children"),
    "women-girls": ("migrants", "persons-in-poverty", "persons-with-disabilities"),
    "refugees-asylum-seekers": ("migrants", "children"),
    "children": ("youth", "persons-in-poverty"),
    "youth": ("children", "lgbtiq"),
    "lgbtiq": ("youth",),
    "older-persons": ("persons-with-disabilities",),
    "homeless-persons": ("persons-in-poverty",),
    "roma": ("children", "women-girls"),
    "persons-in-poverty": ("homeless-persons", "children"),
}

#: Instruments an initiative on a right (or for a group) would typically implement.
_RIGHT_INSTRUMENTS: dict[str, tuple[str, ...]] = {
    "housing": ("icescr", "new-urban-agenda"), "non-discrimination": ("icerd", "iccpr"),
    "participatory-democracy": ("iccpr", "gca"), "inclusion": ("agenda-2030", "gca"),
    "women-men-equality": ("cedaw",), "violence-against-women": ("cedaw",),
    "migrants-rights": ("icmw",), "anti-racism": ("icerd",), "children-rights": ("crc",),
    "education": ("icescr", "crc"), "human-rights-education": ("udhr",),
    "health": ("icescr",), "water-food": ("icescr", "agenda-2030"), "public-services": ("gca",),
    "cultural-rights": ("icescr",), "environment": ("agenda-2030",),
    "sustainable-urban-development": ("new-urban-agenda", "agenda-2030"),
    "right-to-the-city": ("gca", "world-charter-right-to-city", "european-charter"),
    "civic-peace-safety": ("gca",), "access-to-justice": ("iccpr",),
    "hate-speech": ("iccpr", "icerd"), "work": ("icescr",), "social-security": ("icescr",),
    "commons": ("gca",), "digital-rights": ("iccpr",), "extraterritorial-rights": ("icescr",),
    "assembly-association": ("iccpr",), "conscience-religion-opinion": ("iccpr",),
}
_GROUP_INSTRUMENTS = {
    "persons-with-disabilities": "crpd", "children": "crc", "girls": "crc",
    "women-girls": "cedaw", "women": "cedaw", "migrants": "icmw",
}

#: SDG goals and targets (IRIs of ontology/vocab/sdg.ttl). The synthetic data keeps the mappings
#: it was first generated with, so that benchmark graphs stay comparable across versions.
_RIGHT_SDGS: dict[str, tuple[str, ...]] = {
    "housing": ("11", "1.4"), "non-discrimination": ("10", "16"),
    "participatory-democracy": ("16",), "inclusion": ("10",),
    "women-men-equality": ("5", "5.5"), "violence-against-women": ("5.2",),
    "migrants-rights": ("10",), "anti-racism": ("10", "16"), "children-rights": ("4.2", "16"),
    "education": ("4", "4.1"), "human-rights-education": ("4.7",), "health": ("3", "3.8"),
    "water-food": ("6.1", "2.1"), "public-services": ("11", "1.4"), "cultural-rights": ("11",),
    "environment": ("13", "11"), "sustainable-urban-development": ("11",),
    "right-to-the-city": ("11",), "civic-peace-safety": ("16",), "access-to-justice": ("16",),
    "hate-speech": ("16",), "work": ("8", "8.5"), "social-security": ("1.3",),
    "commons": ("11",), "digital-rights": ("9.c",), "extraterritorial-rights": ("17",),
    "assembly-association": ("16",), "conscience-religion-opinion": ("16",),
}

_STATUSES = ("ongoing", "completed", "planned", "discontinued")
_STATUS_WEIGHTS = (55, 22, 13, 10)
_MEMBERSHIP_STATUSES = ("confirmed", "form-received", "pledge-received", "withdrawn")
_MEMBERSHIP_WEIGHTS = (70, 15, 12, 3)

_DESCRIPTION_TEMPLATES = {
    "en": "Fictional example data. {place} – {kind}. Rights: {rights}. Rights holders: {groups}.",
    "fr": "Données d'exemple fictives. {place} – {kind}. Droits : {rights}. "
    "Titulaires de droits : {groups}.",
    "es": "Datos de ejemplo ficticios. {place} – {kind}. Derechos: {rights}. "
    "Titulares de derechos: {groups}.",
}
_LOCAL_DESCRIPTION = {
    "de": "Fiktive Beispieldaten. {place} – {kind}: {rights}.",
    "it": "Dati di esempio fittizi. {place} – {kind}: {rights}.",
    "pt": "Dados de exemplo fictícios. {place} – {kind}: {rights}.",
    "ru": "Вымышленные примерные данные. {place} – {kind}: {rights}.",
    "ar": "بيانات مثال وهمية. {place} – {kind}: {rights}.",
    "tr": "Kurgusal örnek veri. {place} – {kind}: {rights}.",
    "ko": "가상의 예시 데이터. {place} – {kind}: {rights}.",
    "ja": "架空のサンプルデータ。{place} – {kind}：{rights}。",
}
_LIST_SEPARATOR = {"ar": "، ", "ja": "、"}
_TITLE_SEPARATOR = {"fr": " : ", "ja": "："}

_DATASET_TITLE = {
    "en": "RightsGraph example dataset",
    "fr": "Jeu de données d'exemple de RightsGraph",
    "es": "Conjunto de datos de ejemplo de RightsGraph",
}
_DATASET_DESCRIPTION = {
    "en": "Fictional example data for demonstrations and tests, produced by "
    "rightsgraph.data.synthetic (seed {seed}). Every territory, name, figure, contact and "
    "initiative in it is invented: it describes no real place and no real commitment.",
    "fr": "Données d'exemple fictives pour les démonstrations et les tests, produites par "
    "rightsgraph.data.synthetic (graine {seed}). Tous les territoires, noms, chiffres, contacts "
    "et initiatives sont inventés : elles ne décrivent aucun lieu ni aucun engagement réels.",
    "es": "Datos de ejemplo ficticios para demostraciones y pruebas, producidos por "
    "rightsgraph.data.synthetic (semilla {seed}). Todos los territorios, nombres, cifras, "
    "contactos e iniciativas son inventados: no describen ningún lugar ni compromiso reales.",
}
_CONTACT_NAME = {
    "en": "Human rights office", "fr": "Service des droits humains",
    "es": "Oficina de derechos humanos", "de": "Menschenrechtsbüro",
    "it": "Ufficio per i diritti umani", "pt": "Gabinete de direitos humanos",
    "ru": "Отдел по правам человека", "ar": "مكتب حقوق الإنسان", "tr": "İnsan hakları ofisi",
    "ko": "인권 담당관실", "ja": "人権担当課",
}


# -------------------------------------------------------------------------------------------------
# The generator
# -------------------------------------------------------------------------------------------------

_Resource = tuple[str, str, list[tuple[str, str]]]  # (graph, subject, [(predicate, object)])

#: Share of lean initiatives that name an instrument (most full ones name one to three): enough
#: for instrument queries to find something, few enough to keep a territory near 100 triples.
_LEAN_INSTRUMENT_SHARE = 0.3

#: The languages of a lean record: the campaign's three working languages.
_CAMPAIGN_LANGUAGES = ("en", "fr", "es")


def _weighted_distinct(
    rng: random.Random, items: Sequence[str], weights: Sequence[float], k: int
) -> list[str]:
    """``k`` distinct items drawn with the given weights (order of drawing kept)."""
    chosen: list[str] = []
    while len(chosen) < k:
        item = rng.choices(items, weights)[0]
        if item not in chosen:
            chosen.append(item)
    return chosen


def _random_date(rng: random.Random, year: int) -> str:
    return f"{year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _initiative_count(rng: random.Random, upper: int) -> int:
    """How many initiatives a territory of the example dataset reports: at least one, at most
    ``upper``, skewed low.

    Real campaign members report unevenly (most a few, some many), which the example dataset
    shows; the mean is about a third of ``upper``. Benchmark graphs do not use this: every
    territory there has exactly the requested number, so that sizes are predictable.
    """
    return min(upper, 1 + int(upper * rng.random() ** 2.6))


def _choose_rights(rng: random.Random) -> list[str]:
    k = rng.choices((1, 2, 3, 4), (35, 35, 20, 10))[0]
    rights = _weighted_distinct(rng, _RIGHTS, _RIGHT_WEIGHTS, 1)
    while len(rights) < k:
        pairs = _RIGHT_PAIRS.get(rights[0], ())
        candidate = (
            rng.choice(pairs)
            if pairs and rng.random() < 0.5
            else rng.choices(_RIGHTS, _RIGHT_WEIGHTS)[0]
        )
        if candidate not in rights:
            rights.append(candidate)
    return rights


def _choose_groups(rng: random.Random, rights: Sequence[str]) -> list[str]:
    k = rng.choices((1, 2, 3), (50, 35, 15))[0]
    affinity = _RIGHT_GROUPS.get(rights[0], ())
    first = (
        rng.choice(affinity)
        if affinity and rng.random() < 0.6
        else rng.choices(_GROUPS, _GROUP_WEIGHTS)[0]
    )
    groups = [first]
    if first == "all-inhabitants":
        return groups
    attempts = 0
    while len(groups) < k and attempts < 10:
        attempts += 1
        companions = _GROUP_COMPANIONS.get(groups[-1], ())
        candidate = (
            rng.choice(companions)
            if companions and rng.random() < 0.6
            else rng.choices(_GROUPS, _GROUP_WEIGHTS)[0]
        )
        if candidate not in groups and candidate != "all-inhabitants":
            groups.append(candidate)
    return groups


def _instrument_candidates(rights: Sequence[str], groups: Sequence[str]) -> list[str]:
    """The instruments an initiative on these rights for these groups would typically implement,
    in a fixed order (rights first, then groups), without repetition."""
    candidates: list[str] = []
    for right in rights:
        candidates.extend(c for c in _RIGHT_INSTRUMENTS[right] if c not in candidates)
    for group in groups:
        code = _GROUP_INSTRUMENTS.get(group)
        if code and code not in candidates:
            candidates.append(code)
    return candidates


def _choose_instruments(
    rng: random.Random, rights: Sequence[str], groups: Sequence[str]
) -> list[str]:
    candidates = _instrument_candidates(rights, groups)
    k = min(len(candidates), rng.choices((0, 1, 2), (20, 50, 30))[0])
    chosen = rng.sample(candidates, k)
    if rng.random() < 0.15 and "gca" not in chosen:
        chosen.append("gca")
    return chosen


def _sdgs(rights: Sequence[str]) -> list[str]:
    out: list[str] = []
    for right in rights:
        out.extend(s for s in _RIGHT_SDGS[right] if s not in out)
    return out[:3]


def _join(lang: str, parts: Iterable[str]) -> str:
    return _LIST_SEPARATOR.get(lang, ", ").join(parts)


@cache
def _title(lang: str, kind: int, right: int, group: int | None) -> str:
    """An initiative title: its type, the first right it addresses and, when ``group`` is given,
    the group it is for, in ``lang`` (the titles repeat, hence the cache)."""
    title = _TYPE_NAMES[lang][kind] + _TITLE_SEPARATOR.get(lang, ": ") + _RIGHT_NAMES[lang][right]
    if group is not None:
        title += f" ({_GROUP_NAMES[lang][group]})"
    return title


@cache
def _slug(title: str) -> str:
    return iri.slugify(title)


def _unique_slug(title: str, slugs: set[str]) -> str:
    """The slug of an English title, numbered if the territory already has it; recorded."""
    base = _slug(title)
    name = base
    number = 2
    while name in slugs:
        name = f"{base}-{number}"
        number += 1
    slugs.add(name)
    return name


def _start_year(rng: random.Random) -> tuple[str, int, int | None]:
    """A status with a start year and, for a finished initiative, an end year."""
    status = rng.choices(_STATUSES, _STATUS_WEIGHTS)[0]
    if status == "planned":
        return status, rng.randint(2026, 2027), None
    if status == "ongoing":
        return status, rng.randint(2005, 2025), None
    start_year = rng.randint(2000, 2021)
    end_year = min(2025, start_year + rng.randint(1, 6 if status == "completed" else 4))
    return status, start_year, end_year


def _resources(
    n_territories: int, seed: int, initiatives_per_territory: int, example: bool, detail: Detail
) -> Iterator[_Resource]:
    """The generated resources, one subject at a time, in a reproducible order (arguments are
    checked by :func:`generate`)."""
    by_region = _countries_by_region()
    regions = [r for r in GEOGRAPHIC_REGIONS if by_region[r]]
    weights = [_REGION_WEIGHTS[r] for r in regions]
    rng = random.Random(seed)
    used: set[str] = set()
    lean = detail == "lean"

    if example:
        described = [
            (_A, _C_EXAMPLE_DATA),
            *((_TITLE, _lit(text, lang)) for lang, text in _DATASET_TITLE.items()),
            *(
                (_DESCRIPTION, _lit(text.format(seed=seed), lang))
                for lang, text in _DATASET_DESCRIPTION.items()
            ),
            (_IS_EXAMPLE, _TRUE),
        ]
        yield _i(_EXAMPLE_GRAPH), _i(_EXAMPLE_GRAPH), described

    for index in range(n_territories):
        region = (
            regions[index % len(regions)] if example else rng.choices(regions, weights)[0]
        )
        country = rng.choice(by_region[region])
        lang, style, lat, lon, dlat, dlon = _COUNTRIES[country]
        subdivisions = _subdivisions(country)
        subdivision = rng.choice(subdivisions) if subdivisions else None
        lang = _SUBDIVISION_LANGUAGE.get(subdivision or "", lang)
        for _attempt in range(12):
            native, latin = _place_name(rng, style)
            key = iri.territory_key(country, latin)
            if key not in used:
                break
        else:
            number = 2
            while f"{key}-{number}" in used:
                number += 1
            native, latin, key = f"{native} {number}", f"{latin} {number}", f"{key}-{number}"
        used.add(key)

        territory = _EXAMPLE_TERRITORY + key
        t = _i(territory)
        graph = _i(_EXAMPLE_GRAPH if example else f"{_GRAPH}territory/example/{key}")
        slug = key.split("-", 1)[1]
        population = int(min(15_000_000, max(1_500, rng.lognormvariate(11.0, 1.4))))
        roll = rng.random()
        if population > 1_500_000:
            level = "metropolis"
        elif roll < 0.06:
            level, population = "province", population * 6
        elif roll < 0.10:
            level, population = "region", population * 10
        elif roll < 0.13:
            level = "urban-agglomeration"
        else:
            level = "municipality"

        slugs: set[str] = set()
        if lean:
            # One record in one campaign language: the local one when it is en, fr or es.
            record_lang = lang if lang in _CAMPAIGN_LANGUAGES else "en"
            props: list[tuple[str, str]] = [
                (_A, _C_TERRITORY),
                (_LABEL, _lit(native if record_lang == lang else latin, record_lang)),
                (_LEVEL, _vocab("territory-levels", level)),
                (_COUNTRY_CODE, _str(country)),
            ]
            if subdivision:
                props.append((_SUBDIVISION, _str(subdivision)))
            props += [
                (_UCLG_REGION, _vocab("uclg-regions", region)),
                (_POPULATION, _typed(str(population), "nonNegativeInteger")),
                (_IS_EXAMPLE, _TRUE),
            ]
            yield graph, t, props
            yield _membership(rng, graph, t, territory)
            count = (
                _initiative_count(rng, initiatives_per_territory)
                if example
                else initiatives_per_territory
            )
            for _ in range(count):
                yield _lean_initiative(rng, graph, t, key, record_lang, slugs)
            continue

        label_langs = ["en", "fr", "es"] + ([lang] if lang not in ("en", "fr", "es") else [])
        props = [(_A, _C_TERRITORY)]
        props += [(_LABEL, _lit(native if lg == lang else latin, lg)) for lg in label_langs]
        props += [
            (_LEVEL, _vocab("territory-levels", level)),
            (_COUNTRY_CODE, _str(country)),
        ]
        if subdivision:
            props.append((_SUBDIVISION, _str(subdivision)))
        props += [
            (_UCLG_REGION, _vocab("uclg-regions", region)),
            (_POPULATION, _typed(str(population), "nonNegativeInteger")),
            (_POPULATION_YEAR, _typed(str(rng.randint(2015, 2024)), "gYear")),
            (_LAT, _typed(f"{lat + rng.uniform(-dlat, dlat):.4f}", "decimal")),
            (_LONG, _typed(f"{lon + rng.uniform(-dlon, dlon):.4f}", "decimal")),
            (_HOMEPAGE, _i(f"https://www.{slug}.example/")),
            (_CONTACT_POINT, _i(territory + "/contact")),
            (_IS_EXAMPLE, _TRUE),
        ]
        yield graph, t, props

        yield graph, _i(territory + "/contact"), [
            (_A, _C_CONTACT),
            (_NAME, _str(_CONTACT_NAME[lang])),
            (_EMAIL, _str(f"human-rights@{slug}.example")),
            (_IS_EXAMPLE, _TRUE),
        ]

        yield _membership(rng, graph, t, territory)

        count = (
            _initiative_count(rng, initiatives_per_territory)
            if example
            else initiatives_per_territory
        )
        for _ in range(count):
            yield _initiative(rng, graph, t, key, slug, native, latin, lang, slugs)


def _membership(
    rng: random.Random, graph: str, t: str, territory: str
) -> _Resource:
    """The territory's campaign membership: joined between the Seville session (14 June 2022) and
    2025, in the wave of its joining date (wave 3 was announced on 9 October 2024)."""
    joined_year = rng.choices((2022, 2023, 2024, 2025), (30, 30, 25, 15))[0]
    joined = _random_date(rng, joined_year)
    if joined_year == 2022 and joined < "2022-06-14":
        joined = "2022-06-14"
    wave = 1 if joined_year == 2022 else 2 if joined < "2024-10-09" else 3
    props = [
        (_A, _C_MEMBERSHIP),
        (_MEMBER, t),
        (_CAMPAIGN_P, _O_CAMPAIGN),
        (_JOINED_ON, _typed(joined, "date")),
        (
            _MEMBERSHIP_STATUS,
            _vocab("membership-status", rng.choices(_MEMBERSHIP_STATUSES, _MEMBERSHIP_WEIGHTS)[0]),
        ),
        (_IN_WAVE, _i(f"{_CAMPAIGN}/wave/{wave}")),
        (_IS_EXAMPLE, _TRUE),
    ]
    return graph, _i(territory + "/membership"), props


def _lean_initiative(
    rng: random.Random, graph: str, territory: str, key: str, lang: str, slugs: set[str]
) -> _Resource:
    """An initiative with only its core statements (type, one title in ``lang``, leader, type,
    rights, groups, start date, example mark and, for some, one instrument), drawn with the same
    skews as a full one, so that a territory with ten of them is about 100 triples."""
    kind = rng.choices(range(len(_INITIATIVE_TYPES)), _TYPE_WEIGHTS)[0]
    rights = _choose_rights(rng)
    groups = _choose_groups(rng, rights)
    right = _RIGHTS.index(rights[0])
    group = (
        _GROUPS.index(groups[0])
        if groups[0] != "all-inhabitants" and rng.random() < 0.5
        else None
    )
    name = _unique_slug(_title("en", kind, right, group), slugs)
    _status, start_year, _end_year = _start_year(rng)

    props: list[tuple[str, str]] = [
        (_A, _C_INITIATIVE),
        (_LABEL, _lit(_title(lang, kind, right, group), lang)),
        (_INITIATIVE_TYPE, _vocab("initiative-types", _INITIATIVE_TYPES[kind])),
        (_LED_BY, territory),
        (_START, _typed(_random_date(rng, start_year), "date")),
    ]
    props += [(_ADDRESSES, _vocab("rights", r)) for r in rights]
    props += [(_TARGETS, _vocab("groups", g)) for g in groups]
    if rng.random() < _LEAN_INSTRUMENT_SHARE:
        # Every right has at least one typical instrument, so the candidates are never empty.
        code = rng.choice(_instrument_candidates(rights, groups))
        props.append((_IMPLEMENTS, _vocab("instruments", code)))
    props.append((_IS_EXAMPLE, _TRUE))
    return graph, _i(f"{_EXAMPLE_INITIATIVE}{key}/{name}"), props


def _initiative(
    rng: random.Random,
    graph: str,
    territory: str,
    key: str,
    site: str,
    native: str,
    latin: str,
    lang: str,
    slugs: set[str],
) -> _Resource:
    """An initiative with every statement a real submission would carry: titles and
    descriptions in en, fr, es and the local language, status, dates, instruments, SDGs,
    language and source."""
    kind = rng.choices(range(len(_INITIATIVE_TYPES)), _TYPE_WEIGHTS)[0]
    rights = _choose_rights(rng)
    groups = _choose_groups(rng, rights)
    right_index = [_RIGHTS.index(r) for r in rights]
    group_index = [_GROUPS.index(g) for g in groups]
    qualified = groups[0] != "all-inhabitants" and rng.random() < 0.5

    titles: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    for lg in ("en", "fr", "es"):
        titles[lg] = _title(lg, kind, right_index[0], group_index[0] if qualified else None)
        type_name = _TYPE_NAMES[lg][kind]
        descriptions[lg] = _DESCRIPTION_TEMPLATES[lg].format(
            place=latin,
            kind=type_name[:1].lower() + type_name[1:],
            rights=_join(lg, (_RIGHT_NAMES[lg][i] for i in right_index)),
            groups=_join(lg, (_GROUP_NAMES[lg][i] for i in group_index)),
        )
    if lang in _LOCAL_LANGUAGES:
        titles[lang] = _title(lang, kind, right_index[0], None)
        descriptions[lang] = _LOCAL_DESCRIPTION[lang].format(
            place=native,
            kind=_TYPE_NAMES[lang][kind],
            rights=_join(lang, (_RIGHT_NAMES[lang][i] for i in right_index)),
        )

    name = _unique_slug(titles["en"], slugs)
    subject = _i(f"{_EXAMPLE_INITIATIVE}{key}/{name}")
    status, start_year, end_year = _start_year(rng)

    props: list[tuple[str, str]] = [(_A, _C_INITIATIVE)]
    props += [(_LABEL, _lit(text, lg)) for lg, text in titles.items()]
    props += [(_DESCRIPTION, _lit(text, lg)) for lg, text in descriptions.items()]
    props += [
        (_INITIATIVE_TYPE, _vocab("initiative-types", _INITIATIVE_TYPES[kind])),
        (_LED_BY, territory),
        (_STATUS, _vocab("initiative-status", status)),
        (_START, _typed(_random_date(rng, start_year), "date")),
    ]
    if end_year is not None:
        props.append((_END, _typed(_random_date(rng, end_year), "date")))
    props += [(_ADDRESSES, _vocab("rights", r)) for r in rights]
    props += [(_TARGETS, _vocab("groups", g)) for g in groups]
    props += [
        (_IMPLEMENTS, _vocab("instruments", c)) for c in _choose_instruments(rng, rights, groups)
    ]
    props += [(_SDG_P, _i(_SDG + goal)) for goal in _sdgs(rights)]
    props += [
        (_LANGUAGE, _str(lang)),
        (_SOURCE, _i(f"https://www.{site}.example/human-rights/{name}")),
        (_IS_EXAMPLE, _TRUE),
    ]
    return graph, subject, props


# -------------------------------------------------------------------------------------------------
# Serialisation
# -------------------------------------------------------------------------------------------------

_LOCAL_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")


def _compact(term: str) -> str:
    """An N-Triples term written for the TriG output: prefixed, base-relative or as is."""
    if term.startswith("<"):
        value = term[1:-1]
        if value == _RDF + "type":
            return "a"
        for prefix, namespace in _PREFIXES:
            if value.startswith(namespace) and _LOCAL_NAME.fullmatch(value[len(namespace) :]):
                return f"{prefix}:{value[len(namespace):]}"
        if value.startswith(_ID):
            return f"<{value[len(_ID):]}>"
        return term
    quote = term.rfind('"')
    suffix = term[quote + 1 :]
    if suffix.startswith("^^<"):
        datatype = suffix[3:-1]
        if datatype == _XSD + "boolean":
            return term[1:quote]
        return term[: quote + 1] + "^^" + _compact(f"<{datatype}>")
    return term


def _trig_lines(resources: Iterable[_Resource]) -> Iterator[str]:
    for prefix, namespace in sorted(_PREFIXES):
        yield f"@prefix {prefix}: <{namespace}> .\n"
    yield f"@base <{_ID}> .\n"
    yield "\n# Generated by rightsgraph.data.synthetic: fictional example data, not real facts.\n"
    yield "# Regenerate with `python -m rightsgraph.data.synthetic --example`; do not edit.\n"
    current: str | None = None
    for graph, subject, props in resources:
        if graph != current:
            if current is not None:
                yield "}\n"
            yield f"\n{_compact(graph)} {{\n"
            current = graph
        yield f"\n{_compact(subject)}"
        previous: str | None = None
        for predicate, obj in props:
            if predicate == previous:
                # Literals one per line, IRIs on the same line: both stay readable.
                separator = " ,\n        " if obj.startswith('"') else " , "
                yield separator + _compact(obj)
            else:
                yield (" ;\n    " if previous is not None else " ") + f"{_compact(predicate)} "
                yield _compact(obj)
            previous = predicate
        yield " .\n"
    if current is not None:
        yield "}\n"


def _nquad_lines(resources: Iterable[_Resource]) -> Iterator[str]:
    for graph, subject, props in resources:
        for predicate, obj in props:
            yield f"{subject} {predicate} {obj} {graph} .\n"


def generate(
    n_territories: int,
    *,
    seed: int = 0,
    initiatives_per_territory: int = 10,
    example: bool = False,
    detail: Detail | None = None,
    fmt: Format = "nquads",
) -> Iterator[str]:
    """Stream a synthetic campaign graph of ``n_territories`` fictional territories.

    ``example=False`` (the default) writes a benchmark graph: every territory has exactly
    ``initiatives_per_territory`` initiatives, so that the size is predictable, and goes to its
    own graph ``rgg:territory/example/{cc}-{slug}``, as submissions would, with regions weighted
    like a real campaign. ``example=True`` writes the example dataset: everything in the graph
    ``rgg:example``, which is described as ``rg:ExampleData``, territories spread evenly over
    the seven geographic UCLG regions, and between 1 and ``initiatives_per_territory``
    initiatives per territory (skewed low, as real members report unevenly).

    ``detail`` (default ``"lean"`` for benchmarks, ``"full"`` for the example dataset) says how
    much each resource carries. ``"full"``: territory labels in en/fr/es and the local language,
    coordinates, homepage, contact point and campaign membership; initiative titles and
    descriptions in every language, status, dates, instruments, SDGs, language and source
    (about 22 triples per initiative). ``"lean"``: the territory's type, one label, level,
    country, subdivision, UCLG region, population and example mark, its campaign membership (date,
    status, wave); each initiative's type, one
    title in a campaign language (en, fr or es), leader, initiative type, rights, groups, start
    date, example mark and, for about a third, one instrument. With the default 10 initiatives a
    lean territory is about 115 triples (10,000 territories: about 1.15 million). Both draw
    rights, groups, their intersections, types, regions and dates with the same skews. The
    same arguments always give the same output.

    ``fmt`` is ``"nquads"`` (one quad per line) or ``"trig"`` (readable TriG, lines grouped by
    subject). Every yielded string ends with a newline.

    Raises ``ValueError`` for a negative count, fewer than 1 initiative, an unknown format or
    detail, or (with ``example=True``) a UCLG region that no generator country falls in;
    ``FileNotFoundError`` if the countries vocabulary is not packaged.
    """
    if fmt not in ("nquads", "trig"):
        raise ValueError(f"unknown format {fmt!r}: use 'nquads' or 'trig'")
    if detail is None:
        detail = "full" if example else "lean"
    if detail not in ("lean", "full"):
        raise ValueError(f"unknown detail {detail!r}: use 'lean' or 'full'")
    if n_territories < 0:
        raise ValueError(f"n_territories must be >= 0, not {n_territories}")
    if initiatives_per_territory < 1:
        raise ValueError(
            f"initiatives_per_territory must be >= 1, not {initiatives_per_territory}"
        )
    by_region = _countries_by_region()
    missing = sorted(region for region, codes in by_region.items() if not codes)
    if example and missing:
        raise ValueError(f"no generator country falls in the UCLG region(s) {missing}")
    if not any(by_region.values()):
        raise ValueError("no generator country has a UCLG region in the countries vocabulary")
    resources = _resources(n_territories, seed, initiatives_per_territory, example, detail)
    return _trig_lines(resources) if fmt == "trig" else _nquad_lines(resources)


def example_trig(
    *,
    seed: int = EXAMPLE_SEED,
    n_territories: int = EXAMPLE_TERRITORIES,
    initiatives_per_territory: int = EXAMPLE_INITIATIVES_PER_TERRITORY,
) -> str:
    """The text of the packaged example dataset (``data/example.trig``), as generated."""
    return "".join(
        generate(
            n_territories,
            seed=seed,
            initiatives_per_territory=initiatives_per_territory,
            example=True,
            fmt="trig",
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m rightsgraph.data.synthetic --example`` rewrites the packaged
    example dataset; ``--territories N [--seed S] [--initiatives K] [--detail lean|full]
    [--format nquads|trig] [--out FILE]`` writes a benchmark graph. Returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m rightsgraph.data.synthetic",
        description="Generate fictional example data for RightsGraph.",
    )
    parser.add_argument(
        "--example", action="store_true",
        help="rewrite the packaged example dataset (data/example.trig) with its fixed parameters",
    )
    parser.add_argument("--territories", type=int, default=100, help="number of territories")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--initiatives", type=int, default=10,
        help="initiatives per territory (default 10)",
    )
    parser.add_argument(
        "--detail", choices=("lean", "full"), default="lean",
        help="lean: core statements, about 100 triples per territory (default); full: every "
        "statement a submission carries, as in the example dataset",
    )
    parser.add_argument("--format", choices=("nquads", "trig"), default="nquads")
    parser.add_argument("--out", type=Path, help="output file (default: standard output)")
    args = parser.parse_args(argv)

    if args.example:
        target = args.out or Path(__file__).with_name("example.trig")
        target.write_text(example_trig(), encoding="utf-8")
        sys.stderr.write(f"wrote {target}\n")
        return 0
    started = time.perf_counter()
    lines = generate(
        args.territories,
        seed=args.seed,
        initiatives_per_territory=args.initiatives,
        detail=args.detail,
        fmt=args.format,
    )
    if args.out:
        with args.out.open("w", encoding="utf-8") as handle:
            handle.writelines(lines)
    else:
        sys.stdout.writelines(lines)
    sys.stderr.write(f"done in {time.perf_counter() - started:.2f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
