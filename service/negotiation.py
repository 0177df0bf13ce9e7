"""HTTP content negotiation by ``Accept`` with q-values and wildcards."""

from __future__ import annotations


def negotiate(accept: str, offers: list[str]) -> str | None:
    """The offer with the highest q-value in ``accept`` (first offer wins ties and ``*/*``)."""
    best: tuple[float, float, str] | None = None
    for item in (accept or "*/*").split(","):
        parts = [p.strip() for p in item.split(";")]
        media, q = parts[0].lower(), 1.0
        for param in parts[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        for rank, offer in enumerate(offers):
            kind = offer.split("/")[0]
            if media in (offer, "*/*", f"{kind}/*"):
                specificity = 2 if media == offer else 0
                key = (q, specificity - rank / 100, offer)
                if best is None or key[:2] > best[:2]:
                    best = key
    return best[2] if best else None
