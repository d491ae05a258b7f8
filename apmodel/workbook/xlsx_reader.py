"""Fast, read-only access to a Forum workbook file: every Excel table, by name.

Values come from python-calamine (a Rust reader, an order of magnitude faster than
openpyxl and it returns the values Excel last calculated for formula cells). Calamine
shows error cells (``#REF!``) and never-calculated formulas as blanks, which would turn a
broken cell into a misleading "missing value", so the sheets that contain any error or
formula are also scanned (with a hardened XML parser) to mark those cells as ``CellError``.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import unescape

from defusedxml import ElementTree as SafeET
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from apmodel.workbook.interface import MAIN, PKG_REL, REL, CellError, RawTable, column_number

_MAIN = "{" + MAIN + "}"
_REL = "{" + REL + "}"
_PKG_REL = "{" + PKG_REL + "}"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
#: Excel's escape for a character inside a name (a table column's, for one): a line break typed
#: with Alt+Enter in a header is kept as "Relevant_x000a_Date"; "_x005f_" is a literal underscore.
_NAME_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _column_name(name: object) -> str:
    """A table column's name as typed in its header cell: Excel's _xHHHH_ escapes undone."""
    return _NAME_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), str(name))


class WorkbookUnreadable(Exception):
    """The file cannot be read as a Forum workbook; the message is one plain line."""

    def __init__(self, message: str) -> None:
        # Library messages (openpyxl's, calamine's) can span lines: the CLI promises one.
        super().__init__(" ".join(str(message).split()))


#: How far into each XML part to look for a DOCTYPE before its root element.
_PROLOG_LIMIT = 65_536
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_MB = 1 << 20
#: The most any one part may inflate to. An England-sized county's largest sheet is about 70 MB
#: (its shared strings under 10 MB), so these leave ample room while a decompression bomb (a
#: small part that inflates to gigabytes) is refused before calamine is handed it.
_PART_LIMITS: tuple[tuple[str, int], ...] = (
    ("xl/worksheets/", 512 * _MB),
    ("xl/sharedstrings", 256 * _MB),
)
_OTHER_PART_LIMIT = 64 * _MB
_TOTAL_LIMIT = 1024 * _MB
#: Workbook XML deflates about 5 to 20 times; a large part inflating more than this is a bomb.
_RATIO_LIMIT = 200
_RATIO_FLOOR = 16 * _MB
_CHUNK = 1 << 20
#: The package relationship of a Strict Open XML workbook (Excel's "Strict Open XML Spreadsheet").
_STRICT = b"http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"


def _part_limit(name: str) -> int:
    folded = name.casefold()
    return next((limit for start, limit in _PART_LIMITS if folded.startswith(start)), _OTHER_PART_LIMIT)


def _declares_dtd(head: bytes, complete: bool) -> bool:
    """True when the part's prolog (its first bytes, ``head``) holds a DOCTYPE, or is too long to check.

    Excel never writes a DTD into an .xlsx; one there can only be an entity attack
    (billion laughs, or an external entity reading local files), so the file is refused.
    """
    root = _ROOT_START.search(head)
    prolog = head if root is None else head[: root.start()]
    if b"<!DOCTYPE" in prolog.upper().replace(b"\0", b""):  # the NULs: a UTF-16 prolog
        return True
    return root is None and not complete


def _check_package(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse a package that is ambiguous, encrypted, Strict, a decompression bomb or holds a DTD.

    Every XML part is inflated once, in chunks, counting its real size (a zip can declare
    any size it likes), so memory stays bounded whatever the file claims.
    """
    infos = archive.infolist()
    seen: set[str] = set()
    for info in infos:
        # Part names are case-insensitive (ECMA-376 Part 2): two spellings of one name are one part.
        key = info.filename.casefold()
        if key in seen:
            raise WorkbookUnreadable(
                f"{path}: holds two parts named {info.filename} (damaged, or altered by a tool other than "
                "Excel); open it in Excel and save it again"
            )
        seen.add(key)
        if info.flag_bits & 0x1:
            raise WorkbookUnreadable(
                f"{path}: has an encrypted part ({info.filename}); save it in Excel as an unprotected .xlsx workbook"
            )
    rels = next((i for i in infos if i.filename.casefold() == "_rels/.rels"), None)
    if rels is not None and rels.file_size < _OTHER_PART_LIMIT and _STRICT in archive.read(rels):
        raise WorkbookUnreadable(
            f"{path}: is saved as Strict Open XML Spreadsheet, which apmodel cannot read; in Excel choose "
            "File > Save As and the type 'Excel Workbook (*.xlsx)', then run it again"
        )
    total = 0
    for info in infos:
        limit = _part_limit(info.filename)
        declared = info.file_size
        if declared > limit or (declared > _RATIO_FLOOR and declared > _RATIO_LIMIT * max(info.compress_size, 1)):
            raise _bomb(path, info.filename, declared)
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            total += declared
            continue
        size = 0
        head = b""
        with archive.open(info) as handle:
            while chunk := handle.read(_CHUNK):
                if len(head) < _PROLOG_LIMIT:
                    head += chunk[: _PROLOG_LIMIT - len(head)]
                size += len(chunk)
                if size > limit or total + size > _TOTAL_LIMIT:
                    raise _bomb(path, info.filename, size)
        total += size
        if _declares_dtd(head, complete=size < _PROLOG_LIMIT):
            raise WorkbookUnreadable(
                f"{path}: contains an XML DOCTYPE ({info.filename}), which Excel never writes; "
                "refused for safety. Open and save it in Excel."
            )
    if total > _TOTAL_LIMIT:
        raise _bomb(path, "the workbook", total)


def _bomb(path: Path, part: str, size: int) -> WorkbookUnreadable:
    return WorkbookUnreadable(
        f"{path}: {part} inflates to {size / _MB:,.0f} MB or more, far more than any Forum workbook "
        "(a damaged file or a decompression bomb); refused"
    )


def check_readable(path: Path) -> None:
    """Raise ``WorkbookUnreadable`` with a one-line reason for a missing, empty, locked or non-xlsx file."""
    if not path.exists():
        raise WorkbookUnreadable(f"{path}: no such file")
    if path.is_dir():
        raise WorkbookUnreadable(f"{path}: is a folder, not a workbook")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except PermissionError as exc:
        raise WorkbookUnreadable(f"{path}: cannot be opened (locked or no permission): {exc.strerror}") from exc
    if not head:
        raise WorkbookUnreadable(f"{path}: the file is empty")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise WorkbookUnreadable(
            f"{path}: is password-protected or an old .xls file; save it as an unprotected .xlsx workbook"
        )
    if not head.startswith(b"PK"):
        raise WorkbookUnreadable(f"{path}: is not an Excel .xlsx workbook")
    if not zipfile.is_zipfile(path):
        raise WorkbookUnreadable(f"{path}: is damaged (not a complete .xlsx file)")
    try:
        with zipfile.ZipFile(path) as archive:
            _check_package(path, archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, zlib.error) as exc:
        raise WorkbookUnreadable(f"{path}: is damaged (not a complete .xlsx file): {exc}") from exc


def _plain(value: Any) -> Any:
    """Calamine's blank is ''; a timedelta or time is what Excel shows as a duration or clock time."""
    if value == "" and isinstance(value, str):
        return None
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date()
    if isinstance(value, timedelta | time):
        return str(value)
    return value


#: Values calamine returns that need no conversion when they are not blank (or zero).
_AS_IS = frozenset((str, float, int))


def _plain_row(row: list[Any], width: int) -> list[Any]:
    """A row's values made plain (see ``_plain``) and padded with blanks to the table's width."""
    values = [v if v and type(v) in _AS_IS else _plain(v) for v in row]
    if len(values) < width:
        values.extend([None] * (width - len(values)))
    return values


def _is_date1904(path: Path) -> bool:
    """Whether the workbook uses the 1904 date system (``<workbookPr date1904="1"/>``)."""
    with zipfile.ZipFile(path) as archive:
        properties = SafeET.fromstring(archive.read("xl/workbook.xml")).find(f"{_MAIN}workbookPr")
    return properties is not None and properties.get("date1904", "").lower() in ("1", "true")


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part name inside the zip."""
    book = SafeET.fromstring(archive.read("xl/workbook.xml"))
    rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_PKG_REL}Relationship")}
    paths: dict[str, str] = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        paths[sheet.get("name", "")] = part
    return paths


#: One whole cell element from its start tag (cells never nest; text inside is escaped).
_CELL = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?c(?P<attrs>\s[^>]*?)?(?:/>|>(?P<body>.*?)</(?:[A-Za-z_][\w.-]*:)?c\s*>)", re.S
)
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v(?:\s[^>]*)?>(.*?)</(?:[A-Za-z_][\w.-]*:)?v\s*>", re.S)
_FORMULA = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?f(?:\s[^>]*?)?(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?f\s*>)", re.S
)


def _xml_text(raw: bytes | None) -> str:
    return unescape(raw.decode("utf-8", "replace"), {"&quot;": '"', "&apos;": "'"}) if raw else ""


#: Literal starts of every marker: searched with bytes.find, far faster than a pattern on a big sheet.
_MARKER_NEEDLES = (b't="e"', b"t='e'", b"<f", b":f")
_AFTER_F = frozenset(b" \t\r\n>/")


def _marker_positions(xml: bytes) -> Iterator[int]:
    """Where an error type attribute or a formula element starts (``<f`` and ``x:f`` must end the name)."""
    for needle in _MARKER_NEEDLES:
        formula = needle.endswith(b"f")
        position = xml.find(needle)
        while position >= 0:
            after = position + len(needle)
            if not formula:
                yield position
            elif after < len(xml) and xml[after] in _AFTER_F:
                # From the start of the formula's tag (``<x:f`` starts before its colon).
                yield position if needle == b"<f" else xml.rfind(b"<", 0, position)
            position = xml.find(needle, after)


def _may_hold_markers(xml: bytes) -> bool:
    return next(_marker_positions(xml), None) is not None


def _enclosing_cell(xml: bytes, position: int) -> re.Match[bytes] | None:
    """The cell element holding ``position`` (an attribute of its start tag, or its first child)."""
    for start in (xml.rfind(b"<", 0, position), xml.rfind(b"<c ", 0, position)):
        if start < 0:
            continue
        cell = _CELL.match(xml, start)
        if cell is not None and cell.start() <= position < cell.end():
            return cell
    return None


def _flagged_cells(xml: bytes) -> Iterator[tuple[int, int, CellError]]:
    """(row, column, marker) for each error cell and each formula with no calculated value.

    A regular-expression scan from each marker (never a full parse): a large sheet with a few
    formulas costs only those few cells, and no entity or DTD is ever expanded.
    """
    seen: set[int] = set()
    for position in _marker_positions(xml):
        cell = _enclosing_cell(xml, position)
        if cell is None or cell.start() in seen:
            continue
        seen.add(cell.start())
        attrs = {
            m.group(1).split(b":")[-1]: m.group(2) if m.group(2) is not None else m.group(3)
            for m in _ATTR.finditer(cell.group("attrs") or b"")
        }
        match = _CELL_REF.fullmatch((attrs.get(b"r") or b"").decode("ascii", "replace"))
        if not match:
            continue
        body = cell.group("body") or b""
        value = _VALUE.search(body)
        text = _xml_text(value.group(1)) if value is not None else ""
        formula = _FORMULA.search(body)
        if attrs.get(b"t") == b"e":
            marker = CellError(text or "#N/A")
        elif formula is not None and not text:
            marker = CellError("=" + _xml_text(formula.group(1)), uncalculated=True)
        else:
            continue
        yield int(match.group(2)), column_number(match.group(1)), marker


def shown_sheets(path: Path) -> list[str]:
    """The workbook's shown worksheets in tab order (hidden ones and chart sheets left out); none when
    the file cannot be read (``read_tables`` has said so already)."""
    try:
        with CalamineWorkbook.from_path(str(path)) as book:
            return [
                sheet.name
                for sheet in book.sheets_metadata
                if sheet.typ == SheetTypeEnum.WorkSheet and sheet.visible == SheetVisibleEnum.Visible
            ]
    except Exception:  # calamine raises its own exception types for damaged files
        return []


def read_tables(path: Path, *, checked: bool = False) -> dict[str, RawTable]:
    """Every Excel table in the workbook at ``path``, by name, with its raw values.

    ``checked``: the caller has already passed the file through ``check_readable``.
    """
    if not checked:
        check_readable(path)
    try:
        book = CalamineWorkbook.from_path(str(path), load_tables=True)
    except Exception as exc:  # calamine raises its own exception types for damaged files
        raise WorkbookUnreadable(f"{path}: cannot be read as an .xlsx workbook ({exc})") from exc
    tables: dict[str, RawTable] = {}
    date1904 = _is_date1904(path)
    with book:
        for name in book.table_names or []:
            table = book.get_table_by_name(name)
            start = table.start or (1, 0)
            width = len(table.columns)
            rows = [_plain_row(row, width) for row in table.to_python()]
            tables[name] = RawTable(
                name=name,
                sheet=table.sheet,
                header=[_column_name(c) for c in table.columns],
                rows=rows,
                header_row=start[0],
                first_column=start[1] + 1,
                date1904=date1904,
            )
    _mark_flagged_cells(path, tables)
    return tables


_MERGE_REF = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _merged_cells(xml: bytes) -> Iterator[tuple[int, int, CellError]]:
    """Every cell of a merged range but its top-left one: Excel keeps no value there."""
    for match in _MERGE_REF.finditer(xml):
        first_col, first_row = column_number(match.group(1).decode()), int(match.group(2))
        last_col, last_row = column_number(match.group(3).decode()), int(match.group(4))
        anchor = f"{match.group(1).decode()}{first_row}"
        for row in range(first_row, min(last_row, first_row + 10_000) + 1):
            for column in range(first_col, min(last_col, first_col + 500) + 1):
                if (row, column) != (first_row, first_col):
                    yield row, column, CellError(f"#MERGED({anchor})")


def _mark_flagged_cells(path: Path, tables: dict[str, RawTable]) -> None:
    by_sheet: dict[str, list[RawTable]] = {}
    for table in tables.values():
        by_sheet.setdefault(table.sheet, []).append(table)
    with zipfile.ZipFile(path) as archive:
        parts = _sheet_paths(archive)
        for sheet, sheet_tables in by_sheet.items():
            part = parts.get(sheet)
            if part is None or part not in archive.namelist():
                continue
            xml = archive.read(part)
            # Most sheets hold neither errors, formulas nor merges: skip the scan entirely.
            if not _may_hold_markers(xml) and b"<mergeCell " not in xml:
                continue
            for row, column, marker in [*_flagged_cells(xml), *_merged_cells(xml)]:
                for table in sheet_tables:
                    index = row - table.header_row - 1
                    offset = column - table.first_column
                    if 0 <= index < len(table.rows) and 0 <= offset < len(table.header):
                        if marker.uncalculated and table.rows[index][offset] is not None:
                            continue
                        table.rows[index][offset] = marker
