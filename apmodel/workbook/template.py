"""The Forum workbook template and ``apmodel new`` (docs/forum-workbook.md: every table, exact names).

The template (``templates/forum-template.xlsx``, shipped as ``apmodel.templates``) holds
every input table with exactly one illustrative row, so a user sees what each column
expects, plus the Settings with their defaults and an empty InvoiceRegister. A new
workbook is the template with those example rows removed: each table keeps its header and
one blank row (an Excel table cannot have zero rows), its formats and its dropdowns.
"""

from __future__ import annotations

import tempfile
from datetime import date
from importlib import resources
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook

from apmodel.workbook import contract as c
from apmodel.workbook.interface import column_letter
from apmodel.workbook.openpyxl_store import atomic_save
from apmodel.workbook.writer_inputs import build_forum_workbook

TEMPLATE_FILE = "forum-template.xlsx"

#: One illustrative row per input table: the template's only data rows, removed by ``new_workbook``.
TEMPLATE_EXAMPLES: dict[str, list[list[object]]] = {
    c.DISTRICTS.name: [["Example District", "North", "Delegated", None, "PRU-01", 1_500_000, 100_000]],
    c.SCHOOLS.name: [
        [
            100001, "Example Secondary School", "Example District", "Secondary", "Academy", "Example Learning Trust",
            "Trust Office, 1 Example Road, Example Town EX2 2AA", "Yes", "CC1001", "PO123456",
            1000, 510, 490, 30, 140, 600, 400, 0, 150, 220, 4, 90, 3, 5, 180, "8864001", "10012345", "Open",
        ]
    ],
    c.DISTRICT_FACTORS.name: [["KS3 and KS4 pupils", "Pupils", "Secondary", 1.0]],
    c.SCHOOL_FACTORS.name: [["Pupils", "Pupils", "Unit Rate", 69.31, "Secondary"]],
    c.REDRESS_RULES.name: [
        ["Permanent exclusions", "Permanent Exclusions 3yr", "Pupils", 8, "Per unit above threshold", 5000]
    ],
    c.PROVIDERS.name: [
        ["PRU-01", "Example Pupil Referral Unit", "PRU", "Example District", 60, None, "Daily", 75, "No"]
    ],
    c.PUPIL_RATES.name: [["KS3", 5300, 650, 450, 550, 700, 1050]],
    c.TERMS.name: [["Autumn 2025", date(2025, 9, 3), date(2025, 12, 19)]],
    c.CLOSURE_DAYS.name: [[date(2025, 10, 27), date(2025, 10, 31), "Half term"]],
    c.PLACEMENTS.name: [
        [
            "PL-00001", "P-7F3A21", 100001, "PRU-01", 2, "Dual", "At risk of exclusion", date(2025, 9, 15),
            date(2025, 12, 12), 5, 9, None, None, 12, "Returned to mainstream", "No", "Yes", "Yes", "Male", "White",
        ]
    ],
    c.EXCLUSIONS.name: [
        [
            "EX-00001", "P-1B2C3D", 100001, date(2025, 10, 13), date(2025, 11, 3), 9, "Yes", "No", "No", "No",
            None, None, None, None, None, None,
        ]
    ],
    c.SCENARIOS.name: [["Higher deprivation weight", "DistrictFactor", "KS3 and KS4 pupils", "100%"]],
    c.DISTRICT_MAP.name: [["Ashford", "Example District"]],
    c.FINANCE_EXPORT.name: [["Document Number", "TRX_NUMBER", "ar-invoices.csv"]],
}

#: Tables whose rows a new workbook keeps: the Settings rows carry the defaults.
_KEPT_TABLES = {c.SETTINGS.name.casefold()}


def build_template(path: Path) -> Path:
    """Write the template: every input table with its one example row, default Settings, empty register."""
    return build_forum_workbook(path, TEMPLATE_EXAMPLES, settings={})


def _open_template() -> Workbook:
    resource = resources.files("apmodel.templates").joinpath(TEMPLATE_FILE)
    if resource.is_file():
        with resource.open("rb") as handle:
            return load_workbook(handle)
    # Running from a source tree where the template was never built: build it afresh.
    with tempfile.TemporaryDirectory() as folder:
        built = build_template(Path(folder) / TEMPLATE_FILE)
        return load_workbook(built)


def clear_example_rows(book: Workbook) -> None:
    """Empty every table except Settings, leaving its header and one blank, still formatted, row."""
    for sheet in book.worksheets:
        for table in list(sheet.tables.values()):
            if table.displayName.casefold() in _KEPT_TABLES:
                continue
            min_col, min_row, max_col, max_row = range_boundaries(table.ref)
            for row in sheet.iter_rows(min_row=min_row + 1, max_row=max_row, min_col=min_col, max_col=max_col):
                for cell in row:
                    cell.value = None
            if max_row > min_row + 1:
                sheet.delete_rows(min_row + 2, max_row - min_row - 1)
            ref = f"{column_letter(min_col)}{min_row}:{column_letter(max_col)}{min_row + 1}"
            table.ref = ref
            if table.autoFilter is not None:
                table.autoFilter.ref = ref


def new_workbook(out_path: Path) -> Path:
    """Write a blank Forum workbook to ``out_path``: the template without its example rows."""
    book = _open_template()
    clear_example_rows(book)
    target = Path(out_path)
    atomic_save(book, target)
    return target
