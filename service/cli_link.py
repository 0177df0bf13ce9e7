"""``rightsgraph link lookup|territories|review``: territories linked to GeoNames, Wikidata and
ISO 3166-2, and the review list where a person accepts or rejects what was not decided.

Kept apart from ``cli.py`` (like ``cli_tokens.py``) so the linking commands live next to their
library (``rightsgraph.loaders.registries.linking``). The exit codes are ``cli.py``'s: 0 done,
1 a command failed (or some ``--from-csv`` rows could not be answered), 2 bad input, 3 the store is
unavailable. Wikidata is optional everywhere: when its endpoint cannot be reached the commands go
on with the offline registries and say so on stderr.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from rightsgraph.errors import InputError, RegistryUnavailableError
from rightsgraph.loaders.registries.model import Query

#: Environment variable: the least time between two Wikidata requests, in seconds. The public
#: Wikidata Query Service never gets less than one second, whatever it says.
MIN_INTERVAL_ENV = "RIGHTSGRAPH_WIKIDATA_MIN_INTERVAL"
#: Environment variable: the longest a Wikidata request may take, in seconds.
TIMEOUT_ENV = "RIGHTSGRAPH_WIKIDATA_TIMEOUT"
#: Environment variable: who reviews, when ``--by`` is not given.
REVIEWER_ENV = "RIGHTSGRAPH_REVIEWER"
_MAX_CSV = 5_000_000


def add_link_commands(sub: Any) -> None:
    """Add ``link`` and its sub-commands to the ``rightsgraph`` sub-parsers (``sub`` is what
    ``ArgumentParser.add_subparsers`` returned)."""
    s = sub.add_parser(
        "link",
        help="link territories to GeoNames, Wikidata and ISO 3166-2; review the links",
        description="Match territory names against GeoNames (offline), ISO 3166-2 (offline, "
        "provinces and regions) and Wikidata ($RIGHTSGRAPH_WIKIDATA_ENDPOINT, default the public "
        "Wikidata Query Service). Confident matches are accepted automatically; the others wait "
        "in the review list. See docs/linking.md.",
    )
    actions = s.add_subparsers(dest="link_command", required=True, metavar="ACTION")

    lk = actions.add_parser("lookup", help="the registries' candidates for a name")
    lk.add_argument("name", nargs="?", help="the name as submitted (not with --from-csv)")
    lk.add_argument("--country", metavar="CC", help="ISO 3166-1 alpha-2 code, e.g. FR")
    lk.add_argument("--subdivision", metavar="CODE", help="ISO 3166-2 code, e.g. FR-91")
    lk.add_argument("--format", choices=("text", "json"), default="text")
    lk.add_argument(
        "--from-csv",
        type=Path,
        metavar="FILE",
        help="answer every row of a CSV file (columns name, country, subdivision) as JSON lines",
    )
    lk.add_argument(
        "--source",
        default="geonames,wikidata",
        metavar="LIST",
        help="registries to ask, comma-separated: geonames, wikidata, iso3166",
    )

    tr = actions.add_parser("territories", help="link every territory of the store")
    tr.add_argument(
        "--source",
        default="geonames,wikidata",
        metavar="LIST",
        help="registries to use, comma-separated: geonames (with ISO 3166-2 for provinces and "
        "regions), wikidata, iso3166",
    )
    tr.add_argument("--dry-run", action="store_true", help="say what would change; write nothing")
    tr.add_argument(
        "--include-examples", action="store_true", help="link the example territories too"
    )
    tr.add_argument("--format", choices=("text", "json"), default="text")

    rv = actions.add_parser(
        "review",
        help="list the links waiting for a person; accept or reject one",
        description="Without a decision, list the pending links. `review accept ID` and "
        "`review reject ID` record a person's decision (--by NAME, default "
        f"${REVIEWER_ENV} or the login name).",
    )
    rv.add_argument("--format", choices=("text", "json"), default="text")
    decisions = rv.add_subparsers(dest="review_command", metavar="DECISION")
    for name, helptext in (
        ("accept", "accept a link: the territory gets the identifier"),
        ("reject", "reject a link: it is never proposed again for that territory"),
    ):
        d = decisions.add_parser(name, help=helptext)
        d.add_argument("id", help="the link id shown by `rightsgraph link review`")
        d.add_argument("--by", metavar="NAME", help="who decides (default: the login name)")
        d.add_argument("--format", choices=("text", "json"), default=None, dest="decision_format")


def cmd_link(args: argparse.Namespace) -> int:
    """Run ``link lookup|territories|review``; returns the exit code.

    Raises ``InputError`` (bad arguments or files), ``NotFoundError`` (unknown link id) and
    ``StoreError`` (store unavailable), which ``cli.main`` turns into one line and an exit code.
    """
    action = args.link_command
    if action == "lookup":
        return _lookup(args)
    if action == "territories":
        return _territories(args)
    if action == "review":
        return _review(args)
    raise InputError(f"unknown link action {action!r}")


# -- shared -----------------------------------------------------------------------------------
def _sources(text: str) -> list[str]:
    from rightsgraph.loaders.registries.linking import normalise_sources

    return list(normalise_sources(text.split(",")))


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"{name} must be a number of seconds, got {raw!r}") from None
    if value < 0:
        raise InputError(f"{name} must not be negative, got {raw!r}")
    return value


def wikidata_client(store_dir: Path) -> Any:
    """The Wikidata client the commands use: ``$RIGHTSGRAPH_WIKIDATA_ENDPOINT`` (default the public
    WDQS), answers cached in ``{store}/cache/wikidata``, at least ``$RIGHTSGRAPH_WIKIDATA_MIN_
    INTERVAL`` seconds between requests (never under one second for the public service).

    Raises ``InputError`` for a malformed setting.
    """
    from rightsgraph.loaders.registries.wikidata import (
        DEFAULT_ENDPOINT,
        WikidataClient,
        configured_endpoint,
        default_cache_dir,
    )

    endpoint = configured_endpoint()
    interval = _float_env(MIN_INTERVAL_ENV, 1.0)
    if endpoint.rstrip("/") == DEFAULT_ENDPOINT.rstrip("/"):
        interval = max(interval, 1.0)
    return WikidataClient(
        endpoint,
        cache_dir=default_cache_dir(store_dir),
        min_interval=interval,
        timeout=_float_env(TIMEOUT_ENV, 30.0) or 30.0,
    )


def _store_dir(args: argparse.Namespace) -> Path:
    from rightsgraph.store import store_path

    return Path(store_path(args.store))


def _open_store(args: argparse.Namespace, *, read_only: bool = False) -> Any:
    from rightsgraph.service.cli import _open

    return _open(args, read_only=read_only)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _country(code: str | None) -> str:
    import pycountry

    value = (code or "").strip().upper()
    if not value:
        raise InputError("give the country (--country CC, ISO 3166-1 alpha-2)")
    if len(value) != 2 or pycountry.countries.get(alpha_2=value) is None:
        raise InputError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return value


def _subdivision(code: str | None, country: str) -> str | None:
    value = (code or "").strip().upper()
    if not value:
        return None
    if not value.startswith(f"{country}-") or len(value) > 10:
        raise InputError(f"{code!r} is not an ISO 3166-2 code of {country} (e.g. {country}-…)")
    return value


# -- lookup -----------------------------------------------------------------------------------
class _Asker:
    """Answers one query after another, dropping Wikidata (once, with a note) when it cannot be
    reached."""

    def __init__(self, sources: list[str], store_dir: Path, err: TextIO) -> None:
        self.sources = sources
        self.err = err
        self.client = wikidata_client(store_dir) if "wikidata" in sources else None
        self.wikidata_error: str | None = None

    def ask(self, query: Query) -> dict[str, Any]:
        from rightsgraph.loaders.registries.linking import lookup

        if self.client is not None:
            try:
                return lookup(query, sources=self.sources, wikidata=self.client).as_json()
            except RegistryUnavailableError as exc:
                self.wikidata_error = _first_line(exc)
                self.client = None
                print(
                    f"rightsgraph: warning: Wikidata unreachable ({self.wikidata_error}); "
                    "answering from the offline registries",
                    file=self.err,
                )
        offline = [s for s in self.sources if s != "wikidata"]
        if not offline:
            raise RegistryUnavailableError(
                f"Wikidata unreachable ({self.wikidata_error}) and no other source asked"
            )
        answer = lookup(query, sources=offline).as_json()
        if "wikidata" in self.sources:
            answer["sources"]["wikidata"] = {
                "verdict": None,
                "reason": "",
                "error": self.wikidata_error or "no Wikidata endpoint",
            }
        return answer


def _lookup(args: argparse.Namespace) -> int:
    sources = _sources(args.source)
    if args.from_csv is not None:
        if args.name:
            raise InputError("give either a NAME or --from-csv FILE, not both")
        rows = list(_csv_rows(args.from_csv))  # read it all first: a bad file fails before any row
        asker = _Asker(sources, _store_dir(args), sys.stderr)
        failed = 0
        for number, line, row in rows:
            try:
                country = _country(row.get("country"))
                name = (row.get("name") or "").strip()
                if not name:
                    raise InputError("the name is empty")
                query = Query(name, country, _subdivision(row.get("subdivision"), country))
                answer = {"row": number, **asker.ask(query)}
            except InputError as exc:
                failed += 1
                answer = {
                    "row": number,
                    "line": line,
                    "name": row.get("name"),
                    "country": row.get("country"),
                    "subdivision": row.get("subdivision"),
                    "error": _first_line(exc),
                }
            print(json.dumps(answer, ensure_ascii=False), flush=True)
        return 1 if failed else 0
    if not args.name or not args.name.strip():
        raise InputError("give a NAME to look up, or --from-csv FILE")
    country = _country(args.country)
    query = Query(args.name.strip(), country, _subdivision(args.subdivision, country))
    answer = _Asker(sources, _store_dir(args), sys.stderr).ask(query)
    if args.format == "json":
        print(json.dumps(answer, ensure_ascii=False, indent=2))
    else:
        _print_answer(answer, sys.stdout)
    return 0


def _csv_rows(path: Path) -> Iterator[tuple[int, int, dict[str, str]]]:
    """``(row number, line number, row)`` of a CSV file with a ``name`` and a ``country`` column.

    Raises ``InputError`` when the file cannot be read or lacks those columns.
    """
    try:
        size = path.stat().st_size
        if size > _MAX_CSV:
            raise InputError(f"{path.name} is {size:,} bytes; the limit is {_MAX_CSV:,} bytes")
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path.name} is not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = {(c or "").strip().lower() for c in reader.fieldnames or []}
    missing = {"name", "country"} - columns
    if missing:
        raise InputError(f"{path.name} needs the columns name, country (and subdivision)")
    try:
        for number, raw in enumerate(reader, start=1):
            row = {
                (k or "").strip().lower(): (v or "").strip()
                for k, v in raw.items()
                if isinstance(v, str)
            }
            yield number, reader.line_num, row
    except csv.Error as exc:
        raise InputError(f"{path.name}: {exc}", line=reader.line_num) from None


def _print_answer(answer: dict[str, Any], out: TextIO) -> None:
    where = ", ".join(x for x in (answer["country"], answer.get("subdivision")) if x)
    print(f"{answer['name']} ({where}): {answer['verdict']}: {answer['reason']}", file=out)
    for c in answer["candidates"]:
        point = (
            f"{c['latitude']:.4f},{c['longitude']:.4f}"
            if c.get("latitude") is not None and c.get("longitude") is not None
            else "-"
        )
        print(
            f"  {c['source']:9} geonames {c.get('geonames_id') or '-':>9}  "
            f"wikidata {c.get('wikidata_qid') or '-':<10} {c.get('iso3166_2') or '-':<8} "
            f"{point:<20} score {float(c['score']):.2f}  {c['name']}  ({c['method']})",
            file=out,
        )
    for source, info in answer["sources"].items():
        if info.get("error"):
            print(f"  {source}: {info['error']}", file=out)


# -- territories -------------------------------------------------------------------------------
def _progress_bar() -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A tqdm bar on stderr, only when stderr is a terminal (logs and pipes stay clean)."""
    if not sys.stderr.isatty():
        return None, lambda: None
    from tqdm import tqdm

    bar: list[Any] = []

    def update(done: int, total: int) -> None:
        if not bar:
            bar.append(tqdm(total=total, unit=" territories", file=sys.stderr, leave=False))
        bar[0].update(done - bar[0].n)

    def close() -> None:
        if bar:
            bar[0].close()

    return update, close


def _territories(args: argparse.Namespace) -> int:
    from rightsgraph.loaders.registries.linking import link_territories

    sources = _sources(args.source)
    client = wikidata_client(_store_dir(args)) if "wikidata" in sources else None
    store = _open_store(args)
    update, close = _progress_bar()
    try:
        summary = link_territories(
            store,
            sources=sources,
            dry_run=args.dry_run,
            progress=update,
            wikidata=client,
            wikidata_endpoint=getattr(client, "endpoint", None),
            include_examples=args.include_examples,
        )
    finally:
        close()
        store.close()
    for note in summary.notes:
        print(f"rightsgraph: note: {note}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(summary.as_json(), ensure_ascii=False, indent=2))
        return 0
    skipped = (
        f"; {summary.skipped_examples} example territories left out (--include-examples)"
        if summary.skipped_examples
        else ""
    )
    print(f"{summary.territories} territories matched{skipped}")
    print(
        f"  {'source':10} {'linked':>7} {'already':>8} {'review':>7} {'conflicts':>10} {'none':>5}"
    )
    for source, c in summary.sources.items():
        print(
            f"  {source:10} {c.linked:>7} {c.already_linked:>8} {c.review:>7} "
            f"{c.conflicts:>10} {c.none:>5}"
        )
    for o in summary.outcomes:
        if o.kind in ("review", "none"):
            key = o.territory.rsplit("/territory/", 1)[-1]
            codes = f" [{', '.join(o.codes)}]" if o.codes else ""
            print(f"  {o.kind:6} {o.source:9} {key}{codes}: {o.reason}")
    counts = f"{summary.new_links} new and {summary.changed_links} changed link(s)" + (
        f", {summary.withdrawn_links} withdrawn" if summary.withdrawn_links else ""
    )
    if args.dry_run:
        change = f"would write {counts}" if summary.changed else "nothing would change"
        print(f"dry run: {change}; nothing was written")
    elif summary.changed:
        print(f"wrote {counts} to the links graph (run {summary.run})")
    else:
        print("nothing changed")
    review = sum(c.review for c in summary.sources.values())
    if review:
        print(f"{review} territory/registry pair(s) wait for review: `rightsgraph link review`")
    return 0


# -- review -----------------------------------------------------------------------------------
def _reviewer(given: str | None) -> str:
    if given and given.strip():
        return given.strip()
    from_env = os.environ.get(REVIEWER_ENV, "").strip()
    if from_env:
        return from_env
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        raise InputError("say who reviews: --by NAME") from None


def _review(args: argparse.Namespace) -> int:
    from rightsgraph.loaders.registries import linking

    decision = args.review_command
    fmt = getattr(args, "decision_format", None) or args.format
    if decision is None:
        store = _open_store(args, read_only=True)
        try:
            links = linking.pending(store)
        finally:
            store.close()
        if fmt == "json":
            print(json.dumps([k.as_json() for k in links], ensure_ascii=False, indent=2))
            return 0
        if not links:
            print("no links wait for review")
            return 0
        for k in links:
            key = k.territory.rsplit("/territory/", 1)[-1]
            where = f", {k.subdivision}" if k.subdivision else ""
            name = f" ({k.target_name}{where})" if k.target_name else ""
            print(
                f"{k.id}  {key}  {linking.REGISTRY_NAMES[k.source]} {k.code}{name}  "
                f"score {k.score}  {k.method}"
            )
            if k.reason:
                print(f"    {k.reason_in('en')}")
        print(f"{len(links)} pending; `rightsgraph link review accept ID` or `... reject ID`")
        return 0
    who = _reviewer(args.by)
    store = _open_store(args)
    try:
        do = linking.accept if decision == "accept" else linking.reject
        result = do(store, args.id, who)
    finally:
        store.close()
    for warning in result.warnings:
        print(f"rightsgraph: warning: {warning}", file=sys.stderr)
    if fmt == "json":
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return 0
    k = result.link
    key = k.territory.rsplit("/territory/", 1)[-1]
    verb = "accepted" if decision == "accept" else "rejected"
    if not result.changed:
        print(f"link {k.id} was already {verb}; nothing changed")
        return 0
    print(f"{verb} link {k.id}: {key} = {linking.REGISTRY_NAMES[k.source]} {k.code} (by {who})")
    for other in result.also_rejected:
        print(f"  also rejected {other.id}: {linking.REGISTRY_NAMES[other.source]} {other.code}")
    return 0
