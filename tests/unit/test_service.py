"""The service layer on an in-memory workbook: what a run reads, computes and writes, with no file.

The county is ``tests.builders.small_county`` (its docstring works the allocation by hand).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from apmodel.service import issue_invoices, run_workbook, validate_workbook
from apmodel.workbook.contract import (
    DISTRICT_ALLOCATIONS,
    INPUT_TABLES,
    INVOICE_REGISTER,
    INVOICES,
    OUTPUT_TABLES,
    RECOUPMENT,
    REGISTER_LOG,
    WARNINGS,
)
from apmodel.workbook.interface import OutputTable
from tests.builders import small_county
from tests.fakes import FakeWorkbook

TODAY = date(2025, 12, 1)


def records(table: OutputTable) -> list[dict[str, Any]]:
    return [dict(zip(table.header, row, strict=True)) for row in table.rows]


def test_a_run_writes_its_outputs_in_one_write_and_leaves_every_input_table_as_it_was() -> None:
    book = FakeWorkbook.of(small_county())
    inputs = {spec.name: book.tables[spec.name] for spec in INPUT_TABLES if spec.name in book.tables}
    run_workbook(book, today=TODAY)
    assert len(book.writes) == 1
    assert {DISTRICT_ALLOCATIONS, RECOUPMENT, INVOICES, WARNINGS, INVOICE_REGISTER.name} <= set(book.written)
    assert set(book.written) <= {*OUTPUT_TABLES, INVOICE_REGISTER.name, REGISTER_LOG.name}
    assert {name: book.tables[name] for name in inputs} == inputs


def test_district_allocations_are_the_hand_worked_shares() -> None:
    # Pot 1,000,000 - 100,000 retained - 2 x 50,000 lump sums = 800,000.
    # North = 50,000 + 300,000 + 75,000 = 425,000.00; South = 50,000 + 300,000 + 125,000 = 475,000.00.
    book = FakeWorkbook.of(small_county())
    run_workbook(book, today=TODAY)
    final = {row["District"]: row["Final Allocation"] for row in records(book.written[DISTRICT_ALLOCATIONS])}
    assert final["North"] == Decimal("425000.00")
    assert final["South"] == Decimal("475000.00")


def test_the_excluding_school_is_charged_the_statutory_adjustment() -> None:
    # 21 complete weeks from 3 November 2025 to 31 March 2026: 5,500 x 21 / 52 = 2,221.15.
    book = FakeWorkbook.of(small_county())
    run_workbook(book, today=TODAY)
    lines = [row for row in records(book.written[RECOUPMENT]) if row["URN"] == 100001 and row["Source ID"] == "EX-1"]
    assert [(line["B"], line["Amount"]) for line in lines if line["A"] == Decimal("5500")] == [
        (21, Decimal("2221.15"))
    ]


def test_a_run_after_issuing_keeps_each_issued_number_with_its_status_and_date() -> None:
    book = FakeWorkbook.of(small_county())
    issued = issue_invoices(book, "Autumn 2025", today=TODAY).issued
    assert issued
    run_workbook(book, today=date(2025, 12, 2))
    register = {row["Number"]: row for row in records(book.written[INVOICE_REGISTER.name])}
    assert [(register[number]["Status"], register[number]["Issued On"]) for number in issued] == [
        ("Issued", TODAY)
    ] * len(issued)


def test_validating_without_writing_leaves_the_workbook_untouched() -> None:
    book = FakeWorkbook.of(small_county())
    validate_workbook(book, write=False)
    assert (book.writes, book.messages) == ([], [])


def test_validating_writes_the_warnings_table_only() -> None:
    book = FakeWorkbook.of(small_county())
    validate_workbook(book)
    assert book.writes == [[WARNINGS]]


def test_a_run_redraws_the_dashboard_with_the_allocation_and_recoupment_charts() -> None:
    book = FakeWorkbook.of(small_county())
    run_workbook(book, today=TODAY)
    assert book.charts is not None
    assert [chart.key for chart in book.charts] == [
        "AllocationByDistrict",
        "ChangeByDistrict",
        "ChangePercentByDistrict",
        "RecoupmentByTerm",
    ]
