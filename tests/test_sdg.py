"""The UN Sustainable Development Goals scheme (``ontology/vocab/sdg.ttl``), its generator and the
SDG coverage questions (``sdg_goals_coverage``, ``sdg_targets_coverage``).

Why: researchers join RightsGraph with UN data through the UN's own SDG IRIs, so every goal and
target must exist with the UN's IRI, labels and official text in en/fr/es, every SDG IRI the
packaged data uses must be one of them, and the coverage questions must count what a person
counting by hand would count. The expected counts are computed here in Python, from the packaged
quads or from a small hand-made dataset, never with the questions' own SPARQL.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS

from conftest import run_cli
from rightsgraph.loaders.packaged import packaged_quads
from rightsgraph.ontology import build_sdg
from rightsgraph.queries.catalog import catalog, get, run
from rightsgraph.resources import read_text
from rightsgraph.store import open_store
from rightsgraph.store.base import SelectResult
from rightsgraph.store.oxigraph import OxigraphStore

SDG = "http://metadata.un.org/sdg/"
SCHEME = URIRef("http://metadata.un.org/sdg")
SDGO = Namespace("http://metadata.un.org/sdg/ontology#")
RG = "https://w3id.org/rightsgraph/ontology#"
SKOS_NS = str(SKOS)
RIGHTS = "https://w3id.org/rightsgraph/vocab/rights/"
LANGS = ("en", "fr", "es")

#: Targets per goal in the 2030 Agenda (A/RES/70/1): 169 in all.
TARGETS_PER_GOAL = {
    1: 7, 2: 8, 3: 13, 4: 10, 5: 9, 6: 8, 7: 5, 8: 12, 9: 8, 10: 10, 11: 10, 12: 11, 13: 5,
    14: 10, 15: 12, 16: 12, 17: 19,
}
GOAL_NOTATION = re.compile(r"^(1[0-7]|[1-9])$")
TARGET_NOTATION = re.compile(r"^(1[0-7]|[1-9])\.([1-9][0-9]?|[a-z])$")
#: libyaml's dumper when there (the pure-Python one is slow on 169 targets in three languages).
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
COUNT_COLUMNS = (
    "explicitInitiatives", "explicitTerritories", "impliedInitiatives", "impliedTerritories",
)


@cache
def scheme() -> Graph:
    """The packaged sdg.ttl, parsed once (do not modify)."""
    return Graph().parse(data=read_text("ontology", "vocab/sdg.ttl"), format="turtle")


def goals() -> list[URIRef]:
    return sorted(
        (s for s in scheme().subjects(RDF.type, SDGO.Goal) if isinstance(s, URIRef)),
        key=lambda s: int(s[len(SDG):]),
    )


def targets() -> list[URIRef]:
    return sorted(
        (s for s in scheme().subjects(RDF.type, SDGO.Target) if isinstance(s, URIRef)),
        key=lambda s: build_sdg.target_sort_key(s[len(SDG):]),
    )


def texts(subject: URIRef, predicate: URIRef) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for value in scheme().objects(subject, predicate):
        assert isinstance(value, Literal), f"{subject} {predicate}: {value!r}"
        out[value.language or ""].append(str(value))
    return out


# -- the scheme -----------------------------------------------------------------------------------
def test_parses_with_rdflib_and_pyoxigraph() -> None:
    quads = list(ox.parse(read_text("ontology", "vocab/sdg.ttl"), format=ox.RdfFormat.TURTLE))
    assert len(quads) == len(scheme()) > 2000


def test_scheme_header() -> None:
    g = scheme()
    assert set(g.subjects(RDF.type, SKOS.ConceptScheme)) == {SCHEME}
    for predicate in (SKOS.prefLabel, SKOS.definition):
        labels = texts(SCHEME, predicate)
        assert all(len(labels[lang]) == 1 for lang in LANGS), predicate
    sources = {str(s) for s in g.objects(SCHEME, DCTERMS.source)}
    assert {
        "https://undocs.org/A/RES/70/1",
        "https://undocs.org/A/RES/71/313",
        "https://github.com/open-sdg/sdg-translations",
    } <= sources
    assert list(g.objects(SCHEME, OWL.versionInfo)) == [Literal(build_sdg.VERSION)]
    assert set(g.objects(SCHEME, SKOS.hasTopConcept)) == set(goals())


def test_seventeen_goals_and_169_targets_with_the_uns_iris() -> None:
    assert [str(g) for g in goals()] == [f"{SDG}{n}" for n in range(1, 18)]
    assert len(targets()) == 169
    per_goal: dict[int, int] = defaultdict(int)
    for t in targets():
        per_goal[int(t[len(SDG):].split(".")[0])] += 1
    assert dict(per_goal) == TARGETS_PER_GOAL
    for iri in ("1.1", "10.2", "16.b", "16.10", "17.19", "8.10", "9.c"):
        assert (URIRef(SDG + iri), RDF.type, SDGO.Target) in scheme(), iri


@pytest.mark.parametrize("kind", ["goal", "target"])
def test_every_concept_is_typed_labelled_defined_and_placed(kind: str) -> None:
    g = scheme()
    members, cls, pattern = (
        (goals(), SDGO.Goal, GOAL_NOTATION) if kind == "goal"
        else (targets(), SDGO.Target, TARGET_NOTATION)
    )
    for c in members:
        assert (c, RDF.type, SKOS.Concept) in g and (c, RDF.type, cls) in g, c
        assert (c, SKOS.inScheme, SCHEME) in g, c
        notations = [str(n) for n in g.objects(c, SKOS.notation)]
        assert len(notations) == 1 and pattern.match(notations[0]), (c, notations)
        assert str(c) == SDG + notations[0], "the IRI is the notation under metadata.un.org/sdg/"
        for predicate in (SKOS.prefLabel, SKOS.definition):
            values = texts(c, predicate)
            assert set(values) == set(LANGS), (c, predicate, sorted(values))
            for lang in LANGS:
                assert len(values[lang]) == 1, (c, predicate, lang)
                value = values[lang][0]
                assert value.strip() and value == " ".join(value.split()), (c, lang, value)
                assert unicodedata.is_normalized("NFC", value), (c, lang)
        assert ((c, SKOS.topConceptOf, SCHEME) in g) == (kind == "goal"), c


def test_labels_follow_the_documented_forms() -> None:
    g = scheme()
    eleven = URIRef(SDG + "11")
    assert texts(eleven, SKOS.prefLabel) == {
        "en": ["Goal 11: Sustainable cities and communities"],
        "fr": ["Objectif 11 : Villes et communautés durables"],
        "es": ["Objetivo 11: Ciudades y comunidades sostenibles"],
    }
    assert texts(URIRef(SDG + "16.b"), SKOS.prefLabel) == {
        "en": ["Target 16.b"], "fr": ["Cible 16.b"], "es": ["Meta 16.b"],
    }
    # The short title alone is an alternative label, as in the UN's own scheme ("No poverty").
    assert Literal("No poverty", lang="en") in set(g.objects(URIRef(SDG + "1"), SKOS.altLabel))
    # Corrected short titles say so.
    note = " ".join(str(n) for n in g.objects(eleven, SKOS.editorialNote))
    assert "Cuidades y Comunidades Sostenibles" in note


def test_official_texts() -> None:
    """A few definitions, word for word, in each language."""
    assert texts(URIRef(SDG + "11.1"), SKOS.definition)["en"] == [
        "By 2030, ensure access for all to adequate, safe and affordable housing and basic "
        "services and upgrade slums"
    ]
    assert texts(URIRef(SDG + "5"), SKOS.definition)["es"] == [
        "Lograr la igualdad de género y empoderar a todas las mujeres y las niñas"
    ]
    assert texts(URIRef(SDG + "16.3"), SKOS.definition)["fr"] == [
        "Promouvoir l’état de droit dans l’ordre interne et international et garantir à tous "
        "un égal accès à la justice"
    ]
    assert texts(URIRef(SDG + "4"), SKOS.definition)["fr"] == [
        "Assurer à tous une éducation équitable, inclusive et de qualité et des possibilités "
        "d’apprentissage tout au long de la vie"
    ]


def test_broader_and_has_target_agree() -> None:
    g = scheme()
    for t in targets():
        goal = URIRef(SDG + t[len(SDG):].split(".")[0])
        assert list(g.objects(t, SKOS.broader)) == [goal], t
        assert (goal, SDGO.hasTarget, t) in g, t
    for goal in goals():
        assert set(g.objects(goal, SDGO.hasTarget)) == set(g.subjects(SKOS.broader, goal))
        assert not list(g.objects(goal, SKOS.broader))


def test_notations_and_labels_are_unique() -> None:
    g = scheme()
    notations = [str(n) for c in goals() + targets() for n in g.objects(c, SKOS.notation)]
    assert len(notations) == len(set(notations)) == 186
    for predicate in (SKOS.prefLabel, SKOS.definition):
        for lang in LANGS:
            values = [texts(c, predicate)[lang][0].casefold() for c in goals() + targets()]
            assert len(values) == len(set(values)), (predicate, lang)


def _is_sdg(term: object) -> bool:
    return (
        isinstance(term, ox.NamedNode)
        and (term.value.startswith(SDG) or term.value == str(SCHEME))
        and not term.value.startswith(str(SDGO))
    )


def test_every_sdg_iri_used_in_the_packaged_data_is_in_the_scheme() -> None:
    """Every SDG IRI that the rights vocabulary, the seed or the example data name (the
    statements of the SDG scheme itself left aside) is a goal or target of the scheme."""
    known = {str(c) for c in goals() + targets()}
    used = {
        q.object.value
        for quads in packaged_quads(example=True).values()
        for q in quads
        if _is_sdg(q.object) and not _is_sdg(q.subject) and isinstance(q.object, ox.NamedNode)
    }
    assert {SDG + "11", SDG + "5.2", SDG + "4.7", SDG + "10"} <= used
    assert sorted(used - known) == []
    defaults = {
        value for q in catalog().values() for value in (
            *q.defaults.values(), *(v for values in q.enumerate.values() for v in values)
        )
        if value.startswith(SDG)
    }
    assert defaults and defaults <= known, defaults - known


# -- the generator --------------------------------------------------------------------------------
def write_source(folder: Path, *, drop: Mapping[str, str] | None = None,
                 replace: Mapping[tuple[str, str], str] | None = None) -> Path:
    """The source folder the packaged file would be generated from, rebuilt from sdg.ttl in the
    three layouts of open-sdg/sdg-translations (nested goals in en and es, flat in fr).

    ``drop`` removes a target's text in a language (``{"fr": "1.2"}``); ``replace`` sets a text
    (``{("en", "1.2"): "..."}``).
    """
    drop = drop or {}
    replace = replace or {}
    for lang in LANGS:
        goal_data: dict[str, object] = {}
        for goal in goals():
            n = int(goal[len(SDG):])
            alt = texts(goal, SKOS.altLabel)[lang][0]
            short = build_sdg.SHORT_TITLE_OVERRIDES.get((n, lang), (alt, alt))[1]
            title = texts(goal, SKOS.definition)[lang][0]
            if lang == "fr":
                goal_data[f"{n}-short"] = short
                goal_data[f"{n}-title"] = title
            else:
                goal_data[str(n)] = {"short": short, "title": title}
        target_data: dict[str, object] = {}
        for t in targets():
            code = t[len(SDG):]
            if drop.get(lang) == code:
                continue
            text = replace.get((lang, code), texts(t, SKOS.definition)[lang][0])
            target_data[code.replace(".", "-")] = {"title": text}
        (folder / lang).mkdir(parents=True, exist_ok=True)
        for name, data in (("global_goals.yml", goal_data), ("global_targets.yml", target_data)):
            (folder / lang / name).write_text(
                yaml.dump(data, Dumper=DUMPER, allow_unicode=True, width=80), encoding="utf-8"
            )
    return folder


def test_the_packaged_file_is_what_the_generator_produces(tmp_path: Path) -> None:
    source = write_source(tmp_path / "src")
    loaded = build_sdg.load_texts(source)
    assert loaded.missing == []
    assert build_sdg.render(loaded) == read_text("ontology", "vocab/sdg.ttl")


def test_check_mode_reports_an_out_of_date_file(tmp_path: Path) -> None:
    source = write_source(tmp_path / "src")
    current = tmp_path / "sdg.ttl"
    current.write_text(read_text("ontology", "vocab/sdg.ttl"), encoding="utf-8")
    assert build_sdg.main([str(source), "--output", str(current), "--check"]) == 0
    current.write_text("# stale\n", encoding="utf-8")
    assert build_sdg.main([str(source), "--output", str(current), "--check"]) == 1
    assert build_sdg.main([str(tmp_path / "nowhere"), "--output", str(current)]) == 2


def test_a_missing_translation_is_left_out_not_invented(tmp_path: Path) -> None:
    source = write_source(tmp_path / "src", drop={"fr": "1.2"})
    loaded = build_sdg.load_texts(source)
    assert loaded.missing == [("fr", "1.2")]
    g = Graph().parse(data=build_sdg.render(loaded), format="turtle")
    definitions = {d.language for d in g.objects(URIRef(SDG + "1.2"), SKOS.definition)
                   if isinstance(d, Literal)}
    assert definitions == {"en", "es"}


def test_a_placeholder_counts_as_missing(tmp_path: Path) -> None:
    source = write_source(tmp_path / "src", replace={("es", "17.19"): "Needs translation"})
    assert build_sdg.load_texts(source).missing == [("es", "17.19")]


@pytest.mark.parametrize(
    ("drop", "replace", "message"),
    [
        ({"en": "4.7"}, {}, "168 targets"),
        ({}, {("en", "1.2"): "End poverty in all its forms everywhere"}, None),
        ({}, {("fr", "1.2"): "x", ("fr", "1.3"): "X"}, "same text"),
    ],
)
def test_bad_sources_are_refused(
    tmp_path: Path, drop: dict[str, str], replace: dict[tuple[str, str], str],
    message: str | None,
) -> None:
    source = write_source(tmp_path / "src", drop=drop, replace=replace)
    if message is None:
        # A target may repeat a goal's text; only targets (or goals) among themselves must differ.
        build_sdg.load_texts(source)
        return
    with pytest.raises(ValueError, match=message):
        build_sdg.load_texts(source)


def test_an_override_that_no_longer_matches_the_source_is_refused() -> None:
    with pytest.raises(ValueError, match="SHORT_TITLE_OVERRIDES"):
        build_sdg.short_title(8, "en", "Something else")
    assert build_sdg.short_title(8, "en", "Decent jobs and economic growth") == (
        "Decent work and economic growth"
    )
    assert build_sdg.short_title(1, "es", "Fin de la Pobreza") == "Fin de la pobreza"


def test_targets_sort_in_the_uns_order() -> None:
    codes = ["17.10", "17.a", "17.9", "17.1", "16.b", "16.10"]
    assert sorted(codes, key=build_sdg.target_sort_key) == [
        "16.10", "16.b", "17.1", "17.9", "17.10", "17.a",
    ]


# -- expected counts, computed in Python ----------------------------------------------------------
@dataclass
class Links:
    """The facts the coverage questions count, read from quads without SPARQL."""

    contributes: dict[str, set[str]]
    addresses: dict[str, set[str]]
    led_by: dict[str, set[str]]
    broader: dict[str, set[str]]
    mappings: set[tuple[str, str]]

    @classmethod
    def from_quads(cls, quads: Iterable[ox.Quad]) -> Links:
        out = cls(defaultdict(set), defaultdict(set), defaultdict(set), defaultdict(set), set())
        for q in quads:
            s, p, o = q.subject, q.predicate.value, q.object
            if not isinstance(o, ox.NamedNode) or not isinstance(s, ox.NamedNode):
                continue
            if p == RG + "contributesToSdg":
                out.contributes[s.value].add(o.value)
            elif p == RG + "addressesRight":
                out.addresses[s.value].add(o.value)
            elif p == RG + "ledBy":
                out.led_by[s.value].add(o.value)
            elif p == SKOS_NS + "broader":
                out.broader[s.value].add(o.value)
            elif p in (SKOS_NS + "closeMatch", SKOS_NS + "relatedMatch"):
                out.mappings.add((s.value, o.value))
        return out

    def ancestors(self, concept: str) -> set[str]:
        """The concept and everything above it (skos:broader*)."""
        seen = {concept}
        todo = [concept]
        while todo:
            for parent in self.broader.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def counts(self, items: set[str]) -> dict[str, int]:
        """Explicit and implied initiatives and territories for a set of SDG items."""
        explicit = {i for i, sdgs in self.contributes.items() if sdgs & items}
        mapped = {m for m, item in self.mappings if item in items}
        implied = {
            i for i, categories in self.addresses.items()
            if any(self.ancestors(c) & mapped for c in categories)
        }

        def territories(initiatives: set[str]) -> int:
            return len({t for i in initiatives for t in self.led_by.get(i, ())})

        return {
            "explicitInitiatives": len(explicit), "explicitTerritories": territories(explicit),
            "impliedInitiatives": len(implied), "impliedTerritories": territories(implied),
            "initiatives": len(explicit | implied), "territories": territories(explicit | implied),
        }


def goal_items(goal: int) -> set[str]:
    return {f"{SDG}{goal}"} | {str(t) for t in targets() if t[len(SDG):].split(".")[0] == str(goal)}


def rows_of(result: object) -> list[dict[str, str]]:
    assert isinstance(result, SelectResult)
    return [
        {v: t.value for v, t in zip(result.variables, row, strict=True) if t is not None}
        for row in result.rows
    ]


# -- the questions on a small hand-made dataset --------------------------------------------------
HAND_MADE = """
@prefix rg:     <https://w3id.org/rightsgraph/ontology#> .
@prefix rights: <https://w3id.org/rightsgraph/vocab/rights/> .
@prefix sdg:    <http://metadata.un.org/sdg/> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix ex:     <https://example.org/test/> .

# A category narrower than housing (housing skos:relatedMatch sdg:11): it inherits the mapping.
ex:narrow-housing a skos:Concept , rg:RightsCategory ; skos:broader rights:housing .

ex:i1 a rg:Initiative ; rg:ledBy ex:t1 ; rg:contributesToSdg sdg:11.1 ;
    rg:addressesRight rights:housing .
ex:i2 a rg:Initiative ; rg:ledBy ex:t2 ; rg:addressesRight ex:narrow-housing .
ex:i3 a rg:Initiative ; rg:ledBy ex:t2 ; rg:contributesToSdg sdg:11 , sdg:16.b .
ex:i4 a rg:Initiative ; rg:ledBy ex:t3 ; rg:addressesRight rights:water-food .
ex:i5 a rg:Initiative ; rg:ledBy ex:t3 ; rg:contributesToSdg sdg:17.10 .
ex:i6 a rg:Initiative ; rg:ledBy ex:t4 ; rg:contributesToSdg sdg:3.8 ;
    rg:addressesRight rights:health .
ex:i7 a rg:Initiative ; rg:ledBy ex:t1 ; rg:addressesRight rights:work .
ex:i8 a rg:Initiative ; rg:ledBy ex:t4 ; rg:addressesRight rights:cultural-rights .
"""

#: goal -> (explicit initiatives, explicit territories, implied initiatives, implied territories,
#: initiatives, territories), counted by hand from HAND_MADE and rights.ttl's mappings.
HAND_COUNTED_GOALS = {
    2: (0, 0, 1, 1, 1, 1),  # i4: water-food relatedMatch 2.1
    3: (1, 1, 1, 1, 1, 1),  # i6: 3.8 explicitly, health closeMatch 3
    6: (0, 0, 1, 1, 1, 1),  # i4: water-food relatedMatch 6.1
    8: (0, 0, 1, 1, 1, 1),  # i7: work relatedMatch 8.5 and 8.8, counted once
    11: (2, 2, 2, 2, 3, 2),  # i1 (11.1 and housing), i3 (11), i2 (narrower than housing)
    16: (1, 1, 0, 0, 1, 1),  # i3: 16.b
    17: (1, 1, 0, 0, 1, 1),  # i5: 17.10
}


@pytest.fixture(scope="module")
def hand_made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[OxigraphStore, Links]]:
    """A real store with the rights and SDG schemes and the hand-made initiatives."""
    store = OxigraphStore(tmp_path_factory.mktemp("sdg-store") / "store")
    quads: list[ox.Quad] = []
    for name, text in (
        ("vocab", read_text("ontology", "vocab/sdg.ttl")),
        ("vocab", read_text("ontology", "vocab/rights.ttl")),
        ("example", HAND_MADE),
    ):
        parsed = list(ox.parse(text, format=ox.RdfFormat.TURTLE))
        store.write_graph(
            f"https://example.org/test/graph/{name}", [q.triple for q in parsed], replace=False
        )
        quads += parsed
    yield store, Links.from_quads(quads)
    store.close()


def test_goals_coverage_on_hand_made_data(hand_made: tuple[OxigraphStore, Links]) -> None:
    store, links = hand_made
    rows = rows_of(run(store, get("sdg_goals_coverage"), {"lang": "es"}))
    assert [r["notation"] for r in rows] == [str(n) for n in range(1, 18)]
    columns = (*COUNT_COLUMNS, "initiatives", "territories")
    for row in rows:
        n = int(row["notation"])
        got = tuple(int(row[c]) for c in columns)
        assert got == HAND_COUNTED_GOALS.get(n, (0,) * 6), (n, got)
        python = links.counts(goal_items(n))
        assert got == tuple(python[c] for c in columns), n
        assert row["label"].startswith(f"Objetivo {n}: ")


@pytest.mark.parametrize(
    ("goal", "expected"),
    [
        (11, {"11.1": (1, 1, 0, 0)}),
        (16, {"16.b": (1, 1, 0, 0)}),
        (8, {"8.5": (0, 0, 1, 1), "8.8": (0, 0, 1, 1)}),
        (17, {"17.10": (1, 1, 0, 0)}),
        (7, {}),
    ],
)
def test_targets_coverage_on_hand_made_data(
    hand_made: tuple[OxigraphStore, Links], goal: int, expected: dict[str, tuple[int, ...]],
) -> None:
    store, links = hand_made
    rows = rows_of(run(store, get("sdg_targets_coverage"), {"goal": f"{SDG}{goal}"}))
    codes = [r["notation"] for r in rows]
    assert codes == sorted(codes, key=build_sdg.target_sort_key)
    assert len(codes) == TARGETS_PER_GOAL[goal]
    for row in rows:
        got = tuple(int(row[c]) for c in COUNT_COLUMNS)
        assert got == expected.get(row["notation"], (0, 0, 0, 0)), (row["notation"], got)
        python = links.counts({row["target"]})
        assert got == tuple(python[c] for c in COUNT_COLUMNS), row["notation"]
        assert row["label"] == f"Target {row['notation']}"
        assert row["text"]


# -- the questions on the store `rightsgraph init` builds ----------------------------------------
@pytest.fixture(scope="module")
def packaged_links() -> Links:
    """Ontology, vocabularies, seed and example data as `init` loads them, read without SPARQL."""
    return Links.from_quads(q for quads in packaged_quads(example=True).values() for q in quads)


def cli_rows(store: Path, name: str, *params: str) -> list[dict[str, str]]:
    args: list[str] = ["query", "--name", name, "--format", "json"]
    for param in params:
        args += ["--param", param]
    proc = run_cli(*args, store=store, check=True)
    answer = json.loads(proc.stdout)
    return [{k: v["value"] for k, v in b.items()} for b in answer["results"]["bindings"]]


def test_goals_coverage_on_the_initialised_store(
    initialised_store: Path, packaged_links: Links
) -> None:
    rows = cli_rows(initialised_store, "sdg_goals_coverage", "lang=fr")
    assert [r["goal"] for r in rows] == [f"{SDG}{n}" for n in range(1, 18)]
    columns = (*COUNT_COLUMNS, "initiatives", "territories")
    for row in rows:
        n = int(row["notation"])
        expected = packaged_links.counts(goal_items(n))
        assert {c: int(row[c]) for c in columns} == {c: expected[c] for c in columns}, n
    by_goal = {int(r["notation"]): r for r in rows}
    assert by_goal[11]["label"] == "Objectif 11 : Villes et communautés durables"
    # The example data links goals 10, 11 and 16 both ways; goals it never names stay at zero.
    for n in (10, 11, 16):
        assert int(by_goal[n]["explicitInitiatives"]) > 0 < int(by_goal[n]["impliedInitiatives"])
    assert int(by_goal[14]["initiatives"]) == 0


@pytest.mark.parametrize("goal", [1, 4, 11])
def test_targets_coverage_on_the_initialised_store(
    initialised_store: Path, packaged_links: Links, goal: int
) -> None:
    store = open_store(initialised_store, read_only=True)
    try:
        rows = rows_of(run(store, get("sdg_targets_coverage"), {"goal": f"{SDG}{goal}"}))
    finally:
        store.close()
    assert len(rows) == TARGETS_PER_GOAL[goal]
    for row in rows:
        expected = packaged_links.counts({row["target"]})
        assert {c: int(row[c]) for c in COUNT_COLUMNS} == {c: expected[c] for c in COUNT_COLUMNS}
    if goal != 11:  # the example data names targets of goals 1 and 4, none of goal 11
        assert sum(int(r["explicitInitiatives"]) + int(r["impliedInitiatives"]) for r in rows)
