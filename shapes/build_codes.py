"""Generate ``shapes/codes.ttl``: the ISO code lists the shapes check against, from pycountry.

Why generated: the lists are long (249 countries, about 5,000 subdivisions, 184 two-letter
languages) and change with ISO updates; typing them by hand would drift. The output is
deterministic (sorted codes, no dates, no blank-node labels that depend on the run), so the
committed file only changes when pycountry's data changes, and a test re-generates it and compares.

Run it from the repository root::

    .venv/bin/python -m rightsgraph.shapes.build_codes            # writes shapes/codes.ttl
    .venv/bin/python -m rightsgraph.shapes.build_codes --check    # exit 1 if the file is stale

How the lists are written, and why:

- countries: ``sh:in`` (a readable list; 249 items cost little to read per validation);
- subdivisions: one ``sh:pattern`` with an alternation grouped by country, because pySHACL reads an
  ``sh:in`` list again on every validation and 5,000 items cost about 40 ms each time, while a
  compiled pattern is cached by Python's ``re`` and matches in microseconds;
- language tags: the RFC 5646 (BCP 47) grammar as a pattern, with the primary language subtag
  limited to the ISO 639-1 two-letter codes or any three-letter code (ISO 639-2/3 has about 8,000
  codes; those are checked for form only). The same pattern is used in a SHACL-SPARQL constraint on
  the language tags of ``rdf:langString`` literals.
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import version
from itertools import groupby
from pathlib import Path

import pycountry

#: Where the generated file goes (beside this script).
OUTPUT = Path(__file__).resolve().parent / "codes.ttl"

_PREFIXES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <https://schema.org/> .
@prefix rg: <https://w3id.org/rightsgraph/ontology#> .
@prefix rgsh: <https://w3id.org/rightsgraph/shapes#> .
"""

# Texts of the generated shapes: (name, description, message) per language.
_COUNTRY_TEXT = {
    "en": (
        "ISO 3166-1 country code",
        "A two-letter country code from the official ISO 3166-1 list, in capitals.",
        "This is not a country code from the ISO 3166-1 list. Use the two-letter code in "
        "capitals, for example ES for Spain or KR for the Republic of Korea.",
    ),
    "fr": (
        "Code de pays ISO 3166-1",
        "Un code de pays à deux lettres de la liste officielle ISO 3166-1, en majuscules.",
        "Ce n'est pas un code de pays de la liste ISO 3166-1. Utilisez le code à deux lettres en "
        "majuscules, par exemple FR pour la France ou SN pour le Sénégal.",
    ),
    "es": (
        "Código de país ISO 3166-1",
        "Un código de país de dos letras de la lista oficial ISO 3166-1, en mayúsculas.",
        "Este no es un código de país de la lista ISO 3166-1. Use el código de dos letras en "
        "mayúsculas, por ejemplo ES para España o MX para México.",
    ),
}
_SUBDIVISION_TEXT = {
    "en": (
        "ISO 3166-2 subdivision code",
        "A subdivision code from the official ISO 3166-2 list: the country code, a hyphen and "
        "the subdivision's own code.",
        "This is not a subdivision code from the ISO 3166-2 list. Write the country code, a "
        "hyphen and the region's code in capitals, for example ES-CT for Catalonia.",
    ),
    "fr": (
        "Code de subdivision ISO 3166-2",
        "Un code de subdivision de la liste officielle ISO 3166-2 : le code du pays, un tiret et "
        "le code propre de la subdivision.",
        "Ce n'est pas un code de subdivision de la liste ISO 3166-2. Écrivez le code du pays, un "
        "tiret et le code de la région en majuscules, par exemple FR-IDF pour l'Île-de-France.",
    ),
    "es": (
        "Código de subdivisión ISO 3166-2",
        "Un código de subdivisión de la lista oficial ISO 3166-2: el código del país, un guion y "
        "el código propio de la subdivisión.",
        "Este no es un código de subdivisión de la lista ISO 3166-2. Escriba el código del país, "
        "un guion y el código de la región en mayúsculas, por ejemplo ES-CT para Cataluña.",
    ),
}
_LANGUAGE_TEXT = {
    "en": (
        "BCP 47 language tag",
        "A language tag as defined by BCP 47 (RFC 5646), whose first part is an ISO 639 "
        "language code.",
        "This is not a valid language code. Use a BCP 47 tag such as en, fr, es, pt-BR or zh-Hant.",
    ),
    "fr": (
        "Étiquette de langue BCP 47",
        "Une étiquette de langue au sens de BCP 47 (RFC 5646), dont la première partie est un "
        "code de langue ISO 639.",
        "Ce code de langue n'est pas valide. Utilisez une étiquette BCP 47 comme fr, en, es, "
        "pt-BR ou zh-Hant.",
    ),
    "es": (
        "Etiqueta de idioma BCP 47",
        "Una etiqueta de idioma según BCP 47 (RFC 5646), cuya primera parte es un código de "
        "idioma ISO 639.",
        "Este código de idioma no es válido. Use una etiqueta BCP 47 como es, en, fr, pt-BR o "
        "zh-Hant.",
    ),
}
_LANGTAG_SHAPE_TEXT = {
    "en": (
        "Language tags of texts",
        "Every text written with a language tag (a name, a title, a description) must carry a "
        "valid BCP 47 language tag.",
        "A text is marked with a language code that does not exist. Mark it with a valid code "
        "such as en, fr or es.",
    ),
    "fr": (
        "Étiquettes de langue des textes",
        "Chaque texte écrit avec une étiquette de langue (un nom, un titre, une description) doit "
        "porter une étiquette de langue BCP 47 valide.",
        "Un texte porte un code de langue qui n'existe pas. Indiquez un code valide comme fr, en "
        "ou es.",
    ),
    "es": (
        "Etiquetas de idioma de los textos",
        "Cada texto escrito con una etiqueta de idioma (un nombre, un título, una descripción) "
        "debe llevar una etiqueta de idioma BCP 47 válida.",
        "Un texto lleva un código de idioma que no existe. Indique un código válido como es, en "
        "o fr.",
    ),
}


def _quote(text: str) -> str:
    """A Turtle string literal (short form): escape backslashes and double quotes."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _texts(texts: dict[str, tuple[str, str, str]], indent: str = "    ") -> str:
    """The ``sh:name``, ``sh:description`` and ``sh:message`` lines of one shape."""
    lines = []
    for index, predicate in enumerate(("sh:name", "sh:description", "sh:message")):
        values = ",\n".join(
            f"{indent}    {_quote(texts[lang][index])}@{lang}" for lang in ("en", "fr", "es")
        )
        lines.append(f"{indent}{predicate}\n{values} ;")
    return "\n".join(lines)


def country_codes() -> list[str]:
    """ISO 3166-1 alpha-2 codes, sorted."""
    return sorted(c.alpha_2 for c in pycountry.countries)


def subdivision_codes() -> list[str]:
    """ISO 3166-2 codes, sorted."""
    return sorted(s.code for s in pycountry.subdivisions)


def language_codes() -> list[str]:
    """ISO 639-1 two-letter codes, sorted."""
    return sorted(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


def subdivision_pattern(codes: list[str]) -> str:
    """An anchored alternation, grouped by country: ``^(?:AD-(?:02|03)|AE-(?:AJ|AZ))$``."""
    groups = []
    for country, members in groupby(codes, key=lambda code: code.split("-", 1)[0]):
        local = "|".join(code.split("-", 1)[1] for code in members)
        groups.append(f"{country}-(?:{local})")
    return "^(?:" + "|".join(groups) + ")$"


def language_tag_pattern(two_letter: list[str]) -> str:
    """The RFC 5646 ``Language-Tag`` production (without grandfathered tags), for use with the
    case-insensitive flag. The primary subtag is an ISO 639-1 code or any three letters."""
    language = "(?:" + "|".join(two_letter) + "|[a-z]{3})(?:-[a-z]{3}){0,3}"
    script = "(?:-[a-z]{4})?"
    region = "(?:-(?:[a-z]{2}|[0-9]{3}))?"
    variants = "(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*"
    extensions = "(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*"
    private = "(?:-x(?:-[a-z0-9]{1,8})+)?"
    return f"^(?:{language}{script}{region}{variants}{extensions}{private}|x(?:-[a-z0-9]{{1,8}})+)$"


def _in_list(codes: list[str], per_line: int = 14) -> str:
    rows = []
    for start in range(0, len(codes), per_line):
        rows.append("        " + " ".join(_quote(c) for c in codes[start : start + per_line]))
    return "(\n" + "\n".join(rows) + "\n    )"


def render() -> str:
    """The full text of ``codes.ttl``."""
    pycountry_version = version("pycountry")
    countries = country_codes()
    subdivisions = subdivision_codes()
    languages = language_codes()
    lang_pattern = language_tag_pattern(languages)
    # Only the text properties are read (names, titles, descriptions, comments, roles): that is
    # where language tags are, and a UNION of indexed look-ups is several times faster in rdflib
    # than filtering every triple of the focus node.
    properties = (
        ("rdfs:label", "skos:altLabel"),
        ("dcterms:description", "rdfs:comment"),
        ("schema:name", "rg:role"),
    )
    branches = "\n            UNION ".join(
        " UNION ".join(f"{{ $this {p} ?value BIND ({p} AS ?path) }}" for p in pair)
        for pair in properties
    )
    select = (
        "SELECT $this ?path ?value WHERE {\n"
        f"            {branches}\n"
        '            FILTER (LANG(?value) != ""'
        f' && !REGEX(LANG(?value), {_quote(lang_pattern)}, "i"))\n'
        "        }"
    )
    return f"""\
{_PREFIXES}
# GENERATED by shapes/build_codes.py from pycountry {pycountry_version}: do not edit by hand.
# Re-generate with `.venv/bin/python -m rightsgraph.shapes.build_codes`.
#
# Helper shapes holding the official code lists. The territory and initiative shapes point to
# them with sh:node; their messages are the ones of the pointing property shapes.
#   - {len(countries)} ISO 3166-1 alpha-2 country codes (sh:in)
#   - {len(subdivisions)} ISO 3166-2 subdivision codes (sh:pattern, grouped by country: a pattern is
#     compiled once, an sh:in list of this size would be read again on every validation)
#   - BCP 47 language tags whose primary subtag is one of {len(languages)} ISO 639-1 codes or three
#     letters (sh:pattern, case-insensitive), also applied (SHACL-SPARQL) to the language tags of
#     the text properties (names, titles, descriptions, comments, roles)

# --- Countries -------------------------------------------------------------------------------

rgsh:CountryCode
    a sh:NodeShape ;
{_texts(_COUNTRY_TEXT)}
    sh:severity sh:Violation ;
    sh:in {_in_list(countries)} .

# --- Subdivisions ----------------------------------------------------------------------------

rgsh:SubdivisionCode
    a sh:NodeShape ;
{_texts(_SUBDIVISION_TEXT)}
    sh:severity sh:Violation ;
    sh:nodeKind sh:Literal ;
    sh:pattern {_quote(subdivision_pattern(subdivisions))} .

# --- Languages -------------------------------------------------------------------------------

rgsh:LanguageTag
    a sh:NodeShape ;
{_texts(_LANGUAGE_TEXT)}
    sh:severity sh:Violation ;
    sh:nodeKind sh:Literal ;
    sh:pattern {_quote(lang_pattern)} ;
    sh:flags "i" .

rgsh:LanguageTagShape
    a sh:NodeShape ;
    sh:targetClass rg:Territory, rg:Initiative, rg:Membership, schema:ContactPoint ;
{_texts(_LANGTAG_SHAPE_TEXT)}
    sh:severity sh:Violation ;
    sh:sparql [
        a sh:SPARQLConstraint ;
        sh:prefixes <https://w3id.org/rightsgraph/shapes> ;
        sh:select \"\"\"
        {select}
        \"\"\"
    ] .
"""


def main(argv: list[str] | None = None) -> int:
    """Write ``codes.ttl``, or with ``--check`` report whether the committed file is current."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if codes.ttl is stale")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="file to write")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            sys.stderr.write(f"{args.output} is stale: run build_codes.py\n")
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
