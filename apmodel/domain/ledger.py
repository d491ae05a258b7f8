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

``FinanceExport`` (Field, Column Header, File) renames and orders each file's columns for the
council's system: its rows with File ``journals.csv`` describe the journals file, the others
(File blank or ``ar-invoices.csv``) ``ar-invoices.csv``. The Fields are ``AR_FIELDS`` and
``AR_EXTRA_FIELDS``, and ``JOURNAL_FIELDS`` and ``JOURNAL_EXTRA_FIELDS``. A file without rows
keeps its generic layout, and so does a journals layout without both Debit and Credit (its
journals could not be seen to net to 0.00). Ready layouts: ``ORACLE_FUSION`` for Oracle Fusion
AutoInvoice (RA_INTERFACE_LINES_ALL), whose line reference is INTERFACE_LINE_CONTEXT +
INTERFACE_LINE_ATTRIBUTE1 (the document number) + ATTRIBUTE2 (the line), and ``ORACLE_FUSION_GL``
for Oracle Fusion General Ledger's journal import (GL_INTERFACE), one journal per document
(REFERENCE4, the journal entry name, is the document number).
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
#: The generic journals.csv, in this order.
JOURNAL_FIELDS: tuple[str, ...] = ("Journal", "Date", "Cost Centre", "Account Code", "Description", "Debit", "Credit")
#: More fields a FinanceExport layout of journals.csv may use (the generic file leaves them out).
JOURNAL_EXTRA_FIELDS: tuple[str, ...] = (
    "Line Number",
    "Line Reference",
    "URN",
    "Period",
    "Batch Name",
    "Status",
    "Ledger",
    "Journal Source",
    "Journal Category",
    "Currency",
    "Actual Flag",
)
#: Each file's fields, by the File of a FinanceExport row.
FILE_FIELDS: dict[str, tuple[str, ...]] = {
    AR_FILE: (*AR_FIELDS, *AR_EXTRA_FIELDS),
    JOURNAL_FILE: (*JOURNAL_FIELDS, *JOURNAL_EXTRA_FIELDS),
}

#: What the Oracle Fusion layout's constant fields hold.
LINE_CONTEXT = "APMODEL"
BATCH_SOURCE = "APMODEL"
CURRENCY = "GBP"
TRANSACTION_TYPES = {DocumentKind.INVOICE.value: "Invoice", DocumentKind.CREDIT_NOTE.value: "Credit Memo"}
#: What the Oracle Fusion journal layout's constant fields hold: a new line, actual amounts, the
#: journal source and category the council defines for these journals.
JOURNAL_STATUS = "NEW"
ACTUAL_FLAG = "A"
JOURNAL_SOURCE = "APMODEL"
JOURNAL_CATEGORY = "APMODEL"

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
#: Oracle Fusion General Ledger journal import: Field -> GL_INTERFACE column, in the order of the file.
ORACLE_FUSION_GL: tuple[tuple[str, str], ...] = (
    ("Status", "STATUS"),
    ("Ledger", "LEDGER_NAME"),
    ("Date", "ACCOUNTING_DATE"),
    ("Journal Source", "USER_JE_SOURCE_NAME"),
    ("Journal Category", "USER_JE_CATEGORY_NAME"),
    ("Currency", "CURRENCY_CODE"),
    ("Date", "DATE_CREATED"),
    ("Actual Flag", "ACTUAL_FLAG"),
    ("Cost Centre", "SEGMENT1"),
    ("Account Code", "SEGMENT2"),
    ("Debit", "ENTERED_DR"),
    ("Credit", "ENTERED_CR"),
    ("Batch Name", "REFERENCE1"),
    ("Journal", "REFERENCE4"),
    ("Description", "REFERENCE5"),
    ("Description", "REFERENCE10"),
)
Layout = tuple[tuple[str, str], ...]
#: The ready layouts of ar-invoices.csv ...
LAYOUTS: dict[str, Layout] = {
    "generic": tuple((name, name) for name in AR_FIELDS),
    "oracle-fusion": ORACLE_FUSION,
}
#: ... and of journals.csv, by the same names.
JOURNAL_LAYOUTS: dict[str, Layout] = {
    "generic": tuple((name, name) for name in JOURNAL_FIELDS),
    "oracle-fusion": ORACLE_FUSION_GL,
}

Row = dict[str, object]


@dataclass(frozen=True)
class LayoutRow:
    row: int
    field: str
    header: str
    file: str = AR_FILE


@dataclass
class LedgerExport:
    """What one export writes: the AR lines, the journal lines, and the documents they carry.

    ``journal_lines`` are the journal lines by field, whatever the layout: ``journal_balance`` nets them.
    """

    ar_header: list[str]
    journal_header: list[str] = field(default_factory=lambda: list(JOURNAL_FIELDS))
    ar_rows: list[list[object]] = field(default_factory=list)
    journal_rows: list[list[object]] = field(default_factory=list)
    journal_lines: list[Row] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)


def exportable(entry: RegisterEntry) -> bool:
    """Issued once (Issued, or Credited since), not exported yet, and not nil."""
    was_issued = entry.status in (RegisterStatus.ISSUED, RegisterStatus.CREDITED) and entry.issued_on is not None
    return was_issued and entry.exported_on is None and not is_nil(entry)


def mark_exported(register: Sequence[RegisterEntry], numbers: Sequence[str], day: dt.date) -> list[RegisterEntry]:
    """The register with Exported On = ``day`` on the rows numbered ``numbers``; nothing else changes."""
    chosen = set(numbers)
    return [e.model_copy(update={"exported_on": day}) if e.number in chosen else e for e in register]


def layouts_from_rows(rows: Sequence[LayoutRow], findings: Findings) -> dict[str, list[tuple[str, str]]]:
    """A FinanceExport table as (Field, Column Header) pairs by file; a file without usable rows is absent.

    An unknown Field or a header used twice in one file is a Warning and its row is left out; a
    journals layout without both Debit and Credit is a Warning and is not used.
    """
    layouts: dict[str, list[tuple[str, str]]] = {}
    headers: dict[str, set[str]] = {}
    for row in rows:
        fields = FILE_FIELDS[row.file]
        name = next((f for f in fields if normalise(f) == normalise(row.field)), None)
        if name is None:
            findings.warning(
                "FINANCE_EXPORT_FIELD",
                LAYOUT_TABLE,
                row.row,
                "Field",
                row.field,
                f"{row.field!r} is not a field of {row.file}; the row is left out. Fields: " + ", ".join(fields) + ".",
            )
            continue
        header = row.header or name
        used = headers.setdefault(row.file, set())
        if normalise(header) in used:
            findings.warning(
                "FINANCE_EXPORT_FIELD",
                LAYOUT_TABLE,
                row.row,
                "Column Header",
                header,
                f"The column header {header!r} is used twice in {row.file}; this row is left out.",
            )
            continue
        used.add(normalise(header))
        layouts.setdefault(row.file, []).append((name, header))
    journals = layouts.get(JOURNAL_FILE)
    if journals is not None and not {"Debit", "Credit"} <= {name for name, _ in journals}:
        findings.warning(
            "FINANCE_EXPORT_FIELD",
            LAYOUT_TABLE,
            None,
            "Field",
            "Debit, Credit",
            f"The rows for {JOURNAL_FILE} have no Debit or no Credit, so its journals could not be seen to net to "
            f"0.00; {JOURNAL_FILE} keeps its generic layout. Add both Fields to use your layout.",
        )
        del layouts[JOURNAL_FILE]
    return layouts


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


def _journal(entry: RegisterEntry, school: School | None, settings: Settings) -> list[Row]:
    """Two lines netting to 0.00: the school's budget against the AP budget, for the document's Gross."""
    amount = entry.gross
    debit, credit = (amount, None) if amount > 0 else (None, ZERO - amount)
    common: Row = {
        "Journal": entry.number,
        "Date": entry.issued_on,
        "Description": _describe(entry, school),
        "URN": entry.urn,
        "Period": entry.period,
        "Batch Name": f"Alternative Provision recoupment {entry.period}",
        "Status": JOURNAL_STATUS,
        "Ledger": settings.la_name,
        "Journal Source": JOURNAL_SOURCE,
        "Journal Category": JOURNAL_CATEGORY,
        "Currency": CURRENCY,
        "Actual Flag": ACTUAL_FLAG,
    }
    cost_centre = school.cost_centre if school is not None else ""
    sides = (
        (cost_centre, settings.school_budget_account, debit, credit),
        (settings.ap_cost_centre, settings.income_account, credit, debit),
    )
    return [
        {
            **common,
            "Line Number": line,
            "Line Reference": f"{entry.number}-{line}",
            "Cost Centre": centre,
            "Account Code": account,
            "Debit": dr,
            "Credit": cr,
        }
        for line, (centre, account, dr, cr) in enumerate(sides, start=1)
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
    journal_layout: Sequence[tuple[str, str]] = JOURNAL_LAYOUTS["generic"],
) -> LedgerExport:
    """The rows of both files for every exportable register row, in register order, each file in its layout."""
    settings = inputs.settings
    export = LedgerExport([header for _, header in layout], [header for _, header in journal_layout])
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
            lines = _journal(entry, school, settings)
            export.journal_lines += lines
            export.journal_rows += [[line[name] for name, _ in journal_layout] for line in lines]
        else:
            values = _ar_values(entry, school, settings)
            export.ar_rows.append([values[name] for name, _ in layout])
        export.numbers.append(entry.number)
    return export


def journal_balance(lines: Sequence[Row]) -> dict[str, Decimal]:
    """Debits minus credits per journal (every one 0.00 in a balanced export), from the lines by field."""
    totals: dict[str, Decimal] = {}
    for line in lines:
        debit, credit = line["Debit"], line["Credit"]
        amount = (debit if isinstance(debit, Decimal) else ZERO) - (credit if isinstance(credit, Decimal) else ZERO)
        totals[str(line["Journal"])] = totals.get(str(line["Journal"]), ZERO) + amount
    return totals
