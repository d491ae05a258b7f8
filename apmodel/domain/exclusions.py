"""The statutory adjustment on permanent exclusion: ``deduction = A x B / 52 + C``.

Source: School and Early Years Finance (England) Regulations, reg 39 of the 2024 amending
regulations (reg 37 in 2023, reg 27 in 2018); docs/funding-rules.md, "Recoupment 1".

- **A** is what the schools formula gives a pupil of that age and circumstances for a full
  year: the ``PupilRates`` row of the pupil's key stage, basic entitlement plus the rates of
  the pupil's flags (FSM6, IDACI, EAL, LPA), unless the row gives ``Pupil-led Amount``.
- **B** is the complete weeks from the relevant date to 31 March, both days included:
  ``floor(days / 7)``. Leaving years: a pupil in a year group of ``Phase change year groups``
  (the last year before a change of phase) whose relevant date is on or after 1 April of the
  school year it falls in would have left at the end of that school year anyway, so B counts
  only to ``School year end``, and a relevant date after the school year end gives B = 0 (the
  pupil would have left; an Info line says so). A school year runs, as in the Education Act
  1996 s579, to the start of the first term after July: here to the first ``Terms`` start after
  ``School year end`` (1 September when no term follows). So in FY 2025-26 a relevant date from
  1 April 2025 up to that start falls in the school year 2024-25, whose 1 April has passed; a
  later one falls in 2025-26, whose 1 April (2026) is after the financial year: B counts to
  31 March as usual.
- **C** is the amount of a financial adjustment order (``Adjustment Order``).
- **Pupil premium** follows the pupil (``Recoup pupil premium`` = Yes and FSM6, or the row
  gives its own amount): a separate line ``Pupil Premium x B / 52``.
- **Admitting school** (``Admitting school credit`` = Yes): credited ``D x E / F``, D the
  deduction before C, E the complete weeks from the admission date to the end of the period,
  F = B. An admission dated before the relevant date is a Warning and counts from the
  relevant date, so the credit never exceeds D.
- **Reinstatement**: the excluding school is repaid ``D x (complete weeks from the
  reinstatement, or the relevant date if later, to the end of the period) / B``, and its pupil
  premium line in the same proportion (``Pupil Premium x B / 52 x weeks / B``).
- **Nothing recovered**: SEYFR 2018 reg 27(3) (and its successors) credit the admitting school
  only where "the excluding school" is maintained; the 2011 wording ("or would have reduced it
  had that school been maintained") went further. When the excluding school is an academy
  without an AP Agreement (its line Not recoverable), the admitting school is credited only if
  ``Admitting credit when nothing recovered`` is Yes (default No, the 2018 reading); the line's
  Legal Basis is then "LA funded (AP budget)" and a Warning says the AP budget pays for it.

Who can be charged ("Limits on charging"): maintained mainstream schools by statute;
academies only with ``AP Agreement`` = Yes, otherwise the line is shown "Not recoverable"
with a Warning; exclusions from Special schools and PRUs are outside the regulation (Info,
no line). A credit to an admitting academy likewise needs its agreement.

Each line is rounded half up to the penny at the end (``money``); credits are negative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from apmodel.domain.calendar import SchoolCalendar, complete_weeks, days_inclusive
from apmodel.domain.findings import Findings
from apmodel.domain.inputs import Exclusion, ModelInputs, PupilRate, School, SchoolType, Settings, key_stage, normalise
from apmodel.domain.money import ZERO, exact, money
from apmodel.domain.recoupment_lines import (
    LegalBasis,
    LineResult,
    LineStatus,
    LineType,
    Lookups,
    RecoupmentLine,
    SettlementKind,
    Workings,
    is_mainstream,
    settlement_kind,
    year_group_outside_school,
)
from apmodel.domain.trace import fmt_date, fmt_money

TABLE = "Exclusions"
WEEKS_IN_YEAR = Decimal(52)


@dataclass(frozen=True)
class WeeksRemaining:
    """B and how it was counted."""

    relevant_date: date
    #: 31 March, or ``School year end`` under the phase-change exception.
    period_end: date
    days: int
    weeks: int
    phase_change: bool
    #: A leaving year's relevant date after the school year end: the pupil would have left (B = 0).
    after_leaving: bool = False


def next_school_year_start(settings: Settings, calendar: SchoolCalendar) -> date:
    """When the school year that ends at ``School year end`` gives way to the next (s579 Education Act 1996).

    The first term that begins after the school year end; 1 September when the Terms name none.
    """
    year_end = settings.school_year_end
    found = calendar.first_term_start_after(year_end)
    if found is not None:
        return found
    september = date(year_end.year, 9, 1)
    return september if september > year_end else year_end + timedelta(days=1)


def weeks_remaining(
    relevant_date: date, year_group: int, settings: Settings, next_school_year: date
) -> WeeksRemaining:
    """B: complete weeks from the relevant date to the end of the period (reg 39), leaving years included."""
    year = settings.financial_year
    # The relevant date falls in the school year ending at School year end while it is before the next one
    # starts; that school year's 1 April is the financial year's start, so it is "on or after 1 April".
    leaving = year_group in settings.phase_change_year_groups and year.start <= relevant_date < next_school_year
    if leaving and relevant_date > settings.school_year_end:
        return WeeksRemaining(relevant_date, settings.school_year_end, 0, 0, True, after_leaving=True)
    end = settings.school_year_end if leaving else year.end
    return WeeksRemaining(
        relevant_date, end, days_inclusive(relevant_date, end), complete_weeks(relevant_date, end), leaving
    )


def statutory_share(amount: Decimal, weeks: int) -> Decimal:
    """``amount x weeks / 52``, unrounded (the caller rounds at the last step)."""
    return exact(amount * weeks / WEEKS_IN_YEAR)


def credit(amount: Decimal) -> Decimal:
    """A credit to a school: the amount rounded to the penny, negated (never ``-0.00``)."""
    return ZERO - money(amount)


@dataclass(frozen=True)
class PupilLedAmount:
    """A and where it came from, for the trace."""

    amount: Decimal
    explanation: str


def pupil_led_amount(exclusion: Exclusion, rate: PupilRate | None) -> PupilLedAmount | None:
    """A: the row's ``Pupil-led Amount``, else the key stage's basic entitlement plus its flags' rates."""
    if exclusion.pupil_led_amount is not None:
        return PupilLedAmount(exclusion.pupil_led_amount, f"Pupil-led Amount {fmt_money(exclusion.pupil_led_amount)}")
    if rate is None:
        return None
    parts = [("basic entitlement", rate.basic_entitlement)]
    for flag, given, value in (
        ("FSM6", exclusion.fsm6, rate.fsm6),
        ("IDACI", exclusion.idaci, rate.idaci),
        ("EAL", exclusion.eal, rate.eal),
        ("LPA", exclusion.lpa, rate.lpa),
    ):
        if given:
            parts.append((flag, value))
    total = sum((value for _, value in parts), Decimal(0))
    shown = " + ".join(f"{name} {fmt_money(value)}" for name, value in parts)
    return PupilLedAmount(total, f"{rate.key_stage}: {shown}")


@dataclass(frozen=True)
class _Basis:
    legal_basis: LegalBasis
    status: LineStatus


def _basis_for(school: School, exclusion: Exclusion, column: str, blocked: bool, findings: Findings) -> _Basis:
    """Statutory for maintained schools; academies only under an AP Agreement (else a Warning)."""
    if school.type is SchoolType.MAINTAINED:
        basis = LegalBasis.STATUTORY
    elif school.ap_agreement:
        basis = LegalBasis.LOCAL_AGREEMENT
    else:
        findings.warning(
            "NO_AP_AGREEMENT",
            TABLE,
            exclusion.row,
            column,
            school.urn,
            f"{school.name} is an academy without an AP Agreement: the exclusion adjustment cannot be recovered "
            "from it or credited to it, so the line is shown as Not recoverable and no invoice is raised.",
        )
        return _Basis(LegalBasis.NOT_RECOVERABLE, LineStatus.NOT_RECOVERABLE)
    return _Basis(basis, LineStatus.BLOCKED if blocked else LineStatus.RECOVERABLE)


class _Builder:
    """Works through the Exclusions rows in sheet order, collecting lines, trace and findings."""

    def __init__(self, settings: Settings, calendar: SchoolCalendar, findings: Findings, keyed: Lookups) -> None:
        self.settings = settings
        self.calendar = calendar
        self.findings = findings
        self.schools = keyed.schools
        self.rates = keyed.rates
        self.next_school_year = next_school_year_start(settings, calendar)
        self.result = LineResult()

    def period_of(self, day: date) -> str:
        period = self.calendar.billing_period_for(day)
        return period.name if period is not None else self.settings.financial_year.label

    def line(
        self, exclusion: Exclusion, school: School, suffix: str, kind: LineType, basis: _Basis, period: str
    ) -> RecoupmentLine:
        """A line of this exclusion for ``school``; the caller fills in the letters and the amount."""
        return RecoupmentLine(
            line_id=f"{exclusion.exclusion_id}/{suffix}",
            urn=school.urn,
            school=school.name,
            type=kind,
            legal_basis=basis.legal_basis,
            settlement=settlement_kind(school) if basis.status is LineStatus.RECOVERABLE else SettlementKind.NONE,
            pupil_ref=exclusion.pupil_ref,
            source_id=exclusion.exclusion_id,
            period=period,
            status=basis.status,
        )

    def run(self, exclusions: Sequence[Exclusion]) -> LineResult:
        first_row_of_pupil: dict[str, int] = {}
        for exclusion in exclusions:
            pupil = normalise(exclusion.pupil_ref)
            if pupil in first_row_of_pupil:
                self.findings.warning(
                    "PUPIL_EXCLUDED_TWICE",
                    TABLE,
                    exclusion.row,
                    "Pupil Ref",
                    exclusion.pupil_ref,
                    f"Pupil {exclusion.pupil_ref} is already excluded on row {first_row_of_pupil[pupil]}; "
                    "check this is a second exclusion and not a duplicate (both are charged).",
                )
            else:
                first_row_of_pupil[pupil] = exclusion.row
            self.exclusion(exclusion)
        return self.result

    def exclusion(self, exclusion: Exclusion) -> None:
        findings = self.findings
        school = self.schools.get(exclusion.excluding_urn)
        if school is None:
            findings.error(
                "UNKNOWN_URN",
                TABLE,
                exclusion.row,
                "Excluding URN",
                exclusion.excluding_urn,
                "No school in the Schools table has this URN; the exclusion cannot be charged.",
            )
            return
        if not is_mainstream(school):
            findings.info(
                "EXCLUSION_NOT_MAINSTREAM",
                TABLE,
                exclusion.row,
                "Excluding URN",
                exclusion.excluding_urn,
                f"{school.name} is a {school.phase} school: the statutory adjustment applies only to mainstream "
                "schools, so there is no charge.",
            )
            return
        blocked = bool(exclusion.blocked_by)  # a money cell with an Error (see inputs.Exclusion)
        relevant = exclusion.relevant_date
        if relevant is None:
            relevant = exclusion.exclusion_date
            findings.warning(
                "RELEVANT_DATE_MISSING",
                TABLE,
                exclusion.row,
                "Relevant Date",
                "",
                f"No Relevant Date: the Exclusion Date {fmt_date(relevant)} is used. Enter the date the exclusion "
                "takes effect for funding (after any review) for an exact charge.",
            )
        elif relevant < exclusion.exclusion_date:
            blocked = True
            findings.error(
                "RELEVANT_DATE_BEFORE_EXCLUSION",
                TABLE,
                exclusion.row,
                "Relevant Date",
                relevant,
                f"The Relevant Date is before the Exclusion Date ({fmt_date(exclusion.exclusion_date)}); the line is "
                "computed but held back from settlement until the dates are corrected.",
            )
        if exclusion.reinstated_date is not None and exclusion.reinstated_date < relevant:
            blocked = True
            findings.error(
                "REINSTATED_BEFORE_RELEVANT_DATE",
                TABLE,
                exclusion.row,
                "Reinstated Date",
                exclusion.reinstated_date,
                f"The pupil is recorded as reinstated ({fmt_date(exclusion.reinstated_date)}) before the exclusion "
                f"took effect ({fmt_date(relevant)}); the lines are held back until the dates are corrected.",
            )
        taught = year_group_outside_school(school, exclusion.year_group)
        if taught is not None:
            blocked = True
            findings.error(
                "YEAR_GROUP_OUTSIDE_SCHOOL",
                TABLE,
                exclusion.row,
                "Year Group",
                exclusion.year_group,
                f"Year {exclusion.year_group} is not taught at {school.name}, a {school.phase} school (years "
                f"{taught.start} to {taught.stop - 1}); the lines are held back until it is corrected.",
            )
        rate = self.rates.get(normalise(key_stage(exclusion.year_group)))
        a = pupil_led_amount(exclusion, rate)
        if a is None:
            findings.error(
                "PUPIL_RATE_MISSING",
                TABLE,
                exclusion.row,
                "Year Group",
                exclusion.year_group,
                f"PupilRates has no {key_stage(exclusion.year_group)} row and the exclusion gives no Pupil-led "
                "Amount, so A cannot be worked out; there is no charge.",
            )
            return
        basis = _basis_for(school, exclusion, "Excluding URN", blocked, findings)
        year = self.settings.financial_year
        adjustment_order = exclusion.adjustment_order or ZERO
        if not year.contains(relevant):
            findings.info(
                "EXCLUSION_OUTSIDE_YEAR",
                TABLE,
                exclusion.row,
                "Relevant Date",
                relevant,
                f"The relevant date is outside the financial year {year.label}: no charge this year.",
            )
            line = self.line(exclusion, school, "A", LineType.EXCLUSION_ADJUSTMENT, basis, "")
            self.result.add(
                line._replace(
                    settlement=SettlementKind.NONE,
                    a=money(a.amount),
                    c=money(adjustment_order),
                    status=LineStatus.OUT_OF_YEAR,
                    workings=Workings(start=relevant),
                ),
                "no charge: relevant date outside the financial year",
                f"relevant date = {fmt_date(relevant)}; year = {year.label}",
            )
            return

        weeks = weeks_remaining(relevant, exclusion.year_group, self.settings, self.next_school_year)
        d_exact = statutory_share(a.amount, weeks.weeks)
        if weeks.after_leaving:
            findings.info(
                "LEAVING_YEAR_AFTER_YEAR_END",
                TABLE,
                exclusion.row,
                "Relevant Date",
                relevant,
                f"Year {exclusion.year_group} is a leaving year and the relevant date is after the school year end "
                f"({fmt_date(self.settings.school_year_end)}): the pupil would have left, so B = 0 and nothing "
                "is deducted for the weeks (an Adjustment Order still applies).",
            )
            weeks_text = (
                f"B = 0 (year {exclusion.year_group} is a leaving year and the relevant date is after the school "
                f"year end, {fmt_date(weeks.period_end)}: the pupil would have left)"
            )
        else:
            weeks_text = (
                f"B = {weeks.weeks} ({weeks.days} days from {fmt_date(relevant)} to {fmt_date(weeks.period_end)}"
                + (", leaving year: counted to the school year end" if weeks.phase_change else "")
                + ")"
            )
        line = self.line(exclusion, school, "A", LineType.EXCLUSION_ADJUSTMENT, basis, self.period_of(relevant))
        self.result.add(
            line._replace(
                a=money(a.amount),
                b=weeks.weeks,
                c=money(adjustment_order),
                d=money(d_exact),
                days=weeks.days,
                amount=money(d_exact + adjustment_order),
                workings=Workings(
                    start=relevant, end=weeks.period_end, source=a.explanation, phase_change=weeks.phase_change
                ),
            ),
            "A x B / 52 + C",
            f"A = {fmt_money(a.amount)} ({a.explanation}); {weeks_text}; C = {fmt_money(adjustment_order)}",
        )
        premium = self.pupil_premium(exclusion, school, rate, weeks, basis)
        self.admitting_credit(exclusion, weeks, d_exact, blocked, basis)
        self.reinstatement(exclusion, school, weeks, d_exact, basis, premium)

    def pupil_premium(
        self, exclusion: Exclusion, school: School, rate: PupilRate | None, weeks: WeeksRemaining, basis: _Basis
    ) -> Decimal | None:
        """The pupil premium line; returns the premium (a year's rate) recouped, None when there is no line."""
        if not self.settings.recoup_pupil_premium:
            return None
        if exclusion.pupil_premium is not None:
            premium, source = exclusion.pupil_premium, "the row's Pupil Premium"
        elif exclusion.fsm6 and rate is not None:
            premium, source = rate.pupil_premium, f"PupilRates {rate.key_stage}"
        elif exclusion.fsm6:
            self.findings.warning(
                "PUPIL_RATE_MISSING",
                TABLE,
                exclusion.row,
                "Year Group",
                exclusion.year_group,
                f"PupilRates has no {key_stage(exclusion.year_group)} row, so the pupil premium cannot be recouped.",
            )
            return None
        else:
            return None
        if premium == 0:
            return None
        line = self.line(exclusion, school, "PP", LineType.PUPIL_PREMIUM, basis, self.period_of(weeks.relevant_date))
        self.result.add(
            line._replace(
                a=money(premium),
                b=weeks.weeks,
                days=weeks.days,
                amount=money(statutory_share(premium, weeks.weeks)),
                workings=Workings(
                    start=weeks.relevant_date, end=weeks.period_end, source=source, phase_change=weeks.phase_change
                ),
            ),
            "Pupil Premium x B / 52",
            f"Pupil Premium = {fmt_money(premium)} ({source}); B = {weeks.weeks}",
        )
        return premium

    def admitting_credit(
        self, exclusion: Exclusion, weeks: WeeksRemaining, d_exact: Decimal, blocked: bool, excluding: _Basis
    ) -> None:
        if not self.settings.admitting_school_credit:
            return
        if exclusion.admitting_urn is None and exclusion.admission_date is None:
            return
        findings = self.findings
        if exclusion.admitting_urn is None:
            findings.warning(
                "ADMITTING_URN_MISSING",
                TABLE,
                exclusion.row,
                "Admitting URN",
                "",
                "An Admission Date is given without an Admitting URN; no school can be credited.",
            )
            return
        if exclusion.admission_date is None:
            findings.warning(
                "ADMISSION_DATE_MISSING",
                TABLE,
                exclusion.row,
                "Admission Date",
                "",
                "An Admitting URN is given without an Admission Date; the admitting school cannot be credited.",
            )
            return
        school = self.schools.get(exclusion.admitting_urn)
        if school is None:
            findings.error(
                "UNKNOWN_URN",
                TABLE,
                exclusion.row,
                "Admitting URN",
                exclusion.admitting_urn,
                "No school in the Schools table has this URN; the admitting school cannot be credited.",
            )
            return
        if not is_mainstream(school):
            findings.info(
                "ADMITTING_SCHOOL_NOT_MAINSTREAM",
                TABLE,
                exclusion.row,
                "Admitting URN",
                exclusion.admitting_urn,
                f"{school.name} is a {school.phase} school: the admitting school credit applies only to mainstream "
                "schools.",
            )
            return
        admitted = exclusion.admission_date
        if admitted < weeks.relevant_date:
            findings.warning(
                "ADMISSION_BEFORE_RELEVANT_DATE",
                TABLE,
                exclusion.row,
                "Admission Date",
                admitted,
                f"The Admission Date is before the relevant date ({fmt_date(weeks.relevant_date)}); the credit is "
                "counted from the relevant date.",
            )
        start = max(admitted, weeks.relevant_date)
        e = complete_weeks(start, weeks.period_end)
        if e == 0 or weeks.weeks == 0:
            if not self.settings.financial_year.contains(admitted):
                findings.info(
                    "ADMISSION_OUTSIDE_YEAR",
                    TABLE,
                    exclusion.row,
                    "Admission Date",
                    admitted,
                    f"The admission is outside the financial year {self.settings.financial_year.label}: no credit "
                    "this year.",
                )
            return
        # Reg 27(3) SEYFR 2018 credits the admitting school where "the excluding school" (a maintained one)
        # lost the money; nothing was recovered from this academy, so any credit is the LA's choice.
        nothing_recovered = excluding.legal_basis is LegalBasis.NOT_RECOVERABLE
        if nothing_recovered and not self.settings.admitting_credit_when_nothing_recovered:
            findings.info(
                "ADMITTING_CREDIT_NOTHING_RECOVERED",
                TABLE,
                exclusion.row,
                "Admitting URN",
                exclusion.admitting_urn,
                "Nothing is recovered from the excluding academy (no AP Agreement), and the regulations credit "
                "the admitting school only where the excluding school is maintained, so there is no credit. "
                "Set 'Admitting credit when nothing recovered' to Yes to fund it from the AP budget.",
            )
            return
        basis = _basis_for(school, exclusion, "Admitting URN", blocked, findings)
        if nothing_recovered and basis.legal_basis is not LegalBasis.NOT_RECOVERABLE:
            findings.warning(
                "ADMITTING_CREDIT_LA_FUNDED",
                TABLE,
                exclusion.row,
                "Admitting URN",
                exclusion.admitting_urn,
                "Nothing is recovered from the excluding academy (no AP Agreement), so this admitting school credit "
                "is not statutory: it is paid from the AP budget because 'Admitting credit when nothing recovered' "
                "is Yes.",
            )
            basis = _Basis(LegalBasis.LA_FUNDED, basis.status)
        line = self.line(exclusion, school, "AC", LineType.ADMITTING_CREDIT, basis, self.period_of(start))
        self.add_credit(
            line,
            start,
            e,
            weeks,
            d_exact,
            "-(D x E / F)",
            f"D = {fmt_money(d_exact)} (A x B / 52, before C); E = {e} (complete weeks from {fmt_date(start)} "
            f"to {fmt_date(weeks.period_end)}); F = B = {weeks.weeks}",
        )

    def add_credit(
        self,
        line: RecoupmentLine,
        start: date,
        e: int,
        weeks: WeeksRemaining,
        d_exact: Decimal,
        formula: str,
        inputs: str,
        source: str = "",
    ) -> None:
        """A credit of D x E / F (admitting school, reinstatement): E weeks from ``start`` of the F = B weeks;
        ``source`` says what D is when it is not the exclusion adjustment."""
        self.result.add(
            line._replace(
                d=money(d_exact),
                e=e,
                f=weeks.weeks,
                days=days_inclusive(start, weeks.period_end),
                amount=credit(exact(d_exact * e / weeks.weeks)),
                workings=Workings(start=start, end=weeks.period_end, source=source),
            ),
            formula,
            inputs,
        )

    def reinstatement(
        self,
        exclusion: Exclusion,
        school: School,
        weeks: WeeksRemaining,
        d_exact: Decimal,
        basis: _Basis,
        premium: Decimal | None,
    ) -> None:
        if exclusion.reinstated_date is None or weeks.weeks == 0:
            return
        start = max(exclusion.reinstated_date, weeks.relevant_date)
        e = complete_weeks(start, weeks.period_end)
        if e == 0:
            if not self.settings.financial_year.contains(exclusion.reinstated_date):
                self.findings.info(
                    "REINSTATEMENT_OUTSIDE_YEAR",
                    TABLE,
                    exclusion.row,
                    "Reinstated Date",
                    exclusion.reinstated_date,
                    f"The reinstatement is outside the financial year {self.settings.financial_year.label}: "
                    "no repayment this year.",
                )
            return
        line = self.line(exclusion, school, "RR", LineType.REINSTATEMENT_REPAYMENT, basis, self.period_of(start))
        self.add_credit(
            line,
            start,
            e,
            weeks,
            d_exact,
            "-(D x weeks from reinstatement / B)",
            f"D = {fmt_money(d_exact)}; weeks = {e} (from {fmt_date(start)} to {fmt_date(weeks.period_end)}); "
            f"B = {weeks.weeks}",
        )
        if premium is None:
            return
        # The pupil premium line is repaid in the same proportion as D.
        premium_exact = statutory_share(premium, weeks.weeks)
        line = self.line(exclusion, school, "RP", LineType.REINSTATEMENT_REPAYMENT, basis, self.period_of(start))
        self.add_credit(
            line._replace(a=money(premium)),
            start,
            e,
            weeks,
            premium_exact,
            "-(Pupil Premium x B / 52 x weeks from reinstatement / B)",
            f"Pupil Premium x B / 52 = {fmt_money(premium)} x {weeks.weeks} / 52 = {fmt_money(premium_exact)}; "
            f"weeks = {e} (from {fmt_date(start)} to {fmt_date(weeks.period_end)}); B = {weeks.weeks}",
            f"the pupil premium {fmt_money(premium)} x B {weeks.weeks} / 52",
        )


def exclusion_lines(inputs: ModelInputs, calendar: SchoolCalendar, findings: Findings, keyed: Lookups) -> LineResult:
    """Every exclusion's adjustment, pupil premium, admitting credit and reinstatement lines, in row order."""
    if inputs.settings is None:
        return LineResult()
    return _Builder(inputs.settings, calendar, findings, keyed).run(inputs.exclusions)
