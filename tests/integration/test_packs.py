"""School packs through the CLI: one workbook per school, its figures to the penny, text never a formula.

Rules: docs/forum-workbook.md, "School packs" and the binding rule on text written back;
docs/funding-rules.md, "Settlement" (Net, VAT, Gross; due date = date + payment terms).
"""

from __future__ import annotations

import re
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

from apmodel.cli import main
from apmodel.reports.packs import pack_filename
from apmodel.workbook import contract
from apmodel.workbook.interface import RawTable
from apmodel.workbook.layout import PORTRAIT_WIDTH
from apmodel.workbook.xlsx_reader import read_tables
from tests.builders import TableRows, settings, small_county, write_workbook

EXAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "example-county.xlsx"
RUN_DATE = "2025-12-01"


def money(value: object) -> Decimal:
    """A cell's number as pounds and pence (floats read back exactly to the penny)."""
    return Decimal(repr(value)).quantize(Decimal("0.01")) if isinstance(value, float) else Decimal(str(value))


def write_packs(tmp: Path, tables: dict[str, TableRows]) -> Path:
    source = write_workbook(tmp / "county.xlsx", tables)
    out = tmp / "packs"
    assert main(["packs", str(source), "-o", str(out), "--date", RUN_DATE, "-q"]) == 0
    return out


def sheet_rows(sheet: Worksheet) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def table_records(sheet: Worksheet, table_name: str) -> list[dict[str, Any]]:
    """The rows of an Excel table on the sheet, as dicts keyed by its (single) header row."""
    ref = sheet.tables[table_name].ref
    cells = [[cell.value for cell in row] for row in sheet[ref]]
    header, *rows = cells
    return [dict(zip(header, row, strict=True)) for row in rows]


def label_values(sheet: Worksheet) -> dict[str, Any]:
    """Column A label -> the value beside it (column B), for a document's heading block."""
    return {row[0]: row[1] for row in sheet_rows(sheet) if isinstance(row[0], str) and len(row) > 1}


def totals(sheet: Worksheet) -> dict[str, Decimal]:
    """A document's Net / VAT / Gross block (labels in column E, amounts in F)."""
    found: dict[str, Decimal] = {}
    for row in sheet_rows(sheet):
        label = row[4] if len(row) > 5 else None
        if isinstance(label, str) and (label in ("Net", "Gross") or label.startswith("VAT")):
            found["VAT" if label.startswith("VAT") else label] = money(row[5])
    return found


def document_sheets(book: openpyxl.Workbook) -> list[Worksheet]:
    return [ws for ws in book.worksheets if ws.title not in ("Cover", "Allocation", "Recoupment", "Last year")]


def all_text(sheet: Worksheet) -> str:
    return "\n".join(str(v) for row in sheet_rows(sheet) for v in row if v is not None)


@pytest.fixture(scope="module")
def small_packs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_packs(tmp_path_factory.mktemp("small"), small_county())


def open_pack(folder: Path, urn: int) -> openpyxl.Workbook:
    [path] = folder.glob(f"{urn} *.xlsx")
    return openpyxl.load_workbook(path)


def test_every_school_gets_a_pack_named_by_urn_and_name(small_packs: Path) -> None:
    assert sorted(p.name for p in small_packs.iterdir()) == [
        "100001 Alder Secondary.xlsx",
        "100002 Birch Primary.xlsx",
        "100003 Cedar Academy.xlsx",
    ]


def test_pack_filename_replaces_characters_file_systems_forbid() -> None:
    assert pack_filename(100001, 'A/B\\C: D*E?"F"<G>|H') == "100001 A_B_C_ D_E__F__G__H.xlsx"
    assert pack_filename(100002, "Trailing dots...") == "100002 Trailing dots.xlsx"


def test_excluding_school_pack_shows_the_statutory_adjustment(small_packs: Path) -> None:
    book = open_pack(small_packs, 100001)
    [line] = table_records(book["Recoupment"], "RecoupmentLines")
    assert line["Pupil Ref"] == "P-A1"
    assert line["Type"] == "Exclusion adjustment"
    assert line["Legal Basis"] == "Statutory (reg 39)"
    # 5,500 x 21 / 52 = 2,221.153... -> 2,221.15 (3 Nov 2025 to 31 Mar 2026 = 149 days = 21 complete weeks).
    assert line["How it is worked out"] == (
        "A £5,500.00 (Pupil-led Amount £5,500.00) x B 21 complete weeks (149 days, 3 Nov 2025 to 31 Mar 2026) / 52 "
        "= £2,221.15, + C £0.00 = £2,221.15"
    )
    assert money(line["Amount (£)"]) == Decimal("2221.15")
    assert "A x B / 52 + C (School and Early Years Finance (England) Regulations)" in all_text(book["Recoupment"])


def test_recoupment_lines_show_no_pupil_data_beyond_the_pupil_ref(small_packs: Path) -> None:
    book = open_pack(small_packs, 100001)
    header = next(iter(table_records(book["Recoupment"], "RecoupmentLines")))
    assert set(header) == {
        "Line ID", "Pupil Ref", "Type", "Period", "Legal Basis", "How it is worked out", "Amount (£)", "Status",
    }  # fmt: skip


def test_maintained_school_gets_a_budget_adjustment_needing_no_payment(small_packs: Path) -> None:
    book = open_pack(small_packs, 100001)
    [sheet] = document_sheets(book)
    assert sheet.title == "Adjustment AP-2025-26-00001"
    heading = label_values(sheet)
    assert heading["Document"] == "Budget adjustment"
    assert heading["Number"] == "AP-2025-26-00001"
    assert heading["PO number"] == "PO1"
    assert heading["Cost centre"] == "CC1"
    [line] = table_records(sheet, "Lines_1")
    assert line["Pupil Ref"] == "P-A1"
    # One line of 2,221.15 at VAT 0%: Net 2,221.15 + VAT 0.00 = Gross 2,221.15.
    assert totals(sheet) == {"Net": Decimal("2221.15"), "VAT": Decimal("0.00"), "Gross": Decimal("2221.15")}
    text = all_text(sheet)
    assert "journal against the school's budget share" in text
    assert "DRAFT" in sheet["A2"].value
    # No contact in Settings: the pack says who to ask in words.
    assert "your LA finance team" in text


def test_devolved_school_final_allocation_matches_the_hand_worked_share(small_packs: Path) -> None:
    rows = {r["Item"]: r for r in table_records(open_pack(small_packs, 100001)["Allocation"], "AllocationTable")}
    # Alder 600 x 100 + 100 x 500 = 110,000 of North's 175,000 unit amounts; 425,000 x 110 / 175 = 267,142.857...
    # -> 267,142.86 (the spare penny); no redress rules.
    assert money(rows["Final devolved allocation"]["Amount (£)"]) == Decimal("267142.86")
    assert money(rows["Per pupil"]["Amount (£)"]) + money(rows["IDACI"]["Amount (£)"]) == Decimal("267142.86")
    # Scaling 425,000 / 175,000 = 2.428571... shown to four places.
    assert "£100.00 for each of the school's 600 Pupils" in rows["Per pupil"]["How it is worked out"]
    assert "scaled by 2.4286" in rows["Per pupil"]["How it is worked out"]


def test_delegated_school_is_told_its_district_money_goes_to_the_lead_pru(small_packs: Path) -> None:
    sheet = open_pack(small_packs, 100003)["Allocation"]
    text = all_text(sheet)
    assert "South PRU" in text
    assert "receives nothing directly" in text
    rows = {r["Item"]: r for r in table_records(sheet, "AllocationTable")}
    assert money(rows["Final devolved allocation"]["Amount (£)"]) == Decimal("0.00")


def test_school_with_nothing_to_pay_is_told_there_is_no_recoupment(small_packs: Path) -> None:
    book = open_pack(small_packs, 100002)
    assert book["Recoupment"]["A2"].value == "No recoupment this year."
    assert document_sheets(book) == []


def test_every_sheet_prints_on_a4_one_page_wide_with_a_title_and_single_header_tables(small_packs: Path) -> None:
    for path in small_packs.iterdir():
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            assert sheet.page_setup.paperSize == 9, (path.name, sheet.title)
            assert sheet.sheet_properties.pageSetUpPr.fitToPage
            assert sheet.page_setup.fitToWidth in (None, 1)  # 1 is the OOXML default, so it may be left out
            assert sheet.page_setup.fitToHeight == 0
            assert isinstance(sheet["A1"].value, str) and sheet["A1"].value
            assert not sheet.merged_cells.ranges
            for table in sheet.tables.values():
                assert table.headerRowCount in (None, 1)
            # Allocation's Item 40 + Amount 16 + How it is worked out 95 = 151 characters: landscape (it printed
            # portrait at 6pt); the Cover's Item 32 + Detail 52 + Amount 16 = 100 fits a portrait page; an
            # invoice stays portrait, as a council's invoice is, its lines table fitted to the width.
            # (XlsxWriter stores each width with its 5 pixels of padding, 0.71 of a character, added.)
            widths = sum((d.width or 0) - 0.7109375 for d in sheet.column_dimensions.values())
            if sheet.title in ("Allocation", "Recoupment"):
                assert sheet.page_setup.orientation == "landscape", (path.name, sheet.title)
            if sheet.title == "Cover":
                assert sheet.page_setup.orientation == "portrait" and widths <= PORTRAIT_WIDTH, widths
        assert book.properties.title is not None and "Testshire" in book.properties.title



def test_every_pack_table_has_the_columns_the_contract_declares_for_it(small_packs: Path) -> None:
    declared = {spec.name: [c.name for c in spec.columns] for spec in contract.PACK_SPECS}
    seen: set[str] = set()
    for path in small_packs.iterdir():
        for sheet in openpyxl.load_workbook(path).worksheets:
            for table in sheet.tables.values():
                # A document's table is Lines_1, Lines_2, ...: one per document, declared once as Lines.
                base = re.sub(r"_\d+$", "", table.name)
                assert [c.name for c in table.tableColumns] == declared[base], (path.name, table.name)
                seen.add(base)
    # The Last year sheet's tables come only with last year's documents (tests/integration/test_packs_last_year.py).
    assert seen == set(declared) - {contract.PACK_YEAR_FIGURES_SPEC.name, contract.PACK_LAST_YEAR_DOCUMENTS_SPEC.name}

def test_a_budget_adjustment_carries_no_vat_even_with_a_vat_rate(tmp_path: Path) -> None:
    county = small_county(**{"VAT rate": 0.2, "VAT treatment: Exclusion adjustment": "Standard"})
    packs = write_packs(tmp_path, county)
    [sheet] = document_sheets(open_pack(packs, 100001))
    # A maintained school's budget adjustment is an internal journal: Net 2,221.15, VAT 0.00, Gross 2,221.15.
    assert totals(sheet) == {"Net": Decimal("2221.15"), "VAT": Decimal("0.00"), "Gross": Decimal("2221.15")}


def test_vat_is_added_to_a_standard_rated_invoice(tmp_path: Path) -> None:
    tables = _academy_with_a_placement()
    tables["Settings"] = settings(**{"VAT rate": 0.2, "VAT treatment: Placement charge": "Standard"})
    packs = write_packs(tmp_path, tables)
    [sheet] = document_sheets(open_pack(packs, 100003))
    # Net 600.00; VAT 600.00 x 20% = 120.00; Gross 600.00 + 120.00 = 720.00.
    assert totals(sheet) == {"Net": Decimal("600.00"), "VAT": Decimal("120.00"), "Gross": Decimal("720.00")}


def _academy_with_a_placement() -> dict[str, TableRows]:
    tables = small_county(**{"Contact name": "Pat Finance", "Contact email": "ap@testshire.example"})
    header, schools = tables["Schools"]
    tables["Schools"] = (header, [[*row[:6], "Yes", *row[7:]] if row[0] == 100003 else row for row in schools])
    placement_header, _ = tables["Placements"]
    tables["Placements"] = (
        placement_header,
        [["PL-1", "P-C1", 100003, "PRU-S", 2, "Dual", "At risk of exclusion", date(2025, 12, 1),
          date(2025, 12, 12), 5, 9, None, None, 6, "", "No", "No", "No", "F", "WBRI"]],
    )  # fmt: skip
    return tables


def test_academy_invoice_goes_to_its_trust_and_is_due_after_the_payment_terms(tmp_path: Path) -> None:
    packs = write_packs(tmp_path, _academy_with_a_placement())
    [sheet] = document_sheets(open_pack(packs, 100003))
    assert sheet.title.startswith("Invoice AP-2025-26-")
    heading = label_values(sheet)
    assert heading["To"] == "Oak Trust"
    # Dated on the run date, 1 Dec 2025, + 30 days' payment terms = 31 Dec 2025.
    assert heading["Due date"].startswith("31 December 2025")
    [line] = table_records(sheet, "Lines_1")
    assert line["Pupil Ref"] == "P-C1"
    # Daily at the provider's 60.00: 1-12 Dec 2025 is 10 school days x 5 / 5 days a week = 600.00.
    assert money(line["Amount (£)"]) == Decimal("600.00")
    assert totals(sheet) == {"Net": Decimal("600.00"), "VAT": Decimal("0.00"), "Gross": Decimal("600.00")}
    text = all_text(sheet)
    assert "Pat Finance (ap@testshire.example)" in text
    assert "do not pay it yet" in text


def test_an_invoice_line_shows_its_provider_and_dates_and_the_term_ties_to_the_invoice(tmp_path: Path) -> None:
    packs = write_packs(tmp_path, _academy_with_a_placement())
    book = open_pack(packs, 100003)
    [sheet] = document_sheets(book)
    [line] = table_records(sheet, "Lines_1")
    # The placement at PRU-S, 1 to 12 Dec 2025 (10 school days).
    assert (line["Provider"], line["Dates"]) == ("South PRU", "1 Dec 2025 to 12 Dec 2025")
    [recoupment] = table_records(book["Recoupment"], "RecoupmentLines")
    # 60.00 a day x 10 school days x 5/5 = 600.00.
    assert recoupment["How it is worked out"] == (
        "South PRU, daily rate, 1 Dec 2025 to 12 Dec 2025: £60.00 x 10 school days x 5/5 days a week = £600.00"
    )
    [term] = table_records(book["Recoupment"], "TermTotals")
    assert term["Period"] == "Autumn 2025"
    assert money(term["Net (£)"]) == money(term["Document Net (£)"]) == Decimal("600.00")
    assert term["Settled on"] == f"Invoice {sheet.title.split(' ', 1)[1]}"
    assert term["Ties"] == "Yes"


def test_an_invoice_carries_both_addresses_the_vat_number_and_bank_details(tmp_path: Path) -> None:
    tables = _academy_with_a_placement()
    tables["Settings"] = settings(
        **{
            "LA address": "County Hall, Testtown TT1 1AA",
            "VAT registration number": "GB 123 4567 89",
            "Bank details": "Test Bank, sort code 11-22-33, account 12345678",
        }
    )
    header, schools = tables["Schools"]
    tables["Schools"] = (
        [*header, "Trust Address"],
        [[*row, "1 Oak Lane, Testtown TT2 2BB" if row[0] == 100003 else None] for row in schools],
    )
    packs = write_packs(tmp_path, tables)
    [sheet] = document_sheets(open_pack(packs, 100003))
    heading = label_values(sheet)
    assert heading["From"] == "Testshire, County Hall, Testtown TT1 1AA"
    assert heading["To"] == "Oak Trust, 1 Oak Lane, Testtown TT2 2BB"
    assert heading["VAT registration"] == "GB 123 4567 89"
    assert "Please pay £600.00 by BACS to Test Bank, sort code 11-22-33, account 12345678 by the due date" in (
        all_text(sheet)
    )


def test_every_printed_page_of_a_pack_names_the_school_and_its_urn(small_packs: Path) -> None:
    book = open_pack(small_packs, 100001)
    for sheet in book.worksheets:
        assert sheet.oddHeader.left.text == "Alder Secondary (URN 100001)", sheet.title
        assert sheet.oddFooter.right.text == "Page &P of &N"
        assert sheet.oddFooter.center.text == "&A"


def test_redress_withheld_has_one_sign_in_the_pack_and_in_school_allocations(tmp_path: Path) -> None:
    county = small_county()
    header, _ = county["RedressRules"]
    # Alder has 100 IDACI pupils, 40 above the threshold of 60: 40 x 10.00 = 400.00 withheld.
    county["RedressRules"] = (header, [["Deprivation", "IDACI Pupils", None, 60, "Per unit above threshold", 10]])
    source = write_workbook(tmp_path / "county.xlsx", county)
    ran = tmp_path / "ran.xlsx"
    assert main(["run", str(source), "-o", str(ran), "--date", RUN_DATE, "-q"]) in (0, 1)
    published = {
        int(r["URN"]): money(r["Redress Withheld"])
        for r in _records(read_tables(ran)["SchoolAllocations"])
        if isinstance(r["URN"], (int, float))
    }
    packs = write_packs(tmp_path, county)
    assert published[100001] == Decimal("-400.00")
    withheld_somewhere = False
    for urn, withheld in published.items():
        rows = table_records(open_pack(packs, urn)["Allocation"], "AllocationTable")
        in_pack = sum(
            (money(r["Amount (£)"]) for r in rows if str(r["Item"]).startswith(("Redress withheld", "Redress cap"))),
            Decimal(0),
        )
        # Withheld money leaves the school: negative in both, and the same to the penny.
        assert in_pack == withheld, urn
        withheld_somewhere = withheld_somewhere or withheld < 0
    assert withheld_somewhere


def test_school_name_that_looks_like_a_formula_is_written_as_text(tmp_path: Path) -> None:
    name = '=HYPERLINK("http://evil.example","Click")'
    source = write_workbook(tmp_path / "county.xlsx", small_county())
    # A user typed the name as text (a leading apostrophe in Excel): a string cell, not a formula.
    book = openpyxl.load_workbook(source)
    [cell] = [row[1] for row in book["Schools"].iter_rows(min_row=2) if row[0].value == 100002]
    cell.value = name
    cell.data_type = "s"
    book.save(source)
    packs = tmp_path / "packs"
    assert main(["packs", str(source), "-o", str(packs), "--date", RUN_DATE, "-q"]) == 0
    path = packs / pack_filename(100002, name)
    assert path.name == "100002 =HYPERLINK(_http___evil.example_,_Click_).xlsx"
    book = openpyxl.load_workbook(path)
    cell = book["Cover"]["B6"]
    assert cell.value == name
    assert cell.data_type == "s"
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and not any(b"<f>" in xml or b"<f " in xml for xml in sheets)


# --------------------------------------------------------------------------- the example county


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, RawTable]]:
    tmp = tmp_path_factory.mktemp("example")
    out = tmp / "packs"
    assert main(["packs", str(EXAMPLE), "-o", str(out), "--date", RUN_DATE, "-q"]) == 0
    ran = tmp / "ran.xlsx"
    assert main(["run", str(EXAMPLE), "-o", str(ran), "--date", RUN_DATE, "-q"]) in (0, 1)
    return out, read_tables(ran)


def _records(table: RawTable) -> list[dict[str, Any]]:
    return [dict(zip(table.header, row, strict=True)) for row in table.rows]


def _calamine_rows(book: CalamineWorkbook, sheet: str) -> list[list[Any]]:
    rows: list[list[Any]] = book.get_sheet_by_name(sheet).to_python()
    return rows


@pytest.mark.slow
def test_example_county_has_one_pack_per_school(example: tuple[Path, dict[str, RawTable]]) -> None:
    packs, _ = example
    schools = read_tables(EXAMPLE)["Schools"]
    urn, name = schools.index("URN"), schools.index("School Name")
    assert urn is not None and name is not None
    expected = sorted(pack_filename(int(row[urn]), str(row[name])) for row in schools.rows)
    assert len(expected) > 500
    assert sorted(p.name for p in packs.iterdir()) == expected


def test_example_packs_final_allocation_equals_school_allocations_to_the_penny(
    example: tuple[Path, dict[str, RawTable]],
) -> None:
    packs, ran = example
    published = {
        int(r["URN"]): money(r["Final Devolved Allocation"])
        for r in _records(ran["SchoolAllocations"])
        if isinstance(r["URN"], (int, float))
    }
    seen = 0
    for path in sorted(packs.iterdir()):
        urn = int(path.name.split(" ", 1)[0])
        rows = _calamine_rows(CalamineWorkbook.from_path(str(path)), "Allocation")
        [final] = [row[1] for row in rows if row and row[0] == "Final devolved allocation"]
        # A school of a Delegated district receives nothing devolved and has no SchoolAllocations row.
        assert money(final) == published.get(urn, Decimal("0.00")), path.name
        seen += urn in published
    assert seen == len(published)


def test_example_documents_net_plus_vat_is_gross_and_matches_the_invoices_table(
    example: tuple[Path, dict[str, RawTable]],
) -> None:
    packs, ran = example
    invoices = {str(r["Number"]): r for r in _records(ran["Invoices"])}
    checked = 0
    for path in sorted(packs.iterdir()):
        book = CalamineWorkbook.from_path(str(path))
        for sheet in book.sheet_names[3:]:
            number = sheet.rsplit(" ", 1)[1]
            rows = _calamine_rows(book, sheet)
            block = {_total_label(row[4]): money(row[5]) for row in rows if len(row) > 5 and _total_label(row[4])}
            assert block["Net"] + block["VAT"] == block["Gross"], sheet
            assert block["Gross"] == money(invoices[number]["Gross"]), sheet
            period = str(invoices[number]["Period"])
            lines = [money(row[5]) for row in rows if row and row[0] == period and isinstance(row[5], float | int)]
            assert sum(lines, Decimal(0)) == block["Net"], sheet
            checked += 1
    assert checked == len(invoices)


def _total_label(cell: object) -> str:
    """``Net``, ``VAT`` or ``Gross`` for a cell of a document's totals block, else ``""``."""
    text = str(cell)
    return "VAT" if text.startswith("VAT at") else text if text in ("Net", "Gross") else ""


def test_a_very_long_school_or_la_name_still_heads_every_printed_page(tmp_path: Path) -> None:
    # Excel's limit for a page header or footer is 255 characters; XlsxWriter dropped a longer one (with a
    # UserWarning on screen), so the pages lost the school's name and URN. A name is cut to fit, with "...".
    name, la = "Ash and Oak " * 30, "The Royal Borough of Somewhere " * 10
    county = small_county(**{"LA name": la})
    county["Schools"][1][0][1] = name
    packs = write_packs(tmp_path, county)
    book = openpyxl.load_workbook(packs / pack_filename(100001, name))
    for sheet in book.worksheets:
        left = sheet.oddHeader.left.text
        assert left.startswith("Ash and Oak Ash") and left.endswith("\u2026 (URN 100001)"), left
        assert len(left) <= 150
        footer = sheet.oddFooter.left.text
        assert footer.startswith("The Royal Borough") and footer.endswith("\u2026") and len(footer) <= 150


def test_the_covers_figures_sit_in_a_column_of_their_own_after_their_notes(small_packs: Path) -> None:
    # The Detail column is 90 characters wide for the other Cover tables' text: an amount there printed far
    # from its item with its note run into it. The note takes that column; the amount a 16-wide one after it.
    sheet = open_pack(small_packs, 100001)["Cover"]
    figures = sheet.tables["SchoolFigures"]
    header = [cell.value for cell in sheet[figures.ref][0]]
    assert header == ["Item", "Note", "Amount (£)"]
    assert figures.ref.startswith("A") and sheet.column_dimensions["C"].width == pytest.approx(16, abs=1)
    rows = {r["Item"]: r for r in table_records(sheet, "SchoolFigures")}
    # Alder's final devolved allocation, as on its Allocation sheet: 267,142.86.
    assert money(rows["Final devolved allocation"]["Amount (£)"]) == Decimal("267142.86")
    assert rows["Final devolved allocation"]["Note"] == "See the Allocation sheet."
