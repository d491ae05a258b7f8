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

from apmodel.workbook.xlsx_patch.ooxml import Unsupported
from apmodel.workbook.xlsx_patch.patch import Patch
from apmodel.workbook.xlsx_patch.transplant import Transplant, transplant

__all__ = ["Patch", "Transplant", "Unsupported", "transplant"]
