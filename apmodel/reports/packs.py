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

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xlsxwriter

from apmodel.domain.allocation import DistrictAllocation, SchoolAllocation
from apmodel.domain.inputs import (
    FundingModel,
    Method,
    ModelInputs,
    RedressRule,
    School,
    SchoolFactor,
    SchoolType,
    normalise,
)
from apmodel.domain.money import ZERO
from apmodel.domain.recoupment_lines import LegalBasis, LineStatus, LineType, RecoupmentLine
from apmodel.domain.register import REVERSAL_KEY_PREFIX, DocumentKind, RegisterStatus
from apmodel.domain.settlement import Document
from apmodel.domain.stage1 import phase_matches
from apmodel.domain.stage2 import providers_by_id, school_label
from apmodel.domain.trace import TraceLine, fmt_number, fmt_percent

if TYPE_CHECKING:
    from apmodel.service import RunReport

#: Fewer packs than this are written in this process: a pool costs more than it saves.
PARALLEL_FROM = 40
DEFAULT_WORKERS = 2
#: Characters no file name may hold on Windows, macOS or Linux.
_UNSAFE_IN_FILENAME = re.compile(r'[/\\:*?"<>|\x00-\x1f]')
_UNSAFE_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_MAX_NAME_IN_FILENAME = 120
_MAX_SHEET_NAME = 31
_TRACE_URN = re.compile(r"^URN (\d+) ")
_SCALING_SHOWN = Decimal("0.0001")
YOUR_LA_FINANCE_TEAM = "your LA finance team"
NO_RECOUPMENT = "No recoupment this year."
FINAL_DEVOLVED = "Final devolved allocation"

#: One plain sentence per line type: the rule that works the line out (docs/funding-rules.md, "Recoupment").
#: Kept short: each sits on one printed line of the landscape Recoupment sheet.
LINE_TYPE_RULES: dict[str, str] = {
    LineType.EXCLUSION_ADJUSTMENT: (
        "Statutory adjustment on permanent exclusion: A x B / 52 + C "
        "(School and Early Years Finance (England) Regulations)."
    ),
    LineType.PUPIL_PREMIUM: (
        "The excluded pupil's pupil premium follows the pupil: A x B / 52 "
        "(School and Early Years Finance (England) Regulations)."
    ),
    LineType.ADMITTING_CREDIT: "Credit to the school that admitted an excluded pupil: D x E / F, shown negative.",
    LineType.REINSTATEMENT_REPAYMENT: (
        "Repayment to the school when an excluded pupil is reinstated: D x E / F, shown negative."
    ),
    LineType.PLACEMENT_CHARGE: (
        "Local charge for an AP placement under the school's AP Agreement, per term: Rate x Days (Daily) or x weeks "
        "(Weekly), x days a week / 5; or Rate% x AWPU x Days / school days in the year."
    ),
}

LEGAL_BASIS_MEANING: dict[str, str] = {
    LegalBasis.STATUTORY: "Required by regulation 39 of the School and Early Years Finance (England) Regulations.",
    LegalBasis.LOCAL_AGREEMENT: "Charged under the AP Agreement the school signed with the LA.",
    LegalBasis.NOT_RECOVERABLE: (
        "The LA cannot charge this without an AP Agreement: shown for information only, nothing to pay."
    ),
}

STATUS_MEANING: dict[str, str] = {
    LineStatus.RECOVERABLE: "Settled on the invoice, credit note or budget adjustment for its period.",
    LineStatus.NOT_RECOVERABLE: "Not charged: shown for information only.",
    LineStatus.OUT_OF_YEAR: "The dates fall outside this financial year: no charge this year.",
    LineStatus.BLOCKED: "Held back until a problem in the LA's records is put right; not charged yet.",
}

LETTER_MEANING: tuple[tuple[str, str], ...] = (
    ("A", "The pupil-led funding for a full year (exclusion lines) or the pupil premium (pupil premium lines)."),
    ("B", "Complete weeks from the relevant date to 31 March (or to the school year end at a change of phase)."),
    ("C", "The amount of any financial adjustment order."),
    ("D", "The exclusion adjustment before C, used for credits and repayments."),
    ("E", "Complete weeks from the admission or reinstatement to the end of the period."),
    ("F", "The weeks E is divided by (F = B)."),
    ("Rate", "The placement charge rate: pounds a day or a week, or the percentage of the basic entitlement."),
    ("Days", "School days counted for the line."),
    ("Amount", "Positive: a charge to the school. Negative: a credit to the school."),
)


# --------------------------------------------------------------------------- plain data for one school


@dataclass(frozen=True)
class AllocationRow:
    """One row of the Allocation sheet: a factor, a redress figure, a subtotal or the final figure."""

    item: str
    amount: Decimal
    explanation: str


@dataclass(frozen=True)
class PackLine:
    """A recoupment line as the school sees it: Pupil Ref and the rule's letters, nothing else of the pupil."""

    line_id: str
    pupil_ref: str
    type: str
    legal_basis: str
    settlement: str
    period: str
    a: Decimal | None
    b: int | None
    c: Decimal | None
    d: Decimal | None
    e: int | None
    f: int | None
    rate: Decimal | None
    days: int | None
    amount: Decimal
    status: str


@dataclass(frozen=True)
class DocumentLine:
    period: str
    description: str
    pupil_ref: str
    amount: Decimal


@dataclass(frozen=True)
class PackDocument:
    number: str
    kind: str
    status: str
    date: dt.date
    due: dt.date | None
    period: str
    net: Decimal
    vat: Decimal
    gross: Decimal
    supersedes: str
    #: The document that reverses this one, once it has been credited.
    reversed_by: str
    lines: tuple[DocumentLine, ...]

    @property
    def is_draft(self) -> bool:
        return self.status == RegisterStatus.DRAFT


@dataclass(frozen=True)
class Contacts:
    la_name: str
    contact_name: str
    contact_email: str
    remittance_address: str
    payment_terms_days: int
    vat_rate: Decimal

    @property
    def who(self) -> str:
        """Who to ask, in words: the named contact, else the LA's finance team."""
        if self.contact_name and self.contact_email:
            return f"{self.contact_name} ({self.contact_email})"
        return self.contact_name or self.contact_email or YOUR_LA_FINANCE_TEAM


@dataclass(frozen=True)
class SchoolPack:
    """Everything one school's pack shows, and nothing of any other school."""

    urn: int
    name: str
    district: str
    funding_model: str
    phase: str
    type: str
    trust: str
    cost_centre: str
    po_number: str
    financial_year: str
    produced_on: date
    contacts: Contacts
    #: Plain sentences, one a line: how the school's district is funded.
    allocation_note: tuple[str, ...]
    allocation: tuple[AllocationRow, ...]
    #: None when no allocation could be worked out (Errors in the inputs).
    final_devolved: Decimal | None
    lines: tuple[PackLine, ...] = ()
    documents: tuple[PackDocument, ...] = ()
    #: (line type, rule sentence) for the types present on the Recoupment sheet.
    rules: tuple[tuple[str, str], ...] = field(default=())

    @property
    def title(self) -> str:
        return f"{self.contacts.la_name}: Alternative Provision funding {self.financial_year}".rstrip()

    def sheet_title(self, subject: str) -> str:
        """``Recoupment 2025-26: Alder Secondary`` (no year when Settings could not be read)."""
        return f"{subject} {self.financial_year}".rstrip() + f": {self.name}"

    @property
    def recoverable_total(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.status == LineStatus.RECOVERABLE), ZERO)


# --------------------------------------------------------------------------- building the packs


def long_date(day: dt.date) -> str:
    """``1 December 2025`` (portable: ``%-d`` is not available on Windows)."""
    return f"{day.day} {day:%B %Y}"


def pounds(value: Decimal) -> str:
    """``£1,234.56``, or ``-£1,234.56`` for a negative amount."""
    return f"-£{-value:,.2f}" if value < 0 else f"£{value:,.2f}"


@dataclass
class _Groupings:
    """The run's results grouped by school (and district) once, for every pack."""

    lines: dict[int, list[RecoupmentLine]] = field(default_factory=dict)
    documents: dict[int, list[Document]] = field(default_factory=dict)
    trace: dict[int, list[TraceLine]] = field(default_factory=dict)
    allocations: dict[int, SchoolAllocation] = field(default_factory=dict)
    districts: dict[str, DistrictAllocation] = field(default_factory=dict)
    #: "<district>: <factor>" -> the Weight factor's share of the district's devolved pot.
    factor_pots: dict[str, Decimal] = field(default_factory=dict)
    #: District name -> its schools (the inputs rows), for the district totals of Weight factors.
    district_schools: dict[str, list[School]] = field(default_factory=dict)
    #: District name -> its Lead PRU as the packs name it (Delegated and Hybrid districts).
    lead_prus: dict[str, str] = field(default_factory=dict)
    #: (district, column, phase) -> the district's total of that Weight factor's column.
    _weight_totals: dict[tuple[str, str, str | None], Decimal] = field(default_factory=dict)

    def weight_total(self, district: str, column: str, phase: str | None) -> Decimal:
        """The district's schools' total of ``column`` for a Weight factor of ``phase`` (summed once
        per district, not once per school)."""
        key = (district, column, phase)
        total = self._weight_totals.get(key)
        if total is None:
            total = self._weight_totals[key] = sum(
                (s.value(column) for s in self.district_schools.get(district, []) if phase_matches(s, phase)),
                Decimal(0),
            )
        return total


def _group(report: RunReport) -> _Groupings:
    results = report.results
    schools = {school.urn: school for school in report.loaded.inputs.schools}
    groups = _Groupings()
    if results.recoupment is not None:
        for line in results.recoupment.lines:
            groups.lines.setdefault(line.urn, []).append(line)
    if results.settlement is not None:
        for document in results.settlement.documents:
            if document.urn is not None:
                groups.documents.setdefault(document.urn, []).append(document)
    allocation = results.allocation
    if allocation is not None:
        for trace in allocation.trace:
            if trace.figure == "School factor pot" and isinstance(trace.value, Decimal):
                groups.factor_pots[trace.entity] = trace.value
            match = _TRACE_URN.match(trace.entity)
            if match is not None:
                groups.trace.setdefault(int(match.group(1)), []).append(trace)
        groups.districts = {d.name: d for d in allocation.districts}
        groups.lead_prus = _lead_pru_names(report.loaded.inputs)
        for row in allocation.schools:
            groups.allocations[row.urn] = row
            school = schools.get(row.urn)
            if school is not None:
                groups.district_schools.setdefault(row.district, []).append(school)
    return groups


def school_packs(report: RunReport, produced_on: date) -> list[SchoolPack]:
    """One pack per school of the Schools table, in URN order."""
    inputs = report.loaded.inputs
    settings = inputs.settings
    contacts = Contacts(
        la_name=settings.la_name if settings is not None else "Local Authority",
        contact_name=settings.contact_name.strip() if settings is not None else "",
        contact_email=settings.contact_email.strip() if settings is not None else "",
        remittance_address=settings.remittance_address.strip() if settings is not None else "",
        payment_terms_days=settings.payment_terms_days if settings is not None else 30,
        vat_rate=settings.vat_rate if settings is not None else ZERO,
    )
    year = settings.financial_year.label if settings is not None else ""
    groups = _group(report)
    packs: dict[int, SchoolPack] = {}
    for school in inputs.schools:
        if school.urn in packs:
            continue
        packs[school.urn] = _pack(school, inputs, groups, contacts, year, produced_on)
    return [packs[urn] for urn in sorted(packs)]


def _pack(
    school: School, inputs: ModelInputs, groups: _Groupings, contacts: Contacts, year: str, produced_on: date
) -> SchoolPack:
    allocation = groups.allocations.get(school.urn)
    district = groups.districts.get(allocation.district) if allocation is not None else None
    if allocation is None or district is None:
        note: tuple[str, ...] = (
            "No allocation could be worked out for this school this year: the LA's model reported a problem with "
            "its data.",
            f"Please contact {contacts.who}.",
        )
        rows: tuple[AllocationRow, ...] = ()
        final: Decimal | None = None
        model = ""
    else:
        note, rows = _allocation(school, allocation, district, inputs, groups)
        final = allocation.final_devolved
        model = allocation.model.value
    lines = groups.lines.get(school.urn, [])
    pack_lines = tuple(_pack_line(line) for line in lines)
    types_present = list(dict.fromkeys(line.type.value for line in lines))
    return SchoolPack(
        urn=school.urn,
        name=school.name,
        district=school.district,
        funding_model=model,
        phase=school.phase,
        type=school.type.value,
        trust=school.trust,
        cost_centre=school.cost_centre,
        po_number=school.po_number,
        financial_year=year,
        produced_on=produced_on,
        contacts=contacts,
        allocation_note=note,
        allocation=rows,
        final_devolved=final,
        lines=pack_lines,
        documents=_documents(groups.documents.get(school.urn, []), lines),
        rules=tuple((kind, LINE_TYPE_RULES[kind]) for kind in types_present if kind in LINE_TYPE_RULES),
    )


_NO_LEAD_PRU = "the district's Lead PRU"


def _lead_pru_names(inputs: ModelInputs) -> dict[str, str]:
    """Each district's Lead PRU by its provider name (else as typed); the first row of a name counts."""
    providers = providers_by_id(inputs.providers)
    names: dict[str, str] = {}
    for district in inputs.districts:
        if district.lead_pru and district.name not in names:
            provider = providers.get(normalise(district.lead_pru))
            names[district.name] = provider.name if provider is not None else district.lead_pru
    return names


def _allocation(
    school: School,
    allocation: SchoolAllocation,
    district: DistrictAllocation,
    inputs: ModelInputs,
    groups: _Groupings,
) -> tuple[tuple[str, ...], tuple[AllocationRow, ...]]:
    """The sentences on how the district is funded, and the rows of the Allocation table."""
    name = district.name
    if district.model is FundingModel.DELEGATED:
        pru = groups.lead_prus.get(name, _NO_LEAD_PRU)
        note: tuple[str, ...] = (
            f"{name} is a Delegated district: all of its AP funding ({pounds(district.final_allocation)}) goes to "
            f"its Lead PRU, {pru}.",
            "The Lead PRU provides Alternative Provision for the district's pupils, so the school receives nothing "
            "directly.",
        )
        return note, (
            AllocationRow(
                "Devolved allocation",
                allocation.base_devolved,
                f"None: the district's money goes to the Lead PRU, {pru}, not to schools.",
            ),
            AllocationRow(FINAL_DEVOLVED, allocation.final_devolved, "The school receives nothing directly."),
        )
    if district.model is FundingModel.HYBRID:
        pru = groups.lead_prus.get(name, _NO_LEAD_PRU)
        note = (
            f"{name} is a Hybrid district: of its AP allocation of {pounds(district.final_allocation)}, "
            f"{pounds(district.devolved_amount)} is devolved to its schools by the factors below.",
            f"The rest, {pounds(district.delegated_amount)}, goes to its Lead PRU, {pru}. Financial redress is then "
            "applied to the devolved part.",
        )
    else:
        note = (
            f"{name} is a Devolved district: its AP allocation of {pounds(district.final_allocation)} is shared "
            "between its schools by the factors below.",
            "Financial redress is then applied: money withheld from schools above a redress threshold goes to the "
            "district's other schools.",
        )
    rows = [
        AllocationRow(
            factor.factor,
            allocation.factor_amounts.get(factor.factor, ZERO),
            _explain(factor, school, district, groups),
        )
        for factor in inputs.school_factors
    ]
    rows.append(
        AllocationRow(
            "Devolved allocation before redress", allocation.base_devolved, "The sum of the factor amounts above."
        )
    )
    rows += _redress_rows(school, allocation, inputs.redress_rules, groups.trace.get(school.urn, []))
    rows.append(
        AllocationRow(
            FINAL_DEVOLVED,
            allocation.final_devolved,
            f"Devolved allocation {pounds(allocation.base_devolved)} - redress withheld "
            f"{pounds(allocation.redress_withheld)} + redress received {pounds(allocation.redress_received)}.",
        )
    )
    return note, tuple(rows)


def _explain(factor: SchoolFactor, school: School, district: DistrictAllocation, groups: _Groupings) -> str:
    """A school factor in plain English: its method, rate or weight, and the school's own value."""
    column = factor.source_column
    if not phase_matches(school, factor.phase):
        return f"For {factor.phase} schools only, so nothing for this {school.phase} school."
    value = school.value(column)
    if factor.method is Method.UNIT_RATE:
        base = f"Unit Rate: {pounds(factor.value)} for each of the school's {fmt_number(value)} {column}"
        if district.unit_rate_scaling is None:
            return base + ", but no unit-rate funding was shared in this district."
        scaling = district.unit_rate_scaling.quantize(_SCALING_SHOWN)
        return (
            f"{base} = {pounds(factor.value * value)}, scaled by {scaling} so the unit-rate amounts of all "
            f"{district.name}'s schools fill the district's pot (rounded to the penny)."
        )
    pot = groups.factor_pots.get(f"{district.name}: {factor.factor}")
    total = groups.weight_total(district.name, column, factor.phase)
    share = f"{fmt_percent(factor.value)} of {district.name}'s devolved pot"
    if pot is not None:
        share += f" ({pounds(pot)})"
    if total == 0:
        return f"Weight: {share}, shared in proportion to {column}; no school in the district has any, so nothing."
    return (
        f"Weight: {share}, shared in proportion to {column}: this school has {fmt_number(value)} of the district's "
        f"{fmt_number(total)} (rounded to the penny)."
    )


def _redress_rows(
    school: School, allocation: SchoolAllocation, rules: Sequence[RedressRule], trace: Sequence[TraceLine]
) -> list[AllocationRow]:
    """Redress withheld (per rule, with the measure, threshold and excess) and received."""
    label = school_label(school)
    rows: list[AllocationRow] = []
    for line in trace:
        if not isinstance(line.value, Decimal):
            continue
        if line.figure == "Redress deduction" and line.entity.startswith(f"{label}: "):
            rule = line.entity[len(label) + 2 :]
            rows.append(
                AllocationRow(
                    f"Redress withheld: {rule}",
                    -line.value,
                    f"{line.inputs}. Withheld = {line.formula} (rounded to the penny).",
                )
            )
        elif line.figure == "Redress cap" and line.entity == label:
            deducted = sum((-row.amount for row in rows), ZERO)
            rows.append(
                AllocationRow(
                    "Redress cap",
                    deducted - line.value,
                    f"Redress never takes more than the school's devolved allocation: {line.inputs}, so "
                    f"{pounds(line.value)} is withheld.",
                )
            )
    if not rows:
        names = "; ".join(rule.rule for rule in rules)
        if not rules:
            why = "There are no redress rules this year."
        elif allocation.base_devolved <= 0:
            why = "Nothing withheld: redress only ever reduces devolved funding, and the school has none."
        else:
            why = f"Nothing withheld: the school is not above the threshold of any redress rule ({names})."
        rows.append(AllocationRow("Redress withheld", ZERO - allocation.redress_withheld, why))
    received = [line for line in trace if line.figure == "Redress received" and line.entity == label]
    if received and isinstance(received[0].value, Decimal):
        why = (
            f"A share of the redress withheld from other schools in {allocation.district}, in proportion to "
            f"devolved allocations: {received[0].inputs} (pennies by largest remainder)."
        )
    elif allocation.redress_withheld:
        why = "None: redress withheld in the district is shared only between schools not redressed themselves."
    else:
        why = "None this year."
    rows.append(AllocationRow("Redress received", allocation.redress_received, why))
    return rows


def _pack_line(line: RecoupmentLine) -> PackLine:
    return PackLine(
        line_id=line.line_id,
        pupil_ref=line.pupil_ref,
        type=line.type.value,
        legal_basis=line.legal_basis.value,
        settlement=line.settlement.value,
        period=line.period,
        a=line.a,
        b=line.b,
        c=line.c,
        d=line.d,
        e=line.e,
        f=line.f,
        rate=line.rate,
        days=line.days,
        amount=line.amount,
        status=line.status.value,
    )


def _documents(documents: Sequence[Document], lines: Sequence[RecoupmentLine]) -> tuple[PackDocument, ...]:
    """The school's documents, each with the lines it settles (or what it reverses)."""
    reversed_by = {
        d.key[len(REVERSAL_KEY_PREFIX) :]: d.number for d in documents if d.key.startswith(REVERSAL_KEY_PREFIX)
    }
    result: list[PackDocument] = []
    for document in documents:
        credited = reversed_by.get(document.number, "")
        result.append(
            PackDocument(
                number=document.number,
                kind=document.kind,
                status=document.status,
                date=document.date,
                due=document.due,
                period=document.period,
                net=document.net,
                vat=document.vat,
                gross=document.gross,
                supersedes=document.supersedes,
                reversed_by=credited,
                lines=_document_lines(document, lines, credited),
            )
        )
    return tuple(result)


def _document_lines(document: Document, lines: Sequence[RecoupmentLine], reversed_by: str) -> tuple[DocumentLine, ...]:
    if document.key.startswith(REVERSAL_KEY_PREFIX):
        return (DocumentLine(document.period, f"Reverses {document.supersedes} in full", "", document.net),)
    settled = [line for line in lines if line.settled and line.period == document.period]
    current = sum((line.amount for line in settled), ZERO) == document.net
    if document.status == RegisterStatus.CREDITED or not current:
        why = f"; reversed by {reversed_by}" if reversed_by else ""
        return (DocumentLine(document.period, f"Amount as issued{why}", "", document.net),)
    return tuple(
        DocumentLine(
            line.period,
            f"{line.type.value}, {line.legal_basis.value}: line {line.line_id}",
            line.pupil_ref,
            line.amount,
        )
        for line in settled
    )


# --------------------------------------------------------------------------- writing one pack


def pack_filename(urn: int, name: str) -> str:
    """``<URN> <School Name>.xlsx`` with the characters file systems forbid replaced by ``_``."""
    safe = _UNSAFE_IN_FILENAME.sub("_", name).strip().rstrip(".")
    safe = safe[:_MAX_NAME_IN_FILENAME].rstrip(" .")
    return f"{urn} {safe}.xlsx" if safe else f"{urn}.xlsx"


def _sheet_name(wanted: str, used: set[str]) -> str:
    """A valid, unique worksheet name: no ``[]:*?/\\``, at most 31 characters."""
    base = _UNSAFE_IN_SHEET_NAME.sub("-", wanted).strip("'").strip() or "Sheet"
    name = base[:_MAX_SHEET_NAME]
    counter = 2
    while name.casefold() in used:
        suffix = f" ({counter})"
        name = base[: _MAX_SHEET_NAME - len(suffix)] + suffix
        counter += 1
    used.add(name.casefold())
    return name


class _Formats:
    """The few cell formats a pack uses (bold is never the only way a heading is marked: it has its own row)."""

    def __init__(self, book: Any) -> None:
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.heading = book.add_format({"bold": True, "font_size": 12})
        self.label = book.add_format({"bold": True, "valign": "top"})
        self.text = book.add_format({"text_wrap": True, "valign": "top"})
        #: Unwrapped: a sentence on its own row runs on across the empty cells to its right.
        self.plain = book.add_format({"valign": "top"})
        self.plain_bold = book.add_format({"bold": True})
        self.warning = book.add_format({"bold": True, "font_size": 12})
        self.money = book.add_format({"num_format": "#,##0.00;-#,##0.00", "valign": "top"})
        self.money_bold = book.add_format({"num_format": "#,##0.00;-#,##0.00", "bold": True, "valign": "top"})
        self.number = book.add_format({"num_format": "#,##0.####", "valign": "top"})
        self.integer = book.add_format({"num_format": "0", "valign": "top", "align": "left"})
        self.date = book.add_format({"num_format": "d mmm yyyy", "valign": "top", "align": "left"})


class _Writer:
    """Writes one cell at a time by kind: text always as text, never as a formula."""

    def __init__(self, sheet: Any, formats: _Formats) -> None:
        self.sheet = sheet
        self.f = formats

    def text(self, row: int, col: int, value: str, fmt: Any = None) -> None:
        self.sheet.write_string(row, col, value, fmt if fmt is not None else self.f.text)

    def sentence(self, row: int, value: str, fmt: Any = None) -> None:
        """A sentence on its own row, in column A, running on to the right (never wrapped into a tall cell)."""
        self.sheet.write_string(row, 0, value, fmt if fmt is not None else self.f.plain)

    def money(self, row: int, col: int, value: Decimal | None, fmt: Any = None) -> None:
        if value is None:
            self.sheet.write_blank(row, col, None, self.f.money)
        else:
            self.sheet.write_number(row, col, float(value), fmt if fmt is not None else self.f.money)

    def number(self, row: int, col: int, value: Decimal | int | None, fmt: Any = None) -> None:
        if value is None:
            self.sheet.write_blank(row, col, None, fmt if fmt is not None else self.f.number)
        else:
            self.sheet.write_number(row, col, float(value), fmt if fmt is not None else self.f.number)

    def day(self, row: int, col: int, value: date) -> None:
        self.sheet.write_datetime(row, col, datetime.combine(value, time()), self.f.date)

    def table(self, first_row: int, headers: Sequence[str], rows: int, name: str) -> None:
        """An Excel table over already written cells: one header row, ``rows`` data rows."""
        self.sheet.add_table(
            first_row,
            0,
            first_row + rows,
            len(headers) - 1,
            {
                "name": name,
                "style": "Table Style Light 9",
                "autofilter": False,
                "columns": [{"header": header} for header in headers],
            },
        )

    def pairs(self, first_row: int, pairs: Sequence[tuple[str, str]], name: str) -> int:
        """A two-column Item/Detail table; returns the row after it."""
        for i, (item, detail) in enumerate(pairs, start=first_row + 1):
            self.text(i, 0, item, self.f.label)
            self.text(i, 1, detail)
        self.table(first_row, ("Item", "Detail"), len(pairs), name)
        return first_row + len(pairs) + 2

    def print_setup(self, *, landscape: bool = False, header_row: int | None = None, freeze: bool = True) -> None:
        """A4, one page wide; a table's header row repeated on every printed page and (``freeze``) frozen."""
        sheet = self.sheet
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        if landscape:
            sheet.set_landscape()
        else:
            sheet.set_portrait()
        sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        sheet.set_footer("&CPage &P of &N")
        if header_row is not None:
            sheet.repeat_rows(header_row)
            if freeze:
                sheet.freeze_panes(header_row + 1, 0)


def write_pack(pack: SchoolPack, out_dir: Path) -> Path:
    """Write one school's pack atomically (a temporary name in ``out_dir``, then a rename)."""
    target = out_dir / pack_filename(pack.urn, pack.name)
    temporary = out_dir / f".{pack.urn}.{os.getpid()}.tmp.xlsx"
    try:
        _write_book(pack, temporary)
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()
    return target


def _write_book(pack: SchoolPack, path: Path) -> None:
    book = xlsxwriter.Workbook(
        str(path),
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    book.set_properties(
        {
            "title": f"{pack.title}: {pack.urn} {pack.name}",
            "subject": "School pack: Alternative Provision funding",
            "author": pack.contacts.la_name,
            "company": pack.contacts.la_name,
            "created": datetime.combine(pack.produced_on, time()),
        }
    )
    formats = _Formats(book)
    used: set[str] = set()
    _cover(book.add_worksheet(_sheet_name("Cover", used)), formats, pack)
    _allocation_sheet(book.add_worksheet(_sheet_name("Allocation", used)), formats, pack)
    _recoupment_sheet(book.add_worksheet(_sheet_name("Recoupment", used)), formats, pack)
    for i, document in enumerate(pack.documents, start=1):
        sheet = book.add_worksheet(_sheet_name(f"{_short_kind(document.kind)} {document.number}", used))
        _document_sheet(sheet, formats, pack, document, i)
    book.close()


def _short_kind(kind: str) -> str:
    return "Adjustment" if kind == DocumentKind.BUDGET_ADJUSTMENT else kind


def _query_sentence(pack: SchoolPack) -> str:
    return (
        f"If you think a figure is wrong, contact {pack.contacts.who} within {pack.contacts.payment_terms_days} days, "
        "quoting your URN and, for recoupment, the document number and the Line ID. The LA will check the figure "
        "against its records and reply in writing; a corrected document is issued if it changes."
    )


def _cover(sheet: Any, formats: _Formats, pack: SchoolPack) -> None:
    w = _Writer(sheet, formats)
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, 1, 90)
    w.text(0, 0, pack.title, formats.title)
    w.text(1, 0, f"School pack for {pack.name} (URN {pack.urn})", formats.heading)
    row = 3
    w.text(row, 0, "About the school", formats.heading)
    details = [
        ("School", pack.name),
        ("URN", str(pack.urn)),
        ("District", pack.district),
        ("District funding model", pack.funding_model or "Not worked out"),
        ("Phase", pack.phase),
        ("Type", pack.type),
        ("Trust", pack.trust or ("None (maintained school)" if pack.type == SchoolType.MAINTAINED else "Not given")),
        ("Cost centre", pack.cost_centre or "Not given"),
        ("PO number", pack.po_number or "Not given"),
        ("Financial year", pack.financial_year or "Not set"),
        ("Date produced", long_date(pack.produced_on)),
    ]
    row = w.pairs(row + 1, details, "SchoolDetails")

    w.text(row, 0, "The school's figures this year", formats.heading)
    charges = sum((x.amount for x in pack.lines if x.status == LineStatus.RECOVERABLE and x.amount > 0), ZERO)
    credits = sum((x.amount for x in pack.lines if x.status == LineStatus.RECOVERABLE and x.amount < 0), ZERO)
    figures: list[tuple[str, Decimal | None, str]] = [
        (FINAL_DEVOLVED, pack.final_devolved, "See the Allocation sheet."),
        ("Recoupment charged", charges, "Recoverable charges on the Recoupment sheet."),
        ("Recoupment credited", credits, "Recoverable credits (negative: money to the school)."),
        ("Net recoupment", charges + credits, "Settled on the documents listed below."),
    ]
    header_row = row + 1
    for i, (item, amount, note) in enumerate(figures, start=header_row + 1):
        w.text(i, 0, item, formats.label)
        w.money(i, 1, amount)
        w.text(i, 2, note)
    sheet.set_column(2, 2, 48)
    w.table(header_row, ("Item", "Amount (£)", "Note"), len(figures), "SchoolFigures")
    row = header_row + len(figures) + 2

    w.text(row, 0, "What this pack contains", formats.heading)
    contents = [
        ("Cover", "This page: the school, its headline figures, and who to contact."),
        ("Allocation", "The school's devolved AP allocation, each factor explained, and any financial redress."),
        (
            "Recoupment",
            "The school's recoupment lines: charges after exclusions and AP placements, and credits. Pupils are "
            "shown by Pupil Ref only.",
        ),
    ]
    contents += [
        (
            f"{_short_kind(d.kind)} {d.number}",
            f"{d.kind} for {d.period}: {pounds(d.gross)}"
            + (" (DRAFT, not yet issued)" if d.is_draft else f" ({d.status})"),
        )
        for d in pack.documents
    ]
    if not pack.documents:
        contents.append(("Documents", "No invoice, credit note or budget adjustment for this school this year."))
    row = w.pairs(row + 1, contents, "PackContents")

    w.text(row, 0, "Contacts and queries", formats.heading)
    contacts = pack.contacts
    info = [
        ("Contact", contacts.contact_name or "Your LA finance team"),
        ("Email", contacts.contact_email or f"Ask {YOUR_LA_FINANCE_TEAM}"),
        ("Remittance address", contacts.remittance_address or f"Ask {YOUR_LA_FINANCE_TEAM}"),
        ("How to query", _query_sentence(pack)),
        (
            "Privacy",
            "This pack holds only this school's figures. Pupils are identified by a Pupil Ref only; keep the pack "
            "secure and do not forward it outside the school.",
        ),
    ]
    w.pairs(row + 1, info, "Contacts")
    w.print_setup()


_ALLOCATION_HEADERS = ("Item", "Amount (£)", "How it is worked out")


def _allocation_sheet(sheet: Any, formats: _Formats, pack: SchoolPack) -> None:
    w = _Writer(sheet, formats)
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 95)
    w.sentence(0, pack.sheet_title("Devolved AP allocation"), formats.title)
    for i, sentence in enumerate(pack.allocation_note, start=1):
        w.sentence(i, sentence)
    if not pack.allocation:
        w.print_setup()
        return
    header_row = len(pack.allocation_note) + 2
    for i, row in enumerate(pack.allocation, start=header_row + 1):
        final = row.item == FINAL_DEVOLVED
        w.text(i, 0, row.item, formats.label)
        w.money(i, 1, row.amount, formats.money_bold if final else None)
        w.text(i, 2, row.explanation)
    w.table(header_row, _ALLOCATION_HEADERS, len(pack.allocation), "AllocationTable")
    w.print_setup(header_row=header_row)


_RECOUPMENT_HEADERS = (
    "Line ID",
    "Pupil Ref",
    "Type",
    "Legal Basis",
    "Settlement",
    "Period",
    "A",
    "B",
    "C",
    "D",
    "E",
    "F",
    "Rate",
    "Days",
    "Amount",
    "Status",
)
_RECOUPMENT_WIDTHS = (24, 12, 22, 18, 18, 14, 11, 5, 11, 11, 5, 5, 9, 6, 12, 15)


def _recoupment_sheet(sheet: Any, formats: _Formats, pack: SchoolPack) -> None:
    w = _Writer(sheet, formats)
    for col, width in enumerate(_RECOUPMENT_WIDTHS):
        sheet.set_column(col, col, width)
    w.sentence(0, pack.sheet_title("Recoupment"), formats.title)
    if not pack.lines:
        w.sentence(1, NO_RECOUPMENT, formats.heading)
        w.sentence(2, "The school has no charges or credits for exclusions or AP placements this year.")
        w.print_setup(landscape=True)
        return
    w.sentence(
        1,
        f"Recoverable total {pounds(pack.recoverable_total)} (positive: owed by the school; negative: owed to it). "
        "Pupils are shown by Pupil Ref only.",
        formats.plain_bold,
    )
    header_row = 3
    for i, line in enumerate(pack.lines, start=header_row + 1):
        for col, text in ((0, line.line_id), (1, line.pupil_ref), (2, line.type), (3, line.legal_basis)):
            w.text(i, col, text, formats.plain)
        w.text(i, 4, line.settlement, formats.plain)
        w.text(i, 5, line.period, formats.plain)
        w.money(i, 6, line.a)
        w.number(i, 7, line.b, formats.integer)
        w.money(i, 8, line.c)
        w.money(i, 9, line.d)
        w.number(i, 10, line.e, formats.integer)
        w.number(i, 11, line.f, formats.integer)
        w.number(i, 12, line.rate)
        w.number(i, 13, line.days, formats.integer)
        w.money(i, 14, line.amount)
        w.text(i, 15, line.status, formats.plain)
    w.table(header_row, _RECOUPMENT_HEADERS, len(pack.lines), "RecoupmentLines")

    row = header_row + len(pack.lines) + 2
    w.sentence(row, "How each line is worked out", formats.heading)
    explanations: list[tuple[str, str]] = list(pack.rules)
    explanations += [(basis, LEGAL_BASIS_MEANING[basis]) for basis in dict.fromkeys(x.legal_basis for x in pack.lines)]
    explanations += [(status, STATUS_MEANING[status]) for status in dict.fromkeys(x.status for x in pack.lines)]
    explanations += list(LETTER_MEANING)
    for i, (item, meaning) in enumerate(explanations, start=row + 2):
        w.text(i, 0, item, formats.label)
        # Unwrapped, so the sentence runs on across the narrow letter columns to its right.
        w.text(i, 1, meaning, formats.plain)
    w.table(row + 1, ("Item", "Explanation"), len(explanations), "LineRules")
    w.print_setup(landscape=True, header_row=header_row)


def _document_sheet(sheet: Any, formats: _Formats, pack: SchoolPack, document: PackDocument, index: int) -> None:
    w = _Writer(sheet, formats)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 62)
    sheet.set_column(2, 2, 14)
    sheet.set_column(3, 3, 16)
    contacts = pack.contacts
    kind = document.kind
    w.sentence(0, f"{contacts.la_name}: {kind} {document.number}", formats.title)
    if document.is_draft:
        status_text = f"DRAFT: not yet issued. This is a preview of the {kind.lower()}" + (
            ": do not pay it yet." if kind == DocumentKind.INVOICE else "; it takes effect once issued."
        )
    elif document.status == RegisterStatus.CREDITED:
        status_text = (
            f"CREDITED: this {kind.lower()} has been reversed by {document.reversed_by or 'a later document'}."
        )
    else:
        status_text = f"ISSUED on {long_date(document.date)}."
    w.sentence(1, status_text, formats.warning)

    maintained = pack.type == SchoolType.MAINTAINED
    to = f"The Headteacher and Governing Body, {pack.name}" if maintained else (pack.trust or pack.name)
    if kind == DocumentKind.INVOICE and document.due is not None:
        due = f"{long_date(document.due)} ({contacts.payment_terms_days} days from the date)"
    elif kind == DocumentKind.BUDGET_ADJUSTMENT:
        due = "No payment: a journal against the school's budget share"
    else:
        due = "No payment: the amount is owed to the school"
    details: list[tuple[str, str]] = [
        ("From", contacts.la_name),
        ("Document", kind),
        ("Number", document.number),
        ("Status", "DRAFT (not yet issued)" if document.is_draft else document.status),
        ("Date", f"{long_date(document.date)}"),
        ("Due date", due),
        ("To", to),
        ("School", f"{pack.name} (URN {pack.urn})"),
        ("PO number", pack.po_number or "None given"),
        ("Cost centre", pack.cost_centre or "None given"),
        ("Period", document.period),
    ]
    if document.supersedes:
        details.append(("Replaces", document.supersedes))
    for i, (item, value) in enumerate(details, start=3):
        w.text(i, 0, item, formats.label)
        w.text(i, 1, value)

    header_row = 3 + len(details) + 1
    for i, line in enumerate(document.lines, start=header_row + 1):
        w.text(i, 0, line.period)
        w.text(i, 1, line.description)
        w.text(i, 2, line.pupil_ref)
        w.money(i, 3, line.amount)
    w.table(header_row, ("Period", "Description", "Pupil Ref", "Amount (£)"), len(document.lines), f"Lines_{index}")

    row = header_row + len(document.lines) + 2
    totals = (
        ("Net", document.net),
        (f"VAT at {fmt_percent(contacts.vat_rate)}", document.vat),
        ("Gross", document.gross),
    )
    for offset, (item, amount) in enumerate(totals):
        w.text(row + offset, 2, item, formats.label)
        w.money(row + offset, 3, amount, formats.money_bold if item == "Gross" else None)
    row += len(totals) + 1

    w.sentence(row, "Payment", formats.heading)
    for offset, sentence in enumerate(_payment_sentences(document, contacts), start=1):
        w.sentence(row + offset, sentence)
    row += 4
    w.sentence(row, "Queries", formats.heading)
    w.sentence(row + 1, f"Contact {contacts.who}, quoting {document.number} and the Line ID of any line you query.")
    w.sentence(
        row + 2,
        "This is a DRAFT: the issued document will follow."
        if document.is_draft
        else "Pay any part not in dispute by the due date."
        if kind == DocumentKind.INVOICE
        else "The LA will reply in writing and correct the document if needed.",
    )
    # Not frozen: a document's lines start too far down for a frozen block to leave room on screen.
    w.print_setup(header_row=header_row, freeze=False)


def _payment_sentences(document: PackDocument, contacts: Contacts) -> tuple[str, str]:
    if document.kind == DocumentKind.BUDGET_ADJUSTMENT:
        return (
            "This is a budget adjustment: a journal against the school's budget share, so no payment is needed.",
            "A positive amount is taken from the school's budget share; a negative amount is added to it.",
        )
    if document.kind == DocumentKind.CREDIT_NOTE:
        return (
            f"This credit note is money owed to the school ({pounds(-document.gross)}): no payment is needed.",
            "It is set against other amounts the trust owes the LA, or repaid.",
        )
    address = contacts.remittance_address or f"the address {YOUR_LA_FINANCE_TEAM} gives you"
    return (
        f"Please pay {pounds(document.gross)} by the due date, quoting {document.number}.",
        f"Send the remittance advice to: {address}.",
    )


# --------------------------------------------------------------------------- every pack, in parallel


def _write_many(packs: Sequence[SchoolPack], out_dir: Path) -> list[Path]:
    return [write_pack(pack, out_dir) for pack in packs]


def _chunks(packs: Sequence[SchoolPack], count: int) -> list[list[SchoolPack]]:
    size = max(1, -(-len(packs) // count))
    return [list(packs[i : i + size]) for i in range(0, len(packs), size)]


def write_packs_in_parallel(packs: Sequence[SchoolPack], out_dir: Path, workers: int = DEFAULT_WORKERS) -> list[Path]:
    """Write the packs (in a process pool when there are many); the paths in the packs' order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if workers <= 1 or len(packs) < PARALLEL_FROM:
        return _write_many(packs, out_dir)
    # Fork where it is safe and cheap (Linux): workers start with everything imported.
    context = get_context("fork") if sys.platform.startswith("linux") else None
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            paths: list[Path] = []
            chunks = _chunks(packs, workers * 4)
            for part in pool.map(_write_many, chunks, [out_dir] * len(chunks)):
                paths.extend(part)
            return paths
    except (BrokenProcessPool, OSError):
        # No worker processes here (a locked-down machine, an embedded interpreter): write them in turn.
        return _write_many(packs, out_dir)


def write_school_packs(
    report: RunReport, out_dir: Path, *, produced_on: date | None = None, workers: int = DEFAULT_WORKERS
) -> list[Path]:
    """One ``<URN> <School Name>.xlsx`` per school of the Schools table, in URN order; prints nothing."""
    packs = school_packs(report, produced_on or date.today())
    return write_packs_in_parallel(packs, out_dir, workers)
