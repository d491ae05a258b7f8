"""``styles.xml``: the few cell formats the outputs use, found again or added once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from apmodel.workbook.interface import MAIN
from apmodel.workbook.xlsx_patch.ooxml import PARSER, QMAIN, Unsupported, insert_in_order, serialise

#: Numbers formats Excel knows by id without a <numFmt> entry.
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}

_STYLE_ORDER = (
    "numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles",
    "colors", "extLst",
)


@dataclass(frozen=True)
class CellStyle:
    """What a written cell looks like: a number format, a font and an alignment (None: Excel's default)."""

    number_format: str | None = None
    font: str | None = None
    alignment: str | None = None


TITLE_STYLE = CellStyle(font='<font><b val="1"/><sz val="14"/></font>')

NOTE_STYLE = CellStyle(font='<font><i val="1"/><color rgb="00595959"/></font>')


LINK_STYLE = CellStyle(font='<font><color rgb="000563C1"/><u val="single"/></font>')

HEADER_STYLE = CellStyle(alignment='<alignment vertical="bottom" wrapText="1"/>')
WRAP_STYLE = CellStyle(alignment='<alignment wrapText="1"/>')


def _canon(element: etree._Element) -> tuple[Any, ...]:
    """An element's local name, attributes and children, ignoring namespaces and order of attributes."""
    return (
        etree.QName(element).localname,
        tuple(sorted((etree.QName(k).localname, v) for k, v in element.attrib.items())),
        tuple(_canon(child) for child in element if isinstance(child.tag, str)),
    )


def _main(snippet: str) -> etree._Element:
    """One element written without its namespace, in the main SpreadsheetML namespace."""
    wrapper = etree.fromstring(f'<wrapper xmlns="{MAIN}">{snippet}</wrapper>', PARSER)
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
        self.root = etree.fromstring(xml if xml is not None else _MINIMAL_STYLES.encode(), PARSER)
        if self.root.tag != f"{QMAIN}styleSheet":
            raise Unsupported("styles.xml is not a SpreadsheetML style sheet")
        self.changed = xml is None

    def _list(self, name: str) -> etree._Element:
        found = self.root.find(f"{QMAIN}{name}")
        if found is None:
            found = etree.Element(f"{QMAIN}{name}")
            insert_in_order(self.root, found, _STYLE_ORDER)
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
        if code in BUILTIN_FORMATS:
            return BUILTIN_FORMATS[code]
        container = self._list("numFmts")
        highest = 163
        for item in container:
            if not isinstance(item.tag, str):
                continue
            number = int(item.get("numFmtId", "0"))
            if item.get("formatCode") == code:
                return number
            highest = max(highest, number)
        element = etree.SubElement(container, f"{QMAIN}numFmt", numFmtId=str(highest + 1), formatCode=code)
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
        xf = etree.Element(f"{QMAIN}xf")
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
        return serialise(self.root)
