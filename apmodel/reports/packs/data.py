"""A school's pack as plain data: its inputs row, allocation, trace, lines, documents and district totals only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from apmodel.domain.allocation import DistrictAllocation, SchoolAllocation
from apmodel.domain.inputs import (
    FinancialYear,
    FundingModel,
    Method,
    ModelInputs,
    RedressRule,
    RegisterEntry,
    School,
    SchoolFactor,
    Term,
    normalise,
)
from apmodel.domain.model import Results
from apmodel.domain.money import ZERO
from apmodel.domain.recoupment_lines import LineStatus, LineType, RecoupmentLine
from apmodel.domain.register import REVERSAL_KEY_PREFIX, DocumentKind, RegisterStatus, sequence_of, series
from apmodel.domain.settlement import Document
from apmodel.domain.stage1 import phase_matches
from apmodel.domain.stage2 import providers_by_id
from apmodel.domain.trace import TraceLine, fmt_number, fmt_percent
from apmodel.reports.workings import day, pounds, workings_text

_SCALING_SHOWN = Decimal("0.0001")


YOUR_LA_FINANCE_TEAM = "your LA finance team"

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
    #: The line's sum in words and figures (apmodel.reports.workings).
    workings: str = ""


@dataclass(frozen=True)
class DocumentLine:
    period: str
    description: str
    pupil_ref: str
    amount: Decimal
    #: The placement's provider, for a placement charge.
    provider: str = ""
    #: The dates the line counts (``3 Nov 2025 to 21 Nov 2025``).
    dates: str = ""


@dataclass(frozen=True)
class TermTotal:
    """One term's recoverable lines, and the document that settles them (to tie the two)."""

    period: str
    charges: Decimal
    credits: Decimal
    #: The document of the term that settles these lines ("" when none: the term nets to 0.00).
    document: str
    #: That document's Net (None without one).
    document_net: Decimal | None

    @property
    def net(self) -> Decimal:
        return self.charges + self.credits


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
    #: It settles the term's current lines (not a reversal, not Credited, not an amount as issued).
    settles_lines: bool = False
    #: It is a credit note taking back the document it supersedes (not one replacing it).
    reversal: bool = False

    @property
    def is_draft(self) -> bool:
        return self.status == RegisterStatus.DRAFT


@dataclass(frozen=True)
class LastYearDocument:
    """One of the school's documents of last year's series, as the InvoiceRegister keeps it after rollover."""

    number: str
    kind: str
    period: str
    status: str
    issued_on: dt.date | None
    net: Decimal
    vat: Decimal
    gross: Decimal
    supersedes: str
    #: It reverses ``supersedes`` in full (its key is ``CR|<number>``).
    reversal: bool = False

    @property
    def counted(self) -> bool:
        """Issued (or Issued and later Credited): it went to the school. A Draft never did."""
        return self.status != RegisterStatus.DRAFT


@dataclass(frozen=True)
class YearFigure:
    """A row of the Last year sheet: the Net of the school's documents of one kind, last year beside this year."""

    item: str
    last_year: Decimal
    this_year: Decimal
    note: str

    @property
    def change(self) -> Decimal:
        return self.this_year - self.last_year


#: The document kinds in the order the Last year sheet lists them, each with its row's name.
KIND_ROWS: tuple[tuple[str, str], ...] = (
    (DocumentKind.INVOICE, "Invoices"),
    (DocumentKind.CREDIT_NOTE, "Credit notes"),
    (DocumentKind.BUDGET_ADJUSTMENT, "Budget adjustments"),
)
NET_OF_DOCUMENTS = "Net of all documents"


@dataclass(frozen=True)
class Contacts:
    la_name: str
    contact_name: str
    contact_email: str
    remittance_address: str
    la_address: str
    bank_details: str
    vat_registration: str
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
    trust_address: str
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
    #: Each term's recoverable lines beside the document that settles them.
    term_totals: tuple[TermTotal, ...] = ()
    #: Last year's label (``2024-25``) when the InvoiceRegister holds documents numbered in last year's
    #: series (after ``apmodel rollover``), else "" and the pack has no Last year sheet.
    last_year: str = ""
    #: The school's own documents of last year's series, in number order (Drafts included, never counted).
    last_year_documents: tuple[LastYearDocument, ...] = ()
    #: Last year's Issued (and Credited) documents beside this year's, by kind, then their net.
    year_figures: tuple[YearFigure, ...] = ()

    @property
    def title(self) -> str:
        return f"{self.contacts.la_name}: Alternative Provision funding {self.financial_year}".rstrip()

    def sheet_title(self, subject: str) -> str:
        """``Recoupment 2025-26: Alder Secondary`` (no year when Settings could not be read)."""
        return f"{subject} {self.financial_year}".rstrip() + f": {self.name}"

    @property
    def recoverable_total(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.status == LineStatus.RECOVERABLE), ZERO)


def long_date(day: dt.date) -> str:
    """``1 December 2025`` (portable: ``%-d`` is not available on Windows)."""
    return f"{day.day} {day:%B %Y}"




@dataclass
class _Groupings:
    """The run's results grouped by school (and district) once, for every pack."""

    lines: dict[int, list[RecoupmentLine]] = field(default_factory=dict)
    documents: dict[int, list[Document]] = field(default_factory=dict)
    trace: dict[int, list[TraceLine]] = field(default_factory=dict)
    allocations: dict[int, SchoolAllocation] = field(default_factory=dict)
    districts: dict[str, DistrictAllocation] = field(default_factory=dict)
    #: "<district>: <factor>" -> the Weight factor's share of the district's devolved pot.
    factor_pots: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    #: District name -> its schools (the inputs rows), for the district totals of Weight factors.
    district_schools: dict[str, list[School]] = field(default_factory=dict)
    #: District name -> its Lead PRU as the packs name it (Delegated and Hybrid districts).
    lead_prus: dict[str, str] = field(default_factory=dict)
    #: URN -> the school's register rows of last year's series, in number order.
    last_year: dict[int, list[RegisterEntry]] = field(default_factory=dict)
    #: Last year's label when the register holds any row of last year's series, else "".
    last_year_label: str = ""
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


def _group(inputs: ModelInputs, results: Results) -> _Groupings:
    schools = {school.urn: school for school in inputs.schools}
    groups = _Groupings()
    if results.recoupment is not None:
        for line in results.recoupment.lines:
            groups.lines.setdefault(line.urn, []).append(line)
    if results.settlement is not None:
        for document in results.settlement.documents:
            if document.urn is not None:
                groups.documents.setdefault(document.urn, []).append(document)
    # The register after this run: a document of last year's that a correction credits shows as Credited.
    _group_last_year(inputs, results.settlement.register if results.settlement is not None else None, groups)
    allocation = results.allocation
    if allocation is not None:
        for trace in allocation.trace:
            if trace.figure == "School factor pot" and isinstance(trace.value, Decimal):
                groups.factor_pots[(trace.district, trace.subject)] = trace.value
            if trace.urn is not None:
                groups.trace.setdefault(trace.urn, []).append(trace)
        groups.districts = {d.name: d for d in allocation.districts}
        groups.lead_prus = _lead_pru_names(inputs)
        for row in allocation.schools:
            groups.allocations[row.urn] = row
            school = schools.get(row.urn)
            if school is not None:
                groups.district_schools.setdefault(row.district, []).append(school)
    return groups


def _group_last_year(inputs: ModelInputs, register: Sequence[RegisterEntry] | None, groups: _Groupings) -> None:
    """The register's rows numbered in last year's series (``AP-2024-25-``, this year's Invoice prefix),
    by school. Only rows of that series: older years' rows, and rows of another prefix, are left out."""
    settings = inputs.settings
    if settings is None:
        return
    # Not validated: last year may be before the first year a workbook may be for.
    label = FinancialYear.model_construct(start_year=settings.financial_year.start_year - 1).label
    start = series(settings.invoice_prefix, label)
    entries = inputs.invoice_register if register is None else register
    rows = [e for e in entries if sequence_of(e.number, start) is not None]
    if not rows:
        return
    groups.last_year_label = label
    for entry in sorted(rows, key=lambda e: sequence_of(e.number, start) or 0):
        if entry.urn is not None:
            groups.last_year.setdefault(entry.urn, []).append(entry)


def school_packs(inputs: ModelInputs, results: Results, produced_on: date) -> list[SchoolPack]:
    """One pack per school of the Schools table, in URN order."""
    settings = inputs.settings
    contacts = Contacts(
        la_name=settings.la_name if settings is not None else "Local Authority",
        contact_name=settings.contact_name.strip() if settings is not None else "",
        contact_email=settings.contact_email.strip() if settings is not None else "",
        remittance_address=settings.remittance_address.strip() if settings is not None else "",
        la_address=settings.la_address.strip() if settings is not None else "",
        bank_details=settings.bank_details.strip() if settings is not None else "",
        vat_registration=settings.vat_registration.strip() if settings is not None else "",
        payment_terms_days=settings.payment_terms_days if settings is not None else 30,
        vat_rate=settings.vat_rate if settings is not None else ZERO,
    )
    year = settings.financial_year.label if settings is not None else ""
    groups = _group(inputs, results)
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
        note += _last_year(district)
        final = allocation.final_devolved
        model = allocation.model.value
    lines = groups.lines.get(school.urn, [])
    pack_lines = tuple(_pack_line(line) for line in lines)
    documents = _documents(groups.documents.get(school.urn, []))
    types_present = list(dict.fromkeys(line.type.value for line in lines))
    last_year = tuple(_last_year_document(e) for e in groups.last_year.get(school.urn, []))
    return SchoolPack(
        urn=school.urn,
        name=school.name,
        district=school.district,
        funding_model=model,
        phase=school.phase,
        type=school.type.value,
        trust=school.trust,
        trust_address=school.trust_address,
        cost_centre=school.cost_centre,
        po_number=school.po_number,
        financial_year=year,
        produced_on=produced_on,
        contacts=contacts,
        allocation_note=note,
        allocation=rows,
        final_devolved=final,
        lines=pack_lines,
        documents=documents,
        term_totals=_term_totals(lines, documents, inputs.terms),
        rules=tuple((kind, LINE_TYPE_RULES[kind]) for kind in types_present if kind in LINE_TYPE_RULES),
        last_year=groups.last_year_label,
        last_year_documents=last_year,
        year_figures=_year_figures(last_year, documents) if groups.last_year_label else (),
    )


def _last_year_document(entry: RegisterEntry) -> LastYearDocument:
    return LastYearDocument(
        number=entry.number,
        kind=entry.kind,
        period=entry.period,
        status=entry.status,
        issued_on=entry.issued_on,
        net=entry.net,
        vat=entry.vat,
        gross=entry.gross,
        supersedes=entry.supersedes,
        reversal=entry.key.startswith(REVERSAL_KEY_PREFIX),
    )


def _count(documents: int, drafts: int) -> str:
    text = f"{documents} document{'' if documents == 1 else 's'}"
    return text + (f", {drafts} of them DRAFT (not yet issued)" if drafts else "")


def _year_figures(last: Sequence[LastYearDocument], this: Sequence[PackDocument]) -> tuple[YearFigure, ...]:
    """Per kind present in either year, the Net of last year's Issued and Credited documents beside the Net of
    this year's documents (as the pack lists them, Drafts included); then the net of them all. A Credited
    document and the one reversing it both count, so they cancel in the net."""
    counted = [d for d in last if d.counted]
    rows: list[YearFigure] = []
    for kind, item in KIND_ROWS:
        before = [d for d in counted if d.kind == kind]
        now = [d for d in this if d.kind == kind]
        if not before and not now:
            continue
        rows.append(
            YearFigure(
                item,
                sum((d.net for d in before), ZERO),
                sum((d.net for d in now), ZERO),
                f"Last year {_count(len(before), 0)}; this year {_count(len(now), sum(d.is_draft for d in now))}.",
            )
        )
    never = [d.number for d in last if not d.counted and not (d.net == 0 and d.vat == 0 and d.gross == 0)]
    note = "Positive: owed by the school (or taken from its budget share); negative: owed to it."
    if never:
        note += f" Last year's DRAFT {', '.join(never)} was never issued: not counted."
    rows.append(
        YearFigure(
            NET_OF_DOCUMENTS,
            sum((d.net for d in counted), ZERO),
            sum((d.net for d in this), ZERO),
            note,
        )
    )
    return tuple(rows)


_NO_LEAD_PRU = "the district's Lead PRU"


def _last_year(district: DistrictAllocation) -> tuple[str, ...]:
    """Last year's district allocation beside this year's, where the workbook has it (Districts)."""
    if district.previous is None:
        return ()
    change = district.final_allocation - district.previous
    pct = f", {'+' if change >= 0 else ''}{fmt_percent(district.change_pct)}" if district.change_pct is not None else ""
    return (
        f"Last year {district.name}'s AP allocation was {pounds(district.previous)}; this year it is "
        f"{pounds(district.final_allocation)} ({'+' if change >= 0 else '-'}{pounds(abs(change))}{pct}).",
    )


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
            f"Devolved allocation {pounds(allocation.base_devolved)} + redress withheld "
            f"{pounds(ZERO - allocation.redress_withheld)} + redress received {pounds(allocation.redress_received)} "
            "(withheld is negative here and in SchoolAllocations: money leaving the school).",
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
    pot = groups.factor_pots.get((district.name, factor.factor))
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
    rows: list[AllocationRow] = []
    own = [line for line in trace if line.urn == school.urn]
    for line in own:
        if not isinstance(line.value, Decimal):
            continue
        if line.figure == "Redress deduction":
            rule = line.subject
            rows.append(
                AllocationRow(
                    f"Redress withheld: {rule}",
                    -line.value,
                    f"{line.inputs}. Withheld = {line.formula} (rounded to the penny).",
                )
            )
        elif line.figure == "Redress cap":
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
    received = [line for line in own if line.figure == "Redress received"]
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
        workings=workings_text(line),
    )


def _term_totals(
    lines: Sequence[RecoupmentLine], documents: Sequence[PackDocument], terms: Sequence[Term] = ()
) -> tuple[TermTotal, ...]:
    """Per term, in date order (``terms``; a period no term names after them, in line order), the
    recoverable charges and credits, and the current document that settles them."""
    sums: dict[str, list[Decimal]] = {}
    for line in lines:
        if line.settled:
            pair = sums.setdefault(line.period, [ZERO, ZERO])
            pair[0 if line.amount > 0 else 1] += line.amount
    settling = {d.period: d for d in documents if d.settles_lines}
    starts = {term.name: term.start for term in terms}
    in_order = sorted(sums, key=lambda period: (period not in starts, starts.get(period, date.max)))
    totals: list[TermTotal] = []
    for period in in_order:
        charges, credits = sums[period]
        document = settling.get(period)
        totals.append(
            TermTotal(
                period,
                charges,
                credits,
                f"{document.kind} {document.number}" if document is not None else "",
                document.net if document is not None else None,
            )
        )
    return tuple(totals)


def _documents(documents: Sequence[Document]) -> tuple[PackDocument, ...]:
    """The school's documents, each with the lines it settles (or what it reverses)."""
    reversed_by = {d.supersedes: d.number for d in documents if d.is_reversal}
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
                lines=_document_lines(document, credited),
                settles_lines=bool(document.lines),
                reversal=document.is_reversal,
            )
        )
    return tuple(result)


def _document_lines(document: Document, reversed_by: str) -> tuple[DocumentLine, ...]:
    """The document's lines as settlement gave them (``Document.lines``), each with its provider and dates."""
    if document.is_reversal:
        return (DocumentLine(document.period, f"Reverses {document.supersedes} in full", "", document.net),)
    if not document.lines:
        why = f"; reversed by {reversed_by}" if reversed_by else ""
        return (DocumentLine(document.period, f"Amount as issued{why}", "", document.net),)
    return tuple(
        DocumentLine(
            line.period,
            f"{line.type.value}, {line.legal_basis.value}: line {line.line_id}",
            line.pupil_ref,
            line.amount,
            provider=line.workings.provider if line.workings is not None else "",
            dates=_dates(line),
        )
        for line in document.lines
    )


def _dates(line: RecoupmentLine) -> str:
    w = line.workings
    if w is None or w.start is None:
        return ""
    return f"{day(w.start)} to {day(w.end)}" if w.end is not None else day(w.start)
