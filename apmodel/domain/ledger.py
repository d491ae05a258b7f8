"""The ledger export: Issued documents not yet exported, as the council's finance system takes them.

Rule (README, "The ledger: export-finance"):

- every register row that was Issued (Status Issued, or Credited since) and has no Exported On
  is exported once; nil documents are never exported;
- an academy's Invoice or Credit note is one line of ``ar-invoices.csv``: the customer is the
  trust (the school when it has none), the income goes to the AP budget's own cost centre and
  the recoupment income account (settings), the amounts are the register's own Net, VAT and
  Gross (a credit note's are negative) and a credit note's description names the document it
  credits;
- a maintained school's Budget adjustment is a journal of two lines in ``journals.csv``: the
  school's cost centre and the school budget account on one side, the AP cost centre and the
  income account on the other, each for the document's Gross, so every journal nets to 0.00
  (a positive amount is a debit to the school; a negative one, money back, a credit);
- nothing exported names a pupil: descriptions carry the term, the school and its URN only.

``FinanceExport`` (Field, Column Header) renames and orders ``ar-invoices.csv``'s columns for the
council's system; the Fields are ``AR_FIELDS`` and ``AR_EXTRA_FIELDS``. ``ORACLE_FUSION`` is a
ready layout for Oracle Fusion AutoInvoice (RA_INTERFACE_LINES_ALL), whose line reference is
INTERFACE_LINE_CONTEXT + INTERFACE_LINE_ATTRIBUTE1 (the document number) + ATTRIBUTE2 (the line).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from apmodel.domain.findings import Findings
from apmodel.domain.inputs import ModelInputs, RegisterEntry, School, Settings, normalise
from apmodel.domain.money import ZERO
from apmodel.domain.register import DocumentKind, RegisterStatus, is_nil

AR_FILE = "ar-invoices.csv"
JOURNAL_FILE = "journals.csv"
LAYOUT_TABLE = "FinanceExport"

#: The generic ar-invoices.csv, in this order.
AR_FIELDS: tuple[str, ...] = (
    "Document Number",
    "Kind",
    "Customer",
    "URN",
    "Date",
    "Due",
    "Description",
    "Cost Centre",
    "Account Code",
    "VAT Code",
    "Net",
    "VAT",
    "Gross",
    "PO Number",
)
#: More fields a FinanceExport layout may use (the generic file leaves them out).
AR_EXTRA_FIELDS: tuple[str, ...] = (
    "Line Number",
    "Line Reference",
    "Original Document",
    "Original Line Context",
    "Original Line Number",
    "Transaction Type",
    "Payment Terms",
    "Currency",
    "Conversion Type",
    "Conversion Rate",
    "Quantity",
    "Line Type",
    "Line Context",
    "Batch Source",
    "Business Unit",
)
JOURNAL_FIELDS: tuple[str, ...] = ("Journal", "Date", "Cost Centre", "Account Code", "Description", "Debit", "Credit")

#: What the Oracle Fusion layout's constant fields hold.
LINE_CONTEXT = "APMODEL"
BATCH_SOURCE = "APMODEL"
CURRENCY = "GBP"
TRANSACTION_TYPES = {DocumentKind.INVOICE.value: "Invoice", DocumentKind.CREDIT_NOTE.value: "Credit Memo"}

#: Oracle Fusion AutoInvoice: Field -> RA_INTERFACE_LINES_ALL column, in the order of the file.
ORACLE_FUSION: tuple[tuple[str, str], ...] = (
    ("Business Unit", "BU_NAME"),
    ("Batch Source", "BATCH_SOURCE_NAME"),
    ("Line Context", "INTERFACE_LINE_CONTEXT"),
    ("Document Number", "INTERFACE_LINE_ATTRIBUTE1"),
    ("Line Number", "INTERFACE_LINE_ATTRIBUTE2"),
    ("Document Number", "TRX_NUMBER"),
    ("Transaction Type", "CUST_TRX_TYPE_NAME"),
    ("Date", "TRX_DATE"),
    ("Date", "GL_DATE"),
    ("Payment Terms", "TERM_NAME"),
    ("URN", "ORIG_SYSTEM_BILL_CUSTOMER_REF"),
    ("Line Type", "LINE_TYPE"),
    ("Description", "DESCRIPTION"),
    ("Currency", "CURRENCY_CODE"),
    ("Conversion Type", "CONVERSION_TYPE"),
    ("Conversion Rate", "CONVERSION_RATE"),
    ("Quantity", "QUANTITY"),
    ("Net", "UNIT_SELLING_PRICE"),
    ("Net", "AMOUNT"),
    ("VAT Code", "TAX_CODE"),
    ("PO Number", "PURCHASE_ORDER"),
    ("Original Line Context", "REFERENCE_LINE_CONTEXT"),
    ("Original Document", "REFERENCE_LINE_ATTRIBUTE1"),
    ("Original Line Number", "REFERENCE_LINE_ATTRIBUTE2"),
)
LAYOUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "generic": tuple((name, name) for name in AR_FIELDS),
    "oracle-fusion": ORACLE_FUSION,
}

Row = dict[str, object]


@dataclass(frozen=True)
class LayoutRow:
    row: int
    field: str
    header: str


@dataclass
class LedgerExport:
    """What one export writes: the AR lines, the journal lines, and the documents they carry."""

    ar_header: list[str]
    ar_rows: list[list[object]] = field(default_factory=list)
    journal_rows: list[list[object]] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)

    @property
    def journal_header(self) -> list[str]:
        return list(JOURNAL_FIELDS)


def exportable(entry: RegisterEntry) -> bool:
    """Issued once (Issued, or Credited since), not exported yet, and not nil."""
    was_issued = entry.status in (RegisterStatus.ISSUED, RegisterStatus.CREDITED) and entry.issued_on is not None
    return was_issued and entry.exported_on is None and not is_nil(entry)


def mark_exported(register: Sequence[RegisterEntry], numbers: Sequence[str], day: dt.date) -> list[RegisterEntry]:
    """The register with Exported On = ``day`` on the rows numbered ``numbers``; nothing else changes."""
    chosen = set(numbers)
    return [e.model_copy(update={"exported_on": day}) if e.number in chosen else e for e in register]


def layout_from_rows(rows: Sequence[LayoutRow], findings: Findings) -> list[tuple[str, str]]:
    """A FinanceExport table as (Field, Column Header) pairs; an unknown Field or a repeated header is skipped."""
    known = {normalise(name): name for name in (*AR_FIELDS, *AR_EXTRA_FIELDS)}
    layout: list[tuple[str, str]] = []
    headers: set[str] = set()
    for row in rows:
        name = known.get(normalise(row.field))
        if name is None:
            findings.warning(
                "FINANCE_EXPORT_FIELD",
                LAYOUT_TABLE,
                row.row,
                "Field",
                row.field,
                f"{row.field!r} is not a field of {AR_FILE}; the row is left out. Fields: "
                + ", ".join((*AR_FIELDS, *AR_EXTRA_FIELDS))
                + ".",
            )
            continue
        header = row.header or name
        if normalise(header) in headers:
            findings.warning(
                "FINANCE_EXPORT_FIELD",
                LAYOUT_TABLE,
                row.row,
                "Column Header",
                header,
                f"The column header {header!r} is used twice; this row is left out.",
            )
            continue
        headers.add(normalise(header))
        layout.append((name, header))
    return layout


def _describe(entry: RegisterEntry, school: School | None) -> str:
    who = f"{school.name} (URN {entry.urn})" if school is not None else f"URN {entry.urn}"
    text = f"Alternative Provision recoupment, {entry.period}, {who}"
    if entry.kind == DocumentKind.CREDIT_NOTE and entry.supersedes:
        return f"Credit note for {entry.supersedes}: {text}"
    if entry.supersedes:
        return f"{text} (replaces {entry.supersedes})"
    return text


def _ar_values(entry: RegisterEntry, school: School | None, settings: Settings) -> Row:
    issued = entry.issued_on or dt.date.min
    is_invoice = entry.kind == DocumentKind.INVOICE
    is_credit = entry.kind == DocumentKind.CREDIT_NOTE
    credits = entry.supersedes if is_credit else ""
    return {
        "Document Number": entry.number,
        "Kind": entry.kind,
        "Customer": (school.trust or school.name) if school is not None else "",
        "URN": entry.urn,
        "Date": issued,
        "Due": issued + dt.timedelta(days=settings.payment_terms_days) if is_invoice else None,
        "Description": _describe(entry, school),
        "Cost Centre": settings.ap_cost_centre,
        "Account Code": settings.income_account,
        "VAT Code": settings.vat_code,
        "Net": entry.net,
        "VAT": entry.vat,
        "Gross": entry.gross,
        "PO Number": school.po_number if school is not None else "",
        "Line Number": 1,
        "Line Reference": f"{entry.number}-1",
        "Original Document": credits,
        "Original Line Context": LINE_CONTEXT if credits else "",
        "Original Line Number": 1 if credits else None,
        "Transaction Type": TRANSACTION_TYPES.get(entry.kind, entry.kind),
        "Payment Terms": f"{settings.payment_terms_days} Days" if is_invoice else "",
        "Currency": CURRENCY,
        "Conversion Type": "User",
        "Conversion Rate": 1,
        "Quantity": 1,
        "Line Type": "LINE",
        "Line Context": LINE_CONTEXT,
        "Batch Source": BATCH_SOURCE,
        "Business Unit": settings.la_name,
    }


def _journal(entry: RegisterEntry, school: School | None, settings: Settings) -> list[list[object]]:
    """Two lines netting to 0.00: the school's budget against the AP budget, for the document's Gross."""
    amount = entry.gross
    debit, credit = (amount, None) if amount > 0 else (None, ZERO - amount)
    day = entry.issued_on
    text = _describe(entry, school)
    cost_centre = school.cost_centre if school is not None else ""
    return [
        [entry.number, day, cost_centre, settings.school_budget_account, text, debit, credit],
        [entry.number, day, settings.ap_cost_centre, settings.income_account, text, credit, debit],
    ]


def _check_settings(settings: Settings, findings: Findings) -> None:
    for label, value in (
        ("AP cost centre", settings.ap_cost_centre),
        ("Recoupment income account", settings.income_account),
        ("School budget account", settings.school_budget_account),
    ):
        if not value:
            findings.warning(
                "FINANCE_SETTING_MISSING",
                "Settings",
                None,
                "Value",
                label,
                f"The setting {label!r} is blank: the export leaves that code empty. Set it before loading the "
                "files into the ledger.",
            )


def export_ledger(
    register: Sequence[RegisterEntry],
    inputs: ModelInputs,
    layout: Sequence[tuple[str, str]],
    findings: Findings,
) -> LedgerExport:
    """The rows of both files for every exportable register row, in register order."""
    settings = inputs.settings
    export = LedgerExport([header for _, header in layout])
    if settings is None:
        return export
    schools = {school.urn: school for school in inputs.schools}
    chosen = [entry for entry in register if exportable(entry)]
    if chosen:
        _check_settings(settings, findings)
    for entry in chosen:
        school = schools.get(entry.urn) if entry.urn is not None else None
        if school is None:
            findings.warning(
                "FINANCE_UNKNOWN_SCHOOL",
                "InvoiceRegister",
                entry.row or None,
                "URN",
                entry.urn,
                f"{entry.number}: URN {entry.urn} is not in Schools; it is exported without a customer or cost centre.",
            )
        if entry.kind == DocumentKind.BUDGET_ADJUSTMENT:
            if school is not None and not school.cost_centre:
                findings.warning(
                    "FINANCE_NO_COST_CENTRE",
                    "Schools",
                    school.row,
                    "Cost Centre",
                    "",
                    f"{school.name} has no Cost Centre: its journal {entry.number} leaves the school's cost centre "
                    "empty.",
                )
            export.journal_rows += _journal(entry, school, settings)
        else:
            values = _ar_values(entry, school, settings)
            export.ar_rows.append([values[name] for name, _ in layout])
        export.numbers.append(entry.number)
    return export


def journal_balance(rows: Sequence[Sequence[object]]) -> dict[str, Decimal]:
    """Debits minus credits per journal (every one 0.00 in a balanced export)."""
    index_debit, index_credit = JOURNAL_FIELDS.index("Debit"), JOURNAL_FIELDS.index("Credit")
    totals: dict[str, Decimal] = {}
    for row in rows:
        debit = row[index_debit]
        credit = row[index_credit]
        amount = (debit if isinstance(debit, Decimal) else ZERO) - (credit if isinstance(credit, Decimal) else ZERO)
        totals[str(row[0])] = totals.get(str(row[0]), ZERO) + amount
    return totals
