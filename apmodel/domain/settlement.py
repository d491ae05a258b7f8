"""Settlement: recoverable recoupment lines become budget adjustments, invoices and credit notes.

Rule: docs/funding-rules.md, "Settlement". Only lines with status Recoverable are settled (never a
line that is not recoverable, out of year or blocked by an Error). They are grouped per
school per billing period (term), charges and credits netting together:

- a maintained school gets one **Budget adjustment** per term: a journal against its budget
  share. A net credit is an adjustment that adds to the budget (a negative Net here);
- an academy gets one **Invoice** to its trust per term, or a **Credit note** when the term
  nets to a credit;
- a school and term netting to exactly 0.00 needs no document.

Net is the sum of the (already rounded) lines and ``Gross = Net + VAT``. VAT is for invoices
and credit notes only: a maintained school's budget adjustment is an internal journal of the
LA (the school is part of it), never a supply, so it carries no VAT. On an invoice or credit
note, each line type has its VAT treatment from the Settings (``VAT treatment: <type>``:
Standard, Exempt or Outside scope, default Outside scope, as the council's VAT officer
advises) and ``VAT = (sum of the Standard lines) x VAT rate``, rounded half up to the penny.
Signs follow the Recoupment table: positive is owed by the school. A document's
Date is the run date while it is a Draft and its Issued On date once issued; the Due date
(``Date + Payment terms (days)``) is shown for invoices only: budget adjustments and credit
notes are not paid by the school.

Numbering, and what happens to documents already issued, is ``register``'s job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from apmodel.domain.findings import Findings
from apmodel.domain.inputs import (
    ModelInputs,
    RegisterEntry,
    School,
    SchoolType,
    Settings,
    VatTreatment,
    normalise,
)
from apmodel.domain.money import ZERO, money
from apmodel.domain.recoupment_lines import LineType, RecoupmentLine
from apmodel.domain.register import (
    REVERSAL_KEY_PREFIX,
    TABLE,
    DocumentKind,
    RegisterStatus,
    WantedDocument,
    check,
    is_nil,
    issue,
    reconcile,
    reconcile_last_year,
    sequence_of,
    series,
)
from apmodel.domain.trace import TraceLine, fmt_money, fmt_percent


@dataclass(frozen=True)
class Document:
    """A row of ``Invoices``: one invoice, credit note or budget adjustment."""

    number: str
    kind: str
    urn: int | None
    school: str
    trust: str
    period: str
    date: dt.date
    due: dt.date | None
    net: Decimal
    vat: Decimal
    gross: Decimal
    status: str
    key: str
    supersedes: str
    #: The Recoupment lines the document settles, in line order: the school's Recoverable lines of
    #: its period while the document is current (their sum is its Net). Empty for a reversal
    #: (a credit note or adjustment that reverses a document in full), a Credited document, and
    #: an Issued one the lines no longer match (its amount stands as issued).
    lines: tuple[RecoupmentLine, ...] = ()

    @property
    def is_reversal(self) -> bool:
        """A document that reverses ``supersedes`` in full."""
        return self.key.startswith(REVERSAL_KEY_PREFIX)


@dataclass(frozen=True)
class LastYear:
    """Last year's inputs as rollover kept them, and its Recoupment lines recomputed from them.

    ``errors``: how many Errors reading and recomputing them found. With any, last year's
    documents are left exactly as they are (never credited from inputs that cannot be read).
    """

    inputs: ModelInputs
    lines: tuple[RecoupmentLine, ...]
    errors: int = 0


@dataclass(frozen=True)
class SettlementResult:
    #: This year's documents in number order (nil Drafts left out: there is nothing to send).
    documents: list[Document] = field(default_factory=list)
    #: The full new register: the old rows first in their original order, then the new ones.
    register: list[RegisterEntry] = field(default_factory=list)
    trace: list[TraceLine] = field(default_factory=list)
    #: The Recoupment lines settled, so a re-issued settlement rebuilds its documents' lines.
    lines: tuple[RecoupmentLine, ...] = ()
    #: True when ``register.check`` found the register edited or damaged: it is the register as
    #: read, unchanged, and nothing may be issued from it (the workbook keeps it as typed).
    frozen: bool = False
    #: Last year's inputs when its documents were recomputed too (see ``LastYear``).
    last_year: ModelInputs | None = None


def document_key(school_type: SchoolType, urn: int, period: str) -> str:
    return f"{'BA' if school_type is SchoolType.MAINTAINED else 'INV'}|{urn}|{period}"


def vat_treatment(settings: Settings | None, line_type: LineType) -> VatTreatment:
    """The VAT treatment the Settings give a type of line on an invoice (Outside scope by default)."""
    if settings is None:
        return VatTreatment.OUTSIDE_SCOPE
    return {
        LineType.EXCLUSION_ADJUSTMENT: settings.vat_exclusion_adjustment,
        LineType.PUPIL_PREMIUM: settings.vat_pupil_premium,
        LineType.ADMITTING_CREDIT: settings.vat_admitting_credit,
        LineType.REINSTATEMENT_REPAYMENT: settings.vat_reinstatement_repayment,
        LineType.PLACEMENT_CHARGE: settings.vat_placement_charge,
    }[line_type]


def _standard_rated(school: School, group: Sequence[RecoupmentLine], settings: Settings | None) -> Decimal:
    """The part of a document's Net that VAT applies to: none on a budget adjustment (an internal journal)."""
    if school.type is SchoolType.MAINTAINED:
        return ZERO
    return sum(
        (line.amount for line in group if vat_treatment(settings, line.type) is VatTreatment.STANDARD), ZERO
    )


def _period_order(inputs: ModelInputs) -> dict[str, int]:
    ordered = sorted(inputs.terms, key=lambda t: (t.start, t.row))
    return {term.name: i for i, term in enumerate(ordered)}


def wanted_documents(
    lines: Sequence[RecoupmentLine], inputs: ModelInputs
) -> tuple[list[WantedDocument], list[TraceLine]]:
    """One document per school per period from the Recoverable lines, in term then URN order."""
    settings = inputs.settings
    vat_rate = settings.vat_rate if settings is not None else ZERO
    schools = {school.urn: school for school in inputs.schools}
    groups: dict[tuple[int, str], list[RecoupmentLine]] = {}
    for line in lines:
        if line.settled and line.urn in schools:
            groups.setdefault((line.urn, line.period), []).append(line)
    order = _period_order(inputs)
    wanted: list[WantedDocument] = []
    trace: list[TraceLine] = []
    for (urn, period), group in sorted(groups.items(), key=lambda kv: (order.get(kv[0][1], len(order)), kv[0])):
        school = schools[urn]
        net = sum((line.amount for line in group), ZERO)
        if net == 0:
            continue
        standard = _standard_rated(school, group, settings)
        vat = money(standard * vat_rate)
        kind = _kind(school, net)
        wanted.append(WantedDocument(document_key(school.type, urn, period), kind, urn, period, net, vat, net + vat))
        trace.append(
            TraceLine(
                f"{kind} net",
                "sum of the school's recoverable lines in the period; VAT = standard-rated lines x VAT rate "
                "(no VAT on a budget adjustment)",
                f"lines = {', '.join(f'{line.line_id} {fmt_money(line.amount)}' for line in group)}; "
                f"standard-rated = {fmt_money(standard)}; VAT rate = {fmt_percent(vat_rate)}; "
                f"VAT = {fmt_money(vat)}",
                net,
                urn=urn,
                school=school.name,
                district=school.district,
                period=period,
            )
        )
    return wanted, trace


def _kind(school: School, net: Decimal) -> DocumentKind:
    if school.type is SchoolType.MAINTAINED:
        return DocumentKind.BUDGET_ADJUSTMENT
    return DocumentKind.INVOICE if net > 0 else DocumentKind.CREDIT_NOTE


def _settled_lines(
    entry: RegisterEntry, by_period: dict[tuple[int, str], list[RecoupmentLine]]
) -> tuple[RecoupmentLine, ...]:
    """The lines ``entry`` settles (see ``Document.lines``)."""
    if entry.urn is None or entry.key.startswith(REVERSAL_KEY_PREFIX) or entry.status == RegisterStatus.CREDITED:
        return ()
    settled = by_period.get((entry.urn, entry.period), [])
    return tuple(settled) if sum((line.amount for line in settled), ZERO) == entry.net else ()


def documents(
    register: Sequence[RegisterEntry],
    inputs: ModelInputs,
    today: dt.date,
    lines: Sequence[RecoupmentLine] = (),
    last_year: ModelInputs | None = None,
) -> list[Document]:
    """The ``Invoices`` rows of this year's series in ``register`` (use after ``issue`` too), each
    with the ``lines`` it settles (a correction of last year's document names its school from
    ``last_year``'s Schools when this year's no longer has it)."""
    settings = inputs.settings
    if settings is None:
        return []
    start = series(settings.invoice_prefix, settings.financial_year.label)
    earlier = last_year.schools if last_year is not None else ()
    schools = {school.urn: school for school in (*earlier, *inputs.schools)}
    by_period: dict[tuple[int, str], list[RecoupmentLine]] = {}
    for line in lines:
        if line.settled:
            by_period.setdefault((line.urn, line.period), []).append(line)
    result: list[Document] = []
    for entry in sorted(register, key=lambda e: sequence_of(e.number, start) or 0):
        if sequence_of(entry.number, start) is None:
            continue
        if entry.status == RegisterStatus.DRAFT and is_nil(entry):
            continue
        school = schools.get(entry.urn) if entry.urn is not None else None
        dated = entry.issued_on or today
        due = dated + dt.timedelta(days=settings.payment_terms_days) if entry.kind == DocumentKind.INVOICE else None
        result.append(
            Document(
                number=entry.number,
                kind=entry.kind,
                urn=entry.urn,
                school=school.name if school is not None else "",
                trust=school.trust if school is not None else "",
                period=entry.period,
                date=dated,
                due=due,
                net=entry.net,
                vat=entry.vat,
                gross=entry.gross,
                status=entry.status,
                key=entry.key,
                supersedes=entry.supersedes,
                lines=_settled_lines(entry, by_period),
            )
        )
    return result


def settle(
    lines: Sequence[RecoupmentLine],
    inputs: ModelInputs,
    today: dt.date,
    findings: Findings | None = None,
    last_year: LastYear | None = None,
) -> SettlementResult:
    """Documents for the recoverable lines, numbered through the register (see ``register``); with
    ``last_year``, last year's documents corrected where its inputs changed (``_correct_last_year``)."""
    settings = inputs.settings
    if settings is None:
        return SettlementResult([], list(inputs.invoice_register), [], tuple(lines))
    wanted, trace = wanted_documents(lines, inputs)
    start = series(settings.invoice_prefix, settings.financial_year.label)
    report = findings if findings is not None else Findings()
    terms = [term.name for term in inputs.terms]
    if not check(inputs.invoice_register, inputs.register_log, start, terms, report, intact=inputs.register_intact):
        register = list(inputs.invoice_register)
        return SettlementResult(documents(register, inputs, today, lines), register, trace, tuple(lines), frozen=True)
    register = reconcile(
        inputs.invoice_register,
        wanted,
        settings.invoice_prefix,
        settings.financial_year.label,
        findings,
        log=inputs.register_log,
    )
    every = tuple(lines)
    if last_year is not None:
        register, last_trace = _correct_last_year(register, inputs, last_year, report)
        trace += last_trace
        every += last_year.lines
    earlier = last_year.inputs if last_year is not None else None
    shown = documents(register, inputs, today, every, earlier)
    return SettlementResult(shown, register, trace, every, last_year=earlier)


def _correct_last_year(
    register: list[RegisterEntry], inputs: ModelInputs, last_year: LastYear, findings: Findings
) -> tuple[list[RegisterEntry], list[TraceLine]]:
    """The register with last year's documents reconciled with its recomputed lines (``reconcile_last_year``)."""
    settings, last = inputs.settings, last_year.inputs.settings
    assert settings is not None
    if last is None or last.financial_year.start_year != settings.financial_year.start_year - 1:
        findings.warning(
            "LAST_YEAR_NOT_RECOMPUTED", TABLE, None, None, last.financial_year.label if last else "",
            f"The LastYear tables are not for {settings.financial_year.start_year - 1}-"
            f"{settings.financial_year.start_year % 100:02d} (the year before this one), so last year's documents "
            "were not recomputed: they stand as issued.",
        )  # fmt: skip
        return register, []
    this_terms = {normalise(term.name) for term in inputs.terms}
    last_terms = [term.name for term in last_year.inputs.terms]
    shared = [name for name in last_terms if normalise(name) in this_terms]
    if last_year.errors or shared:
        why = (
            f"the LastYear tables have {last_year.errors} Error(s) (listed here)"
            if last_year.errors
            else f"term names are the same in both years ({', '.join(shared[:3])})"
        )
        findings.warning(
            "LAST_YEAR_NOT_RECOMPUTED", TABLE, None, None, last.financial_year.label,
            f"Last year's ({last.financial_year.label}) documents were not recomputed because {why}: they stand as "
            "issued and none is credited or re-billed. Correct that and run again.",
        )  # fmt: skip
        return register, []
    wanted, trace = wanted_documents(last_year.lines, last_year.inputs)
    start = series(settings.invoice_prefix, settings.financial_year.label)
    last_start = series(last.invoice_prefix, last.financial_year.label)
    result = reconcile_last_year(register, wanted, last_start, start, last_terms, inputs.register_log)
    if result.drafts_left:
        numbers = ", ".join(entry.number for entry in result.drafts_left[:5])
        findings.warning(
            "LAST_YEAR_DRAFT_LEFT", TABLE, None, "Number", numbers,
            f"{len(result.drafts_left)} Draft document(s) of {last.financial_year.label} were never issued and "
            "last year's inputs as corrected now give different figures; they are left as they are (a Draft "
            f"of last year is issued, or regenerated, in last year's workbook). {numbers}",
        )  # fmt: skip
    before = {entry.number: entry.status for entry in register}
    credited = [e.number for e in result.register if before.get(e.number, e.status) != e.status]
    if credited:
        findings.info(
            "LAST_YEAR_CREDITED", TABLE, None, "Number", ", ".join(credited[:5]),
            f"{len(credited)} Issued document(s) of {last.financial_year.label} no longer match last year's inputs "
            f"as corrected (the LastYear tables): each is Credited, and its credit note (Supersedes = its number) "
            f"and any replacement are Drafts numbered {start}..., to issue with their term.",
        )  # fmt: skip
    return result.register, trace


def issue_period(settlement: SettlementResult, inputs: ModelInputs, period: str, today: dt.date) -> SettlementResult:
    """The settlement after issuing ``period``: its Drafts Issued (see ``register.issue``), documents rebuilt.

    A frozen register (see ``SettlementResult.frozen``) issues nothing; only this year's series is issued.
    """
    if settlement.frozen or inputs.settings is None:
        return settlement
    start = series(inputs.settings.invoice_prefix, inputs.settings.financial_year.label)
    register = issue(settlement.register, period, today, start)
    return SettlementResult(
        documents(register, inputs, today, settlement.lines, settlement.last_year),
        register,
        settlement.trace,
        settlement.lines,
        last_year=settlement.last_year,
    )
