"""The allocation output tables: DistrictAllocations, SchoolAllocations, AllocationSubtotals, ProviderFunding.

Contract: docs/forum-workbook.md, "Output tables". Built from an ``AllocationResult`` (never from
the workbook). Factor columns follow the factor tables: ``<Factor> Value`` and ``<Factor> £``
per district factor, ``<Factor> £`` per school factor. SchoolAllocations holds only the schools
that receive devolved funding (or redress); AllocationSubtotals adds the allocation up by
district, area and county in rows of its own, so no subtotal sits among the schools. No table
holds a total row (sorting, filtering or a SUM would break it): DistrictAllocations,
SchoolAllocations and ProviderFunding are each added up in a one-row table of their own
(DistrictAllocationTotals, SchoolAllocationTotals, ProviderFundingTotals: ``totals_table``),
whose figures are the exact sums of the table's rows, so a reader can see that the shares add
up to the penny (docs/funding-rules.md, "Money").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from apmodel.domain.allocation import AllocationResult, SchoolAllocation
from apmodel.domain.money import ZERO
from apmodel.workbook.contract import (
    ALLOCATION_SUBTOTALS,
    ALLOCATION_SUBTOTALS_SPEC,
    DISTRICT_ALLOCATION_TOTALS_SPEC,
    DISTRICT_ALLOCATIONS,
    DISTRICT_ALLOCATIONS_SPEC,
    PROVIDER_FUNDING,
    PROVIDER_FUNDING_SPEC,
    PROVIDER_FUNDING_TOTALS_SPEC,
    SCHOOL_ALLOCATION_TOTALS_SPEC,
    SCHOOL_ALLOCATIONS,
    SCHOOL_ALLOCATIONS_SPEC,
    SUMMED_KINDS,
    Kind,
    OutputSpec,
)
from apmodel.workbook.interface import OutColumn, OutputTable, out_columns


def _column_sum(column: OutColumn, values: Sequence[Any]) -> Any:
    """A column's values added up (blanks skipped): a count as a whole number, money to the penny."""
    present = [v for v in values if v is not None]
    if column.kind is Kind.INT:
        return sum(present, 0)
    if column.kind is Kind.MONEY:
        return sum(present, ZERO)
    return sum(present, Decimal(0))


def _total_row(columns: Sequence[OutColumn], rows: Sequence[list[Any]], label_column: int) -> list[Any]:
    """Sums of the money, number and count columns (blanks skipped); blank in the label column."""
    return [
        _column_sum(column, [row[i] for row in rows]) if column.kind in SUMMED_KINDS and i != label_column else None
        for i, column in enumerate(columns)
    ]


def whole_number_columns(columns: Sequence[OutColumn], rows: Sequence[Sequence[Any]]) -> list[OutColumn]:
    """``columns`` with each column of numbers whose every value is a whole number shown as a count
    (``<Factor> Value`` of a factor that counts pupils: 5,428 pupils, not 5,428.00)."""
    return [
        replace(column, kind=Kind.INT) if column.kind is Kind.NUMBER and all(_whole(r[i]) for r in rows) else column
        for i, column in enumerate(columns)
    ]


def _whole(value: Any) -> bool:
    return value is None or (isinstance(value, int | Decimal) and value == int(value))


def totals_table(table: OutputTable, spec: OutputSpec, factors: Sequence[str] = ()) -> OutputTable:
    """``table`` added up in one row of its own table (``spec``, declared by the table it adds up).

    The first cell counts ``table``'s rows; every other column is the column of ``table`` of the
    same name, added up (blanks skipped), so each figure is the exact sum of the rows, to the penny.
    """
    # Each column as the table it adds up shows it (a count there is a count here).
    kinds = {column.name: column.kind for column in table.columns}
    columns = [replace(c, kind=kinds.get(c.name, c.kind)) for c in out_columns(spec.expand(factor=factors))]
    index = {name: i for i, name in enumerate(table.header)}
    row: list[Any] = [len(table.rows)]
    for column in columns[1:]:
        row.append(_column_sum(column, [r[index[column.name]] for r in table.rows]))
    return OutputTable(spec.name, columns, [row], title=f"{table.name} added up (each figure: the sum of its rows)")


# Each totals table adds up the table already built for the same result (``table``), when the caller has
# it, rather than building it a second time.


def district_allocation_totals_table(result: AllocationResult, table: OutputTable | None = None) -> OutputTable:
    table = table if table is not None else district_allocations_table(result)
    return totals_table(table, DISTRICT_ALLOCATION_TOTALS_SPEC, result.district_factor_names)


def school_allocation_totals_table(result: AllocationResult, table: OutputTable | None = None) -> OutputTable:
    table = table if table is not None else school_allocations_table(result)
    return totals_table(table, SCHOOL_ALLOCATION_TOTALS_SPEC, result.school_factor_names)


def provider_funding_totals_table(result: AllocationResult, table: OutputTable | None = None) -> OutputTable:
    table = table if table is not None else provider_funding_table(result)
    return totals_table(table, PROVIDER_FUNDING_TOTALS_SPEC)


def district_allocations_table(result: AllocationResult) -> OutputTable:
    columns = out_columns(DISTRICT_ALLOCATIONS_SPEC.expand(factor=result.district_factor_names))
    rows: list[list[Any]] = []
    for d in result.districts:
        factors: list[Any] = []
        for name in result.district_factor_names:
            factors += [d.factor_values.get(name, Decimal(0)), d.factor_amounts.get(name, Decimal(0))]
        rows.append(
            [
                d.name,
                d.area,
                d.model.value,
                *factors,
                d.lump_sum,
                d.formula_amount,
                d.unprotected,
                d.protection_adjustment,
                d.final_allocation,
                d.devolved_amount,
                d.delegated_amount,
                d.previous,
                d.change,
                d.change_pct,
            ]
        )
    return OutputTable(
        DISTRICT_ALLOCATIONS,
        whole_number_columns(columns, rows),
        rows,
        title="Stage 1: the AP budget shared between districts",
    )


def receives_devolved_funding(school: SchoolAllocation) -> bool:
    """A school with money in Stage 2: a devolved allocation or redress. A Delegated district's schools
    get nothing (their district's money goes to its PRU), and so does a Devolved or Hybrid district's
    school none of whose pupils its factors count (a primary, where only KS3 and KS4 pupils count):
    neither is listed in SchoolAllocations, nor counted among AllocationSubtotals' Schools Funded."""
    return bool(school.base_devolved) or bool(school.redress_withheld) or bool(school.redress_received)


def school_allocations_table(result: AllocationResult) -> OutputTable:
    columns = out_columns(SCHOOL_ALLOCATIONS_SPEC.expand(factor=result.school_factor_names))
    rows: list[list[Any]] = [
        [
            s.urn,
            s.name,
            s.district,
            s.model.value,
            *(s.factor_amounts.get(name, Decimal(0)) for name in result.school_factor_names),
            s.base_devolved,
            # Withheld money leaves the school: negative, so the row adds up to the final figure.
            Decimal(0) - s.redress_withheld,
            s.redress_received,
            s.final_devolved,
        ]
        for s in result.schools
        if receives_devolved_funding(s)
    ]
    return OutputTable(
        SCHOOL_ALLOCATIONS,
        columns,
        rows,
        title="Stage 2: devolved funding per school, after financial redress",
    )


def county_label(la_name: str) -> str:
    """The name on AllocationSubtotals' County row: the LA's (Settings), or "County" when blank."""
    return la_name.strip() or "County"


def allocation_subtotals_table(result: AllocationResult, county: str) -> OutputTable:
    """One row per district, then per area, then the county: each level the exact sum of the one below.

    Every district is here, Delegated ones too (their allocation goes to the Lead PRU), so the
    County row's Final Allocation is Summary's "Allocated to districts". A blank area is shown
    as "(no area)".
    """
    columns = out_columns(ALLOCATION_SUBTOTALS_SPEC.columns)
    funded = [s for s in result.schools if receives_devolved_funding(s)]
    district_rows: list[list[Any]] = []
    for d in sorted(result.districts, key=lambda d: (d.area or "(no area)", d.name)):
        schools = [s for s in funded if s.district == d.name]
        district_rows.append(
            [
                "District",
                d.name,
                d.area or "(no area)",
                len(schools),
                d.final_allocation,
                d.devolved_amount,
                d.delegated_amount,
                sum((s.final_devolved for s in schools), ZERO),
            ]
        )
    area_rows: list[list[Any]] = []
    for area in dict.fromkeys(row[2] for row in district_rows):
        area_row = _total_row(columns, [row for row in district_rows if row[2] == area], 0)
        area_row[:3] = ["Area", area, area]
        area_rows.append(area_row)
    county_row = _total_row(columns, area_rows, 0)
    county_row[:3] = ["County", county, None]
    return OutputTable(
        ALLOCATION_SUBTOTALS,
        columns,
        [*district_rows, *area_rows, county_row],
        title="The allocation by district, area and county",
    )


def provider_funding_table(result: AllocationResult) -> OutputTable:
    columns = out_columns(PROVIDER_FUNDING_SPEC.columns)
    rows: list[list[Any]] = [
        [
            p.provider_id,
            p.name,
            p.district,
            p.places,
            p.place_funding,
            p.top_up,
            p.redress_received,
            p.delegated_allocation,
        ]
        for p in result.providers
    ]
    return OutputTable(
        PROVIDER_FUNDING,
        columns,
        rows,
        title="Stage 2: delegated funding per provider (place funding plus top-up)",
    )
