"""Find vocabulary concepts from what a person types into a spreadsheet cell.

A submitter writes "Droit au logement", "housing", "GCA-X", "right to Housing and domicile" or the
concept's IRI; all of them must land on ``rgv:rights/housing``. The index is built once per process
(and per base IRI) from the packaged concept schemes, over every ``skos:prefLabel``,
``skos:altLabel`` (and its sub-properties), ``skos:hiddenLabel``, ``skos:notation`` and, for
instruments, ``dcterms:identifier`` (the document symbol), in every language the vocabularies
have. Matching ignores case, accents and punctuation. When nothing matches, the nearest labels
(``difflib`` over the normalised keys) are offered in the submitter's language.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDFS, SKOS

from rightsgraph import iri, packaged

#: The schemes a submission names terms of, by the template column that uses them.
SCHEME_OF_COLUMN: dict[str, str] = {
    "rights_categories": "rights",
    "rights_holder_groups": "groups",
    "instruments": "instruments",
}

# Priority of a key: a preferred label or code beats an alternative label when both match.
_PRIMARY = 0
_ALTERNATIVE = 1

_APOSTROPHES = re.compile(r"['’ʼ`´]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise(text: str, *, apostrophe: str = "") -> str:
    """Case-, accent- and punctuation-insensitive form of a label.

    Apostrophes are dropped ("women's" = "womens"), or replaced by ``apostrophe``.

    >>> normalise("  Droit à l’Eau potable, et à l'alimentation! ")
    'droit a leau potable et a lalimentation'
    >>> normalise("Droit à l’eau", apostrophe=" ")
    'droit a l eau'
    >>> normalise("A/HRC/RES/45/7")
    'a hrc res 45 7'
    """
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    folded = _APOSTROPHES.sub(apostrophe, folded)
    return _NON_ALNUM.sub(" ", folded).strip()


def _forms(text: str) -> set[str]:
    """The two keys of a text: apostrophes dropped and apostrophes as spaces."""
    return {k for k in (normalise(text), normalise(text, apostrophe=" ")) if k}


def _word_in(word: str, words: list[str]) -> bool:
    """Whether ``word`` is one of ``words``, allowing a typo in words of four letters or more."""
    return any(
        word == w or (len(word) >= 4 and difflib.SequenceMatcher(None, word, w).ratio() >= 0.8)
        for w in words
    )


@dataclass(frozen=True)
class Resolution:
    """What a typed value resolved to.

    ``concept`` is the concept to use (``None`` when unknown or ambiguous); ``candidates`` lists
    the concepts an ambiguous value matches; ``deprecated`` is the deprecated concept the value
    named, when it was replaced by ``concept`` (or had no replacement, ``concept`` then ``None``).
    """

    concept: URIRef | None
    candidates: tuple[URIRef, ...] = ()
    deprecated: URIRef | None = None


class TermIndex:
    """Every way to name the concepts of one scheme, normalised."""

    def __init__(self, graph: Graph, scheme: URIRef) -> None:
        self.scheme = scheme
        concepts = set(graph.subjects(SKOS.inScheme, scheme))
        concepts |= set(graph.subjects(SKOS.topConceptOf, scheme))
        self.concepts: frozenset[URIRef] = frozenset(c for c in concepts if isinstance(c, URIRef))
        self._keys: dict[str, dict[int, set[URIRef]]] = {}
        self._labels: dict[URIRef, dict[str, str]] = {}
        self._codes: dict[URIRef, list[str]] = {}
        self._replacement: dict[URIRef, URIRef | None] = {}
        alt_properties = {SKOS.altLabel, SKOS.hiddenLabel, URIRef(iri.ontology("uhriLabel"))}
        alt_properties |= {
            p for p in graph.subjects(RDFS.subPropertyOf, SKOS.altLabel)
            if isinstance(p, URIRef)
        }
        for concept in self.concepts:
            self._add(str(concept), concept, _PRIMARY)
            local = str(concept)[len(str(scheme)) + 1 :] if str(concept).startswith(
                str(scheme) + "/") else ""
            if local:
                self._add(local, concept, _PRIMARY)
            labels: dict[str, str] = {}
            for label in graph.objects(concept, SKOS.prefLabel):
                if isinstance(label, Literal):
                    labels.setdefault(label.language or "", str(label))
                    self._add(str(label), concept, _PRIMARY)
            self._labels[concept] = labels
            codes = sorted(
                (str(n) for n in graph.objects(concept, SKOS.notation)),
                key=lambda n: (n != local, n),
            )
            self._codes[concept] = codes
            for code in codes:
                self._add(code, concept, _PRIMARY)
            for symbol in graph.objects(concept, DCTERMS.identifier):
                self._add(str(symbol), concept, _PRIMARY)
            for prop in alt_properties:
                for label in graph.objects(concept, prop):
                    self._add(str(label), concept, _ALTERNATIVE)
            if any(v.toPython() is True for v in graph.objects(concept, OWL.deprecated)
                   if isinstance(v, Literal)):
                replacement = next(
                    (r for r in graph.objects(concept, DCTERMS.isReplacedBy)
                     if isinstance(r, URIRef)),
                    None,
                )
                self._replacement[concept] = replacement

    def _add(self, text: str, concept: URIRef, priority: int) -> None:
        for key in _forms(text):
            self._keys.setdefault(key, {}).setdefault(priority, set()).add(concept)

    def __contains__(self, concept: object) -> bool:
        return concept in self.concepts

    def resolve(self, text: str) -> Resolution:
        """The concept that ``text`` names; see :class:`Resolution`."""
        found: dict[int, set[URIRef]] = {}
        for key in _forms(text):
            for priority, concepts in self._keys.get(key, {}).items():
                found.setdefault(priority, set()).update(concepts)
        if not found:
            return Resolution(concept=None)
        matches = found[min(found)]
        if len(matches) > 1:
            return Resolution(concept=None, candidates=tuple(sorted(matches)))
        (concept,) = matches
        if concept in self._replacement:
            return Resolution(concept=self._replacement[concept], deprecated=concept)
        return Resolution(concept=concept)

    def suggest(self, text: str, *, n: int = 3) -> list[URIRef]:
        """Up to ``n`` concepts whose names are closest to ``text``, the nearest first.

        A key scores by ``difflib``'s similarity of the whole text, raised when the words of
        ``text`` (misspelt or not) are words of the key, so that "housing rights" still offers
        "Right to housing and domicile" and "vivienda" "Derecho a la vivienda y al domicilio".
        """
        key = normalise(text)
        if not key:
            return []
        words = [w for w in key.split() if len(w) > 2]
        scored: list[tuple[float, str]] = []
        for candidate in self._keys:
            ratio = difflib.SequenceMatcher(None, key, candidate).ratio()
            score = ratio
            if words:
                hits = sum(1 for w in words if _word_in(w, candidate.split()))
                score = max(ratio, 0.5 * ratio + 0.5 * hits / len(words))
            if score >= 0.6:
                scored.append((score, candidate))
        out: list[URIRef] = []
        for _score, candidate in sorted(scored, key=lambda s: (-s[0], s[1])):
            for priority in sorted(self._keys[candidate]):
                for concept in sorted(self._keys[candidate][priority]):
                    if concept not in out and concept not in self._replacement:
                        out.append(concept)
            if len(out) >= n:
                break
        return out[:n]

    def label(self, concept: URIRef, lang: str) -> str:
        """The preferred label in ``lang``, else English, else any."""
        labels = self._labels.get(concept, {})
        return labels.get(lang) or labels.get("en") or next(iter(labels.values()), str(concept))

    def code(self, concept: URIRef) -> str:
        """The concept's code (its first notation, or the last segment of its IRI)."""
        codes = self._codes.get(concept)
        return codes[0] if codes else str(concept).rsplit("/", 1)[-1]

    def describe(self, concept: URIRef, lang: str) -> str:
        """``'Right to housing and domicile' (housing)`` for messages."""
        return f"'{self.label(concept, lang)}' ({self.code(concept)})"


def scheme_iri(scheme: str) -> URIRef:
    return URIRef(iri.vocab(scheme))


@lru_cache(maxsize=16)
def _index(scheme: str, base: str) -> TermIndex:
    return TermIndex(packaged.vocab_graph(base), URIRef(iri.vocab(scheme)))


def term_index(scheme: str) -> TermIndex:
    """The index of a packaged scheme (``rights``, ``groups``, ``instruments``...), built once
    per process and base IRI."""
    return _index(scheme, iri.base_iri())
