"""ISO 3166-2 subdivisions as territories, and the UN M49 region of a country.

Provinces and regions join the campaign too ("Provincia de Barcelona", "Gwangju Metropolitan
City", "Région Île-de-France"), so a name is also matched against the ISO 3166-2 subdivisions of
its country, at every level, with pycountry's names:

- the ISO name and its variants (``Madrid, Comunidad de`` is also "Comunidad de Madrid" and
  "Madrid"; ``Catalunya [Cataluña]`` is both), and its French and Spanish translations
  (iso-codes, through :mod:`rightsgraph.loaders.places`): method ``iso3166-2:name``, score 1;
- for first-level subdivisions, the GeoNames admin1 name mapped to them in
  ``data/registries/geonames-admin1.csv`` (English forms ISO does not give: "Catalonia",
  "Bavaria", "Vienna"): ``iso3166-2:geonames-admin1-name``, score 0.97;
- the same names without their designations ("Provincia de Córdoba", "Córdoba Province",
  "Jeju-do"), on keys that one subdivision of the country has, or that several have but only one
  of whose type the designation names ("Provincia de Madrid": the province, not the community):
  ``iso3166-2:base-name``, score 0.93 (0.97 when the designation names the subdivision's type).

A first-level subdivision and a lower one with the same name ("Madrid" the community and the
province) are both returned: the verdict is then ``ambiguous``, for a person to choose. The
GeoNames id of a subdivision is not given: cities500 holds populated places, not the first-level
administrative features, and a city is not its region even when they share a name.

:func:`m49_for` reads the packaged ``data/m49.csv`` (the table ``countries.ttl`` is built from).
"""

from __future__ import annotations

import csv
import gettext
import io
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import pycountry

from rightsgraph.errors import InputError
from rightsgraph.loaders.places import resolve_country, resolve_subdivision, translation
from rightsgraph.loaders.registries.model import Candidate, MatchResult, Query, decide
from rightsgraph.loaders.registries.names import (
    NameKeys,
    check_name,
    fold,
    key,
    name_variants,
    region_key,
    tokens,
)
from rightsgraph.resources import read_text

SCORE_NAME = 1.0
SCORE_ADMIN1_NAME = 0.97
SCORE_BASE_TYPED = 0.97
SCORE_BASE = 0.93

#: The packaged GeoNames admin1 -> ISO 3166-2 table (see ``build_admin1``).
ADMIN1_TABLE = "registries/geonames-admin1.csv"

#: Words of a designation and the word of a pycountry subdivision type they name.
_TYPE_WORDS: dict[str, str] = {
    "province": "province", "provincia": "province", "provincie": "province",
    "provinz": "province", "do": "province", "region": "region", "regione": "region",
    "state": "state", "estado": "state", "department": "department",
    "departamento": "department", "departement": "department", "county": "county",
    "comunidad": "community", "community": "community", "governorate": "governorate",
    "district": "district", "distrito": "district", "municipality": "municipality",
    "municipio": "municipality", "city": "city", "ciudad": "city", "si": "city",
    "gwangyeoksi": "metropolitan", "metropolitan": "metropolitan", "teukbyeolsi": "special",
    "oblast": "region", "canton": "canton", "prefecture": "prefecture", "parish": "parish",
}

#: Designation kinds (:func:`~rightsgraph.loaders.registries.names.split_designation`) that name
#: a city that is itself a subdivision, and the pycountry types such a subdivision can have.
CITY_SUBDIVISION_TYPES: dict[str, frozenset[str]] = {
    "metropolitan-city": frozenset({"metropolitan city"}),
    "special-city": frozenset({"special city"}),
    "special-self-governing-city": frozenset({"special self-governing city"}),
    # A generic "city" (-si, -shi, "City of") says nothing of rank: every Korean city is a -si,
    # Gwangju-si of Gyeonggi-do included, so it never implies a metropolitan or special city.
    "city": frozenset(
        {
            "city", "capital city", "state city", "autonomous city", "capital district",
            "federal district", "capital", "city with county rights",
            "autonomous city in north africa", "federal entity",
        }
    ),
}


# --------------------------------------------------------------------------------------------
# Subdivisions: codes, chains, names
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subdivision:
    """One ISO 3166-2 subdivision, with the keys of its names."""

    code: str
    country: str
    name: str
    type: str
    parent: str | None
    depth: int  # 1 for a first-level subdivision
    keys: frozenset[str]  # ISO name, variants, fr/es translations
    admin1_keys: frozenset[str]  # GeoNames admin1 names mapped to it
    bases: frozenset[str]  # all of them without designations

    @property
    def feature(self) -> str:
        level = {1: "first", 2: "second", 3: "third"}.get(self.depth, str(self.depth))
        return f"{level}-level subdivision"


@dataclass(frozen=True)
class _CountrySubdivisions:
    subdivisions: tuple[Subdivision, ...]
    base_count: dict[str, int]


@lru_cache(maxsize=1)
def admin1_table() -> dict[tuple[str, str], tuple[str, str]]:
    """``{(country, GeoNames admin1 code): (GeoNames admin1 name, ISO 3166-2 code or "")}`` from
    the packaged table. Raises ``ValueError`` when the table's header is not the expected one."""
    reader = csv.DictReader(io.StringIO(read_text("data", ADMIN1_TABLE)))
    expected = ["country", "admin1_code", "admin1_name", "iso3166_2", "method"]
    if reader.fieldnames != expected:
        raise ValueError(f"{ADMIN1_TABLE}: unexpected header {reader.fieldnames!r}")
    return {
        (row["country"], row["admin1_code"]): (row["admin1_name"], row["iso3166_2"])
        for row in reader
    }


def _translations() -> list[gettext.NullTranslations]:
    return [translation("iso3166-2", lang) for lang in ("fr", "es")]


@lru_cache(maxsize=512)
def _country_subdivisions(country: str) -> _CountrySubdivisions:
    admin1_names: dict[str, set[str]] = {}
    for (cc, _code), (name, iso) in admin1_table().items():
        if cc == country and iso and name:
            admin1_names.setdefault(iso, set()).add(name)
    found = pycountry.subdivisions.get(country_code=country) or []
    parents = {s.code: s.parent_code for s in found}
    out: list[Subdivision] = []
    translations = _translations()
    for sub in found:
        texts: set[str] = set()
        for text in (sub.name, *(t.gettext(sub.name) for t in translations)):
            texts |= name_variants(text)
        admin1 = admin1_names.get(sub.code, set())
        depth, parent = 1, sub.parent_code
        while parent:
            depth, parent = depth + 1, parents.get(parent)
        out.append(
            Subdivision(
                code=sub.code,
                country=country,
                name=sub.name,
                type=sub.type,
                parent=sub.parent_code,
                depth=depth,
                keys=frozenset(key(t) for t in texts) - {""},
                admin1_keys=frozenset(key(t) for t in admin1) - {""},
                bases=frozenset(region_key(t) for t in texts | admin1) - {""},
            )
        )
    base_count: dict[str, int] = {}
    for sub in out:
        for base in sub.bases:
            base_count[base] = base_count.get(base, 0) + 1
    return _CountrySubdivisions(tuple(sorted(out, key=lambda s: s.code)), base_count)


def subdivisions(country: str) -> tuple[Subdivision, ...]:
    """Every ISO 3166-2 subdivision of ``country`` (alpha-2), sorted by code."""
    return _country_subdivisions(country).subdivisions


def subdivision(code: str) -> Subdivision | None:
    """The subdivision with ISO 3166-2 ``code`` (upper case), or ``None``."""
    country = code.partition("-")[0]
    return next((s for s in subdivisions(country) if s.code == code), None)


@lru_cache(maxsize=8192)
def chain(code: str) -> tuple[str, ...]:
    """``code`` and the codes of the subdivisions that contain it, innermost first.

    >>> chain("FR-91")
    ('FR-91', 'FR-IDF')
    """
    out = [code]
    parent = pycountry.subdivisions.get(code=code)
    while parent is not None and parent.parent_code and parent.parent_code not in out:
        out.append(parent.parent_code)
        parent = pycountry.subdivisions.get(code=parent.parent_code)
    return tuple(out)


def compatible(wanted: str, known: str) -> bool:
    """Whether a place known to be in subdivision ``known`` can be in ``wanted``: one contains
    the other (a place in FR-IDF may be in FR-91; a place in FR-91 is in FR-IDF).

    >>> compatible("FR-91", "FR-IDF"), compatible("FR-69", "FR-IDF")
    (True, False)
    """
    return known in chain(wanted) or wanted in chain(known)


def check_country(country: str) -> str:
    """The ISO 3166-1 alpha-2 code (upper case) that ``country`` names.

    Accepts an alpha-2 or alpha-3 code or a country name (en/fr/es, see
    :func:`rightsgraph.loaders.places.resolve_country`); ``XK`` (Kosovo, used by GeoNames) too.
    Raises :class:`InputError` when it names no country.
    """
    if not isinstance(country, str) or not country.strip():
        raise InputError("the country is missing; give its ISO 3166-1 alpha-2 code, e.g. ES")
    text = country.strip()
    if len(text) > 100 or any(not ch.isprintable() for ch in text):
        raise InputError(f"{text[:40]!r}... is not a country code or name")
    upper = text.upper()
    if len(upper) == 2 and (pycountry.countries.get(alpha_2=upper) or upper == "XK"):
        return upper
    found = resolve_country(text)
    if found is None:
        raise InputError(f"{text!r} is not an ISO 3166-1 country code or a country name")
    return found


def check_subdivision(country: str, text: str | None) -> str | None:
    """The ISO 3166-2 code (any level) of ``country`` that ``text`` names, or ``None`` when no
    subdivision is given. ``text`` may be a code (``FR-91``, ``91``) or a name ("Essonne").

    Raises :class:`InputError` when it names nothing in ``country``, a subdivision of another
    country, or several subdivisions.
    """
    if text is None or not text.strip():
        return None
    raw = text.strip()
    if len(raw) > 100 or any(not ch.isprintable() for ch in raw):
        raise InputError(f"{raw[:40]!r}... is not an ISO 3166-2 code or a subdivision name")
    found = resolve_subdivision(country, raw)
    if found.code:
        return found.code
    if found.other:
        raise InputError(
            f"{raw!r} is a subdivision of {found.other_country} ({found.other}), not of {country}"
        )
    if found.ambiguous:
        raise InputError(f"{raw!r} names several subdivisions of {country}: "
                         f"{', '.join(found.ambiguous)}; give the code")
    hint = f"; did you mean {', '.join(found.suggestions)}?" if found.suggestions else ""
    raise InputError(f"{raw!r} is not an ISO 3166-2 subdivision of {country}{hint}")


def implied_subdivisions(country: str, keys: NameKeys) -> set[str]:
    """The subdivisions a city's own designation names: "Gwangju Metropolitan City" is the
    metropolitan city KR-29 (Gwangju-gwangyeoksi), not the Gwangju of Gyeonggi-do.

    Only a designation kind of :data:`CITY_SUBDIVISION_TYPES` counts, and only subdivisions of a
    matching type whose name without its designation is the name's base.
    """
    types = CITY_SUBDIVISION_TYPES.get(keys.designation or "")
    if not types:
        return set()
    return {
        s.code
        for s in subdivisions(country)
        if s.type.lower() in types and keys.base in s.bases | s.keys
    }


# --------------------------------------------------------------------------------------------
# Matching names to subdivisions
# --------------------------------------------------------------------------------------------


def _designation_types(name: str) -> set[str]:
    """The type words the designations of ``name`` name ("Provincia de Madrid" -> province)."""
    words = tokens(name)
    stripped = region_key(name)
    if stripped == "".join(words):
        return set()
    return {_TYPE_WORDS[w] for w in words if w in _TYPE_WORDS}


def match(query: Query) -> MatchResult:
    """The ISO 3166-2 subdivisions of ``query.country`` that ``query.name`` names.

    ``query.subdivision``, when given, keeps only subdivisions inside it or containing it.
    Raises :class:`InputError` for a name, country or subdivision that cannot be read (see
    :func:`~rightsgraph.loaders.registries.names.check_name`, :func:`check_country`,
    :func:`check_subdivision`).
    """
    name = check_name(query.name)
    country = check_country(query.country)
    wanted = check_subdivision(country, query.subdivision)
    whole = {key(v) for v in name_variants(name)} | {key(name)}
    mine = {region_key(v) for v in name_variants(name)}
    typed = _designation_types(name)
    found = _country_subdivisions(country)
    candidates: list[Candidate] = []
    for sub in found.subdivisions:
        if wanted and not compatible(wanted, sub.code):
            continue
        score, method = 0.0, ""
        if sub.keys & whole:
            score, method = SCORE_NAME, "iso3166-2:name"
        elif sub.admin1_keys & whole:
            score, method = SCORE_ADMIN1_NAME, "iso3166-2:geonames-admin1-name"
        elif sub.bases & mine:
            type_words = set(fold(sub.type).split())
            if typed & type_words:
                score, method = SCORE_BASE_TYPED, "iso3166-2:base-name"
            elif all(found.base_count.get(b, 0) == 1 for b in sub.bases & mine):
                score, method = SCORE_BASE, "iso3166-2:base-name"
        if score:
            candidates.append(
                Candidate(
                    source="iso3166",
                    name=sub.name,
                    country=country,
                    score=score,
                    method=method,
                    matched_on=sub.name,
                    iso3166_2=sub.code,
                    feature=sub.feature,
                )
            )
    return decide(
        query,
        candidates,
        reason_none=f"no ISO 3166-2 subdivision of {country} is named {name!r}",
    )


# --------------------------------------------------------------------------------------------
# UN M49
# --------------------------------------------------------------------------------------------


class M49(NamedTuple):
    """A country's UN M49 code (three digits) and its region and sub-region (English names;
    ``None`` where M49 gives none, as for Antarctica)."""

    code: str
    region: str | None
    subregion: str | None


@lru_cache(maxsize=1)
def _m49_table() -> dict[str, M49]:
    reader = csv.DictReader(io.StringIO(read_text("data", "m49.csv")))
    if reader.fieldnames != ["alpha2", "m49", "region", "subregion"]:
        raise ValueError(f"m49.csv: unexpected header {reader.fieldnames!r}")
    return {
        row["alpha2"]: M49(row["m49"], row["region"] or None, row["subregion"] or None)
        for row in reader
        if row["m49"]
    }


def m49_for(country: str) -> M49 | None:
    """``(code, region, subregion)`` of ``country`` in UN M49, from the packaged ``m49.csv``
    (the table ``rgv:countries`` is generated from), or ``None`` when M49 lists no such country
    (Taiwan has no M49 code).

    >>> m49_for("AT")
    M49(code='040', region='Europe', subregion='Western Europe')

    Raises :class:`InputError` when ``country`` is not a country code or name.
    """
    return _m49_table().get(check_country(country))
