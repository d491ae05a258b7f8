"""The Forum copy: a workbook safe to publish with Schools' Forum papers.

Rules: docs/funding-rules.md, "Privacy"; docs/forum-workbook.md, "School packs" (the same care). The
copy is a NEW workbook built from the computed results, never a copy of the Forum workbook, so
nothing of the inputs can come along (no pupil rows, no hidden sheets, no cached strings, no
names). It holds aggregated tables and charts only:

- Summary (the budget, what was allocated and recouped), DistrictAllocations, ProviderFunding;
- RecoupmentByTerm: recoupment money per term and line type, never per pupil or per line;
- ScenarioComparison for districts and providers;
- EqualityAnalysis (suppressed) and APOutcomes (suppressed for publication: see
  apmodel.reports.outcomes_tables);
- the Dashboard's charts.

No Pupil Ref, Placement or Exclusion ID, invoice or Warnings row is ever written (Warnings and
Trace can quote a Pupil Ref). School-level figures (SchoolAllocations, per-school recoupment
totals and the schools' rows of ScenarioComparison) are included only when the setting
``Publish school totals`` is Yes; even then they are totals, never invoices or lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from apmodel import __version__
from apmodel.domain.equality import analyse_equality
from apmodel.domain.model import Results
from apmodel.domain.money import ZERO, money
from apmodel.domain.outcomes import ap_outcomes
from apmodel.domain.recoupment import RecoupmentResult
from apmodel.domain.scenarios import Comparison, Level
from apmodel.reports.allocation_tables import (
    district_allocations_table,
    provider_funding_table,
    school_allocations_table,
)
from apmodel.reports.dashboard import DASHBOARD, dashboard_charts
from apmodel.reports.equality_tables import equality_table
from apmodel.reports.outcomes_tables import ap_outcomes_table
from apmodel.reports.scenario_tables import scenario_comparison_table
from apmodel.workbook.charts import write_dashboard
from apmodel.workbook.contract import SUMMARY, Kind
from apmodel.workbook.interface import OutColumn, OutputTable
from apmodel.workbook.openpyxl_store import NOTE_FONT, atomic_save, write_table

RECOUPMENT_BY_TERM = "RecoupmentByTerm"
SCHOOL_RECOUPMENT = "SchoolRecoupment"
NO_TERM = "(no term)"
NOTE = "Forum copy: aggregated figures only, safe to publish. Counts from 1 to 4 are shown as [c]."


def publishes_school_totals(results: Results) -> bool:
    settings = results.inputs.settings
    return settings is not None and settings.publish_school_totals


def summary(results: Results, comparison: Comparison | None, made: datetime) -> OutputTable:
    settings = results.inputs.settings
    items: list[list[Any]] = []
    if settings is not None:
        items += [["LA", settings.la_name], ["Financial year", settings.financial_year.label]]
    items += [
        ["What this is", "The AP funding model's results, aggregated for publication with Schools' Forum papers."],
        [
            "Left out",
            "Anything about individual pupils, invoices and validation details"
            + ("" if publishes_school_totals(results) else "; figures for individual schools"),
        ],
        ["Small numbers", "Counts from 1 to 4, and any count that would reveal one, are shown as [c]."],
    ]
    if settings is not None:
        items += [["AP budget", money(settings.ap_budget)], ["Centrally retained", money(settings.centrally_retained)]]
    allocation = results.allocation
    if allocation is not None:
        total = allocation.total_allocated + allocation.centrally_retained
        items += [
            ["Allocated to districts", allocation.total_allocated],
            ["Total allocated", total],
            ["Difference", allocation.budget - total],
        ]
    recoupment = results.recoupment
    if recoupment is not None:
        items += [
            ["Total recouped", recoupment.total_charged],
            ["Total credited", recoupment.total_credited],
            ["Net recoupment", recoupment.total_charged + recoupment.total_credited],
        ]
    if comparison is not None and comparison.scenario_names:
        items.append(["Scenarios compared", ", ".join(comparison.scenario_names)])
    items += [["Produced", made.replace(microsecond=0).isoformat(sep=" ")], ["Model version", __version__]]
    return OutputTable(
        SUMMARY,
        [OutColumn("Item", Kind.TEXT, 26), OutColumn("Value", Kind.TEXT, 90)],
        items,
        title="AP funding: Forum copy",
    )


def recoupment_by_term(recoupment: RecoupmentResult) -> OutputTable:
    """Money per term and line type: recoverable, and not recovered (not recoverable or blocked)."""
    sums: dict[tuple[str, str], list[Decimal]] = {}
    for line in recoupment.lines:
        key = (line.period or NO_TERM, line.type.value)
        pair = sums.setdefault(key, [ZERO, ZERO])
        pair[0 if line.settled else 1] += line.amount
    periods = [p.name for p in recoupment.calendar.periods] if recoupment.calendar is not None else []
    order = {name: i for i, name in enumerate([*periods, NO_TERM])}
    keys = sorted(sums, key=lambda k: (order.get(k[0], len(order)), k[0], k[1]))
    rows: list[list[Any]] = [[period, kind, *sums[(period, kind)]] for period, kind in keys]
    rows.append(["Total", None, sum((r[2] for r in rows), ZERO), sum((r[3] for r in rows), ZERO)])
    return OutputTable(
        RECOUPMENT_BY_TERM,
        [
            OutColumn("Period", Kind.TEXT, 16),
            OutColumn("Type", Kind.TEXT, 24),
            OutColumn("Recoverable £", Kind.MONEY, 16),
            OutColumn("Not Recovered £", Kind.MONEY, 16),
        ],
        rows,
        title="Recoupment by term: charges positive, credits to schools negative",
    )


def school_recoupment(results: Results) -> OutputTable:
    """Each school's recoverable charges, credits and net for the year (only when allowed)."""
    districts = {s.urn: s.district for s in results.inputs.schools}
    totals: dict[int, tuple[str, list[Decimal]]] = {}
    lines = results.recoupment.recoverable if results.recoupment is not None else []
    for line in lines:
        _, pair = totals.setdefault(line.urn, (line.school, [ZERO, ZERO]))
        pair[0 if line.amount > 0 else 1] += line.amount
    rows: list[list[Any]] = [
        [urn, name, districts.get(urn), charged, credited, charged + credited]
        for urn, (name, (charged, credited)) in sorted(totals.items())
    ]
    rows.append([None, "Total", None, *(sum((r[i] for r in rows), ZERO) for i in (3, 4, 5))])
    return OutputTable(
        SCHOOL_RECOUPMENT,
        [
            OutColumn("URN", Kind.INT, 9),
            OutColumn("School", Kind.TEXT, 34),
            OutColumn("District", Kind.TEXT, 22),
            OutColumn("Charged £", Kind.MONEY, 14),
            OutColumn("Credited £", Kind.MONEY, 14),
            OutColumn("Net £", Kind.MONEY, 14),
        ],
        rows,
        title="Recoupment per school for the year (recoverable lines)",
    )


def forum_tables(results: Results, comparison: Comparison | None, made: datetime) -> list[OutputTable]:
    """Every table of the Forum copy, in sheet order."""
    schools = publishes_school_totals(results)
    tables = [summary(results, comparison, made)]
    if results.allocation is not None:
        tables.append(district_allocations_table(results.allocation))
        if schools:
            tables.append(school_allocations_table(results.allocation))
        tables.append(provider_funding_table(results.allocation))
    if results.recoupment is not None:
        tables.append(recoupment_by_term(results.recoupment))
        if schools:
            tables.append(school_recoupment(results))
    if comparison is not None:
        levels = tuple(Level) if schools else (Level.DISTRICT, Level.PROVIDER)
        tables.append(scenario_comparison_table(comparison, levels))
    tables.append(equality_table(analyse_equality(results.inputs)))
    recoupment = results.recoupment
    outcomes = ap_outcomes(
        results.inputs,
        recoupment.calendar if recoupment is not None else None,
        recoupment.lines if recoupment is not None else [],
    )
    tables.append(ap_outcomes_table(outcomes, public=True))
    return tables


def build_forum_copy(results: Results, comparison: Comparison | None, made: datetime) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    tables: Sequence[OutputTable] = forum_tables(results, comparison, made)
    for table in tables:
        write_table(book, table)
        book[table.name]["A2"] = NOTE
        book[table.name]["A2"].font = NOTE_FONT
    write_dashboard(book, dashboard_charts(results.allocation, results.recoupment, comparison))
    book.move_sheet(DASHBOARD, offset=1 - book.sheetnames.index(DASHBOARD))
    settings = results.inputs.settings
    book.properties.creator = "apmodel"
    book.properties.lastModifiedBy = "apmodel"
    book.properties.title = "AP funding: Forum copy" + (
        f" ({settings.la_name}, {settings.financial_year.label})" if settings is not None else ""
    )
    return book


def write_forum_copy(
    results: Results, comparison: Comparison | None, out_path: Path, *, made: datetime | None = None
) -> Path:
    """Write the Forum copy to ``out_path`` (atomically) and return the path."""
    atomic_save(build_forum_copy(results, comparison, made or datetime.now()), Path(out_path))
    return Path(out_path)
