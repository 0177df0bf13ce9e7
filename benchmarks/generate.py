"""Write a synthetic campaign graph as N-Quads, for loading and query benchmarks.

    python benchmarks/generate.py --territories 10000 --seed 0 --out var/bench-10k.nq

Prints the number of triples written and the seconds it took. The data is fictional example data
(see rightsgraph.data.synthetic): every territory has its own named graph, as submissions would.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from rightsgraph.data.synthetic import generate


def _write(handle: TextIO, territories: int, seed: int, initiatives: int) -> int:
    count = 0
    for line in generate(territories, seed=seed, initiatives_per_territory=initiatives):
        handle.write(line)
        count += 1
    return count


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, write the graph, print the figures; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--territories", type=int, required=True, help="number of territories")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--initiatives", type=int, default=10,
        help="upper bound of initiatives per territory (default 10, about 100 triples each)",
    )
    parser.add_argument(
        "--out", type=Path, help="N-Quads file to write (default: standard output)"
    )
    args = parser.parse_args(argv)
    if args.territories < 0:
        parser.error("--territories must be >= 0")

    started = time.perf_counter()
    if args.out is None:
        count = _write(sys.stdout, args.territories, args.seed, args.initiatives)
        report = sys.stderr
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("w", encoding="utf-8") as handle:
            count = _write(handle, args.territories, args.seed, args.initiatives)
        report = sys.stdout
    seconds = time.perf_counter() - started
    report.write(
        f"{count} triples ({args.territories} territories) written in {seconds:.2f} s"
        f" ({count / seconds if seconds else 0:,.0f} triples/s)\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
