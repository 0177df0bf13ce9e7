"""Time to build the intersectionality report (the analysis only) on synthetic graphs.

    python benchmarks/report_build.py [--territories 1000 10000] [--repeat 3] [--lang en]

For each size: a temporary store with the ontology, vocabularies and seed data
(``rightsgraph init --no-example``) and the synthetic graph of ``benchmarks/generate.py`` (lean
mode: 10 initiatives a territory, fictional example data), loaded in bulk, both in
subprocesses so that this process's memory is the analysis's own. Then the report is built
``--repeat`` times with :func:`rightsgraph.reports.analysis.build_report` on the embedded store;
the script prints the first build (cold caches), the median of the builds, the median time of
every query and of the Python work of every table, and the peak memory (the process's peak
resident set, and the peak of Python allocations during one build).

The target is the whole HTML report under 5 s at 10,000 territories, which leaves the analysis
about 3 s. ``benchmarks/report_render.py`` adds the rendering; it can reuse :func:`make_store`
and :func:`measure` from here. The machines are shared and noisy: read ratios, not absolute
times, and run it twice.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

CLI = [sys.executable, "-m", "rightsgraph.service.cli"]
GENERATE = Path(__file__).resolve().parent / "generate.py"
TARGET_SECONDS = 3.0

# Which queries feed which tables (``query:{name}`` steps of build_report's timings).
FEEDS = {
    "concepts": "labels of every table",
    "known": "filter check",
    "narrower": "rights and groups filters, headline themes",
    "territories_in_scope": "overview, headline_gaps",
    "concept_counts": "overview, groups, categories, gaps_by_region, gaps_by_country",
    "group_pairs": "group_cooccurrence, group_network, intersections, group_category",
    "category_pairs": "category_cooccurrence, category_network, group_category (heat map)",
    "group_triples": "intersections",
    "profiles": "similar_territories",
    "territory_labels": "similar_territories, headline_gaps",
    "headline": "headline_gaps",
    "trend": "trend_by_year",
    "members": "members_by_wave",
}


def make_store(folder: Path, territories: int, *, seed: int = 0) -> Path:
    """A store in ``folder`` with the packaged context (no example data) and ``territories``
    synthetic territories (10 lean initiatives each). Raises ``CalledProcessError`` if a step
    fails."""
    store = folder / "store"
    data = folder / f"synthetic-{territories}.nq"
    subprocess.run([*CLI, "--store", str(store), "init", "--no-example"], check=True,
                   capture_output=True)
    subprocess.run([sys.executable, str(GENERATE), "--territories", str(territories),
                    "--seed", str(seed), "--detail", "lean", "--out", str(data)],
                   check=True, capture_output=True)
    subprocess.run([*CLI, "--store", str(store), "load", "--bulk", str(data)], check=True,
                   capture_output=True)
    data.unlink()
    return store


@dataclass
class Measurement:
    """The builds of one report on one store."""

    totals: list[float] = field(default_factory=list)
    steps: dict[str, list[float]] = field(default_factory=dict)
    python_peak_bytes: int = 0
    rss_peak_bytes: int = 0
    initiatives: int = 0
    territories: int = 0

    @property
    def first(self) -> float:
        return self.totals[0]

    @property
    def median(self) -> float:
        return statistics.median(self.totals[1:] or self.totals)


def _rss_peak() -> int:
    """Peak resident set of this process in bytes (Linux reports kilobytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def measure(store_path: Path, *, repeat: int = 3, lang: str = "en") -> Measurement:
    """Build the unfiltered report ``repeat`` times on the store at ``store_path`` (opened read
    only); the first build also records the peak of Python allocations."""
    from rightsgraph.reports.analysis import build_report
    from rightsgraph.reports.model import Filters
    from rightsgraph.reports.source import store_source
    from rightsgraph.store import open_store

    out = Measurement()
    store = open_store(store_path, read_only=True)
    try:
        source = store_source(store)
        for run in range(max(1, repeat)):
            timings: dict[str, float] = {}
            if run == 0:
                tracemalloc.start()
            started = time.perf_counter()
            report = build_report(source, Filters(), lang, timings=timings)
            out.totals.append(time.perf_counter() - started)
            if run == 0:
                out.python_peak_bytes = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            for step, seconds in timings.items():
                out.steps.setdefault(step, []).append(seconds)
            out.initiatives = report.base.initiatives
            out.territories = report.base.territories
    finally:
        store.close()
    out.rss_peak_bytes = _rss_peak()
    return out


def _print(size: int, m: Measurement) -> None:
    mib = 1024 * 1024
    print(f"\n{size:,} territories: {m.initiatives:,} initiatives, "
          f"{m.territories:,} territories with an initiative")
    print(f"  build: first {m.first:.2f} s, median of the next {len(m.totals) - 1 or 1}: "
          f"{m.median:.2f} s (target {TARGET_SECONDS:.0f} s: "
          f"{'met' if m.median <= TARGET_SECONDS else 'MISSED'})")
    print(f"  memory: peak resident set {m.rss_peak_bytes / mib:,.0f} MiB; "
          f"Python allocations peak {m.python_peak_bytes / mib:,.1f} MiB")
    print("  median seconds per step:")
    ordered = sorted(m.steps.items(), key=lambda kv: -statistics.median(kv[1]))
    for step, values in ordered:
        kind, _, name = step.partition(":")
        what = FEEDS.get(name, "") if kind == "query" else "Python work"
        print(f"    {statistics.median(values):7.3f}  {step:32s} {what}")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, build the stores, time the analysis; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--territories", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3, help="builds per size (default 3)")
    parser.add_argument("--lang", default="en", choices=("en", "fr", "es"))
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="report-build-") as tmp:
        for size in args.territories:
            folder = Path(tmp) / str(size)
            folder.mkdir()
            started = time.perf_counter()
            store = make_store(folder, size, seed=args.seed)
            print(f"store of {size:,} territories made in {time.perf_counter() - started:.1f} s")
            _print(size, measure(store, repeat=args.repeat, lang=args.lang))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
