"""Service functions connecting the Forum workbook to the council's own systems.

``export_finance`` (the ledger), ``import_schools`` (GIAS) and ``rollover_year`` (next year):
the CLI, the ribbon and the Python API all call these, over a ``WorkbookStore``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from apmodel.domain import gias, ledger, rollover
from apmodel.domain.findings import Finding, Findings
from apmodel.domain.inputs import SETTING_SPECS, SettingKind, normalise
from apmodel.reports.forum_tables import warnings_table
from apmodel.service import RunReport, compute, settlement_tables
from apmodel.workbook.cells import CellProblem, as_date, is_blank
from apmodel.workbook.contract import (
    CLOSURE_DAYS,
    DISTRICTS,
    EXCLUSIONS,
    IMPORT_LOG_SPEC,
    INVOICE_REGISTER,
    LAST_YEAR_SHOWN,
    LAST_YEAR_SOURCES,
    PLACEMENTS,
    ROLLOVER_LOG_SPEC,
    SCHOOLS,
    SETTINGS,
    TERMS,
    WARNINGS,
    Kind,
    TableSpec,
    last_year_name,
)
from apmodel.workbook.csv_files import write_csv
from apmodel.workbook.gias_csv import read_establishments, read_links
from apmodel.workbook.interface import OutColumn, OutputTable, RawTable, WorkbookStore, out_columns, table_named
from apmodel.workbook.parse import district_map, finance_layout_rows, parse_financial_year, parse_settings


@dataclass
class FinanceExportReport:
    """What one export sent: the documents, the files, and each journal's balance."""

    numbers: list[str]
    files: list[Path]
    ar_lines: int = 0
    journals: dict[str, Decimal] = field(default_factory=dict)
    run: RunReport | None = None

    @property
    def journals_net(self) -> Decimal:
        return sum(self.journals.values(), Decimal("0.00"))


def finance_layouts(
    report: RunReport, layout: str | None
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The columns of ar-invoices.csv and of journals.csv: a shipped layout by name (both files), else each
    file's rows of the FinanceExport table, else its generic layout."""
    if layout is not None:
        return list(ledger.LAYOUTS[layout]), list(ledger.JOURNAL_LAYOUTS[layout])
    rows = finance_layout_rows(report.loaded.tables, report.findings)
    chosen = ledger.layouts_from_rows(rows, report.findings)
    return (
        chosen.get(ledger.AR_FILE) or list(ledger.LAYOUTS["generic"]),
        chosen.get(ledger.JOURNAL_FILE) or list(ledger.JOURNAL_LAYOUTS["generic"]),
    )


def export_finance(
    store: WorkbookStore, out_dir: Path, *, today: date | None = None, layout: str | None = None
) -> FinanceExportReport:
    """Write DIR/ar-invoices.csv and DIR/journals.csv for the Issued documents not exported yet,
    then record their Exported On in the register (the caller saves the workbook).

    With nothing to export, no file is written and the register is unchanged.
    """
    day = today or date.today()
    report = compute(store, today=day)
    settlement = report.results.settlement
    if settlement is None or settlement.frozen:
        # A frozen register has Errors (edited or damaged rows): nothing is exported from it.
        return FinanceExportReport([], [], run=report)
    invoices, journals = finance_layouts(report, layout)
    export = ledger.export_ledger(settlement.register, report.loaded.inputs, invoices, report.findings, journals)
    if not export.numbers:
        return FinanceExportReport([], [], run=report)
    files = [
        write_csv(out_dir / ledger.AR_FILE, export.ar_header, export.ar_rows),
        write_csv(out_dir / ledger.JOURNAL_FILE, export.journal_header, export.journal_rows),
    ]
    after = dataclasses.replace(settlement, register=ledger.mark_exported(settlement.register, export.numbers, day))
    replaced: dict[str, OutputTable] = {t.name: t for t in settlement_tables(report.loaded, after)}
    replaced[WARNINGS] = warnings_table(report.findings.sorted(), report.loaded.locate)
    report.tables = [replaced.get(t.name, t) for t in report.tables]
    store.write_tables(report.tables)
    store.status(f"Exported {len(export.numbers)} document(s) to {out_dir}")
    return FinanceExportReport(
        export.numbers, files, len(export.ar_rows), ledger.journal_balance(export.journal_lines), report
    )


# --- Schools from GIAS ------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What import-schools did: the counts, the ImportLog rows and the findings."""

    findings: Findings
    update: gias.SchoolsUpdate | None = None
    moved: int = 0
    conversions: list[gias.Conversion] = field(default_factory=list)

    @property
    def log_rows(self) -> int:
        return len(self.update.log) if self.update is not None else 0


def _cell_date(value: object) -> date | None:
    if is_blank(value):
        return None
    try:
        return as_date(value)
    except CellProblem:
        return None


def _kinds(spec: TableSpec) -> dict[str, Kind]:
    return {normalise(column.name): column.kind for column in spec.columns}


def _whole_table(spec: TableSpec, header: Sequence[str], rows: list[list[object]]) -> OutputTable:
    """An input table written back whole: its own header order, the contract's formats where it has them."""
    kinds = _kinds(spec)
    columns = [OutColumn(name, kinds.get(normalise(name), Kind.TEXT)) for name in header]
    return OutputTable(spec.name, columns, rows)


def import_schools(store: WorkbookStore, gias_path: Path, *, links_path: Path | None = None) -> ImportReport:
    """Update Schools from the GIAS extract (and Placements/Exclusions from the links file); write ImportLog
    and the import's findings as the Warnings table (the CLI and the ribbon alike).

    Without the ``LA code`` setting or a Schools table (each an Error) only the Warnings table is written.
    """
    tables = store.read_tables()
    findings = Findings()
    settings = parse_settings(table_named(tables, SETTINGS.name), findings)
    la_code = settings.la_code if settings is not None else ""
    title = f"Import from GIAS: {gias_path.name}"

    def warnings() -> OutputTable:
        def locate(finding: Finding) -> str | None:
            table = table_named(tables, finding.table)
            return None if table is None else table.cell_ref(finding.row, finding.column)

        table = warnings_table(findings.sorted(), locate, f"{title}: problems found (Errors stop the import)")
        table.la = settings.la_name if settings is not None else ""  # printed in the footer, as a run's is
        return table

    schools = table_named(tables, SCHOOLS.name)
    if not la_code or schools is None:
        findings.error(
            "IMPORT_NOT_POSSIBLE",
            SETTINGS.name if not la_code else SCHOOLS.name,
            None,
            "Value" if not la_code else None,
            "",
            "Set the 'LA code' setting (the DfE's three-digit code, e.g. 886 for Kent) before importing schools."
            if not la_code
            else "The workbook has no Schools table to update.",
        )
        store.write_tables([warnings()])
        return ImportReport(findings)
    establishments = read_establishments(gias_path, findings)
    mapping = district_map(tables, findings)
    districts_raw = table_named(tables, DISTRICTS.name)
    known: set[str] = set()
    if districts_raw is not None and (at := districts_raw.index("District")) is not None:
        known = {normalise(row[at]) for row in districts_raw.rows if at < len(row) and row[at] is not None}
    update = gias.merge_schools(
        schools.header,
        schools.rows,
        [schools.sheet_row(i) for i in range(len(schools.rows))],
        establishments,
        la_code,
        lambda name: mapping.get(normalise(name), name),
        known,
        findings,
    )
    written = [_whole_table(SCHOOLS, update.header, update.rows)]
    report = ImportReport(findings, update)
    if links_path is not None:
        report.conversions = gias.conversions(read_links(links_path, findings))
        for spec, follow in ((PLACEMENTS, gias.follow_placements), (EXCLUSIONS, gias.follow_exclusions)):
            raw = table_named(tables, spec.name)
            if raw is None or not report.conversions:
                continue
            moved = follow(raw.header, raw.rows, report.conversions, _cell_date)
            if moved.log:
                update.log += moved.log
                report.moved += len(moved.log)
                written.append(_whole_table(spec, raw.header, moved.rows))
    written.append(
        OutputTable(
            IMPORT_LOG_SPEC.name,
            out_columns(IMPORT_LOG_SPEC.columns),
            [[row.urn, row.column, row.old, row.new, row.note] for row in update.log],
            title=title,
        )
    )
    written.append(warnings())
    store.write_tables(written)
    store.status(f"Imported {len(establishments)} GIAS record(s): {len(update.log)} change(s)")
    return report


# --- Next year ----------------------------------------------------------------------------------------


@dataclass
class RolloverReport:
    """What rollover did: the RolloverLog rows and the findings (nothing written when it has an Error)."""

    findings: Findings
    log: list[rollover.LogRow] = field(default_factory=list)
    budget: Decimal | None = None
    placements: int = 0
    exclusions: int = 0

    @property
    def written(self) -> bool:
        return not self.findings.has_errors()


def _setting_rows(raw: RawTable, changes: dict[str, object]) -> list[list[object]]:
    """The Settings rows with the Value of each setting in ``changes`` replaced (matched as typed)."""
    name_at, value_at = raw.index("Setting"), raw.index("Value")
    wanted = {normalise(label): value for label, value in changes.items()}
    rows = [list(row) for row in raw.rows]
    found: set[str] = set()
    for row in rows:
        key = normalise(row[name_at]) if name_at is not None and name_at < len(row) else ""
        if key in wanted and value_at is not None:
            row[value_at] = wanted[key]
            found.add(key)
    for label, value in changes.items():
        if normalise(label) not in found:
            row = [None] * len(raw.header)
            row[name_at or 0], row[value_at or 1] = label, value
            rows.append(row)
    return rows


def _moved_days(raw: RawTable, log: list[rollover.LogRow]) -> dict[str, object]:
    """Each date setting typed as a date (or a text with its year), moved on one year (see rollover.next_day)."""
    name_at, value_at = raw.index("Setting"), raw.index("Value")
    if name_at is None or value_at is None:
        return {}
    days = {normalise(spec.label): spec.label for spec in SETTING_SPECS if spec.kind is SettingKind.DAY}
    moved: dict[str, object] = {}
    for row in raw.rows:
        label = days.get(normalise(row[name_at])) if name_at < len(row) else None
        value = row[value_at] if value_at < len(row) else None
        day = rollover.next_day(value, _cell_date) if label is not None else None
        if label is not None and day is not None:
            moved[label] = day
            log.append(rollover.LogRow(SETTINGS.name, label, _cell_date(value), day, "A date: moved on one year."))
    return moved


def _last_year_tables(tables: dict[str, RawTable]) -> list[OutputTable]:
    """This year's input tables as ``LastYear<Table>`` (replacing those of the year before), each whole.

    A table this workbook lacks is written empty, so no older year's copy is left behind.
    """
    kept: list[OutputTable] = []
    for spec in LAST_YEAR_SOURCES:
        raw = table_named(tables, spec.name)
        header = list(raw.header) if raw is not None else spec.column_names
        rows = [list(row) for row in raw.rows] if raw is not None else []
        table = _whole_table(spec, header, rows)
        table.name = last_year_name(spec.name)
        table.title = f"Last year's {spec.name}, kept by rollover"
        table.note = (
            "An input: last year's rows as they were. Correct one here and the next run credits the document of "
            "last year it changes (and re-bills it), numbered in this year's series."
        )
        table.hidden = spec not in LAST_YEAR_SHOWN
        kept.append(table)
    return kept


def rollover_year(store: WorkbookStore, year: str, *, today: date | None = None) -> RolloverReport:
    """Next year's inputs from this year's run (the caller saves them as a new workbook)."""
    day = today or date.today()
    report = compute(store, today=day)
    result = RolloverReport(Findings())
    settings = report.loaded.inputs.settings
    allocation = report.results.allocation
    tables = report.loaded.tables
    try:
        target = parse_financial_year(year)
    except CellProblem as problem:
        result.findings.error(problem.code, SETTINGS.name, None, "Financial year", year, problem.message)
        return result
    settings_raw = table_named(tables, SETTINGS.name)
    if settings is None or allocation is None or settings_raw is None:
        result.findings.error(
            "ROLLOVER_NOT_POSSIBLE", SETTINGS.name, None, None, "",
            "This year's model cannot run (see its Errors with apmodel validate): nothing to roll over.",
        )  # fmt: skip
        return result
    if target.start_year != settings.financial_year.start_year + 1:
        result.findings.error(
            "ROLLOVER_NOT_NEXT_YEAR", SETTINGS.name, None, "Financial year", year,
            f"The workbook is for {settings.financial_year.label}: it rolls over to "
            f"{settings.financial_year.start_year + 1}-{(settings.financial_year.start_year + 2) % 100:02d} only.",
        )  # fmt: skip
        return result
    start = f"{settings.invoice_prefix}-{settings.financial_year.label}-"
    drafts = [e.number for e in report.loaded.inputs.invoice_register
              if e.status == "Draft" and e.number.startswith(start) and (e.net or e.gross)]  # fmt: skip
    if drafts:
        result.findings.warning(
            "ROLLOVER_DRAFTS_NOT_ISSUED", INVOICE_REGISTER.name, None, "Status", ", ".join(drafts[:5]),
            f"{len(drafts)} Draft document(s) of {settings.financial_year.label} were never issued; they stay Draft "
            "in the new year's workbook. Issue them in this year's workbook first if they are owed.",
        )  # fmt: skip
    settlement = report.results.settlement
    if settlement is not None and settlement.frozen:
        result.findings.warning(
            "ROLLOVER_REGISTER_FROZEN", INVOICE_REGISTER.name, None, None, "",
            f"The invoice register of {settings.financial_year.label} has Errors (edited or damaged rows: see this "
            "year's Warnings), so it is frozen. It is carried into the new year's workbook exactly as it is, and stays "
            "frozen there (no document issued, credited or exported) until those rows are put right.",
        )  # fmt: skip
    budget = rollover.next_budget(settings.ap_budget, settings.uplift)
    result.budget = budget
    log = result.log
    log.append(rollover.LogRow(SETTINGS.name, "Financial year", settings.financial_year.label, target.label,
                               "Moved on one year."))  # fmt: skip
    log.append(rollover.LogRow(SETTINGS.name, "AP budget", settings.ap_budget, budget,
                               f"This year's x (1 + Uplift {settings.uplift * 100:.2f}%)."))  # fmt: skip
    changes: dict[str, object] = {"Financial year": target.label, "AP budget": budget}
    changes |= _moved_days(settings_raw, log)
    written = [_whole_table(SETTINGS, settings_raw.header, _setting_rows(settings_raw, changes))]
    districts_raw = table_named(tables, DISTRICTS.name)
    if districts_raw is not None:
        finals = {normalise(d.name): d.final_allocation for d in allocation.districts}
        header = list(districts_raw.header)
        if districts_raw.index("Previous Allocation") is None:
            header.append("Previous Allocation")
        name_at, previous_at = (
            districts_raw.index("District"),
            header.index(next(h for h in header if normalise(h) == "previous allocation")),
        )
        rows = [[*row, *([None] * (len(header) - len(row)))] for row in districts_raw.rows]
        for row in rows:
            final = finals.get(normalise(row[name_at])) if name_at is not None else None
            if final is not None:
                log.append(rollover.LogRow(DISTRICTS.name, str(row[name_at or 0]), row[previous_at], final,
                                           "Previous Allocation = this year's final allocation."))  # fmt: skip
                row[previous_at] = final
        written.append(_whole_table(DISTRICTS, header, rows))
    for spec, dates, name in ((TERMS, ("Start", "End"), "Term"), (CLOSURE_DAYS, ("From", "To"), None)):
        raw = table_named(tables, spec.name)
        if raw is None:
            continue
        drafted = rollover.draft_dates(spec.name, raw.header, raw.rows, dates, _cell_date, name)
        log += drafted.log
        written.append(_whole_table(spec, raw.header, drafted.rows))
        result.findings.warning(
            "ROLLOVER_DATES_TO_CHECK", spec.name, None, None, "",
            f"{spec.name} holds this year's dates moved on 52 weeks, as a draft: replace them with "
            f"{target.label}'s published dates before invoicing.",
        )  # fmt: skip
    new_start = target.start
    for spec, carry in ((PLACEMENTS, rollover.carried_placements), (EXCLUSIONS, rollover.carried_exclusions)):
        raw = table_named(tables, spec.name)
        if raw is None:
            continue
        rolled = carry(raw.header, raw.rows, new_start, _cell_date)
        log += rolled.log
        log.append(rollover.LogRow(spec.name, "Left in this year's workbook", None, rolled.left,
                                   f"Ended before 1 April {target.start_year}: nothing more to charge (kept in "
                                   f"{last_year_name(spec.name)}, to correct last year's documents)."))  # fmt: skip
        if spec is PLACEMENTS:
            result.placements = rolled.carried
        else:
            result.exclusions = rolled.carried
        written.append(_whole_table(spec, raw.header, rolled.rows))
    written += _last_year_tables(tables)
    log.append(rollover.LogRow(
        "LastYear tables", ", ".join(last_year_name(spec.name) for spec in LAST_YEAR_SHOWN), None, None,
        f"This year's inputs kept as they are (every placement and exclusion), so that a run of {target.label} "
        f"recomputes {settings.financial_year.label}'s documents: correct a row there and the run credits the "
        f"document it changes, numbered {settings.invoice_prefix}-{target.label}-..."))  # fmt: skip
    settlement = report.results.settlement
    issued = sum(1 for e in settlement.register if e.status != "Draft") if settlement is not None else 0
    log.append(rollover.LogRow(INVOICE_REGISTER.name, "Every row", None, None,
                               f"Kept whole ({issued} Issued or Credited): still creditable; new numbers start "
                               f"{settings.invoice_prefix}-{target.label}-00001."))  # fmt: skip
    written.append(
        OutputTable(
            ROLLOVER_LOG_SPEC.name,
            out_columns(ROLLOVER_LOG_SPEC.columns),
            [[row.table, row.item, row.old, row.new, row.note] for row in log],
            title=f"Rollover from {settings.financial_year.label} to {target.label}",
        )
    )
    store.write_tables(written)
    store.status(f"Rolled over to {target.label}")
    return result
