"""The recoupment output tables: Recoupment, Invoices and the persistent InvoiceRegister.

Contract: docs/forum-workbook.md, "Output tables" and "The invoice register". Built from the
``RecoupmentResult`` and ``SettlementResult`` (never from the workbook). ``Recoupment`` has
the contract's columns in order, then ``Tier`` (the DfE AP tier of a placement line).
``InvoiceRegister`` is written back whole on every run: it is read again as an input next
time, so every number ever used stays in it. It is the one table a user adds columns to, so
it is written in the layout it was read in: the user's own columns, with their cells, stay
where the user put them, on the rows they were typed on. ``RegisterLog`` (hidden) is the
model's own copy of what each number was, read back to check the register.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from apmodel.domain.inputs import RegisterEntry, normalise
from apmodel.domain.recoupment import RecoupmentResult
from apmodel.domain.settlement import SettlementResult
from apmodel.workbook.contract import (
    INVOICE_REGISTER,
    INVOICE_TOTALS,
    INVOICE_TOTALS_SPEC,
    INVOICES,
    INVOICES_SPEC,
    RECOUPMENT,
    RECOUPMENT_SPEC,
    RECOUPMENT_TOTALS,
    RECOUPMENT_TOTALS_SPEC,
    REGISTER_LOG,
)
from apmodel.workbook.interface import OutColumn, OutputTable, RawTable, out_columns

REGISTER_COLUMNS = tuple(out_columns(INVOICE_REGISTER.columns))


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
        out_columns(RECOUPMENT_SPEC.columns),
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
        out_columns(INVOICES_SPEC.columns),
        rows,
        title="Invoices, credit notes and budget adjustments (positive = owed by the school)",
    )


def _grouped(keys: Sequence[tuple[str, ...]]) -> dict[tuple[str, ...], list[int]]:
    """Row indexes by key (term, kind, ...): terms in the order they first appear, kinds likewise within
    a term, and so on for each part of the key."""
    width = len(keys[0]) if keys else 0
    first = [{value: i for i, value in reversed(list(enumerate(k[part] for k in keys)))} for part in range(width)]
    groups: dict[tuple[str, ...], list[int]] = {}
    for index, key in sorted(enumerate(keys), key=lambda e: tuple(first[p][e[1][p]] for p in range(width))):
        groups.setdefault(key, []).append(index)
    return groups


def _sum(values: Sequence[Decimal]) -> Decimal:
    return sum(values, Decimal("0.00"))


def recoupment_totals_table(result: RecoupmentResult) -> OutputTable:
    """Recoupment by term, type and status, a table of its own so the Recoupment table has no total row:
    its Recoverable rows add up to Summary's chain (Total recouped, Total credited, Net recoupment)."""
    lines = result.lines
    groups = _grouped([(line.period, line.type.value, line.status.value) for line in lines])
    rows: list[list[Any]] = [
        [period, kind, status, len(members), _sum([lines[i].amount for i in members])]
        for (period, kind, status), members in groups.items()
    ]
    return OutputTable(
        RECOUPMENT_TOTALS,
        out_columns(RECOUPMENT_TOTALS_SPEC.columns),
        rows,
        title="Recoupment totals by term, type and status (Amount sums to the Recoupment table's)",
    )


def invoice_totals_table(settlement: SettlementResult) -> OutputTable:
    """Invoices by term and kind, a table of its own so the Invoices table has no total row."""
    docs = settlement.documents
    groups = _grouped([(d.period, d.kind) for d in docs])
    rows: list[list[Any]] = [
        [
            period,
            kind,
            len(members),
            _sum([docs[i].net for i in members]),
            _sum([docs[i].vat for i in members]),
            _sum([docs[i].gross for i in members]),
        ]
        for (period, kind), members in groups.items()
    ]
    return OutputTable(
        INVOICE_TOTALS,
        out_columns(INVOICE_TOTALS_SPEC.columns),
        rows,
        title="Invoice totals by term and kind (Net, VAT and Gross sum to the Invoices table's)",
    )


def _register_row(e: RegisterEntry) -> list[Any]:
    return [
        e.number,
        e.kind,
        e.urn,
        e.period,
        e.net,
        e.vat,
        e.gross,
        e.status,
        e.issued_on,
        e.supersedes or None,
        e.exported_on,
        e.finance_ref or None,
        e.key,
    ]


def invoice_register_table(register: Sequence[RegisterEntry], as_read: RawTable | None = None) -> OutputTable:
    """Every number ever used, in register order; read back as an input on the next run.

    ``as_read`` is the register as the workbook held it: its columns keep their order, and a
    column that is not the model's (a user's Notes, say) keeps each row's cell (new rows get
    a blank), so nothing a user typed there is lost.
    """
    own = [_register_row(e) for e in register]
    if as_read is None:
        return OutputTable(
            INVOICE_REGISTER.name, list(REGISTER_COLUMNS), own, title=REGISTER_TITLE, note=INVOICE_REGISTER.note
        )
    model_index = {normalise(column.name): j for j, column in enumerate(REGISTER_COLUMNS)}
    # Each output column: ("model", index into REGISTER_COLUMNS) or ("user", index into as_read's header).
    layout: list[tuple[str, int]] = []
    for i, header in enumerate(as_read.header):
        j = model_index.get(normalise(header))
        layout.append(("model", j) if j is not None and ("model", j) not in layout else ("user", i))
    layout += [("model", j) for j in range(len(REGISTER_COLUMNS)) if ("model", j) not in layout]
    columns = [REGISTER_COLUMNS[j] if kind == "model" else OutColumn(as_read.header[j]) for kind, j in layout]
    typed = {as_read.sheet_row(i): cells for i, cells in enumerate(as_read.rows)}
    rows: list[list[Any]] = []
    for entry, values in zip(register, own, strict=True):
        cells = typed.get(entry.row, []) if entry.row else []
        rows.append(
            [values[j] if kind == "model" else (cells[j] if j < len(cells) else None) for kind, j in layout]
        )
    return OutputTable(INVOICE_REGISTER.name, columns, rows, title=REGISTER_TITLE, note=INVOICE_REGISTER.note)


REGISTER_TITLE = "Invoice register: every number ever used (do not edit Issued rows)"


def register_log_table(log: Sequence[RegisterEntry]) -> OutputTable:
    """The model's record of every number it has handed out, on a hidden sheet (register.check)."""
    return OutputTable(
        REGISTER_LOG.name,
        list(REGISTER_COLUMNS),
        [_register_row(e) for e in log],
        title="Register log: what apmodel last wrote for each number, to check the register. Never edit it.",
        hidden=True,
    )
