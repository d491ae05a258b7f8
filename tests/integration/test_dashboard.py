"""The Dashboard's native Excel charts, through both adapters.

Rules: docs/forum-workbook.md (outputs rebuilt on every run); apmodel.reports.dashboard. The file
adapter is checked in the saved .xlsx itself (chart parts, drawing anchors, the cells each
chart reads); the live-book adapter through xlwings' remote engine, whose recorded actions are
replayed as Excel would apply them.
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
import xlwings as xw
from lxml import etree

from apmodel import service
from apmodel.workbook.openpyxl_store import FileWorkbook
from apmodel.workbook.xlwings_store import XlwingsStore
from tests.builders import small_county, write_workbook
from tests.integration.test_xlwings_store import (  # noqa: F401  (the licence fixture is autouse)
    Replay,
    actions,
    assert_same_cells,
    noncommercial_licence,
    remote_payload,
)

TODAY = date(2025, 12, 1)
SCENARIOS: list[list[Any]] = [
    ["Bigger budget", "Setting", "AP budget", 1_100_000],
    ["South devolved", "District", "South/Funding Model", "Devolved"],
]


def county(path: Path, *, scenarios: bool = False) -> Path:
    tables = small_county()
    if scenarios:
        tables["Scenarios"] = (tables["Scenarios"][0], SCENARIOS)
    return write_workbook(path, tables)


def run_file(source: Path, target: Path, *, compare: bool = False) -> Path:
    book = FileWorkbook(source)
    if compare:
        service.compare_scenarios(book, today=TODAY)
    else:
        service.run_workbook(book, today=TODAY)
    book.save(target)
    return target


#: The charts a plain run draws, in Dashboard order.
ALL_RUN_CHARTS = ["AllocationByDistrict", "ChangeByDistrict", "ChangePercentByDistrict", "RecoupmentByTerm"]


def chart_parts(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as archive:
        return {n: etree.fromstring(archive.read(n)) for n in archive.namelist() if n.startswith("xl/charts/chart")}


def drawing_anchors(path: Path) -> int:
    """Charts placed on sheets: the graphic frames of every drawing part."""
    with zipfile.ZipFile(path) as archive:
        return sum(
            len(etree.fromstring(archive.read(n)).xpath("//*[local-name()='graphicFrame']"))
            for n in archive.namelist()
            if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)
        )


def chart_title(chart: etree._Element) -> str:
    [title] = chart.xpath("/*/*[local-name()='chart']/*[local-name()='title']")
    return "".join(title.xpath(".//*[local-name()='t']/text()"))


def titles(parts: dict[str, etree._Element]) -> list[str]:
    return sorted(chart_title(chart) for chart in parts.values())


def references(chart: etree._Element) -> list[str]:
    """The cell ranges a chart reads (series names, categories, values)."""
    return [str(f) for f in chart.xpath("//*[local-name()='f']/text()")]


def test_a_run_draws_the_allocation_change_and_recoupment_charts(tmp_path: Path) -> None:
    out = run_file(county(tmp_path / "county.xlsx"), tmp_path / "out.xlsx")
    parts = chart_parts(out)
    assert titles(parts) == [
        "Allocation by district: this year and previous year",
        "Recoupment by term (recoverable lines)",
        "Who gains, who loses: change from last year by district (%)",
        "Who gains, who loses: change from last year by district (£)",
    ]
    assert drawing_anchors(out) == 4
    assert openpyxl.load_workbook(out).sheetnames.count("Dashboard") == 1


def test_charts_appear_once_after_two_runs(tmp_path: Path) -> None:
    first = run_file(county(tmp_path / "county.xlsx"), tmp_path / "first.xlsx")
    second = run_file(first, tmp_path / "second.xlsx")
    # Allocation, change in £, change in %, recoupment by term.
    assert len(chart_parts(second)) == 4
    assert drawing_anchors(second) == 4
    assert titles(chart_parts(second)) == titles(chart_parts(first))


def test_compare_adds_the_scenario_chart_and_two_compares_still_give_five_charts(tmp_path: Path) -> None:
    first = run_file(county(tmp_path / "county.xlsx", scenarios=True), tmp_path / "first.xlsx", compare=True)
    second = run_file(first, tmp_path / "second.xlsx", compare=True)
    assert len(chart_parts(second)) == 5 and drawing_anchors(second) == 5
    assert "Scenario differences by district (change from the baseline)" in titles(chart_parts(second))
    # A plain run after a compare redraws only the four charts that run can draw.
    third = run_file(second, tmp_path / "third.xlsx")
    assert len(chart_parts(third)) == 4 and drawing_anchors(third) == 4


def cells(sheet: Any, ref: str) -> list[Any]:
    ref = ref.replace("$", "")
    if ":" not in ref:
        return [sheet[ref].value]
    return [c.value for row in sheet[ref] for c in row]


def test_each_chart_reads_its_figures_from_the_dashboard_beside_it(tmp_path: Path) -> None:
    out = run_file(county(tmp_path / "county.xlsx"), tmp_path / "out.xlsx")
    dashboard = openpyxl.load_workbook(out)["Dashboard"]
    allocation = next(x for x in chart_parts(out).values() if chart_title(x).startswith("Allocation by district"))
    refs = references(allocation)
    assert all(ref.startswith("'Dashboard'!") for ref in refs)
    values = [cells(dashboard, ref.removeprefix("'Dashboard'!")) for ref in refs]
    # Series names, the districts, this year's and last year's allocations (see small_county()):
    # North 425,000.00 (previous 430,000); South 475,000.00 (previous 400,000).
    assert ["This year £"] in values and ["Previous year £"] in values
    assert ["North", "South"] in values
    assert [425000, 475000] in values
    assert [430000, 400000] in values


def test_the_change_charts_show_who_gains_and_who_loses_biggest_loss_first(tmp_path: Path) -> None:
    out = run_file(county(tmp_path / "county.xlsx"), tmp_path / "out.xlsx")
    dashboard = openpyxl.load_workbook(out)["Dashboard"]
    rows = [r[:2] for r in dashboard.iter_rows(values_only=True) if r[0] in ("North", "South")]
    # North 425,000 - 430,000 = -5,000.00 (-5,000 / 430,000 = -1.16%);
    # South 475,000 - 400,000 = 75,000.00 (75,000 / 400,000 = 18.75%): North, the loser, first.
    assert rows[2:4] == [("North", -5000), ("South", 75000)]
    assert rows[4:6] == [("North", pytest.approx(-0.0116)), ("South", pytest.approx(0.1875))]
    percent = next(x for x in chart_parts(out).values() if chart_title(x).endswith("(%)"))
    # Not forced from zero: no minimum on the value axis, so Excel fits it to the changes.
    assert not percent.findall(".//{*}valAx/{*}scaling/{*}min")
    assert percent.find(".//{*}valAx/{*}numFmt").get("formatCode") == "0%"


def test_a_store_without_a_dashboard_still_runs(tmp_path: Path) -> None:
    class TablesOnly:
        def __init__(self, book: FileWorkbook) -> None:
            self.book = book
            self.read_tables, self.write_tables, self.status = book.read_tables, book.write_tables, book.status

    store = TablesOnly(FileWorkbook(county(tmp_path / "county.xlsx")))
    report = service.run_workbook(store, today=TODAY)
    assert report.results.allocation is not None
    assert "Dashboard" not in store.book.book.sheetnames


# -- The live-book adapter (xlwings' remote engine) ------------------------------------------------


def test_the_live_book_gets_the_same_dashboard_cells_and_native_charts(tmp_path: Path) -> None:
    source = county(tmp_path / "county.xlsx")
    written = run_file(source, tmp_path / "out.xlsx")
    book = xw.Book(json=remote_payload(source))
    service.run_workbook(XlwingsStore(book), today=TODAY)
    replay = Replay(remote_payload(source)).apply(actions(book))
    dashboard = replay.sheet("Dashboard")
    assert [c[0] for c in dashboard.charts] == ALL_RUN_CHARTS
    assert dashboard.charts[0][1:] == [
        "ColumnClustered",
        "A5:C7",
        "Allocation by district: this year and previous year",
    ]
    assert_same_cells(written, replay, ["Dashboard"])


def test_a_second_run_in_excel_replaces_the_dashboards_charts(tmp_path: Path) -> None:
    ran = run_file(county(tmp_path / "county.xlsx"), tmp_path / "ran.xlsx")
    payload = remote_payload(ran)
    # What Office.js reports for the charts the first run left on the Dashboard.
    dashboard = next(s for s in payload["sheets"] if s["name"] == "Dashboard")
    dashboard["charts"] = [
        {"name": name, "chart_type": "ColumnClustered", "left": 0, "top": 0, "width": 500, "height": 270}
        for name in ALL_RUN_CHARTS
    ]
    book = xw.Book(json=payload)
    service.run_workbook(XlwingsStore(book), today=TODAY)
    recorded = actions(book)
    assert [a["func"] for a in recorded if a["func"] in ("deleteChart", "addChart")] == [
        *["deleteChart"] * 4,
        *["addChart"] * 4,
    ]
    replay = Replay(payload).apply(recorded)
    assert [c[0] for c in replay.sheet("Dashboard").charts] == ALL_RUN_CHARTS


def test_recoupment_by_term_sums_the_recoverable_lines(tmp_path: Path) -> None:
    out = run_file(county(tmp_path / "county.xlsx"), tmp_path / "out.xlsx")
    dashboard = openpyxl.load_workbook(out)["Dashboard"]
    rows = {
        r[0]: r[1:4]
        for r in dashboard.iter_rows(values_only=True)
        if r[0] in ("Summer 2025", "Autumn 2025", "Spring 2026")
    }
    # The one exclusion: A = 5,500, relevant date 3 Nov 2025, B = 21: 5,500 x 21 / 52 = 2,221.15,
    # billed in the Autumn term to Alder Secondary (maintained, budget adjustment).
    assert Decimal(str(rows["Autumn 2025"][0])) == Decimal("2221.15")
    assert rows["Summer 2025"] == (0, 0, 0) and rows["Spring 2026"] == (0, 0, 0)


def test_each_change_chart_is_in_the_order_of_its_own_measure() -> None:
    from types import SimpleNamespace

    from apmodel.domain.allocation import DistrictAllocation
    from apmodel.domain.inputs import FundingModel
    from apmodel.reports.dashboard import change_charts

    def district(name: str, previous: str, change: str) -> DistrictAllocation:
        d = Decimal
        return DistrictAllocation(
            name, "", FundingModel.DEVOLVED, {}, {}, d(0), d(0), d(0), d(0), d(previous) + d(change),
            d(0), d(0), None, d(previous), d(change), (d(change) / d(previous)).quantize(d("0.0001")), d(0),
        )  # fmt: skip

    # Big loses 40,000 of 2,000,000 (-2.00%); Small loses 10,000 of 100,000 (-10.00%).
    result = SimpleNamespace(districts=[district("Big", "2000000", "-40000"), district("Small", "100000", "-10000")])
    pounds, percent = change_charts(result)  # type: ignore[arg-type]  (only its districts are read)
    assert pounds.categories == ("Big", "Small") and pounds.series[0].values == (Decimal(-40000), Decimal(-10000))
    assert percent.categories == ("Small", "Big")
    assert percent.series[0].values == (Decimal("-0.1000"), Decimal("-0.0200"))
