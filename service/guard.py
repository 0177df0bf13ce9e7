"""What a query may reach beyond the store: ``SERVICE`` only to allow-listed public endpoints.

The query text is scanned, not rewritten: strings, comments and IRIs are recognised with the
SPARQL 1.1 grammar's token rules, so a ``SERVICE`` keyword inside a literal or a comment is not
mistaken for a clause, and one hidden behind a prefixed name or a relative IRI is still found.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from urllib.parse import urljoin, urlsplit

from rightsgraph.errors import RightsGraphError

_IRI = re.compile(r"<([^<>\"{}|^`\\\x00-\x20]*)>")
_PNAME = r"(?:[A-Za-z][\w.-]*)?:[\w.%-]*"
_TARGET = re.compile(
    rf"\bSERVICE\s+(?:SILENT\s+)?(?:(<[^>]*>)|({_PNAME})|([?$]\w+))", re.IGNORECASE
)
_PREFIX = re.compile(r"\bPREFIX\s+((?:[A-Za-z][\w.-]*)?):\s*<([^>]*)>", re.IGNORECASE)
_BASE = re.compile(r"\bBASE\s+<([^>]*)>", re.IGNORECASE)


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


def service_targets(query: str) -> list[str]:
    """The endpoints a query's ``SERVICE`` clauses name, resolved to absolute IRIs.

    Raises ``ServiceNotAllowedError`` for a variable endpoint or an IRI that cannot be resolved.
    """
    skeleton = "".join(_skeleton(query))
    prefixes = {p: iri for p, iri in _PREFIX.findall(skeleton)}
    bases = _BASE.findall(skeleton)
    base = bases[-1] if bases else None
    targets: list[str] = []
    for iri_ref, pname, variable in _TARGET.findall(skeleton):
        if variable:
            raise ServiceNotAllowedError(
                f"SERVICE {variable}: an endpoint given by a variable is not allowed"
            )
        if iri_ref:
            iri = iri_ref[1:-1]
        else:
            prefix, _, local = pname.partition(":")
            if prefix not in prefixes:
                raise ServiceNotAllowedError(f"SERVICE {pname}: unknown prefix {prefix!r}")
            iri = prefixes[prefix] + local
        if not urlsplit(iri).scheme:
            if base is None:
                raise ServiceNotAllowedError(f"SERVICE <{iri}>: a relative IRI without BASE")
            iri = urljoin(base, iri)
        targets.append(iri)
    return targets


def _private_host(host: str) -> bool:
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global


def check_services(query: str, allowlist: Iterable[str]) -> None:
    """Refuse a query whose ``SERVICE`` endpoints are not allow-listed or are not public.

    Raises ``ServiceNotAllowedError`` (403).
    """
    allowed = {a.rstrip("/") for a in allowlist}
    for target in service_targets(query):
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or _private_host(parts.hostname or ""):
            raise ServiceNotAllowedError(
                f"SERVICE <{target}>: only public http(s) endpoints may be called"
            )
        if target.rstrip("/") not in allowed:
            raise ServiceNotAllowedError(
                f"SERVICE <{target}> is not in the allow-list ({', '.join(sorted(allowed))})"
            )
