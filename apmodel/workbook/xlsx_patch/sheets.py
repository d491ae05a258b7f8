"""Worksheet parts streamed row by row: a table's old and new ranges rewritten, every other cell kept."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lxml import etree

from apmodel.workbook.interface import MAIN, REL, column_letter, column_number
from apmodel.workbook.layout import (
    DEFAULT_COLUMN_WIDTH,
    MARGINS,
    OUTPUT_TAB,
    PAPER_A4,
    NewSheet,
    PrintSetup,
    row_height,
    wrapped_columns,
)
from apmodel.workbook.xlsx_patch.cells import CellWriter, inline_string, xml_text
from apmodel.workbook.xlsx_patch.ooxml import PARSER, QMAIN, Unsupported, insert_in_order, serialise
from apmodel.workbook.xlsx_patch.styles import NOTE_STYLE, TITLE_STYLE
from apmodel.workbook.xlsx_patch.tables import Block

#: The order of a worksheet's children (CT_Worksheet): new elements go in their place.
_SHEET_ORDER = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr", "sheetProtection",
    "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate", "customSheetViews", "mergeCells",
    "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions", "pageMargins",
    "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors",
    "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
    "webPublishItems", "tableParts", "extLst",
)

_SHEET_DATA_OPEN = re.compile(rb"<sheetData(?:\s[^>]*)?(/?)>")


_ROW_START = re.compile(rb"<row\b([^>]*?)(/?)>")

_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')


_SPANS = re.compile(rb'\sspans="[^"]*"')

_CELL_START = re.compile(rb"<c\b([^>]*?)(/?)>")


_CELL_COLUMN = re.compile(rb'\sr="([A-Z]{1,3})\d+"')


def _column_key(letters: bytes) -> tuple[int, bytes]:
    """Column letters in column order (B < Z < AA) without converting them to numbers."""
    return len(letters), letters


@dataclass
class Region:
    """A block of cells a write clears: rows and column letters, both included."""

    top: int
    bottom: int
    left: int
    right: int

    def covers_row(self, row: int) -> bool:
        return self.top <= row <= self.bottom


def _split_rows(body: bytes) -> Iterator[tuple[int, bytes, bytes]]:
    """(row number, start-tag attributes, cells XML) of every row of a sheetData body."""
    position = 0
    while True:
        match = _ROW_START.search(body, position)
        if match is None:
            return
        number = _ROW_NUMBER.search(match.group(1))
        if number is None:
            raise Unsupported("a row without a row number")
        if match.group(2):
            position = match.end()
            yield int(number.group(1)), match.group(1), b""
            continue
        close = body.find(b"</row>", match.end())
        if close < 0:
            raise Unsupported("an unclosed row")
        position = close + len(b"</row>")
        yield int(number.group(1)), match.group(1), body[match.end() : close]


def _split_cells(cells: bytes) -> Iterator[tuple[tuple[int, bytes], bytes]]:
    """(column key, whole cell XML) of every cell of a row."""
    position = 0
    while True:
        match = _CELL_START.search(cells, position)
        if match is None:
            return
        column = _CELL_COLUMN.search(match.group(1))
        if column is None:
            raise Unsupported("a cell without a reference")
        if match.group(2):
            end = match.end()
        else:
            close = cells.find(b"</c>", match.end())
            if close < 0:
                raise Unsupported("an unclosed cell")
            end = close + len(b"</c>")
        position = end
        yield _column_key(column.group(1)), cells[match.start() : end]


def _row_xml(attrs: bytes, cells: bytes) -> bytes:
    """A row element of ``attrs`` (its spans already dropped) and its cells' XML (empty: no cells)."""
    if not cells:
        return b"<row" + attrs + b"/>"
    return b"<row" + attrs + b">" + cells + b"</row>"


ColumnKey = tuple[int, bytes]
#: A row's hidden, outline and collapsed state, which a filter or a group leaves behind.
_ROW_STATE = re.compile(rb'\s(?:hidden|outlineLevel|collapsed)="[^"]*"')

_ALL_CELL_COLUMNS = re.compile(rb'<c\b[^>]*?\sr="([A-Z]{1,3})\d+"')


_ANY_CELL = re.compile(rb"<c[\s/>]")


def _new_rows(blocks: Sequence[Block], cells: CellWriter) -> dict[int, list[str]]:
    """The blocks' cells by sheet row (blocks left to right, so each row's cells are in column order)."""
    rows: dict[int, list[str]] = {}
    for block in sorted(blocks, key=lambda b: b.left):
        for number, row in block.rows(cells):
            rows.setdefault(number, []).extend(row)
    return rows


def _keyed(fresh: list[str], number: int) -> list[tuple[ColumnKey, bytes]]:
    """New cells with their column keys (``<c r="`` is six characters, then the letters, then the row)."""
    digits = str(number)
    keyed = []
    for xml in fresh:
        letters = xml[6 : xml.index(digits, 6)].encode()
        keyed.append(((len(letters), letters), xml.encode()))
    return keyed


def _all_inside(row_cells: bytes, cleared: list[tuple[ColumnKey, ColumnKey]]) -> bool:
    """True when every cell of the row lies in a cleared range (so none is kept and none need splitting)."""
    columns = _ALL_CELL_COLUMNS.findall(row_cells)
    if len(columns) != len(_ANY_CELL.findall(row_cells)):
        return False
    return all(any(low <= (len(c), c) <= high for low, high in cleared) for c in columns)


def rewrite_sheet_data(
    body: bytes,
    regions: Sequence[Region],
    blocks: Sequence[Block],
    cells: CellWriter,
) -> Iterator[bytes]:
    """The sheetData body with each region cleared and each block written, other cells untouched."""
    new_rows = _new_rows(blocks, cells)
    bounds = [
        (region, _column_key(column_letter(region.left).encode()), _column_key(column_letter(region.right).encode()))
        for region in regions
    ]
    pending = sorted(new_rows)
    next_new = 0
    last = 0
    chunk: list[bytes] = []
    for number, attrs, row_cells in _split_rows(body):
        if number <= last:
            raise Unsupported("rows out of order")
        last = number
        while next_new < len(pending) and pending[next_new] < number:
            row = pending[next_new]
            chunk.append(_row_xml(f' r="{row}"'.encode(), "".join(new_rows[row]).encode()))
            next_new += 1
        cleared = [(low, high) for region, low, high in bounds if region.covers_row(number)]
        fresh = new_rows.get(number)
        if fresh is not None:
            next_new += 1
        if not cleared and fresh is None:
            chunk.append(b"<row" + attrs + (b">" + row_cells + b"</row>" if row_cells else b"/>"))
        else:
            attrs = _SPANS.sub(b"", attrs)
            if cleared:
                # A row of a rewritten table is shown: hidden by a user's filter (or grouped) before, it
                # would hide the new row that takes its place.
                attrs = _ROW_STATE.sub(b"", attrs)
            # A row left with no cells is dropped unless it holds more than its number (a height, a style).
            bare = attrs.strip() == f'r="{number}"'.encode()
            if not row_cells or (cleared and _all_inside(row_cells, cleared)):
                if fresh is not None or not bare:
                    chunk.append(_row_xml(attrs, "".join(fresh).encode() if fresh else b""))
            else:
                kept = [
                    (key, xml)
                    for key, xml in _split_cells(row_cells)
                    if not any(low <= key <= high for low, high in cleared)
                ]
                if fresh is not None:
                    kept = sorted(kept + _keyed(fresh, number), key=lambda item: item[0])
                if kept or not bare:
                    chunk.append(_row_xml(attrs, b"".join(xml for _, xml in kept)))
        if len(chunk) >= 2000:
            yield b"".join(chunk)
            chunk = []
    for row in pending[next_new:]:
        chunk.append(_row_xml(f' r="{row}"'.encode(), "".join(new_rows[row]).encode()))
        if len(chunk) >= 2000:
            yield b"".join(chunk)
            chunk = []
    if chunk:
        yield b"".join(chunk)


def split_sheet(xml: bytes) -> tuple[bytes, bytes, bytes]:
    """(before sheetData, its body, after it) of a worksheet part."""
    match = _SHEET_DATA_OPEN.search(xml)
    if match is None:
        raise Unsupported("a worksheet without sheetData")
    if match.group(1):
        return xml[: match.start()], b"", xml[match.end() :]
    close = xml.find(b"</sheetData>", match.end())
    if close < 0:
        raise Unsupported("an unclosed sheetData")
    return xml[: match.start()], xml[match.end() : close], xml[close + len(b"</sheetData>") :]


_PLACEHOLDER = b"<sheetData/>"

SHARED_FORMULA = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?f\b[^>]*\st\s*=\s*["']shared["']""")


def shell(before: bytes, after: bytes) -> etree._Element:
    root = etree.fromstring(before + _PLACEHOLDER + after, PARSER)
    if root.tag != f"{QMAIN}worksheet" or root.prefix is not None:
        raise Unsupported("a worksheet in a prefixed or unknown namespace")
    return root


def shell_halves(root: etree._Element) -> tuple[bytes, bytes]:
    xml = serialise(root)
    match = re.search(rb"<sheetData\s*/>", xml)
    if match is None:
        raise Unsupported("sheetData lost")
    return xml[: match.start()] + b"<sheetData>", b"</sheetData>" + xml[match.end() :]


def ref_bounds(ref: str) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of "A3:F10" or "B7"."""
    parts = ref.replace("$", "").split(":")
    numbers = []
    for part in parts:
        match = re.fullmatch(r"([A-Z]{1,3})(\d+)", part.upper())
        if match is None:
            raise Unsupported(f"a range {ref!r}")
        numbers.append((column_number(match.group(1)), int(match.group(2))))
    (left, top), (right, bottom) = numbers[0], numbers[-1]
    return min(left, right), min(top, bottom), max(left, right), max(top, bottom)


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def edit_shell(
    root: etree._Element,
    regions: Sequence[Region],
    blocks: Sequence[Block],
) -> None:
    """Merges, hyperlinks and the dimension of a sheet whose regions are rewritten.

    A rewritten region loses its hyperlinks (an older run's, or a user's): the links a run
    writes are ``HYPERLINK`` formulas in the cells (layout.link_formula).
    """
    boxes = [(r.left, r.top, r.right, r.bottom) for r in regions]
    merges = root.find(f"{QMAIN}mergeCells")
    if merges is not None:
        for merge in list(merges):
            if isinstance(merge.tag, str) and any(_overlaps(ref_bounds(merge.get("ref", "A1")), b) for b in boxes):
                merges.remove(merge)
        remaining = [m for m in merges if isinstance(m.tag, str)]
        if remaining:
            merges.set("count", str(len(remaining)))
        else:
            root.remove(merges)
    hyperlinks = root.find(f"{QMAIN}hyperlinks")
    if hyperlinks is not None:
        for link in list(hyperlinks):
            if isinstance(link.tag, str) and any(_overlaps(ref_bounds(link.get("ref", "A1")), b) for b in boxes):
                hyperlinks.remove(link)
    if hyperlinks is not None and not any(isinstance(h.tag, str) for h in hyperlinks):
        root.remove(hyperlinks)
    dimension = root.find(f"{QMAIN}dimension")
    if dimension is not None:
        box = ref_bounds(dimension.get("ref", "A1"))
        for block in blocks:
            box = (min(box[0], block.left), min(box[1], block.top), max(box[2], block.right), max(box[3], block.bottom))
        dimension.set("ref", f"{column_letter(box[0])}{box[1]}:{column_letter(box[2])}{box[3]}")


def widen_columns(root: etree._Element, left: int, needed: Sequence[float | None]) -> None:
    """Widen the sheet's columns from ``left`` that are narrower than ``needed`` says (None: leave it).

    A ``<col>`` covering several columns is split around a widened one, its other attributes
    (style, hidden, outline) kept on every piece; a column with no ``<col>`` has the sheet's
    default width. Nothing is narrowed (layout.figure_widths).
    """
    cols = root.find(f"{QMAIN}cols")
    pieces = [c for c in cols if isinstance(c.tag, str)] if cols is not None else []
    form = root.find(f"{QMAIN}sheetFormatPr")
    default = float(form.get("defaultColWidth") or DEFAULT_COLUMN_WIDTH) if form is not None else DEFAULT_COLUMN_WIDTH
    changed = False
    for offset, width in enumerate(needed):
        index = left + offset
        if width is None:
            continue
        covering = next((c for c in pieces if int(c.get("min", "0")) <= index <= int(c.get("max", "0"))), None)
        current = float(covering.get("width") or default) if covering is not None else default
        if current >= width:
            continue
        changed = True
        if covering is None:
            one = etree.Element(f"{QMAIN}col")
        else:
            low, high = int(covering.get("min", "0")), int(covering.get("max", "0"))
            pieces.remove(covering)
            for start, end in ((low, index - 1), (index + 1, high)):
                if start <= end:
                    rest = etree.fromstring(etree.tostring(covering))
                    rest.set("min", str(start))
                    rest.set("max", str(end))
                    pieces.append(rest)
            one = etree.fromstring(etree.tostring(covering))
        one.set("min", str(index))
        one.set("max", str(index))
        one.set("width", str(width))
        one.set("customWidth", "1")
        pieces.append(one)
    if not changed:
        return
    if cols is None:
        cols = etree.Element(f"{QMAIN}cols")
        insert_in_order(root, cols, _SHEET_ORDER)
    for child in list(cols):
        cols.remove(child)
    for piece in sorted(pieces, key=lambda c: int(c.get("min", "0"))):
        cols.append(piece)


def new_sheet_xml(block: Block, layout: NewSheet, cells: CellWriter, note: str, table_rel: str) -> Iterator[bytes]:
    """A whole new sheet for one output table: title, note, frozen header, fitted widths, the table,
    and how it prints (layout.new_sheet_layout; its print titles are a defined name of the workbook)."""
    widths, title = layout.widths, layout.title
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>' for i, width in enumerate(widths, start=1)
    )
    yield (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}">'
        f'<sheetPr><tabColor rgb="FF{OUTPUT_TAB}"/><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:{column_letter(max(block.right, 1))}{block.bottom}"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="3" topLeftCell="A4" activePane="bottomLeft" '
        'state="frozen"/><selection pane="bottomLeft" activeCell="A4" sqref="A4"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{cols}</cols>" if cols else "")
        + "<sheetData>"
        + f'<row r="1">{inline_string("A1", cells.style(TITLE_STYLE), title)}</row>'
        + f'<row r="2">{inline_string("A2", cells.style(NOTE_STYLE), note)}</row>'
    ).encode()
    chunk: list[str] = []
    table = block.table
    wrap = wrapped_columns(table, widths)
    header = layout.header_height
    for number, row in block.rows(cells):
        height = row_height(table.rows[number - block.top - 1], widths, wrap) if number > block.top else header
        tall = f' ht="{height}" customHeight="1"' if height is not None else ""
        chunk.append(f'<row r="{number}"{tall}>' + "".join(row) + "</row>")
        if len(chunk) >= 2000:
            yield "".join(chunk).encode()
            chunk = []
    if chunk:
        yield "".join(chunk).encode()
    tail = ["</sheetData>"]
    tail.append(page_setup_xml(layout.setup))
    tail.append(f'<tableParts count="1"><tablePart r:id="{table_rel}"/></tableParts></worksheet>')
    yield "".join(tail).encode()


_HAS_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:v|is|f)[\s>/]")


def first_filled_cell(body: bytes, old: Region, new: Region) -> str | None:
    """The first cell holding a value or formula in ``new`` but outside ``old`` (what a grown table would hide)."""
    low, high = _column_key(column_letter(new.left).encode()), _column_key(column_letter(new.right).encode())
    was_low = _column_key(column_letter(old.left).encode())
    was_high = _column_key(column_letter(old.right).encode())
    for number, _attrs, row_cells in _split_rows(body):
        if number < new.top:
            continue
        if number > new.bottom:
            return None
        inside_old_rows = old.covers_row(number)
        for key, xml in _split_cells(row_cells):
            if not low <= key <= high or (inside_old_rows and was_low <= key <= was_high):
                continue
            if _HAS_VALUE.search(xml):
                return f"{key[1].decode()}{number}"
    return None


def page_setup_xml(setup: PrintSetup) -> str:
    """A sheet's margins, A4 page setup fitted to one page wide, and its footer."""
    left, right, top, bottom, header, footer = MARGINS
    orientation = "landscape" if setup.landscape else "portrait"
    return (
        f'<pageMargins left="{left}" right="{right}" top="{top}" bottom="{bottom}" header="{header}" '
        f'footer="{footer}"/><pageSetup paperSize="{PAPER_A4}" orientation="{orientation}" fitToWidth="1" '
        f'fitToHeight="0"/><headerFooter><oddFooter>{xml_text(setup.footer)}</oddFooter></headerFooter>'
    )
