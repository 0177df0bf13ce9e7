"""Quality checks of the SKOS concept schemes (``ontology/vocab/*.ttl``) and of the country build.

Why: the schemes are what submitters' CSV values are resolved against, so every concept must be
labelled and defined in en/fr/es, notations must be unique, and a typed label must resolve to one
concept only. The Charter-Agenda titles are checked word for word against the verified titles.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from functools import cache
from pathlib import Path

import pycountry
import pyoxigraph
import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, SKOS

from rightsgraph.ontology import build_countries

ROOT = Path(__file__).resolve().parents[1]
VOCAB = ROOT / "ontology" / "vocab"
RG = Namespace("https://w3id.org/rightsgraph/ontology#")
RGV = "https://w3id.org/rightsgraph/vocab/"
SDG = "http://metadata.un.org/sdg/"
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
#: ISO 3166-1 entries without a UN M49 code.
NOT_IN_M49 = frozenset({"TW"})
LANGS = ("en", "fr", "es")

#: file -> (scheme code, concept class); instruments.ttl belongs to another part of the project.
SCHEMES: dict[str, tuple[str, URIRef]] = {
    "rights.ttl": ("rights", RG.RightsCategory),
    "groups.ttl": ("groups", RG.RightsHolderGroup),
    "initiative-types.ttl": ("initiative-types", RG.InitiativeType),
    "initiative-status.ttl": ("initiative-status", RG.InitiativeStatus),
    "membership-status.ttl": ("membership-status", RG.MembershipStatus),
    "territory-levels.ttl": ("territory-levels", RG.TerritoryLevel),
    "uclg-regions.ttl": ("uclg-regions", RG.UclgRegion),
    "countries.ttl": ("countries", RG.Country),
    "link-status.ttl": ("link-status", RG.LinkStatus),
}

#: The codes of docs/model.md ("Concept schemes").
CONTRACT_CODES: dict[str, set[str]] = {
    "link-status": {"auto-accepted", "pending", "accepted", "rejected"},
    "rights": {
        "civil-political", "economic-social", "cultural-educational", "equality", "city-territory",
        "emerging", "right-to-the-city", "participatory-democracy", "civic-peace-safety",
        "women-men-equality", "children-rights", "public-services", "conscience-religion-opinion",
        "assembly-association", "cultural-rights", "housing", "water-food",
        "sustainable-urban-development", "inclusion", "non-discrimination", "anti-racism",
        "violence-against-women", "hate-speech", "health", "education", "human-rights-education",
        "environment", "commons", "digital-rights", "extraterritorial-rights", "access-to-justice",
        "work", "social-security", "migrants-rights",
    },
    "groups": {
        "all-inhabitants", "women-girls", "women", "girls", "children", "youth", "older-persons",
        "persons-with-disabilities", "migrants", "refugees-asylum-seekers",
        "internally-displaced-persons", "stateless-persons", "lgbtiq", "indigenous-peoples",
        "minorities", "people-of-african-descent", "roma", "persons-in-poverty", "homeless-persons",
        "human-rights-defenders", "persons-living-with-hiv", "persons-deprived-of-liberty",
        "rural-population", "non-citizens",
    },
    "initiative-types": {
        "policy", "programme", "charter-declaration", "bylaw", "office-ombudsperson",
        "observatory-indicators", "action-plan", "participatory-body", "awareness-campaign",
        "public-service", "network-cooperation", "training",
    },
    "initiative-status": {"planned", "ongoing", "completed", "discontinued"},
    "membership-status": {"pledge-received", "form-received", "confirmed", "withdrawn"},
    "territory-levels": {
        "municipality", "metropolis", "urban-agglomeration", "province", "region", "association",
    },
    "uclg-regions": {
        "africa", "asia-pacific", "eurasia", "europe", "latin-america", "middle-east-west-asia",
        "north-america", "metropolis",
    },
}

RIGHTS_FAMILIES = {
    "civil-political", "economic-social", "cultural-educational", "equality", "city-territory",
    "emerging",
}

#: The twelve articles: (code, roman numeral, English title, Spanish title), DOMAIN.md §1.2 [V].
GCA_ARTICLES = [
    ("right-to-the-city", "I", "Right to the city", "Derecho a la Ciudad"),
    ("participatory-democracy", "II", "Right to participatory democracy",
     "Derecho a la Democracia Participativa"),
    ("civic-peace-safety", "III", "Right to civic peace and safety in the city",
     "Derecho a la Paz Cívica y a la Seguridad en la Ciudad"),
    ("women-men-equality", "IV", "Right of women and men to equality",
     "Derecho a la Igualdad de Mujeres y Hombres"),
    ("children-rights", "V", "Rights of children", "Derechos de Niños y Niñas"),
    ("public-services", "VI", "Right to accessible public services",
     "Derecho a Servicios Públicos Básicos de Proximidad"),
    ("conscience-religion-opinion", "VII",
     "Freedom of conscience and religion, opinion and information",
     "Libertad de Conciencia y Religión, Opinión e Información"),
    ("assembly-association", "VIII",
     "Right to peaceful meeting, association and to form a trade union",
     "Derecho de Reunión, Asociación y Sindicación"),
    ("cultural-rights", "IX", "Cultural rights", "Derechos Culturales"),
    ("housing", "X", "Right to housing and domicile", "Derecho a la Vivienda y al Domicilio"),
    ("water-food", "XI", "Right to clean water and food",
     "Derecho al Agua Potable y a la Alimentación"),
    ("sustainable-urban-development", "XII", "Right to sustainable urban development",
     "Derecho al Desarrollo Urbano Sostenible"),
]
#: The only French titles that were seen (DOMAIN.md §1.2).
GCA_FRENCH = {
    "VI": "Droit au service public de proximité",
    "VII": "Liberté de conscience et de religion, d'opinion et d'information",
}

GEOGRAPHIC_UCLG = CONTRACT_CODES["uclg-regions"] - {"metropolis"}


@cache
def graph(name: str) -> Graph:
    """The parsed scheme file (parsed once per test session; do not modify)."""
    return Graph().parse(VOCAB / name, format="turtle")


def scheme_iri(name: str) -> URIRef:
    return URIRef(RGV + SCHEMES[name][0])


def concepts(name: str) -> list[URIRef]:
    g = graph(name)
    return sorted(s for s in g.subjects(SKOS.inScheme, scheme_iri(name)) if isinstance(s, URIRef))


def code_of(name: str, concept: URIRef) -> str:
    prefix = f"{scheme_iri(name)}/"
    assert concept.startswith(prefix), concept
    return concept[len(prefix):]


def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a label, as a look-up would compare it."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def by_lang(g: Graph, subject: URIRef, predicate: URIRef) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for value in g.objects(subject, predicate):
        assert isinstance(value, Literal), f"{subject} {predicate}: {value!r} is not a literal"
        out[value.language or ""].append(str(value))
    return out


FILES = sorted(SCHEMES)


# --- every file --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_parses_with_rdflib_and_pyoxigraph(name: str) -> None:
    path = VOCAB / name
    assert len(graph(name)) > 0
    quads = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(quads) == len(graph(name))


@pytest.mark.parametrize("name", FILES)
def test_scheme_header(name: str) -> None:
    g = graph(name)
    schemes = set(g.subjects(RDF.type, SKOS.ConceptScheme))
    assert schemes == {scheme_iri(name)}, "one skos:ConceptScheme per file, at rgv:{scheme}"
    s = scheme_iri(name)
    for predicate in (SKOS.prefLabel, SKOS.definition):
        labels = by_lang(g, s, predicate)
        for lang in LANGS:
            assert len(labels[lang]) == 1, f"{s} needs one {predicate} in {lang}"
    assert list(g.objects(s, DCTERMS.source)), "the scheme needs dcterms:source"
    assert list(g.objects(s, OWL.versionInfo)) == [Literal("0.1.0")]
    (created,) = g.objects(s, DCTERMS.created)
    assert isinstance(created, Literal)
    assert created.datatype == XSD_DATE


@pytest.mark.parametrize("name", FILES)
def test_every_concept_is_typed_labelled_defined_and_placed(name: str) -> None:
    g = graph(name)
    s = scheme_iri(name)
    cls = SCHEMES[name][1]
    members = concepts(name)
    assert members
    # Nothing of the scheme's class is left outside the scheme.
    assert set(g.subjects(RDF.type, cls)) == set(members)
    tops = set(g.objects(s, SKOS.hasTopConcept))
    for c in members:
        assert (c, RDF.type, SKOS.Concept) in g, c
        assert (c, RDF.type, cls) in g, c
        code = code_of(name, c)
        notations = [str(n) for n in g.objects(c, SKOS.notation)]
        assert code in notations, f"{c}: skos:notation must include the code {code!r}"
        for n in g.objects(c, SKOS.notation):
            assert isinstance(n, Literal)
            assert n.language is None
            assert n.datatype in (None, XSD_STRING), f"{c}: notation must be a plain string"
        prefs = by_lang(g, c, SKOS.prefLabel)
        definitions = by_lang(g, c, SKOS.definition)
        for lang in LANGS:
            assert len(prefs[lang]) == 1, f"{c}: exactly one prefLabel@{lang}, got {prefs[lang]}"
            assert len(definitions[lang]) == 1, f"{c}: one definition@{lang}"
            assert definitions[lang][0].strip(), f"{c}: empty definition@{lang}"
        assert set(prefs) <= set(LANGS) and set(definitions) <= set(LANGS)
        is_top = (c, SKOS.topConceptOf, s) in g
        broader = list(g.objects(c, SKOS.broader))
        assert is_top != bool(broader), f"{c}: either skos:topConceptOf or skos:broader"
        assert is_top == (c in tops), f"{c}: skos:hasTopConcept and skos:topConceptOf disagree"
        for b in broader:
            assert (b, SKOS.inScheme, s) in g, f"{c}: broader {b} is not in the scheme"


@pytest.mark.parametrize("name", FILES)
def test_notations_unique_in_scheme(name: str) -> None:
    g = graph(name)
    seen: dict[str, URIRef] = {}
    for c in concepts(name):
        for n in g.objects(c, SKOS.notation):
            assert str(n) not in seen, f"notation {n} on {c} and {seen[str(n)]}"
            seen[str(n)] = c


@pytest.mark.parametrize("name", FILES)
def test_no_label_collision(name: str) -> None:
    """pref vs pref per language, and any label vs any label of another concept in any language
    (case- and accent-insensitive): a typed value must resolve to one concept."""
    g = graph(name)
    pref_index: dict[tuple[str, str], set[URIRef]] = defaultdict(set)
    any_index: dict[str, set[URIRef]] = defaultdict(set)
    for c in concepts(name):
        for predicate in (SKOS.prefLabel, SKOS.altLabel, RG.uhriLabel):
            for label in g.objects(c, predicate):
                assert isinstance(label, Literal)
                any_index[fold(str(label))].add(c)
                if predicate == SKOS.prefLabel:
                    pref_index[(label.language or "", fold(str(label)))].add(c)
    clashes = {k: v for k, v in pref_index.items() if len(v) > 1}
    assert not clashes, f"shared prefLabels: {clashes}"
    clashes_any = {k: sorted(v) for k, v in any_index.items() if len(v) > 1}
    assert not clashes_any, f"labels that resolve to several concepts: {clashes_any}"


@pytest.mark.parametrize("name", [n for n in FILES if n != "countries.ttl"])
def test_codes_match_the_contract(name: str) -> None:
    scheme = SCHEMES[name][0]
    codes = {code_of(name, c) for c in concepts(name)}
    assert codes == CONTRACT_CODES[scheme]


@pytest.mark.parametrize("name", FILES)
def test_every_rg_term_is_in_the_contract(name: str) -> None:
    """Only rg: terms that docs/model.md names may appear (a misspelt term mints a new IRI)."""
    contract = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    used = {
        str(t) for triple in graph(name) for t in triple
        if isinstance(t, URIRef) and str(t).startswith(str(RG))
    }
    for term in used:
        assert f"`rg:{term[len(str(RG)):]}`" in contract, f"{term} is not in docs/model.md"


# --- rights ------------------------------------------------------------------------------------


def rights(code: str) -> URIRef:
    return URIRef(f"{RGV}rights/{code}")


def test_rights_hierarchy_is_shallow() -> None:
    g = graph("rights.ttl")
    tops = set(g.objects(scheme_iri("rights.ttl"), SKOS.hasTopConcept))
    assert tops == {rights(code) for code in RIGHTS_FAMILIES}
    for c in concepts("rights.ttl"):
        for b in g.objects(c, SKOS.broader):
            assert b in tops, f"{c} is more than two levels deep"


@pytest.mark.parametrize(("code", "numeral", "english", "spanish"), GCA_ARTICLES)
def test_charter_agenda_articles(code: str, numeral: str, english: str, spanish: str) -> None:
    g = graph("rights.ttl")
    c = rights(code)
    assert list(g.objects(c, RG.charterAgendaArticle)) == [Literal(numeral)]
    assert Literal(f"GCA-{numeral}") in set(g.objects(c, SKOS.notation))
    prefs = by_lang(g, c, SKOS.prefLabel)
    assert prefs["en"] == [english]
    assert prefs["es"] == [spanish]
    notes = " ".join(str(n) for n in g.objects(c, SKOS.editorialNote))
    if numeral in GCA_FRENCH:
        assert prefs["fr"] == [GCA_FRENCH[numeral]]
        assert "project's translation" not in notes
    else:
        assert "project's translation" in notes, f"{c}: mark the French label as ours"
    sources = {str(s) for s in g.objects(c, DCTERMS.source)}
    assert any(s.startswith("https://www.uclg-cisdp.org/en/right-to-the-city/") for s in sources)


def test_exactly_twelve_articles() -> None:
    g = graph("rights.ttl")
    numerals = sorted(str(o) for o in g.objects(None, RG.charterAgendaArticle))
    assert sorted(a[1] for a in GCA_ARTICLES) == numerals


_SDG_IRI = re.compile(r"^http://metadata\.un\.org/sdg/(?P<goal>\d{1,2})(?:\.(?P<target>[0-9a-z]{1,2}))?$")


def test_sdg_mappings_use_confirmed_iri_forms() -> None:
    g = graph("rights.ttl")
    mapped = 0
    for predicate in (SKOS.closeMatch, SKOS.relatedMatch, SKOS.exactMatch, SKOS.broadMatch,
                      SKOS.narrowMatch):
        for _c, target in g.subject_objects(predicate):
            m = _SDG_IRI.match(str(target))
            assert m, f"{target} is not an SDG goal or target IRI"
            goal = int(m["goal"])
            assert 1 <= goal <= 17
            if m["target"]:
                assert goal <= 9, f"{target}: target IRIs of goals 10-17 are unconfirmed"
            mapped += 1
    assert mapped >= 10
    assert (rights("housing"), SKOS.relatedMatch, URIRef(SDG + "11")) in g
    assert (rights("violence-against-women"), SKOS.closeMatch, URIRef(SDG + "5.2")) in g


@pytest.mark.parametrize("name", ["rights.ttl", "groups.ttl"])
def test_uhri_labels_are_english_and_explained(name: str) -> None:
    g = graph(name)
    scheme_notes = " ".join(str(n) for n in g.objects(scheme_iri(name), SKOS.editorialNote))
    found = 0
    for c, label in g.subject_objects(RG.uhriLabel):
        found += 1
        assert isinstance(label, Literal) and label.language == "en"
        notes = " ".join(str(n) for n in g.objects(c, SKOS.editorialNote)) + scheme_notes
        assert "UHRI" in notes and "2026" in notes, f"{c}: say where the UHRI label was seen"
    assert found


def test_campaign_themes_carried_by_articles() -> None:
    """Themes that are articles are not duplicated: the article takes the synonyms."""
    g = graph("rights.ttl")
    alt = {fold(str(a)): c for c, a in g.subject_objects(SKOS.altLabel)}
    assert alt["logement"] == rights("housing")
    assert alt["vivienda"] == rights("housing")
    assert alt["eau"] == rights("water-food") and alt["food"] == rights("water-food")
    assert alt["culture"] == rights("cultural-rights")
    assert alt["democratie participative"] == rights("participatory-democracy")
    assert alt["paix"] == rights("civic-peace-safety")


# --- groups ------------------------------------------------------------------------------------


def test_groups_scheme_explains_intersectionality_and_dihr() -> None:
    g = graph("groups.ttl")
    s = scheme_iri("groups.ttl")
    scope = by_lang(g, s, SKOS.scopeNote)
    assert all(scope[lang] for lang in LANGS)
    notes = " ".join(str(n) for n in g.objects(s, SKOS.editorialNote))
    assert "nine groups" in notes
    women_girls = URIRef(f"{RGV}groups/women-girls")
    assert set(g.objects(women_girls, SKOS.narrower)) == {
        URIRef(f"{RGV}groups/women"), URIRef(f"{RGV}groups/girls")
    }
    roma = URIRef(f"{RGV}groups/roma")
    uhri = set(g.objects(roma, RG.uhriLabel))
    assert Literal("Roma, Gypsies, Sinti & Travellers", lang="en") in uhri


def test_groups_resolve_usual_synonyms() -> None:
    g = graph("groups.ttl")
    labels = {fold(str(a)): c for p in (SKOS.altLabel, SKOS.prefLabel)
              for c, a in g.subject_objects(p)}
    assert labels["lgbti"] == URIRef(f"{RGV}groups/lgbtiq")
    assert labels["personnes handicapees"] == URIRef(f"{RGV}groups/persons-with-disabilities")
    assert labels["migrantes"] == URIRef(f"{RGV}groups/migrants")


# --- regions and countries ---------------------------------------------------------------------


def test_metropolis_is_a_section_not_a_region() -> None:
    g = graph("uclg-regions.ttl")
    definition = by_lang(g, URIRef(f"{RGV}uclg-regions/metropolis"), SKOS.definition)["en"][0]
    assert "not a geographic region" in definition


def test_m49_csv_covers_every_country() -> None:
    with (ROOT / "data" / "m49.csv").open(encoding="utf-8", newline="") as f:
        rows = {row["alpha2"]: row for row in csv.DictReader(f)}
    for country in pycountry.countries:
        assert country.alpha_2 in rows, country.alpha_2
        # Taiwan has an ISO 3166-1 numeric code (158) but no M49 code.
        expected = "" if country.alpha_2 in NOT_IN_M49 else country.numeric
        assert rows[country.alpha_2]["m49"] == expected, country.alpha_2
    assert set(rows) == {c.alpha_2 for c in pycountry.countries}
    build_countries.load_m49((ROOT / "data" / "m49.csv").read_text(encoding="utf-8"))


def test_every_country_present_with_a_uclg_region() -> None:
    g = graph("countries.ttl")
    regions = graph("uclg-regions.ttl")
    for country in pycountry.countries:
        c = URIRef(f"{RGV}countries/{country.alpha_2}")
        assert (c, RDF.type, RG.Country) in g, country.alpha_2
        assert {str(n) for n in g.objects(c, SKOS.notation)} == {country.alpha_2, country.alpha_3}
        expected = [] if country.alpha_2 in NOT_IN_M49 else [Literal(country.numeric)]
        assert list(g.objects(c, RG.m49Code)) == expected, country.alpha_2
        uclg = list(g.objects(c, RG.uclgRegion))
        if country.alpha_2 in build_countries.NO_UCLG_REGION:
            assert uclg == []
            continue
        assert len(uclg) == 1, country.alpha_2
        assert isinstance(uclg[0], URIRef)
        assert code_of("uclg-regions.ttl", uclg[0]) in GEOGRAPHIC_UCLG
        assert (uclg[0], RDF.type, RG.UclgRegion) in regions


def test_taiwan_has_no_m49_code_or_region() -> None:
    g = graph("countries.ttl")
    tw = URIRef(f"{RGV}countries/TW")
    for prop in (RG.m49Code, RG.m49Region, RG.m49SubRegion):
        assert (tw, prop, None) not in g
    notes = by_lang(g, tw, SKOS.editorialNote)
    assert "no M49 code" in notes["en"][0] and "158" in notes["en"][0]


#: UN short names (UNTERM) that replace wrong iso-codes translations: (code, language, label).
UN_SHORT_NAMES = [
    ("CI", "es", "Côte d'Ivoire"), ("DZ", "es", "Argelia"), ("BF", "es", "Burkina Faso"),
    ("SR", "es", "Suriname"), ("TN", "es", "Túnez"), ("NE", "es", "Níger"),
    ("AX", "es", "Islas Åland"), ("KM", "es", "Comoras"),
    ("VI", "es", "Islas Vírgenes de los Estados Unidos"), ("GL", "fr", "Groenland"),
    ("MO", "fr", "Macao"), ("MM", "es", "Myanmar"), ("MM", "fr", "Myanmar"),
    ("MD", "es", "República de Moldova"), ("RU", "es", "Federación de Rusia"),
    ("SY", "es", "República Árabe Siria"), ("SV", "fr", "El Salvador"),
    ("TL", "fr", "Timor-Leste"), ("CV", "fr", "Cabo Verde"),
    ("BO", "fr", "Bolivie (État plurinational de)"),
    ("VA", "fr", "Saint-Siège (État de la Cité du Vatican)"),
    ("VE", "fr", "Venezuela (République bolivarienne du)"),
]


@pytest.mark.parametrize(("code", "lang", "label"), UN_SHORT_NAMES)
def test_un_short_names_replace_wrong_translations(code: str, lang: str, label: str) -> None:
    g = graph("countries.ttl")
    c = URIRef(f"{RGV}countries/{code}")
    assert by_lang(g, c, SKOS.prefLabel)[lang] == [label]
    notes = " ".join(str(n) for n in g.objects(c, SKOS.editorialNote))
    assert "UNTERM" in notes
    assert URIRef(build_countries.UNTERM) in set(g.objects(c, DCTERMS.source))


def test_no_lower_case_etat_in_french_country_labels() -> None:
    g = graph("countries.ttl")
    for predicate in (SKOS.prefLabel, SKOS.altLabel):
        for label in g.objects(None, predicate):
            assert isinstance(label, Literal)
            if label.language == "fr":
                assert "état" not in str(label), label


def test_uclg_rule_examples() -> None:
    g = graph("countries.ttl")

    def region(cc: str) -> str:
        (value,) = g.objects(URIRef(f"{RGV}countries/{cc}"), RG.uclgRegion)
        assert isinstance(value, URIRef)
        return code_of("uclg-regions.ttl", value)

    assert region("ES") == "europe" and region("EE") == "europe" and region("CY") == "europe"
    assert region("RU") == "eurasia" and region("KZ") == "eurasia" and region("GE") == "eurasia"
    assert region("TR") == "middle-east-west-asia" and region("IR") == "middle-east-west-asia"
    assert region("KR") == "asia-pacific" and region("FJ") == "asia-pacific"
    assert region("MX") == "latin-america" and region("US") == "north-america"
    assert region("MA") == "africa" and region("ZA") == "africa"


def test_countries_ttl_is_up_to_date() -> None:
    expected = Graph().parse(data=build_countries.render(), format="turtle")
    assert isomorphic(expected, graph("countries.ttl")), (
        "countries.ttl is stale: run python -m rightsgraph.ontology.build_countries"
    )


def test_render_is_deterministic() -> None:
    assert build_countries.render() == build_countries.render()


def test_load_m49_rejects_bad_rows() -> None:
    with pytest.raises(ValueError, match="no M49 code"):
        build_countries.load_m49("alpha2,m49,region,subregion\nES,,Europe,Southern Europe\n")
    with pytest.raises(ValueError, match="header"):
        build_countries.load_m49("code,m49\nES,724\n")
    with pytest.raises(ValueError, match="sub-region"):
        build_countries.load_m49("alpha2,m49,region,subregion\nES,724,Europe,Nowhere\n")
    with pytest.raises(ValueError, match="twice"):
        build_countries.load_m49(
            "alpha2,m49,region,subregion\nES,724,Europe,Southern Europe\n"
            "ES,724,Europe,Southern Europe\n"
        )
