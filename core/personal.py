"""Personal data: the statements that are kept out of every public view of the graph.

One definition serves the write side (a submission's personal statements are stored apart, see
docs/decisions/0004) and the read side (the linked-data pages and the public dump filter them
again, for data that reached the live graphs another way).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"

#: Predicates whose statements are personal whatever their subject.
PERSONAL_PREDICATES = frozenset(
    {
        "https://schema.org/email",
        "http://schema.org/email",
        "https://schema.org/telephone",
        "http://schema.org/telephone",
        FOAF + "mbox",
        FOAF + "mbox_sha1sum",
        FOAF + "phone",
        VCARD + "hasEmail",
        VCARD + "email",
        VCARD + "hasTelephone",
        VCARD + "tel",
    }
)
#: Predicates that are personal on a contact point (the name of the person to write to).
CONTACT_PREDICATES = frozenset({"https://schema.org/name", "http://schema.org/name"})
CONTACT_POINT = "https://schema.org/ContactPoint"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def split_personal(quads: Iterable[ox.Quad]) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """``(public, personal)``: e-mails and telephones of anyone, and names of contact points.

    >>> s, g = ox.NamedNode("http://example.org/c"), ox.NamedNode("http://example.org/g")
    >>> q = [ox.Quad(s, ox.NamedNode(RDF_TYPE), ox.NamedNode(CONTACT_POINT), g),
    ...      ox.Quad(s, ox.NamedNode("https://schema.org/name"), ox.Literal("Ana"), g),
    ...      ox.Quad(s, ox.NamedNode("https://schema.org/email"), ox.Literal("a@b.c"), g)]
    >>> [len(part) for part in split_personal(q)]
    [1, 2]
    """
    items = list(quads)
    contacts = {
        q.subject
        for q in items
        if q.predicate.value == RDF_TYPE and getattr(q.object, "value", None) == CONTACT_POINT
    }
    public: list[ox.Quad] = []
    personal: list[ox.Quad] = []
    for q in items:
        p = q.predicate.value
        if p in PERSONAL_PREDICATES or (p in CONTACT_PREDICATES and q.subject in contacts):
            personal.append(q)
        else:
            public.append(q)
    return public, personal
