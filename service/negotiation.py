"""HTTP content negotiation by ``Accept`` (RFC 9110 §12.5.1), with q-values and wildcards.

Each offer gets the q-value of the *most specific* media range that matches it (``text/csv;q=0``
excludes CSV even if ``*/*`` is accepted); the best q wins, then the more specific match (a type
the client named beats one it only reached through a wildcard), then the server's order of offers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    """One element of an ``Accept`` header."""

    type: str
    subtype: str
    q: float

    def specificity(self, offer: str) -> int | None:
        """2 for an exact match, 1 for ``type/*``, 0 for ``*/*``, ``None`` if it does not match."""
        kind, _, sub = offer.partition("/")
        if self.type == "*":
            return 0 if self.subtype == "*" else None
        if self.type != kind:
            return None
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else None


def parse_accept(accept: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; a missing or empty header accepts anything.

    Malformed elements are skipped; a malformed ``q`` makes its element unacceptable.
    """
    if accept is None or not accept.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges = []
    for item in accept.split(","):
        media, *params = (p.strip() for p in item.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(kind, sub, q))
    return ranges


def quality(ranges: list[MediaRange], offer: str) -> tuple[float, int]:
    """The q-value the client gives ``offer`` and how specifically it named it ((0, -1): never)."""
    best: tuple[int, float] | None = None
    for r in ranges:
        spec = r.specificity(offer.lower())
        if spec is not None and (best is None or (spec, r.q) > best):
            best = (spec, r.q)
    return (0.0, -1) if best is None else (best[1], best[0])


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer the client prefers, or ``None`` when it accepts none of them (answer 406).

    Ties go to the more specific match, then to the earlier offer (the server's preference; a
    missing ``Accept`` or ``*/*`` gets the first offer).
    """
    ranges = parse_accept(accept)
    best: tuple[float, int, int] | None = None
    chosen: str | None = None
    for rank, offer in enumerate(offers):
        q, spec = quality(ranges, offer)
        if q <= 0:
            continue
        key = (q, spec, -rank)
        if best is None or key > best:
            best, chosen = key, offer
    return chosen
