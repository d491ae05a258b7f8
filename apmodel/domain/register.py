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
rows of other years or prefixes are kept exactly as they are, and so are rows of the current
series whose key has a row in another series (corrections of last year's documents). Those are
``reconcile_last_year``'s: after a rollover, last year's documents recomputed from last year's
inputs, with the same rules and every new number in the current series. The new register lists the old
rows first, in their original order, then the new rows in numbering order. Rows created by a
run carry ``row = 0``: they are not on a sheet yet.

The register is on a sheet people can edit, so a run first checks it against the **log**
(``RegisterLog``, a hidden table the model writes beside it): the state of every number the
model has ever handed out, as it last wrote it. Numbers whose rows are deleted stay in the
log, so the log is the high-water mark: a number in it is never handed out again. ``check``
refuses to touch a register (it is *frozen*: no row changed, no number handed out, each
problem an Error naming the row and column) that has

- a row the workbook layer could not read (a Status the model does not know, a Number
  cleared, two rows with the same Number: ``intact`` is False);
- a row of this year's terms numbered in another series (another year's prefix);
- an Issued or Credited row whose figures differ from what the log says was issued
  (``REGISTER_EDITED``), or that the log never issued;
- an Issued or Credited number of the log whose row has been deleted (``REGISTER_ROW_DELETED``).

So an edited figure is never the basis of a credit note, and a deleted document is never
billed again. A workbook with no log yet (made before the log existed) is trusted as it is,
and the run writes its log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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


Mine = Callable[[RegisterEntry], bool]


class _Reconciler:
    """Reconciles the rows ``mine`` picks (see ``reconcile``), numbering new rows in the series ``start``."""

    def __init__(
        self,
        register: Sequence[RegisterEntry],
        start: str,
        findings: Findings | None,
        high_water: int = 0,
        mine: Mine | None = None,
        gaps: bool = True,
    ) -> None:
        self.rows = list(register)
        self.start = start
        self.findings = findings
        self.mine: Mine = mine if mine is not None else (lambda entry: sequence_of(entry.number, start) is not None)
        #: Drafts of another series the run wanted to change and left as they are (last year's, never issued).
        self.drafts_left: list[RegisterEntry] = []
        used = [s for e in self.rows if (s := sequence_of(e.number, start)) is not None]
        self.last = max(max(used, default=0), high_water)
        if gaps and findings is not None and sorted(used) != list(range(1, self.last + 1)):
            missing = sorted(set(range(1, self.last + 1)) - set(used))
            findings.warning(
                "REGISTER_GAP",
                TABLE,
                None,
                "Number",
                ", ".join(_number(start, n) for n in missing[:5]),
                "Numbers are missing from the invoice register (rows deleted by hand?). They are never handed out "
                "again: new numbers continue after the highest one ever used (the RegisterLog sheet keeps it). "
                "Restore the missing rows so the register stays complete.",
            )

    def next_number(self) -> str:
        self.last += 1
        return _number(self.start, self.last)

    def live_rows(self) -> dict[str, int]:
        """Key -> index of its Draft or Issued row in this series (reversals are never regenerated)."""
        live: dict[str, int] = {}
        for i, entry in enumerate(self.rows):
            if not self.mine(entry) or entry.key.startswith(REVERSAL_KEY_PREFIX):
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

    def foreign(self, entry: RegisterEntry) -> bool:
        """A row numbered in another series than the one new numbers are given in (last year's)."""
        return sequence_of(entry.number, self.start) is None

    def reconcile(self, wanted: Sequence[WantedDocument]) -> list[RegisterEntry]:
        live = self.live_rows()
        for doc in wanted:
            index = live.get(doc.key)
            if index is None:
                self.append(doc)
                continue
            old = self.rows[index]
            if old.status == RegisterStatus.DRAFT and self.foreign(old):
                if not _same(old, doc):
                    self.drafts_left.append(old)
            elif old.status == RegisterStatus.DRAFT:
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
            if old.status == RegisterStatus.DRAFT and self.foreign(old):
                if not is_nil(old):
                    self.drafts_left.append(old)
            elif old.status == RegisterStatus.DRAFT:
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
    log: Sequence[RegisterEntry] = (),
) -> list[RegisterEntry]:
    """The new register: ``register``'s rows (updated where allowed) then the new ones, numbered in order.

    Numbering continues after the highest number in the register or in ``log`` (the high-water mark).
    """
    start = series(prefix, year_label)
    others = keys_of_other_series(register, start)
    return _Reconciler(
        register,
        start,
        findings,
        _high_water(log, start),
        mine=lambda entry: sequence_of(entry.number, start) is not None and entry.key not in others,
    ).reconcile(wanted)


def _high_water(log: Sequence[RegisterEntry], start: str) -> int:
    return max((s for e in log if (s := sequence_of(e.number, start)) is not None), default=0)


def keys_of_other_series(register: Sequence[RegisterEntry], start: str) -> frozenset[str]:
    """The keys of documents numbered in another series than ``start`` (last year's, mostly).

    A row of this year's series with such a key corrects another year's document (see
    ``reconcile_last_year``): this year's reconciliation leaves it alone.
    """
    return frozenset(e.key for e in register if sequence_of(e.number, start) is None)


@dataclass(frozen=True)
class LastYearReconciled:
    register: list[RegisterEntry]
    #: Last year's Drafts (never issued) whose figures the recomputation would change: left as they are.
    drafts_left: list[RegisterEntry]


def reconcile_last_year(
    register: Sequence[RegisterEntry],
    wanted: Sequence[WantedDocument],
    last_start: str,
    start: str,
    last_periods: Iterable[str],
    log: Sequence[RegisterEntry] = (),
) -> LastYearReconciled:
    """The register with last year's documents reconciled with ``wanted`` (last year's, recomputed).

    The rows reconciled are those of last year's terms numbered in last year's series
    ``last_start`` or in this year's ``start`` (the corrections made since). The rules are
    ``reconcile``'s, with every new number in **this** year's series ``start``: an Issued
    document of last year that must change is Credited, and the credit note (Supersedes = its
    number) and any replacement are numbered in this year's series. An unchanged document is
    left as it is. A Draft of last year's series (never issued) is never changed here: it is in
    ``drafts_left`` when the recomputation would change it.
    """
    periods = {normalise(p) for p in last_periods}
    high_water = max(_high_water(register, start), _high_water(log, start))

    def mine(entry: RegisterEntry) -> bool:
        ours = sequence_of(entry.number, last_start) is not None or sequence_of(entry.number, start) is not None
        return ours and normalise(entry.period) in periods

    reconciler = _Reconciler(register, start, None, high_water, mine=mine, gaps=False)
    rows = reconciler.reconcile(wanted)
    return LastYearReconciled(rows, reconciler.drafts_left)


#: What the log records of each number, and so what a hand edit of a sent document changes.
#: (Register column, field) pairs; ``Status`` is checked on its own.
ISSUED_FIELDS: tuple[tuple[str, str], ...] = (
    ("Key", "key"),
    ("Kind", "kind"),
    ("URN", "urn"),
    ("Period", "period"),
    ("Net", "net"),
    ("VAT", "vat"),
    ("Gross", "gross"),
    ("Issued On", "issued_on"),
    ("Supersedes", "supersedes"),
)

_SENT = (RegisterStatus.ISSUED, RegisterStatus.CREDITED)


def _sent(entry: RegisterEntry) -> bool:
    return entry.status in _SENT


def check(
    register: Sequence[RegisterEntry],
    log: Sequence[RegisterEntry],
    start: str,
    periods: Iterable[str],
    findings: Findings,
    *,
    intact: bool = True,
) -> bool:
    """True when the run may change ``register``; otherwise each reason is an Error and it is frozen.

    ``start`` is this year's series, ``periods`` this year's terms, ``intact`` False when the
    workbook layer left a register row out (its own Errors name it). See the module docstring.
    """
    trusted = intact
    this_year = {normalise(p) for p in periods}
    for entry in register:
        if sequence_of(entry.number, start) is None and normalise(entry.period) in this_year:
            trusted = False
            findings.error(
                "REGISTER_WRONG_SERIES",
                TABLE,
                entry.row or None,
                "Number",
                entry.number,
                f"{entry.number} is for {entry.period}, a term of this year, but is not numbered {start}...: "
                "a number of another year or prefix on this year's row (typed or pasted by hand?). "
                "Put back the number the model gave it.",
            )
    if log:
        trusted = _matches_log(register, log, findings) and trusted
    if not trusted:
        findings.error(
            "REGISTER_NOT_UPDATED",
            TABLE,
            None,
            None,
            "",
            "The invoice register was left exactly as it is and no document was numbered, credited or "
            "re-billed, because of the register Errors listed here. Correct those rows (the hidden "
            "RegisterLog sheet shows what was issued) and run again.",
        )
    return trusted


def _matches_log(register: Sequence[RegisterEntry], log: Sequence[RegisterEntry], findings: Findings) -> bool:
    """Every sent register row as the log recorded it, and every sent number of the log still there."""
    ok = True
    logged = {entry.number: entry for entry in log}
    numbers = {entry.number for entry in register}
    for entry in register:
        was = logged.get(entry.number)
        if not _sent(entry) and (was is None or not _sent(was)):
            continue  # a Draft, as far as anyone knows: the run may regenerate it
        if was is None or was.status != entry.status:
            ok = False
            before = "never handed out" if was is None else was.status
            findings.error(
                "REGISTER_EDITED",
                TABLE,
                entry.row or None,
                "Status",
                entry.status,
                f"{entry.number} was {before} when apmodel last wrote the register but now reads {entry.status}: "
                "only 'Issue invoices' issues a document and only a run credits one. "
                + ("Put back Draft." if was is None or not _sent(was) else f"Put back {was.status}."),
            )
            continue
        for column, name in ISSUED_FIELDS:
            before, now = getattr(was, name), getattr(entry, name)
            if before != now:
                ok = False
                findings.error(
                    "REGISTER_EDITED",
                    TABLE,
                    entry.row or None,
                    column,
                    now,
                    f"{entry.number} was issued with {column} {_shown(before)}; the register now says "
                    f"{_shown(now)}. A sent document is never changed or credited from edited figures: "
                    f"put back {_shown(before)} (to change what is owed, change the inputs and run).",
                )
    for was in log:
        if _sent(was) and was.number not in numbers:
            ok = False
            findings.error(
                "REGISTER_ROW_DELETED",
                TABLE,
                None,
                "Number",
                was.number,
                f"{was.number} ({was.kind}, {was.key}, Gross {_shown(was.gross)}, {was.status}) has been deleted "
                "from the register. Its number is never handed out again and its school and term are not "
                "billed again: put the row back as it was (the hidden RegisterLog sheet has it).",
            )
    return ok


def _shown(value: object) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def updated_log(register: Sequence[RegisterEntry], log: Sequence[RegisterEntry]) -> list[RegisterEntry]:
    """The log to keep after a run: every register row as now written, then numbers only the old log holds.

    A number whose row was deleted keeps its last known state here, so it is never handed out
    again (the high-water mark) and a deleted sent document is reported on every run.
    """
    numbers = {entry.number for entry in register}
    return [*register, *(entry for entry in log if entry.number not in numbers)]


def issue(
    register: Sequence[RegisterEntry], period: str, today: date, start: str | None = None
) -> list[RegisterEntry]:
    """Turn the period's Drafts into Issued, dated ``today``; nil Drafts and everything else are unchanged.

    With ``start``, only Drafts numbered in that series (this year's): a Draft of last year's
    series is issued in last year's workbook. The result has the same rows in the same order,
    so a caller can compare it row by row.
    """
    wanted = normalise(period)
    return [
        entry.model_copy(update={"status": RegisterStatus.ISSUED.value, "issued_on": today})
        if entry.status == RegisterStatus.DRAFT
        and normalise(entry.period) == wanted
        and not is_nil(entry)
        and (start is None or sequence_of(entry.number, start) is not None)
        else entry
        for entry in register
    ]
