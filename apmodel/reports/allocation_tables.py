"""The allocation output tables: DistrictAllocations, SchoolAllocations, ProviderFunding.

Contract: docs/forum-workbook.md, "Output tables". Built from an ``AllocationResult`` (never from
the workbook). Factor columns follow the factor tables: ``<Factor> Value`` and ``<Factor> £``
per district factor, ``<Factor> £`` per school factor. Each table ends with a ``Total`` row
whose figures are the exact sums of the rows above, so a reader can see that the shares add
up to the penny (docs/funding-rules.md, "Money").
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from apmodel.domain.allocation import AllocationResult
from apmodel.domain.money import ZERO
from apmodel.workbook.contract import (
    DISTRICT_ALLOCATIONS,
    DISTRICT_ALLOCATIONS_SPEC,
    PROVIDER_FUNDING,
    PROVIDER_FUNDING_SPEC,
    SCHOOL_ALLOCATIONS,
    SCHOOL_ALLOCATIONS_SPEC,
    Kind,
)
from apmodel.workbook.interface import OutColumn, OutputTable, out_columns

TOTAL = "Total"
_SUMMED = (Kind.MONEY, Kind.NUMBER, Kind.INT)


def _total_row(columns: Sequence[OutColumn], rows: Sequence[list[Any]], label_column: int) -> list[Any]:
    """Sums of the money, number and count columns (blanks skipped); ``Total`` in the label column."""
    total: list[Any] = [None] * len(columns)
    total[label_column] = TOTAL
    for i, column in enumerate(columns):
        if column.kind not in _SUMMED or i == label_column:
            continue
        values = [row[i] for row in rows if row[i] is not None]
        if column.kind is Kind.INT:
            total[i] = sum(values, 0)
        elif column.kind is Kind.MONEY:
            total[i] = sum(values, ZERO)
        else:
            total[i] = sum(values, Decimal(0))
    return total


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
    rows.append(_total_row(columns, rows, 0))
    return OutputTable(
        DISTRICT_ALLOCATIONS,
        columns,
        rows,
        title="Stage 1: the AP budget shared between districts",
    )


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
    ]
    total = _total_row(columns, rows, 1)
    total[0] = None  # a sum of URNs means nothing
    rows.append(total)
    return OutputTable(
        SCHOOL_ALLOCATIONS,
        columns,
        rows,
        title="Stage 2: devolved funding per school, after financial redress",
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
    rows.append(_total_row(columns, rows, 0))
    return OutputTable(
        PROVIDER_FUNDING,
        columns,
        rows,
        title="Stage 2: delegated funding per provider (place funding plus top-up)",
    )
