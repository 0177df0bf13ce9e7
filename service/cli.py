"""The ``rightsgraph`` command line.

Exit codes: 0 success (for ``validate``/``submit``: the file conforms, warnings allowed); 1 the
file does not conform, or a command failed; 2 the input cannot be read (bad file, bad query,
bad arguments); 3 the store is unavailable (locked by a running server, unreadable). Errors are one
readable line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from rightsgraph import __version__
from rightsgraph.errors import (
    InputError,
    NotFoundError,
    QuerySyntaxError,
    RightsGraphError,
    StoreError,
    StoreLockedError,
)
from rightsgraph.service.cli_link import add_link_commands, cmd_link
from rightsgraph.service.cli_report import add_report_commands, cmd_report
from rightsgraph.service.cli_tokens import add_token_commands, cmd_token
from rightsgraph.service.i18n import pick_language, t

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_STORE = 0, 1, 2, 3
_MAX_SUBMISSION = 5_000_000


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rightsgraph",
        description="The knowledge graph of human-rights cities and territories.",
    )
    p.add_argument("--version", action="version", version=f"rightsgraph {__version__}")
    p.add_argument(
        "--store",
        metavar="DIR",
        help="store folder (default: $RIGHTSGRAPH_STORE or var/store)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("init", help="load the ontology, vocabularies, seed and example data")
    s.add_argument("--if-empty", action="store_true", help="do nothing if the store holds data")
    s.add_argument("--no-example", action="store_true", help="leave out the example dataset")

    for name, helptext in (
        ("validate", "check a submission file against the shapes (nothing is written)"),
        ("submit", "validate a submission file and store it if it conforms"),
    ):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("file", type=Path)
        s.add_argument("--lang", default=None, help="language of the messages: en, fr or es")
        s.add_argument("--format", choices=("text", "json"), default="text")

    s = sub.add_parser("query", help="run a SPARQL query file or a named question")
    src = s.add_mutually_exclusive_group(required=True)
    src.add_argument("file", nargs="?", type=Path, help="a .rq file")
    src.add_argument("--name", help="a named question (see `rightsgraph query --list`)")
    src.add_argument("--list", action="store_true", help="list the named questions")
    s.add_argument("--param", action="append", default=[], metavar="K=V", help="a parameter")
    s.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table")

    s = sub.add_parser(
        "load",
        help="load RDF files (Turtle, TriG, N-Triples, N-Quads, RDF/XML); each file all or nothing",
    )
    s.add_argument("files", nargs="+", type=Path)
    s.add_argument("--graph", help="named graph for triples (default: the default graph)")
    s.add_argument(
        "--bulk",
        action="store_true",
        help="stream the file through the bulk loader (fast, flat memory; still all or nothing)",
    )

    s = sub.add_parser("dump", help="write the whole dataset, revisions included")
    s.add_argument("--format", choices=("nquads", "trig"), default="nquads")
    s.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")

    sub.add_parser("stats", help="counts of triples, graphs and resources by class")
    sub.add_parser("check", help="run the ontology quality checks on the store")

    add_token_commands(sub)
    add_report_commands(sub)
    add_link_commands(sub)

    s = sub.add_parser("serve", help="serve the SPARQL endpoint, the API and the web pages")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument(
        "--endpoint",
        metavar="URL",
        default=os.environ.get("RIGHTSGRAPH_ENDPOINT") or None,
        help="serve from a remote SPARQL 1.1 store (Virtuoso) instead of the embedded one "
        "(default: $RIGHTSGRAPH_ENDPOINT; see docs/deploy.md)",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(_COMMANDS[args.command](args))
    except InputError as exc:
        return _fail(str(exc), EXIT_INPUT)
    except (QuerySyntaxError, NotFoundError) as exc:
        return _fail(str(exc), EXIT_INPUT)
    except StoreError as exc:
        return _fail(str(exc), EXIT_STORE)
    except RightsGraphError as exc:
        return _fail(str(exc), EXIT_FAILED)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:
        return EXIT_OK


def _fail(message: str, code: int) -> int:
    first = message.strip().splitlines()[0] if message.strip() else "failed"
    print(f"rightsgraph: error: {first}", file=sys.stderr)
    return code


def _open(args: argparse.Namespace, *, read_only: bool = False):
    from rightsgraph.store import open_store, store_path

    path = store_path(args.store)
    try:
        return open_store(path, read_only=read_only)
    except StoreLockedError:
        from rightsgraph.service.running import running_server

        url = running_server(path)
        where = f" at {url}" if url else ""
        raise StoreLockedError(
            f"the store {path} is held by a running `rightsgraph serve`{where}; "
            "stop the server first, or send the change through it"
        ) from None


# -- commands ------------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    from rightsgraph.loaders.packaged import init_store

    store = _open(args)
    try:
        if args.if_empty and not store.is_empty():
            print("the store already holds data; nothing to do")
            return EXIT_OK
        total = init_store(
            store,
            example=not args.no_example,
            report=lambda g, n: print(f"  {n:>8} quads  {g}"),
        )
        print(
            f"loaded {total} quads into {store_path_of(args)}"
        )
    finally:
        store.close()
    return EXIT_OK


def _read_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > _MAX_SUBMISSION:
            from rightsgraph.errors import TooLargeError

            raise TooLargeError(
                f"{path.name} is {size:,} bytes; the limit is {_MAX_SUBMISSION:,} bytes"
            )
        return path.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a file") from None
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None


def _submission(args: argparse.Namespace, *, dry_run: bool) -> int:
    from rightsgraph.loaders.submission import process

    lang = pick_language(args.lang or os.environ.get("LANG", "en"))
    data = _read_file(args.file)
    store = None
    if not dry_run:
        store = _open(args)
    else:
        try:
            store = _open(args)
        except StoreError:
            store = None  # validation works without a store: packaged vocabularies are the context
    try:
        result = process(data, filename=args.file.name, lang=lang, store=store, dry_run=dry_run)
    finally:
        if store is not None:
            store.close()
    if args.format == "json":
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(result, lang, dry_run=dry_run, out=sys.stdout)
    return EXIT_OK if result.conforms else EXIT_FAILED


def _print_report(result, lang: str, *, dry_run: bool, out: TextIO) -> None:
    d = result.as_dict()
    verdict = t("conforms", lang) if result.conforms else t("does_not_conform", lang)
    if result.committed:
        tail = t("stored", lang, graph=result.graph, revision=result.revision)
    elif dry_run:
        tail = t("dry_run", lang)
    else:
        tail = t("nothing_written", lang)
    counts = t("counts", lang, violations=d["violations"], warnings=d["warnings"])
    print(f"{result.filename}: {verdict}; {counts}; {tail}", file=out)
    for p in result.problems:
        where = []
        if p.row is not None:
            where.append(f"{t('row', lang)} {p.row}")
        if p.line is not None:
            where.append(f"{t('line', lang)} {p.line}")
        if p.field:
            where.append(p.field)
        loc = ", ".join(where) or (p.focus or "")
        value = f" [{p.value}]" if p.value else ""
        print(f"  {loc}: {t(p.severity, lang)}: {p.message}{value}", file=out)


def cmd_validate(args: argparse.Namespace) -> int:
    return _submission(args, dry_run=True)


def cmd_submit(args: argparse.Namespace) -> int:
    return _submission(args, dry_run=False)


def _params(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--param expects K=V, got {pair!r}")
        out[key.strip()] = value
    return out


def cmd_query(args: argparse.Namespace) -> int:
    from rightsgraph.queries.catalog import catalog, get

    if args.list:
        for name, q in sorted(catalog().items()):
            signature = ", ".join(
                f"{p.name}{'' if p.required else '?'}:{p.type}" for p in q.parameters
            )
            print(f"{name:32} {q.summary}" + (f"  ({signature})" if signature else ""))
        return EXIT_OK
    from rightsgraph.queries.catalog import NamedQuery, parse_query, run

    params = _params(args.param)
    named: NamedQuery | None = None
    text = ""
    if args.name:
        named = get(args.name)
    else:
        try:
            text = args.file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read {args.file}: {exc}") from None
        if text.lstrip().startswith("#+"):
            named = parse_query(args.file.stem, text)
        elif params:
            raise InputError("--param needs a query with a #+ header and ?_name parameters")
    if named is not None:
        named.bindings(params)  # check the parameters before opening the store
    from rightsgraph.service.guard import wikidata_routes

    try:  # SERVICE <https://query.wikidata.org/sparql> goes where the service would send it
        routes = wikidata_routes(os.environ.get("RIGHTSGRAPH_WIKIDATA_ENDPOINT"))
    except ValueError as exc:
        raise InputError(f"RIGHTSGRAPH_WIKIDATA_ENDPOINT: {exc}") from None
    store = _open(args)
    try:
        source = _RoutedStore(store, routes)
        result = run(source, named, params) if named is not None else source.query(text)
        _write_result(result, args.format, sys.stdout)
    finally:
        store.close()
    return EXIT_OK


class _RoutedStore:
    """A store whose queries have their ``SERVICE`` endpoints routed like the service's (the
    public Wikidata endpoint to ``RIGHTSGRAPH_WIKIDATA_ENDPOINT``). The command line is the
    operator's own tool: endpoints are not allow-listed here."""

    def __init__(self, store, routes: dict[str, str]) -> None:
        self.store = store
        self.routes = routes

    def query(self, sparql: str, *, substitutions=None):
        from rightsgraph.service.guard import route_services

        return self.store.query(route_services(sparql, self.routes), substitutions=substitutions)


def _write_result(result, fmt: str, out: TextIO) -> None:
    import pyoxigraph as ox

    from rightsgraph.namespaces import PREFIXES
    from rightsgraph.service import results
    from rightsgraph.store.base import GraphResult, SelectResult

    if isinstance(result, bool):
        out.write(
            results.boolean_json(result) + "\n" if fmt == "json" else f"{str(result).lower()}\n"
        )
        return
    if isinstance(result, GraphResult):
        data = ox.serialize(result.triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        out.write(data.decode("utf-8") if isinstance(data, bytes) else str(data))
        return
    if not isinstance(result, SelectResult):
        raise RightsGraphError(f"unexpected result {type(result).__name__}")
    chunks: Iterator[str]
    if fmt == "json":
        chunks = results.iter_json(result)
    elif fmt in ("csv", "tsv"):
        chunks = results.iter_delimited(result, tsv=fmt == "tsv")
    else:
        chunks = (line + "\n" for line in results.table(result, prefixes=PREFIXES))
    for chunk in chunks:
        out.write(chunk)
    if fmt == "json":
        out.write("\n")


def cmd_load(args: argparse.Namespace) -> int:
    from rightsgraph.store.base import rdf_format

    formats = [(f, rdf_format(f)) for f in args.files]
    for f, _ in formats:
        if not f.is_file():
            raise InputError(f"{f}: no such file")
    store = _open(args)
    try:
        for f, fmt in formats:
            big = f.stat().st_size > 20_000_000
            n = store.load(
                f,
                format=fmt,
                graph=args.graph,
                bulk=args.bulk or big,
                progress=sys.stderr.isatty() or big,
            )
            print(f"loaded {n} quads from {f}")
    finally:
        store.close()
    return EXIT_OK


def cmd_dump(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        if args.output:
            tmp = args.output.with_name(args.output.name + ".part")
            with tmp.open("wb") as fh:
                store.dump(fh, format=args.format)
            tmp.replace(args.output)
        else:
            store.dump(sys.stdout.buffer, format=args.format)
            sys.stdout.flush()
    finally:
        store.close()
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    from rightsgraph.store.base import SelectResult

    store = _open(args)
    try:
        count = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        triples = next(count.rows)[0] if isinstance(count, SelectResult) else None
        graphs = store.named_graphs()
        print(f"store      {store_path_of(args)}")
        print(f"revision   {store.revision()}")
        print(f"quads      {triples.value if triples is not None else 0}")
        print(f"graphs     {len(graphs)}")
        submissions = sum(1 for g in graphs if "/graph/territory/" in g)
        print(f"submitted  {submissions} territory graph(s)")
        from rightsgraph.queries.catalog import get

        result = store.query(get("counts_by_class").text)
        if isinstance(result, SelectResult):
            for cls, n in result.rows:
                if cls is not None and n is not None:
                    print(f"  {n.value:>8}  {cls.value.rsplit('#', 1)[-1]}")
    finally:
        store.close()
    return EXIT_OK


def store_path_of(args: argparse.Namespace) -> Path:
    from rightsgraph.store import store_path

    return store_path(args.store)


def cmd_check(args: argparse.Namespace) -> int:
    from rightsgraph.ontology.quality import packaged_checks
    from rightsgraph.store.base import select

    failures: dict[str, list[dict[str, str]]] = {}
    store = _open(args)
    try:
        for check in packaged_checks():  # parsed and rebased once, as the tests run them
            result = select(store, check.query)
            failures[check.name] = [
                {v: t.value for v, t in zip(result.variables, row, strict=True) if t is not None}
                for row in result.rows
            ]
    finally:
        store.close()
    bad = {k: v for k, v in failures.items() if v}
    for name, rows in sorted(failures.items()):
        print(f"{'FAIL' if rows else 'ok  '}  {name}  {len(rows)} row(s)")
        for row in rows[:10]:
            print("        " + ", ".join(f"{k}={v}" for k, v in row.items()))
    return EXIT_FAILED if bad else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from rightsgraph.service.server import serve

    return serve(store_path_of(args), host=args.host, port=args.port, endpoint=args.endpoint)


_COMMANDS = {
    "init": cmd_init,
    "validate": cmd_validate,
    "submit": cmd_submit,
    "query": cmd_query,
    "load": cmd_load,
    "dump": cmd_dump,
    "stats": cmd_stats,
    "check": cmd_check,
    "serve": cmd_serve,
    "token": cmd_token,
    "report": cmd_report,
    "link": cmd_link,
}


if __name__ == "__main__":
    sys.exit(main())
