"""The embedded backend: pyoxigraph on disk.

Layout of a store folder::

    DIR/live/      the dataset that queries see (default graph = union of its graphs)
    DIR/history/   earlier submissions of each territory, as graphs rgg:revision/{key}/{n}

Keeping revisions in a second database keeps the live union default graph exact and fast
(pyoxigraph's union default graph is one index scan; a list of thousands of live graphs is not),
while ``dump`` and ``load`` still treat the two as one dataset.

Every write is all or nothing, even when the process is killed in the middle of it:

- updates, Graph Store writes and the live half of a submission are one RocksDB transaction each,
  the revision counter included;
- a submission's personal data and the copy of its previous revision go to ``history`` first
  under *pending* names, listed in the registry graph ``rgg:private/.pending``; the live
  transaction commits the submission, then the pending graphs are promoted. Opening the store
  finishes a promotion whose live commit happened and drops one whose commit did not;
- ``load`` (bulk or not) writes into a checkpoint of both databases in ``DIR/.load-staging``
  (RocksDB hard links: milliseconds whatever the store's size), then commits by renaming that
  folder to ``DIR/.load-committed``, and swaps the folders in. Opening the store drops an
  uncommitted staging folder and finishes a committed swap. pyoxigraph's bulk loader writes chunk
  after chunk with no transaction, so without the staging copy a killed bulk load left part of
  the file in the store (measured: 500,000 of 1,143,942 quads, the last graph cut in half, the
  revision counter not bumped).

A writable store also holds ``DIR/.write-lock`` (``flock``) for its lifetime, so that recovery never
touches the folders of a load another process is running.

With ``memory_reads`` the store also keeps an in-memory copy of the live database (a
``pyoxigraph.Store()``; aggregates run 3 to 9 times faster there than on disk, see
``../shared/REFERENCE.md``) and answers every read of the live data from it. The disk stays the
only source of truth: each write commits on disk first, exactly as without the copy, and then
brings the copy up to date before it returns, so that a read after a write sees it:

- a SPARQL update that is deterministic (no ``NOW()``, ``RAND()``, ``UUID()``, ``STRUUID()``,
  ``BNODE()``, blank nodes or collections in templates, ``LOAD``, ``SERVICE``, nor anything whose
  answer depends on the order in which a store lists its quads: ``SAMPLE``, ``GROUP_CONCAT``,
  ``SUM``, ``AVG``, ``LIMIT``, ``OFFSET``) is run again on the copy (the same text, the revision
  bump included); any other is followed by a rebuild of the copy from disk;
- a write of known graphs (Graph Store writes, submissions, small loads) replays its update when
  it is deterministic, else copies the graphs it touched from disk;
- a bulk load rebuilds the copy from disk after the swap-in;
- whenever bringing the copy up to date fails, it is rebuilt from disk; if even that fails the
  copy is dropped and reads go to the disk (logged), so the copy never answers differently.

Readers never see half of a change: an update on the in-memory store is one transaction, and a
graph copied from disk is swapped in (clear, then insert) under a lock that reads take only for
the instant they open their snapshot (a pyoxigraph query or pattern iterator reads the snapshot
taken when it was created). A rebuild builds a new copy beside the old one and swaps the
reference. Writes are serialised (one lock), so the copy replays them in their commit order.
"""

from __future__ import annotations

import fcntl
import io
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from rightsgraph import iri
from rightsgraph.errors import (
    InputError,
    QueryEvaluationError,
    QuerySyntaxError,
    StoreError,
    StoreLockedError,
)
from rightsgraph.store.base import (
    DEFAULT_GRAPH,
    VOLATILE_FUNCTIONS,
    DumpFormat,
    GraphReplacement,
    GraphResult,
    QueryResult,
    Revision,
    SelectResult,
    Term,
    UpdateEvaluationError,
    _top_level,
    apply_using,
    parse_quads,
    revisions_of,
    syntax_error,
)

log = logging.getLogger(__name__)

_VERSION = "https://schema.org/version"
_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_CHUNK = 100_000
_DUMP_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}
_LOCK_FILE = ".write-lock"
_STAGING = ".load-staging"
_COMMITTED = ".load-committed"
_DATABASES = ("live", "history")
#: Pending personal data of a submission is kept in ``{target}#pending-{n}-{live graph}``.
_PENDING = "#pending-"
_MEMBER = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#member")
#: A load that wrote into more live graphs than this rebuilds the in-memory copy whole.
_RESYNC_MAX_GRAPHS = 1000
#: The in-memory copy is rebuilt after at least this many quads were written into it.
_REBUILD_MIN = 1_000_000
GraphName = ox.NamedNode | ox.DefaultGraph
_clock = time.perf_counter


def _open(path: Path, *, read_only: bool) -> ox.Store:
    try:
        path.mkdir(parents=True, exist_ok=True)
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as exc:
        if "lock" in str(exc).lower():
            raise StoreLockedError(
                f"the store {path.parent} is in use by another process "
                "(is `rightsgraph serve` running on it?); stop it or send the change through it"
            ) from None
        raise StoreError(f"cannot open the store {path}: {exc}") from None


def _lock(path: Path) -> BinaryIO:
    """Take the store's write lock (held until the returned file is closed, or the process ends).

    Raises ``StoreLockedError`` when another process (or another open store in this one) holds it.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
        handle = open(path / _LOCK_FILE, "a+b")  # noqa: SIM115 - held for the store's lifetime
    except OSError as exc:
        raise StoreError(f"cannot open the store {path}: {exc}") from None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise StoreLockedError(
            f"the store {path} is in use by another process "
            "(is `rightsgraph serve` running on it?); stop it or send the change through it"
        ) from None
    return handle


def _swap_in(path: Path) -> None:
    """Finish a committed load: move ``DIR/.load-committed/{live,history}`` to ``DIR/``.

    Idempotent step by step (each database goes through ``{new, current}`` -> ``{new, old}`` ->
    ``{current, old}``), so a process killed here is finished by the next open."""
    committed = path / _COMMITTED
    for name in _DATABASES:
        new, current, old = committed / name, path / name, committed / f"{name}.old"
        if not new.exists():
            continue
        if current.exists():
            current.rename(old)
        new.rename(current)
    _fsync_dir(path)


def _recover_load(path: Path) -> None:
    """Drop the staging folder of a load that did not commit; finish the swap of one that did."""
    try:
        shutil.rmtree(path / _STAGING, ignore_errors=False)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise StoreError(f"cannot remove an interrupted load in {path}: {exc}") from None
    if (path / _COMMITTED).exists():
        log.warning("finishing a load that was interrupted after its commit in %s", path)
        try:
            _swap_in(path)
        except OSError as exc:
            raise StoreError(f"cannot finish an interrupted load in {path}: {exc}") from None
        shutil.rmtree(path / _COMMITTED, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    """Make renames in ``path`` durable (best effort: not every file system allows it)."""
    with suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _revision_of(store: ox.Store, system: ox.NamedNode) -> int:
    for quad in store.quads_for_pattern(system, ox.NamedNode(_VERSION), None, system):
        return _int(quad.object)
    return 0


def _bump_update(system: ox.NamedNode, before: int) -> str:
    """The update operation that adds one to the revision counter, inside a transaction.

    When the write itself removed the counter (an admin's ``DROP ALL``), it counts on from
    ``before`` (the revision read before the write), so the revision never goes back (ETags and
    caches are keyed on it)."""
    s = f"<{system.value}>"
    return (
        f"DELETE {{ GRAPH {s} {{ {s} <{_VERSION}> ?v }} }} "
        f"INSERT {{ GRAPH {s} {{ {s} <{_VERSION}> ?n }} }} "
        f"WHERE {{ OPTIONAL {{ GRAPH {s} {{ {s} <{_VERSION}> ?v }} }} "
        f"BIND(COALESCE(?v, {before}) + 1 AS ?n) }}"
    )


def _pending_name(target: str, live: str, number: int) -> str:
    return f"{target}{_PENDING}{number}-{live}"


def _parse_pending(name: str) -> tuple[str, str, int] | None:
    """``(target, live graph, revision number)`` of a pending graph name; None for others."""
    target, sep, rest = name.partition(_PENDING)
    number, dash, live = rest.partition("-")
    if not sep or not dash or not number.isdigit() or not live:
        return None
    return target, live, int(number)


class OxigraphStore:
    """The store protocol over an on-disk pyoxigraph database.

    With ``memory_reads`` the live data are also kept in memory and every read is answered from
    there (see the module's docstring); the copy is built at open (``build_in_background``: in a
    thread, reads going to the disk until it is ready, so that a large store starts serving at
    once; its writes wait for the copy). Raises ``StoreLockedError`` when another process holds
    the database and ``StoreError`` when it cannot be opened. Opening it writable first finishes
    or drops a write that a killed process left half done (see the module's docstring), so it
    always opens on a consistent dataset.
    """

    native_substitutions = True

    def __init__(
        self,
        path: str | Path,
        *,
        read_only: bool = False,
        memory_reads: bool = False,
        build_in_background: bool = False,
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.memory_reads = memory_reads
        self._system = ox.NamedNode(iri.graph("system"))
        self._provenance = iri.graph("provenance")
        self._pending_registry = ox.NamedNode(iri.private_graph(".pending"))
        self._write_lock: BinaryIO | None = None
        #: Serialises writes (and a replica build), so the copy replays them in commit order.
        #: A plain lock: a background build takes it in ``__init__`` and releases it when done.
        self._writing = threading.Lock()
        #: Held while the copy is changed in more than one step; reads hold it to open a snapshot.
        self._sync = threading.Lock()
        self._memory: ox.Store | None = None
        #: Roughly how many quads were written into the copy since it was built (see
        #: ``_count_written``), and after how many it is rebuilt.
        self._written = 0
        self._rebuild_after = _REBUILD_MIN
        self._stop = threading.Event()
        self._builder: threading.Thread | None = None
        if not read_only:
            self._write_lock = _lock(self.path)
            _recover_load(self.path)
        elif (self.path / _COMMITTED).exists():
            raise StoreError(
                f"a load into {self.path} was interrupted while it was being swapped in; open the "
                "store for writing once (e.g. `rightsgraph stats`) to finish it"
            )
        self._live: ox.Store = _open(self.path / "live", read_only=read_only)
        self._history: ox.Store = _open(self.path / "history", read_only=read_only)
        if not read_only:
            self._settle_pending()
        if memory_reads:
            if build_in_background:
                self._writing.acquire()  # released by the builder: writes wait for the copy
                self._builder = threading.Thread(
                    target=self._build_in_background, name="store-replica", daemon=True
                )
                self._builder.start()
            else:
                self._rebuild_memory()

    # -- the in-memory copy ------------------------------------------------------------------
    def memory_ready(self) -> bool:
        """Whether reads are answered from the in-memory copy (False without ``memory_reads``,
        while the copy is being built in the background, or after it was dropped)."""
        return self._memory is not None

    def wait_for_memory(self, timeout: float | None = None) -> bool:
        """Wait for a background build of the copy; returns ``memory_ready()``."""
        builder = self._builder
        if builder is not None:
            builder.join(timeout)
        return self.memory_ready()

    def _build_in_background(self) -> None:
        try:
            self._rebuild_memory()
        finally:
            self._writing.release()

    def _rebuild_memory(self) -> None:
        """Build a new copy of the live database and swap it in (readers keep the old one until
        then). When it cannot be built the copy is dropped and reads go to the disk."""
        started = _clock()
        try:
            fresh, size = _copy_to_memory(self._live, self._stop.is_set)
        except _Cancelled:
            return
        except (OSError, RuntimeError, ValueError) as exc:
            log.error("the in-memory copy of %s could not be built, reads go to disk: %s",
                      self.path, exc)
            with self._sync:
                self._memory = None
            return
        with self._sync:
            self._memory = fresh
        self._written, self._rebuild_after = 0, max(_REBUILD_MIN, size)
        log.info("in-memory copy of %s built in %.1f s", self.path, _clock() - started)

    def _sync_update(self, update: str, graphs: Collection[GraphName] | None) -> None:
        """Bring the copy up to date after ``update`` committed on disk: run it again when it is
        deterministic, else copy ``graphs`` from disk (all of them when ``None``)."""
        memory = self._memory
        if memory is None:
            return
        if self._count_written(len(update) // 100):
            return
        if is_deterministic(update):
            try:
                memory.update(update)  # one transaction: all or nothing, seen whole or not at all
                return
            except (SyntaxError, RuntimeError, OSError, ValueError) as exc:
                log.warning("replaying a write on the in-memory copy failed (%s); resyncing", exc)
        if graphs is None:
            self._rebuild_memory()
        else:
            self._resync_graphs(graphs)

    def _count_written(self, quads: int) -> bool:
        """Count ``quads`` written into the copy; past ``_rebuild_after`` rebuild it (returns
        True: it is then up to date). pyoxigraph's in-memory store keeps what a write removed
        (about 350 bytes per quad replaced by new values, measured), so a copy that lived
        through as many writes as it holds quads is built afresh: memory stays at most about
        twice the data, for about 10 s of CPU per million quads written."""
        self._written += quads
        if self._written < self._rebuild_after:
            return False
        self._rebuild_memory()
        return True

    def _resync_graphs(self, graphs: Collection[GraphName]) -> None:
        """Copy ``graphs`` from disk into the copy (clear then insert, under ``_sync``); rebuild
        the whole copy if that fails."""
        memory = self._memory
        if memory is None:
            return
        try:
            copies: list[tuple[GraphName, bool, list[ox.Quad]]] = []
            for g in graphs:
                exists = isinstance(g, ox.DefaultGraph) or self._live.contains_named_graph(g)
                quads = list(self._live.quads_for_pattern(None, None, None, g)) if exists else []
                copies.append((g, exists, quads))
            if self._count_written(sum(len(quads) for _, _, quads in copies)):
                return
            with self._sync:
                for g, exists, quads in copies:
                    if isinstance(g, ox.DefaultGraph):
                        memory.clear_graph(g)
                    else:
                        memory.remove_graph(g)
                        if exists:
                            memory.add_graph(g)
                    memory.extend(quads)
        except (OSError, RuntimeError, ValueError) as exc:
            log.warning("copying graphs into the in-memory copy failed (%s); rebuilding", exc)
            self._rebuild_memory()

    @contextmanager
    def _reading(self) -> Iterator[ox.Store]:
        """The database reads go to (the copy when it is ready), held while a snapshot opens."""
        with self._sync:
            memory = self._memory
            yield self._live if memory is None else memory

    # -- reading ---------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        subs = {ox.Variable(k.lstrip("?$")): v for k, v in (substitutions or {}).items()}
        default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = (
            None if default_graph is None else [_graph_term(g) for g in default_graph]
        )
        named: list[ox.NamedNode | ox.BlankNode] | None = (
            None if named_graphs is None else [ox.NamedNode(g) for g in named_graphs]
        )
        try:
            with self._reading() as store:
                result = store.query(
                    sparql,
                    substitutions=subs or None,
                    use_default_graph_as_union=default is None,
                    default_graph=default,
                    named_graphs=named,
                )
        except SyntaxError as exc:
            raise QuerySyntaxError(f"the query does not parse: {exc}") from None
        except RuntimeError as exc:
            raise QueryEvaluationError(f"the query failed: {exc}") from None
        except OSError as exc:
            raise StoreError(f"the store could not answer: {exc}") from None
        return _convert(result)

    def revision(self) -> int:
        with self._reading() as store:
            return _revision_of(store, self._system)

    def named_graphs(self) -> list[str]:
        with self._reading() as store:
            graphs = store.named_graphs()
        return sorted(g.value for g in graphs if isinstance(g, ox.NamedNode))

    def is_empty(self) -> bool:
        with self._reading() as store:
            quads = store.quads_for_pattern(None, None, None, None)
        return next(iter(quads), None) is None

    def revisions(self, key: str) -> list[Revision]:
        return revisions_of(self, key)

    # -- writing ---------------------------------------------------------------------------
    def _bump(self) -> str:
        """The update operation that adds one to the revision counter (see ``_bump_update``),
        from the revision on disk (writes read the disk, never the copy)."""
        return _bump_update(self._system, _revision_of(self._live, self._system))

    def update(
        self,
        sparql: str,
        *,
        using_graph: Sequence[str] | None = None,
        using_named_graphs: Sequence[str] | None = None,
    ) -> None:
        self._writable()
        body = apply_using(sparql, using_graph, using_named_graphs).rstrip().rstrip(";")
        with self._writing:
            update = f"{body}\n;\n{self._bump()}"
            self._apply(update, what="the update")
            self._sync_update(update, None)

    def _apply(self, update: str, *, what: str) -> None:
        """Run one update transaction (with its revision bump); map pyoxigraph's errors."""
        try:
            self._live.update(update)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"{what} does not parse: {exc}") from None
        except RuntimeError as exc:
            raise UpdateEvaluationError(f"{what} failed and nothing was written: {exc}") from None
        except OSError as exc:
            raise StoreError(f"{what} failed and nothing was written: {exc}") from None

    # -- one graph at a time (Graph Store Protocol) ----------------------------------------------
    def has_graph(self, graph: str) -> bool:
        if graph == DEFAULT_GRAPH:
            return True
        with self._reading() as store:
            return bool(store.contains_named_graph(ox.NamedNode(graph)))

    def graph_triples(self, graph: str) -> Iterator[ox.Triple]:
        with self._reading() as store:
            quads = store.quads_for_pattern(None, None, None, _graph_term(graph))
        for q in quads:
            yield ox.Triple(q.subject, q.predicate, q.object)

    def _disk_has_graph(self, graph: str) -> bool:
        return graph == DEFAULT_GRAPH or bool(
            self._live.contains_named_graph(ox.NamedNode(graph))
        )

    def write_graph(self, graph: str, triples: Iterable[ox.Triple], *, replace: bool) -> bool:
        self._writable()
        with self._writing:
            return self._write_graph(graph, triples, replace=replace)

    def _write_graph(self, graph: str, triples: Iterable[ox.Triple], *, replace: bool) -> bool:
        target = _graph_term(graph)
        existed = self._disk_has_graph(graph)
        operations = []
        if isinstance(target, ox.DefaultGraph):
            if replace:
                operations.append("DROP SILENT DEFAULT")
        else:
            if replace:
                operations.append(f"DROP SILENT GRAPH {target}")
            operations.append(f"CREATE SILENT GRAPH {target}")
        quads = [ox.Quad(t.subject, t.predicate, t.object, target) for t in triples]
        if quads:
            operations.append("INSERT DATA {\n" + _quads_block(quads) + "\n}")
        operations.append(self._bump())
        update = " ;\n".join(operations)
        self._apply(update, what=f"the write of {graph}")
        self._sync_update(update, (target, self._system))
        return not existed

    def delete_graph(self, graph: str) -> bool:
        self._writable()
        with self._writing:
            if not self._disk_has_graph(graph):
                return False
            target = _graph_term(graph)
            drop = (
                "DROP SILENT DEFAULT"
                if isinstance(target, ox.DefaultGraph)
                else f"DROP SILENT GRAPH {target}"
            )
            update = f"{drop} ;\n{self._bump()}"
            self._apply(update, what=f"the deletion of {graph}")
            self._sync_update(update, (target, self._system))
            return True

    def load(
        self,
        source: Path | bytes,
        *,
        format: ox.RdfFormat,
        graph: str | None = None,
        bulk: bool = False,
        progress: bool = False,
    ) -> int:
        """Load RDF; quads in ``rgg:revision/...`` and ``rgg:private/...`` graphs go to the history
        (a restored dump).

        All or nothing, bulk or not, even if the process is killed: the data goes into a
        checkpoint of both databases, and the load commits by swapping that copy in (see the
        module's docstring). Without ``bulk`` the quads are parsed here, written in one
        transaction (they need to fit in memory) and the number read is returned. With ``bulk``
        the file goes whole to pyoxigraph's native bulk loader (parsing, strict validation of
        IRIs and literals included, and index building all in Rust: no Python object per quad),
        history graphs are moved out of the live database afterwards by graph name, and the
        number of quads the load added is returned (a quad already stored is not counted).
        Call it with no other call running on this store object (the databases are closed and
        reopened at the swap). Raises ``rightsgraph.errors.InputError`` for syntax errors (with
        line numbers) or a file that cannot be read, ``StoreError`` when the store cannot be
        written (nothing is loaded then).
        """
        self._writable()
        with self._writing:
            return self._load(source, format=format, graph=graph, bulk=bulk, progress=progress)

    def _load(
        self,
        source: Path | bytes,
        *,
        format: ox.RdfFormat,
        graph: str | None,
        bulk: bool,
        progress: bool,
    ) -> int:
        staging = self.path / _STAGING
        shutil.rmtree(staging, ignore_errors=True)
        # Opening settled any committed load: what is left there is an old copy not yet removed.
        shutil.rmtree(self.path / _COMMITTED, ignore_errors=True)
        try:
            staging.mkdir()
            self._live.backup(str(staging / "live"))
            self._history.backup(str(staging / "history"))
            live, history = ox.Store(str(staging / "live")), ox.Store(str(staging / "history"))
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise StoreError(f"cannot prepare the load in {staging}: {exc}") from None
        staged = False
        touched: set[GraphName] | None = None  # live graphs written (None: too many to list)
        try:
            if bulk:
                count = _bulk_fill(
                    live, history, source, format=format, graph=graph, progress=progress
                )
            else:
                quads = parse_quads(source, format=format, graph=graph)
                if progress:
                    from tqdm import tqdm

                    quads = iter(tqdm(quads, unit=" quads", unit_scale=True, mininterval=0.5))
                count, touched = _fill(live, history, quads)
            live.update(_bump_update(self._system, _revision_of(live, self._system)))
            # Written out now, so that the swapped-in databases open without replaying a log.
            live.flush()
            history.flush()
            staged = True
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"the load failed and nothing was written: {exc}") from None
        finally:
            del live, history  # closes both staging databases
            if not staged:  # a syntax error, an interrupt: nothing was written either
                shutil.rmtree(staging, ignore_errors=True)
        _fsync_dir(staging)
        self._commit_load()
        if self._memory is not None:
            if touched is None or len(touched) > _RESYNC_MAX_GRAPHS:
                self._rebuild_memory()
            else:
                self._resync_graphs({*touched, self._system})
        return count

    def _commit_load(self) -> None:
        """The commit point of a load (one rename), then the swap of the folders."""
        try:
            os.rename(self.path / _STAGING, self.path / _COMMITTED)
        except OSError as exc:
            shutil.rmtree(self.path / _STAGING, ignore_errors=True)
            raise StoreError(
                f"the load could not be committed; nothing was written: {exc}"
            ) from None
        _fsync_dir(self.path)
        # RocksDB refuses to open a folder this process has open: close ours before the swap.
        del self._live
        del self._history
        try:
            _swap_in(self.path)
        except OSError as exc:
            raise StoreError(
                f"the load is committed but the swap failed ({exc}); it is finished the next "
                "time the store is opened"
            ) from None
        self._live = _open(self.path / "live", read_only=False)
        self._history = _open(self.path / "history", read_only=False)
        shutil.rmtree(self.path / _COMMITTED, ignore_errors=True)
        self._settle_pending()  # a restored dump taken in the middle of a submission

    def replace_graph(self, change: GraphReplacement) -> int:
        """Replace one graph: all or nothing, personal data and previous revision included.

        What goes to the history (the personal data, replacing each private graph whole, and a
        copy of the previous graph as ``rgg:revision/{key}/{n}``) is staged there under pending
        names first; one live transaction then commits the graph, its provenance and the
        revision counter; the pending graphs are promoted last. A process killed in between
        leaves pending graphs that the next open promotes (the live commit happened) or drops
        (it did not). Raises ``StoreError`` when nothing could be written.
        """
        self._writable()
        with self._writing:
            return self._replace_graph(change)

    def _replace_graph(self, change: GraphReplacement) -> int:
        live = change.graph
        prov = self._provenance
        rn = iri.ontology("revisionNumber")
        previous = self._graph_revision(live)
        lines = [self._bump()]
        number = previous + 1
        extra: list[ox.Quad] = [
            ox.Quad(
                ox.NamedNode(live),
                ox.NamedNode(rn),
                ox.Literal(str(number), datatype=_XSD_INTEGER),
                ox.NamedNode(prov),
            )
        ]
        staged: dict[str, list[ox.Quad]] = {}  # history graph -> its new content
        if change.private is not None:
            for q in change.private:
                staged.setdefault(_graph_name(q), []).append(q)
            if change.history_key:
                staged.setdefault(iri.private_graph(change.history_key), [])
        if change.history_key and previous:
            revision = iri.revision_graph(change.history_key, previous)
            staged[revision] = list(
                self._live.quads_for_pattern(None, None, None, ox.NamedNode(live))
            )
            lines.append(
                f"DELETE {{ GRAPH <{prov}> {{ <{live}> ?p ?o }} }} "
                f"INSERT {{ GRAPH <{prov}> {{ <{revision}> ?p ?o }} }} "
                f"WHERE {{ GRAPH <{prov}> {{ <{live}> ?p ?o }} }}"
            )
            extra.append(
                ox.Quad(
                    ox.NamedNode(live),
                    ox.NamedNode("http://www.w3.org/ns/prov#wasRevisionOf"),
                    ox.NamedNode(revision),
                    ox.NamedNode(prov),
                )
            )
        else:
            lines.append(f"DELETE WHERE {{ GRAPH <{prov}> {{ <{live}> ?p ?o }} }}")
        lines.append(f"DROP SILENT GRAPH <{live}>")
        lines.append(
            "INSERT DATA {\n" + _quads_block([*change.quads, *change.provenance, *extra]) + "\n}"
        )
        pending = {target: _pending_name(target, live, number) for target in staged}
        update = " ;\n".join(lines)
        try:
            if pending:
                self._stage(staged, pending)
            self._live.update(update)
        except (OSError, RuntimeError, SyntaxError) as exc:
            with suppress(OSError, RuntimeError):
                self._resolve_pending(pending, committed=False)
            raise StoreError(
                f"the graph {live} could not be replaced; nothing was written: {exc}"
            ) from None
        try:
            self._resolve_pending(pending, committed=True)
        except (OSError, RuntimeError) as exc:
            # Committed: the history is completed the next time the store is opened.
            log.error("the history of %s is completed at the next open: %s", live, exc)
        self._sync_update(update, (ox.NamedNode(live), ox.NamedNode(prov), self._system))
        return number

    def _stage(self, staged: Mapping[str, list[ox.Quad]], pending: Mapping[str, str]) -> None:
        """Write history graphs under their pending names, listed in the pending registry (one
        transaction after clearing what an earlier failed attempt may have left)."""
        registry = self._pending_registry
        self._history.update(" ;\n".join(f"DROP SILENT GRAPH <{p}>" for p in pending.values()))
        quads = [
            ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(pending[target]))
            for target, content in staged.items()
            for q in content
        ]
        quads += [ox.Quad(registry, _MEMBER, ox.NamedNode(p), registry) for p in pending.values()]
        self._history.extend(quads)

    def _resolve_pending(self, pending: Mapping[str, str], *, committed: bool) -> None:
        """Promote pending history graphs over their targets (``committed``) or drop them; in
        one history transaction, which also takes them off the registry."""
        if not pending:
            return
        registry = f"<{self._pending_registry.value}>"
        ops = []
        for target, name in pending.items():
            if committed:
                ops.append(f"DROP SILENT GRAPH <{target}>")
                ops.append(f"ADD SILENT GRAPH <{name}> TO GRAPH <{target}>")
            ops.append(f"DROP SILENT GRAPH <{name}>")
            ops.append(
                f"DELETE DATA {{ GRAPH {registry} {{ {registry} <{_MEMBER.value}> <{name}> }} }}"
            )
        self._history.update(" ;\n".join(ops))

    def _settle_pending(self) -> None:
        """At open: finish the history of a submission whose live commit happened before the
        process stopped, drop what a submission that did not commit staged."""
        registry = self._pending_registry
        names = [
            q.object.value
            for q in self._history.quads_for_pattern(registry, _MEMBER, None, registry)
            if isinstance(q.object, ox.NamedNode)
        ]
        for name in names:
            parsed = _parse_pending(name)
            committed = parsed is not None and self._graph_revision(parsed[1]) == parsed[2]
            target = parsed[0] if parsed is not None else name
            log.warning(
                "%s the history of an interrupted write: %s",
                "completing" if committed else "dropping",
                target,
            )
            try:
                self._resolve_pending({target: name}, committed=committed)
            except (OSError, RuntimeError) as exc:
                raise StoreError(
                    f"cannot settle an interrupted write in {self.path}: {exc}"
                ) from None

    def _graph_revision(self, graph: str) -> int:
        for quad in self._live.quads_for_pattern(
            ox.NamedNode(graph),
            ox.NamedNode(iri.ontology("revisionNumber")),
            None,
            ox.NamedNode(self._provenance),
        ):
            return _int(quad.object)
        return 0

    def dump(
        self, output: BinaryIO, *, format: DumpFormat = "nquads", history: bool = True
    ) -> None:
        fmt = _DUMP_FORMATS[format]
        with self._reading() as store:
            snapshot = store.quads_for_pattern(None, None, None, None)
        # Serialised by pyoxigraph from one snapshot (the copy's, when it is ready).
        ox.serialize(snapshot, output, fmt)
        if history and next(iter(self._history.quads_for_pattern(None, None, None, None)), None):
            self._history.dump(output, fmt)

    def flush(self) -> None:
        self._live.flush()
        self._history.flush()

    def close(self) -> None:
        self._stop.set()
        if self._builder is not None:
            self._builder.join()
            self._builder = None
        with self._sync:
            self._memory = None
        if not self.read_only:
            self.flush()
        del self._live
        del self._history
        if self._write_lock is not None:
            self._write_lock.close()  # releases the lock
            self._write_lock = None

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError("the store was opened read-only")


def _graph_name(quad: ox.Quad) -> str:
    g = quad.graph_name
    if not isinstance(g, ox.NamedNode):
        raise StoreError("personal data must be in a named graph")
    return g.value


def _graph_term(name: str) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if name == DEFAULT_GRAPH else ox.NamedNode(name)


def _int(term: object) -> int:
    return int(term.value) if isinstance(term, ox.Literal) else 0


def _fill(
    live: ox.Store, history: ox.Store, quads: Iterator[ox.Quad]
) -> tuple[int, set[GraphName]]:
    """Write ``quads`` into the (staging) databases in one transaction each: history graphs to
    ``history``, the rest to ``live``; returns how many were read and the live graphs written."""
    live_quads, history_quads = _split_history(list(quads))
    if history_quads:
        history.extend(history_quads)
    live.extend(live_quads)
    touched: set[GraphName] = set()
    for q in live_quads:
        g = q.graph_name
        if isinstance(g, ox.NamedNode | ox.DefaultGraph):
            touched.add(g)
    return len(live_quads) + len(history_quads), touched


def _bulk_fill(
    live: ox.Store,
    history: ox.Store,
    source: Path | bytes,
    *,
    format: ox.RdfFormat,
    graph: str | None,
    progress: bool,
) -> int:
    """Load ``source`` into the (staging) databases with pyoxigraph's native bulk loader, then
    move the history graphs it put in ``live`` to ``history``; returns how many quads were
    added. Validation stays strict (``lenient=False``): nothing else checks the IRIs and
    literals of a bulk load, and strict parsing costs about one second per million quads out
    of ten. Raises ``InputError`` (syntax error, unreadable file); ``OSError`` and
    ``RuntimeError`` when the databases cannot be written."""
    name = source.name if isinstance(source, Path) else "the data"
    before = 0 if _empty(live) and _empty(history) else len(live) + len(history)
    to_graph = ox.NamedNode(graph) if graph else None
    try:
        with ExitStack() as stack:
            if isinstance(source, Path):
                try:
                    handle: BinaryIO = stack.enter_context(source.open("rb"))
                except OSError as exc:
                    raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None
                size = os.fstat(handle.fileno()).st_size
            else:
                handle, size = io.BytesIO(source), len(source)
            if progress:
                from tqdm import tqdm

                handle = stack.enter_context(
                    tqdm.wrapattr(handle, "read", total=size, unit="B", unit_scale=True,
                                  mininterval=0.5)
                )
            live.bulk_load(handle, format=format, to_graph=to_graph)
    except SyntaxError as exc:
        raise syntax_error(name, exc) from None
    except ValueError as exc:
        raise InputError(f"{name}: {exc}") from None
    moved = [
        g
        for g in live.named_graphs()
        if isinstance(g, ox.NamedNode) and iri.is_history_graph(g.value)
    ]
    batch: list[ox.Quad] = []
    for g in moved:
        batch.extend(live.quads_for_pattern(None, None, None, g))
        if len(batch) >= _CHUNK:
            history.bulk_extend(batch)
            batch = []
    if batch:
        history.bulk_extend(batch)
    for g in moved:
        live.remove_graph(g)
    return len(live) + len(history) - before


def _empty(store: ox.Store) -> bool:
    return next(iter(store.quads_for_pattern(None, None, None, None)), None) is None


def _split_history(quads: Iterable[ox.Quad]) -> tuple[list[ox.Quad], list[ox.Quad]]:
    live: list[ox.Quad] = []
    history: list[ox.Quad] = []
    revision, private = iri.graph("revision/"), iri.graph("private/")  # read once, not per quad
    for q in quads:
        g = q.graph_name
        (
            history if isinstance(g, ox.NamedNode) and g.value.startswith((revision, private))
            else live
        ).append(q)
    return live, history


class _Cancelled(Exception):
    """A build of the in-memory copy stopped because the store is closing."""


def _copy_to_memory(disk: ox.Store, cancelled: Callable[[], bool]) -> tuple[ox.Store, int]:
    """A new in-memory store holding every quad (and every named graph, even empty) of
    ``disk``, and the number of quads. Measured on 1.1 million quads: about 11 s of CPU,
    whichever way (bulk_extend, extend, or a dump read back by the bulk loader): reading the
    terms out of RocksDB is the cost. Raises ``_Cancelled`` when ``cancelled()`` turns true."""
    memory = ox.Store()
    size = 0

    def quads() -> Iterator[ox.Quad]:
        nonlocal size
        for size, quad in enumerate(disk.quads_for_pattern(None, None, None, None), 1):
            if not size % 65536 and cancelled():
                raise _Cancelled
            yield quad

    memory.bulk_extend(quads())
    for g in disk.named_graphs():
        memory.add_graph(g)
    return memory, size


#: Updates that use these are not replayed on the in-memory copy (their effect can differ from
#: one run or one store to the next): the copy is rebuilt, or the graphs copied, from disk.
_NOT_REPLAYED = VOLATILE_FUNCTIONS | {
    "LOAD", "SERVICE", "SAMPLE", "GROUP_CONCAT", "SUM", "AVG", "LIMIT", "OFFSET",
}  # fmt: skip


def is_deterministic(update: str) -> bool:
    """Whether running ``update`` on two stores holding the same quads surely leaves them holding
    the same quads again.

    False when it calls a function whose value changes from run to run (``NOW``, ``RAND``,
    ``UUID``, ``STRUUID``, ``BNODE``), reads from elsewhere (``LOAD``, ``SERVICE``), depends on
    the order a store lists quads in (``SAMPLE``, ``GROUP_CONCAT``, ``SUM``/``AVG`` of doubles,
    ``LIMIT``/``OFFSET``), or writes blank nodes (a ``_:label`` or ``[`` anywhere, a collection
    ``( ... )`` in an ``INSERT`` template): each run mints new ones. Read lexically (strings,
    IRIs and comments are skipped), so it errs on the side of False."""
    template = False  # inside the braces of an INSERT template or INSERT DATA block
    after_insert = False
    for kind, value, _, _, depth in _top_level(update):
        if kind == "word":
            if value.startswith("_:"):
                return False
            word = None if ":" in value else value.upper()
            if word in _NOT_REPLAYED:
                return False
            if word == "INSERT" and depth == 0:
                after_insert = True
        elif kind == "brace" and depth == 0:
            if value == "{" and after_insert:
                template, after_insert = True, False
            elif value == "}":
                template = False
        elif kind == "other" and (value == "[" or (template and value == "(")):
            return False
    return True


def _quads_block(quads: Iterable[ox.Quad]) -> str:
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        g = q.graph_name
        key = str(g) if isinstance(g, ox.NamedNode) else ""
        by_graph.setdefault(key, []).append(f"{q.subject} {q.predicate} {q.object} .")
    parts = []
    for name, triples in by_graph.items():
        body = "\n".join(triples)
        parts.append(f"GRAPH {name} {{\n{body}\n}}" if name else body)
    return "\n".join(parts)


def _convert(result: object) -> QueryResult:
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]

        def rows() -> Iterator[tuple[Term | None, ...]]:
            with _evaluation_errors():
                for solution in result:
                    yield tuple(solution[v] for v in variables)

        return SelectResult(variables=variables, rows=rows())
    if isinstance(result, ox.QueryTriples):

        def triples() -> Iterator[ox.Triple]:
            with _evaluation_errors():
                yield from result

        return GraphResult(triples=triples())
    raise StoreError(f"unexpected query result {type(result).__name__}")


@contextmanager
def _evaluation_errors() -> Iterator[None]:
    """pyoxigraph evaluates lazily: errors (a failing SERVICE call, a type error in an
    aggregate) surface while rows are read, and must become project errors there too."""
    try:
        yield
    except (OSError, RuntimeError) as exc:
        message = str(exc).splitlines()[0][:500] if str(exc) else type(exc).__name__
        raise QueryEvaluationError(f"the query failed: {message}") from None
