"""Bulk load throughput of the embedded store, and the build of its in-memory copy.

    python benchmarks/load_embedded.py                      # 1,000, 10,000, 100,000 territories
    python benchmarks/load_embedded.py 1000 10000 --repeat 3
    python benchmarks/load_embedded.py --file dump.nq       # a file of your own

For each size it writes the synthetic N-Quads file of ``benchmarks/generate.py`` (kept in
``--workdir`` and reused), then, each in a fresh process and a fresh store folder:

- ``rightsgraph``: ``OxigraphStore.load(file, bulk=True)``, what ``rightsgraph load --bulk``
  runs (staged copy, native bulk loader, history graphs moved out, revision bump, swap-in);
- ``pyoxigraph``: pyoxigraph's own ``Store.bulk_load`` on the same file into an empty folder,
  the reference (no staging, no all-or-nothing);
- ``replica``: opening the loaded store with ``memory_reads=True``: the time to build the
  in-memory copy and the memory it takes (resident size after minus before).

Prints triples, wall seconds, CPU seconds (user + system: steadier than wall time on a shared
machine), triples per second of wall time and the peak resident memory of the process; with
``--repeat`` the medians. Fictional example data only (see ``rightsgraph.data.synthetic``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _rss_mb() -> float:
    """Resident memory of this process now, MiB."""
    with open("/proc/self/statm", encoding="ascii") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _one(mode: str, source: Path, target: Path) -> dict[str, Any]:
    """One measurement, in this (fresh) process; returns the figures."""
    import pyoxigraph as ox

    from rightsgraph.store.oxigraph import OxigraphStore

    if mode == "replica":
        before, cpu, started = _rss_mb(), _cpu(), time.perf_counter()
        store = OxigraphStore(target, memory_reads=True)
        seconds, cpu = time.perf_counter() - started, _cpu() - cpu
        memory = store._memory  # the benchmark measures the copy itself
        triples = len(memory) if memory is not None else 0
        grown = _rss_mb() - before
        store.close()
        return {"triples": triples, "seconds": seconds, "cpu": cpu, "peak_mb": _peak_mb(),
                "replica_mb": grown}
    shutil.rmtree(target, ignore_errors=True)
    cpu, started = _cpu(), time.perf_counter()
    if mode == "rightsgraph":
        store = OxigraphStore(target)
        triples = store.load(source, format=ox.RdfFormat.N_QUADS, bulk=True)
        store.close()
    else:
        raw = ox.Store(str(target))
        raw.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS)
        raw.flush()
        triples = len(raw)
        del raw
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    return {"triples": triples, "seconds": seconds, "cpu": cpu, "peak_mb": _peak_mb()}


def _measure(mode: str, source: Path, target: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--one", mode, str(source), str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{mode} on {source} failed:\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _generate(territories: int, workdir: Path) -> Path:
    path = workdir / f"bench-{territories}.nq"
    if not path.exists():
        part = path.with_suffix(".part")
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--territories", str(territories),
             "--out", str(part)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        part.replace(path)
    return path


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(float(r[key]) for r in runs)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, run the measurements, print the table; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000, 100000],
                        help="territories per synthetic file (default 1000 10000 100000)")
    parser.add_argument("--file", type=Path, action="append", default=[],
                        help="an N-Quads file to load instead of synthetic ones (repeatable)")
    parser.add_argument("--workdir", type=Path,
                        help="where files and stores go (default: a temporary folder; "
                        "generated files are kept there and reused)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each (medians printed)")
    parser.add_argument("--no-replica", action="store_true", help="skip the replica build")
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        mode, source, target = args.one
        print(json.dumps(_one(mode, Path(source), Path(target))))
        return 0

    import pyoxigraph

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="rightsgraph-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    files = list(args.file) or [_generate(n, workdir) for n in args.sizes]
    print(f"# {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"pyoxigraph {pyoxigraph.__version__}, load average {os.getloadavg()[0]:.1f}")
    print(f"# medians of {args.repeat} run(s); wall time is noisy on a shared machine, "
          "CPU time less so")
    header = f"{'file':<22} {'what':<12} {'triples':>11} {'wall s':>8} {'cpu s':>8} " \
             f"{'triples/s':>10} {'peak MiB':>9} {'copy MiB':>9}"
    print(header)
    try:
        for source in files:
            target = workdir / f"store-{source.stem}"
            modes = ["pyoxigraph", "rightsgraph"] + ([] if args.no_replica else ["replica"])
            for mode in modes:
                runs = []
                for _ in range(args.repeat):
                    if mode == "replica" and not target.exists():
                        _measure("rightsgraph", source, target)
                    runs.append(_measure(mode, source, target))
                    if mode == "pyoxigraph":
                        shutil.rmtree(target, ignore_errors=True)
                wall, cpu = _median(runs, "seconds"), _median(runs, "cpu")
                triples = int(runs[0]["triples"])
                copy = f"{_median(runs, 'replica_mb'):>9.0f}" if mode == "replica" else " " * 9
                print(f"{source.name:<22} {mode:<12} {triples:>11,} {wall:>8.2f} {cpu:>8.2f} "
                      f"{triples / wall:>10,.0f} {_median(runs, 'peak_mb'):>9.0f} {copy}",
                      flush=True)
            shutil.rmtree(target, ignore_errors=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
