"""The service layer: every entry point (CLI, ribbon button, test) calls these functions.

Each takes a ``WorkbookStore`` (a file through openpyxl, or a live book through xlwings),
so a ribbon click and ``apmodel run`` run identical code: read tables, validate, run the
model, build output tables, write them back.
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from apmodel import CONTRACT_VERSION, __version__
from apmodel.domain.equality import analyse_equality
from apmodel.domain.findings import Finding, Findings, Severity
from apmodel.domain.inputs import ModelInputs
from apmodel.domain.model import LastYearInputs, Results, run_model
from apmodel.domain.money import ZERO
from apmodel.domain.outcomes import ap_outcomes
from apmodel.domain.register import updated_log
from apmodel.domain.scenarios import Comparison, ScenarioRun, compare, scenario_findings
from apmodel.domain.settlement import SettlementResult, issue_period
from apmodel.reports.allocation_tables import (
    allocation_subtotals_table,
    county_label,
    district_allocation_totals_table,
    district_allocations_table,
    provider_funding_table,
    provider_funding_totals_table,
    school_allocation_totals_table,
    school_allocations_table,
)
from apmodel.reports.dashboard import dashboard_charts
from apmodel.reports.equality_tables import equality_table, equality_totals_table
from apmodel.reports.forum_tables import SummaryItem, summary_table, trace_table, warnings_table
from apmodel.reports.navigation_tables import contents_table, notes_table, workbook_sheets
from apmodel.reports.outcomes_tables import ap_outcomes_table, ap_outcomes_totals_table
from apmodel.reports.recoupment_tables import (
    invoice_register_table,
    invoice_totals_table,
    invoices_table,
    recoupment_table,
    recoupment_totals_table,
    register_log_table,
)
from apmodel.reports.scenario_tables import scenario_comparison_table, scenario_comparison_totals_table
from apmodel.workbook.contract import (
    CONTENTS,
    INPUT_TABLES,
    INVOICE_REGISTER,
    LAST_YEAR_SHOWN,
    LAST_YEAR_SOURCES,
    NOTES,
    TableSpec,
    last_year_name,
)
from apmodel.workbook.interface import DashboardStore, OutputTable, RawTable, WorkbookStore, table_named
from apmodel.workbook.parse import last_year_tables, parse_inputs
from apmodel.workbook.scenario_overrides import scenario_tables

Progress = Callable[[str], None]
LAST_YEAR_NAMES = frozenset(spec.name for spec in LAST_YEAR_SOURCES)


@dataclass
class Loaded:
    """A workbook's tables as read, and the validated inputs built from them."""

    tables: dict[str, RawTable]
    inputs: ModelInputs
    findings: Findings
    #: Last year's inputs (the LastYear tables rollover keeps), None in a workbook never rolled over.
    last_year: LastYearInputs | None = None
    #: Every shown sheet of the workbook in tab order, where the store can list them (``sheet_names``).
    sheets: tuple[str, ...] = ()

    def locate(self, finding: Finding) -> str | None:
        """The cell a finding points at, as an internal hyperlink target."""
        table = table_named(self.tables, finding.table)
        return None if table is None else table.cell_ref(finding.row, finding.column)


@dataclass
class RunReport:
    loaded: Loaded
    results: Results
    tables: list[OutputTable] = field(default_factory=list)
    #: Baseline beside each scenario (baseline only unless the scenarios were computed).
    comparison: Comparison | None = None

    @property
    def findings(self) -> Findings:
        return self.loaded.findings


@contextmanager
def few_collections() -> Iterator[None]:
    """Run Python's cycle collector rarely while a run builds its objects, then as before.

    A run makes hundreds of thousands of small objects (cells, rows, lines) and almost no
    reference cycles, so at the default thresholds the collector scans them over and over:
    a quarter of an England-sized run. Memory is still freed as usual (reference counting).
    """
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def load(store: WorkbookStore) -> Loaded:
    tables = store.read_tables()
    findings = Findings()
    inputs = parse_inputs(tables, findings)
    kept = last_year_tables(tables)
    last_year = None
    if kept is not None:
        found = Findings()
        last_year = LastYearInputs(parse_inputs(kept, found), found)
    # Listing the sheets is optional for a store (as drawing the Dashboard is): without it, Contents
    # lists the sheets that hold tables.
    names = getattr(store, "sheet_names", None)
    sheets = tuple(names()) if callable(names) else ()
    return Loaded(tables, inputs, findings, last_year, sheets)


def model(loaded: Loaded, today: date) -> Results:
    """``run_model`` on what ``load`` read; the Errors and Warnings of last year's tables are added to
    the findings, under the LastYear table's name (their Info, last year's own news, is not)."""
    results = run_model(loaded.inputs, loaded.findings, today, loaded.last_year)
    if loaded.last_year is not None:
        for item in loaded.last_year.findings.items:
            if item.severity is not Severity.INFO:
                code, table = item.code, last_year_name(item.table) if item.table in LAST_YEAR_NAMES else item.table
                message = f"Last year's {item.table}: {item.message}"
                loaded.findings.add(item.severity, code, table, item.row, item.column, item.value, message)
    return results


#: Rows hashed per update by ``fingerprint``: few calls, yet a bounded text at England scale.
_FINGERPRINT_BATCH = 1000


def fingerprint(tables: dict[str, RawTable]) -> str:
    """A short hash of every input table's cells: two runs with the same fingerprint had the same inputs."""
    digest = hashlib.sha256()
    by_name = {name.casefold(): table for name, table in tables.items()}
    kept = [TableSpec(last_year_name(spec.name), spec.columns) for spec in LAST_YEAR_SOURCES]
    for spec in (*INPUT_TABLES, *kept):
        table = by_name.get(spec.name.casefold())
        if table is None:
            continue
        digest.update(spec.name.encode())
        digest.update(repr(table.header).encode())
        # Hashing the rows' texts a batch at a time gives the same digest as one row at a time
        # (the same bytes in the same order), with far fewer calls.
        rows = table.rows
        for start in range(0, len(rows), _FINGERPRINT_BATCH):
            digest.update("".join(map(repr, rows[start : start + _FINGERPRINT_BATCH])).encode())
    return digest.hexdigest()[:16]


def compute(
    store: WorkbookStore,
    *,
    today: date | None = None,
    progress: Progress | None = None,
    with_scenarios: bool = False,
) -> RunReport:
    """Read, validate and compute (with ``with_scenarios`` each scenario too), then build every
    output table, Summary first; write nothing."""
    started = time.perf_counter()
    report = compute_results(store, today=today, progress=progress, with_scenarios=with_scenarios)
    with few_collections():
        add_tables(report, started)
    return report


def compute_results(
    store: WorkbookStore,
    *,
    today: date | None = None,
    progress: Progress | None = None,
    with_scenarios: bool = False,
) -> RunReport:
    """Read, validate and compute, building no output table (the Forum copy and the packs need none)."""
    say = progress or store.status
    with few_collections():
        say("Reading the workbook")
        loaded = load(store)
        say("Running the model")
        results = model(loaded, today or date.today())
        runs = run_scenarios(loaded, today or date.today(), say) if with_scenarios else []
    return RunReport(loaded, results, comparison=compare(results, runs))


def add_tables(report: RunReport, started: float) -> None:
    """Every output table of ``report``, with the Summary first (its run time counted from ``started``,
    a ``time.perf_counter()`` reading)."""
    report.tables = output_tables(report)
    report.tables.insert(0, summary_table(summary_items(report, time.perf_counter() - started)))
    report.tables += navigation_tables(report.loaded, report.tables)
    stamp_la(report.tables, report.loaded)


def navigation_tables(loaded: Loaded, tables: Sequence[OutputTable]) -> list[OutputTable]:
    """The Contents (every sheet, with a link) and the Notes (every output column and word defined)."""
    def sheet_of(name: str) -> str | None:
        found = table_named(loaded.tables, name)
        return found.sheet if found is not None else None

    kept = (INVOICE_REGISTER.name, *(last_year_name(spec.name) for spec in LAST_YEAR_SHOWN))
    names = (*(spec.name for spec in INPUT_TABLES), *kept)
    inputs = {name: sheet for name in names if (sheet := sheet_of(name))}
    outputs = {t.name: sheet_of(t.name) or t.name for t in tables if not t.hidden and t.name not in inputs}
    outputs |= {name: sheet_of(name) or name for name in (CONTENTS, NOTES)}
    # Every other shown sheet (the ReadMe, the user's own; workbook_sheets lists each sheet once) but the
    # one of the hidden register log.
    hidden = {(sheet_of(t.name) or t.name).casefold() for t in tables if t.hidden}
    others = [s for s in loaded.sheets if s.casefold() not in hidden]
    return [contents_table(workbook_sheets(inputs, outputs, others)), notes_table()]


def la_name(loaded: Loaded) -> str:
    """The LA's name as the Settings give it ("" when there are no usable Settings)."""
    settings = loaded.inputs.settings
    return settings.la_name if settings is not None else ""


def stamp_la(tables: Sequence[OutputTable], loaded: Loaded) -> None:
    """Give every table the LA's name, which its sheet prints in the footer."""
    la = la_name(loaded)
    for table in tables:
        table.la = la


def _write_run(store: WorkbookStore, report: RunReport, progress: Progress | None) -> None:
    """Replace every output table and the Dashboard, then say how the run went."""
    (progress or store.status)("Writing the results")
    store.write_tables(report.tables)
    write_dashboard(store, report)
    store.status(_status_line(report.findings))


def run_workbook(store: WorkbookStore, *, today: date | None = None, progress: Progress | None = None) -> RunReport:
    """The main job: compute everything and replace every output table."""
    report = compute(store, today=today, progress=progress)
    _write_run(store, report, progress)
    return report


def run_scenarios(loaded: Loaded, today: date, say: Progress) -> list[ScenarioRun]:
    """Each named scenario: its overrides on copies of the input tables, parsed and run again.

    What a scenario's run finds beyond the baseline's findings is added to the baseline's,
    marked with the scenario's name (apmodel.domain.scenarios.scenario_findings).
    """
    runs: list[ScenarioRun] = []
    for scenario in scenario_tables(loaded.tables, loaded.inputs.scenarios, loaded.findings):
        say(f"Running scenario {scenario.name}")
        found = Findings()
        results = run_model(parse_inputs(scenario.tables, found), found, today)
        scenario_findings(scenario.name, loaded.findings, found.items, loaded.findings)
        runs.append(ScenarioRun(scenario.name, results, tuple(scenario.changes)))
    return runs


def write_dashboard(store: WorkbookStore, report: RunReport) -> None:
    """Redraw the Dashboard's charts where the store can (both adapters can)."""
    if isinstance(store, DashboardStore):
        results = report.results
        charts = dashboard_charts(results.allocation, results.recoupment, report.comparison)
        store.write_dashboard(charts, la_name(report.loaded))


#: Told the run's findings by a command that returns something else (the CLI's exit code reads them).
FindingsSink = Callable[[Findings], None]


def compare_scenarios(
    store: WorkbookStore,
    *,
    today: date | None = None,
    progress: Progress | None = None,
    findings: FindingsSink | None = None,
) -> list[str]:
    """Compute the baseline and every scenario; write ScenarioComparison, the Dashboard and every output."""
    report = compute(store, today=today, progress=progress, with_scenarios=True)
    if findings is not None:
        findings(report.findings)
    _write_run(store, report, progress)
    return list(report.comparison.scenario_names) if report.comparison is not None else []


def forum_copy(
    store: WorkbookStore, out_path: Path, *, today: date | None = None, findings: FindingsSink | None = None
) -> Path:
    """A new workbook safe to publish with Forum papers, built from the results (never a copy of the file)."""
    from apmodel.reports.forum_copy import write_forum_copy

    report = compute_results(store, today=today, with_scenarios=True)
    if findings is not None:
        findings(report.findings)
    store.status("Writing the Forum copy")
    # The paper is dated by the run date (--date), so a copy made again for the same meeting says the same.
    made = datetime.combine(today, datetime.now().time()) if today is not None else None
    return write_forum_copy(report.results, report.comparison, out_path, made=made)


def validate_workbook(store: WorkbookStore, *, write: bool = True) -> Findings:
    """Check every input; with ``write`` replace only the Warnings table."""
    with few_collections():
        loaded = load(store)
        model(loaded, date.today())
    if write:
        tables = [warnings_table(loaded.findings.sorted(), loaded.locate)]
        stamp_la(tables, loaded)
        store.write_tables(tables)
        store.status(_status_line(loaded.findings))
    return loaded.findings


@dataclass
class IssueReport:
    period: str
    issued: list[str]
    run: RunReport


def issue_invoices(store: WorkbookStore, period: str, *, today: date | None = None) -> IssueReport:
    """Run, then mark that period's Draft documents Issued (dated today) in the register."""
    day = today or date.today()
    report = compute(store, today=day)
    settlement = report.results.settlement
    if settlement is None:
        store.write_tables(report.tables)
        return IssueReport(period, [], report)
    after = issue_period(settlement, report.loaded.inputs, period, day)
    issued = [
        entry.number
        for before, entry in zip(settlement.register, after.register, strict=True)
        if before.status != entry.status
    ]
    replaced = {t.name: t for t in settlement_tables(report.loaded, after)}
    stamp_la(list(replaced.values()), report.loaded)
    report.tables = [replaced.get(t.name, t) for t in report.tables]
    store.write_tables(report.tables)
    store.status(f"Issued {len(issued)} document(s) for {period}")
    return IssueReport(period, issued, report)


def settlement_tables(loaded: Loaded, settlement: SettlementResult) -> list[OutputTable]:
    """Invoices, and the register and its log unless the register is frozen (left as the user has it)."""
    tables = [invoices_table(settlement), invoice_totals_table(settlement)]
    if not settlement.frozen:
        as_read = table_named(loaded.tables, INVOICE_REGISTER.name)
        log = updated_log(settlement.register, loaded.inputs.register_log)
        tables += [invoice_register_table(settlement.register, as_read), register_log_table(log)]
    return tables


def output_tables(report: RunReport) -> list[OutputTable]:
    results = report.results
    loaded = report.loaded
    tables: list[OutputTable] = []
    if (allocation := results.allocation) is not None:
        districts = district_allocations_table(allocation)
        schools = school_allocations_table(allocation)
        providers = provider_funding_table(allocation)
        tables += [
            districts,
            district_allocation_totals_table(allocation, districts),
            schools,
            school_allocation_totals_table(allocation, schools),
            allocation_subtotals_table(allocation, county_label(la_name(loaded))),
            providers,
            provider_funding_totals_table(allocation, providers),
        ]
    if results.recoupment is not None:
        tables += [recoupment_table(results.recoupment), recoupment_totals_table(results.recoupment)]
    if results.settlement is not None:
        tables += settlement_tables(loaded, results.settlement)
    tables.append(warnings_table(loaded.findings.sorted(), loaded.locate))
    tables.append(trace_table(results.trace))
    if report.comparison is not None:
        tables += [scenario_comparison_table(report.comparison), scenario_comparison_totals_table(report.comparison)]
    equality = analyse_equality(loaded.inputs)
    tables += [equality_table(equality), equality_totals_table(equality)]
    recoupment = results.recoupment
    lines = recoupment.lines if recoupment is not None else []
    outcomes = ap_outcomes(loaded.inputs, recoupment.calendar if recoupment else None, lines)
    tables += [ap_outcomes_table(outcomes), ap_outcomes_totals_table(outcomes)]
    return tables


def summary_items(report: RunReport, seconds: float) -> list[SummaryItem]:
    inputs = report.loaded.inputs
    findings = report.findings
    settings = inputs.settings
    results = report.results
    items: list[SummaryItem] = []
    errors = findings.count(Severity.ERROR)
    items.append(("Status", "Complete" if errors == 0 else f"Complete with {errors} Error(s): see Warnings"))
    if settings is not None:
        allocated = results.allocation.total_allocated if results.allocation is not None else ZERO
        total = allocated + settings.centrally_retained
        items += [
            ("LA", settings.la_name),
            ("Financial year", settings.financial_year.label),
            ("AP budget", settings.ap_budget),
            ("Centrally retained", settings.centrally_retained),
            ("Allocated to districts", allocated),
            ("Total allocated", total),
            ("Difference", settings.ap_budget - total),
        ]
    else:
        items.append(("Financial year", "Not set: see Warnings"))
    items += [
        ("Errors", errors),
        ("Warnings", findings.count(Severity.WARNING)),
        ("Info", findings.count(Severity.INFO)),
    ]
    if results.recoupment is not None:
        recouped = results.recoupment.total_charged
        credited = results.recoupment.total_credited
        net = recouped + credited
        items += [
            ("Total recouped", recouped),
            ("Total credited", credited),
            ("Net recoupment", net),
        ]
        if results.settlement is not None:
            invoiced = sum((d.net for d in results.settlement.documents), ZERO)
            items += [
                ("Invoiced (Net of Invoices)", invoiced),
                ("Net recoupment - invoiced", net - invoiced),
            ]
    if report.comparison is not None:
        names = report.comparison.scenario_names
        compared = ", ".join(names) if names else "None on this run (Compare scenarios computes them)"
        items.append(("Scenarios compared", compared))
    items += [
        ("Run at", datetime.now().replace(microsecond=0).isoformat(sep=" ")),
        ("Run time (seconds)", f"{seconds:.2f}"),
        ("Model version", __version__),
        ("Contract version", CONTRACT_VERSION),
        ("Input fingerprint", fingerprint(report.loaded.tables)),
    ]
    return items


def _status_line(findings: Findings) -> str:
    return f"AP model: done. {findings.counts_text()}."


def write_packs(
    store: WorkbookStore,
    out_dir: Path,
    *,
    today: date | None = None,
    progress: Progress | None = None,
    findings: FindingsSink | None = None,
) -> list[Path]:
    """One workbook per school for its headteacher (``DIR/<URN> <School Name>.xlsx``)."""
    from apmodel.reports.packs import write_school_packs

    report = compute_results(store, today=today, progress=progress)
    if findings is not None:
        findings(report.findings)
    (progress or store.status)("Writing school packs")
    return write_school_packs(report.loaded.inputs, report.results, out_dir, produced_on=today)
