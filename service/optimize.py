"""Query rewriting for speed: ``FILTER NOT EXISTS { P }`` becomes ``MINUS { P }`` where provably
equal.

Why. pyoxigraph evaluates ``FILTER NOT EXISTS`` by re-running its pattern once per solution of the
group, while ``MINUS`` evaluates the pattern once and anti-joins: on the campaign graph at 10,000
territories the "regional gaps" query takes seconds one way and tens of milliseconds the other
(``../shared/REFERENCE.md``). Users (and pages) write the ``FILTER NOT EXISTS`` form; the engine
calls :func:`optimize` on every query text so that they need not know.

When the two forms are equal (SPARQL 1.1, §8.3 and §18.2.2.6). For a group ``G`` and a solution
``μ`` of ``G``, ``FILTER NOT EXISTS { P }`` keeps ``μ`` when ``P`` with ``μ``'s values substituted
has no solution; ``MINUS { P }`` keeps ``μ`` when no solution of ``P`` is compatible with ``μ`` on
a shared, non-empty domain. They agree when every variable of ``P`` that ``μ`` may bind is bound in
every ``μ`` (then "compatible on the shared variables" is "a solution of ``P`` with those values"),
when at least one is shared (else ``MINUS`` removes nothing while ``NOT EXISTS`` removes all or
nothing), and when nothing else can bind the other variables of ``P``. A ``FILTER`` applies to the
whole group and ``MINUS`` to what precedes it, and both only drop solutions one by one, so the
``MINUS`` goes last in the group. The conditions checked, any failing one leaving the text as it is:

- the text is a query (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``; no update), it tokenizes
  without doubt (strings in the four quote forms, IRIs, prefixed names, comments, ``?``/``$``
  variables; a ``<`` that could be an IRI or a comparison, a ``\\u`` escape, an unbalanced bracket:
  refused) and its groups follow the grammar this module reads;
- the ``FILTER NOT EXISTS`` (or ``FILTER (NOT EXISTS { P })``) is an element of a group pattern
  (of the ``WHERE`` clause, a nested group, a ``UNION`` branch, ``OPTIONAL``, ``MINUS``, ``GRAPH``
  or a sub-``SELECT``); never inside an expression (an ``EXISTS`` within ``EXISTS``, whose
  variables are substituted from outside) nor inside ``SERVICE`` (sent to another engine as is);
- ``P`` holds only triple patterns and ``FILTER`` s over variables of its own triple patterns: no
  ``EXISTS``, ``OPTIONAL``, ``MINUS``, ``UNION``, ``GRAPH``, ``SERVICE``, ``BIND``, ``VALUES``,
  sub-query or nested group. Property paths are allowed but not ``*``, ``+`` or ``?``: a
  zero-length path matches any node, which a substituted value need not be, and Virtuoso 7.2
  drops the matches of a transitive path inside ``MINUS`` (docs/decisions/0006), so the rewrite
  would not be the same query on the remote backend;
- the shared variables (those of ``P`` found anywhere in ``G`` outside its filters) are not none,
  at least one of them is not a named-question parameter (``?_name``, which a backend may replace
  by a constant: then nothing would be shared), each occurs in a triple pattern of ``P`` and in a
  triple pattern at the top level of ``G`` (so every solution of ``G`` binds it: not only in an
  ``OPTIONAL``, a ``UNION``, a nested group, ``BIND``, ``VALUES``, ``GRAPH``, ``SERVICE``, a
  sub-query or a filter);
- every other variable (and blank-node label) of ``P`` occurs nowhere else in the ``WHERE``
  clause nor in a trailing ``VALUES`` block, except in other ``FILTER NOT EXISTS`` of the same
  group (it may occur in the projection, ``GROUP BY``, ``ORDER BY`` and the like, which never
  bind a variable of the pattern).

Backends' parameter binding keeps this true: pyoxigraph's ``substitutions`` and the remote store's
``bind_values`` (store/remote.py) both bind a parameter as a constant throughout the pattern,
``MINUS`` included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["optimize"]

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (
    f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"

_TOKEN = re.compile(
    # Whitespace and comments are skipped before each token; then the first alternative that
    # matches wins (a prefixed name before a bare word, a number before a '.').
    r"(?:[ \t\r\n]+|\#[^\r\n]*)*(?:"
    + "|".join(
        [
            f"(?P<var>[?$]{_VARNAME})",
            f"(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
            f"(?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
            r"(?P<word>[A-Za-z][A-Za-z0-9_]*)",
            r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
            r'(?P<str>"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
            r"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
            r'|"(?:[^"\\\r\n]|\\.)*"'
            r"|'(?:[^'\\\r\n]|\\.)*')",
            r"(?P<num>[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+"
            r"|[0-9]*\.[0-9]+|[0-9]+)",
            r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\].,;|/^!*+?=<>-])",
            r"(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
            r"(?P<end>\Z)",
            r"(?P<bad>.)",
        ]
    )
    + ")",
    re.DOTALL,
)
_OPEN = {"{": "}", "(": ")", "[": "]"}
_CLOSE = {"}", ")", "]"}
_COMPARISONS = frozenset({"<", ">", "<=", ">="})
#: Tokens after which a ``<`` inside an expression is a comparison, not an IRI.
_OPERAND_KINDS = frozenset({"var", "str", "num", "iri", "pname", "bnode", "lang"})
_OPERAND_KEYS = frozenset({")", "]", "TRUE", "FALSE"})
_QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
_TERM_KINDS = frozenset({"var", "iri", "pname", "bnode", "str", "num"})
_ELEMENT_WORDS = frozenset(
    {"OPTIONAL", "MINUS", "GRAPH", "SERVICE", "FILTER", "BIND", "VALUES", "UNION"}
)
#: Padding after the last token, so that looking a few tokens ahead needs no bounds check.
_PAD = 4


class _Refused(Exception):
    """The text is left as it is: it is not read with certainty, or the rewrite is not proven."""


@dataclass
class _Lexed:
    """The significant tokens, as parallel lists (the first three padded with ``_PAD`` empty
    entries, ``partner`` with -1)."""

    kinds: list[str]
    #: the text, upper-cased for words (keywords are case-insensitive).
    keys: list[str]
    texts: list[str]
    starts: list[int]
    ends: list[int]
    #: for each bracket, the index of its partner (-1 elsewhere).
    partner: list[int]
    count: int


def _tokens(text: str) -> _Lexed:
    """The significant tokens of ``text`` and the pairing of its brackets.

    Raises ``_Refused`` for a character no token starts with, an unbalanced bracket, or a ``<``
    whose reading (IRI or comparison) depends on context this module does not track.
    """
    kinds: list[str] = []
    keys: list[str] = []
    texts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "bad"
        if kind == "end":
            break
        if kind == "bad":
            raise _Refused(f"unexpected character {m.group(kind)!r}")
        value = m.group(kind)
        kinds.append(kind)
        texts.append(value)
        keys.append(value.upper() if kind == "word" else value)
        starts.append(m.start(kind))
        ends.append(m.end())
    n = len(kinds)
    partner = [-1] * (n + _PAD)
    stack: list[tuple[int, bool]] = []  # (token index, in a VALUES data block)
    values_pending = False
    for i in range(n):
        kind, key = kinds[i], keys[i]
        if kind == "word":
            if key == "VALUES":
                values_pending = True
        elif kind == "punct":
            if key in _OPEN:
                data = (bool(stack) and stack[-1][1]) or values_pending
                if key == "{":
                    values_pending = False
                stack.append((i, data))
            elif key in _CLOSE:
                if not stack or _OPEN[keys[stack[-1][0]]] != key:
                    raise _Refused("unbalanced brackets")
                j, _ = stack.pop()
                partner[i], partner[j] = j, i
            elif key in _COMPARISONS and (not stack or keys[stack[-1][0]] != "(" or stack[-1][1]):
                raise _Refused(f"{key!r} outside an expression")
        elif (
            kind == "iri"
            and i
            and stack
            and keys[stack[-1][0]] == "("
            and not stack[-1][1]
            and (kinds[i - 1] in _OPERAND_KINDS or keys[i - 1] in _OPERAND_KEYS)
        ):
            raise _Refused("'<' may be a comparison or an IRI here")
    if stack:
        raise _Refused("unbalanced brackets")
    pad = [""] * _PAD
    return _Lexed(kinds + pad, keys + pad, texts + pad, starts, ends, partner, n)


@dataclass
class _Element:
    """One element of a group pattern, tokens ``start``..``end`` inclusive."""

    kind: str
    start: int
    end: int
    #: a ``.`` token that follows the element (belongs to it), or -1.
    dot: int = -1
    #: ``fne``: the ``{`` and ``}`` of its pattern.
    body: tuple[int, int] = (-1, -1)
    #: ``triples``: the variables it binds in every solution (subjects, predicates and objects
    #: outside blank-node property lists and collections); whether it ended with a ``.``.
    bound: set[str] = field(default_factory=set)
    ends_with_dot: bool = False


@dataclass
class _Group:
    open: int
    close: int
    elements: list[_Element]


class _Reader:
    """A reader of the query's structure, just deep enough to prove a rewrite."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lexed = lexed = _tokens(text)
        self.kinds, self.keys, self.texts = lexed.kinds, lexed.keys, lexed.texts
        self.partner = lexed.partner
        self.groups: list[_Group] = []  # every group where a candidate may be rewritten
        self.where: tuple[int, int] = (-1, -1)
        self.trailing: tuple[int, int] = (-1, -1)

    # -- helpers -----------------------------------------------------------------------------
    def key(self, i: int) -> str:
        return self.keys[i]

    def kind(self, i: int) -> str:
        return self.kinds[i]

    def expect(self, i: int, key: str) -> int:
        if self.key(i) != key:
            raise _Refused(f"expected {key!r}")
        return i

    # -- the query ---------------------------------------------------------------------------
    def read(self) -> None:
        i = 0
        while self.key(i) in ("BASE", "PREFIX"):
            if self.key(i) == "BASE":
                if self.kind(i + 1) != "iri":
                    raise _Refused("BASE")
                i += 2
            else:
                if self.kind(i + 1) != "pname" or not self.texts[i + 1].endswith(":"):
                    raise _Refused("PREFIX")
                if self.kind(i + 2) != "iri":
                    raise _Refused("PREFIX")
                i += 3
        if self.kind(i) != "word" or self.key(i) not in _QUERY_FORMS:
            raise _Refused("not a query")
        form = self.key(i)
        i += 1
        n = self.lexed.count
        if form == "CONSTRUCT" and self.key(i) == "{":
            i = self.partner[i] + 1  # the template
        while i < n and self.key(i) != "{":
            if self.key(i) == "(":
                i = self.partner[i]
            i += 1
        if i >= n:
            raise _Refused("no pattern")
        self.where = (i, self.partner[i])
        self.group(i, rewritable=True)
        i = self.partner[i] + 1
        while i < n:
            if self.kind(i) == "word" and self.key(i) == "VALUES":
                self.trailing = (i, n - 1)
                break
            if self.key(i) in ("(", "{"):
                i = self.partner[i]
            i += 1

    def subquery(self, i: int, *, rewritable: bool) -> None:
        """``{ SELECT ... }`` at token ``i``: its WHERE group is read like the query's."""
        close = self.partner[i]
        j = i + 1
        while j < close and self.key(j) != "{":
            if self.key(j) == "(":
                j = self.partner[j]
            j += 1
        if j >= close:
            raise _Refused("sub-SELECT without a pattern")
        self.group(j, rewritable=rewritable)

    # -- groups ------------------------------------------------------------------------------
    def group(self, o: int, *, rewritable: bool) -> _Group:
        """Read the group whose ``{`` is token ``o``; record it when its ``FILTER NOT EXISTS``
        may be rewritten (``rewritable``: not the pattern of an ``EXISTS``)."""
        c = self.partner[o]
        elements: list[_Element] = []
        k = o + 1
        while k < c:
            key, kind = self.key(k), self.kind(k)
            if key == ".":
                if not elements or elements[-1].kind == "triples" or elements[-1].dot >= 0:
                    raise _Refused("unexpected '.'")
                elements[-1].dot = k
                k += 1
                continue
            if key == "{":
                if self.key(k + 1) == "SELECT":
                    self.subquery(k, rewritable=rewritable)
                    elements.append(_Element("subquery", k, self.partner[k]))
                    k = self.partner[k] + 1
                    continue
                start = k
                self.group(k, rewritable=rewritable)
                k = self.partner[k] + 1
                while self.key(k) == "UNION":
                    self.expect(k + 1, "{")
                    self.group(k + 1, rewritable=rewritable)
                    k = self.partner[k + 1] + 1
                elements.append(_Element("group", start, k - 1))
                continue
            if kind == "word" and key in ("OPTIONAL", "MINUS"):
                self.expect(k + 1, "{")
                self.group(k + 1, rewritable=rewritable)
                elements.append(_Element(key.lower(), k, self.partner[k + 1]))
                k = self.partner[k + 1] + 1
                continue
            if kind == "word" and key == "GRAPH":
                if self.kind(k + 1) not in ("var", "iri", "pname"):
                    raise _Refused("GRAPH")
                self.expect(k + 2, "{")
                self.group(k + 2, rewritable=rewritable)
                elements.append(_Element("graph", k, self.partner[k + 2]))
                k = self.partner[k + 2] + 1
                continue
            if kind == "word" and key == "SERVICE":
                j = k + 2 if self.key(k + 1) == "SILENT" else k + 1
                if self.kind(j) not in ("var", "iri", "pname"):
                    raise _Refused("SERVICE")
                self.expect(j + 1, "{")
                elements.append(_Element("service", k, self.partner[j + 1]))
                k = self.partner[j + 1] + 1
                continue
            if kind == "word" and key == "FILTER":
                elements.append(self.filter(k))
                k = elements[-1].end + 1
                continue
            if kind == "word" and key == "BIND":
                self.expect(k + 1, "(")
                elements.append(_Element("bind", k, self.partner[k + 1]))
                k = self.partner[k + 1] + 1
                continue
            if kind == "word" and key == "VALUES":
                j = k + 1
                if self.key(j) == "(":
                    j = self.partner[j] + 1
                elif self.kind(j) == "var":
                    j += 1
                else:
                    raise _Refused("VALUES")
                self.expect(j, "{")
                elements.append(_Element("values", k, self.partner[j]))
                k = self.partner[j] + 1
                continue
            element = self.triples(k, c)
            elements.append(element)
            k = element.end + 1
        group = _Group(o, c, elements)
        if rewritable:
            self.groups.append(group)
        return group

    def filter(self, k: int) -> _Element:
        """``FILTER`` at token ``k``: a ``fne`` element (``NOT EXISTS``, bare or in brackets)
        or an opaque ``filter`` element."""
        j = k + 1
        if self.key(j) == "NOT" and self.key(j + 1) == "EXISTS" and self.key(j + 2) == "{":
            body = (j + 2, self.partner[j + 2])
            return _Element("fne", k, body[1], body=body)
        if (
            self.key(j) == "("
            and self.key(j + 1) == "NOT"
            and self.key(j + 2) == "EXISTS"
            and self.key(j + 3) == "{"
            and self.partner[j + 3] + 1 == self.partner[j]
        ):
            return _Element("fne", k, self.partner[j], body=(j + 3, self.partner[j + 3]))
        if self.key(j) == "(":
            return _Element("filter", k, self.partner[j])
        if self.key(j) == "EXISTS" and self.key(j + 1) == "{":
            return _Element("filter", k, self.partner[j + 1])
        if self.kind(j) in ("word", "iri", "pname") and self.key(j + 1) == "(":
            return _Element("filter", k, self.partner[j + 1])
        raise _Refused("FILTER")

    # -- triples -----------------------------------------------------------------------------
    def triples(self, k: int, c: int) -> _Element:
        """A triples block from token ``k`` (before the group's ``}`` at ``c``)."""
        element = _Element("triples", k, k)
        while True:
            k, subject = self.term(k)
            k = self.property_list(k, subject, element, required=subject is not None)
            if self.key(k) == ".":
                element.end = k
                if k + 1 < c and self.starts_term(k + 1):
                    k += 1
                    continue
                element.ends_with_dot = True
                return element
            element.end = k - 1
            if k < c and self.starts_term(k):
                raise _Refused("two triples without '.'")
            return element

    def starts_term(self, i: int) -> bool:
        kind, key = self.kind(i), self.key(i)
        if kind == "word":
            return key in ("TRUE", "FALSE")
        return kind in _TERM_KINDS or key in ("[", "(", "-", "+")

    def term(self, i: int) -> tuple[int, str | None]:
        """A term at token ``i``: the next index, and the variable if it is a plain one (``None``
        for a blank-node property list, which may stand without a property list)."""
        kind, key = self.kind(i), self.key(i)
        if kind == "var":
            return i + 1, self.texts[i][1:]
        if kind in ("iri", "pname", "bnode", "num") or (
            kind == "word" and key in ("TRUE", "FALSE")
        ):
            return i + 1, ""
        if kind == "str":
            if self.kind(i + 1) == "lang":
                return i + 2, ""
            if self.key(i + 1) == "^^":
                if self.kind(i + 2) not in ("iri", "pname"):
                    raise _Refused("datatype")
                return i + 3, ""
            return i + 1, ""
        if key in ("-", "+") and self.kind(i + 1) == "num":
            return i + 2, ""
        if key == "(":
            return self.partner[i] + 1, ""
        if key == "[":
            return self.partner[i] + 1, None if self.partner[i] != i + 1 else ""
        raise _Refused(f"unexpected token {self.texts[i]!r}")

    def property_list(
        self, k: int, subject: str | None, element: _Element, *, required: bool
    ) -> int:
        if not required and (
            self.key(k) in (".", "}", "{")
            or (self.kind(k) == "word" and self.key(k) in _ELEMENT_WORDS)
        ):
            return k
        while True:
            if subject:
                element.bound.add(subject)
            if self.kind(k) == "var":
                element.bound.add(self.texts[k][1:])
                k += 1
            elif self.kind(k) == "word" and self.texts[k] == "a":
                k += 1
            else:
                k = self.path(k)
            while True:
                k, obj = self.term(k)
                if obj:
                    element.bound.add(obj)
                if self.key(k) != ",":
                    break
                k += 1
            if self.key(k) != ";":
                return k
            while self.key(k) == ";":
                k += 1
            if self.key(k) in (".", "}", "]") or (
                self.kind(k) == "word" and self.key(k) in _ELEMENT_WORDS
            ):
                return k

    def path(self, k: int) -> int:
        """A property path from token ``k``: the index after it."""
        while True:
            if self.key(k) in ("^", "!"):
                k += 1
            if self.key(k) == "(":
                k = self.partner[k] + 1
            elif self.kind(k) in ("iri", "pname") or (
                self.kind(k) == "word" and self.texts[k] == "a"
            ):
                k += 1
            else:
                raise _Refused("property path")
            if self.key(k) in ("*", "?", "+"):
                k += 1
            if self.key(k) in ("/", "|"):
                k += 1
                continue
            return k


def _vars(reader: _Reader, lo: int, hi: int) -> list[str]:
    """The variables (``?``/``$`` taken as one) and blank-node labels of tokens ``lo``..``hi``."""
    out = []
    kinds, texts = reader.kinds, reader.texts
    for i in range(lo, hi + 1):
        if kinds[i] == "var":
            out.append(texts[i][1:])
        elif kinds[i] == "bnode":
            out.append(texts[i])
    return out


def _pattern(
    reader: _Reader, body: tuple[int, int], min_patterns: int
) -> tuple[set[str], set[str]]:
    """``P``'s variables in triple patterns and in filters. Raises ``_Refused`` when ``P`` holds
    anything but triples (no ``*``, ``+``, ``?`` path) and filters without ``EXISTS``."""
    inner = reader.group(body[0], rewritable=False)
    in_triples: set[str] = set()
    in_filters: set[str] = set()
    if not any(e.kind == "triples" for e in inner.elements):
        raise _Refused("P has no triple pattern")
    if _pattern_count(reader, inner) < min_patterns:
        # One triple pattern is one index lookup per solution on pyoxigraph, cheaper than a
        # MINUS, which evaluates its right side in full and stops pipelining: measured at
        # 1,000 territories, the pages' FILTER NOT EXISTS { ?x rg:isExample true } took 17 ms
        # as written and 151 ms as MINUS. The rewrite pays off for joins (REFERENCE.md's Q4).
        raise _Refused("P is a single triple pattern")
    for e in inner.elements:
        names = set(_vars(reader, e.start, e.end))
        if e.kind == "triples":
            if any(k in ("*", "+", "?") for k in reader.keys[e.start : e.end + 1]):
                raise _Refused("a transitive path in P")
            in_triples |= names
        elif e.kind == "filter":
            if any(k in ("EXISTS", "{") for k in reader.keys[e.start : e.end + 1]):
                raise _Refused("EXISTS inside P")
            in_filters |= names
        else:
            raise _Refused(f"{e.kind} inside P")
    return in_triples, in_filters


def _pattern_count(reader: _Reader, inner: _Group) -> int:
    """How many triple patterns ``P``'s triples blocks hold (``;``, ``,`` and inner ``.``
    separate them)."""
    count = 0
    for e in inner.elements:
        if e.kind == "triples":
            keys = reader.keys[e.start : e.end + 1]
            inner_dots = keys.count(".") - (1 if keys and keys[-1] == "." else 0)
            count += 1 + keys.count(";") + keys.count(",") + inner_dots
    return count


def _prebound(name: str) -> bool:
    """A named-question parameter (``?_name_type``), which a backend may bind as a constant."""
    return name.startswith("_")


def _eligible(reader: _Reader, group: _Group, fne: _Element, min_patterns: int) -> bool:
    try:
        in_triples, in_filters = _pattern(reader, fne.body, min_patterns)
    except _Refused:
        return False
    if not in_filters <= in_triples:
        return False
    mine = in_triples
    domain: set[str] = set()
    bound: set[str] = set()
    siblings: list[_Element] = []
    for e in group.elements:
        if e.kind in ("filter", "fne"):
            if e.kind == "fne":
                siblings.append(e)
            continue
        domain.update(_vars(reader, e.start, e.end))
        if e.kind == "triples":
            bound |= e.bound
    shared = {v for v in mine if v in domain}
    if not shared or all(_prebound(v) for v in shared):
        return False
    if not shared <= bound:  # blank-node labels are never in ``bound``
        return False
    local = mine - shared
    if local:
        counts: dict[str, int] = {}
        regions = [reader.where]
        if reader.trailing[0] >= 0:
            regions.append(reader.trailing)
        for lo, hi in regions:
            for name in _vars(reader, lo, hi):
                if name in local:
                    counts[name] = counts.get(name, 0) + 1
        for e in siblings:
            for name in _vars(reader, e.start, e.end):
                if name in local:
                    counts[name] -= 1
        if any(counts.values()):
            return False
    return True


def _rewrite(text: str, min_patterns: int) -> str:
    reader = _Reader(text)
    reader.read()
    starts, ends = reader.lexed.starts, reader.lexed.ends
    edits: list[tuple[int, int, str]] = []
    for group in reader.groups:
        chosen = [
            e
            for e in group.elements
            if e.kind == "fne" and _eligible(reader, group, e, min_patterns)
        ]
        if not chosen:
            continue
        removed = {id(e) for e in chosen}
        elements = group.elements
        previous: _Element | None = None  # the last element kept
        pending: _Element | None = None  # the first removed element since then
        for e in elements:
            if id(e) in removed:
                pending = pending or e
                end = e.dot if e.dot >= 0 else e.end
                edits.append((starts[e.start], ends[end], " "))
                continue
            if (
                pending is not None
                and previous is not None
                and previous.kind == "triples"
                and not previous.ends_with_dot
                and e.kind == "triples"
            ):
                at = starts[pending.start]
                edits.append((at, at, " ."))
            previous, pending = e, None
        blocks = "".join(f" MINUS {text[starts[e.body[0]] : ends[e.body[1]]]}" for e in chosen)
        at = starts[group.close]
        edits.append((at, at, blocks + "\n"))
    if not edits:
        return text
    out = text
    # Insertions sort after a removal ending at the same place; apply from the end.
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        out = out[:start] + replacement + out[end:]
    return out


#: The smallest ``P`` worth rewriting (see :func:`_pattern`): a join of two triple patterns.
MIN_PATTERNS = 2


@lru_cache(maxsize=1024)
def optimize(sparql: str, *, min_patterns: int = MIN_PATTERNS) -> str:
    """The query with each ``FILTER NOT EXISTS { P }`` that provably means ``MINUS { P }``
    written ``MINUS { P }``, last in the same group; any other text unchanged. Only a ``P`` of
    at least ``min_patterns`` triple patterns is rewritten: a single pattern is cheaper as it
    is (tests lower it to 1 to exercise the rewrite on small patterns).

    Never raises for its input: an update, a text it cannot read with certainty or a pattern
    whose equivalence it cannot prove is returned as given (the engine then reports whatever
    is wrong with it). Memoised by text.
    """
    upper = sparql.upper()
    if "EXISTS" not in upper or "NOT" not in upper or "\\U" in upper:
        return sparql
    try:
        return _rewrite(sparql, min_patterns)
    except _Refused:
        return sparql
    except (IndexError, RecursionError):  # a malformed text this reader walked off
        return sparql
