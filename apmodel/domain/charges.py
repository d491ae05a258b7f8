"""Local charges for AP placements: "money follows the child".

Rule: docs/funding-rules.md, "Recoupment 2" and "Limits on charging". These charges are not
statutory, so only a school that signed an agreement (``AP Agreement`` = Yes, maintained or
academy) can be charged; for any other school the line is shown "Not recoverable" with a
Warning and never settled.

Which placements are charged:

- only ``Registration`` = Dual: a single-registered pupil is off the school's roll (Info,
  no charge);
- never Reason "Permanent exclusion": the statutory adjustment covers it (``exclusions``);
- "Medical" (Home and Hospital Tuition) only where the provider's ``Charge Medical`` = Yes.

The charge basis and rate come from the placement, else from its provider. Billing periods
are the terms, school days as in ``calendar``; one line per placement per term with school
days in the placement, the tier on every line:

- ``Daily``: ``rate x school days x Days per Week / 5``;
- ``Weekly``: ``rate x complete or part weeks of school days x Days per Week / 5``;
- ``Percent of AWPU``: ``rate% x basic entitlement (PupilRates, the pupil's key stage) x
  school days in the placement / school days in the year``. A rate above 1 is read as a
  percentage (50 = 50%) and one of 1 or less as a fraction (a cell formatted 50% holds 0.5);
- ``None``: no charge.

Only the part of a placement inside the financial year counts; one wholly outside it is an
Info and a single "Out of year" line of 0.00. A placement without an end date runs to the
end of the last term in the year, and a placement whose school weeks exceed its ``Planned
Weeks`` is a Warning. Each line is rounded half up to the penny at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from apmodel.domain.calendar import SchoolCalendar, part_weeks
from apmodel.domain.findings import Findings
from apmodel.domain.inputs import ChargeBasis, ModelInputs, Placement, Provider, Reason, School, key_stage, normalise
from apmodel.domain.money import ZERO, exact, money
from apmodel.domain.percent import percent, takes_more_than_all
from apmodel.domain.recoupment_lines import (
    LegalBasis,
    LineResult,
    LineStatus,
    LineType,
    Lookups,
    RecoupmentLine,
    SettlementKind,
    Workings,
    settlement_kind,
    year_group_outside_school,
)
from apmodel.domain.trace import fmt_date, fmt_money, fmt_number, fmt_percent

TABLE = "Placements"
FULL_WEEK_DAYS = Decimal(5)
_SINGLE = "single"


def awpu_fraction(rate: Decimal) -> Decimal:
    """``Percent of AWPU`` rate as a fraction by the one percentage rule: 50, 50% and 0.5 all mean 50%."""
    return percent(rate)


class _Charge(NamedTuple):
    """How one placement is charged, once the rules have said it is.

    A NamedTuple rather than a frozen dataclass: as immutable, and far cheaper to build once per placement.
    """

    placement: Placement
    school: School
    basis: ChargeBasis
    rate: Decimal
    legal_basis: LegalBasis
    status: LineStatus
    #: The basic entitlement of the pupil's key stage (Percent of AWPU only).
    basic_entitlement: Decimal | None
    #: How the school settles its Recoverable lines (``settlement_kind``), decided once per placement.
    settlement: SettlementKind
    #: The provider's name ("" when the Provider ID is unknown).
    provider_name: str


def _overlaps(placements: Sequence[Placement], findings: Findings) -> None:
    """A Warning on each placement that overlaps an earlier row of the same pupil (both still count)."""
    earlier: dict[str, list[Placement]] = {}
    for placement in placements:
        pupil = normalise(placement.pupil_ref)
        end = placement.end or date.max
        for other in earlier.get(pupil, []):
            if placement.start <= (other.end or date.max) and other.start <= end:
                findings.warning(
                    "PLACEMENT_OVERLAP",
                    TABLE,
                    placement.row,
                    "Start Date",
                    placement.start,
                    f"Pupil {placement.pupil_ref} is also placed by {other.placement_id} (row {other.row}) over these "
                    "dates; check neither is a duplicate (both are charged).",
                )
                break
        earlier.setdefault(pupil, []).append(placement)


class _Builder:
    def __init__(self, inputs: ModelInputs, calendar: SchoolCalendar, findings: Findings, keyed: Lookups) -> None:
        self.calendar = calendar
        self.findings = findings
        self.schools = keyed.schools
        self.providers = {normalise(p.provider_id): p for p in inputs.providers}
        self.rates = keyed.rates
        self.result = LineResult()

    def run(self, placements: Sequence[Placement]) -> LineResult:
        valid = [p for p in placements if self.dates_are_valid(p)]
        _overlaps(valid, self.findings)
        if valid and not self.calendar.periods:
            self.findings.warning(
                "NO_TERMS",
                "Terms",
                None,
                None,
                "",
                f"No term falls in the financial year {self.calendar.year.label}, so there are no school days and "
                "no placement can be charged.",
            )
        for placement in valid:
            span = self.calendar.placement_span(placement.start, placement.end)
            self.check_planned_weeks(placement)
            charge = self.charge_for(placement)
            if charge is not None:
                self.charge_lines(charge, span)
        return self.result

    def dates_are_valid(self, placement: Placement) -> bool:
        if placement.end is not None and placement.end < placement.start:
            self.findings.error(
                "END_BEFORE_START",
                TABLE,
                placement.row,
                "End Date",
                placement.end,
                f"The placement ends before it starts ({fmt_date(placement.start)}); it cannot be charged.",
            )
            return False
        if not 0 <= placement.days_per_week <= FULL_WEEK_DAYS:
            self.findings.error(
                "DAYS_PER_WEEK_OUT_OF_RANGE",
                TABLE,
                placement.row,
                "Days per Week",
                placement.days_per_week,
                "Days per Week must be between 0 and 5; the placement cannot be charged.",
            )
            return False
        return True

    def check_planned_weeks(self, placement: Placement) -> None:
        if placement.planned_weeks is None:
            return
        weeks = self.calendar.weeks_run(placement.start, placement.end)
        if placement.over_planned(weeks):
            open_ended = ""
            if placement.end is None:
                open_ended = " (it has no End Date, so it runs to the end of the last term)"
            self.findings.warning(
                "PLACEMENT_OVER_PLANNED_WEEKS",
                TABLE,
                placement.row,
                "Planned Weeks",
                placement.planned_weeks,
                f"The placement has run for {weeks} weeks since it started on {fmt_date(placement.start)}"
                f"{open_ended}, more than its {fmt_number(placement.planned_weeks)} planned weeks.",
            )

    def charge_for(self, placement: Placement) -> _Charge | None:
        """How the placement is charged, or None (with the reason as a finding where one is due)."""
        findings = self.findings
        school = self.schools.get(placement.home_urn)
        if school is None:
            findings.error(
                "UNKNOWN_URN",
                TABLE,
                placement.row,
                "Home URN",
                placement.home_urn,
                "No school in the Schools table has this URN; the placement cannot be charged.",
            )
            return None
        provider = self.providers.get(normalise(placement.provider_id))
        if provider is None:
            findings.error(
                "UNKNOWN_PROVIDER",
                TABLE,
                placement.row,
                "Provider ID",
                placement.provider_id,
                "No provider in the Providers table has this ID; any charge is held back until it is corrected.",
            )
        if normalise(placement.registration) == _SINGLE:
            findings.info(
                "SINGLE_REGISTERED",
                TABLE,
                placement.row,
                "Registration",
                placement.registration,
                "The pupil is single-registered with the provider, so off the school's roll: no charge to the school.",
            )
            return None
        if placement.reason is Reason.PERMANENT_EXCLUSION:
            return None
        if placement.reason is Reason.MEDICAL and not (provider is not None and provider.charge_medical):
            return None
        basis, rate = _basis_and_rate(placement, provider)
        # A Charge Basis cell with an Error (the placement's, or the provider's it would fall back to) is not
        # "no charge": the basis is unknown, so the placement is Blocked, at 0.00 where no basis can stand in.
        basis_error = placement.blocked_by == BASIS_CELL or (
            placement.charge_basis is None and provider is not None and provider.blocked_by == BASIS_CELL
        )
        if basis_error and basis in (None, ChargeBasis.NONE):
            basis, rate = ChargeBasis.DAILY, ZERO
        if basis is None or basis is ChargeBasis.NONE:
            return None
        # A rate cell with an Error (the placement's, or the provider's it would fall back to) is not a missing
        # rate: the placement is shown Blocked at 0.00 until the cell is corrected, never silently dropped.
        rate_error = basis_error or bool(placement.blocked_by) or (
            placement.charge_rate is None and provider is not None and bool(provider.blocked_by)
        )
        if rate is None and rate_error:
            rate = ZERO
        if rate is None:
            findings.warning(
                "CHARGE_RATE_MISSING",
                TABLE,
                placement.row,
                "Charge Rate",
                "",
                f"The charge basis is {basis} but neither the placement nor its provider gives a Charge Rate; "
                "no charge.",
            )
            return None
        basic = None
        if basis is ChargeBasis.PERCENT_AWPU:
            if takes_more_than_all(awpu_fraction(rate)):
                findings.error(
                    "PERCENT_OVER_100",
                    TABLE,
                    placement.row,
                    "Charge Rate",
                    rate,
                    f"A Percent of AWPU rate of {fmt_number(rate)} would take more than 100% of the AWPU "
                    "(10, 10% and 0.10 all mean 10%); no charge.",
                )
                return None
            if placement.year_group is None:
                findings.warning(
                    "YEAR_GROUP_MISSING",
                    TABLE,
                    placement.row,
                    "Year Group",
                    "",
                    "A Percent of AWPU charge needs the pupil's Year Group (for the key stage); no charge.",
                )
                return None
            pupil_rate = self.rates.get(normalise(key_stage(placement.year_group)))
            if pupil_rate is None:
                findings.warning(
                    "PUPIL_RATE_MISSING",
                    TABLE,
                    placement.row,
                    "Year Group",
                    placement.year_group,
                    f"PupilRates has no {key_stage(placement.year_group)} row, so the AWPU is unknown; no charge.",
                )
                return None
            basic = pupil_rate.basic_entitlement
        taught = year_group_outside_school(school, placement.year_group)
        if taught is not None:
            findings.error(
                "YEAR_GROUP_OUTSIDE_SCHOOL",
                TABLE,
                placement.row,
                "Year Group",
                placement.year_group,
                f"Year {placement.year_group} is not taught at {school.name}, a {school.phase} school (years "
                f"{taught.start} to {taught.stop - 1}); any charge is held back until it is corrected.",
            )
        if school.ap_agreement:
            legal_basis = LegalBasis.LOCAL_AGREEMENT
            blocked = provider is None or rate_error or taught is not None
            status = LineStatus.BLOCKED if blocked else LineStatus.RECOVERABLE
        else:
            legal_basis, status = LegalBasis.NOT_RECOVERABLE, LineStatus.NOT_RECOVERABLE
            findings.warning(
                "NO_AP_AGREEMENT",
                TABLE,
                placement.row,
                "Home URN",
                placement.home_urn,
                f"{school.name} has not signed an AP Agreement, so placement charges cannot be recovered from it: "
                "the lines are shown as Not recoverable.",
            )
        return _Charge(
            placement,
            school,
            basis,
            rate,
            legal_basis,
            status,
            basic,
            settlement_kind(school),
            provider.name if provider is not None else "",
        )

    def charge_lines(self, charge: _Charge, in_year: tuple[date, date] | None) -> None:
        """The placement's lines, term by term; ``in_year`` is its ``placement_span``."""
        placement = charge.placement
        year = self.calendar.year
        end = self.calendar.placement_end(placement.end)
        if in_year is None:
            self.findings.info(
                "PLACEMENT_OUTSIDE_YEAR",
                TABLE,
                placement.row,
                "Start Date",
                placement.start,
                f"The placement is wholly outside the financial year {year.label}: no charge this year.",
            )
            self.result.add(
                self.line(charge, "", ZERO, None, LineStatus.OUT_OF_YEAR), "no charge: outside the year", ""
            )
            return
        if in_year != (placement.start, end):
            self.findings.info(
                "PLACEMENT_PARTLY_OUTSIDE_YEAR",
                TABLE,
                placement.row,
                "Start Date" if placement.start < year.start else "End Date",
                placement.start if placement.start < year.start else placement.end,
                f"Only the part of the placement inside the financial year {year.label} "
                f"({fmt_date(in_year[0])} to {fmt_date(in_year[1])}) is charged.",
            )
        first, last = in_year
        year_days = self.calendar.school_days_in_year
        charged = False
        for period in self.calendar.periods:
            # A term wholly before or after the placement has none of its days (no search needed).
            if period.end < first or period.start > last:
                continue
            days = period.school_days_between(first, last)
            if not days:
                continue
            charged = True
            amount, formula, inputs, workings = self.amount(charge, days, year_days)
            line = self.line(charge, period.name, money(amount), len(days), charge.status)
            self.result.add(line._replace(workings=workings), formula, inputs)
        if not charged and self.calendar.periods:
            self.findings.info(
                "PLACEMENT_NO_SCHOOL_DAYS",
                TABLE,
                placement.row,
                "Start Date",
                placement.start,
                "The placement has no school days in any term of the year: nothing to charge.",
            )

    def amount(self, charge: _Charge, days: Sequence[date], year_days: int) -> tuple[Decimal, str, str, Workings]:
        """The unrounded charge for these school days, with its formula and inputs for the trace and
        its workings for the pack."""
        placement = charge.placement
        span = f"{fmt_date(days[0])} to {fmt_date(days[-1])}"
        per_week = placement.days_per_week
        workings = Workings(
            start=days[0],
            end=days[-1],
            provider=charge.provider_name,
            basis=charge.basis.value,
            days_per_week=per_week,
        )
        if charge.basis is ChargeBasis.DAILY:
            return (
                exact(charge.rate * len(days) * per_week / FULL_WEEK_DAYS),
                "rate x school days x days per week / 5",
                f"rate = {fmt_money(charge.rate)}; school days = {len(days)} ({span}); "
                f"days per week = {fmt_number(per_week)}",
                workings,
            )
        if charge.basis is ChargeBasis.WEEKLY:
            weeks = part_weeks(days)
            return (
                exact(charge.rate * weeks * per_week / FULL_WEEK_DAYS),
                "rate x complete or part weeks x days per week / 5",
                f"rate = {fmt_money(charge.rate)}; weeks = {weeks} ({len(days)} school days, {span}); "
                f"days per week = {fmt_number(per_week)}",
                workings._replace(weeks=weeks),
            )
        basic = charge.basic_entitlement or ZERO
        fraction = awpu_fraction(charge.rate)
        return (
            exact(fraction * basic * len(days) / year_days),
            "rate% x basic entitlement x school days in placement / school days in the year",
            f"rate = {fmt_percent(fraction)}; basic entitlement = {fmt_money(basic)}; school days = {len(days)} "
            f"({span}); school days in the year = {year_days}",
            workings._replace(days_per_week=None, share=fraction, basic_entitlement=basic, year_days=year_days),
        )

    def line(
        self, charge: _Charge, period: str, amount: Decimal, days: int | None, status: LineStatus
    ) -> RecoupmentLine:
        placement = charge.placement
        return RecoupmentLine(
            line_id=f"{placement.placement_id}/{period or self.calendar.year.label}",
            urn=charge.school.urn,
            school=charge.school.name,
            type=LineType.PLACEMENT_CHARGE,
            legal_basis=charge.legal_basis,
            settlement=charge.settlement if status is LineStatus.RECOVERABLE else SettlementKind.NONE,
            pupil_ref=placement.pupil_ref,
            source_id=placement.placement_id,
            period=period,
            rate=charge.rate,
            days=days,
            tier=placement.tier,
            amount=amount,
            status=status,
        )


#: The column named by a placement's or provider's ``blocked_by`` when its Charge Basis cell had an Error.
BASIS_CELL = "Charge Basis"


def _basis_and_rate(placement: Placement, provider: Provider | None) -> tuple[ChargeBasis | None, Decimal | None]:
    """The placement's own basis and rate, else its provider's."""
    basis = placement.charge_basis
    if basis is None and provider is not None:
        basis = provider.charge_basis
    rate = placement.charge_rate
    if rate is None and provider is not None:
        rate = provider.charge_rate
    return basis, rate


def placement_lines(inputs: ModelInputs, calendar: SchoolCalendar, findings: Findings, keyed: Lookups) -> LineResult:
    """Every placement's charge lines (one per term), in row order, with their trace."""
    return _Builder(inputs, calendar, findings, keyed).run(inputs.placements)
