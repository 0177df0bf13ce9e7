"""Submission formats, size limits and the submitter-facing messages of the loaders.

A local government sends one file: a CSV or an Excel workbook filled in from the template, or a
JSON-LD or Turtle document written against ``docs/model.md``. This module decides which of the four
it is (from the file name, the declared media type and the first bytes) before anything parses it,
so that a wrong file is refused with one clear sentence instead of a parser's stack trace.

Every message a submitter can see is written here in English, French and Spanish, so that the
readers and the mapping share one catalogue and no sentence is translated twice.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath

from rightsgraph.errors import InputError, TooLargeError, UnsupportedFormatError
from rightsgraph.languages import localize, pick_language

#: The languages every message exists in; anything else falls back to English.

#: Limits: a field longer than this is refused (a description is a paragraph, not a book).
MAX_FIELD_CHARS = 5000
#: More initiatives than this in one file is not a territory's submission.
MAX_ROWS = 2000
#: An RDF submission with more statements than this is refused.
MAX_TRIPLES = 50_000
#: An .xlsx is a ZIP archive: refuse one that would expand past this (a "ZIP bomb").
MAX_XLSX_UNCOMPRESSED = 50_000_000

#: The canonical media type of each format, recorded as ``dcterms:format`` of the submitted file.
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonld": "application/ld+json",
    "turtle": "text/turtle",
}

_EXTENSIONS: dict[str, str] = {
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".ttl": "turtle",
    ".turtle": "turtle",
}

_MEDIA_TYPE_FORMATS: dict[str, str] = {
    "text/csv": "csv",
    "application/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
}

#: Extensions and media types that we recognise but refuse, with the message key that says why.
_REFUSED_EXTENSIONS: dict[str, str] = {
    ".xlsm": "format-xlsm",
    ".xltm": "format-xlsm",
    ".xls": "format-xls",
    ".ods": "format-ods",
    ".tsv": "format-tsv",
    ".tab": "format-tsv",
    ".txt": "format-txt",
}
_REFUSED_MEDIA_TYPES: dict[str, str] = {
    "application/vnd.ms-excel.sheet.macroenabled.12": "format-xlsm",
    "application/vnd.ms-excel": "format-xls",
    "application/vnd.oasis.opendocument.spreadsheet": "format-ods",
    "text/tab-separated-values": "format-tsv",
}
#: Media types that say nothing about the content (browsers send them for unknown files).
_GENERIC_MEDIA_TYPES = {"", "application/octet-stream", "text/plain", "binary/octet-stream"}

ZIP_MAGIC = b"PK\x03\x04"
#: OLE2 compound file: an old .xls, or an encrypted (password-protected) .xlsx.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------

_MESSAGES: dict[str, dict[str, str]] = {
    # --- whole file -----------------------------------------------------------------------
    "file-too-large": {
        "en": "The file is {size} bytes long; the limit is {limit} bytes.",
        "fr": "Le fichier fait {size} octets ; la limite est de {limit} octets.",
        "es": "El archivo ocupa {size} bytes; el límite es de {limit} bytes.",
    },
    "unsupported-format": {
        "en": "The format of {name} is not recognised. Send a CSV file (.csv), an Excel workbook "
        "(.xlsx), a JSON-LD document (.jsonld) or a Turtle document (.ttl).",
        "fr": "Le format de {name} n'est pas reconnu. Envoyez un fichier CSV (.csv), un classeur "
        "Excel (.xlsx), un document JSON-LD (.jsonld) ou un document Turtle (.ttl).",
        "es": "No se reconoce el formato de {name}. Envíe un archivo CSV (.csv), un libro de Excel "
        "(.xlsx), un documento JSON-LD (.jsonld) o un documento Turtle (.ttl).",
    },
    "format-xlsm": {
        "en": "Workbooks with macros (.xlsm) are not accepted: save the workbook as "
        "“Excel Workbook (.xlsx)”.",
        "fr": "Les classeurs avec macros (.xlsm) ne sont pas acceptés : enregistrez le classeur "
        "au format « Classeur Excel (.xlsx) ».",
        "es": "No se aceptan libros con macros (.xlsm): guarde el libro como "
        "«Libro de Excel (.xlsx)».",
    },
    "format-xls": {
        "en": "The old Excel format (.xls) is not accepted: save the workbook as "
        "“Excel Workbook (.xlsx)” or as “CSV UTF-8”.",
        "fr": "L'ancien format Excel (.xls) n'est pas accepté : enregistrez le classeur au format "
        "« Classeur Excel (.xlsx) » ou « CSV UTF-8 ».",
        "es": "No se acepta el formato antiguo de Excel (.xls): guarde el libro como "
        "«Libro de Excel (.xlsx)» o «CSV UTF-8».",
    },
    "format-ods": {
        "en": "OpenDocument spreadsheets (.ods) are not accepted: save the file as .xlsx or as "
        "“CSV UTF-8”.",
        "fr": "Les feuilles de calcul OpenDocument (.ods) ne sont pas acceptées : enregistrez le "
        "fichier en .xlsx ou en « CSV UTF-8 ».",
        "es": "No se aceptan hojas de cálculo OpenDocument (.ods): guarde el archivo como .xlsx o "
        "como «CSV UTF-8».",
    },
    "format-tsv": {
        "en": "Tab-separated files are not accepted: save the file as “CSV UTF-8 (comma "
        "delimited)”.",
        "fr": "Les fichiers séparés par des tabulations ne sont pas acceptés : enregistrez le "
        "fichier en « CSV UTF-8 (délimité par des virgules) ».",
        "es": "No se aceptan archivos separados por tabuladores: guarde el archivo como «CSV UTF-8 "
        "(delimitado por comas)».",
    },
    "format-txt": {
        "en": "A .txt file is not a submission: send the template filled in and saved as "
        "“CSV UTF-8” (.csv) or .xlsx.",
        "fr": "Un fichier .txt n'est pas une contribution : envoyez le modèle rempli et enregistré "
        "en « CSV UTF-8 » (.csv) ou en .xlsx.",
        "es": "Un archivo .txt no es un envío: mande la plantilla rellenada y guardada como "
        "«CSV UTF-8» (.csv) o .xlsx.",
    },
    "format-encrypted": {
        "en": "The workbook is password-protected (encrypted) or in the old .xls format: remove "
        "the password and save it as “Excel Workbook (.xlsx)”.",
        "fr": "Le classeur est protégé par un mot de passe (chiffré) ou à l'ancien format .xls : "
        "retirez le mot de passe et enregistrez-le au format « Classeur Excel (.xlsx) ».",
        "es": "El libro está protegido con contraseña (cifrado) o en el formato antiguo .xls: "
        "quite la contraseña y guárdelo como «Libro de Excel (.xlsx)».",
    },
    "xlsx-not-zip": {
        "en": "The file is not a valid .xlsx workbook (an .xlsx file is a ZIP archive, and this "
        "one is not).",
        "fr": "Le fichier n'est pas un classeur .xlsx valide (un fichier .xlsx est une archive "
        "ZIP, et celui-ci n'en est pas une).",
        "es": "El archivo no es un libro .xlsx válido (un archivo .xlsx es un archivo ZIP y este "
        "no lo es).",
    },
    "xlsx-macros": {
        "en": "The workbook contains macros (VBA): save it as “Excel Workbook (.xlsx)” without "
        "macros.",
        "fr": "Le classeur contient des macros (VBA) : enregistrez-le au format « Classeur Excel "
        "(.xlsx) » sans macros.",
        "es": "El libro contiene macros (VBA): guárdelo como «Libro de Excel (.xlsx)» sin macros.",
    },
    "xlsx-too-large": {
        "en": "The workbook expands to {size} bytes; the limit is {limit} bytes.",
        "fr": "Le classeur décompressé fait {size} octets ; la limite est de {limit} octets.",
        "es": "El libro descomprimido ocupa {size} bytes; el límite es de {limit} bytes.",
    },
    "xlsx-unreadable": {
        "en": "The workbook cannot be read ({error}): open it in your spreadsheet and save it "
        "again as “Excel Workbook (.xlsx)”.",
        "fr": "Le classeur ne peut pas être lu ({error}) : ouvrez-le dans votre tableur et "
        "enregistrez-le de nouveau au format « Classeur Excel (.xlsx) ».",
        "es": "No se puede leer el libro ({error}): ábralo en su hoja de cálculo y guárdelo de "
        "nuevo como «Libro de Excel (.xlsx)».",
    },
    "xlsx-no-sheet": {
        "en": "The workbook has no worksheet.",
        "fr": "Le classeur ne contient aucune feuille de calcul.",
        "es": "El libro no contiene ninguna hoja de cálculo.",
    },
    "not-utf8": {
        "en": "The file is not in UTF-8: byte 0x{byte} at line {line} (byte {offset} of the "
        "file) cannot be read. In your spreadsheet, use “Save as” and choose “CSV UTF-8 (comma "
        "delimited) (.csv)”.",
        "fr": "Le fichier n'est pas en UTF-8 : l'octet 0x{byte} à la ligne {line} (octet {offset} "
        "du fichier) ne peut pas être lu. Dans votre tableur, utilisez « Enregistrer sous » et "
        "choisissez « CSV UTF-8 (délimité par des virgules) (.csv) ».",
        "es": "El archivo no está en UTF-8: el byte 0x{byte} en la línea {line} (byte {offset} "
        "del archivo) no se puede leer. En su hoja de cálculo, use «Guardar como» y elija "
        "«CSV UTF-8 (delimitado por comas) (.csv)».",
    },
    "not-utf8-text": {
        "en": "The file is not in UTF-8: byte 0x{byte} at line {line} (byte {offset} of the "
        "file) cannot be read. Save it with the UTF-8 encoding.",
        "fr": "Le fichier n'est pas en UTF-8 : l'octet 0x{byte} à la ligne {line} (octet {offset} "
        "du fichier) ne peut pas être lu. Enregistrez-le avec l'encodage UTF-8.",
        "es": "El archivo no está en UTF-8: el byte 0x{byte} en la línea {line} (byte {offset} "
        "del archivo) no se puede leer. Guárdelo con la codificación UTF-8.",
    },
    "utf16": {
        "en": "The file is in UTF-16 (“Unicode text”), not UTF-8. In your spreadsheet, use “Save "
        "as” and choose “CSV UTF-8 (comma delimited) (.csv)”.",
        "fr": "Le fichier est en UTF-16 (« texte Unicode »), pas en UTF-8. Dans votre tableur, "
        "utilisez « Enregistrer sous » et choisissez « CSV UTF-8 (délimité par des virgules) "
        "(.csv) ».",
        "es": "El archivo está en UTF-16 («texto Unicode»), no en UTF-8. En su hoja de cálculo, "
        "use «Guardar como» y elija «CSV UTF-8 (delimitado por comas) (.csv)».",
    },
    "empty-file": {
        "en": "The file is empty.",
        "fr": "Le fichier est vide.",
        "es": "El archivo está vacío.",
    },
    "no-data-rows": {
        "en": "The file has a header but no data rows: add one row per initiative.",
        "fr": "Le fichier a un en-tête mais aucune ligne de données : ajoutez une ligne par "
        "initiative.",
        "es": "El archivo tiene encabezado pero ninguna fila de datos: añada una fila por "
        "iniciativa.",
    },
    "wrong-delimiter": {
        "en": "The columns are separated by {found} instead of commas. Save the file as “CSV "
        "UTF-8 (comma delimited)”, or choose the comma as field separator.",
        "fr": "Les colonnes sont séparées par {found} au lieu de virgules. Enregistrez le fichier "
        "en « CSV UTF-8 (délimité par des virgules) », ou choisissez la virgule comme "
        "séparateur de champs.",
        "es": "Las columnas están separadas por {found} en lugar de comas. Guarde el archivo como "
        "«CSV UTF-8 (delimitado por comas)», o elija la coma como separador de campos.",
    },
    "delimiter-semicolon": {"en": "semicolons (;)", "fr": "des points-virgules (;)",
                            "es": "puntos y coma (;)"},
    "delimiter-tab": {"en": "tabs", "fr": "des tabulations", "es": "tabuladores"},
    "delimiter-pipe": {"en": "vertical bars (|)", "fr": "des barres verticales (|)",
                       "es": "barras verticales (|)"},
    "csv-syntax": {
        "en": "The CSV cannot be read at line {line}: a quoted cell is not closed or a quote "
        "(\") is misplaced.",
        "fr": "Le CSV ne peut pas être lu à la ligne {line} : une cellule entre guillemets n'est "
        "pas fermée ou un guillemet (\") est mal placé.",
        "es": "No se puede leer el CSV en la línea {line}: una celda entre comillas no está "
        "cerrada o unas comillas (\") están mal colocadas.",
    },
    "nul-byte": {
        "en": "The file contains a NUL byte at line {line}: it is not a text file.",
        "fr": "Le fichier contient un octet NUL à la ligne {line} : ce n'est pas un fichier texte.",
        "es": "El archivo contiene un byte NUL en la línea {line}: no es un archivo de texto.",
    },
    "missing-columns": {
        "en": "Missing column(s): {columns}. The header must be: {header}.",
        "fr": "Colonne(s) manquante(s) : {columns}. L'en-tête doit être : {header}.",
        "es": "Falta(n) la(s) columna(s): {columns}. El encabezado debe ser: {header}.",
    },
    "unknown-column": {
        "en": "Unknown column '{column}'{hint}. The header must be: {header}.",
        "fr": "Colonne inconnue « {column} »{hint}. L'en-tête doit être : {header}.",
        "es": "Columna desconocida «{column}»{hint}. El encabezado debe ser: {header}.",
    },
    "column-hint": {
        "en": " (did you mean '{suggestion}'?)",
        "fr": " (vouliez-vous dire « {suggestion} » ?)",
        "es": " (¿quería decir «{suggestion}»?)",
    },
    "duplicate-column": {
        "en": "Column '{column}' appears twice in the header (positions {first} and {second}).",
        "fr": "La colonne « {column} » figure deux fois dans l'en-tête (positions {first} et "
        "{second}).",
        "es": "La columna «{column}» aparece dos veces en el encabezado (posiciones {first} y "
        "{second}).",
    },
    "empty-column-name": {
        "en": "Column {position} of the header has no name.",
        "fr": "La colonne {position} de l'en-tête n'a pas de nom.",
        "es": "La columna {position} del encabezado no tiene nombre.",
    },
    "ragged-row": {
        "en": "Row {row} has {found} cells but the header has {expected}: check for a missing "
        "or extra comma, or a line break outside quotes.",
        "fr": "La ligne {row} a {found} cellules mais l'en-tête en a {expected} : vérifiez qu'il "
        "ne manque pas ou n'y a pas en trop une virgule, ou un saut de ligne hors guillemets.",
        "es": "La fila {row} tiene {found} celdas pero el encabezado tiene {expected}: compruebe "
        "que no falte o sobre una coma, o un salto de línea fuera de comillas.",
    },
    "cell-outside-header": {
        "en": "Row {row} has a value in column {column}, which has no header.",
        "fr": "La ligne {row} a une valeur dans la colonne {column}, qui n'a pas d'en-tête.",
        "es": "La fila {row} tiene un valor en la columna {column}, que no tiene encabezado.",
    },
    "too-many-rows": {
        "en": "The file has more than {limit} data rows; the limit is {limit}.",
        "fr": "Le fichier a plus de {limit} lignes de données ; la limite est de {limit}.",
        "es": "El archivo tiene más de {limit} filas de datos; el límite es de {limit}.",
    },
    "field-too-long": {
        "en": "The value is {length} characters long; the limit is {limit}.",
        "fr": "La valeur fait {length} caractères ; la limite est de {limit}.",
        "es": "El valor tiene {length} caracteres; el límite es de {limit}.",
    },
    "formula": {
        "en": "The value starts with '{char}', which a spreadsheet would run as a formula: "
        "remove that character or start the text differently.",
        "fr": "La valeur commence par « {char} », qu'un tableur exécuterait comme une formule : "
        "supprimez ce caractère ou commencez le texte autrement.",
        "es": "El valor empieza por «{char}», que una hoja de cálculo ejecutaría como fórmula: "
        "quite ese carácter o empiece el texto de otra manera.",
    },
    "xlsx-formula": {
        "en": "The cell holds a formula ({value}); formulas are not accepted: paste the value "
        "instead (Paste special → Values).",
        "fr": "La cellule contient une formule ({value}) ; les formules ne sont pas acceptées : "
        "collez plutôt la valeur (Collage spécial → Valeurs).",
        "es": "La celda contiene una fórmula ({value}); no se aceptan fórmulas: pegue el valor "
        "(Pegado especial → Valores).",
    },
    "markup": {
        "en": "The value contains markup or script ({snippet}); write plain text only.",
        "fr": "La valeur contient du balisage ou du script ({snippet}) ; écrivez uniquement du "
        "texte brut.",
        "es": "El valor contiene marcado o script ({snippet}); escriba solo texto plano.",
    },
    "control-char": {
        "en": "The value contains an invisible control character (U+{code}); remove it.",
        "fr": "La valeur contient un caractère de contrôle invisible (U+{code}) ; supprimez-le.",
        "es": "El valor contiene un carácter de control invisible (U+{code}); elimínelo.",
    },
    # --- mapping (tabular) ----------------------------------------------------------------
    "no-territory": {
        "en": "No row gives both territory_name and country: the file must name its territory.",
        "fr": "Aucune ligne ne donne à la fois territory_name et country : le fichier doit "
        "nommer son territoire.",
        "es": "Ninguna fila da a la vez territory_name y country: el archivo debe nombrar su "
        "territorio.",
    },
    "required": {
        "en": "'{field}' is required.",
        "fr": "« {field} » est obligatoire.",
        "es": "«{field}» es obligatorio.",
    },
    "territory-mismatch": {
        "en": "This row describes '{name}' ({country}), but the file is about '{expected_name}' "
        "({expected_country}) (row {first_row}): send one file per territory.",
        "fr": "Cette ligne décrit « {name} » ({country}), mais le fichier porte sur "
        "« {expected_name} » ({expected_country}) (ligne {first_row}) : envoyez un fichier par "
        "territoire.",
        "es": "Esta fila describe «{name}» ({country}), pero el archivo trata de "
        "«{expected_name}» ({expected_country}) (fila {first_row}): envíe un archivo por "
        "territorio.",
    },
    "territory-inconsistent": {
        "en": "'{field}' is '{value}' here but '{expected}' in row {first_row}: the territory's "
        "columns must agree in every row (or be left empty after the first row).",
        "fr": "« {field} » vaut « {value} » ici mais « {expected} » à la ligne {first_row} : les "
        "colonnes du territoire doivent concorder sur toutes les lignes (ou rester vides après "
        "la première).",
        "es": "«{field}» es «{value}» aquí pero «{expected}» en la fila {first_row}: las columnas "
        "del territorio deben coincidir en todas las filas (o quedar vacías tras la primera).",
    },
    "unknown-country": {
        "en": "Unknown country '{value}': give the ISO 3166-1 code (e.g. ES, FR, MX) or the "
        "country's name.{suggestions}",
        "fr": "Pays inconnu « {value} » : indiquez le code ISO 3166-1 (p. ex. ES, FR, MX) ou le "
        "nom du pays.{suggestions}",
        "es": "País desconocido «{value}»: indique el código ISO 3166-1 (p. ej. ES, FR, MX) o el "
        "nombre del país.{suggestions}",
    },
    "unknown-region": {
        "en": "Unknown region '{value}' in {country}: give the ISO 3166-2 code (e.g. {example}) "
        "or the region's name.{suggestions}",
        "fr": "Région inconnue « {value} » (pays : {country}) : indiquez le code ISO 3166-2 "
        "(p. ex. {example}) ou le nom de la région.{suggestions}",
        "es": "Región desconocida «{value}» (país: {country}): indique el código ISO 3166-2 "
        "(p. ej. {example}) o el nombre de la región.{suggestions}",
    },
    "region-other-country": {
        "en": "The region '{value}' ({code}) is in {other}, not in {country}.",
        "fr": "La région « {value} » ({code}) appartient au pays {other}, pas au pays {country}.",
        "es": "La región «{value}» ({code}) pertenece al país {other}, no al país {country}.",
    },
    "ambiguous-region": {
        "en": "'{value}' names several regions of {country} ({codes}): give the ISO 3166-2 code.",
        "fr": "« {value} » désigne plusieurs régions de {country} ({codes}) : indiquez le code "
        "ISO 3166-2.",
        "es": "«{value}» designa varias regiones de {country} ({codes}): indique el código "
        "ISO 3166-2.",
    },
    "bad-population": {
        "en": "'{value}' is not a population: write a whole number, e.g. 125000, optionally "
        "followed by its year in brackets, e.g. 125000 (2021).",
        "fr": "« {value} » n'est pas une population : écrivez un nombre entier, p. ex. 125000, "
        "éventuellement suivi de son année entre parenthèses, p. ex. 125000 (2021).",
        "es": "«{value}» no es una población: escriba un número entero, p. ej. 125000, "
        "opcionalmente seguido de su año entre paréntesis, p. ej. 125000 (2021).",
    },
    "bad-population-year": {
        "en": "The population year {year} is not plausible (expected {first} to {last}).",
        "fr": "L'année de population {year} n'est pas plausible (attendu : de {first} à {last}).",
        "es": "El año de la población {year} no es plausible (se espera de {first} a {last}).",
    },
    "bad-date": {
        "en": "'{value}' is not a date in the expected form: write YYYY-MM-DD, e.g. 2024-03-15.",
        "fr": "« {value} » n'est pas une date dans la forme attendue : écrivez AAAA-MM-JJ, "
        "p. ex. 2024-03-15.",
        "es": "«{value}» no es una fecha en la forma esperada: escriba AAAA-MM-DD, "
        "p. ej. 2024-03-15.",
    },
    "bad-language": {
        "en": "'{value}' is not a BCP 47 language tag (e.g. en, fr, es, pt-BR).{suggestion}",
        "fr": "« {value} » n'est pas une étiquette de langue BCP 47 (p. ex. en, fr, es, "
        "pt-BR).{suggestion}",
        "es": "«{value}» no es una etiqueta de idioma BCP 47 (p. ej. en, fr, es, "
        "pt-BR).{suggestion}",
    },
    "language-hint": {
        "en": " Did you mean '{tag}'?",
        "fr": " Vouliez-vous dire « {tag} » ?",
        "es": " ¿Quería decir «{tag}»?",
    },
    "no-language": {
        "en": "No language given: the texts of this row are taken to be in '{tag}'.",
        "fr": "Aucune langue indiquée : les textes de cette ligne sont considérés comme écrits "
        "en « {tag} ».",
        "es": "No se indica el idioma: se considera que los textos de esta fila están en "
        "«{tag}».",
    },
    "duplicate-title": {
        "en": "Another initiative (row {first_row}) has the same title: titles must differ "
        "within a territory.",
        "fr": "Une autre initiative (ligne {first_row}) a le même titre : les titres doivent "
        "différer au sein d'un territoire.",
        "es": "Otra iniciativa (fila {first_row}) tiene el mismo título: los títulos deben ser "
        "distintos dentro de un territorio.",
    },
    "example-row": {
        "en": "This is an example row of the template: replace it with your own data or delete "
        "it.",
        "fr": "Ceci est une ligne d'exemple du modèle : remplacez-la par vos propres données ou "
        "supprimez-la.",
        "es": "Esta es una fila de ejemplo de la plantilla: sustitúyala por sus propios datos o "
        "elimínela.",
    },
    # --- terms ---------------------------------------------------------------------------
    "unknown-term": {
        "en": "Unknown {kind} '{value}'.{suggestions}",
        "fr": "Valeur inconnue ({kind}) : « {value} ».{suggestions}",
        "es": "Valor desconocido ({kind}): «{value}».{suggestions}",
    },
    "ambiguous-term": {
        "en": "'{value}' matches several {kind}s: {options}; give the code instead.",
        "fr": "« {value} » correspond à plusieurs valeurs ({kind}) : {options} ; indiquez "
        "plutôt le code.",
        "es": "«{value}» corresponde a varios valores ({kind}): {options}; indique el código.",
    },
    "deprecated-term": {
        "en": "'{value}' is deprecated and was replaced by {replacement}.",
        "fr": "« {value} » est obsolète et a été remplacé par {replacement}.",
        "es": "«{value}» está obsoleto y se ha sustituido por {replacement}.",
    },
    "deprecated-no-replacement": {
        "en": "'{value}' is deprecated and has no replacement: choose another {kind}.",
        "fr": "« {value} » est obsolète et n'a pas de remplaçant : choisissez une autre valeur "
        "({kind}).",
        "es": "«{value}» está obsoleto y no tiene sustituto: elija otro valor ({kind}).",
    },
    "did-you-mean": {
        "en": " Did you mean {options}?",
        "fr": " Vouliez-vous dire {options} ?",
        "es": " ¿Quería decir {options}?",
    },
    "or": {"en": " or ", "fr": " ou ", "es": " o "},
    "kind-rights": {
        "en": "rights category",
        "fr": "catégorie de droits",
        "es": "categoría de derechos",
    },
    "kind-groups": {
        "en": "rights-holder group",
        "fr": "groupe de titulaires de droits",
        "es": "grupo de titulares de derechos",
    },
    "kind-instruments": {
        "en": "instrument",
        "fr": "instrument",
        "es": "instrumento",
    },
    # --- RDF input ------------------------------------------------------------------------
    "json-syntax": {
        "en": "The JSON is not valid at line {line}, column {column} ({error}).",
        "fr": "Le JSON n'est pas valide à la ligne {line}, colonne {column} ({error}).",
        "es": "El JSON no es válido en la línea {line}, columna {column} ({error}).",
    },
    "json-too-deep": {
        "en": "The JSON is nested too deeply.",
        "fr": "Le JSON est trop profondément imbriqué.",
        "es": "El JSON está anidado a demasiada profundidad.",
    },
    "jsonld-not-object": {
        "en": "A JSON-LD submission must be a JSON object (or an array of objects).",
        "fr": "Une contribution JSON-LD doit être un objet JSON (ou un tableau d'objets).",
        "es": "Un envío JSON-LD debe ser un objeto JSON (o una matriz de objetos).",
    },
    "remote-context": {
        "en": "The JSON-LD context '{url}' is not allowed: use \"{expected}\" (nothing is "
        "fetched from the Internet).",
        "fr": "Le contexte JSON-LD « {url} » n'est pas autorisé : utilisez « {expected} » (rien "
        "n'est téléchargé depuis Internet).",
        "es": "No se admite el contexto JSON-LD «{url}»: use «{expected}» (no se descarga nada "
        "de Internet).",
    },
    "jsonld-invalid": {
        "en": "The JSON-LD cannot be read ({error}).",
        "fr": "Le JSON-LD ne peut pas être lu ({error}).",
        "es": "No se puede leer el JSON-LD ({error}).",
    },
    "named-graphs": {
        "en": "Named graphs are not accepted in a submission: put every statement in the "
        "default graph.",
        "fr": "Les graphes nommés ne sont pas acceptés dans une contribution : placez toutes les "
        "déclarations dans le graphe par défaut.",
        "es": "No se aceptan grafos con nombre en un envío: ponga todas las declaraciones en el "
        "grafo por defecto.",
    },
    "turtle-syntax": {
        "en": "Turtle syntax error at line {line}, column {column}: {error}.",
        "fr": "Erreur de syntaxe Turtle à la ligne {line}, colonne {column} : {error}.",
        "es": "Error de sintaxis Turtle en la línea {line}, columna {column}: {error}.",
    },
    "too-many-triples": {
        "en": "The document has {count} statements; the limit is {limit}.",
        "fr": "Le document contient {count} déclarations ; la limite est de {limit}.",
        "es": "El documento contiene {count} declaraciones; el límite es de {limit}.",
    },
    "rdf-no-territory": {
        "en": "The document must describe exactly one rg:Territory, and it describes none.",
        "fr": "Le document doit décrire exactement un rg:Territory, et il n'en décrit aucun.",
        "es": "El documento debe describir exactamente un rg:Territory, y no describe ninguno.",
    },
    "rdf-several-territories": {
        "en": "The document must describe exactly one rg:Territory, and it describes {count}: "
        "{iris}. Send one file per territory.",
        "fr": "Le document doit décrire exactement un rg:Territory, et il en décrit {count} : "
        "{iris}. Envoyez un fichier par territoire.",
        "es": "El documento debe describir exactamente un rg:Territory, y describe {count}: "
        "{iris}. Envíe un archivo por territorio.",
    },
    "rdf-territory-iri": {
        "en": "The territory's IRI <{iri}> does not follow the pattern {pattern} (e.g. "
        "{example}), where cc is the ISO 3166-1 code in lower case.",
        "fr": "L'IRI du territoire <{iri}> ne suit pas le modèle {pattern} (p. ex. {example}), "
        "où cc est le code ISO 3166-1 en minuscules.",
        "es": "El IRI del territorio <{iri}> no sigue el patrón {pattern} (p. ej. {example}), "
        "donde cc es el código ISO 3166-1 en minúsculas.",
    },
    "rdf-foreign-subject": {
        "en": "Statements about <{iri}> are not accepted in the submission of {key}: a "
        "submission describes only its territory, the territory's contact point, membership "
        "and initiatives.",
        "fr": "Les déclarations sur <{iri}> ne sont pas acceptées dans la contribution de "
        "{key} : une contribution ne décrit que son territoire, son point de contact, son "
        "adhésion et ses initiatives.",
        "es": "No se aceptan declaraciones sobre <{iri}> en el envío de {key}: un envío solo "
        "describe su territorio, su punto de contacto, su adhesión y sus iniciativas.",
    },
    "rdf-country-mismatch": {
        "en": "rg:countryCode '{value}' does not match the territory's IRI, which says '{cc}'.",
        "fr": "rg:countryCode « {value} » ne correspond pas à l'IRI du territoire, qui indique "
        "« {cc} ».",
        "es": "rg:countryCode «{value}» no corresponde al IRI del territorio, que indica "
        "«{cc}».",
    },
    "rdf-unknown-concept": {
        "en": "<{iri}> is not a known {kind}.{suggestions}",
        "fr": "<{iri}> n'est pas une valeur connue ({kind}).{suggestions}",
        "es": "<{iri}> no es un valor conocido ({kind}).{suggestions}",
    },
    "rdf-example-data": {
        "en": "The document is marked as example data (rg:isExample true) and cannot be "
        "submitted.",
        "fr": "Le document est marqué comme données d'exemple (rg:isExample true) et ne peut "
        "pas être soumis.",
        "es": "El documento está marcado como datos de ejemplo (rg:isExample true) y no se puede "
        "enviar.",
    },
}


def message(key: str, lang: str, /, **values: object) -> str:
    """The message ``key`` in ``lang`` (falling back to English), filled with ``values``.

    Raises ``KeyError`` for an unknown key: a typo in a key is a programming error.
    """
    return localize(_MESSAGES, key, pick_language(lang), **values)


def join_alternatives(options: list[str], lang: str) -> str:
    """``'a', 'b' or 'c'`` in the submitter's language."""
    if len(options) <= 1:
        return "".join(options)
    return ", ".join(options[:-1]) + message("or", lang) + options[-1]


# --------------------------------------------------------------------------------------------
# Format detection
# --------------------------------------------------------------------------------------------


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of the file, which names it (``rgid:file/sha256-{hex}``)."""
    return hashlib.sha256(data).hexdigest()


def decode_utf8(data: bytes, lang: str, *, spreadsheet: bool = False) -> str:
    """The text of a file in UTF-8 (a BOM is dropped).

    Raises ``InputError`` naming the first undecodable byte and its line; for a file from a
    spreadsheet (``spreadsheet=True``) the message says how to save it as "CSV UTF-8".
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(message("utf16", lang), line=1)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        offset = err.start
        line = data[:offset].count(b"\n") + 1
        key = "not-utf8" if spreadsheet else "not-utf8-text"
        raise InputError(
            message(key, lang, byte=f"{data[offset]:02X}", line=line, offset=offset),
            line=line,
        ) from None


def check_size(data: bytes, max_bytes: int, lang: str) -> None:
    """Refuse a file over ``max_bytes`` before anything reads it.

    Raises ``TooLargeError``.
    """
    if len(data) > max_bytes:
        raise TooLargeError(message("file-too-large", lang, size=len(data), limit=max_bytes))


def _sniff(data: bytes) -> str | None:
    """Guess the format from the first bytes, for files sent without a name or media type."""
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(OLE2_MAGIC):
        return "xlsx"  # the xlsx reader explains that it is encrypted or an old .xls
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")):
        return "jsonld"
    lowered = head.lower()
    if lowered.startswith((b"@prefix", b"@base", b"prefix ", b"base ", b"<", b"#")):
        return "turtle"
    return "csv" if head else None


def detect_format(
    data: bytes, *, filename: str | None, media_type: str | None, lang: str
) -> str:
    """``csv``, ``xlsx``, ``jsonld`` or ``turtle``, from the file name, then the media type,
    then the content.

    The extension wins because browsers and mail clients guess media types poorly (a CSV is
    often sent as ``application/vnd.ms-excel``); a generic media type is ignored.

    Raises ``UnsupportedFormatError`` for a recognised but refused format (``.xlsm``, ``.xls``,
    ``.ods``, tab-separated) and for anything unrecognisable.
    """
    name = filename or ""
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower() if name else ""
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    if suffix in _REFUSED_EXTENSIONS:
        raise UnsupportedFormatError(message(_REFUSED_EXTENSIONS[suffix], lang))
    mt = (media_type or "").split(";")[0].strip().lower()
    if mt in _MEDIA_TYPE_FORMATS:
        return _MEDIA_TYPE_FORMATS[mt]
    if mt in _REFUSED_MEDIA_TYPES:
        raise UnsupportedFormatError(message(_REFUSED_MEDIA_TYPES[mt], lang))
    sniffed = _sniff(data) if (not suffix and mt in _GENERIC_MEDIA_TYPES) else None
    if sniffed is None:
        if not data.strip():
            raise InputError(message("empty-file", lang))
        raise UnsupportedFormatError(
            message("unsupported-format", lang, name=repr(name) if name else "-")
        )
    return sniffed
