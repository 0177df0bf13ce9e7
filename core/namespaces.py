"""Namespaces: the closed ``rg:`` ontology namespace, the standard ones, the instance ones.

``RG`` is closed, in the manner of rdflib's own ``namespace/_SKOS.py``: it lists every term that
``ontology/rightsgraph.ttl`` declares, so a misspelt term (``RG.Territoryy``) raises
``AttributeError`` instead of silently minting a new IRI. ``tests/test_ontology.py`` keeps the list
and the ontology equal in both directions.

``RG`` is written with the default base (:data:`rightsgraph.iri.DEFAULT_BASE`), like every packaged
file. The instance namespaces (``rgid:``, ``rgv:``, ``rgg:``) follow the configured base instead, so
they are functions evaluated at call time, never import-time constants.

>>> RG.Territory
rdflib.term.URIRef('https://w3id.org/rightsgraph/ontology#Territory')
>>> RG.Territoryy
Traceback (most recent call last):
...
AttributeError: term 'Territoryy' not in namespace 'https://w3id.org/rightsgraph/ontology#'
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    TIME,
    VANN,
    XSD,
    DefinedNamespace,
)

from rightsgraph import iri

__all__ = [
    "DCAT",
    "DCTERMS",
    "FOAF",
    "GN",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "RG",
    "RGG",
    "RGID",
    "RGV",
    "SCHEMA",
    "SDG",
    "SH",
    "SKOS",
    "TIME",
    "VANN",
    "WD",
    "WGS",
    "XSD",
    "bind_prefixes",
    "prefixes",
]

#: The ontology namespace under the default base, as written in the packaged files.
RG_NAMESPACE = f"{iri.DEFAULT_BASE}ontology#"


class RG(DefinedNamespace):
    """RightsGraph ontology (``https://w3id.org/rightsgraph/ontology#``): every declared term.

    Generated from and tested against ``ontology/rightsgraph.ttl`` (owl:versionInfo 0.1.0).
    """

    _fail = True
    _NS = Namespace(RG_NAMESPACE)

    # owl:Class
    Agenda: URIRef  # Agenda
    Campaign: URIRef  # Campaign
    CampaignWave: URIRef  # Campaign Wave
    Charter: URIRef  # Charter
    Country: URIRef  # Country
    Declaration: URIRef  # Declaration
    Event: URIRef  # Event
    ExampleData: URIRef  # Example Dataset
    Initiative: URIRef  # Initiative
    InitiativeStatus: URIRef  # Initiative Status
    InitiativeType: URIRef  # Initiative Type
    Instrument: URIRef  # Instrument
    LinkStatus: URIRef  # Link Status
    LinkingRun: URIRef  # Linking Run
    Membership: URIRef  # Campaign Membership
    MembershipStatus: URIRef  # Membership Status
    Milestone: URIRef  # Milestone
    RegistryLink: URIRef  # Registry Link
    Report: URIRef  # Report
    Resolution: URIRef  # Resolution
    RightsCategory: URIRef  # Rights Category
    RightsHolderGroup: URIRef  # Rights-Holder Group
    Submission: URIRef  # Submission
    SubmissionGraph: URIRef  # Submission Graph
    SubmittedFile: URIRef  # Submitted File
    Territory: URIRef  # Territory
    TerritoryLevel: URIRef  # Territory Level
    Treaty: URIRef  # Treaty
    UclgRegion: URIRef  # UCLG Region

    # owl:ObjectProperty
    aboutTerritory: URIRef  # about territory
    addressesRight: URIRef  # addresses right
    adoptedAt: URIRef  # adopted at
    adoptedBy: URIRef  # adopted by
    campaign: URIRef  # campaign joined
    contactPoint: URIRef  # contact point
    contributesToSdg: URIRef  # contributes to SDG
    implementsInstrument: URIRef  # implements instrument
    inWave: URIRef  # in wave
    initiativeType: URIRef  # has initiative type
    launchedBy: URIRef  # launched by
    ledBy: URIRef  # led by
    level: URIRef  # level
    linkSubject: URIRef  # link subject
    linkTarget: URIRef  # link target
    member: URIRef  # member territory
    membershipStatus: URIRef  # has membership status
    milestone: URIRef  # has milestone
    organizer: URIRef  # organizer
    partner: URIRef  # partner
    relatedCampaign: URIRef  # related campaign
    reviewStatus: URIRef  # has review status
    status: URIRef  # status
    targetEvent: URIRef  # target event
    targetsGroup: URIRef  # targets group
    uclgRegion: URIRef  # in UCLG region
    wave: URIRef  # has wave

    # owl:DatatypeProperty
    announcedOn: URIRef  # announced on
    charterAgendaArticle: URIRef  # Charter-Agenda article
    conforms: URIRef  # conforms
    countryCode: URIRef  # country code
    entryIntoForce: URIRef  # entry into force
    geonamesId: URIRef  # GeoNames identifier
    hrcSession: URIRef  # HRC session
    isExample: URIRef  # is example
    joinedOn: URIRef  # joined on
    linkCode: URIRef  # link code
    linkSubdivision: URIRef  # link subdivision
    m49Code: URIRef  # M49 code
    m49Region: URIRef  # M49 region
    m49SubRegion: URIRef  # M49 sub-region
    matchMethod: URIRef  # match method
    matchScore: URIRef  # match score
    monitoringBody: URIRef  # monitoring body
    population: URIRef  # population
    populationYear: URIRef  # population year
    revisionNumber: URIRef  # revision number
    reviewedAt: URIRef  # reviewed at
    reviewedBy: URIRef  # reviewed by
    role: URIRef  # role in campaign
    sha256: URIRef  # SHA-256 digest
    shapesVersion: URIRef  # shapes version
    softwareVersion: URIRef  # software version
    subdivisionCode: URIRef  # subdivision code
    submittedBy: URIRef  # submitted by
    targetCount: URIRef  # target count
    targetDate: URIRef  # target date
    targetName: URIRef  # target name
    waveNumber: URIRef  # wave number
    wikidataId: URIRef  # Wikidata identifier

    # owl:AnnotationProperty
    campaignProfile: URIRef  # campaign profile
    uhriLabel: URIRef  # UHRI label


# Open namespaces the project uses besides rdflib's closed ones. rdflib's own ``WGS`` and ``SDO``
# are not used: its WGS is written with ``https://``, and schema.org has too many terms to close.
SCHEMA = Namespace("https://schema.org/")
WGS = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
SDG = Namespace("http://metadata.un.org/sdg/")
WD = Namespace("http://www.wikidata.org/entity/")
GN = Namespace("https://sws.geonames.org/")


def RGID() -> Namespace:
    """Instance namespace (``rgid:``) under the configured base, e.g. ``RGID()['org/uclg']``."""
    return Namespace(iri.entity(""))


def RGV() -> Namespace:
    """Concept-scheme namespace (``rgv:``) under the configured base."""
    return Namespace(iri.vocab(""))


def RGG() -> Namespace:
    """Named-graph namespace (``rgg:``) under the configured base."""
    return Namespace(iri.graph(""))


_STANDARD: dict[str, str] = {
    "skos": str(SKOS),
    "org": str(ORG),
    "prov": str(PROV),
    "dcat": str(DCAT),
    "dcterms": str(DCTERMS),
    "schema": str(SCHEMA),
    "wgs": str(WGS),
    "foaf": str(FOAF),
    "time": str(TIME),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
    "vann": str(VANN),
    "sdg": str(SDG),
    "wd": str(WD),
    "gn": str(GN),
}


def prefixes(base: str | None = None) -> dict[str, str]:
    """Prefix -> namespace IRI for SPARQL and serialisation, under ``base`` or the configured base.

    The project prefixes (``rg``, ``rgid``, ``rgv``, ``rgg``) come first, then the standard ones.
    """
    root = base or iri.base_iri()
    root = root if root.endswith("/") else root + "/"
    return {
        "rg": f"{root}ontology#",
        "rgid": f"{root}id/",
        "rgv": f"{root}vocab/",
        "rgg": f"{root}graph/",
        **_STANDARD,
    }


#: Prefix -> namespace IRI under the default base (the packaged files' IRIs); use :func:`prefixes`
#: when a configured base must be honoured.
PREFIXES: dict[str, str] = prefixes(iri.DEFAULT_BASE)


def bind_prefixes(graph: Graph, *, base: str | None = None) -> Graph:
    """Bind every project prefix on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, namespace in prefixes(base).items():
        graph.bind(prefix, Namespace(namespace), override=True, replace=True)
    return graph
