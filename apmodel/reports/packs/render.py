"""Writing one school's pack with XlsxWriter: the Cover, Allocation, Recoupment and one sheet per document."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from apmodel.domain.inputs import SchoolType
from apmodel.domain.money import ZERO
from apmodel.domain.recoupment_lines import LegalBasis, LineStatus
from apmodel.domain.register import DocumentKind, RegisterStatus
from apmodel.domain.trace import fmt_percent
from apmodel.reports.packs.data import (
    FINAL_DEVOLVED,
    NET_OF_DOCUMENTS,
    YOUR_LA_FINANCE_TEAM,
    Contacts,
    LastYearDocument,
    PackDocument,
    SchoolPack,
    long_date,
)
from apmodel.reports.workings import pounds
from apmodel.workbook.contract import (
    PACK_ALLOCATION_SPEC,
    PACK_CONTACTS_SPEC,
    PACK_CONTENTS_SPEC,
    PACK_DOCUMENT_LINES_SPEC,
    PACK_LAST_YEAR_DOCUMENTS_SPEC,
    PACK_LINE_RULES_SPEC,
    PACK_RECOUPMENT_SPEC,
    PACK_SCHOOL_DETAILS_SPEC,
    PACK_SCHOOL_FIGURES_SPEC,
    PACK_TERM_TOTALS_SPEC,
    PACK_YEAR_FIGURES_SPEC,
    Column,
    OutputSpec,
)
from apmodel.workbook.interface import MAX_SHEET_NAME
from apmodel.workbook.layout import PAGE_TEXT_LIMIT, page_text
from apmodel.workbook.openpyxl_store import temporary_path

#: Characters no file name may hold on Windows, macOS or Linux.
_UNSAFE_IN_FILENAME = re.compile(r'[/\\:*?"<>|\x00-\x1f]')

_UNSAFE_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


_MAX_NAME_IN_FILENAME = 120


NO_RECOUPMENT = "No recoupment this year."

LAST_YEAR_SHEET = "Last year"

LEGAL_BASIS_MEANING: dict[str, str] = {
    LegalBasis.STATUTORY: "Required by regulation 39 of the School and Early Years Finance (England) Regulations.",
    LegalBasis.LOCAL_AGREEMENT: "Charged under the AP Agreement the school signed with the LA.",
    LegalBasis.NOT_RECOVERABLE: (
        "The LA cannot charge this without an AP Agreement: shown for information only, nothing to pay."
    ),
    LegalBasis.LA_FUNDED: (
        "A credit the LA pays from the AP budget by its own choice: nothing was recovered from the excluding "
        "academy, so the regulations do not require it."
    ),
}

STATUS_MEANING: dict[str, str] = {
    LineStatus.RECOVERABLE: "Settled on the invoice, credit note or budget adjustment for its period.",
    LineStatus.NOT_RECOVERABLE: "Not charged: shown for information only.",
    LineStatus.OUT_OF_YEAR: "The dates fall outside this financial year: no charge this year.",
    LineStatus.BLOCKED: "Held back until a problem in the LA's records is put right; not charged yet.",
}

LETTER_MEANING: tuple[tuple[str, str], ...] = (
    ("A", "The pupil-led funding for a full year (exclusion lines) or the pupil premium (pupil premium lines)."),
    ("B", "Complete weeks from the relevant date to 31 March (or to the school year end at a change of phase)."),
    ("C", "The amount of any financial adjustment order."),
    ("D", "The exclusion adjustment before C, used for credits and repayments."),
    ("E", "Complete weeks from the admission or reinstatement to the end of the period."),
    ("F", "The weeks E is divided by (F = B)."),
    ("Amount", "Positive: a charge to the school. Negative: a credit to the school."),
)


def pack_filename(urn: int, name: str) -> str:
    """``<URN> <School Name>.xlsx`` with the characters file systems forbid replaced by ``_``."""
    safe = _UNSAFE_IN_FILENAME.sub("_", name).strip().rstrip(".")
    safe = safe[:_MAX_NAME_IN_FILENAME].rstrip(" .")
    return f"{urn} {safe}.xlsx" if safe else f"{urn}.xlsx"


def _sheet_name(wanted: str, used: set[str]) -> str:
    """A valid, unique worksheet name: no ``[]:*?/\\``, at most 31 characters."""
    base = _UNSAFE_IN_SHEET_NAME.sub("-", wanted).strip("'").strip() or "Sheet"
    name = base[:MAX_SHEET_NAME]
    counter = 2
    while name.casefold() in used:
        suffix = f" ({counter})"
        name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        counter += 1
    used.add(name.casefold())
    return name


#: Points a line of wrapped 11-point text needs.
_LINE_HEIGHT = 15


def _width(column: Column) -> int:
    """A pack column's declared width (the contract gives every column a fit is measured in one)."""
    assert column.width is not None, column.name
    return int(column.width)


def _set_widths(sheet: Any, spec: OutputSpec) -> None:
    """The sheet's column widths from the table's declaration (columns without one are left as they are)."""
    for col, column in enumerate(spec.columns):
        if column.width is not None:
            sheet.set_column(col, col, column.width)


def _lines_of(text: str, width: int) -> int:
    """Printed lines ``text`` takes wrapped in a column ``width`` characters wide."""
    return max(1, -(-len(text) // max(1, width - 2)))


class _Formats:
    """The few cell formats a pack uses (bold is never the only way a heading is marked: it has its own row)."""

    def __init__(self, book: Any) -> None:
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.heading = book.add_format({"bold": True, "font_size": 12})
        self.label = book.add_format({"bold": True, "valign": "top"})
        self.label_wrap = book.add_format({"bold": True, "valign": "top", "text_wrap": True})
        self.text = book.add_format({"text_wrap": True, "valign": "top"})
        #: Unwrapped: a sentence on its own row runs on across the empty cells to its right.
        self.plain = book.add_format({"valign": "top"})
        self.plain_bold = book.add_format({"bold": True})
        self.warning = book.add_format({"bold": True, "font_size": 12})
        self.money = book.add_format({"num_format": "#,##0.00_0;-#,##0.00_0", "valign": "top"})
        self.money_bold = book.add_format({"num_format": "#,##0.00_0;-#,##0.00_0", "bold": True, "valign": "top"})
        self.number = book.add_format({"num_format": "#,##0.####", "valign": "top"})
        self.integer = book.add_format({"num_format": "0", "valign": "top", "align": "left"})
        self.date = book.add_format({"num_format": "d mmm yyyy", "valign": "top", "align": "left"})


class _Writer:
    """Writes one cell at a time by kind: text always as text, never as a formula."""

    def __init__(self, sheet: Any, formats: _Formats, pack: SchoolPack) -> None:
        self.sheet = sheet
        self.f = formats
        self.pack = pack

    def text(self, row: int, col: int, value: str, fmt: Any = None) -> None:
        self.sheet.write_string(row, col, value, fmt if fmt is not None else self.f.text)

    def sentence(self, row: int, value: str, fmt: Any = None) -> None:
        """A sentence on its own row, in column A, running on to the right (never wrapped into a tall cell)."""
        self.sheet.write_string(row, 0, value, fmt if fmt is not None else self.f.plain)

    def money(self, row: int, col: int, value: Decimal | None, fmt: Any = None) -> None:
        if value is None:
            self.sheet.write_blank(row, col, None, self.f.money)
        else:
            self.sheet.write_number(row, col, float(value), fmt if fmt is not None else self.f.money)

    def number(self, row: int, col: int, value: Decimal | int | None, fmt: Any = None) -> None:
        if value is None:
            self.sheet.write_blank(row, col, None, fmt if fmt is not None else self.f.number)
        else:
            self.sheet.write_number(row, col, float(value), fmt if fmt is not None else self.f.number)

    def day(self, row: int, col: int, value: date) -> None:
        self.sheet.write_datetime(row, col, datetime.combine(value, time()), self.f.date)

    def table(self, first_row: int, spec: OutputSpec, rows: int, name: str | None = None) -> None:
        """An Excel table over already written cells: ``spec``'s header row, ``rows`` data rows (named ``name``
        when a sheet's table needs its own name, else ``spec``'s)."""
        self.sheet.add_table(
            first_row,
            0,
            first_row + rows,
            len(spec.columns) - 1,
            {
                "name": name or spec.name,
                "style": "Table Style Light 9",
                "autofilter": False,
                "columns": [{"header": column.name} for column in spec.columns],
            },
        )

    def fit_row(self, row: int, text: str, width: int, *more: tuple[str, int]) -> None:
        """Make ``row`` tall enough for ``text`` wrapped in a column ``width`` wide, and for each
        (text, width) of ``more`` (readers do not all grow rows themselves, and a short row
        overprints the next)."""
        lines = max([_lines_of(text, width), *(_lines_of(t, w) for t, w in more)])
        if lines > 1:
            self.sheet.set_row(row, _LINE_HEIGHT * lines)

    def pairs(self, first_row: int, pairs: Sequence[tuple[str, str]], spec: OutputSpec) -> int:
        """A two-column Item/Detail table; returns the row after it."""
        for i, (item, detail) in enumerate(pairs, start=first_row + 1):
            self.text(i, 0, item, self.f.label)
            self.text(i, 1, detail)
            self.fit_row(i, detail, _width(spec.columns[1]))
        self.table(first_row, spec, len(pairs))
        return first_row + len(pairs) + 2

    def print_setup(self, *, landscape: bool = False, header_row: int | None = None, freeze: bool = True) -> None:
        """A4, one page wide; a table's header row repeated on every printed page and (``freeze``) frozen."""
        sheet = self.sheet
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        if landscape:
            sheet.set_landscape()
        else:
            sheet.set_portrait()
        sheet.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.6)
        pack = self.pack
        # The school on every printed page; "&" is a header code, so a name's own is doubled.
        sheet.set_header(f"&L{_header_text(pack.name, 130)} (URN {pack.urn})&R{_header_text(pack.title, 80)}")
        sheet.set_footer(f"&L{_header_text(pack.contacts.la_name)}&C&A&RPage &P of &N")
        if header_row is not None:
            sheet.repeat_rows(header_row)
            if freeze:
                sheet.freeze_panes(header_row + 1, 0)


def _header_text(text: str, limit: int = PAGE_TEXT_LIMIT) -> str:
    """Text for a page header or footer (``layout.page_text``): a school name of up to 130 (then its URN),
    an LA name of up to 150 and a title of up to 80 fit Excel's 255 characters beside the codes."""
    return page_text(text, limit)


def write_pack(pack: SchoolPack, out_dir: Path) -> Path:
    """Write one school's pack atomically (a temporary name in ``out_dir``, then a rename)."""
    target = out_dir / pack_filename(pack.urn, pack.name)
    temporary = temporary_path(out_dir, str(pack.urn), ".xlsx")
    try:
        _write_book(pack, temporary)
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()
    return target


def _write_book(pack: SchoolPack, path: Path) -> None:
    book = xlsxwriter.Workbook(
        str(path),
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    book.set_properties(
        {
            "title": f"{pack.title}: {pack.urn} {pack.name}",
            "subject": "School pack: Alternative Provision funding",
            "author": pack.contacts.la_name,
            "company": pack.contacts.la_name,
            "created": datetime.combine(pack.produced_on, time()),
        }
    )
    formats = _Formats(book)
    used: set[str] = set()
    _cover(book.add_worksheet(_sheet_name("Cover", used)), formats, pack)
    _allocation_sheet(book.add_worksheet(_sheet_name("Allocation", used)), formats, pack)
    _recoupment_sheet(book.add_worksheet(_sheet_name("Recoupment", used)), formats, pack)
    if pack.last_year:
        _last_year_sheet(book.add_worksheet(_sheet_name(LAST_YEAR_SHEET, used)), formats, pack)
    for i, document in enumerate(pack.documents, start=1):
        sheet = book.add_worksheet(_sheet_name(f"{_short_kind(document.kind)} {document.number}", used))
        _document_sheet(sheet, formats, pack, document, i)
    book.close()


def _short_kind(kind: str) -> str:
    return "Adjustment" if kind == DocumentKind.BUDGET_ADJUSTMENT else kind


def _query_sentence(pack: SchoolPack) -> str:
    return (
        f"If you think a figure is wrong, contact {pack.contacts.who} within {pack.contacts.payment_terms_days} days, "
        "quoting your URN and, for recoupment, the document number and the Line ID. The LA will check the figure "
        "against its records and reply in writing; a corrected document is issued if it changes."
    )


def _supersedes(document: PackDocument | LastYearDocument) -> str:
    """``; reverses AP-2025-26-00001`` for a credit note (it takes that document back), ``; replaces
    ...`` for the document issued after it, nothing for a document that supersedes none."""
    if not document.supersedes:
        return ""
    return f"; {'reverses' if document.reversal else 'replaces'} {document.supersedes}"


def _cover(sheet: Any, formats: _Formats, pack: SchoolPack) -> None:
    w = _Writer(sheet, formats, pack)
    _set_widths(sheet, PACK_SCHOOL_DETAILS_SPEC)
    w.text(0, 0, pack.title, formats.title)
    w.text(1, 0, f"School pack for {pack.name} (URN {pack.urn})", formats.heading)
    row = 3
    w.text(row, 0, "About the school", formats.heading)
    details = [
        ("School", pack.name),
        ("URN", str(pack.urn)),
        ("District", pack.district),
        ("District funding model", pack.funding_model or "Not worked out"),
        ("Phase", pack.phase),
        ("Type", pack.type),
        ("Trust", pack.trust or ("None (maintained school)" if pack.type == SchoolType.MAINTAINED else "Not given")),
        ("Cost centre", pack.cost_centre or "Not given"),
        ("PO number", pack.po_number or "Not given"),
        ("Financial year", pack.financial_year or "Not set"),
        ("Date produced", long_date(pack.produced_on)),
    ]
    row = w.pairs(row + 1, details, PACK_SCHOOL_DETAILS_SPEC)

    w.text(row, 0, "The school's figures this year", formats.heading)
    charges = sum((x.amount for x in pack.lines if x.status == LineStatus.RECOVERABLE and x.amount > 0), ZERO)
    credits = sum((x.amount for x in pack.lines if x.status == LineStatus.RECOVERABLE and x.amount < 0), ZERO)
    figures: list[tuple[str, Decimal | None, str]] = [
        (FINAL_DEVOLVED, pack.final_devolved, "See the Allocation sheet."),
        ("Recoupment charged", charges, "Recoverable charges on the Recoupment sheet."),
        ("Recoupment credited", credits, "Recoverable credits (negative: money to the school)."),
        ("Net recoupment", charges + credits, "Settled on the documents listed below."),
    ]
    if pack.year_figures:
        net = pack.year_figures[-1]
        figures.append(
            (f"Last year's documents ({pack.last_year}), net", net.last_year, "Beside this year's: see Last year.")
        )
    header_row = row + 1
    for i, (item, amount, note) in enumerate(figures, start=header_row + 1):
        w.text(i, 0, item, formats.label)
        w.text(i, 1, note)  # in the Detail column's width, the amount after it in a column of its own
        w.money(i, 2, amount)
    _set_widths(sheet, PACK_SCHOOL_FIGURES_SPEC)
    w.table(header_row, PACK_SCHOOL_FIGURES_SPEC, len(figures))
    row = header_row + len(figures) + 2

    w.text(row, 0, "What this pack contains", formats.heading)
    contents = [
        ("Cover", "This page: the school, its headline figures, and who to contact."),
        ("Allocation", "The school's devolved AP allocation, each factor explained, and any financial redress."),
        (
            "Recoupment",
            "The school's recoupment lines: charges after exclusions and AP placements, and credits. Pupils are "
            "shown by Pupil Ref only.",
        ),
    ]
    contents += [
        (
            f"{_short_kind(d.kind)} {d.number}",
            f"{d.kind} for {d.period}: {pounds(d.gross)}"
            + (" (DRAFT, not yet issued)" if d.is_draft else f" ({d.status})")
            + _supersedes(d),
        )
        for d in pack.documents
    ]
    if pack.last_year:
        contents.insert(
            3,
            (
                LAST_YEAR_SHEET,
                f"The school's invoices, credit notes and budget adjustments of {pack.last_year} beside this year's, "
                "by kind, and each of last year's documents.",
            ),
        )
    if not pack.documents:
        contents.append(("Documents", "No invoice, credit note or budget adjustment for this school this year."))
    row = w.pairs(row + 1, contents, PACK_CONTENTS_SPEC)

    w.text(row, 0, "Contacts and queries", formats.heading)
    contacts = pack.contacts
    info = [
        ("Contact", contacts.contact_name or "Your LA finance team"),
        ("Email", contacts.contact_email or f"Ask {YOUR_LA_FINANCE_TEAM}"),
        ("Remittance address", contacts.remittance_address or f"Ask {YOUR_LA_FINANCE_TEAM}"),
        ("How to query", _query_sentence(pack)),
        (
            "Privacy",
            "This pack holds only this school's figures. Pupils are identified by a Pupil Ref only; keep the pack "
            "secure and do not forward it outside the school.",
        ),
    ]
    w.pairs(row + 1, info, PACK_CONTACTS_SPEC)
    w.print_setup()


def _allocation_sheet(sheet: Any, formats: _Formats, pack: SchoolPack) -> None:
    w = _Writer(sheet, formats, pack)
    _set_widths(sheet, PACK_ALLOCATION_SPEC)
    w.sentence(0, pack.sheet_title("Devolved AP allocation"), formats.title)
    for i, sentence in enumerate(pack.allocation_note, start=1):
        w.sentence(i, sentence)
    if not pack.allocation:
        w.print_setup()
        return
    header_row = len(pack.allocation_note) + 2
    for i, row in enumerate(pack.allocation, start=header_row + 1):
        final = row.item == FINAL_DEVOLVED
        # The item wraps too ("Redress withheld: Permanent exclusions above the threshold" is longer than 40).
        w.text(i, 0, row.item, formats.label_wrap)
        w.money(i, 1, row.amount, formats.money_bold if final else None)
        w.text(i, 2, row.explanation)
        columns = PACK_ALLOCATION_SPEC.columns
        w.fit_row(i, row.explanation, _width(columns[2]), (row.item, _width(columns[0])))
    w.table(header_row, PACK_ALLOCATION_SPEC, len(pack.allocation))
    # Item, amount and workings (40 + 16 + 95) are wider than a portrait page: landscape, as Recoupment.
    w.print_setup(landscape=True, header_row=header_row)


#: The RecoupmentLines column with the line's workings ("How it is worked out").
_WORKINGS_COLUMN = 5


def _recoupment_sheet(sheet: Any, formats: _Formats, pack: SchoolPack) -> None:
    w = _Writer(sheet, formats, pack)
    _set_widths(sheet, PACK_RECOUPMENT_SPEC)
    w.sentence(0, pack.sheet_title("Recoupment"), formats.title)
    if not pack.lines:
        w.sentence(1, NO_RECOUPMENT, formats.heading)
        w.sentence(2, "The school has no charges or credits for exclusions or AP placements this year.")
        w.print_setup(landscape=True)
        return
    w.sentence(
        1,
        f"Recoverable total {pounds(pack.recoverable_total)} (positive: owed by the school; negative: owed to it). "
        "Pupils are shown by Pupil Ref only.",
        formats.plain_bold,
    )
    row = 3
    if pack.term_totals:
        # First, so it is never carried onto a page under the lines' repeated header.
        w.sentence(
            row,
            "By term: the recoverable lines of each term and the document that settles them",
            formats.heading,
        )
        first = row + 1
        for i, term in enumerate(pack.term_totals, start=first + 1):
            w.text(i, 0, term.period, formats.plain)
            w.money(i, 1, term.charges)
            w.money(i, 2, term.credits)
            w.money(i, 3, term.net)
            w.money(i, 4, term.document_net)
            w.text(i, 5, term.document or "None: the term nets to 0.00", formats.plain)
            ties = term.document_net == term.net if term.document_net is not None else term.net == 0
            w.text(i, 6, "Yes" if ties else "No: see the document", formats.plain)
        w.table(first, PACK_TERM_TOTALS_SPEC, len(pack.term_totals))
        row = first + len(pack.term_totals) + 2
        w.sentence(row, "The lines", formats.heading)
        row += 1
    header_row = row
    for i, line in enumerate(pack.lines, start=header_row + 1):
        cells = (line.line_id, line.pupil_ref, line.type, line.period, line.legal_basis)
        for col, text in enumerate(cells):
            w.text(i, col, text, formats.plain)
        w.text(i, _WORKINGS_COLUMN, line.workings)
        w.money(i, 6, line.amount)
        w.text(i, 7, line.status, formats.plain)
        w.fit_row(i, line.workings, _width(PACK_RECOUPMENT_SPEC.columns[_WORKINGS_COLUMN]))
    w.table(header_row, PACK_RECOUPMENT_SPEC, len(pack.lines))
    row = header_row + len(pack.lines) + 2
    w.sentence(row, "How each line is worked out", formats.heading)
    explanations: list[tuple[str, str]] = list(pack.rules)
    explanations += [(basis, LEGAL_BASIS_MEANING[basis]) for basis in dict.fromkeys(x.legal_basis for x in pack.lines)]
    explanations += [(status, STATUS_MEANING[status]) for status in dict.fromkeys(x.status for x in pack.lines)]
    explanations += list(LETTER_MEANING)
    for i, (item, meaning) in enumerate(explanations, start=row + 2):
        w.text(i, 0, item, formats.label)
        # Unwrapped, so the sentence runs on across the columns to its right.
        w.text(i, 1, meaning, formats.plain)
    w.table(row + 1, PACK_LINE_RULES_SPEC, len(explanations))
    w.print_setup(landscape=True, header_row=header_row)


def _last_year_sheet(sheet: Any, formats: _Formats, pack: SchoolPack) -> None:
    """Last year's documents of the school beside this year's, by kind; then each of last year's documents."""
    w = _Writer(sheet, formats, pack)
    _set_widths(sheet, PACK_YEAR_FIGURES_SPEC)
    this_year = pack.financial_year or "this year"
    w.sentence(0, f"Recoupment documents {pack.last_year} beside {this_year}: {pack.name}", formats.title)
    w.sentence(
        1,
        f"Last year's figures: the school's documents of {pack.last_year} as issued "
        "(the LA's invoice register keeps them).",
    )
    w.sentence(2, "This year's: the documents in this pack, DRAFTS included. Amounts are Net, before VAT.")
    w.sentence(3, "A credited document and the one reversing it both count, so they cancel out in the net.")
    header_row = 5
    for i, figure in enumerate(pack.year_figures, start=header_row + 1):
        bold = figure.item == NET_OF_DOCUMENTS
        w.text(i, 0, figure.item, formats.label)
        for col, amount in enumerate((figure.last_year, figure.this_year, figure.change), start=1):
            w.money(i, col, amount, formats.money_bold if bold else None)
        w.text(i, 4, figure.note)
        w.fit_row(i, figure.note, _width(PACK_YEAR_FIGURES_SPEC.columns[4]))
    w.table(header_row, PACK_YEAR_FIGURES_SPEC, len(pack.year_figures))
    row = header_row + len(pack.year_figures) + 2
    w.sentence(row, f"The school's documents of {pack.last_year}", formats.heading)
    if not pack.last_year_documents:
        w.sentence(row + 1, f"None: the LA issued no invoice, credit note or budget adjustment to the school in "
                   f"{pack.last_year}.")  # fmt: skip
        w.print_setup(header_row=header_row, freeze=False)
        return
    first = row + 1
    for i, document in enumerate(pack.last_year_documents, start=first + 1):
        w.text(i, 0, document.number, formats.plain)
        w.money(i, 1, document.net)
        w.money(i, 2, document.vat)
        w.money(i, 3, document.gross)
        w.text(i, 4, _last_year_description(document))
        w.fit_row(i, _last_year_description(document), _width(PACK_YEAR_FIGURES_SPEC.columns[4]))
    w.table(first, PACK_LAST_YEAR_DOCUMENTS_SPEC, len(pack.last_year_documents))
    w.print_setup(header_row=header_row, freeze=False)


def _last_year_description(document: LastYearDocument) -> str:
    """``Invoice for Autumn 2024, Issued 5 December 2024; replaces AP-2024-25-00001``."""
    if document.status == RegisterStatus.DRAFT:
        status = "DRAFT, never issued: not counted"
    else:
        status = f"issued {long_date(document.issued_on)}" if document.issued_on is not None else "issued"
        if document.status == RegisterStatus.CREDITED:
            status += ", since credited"
    return f"{document.kind} for {document.period}, {status}{_supersedes(document)}."


def _document_sheet(sheet: Any, formats: _Formats, pack: SchoolPack, document: PackDocument, index: int) -> None:
    w = _Writer(sheet, formats, pack)
    _set_widths(sheet, PACK_DOCUMENT_LINES_SPEC)
    contacts = pack.contacts
    kind = document.kind
    w.sentence(0, f"{contacts.la_name}: {kind} {document.number}", formats.title)
    if document.is_draft:
        status_text = f"DRAFT: not yet issued. This is a preview of the {kind.lower()}" + (
            ": do not pay it yet." if kind == DocumentKind.INVOICE else "; it takes effect once issued."
        )
    elif document.status == RegisterStatus.CREDITED:
        status_text = (
            f"CREDITED: this {kind.lower()} has been reversed by {document.reversed_by or 'a later document'}."
        )
    else:
        status_text = f"ISSUED on {long_date(document.date)}."
    w.sentence(1, status_text, formats.warning)

    maintained = pack.type == SchoolType.MAINTAINED
    trust = ", ".join(part for part in (pack.trust or pack.name, pack.trust_address) if part)
    to = f"The Headteacher and Governing Body, {pack.name}" if maintained else trust
    if kind == DocumentKind.INVOICE and document.due is not None:
        due = f"{long_date(document.due)} ({contacts.payment_terms_days} days from the date)"
    elif kind == DocumentKind.BUDGET_ADJUSTMENT:
        due = "No payment: a journal against the school's budget share"
    else:
        due = "No payment: the amount is owed to the school"
    details: list[tuple[str, str]] = [
        ("From", ", ".join(part for part in (contacts.la_name, contacts.la_address) if part)),
        ("Document", kind),
        ("Number", document.number),
        ("Status", "DRAFT (not yet issued)" if document.is_draft else document.status),
        ("Date", f"{long_date(document.date)}"),
        ("Due date", due),
        ("To", to),
        ("School", f"{pack.name} (URN {pack.urn})"),
        ("PO number", pack.po_number or "None given"),
        ("Cost centre", pack.cost_centre or "None given"),
        ("Period", document.period),
    ]
    if kind != DocumentKind.BUDGET_ADJUSTMENT:
        details.append(("VAT registration", contacts.vat_registration or "Not registered for VAT (none given)"))
    if document.supersedes:
        details.append(("Replaces", document.supersedes))
    for i, (item, value) in enumerate(details, start=3):
        w.text(i, 0, item, formats.label)
        # Unwrapped: the value runs on across the empty cells to its right.
        w.text(i, 1, value, formats.plain)

    header_row = 3 + len(details) + 1
    for i, line in enumerate(document.lines, start=header_row + 1):
        w.text(i, 0, line.period)
        w.text(i, 1, line.description)
        w.text(i, 2, line.provider)
        w.text(i, 3, line.dates)
        w.text(i, 4, line.pupil_ref)
        w.money(i, 5, line.amount)
        w.fit_row(i, line.description, _width(PACK_DOCUMENT_LINES_SPEC.columns[1]))
    w.table(header_row, PACK_DOCUMENT_LINES_SPEC, len(document.lines), f"{PACK_DOCUMENT_LINES_SPEC.name}_{index}")

    row = header_row + len(document.lines) + 2
    totals = (
        ("Net", document.net),
        (f"VAT at {fmt_percent(contacts.vat_rate)}", document.vat),
        ("Gross", document.gross),
    )
    for offset, (item, amount) in enumerate(totals):
        w.text(row + offset, 4, item, formats.label)
        w.money(row + offset, 5, amount, formats.money_bold if item == "Gross" else None)
    row += len(totals) + 1

    w.sentence(row, "Payment", formats.heading)
    for offset, sentence in enumerate(_payment_sentences(document, contacts), start=1):
        w.sentence(row + offset, sentence)
    row += 4
    w.sentence(row, "Queries", formats.heading)
    w.sentence(row + 1, f"Contact {contacts.who}, quoting {document.number} and the Line ID of any line you query.")
    w.sentence(
        row + 2,
        "This is a DRAFT: the issued document will follow."
        if document.is_draft
        else "Pay any part not in dispute by the due date."
        if kind == DocumentKind.INVOICE
        else "The LA will reply in writing and correct the document if needed.",
    )
    # Not frozen: a document's lines start too far down for a frozen block to leave room on screen.
    w.print_setup(header_row=header_row, freeze=False)


def _payment_sentences(document: PackDocument, contacts: Contacts) -> tuple[str, str]:
    if document.kind == DocumentKind.BUDGET_ADJUSTMENT:
        return (
            "This is a budget adjustment: a journal against the school's budget share, so no payment is needed.",
            "A positive amount is taken from the school's budget share; a negative amount is added to it.",
        )
    if document.kind == DocumentKind.CREDIT_NOTE:
        return (
            f"This credit note is money owed to the school ({pounds(-document.gross)}): no payment is needed.",
            "It is set against other amounts the trust owes the LA, or repaid.",
        )
    address = contacts.remittance_address or f"the address {YOUR_LA_FINANCE_TEAM} gives you"
    bank = f"by BACS to {contacts.bank_details}" if contacts.bank_details else "to the account the LA gives you"
    return (
        f"Please pay {pounds(document.gross)} {bank} by the due date, quoting {document.number}.",
        f"Send the remittance advice to: {address}.",
    )
