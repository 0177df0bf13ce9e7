"""Generate the country scheme ``ontology/vocab/countries.ttl`` from pycountry and ``data/m49.csv``.

Why generated: the scheme has one concept per ISO 3166-1 country (about 250), with labels in three
languages that pycountry already maintains (ISO names in English, the iso-codes translations in
French and Spanish). Writing them by hand would drift from the standard; generating them keeps the
file reproducible, and ``tests/test_vocab.py`` regenerates it in memory to check it is up to date.

Each country gets ``skos:notation`` alpha-2 and alpha-3, ``rg:m49Code`` (the UN M49 country code
from ``data/m49.csv``, which equals the ISO 3166-1 numeric code; Taiwan has an ISO numeric code but
no M49 code, so it gets none), ``rg:m49Region`` and ``rg:m49SubRegion`` (English names from
``data/m49.csv``) and ``rg:uclgRegion``. The UCLG region is the project's *derived* assignment
(:func:`uclg_region`), not an official UCLG membership list.

The iso-codes translations have errors in French and Spanish (misspellings, wrong language,
lower-case "état", non-UN forms); :data:`LABEL_OVERRIDES` replaces those labels with the UN short
names (UN terminology database, UNTERM) and records the change on the concept.

Run ``python -m rightsgraph.ontology.build_countries`` to rewrite the packaged file, or with
``--check`` to exit with status 1 when it is out of date. The output is deterministic: countries
are sorted by alpha-2 code and every list is sorted.
"""

from __future__ import annotations

import argparse
import csv
import gettext
import io
import logging
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pycountry

from rightsgraph.resources import read_text

log = logging.getLogger(__name__)

#: Date the scheme was first written; a constant so that the output does not depend on the day.
CREATED = "2026-11-22"
VERSION = "0.1.0"
LANGUAGES = ("en", "fr", "es")

#: The rule: UN M49 sub-region -> UCLG world region (codes of ``uclg-regions.ttl``).
SUBREGION_TO_UCLG: dict[str, str] = {
    "Northern Africa": "africa",
    "Sub-Saharan Africa": "africa",
    "Latin America and the Caribbean": "latin-america",
    "Northern America": "north-america",
    "Central Asia": "eurasia",
    "Eastern Asia": "asia-pacific",
    "South-eastern Asia": "asia-pacific",
    "Southern Asia": "asia-pacific",
    "Western Asia": "middle-east-west-asia",
    "Eastern Europe": "europe",
    "Northern Europe": "europe",
    "Southern Europe": "europe",
    "Western Europe": "europe",
    "Australia and New Zealand": "asia-pacific",
    "Melanesia": "asia-pacific",
    "Micronesia": "asia-pacific",
    "Polynesia": "asia-pacific",
}

_POST_SOVIET = "a former Soviet state outside the Baltic states, assigned to Eurasia"

#: Exceptions to the rule, with the reason recorded on the concept (English; the notes in French
#: and Spanish are in :data:`_OVERRIDE_NOTES`).
UCLG_OVERRIDES: dict[str, tuple[str, str]] = {
    "AM": ("eurasia", "south-caucasus"),
    "AZ": ("eurasia", "south-caucasus"),
    "GE": ("eurasia", "south-caucasus"),
    "BY": ("eurasia", "eastern-europe-post-soviet"),
    "MD": ("eurasia", "eastern-europe-post-soviet"),
    "RU": ("eurasia", "eastern-europe-post-soviet"),
    "UA": ("eurasia", "eastern-europe-post-soviet"),
    "CY": ("europe", "cyprus"),
    "IR": ("middle-east-west-asia", "iran"),
    "TW": ("asia-pacific", "not-in-m49"),
}

_OVERRIDE_NOTES: dict[str, tuple[str, str, str]] = {
    "south-caucasus": (
        "UCLG region: an exception to the M49 rule. M49 places this country in Western Asia; as "
        + _POST_SOVIET + ".",
        "Région CGLU : exception à la règle M49. La M49 place ce pays en Asie occidentale ; "
        "ancien État soviétique hors pays baltes, il est rattaché à l'Eurasie.",
        "Región de CGLU: excepción a la regla M49. La M49 sitúa este país en Asia occidental; "
        "como antiguo Estado soviético fuera de los países bálticos, se asigna a Eurasia.",
    ),
    "eastern-europe-post-soviet": (
        "UCLG region: an exception to the M49 rule. M49 places this country in Eastern Europe; as "
        + _POST_SOVIET + ".",
        "Région CGLU : exception à la règle M49. La M49 place ce pays en Europe de l'Est ; "
        "ancien État soviétique hors pays baltes, il est rattaché à l'Eurasie.",
        "Región de CGLU: excepción a la regla M49. La M49 sitúa este país en Europa oriental; "
        "como antiguo Estado soviético fuera de los países bálticos, se asigna a Eurasia.",
    ),
    "cyprus": (
        "UCLG region: an exception to the M49 rule. M49 places Cyprus in Western Asia; as a member "
        "State of the European Union it is assigned to Europe.",
        "Région CGLU : exception à la règle M49. La M49 place Chypre en Asie occidentale ; État "
        "membre de l'Union européenne, elle est rattachée à l'Europe.",
        "Región de CGLU: excepción a la regla M49. La M49 sitúa Chipre en Asia occidental; como "
        "Estado miembro de la Unión Europea, se asigna a Europa.",
    ),
    "iran": (
        "UCLG region: an exception to the M49 rule. M49 places Iran in Southern Asia; it is "
        "assigned to the Middle East and West Asia, where it is usually counted.",
        "Région CGLU : exception à la règle M49. La M49 place l'Iran en Asie du Sud ; il est "
        "rattaché au Moyen-Orient et à l'Asie de l'Ouest, où il est habituellement compté.",
        "Región de CGLU: excepción a la regla M49. La M49 sitúa Irán en Asia meridional; se asigna "
        "a Oriente Medio y Asia Occidental, donde suele contarse.",
    ),
    "not-in-m49": (
        "Not listed in the UN M49 standard, so it has no M49 code and no M49 region (158 is only "
        "its ISO 3166-1 numeric code); its UCLG region is assigned by location (East Asia).",
        "Absent de la norme M49 des Nations unies, il n'a donc ni code ni région M49 (158 n'est "
        "que son code numérique ISO 3166-1) ; sa région CGLU est attribuée selon sa situation "
        "géographique (Asie de l'Est).",
        "No figura en la norma M49 de las Naciones Unidas, por lo que no tiene código ni región "
        "M49 (158 es solo su código numérico ISO 3166-1); su región de CGLU se asigna según su "
        "ubicación (Asia oriental).",
    ),
}

#: Countries that get no UCLG region at all (no local government, no M49 region).
NO_UCLG_REGION: frozenset[str] = frozenset({"AQ"})

_NO_REGION_NOTES = (
    "No M49 region and no UCLG region: the territory has no local government.",
    "Ni région M49 ni région CGLU : le territoire n'a pas de gouvernement local.",
    "Sin región M49 ni región de CGLU: el territorio no tiene gobierno local.",
)

#: Where the UN short names of the overrides come from.
UNTERM = "https://unterm.un.org/"

#: Corrections of the iso-codes translations: (alpha-2, language) -> (prefLabel, altLabels). The
#: prefLabel is the UN short name in that language (UN terminology database, UNTERM); the
#: altLabels are well-formed variants that stay useful for look-up (the replaced pycountry form
#: when it is a correct name, or its corrected spelling). A replaced form that is simply wrong
#: (misspelt, in the wrong language, lower-case "état") is dropped. Only names whose UN form is
#: certain are listed; English labels stay the ISO 3166-1 names.
LABEL_OVERRIDES: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    ("AX", "es"): ("Islas Åland", ()),  # iso-codes: "Islas Äland"
    ("BF", "es"): ("Burkina Faso", ()),  # "Burquina Faso"
    ("BO", "fr"): ("Bolivie (État plurinational de)", ()),  # "Bolivie, état plurinational de"
    ("CI", "es"): ("Côte d'Ivoire", ("Costa de Marfil",)),  # "Costa de Marfíl"
    ("CV", "fr"): ("Cabo Verde", ("Cap-Vert",)),
    ("DZ", "es"): ("Argelia", ()),  # "Algeria" (English)
    ("GL", "fr"): ("Groenland", ()),  # "Groënland"
    ("KM", "es"): ("Comoras", ()),  # "Comores, Islas"
    ("MD", "es"): ("República de Moldova", ()),  # "Moldavia, República de"
    ("MD", "fr"): ("République de Moldova", ()),  # "Moldova, République de"
    ("MM", "es"): ("Myanmar", ("Birmania",)),
    ("MM", "fr"): ("Myanmar", ("Birmanie",)),
    ("MO", "fr"): ("Macao", ("Macau",)),
    ("NE", "es"): ("Níger", ()),  # "Niger"
    ("RU", "es"): ("Federación de Rusia", ("Federación Rusa",)),
    ("RU", "fr"): ("Fédération de Russie", ()),  # "Russie, Fédération de"
    ("SR", "es"): ("Suriname", ("Surinam",)),  # "Surinám"
    ("SV", "fr"): ("El Salvador", ("Salvador",)),
    ("SY", "es"): ("República Árabe Siria", ()),  # "República árabe de Siria"
    ("SY", "fr"): ("République arabe syrienne", ()),  # "Syrienne, République arabe"
    ("TL", "es"): ("Timor-Leste", ("Timor Oriental",)),
    ("TL", "fr"): ("Timor-Leste", ("Timor oriental",)),
    ("TN", "es"): ("Túnez", ()),  # "Tunez"
    ("VA", "fr"): ("Saint-Siège (État de la Cité du Vatican)", ()),  # "(état de la cité ...)"
    ("VE", "fr"): ("Venezuela (République bolivarienne du)", ()),  # "Vénézuela, république ..."
    ("VI", "es"): ("Islas Vírgenes de los Estados Unidos", ()),  # "Islas Vírgenes, de EEUU."
}

_LANGUAGE_NAMES: dict[str, tuple[str, str, str]] = {
    "fr": ("French", "français", "francés"),
    "es": ("Spanish", "espagnol", "español"),
}


def _label_note(langs: Sequence[str]) -> tuple[str, str, str]:
    """The editorial note (en, fr, es) of a concept whose labels in ``langs`` were replaced."""
    en = " and ".join(_LANGUAGE_NAMES[lang][0] for lang in langs)
    fr = " et ".join(_LANGUAGE_NAMES[lang][1] for lang in langs)
    es = " y ".join(_LANGUAGE_NAMES[lang][2] for lang in langs)
    if len(langs) == 1:
        return (
            f"The {en} preferred label is the UN short name (UNTERM); it replaces the iso-codes "
            "translation.",
            f"Le libellé préféré en {fr} est le nom court de l'ONU (UNTERM) ; il remplace la "
            "traduction d'iso-codes.",
            f"La etiqueta preferida en {es} es el nombre corto de la ONU (UNTERM); sustituye a la "
            "traducción de iso-codes.",
        )
    return (
        f"The {en} preferred labels are the UN short names (UNTERM); they replace the iso-codes "
        "translations.",
        f"Les libellés préférés en {fr} sont les noms courts de l'ONU (UNTERM) ; ils remplacent "
        "les traductions d'iso-codes.",
        f"Las etiquetas preferidas en {es} son los nombres cortos de la ONU (UNTERM); sustituyen "
        "a las traducciones de iso-codes.",
    )


_RULE = (
    "The UCLG region of each country is the project's derived assignment, not an official UCLG "
    "membership list: it follows the UN M49 sub-region (Northern and Sub-Saharan Africa to Africa; "
    "Latin America and the Caribbean to Latin America; Northern America to North America; Central "
    "Asia and the former Soviet states outside the Baltic states (Armenia, Azerbaijan, Belarus, "
    "Georgia, Moldova, Russia, Ukraine) to Eurasia; Western Asia and Iran to the Middle East and "
    "West Asia; the rest of Europe, and Cyprus, to Europe; Eastern, South-eastern and Southern "
    "Asia and Oceania to Asia-Pacific). Taiwan, absent from M49, is placed by location; Antarctica "
    "has no region. A territory may state its own UCLG region, which takes precedence.",
    "La région CGLU de chaque pays est une attribution dérivée par le projet, non une liste "
    "officielle des membres de CGLU : elle suit la sous-région M49 des Nations unies (Afrique du "
    "Nord et subsaharienne vers l'Afrique ; Amérique latine et Caraïbes vers l'Amérique latine ; "
    "Amérique septentrionale vers l'Amérique du Nord ; Asie centrale et anciens États soviétiques "
    "hors pays baltes (Arménie, Azerbaïdjan, Biélorussie, Géorgie, Moldavie, Russie, Ukraine) vers "
    "l'Eurasie ; Asie occidentale et Iran vers le Moyen-Orient et l'Asie de l'Ouest ; le reste de "
    "l'Europe, et Chypre, vers l'Europe ; Asie orientale, du Sud-Est et du Sud et Océanie vers "
    "l'Asie-Pacifique). Taïwan, absent de la M49, est placé selon sa situation ; l'Antarctique n'a "
    "pas de région. Un territoire peut indiquer sa propre région CGLU, qui prévaut.",
    "La región de CGLU de cada país es una asignación derivada por el proyecto, no una lista "
    "oficial de miembros de CGLU: sigue la subregión M49 de las Naciones Unidas (África "
    "septentrional y subsahariana a África; América Latina y el Caribe a América Latina; América "
    "septentrional a América del Norte; Asia central y los antiguos Estados soviéticos fuera de "
    "los países bálticos (Armenia, Azerbaiyán, Bielorrusia, Georgia, Moldavia, Rusia, Ucrania) a "
    "Eurasia; Asia occidental e Irán a Oriente Medio y Asia Occidental; el resto de Europa, y "
    "Chipre, a Europa; Asia oriental, sudoriental y meridional y Oceanía a Asia-Pacífico). Taiwán, "
    "ausente de la M49, se sitúa según su ubicación; la Antártida no tiene región. Un territorio "
    "puede indicar su propia región de CGLU, que prevalece.",
)


_NOTE = (
    "rg:uclgRegion is the project's derived assignment (see dcterms:description), not an official "
    "UCLG membership list; check a territory's actual UCLG section before relying on it.",
    "rg:uclgRegion est une attribution dérivée par le projet (voir dcterms:description), non une "
    "liste officielle des membres de CGLU ; vérifiez la section CGLU réelle d'un territoire avant "
    "de vous y fier.",
    "rg:uclgRegion es una asignación derivada por el proyecto (véase dcterms:description), no una "
    "lista oficial de miembros de CGLU; compruebe la sección de CGLU real de un territorio antes "
    "de basarse en ella.",
)


@dataclass(frozen=True)
class M49Entry:
    """One row of ``data/m49.csv``; ``m49``, ``region`` and ``subregion`` are empty when M49 has
    none."""

    alpha2: str
    m49: str
    region: str
    subregion: str


def load_m49(text: str | None = None) -> dict[str, M49Entry]:
    """Read ``data/m49.csv`` (or ``text``) into a mapping keyed by alpha-2 code.

    The M49 code is empty for an ISO 3166-1 entry that M49 does not list (Taiwan); such a row
    must have no region either.

    Raises ``ValueError`` when the header is wrong, a code is malformed or repeated, a sub-region
    is not one of the M49 sub-regions the rule knows, or a row has a region but no M49 code.
    """
    if text is None:
        text = read_text("data", "m49.csv")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != ["alpha2", "m49", "region", "subregion"]:
        raise ValueError(f"m49.csv: unexpected header {reader.fieldnames!r}")
    out: dict[str, M49Entry] = {}
    for line, row in enumerate(reader, start=2):
        entry = M49Entry(row["alpha2"], row["m49"], row["region"], row["subregion"])
        if not re.fullmatch(r"[A-Z]{2}", entry.alpha2) or not re.fullmatch(r"(\d{3})?", entry.m49):
            raise ValueError(
                f"m49.csv line {line}: malformed codes {entry.alpha2!r}, {entry.m49!r}"
            )
        if entry.alpha2 in out:
            raise ValueError(f"m49.csv line {line}: {entry.alpha2} appears twice")
        if entry.subregion and entry.subregion not in SUBREGION_TO_UCLG:
            raise ValueError(f"m49.csv line {line}: unknown sub-region {entry.subregion!r}")
        if bool(entry.region) != bool(entry.subregion):
            raise ValueError(
                f"m49.csv line {line}: region and sub-region must both be set or empty"
            )
        if entry.region and not entry.m49:
            raise ValueError(f"m49.csv line {line}: {entry.alpha2} has a region but no M49 code")
        out[entry.alpha2] = entry
    return out


def uclg_region(alpha2: str, entry: M49Entry | None) -> str | None:
    """The derived UCLG region code of a country, or ``None`` (Antarctica).

    Raises ``ValueError`` when a country has neither an M49 sub-region nor an explicit rule, so a
    new ISO code cannot slip through without a decision.
    """
    if alpha2 in NO_UCLG_REGION:
        return None
    if alpha2 in UCLG_OVERRIDES:
        return UCLG_OVERRIDES[alpha2][0]
    if entry is None or not entry.subregion:
        raise ValueError(f"{alpha2}: no M49 sub-region and no UCLG rule; add one to data/m49.csv")
    return SUBREGION_TO_UCLG[entry.subregion]


def _literal(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def _objects(values: Iterable[str], indent: str = "        ") -> str:
    return (" ,\n" + indent).join(values)


def _translators() -> dict[str, gettext.NullTranslations]:
    """The iso3166-1 translations shipped with pycountry (English is the identity).

    Raises ``OSError`` (``FileNotFoundError``) if pycountry was installed without its locales.
    """
    out: dict[str, gettext.NullTranslations] = {"en": gettext.NullTranslations()}
    for lang in LANGUAGES[1:]:
        out[lang] = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
    return out


def _fold(text: str) -> str:
    return text.casefold()


def _country_block(
    country: Any,
    entry: M49Entry | None,
    translators: dict[str, gettext.NullTranslations],
) -> str:
    alpha2: str = country.alpha_2
    alpha3: str = country.alpha_3
    numeric: str = country.numeric
    name: str = country.name
    extra_names = [
        n
        for n in (getattr(country, "common_name", None), getattr(country, "official_name", None))
        if n
    ]

    pref = {lang: translators[lang].gettext(name) for lang in LANGUAGES}
    overridden = [lang for lang in LANGUAGES if (alpha2, lang) in LABEL_OVERRIDES]
    variants: dict[str, tuple[str, ...]] = {lang: () for lang in LANGUAGES}
    for lang in overridden:
        pref[lang], variants[lang] = LABEL_OVERRIDES[(alpha2, lang)]
    alts: list[str] = []
    for lang in LANGUAGES:
        seen = {_fold(pref[lang])}
        for label in (
            *variants[lang],
            *(translators[lang].gettext(extra) for extra in extra_names),
        ):
            if _fold(label) in seen:
                continue
            seen.add(_fold(label))
            alts.append(_literal(label, lang))

    m49_code = entry.m49 if entry else numeric
    region = uclg_region(alpha2, entry)
    lines = [
        f"countries:{alpha2} a skos:Concept , rg:Country ;",
        "    skos:inScheme rgv:countries ;",
        "    skos:topConceptOf rgv:countries ;",
        f'    skos:notation "{alpha2}" , "{alpha3}" ;',
        "    skos:prefLabel " + " , ".join(_literal(pref[lang], lang) for lang in LANGUAGES) + " ;",
    ]
    if alts:
        lines.append("    skos:altLabel " + _objects(alts) + " ;")
    lines.append(
        "    skos:definition\n        "
        + _objects(
            [
                _literal(
                    f"The country or territory with ISO 3166-1 alpha-2 code {alpha2} "
                    f"(alpha-3 {alpha3}, numeric {numeric}).",
                    "en",
                ),
                _literal(
                    f"Le pays ou territoire de code ISO 3166-1 alpha-2 {alpha2} "
                    f"(alpha-3 {alpha3}, numérique {numeric}).",
                    "fr",
                ),
                _literal(
                    f"El país o territorio con código ISO 3166-1 alfa-2 {alpha2} "
                    f"(alfa-3 {alpha3}, numérico {numeric}).",
                    "es",
                ),
            ]
        )
        + " ;"
    )
    if m49_code:
        lines.append(f'    rg:m49Code "{m49_code}" ;')
    if entry and entry.region:
        lines.append(f"    rg:m49Region {_literal(entry.region)} ;")
        lines.append(f"    rg:m49SubRegion {_literal(entry.subregion)} ;")
    if region:
        lines.append(f"    rg:uclgRegion uclg:{region} ;")
    notes: list[tuple[str, str, str]] = []
    if alpha2 in UCLG_OVERRIDES:
        notes.append(_OVERRIDE_NOTES[UCLG_OVERRIDES[alpha2][1]])
    elif alpha2 in NO_UCLG_REGION:
        notes.append(_NO_REGION_NOTES)
    if overridden:
        notes.append(_label_note(overridden))
    if notes:
        lines.append(
            "    skos:editorialNote\n        "
            + _objects(
                _literal(text, lang)
                for note in notes
                for text, lang in zip(note, LANGUAGES, strict=True)
            )
            + " ;"
        )
    sources = ["<https://www.iso.org/iso-3166-country-codes.html>"]
    if overridden:
        sources.append(f"<{UNTERM}>")
    lines.append(f"    dcterms:source {' , '.join(sources)} .")
    return "\n".join(lines)


_HEADER = """\
@prefix rg:        <https://w3id.org/rightsgraph/ontology#> .
@prefix rgv:       <https://w3id.org/rightsgraph/vocab/> .
@prefix countries: <https://w3id.org/rightsgraph/vocab/countries/> .
@prefix uclg:      <https://w3id.org/rightsgraph/vocab/uclg-regions/> .
@prefix skos:      <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms:   <http://purl.org/dc/terms/> .
@prefix owl:       <http://www.w3.org/2002/07/owl#> .
@prefix xsd:       <http://www.w3.org/2001/XMLSchema#> .

# GENERATED FILE: do not edit. Rewrite it with `python -m rightsgraph.ontology.build_countries`
# (sources: pycountry for ISO 3166-1 codes and names, data/m49.csv for UN M49 codes and regions,
# UN short names (UNTERM) where the French or Spanish iso-codes translation is wrong, and the UCLG
# rule in ontology/build_countries.py).
"""


def render(m49: dict[str, M49Entry] | None = None) -> str:
    """The full Turtle text of ``countries.ttl``; the same input always gives the same text.

    Raises ``ValueError`` (see :func:`load_m49`, :func:`uclg_region`, and for an entry of
    :data:`LABEL_OVERRIDES` that names an unknown country or language) and ``OSError`` when the
    translations are missing.
    """
    if m49 is None:
        m49 = load_m49()
    translators = _translators()
    countries = sorted(pycountry.countries, key=lambda c: c.alpha_2)
    codes = [c.alpha_2 for c in countries]
    stray = sorted(set(m49) - set(codes))
    if stray:
        raise ValueError(f"m49.csv has codes that are not ISO 3166-1 countries: {stray}")
    stray_labels = sorted(
        key for key in LABEL_OVERRIDES if key[0] not in codes or key[1] not in LANGUAGES[1:]
    )
    if stray_labels:
        raise ValueError(f"LABEL_OVERRIDES has unknown countries or languages: {stray_labels}")

    rule_en, rule_fr, rule_es = _RULE
    scheme = [
        "rgv:countries a skos:ConceptScheme ;",
        '    skos:prefLabel "Countries and territories"@en , "Pays et territoires"@fr , '
        '"Países y territorios"@es ;',
        "    skos:definition\n        "
        + _objects(
            [
                _literal(
                    "The countries and territories of ISO 3166-1, with their UN M49 region and "
                    "sub-region and a UCLG world region.",
                    "en",
                ),
                _literal(
                    "Les pays et territoires de l'ISO 3166-1, avec leur région et sous-région M49 "
                    "des Nations unies et une région mondiale de CGLU.",
                    "fr",
                ),
                _literal(
                    "Los países y territorios de la ISO 3166-1, con su región y subregión M49 de "
                    "las Naciones Unidas y una región mundial de CGLU.",
                    "es",
                ),
            ]
        )
        + " ;",
        "    dcterms:description\n        "
        + _objects([_literal(rule_en, "en"), _literal(rule_fr, "fr"), _literal(rule_es, "es")])
        + " ;",
        "    skos:editorialNote\n        "
        + _objects(_literal(text, lang) for text, lang in zip(_NOTE, LANGUAGES, strict=True))
        + " ;",
        "    dcterms:source <https://www.iso.org/iso-3166-country-codes.html> ,\n"
        "        <https://unstats.un.org/unsd/methodology/m49/> ,\n"
        f"        <{UNTERM}> ,\n"
        "        <https://www.cglu.org/en/organisation/structure/uclg-sections> ,\n"
        '        "pycountry (ISO 3166-1 data and iso-codes translations)" , "data/m49.csv" ;',
        f'    owl:versionInfo "{VERSION}" ;',
        f'    dcterms:created "{CREATED}"^^xsd:date ;',
        "    skos:hasTopConcept\n        "
        + " ,\n        ".join(
            " , ".join(f"countries:{code}" for code in codes[i : i + 10])
            for i in range(0, len(codes), 10)
        )
        + " .",
    ]
    blocks = [_country_block(c, m49.get(c.alpha_2), translators) for c in countries]
    return _HEADER + "\n" + "\n".join(scheme) + "\n\n" + "\n\n".join(blocks) + "\n"


def output_path() -> Path:
    """Where the packaged ``countries.ttl`` lives in this (source or editable) install.

    Raises ``OSError`` when the package is not on a file system (a zipped install), where the
    file cannot be rewritten.
    """
    node = resources.files("rightsgraph.ontology") / "vocab" / "countries.ttl"
    if not isinstance(node, Path):
        raise OSError("rightsgraph.ontology is not installed on a file system; pass --output")
    return node


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: rewrite ``countries.ttl`` (default), or ``--check`` that it is up to date."""
    parser = argparse.ArgumentParser(
        prog="python -m rightsgraph.ontology.build_countries", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--output", type=Path, help="file to write (default: the packaged file)")
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the file is out of date"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    target: Path = args.output or output_path()
    text = render()
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            log.error(
                "%s is out of date; run python -m rightsgraph.ontology.build_countries", target
            )
            return 1
        log.info("%s is up to date", target)
        return 0
    target.write_text(text, encoding="utf-8")
    log.info("wrote %s (%d countries)", target, len(list(pycountry.countries)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
