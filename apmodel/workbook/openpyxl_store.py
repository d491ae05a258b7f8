"""The file adapter: a Forum workbook on disk, read fast and written without loading it.

Reading goes through ``xlsx_reader`` (calamine). Writes are kept until ``save``, which
patches the file (``xlsx_patch``): each output table is replaced whole where it already is
(or on a new sheet of the same name, title in A1, header on row 3), the Dashboard sheet is
drawn by openpyxl on a scratch workbook and moved in, and every other part of the file is
copied byte for byte, so input tables are never touched and an England-sized workbook is
written in seconds. A file the patch cannot handle, or any use of ``book`` (the whole
workbook in openpyxl), takes the openpyxl route instead: load everything, write, save.
Either way the save is atomic: to a temporary file in the destination folder, then renamed
over the target, so a crash mid-write leaves the original intact.
"""

from __future__ import annotations

import copy
import errno
import io
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.dimensions import ColumnDimension
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from apmodel.workbook import xlsx_patch
from apmodel.workbook.contract import Kind
from apmodel.workbook.interface import (
    ChartSpec,
    OutputTable,
    OutputWouldOverwrite,
    RawTable,
    column_letter,
    column_number,
    overlap_message,
)
from apmodel.workbook.layout import (
    DASHBOARD,
    DEFAULT_COLUMN_WIDTH,
    HEADER_ROW,
    LINK_TEXTS,
    NOTE_TEXT,
    NUMBER_FORMATS,
    OUTPUT_TAB,
    TABLE_STYLE,
    cell_format,
    figure_widths,
    fitted_width,
    link_formula,
    new_sheet_layout,
    row_height,
    wrapped_columns,
)
from apmodel.workbook.openpyxl_cells import (
    HEADER_ALIGNMENT,
    LINK_FONT,
    WRAPPED,
    set_print_setup,
    set_text_safe,
    write_heading,
)
from apmodel.workbook.xlsx_reader import WorkbookUnreadable, check_readable, read_tables, shown_sheets

log = logging.getLogger(__name__)



def atomic_save(book: Workbook, target: Path) -> None:
    """Save so that the target is either the old file or the complete new one, never half."""
    atomic_write(target, lambda temp: book.save(temp))


def _new_file_mode(target: Path) -> int:
    """The target's own permissions, or what the umask gives a new file (mkstemp's 0600 is too private)."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


#: Temporary files are named ``.{stem}.apmodel-{pid}-{random}{suffix}`` beside the target, so a
#: later run can tell one left by a run that was killed (they hold pupil data) and remove it.
_TEMP_MARK = ".apmodel-"
_TEMP_NAME = re.compile(r"^\..*\.apmodel-(\d+)-[^.]*\.[A-Za-z0-9]+$")
#: A temporary file untouched this long is stale whatever its process (Windows cannot ask).
_STALE_SECONDS = 600


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return True  # decided by age alone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def temporary_path(folder: Path, stem: str, suffix: str) -> Path:
    """A fixed temporary name of this process for ``stem`` in ``folder`` (``remove_stale_temporaries`` knows it)."""
    return folder / f".{stem}{_TEMP_MARK}{os.getpid()}-{stem}{suffix}"


def remove_stale_temporaries(folder: Path, now: float | None = None) -> list[Path]:
    """Delete temporary files an earlier run left in ``folder`` (killed mid-save); never raises."""
    removed: list[Path] = []
    try:
        candidates = [p for p in folder.iterdir() if _TEMP_MARK in p.name]
    except OSError:
        return removed
    clock = time.time() if now is None else now
    for path in candidates:
        match = _TEMP_NAME.match(path.name)
        if match is None:
            continue
        try:
            stale = not _process_alive(int(match.group(1))) or clock - path.stat().st_mtime > _STALE_SECONDS
            if stale and path.is_file():
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed


def atomic_write(target: Path, write: Callable[[Path], None]) -> None:
    """Call ``write`` on a temporary file beside ``target``, then rename it over ``target``.

    The temporary file is removed on any failure; one left by a killed run is removed by the
    next write to the same folder (``remove_stale_temporaries``).
    """
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target.parent)
    handle, temp_name = tempfile.mkstemp(
        prefix=f".{target.stem}{_TEMP_MARK}{os.getpid()}-", suffix=target.suffix, dir=target.parent
    )
    os.close(handle)
    try:
        write(Path(temp_name))
        os.chmod(temp_name, _new_file_mode(target))
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def backup_path(path: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")


def keep_backup(path: Path, now: datetime | None = None) -> Path:
    """Copy ``path`` to a new timestamped backup beside it; never overwrites a file (``-2``, ``-3``... if taken)."""
    first = backup_path(path, now)
    for n in range(1, 10_000):
        candidate = first if n == 1 else first.with_name(f"{first.stem}-{n}{first.suffix}")
        try:
            handle = candidate.open("xb")
        except FileExistsError:
            continue
        try:
            with handle, path.open("rb") as source:
                shutil.copyfileobj(source, handle)
            shutil.copystat(path, candidate)
        except BaseException:
            candidate.unlink(missing_ok=True)
            raise
        return candidate
    raise FileExistsError(errno.EEXIST, "too many backups with the same time", str(first))


class FileWorkbook:
    """A Forum workbook file. Reads from ``path``; writes are kept in memory until ``save``."""

    def __init__(self, path: Path, *, on_status: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        check_readable(self.path)
        self._tables: dict[str, RawTable] | None = None
        self._book: Workbook | None = None
        self._on_status = on_status
        #: Writes not yet applied to an openpyxl workbook (the patch applies them when saving).
        self._pending: list[OutputTable] = []
        self._charts: list[ChartSpec] | None = None
        self._la = ""

    # -- WorkbookStore ------------------------------------------------------------------------

    def read_tables(self) -> dict[str, RawTable]:
        if self._tables is None:
            # __init__ has checked the file already.
            self._tables = read_tables(self.path, checked=True)
        return self._tables

    def sheet_names(self) -> list[str]:
        """The shown worksheets, in tab order (Contents lists every one)."""
        if self._book is not None:
            return [sheet.title for sheet in self._book.worksheets if sheet.sheet_state == "visible"]
        return shown_sheets(self.path)

    def write_tables(self, tables: Sequence[OutputTable]) -> None:
        if self._book is not None:
            for table in tables:
                write_table(self._book, table)
        else:
            self._pending.extend(tables)

    def status(self, message: str) -> None:
        log.info(message)
        if self._on_status is not None:
            self._on_status(message)

    def write_dashboard(self, charts: Sequence[ChartSpec], la: str = "") -> None:
        """Replace the Dashboard sheet's charts (apmodel.workbook.charts)."""
        from apmodel.workbook.charts import write_dashboard

        if self._book is not None:
            write_dashboard(self._book, charts, la)
        else:
            self._charts, self._la = list(charts), la

    # -- Files --------------------------------------------------------------------------------

    @property
    def book(self) -> Workbook:
        """The whole workbook in openpyxl, with every write so far (loaded on first use: slow for big files).

        Once it is loaded, writes go straight into it and ``save`` saves it with openpyxl.
        """
        if self._book is None:
            try:
                book = load_workbook(self.path, keep_vba=self.path.suffix.lower() == ".xlsm", rich_text=True)
            except Exception as exc:  # openpyxl raises many types for damaged files
                raise WorkbookUnreadable(f"{self.path}: cannot be opened for writing ({exc})") from exc
            for table in self._pending:
                write_table(book, table)
            if self._charts is not None:
                from apmodel.workbook.charts import write_dashboard

                write_dashboard(book, self._charts, self._la)
            self._book, self._pending, self._charts = book, [], None
        return self._book

    def save(self, target: Path, *, backup: bool = False) -> Path | None:
        """Write the workbook to ``target`` atomically; with ``backup`` keep a timestamped copy first."""
        target = Path(target)
        kept: Path | None = None
        if backup and target.exists():
            kept = keep_backup(target)
        if self._book is None:
            try:
                # Unsupported can come while the patch is planned or while the zip is copied (a
                # damaged entry): either way the target is untouched and openpyxl takes over.
                atomic_write(target, self._patch().save_to)
            except xlsx_patch.Unsupported as exc:
                log.info("%s: written through openpyxl (%s)", self.path, exc)
            else:
                return kept
        atomic_save(self.book, target)
        return kept

    def _patch(self) -> xlsx_patch.Patch:
        """Every write so far, as a patch of the file (raises ``Unsupported`` for a file it cannot patch)."""
        patch = xlsx_patch.Patch(self.path)
        try:
            patch.write_tables(self._pending)
            if self._charts is not None:
                xlsx_patch.transplant(patch, _dashboard_sheet(self._charts, self._la))
        except BaseException:
            patch.close()
            raise
        return patch


def _dashboard_sheet(charts: Sequence[ChartSpec], la: str) -> xlsx_patch.Transplant:
    """The Dashboard drawn by openpyxl on a workbook of its own, ready to move into ours."""
    from openpyxl import Workbook as NewWorkbook

    from apmodel.workbook.charts import write_dashboard

    scratch = NewWorkbook()
    default = scratch.active
    write_dashboard(scratch, charts, la)
    if default is not None and default.title != DASHBOARD:
        scratch.remove(default)
    data = io.BytesIO()
    scratch.save(data)
    return xlsx_patch.Transplant(DASHBOARD, data.getvalue())


def find_table(book: Workbook, name: str) -> tuple[Worksheet, Table] | None:
    for sheet in book.worksheets:
        # TableList.items() yields (name, ref) pairs, so go through values().
        for table in sheet.tables.values():
            if table.displayName.casefold() == name.casefold():
                return sheet, table
    return None


def _range_bounds(ref: str) -> tuple[int, int, int, int]:
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    return int(min_col), int(min_row), int(max_col), int(max_row)


def _clear(sheet: Worksheet, ref: str) -> None:
    min_col, min_row, max_col, max_row = _range_bounds(ref)
    for row in sheet.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col):
        for cell in row:
            cell.value = None
            cell.hyperlink = None
            cell.style = "Normal"


def _check_room(sheet: Worksheet, old: Table, table: OutputTable) -> None:
    """Refuse (``OutputWouldOverwrite``) a table that would grow over another table or a filled cell."""
    min_col, min_row, max_col, max_row = _range_bounds(old.ref)
    right = min_col + len(table.columns) - 1
    bottom = min_row + max(len(table.rows), 1)
    if right <= max_col and bottom <= max_row:
        return
    for other in sheet.tables.values():
        if other.displayName == old.displayName:
            continue
        o_left, o_top, o_right, o_bottom = _range_bounds(other.ref)
        if o_top <= bottom and min_row <= o_bottom and o_left <= right and min_col <= o_right:
            what = f"the table {other.displayName} at {other.ref}"
            raise OutputWouldOverwrite(overlap_message(old.displayName, sheet.title, what))
    for row in sheet.iter_rows(min_row=min_row, max_row=bottom, min_col=min_col, max_col=right):
        for cell in row:
            inside = min_row <= cell.row <= max_row and min_col <= cell.column <= max_col
            if not inside and cell.value is not None:
                what = f"your cell {cell.coordinate}"
                raise OutputWouldOverwrite(overlap_message(old.displayName, sheet.title, what))


def _show_rows(sheet: Worksheet, top: int, bottom: int) -> None:
    """Rows of a rewritten table are shown: a user's filter or group hid the old rows, not the new ones."""
    for number in range(top, bottom + 1):
        if number in sheet.row_dimensions:
            dimension = sheet.row_dimensions[number]
            dimension.hidden = False
            dimension.outlineLevel = 0
            dimension.collapsed = False


def _widen_column(sheet: Worksheet, index: int, width: float) -> None:
    """Widen column ``index`` to ``width`` if it is narrower (layout.figure_widths); a column
    dimension covering several columns is split around it, each piece keeping its attributes."""
    dimensions = sheet.column_dimensions
    covering = None
    for key, dimension in dimensions.items():
        low = dimension.min or column_number(key)
        if low <= index <= (dimension.max or low):
            covering = (dimension, low, dimension.max or low)
            break
    letter = column_letter(index)
    if covering is None:
        if width > DEFAULT_COLUMN_WIDTH:
            dimensions[letter] = ColumnDimension(sheet, index=letter, width=width, min=index, max=index)
        return
    dimension, low, high = covering
    if (dimension.width or DEFAULT_COLUMN_WIDTH) >= width:
        return
    del dimensions[column_letter(low)]
    pieces = ((low, index - 1, dimension.width), (index, index, width), (index + 1, high, dimension.width))
    for start, end, piece_width in pieces:
        if start <= end:
            piece = copy.copy(dimension)
            piece.index, piece.min, piece.max, piece.width = column_letter(start), start, end, piece_width
            dimensions[column_letter(start)] = piece


def write_table(book: Workbook, table: OutputTable) -> None:
    """Replace the output table ``table.name`` whole, where it is, or on a new sheet of its name."""
    found = find_table(book, table.name)
    if found is not None:
        sheet, old = found
        min_col, min_row, _, _ = _range_bounds(old.ref)
        _check_room(sheet, old, table)
        _clear(sheet, old.ref)
        del sheet.tables[old.name]
        for offset, needed in enumerate(figure_widths(table)):
            if needed is not None:
                _widen_column(sheet, min_col + offset, needed)
    else:
        if table.name in book.sheetnames:
            sheet = book[table.name]
            for tname in list(sheet.tables):
                del sheet.tables[tname]
            sheet.delete_rows(1, sheet.max_row)
        else:
            sheet = book.create_sheet(table.name, 0 if table.first else None)
            if table.hidden:
                sheet.sheet_state = "hidden"
        min_col, min_row = 1, HEADER_ROW
        layout = new_sheet_layout(table)
        widths = layout.widths
        write_heading(sheet, layout.title, table.note or NOTE_TEXT)
        sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
        for index, width in enumerate(widths):
            sheet.column_dimensions[column_letter(index + 1)].width = width
        set_print_setup(sheet, layout.setup, OUTPUT_TAB)
        if layout.header_height is not None:
            sheet.row_dimensions[HEADER_ROW].height = layout.header_height
        wrap = wrapped_columns(table, widths)
        for offset, values in enumerate(table.rows, start=HEADER_ROW + 1):
            height = row_height(values, widths, wrap)
            if height is not None:
                sheet.row_dimensions[offset].height = height
    _write_block(sheet, table, min_row, min_col)
    last_row = min_row + max(len(table.rows), 1)
    _show_rows(sheet, min_row, last_row)
    ref = f"{column_letter(min_col)}{min_row}:{column_letter(min_col + len(table.columns) - 1)}{last_row}"
    new = Table(displayName=table.name, ref=ref)
    new.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
    sheet.add_table(new)



def _write_block(sheet: Worksheet, table: OutputTable, top: int, left: int) -> None:
    for offset, column in enumerate(table.columns):
        cell = sheet.cell(row=top, column=left + offset)
        set_text_safe(cell, column.name)
        cell.alignment = HEADER_ALIGNMENT
    formats = [NUMBER_FORMATS.get(column.kind) for column in table.columns]
    money_in_text = [column.kind is Kind.TEXT for column in table.columns]
    link_texts = [LINK_TEXTS.get(column.name) for column in table.columns]
    wrap = wrapped_columns(table, [fitted_width(table, i) for i in range(len(table.columns))])
    for row_offset, values in enumerate(table.rows, start=1):
        for offset, value in enumerate(values):
            cell = sheet.cell(row=top + row_offset, column=left + offset)
            link_text = link_texts[offset]
            if link_text and value:
                cell.value = link_formula(str(value), link_text)
                cell.font = LINK_FONT
                continue
            set_text_safe(cell, value)
            if wrap[offset] and isinstance(value, str) and value:
                cell.alignment = WRAPPED
            number_format = cell_format(value, formats[offset], money_in_text[offset])
            if number_format is not None:
                cell.number_format = number_format
