"""School packs: one workbook per school for its headteacher, holding that school's figures only.

Contract: docs/forum-workbook.md, "School packs" and the binding rule on text; docs/funding-rules.md,
"Settlement" and "Privacy". Each pack (``<URN> <School Name>.xlsx``) has:

- a **Cover**: the school, district and year, the pack's headline figures, what each sheet
  shows, and who to contact with a query;
- **Allocation**: the school's devolved allocation, each school factor explained in plain
  English from its method, rate or weight and the school's own value, redress withheld
  (rule, measure, threshold and excess, from the school's trace lines) and received, and
  the final devolved allocation (a delegated district's money goes to its Lead PRU: the
  school receives nothing directly);
- **Recoupment**: the school's recoupment lines (pupils by ``Pupil Ref`` only) and one plain
  sentence per line type giving its rule;
- one sheet per **invoice, credit note or budget adjustment** of the school, laid out as a
  document with its lines, Net, VAT and Gross, remittance and query details. Drafts say
  DRAFT in words (colour is never the only signal).

Privacy: a pack is built from a ``SchoolPack``, plain data gathered for one school (its
inputs row, its allocation row and trace, its lines and documents, its district's totals),
and XlsxWriter writes only the strings it is given, so nothing of another school can reach
the file: not in hidden sheets, defined names, document properties, styles or shared strings.
Text from the inputs is always written with ``write_string`` (and the workbook is opened with
``strings_to_formulas`` off), so a name starting ``=``, ``+``, ``-`` or ``@`` stays text.

Accessibility and print: every sheet has its title in A1, tables are Excel tables with one
header row and no merged cells, table headers are repeated on printed pages (and frozen on the
Allocation and Recoupment sheets), and every sheet prints on A4, one page wide.

Speed: the per-school groupings are built once, then packs are written in parallel by a
small process pool (serially for a handful), each worker given only its schools' packs.
"""

from apmodel.reports.packs.data import SchoolPack, school_packs
from apmodel.reports.packs.pool import DEFAULT_WORKERS, write_packs_in_parallel, write_school_packs
from apmodel.reports.packs.render import pack_filename, write_pack

__all__ = [
    "DEFAULT_WORKERS",
    "SchoolPack",
    "pack_filename",
    "school_packs",
    "write_pack",
    "write_packs_in_parallel",
    "write_school_packs",
]
