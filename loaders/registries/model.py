"""What a registry match is, shared by every matcher, the CLI, the review list and the benchmark.

A match never guesses: the verdict is ``match`` only when one candidate is strong enough to be
accepted without a person (``score >= AUTO_ACCEPT`` and no rival within ``MARGIN``); a homonym or
a weak candidate gives ``ambiguous`` (sent to the review list); nothing found gives ``none``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

#: Scores are in [0, 1]. At or above this a lone best candidate is accepted automatically.
AUTO_ACCEPT = 0.9
#: A rival candidate scoring within this of the best makes the answer ambiguous.
MARGIN = 0.05

Verdict = Literal["match", "ambiguous", "none"]


@dataclass(frozen=True)
class Query:
    """A name as a local government submitted it, with what it said about where it is."""

    name: str
    country: str  # ISO 3166-1 alpha-2, upper case
    subdivision: str | None = None  # ISO 3166-2 code (any level), e.g. "FR-91", "ES-CO"


@dataclass(frozen=True)
class Candidate:
    """One record of a registry that may be the queried territory.

    ``method`` says how it was found (``geonames:name``, ``geonames:alternate-name``,
    ``geonames:fuzzy``, ``iso3166-2:name``, ``wikidata:label``, ``wikidata:P1566``) and is written
    as provenance; ``matched_on`` is the registry's form of the name that matched.
    """

    source: Literal["geonames", "iso3166", "wikidata"]
    name: str
    country: str
    score: float
    method: str
    matched_on: str
    geonames_id: str | None = None
    wikidata_qid: str | None = None
    iso3166_2: str | None = None  # the most specific ISO 3166-2 code known to contain it
    latitude: float | None = None
    longitude: float | None = None
    population: int | None = None
    feature: str | None = None  # e.g. "populated place", "first-level subdivision", Wikidata class

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class MatchResult:
    """The answer for one query: a verdict and the candidates, best first."""

    query: Query
    verdict: Verdict
    candidates: tuple[Candidate, ...] = field(default=())
    reason: str = ""  # one plain sentence, e.g. "2 places named Grigny in FR; give the subdivision"

    @property
    def best(self) -> Candidate | None:
        """The accepted candidate, only when the verdict is ``match``."""
        return self.candidates[0] if self.verdict == "match" and self.candidates else None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.query.name,
            "country": self.query.country,
            "subdivision": self.query.subdivision,
            "verdict": self.verdict,
            "reason": self.reason,
            "candidates": [c.as_json() for c in self.candidates],
        }


def decide(query: Query, candidates: list[Candidate], *, reason_none: str = "") -> MatchResult:
    """The verdict for scored candidates (any order): the shared rule of every matcher."""
    ranked = tuple(sorted(candidates, key=lambda c: (-c.score, -(c.population or 0), c.name)))
    if not ranked:
        return MatchResult(
            query, "none", (), reason_none or f"no place named {query.name!r} in {query.country}"
        )
    best = ranked[0]
    rivals = [c for c in ranked[1:] if c.score >= best.score - MARGIN]
    if best.score >= AUTO_ACCEPT and not rivals:
        return MatchResult(query, "match", ranked, f"{best.method} (score {best.score:.2f})")
    if rivals:
        where = f" in {query.subdivision}" if query.subdivision else f" in {query.country}"
        return MatchResult(
            query,
            "ambiguous",
            ranked,
            f"{len(rivals) + 1} places named {query.name!r}{where}; give the subdivision or choose",
        )
    return MatchResult(
        query, "ambiguous", ranked, f"best candidate scores {best.score:.2f}, below {AUTO_ACCEPT}"
    )
