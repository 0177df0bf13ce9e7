"""Write the submission templates: docs/submission-template.csv and docs/submission-template.xlsx.

Both come from the same header (``rightsgraph.loaders.tabular.COLUMNS``) and the same two example
rows, so the CSV and the workbook cannot drift apart; the workbook adds a styled header and a
second sheet, "Help", that explains each column in English, French and Spanish.

Run it after changing the columns or the examples:

    .venv/bin/python docs/make_templates.py

The example rows describe a fictional territory whose name starts with "EXAMPLE": the reader
refuses such rows, so a template sent back unchanged is never mistaken for a real submission.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
from pathlib import Path

from rightsgraph.loaders.tabular import COLUMNS

HERE = Path(__file__).resolve().parent

#: Two example rows: a fictional territory (the name starts with EXAMPLE) and two initiatives.
EXAMPLE_ROWS: list[dict[str, str]] = [
    {
        "territory_name": "EXAMPLE Sampletown",
        "country": "ES",
        "region": "Catalunya",
        "population": "125000 (2023)",
        "joined_campaign": "2022-10-12",
        "contact_email": "human.rights@sampletown.example",
        "initiative_title": "Office for non-discrimination",
        "initiative_description": "EXAMPLE ROW, replace or delete it. A fictional municipal "
        "office that receives complaints of discrimination and helps the people concerned.",
        "rights_categories": "Equality and non-discrimination; anti-racism",
        "rights_holder_groups": "migrants; Roma; LGBTIQ+ persons",
        "instruments": "UDHR; ICERD; A/HRC/RES/45/7",
        "start_date": "2023-01-16",
        "end_date": "",
        "language": "en",
    },
    {
        "territory_name": "EXAMPLE Sampletown",
        "country": "ES",
        "region": "",
        "population": "",
        "joined_campaign": "",
        "contact_email": "",
        "initiative_title": "Affordable housing programme",
        "initiative_description": "EXAMPLE ROW, replace or delete it. A fictional programme "
        "that renovates empty flats and lets them at a social rent.",
        "rights_categories": "GCA-X; Right to clean water and food",
        "rights_holder_groups": "Persons living in poverty; older persons",
        "instruments": "ICESCR; New Urban Agenda",
        "start_date": "2024-03-01",
        "end_date": "2027-12-31",
        "language": "en",
    },
]

#: (required?, English, French, Spanish) help for each column.
HELP: dict[str, tuple[str, str, str, str]] = {
    "territory_name": (
        "yes",
        "Name of the local or regional government, as in its own language. Repeat it on "
        "every row or leave it empty after the first row.",
        "Nom du gouvernement local ou régional, dans sa propre langue. Répétez-le sur chaque "
        "ligne ou laissez-le vide après la première ligne.",
        "Nombre del gobierno local o regional, en su propio idioma. Repítalo en cada fila o "
        "déjelo vacío después de la primera.",
    ),
    "country": (
        "yes",
        "Country: ISO 3166-1 code (ES, FR, MX or ESP, FRA, MEX) or its name in English, "
        "French or Spanish.",
        "Pays : code ISO 3166-1 (ES, FR, MX ou ESP, FRA, MEX) ou son nom en anglais, français "
        "ou espagnol.",
        "País: código ISO 3166-1 (ES, FR, MX o ESP, FRA, MEX) o su nombre en inglés, francés o "
        "español.",
    ),
    "region": (
        "no",
        "First-level subdivision of the country: ISO 3166-2 code (ES-CT) or its name.",
        "Subdivision de premier niveau du pays : code ISO 3166-2 (ES-CT) ou son nom.",
        "Subdivisión de primer nivel del país: código ISO 3166-2 (ES-CT) o su nombre.",
    ),
    "population": (
        "no",
        "Number of inhabitants, a whole number, optionally followed by its year: "
        "125000 (2023). Without a year, the year of the submission is recorded.",
        "Nombre d'habitants, un nombre entier, éventuellement suivi de son année : "
        "125000 (2023). Sans année, l'année de la contribution est enregistrée.",
        "Número de habitantes, un número entero, opcionalmente seguido de su año: "
        "125000 (2023). Sin año, se registra el año del envío.",
    ),
    "joined_campaign": (
        "no",
        "Date the territory joined the campaign, YYYY-MM-DD.",
        "Date d'adhésion du territoire à la campagne, AAAA-MM-JJ.",
        "Fecha de adhesión del territorio a la campaña, AAAA-MM-DD.",
    ),
    "contact_email": (
        "no",
        "E-mail address of the office that answers for the submission.",
        "Adresse électronique du service qui répond de la contribution.",
        "Dirección de correo del servicio responsable del envío.",
    ),
    "initiative_title": (
        "yes (per initiative)",
        "Title of the initiative; titles must differ within the file.",
        "Titre de l'initiative ; les titres doivent être différents dans le fichier.",
        "Título de la iniciativa; los títulos deben ser distintos dentro del archivo.",
    ),
    "initiative_description": (
        "no",
        "A short description in plain text (up to 5000 characters).",
        "Une courte description en texte brut (jusqu'à 5000 caractères).",
        "Una breve descripción en texto plano (hasta 5000 caracteres).",
    ),
    "rights_categories": (
        "no",
        "Rights addressed, separated by ';': a label in English, French or Spanish, a code "
        "(housing) or a Charter-Agenda article (GCA-X).",
        "Droits concernés, séparés par « ; » : un libellé en anglais, français ou espagnol, un "
        "code (housing) ou un article de la Charte-Agenda (GCA-X).",
        "Derechos abordados, separados por «;»: una etiqueta en inglés, francés o español, un "
        "código (housing) o un artículo de la Carta-Agenda (GCA-X).",
    ),
    "rights_holder_groups": (
        "no",
        "Groups of people targeted, separated by ';': a label or a code (migrants).",
        "Groupes de personnes visés, séparés par « ; » : un libellé ou un code (migrants).",
        "Grupos de personas destinatarios, separados por «;»: una etiqueta o un código "
        "(migrants).",
    ),
    "instruments": (
        "no",
        "Instruments implemented, separated by ';': an abbreviation (UDHR, CEDAW), a symbol "
        "(A/HRC/RES/45/7), a title or a code.",
        "Instruments mis en œuvre, séparés par « ; » : un sigle (UDHR, CEDAW), une cote "
        "(A/HRC/RES/45/7), un titre ou un code.",
        "Instrumentos aplicados, separados por «;»: una sigla (UDHR, CEDAW), una signatura "
        "(A/HRC/RES/45/7), un título o un código.",
    ),
    "start_date": (
        "no",
        "Start date, YYYY-MM-DD. After today the initiative is 'planned'.",
        "Date de début, AAAA-MM-JJ. Postérieure à aujourd'hui, l'initiative est « prévue ».",
        "Fecha de inicio, AAAA-MM-DD. Posterior a hoy, la iniciativa está «prevista».",
    ),
    "end_date": (
        "no",
        "End date, YYYY-MM-DD. Before today the initiative is 'completed'.",
        "Date de fin, AAAA-MM-JJ. Antérieure à aujourd'hui, l'initiative est « terminée ».",
        "Fecha de fin, AAAA-MM-DD. Anterior a hoy, la iniciativa está «terminada».",
    ),
    "language": (
        "yes",
        "Language of the row's texts, a BCP 47 tag: en, fr, es, pt-BR...",
        "Langue des textes de la ligne, une étiquette BCP 47 : en, fr, es, pt-BR...",
        "Idioma de los textos de la fila, una etiqueta BCP 47: en, fr, es, pt-BR...",
    ),
}

_GENERAL_HELP = (
    ("One file per territory, one row per initiative. Lists are separated by ';'. Dates are "
     "YYYY-MM-DD. No formulas, no markup. Delete the two EXAMPLE rows before sending. Guide: "
     "docs/submitting.md."),
    ("Un fichier par territoire, une ligne par initiative. Les listes sont séparées par « ; ». "
     "Les dates sont au format AAAA-MM-JJ. Ni formules ni balisage. Supprimez les deux lignes "
     "EXAMPLE avant l'envoi."),
    ("Un archivo por territorio, una fila por iniciativa. Las listas se separan con «;». Las "
     "fechas tienen el formato AAAA-MM-DD. Sin fórmulas ni marcado. Elimine las dos filas "
     "EXAMPLE antes del envío."),
)


def csv_text() -> str:
    """The CSV template: the header and the example rows, comma-separated, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in EXAMPLE_ROWS:
        writer.writerow([row[c] for c in COLUMNS])
    return out.getvalue()


def write_xlsx(path: Path) -> None:
    """The workbook template: sheet "Submission" (styled header, example rows in grey italics)
    and sheet "Help"."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    fixed = dt.datetime(2026, 1, 1)
    workbook.properties.creator = "RightsGraph"
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    sheet = workbook.worksheets[0]
    sheet.title = "Submission"
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center")
    example_font = Font(italic=True, color="7F7F7F")
    for row in EXAMPLE_ROWS:
        sheet.append([row[c] for c in COLUMNS])
        for cell in sheet[sheet.max_row]:
            cell.font = example_font
            cell.number_format = "@"  # text: Excel must not turn codes or dates into numbers
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = 40 if column.startswith("initiative") else 22
    sheet.freeze_panes = "A2"

    help_sheet = workbook.create_sheet("Help")
    for line in _GENERAL_HELP:
        help_sheet.append([line])
    help_sheet.append([])
    help_sheet.append(["column", "required", "English", "Français", "Español"])
    title_row = help_sheet.max_row
    for cell in help_sheet[title_row]:
        cell.font = header_font
        cell.fill = header_fill
    for column in COLUMNS:
        required, en, fr, es = HELP[column]
        help_sheet.append([column, required, en, fr, es])
    for letter, width in zip("ABCDE", (24, 18, 60, 60, 60), strict=True):
        help_sheet.column_dimensions[letter].width = width
    for row in help_sheet.iter_rows(min_row=title_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    workbook.save(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "submission-template.csv").write_text(csv_text(), encoding="utf-8", newline="")
    write_xlsx(args.out / "submission-template.xlsx")


if __name__ == "__main__":
    main()
