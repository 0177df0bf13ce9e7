"""Write a synthetic campaign graph as N-Quads, for loading and query benchmarks.

    python benchmarks/generate.py --territories 10000 --seed 0 --out var/bench-10k.nq

Prints the number of triples written and the seconds it took. The data is fictional example data
(see rightsgraph.data.synthetic): every territory has its own named graph, as submissions would,
and exactly 10 initiatives (``--initiatives``). With the default ``--detail lean`` each initiative
carries only its core statements, so a territory is about 100 triples (10,000 territories: about
a million), the size of the reference figures in REFERENCE.md; ``--detail full`` gives every
statement a submission would carry (about 250 triples per territory).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from rightsgraph.data.synthetic import Detail, generate


def _write(
    handle: TextIO, territories: int, seed: int, initiatives: int, detail: Detail
) -> int:
    count = 0
    for line in generate(
        territories, seed=seed, initiatives_per_territory=initiatives, detail=detail
    ):
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
        help="initiatives per territory, exactly (default 10)",
    )
    parser.add_argument(
        "--detail", choices=("lean", "full"), default="lean",
        help="lean: core statements only, about 100 triples per territory with 10 initiatives "
        "(default); full: every statement a submission carries, about 250",
    )
    parser.add_argument(
        "--out", type=Path, help="N-Quads file to write (default: standard output)"
    )
    args = parser.parse_args(argv)
    if args.territories < 0:
        parser.error("--territories must be >= 0")
    if args.initiatives < 1:
        parser.error("--initiatives must be >= 1")

    started = time.perf_counter()
    if args.out is None:
        count = _write(sys.stdout, args.territories, args.seed, args.initiatives, args.detail)
        report = sys.stderr
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("w", encoding="utf-8") as handle:
            count = _write(handle, args.territories, args.seed, args.initiatives, args.detail)
        report = sys.stdout
    seconds = time.perf_counter() - started
    report.write(
        f"{count} triples ({args.territories} territories) written in {seconds:.2f} s"
        f" ({count / seconds if seconds else 0:,.0f} triples/s)\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
