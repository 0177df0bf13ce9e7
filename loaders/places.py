"""Countries and first-level subdivisions, from what a submitter types.

``country`` may be an ISO 3166-1 alpha-2 or alpha-3 code or the country's name in English, French
or Spanish; ``region`` an ISO 3166-2 code (``ES-CT``, or just ``CT`` once the country is known) or
the subdivision's name. Names come from pycountry (ISO 3166 and its gettext translations, the
``iso3166-1`` and ``iso3166-2`` domains) and, for countries, from the packaged ``rgv:countries``
scheme; matching ignores case, accents and punctuation, and understands pycountry's inverted
("Madrid, Comunidad de") and bilingual ("Catalunya [Cataluña]") forms.

The UCLG region is never typed: it is derived from the country through ``rgv:countries/{CC}
rg:uclgRegion``, so that a territory cannot disagree with its country.
"""

from __future__ import annotations

import difflib
import gettext
import re
from dataclasses import dataclass
from functools import lru_cache

import pycountry
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from rightsgraph import iri, packaged
from rightsgraph.loaders.terms import normalise

#: Languages whose pycountry translations are indexed (the submitters' languages).
_NAME_LANGUAGES = ("fr", "es")


def _translations(domain: str) -> list[gettext.NullTranslations]:
    out: list[gettext.NullTranslations] = []
    for lang in _NAME_LANGUAGES:
        try:
            out.append(gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang]))
        except OSError:  # a pycountry build without that translation: English names only
            continue
    return out


def translation(domain: str, lang: str) -> gettext.NullTranslations:
    try:
        return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return gettext.NullTranslations()


def _variants(name: str) -> set[str]:
    """Normalised forms of a pycountry name.

    "Catalunya [Cataluña]" -> catalunya, cataluna, catalunya cataluna; "Madrid, Comunidad de" ->
    madrid comunidad de, comunidad de madrid, madrid; "Bolivia (Plurinational State of)" ->
    bolivia, plurinational state of bolivia.
    """
    forms = {name}
    for part in re.split(r"\s+/\s+", name):
        forms.add(part)
        bracket = re.fullmatch(r"(.*?)\s*[\[(](.*)[\])]\s*", part)
        if bracket:
            forms.update({bracket.group(1), bracket.group(2)})
            forms.add(f"{bracket.group(2)} {bracket.group(1)}")
    for form in list(forms):
        if "," in form:
            head, _, tail = form.partition(",")
            forms.update({head, f"{tail.strip()} {head}"})
    return {k for f in forms for k in (normalise(f), normalise(f, apostrophe=" ")) if k}


# --------------------------------------------------------------------------------------------
# Countries
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CountryIndex:
    codes: dict[str, str]  # alpha-2 and alpha-3, upper case -> alpha-2
    exact: dict[str, set[str]]  # normalised full name -> alpha-2 codes
    names: dict[str, set[str]]  # every normalised variant of a name -> alpha-2 codes


@lru_cache(maxsize=4)
def _country_index(base: str) -> _CountryIndex:
    codes: dict[str, str] = {}
    exact: dict[str, set[str]] = {}
    names: dict[str, set[str]] = {}
    translations = _translations("iso3166-1")
    for country in pycountry.countries:
        alpha2 = country.alpha_2
        codes[alpha2] = alpha2
        codes[country.alpha_3] = alpha2
        for attr in ("name", "official_name", "common_name"):
            text = getattr(country, attr, None)
            if not text:
                continue
            for t in [text, *(tr.gettext(text) for tr in translations)]:
                exact.setdefault(normalise(t), set()).add(alpha2)
                for key in _variants(t):
                    names.setdefault(key, set()).add(alpha2)
    vocab = packaged.vocab_graph(base)
    prefix = iri.vocab("countries/")
    for prop in (SKOS.prefLabel, SKOS.altLabel):
        for subject, label in vocab.subject_objects(prop):
            code = str(subject)[len(prefix):] if str(subject).startswith(prefix) else ""
            if code in codes and isinstance(label, Literal):
                exact.setdefault(normalise(str(label)), set()).add(code)
                for key in _variants(str(label)):
                    names.setdefault(key, set()).add(code)
    return _CountryIndex(codes=codes, exact=exact, names=names)


def resolve_country(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code (upper case) that ``text`` names, or ``None``.

    >>> resolve_country("esp"), resolve_country("Espagne"), resolve_country("méxico")
    ('ES', 'ES', 'MX')
    """
    index = _country_index(iri.base_iri())
    stripped = text.strip()
    if stripped.upper() in index.codes:
        return index.codes[stripped.upper()]
    keys = (normalise(stripped), normalise(stripped, apostrophe=" "))
    for table in (index.exact, index.names):
        found = set().union(*(table.get(k, set()) for k in keys))
        if len(found) == 1:
            return next(iter(found))
    return None


def country_name(code: str, lang: str) -> str:
    """The country's name in ``lang`` (the ``rgv:countries`` label, else pycountry's)."""
    vocab = packaged.vocab_graph(iri.base_iri())
    labels = {
        lit.language: str(lit)
        for lit in vocab.objects(URIRef(iri.vocab(f"countries/{code}")), SKOS.prefLabel)
        if isinstance(lit, Literal)
    }
    if lang in labels:
        return labels[lang]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    return translation("iso3166-1", lang).gettext(name) if lang != "en" else name


def suggest_countries(text: str, *, n: int = 3) -> list[str]:
    """Alpha-2 codes of the countries whose names are closest to ``text``."""
    index = _country_index(iri.base_iri())
    out: list[str] = []
    for key in difflib.get_close_matches(normalise(text), list(index.names), n=n * 3, cutoff=0.7):
        for code in sorted(index.names[key]):
            if code not in out:
                out.append(code)
    return out[:n]


def uclg_region(code: str) -> URIRef | None:
    """The UCLG region of a country, from ``rgv:countries/{CC} rg:uclgRegion`` (``None`` when
    the packaged vocabulary does not assign one)."""
    vocab = packaged.vocab_graph(iri.base_iri())
    region = vocab.value(URIRef(iri.vocab(f"countries/{code}")), URIRef(iri.ontology("uclgRegion")))
    return region if isinstance(region, URIRef) else None


# --------------------------------------------------------------------------------------------
# Subdivisions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Subdivision:
    code: str
    country: str
    first_level: bool
    name: str


@dataclass(frozen=True)
class _SubdivisionIndex:
    by_code: dict[str, _Subdivision]
    names: dict[str, list[_Subdivision]]


@lru_cache(maxsize=1)
def _subdivision_index() -> _SubdivisionIndex:
    by_code: dict[str, _Subdivision] = {}
    names: dict[str, list[_Subdivision]] = {}
    translations = _translations("iso3166-2")
    for sub in pycountry.subdivisions:
        entry = _Subdivision(
            code=sub.code, country=sub.country_code, first_level=sub.parent_code is None,
            name=sub.name,
        )
        by_code[sub.code] = entry
        keys: set[str] = set()
        for text in [sub.name, *(tr.gettext(sub.name) for tr in translations)]:
            keys |= _variants(text)
        for key in keys:
            names.setdefault(key, []).append(entry)
    return _SubdivisionIndex(by_code=by_code, names=names)


@dataclass(frozen=True)
class SubdivisionMatch:
    """The outcome of looking a region up in a country.

    Exactly one of: ``code`` (found), ``other`` (found, but in another country: the subdivision
    found there), ``ambiguous`` (several in this country), or nothing with ``suggestions``.
    """

    code: str | None = None
    other: str | None = None
    other_country: str | None = None
    ambiguous: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()


def _best(entries: list[_Subdivision]) -> list[_Subdivision]:
    """First-level subdivisions win over lower ones of the same name (Madrid the community over
    Madrid the province)."""
    first = [e for e in entries if e.first_level]
    return first or entries


def resolve_subdivision(country: str, text: str) -> SubdivisionMatch:
    """Find the ISO 3166-2 subdivision of ``country`` (alpha-2) that ``text`` names.

    >>> resolve_subdivision("ES", "Andalousie").code
    'ES-AN'
    >>> resolve_subdivision("ES", "Île-de-France").other
    'FR-IDF'
    """
    index = _subdivision_index()
    raw = text.strip()
    upper = raw.upper().replace("_", "-").replace(" ", "")
    for code in (upper, f"{country}-{upper}"):
        entry = index.by_code.get(code)
        if entry is not None:
            if entry.country == country:
                return SubdivisionMatch(code=entry.code)
            if code == upper and "-" in upper:
                return SubdivisionMatch(other=entry.code, other_country=entry.country)
    entries: list[_Subdivision] = []
    for key in {normalise(raw), normalise(raw, apostrophe=" ")}:
        entries.extend(e for e in index.names.get(key, []) if e not in entries)
    here = _best([e for e in entries if e.country == country])
    if len(here) == 1:
        return SubdivisionMatch(code=here[0].code)
    if len(here) > 1:
        return SubdivisionMatch(ambiguous=tuple(sorted(e.code for e in here)))
    elsewhere = _best(entries)
    if elsewhere:
        chosen = sorted(elsewhere, key=lambda e: e.code)[0]
        return SubdivisionMatch(other=chosen.code, other_country=chosen.country)
    return SubdivisionMatch(suggestions=tuple(suggest_subdivisions(country, raw)))


def suggest_subdivisions(country: str, text: str, *, n: int = 3) -> list[str]:
    """Codes of the subdivisions of ``country`` whose names are closest to ``text``."""
    index = _subdivision_index()
    keys = {k: [e for e in v if e.country == country] for k, v in index.names.items()}
    keys = {k: v for k, v in keys.items() if v}
    out: list[str] = []
    for key in difflib.get_close_matches(normalise(text), list(keys), n=n * 3, cutoff=0.6):
        for entry in _best(keys[key]):
            if entry.code not in out:
                out.append(entry.code)
    return out[:n]


def subdivision_name(code: str, lang: str) -> str:
    """The subdivision's name in ``lang`` (pycountry, translated when a translation exists)."""
    entry = _subdivision_index().by_code.get(code)
    if entry is None:
        return code
    return translation("iso3166-2", lang).gettext(entry.name) if lang != "en" else entry.name


def example_subdivision(country: str) -> str:
    """A first-level subdivision code of ``country``, to show the expected form in a message."""
    codes = sorted(
        e.code for e in _subdivision_index().by_code.values()
        if e.country == country and e.first_level
    )
    return codes[0] if codes else "ES-CT"
