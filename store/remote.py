"""The remote backend: the store protocol over SPARQL 1.1 (Query, Update, Graph Store), for
OpenLink Virtuoso 7.

A deployment that outgrows the embedded store points RightsGraph at Virtuoso; the service, the
questions and the reports do not change, because this class answers exactly like
:class:`~rightsgraph.store.oxigraph.OxigraphStore` (same Python terms, same canonical literals,
same dataset). How, in short (docs/decisions/0006-remote-store.md has the reasons):

- **The dataset.** Virtuoso's default graph is the union of *all* its graphs, its own system
  graphs included. History graphs (``rgg:revision/...``), personal-data graphs
  (``rgg:private/...``) and Virtuoso's system graphs are put in Virtuoso's private graph group
  (``virtrdf:PrivateGraphs``, graph-level security), which the anonymous user of ``/sparql`` may
  not read: its default graph is then exactly the union of the live graphs, and ``GRAPH ?g``
  ranges over the live graphs only, whatever their number. Reads go to that anonymous endpoint.
- **The unnamed default graph** is stored as the named graph ``DEFAULT_GRAPH``
  (``urn:x-rightsgraph:default-graph``), kept out of ``GRAPH ?g`` by a filter the store adds
  to every ``GRAPH ?g`` pattern of a query (:func:`guard_graph_patterns`).
- **Atomic writes.** Virtuoso's HTTP endpoint commits each operation of an update request on
  its own, so a failing request leaves its first operations applied. Every write is therefore
  sent as one *script* to a stored procedure (installed by :meth:`RemoteStore.prepare`) that runs
  its operations in one transaction and rolls back on the first error; the script also checks
  graph existence where SPARQL requires it (Virtuoso's ``DROP GRAPH`` only knows "explicitly
  created" graphs) and marks history graphs private in the same transaction. More than a few
  quads are first loaded into private staging graphs (Virtuoso's bulk loader over isql, or its
  Graph Store endpoint) and moved into their graphs by the script.
- **Parameters** of named questions (``native_substitutions = False``) are written into the
  query: the variable is replaced by the term inside the WHERE pattern and bound with a
  ``VALUES`` block at its start, so that the projection and ``GROUP BY`` keep the column. This is
  what pyoxigraph's substitutions do; a trailing ``VALUES`` alone would join after the pattern
  and its filters (SPARQL 1.1, 18.2.4.3) and change the answers.
- **Row caps.** Virtuoso stops every answer at ``ResultSetMaxRows`` without an error; an answer
  that reaches ``max_rows`` (read from the server's ini when not given, or the
  ``X-SPARQL-MaxRows`` header) is marked ``capped``; reads that must be complete
  (``graph_triples``, ``dump``, ``named_graphs``) call procedures that return one value.

Errors: ``QuerySyntaxError`` (the text does not parse), ``QueryEvaluationError`` (it parses, the
engine refuses it), ``QueryTimeoutError`` (no answer within ``timeout``), ``UpdateEvaluationError``
(an update that cannot be applied; nothing was written), ``StoreError`` (endpoint down,
credentials refused, store not prepared), ``InputError`` (unreadable data to load).
"""

from __future__ import annotations

import ast
import json
import logging
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from rightsgraph import iri
from rightsgraph.errors import (
    InputError,
    QueryEvaluationError,
    QuerySyntaxError,
    QueryTimeoutError,
    RightsGraphError,
    StoreError,
)
from rightsgraph.store.base import (
    DEFAULT_GRAPH,
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
    query_form,
    revisions_of,
)

log = logging.getLogger(__name__)

XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = XSD + "string"
_XSD_INTEGER = ox.NamedNode(XSD + "integer")
_VERSION = "https://schema.org/version"
_PROV = "http://www.w3.org/ns/prov#"
#: Virtuoso's graph group of graphs that only users with explicit rights may read.
PRIVATE_GROUP = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"
#: Graphs Virtuoso creates for itself: never part of RightsGraph's dataset.
VIRTUOSO_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
_VIRTUOSO_PREFIXES = ("http://www.openlinksw.com/", "http://localuriqaserver/")
_SYSTEM_IIDS = ", ".join(f"iri_to_id ('{g}')" for g in VIRTUOSO_GRAPHS)
#: Separates the steps of a write script (never valid in SPARQL text outside a string).
_SEP = "\x1e"
#: Quads per INSERT DATA operation of a script (Virtuoso's SPARQL parser runs out of stack at
#: about 5,000 triples in one block), and per Graph Store request of a bulk load.
_CHUNK = 1_000
_BULK_CHUNK = 50_000
#: Up to this many quads a write sends inline; more go through staging graphs.
_INLINE = 200
#: Names of the private graphs that hold data on its way into a write (see ``_staged``).
STAGING = "urn:x-rightsgraph:staging:"
#: Triples per call when a graph is read whole (graph_triples, dump).
_DUMP_CHUNK = 50_000
_DUMP_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}
_RETRIES = 3
#: Seconds the HTTP request of a query with a deadline waits past it for Virtuoso's answer.
_TIMEOUT_GRACE = 5.0

# The SQL installed by prepare(): the only server-side code of this backend. Each statement is
# sent with bif:exec through the authenticated endpoint, so that no SQL (isql) access is needed.
_PROCEDURES = (
    """
create procedure DB.DBA.RIGHTSGRAPH_UTF8 (in s any) returns varchar
{
  -- SPARQL literals that hold non-ASCII text reach SQL as wide strings.
  if (__tag (s) = __tag of nvarchar)
    return charset_recode (s, '_WIDE_', 'UTF-8');
  return s;
}""",
    f"""
create procedure DB.DBA.RIGHTSGRAPH_EXISTS (in graph_iri varchar) returns integer
{{
  -- A graph exists when it has a quad or was explicitly created, and is not private.
  declare gid any;
  gid := iri_to_id (graph_iri, 0);
  if (gid is null)
    return 0;
  if (exists (select 1 from DB.DBA.RDF_GRAPH_GROUP_MEMBER
              where RGGM_GROUP_IID = iri_to_id ('{PRIVATE_GROUP}', 0) and RGGM_MEMBER_IID = gid))
    return 0;
  if (exists (select 1 from DB.DBA.RDF_EXPLICITLY_CREATED_GRAPH where REC_GRAPH_IID = gid))
    return 1;
  if (exists (select top 1 1 from DB.DBA.RDF_QUAD where G = gid))
    return 1;
  return 0;
}}""",
    """
create procedure DB.DBA.RIGHTSGRAPH_HAS_GRAPH (in graph_iri any) returns integer
{
  return DB.DBA.RIGHTSGRAPH_EXISTS (DB.DBA.RIGHTSGRAPH_UTF8 (graph_iri));
}""",
    f"""
create procedure DB.DBA.RIGHTSGRAPH_TRIPLES (in graph_iri any, in skip integer, in n integer,
                                            in with_private integer) returns any
{{
  -- Up to n triples of one graph after the first skip (in index order), as N-Triples: one
  -- value, so neither ResultSetMaxRows nor the sort limit of ORDER BY paging applies.
  declare ses, triples, gid any;
  graph_iri := DB.DBA.RIGHTSGRAPH_UTF8 (graph_iri);
  gid := iri_to_id (graph_iri, 0);
  if (gid is null or (not with_private and exists (
        select 1 from DB.DBA.RDF_GRAPH_GROUP_MEMBER
        where RGGM_GROUP_IID = iri_to_id ('{PRIVATE_GROUP}', 0) and RGGM_MEMBER_IID = gid)))
    return '';
  ses := string_output ();
  vectorbld_init (triples);
  for (select top (skip, n) S as s1, P as p1, O as o1 from DB.DBA.RDF_QUAD where G = gid) do
    vectorbld_acc (triples, vector (__id2i (s1), __id2i (p1), __rdf_long_of_obj (o1)));
  vectorbld_final (triples);
  DB.DBA.RDF_TRIPLES_TO_NT (triples, ses);
  return string_output_string (ses);
}}""",
    f"""
create procedure DB.DBA.RIGHTSGRAPH_GRAPHS (in with_private integer) returns any
{{
  -- Every graph (one IRI a line): the distinct G of the quads (one scan of the GS index),
  -- plus the explicitly created empty ones; private graphs only when asked.
  declare ses, grp any;
  ses := string_output ();
  grp := iri_to_id ('{PRIVATE_GROUP}', 0);
  for (select distinct G as gid from DB.DBA.RDF_QUAD table option (index RDF_QUAD_GS)) do
    {{
      if (with_private or not exists (select 1 from DB.DBA.RDF_GRAPH_GROUP_MEMBER
                                      where RGGM_GROUP_IID = grp and RGGM_MEMBER_IID = gid))
        http (concat (id_to_iri (gid), '\\n'), ses);
    }}
  for (select REC_GRAPH_IID as cid from DB.DBA.RDF_EXPLICITLY_CREATED_GRAPH) do
    {{
      if (not exists (select top 1 1 from DB.DBA.RDF_QUAD where G = cid)
          and (with_private or not exists (select 1 from DB.DBA.RDF_GRAPH_GROUP_MEMBER
                                           where RGGM_GROUP_IID = grp and RGGM_MEMBER_IID = cid)))
        http (concat (id_to_iri (cid), '\\n'), ses);
    }}
  return string_output_string (ses);
}}""",
    f"""
create procedure DB.DBA.RIGHTSGRAPH_EMPTY_GRAPHS () returns any
{{
  -- The explicitly created graphs that hold no quad and are not private (one IRI a line):
  -- GRAPH ?g {{}} must name them, and the quads alone do not.
  declare ses, grp any;
  ses := string_output ();
  grp := iri_to_id ('{PRIVATE_GROUP}', 0);
  for (select REC_GRAPH_IID as cid from DB.DBA.RDF_EXPLICITLY_CREATED_GRAPH) do
    {{
      if (not exists (select top 1 1 from DB.DBA.RDF_QUAD where G = cid)
          and not exists (select 1 from DB.DBA.RDF_GRAPH_GROUP_MEMBER
                          where RGGM_GROUP_IID = grp and RGGM_MEMBER_IID = cid))
        http (concat (id_to_iri (cid), '\\n'), ses);
    }}
  return string_output_string (ses);
}}""",
    """
create procedure DB.DBA.RIGHTSGRAPH_MAX_ROWS () returns varchar
{
  return cfg_item_value (virtuoso_ini_path (), 'SPARQL', 'ResultSetMaxRows');
}""",
    f"""
create procedure DB.DBA.RIGHTSGRAPH_RUN (in script any) returns integer
{{
  -- Run a write script in one transaction: Q<sparql update>, E<graph> (must exist),
  -- N<graph> (must not exist), P<graph> (make private), U<graph> (no longer private),
  -- M<staging graph><TAB><graph> (move quads), D<graph> (drop it), X (drop every graph but
  -- Virtuoso's own); roll everything back on the first error.
  declare steps, step, arg, kind, pair any;
  declare i, mode integer;
  script := DB.DBA.RIGHTSGRAPH_UTF8 (script);
  steps := split_and_decode (script, 0, concat ('\\0\\0', chr (30)));
  mode := log_enable (1, 1);
  {{
    declare exit handler for sqlstate '*'
      {{
        rollback work;
        log_enable (mode, 1);
        resignal;
      }};
    for (i := 0; i < length (steps); i := i + 1)
      {{
        step := steps[i];
        if (length (step) > 0)
          {{
            kind := subseq (step, 0, 1);
            arg := subseq (step, 1);
            if (kind = 'Q')
              exec (string_output_string (sparql_to_sql_text (
                concat ('define sql:big-data-const 0 ', arg))));
            else if (kind = 'E' and not DB.DBA.RIGHTSGRAPH_EXISTS (arg))
              signal ('RGE01', concat ('The graph <', arg, '> does not exist'));
            else if (kind = 'N' and DB.DBA.RIGHTSGRAPH_EXISTS (arg))
              signal ('RGE02', concat ('The graph <', arg, '> already exists'));
            else if (kind = 'P')
              DB.DBA.RDF_GRAPH_GROUP_INS ('{PRIVATE_GROUP}', arg);
            else if (kind = 'U')
              DB.DBA.RDF_GRAPH_GROUP_DEL ('{PRIVATE_GROUP}', arg);
            else if (kind = 'D')
              {{
                -- drop a graph (what DROP SILENT GRAPH does, without compiling SPARQL)
                delete from DB.DBA.RDF_QUAD where G = iri_to_id (arg, 0);
                delete from DB.DBA.RDF_EXPLICITLY_CREATED_GRAPH
                  where REC_GRAPH_IID = iri_to_id (arg, 0);
              }}
            else if (kind = 'X')
              {{
                -- every graph but Virtuoso's own
                delete from DB.DBA.RDF_QUAD where G not in ({_SYSTEM_IIDS});
                delete from DB.DBA.RDF_EXPLICITLY_CREATED_GRAPH
                  where REC_GRAPH_IID not in ({_SYSTEM_IIDS});
              }}
            else if (kind = 'M')
              {{
                -- move a staging graph's quads into their graph (what ADD and DROP do,
                -- without compiling two SPARQL operations per graph)
                pair := split_and_decode (arg, 0, concat ('\\0\\0', chr (9)));
                insert soft DB.DBA.RDF_QUAD (G, S, P, O)
                  select iri_to_id (pair[1]), S, P, O from DB.DBA.RDF_QUAD
                  where G = iri_to_id (pair[0], 0);
                delete from DB.DBA.RDF_QUAD where G = iri_to_id (pair[0], 0);
              }}
          }}
      }}
    commit work;
  }}
  log_enable (mode, 1);
  return length (steps);
}}""",
)


class RemoteStore:
    """The store protocol over a Virtuoso 7 SPARQL endpoint.

    ``endpoint`` is the anonymous query endpoint (``http://host:8890/sparql``): its user must be
    Virtuoso's ``nobody``/``SPARQL``, whose graph-level rights hide the history graphs.
    ``update_endpoint`` (default: ``endpoint`` + ``-auth``) takes the writes with HTTP digest
    authentication as ``user`` (an account with SPARQL_UPDATE and the right to run the procedures
    of :meth:`prepare`; ``dba`` on a private instance). ``graph_store_endpoint`` (default:
    ``/sparql-graph-crud-auth`` beside it) receives bulk loads when no ``isql`` is configured.
    ``isql`` (``host:port`` of Virtuoso's SQL server) and ``load_dir`` (a folder both this process
    and Virtuoso can read, listed in its ``DirsAllowed``) enable Virtuoso's own bulk loader.
    ``max_rows`` is the server's ``ResultSetMaxRows``; ``timeout`` bounds every HTTP request.

    Nothing is sent until the first call. Raises ``StoreError`` from any method when the endpoint
    cannot be reached.
    """

    native_substitutions = False

    def __init__(
        self,
        endpoint: str,
        *,
        update_endpoint: str | None = None,
        graph_store_endpoint: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 60.0,
        max_rows: int | None = None,
        isql: str | None = None,
        load_dir: str | Path | None = None,
        read_only: bool = False,
    ) -> None:
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint.rstrip("/") + "-auth"
        root = endpoint.rstrip("/").rsplit("/", 1)[0]
        self.graph_store_endpoint = graph_store_endpoint or root + "/sparql-graph-crud-auth"
        self.user = user
        self.password = password
        self.timeout = timeout
        self.max_rows = max_rows
        self.isql = isql
        self.load_dir = Path(load_dir) if load_dir else None
        self.read_only = read_only
        self._system = iri.graph("system")
        self._provenance = iri.graph("provenance")
        self._prepared = False

    # -- HTTP --------------------------------------------------------------------------------
    def _opener(self) -> urllib.request.OpenerDirector:
        """An opener with digest credentials for the authenticated endpoints, one per request:
        urllib's digest handler keeps per-handler state that threads must not share, and
        SPARQLWrapper's own digest support installs a process-wide opener."""
        handlers: list[urllib.request.BaseHandler] = []
        if self.user is not None:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in (self.update_endpoint, self.graph_store_endpoint):
                passwords.add_password(None, url, self.user, self.password or "")
            handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
        return urllib.request.build_opener(*handlers)

    def _post(
        self, url: str, fields: Sequence[tuple[str, str]], *, accept: str, what: str
    ) -> tuple[Mapping[str, str], bytes]:
        """POST a form to an authenticated endpoint; Virtuoso's errors become project errors."""
        body = urllib.parse.urlencode(list(fields)).encode("ascii")
        request = urllib.request.Request(
            url,
            data=body,
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with self._opener().open(request, timeout=self.timeout) as response:
                return dict(response.headers.items()), response.read()
        except urllib.error.HTTPError as exc:
            raise _http_error(exc.code, exc.read(), what) from None
        except TimeoutError:
            raise QueryTimeoutError(f"{what}: no answer within {self.timeout:g} s") from None
        except (urllib.error.URLError, OSError) as exc:
            raise StoreError(f"{what}: cannot reach {url}: {_reason(exc)}") from None

    def _get_anonymous(
        self,
        sparql: str,
        *,
        accept: str,
        params: Sequence[tuple[str, str]] = (),
        what: str,
        timeout: float | None = None,
    ) -> tuple[Mapping[str, str], bytes]:
        """Run a query on the anonymous endpoint with SPARQLWrapper (POST, form-encoded);
        ``timeout`` (seconds) overrides the store's HTTP timeout."""
        wrapper = SPARQLWrapper(self.endpoint)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setOnlyConneg(True)
        wrapper.setQuery(sparql)
        wrapper.setReturnFormat(JSON if "json" in accept else TURTLE)
        wrapper.addCustomHttpHeader("Accept", accept)
        waited = self.timeout if timeout is None else timeout
        wrapper.timeout = waited  # type: ignore[assignment]  # setTimeout truncates to int
        for name, value in params:
            wrapper.addParameter(name, value)
        try:
            result = wrapper.query()
            response = result.response
            return dict(response.headers.items()), response.read()
        except SPARQLWrapperException as exc:
            raise _wrapper_error(exc, what) from None
        except urllib.error.HTTPError as exc:
            raise _http_error(exc.code, exc.read(), what) from None
        except TimeoutError:
            raise QueryTimeoutError(f"{what}: no answer within {waited:g} s") from None
        except (urllib.error.URLError, OSError) as exc:
            raise StoreError(f"{what}: cannot reach {self.endpoint}: {_reason(exc)}") from None

    def _call(self, function: str, *args: str | int, what: str) -> str:
        """Call one of the procedures of :meth:`prepare` (``SELECT (sql:F(...) AS ?r)``) on the
        authenticated endpoint and return its value as text."""
        self._ensure_prepared()
        rendered = ", ".join(str(a) if isinstance(a, int) else _sparql_string(a) for a in args)
        sparql = f"SELECT (sql:{function}({rendered}) AS ?r) WHERE {{}}"
        _, body = self._post(
            self.update_endpoint,
            [("query", sparql)],
            accept="application/sparql-results+json",
            what=what,
        )
        bindings = _json(body, what)["results"]["bindings"]
        return str(bindings[0]["r"]["value"]) if bindings and "r" in bindings[0] else ""

    # -- setup -----------------------------------------------------------------------------
    def prepare(self) -> None:
        """Install what this backend needs on the server; idempotent, needs an admin account.

        Installs the procedures above, makes graphs readable by Virtuoso's anonymous user
        (``nobody``) except the private group, and puts Virtuoso's own graphs in that group.
        Raises ``StoreError`` when the account may not do it."""
        statements = [
            *_PROCEDURES,
            f"DB.DBA.RDF_GRAPH_GROUP_CREATE ('{PRIVATE_GROUP}', 1)",
            "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1, 0)",
            "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1)",
            *(f"DB.DBA.RDF_GRAPH_GROUP_INS ('{PRIVATE_GROUP}', '{g}')" for g in VIRTUOSO_GRAPHS),
        ]
        for statement in statements:
            sparql = f"SELECT (bif:exec({_sparql_string(statement)}) AS ?r) WHERE {{}}"
            self._post(
                self.update_endpoint,
                [("query", sparql)],
                accept="application/sparql-results+json",
                what="preparing the Virtuoso store",
            )
        self._prepared = True
        if self.max_rows is None:
            # The row cap is read from the server's ini, so that capped answers are flagged
            # (a capped CONSTRUCT carries no header saying so).
            value = self._call("RIGHTSGRAPH_MAX_ROWS", what="reading ResultSetMaxRows")
            self.max_rows = int(value) if value.strip().isdigit() else None

    def _ensure_prepared(self) -> None:
        if not self._prepared:
            self.prepare()

    # -- reading ---------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> QueryResult:
        """Run a query on the anonymous endpoint, as ``OxigraphStore.query`` answers it.

        ``timeout`` (seconds) is the query's deadline: Virtuoso is asked to stop there (its
        ``timeout`` parameter, in milliseconds; past it Virtuoso returns a partial "anytime"
        answer, which is refused) and the HTTP request waits a few seconds more. Raises
        ``QuerySyntaxError``, ``QueryEvaluationError``, ``QueryTimeoutError`` past the deadline,
        ``InputError`` for a parameter that cannot be bound and ``StoreError``."""
        _check_query(sparql)
        text = bind_values(sparql, substitutions) if substitutions else sparql
        text = self._resolve_graph_tests(text, named_graphs)
        if named_graphs is None:
            text = guard_graph_patterns(text, self._empty_graphs if _lists_graphs(text) else ())
        params = [("default-graph-uri", g) for g in default_graph or ()]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        if params:
            text = drop_dataset_clauses(text)
        waited: float | None = None
        if timeout is not None:
            if not timeout > 0 or timeout == float("inf"):
                raise InputError(f"timeout must be a positive number of seconds, not {timeout}")
            params.append(("timeout", str(max(1, round(timeout * 1000)))))
            waited = max(self.timeout, timeout + _TIMEOUT_GRACE)
        form = query_form(sparql)
        if form in ("CONSTRUCT", "DESCRIBE"):
            headers, body = self._get_anonymous(
                text,
                accept="application/n-triples",
                params=params,
                what="the query",
                timeout=waited,
            )
            _check_partial(headers, "the query")
            triples = [
                ox.Triple(t.subject, t.predicate, _canonical(t.object))
                for t in _parse_triples(body, "the query")
            ]
            return GraphResult(triples=iter(triples), capped=self._capped(headers, len(triples)))
        headers, body = self._get_anonymous(
            text,
            accept="application/sparql-results+json",
            params=params,
            what="the query",
            timeout=waited,
        )
        _check_partial(headers, "the query")
        data = _json(body, "the query")
        if "boolean" in data:
            return bool(data["boolean"])
        variables = [str(v) for v in data.get("head", {}).get("vars", [])]
        bindings = data.get("results", {}).get("bindings", [])
        rows = [tuple(_term(b.get(v)) for v in variables) for b in bindings]
        return SelectResult(
            variables=variables, rows=iter(rows), capped=self._capped(headers, len(rows))
        )

    @property
    def _empty_graphs(self) -> list[str]:
        """The live graphs that exist but hold no triple (created, or PUT empty)."""
        text = self._call("RIGHTSGRAPH_EMPTY_GRAPHS", what="listing the empty graphs")
        return [g for g in text.splitlines() if g and g != DEFAULT_GRAPH and not _system(g)]

    def _resolve_graph_tests(self, sparql: str, named_graphs: Sequence[str] | None) -> str:
        """``GRAPH <g> {}`` (does graph ``g`` exist?) answered here, since Virtuoso finds one
        solution for any IRI: the group becomes ``{}`` (one empty solution) when ``g`` is a
        graph of the dataset (:meth:`has_graph`, which knows empty created graphs; within a
        protocol dataset, one of its named graphs too) and ``{ FILTER(false) }`` otherwise.
        Queries naming their own dataset (``FROM NAMED``) are left as they are."""
        tokens = list(_top_level(sparql))
        if any(k == "word" and v.upper() == "NAMED" for k, v, _, _, _ in tokens):
            return sparql
        edits: list[tuple[int, int, str]] = []
        for i in range(len(tokens) - 3):
            word, name, opening, closing = tokens[i : i + 4]
            if (
                word[0] == "word"
                and word[1].upper() == "GRAPH"
                and name[0] == "iri"
                and opening[:2] == ("brace", "{")
                and closing[:2] == ("brace", "}")
            ):
                graph = name[1][1:-1]
                known = named_graphs is None or graph in named_graphs
                exists = known and graph != DEFAULT_GRAPH and self.has_graph(graph)
                edits.append((word[2], closing[3], "{}" if exists else "{ FILTER(false) }"))
        for start, end, replacement in reversed(edits):
            sparql = sparql[:start] + replacement + sparql[end:]
        return sparql

    def _capped(self, headers: Mapping[str, str], count: int) -> bool:
        """Whether Virtuoso stopped at its row cap: the answer reaches ``max_rows`` or the
        ``X-SPARQL-MaxRows`` it announces (an answer of exactly that size is flagged too)."""
        cap = _header(headers, "X-SPARQL-MaxRows")
        limit = int(cap) if cap and cap.isdigit() else self.max_rows
        return limit is not None and count >= limit

    def _select_rows(self, sparql: str, *, what: str) -> list[tuple[Term | None, ...]]:
        result = self.query(sparql)
        if not isinstance(result, SelectResult):
            raise StoreError(f"{what}: a SELECT answer was expected")
        return list(result.rows)

    def revision(self) -> int:
        s = f"<{self._system}>"
        rows = self._select_rows(
            f"SELECT ?v WHERE {{ GRAPH {s} {{ {s} <{_VERSION}> ?v }} }}", what="the revision"
        )
        return _int(rows[0][0]) if rows else 0

    def named_graphs(self) -> list[str]:
        return sorted(
            g for g in self._graphs(with_private=False) if g != DEFAULT_GRAPH and not _system(g)
        )

    def _graphs(self, *, with_private: bool) -> list[str]:
        text = self._call("RIGHTSGRAPH_GRAPHS", 1 if with_private else 0, what="listing the graphs")
        return [line for line in text.splitlines() if line]

    def is_empty(self) -> bool:
        result = self.query("ASK { ?s ?p ?o }")
        return not result

    def revisions(self, key: str) -> list[Revision]:
        return revisions_of(self, key)

    def has_graph(self, graph: str) -> bool:
        if graph == DEFAULT_GRAPH:
            return True
        self._ensure_prepared()
        return self._call("RIGHTSGRAPH_HAS_GRAPH", graph, what=f"looking up {graph}") == "1"

    def graph_triples(self, graph: str) -> Iterator[ox.Triple]:
        """The triples of one live graph (none for a history graph), read in chunks, so never
        capped."""
        yield from self._triples(graph, with_private=False)

    def _triples(self, graph: str, *, with_private: bool) -> Iterator[ox.Triple]:
        """The triples of a graph, ``_DUMP_CHUNK`` at a time, canonical as pyoxigraph's."""
        self._ensure_prepared()
        skip = 0
        while True:
            text = self._call(
                "RIGHTSGRAPH_TRIPLES",
                graph,
                skip,
                _DUMP_CHUNK,
                1 if with_private else 0,
                what=f"reading {graph}",
            )
            count = 0
            for triple in _parse_triples(text.encode("utf-8"), f"reading {graph}"):
                count += 1
                yield ox.Triple(triple.subject, triple.predicate, _canonical(triple.object))
            if count < _DUMP_CHUNK:
                return
            skip += count

    # -- writing ---------------------------------------------------------------------------
    def _bump(self) -> str:
        """The update operation that adds one to the revision counter, inside the script's
        transaction; when the write itself removed the counter it counts on from the revision
        read before (as in OxigraphStore). The counter is read by an aggregate sub-SELECT:
        Virtuoso finds no solution for a pattern that starts with an OPTIONAL over nothing."""
        s = f"<{self._system}>"
        before = self.revision()
        return (
            f"DELETE {{ GRAPH {s} {{ {s} <{_VERSION}> ?v }} }} "
            f"INSERT {{ GRAPH {s} {{ {s} <{_VERSION}> ?n }} }} "
            f"WHERE {{ {{ SELECT (MAX(?x) AS ?v) "
            f"WHERE {{ GRAPH {s} {{ {s} <{_VERSION}> ?x }} }} }} "
            f"BIND(COALESCE(?v, {before}) + 1 AS ?n) }}"
        )

    def _run(self, steps: Sequence[str], *, what: str) -> None:
        """Run a write script atomically (see ``RIGHTSGRAPH_RUN``); retried on a deadlock."""
        self._writable()
        self._ensure_prepared()
        for step in steps:
            if _SEP in step:
                raise InputError(f"{what}: the text holds the control character U+001E")
        script = _SEP.join(steps)
        for attempt in range(_RETRIES):
            try:
                self._call("RIGHTSGRAPH_RUN", script, what=what)
                return
            except _Deadlock:
                if attempt == _RETRIES - 1:
                    raise StoreError(
                        f"{what}: the store stayed busy; nothing was written"
                    ) from None
                time.sleep(0.05 * (attempt + 1))

    def update(
        self,
        sparql: str,
        *,
        using_graph: Sequence[str] | None = None,
        using_named_graphs: Sequence[str] | None = None,
    ) -> None:
        self._writable()
        _check_update(sparql)
        body = apply_using(sparql, using_graph, using_named_graphs)
        steps = self._update_steps(body)
        steps.append("Q" + self._bump())
        try:
            self._run(steps, what="the update")
        except QueryEvaluationError as exc:
            detail = str(exc).removeprefix("the update failed: ")
            raise UpdateEvaluationError(
                f"the update failed and nothing was written: {detail}"
            ) from None

    def _update_steps(self, sparql: str) -> list[str]:
        """The script of a user's update: its operations one by one, each with the prologue seen
        so far, graph management rewritten to SPARQL's rules, and the store's default graph.

        The default graph is given with ``DEFINE input:default-graph-uri`` (the target of
        triples outside ``GRAPH`` and the dataset of the WHERE), except in an operation with its
        own ``WITH`` or ``USING``: there Virtuoso would read that graph as well as the named
        one, so the templates' default-graph triples are put in ``GRAPH <DEFAULT_GRAPH>``
        instead. ``GRAPH ?g`` in a WHERE never sees Virtuoso's own graphs (it does see
        ``DEFAULT_GRAPH`` and, the writer being an administrator, the history graphs)."""
        steps: list[str] = []
        prologue: list[str] = []
        # (Excluding DEFAULT_GRAPH too would take it out of the default graph as well.)
        hidden = " ".join(f"DEFINE input:named-graph-exclude <{g}>" for g in VIRTUOSO_GRAPHS)
        for operation in _operations(sparql):
            head, body = _split_prologue(operation)
            prologue.extend(head)
            if not body.strip():
                continue
            words = {v.upper() for k, v, _, _, d in _top_level(body) if k == "word" and d == 0}
            if words & {"WITH", "USING"}:
                define = hidden
                body = _default_templates(body)
            else:
                define = f"DEFINE input:default-graph-uri <{DEFAULT_GRAPH}> {hidden}"
            for kind, text in self._rewrite(body):
                if kind == "Q":
                    steps.append("Q" + define + "\n" + "\n".join(prologue) + "\n" + text)
                else:
                    steps.append(kind + text)
        return steps

    def _rewrite(self, operation: str) -> list[tuple[str, str]]:
        """Graph management in Virtuoso's terms, with the existence checks SPARQL asks for."""
        tokens = [(k, v) for k, v, _, _, _ in _top_level(operation)]
        words = [v.upper() if k == "word" else v for k, v in tokens]
        if not words:
            return []
        verb = words[0]
        silent = len(words) > 1 and words[1] == "SILENT"
        rest = tokens[2 if silent else 1 :]
        if verb in ("DROP", "CLEAR") and rest:
            target = rest[0][1].upper() if rest[0][0] == "word" else ""
            if target in ("DEFAULT", "NAMED", "ALL"):
                graphs = [] if target == "DEFAULT" else self.named_graphs()
                if target != "NAMED":
                    graphs.append(DEFAULT_GRAPH)
                return [("D", g) for g in graphs]
            graph = _graph_iri(rest)
            if graph is not None:
                steps = [] if silent else [("E", graph)]
                return [*steps, ("Q", f"{verb} SILENT GRAPH <{graph}>")]
        if verb == "CREATE":
            graph = _graph_iri(rest)
            if graph is not None:
                steps = [] if silent else [("N", graph)]
                return [*steps, ("Q", f"CREATE SILENT GRAPH <{graph}>")]
        if verb in ("ADD", "COPY", "MOVE"):
            text = re.sub(r"(?i)\bDEFAULT\b", f"<{DEFAULT_GRAPH}>", operation)
            source = _graph_iri(rest) or (DEFAULT_GRAPH if "DEFAULT" in words[:4] else None)
            if verb == "MOVE" and not silent and source and source != DEFAULT_GRAPH:
                return [("E", source), ("Q", text)]
            return [("Q", text)]
        if verb == "INSERT" and len(words) > 1 and words[1] == "DATA" and _has_blank_node(tokens):
            # Virtuoso refuses blank nodes in INSERT DATA; an INSERT template takes them.
            start = re.search(r"(?i)\bDATA\b", operation)
            if start:
                return [("Q", operation[: start.start()] + operation[start.end() :] + " WHERE {}")]
        return [("Q", operation)]

    def write_graph(self, graph: str, triples: Iterable[ox.Triple], *, replace: bool) -> bool:
        existed = self.has_graph(graph)
        steps = []
        if replace:
            steps.append(f"QDROP SILENT GRAPH <{graph}>")
        if graph != DEFAULT_GRAPH:
            steps.append(f"QCREATE SILENT GRAPH <{graph}>")
        quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)) for t in triples]
        with self._staged(quads, what=f"the write of {graph}") as data:
            self._run([*steps, *data, "Q" + self._bump()], what=f"the write of {graph}")
        return not existed

    def delete_graph(self, graph: str) -> bool:
        if not self.has_graph(graph):
            return False
        self._run(
            [f"QDROP SILENT GRAPH <{graph}>", "Q" + self._bump()],
            what=f"the deletion of {graph}",
        )
        return True

    def replace_graph(self, change: GraphReplacement) -> int:
        """Replace one graph in one transaction of the server: the previous content becomes
        the revision graph (made private), its provenance moves with it, the personal-data
        graphs are replaced, the new content comes in and the counter goes up, or nothing
        happens. (Stronger than the embedded store, whose history is a second database.)"""
        live = change.graph
        prov = self._provenance
        what = f"the replacement of {live}"
        previous = self._graph_revision(live)
        number = previous + 1
        steps: list[str] = ["Q" + self._bump()]
        extra = [
            ox.Quad(
                ox.NamedNode(live),
                ox.NamedNode(iri.ontology("revisionNumber")),
                ox.Literal(str(number), datatype=_XSD_INTEGER),
                ox.NamedNode(prov),
            )
        ]
        private: list[ox.Quad] = []
        if change.private is not None:
            targets = {_graph_of(q) for q in change.private if _named(q.graph_name)}
            if change.history_key:
                targets.add(iri.private_graph(change.history_key))
            for target in sorted(targets):
                steps += [f"P{target}", f"QDROP SILENT GRAPH <{target}>"]
            private = list(change.private)
        if change.history_key and previous:
            revision = iri.revision_graph(change.history_key, previous)
            steps += [
                f"P{revision}",
                f"QDROP SILENT GRAPH <{revision}>",
                f"QADD SILENT <{live}> TO <{revision}>",
                f"QDELETE {{ GRAPH <{prov}> {{ <{live}> ?p ?o }} }} "
                f"INSERT {{ GRAPH <{prov}> {{ <{revision}> ?p ?o }} }} "
                f"WHERE {{ GRAPH <{prov}> {{ <{live}> ?p ?o }} }}",
            ]
            extra.append(
                ox.Quad(
                    ox.NamedNode(live),
                    ox.NamedNode(_PROV + "wasRevisionOf"),
                    ox.NamedNode(revision),
                    ox.NamedNode(prov),
                )
            )
        else:
            steps.append(f"QDELETE WHERE {{ GRAPH <{prov}> {{ <{live}> ?p ?o }} }}")
        steps.append(f"QDROP SILENT GRAPH <{live}>")
        try:
            new = [*private, *change.quads, *change.provenance, *extra]
            with self._staged(new, what=what) as data:
                self._run([*steps, *data], what=what)
        except (QueryEvaluationError, QuerySyntaxError) as exc:
            raise StoreError(
                f"the graph {live} could not be replaced; nothing was written: {exc}"
            ) from None
        return number

    def _graph_revision(self, graph: str) -> int:
        rows = self._select_rows(
            f"SELECT ?n WHERE {{ GRAPH <{self._provenance}> {{ <{graph}> "
            f"<{iri.ontology('revisionNumber')}> ?n }} }}",
            what=f"the revision of {graph}",
        )
        return _int(rows[0][0]) if rows else 0

    @contextmanager
    def _staged(self, quads: Sequence[ox.Quad], *, what: str) -> Iterator[list[str]]:
        """The script steps that write ``quads`` into their graphs.

        A few quads are written inline (INSERT DATA). More are loaded first into private
        staging graphs, one per target graph (Virtuoso parses INSERT DATA at about 2,000
        triples a second; its Graph Store endpoint and its bulk loader take tens of
        thousands), and the steps move them into their graphs inside the caller's transaction
        (an SQL insert-select per graph). Staging graphs left by a failed script are dropped on
        the way out."""
        if len(quads) <= _INLINE:
            yield ["Q" + op for op in _insert_operations(quads)]
            return
        targets = sorted({_graph_of(q) for q in quads})
        token = uuid.uuid4().hex
        staging = {target: f"{STAGING}{token}/{i}" for i, target in enumerate(targets)}
        cleanup = [f"D{g}" for g in staging.values()] + [f"U{g}" for g in staging.values()]
        moves = [f"M{g}\t{t}" for t, g in staging.items()] + [f"U{g}" for g in staging.values()]
        self._run([f"P{g}" for g in staging.values()], what=what)
        done = False
        try:
            self._bulk(
                [
                    ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(staging[_graph_of(q)]))
                    for q in quads
                ],
                what=what,
                durable=False,
            )
            yield moves
            done = True
        finally:
            if not done:
                try:
                    self._run(cleanup, what=f"cleaning up after {what}")
                except RightsGraphError as exc:  # the original error matters more
                    log.warning("staging graphs %s were left behind: %s", token, exc)

    def _bulk(self, quads: Sequence[ox.Quad], *, what: str, durable: bool = True) -> None:
        """Add quads to their graphs without a transaction: through Virtuoso's bulk loader when
        ``isql`` and ``load_dir`` are set (then a checkpoint when ``durable``: the loader does
        not write the transaction log), else through Graph Store POSTs, one graph at a time."""
        if self.isql and self.load_dir:
            self._bulk_isql(quads, checkpoint=durable)
            return
        by_graph: dict[str, list[ox.Triple]] = defaultdict(list)
        for q in quads:
            by_graph[_graph_of(q)].append(ox.Triple(q.subject, q.predicate, q.object))
        for name, triples in by_graph.items():
            self._post_graph(name, triples, what=what)

    def load(
        self,
        source: Path | bytes,
        *,
        format: ox.RdfFormat,
        graph: str | None = None,
        bulk: bool = False,
        progress: bool = False,
    ) -> int:
        """Load RDF; quads in ``rgg:revision/...`` and ``rgg:private/...`` graphs go to the
        history (made private first), quads in the default graph to ``DEFAULT_GRAPH``.

        Without ``bulk`` the load is one transaction (all or nothing: staged through the Graph
        Store endpoint, then added in one script). With ``bulk`` it goes through Virtuoso's bulk
        loader (``ld_dir``/``rdf_loader_run`` over isql, then a checkpoint) when ``isql`` and
        ``load_dir`` are set, else through Graph Store POSTs of up to 50,000 triples straight
        into their graphs; either way it is not atomic. Raises ``InputError`` for data that does
        not parse (nothing is written then).
        """
        self._writable()
        self._ensure_prepared()
        quads = list(parse_quads(source, format=format, graph=graph))
        if progress:
            log.info("loading %d quads into %s", len(quads), self.endpoint)
        private = sorted({_graph_of(q) for q in quads if iri.is_history_graph(_graph_of(q))})
        if not bulk:
            with self._staged(quads, what="the load") as data:
                self._run([*(f"P{g}" for g in private), *data, "Q" + self._bump()], what="the load")
            return len(quads)
        if private:
            self._run([f"P{g}" for g in private], what="the load")
        self._bulk(quads, what="the bulk load")
        self._run(["Q" + self._bump()], what="the load")
        return len(quads)

    def _post_graph(self, graph: str, triples: Sequence[ox.Triple], *, what: str) -> None:
        """Add triples to one graph with Graph Store Protocol POSTs of N-Triples, up to 50,000
        a request; the triples with blank nodes go in one request, so that a blank node stays
        one node (a blank node label only means something inside one document)."""
        blank = [t for t in triples if _blank(t)]
        chunks = [blank] if blank else []
        plain = iter([t for t in triples if not _blank(t)])
        while chunk := list(islice(plain, _BULK_CHUNK)):
            chunks.append(chunk)
        url = self.graph_store_endpoint + "?" + urllib.parse.urlencode({"graph": graph})
        for chunk in chunks:
            data = ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES)
            request = urllib.request.Request(
                url, data=data, method="POST", headers={"Content-Type": "application/n-triples"}
            )
            try:
                with self._opener().open(request, timeout=self.timeout) as response:
                    response.read()
            except urllib.error.HTTPError as exc:
                raise _http_error(exc.code, exc.read(), what) from None
            except TimeoutError:
                raise StoreError(f"{what}: no answer within {self.timeout:g} s") from None
            except (urllib.error.URLError, OSError) as exc:
                raise StoreError(f"{what}: cannot reach {url}: {_reason(exc)}") from None

    def _bulk_isql(self, quads: Sequence[ox.Quad], *, checkpoint: bool) -> None:
        """Virtuoso's bulk loader: an N-Quads file in ``load_dir``, ``ld_dir`` and
        ``rdf_loader_run`` through isql, then (``checkpoint``) a checkpoint, since the loader
        does not write the transaction log."""
        assert self.load_dir is not None and self.isql is not None
        name = f"rightsgraph-{uuid.uuid4().hex}.nq"
        path = self.load_dir / name
        target = [
            q
            if _named(q.graph_name)
            else ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(DEFAULT_GRAPH))
            for q in quads
        ]
        try:
            ox.serialize(target, str(path), format=ox.RdfFormat.N_QUADS)
            folder = _sql_string(str(self.load_dir))
            output = self._isql(
                f"ld_dir ({folder}, {_sql_string(name)}, {_sql_string(DEFAULT_GRAPH)});\n"
                "rdf_loader_run ();\n"
                + ("checkpoint;\n" if checkpoint else "")
                + "select concat ('rightsgraph-load-error: ', ll_error) from DB.DBA.LOAD_LIST "
                f"where ll_file like {_sql_string('%' + name)} and ll_error is not null;\n"
                f"delete from DB.DBA.LOAD_LIST where ll_file like {_sql_string('%' + name)};\n"
            )
        finally:
            path.unlink(missing_ok=True)
        if "rightsgraph-load-error:" in output:
            raise StoreError(f"Virtuoso's bulk loader reported an error:\n{output[-2000:]}")

    def _isql(self, sql: str) -> str:
        """Run SQL through ``isql-vt`` (the password goes on its command line, as isql wants:
        use it only with a server on this machine)."""
        command = shutil.which("isql-vt") or shutil.which("isql")
        if command is None or self.isql is None:
            raise StoreError("the bulk loader needs isql-vt (Debian: virtuoso-opensource)")
        proc = subprocess.run(
            [
                command,
                self.isql,
                self.user or "dba",
                self.password or "",
                "VERBOSE=OFF",
                "BANNER=OFF",
                "PROMPT=OFF",
                "ERRORS=STDOUT",
            ],
            input=sql,
            capture_output=True,
            text=True,
            timeout=max(self.timeout, 3600),
            check=False,
        )
        output = proc.stdout + proc.stderr
        if proc.returncode != 0 or "*** Error" in output:
            raise StoreError(f"isql failed: {output[-2000:]}")
        return output

    def dump(
        self, output: BinaryIO, *, format: DumpFormat = "nquads", history: bool = True
    ) -> None:
        """Every quad of the dataset (with ``history``, the revision and personal-data graphs
        too), graph by graph; ``DEFAULT_GRAPH`` is written as the default graph. Not a snapshot:
        a write during the dump may or may not be in it."""
        graphs = [
            g
            for g in self._graphs(with_private=history)
            if not _system(g)
            and not g.startswith(STAGING)
            and (history or not iri.is_history_graph(g))
        ]

        def quads() -> Iterator[ox.Quad]:
            for name in graphs:
                target = ox.DefaultGraph() if name == DEFAULT_GRAPH else ox.NamedNode(name)
                for t in self._triples(name, with_private=True):
                    yield ox.Quad(t.subject, t.predicate, t.object, target)

        ox.serialize(quads(), output, format=_DUMP_FORMATS[format])

    def clear(self) -> None:
        """Drop every graph of the dataset, history included (Virtuoso's own graphs stay): for
        tests and for a deliberate reset. Atomic; the revision counter goes with it. (Graphs
        stay in the private group: a history graph's name never becomes a live graph's.)"""
        self._run(["X"], what="clearing the store")

    def flush(self) -> None:
        """Nothing to do: Virtuoso commits every write (the bulk loader is checkpointed)."""

    def close(self) -> None:
        """Nothing is held between calls (each request has its own connection)."""

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError("the store was opened read-only")


# -- helpers ---------------------------------------------------------------------------------
class _Deadlock(StoreError):
    """Virtuoso chose this transaction as a deadlock victim (SQL state 40001): retry it."""


def _system(graph: str) -> bool:
    return graph.startswith(_VIRTUOSO_PREFIXES) or graph in VIRTUOSO_GRAPHS


def _graph_of(quad: ox.Quad) -> str:
    """The name of a quad's graph, ``DEFAULT_GRAPH`` for the default graph."""
    g = quad.graph_name
    return g.value if isinstance(g, ox.NamedNode | ox.BlankNode) else DEFAULT_GRAPH


def _named(graph: object) -> bool:
    return isinstance(graph, ox.NamedNode)


def _blank(triple: ox.Triple | ox.Quad) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def _int(term: object) -> int:
    try:
        return int(term.value) if isinstance(term, ox.Literal) else 0
    except ValueError:
        return 0


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason or exc)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def _sparql_string(text: str) -> str:
    """A SPARQL string literal holding ``text`` exactly (ASCII only, so that Virtuoso's SQL
    layer never guesses an encoding: everything else is written as ``\\u`` escapes)."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or code > 0x7E:
            out.append(f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_VIRTUOSO_MESSAGE = re.compile(r"Virtuoso (\w{5}) Error (?:(\w+): )?(.*)")


def _http_error(status: int, body: bytes, what: str) -> RightsGraphError:
    """A project error for an HTTP error from Virtuoso (its message, without the echo of the
    whole query that Virtuoso appends)."""
    text = body.decode("utf-8", errors="replace").strip()
    first = text.split("\n\nSPARQL query:", 1)[0].strip().splitlines()
    message = " ".join(line.strip() for line in first)[:500] or f"HTTP {status}"
    match = _VIRTUOSO_MESSAGE.search(message)
    state, code = (match.group(1), match.group(2) or "") if match else ("", "")
    if status == 401:
        return StoreError(f"{what}: Virtuoso refused the credentials")
    if state == "40001":
        return _Deadlock(f"{what}: {message}")
    if state.startswith("S1T") or code in ("SR171", "SR172"):
        return QueryTimeoutError(f"{what} ran past the engine's time limit: {message}")
    if code in ("SP030", "SP031", "SP029") or (status == 400 and state == "37000"):
        return QuerySyntaxError(f"{what} does not parse: {message}")
    if state.startswith("RGE"):  # the existence checks of RIGHTSGRAPH_RUN: their own words
        return QueryEvaluationError(message.split(" Error ", 1)[-1])
    if status in (400, 500) and match:
        return QueryEvaluationError(f"{what} failed: {message}")
    return StoreError(f"{what}: the endpoint answered {status}: {message}")


def _wrapper_error(exc: SPARQLWrapperException, what: str) -> RightsGraphError:
    """SPARQLWrapper's exceptions keep the response body only as the ``repr`` of its bytes at
    the end of their message: read it back (``ast.literal_eval`` evaluates no code)."""
    status = {
        "QueryBadFormed": 400,
        "Unauthorized": 401,
        "EndPointNotFound": 404,
        "URITooLong": 414,
        "EndPointInternalError": 500,
    }.get(type(exc).__name__, 500)
    body = str(exc).split("Response:\n", 1)[-1]
    try:
        raw = ast.literal_eval(body)
    except (ValueError, SyntaxError):
        raw = body
    data = raw if isinstance(raw, bytes) else str(raw).encode("utf-8")
    return _http_error(status, data, what)


def _check_partial(headers: Mapping[str, str], what: str) -> None:
    """Virtuoso's "anytime" answers: a partial result after its time limit, flagged by a SQL
    state header. A partial answer is not an answer."""
    state = _header(headers, "X-SQL-State")
    if state:
        message = _header(headers, "X-SQL-Message") or state
        raise QueryTimeoutError(f"{what} ran past the engine's time limit: {message}")


def _json(body: bytes, what: str) -> dict[str, Any]:
    """A SPARQL JSON answer (untyped, as JSON is). Raises ``StoreError`` for anything else."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise StoreError(f"{what}: the endpoint did not answer JSON: {exc}") from None
    if not isinstance(data, dict):
        raise StoreError(f"{what}: unexpected answer from the endpoint")
    return data


def _parse_triples(body: bytes, what: str) -> Iterator[ox.Triple]:
    try:
        for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
            yield ox.Triple(quad.subject, quad.predicate, quad.object)
    except SyntaxError as exc:
        raise StoreError(f"{what}: the endpoint answered unreadable N-Triples: {exc}") from None


def _term(binding: object) -> Term | None:
    """One SPARQL JSON binding as the pyoxigraph term OxigraphStore would return."""
    if not isinstance(binding, dict):
        return None
    kind = binding.get("type")
    value = str(binding.get("value", ""))
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(_blank_id(value))
    language = binding.get("xml:lang")
    if language:
        return ox.Literal(value, language=str(language))
    datatype = binding.get("datatype")
    if not datatype or datatype == _XSD_STRING:
        return ox.Literal(value)
    return _canonical_literal(value, str(datatype))


def _blank_id(value: str) -> str:
    """Virtuoso writes blank nodes as ``nodeID://b10000`` in JSON and ``_:b10000`` in
    N-Triples; both become the blank node ``b10000``."""
    ident = value.removeprefix("nodeID://").removeprefix("_:")
    return re.sub(r"[^A-Za-z0-9_]", "_", ident) or "b"


def _canonical(term: Term) -> Term:
    if isinstance(term, ox.Literal) and not term.language:
        dt = term.datatype.value
        if dt != _XSD_STRING:
            return _canonical_literal(term.value, dt)
    return term


@lru_cache(maxsize=65_536)
def _canonical_literal(value: str, datatype: str) -> ox.Literal:
    """A typed literal in the form pyoxigraph stores it (``"042"^^xsd:int`` is read back as
    ``"42"^^xsd:integer``, ``"1500.0"^^xsd:double`` as ``"1500"``): the value goes through an
    in-memory pyoxigraph store, so the two backends agree by construction. Virtuoso's own
    spellings (``"1"^^xsd:boolean`` for true in JSON) are read first."""
    if datatype == XSD + "boolean" and value in ("1", "0"):
        value = "true" if value == "1" else "false"
    literal = ox.Literal(value, datatype=ox.NamedNode(datatype))
    scratch = ox.Store()
    subject = ox.NamedNode("urn:x-rightsgraph:canonical")
    scratch.add(ox.Quad(subject, subject, literal))
    for quad in scratch:
        obj = quad.object
        if isinstance(obj, ox.Literal):
            return obj
    return literal


# -- SPARQL text -----------------------------------------------------------------------------
_EXTENSION = re.compile(r"(?i)^(bif|sql):")


def _check_extensions(sparql: str) -> None:
    """Refuse Virtuoso's extensions (``DEFINE`` pragmas, ``bif:``/``sql:`` functions): a user's
    query must be standard SPARQL, as on the embedded store, and may not reach Virtuoso's SQL."""
    for kind, value, _, _, _ in _top_level(sparql):
        if kind == "word" and (value.upper() == "DEFINE" or _EXTENSION.match(value)):
            raise QuerySyntaxError(f"the query does not parse: {value!r} is not SPARQL 1.1")
        if kind == "iri" and _EXTENSION.match(value[1:]):
            raise QuerySyntaxError(f"the query does not parse: {value} is not allowed")


def _check_query(sparql: str) -> None:
    """Parse the query with pyoxigraph (not evaluated), so that both backends accept the same
    language and report the same syntax errors. Raises ``QuerySyntaxError``."""
    _check_extensions(sparql)
    try:
        ox.Store().query(sparql)
    except SyntaxError as exc:
        raise QuerySyntaxError(f"the query does not parse: {exc}") from None
    except (RuntimeError, OSError):
        pass  # parsed; evaluation on an empty store is not what we asked for


def _check_update(sparql: str) -> None:
    """Parse the update with pyoxigraph on an empty in-memory store (a ``LOAD`` or ``SERVICE``
    is left to the engine: running it here would fetch data). Raises ``QuerySyntaxError``."""
    _check_extensions(sparql)
    words = {v.upper() for k, v, _, _, _ in _top_level(sparql) if k == "word"}
    if words & {"LOAD", "SERVICE"}:
        return
    try:
        ox.Store().update(sparql)
    except SyntaxError as exc:
        raise QuerySyntaxError(f"the update does not parse: {exc}") from None
    except (RuntimeError, OSError):
        pass


def _operations(sparql: str) -> list[str]:
    """The operations of an update request (split at top-level ``;``)."""
    out: list[str] = []
    start = 0
    for kind, value, begin, end, depth in _top_level(sparql):
        if kind == "other" and value == ";" and depth == 0:
            out.append(sparql[start:begin])
            start = end
    out.append(sparql[start:])
    return [op for op in out if op.strip()]


def _split_prologue(operation: str) -> tuple[list[str], str]:
    """(``PREFIX``/``BASE`` declarations, the rest) of one operation."""
    declarations: list[str] = []
    tokens = list(_top_level(operation))
    i = 0
    while i < len(tokens):
        kind, value, start, _, _ = tokens[i]
        word = value.upper() if kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(tokens):
            declarations.append(operation[start : tokens[i + 2][3]])
            i += 3
        elif word == "BASE" and i + 1 < len(tokens):
            declarations.append(operation[start : tokens[i + 1][3]])
            i += 2
        else:
            return declarations, operation[start:]
    return declarations, ""


def _graph_iri(tokens: Sequence[tuple[str, str]]) -> str | None:
    """The IRI of ``GRAPH <g>`` (or ``<g>``) at the start of ``tokens``."""
    items = list(tokens)
    if items and items[0][0] == "word" and items[0][1].upper() == "GRAPH":
        items = items[1:]
    if items and items[0][0] == "iri":
        return items[0][1][1:-1]
    return None


def _has_blank_node(tokens: Sequence[tuple[str, str]]) -> bool:
    return any(
        (k == "word" and v.startswith("_:")) or (k == "other" and v == "[") for k, v in tokens
    )


def _default_templates(operation: str) -> str:
    """A DELETE/INSERT operation with the triples of its templates that are outside ``GRAPH``
    (the default graph's) written in ``GRAPH <DEFAULT_GRAPH> { ... }``."""
    tokens = list(_top_level(operation))
    edits: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tokens) - 1:
        kind, value, _, _, depth = tokens[i]
        opens = tokens[i + 1][:2] == ("brace", "{")
        if not (depth == 0 and kind == "word" and value.upper() in ("DELETE", "INSERT") and opens):
            i += 1
            continue
        segment = tokens[i + 1][3]
        spans: list[tuple[int, int]] = []
        j = i + 2
        while j < len(tokens) and not (tokens[j][:2] == ("brace", "}") and tokens[j][4] == 0):
            if tokens[j][0] == "word" and tokens[j][1].upper() == "GRAPH" and tokens[j][4] == 1:
                spans.append((segment, tokens[j][2]))
                k = j + 3
                while k < len(tokens) and not (
                    tokens[k][:2] == ("brace", "}") and tokens[k][4] == 1
                ):
                    k += 1
                segment = tokens[k][3] if k < len(tokens) else len(operation)
                j = k + 1
                continue
            j += 1
        end = tokens[j][2] if j < len(tokens) else len(operation)
        spans.append((segment, end))
        for start, stop in spans:
            text = operation[start:stop]
            if text.strip(" \t\r\n."):
                edits.append((start, stop, f" GRAPH <{DEFAULT_GRAPH}> {{ {text} }} "))
        i = j + 1
    for start, stop, replacement in sorted(edits, reverse=True):
        operation = operation[:start] + replacement + operation[stop:]
    return operation


def _insert_operations(quads: Sequence[ox.Quad]) -> list[str]:
    """INSERT DATA operations for quads, ``_CHUNK`` at a time. Quads with blank nodes go in
    ``INSERT {...} WHERE {}`` templates (Virtuoso refuses them in INSERT DATA), all quads that
    share a blank node in the same template, so that it stays one node. The default graph is
    ``DEFAULT_GRAPH``."""
    plain = [q for q in quads if not _blank(q)]
    ops = []
    it = iter(plain)
    while chunk := list(islice(it, _CHUNK)):
        ops.append("INSERT DATA {\n" + _quads_block(chunk) + "\n}")
    batch: list[ox.Quad] = []
    for component in _blank_components([q for q in quads if _blank(q)]):
        if batch and len(batch) + len(component) > _CHUNK:
            ops.append("INSERT {\n" + _quads_block(batch) + "\n} WHERE {}")
            batch = []
        batch.extend(component)
    if batch:
        ops.append("INSERT {\n" + _quads_block(batch) + "\n} WHERE {}")
    return ops


def _blank_components(quads: Sequence[ox.Quad]) -> list[list[ox.Quad]]:
    """Quads grouped so that quads sharing a blank node are in the same group."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def key(quad: ox.Quad) -> str:
        nodes = [t.value for t in (quad.subject, quad.object) if isinstance(t, ox.BlankNode)]
        for other in nodes[1:]:
            parent[find(other)] = find(nodes[0])
        return nodes[0]

    keys = [key(q) for q in quads]
    groups: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad, node in zip(quads, keys, strict=True):
        groups[find(node)].append(quad)
    return list(groups.values())


def _quads_block(quads: Iterable[ox.Quad]) -> str:
    by_graph: dict[str, list[str]] = defaultdict(list)
    for q in quads:
        g = q.graph_name
        name = g.value if isinstance(g, ox.NamedNode) else DEFAULT_GRAPH
        by_graph[name].append(f"{q.subject} {q.predicate} {q.object} .")
    return "\n".join(
        f"GRAPH <{name}> {{\n" + "\n".join(lines) + "\n}" for name, lines in by_graph.items()
    )


def drop_dataset_clauses(sparql: str) -> str:
    """The query without its ``FROM`` and ``FROM NAMED`` clauses.

    A dataset given with the protocol (``default-graph-uri``, ``named-graph-uri``) replaces the
    one the query names (SPARQL 1.1 Protocol §2.1.4; pyoxigraph does so), but Virtuoso 7.2.5
    lets the query's ``FROM`` win: with both, the query's clauses are removed before it is sent.
    """
    tokens = list(_top_level(sparql))
    edits: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        kind, value, start, _, depth = tokens[i]
        # outside every group (where no other FROM can be: sub-SELECTs have no dataset clause)
        if depth == 0 and kind == "word" and value.upper() == "FROM":
            j = i + 1
            if j < len(tokens) and tokens[j][0] == "word" and tokens[j][1].upper() == "NAMED":
                j += 1
            if j < len(tokens) and tokens[j][0] in ("iri", "word"):
                edits.append((start, tokens[j][3]))
                i = j + 1
                continue
        i += 1
    for start, end in reversed(edits):
        sparql = sparql[:start] + " " + sparql[end:]
    return sparql


def _lists_graphs(sparql: str) -> bool:
    """Whether the query has a ``GRAPH ?g {}`` pattern (see :func:`guard_graph_patterns`)."""
    tokens = list(_top_level(sparql))
    return any(
        a[0] == "word"
        and a[1].upper() == "GRAPH"
        and b[0] == "var"
        and c[:2] == ("brace", "{")
        and d[:2] == ("brace", "}")
        for a, b, c, d in zip(tokens, tokens[1:], tokens[2:], tokens[3:], strict=False)
    )


def guard_graph_patterns(sparql: str, empty_graphs: Sequence[str] = ()) -> str:
    """``GRAPH ?g`` patterns as the embedded store answers them.

    A ``FILTER(?g != <DEFAULT_GRAPH>)`` after each keeps the store's default graph (a named
    graph on Virtuoso) out of ``?g``; it also stops Virtuoso from answering
    ``SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }`` from its list of graphs, which skips
    graph-level security and would name the private graphs. ``GRAPH ?g {}``, which Virtuoso
    answers with one unbound row, becomes a sub-SELECT of the graphs that hold a triple, joined
    by ``UNION`` with a sub-SELECT of ``VALUES`` of ``empty_graphs`` (the graphs that exist
    without a triple, which the quads do not show: :meth:`RemoteStore._empty_graphs`).
    """
    tokens = list(_top_level(sparql))
    edits: list[tuple[int, int, str]] = []
    for i, (kind, value, _, _, _) in enumerate(tokens[:-2]):
        if kind != "word" or value.upper() != "GRAPH":
            continue
        var, brace = tokens[i + 1], tokens[i + 2]
        if var[0] != "var" or brace[:2] != ("brace", "{"):
            continue
        depth = brace[4]
        close = next(
            (t for t in tokens[i + 3 :] if t[:2] == ("brace", "}") and t[4] == depth), None
        )
        if close is None:
            continue
        name = var[1]
        guard = f" FILTER({name} != <{DEFAULT_GRAPH}>) "
        if close[2] == tokens[i + 3][2]:  # nothing between the braces
            graphs = (
                f"{{ SELECT DISTINCT {name} WHERE {{ GRAPH {name} {{ ?rightsgraph_s "
                f"?rightsgraph_p ?rightsgraph_o }} {guard} }} }}"
            )
            if empty_graphs:
                listed = " ".join(f"<{g}>" for g in empty_graphs)
                # the VALUES block in a sub-SELECT of its own: a bare VALUES (or a sub-SELECT
                # before it) in a UNION with the sub-SELECT above makes Virtuoso answer nothing
                empty = f"{{ SELECT {name} WHERE {{ VALUES {name} {{ {listed} }} }} }}"
                graphs = f"{{ {graphs} UNION {empty} }}"
            edits.append((tokens[i][2], close[3], graphs))
        else:
            edits.append((close[3], close[3], guard))
    for start, end, replacement in sorted(edits, reverse=True):
        sparql = sparql[:start] + replacement + sparql[end:]
    return sparql


def bind_values(sparql: str, substitutions: Mapping[str, Term]) -> str:
    """The query with its parameters bound as pyoxigraph's ``substitutions`` bind them.

    Inside the WHERE pattern (outside sub-SELECTs) each parameter variable is replaced by its
    term, and a ``VALUES`` block at the start of the pattern binds the variable for the
    projection, ``GROUP BY``, ``ORDER BY`` and the template of a CONSTRUCT. Where the query
    has no pattern (``DESCRIBE <x>``) a trailing ``VALUES`` block is used.

    Raises ``InputError`` for a blank node or a triple as a value (they cannot be written in a
    query).
    """
    terms: dict[str, str] = {}
    for name, term in substitutions.items():
        if not isinstance(term, ox.NamedNode | ox.Literal):
            raise InputError(f"?{name.lstrip('?$')}: only IRIs and literals can be bound")
        terms[name.lstrip("?$")] = str(term)
    if not terms:
        return sparql
    values = (
        "VALUES (" + " ".join(f"?{n}" for n in terms) + ") { (" + " ".join(terms.values()) + ") }"
    )
    tokens = list(_top_level(sparql))
    open_at: int | None = None
    where_seen = False
    form: str | None = None
    for kind, value, _, end, depth in tokens:
        if depth != 0:
            continue
        word = value.upper() if kind == "word" else ""
        if form is None and word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            form = word
        elif word == "WHERE":
            where_seen = True
        elif (
            kind == "brace"
            and value == "{"
            and form is not None
            and (where_seen or form in ("SELECT", "ASK", "DESCRIBE"))
        ):
            open_at = end
            break
    if open_at is None:
        return f"{sparql}\n{values}"
    edits: list[tuple[int, int, str]] = []
    skip_until: int | None = None  # depth at which a sub-SELECT's group closes
    previous = ""
    in_values_header = False
    for kind, value, start, end, depth in tokens:
        if start < open_at:
            continue
        if kind == "brace":
            if value == "}" and depth == 0:
                break
            if value == "}" and skip_until is not None and depth == skip_until:
                skip_until = None
            in_values_header = False
            previous = value
            continue
        word = value.upper() if kind == "word" else ""
        if skip_until is None and word == "SELECT":
            skip_until = depth - 1
        if word == "VALUES":
            in_values_header = True
        if (
            kind == "var"
            and skip_until is None
            and value[1:] in terms
            and previous != "AS"
            and not in_values_header
        ):
            edits.append((start, end, terms[value[1:]]))
        previous = word or value
    text = sparql
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text[:open_at] + f" {values} " + text[open_at:]
