"""Financial redress: deductions from the devolved funding of schools above a threshold.

Rule (docs/funding-rules.md, "Financial redress"). Each ``RedressRules`` row names a Schools
measure column, optionally ``Per 1000 Of`` another (pupil) column, a threshold and a
deduction method. For one school:

- Without ``Per 1000 Of``: the school is above the threshold when ``measure > threshold``
  and ``excess = measure - threshold``.
- With ``Per 1000 Of``: the school's rate ``measure / pupils x 1000`` is compared with the
  threshold, and the excess is expressed in units of the measure:
  ``excess = measure - threshold x pupils / 1000`` (for example the exclusions above the
  number expected of a school that size). A school with no pupils in that column has no
  rate: a Warning when its measure is above zero, and no deduction.
- ``Per unit above threshold``: ``deduction = rate x excess`` when the excess is above zero.
- ``Percent of allocation``: ``deduction = rate x the school's devolved allocation`` (before
  redress) when the measure, or its per-1,000 rate, is above the threshold.

Each deduction is rounded to the penny. Redress only reduces devolved funding (it is never a
charge on top, see "Limits on charging"): a school's total redress is capped at its devolved
allocation, so schools without devolved funding are never redressed.

Where the money goes (``Redress destination`` setting):

- ``District schools``: the total withheld in a district is shared with ``money.share_pot``
  between the district's devolved schools that were not redressed themselves, pro rata to
  their devolved allocations (ties to the lower URN). If every school there was redressed
  it goes to the district's Lead PRU instead, and if there is none it stays with the LA
  centrally (a Warning).
- ``Lead PRU``: the district's Lead PRU receives it (added to its top-up); with no Lead PRU
  it stays with the LA centrally (a Warning).

Every deduction, cap and receipt is a TraceLine giving the measure, threshold and excess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from apmodel.domain.findings import Findings
from apmodel.domain.inputs import DeductionMethod, Provider, RedressDestination, RedressRule, School, Settings
from apmodel.domain.money import WIDE, ZERO, money, share_pot
from apmodel.domain.percent import percent
from apmodel.domain.stage2 import DistrictStage2, SchoolStage2, Stage2Result, school_label
from apmodel.domain.trace import TraceLine, fmt_money, fmt_number, fmt_percent

_THOUSAND = Decimal(1000)


@dataclass(frozen=True)
class Deduction:
    """One rule's deduction from one school, before the cap at its devolved allocation."""

    urn: int
    rule: str
    measure: Decimal
    #: The per-1,000 rate compared with the threshold (None without ``Per 1000 Of``).
    rate_per_1000: Decimal | None
    threshold: Decimal
    excess: Decimal
    amount: Decimal


@dataclass(frozen=True)
class RedressResult:
    #: URN -> total withheld (after the cap); only schools with a deduction appear.
    withheld: dict[int, Decimal]
    #: URN -> redress received from the other schools of its district.
    received: dict[int, Decimal]
    #: Provider ID -> redress received as Lead PRU.
    provider_received: dict[str, Decimal]
    #: District name -> redress kept by the LA centrally (no school or Lead PRU to receive it).
    retained_centrally: dict[str, Decimal]
    trace: tuple[TraceLine, ...]

    @property
    def total_retained_centrally(self) -> Decimal:
        return sum(self.retained_centrally.values(), ZERO)


def deduction_for(rule: RedressRule, school: School, devolved: Decimal, findings: Findings) -> Deduction | None:
    """The rule's deduction from one school (None when the school is not above the threshold)."""
    measure = school.value(rule.measure)
    with localcontext(WIDE):
        if rule.per_1000_of is None:
            rate_per_1000 = None
            above = measure > rule.threshold
            excess = measure - rule.threshold
        else:
            pupils = school.value(rule.per_1000_of)
            if pupils <= 0:
                if measure > 0:
                    findings.warning(
                        "REDRESS_NO_PUPILS",
                        "Schools",
                        school.row,
                        rule.per_1000_of,
                        fmt_number(pupils),
                        f"Redress rule {rule.rule!r} measures {rule.measure} per 1,000 of {rule.per_1000_of}, but "
                        f"{school_label(school)} has no {rule.per_1000_of}, so the rule cannot be applied to it.",
                    )
                return None
            rate_per_1000 = measure / pupils * _THOUSAND
            above = rate_per_1000 > rule.threshold
            excess = measure - rule.threshold * pupils / _THOUSAND
        if rule.method is DeductionMethod.PER_UNIT:
            if excess <= 0:
                return None
            amount = money(rule.rate * excess)
        else:
            if not above:
                return None
            amount = money(percent(rule.rate) * devolved)
    return Deduction(school.urn, rule.rule, measure, rate_per_1000, rule.threshold, excess, amount)


def _deduction_trace(rule: RedressRule, school: School, devolved: Decimal, d: Deduction) -> TraceLine:
    parts = [f"{rule.measure} = {fmt_number(d.measure)}"]
    if rule.per_1000_of is not None and d.rate_per_1000 is not None:
        pupils = school.value(rule.per_1000_of)
        parts += [
            f"{rule.per_1000_of} = {fmt_number(pupils)}",
            f"rate per 1,000 = {fmt_number(d.rate_per_1000.quantize(Decimal('0.0001')))}",
            f"threshold = {fmt_number(d.threshold)} per 1,000",
            f"excess = {fmt_number(d.measure)} - {fmt_number(d.threshold)} x {fmt_number(pupils)} / 1,000 "
            f"= {fmt_number(d.excess)}",
        ]
        excess_text = f"measure - threshold x {rule.per_1000_of} / 1,000"
    else:
        parts += [f"threshold = {fmt_number(d.threshold)}", f"excess = {fmt_number(d.excess)}"]
        excess_text = "measure - threshold"
    if rule.method is DeductionMethod.PER_UNIT:
        parts.append(f"rate = {fmt_money(rule.rate)} per unit")
        formula = f"rate x excess, excess = {excess_text}"
    else:
        parts += [f"rate = {fmt_percent(percent(rule.rate))}", f"devolved allocation = {fmt_money(devolved)}"]
        formula = "rate x devolved allocation, as the measure is above the threshold"
    return TraceLine(
        "Redress deduction",
        formula,
        "; ".join(parts),
        d.amount,
        urn=school.urn,
        school=school.name,
        district=school.district,
        subject=rule.rule,
    )


def apply_redress(
    settings: Settings, rules: Sequence[RedressRule], stage2: Stage2Result, findings: Findings
) -> RedressResult:
    """Deductions, the cap at the devolved allocation, and where the withheld money goes."""
    trace: list[TraceLine] = []
    withheld: dict[int, Decimal] = {}
    received: dict[int, Decimal] = {}
    provider_received: dict[str, Decimal] = {}
    retained: dict[str, Decimal] = {}
    by_district: dict[str, list[SchoolStage2]] = {}
    for row in stage2.schools:
        by_district.setdefault(row.district.name, []).append(row)

    for district in stage2.districts:
        schools = sorted(by_district.get(district.district.name, []), key=lambda r: r.school.urn)
        devolved_schools = [r for r in schools if r.base_devolved > 0]
        for row in devolved_schools:
            total = ZERO
            for rule in rules:
                deduction = deduction_for(rule, row.school, row.base_devolved, findings)
                if deduction is None or deduction.amount == 0:
                    continue
                trace.append(_deduction_trace(rule, row.school, row.base_devolved, deduction))
                total += deduction.amount
            if total == 0:
                continue
            capped = min(total, row.base_devolved)
            if capped < total:
                trace.append(
                    TraceLine(
                        "Redress cap",
                        "total redress capped at the school's devolved allocation",
                        f"deductions = {fmt_money(total)}; devolved allocation = {fmt_money(row.base_devolved)}",
                        capped,
                        urn=row.school.urn,
                        school=row.school.name,
                        district=row.school.district,
                    )
                )
            withheld[row.school.urn] = capped
        district_withheld = sum((withheld.get(r.school.urn, ZERO) for r in schools), ZERO)
        if district_withheld == 0:
            continue
        _send(
            settings,
            district,
            district_withheld,
            [r for r in devolved_schools if r.school.urn not in withheld],
            received,
            provider_received,
            retained,
            findings,
            trace,
        )
    return RedressResult(withheld, received, provider_received, retained, tuple(trace))


def _send(
    settings: Settings,
    district: DistrictStage2,
    pot: Decimal,
    unredressed: Sequence[SchoolStage2],
    received: dict[int, Decimal],
    provider_received: dict[str, Decimal],
    retained: dict[str, Decimal],
    findings: Findings,
    trace: list[TraceLine],
) -> None:
    name = district.district.name
    if settings.redress_destination is RedressDestination.DISTRICT_SCHOOLS and unredressed:
        bases = [r.base_devolved for r in unredressed]
        total_base = sum(bases, ZERO)
        for row, share in zip(unredressed, share_pot(pot, bases), strict=True):
            received[row.school.urn] = share
            trace.append(
                TraceLine(
                    "Redress received",
                    "redress withheld in the district x devolved allocation / devolved allocations of the "
                    "district's schools not redressed (pennies by largest remainder)",
                    f"withheld in {name} = {fmt_money(pot)}; devolved allocation = {fmt_money(row.base_devolved)}; "
                    f"total of schools not redressed = {fmt_money(total_base)}",
                    share,
                    urn=row.school.urn,
                    school=row.school.name,
                    district=row.school.district,
                )
            )
        return
    lead: Provider | None = district.lead_pru
    if lead is not None:
        provider_received[lead.provider_id] = provider_received.get(lead.provider_id, ZERO) + pot
        why = (
            "Redress destination is Lead PRU"
            if settings.redress_destination is RedressDestination.LEAD_PRU
            else "every devolved school in the district was redressed"
        )
        trace.append(
            TraceLine(
                "Redress to Lead PRU",
                "redress withheld in the district, added to the Lead PRU's top-up",
                f"withheld in {name} = {fmt_money(pot)}; {why}",
                pot,
                district=name,
                provider=f"{lead.provider_id} {lead.name}",
            )
        )
        return
    retained[name] = retained.get(name, ZERO) + pot
    findings.warning(
        "REDRESS_RETAINED_CENTRALLY",
        "Districts",
        district.district.row,
        "Lead PRU",
        fmt_money(pot),
        f"Redress of {fmt_money(pot)} withheld in {name} has no school or Lead PRU to go to, so it stays with "
        "the LA centrally.",
    )
    trace.append(
        TraceLine(
            "Redress retained centrally",
            "redress withheld in the district with no school or Lead PRU to receive it",
            f"withheld in {name} = {fmt_money(pot)}",
            pot,
            district=name,
        )
    )
