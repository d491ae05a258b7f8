"""The allocation run: stage 1, then stage 2, then financial redress.

Rules: docs/funding-rules.md, "Stage 1", "Stage 2", "Financial redress" and "Money". This
module only composes the three rule modules (``stage1``, ``stage2``, ``redress``) into the
published figures: one row per district, school and provider, the total allocated and the
trace of every figure. Money flows: the district allocations (which add up to
``AP budget - Centrally retained``) go to schools (devolved), to Lead PRUs (delegated and
redress sent to them), or, where an Error stops them, nowhere (``not_distributed``);
redress with nowhere to go stays with the LA centrally.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from apmodel.domain.findings import Findings
from apmodel.domain.inputs import FundingModel, ModelInputs
from apmodel.domain.money import ZERO, money
from apmodel.domain.redress import apply_redress
from apmodel.domain.stage1 import allocate_districts
from apmodel.domain.stage2 import allocate_within_districts
from apmodel.domain.trace import TraceLine, fmt_money

#: Change % is published as a fraction to four places (0.0123 = 1.23%).
CHANGE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class DistrictAllocation:
    name: str
    area: str
    model: FundingModel
    #: District factor name -> the district's value (a count).
    factor_values: dict[str, Decimal]
    #: District factor name -> the district's amount.
    factor_amounts: dict[str, Decimal]
    lump_sum: Decimal
    formula_amount: Decimal
    unprotected: Decimal
    protection_adjustment: Decimal
    final_allocation: Decimal
    devolved_amount: Decimal
    delegated_amount: Decimal
    #: Stage 2's common unit-rate scaling in this district (None when not used).
    unit_rate_scaling: Decimal | None
    previous: Decimal | None
    change: Decimal | None
    #: As a fraction; None without a (non-zero) previous allocation.
    change_pct: Decimal | None
    #: Money of this district that reached no school or provider because of an Error.
    not_distributed: Decimal


@dataclass(frozen=True)
class SchoolAllocation:
    urn: int
    name: str
    district: str
    model: FundingModel
    #: School factor name -> the school's amount.
    factor_amounts: dict[str, Decimal]
    base_devolved: Decimal
    redress_withheld: Decimal
    redress_received: Decimal
    final_devolved: Decimal


@dataclass(frozen=True)
class ProviderAllocation:
    provider_id: str
    name: str
    district: str
    places: int
    place_funding: Decimal
    #: Delegated allocation - place funding (redress received included).
    top_up: Decimal
    redress_received: Decimal
    #: Place funding + top-up: the stage 2 delegated money plus redress received.
    delegated_allocation: Decimal


@dataclass(frozen=True)
class AllocationResult:
    budget: Decimal
    centrally_retained: Decimal
    #: The stage 1 pot: budget - centrally retained - lump sums.
    pot: Decimal
    district_factor_names: tuple[str, ...]
    school_factor_names: tuple[str, ...]
    districts: tuple[DistrictAllocation, ...]
    schools: tuple[SchoolAllocation, ...]
    providers: tuple[ProviderAllocation, ...]
    #: The sum of the districts' final allocations (should be budget - centrally retained).
    total_allocated: Decimal
    #: Redress with no school or Lead PRU to go to, kept by the LA.
    redress_retained_centrally: Decimal
    trace: tuple[TraceLine, ...]

    @property
    def total_to_schools(self) -> Decimal:
        return sum((s.final_devolved for s in self.schools), ZERO)

    @property
    def total_to_providers(self) -> Decimal:
        return sum((p.delegated_allocation for p in self.providers), ZERO)

    @property
    def total_not_distributed(self) -> Decimal:
        return sum((d.not_distributed for d in self.districts), ZERO)


def allocate(inputs: ModelInputs, findings: Findings) -> AllocationResult:
    """Stage 1 -> stage 2 -> redress. ``inputs.settings`` must be present (the caller checks)."""
    settings = inputs.settings
    if settings is None:
        raise ValueError("allocate() needs Settings; the caller reports missing Settings as an Error")
    stage1 = allocate_districts(settings, inputs, findings)
    stage2 = allocate_within_districts(settings, inputs, stage1, findings)
    redress = apply_redress(settings, inputs.redress_rules, stage2, findings)
    trace: list[TraceLine] = [*stage1.trace, *stage2.trace, *redress.trace]

    schools: list[SchoolAllocation] = []
    for row in stage2.schools:
        withheld = redress.withheld.get(row.school.urn, ZERO)
        received = redress.received.get(row.school.urn, ZERO)
        final = row.base_devolved - withheld + received
        if row.base_devolved or withheld or received:
            trace.append(
                TraceLine(
                    "Final devolved allocation",
                    "sum of school factor amounts - redress withheld + redress received",
                    f"devolved = {fmt_money(row.base_devolved)}; withheld = {fmt_money(withheld)}; "
                    f"received = {fmt_money(received)}",
                    final,
                    urn=row.school.urn,
                    school=row.school.name,
                    district=row.school.district,
                )
            )
        schools.append(
            SchoolAllocation(
                urn=row.school.urn,
                name=row.school.name,
                district=row.district.name,
                model=row.district.funding_model,
                factor_amounts=row.factor_amounts,
                base_devolved=row.base_devolved,
                redress_withheld=withheld,
                redress_received=received,
                final_devolved=final,
            )
        )

    providers: list[ProviderAllocation] = []
    for p in stage2.providers:
        received = redress.provider_received.get(p.provider.provider_id, ZERO)
        total = p.delegated + received
        top_up = total - p.place_funding
        if p.lead_for:
            trace.append(
                TraceLine(
                    "Top-up",
                    "delegated allocation + redress received - place funding",
                    f"delegated = {fmt_money(p.delegated)} (from {', '.join(p.lead_for)}); "
                    f"redress received = {fmt_money(received)}; place funding = {fmt_money(p.place_funding)}",
                    top_up,
                    provider=f"{p.provider.provider_id} {p.provider.name}",
                )
            )
        providers.append(
            ProviderAllocation(
                provider_id=p.provider.provider_id,
                name=p.provider.name,
                district=p.provider.district or ", ".join(p.lead_for),
                places=p.places,
                place_funding=p.place_funding,
                top_up=top_up,
                redress_received=received,
                delegated_allocation=total,
            )
        )

    districts: list[DistrictAllocation] = []
    for s1, s2 in zip(stage1.districts, stage2.districts, strict=True):
        previous = None if s1.district.previous_allocation is None else money(s1.district.previous_allocation)
        change = None if previous is None else s1.final_allocation - previous
        change_pct = None
        if previous and change is not None:
            change_pct = (change / previous).quantize(CHANGE_PLACES)
        districts.append(
            DistrictAllocation(
                name=s1.district.name,
                area=s1.district.area,
                model=s1.district.funding_model,
                factor_values=s1.factor_values,
                factor_amounts=s1.factor_amounts,
                lump_sum=s1.lump_sum,
                formula_amount=s1.formula_amount,
                unprotected=s1.unprotected,
                protection_adjustment=s1.protection_adjustment,
                final_allocation=s1.final_allocation,
                devolved_amount=s2.devolved,
                delegated_amount=s2.delegated,
                unit_rate_scaling=s2.unit_rate_scaling,
                previous=previous,
                change=change,
                change_pct=change_pct,
                not_distributed=s2.devolved_not_distributed + s2.delegated_not_distributed,
            )
        )

    return AllocationResult(
        budget=money(settings.ap_budget),
        centrally_retained=money(settings.centrally_retained),
        pot=stage1.pot,
        district_factor_names=tuple(f.factor for f in inputs.district_factors),
        school_factor_names=stage2.factor_names,
        districts=tuple(districts),
        schools=tuple(schools),
        providers=tuple(providers),
        total_allocated=stage1.total_allocated,
        redress_retained_centrally=redress.total_retained_centrally,
        trace=tuple(trace),
    )
