"""Generate the SDG scheme ``ontology/vocab/sdg.ttl`` from the official goal and target texts.

Why generated: the scheme has 186 concepts (17 goals, 169 targets) whose definitions are the
official UN texts in English, French and Spanish. Typing them by hand would invite errors; the
generator reads them from the files of the public repository ``open-sdg/sdg-translations``
(``translations/{en,fr,es}/global_goals.yml`` and ``global_targets.yml``, which reproduce the
goals and targets of General Assembly resolution 70/1 as restated in the global indicator
framework, resolution 71/313), checks them and writes deterministic Turtle. The YAML files are
not packaged: pass the folder that holds them (``{folder}/{lang}/global_goals.yml`` ...).

The concepts keep the UN's own IRIs (``http://metadata.un.org/sdg/11``, ``.../sdg/11.1``) and
classes (``sdgo:Goal``, ``sdgo:Target``, ``sdgo:hasTarget``), so that the graph joins UN data
without a mapping. Labels: a goal's ``skos:prefLabel`` is "Goal 11: Sustainable cities and
communities" (French "Objectif 11 : ...", Spanish "Objetivo 11: ..."), built from the short title
of the source in sentence case (the case of the UN's own ``skos:altLabel``, "No poverty"), which
is also kept alone as ``skos:altLabel``; a target's is "Target 11.1" ("Cible 11.1", "Meta
11.1"). The ``skos:definition`` is the full official text. White space is normalised (the source
has line-wrapping and runs of spaces) and text is stored in Unicode NFC (the source is partly
decomposed, NFD).

A few short titles of the source are misspelt or are not the UN's short title;
:data:`SHORT_TITLE_OVERRIDES` replaces them with the UN's and records the change on the concept.
A French or Spanish text that the source lacks is left out (and logged), never made up.

Run ``python -m rightsgraph.ontology.build_sdg SOURCE`` to rewrite the packaged file, or with
``--check`` to exit with status 1 when it is out of date.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

log = logging.getLogger(__name__)

#: Date the scheme was first written; a constant so that the output does not depend on the day.
CREATED = "2026-11-22"
VERSION = "0.1.0"
LANGUAGES = ("en", "fr", "es")
GOALS = tuple(range(1, 18))
#: The number of targets of the 2030 Agenda.
TARGET_COUNT = 169

SCHEME = "http://metadata.un.org/sdg"
SDG = "http://metadata.un.org/sdg/"
SDGO = "http://metadata.un.org/sdg/ontology#"

#: Where the texts come from (the source files' repository) and what they reproduce.
SOURCE_REPOSITORY = "https://github.com/open-sdg/sdg-translations"
RES_70_1 = "https://undocs.org/A/RES/70/1"
RES_71_313 = "https://undocs.org/A/RES/71/313"
#: The UN's SDG pages, where the short titles the overrides restore are used.
UN_SDG_PAGES = {
    "en": "https://www.un.org/sustainabledevelopment/sustainable-development-goals/",
    "fr": "https://www.un.org/sustainabledevelopment/fr/objectifs-de-developpement-durable/",
    "es": "https://www.un.org/sustainabledevelopment/es/objetivos-de-desarrollo-sostenible/",
}

#: (goal, language) -> (the UN's short title, the source's form it replaces).
SHORT_TITLE_OVERRIDES: dict[tuple[int, str], tuple[str, str]] = {
    (8, "en"): ("Decent work and economic growth", "Decent jobs and economic growth"),
    (11, "en"): ("Sustainable cities and communities", "Sustainable cities & communities"),
    (16, "en"): (
        "Peace, justice and strong institutions",
        "Peace and justice - strong institutions",
    ),
    (7, "fr"): ("Énergie propre et d'un coût abordable", "Energies propres et d'un coût abordable"),
    (8, "fr"): (
        "Travail décent et croissance économique",
        "Travaux décent et croissance économique",
    ),
    (11, "es"): ("Ciudades y comunidades sostenibles", "Cuidades y Comunidades Sostenibles"),
}

#: Placeholders the source uses for a missing translation: treated as missing.
_PLACEHOLDERS = frozenset({"needs translation"})

_GOAL_LABEL = {
    "en": "Goal {n}: {short}",
    "fr": "Objectif {n} : {short}",
    "es": "Objetivo {n}: {short}",
}
_TARGET_LABEL = {"en": "Target {code}", "fr": "Cible {code}", "es": "Meta {code}"}
_TARGET_KEY = re.compile(r"^(?P<goal>\d{1,2})-(?P<target>\d{1,2}|[a-z])$")
_FLAT_GOAL_KEY = re.compile(r"^(?P<goal>\d{1,2})-(?P<field>short|title)$")


@dataclass(frozen=True)
class Goal:
    """One goal in one language: the short title (sentence case) and the official text."""

    short: str | None
    title: str | None


@dataclass
class SdgTexts:
    """The texts read from the source folder: per language, goals by number and targets by code
    (``"11.1"``), and the (language, code) pairs whose text the source lacks."""

    goals: dict[str, dict[int, Goal]] = field(default_factory=dict)
    targets: dict[str, dict[str, str]] = field(default_factory=dict)
    missing: list[tuple[str, str]] = field(default_factory=list)


def normalise(text: object) -> str | None:
    """NFC, white space collapsed, ``None`` for an empty value or a placeholder."""
    if text is None:
        return None
    if not isinstance(text, str | int | float):
        raise ValueError(f"expected a text, got {text!r}")
    out = " ".join(unicodedata.normalize("NFC", str(text)).split())
    if not out or out.casefold() in _PLACEHOLDERS:
        return None
    return out


def sentence_case(text: str) -> str:
    """``"Fin de la Pobreza"`` -> ``"Fin de la pobreza"`` (no short title has a proper noun)."""
    return text[:1].upper() + text[1:].lower()


def target_sort_key(code: str) -> tuple[int, int, int, str]:
    """Sort ``"1.2" < "1.10" < "1.a"``: goal, then numbered targets, then lettered ones."""
    goal, target = code.split(".")
    if target.isdigit():
        return (int(goal), 0, int(target), "")
    return (int(goal), 1, 0, target)


def _read_yaml(path: Path) -> Mapping[object, object]:
    """Raises ``OSError`` when the file cannot be read and ``ValueError`` when it is not a YAML
    mapping."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader when libyaml is there
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping")
    return data


def parse_goals(data: Mapping[object, object], where: str) -> dict[int, Goal]:
    """Goals from either layout of ``global_goals.yml``: nested (``'1': {short, title}``) or flat
    (``1-short``, ``1-title``). Raises ``ValueError`` on an unknown key or a duplicate."""
    fields: dict[int, dict[str, str | None]] = {}
    for key, value in data.items():
        flat = _FLAT_GOAL_KEY.match(str(key))
        if isinstance(value, dict):
            if not str(key).isdigit():
                raise ValueError(f"{where}: unexpected goal key {key!r}")
            entry = fields.setdefault(int(str(key)), {})
            for name in ("short", "title"):
                if name in entry:
                    raise ValueError(f"{where}: goal {key} {name} given twice")
                entry[name] = normalise(value.get(name))
        elif flat:
            entry = fields.setdefault(int(flat["goal"]), {})
            if flat["field"] in entry:
                raise ValueError(f"{where}: goal {flat['goal']} {flat['field']} given twice")
            entry[flat["field"]] = normalise(value)
        else:
            raise ValueError(f"{where}: unexpected key {key!r}")
    return {n: Goal(entry.get("short"), entry.get("title")) for n, entry in fields.items()}


def parse_targets(data: Mapping[object, object], where: str) -> dict[str, str | None]:
    """Targets of ``global_targets.yml`` (``'11-1': {title: ...}``) by code ``"11.1"``.

    Raises ``ValueError`` on a key that is not a target code or a repeated code.
    """
    out: dict[str, str | None] = {}
    for key, value in data.items():
        match = _TARGET_KEY.match(str(key))
        if not match or not isinstance(value, dict):
            raise ValueError(f"{where}: unexpected target entry {key!r}")
        code = f"{int(match['goal'])}.{match['target']}"
        if code in out:
            raise ValueError(f"{where}: target {code} given twice")
        out[code] = normalise(value.get("title"))
    return out


def load_texts(source: Path) -> SdgTexts:
    """Read and check ``{source}/{en,fr,es}/global_goals.yml`` and ``global_targets.yml``.

    English must be complete: exactly the 17 goals and 169 targets, each with its text. French and
    Spanish may only have the same codes; a text they lack is recorded in ``missing`` and left
    out. No language may give the same text to two targets or two goals.

    Raises ``OSError`` when a file cannot be read and ``ValueError`` when a check fails.
    """
    texts = SdgTexts()
    for lang in LANGUAGES:
        folder = source / lang
        goals = parse_goals(_read_yaml(folder / "global_goals.yml"), f"{lang}/global_goals.yml")
        targets = parse_targets(
            _read_yaml(folder / "global_targets.yml"), f"{lang}/global_targets.yml"
        )
        if set(goals) != set(GOALS):
            raise ValueError(f"{lang}: goals {sorted(goals)}, expected 1-17")
        if any(int(code.split(".")[0]) not in GOALS for code in targets):
            raise ValueError(f"{lang}: a target of an unknown goal")
        if lang == "en":
            if len(targets) != TARGET_COUNT:
                raise ValueError(f"en: {len(targets)} targets, expected {TARGET_COUNT}")
            incomplete = sorted(c for c, t in targets.items() if t is None) + sorted(
                str(n) for n, g in goals.items() if g.short is None or g.title is None
            )
            if incomplete:
                raise ValueError(f"en: no text for {incomplete}")
        else:
            stray = sorted(set(targets) - set(texts.targets["en"]))
            if stray:
                raise ValueError(f"{lang}: targets that English does not have: {stray}")
        absent = set(texts.targets.get("en", targets)) - set(targets)
        for code in sorted(absent, key=target_sort_key):
            targets[code] = None
        for code, text in targets.items():
            if text is None:
                texts.missing.append((lang, code))
        for n, goal in goals.items():
            if goal.title is None:
                texts.missing.append((lang, str(n)))
        _check_unique(lang, "targets", targets)
        _check_unique(lang, "goals", {str(n): g.title for n, g in goals.items()})
        texts.goals[lang] = goals
        texts.targets[lang] = {c: t for c, t in targets.items() if t is not None}
    for lang, code in texts.missing:
        log.warning("%s: the source has no text for %s; that label is left out", lang, code)
    return texts


def _check_unique(lang: str, what: str, texts: Mapping[str, str | None]) -> None:
    seen: dict[str, str] = {}
    for code, text in texts.items():
        if text is None:
            continue
        key = text.casefold()
        if key in seen:
            raise ValueError(f"{lang}: {what} {seen[key]} and {code} have the same text")
        seen[key] = code


def short_title(goal: int, lang: str, source_short: str | None) -> str | None:
    """The UN short title: the source's in sentence case, or its override."""
    if (goal, lang) in SHORT_TITLE_OVERRIDES:
        title, replaced = SHORT_TITLE_OVERRIDES[(goal, lang)]
        if source_short is not None and sentence_case(source_short) != sentence_case(replaced):
            raise ValueError(
                f"goal {goal} ({lang}): the source now says {source_short!r}, not {replaced!r}; "
                "review SHORT_TITLE_OVERRIDES"
            )
        return title
    return sentence_case(source_short) if source_short else None


# -- Turtle ------------------------------------------------------------------------------------
def _literal(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def _objects(values: Iterable[str], indent: str = "        ") -> str:
    return (" ,\n" + indent).join(values)


def _by_lang(values: Mapping[str, str | None]) -> list[str]:
    """One literal per language that has a value, in the order en, fr, es."""
    out = []
    for lang in LANGUAGES:
        value = values.get(lang)
        if value:
            out.append(_literal(value, lang))
    return out


_LANGUAGE_NAMES: dict[str, tuple[str, str, str]] = {
    "en": ("English", "anglais", "inglés"),
    "fr": ("French", "français", "francés"),
    "es": ("Spanish", "espagnol", "español"),
}


def _override_note(goal: int, langs: Sequence[str]) -> tuple[str, str, str]:
    """The editorial note (en, fr, es) of a goal whose short title in ``langs`` was replaced."""
    replaced = " ; ".join(f'"{SHORT_TITLE_OVERRIDES[(goal, lang)][1]}"' for lang in langs)
    en = " and ".join(_LANGUAGE_NAMES[lang][0] for lang in langs)
    fr = " et ".join(_LANGUAGE_NAMES[lang][1] for lang in langs)
    es = " y ".join(_LANGUAGE_NAMES[lang][2] for lang in langs)
    if len(langs) == 1:
        return (
            f"The {en} short title (preferred and alternative labels) is the UN's; it replaces "
            f"the form of open-sdg/sdg-translations: {replaced}.",
            f"Le titre court en {fr} (libellés préféré et alternatif) est celui de l'ONU ; il "
            f"remplace la forme d'open-sdg/sdg-translations : {replaced}.",
            f"El título corto en {es} (etiquetas preferida y alternativa) es el de la ONU; "
            f"sustituye a la forma de open-sdg/sdg-translations: {replaced}.",
        )
    return (
        f"The {en} short titles (preferred and alternative labels) are the UN's; they replace "
        f"the forms of open-sdg/sdg-translations: {replaced}.",
        f"Les titres courts en {fr} (libellés préférés et alternatifs) sont ceux de l'ONU ; ils "
        f"remplacent les formes d'open-sdg/sdg-translations : {replaced}.",
        f"Los títulos cortos en {es} (etiquetas preferidas y alternativas) son los de la ONU; "
        f"sustituyen a las formas de open-sdg/sdg-translations: {replaced}.",
    )


def _goal_block(n: int, texts: SdgTexts) -> str:
    shorts = {lang: short_title(n, lang, texts.goals[lang][n].short) for lang in LANGUAGES}
    prefs = {
        lang: _GOAL_LABEL[lang].format(n=n, short=short)
        for lang, short in shorts.items()
        if short is not None
    }
    definitions = {lang: texts.goals[lang][n].title for lang in LANGUAGES}
    targets = sorted(
        (c for c in texts.targets["en"] if c.split(".")[0] == str(n)), key=target_sort_key
    )
    lines = [
        f"sdg:{n} a skos:Concept , sdgo:Goal ;",
        f"    skos:inScheme <{SCHEME}> ;",
        f"    skos:topConceptOf <{SCHEME}> ;",
        f'    skos:notation "{n}" ;',
        "    skos:prefLabel " + " , ".join(_by_lang(prefs)) + " ;",
        "    skos:altLabel " + " , ".join(_by_lang(shorts)) + " ;",
        "    skos:definition\n        " + _objects(_by_lang(definitions)) + " ;",
        "    sdgo:hasTarget\n        "
        + " ,\n        ".join(
            " , ".join(f"sdg:{c}" for c in targets[i : i + 8]) for i in range(0, len(targets), 8)
        )
        + " ;",
    ]
    overridden = [lang for lang in LANGUAGES if (n, lang) in SHORT_TITLE_OVERRIDES]
    sources = [f"<{RES_70_1}>"]
    if overridden:
        note = _override_note(n, overridden)
        lines.append(
            "    skos:editorialNote\n        "
            + _objects(_literal(t, lang) for t, lang in zip(note, LANGUAGES, strict=True))
            + " ;"
        )
        sources += [f"<{UN_SDG_PAGES[lang]}>" for lang in overridden]
    lines.append(f"    dcterms:source {' , '.join(sources)} .")
    return "\n".join(lines)


def _target_block(code: str, texts: SdgTexts) -> str:
    goal = code.split(".")[0]
    prefs = {lang: _TARGET_LABEL[lang].format(code=code) for lang in LANGUAGES}
    definitions = {lang: texts.targets[lang].get(code) for lang in LANGUAGES}
    return "\n".join(
        [
            f"sdg:{code} a skos:Concept , sdgo:Target ;",
            f"    skos:inScheme <{SCHEME}> ;",
            f"    skos:broader sdg:{goal} ;",
            f'    skos:notation "{code}" ;',
            "    skos:prefLabel " + " , ".join(_by_lang(prefs)) + " ;",
            "    skos:definition\n        " + _objects(_by_lang(definitions)) + " ;",
            f"    dcterms:source <{RES_70_1}> .",
        ]
    )


_SCHEME_TEXT = {
    "label": (
        "Sustainable Development Goals",
        "Objectifs de développement durable",
        "Objetivos de Desarrollo Sostenible",
    ),
    "definition": (
        "The 17 goals and 169 targets of the 2030 Agenda for Sustainable Development (General "
        "Assembly resolution 70/1), with the United Nations' own identifiers "
        "(http://metadata.un.org/sdg).",
        "Les 17 objectifs et 169 cibles du Programme de développement durable à l'horizon 2030 "
        "(résolution 70/1 de l'Assemblée générale), avec les identifiants de l'Organisation des "
        "Nations Unies (http://metadata.un.org/sdg).",
        "Los 17 objetivos y 169 metas de la Agenda 2030 para el Desarrollo Sostenible (resolución "
        "70/1 de la Asamblea General), con los identificadores de las Naciones Unidas "
        "(http://metadata.un.org/sdg).",
    ),
    "note": (
        "Definitions are the official texts of the goals and targets, as restated in the global "
        "indicator framework (resolution 71/313) and read from open-sdg/sdg-translations. A "
        "goal's preferred label is its number and the UN's short title; a target's is its "
        "number. Concepts, classes and sdgo:hasTarget are the UN's (metadata.un.org); the scheme "
        "is a copy for joining, not an authority: metadata.un.org is.",
        "Les définitions sont les textes officiels des objectifs et des cibles, tels que repris "
        "dans le cadre mondial d'indicateurs (résolution 71/313) et lus dans "
        "open-sdg/sdg-translations. Le libellé préféré d'un objectif est son numéro et le titre "
        "court de l'ONU ; celui d'une cible est son numéro. Les concepts, les classes et "
        "sdgo:hasTarget sont ceux de l'ONU (metadata.un.org) ; le schéma en est une copie pour "
        "les jointures, non une autorité : metadata.un.org l'est.",
        "Las definiciones son los textos oficiales de los objetivos y las metas, tal como los "
        "recoge el marco de indicadores mundiales (resolución 71/313), leídos de "
        "open-sdg/sdg-translations. La etiqueta preferida de un objetivo es su número y el "
        "título corto de la ONU; la de una meta, su número. Los conceptos, las clases y "
        "sdgo:hasTarget son los de la ONU (metadata.un.org); el esquema es una copia para las "
        "uniones, no una autoridad: metadata.un.org lo es.",
    ),
}

_HEADER = """\
@prefix sdg:     <http://metadata.un.org/sdg/> .
@prefix sdgo:    <http://metadata.un.org/sdg/ontology#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .

# GENERATED FILE: do not edit. Rewrite it with
# `python -m rightsgraph.ontology.build_sdg SOURCE`, where SOURCE holds
# {en,fr,es}/global_goals.yml and {en,fr,es}/global_targets.yml of the public repository
# open-sdg/sdg-translations (https://github.com/open-sdg/sdg-translations, folder translations/).
#
# The UN Sustainable Development Goals: 17 goals and 169 targets, texts in en, fr and es (the goals
# and targets of General Assembly resolution A/RES/70/1, as restated in the global indicator
# framework, A/RES/71/313). Short titles: the source's, in sentence case, except where
# build_sdg.SHORT_TITLE_OVERRIDES restores the UN's (noted on the concept).
#
# IRI forms (checked in the code of the UN's own site, repository
# dag-hammarskjold-library/metadata-un-org, and in UNStats' LOD4Stats wiki page
# "SDG-Knowledge-Organization-System"):
# - scheme http://metadata.un.org/sdg; goal http://metadata.un.org/sdg/{n}, n = 1..17 unpadded;
#   target http://metadata.un.org/sdg/{goal}.{target}, both parts unpadded (1.1, 10.2, 16.b);
#   classes sdgo:Goal and sdgo:Target, goal -> target sdgo:hasTarget (the LOD4Stats page shows
#   target 1.1 as <http://metadata.un.org/sdg/1.1> a sdgo:Target , skos:Concept).
# - metadata/sdg/config.py (commit f0ac12c3a2df) matches target identifiers with
#   ^\\d{1,2}\\.[0-9a-z]$ and goals with ^\\d{1,2}$: two-digit goals have targets of the same form
#   (10.2, 16.b). Another version of the file (commit 1accfe7c4cd2, with a .../sdg/kos/ base)
#   had ^\\d\\.[0-9a-z]$, goals 1-9 only, which is where the doubt about goals 10-17 came from.
# - metadata/sdg/routes.py (commit 135ccaa9e838) lists a goal's targets from the last path
#   segment of each sdgo:hasTarget IRI, split at "." and zero-padded only to sort them: the IRIs
#   themselves are unpadded.
# - Not seen written out anywhere: the IRIs of the two-digit targets 8.10, 16.10 and 17.10-17.19
#   (the config.py pattern above allows one character after the dot). They are written here by
#   the same {goal}.{target} rule, which is an inference, not a verified fact.
"""


def render(texts: SdgTexts) -> str:
    """The full Turtle text of ``sdg.ttl``; the same texts always give the same output.

    Raises ``ValueError`` when a short-title override no longer matches the source.
    """
    targets = sorted(texts.targets["en"], key=target_sort_key)
    label, definition, note = (_SCHEME_TEXT[k] for k in ("label", "definition", "note"))
    scheme = [
        f"<{SCHEME}> a skos:ConceptScheme ;",
        "    skos:prefLabel "
        + " , ".join(_literal(t, lang) for t, lang in zip(label, LANGUAGES, strict=True))
        + " ;",
        "    skos:definition\n        "
        + _objects(_literal(t, lang) for t, lang in zip(definition, LANGUAGES, strict=True))
        + " ;",
        "    skos:editorialNote\n        "
        + _objects(_literal(t, lang) for t, lang in zip(note, LANGUAGES, strict=True))
        + " ;",
        f"    dcterms:source <{RES_70_1}> ,\n"
        f"        <{RES_71_313}> ,\n"
        f"        <{SOURCE_REPOSITORY}> ,\n"
        f"        <{SCHEME}> ;",
        f'    owl:versionInfo "{VERSION}" ;',
        f'    dcterms:created "{CREATED}"^^xsd:date ;',
        "    skos:hasTopConcept\n        "
        + " , ".join(f"sdg:{n}" for n in GOALS[:9])
        + " ,\n        "
        + " , ".join(f"sdg:{n}" for n in GOALS[9:])
        + " .",
    ]
    missing = ""
    if texts.missing:
        shown = ", ".join(f"{code} ({lang})" for lang, code in texts.missing)
        missing = f"\n# Texts the source lacks, left out: {shown}.\n"
    sections: list[str] = []
    for n in GOALS:
        rule = "# " + "-" * 93
        sections.append(f"{rule}\n# Goal {n}\n{rule}\n\n{_goal_block(n, texts)}")
        for code in (c for c in targets if c.split(".")[0] == str(n)):
            sections.append(_target_block(code, texts))
    return _HEADER + missing + "\n" + "\n".join(scheme) + "\n\n" + "\n\n".join(sections) + "\n"


def output_path() -> Path:
    """Where the packaged ``sdg.ttl`` lives in this (source or editable) install.

    Raises ``OSError`` when the package is not on a file system (a zipped install).
    """
    node = resources.files("rightsgraph.ontology") / "vocab" / "sdg.ttl"
    if not isinstance(node, Path):
        raise OSError("rightsgraph.ontology is not installed on a file system; pass --output")
    return node


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: rewrite ``sdg.ttl`` (default), or ``--check`` that it is up to date.

    Returns 1 when ``--check`` finds the file out of date, 2 when the source cannot be read or
    fails a check.
    """
    parser = argparse.ArgumentParser(
        prog="python -m rightsgraph.ontology.build_sdg", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "source", type=Path, help="folder with {en,fr,es}/global_goals.yml and global_targets.yml"
    )
    parser.add_argument("--output", type=Path, help="file to write (default: the packaged file)")
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the file is out of date"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        texts = load_texts(args.source)
        text = render(texts)
    except (OSError, ValueError) as exc:
        log.error("%s", exc)
        return 2
    target: Path = args.output or output_path()
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            log.error("%s is out of date; run python -m rightsgraph.ontology.build_sdg", target)
            return 1
        log.info("%s is up to date", target)
        return 0
    target.write_text(text, encoding="utf-8")
    log.info(
        "wrote %s (%d goals, %d targets)", target, len(GOALS), len(texts.targets["en"])
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
