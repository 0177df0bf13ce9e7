"""Time to render the intersectionality report as HTML on synthetic graphs.

    python benchmarks/report_render.py [--territories 1000 10000] [--repeat 3]

For each size: a temporary store with the ontology and vocabularies (`rightsgraph init
--no-example`) and the synthetic graph of `benchmarks/generate.py` (10 initiatives a territory,
fictional example data), loaded in bulk. Then, in this process, the report is built once with
`rightsgraph.reports.analysis.build_report` (the other benchmark, `report_build.py`, studies that
part) and rendered to HTML `--repeat` times: the charts (Altair specifications and vl-convert's
SVG) and the page (Jinja2). Prints the build time, the median render time, its split, the size of
the HTML, and the total against the 5 s target at 10,000 territories.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = [sys.executable, "-m", "rightsgraph.service.cli"]
GENERATE = Path(__file__).resolve().parent / "generate.py"
TARGET_SECONDS = 5.0


def _store(folder: Path, territories: int) -> Path:
    """A store with the vocabularies and ``territories`` synthetic territories."""
    store = folder / "store"
    data = folder / "synthetic.nq"
    subprocess.run([*CLI, "--store", str(store), "init", "--no-example"], check=True,
                   capture_output=True)
    subprocess.run([sys.executable, str(GENERATE), "--territories", str(territories),
                    "--out", str(data)], check=True, capture_output=True)
    subprocess.run([*CLI, "--store", str(store), "load", "--bulk", str(data)], check=True,
                   capture_output=True)
    return store


def _measure(store_folder: Path, repeat: int) -> dict[str, float]:
    from rightsgraph.reports.analysis import build_report
    from rightsgraph.reports.charts import report_charts
    from rightsgraph.reports.model import Filters
    from rightsgraph.reports.render_html import render_html
    from rightsgraph.reports.source import store_source
    from rightsgraph.store import open_store

    store = open_store(store_folder, read_only=True)
    try:
        started = time.perf_counter()
        report = build_report(store_source(store), Filters(), "en")
        build = time.perf_counter() - started
    finally:
        store.close()
    chart_times, page_times, sizes = [], [], []
    for _ in range(repeat):
        started = time.perf_counter()
        charts = report_charts(report)
        for chart in charts:
            chart.svg()
        middle = time.perf_counter()
        html = render_html(report, charts=charts)
        done = time.perf_counter()
        chart_times.append(middle - started)
        page_times.append(done - middle)
        sizes.append(len(html.encode("utf-8")))
    charts_s, page_s = statistics.median(chart_times), statistics.median(page_times)
    return {
        "initiatives": report.base.initiatives,
        "territories": report.base.territories,
        "build": build,
        "charts": charts_s,
        "page": page_s,
        "render": charts_s + page_s,
        "bytes": statistics.median(sizes),
        "rows": sum(len(t.rows) for t in report.tables.values()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--territories", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'territories':>11} {'initiatives':>11} {'build s':>8} {'charts s':>9} "
          f"{'page s':>7} {'render s':>9} {'total s':>8} {'HTML KB':>8} {'rows':>6}")
    for size in args.territories:
        with tempfile.TemporaryDirectory() as tmp:
            store = _store(Path(tmp), size)
            m = _measure(store, args.repeat)
        total = m["build"] + m["render"]
        print(
            f"{size:>11,} {int(m['initiatives']):>11,} {m['build']:>8.2f} {m['charts']:>9.2f} "
            f"{m['page']:>7.2f} {m['render']:>9.2f} {total:>8.2f} {m['bytes'] / 1024:>8.0f} "
            f"{int(m['rows']):>6}"
            + ("" if size < 10_000 else
               f"   target {TARGET_SECONDS:.0f} s: {'met' if total < TARGET_SECONDS else 'MISSED'}")
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
