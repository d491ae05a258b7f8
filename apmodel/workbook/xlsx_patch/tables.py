"""An output table's block of cells (header and rows) and its table part."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from apmodel.workbook.contract import Kind
from apmodel.workbook.interface import MAIN, OutputTable, column_letter
from apmodel.workbook.layout import LINK_TEXTS, NUMBER_FORMATS, fitted_width, link_formula, wrapped_columns
from apmodel.workbook.xlsx_patch.cells import CellWriter, inline_string, text_tail, xml_attr, xml_text
from apmodel.workbook.xlsx_patch.styles import HEADER_STYLE, LINK_STYLE, WRAP_STYLE, CellStyle


@dataclass
class Block:
    """One output table's cells and rows (its links ``HYPERLINK`` formulas), placed with its header at (top, left)."""

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

    def rows(self, cells: CellWriter) -> Iterator[tuple[int, list[str]]]:
        """(sheet row, cell XML in column order) for the header and each data row."""
        table = self.table
        letters = [column_letter(self.left + i) for i in range(len(table.columns))]
        header_style = cells.style(HEADER_STYLE)
        yield self.top, [
            inline_string(f"{letter}{self.top}", header_style, column.name)
            for letter, column in zip(letters, table.columns, strict=True)
        ]
        plan = []
        wrap = wrapped_columns(table, [fitted_width(table, i) for i in range(len(table.columns))])
        wrap_style = f' s="{cells.style(WRAP_STYLE)}"'
        for letter, column, wraps in zip(letters, table.columns, wrap, strict=True):
            number_format = NUMBER_FORMATS.get(column.kind) if column.kind is not Kind.TEXT else None
            in_text = column.kind is Kind.TEXT
            whole = f' s="{cells.style(CellStyle(number_format))}"' if number_format else ""
            # In a text column (Summary's Value) a Decimal is money, shown as £.
            money = f' s="{cells.style(CellStyle(NUMBER_FORMATS[Kind.MONEY]))}"' if in_text else whole
            # Text in a column of figures takes the column's format (layout.cell_format).
            text_style = wrap_style if wraps else whole
            plan.append((letter, number_format, in_text, LINK_TEXTS.get(column.name), whole, money, text_style))
        link_style = cells.style(LINK_STYLE)
        write = cells.value
        # Text repeats (districts, codes, statuses): each distinct text is escaped once per table.
        text_tails: dict[str, str] = {}
        # The commonest cells (short plain text, whole numbers, finite Decimals) are written here
        # directly; everything else goes through CellWriter.value, which gives the same XML.
        for number, values in enumerate(table.rows, start=self.top + 1):
            row: list[str] = []
            for (letter, number_format, in_text, link, whole, money, text_style), value in zip(
                plan, values, strict=False
            ):
                if value is None:
                    continue
                if link:
                    if value:
                        # As openpyxl writes a formula: no calculated value (Excel calculates it on load).
                        formula = xml_text(link_formula(str(value), link)[1:])
                        row.append(f'<c r="{letter}{number}" s="{link_style}"><f>{formula}</f></c>')
                    continue
                kind = type(value)
                if kind is str:
                    tail = text_tails.get(value)
                    if tail is None:
                        tail = text_tails[value] = text_tail(value)
                    if tail:
                        row.append(f'<c r="{letter}{number}"{text_style}{tail}')
                elif kind is int:
                    row.append(f'<c r="{letter}{number}"{whole}><v>{value}</v></c>')
                elif kind is Decimal and value.is_finite():
                    row.append(f'<c r="{letter}{number}"{money}><v>{value:f}</v></c>')
                else:
                    cell = write(f"{letter}{number}", value, number_format, in_text)
                    if cell is not None:
                        row.append(cell)
            yield number, row


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
