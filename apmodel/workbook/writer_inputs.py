"""Writing a Forum workbook's input tables: the template, ``apmodel new`` and the example county.

The layout is the user-facing contract of docs/forum-workbook.md: one sheet per input table,
named like it, holding one Excel Table (ListObject) with the exact contract name and
headers; a title in A1, the table's note in A2 and the header on row 3 (tables are found
by name, so users may move them). Money is written as numbers with a £ format, dates as
real Excel dates (dd/mm/yyyy), percentages as fractions with a % format; text is always
written as text, so a value beginning with ``=`` never becomes a formula. Every column
with fixed choices gets a dropdown, which warns but never blocks: the model accepts more
spellings (Y, TRUE...) than the list shows. ``InvoiceRegister`` is written empty, and a
``ReadMe`` sheet comes first.

XlsxWriter is used because it writes real tables, dropdowns and formats quickly: an
England-scale workbook (twenty thousand schools, ninety thousand placements) takes seconds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from apmodel.domain.inputs import SETTING_SPECS
from apmodel.workbook import contract as c
from apmodel.workbook.contract import Kind
from apmodel.workbook.interface import MAX_SHEET_NAME
from apmodel.workbook.layout import (
    FIGURE_FORMATS,
    HEADER_ROW,
    INPUT_TAB,
    MARGINS,
    PAPER_A4,
    REGISTER_TAB,
    TABLE_STYLE,
    PrintSetup,
    expected_width,
    print_setup,
)

#: Dropdowns and column help reach the last row of the sheet, so rows typed under the table (which
#: Excel adds to it) get them too, however far the table grows.
LAST_SHEET_ROW = 1_048_575
#: APT-style shading: the cells a user types into are pale yellow; a required column's header is
#: dark red (and its help says "Required").
INPUT_FILL = "#FFF2CC"
REQUIRED_HEADER = {"bold": True, "font_color": "#FFFFFF", "bg_color": "#C00000"}
#: Other headers as the table style draws them (the columns' shading would cover them otherwise).
OPTIONAL_HEADER = {"bold": True, "font_color": "#FFFFFF", "bg_color": "#4472C4"}

#: Excel number formats of input cells: money, percentages and dates as the outputs show them; whole
#: numbers (URNs, year groups) show no separator.
INPUT_FORMATS: dict[Kind, str] = {
    Kind.MONEY: FIGURE_FORMATS[Kind.MONEY],
    Kind.PERCENT: FIGURE_FORMATS[Kind.PERCENT],
    Kind.DATE: FIGURE_FORMATS[Kind.DATE],
    Kind.INT: "0",
    Kind.NUMBER: "General",
}

TABLE_TITLES: dict[str, str] = {
    c.SETTINGS.name: "Settings: the year, the budget and the policy choices",
    c.DISTRICTS.name: "Districts and their funding models",
    c.SCHOOLS.name: "Schools and the counts the formula uses",
    c.DISTRICT_FACTORS.name: "Stage 1 factors: sharing the AP budget between districts",
    c.SCHOOL_FACTORS.name: "Stage 2 factors: sharing a devolved district's allocation between its schools",
    c.REDRESS_RULES.name: "Financial redress rules",
    c.PROVIDERS.name: "AP providers: PRUs, independent, hospital and outreach",
    c.PUPIL_RATES.name: "Pupil-led rates of the schools formula (A in A x B / 52)",
    c.TERMS.name: "Terms: the billing periods",
    c.CLOSURE_DAYS.name: "Closure days inside terms",
    c.PLACEMENTS.name: "AP placements",
    c.EXCLUSIONS.name: "Permanent exclusions",
    c.SCENARIOS.name: "Scenarios: what-if overrides compared with the baseline",
    c.INVOICE_REGISTER.name: "Invoice register: every number ever used (written by the model)",
}

#: Each setting's note in the template: its declared help text (apmodel.domain.inputs.SETTING_SPECS).
SETTING_NOTES: dict[str, str] = {spec.label: spec.help for spec in SETTING_SPECS}

Rows = Sequence[Sequence[object]]


def default_setting_value(label: str) -> object:
    """A setting's default from the contract, as a cell value: numbers as numbers, blank as None."""
    text = c.SETTING_LABELS[label]
    if text == "":
        return None
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        number = Decimal(text)
        return int(number) if number == number.to_integral_value() else float(number)
    return text


def build_forum_workbook(
    path: Path | str,
    rows_by_table: Mapping[str, Rows] | None,
    *,
    settings: Mapping[str, object],
    register_rows: Rows = (),
) -> Path:
    """Write a Forum workbook holding every input table, an InvoiceRegister and a ReadMe.

    ``rows_by_table`` maps an input table name to its data rows, each a list of cell values
    in the contract's column order (missing tables are written empty). ``settings`` maps
    Settings labels to values; a label not given gets its contract default. Values are
    Python ``str``, ``int``, ``float``, ``Decimal``, ``date``, ``bool`` (Yes/No) or None.
    """
    target = Path(path)
    rows_by_table = dict(rows_by_table or {})
    unknown = set(rows_by_table) - {t.name for t in c.INPUT_TABLES if t is not c.SETTINGS}
    if unknown:
        raise ValueError(f"Not input tables of the contract (Settings is given by settings=): {sorted(unknown)}")
    unknown_settings = set(settings) - set(c.SETTING_LABELS)
    if unknown_settings:
        raise ValueError(f"Not settings of the contract: {sorted(unknown_settings)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(target))
    # A fixed creation date: the same inputs give the same file, byte for byte.
    book.set_properties(
        {
            "title": "AP funding: Forum workbook",
            "subject": "Alternative Provision funding model inputs",
            "created": datetime(2025, 1, 1),
        }
    )
    styles = _Styles(book)
    _write_readme(book, styles, settings)
    settings_widths = _write_table_sheet(book, styles, c.SETTINGS, _settings_rows(settings), settings_sheet=True)
    widths_by_sheet = {c.SETTINGS.name: settings_widths}
    for spec in c.INPUT_TABLES:
        if spec is not c.SETTINGS:
            widths_by_sheet[spec.name] = _write_table_sheet(book, styles, spec, rows_by_table.get(spec.name, ()))
    widths_by_sheet[c.INVOICE_REGISTER.name] = _write_table_sheet(
        book, styles, c.INVOICE_REGISTER, register_rows, tab_colour=REGISTER_TAB
    )
    la = str(settings.get("LA name") or c.SETTING_LABELS["LA name"])
    for sheet in book.worksheets():
        widths = widths_by_sheet.get(sheet.name)
        header_row = HEADER_ROW if widths is not None else None
        _print_setup(sheet, print_setup(widths or [], la, header_row, title=TABLE_TITLES.get(sheet.name, "")))
    book.close()
    return target


def _settings_rows(settings: Mapping[str, object]) -> list[list[object]]:
    return [
        [label, settings[label] if label in settings else default_setting_value(label), SETTING_NOTES[label]]
        for label in c.SETTING_LABELS
    ]


class _Styles:
    """The workbook's cell formats, created once (XlsxWriter formats belong to one workbook)."""

    def __init__(self, book: Workbook) -> None:
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.note = book.add_format({"italic": True, "font_color": "#595959"})
        self.heading = book.add_format({"bold": True, "font_size": 12})
        self.link = book.add_format({"font_color": "#0563C1", "underline": 1})
        self.text = book.add_format({"num_format": "@", "bg_color": INPUT_FILL})
        self.by_kind: dict[Kind, Format] = {
            kind: book.add_format({"num_format": fmt, "bg_color": INPUT_FILL}) for kind, fmt in INPUT_FORMATS.items()
        }
        self.required = book.add_format(REQUIRED_HEADER)
        self.optional = book.add_format(OPTIONAL_HEADER)
        self.plain = book.add_format()
        # Input whole numbers already show no separator, names (URNs) included.
        self.by_kind[Kind.ID] = self.by_kind[Kind.INT]

    def column(self, kind: Kind) -> Format:
        return self.by_kind.get(kind, self.text)


def _write_cell(sheet: Worksheet, row: int, col: int, value: object, kind: Kind, styles: _Styles) -> None:
    """One cell as a value of its column's kind; text never becomes a formula."""
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_string(row, col, "Yes" if value else "No")
    elif isinstance(value, datetime | date):
        sheet.write_datetime(row, col, value, styles.by_kind[Kind.DATE])
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, value, styles.by_kind.get(kind, styles.by_kind[Kind.NUMBER]))
    else:
        sheet.write_string(row, col, str(value))


def _value_kind(spec: c.TableSpec, label: object, column: c.Column) -> Kind:
    """Settings hold one setting per row, so their Value cells take the setting's kind."""
    if spec is c.SETTINGS and column.name == "Value":
        return c.SETTING_KINDS.get(str(label), Kind.TEXT)
    return column.kind


def _width(column: c.Column, rows: Rows, index: int) -> float:
    """Fitted to the header and the rows, and never narrower than what the column is expected to
    hold (``layout.expected_width``: the contract's width, so an empty InvoiceRegister's Number
    holds AP-2025-26-00001 when a run fills it)."""
    if column.kind is Kind.DATE:
        longest = 12
    elif column.kind is Kind.MONEY:
        longest = 15
    else:
        longest = 0
        for values in rows[:300]:
            value = values[index] if index < len(values) else None
            longest = max(longest, len(str(value)) if value is not None else 0)
    fitted = max(longest + 2, len(column.name) + 4, 8, expected_width(column.kind, column.width))
    return float(min(fitted, 60))


def _write_table_sheet(
    book: Workbook,
    styles: _Styles,
    spec: c.TableSpec,
    rows: Rows,
    *,
    settings_sheet: bool = False,
    tab_colour: str = INPUT_TAB,
) -> list[float]:
    """One input table on its own sheet; returns its column widths (for its print setup)."""
    sheet = book.add_worksheet(spec.name[:MAX_SHEET_NAME])
    sheet.set_tab_color("#" + tab_colour)
    width = len(spec.columns)
    for values in rows:
        if len(values) > width:
            raise ValueError(f"{spec.name}: a row has {len(values)} cells but the table has {width} columns")
    header = HEADER_ROW - 1
    first = header + 1
    last = header + max(len(rows), 1)
    widths: list[float] = []
    for index, column in enumerate(spec.columns):
        size = 70.0 if settings_sheet and column.name == "Notes" else _width(column, rows, index)
        if settings_sheet and column.name == "Setting":
            size = 40.0
        widths.append(size)
        sheet.set_column(index, index, size, None if settings_sheet else styles.column(column.kind))
    sheet.write_string(0, 0, TABLE_TITLES.get(spec.name, spec.name), styles.title)
    note = spec.note + (" Dark red headers are required." if any(col.required for col in spec.columns) else "")
    sheet.write_string(1, 0, note, styles.note)
    for index in range(1, width):  # the title rows are not for typing: no shading
        sheet.write_blank(0, index, None, styles.plain)
        sheet.write_blank(1, index, None, styles.plain)
    sheet.add_table(
        header,
        0,
        last,
        width - 1,
        {
            "name": spec.name,
            "style": TABLE_STYLE,
            "columns": [
                {"header": column.name, "header_format": styles.required if column.required else styles.optional}
                for column in spec.columns
            ],
        },
    )
    sheet.freeze_panes(HEADER_ROW, 0)
    for offset, values in enumerate(rows):
        label = values[0] if values else None
        for index, column in enumerate(spec.columns):
            kind = _value_kind(spec, label, column)
            value = values[index] if index < len(values) else None
            if settings_sheet and column.name == "Value" and isinstance(value, str) and value:
                sheet.write_string(first + offset, index, value, styles.text)  # shaded like every input
            elif value is not None and value != "":
                _write_cell(sheet, first + offset, index, value, kind, styles)
            elif settings_sheet and column.name == "Value":
                # A blank setting still shows £ or % once typed.
                sheet.write_blank(first + offset, index, None, styles.column(kind))
    if settings_sheet:
        _setting_dropdowns(sheet, rows, first)
        return widths
    for index, column in enumerate(spec.columns):
        _column_help(sheet, first, index, column)
    return widths


def _print_setup(sheet: Worksheet, setup: PrintSetup) -> None:
    """A4, one page wide, the header row repeated, the footer (layout.print_setup)."""
    sheet.set_paper(PAPER_A4)
    if setup.landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    left, right, top, bottom, _, footer = MARGINS
    sheet.set_margins(left, right, top, bottom)
    if setup.title_rows is not None:
        sheet.repeat_rows(setup.title_rows[0] - 1, setup.title_rows[1] - 1)
    sheet.set_footer(setup.footer, {"margin": footer})


def _column_help(sheet: Worksheet, first: int, col: int, column: c.Column) -> None:
    """The column's help shown when a cell is selected, and its dropdown if it has choices, down to the sheet's end."""
    message = ("Required. " if column.required else "") + column.help
    options: dict[str, object] = {"input_title": column.name[:32], "input_message": message[:255]}
    if column.choices:
        options |= {
            "validate": "list",
            "source": list(column.choices),
            "error_type": "warning",
            "error_title": column.name[:32],
            "error_message": f"Expected one of: {', '.join(column.choices)}."[:255],
            "ignore_blank": True,
        }
    else:
        options["validate"] = "any"
    sheet.data_validation(first, col, LAST_SHEET_ROW, col, options)


def _dropdown(sheet: Worksheet, first: int, col: int, last: int, name: str, choices: Sequence[str]) -> None:
    sheet.data_validation(
        first,
        col,
        last,
        col,
        {
            "validate": "list",
            "source": list(choices),
            "error_type": "warning",
            "error_title": name[:32],
            "error_message": f"Expected one of: {', '.join(choices)}."[:255],
            "ignore_blank": True,
        },
    )


def _setting_dropdowns(sheet: Worksheet, rows: Rows, first: int) -> None:
    for offset, values in enumerate(rows):
        label = str(values[0])
        if label in c.SETTING_CHOICES:
            _dropdown(sheet, first + offset, 1, first + offset, label, c.SETTING_CHOICES[label])


def _write_readme(book: Workbook, styles: _Styles, settings: Mapping[str, object]) -> None:
    sheet = book.add_worksheet(c.README_SHEET)
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 100)
    la_name = settings.get("LA name") or c.SETTING_LABELS["LA name"]
    year = settings.get("Financial year")
    lines: list[tuple[str, str | None, Format | None]] = [
        ("AP funding model: Forum workbook", None, styles.title),
        (f"{la_name}" + (f", financial year {year}" if year else ""), None, styles.note),
        ("", None, None),
        ("What this workbook is", None, styles.heading),
        ("The one file that holds the Alternative Provision (AP) funding inputs, the model's results and the "
         "invoice register.", None, None),
        ("It is read and written by the apmodel Excel add-in and by the apmodel command; both give the same "
         "figures.", None, None),
        ("Every table is an Excel Table with a fixed name: keep the names. You may move tables, reorder columns "
         "and add columns of your own (they are kept).", None, None),
        ("Pupils are identified only by a pseudonymous Pupil Ref: never type names or UPNs.", None, None),
        ("", None, None),
        ("Input tables (you edit these; blue tabs)", None, styles.heading),
    ]
    lines += [(spec.name, spec.note, None) for spec in c.INPUT_TABLES]
    lines += [
        ("", None, None),
        ("Output tables (written by the model on every run; do not edit them)", None, styles.heading),
    ]
    lines += [(spec.name, spec.holds, None) for spec in c.OUTPUT_SPECS]
    lines += [
        ("", None, None),
        ("Kept by the model (grey tab)", None, styles.heading),
        (c.INVOICE_REGISTER.name, c.INVOICE_REGISTER.note, None),
        ("", None, None),
        ("How to run", None, styles.heading),
        ("1. Fill in", "Settings first, then Districts, Schools, the factor tables, Providers, PupilRates and "
         "Terms; Placements and Exclusions as they happen.", None),
        ("2. Check", "In Excel: the add-in's Validate button. Or: apmodel validate THIS.xlsx", None),
        ("3. Run", "In Excel: the add-in's Run button. Or: apmodel run THIS.xlsx -o RESULT.xlsx", None),
        ("4. Read Warnings", "Every problem is listed with a link to its cell. Errors block the figures that "
         "depend on them; everything else is still computed.", None),
        ("5. Issue", 'When a term\'s charges are agreed: apmodel issue THIS.xlsx --period "Autumn 2025" '
         "--in-place (an Issued invoice is never rewritten).", None),
        ("6. School packs", "apmodel packs THIS.xlsx -o PACKS_FOLDER: one file per school, with nothing of any "
         "other school in it.", None),
    ]
    linked = {spec.name for spec in (*c.INPUT_TABLES, c.INVOICE_REGISTER)}
    for row, (label, text, style) in enumerate(lines):
        if label in linked and text is not None:
            sheet.write_url(row, 0, f"internal:'{label}'!A1", styles.link, label)
        elif label and style is not None:
            sheet.write_string(row, 0, label, style)
        elif label:
            sheet.write_string(row, 0, label)
        if text:
            sheet.write_string(row, 1, text)
    sheet.activate()
