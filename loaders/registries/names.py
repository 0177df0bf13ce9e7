"""Place names as a matcher compares them: folded, tokenised, stripped of designations, scored.

A submitted name differs from a registry's in ways that do not change the place: case, accents,
punctuation, apostrophes, spacing ("Saint-Denis", "St Denis", "saint denis"), an abbreviation
("St." for "Saint", "Sta." for "Santa") or a *designation* that says what kind of government it is
("Ville de Grenoble", "Ayuntamiento de Córdoba", "Gwangju Metropolitan City", "Gwangju-si",
"광주광역시"). This module turns a name into comparison keys:

- :func:`fold`: NFKD, accents dropped, case folded, every run of punctuation, apostrophes and
  spaces to one space. Letters of every script are kept (a Korean or Arabic name is a name too);
  precomposed syllables (Hangul) are recomposed so that keys stay short.
- :func:`key`: the folded tokens with the common abbreviations written one way, joined without
  spaces, so that "Saint-Denis", "St. Denis" and "Saintdenis" are one key, and "Villeneuve-d'Ascq"
  and "Villeneuve d Ascq" another.
- :func:`split_designation`: the key without its designation, and the designation's kind
  (``city``, ``municipality``, ``metropolitan-city``, ``special-city``...). Only designations that
  are words of their own (after a hyphen or a space) are stripped, never a few letters glued to a
  name ("Assisi" keeps its "si"), and only the designations listed here: "Cape Town" keeps its
  "Town", "Ciudad Juárez" its "Ciudad" (only "Ciudad de" is a designation). A matcher tries the
  stripped key only when the whole name found nothing, so that "Mexico City" can never become the
  state of México, nor "Quezon City" the town of Quezon, while the record exists.
- :func:`similarity`: a score in [0, 1] between two keys (``difflib``'s ratio; rapidfuzz is not a
  dependency), for typing errors.

:func:`check_name` is the gate every matcher passes a submitted name through: it raises
:class:`~rightsgraph.errors.InputError` for an empty name, one longer than :data:`MAX_NAME_LENGTH`
or one with control characters, so that a CSV row gone wrong is reported, not matched.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rightsgraph.errors import InputError

#: Longest name a matcher accepts (the longest GeoNames place name has about 150 characters).
MAX_NAME_LENGTH = 200

_APOSTROPHES = "'’ʼ`´‘ʻ′"
# Every run of characters that are neither letters nor digits, in any script, becomes one space.
_SEPARATORS = re.compile(r"[\W_]+")
# Letters that NFKD does not decompose into a base letter and a mark.
_LETTERS = str.maketrans(
    {
        "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d",
        "þ": "th", "Þ": "th", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ı": "i",
        "ħ": "h", "Ħ": "h", "ŧ": "t", "Ŧ": "t", "ŀ": "l", "Ŀ": "l", "ß": "ss",
        **{a: " " for a in _APOSTROPHES},
    }
)

#: Abbreviations and their full word, one spelling per meaning. "Saint", "St", "Sankt" and "Skt"
#: are one word (the saint's gender is in the rest of the name), as are "Sainte" and "Ste".
ABBREVIATIONS: dict[str, str] = {
    "saint": "st", "st": "st", "sankt": "st", "skt": "st",
    "sainte": "ste", "ste": "ste",
    "sta": "santa", "sto": "santo",
    "mt": "mount", "mount": "mount", "ft": "fort",
    "gral": "general", "cd": "ciudad",
}

# Designations, as token sequences (folded, abbreviations applied), with their kind. A prefix is
# stripped from the start of the name, a suffix from its end; the longest one wins.
_PREFIXES: dict[tuple[str, ...], str] = {
    ("city", "of"): "city",
    ("ciudad", "de"): "city",
    ("ville", "de"): "city",
    ("ville", "d"): "city",
    ("cidade", "de"): "city",
    ("citta", "di"): "city",
    ("stadt",): "city",
    ("town", "of"): "municipality",
    ("municipality", "of"): "municipality",
    ("city", "council", "of"): "municipality",
    ("ayuntamiento", "de"): "municipality",
    ("excmo", "ayuntamiento", "de"): "municipality",
    ("ajuntament", "de"): "municipality",
    ("ajuntament", "d"): "municipality",
    ("municipio", "de"): "municipality",
    ("municipalidad", "de"): "municipality",
    ("municipalite", "de"): "municipality",
    ("commune", "de"): "municipality",
    ("commune", "d"): "municipality",
    ("mairie", "de"): "municipality",
    ("mairie", "d"): "municipality",
    ("comune", "di"): "municipality",
    ("gemeente",): "municipality",
    ("gemeinde",): "municipality",
    ("prefeitura", "de"): "municipality",
    ("prefeitura", "municipal", "de"): "municipality",
    ("camara", "municipal", "de"): "municipality",
    ("alcaldia", "de"): "municipality",
    ("alcaldia", "mayor", "de"): "municipality",
}
_SUFFIXES: dict[tuple[str, ...], str] = {
    ("city",): "city",
    ("si",): "city",
    ("shi",): "city",
    ("metropolitan", "city"): "metropolitan-city",
    ("gwangyeoksi",): "metropolitan-city",
    ("gwangyeok", "si"): "metropolitan-city",
    ("special", "city"): "special-city",
    ("teukbyeolsi",): "special-city",
    ("teukbyeol", "si"): "special-city",
    ("special", "self", "governing", "city"): "special-self-governing-city",
    ("teukbyeoljachisi",): "special-self-governing-city",
    ("municipality",): "municipality",
    ("city", "council"): "municipality",
    ("town", "council"): "municipality",
    ("municipal", "council"): "municipality",
    ("kommune",): "municipality",
    ("kommun",): "municipality",
    ("belediyesi",): "municipality",
    ("buyuksehir", "belediyesi"): "metropolitan-municipality",
    ("metropolitan", "municipality"): "metropolitan-municipality",
}
# Designations glued to names written without spaces (Korean, Chinese, Japanese); stripped only
# when at least two characters remain.
_GLUED_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("특별자치시", "special-self-governing-city"),
    ("광역시", "metropolitan-city"),
    ("특별시", "special-city"),
    ("廣域市", "metropolitan-city"),
    ("广域市", "metropolitan-city"),
    ("広域市", "metropolitan-city"),
    ("特別市", "special-city"),
    ("特别市", "special-city"),
    ("시", "city"),
    ("市", "city"),
)
_LONGEST_DESIGNATION = max(len(t) for t in (*_PREFIXES, *_SUFFIXES))


def check_name(name: str) -> str:
    """``name`` without surrounding spaces, once it is a name a matcher can look up.

    Raises :class:`InputError` when it is empty, longer than :data:`MAX_NAME_LENGTH`
    characters, holds a control character (a tab, a newline, a NUL: a CSV row gone wrong) or has
    no letter or digit at all.
    """
    if not isinstance(name, str):
        raise InputError(f"a place name must be text, not {type(name).__name__}")
    stripped = name.strip()
    if not stripped:
        raise InputError("the place name is empty")
    if len(stripped) > MAX_NAME_LENGTH:
        raise InputError(
            f"the place name has {len(stripped)} characters; at most {MAX_NAME_LENGTH} are accepted"
        )
    for ch in stripped:
        if unicodedata.category(ch) in ("Cc", "Cs"):
            raise InputError(
                f"the place name contains the control character U+{ord(ch):04X}; "
                "remove it (a line break or a tab often means a misread CSV row)"
            )
    if not fold(stripped):
        raise InputError(f"the place name {stripped!r} has no letter or digit")
    return stripped


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case-, accent-, apostrophe- and punctuation-insensitive form; tokens separated by spaces.

    >>> fold("  Île-de-France ")
    'ile de france'
    >>> fold("Villeneuve-d’Ascq"), fold("Łódź"), fold("Straße")
    ('villeneuve d ascq', 'lodz', 'strasse')
    >>> fold("광주광역시")
    '광주광역시'
    """
    if text.isascii():
        return _SEPARATORS.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = unicodedata.normalize("NFC", bare.casefold().translate(_LETTERS))
    return _SEPARATORS.sub(" ", folded).strip()


def tokens(text: str) -> list[str]:
    """The folded words of ``text`` with abbreviations written in full (see :data:`ABBREVIATIONS`).

    >>> tokens("St. Pölten"), tokens("Sankt Pölten")
    (['st', 'polten'], ['st', 'polten'])
    """
    return [ABBREVIATIONS.get(t, t) for t in fold(text).split()]


def key(text: str) -> str:
    """The comparison key of a whole name: :func:`tokens` joined without spaces.

    >>> key("Saint-Denis") == key("St Denis") == key("saint denis")
    True
    >>> key("Villeneuve-d'Ascq") == key("Villeneuve dAscq")
    True
    """
    return "".join(tokens(text))


@dataclass(frozen=True)
class NameKeys:
    """The keys of one submitted name: ``full`` (the whole name), ``base`` (without its
    designation; equal to ``full`` when there is none) and the designation's kind."""

    full: str
    base: str
    designation: str | None


def _strip_glued(word: str) -> tuple[str, str | None]:
    for suffix, kind in _GLUED_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return word[: -len(suffix)], kind
    return word, None


def split_designation(text: str) -> NameKeys:
    """The keys of ``text`` and the designation it carries, if any.

    At most one prefix and one suffix are removed, and never the whole name.

    >>> split_designation("Gwangju Metropolitan City")
    NameKeys(full='gwangjumetropolitancity', base='gwangju', designation='metropolitan-city')
    >>> split_designation("Ayuntamiento de Córdoba").base, split_designation("Gwangju-si").base
    ('cordoba', 'gwangju')
    >>> split_designation("Cape Town").designation is None
    True
    """
    words = tokens(text)
    full = "".join(words)
    kind: str | None = None
    for size in range(min(_LONGEST_DESIGNATION, len(words) - 1), 0, -1):
        found = _PREFIXES.get(tuple(words[:size]))
        if found:
            words, kind = words[size:], found
            break
    for size in range(min(_LONGEST_DESIGNATION, len(words) - 1), 0, -1):
        found = _SUFFIXES.get(tuple(words[-size:]))
        if found:
            words = words[:-size]
            kind = _narrower(kind, found)
            break
    if len(words) == 1 and not words[0].isascii():
        stem, glued = _strip_glued(words[0])
        if glued:
            words, kind = [stem], _narrower(kind, glued)
    base = "".join(words)
    return NameKeys(full=full, base=base if base else full, designation=kind if base else None)


def _narrower(first: str | None, second: str) -> str:
    """Of two designations of one name ("City of Busan Metropolitan City"), the more telling."""
    if first is None or first in ("city", "municipality"):
        return second
    return first


def similarity(a: str, b: str) -> float:
    """How alike two keys are, in [0, 1] (1 when equal): ``difflib``'s ratio of matching
    characters, without its junk heuristic (which would ignore frequent letters of long keys).

    >>> similarity("barcelona", "barcelona")
    1.0
    >>> round(similarity("barcelonna", "barcelona"), 2)
    0.95
    """
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def trigrams(text: str) -> set[str]:
    """The three-character pieces of a key, padded so that short keys have some (for the
    candidate filter of fuzzy matching)."""
    padded = f"^{text}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


# Designations of regions, provinces and states (for subdivision names: "Alajuela Province",
# "Provincia de Córdoba", "Jeju-do", "Gwangju-gwangyeoksi", "Zaghouan Governorate"). Broader than
# the city designations above: a subdivision name is compared with the subdivisions of one
# country only, and a stripped key that two subdivisions share is never used (see
# :func:`region_keys`).
_REGION_PREFIXES: frozenset[tuple[str, ...]] = frozenset(
    {
        ("province", "of"), ("province", "de"), ("provincia", "de"), ("provincia", "di"),
        ("provincia", "del"), ("region", "of"), ("region", "de"), ("region", "del"),
        ("regione",), ("state", "of"), ("estado", "de"), ("estado", "do"),
        ("departamento", "de"), ("departamento", "del"), ("departement", "de"),
        ("departement", "du"), ("comunidad", "de"), ("comunidad", "autonoma", "de"),
        ("republic", "of"), ("wilaya", "de"), ("wilaya", "d"), ("governorate", "of"),
        ("canton", "of"), ("canton", "de"), ("county", "of"), ("district", "of"),
        ("municipality", "of"), ("city", "of"), ("ciudad", "de"), ("ciudad", "autonoma", "de"),
        ("distrito", "de"), ("land",), ("prefecture", "of"), ("city", "state"),
        ("ville", "de"), ("grad",), ("region",), ("province",), ("provincia",),
        ("departement",), ("departamento",), ("estado",), ("canton",), ("comunidad",),
        ("wojewodztwo",), ("judetul",), ("le",), ("la",), ("les",), ("l",), ("al",), ("el",),
    }
)
_REGION_SUFFIXES: frozenset[tuple[str, ...]] = frozenset(
    {
        ("province",), ("provincia",), ("region",), ("state",), ("governorate",),
        ("oblast",), ("oblys",), ("kray",), ("krai",), ("kraj",), ("county",), ("district",),
        ("department",), ("municipality",), ("prefecture",), ("voivodeship",), ("canton",),
        ("emirate",), ("division",), ("parish",), ("territory",), ("republic",), ("rayon",),
        ("raion",), ("city",), ("do",), ("si",), ("gwangyeoksi",), ("teukbyeolsi",),
        ("teukbyeoljachido",), ("teukbyeoljachisi",), ("special", "city"),
        ("metropolitan", "city"), ("special", "self", "governing", "city"),
        ("special", "self", "governing", "province"), ("autonomous", "region"),
        ("autonomous", "community"), ("autonomous", "republic"), ("autonomous", "province"),
        ("capital", "district"), ("capital", "territory"), ("federal", "district"),
        ("metropolitan", "region"), ("region", "metropolitana"), ("lan",), ("fylke",),
        ("sheng",), ("shi",), ("zizhiqu",), ("oblysy",), ("okrug",), ("avtonomnyy", "okrug"),
        ("autonomous", "okrug"), ("respublika",), ("novads",), ("megye",), ("zupanija",),
    }
)
_LONGEST_REGION = max(len(t) for t in (*_REGION_PREFIXES, *_REGION_SUFFIXES))


def region_key(text: str) -> str:
    """The key of a subdivision name without its designations ("Provincia de Córdoba",
    "Córdoba Province" and "Córdoba" share ``cordoba``); the whole key when nothing would remain.

    >>> region_key("Jeju-teukbyeoljachido"), region_key("Alajuela Province")
    ('jeju', 'alajuela')
    """
    words = tokens(text)
    changed = True
    while changed and len(words) > 1:
        changed = False
        for size in range(min(_LONGEST_REGION, len(words) - 1), 0, -1):
            if tuple(words[:size]) in _REGION_PREFIXES:
                words, changed = words[size:], True
                break
            if tuple(words[-size:]) in _REGION_SUFFIXES:
                words, changed = words[:-size], True
                break
    return "".join(words)


def name_variants(name: str) -> set[str]:
    """The forms of a name as ISO 3166 and pycountry write them.

    "Catalunya [Cataluña]" gives Catalunya, Cataluña and both together; "Madrid, Comunidad de"
    gives "Comunidad de Madrid" and Madrid; "Wales [Cymru GB-CYM]" gives Wales and Cymru;
    "Bruxelles-Capitale, Région de / Brussels Hoofdstedelijk Gewest" gives each language's form.

    >>> sorted(name_variants("Madrid, Comunidad de"))
    ['Comunidad de Madrid', 'Madrid', 'Madrid, Comunidad de']
    """
    forms = {name.strip()}
    for part in re.split(r"\s+/\s+", name):
        part = part.strip()
        forms.add(part)
        bracket = re.fullmatch(r"(.*?)\s*[\[(](.*)[\])]\s*", part)
        if bracket:
            outer = bracket.group(1).strip()
            inner = re.sub(r"(^|\s+)[A-Z]{2}-[A-Z0-9]{1,3}$", "", bracket.group(2)).strip()
            forms.add(outer)
            if inner:
                forms.update({inner, f"{inner} {outer}"})
    for form in list(forms):
        if "," in form:
            head, _, tail = form.partition(",")
            forms.update({head.strip(), f"{tail.strip()} {head.strip()}"})
    return {f for f in forms if f}
