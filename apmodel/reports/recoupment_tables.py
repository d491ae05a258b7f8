"""The recoupment output tables: Recoupment, Invoices and the persistent InvoiceRegister.

Contract: docs/forum-workbook.md, "Output tables" and "The invoice register". Built from the
``RecoupmentResult`` and ``SettlementResult`` (never from the workbook). ``Recoupment`` has
the contract's columns in order, then ``Tier`` (the DfE AP tier of a placement line).
``InvoiceRegister`` is written back whole on every run: it is read again as an input next
time, so every number ever used stays in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from apmodel.domain.inputs import RegisterEntry
from apmodel.domain.recoupment import RecoupmentResult
from apmodel.domain.settlement import SettlementResult
from apmodel.workbook.contract import INVOICE_REGISTER, INVOICES, RECOUPMENT, Kind
from apmodel.workbook.interface import OutColumn, OutputTable

RECOUPMENT_COLUMNS = (
    OutColumn("Line ID", Kind.TEXT, 24),
    OutColumn("URN", Kind.INT, 9),
    OutColumn("School", Kind.TEXT, 30),
    OutColumn("Type", Kind.TEXT, 22),
    OutColumn("Legal Basis", Kind.TEXT, 18),
    OutColumn("Settlement", Kind.TEXT, 18),
    OutColumn("Pupil Ref", Kind.TEXT, 12),
    OutColumn("Source ID", Kind.TEXT, 12),
    OutColumn("Period", Kind.TEXT, 14),
    OutColumn("A", Kind.MONEY),
    OutColumn("B", Kind.INT, 6),
    OutColumn("C", Kind.MONEY),
    OutColumn("D", Kind.MONEY),
    OutColumn("E", Kind.INT, 6),
    OutColumn("F", Kind.INT, 6),
    OutColumn("Rate", Kind.NUMBER),
    OutColumn("Days", Kind.INT, 7),
    OutColumn("Amount", Kind.MONEY),
    OutColumn("Status", Kind.TEXT, 16),
    OutColumn("Tier", Kind.INT, 6),
)

INVOICE_COLUMNS = (
    OutColumn("Number", Kind.TEXT, 20),
    OutColumn("Kind", Kind.TEXT, 18),
    OutColumn("URN", Kind.INT, 9),
    OutColumn("School", Kind.TEXT, 30),
    OutColumn("Trust", Kind.TEXT, 24),
    OutColumn("Period", Kind.TEXT, 14),
    OutColumn("Date", Kind.DATE, 12),
    OutColumn("Due", Kind.DATE, 12),
    OutColumn("Net", Kind.MONEY),
    OutColumn("VAT", Kind.MONEY),
    OutColumn("Gross", Kind.MONEY),
    OutColumn("Status", Kind.TEXT, 10),
)

REGISTER_COLUMNS = (
    OutColumn("Number", Kind.TEXT, 20),
    OutColumn("Key", Kind.TEXT, 30),
    OutColumn("Kind", Kind.TEXT, 18),
    OutColumn("URN", Kind.INT, 9),
    OutColumn("Period", Kind.TEXT, 14),
    OutColumn("Net", Kind.MONEY),
    OutColumn("VAT", Kind.MONEY),
    OutColumn("Gross", Kind.MONEY),
    OutColumn("Status", Kind.TEXT, 10),
    OutColumn("Issued On", Kind.DATE, 12),
    OutColumn("Supersedes", Kind.TEXT, 20),
)


def recoupment_table(result: RecoupmentResult) -> OutputTable:
    """One row per charge or credit; charges positive, credits negative."""
    rows: list[list[Any]] = [
        [
            line.line_id,
            line.urn,
            line.school,
            line.type.value,
            line.legal_basis.value,
            line.settlement.value,
            line.pupil_ref,
            line.source_id,
            line.period,
            line.a,
            line.b,
            line.c,
            line.d,
            line.e,
            line.f,
            line.rate,
            line.days,
            line.amount,
            line.status.value,
            line.tier,
        ]
        for line in result.lines
    ]
    return OutputTable(
        RECOUPMENT,
        list(RECOUPMENT_COLUMNS),
        rows,
        title="Recoupment: charges to and credits for schools (deduction = A x B / 52 + C)",
    )


def invoices_table(settlement: SettlementResult) -> OutputTable:
    """One row per invoice, credit note or budget adjustment of the year."""
    rows: list[list[Any]] = [
        [d.number, d.kind, d.urn, d.school, d.trust, d.period, d.date, d.due, d.net, d.vat, d.gross, d.status]
        for d in settlement.documents
    ]
    return OutputTable(
        INVOICES,
        list(INVOICE_COLUMNS),
        rows,
        title="Invoices, credit notes and budget adjustments (positive = owed by the school)",
    )


def invoice_register_table(register: Sequence[RegisterEntry]) -> OutputTable:
    """Every number ever used, in register order; read back as an input on the next run."""
    rows: list[list[Any]] = [
        [e.number, e.key, e.kind, e.urn, e.period, e.net, e.vat, e.gross, e.status, e.issued_on, e.supersedes or None]
        for e in register
    ]
    return OutputTable(
        INVOICE_REGISTER.name,
        list(REGISTER_COLUMNS),
        rows,
        title="Invoice register: every number ever used (do not edit Issued rows)",
    )
