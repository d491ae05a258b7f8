"""The Dashboard sheet of a workbook file: native Excel charts drawn with openpyxl.

Contract: the charts of apmodel.reports.dashboard, rebuilt on every run and never duplicated.
The sheet named ``Dashboard`` keeps its place in the workbook, but everything on it is
replaced: its cells are emptied and its charts removed (openpyxl reads a file's charts into
the sheet when it loads it, so without this each run would add another set), then each chart's
data block and chart are written where ``layout.place_charts`` puts them.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, OneCellAnchor
from openpyxl.drawing.xdr import XDRPositiveSize2D
from openpyxl.styles import Font
from openpyxl.utils.units import cm_to_EMU
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from apmodel.workbook.interface import ChartKind, ChartSpec, column_letter
from apmodel.workbook.layout import (
    AXIS_FORMATS,
    CHART_HEIGHT_CM,
    CHART_WIDTH_CM,
    DASHBOARD,
    DASHBOARD_TITLE,
    NUMBER_FORMATS,
    OUTPUT_TAB,
    Placed,
    chart_alt_text,
    dashboard_note,
    dashboard_print_setup,
    data_block,
    place_charts,
)
from apmodel.workbook.openpyxl_cells import set_print_setup, set_text_safe, write_heading

BOLD = Font(bold=True)


def dashboard_sheet(book: Workbook) -> Worksheet:
    """The Dashboard sheet emptied of cells and charts, or a new one at the end of the book."""
    for sheet in book.worksheets:
        if sheet.title.casefold() == DASHBOARD.casefold():
            sheet._charts = []  # openpyxl has no public call to remove a chart
            if sheet.max_row:
                sheet.delete_rows(1, sheet.max_row)
            return sheet
    return book.create_sheet(DASHBOARD)


class _DescribedAnchor(OneCellAnchor):  # type: ignore[misc]
    """A chart's anchor that gives the chart's frame its alternative text (``descr`` and ``title``).

    openpyxl builds each chart's ``graphicFrame`` afresh when it saves and sets it on the anchor;
    it has no call for alt text, so the anchor fills the frame's ``cNvPr`` as it is set.
    openpyxl derives what a class serialises from its own body, so it is restated here.
    """

    __attrs__ = OneCellAnchor.__attrs__
    __nested__ = OneCellAnchor.__nested__
    __elements__ = OneCellAnchor.__elements__

    def __init__(self, column: int, row: int, spec: ChartSpec) -> None:
        super().__init__(
            _from=AnchorMarker(col=column - 1, row=row - 1),
            ext=XDRPositiveSize2D(cm_to_EMU(CHART_WIDTH_CM), cm_to_EMU(CHART_HEIGHT_CM)),
        )
        object.__setattr__(self, "_alt", (spec.title, chart_alt_text(spec)))

    def __setattr__(self, name: str, value: object) -> None:
        super().__setattr__(name, value)
        if name == "graphicFrame" and value is not None:
            props = value.nvGraphicFramePr.cNvPr  # type: ignore[attr-defined]
            props.title, props.descr = self._alt


_DescribedAnchor.__namespaced__ = OneCellAnchor.__namespaced__  # the metaclass resets it in the body


def _chart(spec: ChartSpec, sheet: Worksheet, placed: Placed) -> BarChart:
    chart = BarChart()
    chart.type = "bar" if spec.kind is ChartKind.BAR else "col"
    chart.grouping = "clustered"
    chart.title = spec.title
    chart.x_axis.title = spec.category_title
    chart.y_axis.title = spec.value_title
    chart.y_axis.number_format = AXIS_FORMATS[spec.value_kind]
    # openpyxl 3.1 marks new axes deleted, which hides them in Excel.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    # Category labels at the low end, clear of the bars when changes are negative.
    chart.x_axis.tickLblPos = "low"
    chart.width, chart.height = CHART_WIDTH_CM, CHART_HEIGHT_CM
    last_row = placed.data_row + placed.data_rows - 1
    data = Reference(sheet, min_col=2, max_col=placed.data_columns, min_row=placed.data_row, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    # The categories are text (districts, terms): a string reference, as Excel itself writes.
    categories = Reference(sheet, min_col=1, min_row=placed.data_row + 1, max_row=last_row)
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(categories)))
    return chart


def write_dashboard(book: Workbook, charts: Sequence[ChartSpec], la: str = "") -> Worksheet:
    """Replace the Dashboard sheet's contents with ``charts`` and their data (``la``: the footer's LA)."""
    sheet = dashboard_sheet(book)
    write_heading(sheet, DASHBOARD_TITLE, dashboard_note(charts))
    sheet.column_dimensions["A"].width = 26
    placed_charts = place_charts(charts)
    widest = max((p.data_columns for p in placed_charts), default=1)
    for column in range(2, widest + 1):
        sheet.column_dimensions[column_letter(column)].width = 18
    set_print_setup(sheet, dashboard_print_setup(la), OUTPUT_TAB)
    for index, placed in enumerate(placed_charts):
        spec = placed.chart
        if index:
            # Each chart prints on a page of its own, its figures beside it, never cut in two.
            sheet.row_breaks.append(Break(id=placed.description_row - 1))
        heading = sheet.cell(row=placed.description_row, column=1)
        set_text_safe(heading, f"{spec.title}. {spec.description}")
        heading.font = BOLD
        for r, values in enumerate(data_block(spec)):
            for c, value in enumerate(values, start=1):
                cell = sheet.cell(row=placed.data_row + r, column=c)
                set_text_safe(cell, value)
                if r == 0:
                    cell.font = BOLD
                elif c > 1 and value is not None:
                    # A figure, or its [c] (to the right by the format's text section), as the live
                    # adapter formats the whole block.
                    cell.number_format = NUMBER_FORMATS[spec.value_kind]
        if spec.categories:
            anchor = _DescribedAnchor(placed.chart_column, placed.data_row, spec)
            sheet.add_chart(_chart(spec, sheet, placed), anchor)
    return sheet
