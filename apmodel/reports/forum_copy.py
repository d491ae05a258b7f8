"""The Forum copy: a workbook safe to publish with Schools' Forum papers.

Rules: docs/funding-rules.md, "Privacy"; docs/forum-workbook.md, "School packs" (the same care). The
copy is a NEW workbook built from the computed results, never a copy of the Forum workbook, so
nothing of the inputs can come along (no pupil rows, no hidden sheets, no cached strings, no
names). It holds aggregated tables and charts only:

- Summary (the budget, what was allocated and recouped), DistrictAllocations and its
  DistrictAllocationTotals, AllocationSubtotals (district, area and county sums), ProviderFunding
  and its ProviderFundingTotals (the totals in tables of their own, never a row of the table);
- RecoupmentByTerm and its RecoupmentByTermTotals: recoupment money per term and line type, never
  per pupil or per line; like every money figure made of recoupment lines (Summary's totals, the
  Dashboard's recoupment chart, APOutcomes' Recovered £, SchoolRecoupment and its
  SchoolRecoupmentTotals), a figure of fewer than five pupils is ``[c]``, with secondary
  suppression (apmodel.reports.forum_money); a totals table shows the same declared figures (the
  same keys) the Total row did, so what is hidden is the same wherever the total is printed;
- ScenarioComparison for districts, each district's schools added up ("Schools of Swale") and
  providers, and its ScenarioComparisonTotals;
- EqualityAnalysis (suppressed) and APOutcomes (suppressed for publication: see
  apmodel.reports.outcomes_tables), each with its totals table (EqualityAnalysisTotals,
  APOutcomesTotals) cut from the same suppressed cells, so a total is [c] exactly where its Total
  row was (APOutcomes' Recovered £ keeps its keys, ``outcome_key`` of the row in the domain result);
- the Dashboard's charts.

No Pupil Ref, Placement or Exclusion ID, invoice or Warnings row is ever written (Warnings and
Trace can quote a Pupil Ref). School-level figures (SchoolAllocations and SchoolAllocationTotals,
SchoolRecoupment and SchoolRecoupmentTotals, the schools' rows of ScenarioComparison and their
ScenarioComparisonTotals row) are included only when the setting
``Publish school totals`` is Yes; even then they are totals, never invoices or lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from apmodel import __version__
from apmodel.domain.equality import SUPPRESSED, analyse_equality
from apmodel.domain.model import Results
from apmodel.domain.money import ZERO, money
from apmodel.domain.outcomes import OutcomesResult, ap_outcomes
from apmodel.domain.recoupment import RecoupmentResult
from apmodel.domain.scenarios import Comparison, Level
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
from apmodel.reports.dashboard import RECOUPMENT_CHART, dashboard_charts
from apmodel.reports.equality_tables import equality_table, equality_totals_table
from apmodel.reports.forum_money import (
    CHARGED,
    CREDITED,
    NET,
    NOT_RECOVERED,
    RECOVERABLE,
    SUMMARY_CHARGED,
    SUMMARY_CREDITED,
    SUMMARY_NET,
    TERM_NOT_RECOVERED_TOTAL,
    ForumMoney,
    chart_key,
    forum_money,
    outcome_key,
    school_key,
    term_key,
    term_rows,
)
from apmodel.reports.outcomes_tables import ap_outcomes_table, ap_outcomes_totals_table
from apmodel.reports.scenario_tables import scenario_comparison_table, scenario_comparison_totals_table
from apmodel.workbook.charts import write_dashboard
from apmodel.workbook.contract import (
    FORUM_COVER,
    FORUM_COVER_SPEC,
    FORUM_SCENARIOS,
    FORUM_SCENARIOS_SPEC,
    FORUM_SUMMARY_SPEC,
    RECOUPMENT_BY_TERM,
    RECOUPMENT_BY_TERM_SPEC,
    RECOUPMENT_BY_TERM_TOTALS_SPEC,
    SCHOOL_RECOUPMENT,
    SCHOOL_RECOUPMENT_SPEC,
    SCHOOL_RECOUPMENT_TOTALS_SPEC,
    SUMMARY,
    OutputSpec,
)
from apmodel.workbook.interface import ChartSpec, OutputTable, column_letter, out_columns
from apmodel.workbook.layout import DASHBOARD, HEADER_ROW, footer_title, page_text, row_height
from apmodel.workbook.openpyxl_cells import NOTE_FONT, write_heading
from apmodel.workbook.openpyxl_store import atomic_save, write_table

NOTE = (
    "Forum copy: aggregated figures only, safe to publish. Counts from 1 to 4, and money of fewer than 5 pupils, "
    "are shown as [c]."
)
SMALL_NUMBERS = (
    "Counts from 1 to 4, money that belongs to fewer than 5 pupils, and any figure that would reveal one, "
    "are shown as [c]."
)


#: Said beside the recoupment chart when some of its figures are [c] (they are not plotted).
CHART_HIDDEN = (
    " A [c] figure belongs to fewer than 5 pupils, or would give one away by subtraction from the figures shown,"
    " so it is not plotted."
)

DASHBOARD_TITLE = "Charts: allocations, recoupment and scenarios"


def publishes_school_totals(results: Results) -> bool:
    settings = results.inputs.settings
    return settings is not None and settings.publish_school_totals


def summary(
    results: Results, comparison: Comparison | None, made: datetime, money_shown: ForumMoney | None
) -> OutputTable:
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
        ["Small numbers", SMALL_NUMBERS],
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
    if money_shown is not None:
        items += [
            ["Total recouped", money_shown.show(SUMMARY_CHARGED)],
            ["Total credited", money_shown.show(SUMMARY_CREDITED)],
            ["Net recoupment", money_shown.show(SUMMARY_NET)],
        ]
    if comparison is not None and comparison.scenario_names:
        items.append(["Scenarios compared", ", ".join(comparison.scenario_names)])
    items += [["Produced", made.replace(microsecond=0).isoformat(sep=" ")], ["Model version", __version__]]
    return OutputTable(
        SUMMARY,
        out_columns(FORUM_SUMMARY_SPEC.columns),
        items,
        title="AP funding: Forum copy",
    )


def long_date(day: datetime) -> str:
    """``1 December 2025`` (portable: ``%-d`` is not available on Windows)."""
    return f"{day.day} {day:%B %Y}"


def forum_ask(comparison: Comparison | None, year: str) -> str:
    """What the Forum is asked to do with the copy."""
    ask = f"To note the Alternative Provision allocations to districts and the recoupment from schools for {year}"
    if comparison is not None and comparison.scenario_names:
        names = ", ".join(f"'{name}'" for name in comparison.scenario_names)
        return ask + f", and to give its view on the scenarios {names} against the baseline (see Scenarios)."
    return ask + "."


def cover(results: Results, comparison: Comparison | None, made: datetime, sheets: Sequence[str]) -> OutputTable:
    """The copy's front page: what it is, for which LA and year, from what, who to ask, what is asked,
    and ``sheets``, the sheets after it, as the copy has them."""
    settings = results.inputs.settings
    la = settings.la_name if settings is not None else "Local Authority"
    year = settings.financial_year.label if settings is not None else "the year"
    contact = ""
    if settings is not None:
        name, email = settings.contact_name.strip(), settings.contact_email.strip()
        contact = f"{name} ({email})" if name and email else name or email
    items: list[list[Any]] = [
        ["Title", f"Alternative Provision funding {year}: paper for the Schools' Forum"],
        ["Local authority", la],
        ["Date", long_date(made)],
        ["Contact", contact or f"{la} finance team"],
        [
            "Source",
            f"{la}'s AP funding workbook for {year}, worked out by the AP funding model (apmodel {__version__}).",
        ],
        ["The Forum is asked", forum_ask(comparison, year)],
        ["In this copy", ", ".join(sheets)],
        ["Small numbers", SMALL_NUMBERS],
    ]
    return OutputTable(
        FORUM_COVER,
        out_columns(FORUM_COVER_SPEC.columns),
        items,
        title=f"{la}: Alternative Provision funding {year}",
    )


def scenarios_table(comparison: Comparison) -> OutputTable:
    """Each scenario: what it changes, in words, beside its effect on the districts."""
    districts = comparison.level(Level.DISTRICT)
    rows: list[list[Any]] = []
    for i, name in enumerate(comparison.scenario_names):
        changes = comparison.changes[i] if i < len(comparison.changes) else ()
        gains = [r.changes[i] for r in districts if r.changes[i] > 0]
        losses = [r.changes[i] for r in districts if r.changes[i] < 0]
        rows.append(
            [
                name,
                "; ".join(changes) or "(no overrides)",
                len(gains),
                sum(gains, ZERO),
                len(losses),
                sum(losses, ZERO),
            ]
        )
    return OutputTable(
        FORUM_SCENARIOS,
        out_columns(FORUM_SCENARIOS_SPEC.columns),
        rows,
        title="Scenarios: what each changes from the baseline, and what it does to districts (see ScenarioComparison)",
    )


def _totals(spec: OutputSpec, of: str, rows: int, figures: Sequence[Decimal | str]) -> OutputTable:
    """A recoupment table's totals in a one-row table of their own: how many rows ``of`` has, then each
    money total as ``ForumMoney.show`` gives it (the figure, or [c]): a declared figure of forum_money, the
    sum of the rows' figures, hidden or shown with every other place it is printed."""
    title = f"{of} added up (each figure: the sum of its rows, [c] ones too)"
    return OutputTable(spec.name, out_columns(spec.columns), [[rows, *figures]], title=title)


def recoupment_by_term(recoupment: RecoupmentResult, money_shown: ForumMoney) -> OutputTable:
    """Money per term and line type: recoverable, and not recovered (not recoverable or blocked)."""
    rows: list[list[Any]] = [
        [
            period,
            kind,
            money_shown.show(term_key(period, kind, RECOVERABLE)),
            money_shown.show(term_key(period, kind, NOT_RECOVERED)),
        ]
        for period, kind in term_rows(recoupment)
    ]
    return OutputTable(
        RECOUPMENT_BY_TERM,
        out_columns(RECOUPMENT_BY_TERM_SPEC.columns),
        rows,
        title="Recoupment by term: charges positive, credits to schools negative",
    )


def recoupment_by_term_totals(recoupment: RecoupmentResult, money_shown: ForumMoney) -> OutputTable:
    """RecoupmentByTerm added up: its Recoverable £ is Summary's Net recoupment (the same figure, so
    hidden or shown with it), its Not Recovered £ every line not recovered."""
    figures = [money_shown.show(SUMMARY_NET), money_shown.show(TERM_NOT_RECOVERED_TOTAL)]
    return _totals(RECOUPMENT_BY_TERM_TOTALS_SPEC, RECOUPMENT_BY_TERM, len(term_rows(recoupment)), figures)


def _recouped_schools(results: Results) -> dict[int, str]:
    """The schools with a recoverable line, by URN, with the name their lines give."""
    names: dict[int, str] = {}
    for line in results.recoupment.recoverable if results.recoupment is not None else []:
        names.setdefault(line.urn, line.school)
    return names


def school_recoupment(results: Results, money_shown: ForumMoney) -> OutputTable:
    """Each school's recoverable charges, credits and net for the year (only when allowed)."""
    districts = {s.urn: s.district for s in results.inputs.schools}
    names = _recouped_schools(results)
    rows: list[list[Any]] = [
        [urn, names[urn], districts.get(urn), *(money_shown.show(school_key(urn, c)) for c in (CHARGED, CREDITED, NET))]
        for urn in sorted(names)
    ]
    return OutputTable(
        SCHOOL_RECOUPMENT,
        out_columns(SCHOOL_RECOUPMENT_SPEC.columns),
        rows,
        title="Recoupment per school for the year (recoverable lines)",
    )


def school_recoupment_totals(results: Results, money_shown: ForumMoney) -> OutputTable:
    """SchoolRecoupment added up: the schools' charges, credits and net are Summary's recoupment totals
    (the same figures, so hidden or shown with them)."""
    figures = [money_shown.show(k) for k in (SUMMARY_CHARGED, SUMMARY_CREDITED, SUMMARY_NET)]
    return _totals(SCHOOL_RECOUPMENT_TOTALS_SPEC, SCHOOL_RECOUPMENT, len(_recouped_schools(results)), figures)


def _outcomes(results: Results) -> OutcomesResult:
    recoupment = results.recoupment
    return ap_outcomes(
        results.inputs,
        recoupment.calendar if recoupment is not None else None,
        recoupment.lines if recoupment is not None else [],
    )


def _charts(results: Results, comparison: Comparison | None, money_shown: ForumMoney | None) -> list[ChartSpec]:
    """The Dashboard's charts, the recoupment chart's figures as ``money_shown`` shows them."""
    charts = dashboard_charts(results.allocation, results.recoupment, comparison)
    if money_shown is None:
        return charts
    shown: list[ChartSpec] = []
    for chart in charts:
        if chart.key == RECOUPMENT_CHART:
            series = tuple(
                replace(s, values=tuple(money_shown.show(chart_key(p, figure)) for p in chart.categories))
                for s, figure in zip(chart.series, (CHARGED, CREDITED, NET), strict=True)
            )
            hidden = any(value == SUPPRESSED for s in series for value in s.values)
            chart = replace(chart, series=series, description=chart.description + (CHART_HIDDEN if hidden else ""))
        shown.append(chart)
    return shown


def _money(results: Results, outcomes: OutcomesResult, comparison: Comparison | None) -> ForumMoney | None:
    """The money figures of the copy and which are hidden (None without recoupment)."""
    if results.recoupment is None:
        return None
    charts = dashboard_charts(results.allocation, results.recoupment, comparison)
    periods = next((chart.categories for chart in charts if chart.key == RECOUPMENT_CHART), ())
    return forum_money(results.recoupment, outcomes, chart_periods=periods, schools=publishes_school_totals(results))


def forum_money_of(results: Results, comparison: Comparison | None) -> ForumMoney | None:
    """The copy's money figures, with which are hidden (None without recoupment)."""
    return _money(results, _outcomes(results), comparison)


def forum_tables(
    results: Results, comparison: Comparison | None, made: datetime, money_shown: ForumMoney | None = None
) -> list[OutputTable]:
    """Every table of the Forum copy, in sheet order."""
    schools = publishes_school_totals(results)
    outcomes = _outcomes(results)
    if money_shown is None:
        money_shown = _money(results, outcomes, comparison)
    tables = [summary(results, comparison, made, money_shown)]
    if results.allocation is not None:
        allocation = results.allocation
        districts = district_allocations_table(allocation)
        tables += [districts, district_allocation_totals_table(allocation, districts)]
        la = results.inputs.settings.la_name if results.inputs.settings is not None else ""
        tables.append(allocation_subtotals_table(allocation, county_label(la)))
        if schools:
            funded = school_allocations_table(allocation)
            tables += [funded, school_allocation_totals_table(allocation, funded)]
        providers = provider_funding_table(allocation)
        tables += [providers, provider_funding_totals_table(allocation, providers)]
    if results.recoupment is not None and money_shown is not None:
        tables += [
            recoupment_by_term(results.recoupment, money_shown),
            recoupment_by_term_totals(results.recoupment, money_shown),
        ]
        if schools:
            tables += [school_recoupment(results, money_shown), school_recoupment_totals(results, money_shown)]
    if comparison is not None:
        if comparison.scenario_names:
            tables.append(scenarios_table(comparison))
        # Without school totals, each district's schools added up in one row: where a devolving scenario's money goes.
        added_up = not schools
        tables += [
            scenario_comparison_table(comparison, schools_added_up=added_up),
            scenario_comparison_totals_table(comparison, schools_added_up=added_up),
        ]
    equality = analyse_equality(results.inputs)
    tables += [equality_table(equality), equality_totals_table(equality)]
    hidden_recovered = frozenset(
        i for i in range(len(outcomes.rows)) if money_shown is not None and outcome_key(i) in money_shown.hidden
    )
    tables += [
        ap_outcomes_table(outcomes, public=True, hidden_recovered=hidden_recovered),
        ap_outcomes_totals_table(outcomes, public=True, hidden_recovered=hidden_recovered),
    ]
    # The Cover lists the sheets as written: the Dashboard (drawn by build_forum_copy) after Summary.
    sheets = [tables[0].name, DASHBOARD, *(table.name for table in tables[1:])]
    return [cover(results, comparison, made, sheets), *tables]


def build_forum_copy(results: Results, comparison: Comparison | None, made: datetime) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    money_shown = _money(results, _outcomes(results), comparison)
    tables: Sequence[OutputTable] = forum_tables(results, comparison, made, money_shown)
    for table in tables:
        write_table(book, table)
        book[table.name]["A2"] = NOTE
        book[table.name]["A2"].font = NOTE_FONT
    dashboard = write_dashboard(book, _charts(results, comparison, money_shown))
    # The officer's Dashboard note (drawn on every run, edits replaced) is not for publication.
    write_heading(dashboard, DASHBOARD_TITLE, NOTE + " Each chart's figures are beside it.")
    book.move_sheet(DASHBOARD, offset=2 - book.sheetnames.index(DASHBOARD))
    _wrap_long_lines(dashboard)
    settings = results.inputs.settings
    print_setup(book, settings.la_name if settings is not None else "Local Authority")
    book.properties.creator = "apmodel"
    book.properties.lastModifiedBy = "apmodel"
    book.properties.title = "AP funding: Forum copy" + (
        f" ({settings.la_name}, {settings.financial_year.label})" if settings is not None else ""
    )
    return book


def _wrap_long_lines(sheet: Worksheet) -> None:
    """The Dashboard's lines longer than its figure columns are wide (the note, a chart's caption with
    what is shown as [c]) wrap across those columns, merged (no table is there), with the row as tall
    as the text needs: one line of 250 characters running to the right set the printed scale of the
    whole sheet."""
    last = sheet.max_column
    span = sum(sheet.column_dimensions[column_letter(c)].width or 9 for c in range(1, last + 1))
    for (cell,) in sheet.iter_rows(min_col=1, max_col=1):
        if isinstance(cell.value, str) and len(cell.value) > span:
            sheet.merge_cells(start_row=cell.row, start_column=1, end_row=cell.row, end_column=last)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            # Bold captions run about a tenth wider than the plain text row_height counts.
            height = row_height([cell.value], [span * 0.9], [True])
            if height is not None:
                sheet.row_dimensions[cell.row].height = height


#: Sheets wider than this (in characters of column width) print landscape.
PORTRAIT_WIDTH = 100
#: Text columns at least this wide wrap their text (rows grow to fit).
WRAP_FROM = 40
A4 = 9
#: Points per line of 11-point text.
LINE_HEIGHT = 15


def print_setup(book: Workbook, la: str) -> None:
    """Every sheet on A4, one page wide (landscape when wide), header row repeated, a footer with the
    LA, the sheet and "Page X of N"; long text wrapped."""
    wrap = Alignment(wrap_text=True, vertical="top")
    for sheet in book.worksheets:
        widths = {key: dim.width or 9 for key, dim in sheet.column_dimensions.items()}
        used = [widths.get(column_letter(c), 9) for c in range(1, sheet.max_column + 1)]
        sheet.page_setup.paperSize = A4
        # The Dashboard's charts sit beside their figures, past the columns' widths: it prints landscape
        # as the results workbook's does (layout.dashboard_print_setup).
        wide = sheet.title == DASHBOARD or sum(used) > PORTRAIT_WIDTH
        sheet.page_setup.orientation = "landscape" if wide else "portrait"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.horizontalCentered = False
        sheet.page_margins.left = sheet.page_margins.right = 0.5
        if sheet.title != DASHBOARD:
            sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        sheet.oddFooter.left.text = page_text(la)
        sheet.oddFooter.center.text = footer_title(str(sheet["A1"].value or ""))
        sheet.oddFooter.right.text = "Page &P of &N"
        lines: dict[int, int] = {}
        for c, width in enumerate(used, start=1):
            if width >= WRAP_FROM:
                for (cell,) in sheet.iter_rows(min_row=HEADER_ROW + 1, min_col=c, max_col=c):
                    if isinstance(cell.value, str):
                        cell.alignment = wrap
                        # Rows are not grown by every reader: set the height from the text's length.
                        needed = -(-len(cell.value) // int(width))
                        lines[cell.row] = max(lines.get(cell.row, 1), needed)
        for row, count in lines.items():
            if count > 1:
                sheet.row_dimensions[row].height = LINE_HEIGHT * count
                for cell in sheet[row]:
                    if not cell.alignment.wrap_text:
                        cell.alignment = Alignment(horizontal=cell.alignment.horizontal, vertical="top")


def write_forum_copy(
    results: Results, comparison: Comparison | None, out_path: Path, *, made: datetime | None = None
) -> Path:
    """Write the Forum copy to ``out_path`` (atomically) and return the path."""
    atomic_save(build_forum_copy(results, comparison, made or datetime.now()), Path(out_path))
    return Path(out_path)
