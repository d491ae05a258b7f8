"""The Contents and Notes sheets of the results workbook: find a sheet, read what a column means.

``Contents`` comes first in the workbook: every sheet, one line on what it holds, whether it
is an input (typed by the user), an output (replaced by each run) or kept by the model, and a
link to it. ``Notes`` defines every output column (from the contract, where the columns are
declared) and the words the model uses (``GLOSSARY``).
"""

from __future__ import annotations

from collections.abc import Sequence

from apmodel.workbook.contract import (
    CONTENTS,
    CONTENTS_SPEC,
    INPUT_TABLES,
    INVOICE_REGISTER,
    LAST_YEAR_SHOWN,
    NOTES,
    NOTES_SPEC,
    OUTPUT_SPECS,
    README_HOLDS,
    README_SHEET,
    last_year_name,
)
from apmodel.workbook.interface import OutputTable, out_columns, quote_sheet
from apmodel.workbook.layout import DASHBOARD

INPUT, OUTPUT, KEPT, YOURS = "Input", "Output", "Kept", "Yours"
#: What a sheet the model neither reads nor changes holds, as far as the model knows.
YOURS_HOLDS = "Yours: the model neither reads nor changes it."

DASHBOARD_HOLDS = "Charts of the last run, each with its figures beside it."

#: What a ``LastYear<Table>`` sheet holds (rollover keeps last year's inputs there).
LAST_YEAR_HOLDS = ("Last year's {what}, kept by rollover: correct a row here and the next run credits "
                   "last year's document it changes.")

#: The words the model uses, in the order a reader meets them.
GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Stage 1", "Sharing the AP budget between districts by the DistrictFactors (after central retention and "
     "lump sums), then protection."),
    ("Stage 2", "Sharing a district's allocation inside it: to its Lead PRU (delegated), to its schools "
     "(devolved) or both (hybrid)."),
    ("Delegated", "The district's allocation goes to its Lead PRU, as place funding plus top-up."),
    ("Devolved", "The district's allocation goes to its schools, by the SchoolFactors."),
    ("Hybrid", "Devolved Share of the allocation goes to the schools, the rest to the Lead PRU."),
    ("Lump sum", "A fixed sum for a district, taken off the pot before the factors share it."),
    ("Place funding", "Commissioned places x the Place funding rate setting (£10,000 a place by default)."),
    ("Top-up", "What a provider receives above place funding: the rest of its delegated allocation."),
    ("Protection", "Each district's change against its Previous Allocation is kept between the floor "
     "(Protection floor) and the cap (Protection cap)."),
    ("Financial redress", "A deduction from a school's devolved funding where a measure (exclusions, say) is "
     "above its threshold; shared with the district's other schools or its Lead PRU."),
    ("Tier 1", "DfE AP tier: targeted support inside mainstream school."),
    ("Tier 2", "DfE AP tier: a time-limited placement that aims to return the pupil to school."),
    ("Tier 3", "DfE AP tier: a longer-term or transitional placement."),
    ("A", "Statutory adjustment: the excluded pupil's funding for a full year (pupil-led rates by key stage)."),
    ("B", "Statutory adjustment: complete weeks from the relevant date to 31 March."),
    ("C", "Statutory adjustment: an adjustment order's amount. Deduction = A x B / 52 + C."),
    ("D", "The deduction made from the excluding school (A x B / 52), before C."),
    ("E", "Complete weeks from the admission (admitting credit) or the reinstatement (repayment)."),
    ("F", "B again: the admitting school is credited D x E / F."),
    ("Statutory (reg 39)", "A line recovered under the School and Early Years Finance (England) Regulations, "
     "regulation 39 (permanent exclusions): maintained schools and academies."),
    ("Local agreement", "A line recovered under the LA's own agreement with schools (placement charges; "
     "academies only with an AP Agreement)."),
    ("Not recoverable", "A line with no legal basis to recover it (an academy without an AP Agreement, say)."),
    ("Budget adjustment", "A maintained school's charge or credit: a journal against its budget share."),
    ("Credit note", "An academy's credit, or the reversal of an Issued invoice that changed."),
    ("[c]", "A figure suppressed to protect pupils: a count from 1 to 4, or one that would reveal it."),
)


def contents_table(sheets: Sequence[tuple[str, str, str]]) -> OutputTable:
    """One row per (sheet, what it holds, Input/Output/Kept), with a link to the sheet's A1."""
    rows: list[list[object]] = [[sheet, holds, kind, f"{quote_sheet(sheet)}!A1"] for sheet, holds, kind in sheets]
    return OutputTable(
        CONTENTS,
        out_columns(CONTENTS_SPEC.columns),
        rows,
        title="Contents: every sheet of this workbook",
        first=True,
    )


def notes_table() -> OutputTable:
    """Every output column's meaning (placeholders such as <Factor> stand for each factor), then the words."""
    rows: list[list[object]] = [[s.name, column.name, column.help] for s in OUTPUT_SPECS for column in s.columns]
    rows += [[INVOICE_REGISTER.name, column.name, column.help] for column in INVOICE_REGISTER.columns]
    rows += [["Terms", word, meaning] for word, meaning in GLOSSARY]
    return OutputTable(NOTES, out_columns(NOTES_SPEC.columns), rows, title="Notes: what every column and word means")


def workbook_sheets(
    input_sheets: dict[str, str], output_sheets: dict[str, str], other_sheets: Sequence[str] = ()
) -> list[tuple[str, str, str]]:
    """The Contents rows: outputs (Summary, then the Dashboard, then the rest), the register and last
    year's shown tables (after a rollover), inputs, then every other sheet (``other_sheets``: the
    ReadMe, a sheet of the user's own), so every sheet has its row and link.

    ``input_sheets`` and ``output_sheets`` map a table name to the sheet holding it.
    """
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()

    def add(sheet: str, holds: str, kind: str) -> None:
        if sheet.casefold() not in seen:
            seen.add(sheet.casefold())
            rows.append((sheet, holds, kind))

    for spec in OUTPUT_SPECS:
        if spec.name in output_sheets:
            add(output_sheets[spec.name], spec.holds, OUTPUT)
        if spec.name == OUTPUT_SPECS[0].name:
            add(DASHBOARD, DASHBOARD_HOLDS, OUTPUT)
    if INVOICE_REGISTER.name in input_sheets:
        add(input_sheets[INVOICE_REGISTER.name], INVOICE_REGISTER.note, KEPT)
    for source in LAST_YEAR_SHOWN:
        if (name := last_year_name(source.name)) in input_sheets:
            add(input_sheets[name], LAST_YEAR_HOLDS.format(what=source.name.casefold()), KEPT)
    for table in INPUT_TABLES:
        if table.name in input_sheets:
            add(input_sheets[table.name], table.note, INPUT)
    for sheet in other_sheets:
        add(sheet, README_HOLDS if sheet.casefold() == README_SHEET.casefold() else YOURS_HOLDS, YOURS)
    return rows
