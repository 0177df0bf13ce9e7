"""What a query may reach beyond the store: ``SERVICE`` only to allow-listed public endpoints.

A request whose text (strings and comments aside) mentions ``SERVICE`` at all is parsed to SPARQL
algebra, and the endpoints are read from its ``SERVICE`` nodes, so that no spelling (no space
after the keyword, ``SILENT``, a prefixed name declared under another ``BASE``) can hide one.

Routing. The operator may point the public Wikidata endpoint at another server (a mirror, or the
loopback fixture of the tests: ``RIGHTSGRAPH_WIKIDATA_ENDPOINT``). Queries keep naming
``SERVICE <https://query.wikidata.org/sparql>``; :func:`route_services` rewrites that IRI, in the
endpoint position of a ``SERVICE`` clause only, to the configured one. The user's text is checked
first with the user's rules (a private or unlisted endpoint named by the user is refused); the
operator's endpoint is trusted as the target of the route, even on loopback.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from urllib.parse import urlsplit

from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate, traverse
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node, Variable

from rightsgraph.errors import RightsGraphError
from rightsgraph.parsing import RDFLIB_SPARQL

_IRI = re.compile(r"<([^<>\"{}|^`\\\x00-\x20]*)>")
_SERVICE = re.compile(r"SERVICE", re.IGNORECASE)
#: The public Wikidata Query Service, as queries name it.
WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"
#: Characters that end a bare word (keyword, prefixed name, variable) in the query text.
_WORD_END = frozenset(" \t\r\n{}()[],;<>\"'#")


class ServiceNotAllowedError(RightsGraphError):
    """A ``SERVICE`` clause names an endpoint the service may not call."""

    status = 403
    type = "service-not-allowed"


def _skeleton(text: str) -> Iterator[str]:
    """The query with string contents and comments blanked out; IRIs kept whole."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "<":
            m = _IRI.match(text, i)
            if m:
                yield m.group(0)
                i = m.end()
                continue
        if c in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < n and text[j : j + len(quote)] != quote:
                j += 2 if text[j] == "\\" else 1
            yield '""'
            i = j + len(quote)
            continue
        if c == "#":
            while i < n and text[i] not in "\r\n":
                i += 1
            continue
        yield c
        i += 1


def service_targets(query: str, *, update: bool = False) -> list[str]:
    """The endpoints a query's (or update's) ``SERVICE`` clauses name, as absolute IRIs.

    A cheap scan first: a request with no ``SERVICE`` token outside strings and comments has none.
    Otherwise the text is parsed to SPARQL algebra (rdflib), which resolves every prefixed name and
    relative IRI exactly as the grammar says (each ``PREFIX`` against the ``BASE`` in force where
    it is declared), and the ``SERVICE`` nodes are read from the algebra. Raises
    ``ServiceNotAllowedError`` for a variable endpoint, or when the text cannot be checked.
    """
    skeleton = "".join(_skeleton(query))
    if not _SERVICE.search(skeleton):
        return []
    return list(_algebra_targets(query, update))


@lru_cache(maxsize=256)
def _algebra_targets(query: str, update: bool) -> tuple[str, ...]:
    """The ``SERVICE`` endpoints of the parsed request, in algebra traversal order (cached: the
    check and the routing of one request parse it once)."""
    try:
        with RDFLIB_SPARQL:  # pyparsing is not thread-safe (rightsgraph.parsing)
            if update:
                operations = list(translateUpdate(parseUpdate(query)).algebra)
            else:
                operations = [translateQuery(parseQuery(query)).algebra]
    except Exception:  # a security boundary: whatever rdflib cannot read is not run
        raise ServiceNotAllowedError(
            "the request uses SERVICE and its endpoints could not be checked; "
            "give each SERVICE an absolute IRI"
        ) from None
    found: list[Node] = []

    def visit(node: object) -> None:
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            found.append(node.term)

    for operation in operations:
        traverse(operation, visitPre=visit)
    targets: list[str] = []
    for term in found:
        if isinstance(term, Variable):
            raise ServiceNotAllowedError(
                f"SERVICE ?{term}: an endpoint given by a variable is not allowed"
            )
        targets.append(str(term))
    return tuple(targets)


def _private_host(host: str) -> bool:
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global


def check_services(
    query: str,
    allowlist: Iterable[str],
    *,
    update: bool = False,
    trusted: Iterable[str] = (),
) -> None:
    """Refuse a request whose ``SERVICE`` endpoints are not allow-listed or are not public.

    ``trusted`` endpoints are the operator's own (the targets of :func:`route_services`): they pass
    even on loopback. Raises ``ServiceNotAllowedError`` (403).
    """
    allowed = {a.rstrip("/") for a in allowlist}
    operator = {t.rstrip("/") for t in trusted}
    for target in service_targets(query, update=update):
        if target.rstrip("/") in operator:
            continue
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or _private_host(parts.hostname or ""):
            raise ServiceNotAllowedError(
                f"SERVICE <{target}>: only public http(s) endpoints may be called"
            )
        if target.rstrip("/") not in allowed:
            raise ServiceNotAllowedError(
                f"SERVICE <{target}> is not in the allow-list ({', '.join(sorted(allowed))})"
            )


def wikidata_routes(endpoint: str | None) -> dict[str, str]:
    """The route from the public Wikidata endpoint to ``endpoint`` (none when it is unset or is
    the public one). Raises ``ValueError`` when ``endpoint`` is not an absolute http(s) URL."""
    target = (endpoint or "").strip()
    if not target or target.rstrip("/") == WIKIDATA_SPARQL:
        return {}
    parts = urlsplit(target)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or _IRI.fullmatch(f"<{target}>") is None
    ):
        raise ValueError(f"the Wikidata endpoint must be an absolute http(s) URL, not {target!r}")
    return {WIKIDATA_SPARQL: target}


def _service_slots(text: str) -> list[tuple[int, int]]:
    """Where the endpoint of each ``SERVICE`` clause is written: ``(start, end)`` of the IRI or
    prefixed name after ``SERVICE`` (and ``SILENT``), strings and comments skipped. Variables are
    left out (they are refused anyway)."""
    tokens: list[tuple[str, int, int]] = []  # (kind, start, end), whitespace and comments dropped
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif c == "#":
            while i < n and text[i] not in "\r\n":
                i += 1
        elif c == "<" and (m := _IRI.match(text, i)):
            tokens.append(("iri", i, m.end()))
            i = m.end()
        elif c in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < n and text[j : j + len(quote)] != quote:
                j += 2 if text[j] == "\\" else 1
            tokens.append(("string", i, min(n, j + len(quote))))
            i = j + len(quote)
        elif c in _WORD_END:
            tokens.append(("punct", i, i + 1))
            i += 1
        else:
            j = i
            while j < n and text[j] not in _WORD_END:
                j += 2 if text[j] == "\\" else 1
            end = min(j, n)
            while end > i + 1 and text[end - 1] == ".":  # a triple's final dot is not the name's
                end -= 1
            tokens.append(("word", i, end))
            if end < j:
                tokens.append(("punct", end, j))
            i = j
    slots: list[tuple[int, int]] = []
    for k, (kind, start, end) in enumerate(tokens):
        if kind != "word" or text[start:end].upper() != "SERVICE":
            continue
        nxt = k + 1
        if (
            nxt < len(tokens)
            and tokens[nxt][0] == "word"
            and text[tokens[nxt][1] : tokens[nxt][2]].upper() == "SILENT"
        ):
            nxt += 1
        if nxt < len(tokens):
            kind2, s2, e2 = tokens[nxt]
            if kind2 == "iri" or (kind2 == "word" and text[s2] not in "?$"):
                slots.append((s2, e2))
    return slots


def _splice(text: str, slots: list[tuple[int, int]], replacements: list[str]) -> str:
    out, last = [], 0
    for (start, end), new in zip(slots, replacements, strict=True):
        out.append(text[last:start])
        out.append(new)
        last = end
    out.append(text[last:])
    return "".join(out)


def route_services(query: str, routes: Mapping[str, str], *, update: bool = False) -> str:
    """The request with each ``SERVICE`` endpoint that is a key of ``routes`` rewritten to its
    value, in the endpoint position only (never in strings, comments, or other triples).

    The endpoint tokens are found in the text, then proved by the parser: each is replaced by a
    unique marker and the parsed ``SERVICE`` nodes must be exactly those markers; the rewritten
    request is parsed again and must name exactly the expected endpoints. Anything else raises
    ``ServiceNotAllowedError`` rather than run a request whose routing is uncertain.
    """
    if not routes:
        return query
    original = service_targets(query, update=update)
    if not any(t in routes for t in original):
        return query
    failure = ServiceNotAllowedError(
        "the request's SERVICE endpoints could not be routed safely; "
        "write each SERVICE with an absolute IRI"
    )
    slots = _service_slots(query)
    if len(slots) != len(original):
        raise failure
    markers = [f"<urn:x-rightsgraph:service-slot:{k}>" for k in range(len(slots))]
    marked = service_targets(_splice(query, slots, markers), update=update)
    if sorted(marked) != sorted(m[1:-1] for m in markers):
        raise failure
    resolved = dict(zip(marked, original, strict=True))  # same structure, same traversal order
    replacements = []
    for (start, end), marker in zip(slots, markers, strict=True):
        target = resolved[marker[1:-1]]
        replacements.append(f"<{routes[target]}>" if target in routes else query[start:end])
    routed = _splice(query, slots, replacements)
    if service_targets(routed, update=update) != [routes.get(t, t) for t in original]:
        raise failure
    return routed
