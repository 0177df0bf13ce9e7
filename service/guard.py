"""What a query may reach beyond the store: ``SERVICE`` only to allow-listed public endpoints.

Nothing is rewritten. A request whose text (strings and comments aside) mentions ``SERVICE`` at
all is parsed to SPARQL algebra, and the endpoints are read from its ``SERVICE`` nodes, so that no
spelling (no space after the keyword, ``SILENT``, a prefixed name declared under another
``BASE``) can hide one.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate, traverse
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node, Variable

from rightsgraph.errors import RightsGraphError

_IRI = re.compile(r"<([^<>\"{}|^`\\\x00-\x20]*)>")
_SERVICE = re.compile(r"SERVICE", re.IGNORECASE)


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
    try:
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
    return targets


def _private_host(host: str) -> bool:
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global


def check_services(query: str, allowlist: Iterable[str], *, update: bool = False) -> None:
    """Refuse a request whose ``SERVICE`` endpoints are not allow-listed or are not public.

    Raises ``ServiceNotAllowedError`` (403).
    """
    allowed = {a.rstrip("/") for a in allowlist}
    for target in service_targets(query, update=update):
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or _private_host(parts.hostname or ""):
            raise ServiceNotAllowedError(
                f"SERVICE <{target}>: only public http(s) endpoints may be called"
            )
        if target.rstrip("/") not in allowed:
            raise ServiceNotAllowedError(
                f"SERVICE <{target}> is not in the allow-list ({', '.join(sorted(allowed))})"
            )
