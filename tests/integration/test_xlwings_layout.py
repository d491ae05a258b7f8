"""Through the add-in: the table index in one call (ReadIndex), all formatting in one call (ApplyLayout).

On Excel for Windows the add-in's VBA (addin/resources/apmodel_layout.bas) answers both in Excel's
own process. There is no Excel here, so these tests run the live adapter on xlwings' remote engine
with the add-in answered as its VBA answers: ReadIndex from the book itself (``full_index``), and
ApplyLayout with the steps it "could not apply", which Python then applies itself. Asking it to
apply every step that way leaves exactly the cells the file adapter leaves, so the plan sent is
the whole of the formatting (what the VBA then does with each step is checked against its source
in tests/unit/test_addin_build.py).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import xlwings as xw

from apmodel.workbook import xlwings_store
from apmodel.workbook.contract import Kind
from apmodel.workbook.layout import NUMBER_FORMATS
from apmodel.workbook.openpyxl_store import FileWorkbook
from apmodel.workbook.xlsx_reader import read_tables
from apmodel.workbook.xlwings_layout import OPS, Step, decode, encode, failed_steps, widen_columns
from apmodel.workbook.xlwings_store import XlwingsStore, full_index, index_text, parse_index
from tests.integration import test_xlwings_store as live
from tests.integration.test_xlwings_store import (  # noqa: F401  (the licence fixture is autouse)
    TRICKY_TEXT,
    Replay,
    actions,
    allocations,
    assert_same_cells,
    noncommercial_licence,
    remote_book,
    remote_payload,
    summary,
    warnings,
)

MACROS = "'apmodel.xlam'!apmodel_layout"


def remote_app() -> Any:
    """The remote engine's App class (imported once the licence fixture has set the key)."""
    from xlwings.pro import _xlremote

    return _xlremote.App
#: What the remote engine records for formatting done step by step.
FORMATTING = {"setNumberFormat", "setFontProperty", "setColumnWidth", "wrapText", "setVerticalAlignment"}


class Addin:
    """The add-in as its VBA answers, on the remote engine: ``apply`` says which steps failed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, apply: Any = "") -> None:
        self.plans: list[list[list[str]]] = []
        self.indexes = 0
        self.apply = apply
        monkeypatch.setattr(xlwings_store, "layout_macro_engine", lambda app: True)
        monkeypatch.setattr(remote_app(), "run", lambda app, macro, args: self.run(app, macro, args))

    def run(self, app: Any, macro: str, args: Any) -> Any:
        if macro == f"{MACROS}.ReadIndex":
            self.indexes += 1
            assert args == [app.books.active.name]
            return index_text(full_index(xw.Book(impl=app.books.active).sheets))
        assert macro == f"{MACROS}.ApplyLayout"
        book_name, plan = args
        assert book_name == app.books.active.name
        steps = decode(plan)
        self.plans.append(steps)
        if callable(self.apply):
            return self.apply(steps)
        return self.apply


def formatting(book: xw.Book) -> list[dict[str, Any]]:
    return [a for a in actions(book) if a["func"] in FORMATTING]


ROWS = [["Error", code, 7, text, "'Schools'!C7"] for code, text in zip("ABC", TRICKY_TEXT[:3], strict=True)]
TABLES = [summary(), allocations(4), warnings(ROWS)]


@pytest.fixture
def county(tmp_path: Path) -> Path:
    return live.county.__wrapped__(tmp_path)  # type: ignore[attr-defined]


@pytest.fixture
def moved(tmp_path: Path) -> Path:
    return live.moved.__wrapped__(tmp_path)  # type: ignore[attr-defined]


def test_through_the_addin_a_write_formats_in_one_call_and_finds_the_tables_in_one(
    county: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    addin = Addin(monkeypatch)
    book = remote_book(county)
    XlwingsStore(book, addin_module=MACROS).write_tables(TABLES)
    assert addin.indexes == 1 and len(addin.plans) == 1
    assert formatting(book) == []  # nothing formatted step by step
    plan = addin.plans[0]
    # Each new sheet: title and note fonts, its widths, its page setup; the header's wrap and alignment.
    for sheet in ("Summary", "DistrictAllocations", "Warnings"):
        ops = [step[0] for step in plan if step[1] == sheet]
        assert ops.count("page") == 1 and ops.count("bottom") == 1 and ops.count("width") >= 1, sheet
        assert ["freeze", sheet, "", "3"] in plan  # title, note and header stay in view
    page = next(step for step in plan if step[:2] == ["page", "Warnings"])
    assert page[3:5] == ["9", "1"]  # A4; portrait (Warnings' columns fit a portrait page)
    money = [s for s in plan if s[:2] == ["format", "DistrictAllocations"]]
    assert money[0][2:] == ["B4:B7", NUMBER_FORMATS[Kind.MONEY]]  # 4 rows of Final Allocation under the header on row 3
    assert all(len(step) == 3 + len(OPS[step[0]]) for step in plan)


def test_every_step_the_addin_hands_back_is_applied_and_leaves_the_file_adapter_s_cells(
    county: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Addin(monkeypatch, apply=lambda steps: ",".join(str(i) for i in range(len(steps))))
    file_book = FileWorkbook(county)
    file_book.write_tables(TABLES)
    written = tmp_path / "written.xlsx"
    file_book.save(written)
    live = remote_book(county)
    XlwingsStore(live, addin_module=MACROS).write_tables(TABLES)
    replay = Replay(remote_payload(county)).apply(actions(live))
    assert_same_cells(written, replay, ["Summary", "DistrictAllocations", "Warnings"])


def test_only_the_steps_the_addin_could_not_apply_are_applied_step_by_step(
    county: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def two_failed(steps: list[list[str]]) -> str:
        widths = [i for i, step in enumerate(steps) if step[0] == "width"]
        return f"{widths[0]},{widths[1]}"

    Addin(monkeypatch, apply=two_failed)
    book = remote_book(county)
    XlwingsStore(book, addin_module=MACROS).write_tables(TABLES)
    assert [a["func"] for a in formatting(book)] == ["setColumnWidth", "setColumnWidth"]


def test_an_addin_that_cannot_run_its_macro_leaves_the_same_formats_step_by_step(
    county: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def blocked(app: Any, macro: str, args: Any) -> Any:
        calls.append(macro)
        raise RuntimeError("Cannot run the macro: it may not be available in this workbook")

    monkeypatch.setattr(xlwings_store, "layout_macro_engine", lambda app: True)
    monkeypatch.setattr(remote_app(), "run", blocked)
    through = remote_book(county)  # (each book made is the remote app's active one: one at a time)
    store = XlwingsStore(through, addin_module=MACROS)
    store.write_tables(TABLES)
    store.write_tables([allocations(2)])
    done_through = actions(through)
    direct = remote_book(county)
    plain = XlwingsStore(direct)
    plain.write_tables(TABLES)
    plain.write_tables([allocations(2)])
    assert done_through == actions(direct)
    # Asked once: after a refusal the rest of the click goes step by step.
    assert calls == [f"{MACROS}.ReadIndex"]


def test_the_index_the_addin_reads_gives_the_tables_the_file_reader_reads(
    moved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Addin(monkeypatch)
    live = XlwingsStore(remote_book(moved), addin_module=MACROS).read_tables()
    assert live == read_tables(moved)


def test_the_index_text_reads_back_as_the_index_and_anything_else_is_refused(moved: Path) -> None:
    found = full_index(remote_book(moved).sheets)
    text = index_text(found)
    back = parse_index(text)
    assert back is not None
    assert [(name, [(t.name, t.placed, t.headed, t.totalled) for t in tables]) for name, _, tables in back] == [
        (name, [(t.name, t.placed, t.headed, t.totalled) for t in tables]) for name, _, tables in found
    ]
    assert next(t.placed for _, _, tables in back for t in tables).top == 6  # Districts at C6
    no_sheet_first = "T\x1fDistricts\x1fC6:F8\x1f1\x1f0"
    bad_address = "S\x1fA\x1eT\x1fX\x1fnot an address\x1f1\x1f0"
    for junk in (None, "", 3, no_sheet_first, bad_address, "-1"):
        assert parse_index(junk) is None, junk


def test_a_plan_is_one_text_that_reads_back_step_by_step() -> None:
    steps = [Step("width", "Trace; \"odd\" name", "A1:C1", (12.5,)), Step("format", "S", "B4:B9", ('"£"#,##0.00',))]
    text = encode(steps)
    assert decode(text) == [["width", 'Trace; "odd" name', "A1:C1", "12.5"], ["format", "S", "B4:B9", '"£"#,##0.00']]
    assert failed_steps("", 2) == [] and failed_steps(None, 2) == [] and failed_steps("1", 2) == [1]
    for answer in ("-1", "2", "x", 7):
        assert failed_steps(answer, 2) is None, answer  # not an answer it gives: everything again, step by step


def test_a_table_rewritten_in_place_asks_excel_to_widen_only_its_columns_of_figures(
    county: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    addin = Addin(monkeypatch)
    book = remote_book(county)
    XlwingsStore(book, addin_module=MACROS).write_tables(TABLES)
    XlwingsStore(book, addin_module=MACROS).write_tables(TABLES)
    widen = [step for step in addin.plans[1] if step[0] == "widen" and step[1] == "DistrictAllocations"]
    # District is text (no step); Final Allocation money 14 (its 425,003.00 fits), Change % its kind's 10.
    assert [step[2:] for step in widen] == [["B1", "14"], ["C1", "10"]]
    assert not any(step[0] == "widen" for step in addin.plans[0])  # new sheets take their widths whole


class FakeColumn:
    def __init__(self, width: float) -> None:
        self.column_width = width


def test_widening_step_by_step_reads_each_column_and_only_widens(monkeypatch: pytest.MonkeyPatch) -> None:
    columns = [FakeColumn(5), FakeColumn(20), FakeColumn(14)]
    cells, excel = SimpleNamespace(columns=columns), SimpleNamespace(engine=SimpleNamespace(name="excel"))
    widen_columns(cells, 14, excel)  # type: ignore[arg-type]
    assert [c.column_width for c in columns] == [14, 20, 14]
    # The remote engine cannot read a width: its columns are left as they are.
    narrow = [FakeColumn(5)]
    widen_columns(SimpleNamespace(columns=narrow), 14, SimpleNamespace(engine=SimpleNamespace(name="remote")))  # type: ignore[arg-type]
    assert narrow[0].column_width == 5
