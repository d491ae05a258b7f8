"""The Forum workbook template and ``apmodel new`` (docs/forum-workbook.md: every table, exact names)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries

from apmodel.domain.findings import Findings, Severity
from apmodel.workbook import contract as c
from apmodel.workbook.interface import CellError
from apmodel.workbook.parse import parse_inputs
from apmodel.workbook.template import TEMPLATE_EXAMPLES, TEMPLATE_FILE, build_template, new_workbook
from apmodel.workbook.writer_inputs import SETTING_NOTES, build_forum_workbook, default_setting_value
from apmodel.workbook.xlsx_reader import read_tables

ROOT = Path(__file__).resolve().parents[2]
COMMITTED_TEMPLATE = ROOT / "templates" / TEMPLATE_FILE
ALL_TABLES = (*c.INPUT_TABLES, c.INVOICE_REGISTER)


def assert_valid_tables(path: Path) -> dict[str, tuple[int, int, int, int]]:
    """Every table has a parseable ref of header + at least one row, matching headers, and a unique name."""
    book = openpyxl.load_workbook(path)
    seen: dict[str, tuple[int, int, int, int]] = {}
    for sheet in book.worksheets:
        for table in sheet.tables.values():
            assert table.displayName.casefold() not in {n.casefold() for n in seen}, table.displayName
            min_col, min_row, max_col, max_row = range_boundaries(table.ref)
            assert max_row > min_row, f"{table.displayName} has no data row"
            header = [sheet.cell(row=min_row, column=col).value for col in range(min_col, max_col + 1)]
            assert header == [column.name for column in table.tableColumns], table.displayName
            if table.autoFilter is not None:
                assert table.autoFilter.ref == table.ref
            seen[table.displayName] = (min_col, min_row, max_col, max_row)
    return seen


@pytest.fixture(scope="module")
def fresh_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory.mktemp("template") / TEMPLATE_FILE)


def test_template_has_every_contract_table_with_its_exact_name_and_columns(fresh_template: Path) -> None:
    tables = read_tables(fresh_template)
    assert set(tables) == {spec.name for spec in ALL_TABLES}
    for spec in ALL_TABLES:
        assert tables[spec.name].header == spec.column_names
        assert tables[spec.name].sheet == spec.name
    assert_valid_tables(fresh_template)


def test_committed_template_is_what_the_builder_writes(fresh_template: Path) -> None:
    """A contract change without re-running ``python -m apmodel.templates.build`` would ship a stale template."""
    expected = read_tables(fresh_template)
    committed = read_tables(COMMITTED_TEMPLATE)
    assert {name: (t.header, t.rows) for name, t in committed.items()} == {
        name: (t.header, t.rows) for name, t in expected.items()
    }


def test_apmodel_new_opens_the_one_committed_template() -> None:
    shipped = resources.files("apmodel.templates").joinpath(TEMPLATE_FILE)
    assert shipped.read_bytes() == COMMITTED_TEMPLATE.read_bytes()


def test_every_column_with_choices_has_a_dropdown_that_warns(fresh_template: Path) -> None:
    book = openpyxl.load_workbook(fresh_template)
    for spec in ALL_TABLES:
        sheet = book[spec.name]
        lists = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
        for index, column in enumerate(spec.columns, start=1):
            if not column.choices:
                continue
            letter = openpyxl.utils.get_column_letter(index)
            validation = lists[f"{letter}4"]
            assert validation.type == "list"
            assert validation.formula1 == '"' + ",".join(column.choices) + '"'
            # A warning, not a stop: the model also accepts Y, N, TRUE, FALSE...
            assert validation.errorStyle == "warning"


def test_yes_no_settings_and_redress_destination_have_dropdowns(fresh_template: Path) -> None:
    sheet = openpyxl.load_workbook(fresh_template)["Settings"]
    by_label = {sheet.cell(row=r, column=1).value: r for r in range(4, sheet.max_row + 1)}
    validated = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert validated[f"B{by_label['Recoup pupil premium']}"] == '"Yes,No"'
    assert validated[f"B{by_label['Redress destination']}"] == '"' + ",".join(c.REDRESS_DESTINATIONS) + '"'


def test_template_example_rows_are_the_only_data_rows(fresh_template: Path) -> None:
    tables = read_tables(fresh_template)
    for spec in c.INPUT_TABLES:
        if spec is c.SETTINGS:
            continue
        assert len(tables[spec.name].rows) == 1, spec.name
        assert len(TEMPLATE_EXAMPLES[spec.name][0]) == len(spec.columns), spec.name
    assert tables["InvoiceRegister"].rows == [[None] * len(c.INVOICE_REGISTER.columns)]


def test_template_example_rows_are_valid_inputs(fresh_template: Path) -> None:
    """The examples teach the columns, so they must read cleanly (only the blank Settings are reported)."""
    findings = Findings()
    inputs = parse_inputs(read_tables(fresh_template), findings)
    assert {f.table for f in findings.items if f.severity is not Severity.INFO} == {"Settings"}
    assert len(inputs.placements) == 1 and len(inputs.exclusions) == 1 and len(inputs.schools) == 1
    assert len(inputs.districts) == 1 and len(inputs.providers) == 1 and len(inputs.scenarios) == 1


def test_settings_list_every_setting_with_its_default_and_a_note(fresh_template: Path) -> None:
    rows = read_tables(fresh_template)["Settings"].rows
    assert [row[0] for row in rows] == list(c.SETTING_LABELS)
    for label, value, note in rows:
        assert note == SETTING_NOTES[label]
        default = default_setting_value(label)
        assert value == (float(default) if isinstance(default, int) else default), label
    assert default_setting_value("Place funding rate") == 10000
    assert default_setting_value("Financial year") is None


def test_money_percent_and_date_cells_are_numbers_and_dates_with_formats(fresh_template: Path) -> None:
    book = openpyxl.load_workbook(fresh_template)
    previous = book["Districts"]["F4"]
    assert previous.value == 1_500_000 and "£" in previous.number_format
    weight = book["DistrictFactors"]["D4"]
    assert weight.value == 1 and weight.number_format.endswith("%")
    start = book["Terms"]["B4"]
    assert isinstance(start.value, datetime) and start.value.date() == date(2025, 9, 3)
    assert start.number_format == "dd/mm/yyyy"
    assert book["Schools"]["A4"].number_format == "0"
    assert book["Placements"].freeze_panes == "A4"
    assert book["Schools"]["A1"].value and book["Schools"]["A2"].value.startswith(c.SCHOOLS.note)
    assert book.sheetnames[0] == "ReadMe"


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path: Path) -> None:
    school = ["=HYPERLINK(\"x\")", "+44", "-1", "@SUM(A1)"]
    path = build_forum_workbook(
        tmp_path / "book.xlsx",
        {"Schools": [[100001 + i, name, "North", "Primary", "Maintained"] for i, name in enumerate(school)]},
        settings={"Financial year": "2025-26", "AP budget": Decimal("1000000.50")},
    )
    tables = read_tables(path)
    names = [row[1] for row in tables["Schools"].rows]
    assert names == school
    assert not any(isinstance(name, CellError) for name in names)
    settings = {row[0]: row[1] for row in tables["Settings"].rows}
    assert settings["AP budget"] == 1000000.5 and settings["Financial year"] == "2025-26"


def test_unknown_tables_and_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Schols"):
        build_forum_workbook(tmp_path / "a.xlsx", {"Schols": []}, settings={})
    with pytest.raises(ValueError, match="AP budgett"):
        build_forum_workbook(tmp_path / "a.xlsx", None, settings={"AP budgett": 1})


def test_new_workbook_has_empty_tables_and_keeps_the_settings(tmp_path: Path) -> None:
    path = new_workbook(tmp_path / "sub" / "new.xlsx")
    refs = assert_valid_tables(path)
    assert set(refs) == {spec.name for spec in ALL_TABLES}
    tables = read_tables(path)
    for spec in ALL_TABLES:
        if spec is c.SETTINGS:
            continue
        min_col, min_row, max_col, max_row = refs[spec.name]
        # Header plus the one blank row an Excel table needs.
        assert (max_row - min_row, max_col - min_col + 1) == (1, len(spec.columns)), spec.name
        assert tables[spec.name].rows == [[None] * len(spec.columns)], spec.name
    assert [row[0] for row in tables["Settings"].rows] == list(c.SETTING_LABELS)
    findings = Findings()
    inputs = parse_inputs(tables, findings)
    assert inputs.schools == () and inputs.placements == ()
    # The blank rows of the emptied tables are not data: only the two required settings are missing.
    assert {f.table for f in findings.items} == {"Settings"}
    assert {f.code for f in findings.items} == {"MISSING_SETTING"}
    assert not list(tmp_path.joinpath("sub").glob(".*")), "no temporary file is left behind"


def test_new_workbook_keeps_formats_and_dropdowns_of_the_cleared_rows(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(new_workbook(tmp_path / "new.xlsx"))
    assert book["Terms"]["B4"].value is None and book["Terms"]["B4"].number_format == "dd/mm/yyyy"
    assert any(str(v.sqref).startswith("C4") for v in book["Districts"].data_validations.dataValidation)


def test_blank_optional_settings_of_a_new_workbook_are_not_errors(tmp_path: Path) -> None:
    findings = Findings()
    parse_inputs(read_tables(new_workbook(tmp_path / "new.xlsx")), findings)
    errors = {(f.code, f.row) for f in findings.items if f.severity is Severity.ERROR}
    # Only Financial year (row 5) and AP budget (row 6) must be filled in; each points at its blank cell.
    assert errors == {("MISSING_SETTING", 5), ("MISSING_SETTING", 6)}


def test_every_input_column_has_help_and_its_dropdown_reaches_the_end_of_the_sheet(fresh_template: Path) -> None:
    # However far a table grows (Excel extends it as rows are typed below), its cells keep their help.
    book = openpyxl.load_workbook(fresh_template)
    for spec in ALL_TABLES:
        if spec is c.SETTINGS:
            continue
        sheet = book[spec.name]
        by_column = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
        for index, column in enumerate(spec.columns, start=1):
            letter = openpyxl.utils.get_column_letter(index)
            validation = by_column[f"{letter}4"]
            assert str(validation.sqref) == f"{letter}4:{letter}1048576", (spec.name, column.name)
            assert validation.prompt and column.help in validation.prompt, (spec.name, column.name)
            assert validation.prompt.startswith("Required.") == column.required


def test_required_headers_are_marked_and_input_cells_shaded(fresh_template: Path) -> None:
    sheet = openpyxl.load_workbook(fresh_template)["Schools"]
    urn, trust = sheet["A3"], sheet["F3"]  # URN is required, Trust is not
    assert urn.fill.fgColor.rgb.endswith("C00000") and urn.font.b
    assert not trust.fill.fgColor.rgb.endswith("C00000")
    assert sheet["B4"].value and sheet["B4"].fill.fgColor.rgb.endswith("FFF2CC")  # the example row


def test_every_sheet_prints_on_a4_one_page_wide_with_its_header_repeated(fresh_template: Path) -> None:
    book = openpyxl.load_workbook(fresh_template)
    for sheet in book.worksheets:
        assert sheet.page_setup.paperSize == 9, sheet.title
        # XlsxWriter leaves out fitToWidth="1", the default.
        assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert "Page &P of &N" in str(sheet.oddFooter), sheet.title
        if sheet.title != "ReadMe":
            assert sheet.print_title_rows == "$3:$3", sheet.title
    # Placements has twenty columns: wider than a portrait page.
    assert book["Placements"].page_setup.orientation == "landscape"
    assert book["Terms"].page_setup.orientation == "portrait"


def test_blank_settings_are_formatted_as_money_or_percent_once_typed(fresh_template: Path) -> None:
    sheet = openpyxl.load_workbook(fresh_template)["Settings"]
    by_label = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2) for r in range(4, sheet.max_row + 1)}
    assert by_label["Protection floor"].value is None
    assert by_label["Protection floor"].number_format == "0.00%"
    assert by_label["AP budget"].number_format.startswith('"£"')


def test_the_empty_register_is_wide_enough_for_the_numbers_a_run_writes_into_it(fresh_template: Path) -> None:
    # The register ships empty: its widths are the contract's, not its headers'. "Number" + 4 would be
    # 10, too narrow for AP-2025-26-00001 (16 characters), which printed cut as "AP-2025-26-0".
    sheet = openpyxl.load_workbook(fresh_template)[c.INVOICE_REGISTER.name]
    widths = {cell.value: sheet.column_dimensions[cell.column_letter].width for cell in sheet[3]}
    assert widths["Number"] >= len("AP-2025-26-00001") + 2
    assert widths["Supersedes"] >= len("AP-2025-26-00001") + 2
    assert widths["Kind"] >= len("Budget adjustment") + 1
    assert widths["Period"] >= len("Summer 2025") + 2
    assert widths["Net"] >= len("-£99,999.99") + 2 and widths["Issued On"] >= len("01/12/2025") + 2
    for column in c.INVOICE_REGISTER.columns:
        assert widths[column.name] >= (column.width or 0), column.name
