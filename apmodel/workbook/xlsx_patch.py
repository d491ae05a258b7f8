"""Writing output tables into a Forum workbook file without loading it: a patch of the zip.

Rules (docs/forum-workbook.md, "How the workbook is read"): input tables are never written by a run; an
output table is replaced whole where it is (or on a new sheet of its name, title in A1,
note in A2, header on row 3); text is written as text, never a formula.

openpyxl would load every input cell to write a few output sheets (at England scale,
minutes and gigabytes), so the file adapter patches the package instead:

- every part it does not change is copied byte for byte, still compressed (the input
  sheets are never even decompressed);
- a sheet holding an output table is streamed row by row: only the cells of the table's
  old and new ranges change, every other cell, row height, merge or link on it is kept;
- a table part gets its new range and columns; ``styles.xml`` gets the few cell formats
  the outputs use (added once, found again on the next run); ``workbook.xml``, its
  relationships and ``[Content_Types].xml`` get any new sheet and table;
- a whole sheet drawn by openpyxl on a scratch workbook (the Dashboard, with its charts) is
  transplanted: its cells with their formats, its drawing and its chart parts, replacing
  the sheet of that name and the parts it had.

Strings are written inline (``t="inlineStr"``), as openpyxl writes them. Anything this
module does not handle (a prefixed main namespace, cells without references, an output name
taken by a sheet that does not hold that table...) raises ``Unsupported`` before a byte is
written, and the adapter falls back to openpyxl.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from lxml import etree

from apmodel.workbook.contract import Kind
from apmodel.workbook.interface import (
    MAIN,
    NUMBER_FORMATS,
    PKG_REL,
    REL,
    OutputTable,
    cell_format,
    column_letter,
    column_number,
)

CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_M = "{" + MAIN + "}"
_R = "{" + REL + "}"
_P = "{" + PKG_REL + "}"
_CT = "{" + CONTENT_TYPES + "}"

REL_SHEET = REL + "/worksheet"
REL_TABLE = REL + "/table"
REL_STYLES = REL + "/styles"
REL_CALC_CHAIN = REL + "/calcChain"
REL_DRAWING = REL + "/drawing"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"

#: Excel's limit on the text of one cell; longer text makes Excel "repair" the file.
MAX_CELL_TEXT = 32_767
_EXCEL_EPOCH = datetime(1899, 12, 30)
_SECONDS_PER_DAY = 86_400

#: Numbers formats Excel knows by id without a <numFmt> entry.
_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}

#: The order of a worksheet's children (CT_Worksheet): new elements go in their place.
_SHEET_ORDER = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr", "sheetProtection",
    "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate", "customSheetViews", "mergeCells",
    "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions", "pageMargins",
    "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors",
    "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
    "webPublishItems", "tableParts", "extLst",
)
_STYLE_ORDER = (
    "numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles",
    "colors", "extLst",
)

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


class Unsupported(Exception):
    """This package has something the patch does not handle; write it with openpyxl instead."""


# --- Cells ------------------------------------------------------------------------------------

_NEEDS_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _escape_match(match: re.Match[str]) -> str:
    text = match.group()
    if text in _ESCAPES:
        return _ESCAPES[text]
    if text.startswith("_x"):
        # A literal "_x0041_" would be read back as "A": escape its underscore as Excel does.
        return "_x005F" + text
    return f"_x{ord(text):04X}_"


def is_plain_text(text: str) -> bool:
    """Text that goes into a cell as it is: not empty, nothing to escape, no edge spaces or new lines, not too long."""
    return (
        0 < len(text) <= MAX_CELL_TEXT
        and not text[0].isspace()
        and not text[-1].isspace()
        and "\n" not in text
        and _NEEDS_ESCAPE.search(text) is None
    )


def xml_text(text: str) -> str:
    """Text as element content: XML-escaped, with characters XML cannot hold as Excel's _xHHHH_."""
    return _NEEDS_ESCAPE.sub(_escape_match, text) if _NEEDS_ESCAPE.search(text) else text


def xml_attr(text: str) -> str:
    return xml_text(text).replace('"', "&quot;")


def excel_serial(value: date) -> float | int:
    """A date or datetime as Excel's serial number (1900 date system, as openpyxl counts it)."""
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    moment = moment.replace(tzinfo=None)
    delta = moment - _EXCEL_EPOCH
    days = delta.days
    if 0 < days <= 60:
        days -= 1  # Excel's 29 February 1900, a day that never was
    if delta.seconds or delta.microseconds:
        return days + (delta.seconds + delta.microseconds / 1e6) / _SECONDS_PER_DAY
    return days


def _text_tail(text: str) -> str:
    """What follows ``<c r="A1"`` for an unstyled text cell ("" for an empty text: no cell, as openpyxl)."""
    if not text:
        return ""
    if is_plain_text(text):
        return f' t="inlineStr"><is><t>{text}</t></is></c>'
    cell = inline_string("A1", 0, text)
    return cell[len('<c r="A1"') :]


def inline_string(ref: str, style: int, text: str) -> str:
    text = text[:MAX_CELL_TEXT]
    body = xml_text(text)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() or "\n" in text else ""
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{styled} t="inlineStr"><is><t{space}>{body}</t></is></c>'


@dataclass(frozen=True)
class CellStyle:
    """What a written cell looks like: a number format, a font and an alignment (None: Excel's default)."""

    number_format: str | None = None
    font: str | None = None
    alignment: str | None = None


TITLE_STYLE = CellStyle(font='<font><b val="1"/><sz val="14"/></font>')
NOTE_STYLE = CellStyle(font='<font><i val="1"/><color rgb="00595959"/></font>')
LINK_STYLE = CellStyle(font='<font><color rgb="000563C1"/><u val="single"/></font>')
HEADER_STYLE = CellStyle(alignment='<alignment vertical="top" wrapText="1"/>')


class CellWriter:
    """Turns Python values into cell XML, as the openpyxl writer would show them."""

    def __init__(self, styles: StyleSheet, link_text: str) -> None:
        self.styles = styles
        self.link_text = link_text
        self._index: dict[CellStyle, int] = {}

    def style(self, style: CellStyle) -> int:
        index = self._index.get(style)
        if index is None:
            index = self._index[style] = self.styles.xf(style)
        return index

    def value(self, ref: str, value: Any, kind_format: str | None, money_in_text: bool) -> str | None:
        """One cell's XML, or None for a blank cell (nothing written)."""
        if value is None or value == "":
            return None  # openpyxl writes an empty string as an empty cell too
        if isinstance(value, str):
            return inline_string(ref, 0, value)
        if isinstance(value, bool):
            return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | Decimal | float):
            if isinstance(value, Decimal):
                if not value.is_finite():
                    return inline_string(ref, 0, str(value))
                # As excel_value: a whole Decimal with no places is an int, money keeps its pence.
                text = format(value, "f")
            elif isinstance(value, float):
                if value != value or value in (float("inf"), float("-inf")):
                    return inline_string(ref, 0, str(value))
                text = repr(value)
            else:
                text = str(value)
            number_format = cell_format(value, kind_format, money_in_text)
            if number_format is None:
                return f'<c r="{ref}"><v>{text}</v></c>'
            return f'<c r="{ref}" s="{self.style(CellStyle(number_format))}"><v>{text}</v></c>'
        if isinstance(value, date):
            number_format = cell_format(value, kind_format, money_in_text)
            return f'<c r="{ref}" s="{self.style(CellStyle(number_format))}"><v>{excel_serial(value)}</v></c>'
        return inline_string(ref, 0, str(value))


@dataclass
class Block:
    """One output table's cells, rows and hyperlinks, placed with its header at (top, left)."""

    table: OutputTable
    top: int
    left: int

    @property
    def right(self) -> int:
        return self.left + len(self.table.columns) - 1

    @property
    def bottom(self) -> int:
        return self.top + max(len(self.table.rows), 1)

    @property
    def ref(self) -> str:
        return f"{column_letter(self.left)}{self.top}:{column_letter(self.right)}{self.bottom}"

    def rows(self, cells: CellWriter, links: list[tuple[str, str]]) -> Iterator[tuple[int, list[str]]]:
        """(sheet row, cell XML in column order) for the header and each data row."""
        table = self.table
        letters = [column_letter(self.left + i) for i in range(len(table.columns))]
        header_style = cells.style(HEADER_STYLE)
        yield self.top, [
            inline_string(f"{letter}{self.top}", header_style, column.name)
            for letter, column in zip(letters, table.columns, strict=True)
        ]
        plan = []
        for letter, column in zip(letters, table.columns, strict=True):
            number_format = NUMBER_FORMATS.get(column.kind) if column.kind is not Kind.TEXT else None
            in_text = column.kind is Kind.TEXT
            whole = f' s="{cells.style(CellStyle(number_format))}"' if number_format else ""
            # In a text column (Summary's Value) a Decimal is money, shown as £.
            money = f' s="{cells.style(CellStyle(NUMBER_FORMATS[Kind.MONEY]))}"' if in_text else whole
            plan.append((letter, number_format, in_text, column.name == "Link", whole, money))
        link_style = cells.style(LINK_STYLE)
        write = cells.value
        # Text repeats (districts, codes, statuses): each distinct text is escaped once per table.
        text_tails: dict[str, str] = {}
        # The commonest cells (short plain text, whole numbers, finite Decimals) are written here
        # directly; everything else goes through CellWriter.value, which gives the same XML.
        for number, values in enumerate(table.rows, start=self.top + 1):
            row: list[str] = []
            for (letter, number_format, in_text, link, whole, money), value in zip(plan, values, strict=False):
                if value is None:
                    continue
                if link:
                    if value:
                        ref = f"{letter}{number}"
                        links.append((ref, str(value)))
                        row.append(inline_string(ref, link_style, cells.link_text))
                    continue
                kind = type(value)
                if kind is str:
                    tail = text_tails.get(value)
                    if tail is None:
                        tail = text_tails[value] = _text_tail(value)
                    if tail:
                        row.append(f'<c r="{letter}{number}"{tail}')
                elif kind is int:
                    row.append(f'<c r="{letter}{number}"{whole}><v>{value}</v></c>')
                elif kind is Decimal and value.is_finite():
                    row.append(f'<c r="{letter}{number}"{money}><v>{value:f}</v></c>')
                else:
                    cell = write(f"{letter}{number}", value, number_format, in_text)
                    if cell is not None:
                        row.append(cell)
            yield number, row


# --- Styles -----------------------------------------------------------------------------------


def _canon(element: etree._Element) -> tuple[Any, ...]:
    """An element's local name, attributes and children, ignoring namespaces and order of attributes."""
    return (
        etree.QName(element).localname,
        tuple(sorted((etree.QName(k).localname, v) for k, v in element.attrib.items())),
        tuple(_canon(child) for child in element if isinstance(child.tag, str)),
    )


def _main(snippet: str) -> etree._Element:
    """One element written without its namespace, in the main SpreadsheetML namespace."""
    wrapper = etree.fromstring(f'<wrapper xmlns="{MAIN}">{snippet}</wrapper>', _PARSER)
    return wrapper[0]


_MINIMAL_STYLES = (
    f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/>'
    '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/>'
    '<diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


class StyleSheet:
    """``styles.xml``: formats are looked up first and added only when missing (runs do not pile them up)."""

    def __init__(self, xml: bytes | None) -> None:
        self.root = etree.fromstring(xml if xml is not None else _MINIMAL_STYLES.encode(), _PARSER)
        if self.root.tag != f"{_M}styleSheet":
            raise Unsupported("styles.xml is not a SpreadsheetML style sheet")
        self.changed = xml is None

    def _list(self, name: str) -> etree._Element:
        found = self.root.find(f"{_M}{name}")
        if found is None:
            found = etree.Element(f"{_M}{name}")
            _insert_in_order(self.root, found, _STYLE_ORDER)
        return found

    def _index_of(self, name: str, element: etree._Element) -> int:
        """The position of an equal element in the list ``name``, appending it if there is none."""
        container = self._list(name)
        wanted = _canon(element)
        items = [child for child in container if isinstance(child.tag, str)]
        for index, item in enumerate(items):
            if _canon(item) == wanted:
                return index
        container.append(element)
        container.set("count", str(len(items) + 1))
        self.changed = True
        return len(items)

    def number_format_id(self, code: str) -> int:
        if code in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[code]
        container = self._list("numFmts")
        highest = 163
        for item in container:
            if not isinstance(item.tag, str):
                continue
            number = int(item.get("numFmtId", "0"))
            if item.get("formatCode") == code:
                return number
            highest = max(highest, number)
        element = etree.SubElement(container, f"{_M}numFmt", numFmtId=str(highest + 1), formatCode=code)
        container.set("count", str(len([c for c in container if isinstance(c.tag, str)])))
        self.changed = True
        return int(element.get("numFmtId", "0"))

    def xf(self, style: CellStyle) -> int:
        return self.import_xf(
            style.number_format,
            _main(style.font) if style.font else None,
            None,
            None,
            _main(style.alignment) if style.alignment else None,
        )

    def import_xf(
        self,
        number_format: str | None,
        font: etree._Element | None,
        fill: etree._Element | None,
        border: etree._Element | None,
        alignment: etree._Element | None,
    ) -> int:
        """The index in cellXfs of a format with these parts (each added to its own list if new)."""
        xf = etree.Element(f"{_M}xf")
        xf.set("numFmtId", str(self.number_format_id(number_format) if number_format else 0))
        xf.set("fontId", str(self._index_of("fonts", font) if font is not None else 0))
        xf.set("fillId", str(self._index_of("fills", fill) if fill is not None else 0))
        xf.set("borderId", str(self._index_of("borders", border) if border is not None else 0))
        xf.set("xfId", "0")
        if number_format:
            xf.set("applyNumberFormat", "1")
        if font is not None:
            xf.set("applyFont", "1")
        if fill is not None:
            xf.set("applyFill", "1")
        if border is not None:
            xf.set("applyBorder", "1")
        if alignment is not None:
            xf.set("applyAlignment", "1")
            xf.append(alignment)
        return self._index_of("cellXfs", xf)

    def to_bytes(self) -> bytes:
        return _serialise(self.root)


# --- Package ----------------------------------------------------------------------------------


def _serialise(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _insert_in_order(parent: etree._Element, element: etree._Element, order: Sequence[str]) -> None:
    """Put ``element`` among ``parent``'s children where the schema's sequence wants it."""
    name = etree.QName(element).localname
    rank = order.index(name) if name in order else len(order)
    for index, child in enumerate(parent):
        if not isinstance(child.tag, str):
            continue
        child_name = etree.QName(child).localname
        if child_name in order and order.index(child_name) > rank:
            parent.insert(index, element)
            return
    parent.append(element)


def _resolve(base_part: str, target: str) -> str:
    """A relationship target as a part name (no leading slash)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _relative(base_part: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(base_part))


def rels_part(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


@dataclass
class Relationships:
    """One ``.rels`` part."""

    part: str
    root: etree._Element
    changed: bool = False

    @classmethod
    def read(cls, package: Package, owner: str) -> Relationships:
        part = rels_part(owner)
        xml = package.read(part) if package.has(part) else None
        root = etree.fromstring(xml, _PARSER) if xml else etree.Element(f"{_P}Relationships", nsmap={None: PKG_REL})
        return cls(part, root, changed=xml is None)

    def items(self) -> list[etree._Element]:
        return [r for r in self.root if isinstance(r.tag, str) and etree.QName(r).localname == "Relationship"]

    def add(self, rel_type: str, target: str) -> str:
        used = {r.get("Id") for r in self.items()}
        number = len(used) + 1
        while f"rId{number}" in used:
            number += 1
        etree.SubElement(self.root, f"{_P}Relationship", Id=f"rId{number}", Type=rel_type, Target=target)
        self.changed = True
        return f"rId{number}"

    def remove(self, rel: etree._Element) -> None:
        self.root.remove(rel)
        self.changed = True


class Package:
    """The source zip, read lazily, and the parts to write over it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise Unsupported(str(exc)) from exc
        self.infos = {info.filename: info for info in self.zip.infolist()}
        self.written: dict[str, bytes | Iterable[bytes]] = {}
        self.removed: set[str] = set()

    def has(self, part: str) -> bool:
        return part not in self.removed and (part in self.written or part in self.infos)

    def read(self, part: str) -> bytes:
        data = self.written.get(part)
        if isinstance(data, bytes):
            return data
        if data is not None:
            raise Unsupported(f"{part} is being streamed")
        return self.zip.read(part)

    def write(self, part: str, data: bytes | Iterable[bytes]) -> None:
        self.removed.discard(part)
        self.written[part] = data

    def remove(self, part: str) -> None:
        self.written.pop(part, None)
        self.removed.add(part)

    def unused(self, pattern: str) -> str:
        """The first part name ``pattern % n`` not in the package (n from 1)."""
        number = 1
        while self.has(pattern % number) or (pattern % number) in self.infos:
            number += 1
        return pattern % number

    def close(self) -> None:
        self.zip.close()


# --- Sheets -----------------------------------------------------------------------------------

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
_ALL_CELL_COLUMNS = re.compile(rb'<c\b[^>]*?\sr="([A-Z]{1,3})\d+"')
_ANY_CELL = re.compile(rb"<c[\s/>]")


def _new_rows(blocks: Sequence[Block], cells: CellWriter, links: list[tuple[str, str]]) -> dict[int, list[str]]:
    """The blocks' cells by sheet row (blocks left to right, so each row's cells are in column order)."""
    rows: dict[int, list[str]] = {}
    for block in sorted(blocks, key=lambda b: b.left):
        for number, row in block.rows(cells, links):
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
    body: bytes, regions: Sequence[Region], blocks: Sequence[Block], cells: CellWriter, links: list[tuple[str, str]]
) -> Iterator[bytes]:
    """The sheetData body with each region cleared and each block written, other cells untouched."""
    new_rows = _new_rows(blocks, cells, links)
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


def _split_sheet(xml: bytes) -> tuple[bytes, bytes, bytes]:
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
_SHARED_FORMULA = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?f\b[^>]*\st\s*=\s*["']shared["']""")


def _shell(before: bytes, after: bytes) -> etree._Element:
    root = etree.fromstring(before + _PLACEHOLDER + after, _PARSER)
    if root.tag != f"{_M}worksheet" or root.prefix is not None:
        raise Unsupported("a worksheet in a prefixed or unknown namespace")
    return root


def _shell_halves(root: etree._Element) -> tuple[bytes, bytes]:
    xml = _serialise(root)
    match = re.search(rb"<sheetData\s*/>", xml)
    if match is None:
        raise Unsupported("sheetData lost")
    return xml[: match.start()] + b"<sheetData>", b"</sheetData>" + xml[match.end() :]


def _ref_bounds(ref: str) -> tuple[int, int, int, int]:
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
    links: list[tuple[str, str]],
    link_text: str,
) -> None:
    """Merges, hyperlinks and the dimension of a sheet whose regions are rewritten."""
    boxes = [(r.left, r.top, r.right, r.bottom) for r in regions]
    merges = root.find(f"{_M}mergeCells")
    if merges is not None:
        for merge in list(merges):
            if isinstance(merge.tag, str) and any(_overlaps(_ref_bounds(merge.get("ref", "A1")), b) for b in boxes):
                merges.remove(merge)
        remaining = [m for m in merges if isinstance(m.tag, str)]
        if remaining:
            merges.set("count", str(len(remaining)))
        else:
            root.remove(merges)
    hyperlinks = root.find(f"{_M}hyperlinks")
    if hyperlinks is not None:
        for link in list(hyperlinks):
            if isinstance(link.tag, str) and any(_overlaps(_ref_bounds(link.get("ref", "A1")), b) for b in boxes):
                hyperlinks.remove(link)
    if links:
        if hyperlinks is None:
            hyperlinks = etree.Element(f"{_M}hyperlinks")
            _insert_in_order(root, hyperlinks, _SHEET_ORDER)
        for ref, location in links:
            etree.SubElement(hyperlinks, f"{_M}hyperlink", ref=ref, location=location, display=link_text)
    if hyperlinks is not None and not any(isinstance(h.tag, str) for h in hyperlinks):
        root.remove(hyperlinks)
    dimension = root.find(f"{_M}dimension")
    if dimension is not None:
        box = _ref_bounds(dimension.get("ref", "A1"))
        for block in blocks:
            box = (min(box[0], block.left), min(box[1], block.top), max(box[2], block.right), max(box[3], block.bottom))
        dimension.set("ref", f"{column_letter(box[0])}{box[1]}:{column_letter(box[2])}{box[3]}")


def new_sheet_xml(
    block: Block, widths: Sequence[float], cells: CellWriter, title: str, note: str, table_rel: str
) -> Iterator[bytes]:
    """A whole new sheet for one output table: title, note, frozen header, fitted widths, the table."""
    links: list[tuple[str, str]] = []
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>' for i, width in enumerate(widths, start=1)
    )
    yield (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}">'
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
    for number, row in block.rows(cells, links):
        chunk.append(f'<row r="{number}">' + "".join(row) + "</row>")
        if len(chunk) >= 2000:
            yield "".join(chunk).encode()
            chunk = []
    if chunk:
        yield "".join(chunk).encode()
    tail = ["</sheetData>"]
    if links:
        tail.append("<hyperlinks>")
        tail.extend(
            f'<hyperlink ref="{ref}" location="{xml_attr(location)}" display="{xml_attr(cells.link_text)}"/>'
            for ref, location in links
        )
        tail.append("</hyperlinks>")
    tail.append('<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>')
    tail.append(f'<tableParts count="1"><tablePart r:id="{table_rel}"/></tableParts></worksheet>')
    yield "".join(tail).encode()


def table_xml(table_id: int, block: Block, style: str) -> bytes:
    name = xml_attr(block.table.name)
    columns = "".join(
        f'<tableColumn id="{i}" name="{xml_attr(column.name)}"/>' for i, column in enumerate(block.table.columns, 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<table xmlns="{MAIN}" id="{table_id}" name="{name}" displayName="{name}" ref="{block.ref}" '
        f'totalsRowShown="0"><autoFilter ref="{block.ref}"/>'
        f'<tableColumns count="{len(block.table.columns)}">{columns}</tableColumns>'
        f'<tableStyleInfo name="{xml_attr(style)}" showFirstColumn="0" showLastColumn="0" showRowStripes="1" '
        'showColumnStripes="0"/></table>'
    ).encode()


# --- The whole patch --------------------------------------------------------------------------


@dataclass
class SheetInfo:
    name: str
    part: str
    element: etree._Element
    rel: etree._Element
    rels: Relationships | None = None
    #: displayName (casefolded) -> (table part, table id, ref)
    tables: dict[str, tuple[str, int, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Transplant:
    """A whole sheet built by openpyxl in a scratch workbook (saved to ``data``), to replace ours."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Layout:
    """How new output sheets look: the writer's constants, passed in by the adapter."""

    table_style: str
    link_text: str
    note: str
    widths: Callable[[OutputTable, int], float]


class Patch:
    """Everything a save changes in one package."""

    def __init__(self, source: Path, layout: Layout) -> None:
        self.package = Package(source)
        self.layout = layout
        package = self.package
        try:
            if not package.has("xl/workbook.xml") or not package.has("xl/_rels/workbook.xml.rels"):
                raise Unsupported("the workbook part is not xl/workbook.xml")
            self.workbook = etree.fromstring(package.read("xl/workbook.xml"), _PARSER)
            if self.workbook.tag != f"{_M}workbook" or self.workbook.prefix is not None:
                raise Unsupported("a workbook in a prefixed or unknown namespace")
            self.workbook_rels = Relationships.read(package, "xl/workbook.xml")
            self.content_types = etree.fromstring(package.read("[Content_Types].xml"), _PARSER)
            self.sheets = self._sheets()
            styles_rel = self._workbook_rel(REL_STYLES)
            self.styles_part = _resolve("xl/workbook.xml", styles_rel.get("Target", "")) if styles_rel is not None \
                else "xl/styles.xml"
            self.styles = StyleSheet(package.read(self.styles_part) if styles_rel is not None else None)
            if styles_rel is None:
                self.workbook_rels.add(REL_STYLES, "styles.xml")
                self._override("/" + self.styles_part, CT_STYLES)
            self.cells = CellWriter(self.styles, layout.link_text)
            self.table_ids = self._table_ids()
        except (etree.XMLSyntaxError, KeyError, ValueError) as exc:
            package.close()
            raise Unsupported(str(exc)) from exc

    # -- Reading the package -------------------------------------------------------------------

    def _workbook_rel(self, rel_type: str) -> etree._Element | None:
        for rel in self.workbook_rels.items():
            if rel.get("Type") == rel_type:
                return rel
        return None

    def _sheets(self) -> list[SheetInfo]:
        targets = {rel.get("Id"): rel for rel in self.workbook_rels.items()}
        sheets_element = self.workbook.find(f"{_M}sheets")
        if sheets_element is None:
            raise Unsupported("no sheets")
        sheets: list[SheetInfo] = []
        for element in sheets_element:
            if not isinstance(element.tag, str):
                continue
            rel = targets.get(element.get(f"{_R}id"))
            if rel is None:
                raise Unsupported("a sheet without its relationship")
            part = _resolve("xl/workbook.xml", rel.get("Target", ""))
            info = SheetInfo(element.get("name", ""), part, element, rel)
            if rel.get("Type") == REL_SHEET and self.package.has(rel_part := rels_part(part)):
                info.rels = Relationships(rel_part, etree.fromstring(self.package.read(rel_part), _PARSER))
                for table_rel in info.rels.items():
                    if table_rel.get("Type") != REL_TABLE or table_rel.get("TargetMode") == "External":
                        continue
                    table_part = _resolve(part, table_rel.get("Target", ""))
                    if not self.package.has(table_part):
                        continue
                    table = etree.fromstring(self.package.read(table_part), _PARSER)
                    info.tables[table.get("displayName", "").casefold()] = (
                        table_part,
                        int(table.get("id", "0")),
                        table.get("ref", "A1"),
                    )
            sheets.append(info)
        return sheets

    def _table_ids(self) -> set[int]:
        return {table_id for sheet in self.sheets for _, table_id, _ in sheet.tables.values()}

    def _override(self, part_name: str, content_type: str) -> None:
        for item in self.content_types:
            if isinstance(item.tag, str) and item.get("PartName") == part_name:
                item.set("ContentType", content_type)
                return
        etree.SubElement(self.content_types, f"{_CT}Override", PartName=part_name, ContentType=content_type)

    def _drop_override(self, part_name: str) -> None:
        for item in list(self.content_types):
            if isinstance(item.tag, str) and item.get("PartName") == part_name:
                self.content_types.remove(item)

    # -- Changes -------------------------------------------------------------------------------

    def write_tables(self, tables: Sequence[OutputTable]) -> None:
        """Each table where it is, or on a new sheet of its name (the last write of a name wins)."""
        latest: dict[str, OutputTable] = {}
        for table in tables:
            latest.pop(table.name.casefold(), None)
            latest[table.name.casefold()] = table
        placed: dict[str, list[tuple[Block, Region, str, int]]] = {}
        new: list[OutputTable] = []
        # Sheet names as Excel compares them (ignoring case).
        names = {sheet.name.casefold() for sheet in self.sheets}
        for key, table in latest.items():
            if not table.columns:
                raise Unsupported("a table without columns")
            holder = next((s for s in self.sheets if key in s.tables), None)
            if holder is None:
                if key in names:
                    raise Unsupported(f"a sheet named {table.name} without that table")
                new.append(table)
                continue
            table_part, table_id, ref = holder.tables[key]
            left, top, right, bottom = _ref_bounds(ref)
            block = Block(table, top, left)
            region = Region(top, bottom, left, right)
            placed.setdefault(holder.part, []).append((block, region, table_part, table_id))
        for sheet in self.sheets:
            edits = placed.get(sheet.part)
            if edits:
                self._edit_sheet(sheet, edits)
        for table in new:
            self._add_sheet(table)

    def _edit_sheet(self, sheet: SheetInfo, edits: list[tuple[Block, Region, str, int]]) -> None:
        xml = self.package.read(sheet.part)
        before, body, after = _split_sheet(xml)
        if _SHARED_FORMULA.search(body):
            # Clearing a shared formula's first cell would break the cells that share it; openpyxl
            # writes each of them out in full, so such a sheet takes the openpyxl route.
            raise Unsupported(f"shared formulas on the {sheet.name} sheet")
        root = _shell(before, after)
        blocks = [block for block, _, _, _ in edits]
        # A block longer than the old table clears what it covers too (the openpyxl writer overwrote it).
        regions = [region for _, region, _, _ in edits] + [
            Region(block.top, block.bottom, block.left, block.right) for block in blocks
        ]
        links: list[tuple[str, str]] = []
        rows = list(rewrite_sheet_data(body, regions, blocks, self.cells, links))
        edit_shell(root, regions, blocks, links, self.layout.link_text)
        head, tail = _shell_halves(root)
        self.package.write(sheet.part, [head, *rows, tail])
        for block, _, table_part, table_id in edits:
            self.package.write(table_part, table_xml(table_id, block, self.layout.table_style))

    def _add_sheet(self, table: OutputTable) -> None:
        part = self.package.unused("xl/worksheets/sheet%d.xml")
        table_part = self.package.unused("xl/tables/table%d.xml")
        table_id = max(self.table_ids, default=0) + 1
        self.table_ids.add(table_id)
        block = Block(table, 3, 1)
        rels = Relationships(rels_part(part), etree.Element(f"{_P}Relationships", nsmap={None: PKG_REL}))
        table_rel = rels.add(REL_TABLE, _relative(part, table_part))
        widths = [self.layout.widths(table, i) for i in range(len(table.columns))]
        self.package.write(
            part, list(new_sheet_xml(block, widths, self.cells, table.title or table.name, self.layout.note, table_rel))
        )
        self.package.write(rels.part, _serialise(rels.root))
        self.package.write(table_part, table_xml(table_id, block, self.layout.table_style))
        self._override("/" + part, CT_SHEET)
        self._override("/" + table_part, CT_TABLE)
        info = self.add_sheet(table.name, part)
        info.rels = rels
        info.tables[table.name.casefold()] = (table_part, table_id, block.ref)

    def add_sheet(self, name: str, part: str) -> SheetInfo:
        """List the worksheet ``part`` in the workbook as the last sheet, called ``name``."""
        rel_id = self.workbook_rels.add(REL_SHEET, _relative("xl/workbook.xml", part))
        sheets_element = self.workbook.find(f"{_M}sheets")
        assert sheets_element is not None
        sheet_ids = [int(s.get("sheetId", "0")) for s in sheets_element if isinstance(s.tag, str)]
        element = etree.SubElement(sheets_element, f"{_M}sheet", name=name, sheetId=str(max(sheet_ids) + 1))
        element.set(f"{_R}id", rel_id)
        info = SheetInfo(name, part, element, self.workbook_rels.items()[-1])
        self.sheets.append(info)
        return info

    def transplant(self, transplant: Transplant) -> None:
        """Replace (or add) the sheet ``transplant.name`` with the one openpyxl drew, drawings and all."""
        _transplant(self, transplant)

    # -- Saving --------------------------------------------------------------------------------

    def _finish(self) -> None:
        calc_chain = self._workbook_rel(REL_CALC_CHAIN)
        if calc_chain is not None:
            # The chain lists formula cells; Excel rebuilds it, and a stale one makes it "repair" the file.
            part = _resolve("xl/workbook.xml", calc_chain.get("Target", ""))
            self.package.remove(part)
            self._drop_override("/" + part)
            self.workbook_rels.remove(calc_chain)
        calc = self.workbook.find(f"{_M}calcPr")
        if calc is None:
            calc = etree.Element(f"{_M}calcPr", calcId="124519")
            _insert_in_order(self.workbook, calc, _WORKBOOK_ORDER)
        calc.set("fullCalcOnLoad", "1")
        self.package.write("xl/workbook.xml", _serialise(self.workbook))
        self.package.write(self.workbook_rels.part, _serialise(self.workbook_rels.root))
        self.package.write("[Content_Types].xml", _serialise(self.content_types))
        if self.styles.changed:
            self.package.write(self.styles_part, self.styles.to_bytes())

    def save(self, handle: IO[bytes]) -> None:
        """Write the patched package to ``handle`` (an open, empty, seekable file)."""
        try:
            self._finish()
            write_package(self.package, handle)
        finally:
            self.package.close()

    def save_to(self, path: Path) -> None:
        with path.open("wb") as handle:
            self.save(handle)

    def close(self) -> None:
        self.package.close()


_WORKBOOK_ORDER = (
    "fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets", "functionGroups",
    "externalReferences", "definedNames", "calcPr", "oleSize", "customWorkbookViews", "pivotCaches",
    "smartTagPr", "smartTagTypes", "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst",
)


# --- The Dashboard: a sheet drawn by openpyxl, moved in whole --------------------------------

_CELL_STYLE = re.compile(rb'(<c\b[^>]*?\ss=")(\d+)(")')
_SHARED_CELL = re.compile(rb'<c\b([^>]*?)\st="s"([^>]*)>(.*?)</c>', re.S)
_REL_ID = re.compile(rb'(\br:id=")([^"]+)(")')


def _transplant(patch: Patch, transplant: Transplant) -> None:
    scratch = zipfile.ZipFile(io.BytesIO(transplant.data))
    try:
        _transplant_from(patch, transplant.name, scratch)
    finally:
        scratch.close()


def _scratch_sheet(scratch: zipfile.ZipFile, name: str) -> str:
    book = etree.fromstring(scratch.read("xl/workbook.xml"), _PARSER)
    rels = etree.fromstring(scratch.read("xl/_rels/workbook.xml.rels"), _PARSER)
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    for sheet in book.iter(f"{_M}sheet"):
        if sheet.get("name") == name:
            return _resolve("xl/workbook.xml", targets[sheet.get(f"{_R}id")])
    raise Unsupported(f"the scratch workbook has no sheet {name}")


def _style_map(patch: Patch, scratch: zipfile.ZipFile) -> list[int]:
    """Each scratch cellXfs index -> the equal format's index in our styles.xml."""
    root = etree.fromstring(scratch.read("xl/styles.xml"), _PARSER)

    def items(name: str) -> list[etree._Element]:
        found = root.find(f"{_M}{name}")
        return [] if found is None else [c for c in found if isinstance(c.tag, str)]

    formats = {int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in items("numFmts")}
    builtin = {number: code for code, number in _BUILTIN_FORMATS.items()}
    fonts, fills, borders = items("fonts"), items("fills"), items("borders")
    mapping = []
    for xf in items("cellXfs"):
        number = int(xf.get("numFmtId", "0"))
        code = formats.get(number) or builtin.get(number)
        if code is None:
            raise Unsupported(f"a built-in number format {number}")
        font_id, fill_id, border_id = (int(xf.get(a, "0")) for a in ("fontId", "fillId", "borderId"))
        alignment = xf.find(f"{_M}alignment")
        mapping.append(
            patch.styles.import_xf(
                None if code == "General" else code,
                fonts[font_id] if font_id else None,
                fills[fill_id] if fill_id > 1 else None,
                borders[border_id] if border_id else None,
                alignment,
            )
        )
    return mapping


def _inline_shared(xml: bytes, strings: list[str]) -> bytes:
    def inline(match: re.Match[bytes]) -> bytes:
        value = re.search(rb"<v>(\d+)</v>", match.group(3))
        if value is None:
            return match.group()
        text = xml_text(strings[int(value.group(1))]).encode()
        return b"<c" + match.group(1) + b' t="inlineStr"' + match.group(2) + b"><is><t>" + text + b"</t></is></c>"

    return _SHARED_CELL.sub(inline, xml)


def _shared_strings(scratch: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in scratch.namelist():
        return []
    root = etree.fromstring(scratch.read("xl/sharedStrings.xml"), _PARSER)
    return ["".join(item.itertext()) for item in root if isinstance(item.tag, str)]


def _remove_sheet_parts(patch: Patch, sheet: SheetInfo) -> None:
    """Remove a sheet's drawings, charts and their relationships (the sheet part itself is rewritten)."""
    if sheet.rels is None:
        return
    for rel in sheet.rels.items():
        if rel.get("TargetMode") == "External":
            continue
        target = _resolve(sheet.part, rel.get("Target", ""))
        if rel.get("Type") in (REL_DRAWING,):
            _remove_tree(patch, target)
    patch.package.remove(sheet.rels.part)


def _remove_tree(patch: Patch, part: str) -> None:
    """A part and the parts it alone points at (a drawing's charts, a chart's colours and style)."""
    if not patch.package.has(part):
        return
    part_rels = rels_part(part)
    if patch.package.has(part_rels):
        rels = etree.fromstring(patch.package.read(part_rels), _PARSER)
        for rel in rels:
            if isinstance(rel.tag, str) and rel.get("TargetMode") != "External":
                _remove_tree(patch, _resolve(part, rel.get("Target", "")))
        patch.package.remove(part_rels)
    patch.package.remove(part)
    patch._drop_override("/" + part)


def _transplant_from(patch: Patch, name: str, scratch: zipfile.ZipFile) -> None:
    scratch_part = _scratch_sheet(scratch, name)
    styles = _style_map(patch, scratch)
    strings = _shared_strings(scratch)
    xml = scratch.read(scratch_part)
    xml = _CELL_STYLE.sub(lambda m: m.group(1) + str(styles[int(m.group(2))]).encode() + m.group(3), xml)
    xml = _inline_shared(xml, strings)
    content_types = {
        item.get("PartName", "").lstrip("/"): item.get("ContentType", "")
        for item in etree.fromstring(scratch.read("[Content_Types].xml"), _PARSER)
        if isinstance(item.tag, str) and item.get("PartName")
    }
    existing = next((s for s in patch.sheets if s.name.casefold() == name.casefold()), None)
    if existing is not None:
        if existing.tables:
            raise Unsupported(f"the {name} sheet holds a table")
        _remove_sheet_parts(patch, existing)
        part = existing.part
    else:
        part = patch.package.unused("xl/worksheets/sheet%d.xml")
    new_rels = Relationships(rels_part(part), etree.Element(f"{_P}Relationships", nsmap={None: PKG_REL}))
    scratch_rels_part = rels_part(scratch_part)
    renames: dict[bytes, bytes] = {}
    if scratch_rels_part in scratch.namelist():
        for rel in etree.fromstring(scratch.read(scratch_rels_part), _PARSER):
            if not isinstance(rel.tag, str):
                continue
            if rel.get("TargetMode") == "External":
                new_id = new_rels.add(rel.get("Type", ""), rel.get("Target", ""))
                new_rels.items()[-1].set("TargetMode", "External")
            else:
                target = _copy_tree(patch, scratch, _resolve(scratch_part, rel.get("Target", "")), content_types)
                new_id = new_rels.add(rel.get("Type", ""), _relative(part, target))
            renames[rel.get("Id", "").encode()] = new_id.encode()
    xml = _REL_ID.sub(lambda m: m.group(1) + renames.get(m.group(2), m.group(2)) + m.group(3), xml)
    patch.package.write(part, xml)
    if new_rels.items():
        patch.package.write(new_rels.part, _serialise(new_rels.root))
    patch._override("/" + part, CT_SHEET)
    if existing is None:
        patch.add_sheet(name, part)


_PART_PATTERNS = (
    (re.compile(r"xl/drawings/drawing\d+\.xml"), "xl/drawings/drawing%d.xml"),
    (re.compile(r"xl/charts/chart\d+\.xml"), "xl/charts/chart%d.xml"),
    (re.compile(r"xl/charts/style\d+\.xml"), "xl/charts/style%d.xml"),
    (re.compile(r"xl/charts/colors\d+\.xml"), "xl/charts/colors%d.xml"),
)


def _copy_tree(patch: Patch, scratch: zipfile.ZipFile, part: str, content_types: dict[str, str]) -> str:
    """Copy a scratch part (and what it points at) under a name unused in ours; returns the new name."""
    pattern = next((p for regex, p in _PART_PATTERNS if regex.fullmatch(part)), None)
    if pattern is None:
        raise Unsupported(f"a drawing part {part}")
    target = patch.package.unused(pattern)
    data = scratch.read(part)
    scratch_rels = rels_part(part)
    if scratch_rels in scratch.namelist():
        rels = etree.fromstring(scratch.read(scratch_rels), _PARSER)
        patch.package.write(target, b"")  # reserve the name before the children take theirs
        for rel in rels:
            if isinstance(rel.tag, str) and rel.get("TargetMode") != "External":
                child = _copy_tree(patch, scratch, _resolve(part, rel.get("Target", "")), content_types)
                rel.set("Target", _relative(target, child))
        patch.package.write(rels_part(target), _serialise(rels))
    patch.package.write(target, data)
    content_type = content_types.get(part)
    if content_type:
        patch._override("/" + target, content_type)
    return target


# --- The zip ----------------------------------------------------------------------------------

_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_SMALL_PART = 1 << 20
#: ZipInfo's level attribute: ``compress_level`` from Python 3.13, ``_compresslevel`` before.
_COMPRESS_LEVEL = "compress_level" if hasattr(zipfile.ZipInfo, "compress_level") else "_compresslevel"


_DATA_DESCRIPTOR = 0x08
#: Sizes past which an entry needs zip64 fields (then it is decompressed and written again instead).
_ZIP64_LIMIT = (1 << 31) - 1


def _raw_entry(source: IO[bytes], info: zipfile.ZipInfo) -> tuple[bytes, bytes]:
    """An entry's local header and its compressed data, exactly as stored."""
    source.seek(info.header_offset)
    header = source.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or _LOCAL_HEADER.unpack(header)[0] != b"PK\x03\x04":
        raise Unsupported(f"a damaged zip entry {info.filename}")
    fields = _LOCAL_HEADER.unpack(header)
    name_length, extra_length = fields[9], fields[10]
    header += source.read(name_length + extra_length)
    data = source.read(info.compress_size)
    if len(data) != info.compress_size:
        raise Unsupported(f"a truncated zip entry {info.filename}")
    return header, data


def write_package(package: Package, handle: IO[bytes]) -> None:
    """Every kept part copied as stored, every new or changed part deflated, in the source's order.

    A source entry that cannot be read back (a bad checksum, a damaged header) raises
    ``Unsupported``, so the caller can try openpyxl, which refuses the file in its own words.
    """
    try:
        _write_package(package, handle)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise Unsupported(f"a damaged zip entry ({exc})") from exc


def _write_package(package: Package, handle: IO[bytes]) -> None:
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as target:
        source = package.zip.fp
        if source is None:
            raise Unsupported("the source zip is closed")
        done: set[str] = set()
        for name, info in package.infos.items():
            if name in package.removed:
                continue
            if name in package.written:
                _write_part(target, name, package.written[name])
            elif not _copy_raw(target, source, info):
                target.writestr(_copy_info(info), package.zip.read(info))
            done.add(name)
        for name, data in package.written.items():
            if name not in done and name not in package.removed:
                _write_part(target, name, data)


def _write_part(target: zipfile.ZipFile, name: str, data: bytes | Iterable[bytes]) -> None:
    info = zipfile.ZipInfo(name, date_time=datetime.now().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    # zlib level 3 on the big sheets: about 2.5 times faster than the default 6, files about 15% larger.
    setattr(info, _COMPRESS_LEVEL, 6 if isinstance(data, bytes) and len(data) < _SMALL_PART else 3)
    if isinstance(data, bytes):
        target.writestr(info, data)
        return
    with target.open(info, "w") as stream:
        for chunk in data:
            stream.write(chunk)


def _copy_raw(target: zipfile.ZipFile, source: IO[bytes], info: zipfile.ZipInfo) -> bool:
    """Append a stored entry to ``target`` without decompressing it (zipfile has no public call for this).

    An entry written with a data descriptor (LibreOffice writes every entry so) gets a new local
    header holding its checksum and sizes from the central directory, and no descriptor; the
    compressed bytes are still copied as they are.
    """
    if max(info.compress_size, info.file_size) > _ZIP64_LIMIT:
        return False
    header, data = _raw_entry(source, info)
    copied = _copy_info(info)
    if info.flag_bits & _DATA_DESCRIPTOR:
        copied.flag_bits &= ~_DATA_DESCRIPTOR
        copied.extra = b""  # the central directory's extra fields need not suit a local header
        header = copied.FileHeader(zip64=False)
    # zipfile writes the central directory from ``filelist`` on close; ``start_dir`` is where the next entry goes.
    fp = target.fp
    assert fp is not None
    fp.seek(target.start_dir)
    copied.header_offset = fp.tell()
    fp.write(header)
    fp.write(data)
    target.start_dir = fp.tell()
    target.filelist.append(copied)
    target.NameToInfo[copied.filename] = copied
    return True


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    copied = zipfile.ZipInfo(info.filename, info.date_time)
    for attribute in (
        "compress_type", "comment", "extra", "create_system", "create_version", "extract_version", "reserved",
        "flag_bits", "volume", "internal_attr", "external_attr", "CRC", "compress_size", "file_size",
    ):
        setattr(copied, attribute, getattr(info, attribute))
    return copied
