"""The invoice register: document numbers that are gap-free, never reused and stable across runs.

Rule: docs/funding-rules.md, "Settlement"; docs/forum-workbook.md, "The invoice register". Numbers are
``{Invoice prefix}-{FY}-{5-digit sequence}`` (``AP-2025-26-00001``) and live in the
workbook's ``InvoiceRegister``, the only table a run appends to. Each document has a stable
``Key`` naming what it bills:

- ``BA|<URN>|<period>``: the budget adjustment of a maintained school for a term;
- ``INV|<URN>|<period>``: the document to an academy's trust for a term (its Kind is
  Invoice, or Credit note when the term nets to a credit);
- ``CR|<number>``: the document reversing an Issued document that had to change.

Reconciling the register with the documents a run wants (``reconcile``):

- a key with no live row gets the next number, as a Draft;
- a Draft is regenerated freely: it keeps its number, its kind and amounts are updated;
- a Draft no longer wanted (its school and term now net to nothing) keeps its number on its
  key with Net, VAT and Gross of 0.00, still Draft: the register has no Cancelled status,
  and keeping the row means the number is neither lost (a gap) nor given to anything else.
  ``issue`` leaves such nil Drafts alone (there is nothing to send), and if the key is
  wanted again the same number is used;
- an Issued document is never rewritten. If what its key wants changes, the old row becomes
  Credited (nothing else about it changes), a reversing document ``CR|<old number>`` takes
  the next number (Supersedes = the old number; a Credit note for an invoice, an Invoice
  for a credit note, a reversing Budget adjustment for a budget adjustment) and, unless the
  key now wants nothing, a new document takes the number after that (Supersedes = the old
  number too).

Only rows numbered in the current series (this prefix and financial year) are reconciled;
rows of other years or prefixes are kept exactly as they are. The new register lists the old
rows first, in their original order, then the new rows in numbering order. Rows created by a
run carry ``row = 0``: they are not on a sheet yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from apmodel.domain.findings import Findings
from apmodel.domain.inputs import RegisterEntry, normalise
from apmodel.domain.money import ZERO

TABLE = "InvoiceRegister"
SEQUENCE_DIGITS = 5


class RegisterStatus(StrEnum):
    DRAFT = "Draft"
    ISSUED = "Issued"
    CREDITED = "Credited"


class DocumentKind(StrEnum):
    BUDGET_ADJUSTMENT = "Budget adjustment"
    INVOICE = "Invoice"
    CREDIT_NOTE = "Credit note"


REVERSAL_KEY_PREFIX = "CR|"


def series(prefix: str, year_label: str) -> str:
    """The start every number of this prefix and year shares: ``AP-2025-26-``."""
    return f"{prefix}-{year_label}-"


def _number(start: str, sequence: int) -> str:
    """The number ``sequence`` in the series ``start``: ``AP-2025-26-00042``."""
    return f"{start}{sequence:0{SEQUENCE_DIGITS}d}"


def sequence_of(number: str, start: str) -> int | None:
    """The sequence part of a number in the series ``start``, or None if it is not one."""
    if not number.startswith(start):
        return None
    tail = number[len(start) :]
    return int(tail) if tail.isdigit() else None


@dataclass(frozen=True)
class WantedDocument:
    """What a run says a key should hold: the settlement of one school for one term."""

    key: str
    kind: DocumentKind
    urn: int
    period: str
    net: Decimal
    vat: Decimal
    gross: Decimal


def _reversal_kind(entry: RegisterEntry) -> DocumentKind:
    if entry.kind == DocumentKind.BUDGET_ADJUSTMENT:
        return DocumentKind.BUDGET_ADJUSTMENT
    return DocumentKind.CREDIT_NOTE if entry.net > 0 else DocumentKind.INVOICE


def _same(entry: RegisterEntry, wanted: WantedDocument) -> bool:
    return (entry.kind, entry.net, entry.vat, entry.gross) == (wanted.kind, wanted.net, wanted.vat, wanted.gross)


def is_nil(entry: RegisterEntry) -> bool:
    return entry.net == 0 and entry.vat == 0 and entry.gross == 0


class _Reconciler:
    def __init__(self, register: Sequence[RegisterEntry], start: str, findings: Findings | None) -> None:
        self.rows = list(register)
        self.start = start
        self.findings = findings
        used = [s for e in self.rows if (s := sequence_of(e.number, start)) is not None]
        self.last = max(used, default=0)
        if findings is not None and sorted(used) != list(range(1, self.last + 1)):
            missing = sorted(set(range(1, self.last + 1)) - set(used))
            findings.warning(
                "REGISTER_GAP",
                TABLE,
                None,
                "Number",
                ", ".join(_number(start, n) for n in missing[:5]),
                "Numbers are missing from the invoice register (rows deleted by hand?). New numbers continue after "
                "the highest one; restore the missing rows so the register stays complete.",
            )

    def next_number(self) -> str:
        self.last += 1
        return _number(self.start, self.last)

    def live_rows(self) -> dict[str, int]:
        """Key -> index of its Draft or Issued row in this series (reversals are never regenerated)."""
        live: dict[str, int] = {}
        for i, entry in enumerate(self.rows):
            if sequence_of(entry.number, self.start) is None or entry.key.startswith(REVERSAL_KEY_PREFIX):
                continue
            if entry.status == RegisterStatus.CREDITED:
                continue
            if entry.key in live and self.findings is not None:
                self.findings.warning(
                    "REGISTER_DUPLICATE_KEY",
                    TABLE,
                    entry.row or None,
                    "Key",
                    entry.key,
                    f"{entry.key} has more than one live document; {entry.number} is taken as the current one.",
                )
            live[entry.key] = i
        return live

    def append(self, wanted: WantedDocument, supersedes: str = "") -> None:
        self.rows.append(
            RegisterEntry(
                row=0,
                number=self.next_number(),
                key=wanted.key,
                kind=wanted.kind.value,
                urn=wanted.urn,
                period=wanted.period,
                net=wanted.net,
                vat=wanted.vat,
                gross=wanted.gross,
                status=RegisterStatus.DRAFT.value,
                supersedes=supersedes,
            )
        )

    def credit(self, index: int) -> None:
        """Mark an Issued row Credited and append the document reversing it."""
        old = self.rows[index]
        self.rows[index] = old.model_copy(update={"status": RegisterStatus.CREDITED.value})
        self.rows.append(
            RegisterEntry(
                row=0,
                number=self.next_number(),
                key=f"{REVERSAL_KEY_PREFIX}{old.number}",
                kind=_reversal_kind(old).value,
                urn=old.urn,
                period=old.period,
                net=ZERO - old.net,
                vat=ZERO - old.vat,
                gross=ZERO - old.gross,
                status=RegisterStatus.DRAFT.value,
                supersedes=old.number,
            )
        )

    def reconcile(self, wanted: Sequence[WantedDocument]) -> list[RegisterEntry]:
        live = self.live_rows()
        for doc in wanted:
            index = live.get(doc.key)
            if index is None:
                self.append(doc)
                continue
            old = self.rows[index]
            if old.status == RegisterStatus.DRAFT:
                self.rows[index] = old.model_copy(
                    update={
                        "kind": doc.kind.value,
                        "urn": doc.urn,
                        "period": doc.period,
                        "net": doc.net,
                        "vat": doc.vat,
                        "gross": doc.gross,
                    }
                )
            elif not _same(old, doc):
                self.credit(index)
                self.append(doc, supersedes=old.number)
        wanted_keys = {doc.key for doc in wanted}
        for key, index in live.items():
            if key in wanted_keys:
                continue
            old = self.rows[index]
            if old.status == RegisterStatus.DRAFT:
                self.rows[index] = old.model_copy(update={"net": ZERO, "vat": ZERO, "gross": ZERO})
            elif not is_nil(old):
                self.credit(index)
        return self.rows


def reconcile(
    register: Sequence[RegisterEntry],
    wanted: Sequence[WantedDocument],
    prefix: str,
    year_label: str,
    findings: Findings | None = None,
) -> list[RegisterEntry]:
    """The new register: ``register``'s rows (updated where allowed) then the new ones, numbered in order."""
    return _Reconciler(register, series(prefix, year_label), findings).reconcile(wanted)


def issue(register: Sequence[RegisterEntry], period: str, today: date) -> list[RegisterEntry]:
    """Turn the period's Drafts into Issued, dated ``today``; nil Drafts and everything else are unchanged.

    The result has the same rows in the same order, so a caller can compare it row by row.
    """
    wanted = normalise(period)
    return [
        entry.model_copy(update={"status": RegisterStatus.ISSUED.value, "issued_on": today})
        if entry.status == RegisterStatus.DRAFT and normalise(entry.period) == wanted and not is_nil(entry)
        else entry
        for entry in register
    ]
