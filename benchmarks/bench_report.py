"""Figures of ``benchmarks/bench.py`` as Markdown: the tables of one size, the targets of issue 6,
and the section of ``benchmarks/RESULTS.md`` between its markers.

Everything here reads the JSON-shaped results (plain dicts) that ``bench.py`` writes, so that the
tables can be made again from a results file: ``python benchmarks/bench_report.py FILE.json``.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

START = "<!-- bench:start -->"
END = "<!-- bench:end -->"

#: The systems, in the order of the tables.
SYSTEMS: dict[str, str] = {
    "ours-embedded": "RightsGraph, embedded store",
    "ours-virtuoso": "RightsGraph on Virtuoso",
    "virtuoso": "Virtuoso's own /sparql",
    "rdflib-endpoint": "rdflib-endpoint",
    "rdflib": "rdflib in memory",
}
SHORT: dict[str, str] = {
    "ours-embedded": "ours (embedded)",
    "ours-virtuoso": "ours (Virtuoso)",
    "virtuoso": "Virtuoso",
    "rdflib-endpoint": "rdflib-endpoint",
    "rdflib": "rdflib",
}
GIB = 1024**3
MIB = 1024**2
TARGET_SIZE = 10_000


# -- numbers -----------------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) by the nearest-rank method; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def geomean(values: Iterable[float]) -> float | None:
    items = list(values)
    if not items or any(v <= 0 for v in items):
        return None
    return math.exp(sum(math.log(v) for v in items) / len(items))


def ms(value: float | None, *, over: float | None = None) -> str:
    """Milliseconds for a table: ``> 120 s`` for a run over the limit, ``-`` when not measured."""
    if value is None:
        return f"> {over:g} s" if over is not None else "-"
    if value >= 10_000:
        return f"{value / 1000:,.1f} s"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def with_unit(value: float | None) -> str:
    """``850 ms`` or ``12.5 s``."""
    text = ms(value)
    return text if text.endswith(" s") or text == "-" else text + " ms"


def cell(stats: Mapping[str, Any] | None) -> str:
    """``median / p95`` (or one figure when there was one run), with the timeouts."""
    if not stats:
        return "-"
    if stats.get("median") is None:
        if stats.get("timeouts"):
            return ms(None, over=stats.get("limit_s"))
        return "error"
    text = ms(stats["median"])
    if stats.get("runs", 0) > 1:
        text += f" / {ms(stats['p95'])}"
    if stats.get("timeouts"):
        text += f" ({stats['timeouts']} > {stats.get('limit_s'):g} s)"
    return text


def ratio(
    peer: Mapping[str, Any] | None, ours: Mapping[str, Any] | None
) -> tuple[str, float | None, bool]:
    """How many times faster ours is than ``peer`` (medians): text, value, and whether the
    value is only a lower bound (the peer ran over the limit)."""
    if not peer or not ours or not ours.get("median"):
        return "-", None, False
    if peer.get("median") is None:
        if peer.get("timeouts") and peer.get("limit_s"):
            value = peer["limit_s"] * 1000 / ours["median"]
            return f"> {value:,.0f}x", value, True
        return "-", None, False
    value = peer["median"] / ours["median"]
    return f"{value:,.1f}x", value, False


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


# -- one size ------------------------------------------------------------------------------------
def size_tables(size: Mapping[str, Any]) -> list[str]:
    """The Markdown of one size's figures."""
    n = size["territories"]
    out = [f"### {n:,} territories", ""]
    out.append(
        f"{size['synthetic_triples']:,} synthetic triples plus {size['context_triples']:,} of "
        f"ontology, vocabularies and seed data; this size took {size['seconds'] / 60:.1f} min."
    )
    for system, why in size.get("skipped", {}).items():
        out.append(f"- {SYSTEMS.get(system, system)}: not measured ({why})")
    out.append("")

    load = size.get("load", {})
    rows = []
    for key, label in (("embedded", "embedded store (`rightsgraph load --bulk`, start-up "
                                     "taken off)"),
                       ("virtuoso", "Virtuoso (its bulk loader, `RemoteStore.load(bulk=True)`)"),
                       ("rdflib-endpoint", "rdflib-endpoint (parse at start-up)"),
                       ("rdflib", "rdflib Dataset (parse)")):
        item = load.get(key)
        if item and item.get("seconds"):
            rows.append([label, f"{item['seconds']:.1f}", f"{item['triples_per_s']:,.0f}"])
    out += ["Load:", ""]
    out += table(["into", "seconds", "triples/s"], rows)
    out.append("")

    queries = size.get("queries", {})
    present = [s for s in SYSTEMS if any(s in q["systems"] for q in queries.values())]
    header = ["query", *(SHORT[s] for s in present), "ours vs rdflib", "ours vs rdflib-endpoint",
              "rows"]
    out += [
        "Latency over HTTP, milliseconds, median / p95 (rdflib: in process). Ours: first run after "
        "a write (a Graph Store PUT before every run).",
        "",
    ]
    body = []
    for key, q in queries.items():
        systems = q["systems"]
        ours = systems.get("ours-embedded")
        body.append([
            key if q["kind"] == "cross" else f"`{key}`",
            *(cell(systems.get(s)) for s in present),
            ratio(systems.get("rdflib"), ours)[0],
            ratio(systems.get("rdflib-endpoint"), ours)[0],
            q.get("rows_note") or str(q.get("rows", "-")),
        ])
    out += table(header, body)
    out.append("")

    geo = size.get("geomean", {})
    if geo:
        parts = [f"{SHORT[s]} {with_unit(v)}" for s, v in geo.get("systems", {}).items() if v]
        out.append("Geometric mean of Q1-Q5: " + "; ".join(parts) + ".")
        if geo.get("ours_vs_virtuoso") is not None:
            out.append(f"Ours (embedded) / Virtuoso's own endpoint: "
                       f"{geo['ours_vs_virtuoso']:.2f}x (target: at most 2x).")
        out.append("")

    repeated = size.get("repeated", {})
    if repeated:
        rows = []
        for system, per in repeated.items():
            for key, item in per.items():
                rows.append([SHORT[system], key, cell(item.get("repeat")),
                             cell(item.get("not_modified")), item.get("note", "")])
        out += ["Repeated query on an unchanged store (50 runs) and revalidation with "
                "`If-None-Match`:", ""]
        out += table(["system", "query", "repeat ms", "304 ms", "note"], rows)
        out.append("")

    pages = size.get("pages", {})
    if pages:
        names = list(pages)
        keys = list(dict.fromkeys(k for per in pages.values() for k in per))
        rows = [[f"`{k}`", *(cell(pages[n].get(k)) for n in names)] for k in keys]
        out += ["Web pages (HTML, English), first view after a write, ms median / p95:", ""]
        out += table(["page", *(SHORT[n] for n in names)], rows)
        out.append("")

    validation = size.get("validation", {})
    if validation:
        rows = [[SHORT[s], cell(v), v.get("note", "")] for s, v in validation.items()]
        out += ["Submission validation (`POST /api/submissions?dry_run=true`, one territory with "
                "10 initiatives):", ""]
        out += table(["service", "ms median / p95", "note"], rows)
        out.append("")

    report = size.get("report", {})
    if report:
        rows = [[SHORT[s], cell(v), v.get("note", "")] for s, v in report.items()]
        out += ["Intersectionality report, `GET /api/reports/intersectionality?format=json` "
                "first call after a write:", ""]
        out += table(["service", "ms median / p95", "note"], rows)
        out.append("")

    memory = size.get("memory", {})
    if memory:
        rows = [[SYSTEMS.get(k, k), f"{v / MIB:,.0f}"] for k, v in memory.items() if v]
        out += ["Peak resident memory (process and children, sampled every 0.1 s):", ""]
        out += table(["process", "MiB"], rows)
        out.append("")
    return out


# -- the targets ---------------------------------------------------------------------------------
def _at(results: Mapping[str, Any], territories: int) -> Mapping[str, Any] | None:
    return next((s for s in results["sizes"] if s["territories"] == territories), None)


def targets(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue 6 with the value measured and whether it is met (None: not measured
    in this run). The query targets are for 10,000 territories; when that size was not run they
    are judged at the largest size that was, and say so."""
    sizes = results["sizes"]
    out: list[dict[str, Any]] = []
    if not sizes:
        return out
    size = _at(results, TARGET_SIZE) or max(sizes, key=lambda s: s["territories"])
    where = "" if size["territories"] == TARGET_SIZE else (
        f" (measured at {size['territories']:,} territories; the target is for 10,000)")

    def add(name: str, value: str, met: bool | None) -> None:
        out.append({"target": name + where if met is not None else name, "value": value,
                    "met": met})

    cross = {k: q for k, q in size["queries"].items() if q["kind"] == "cross"}
    for peer, factor in (("rdflib", 20), ("rdflib-endpoint", 10)):
        values = []
        for key, q in cross.items():
            text, value, _ = ratio(q["systems"].get(peer), q["systems"].get("ours-embedded"))
            values.append((key, text, value))
        measured = [v for _, _, v in values if v is not None]
        met = all(v >= factor for v in measured) if len(measured) == len(values) else None
        add(f"Q1-Q5 first run after a write: each >= {factor}x faster than {SYSTEMS[peer]}",
            ", ".join(f"{k} {t}" for k, t, _ in values), met)
    geo = size.get("geomean", {}).get("ours_vs_virtuoso")
    add("Q1-Q5 geometric mean within 2x of Virtuoso's own endpoint",
        f"{geo:.2f}x" if geo is not None else "-", geo <= 2 if geo is not None else None)

    worst: tuple[str, float] | None = None
    for system in ("ours-embedded",):
        for key, item in size.get("repeated", {}).get(system, {}).items():
            m = (item.get("repeat") or {}).get("median")
            if m is not None and (worst is None or m > worst[1]):
                worst = (key, m)
    add("repeated query on an unchanged store under 5 ms median",
        f"slowest {worst[0]} {with_unit(worst[1])}" if worst else "-",
        worst[1] < 5 if worst else None)

    named = {k: q["systems"].get("ours-embedded") or {} for k, q in size["queries"].items()
             if q["kind"] == "named"}
    over = sorted(((k, s["median"]) for k, s in named.items() if s.get("median") is not None
                   and s["median"] >= 100), key=lambda kv: -kv[1])
    missing = [k for k, s in named.items() if s.get("median") is None]
    if named:
        slowest = max(((k, s["median"]) for k, s in named.items() if s.get("median") is not None),
                      key=lambda kv: kv[1], default=None)
        summary = (f"{len(named) - len(over) - len(missing)} of {len(named)} under 100 ms"
                 + (f"; slowest {slowest[0]} {with_unit(slowest[1])}" if slowest else "")
                 + (f"; over: {', '.join(f'{k} {with_unit(v)}' for k, v in over[:6])}"
                    if over else "")
                 + (f"; failed: {', '.join(missing)}" if missing else ""))
        add("named questions under 100 ms median, first run (after a write) included", summary,
            not over and not missing)

    pages = (size.get("pages") or {}).get("ours-embedded") or {}
    if pages:
        timed = [(k, v.get("median")) for k, v in pages.items()]
        slow = sorted(((k, m) for k, m in timed if m is None or m >= 100),
                      key=lambda kv: -(kv[1] or float("inf")))
        add("web pages under 100 ms median, first view (after a write) included",
            f"{len(timed) - len(slow)} of {len(timed)} under 100 ms"
            + (f"; over: {', '.join(f'{k} {with_unit(m)}' for k, m in slow)}" if slow else ""),
            not slow)

    validation = [(s["territories"], (s.get("validation") or {}).get("ours-embedded") or {})
                  for s in sizes]
    medians = [(n, v.get("median")) for n, v in validation]
    known = [(n, m) for n, m in medians if m is not None]
    out.append({
        "target": "submission validation under 150 ms median whatever the store size",
        "value": ", ".join(f"{n:,}: {with_unit(m)}" for n, m in known) or "-",
        "met": all(m < 150 for _, m in known) if known and len(known) == len(medians) else None,
    })

    loads = [(s["territories"], (s.get("load") or {}).get("embedded", {}).get("triples_per_s"))
             for s in sizes]
    out.append({
        "target": "bulk load above 200,000 triples/s into the embedded store",
        "value": ", ".join(f"{n:,}: {v:,.0f}/s" for n, v in loads if v) or "-",
        "met": all(v and v > 200_000 for _, v in loads) if loads else None,
    })

    for n, limit in ((10_000, 1), (100_000, 6)):
        at = _at(results, n)
        peak = (at or {}).get("memory", {}).get("ours-embedded")
        out.append({
            "target": f"service memory under {limit} GiB at {n:,} territories",
            "value": f"{peak / GIB:.2f} GiB" if peak else "not measured in this run",
            "met": peak < limit * GIB if peak else None,
        })
    return out


def targets_table(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    verdict = {True: "MET", False: "NOT MET", None: "not measured"}
    return table(["target", "measured", ""],
                 ([r["target"], r["value"], verdict[r["met"]]] for r in rows))


# -- the whole report ----------------------------------------------------------------------------
def header(results: Mapping[str, Any]) -> list[str]:
    machine, versions = results["machine"], results["versions"]
    out = [
        f"Run of {results['started']} (`{results['command']}`), "
        f"{results['seconds'] / 60:.1f} min in all; raw figures in `{results['json']}`.",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['ram_bytes'] / GIB:.1f} GiB RAM, {machine['os']}. Other work shares the "
        "machine: read ratios, not absolute times.",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
        "",
    ]
    return out


def markdown(results: Mapping[str, Any]) -> list[str]:
    out = header(results)
    out += ["#### Targets (issue 6)", ""]
    out += targets_table(results.get("targets") or targets(results))
    out.append("")
    for size in results["sizes"]:
        out += size_tables(size)
    return out


def write_results_md(path: Path, lines: Sequence[str]) -> None:
    """Replace the text between the markers of ``path`` (created with a heading when missing).

    Raises ``ValueError`` when the file exists without both markers."""
    block = "\n".join([START, *lines, END])
    if not path.exists():
        path.write_text(
            "# Benchmarks: results\n\n"
            "Figures of `make bench` (`benchmarks/bench.py`, see `benchmarks/README.md`); "
            "the section between the markers is rewritten by every run.\n\n"
            f"{block}\n",
            encoding="utf-8",
        )
        return
    text = path.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise ValueError(f"{path} lacks the markers {START} and {END}")
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    path.write_text(before + block + after, encoding="utf-8")


def main(argv: Sequence[str]) -> int:
    """Print the Markdown of a results file (``bench.py --out`` or ``var/bench/results-*.json``)."""
    if len(argv) != 1:
        print("usage: bench_report.py RESULTS.json", file=sys.stderr)
        return 2
    results = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    print("\n".join(markdown(results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
