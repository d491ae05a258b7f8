"""Stage 2: inside each district, by its Funding Model.

Rule (docs/funding-rules.md, "Stage 2: inside each district"):

- **Delegated**: the whole district allocation goes to the district's ``Lead PRU`` (a
  Provider ID). The provider's budget is shown as place funding
  (``Commissioned Places x Place funding rate``) plus the remainder as top-up; an allocation
  below the place funding is an Error (PLACE_FUNDING_ABOVE_ALLOCATION).
- **Devolved**: the allocation is shared between the district's schools by ``SchoolFactors``:

  - ``Weight`` factors: the factor's share of the pot (Value as a fraction x pot) is shared
    pro rata to the schools' column values (only schools of the factor's Phase, if any);
  - ``Unit Rate`` factors: each school earns column value x rate, and all the unit-rate
    amounts of the district are scaled by ONE common factor so that together they fill what
    the Weight factors leave: ``scaling = pot x (1 - sum of weights) / sum of value x rate``.
    This is how Kent's published 2019-20 AP budgets work (county unit rates of about 69.31
    per pupil, 488.20 per IDACI pupil, 751.74 per looked-after child and 479.70 per EAL
    pupil, each multiplied by the district's scaling).

- **Hybrid**: ``Devolved Share`` of the allocation (rounded to the penny) is devolved as
  above and the remainder is delegated to the Lead PRU.

Money: the district pot is first split between the Weight factors and the unit-rate
remainder, then each part between the schools (ordered by URN), every split with
``money.share_pot``, so the schools of a district add up to its devolved pot to the penny.
Unit-rate amounts are shared as one pot over every (school, factor) pair, so the pennies
go by largest remainder across the district.

Errors, each computed around rather than stopping: Weight values above 100% (used as typed;
the unit-rate factors then get nothing), only Weight factors not adding up to 100% (used as
typed), a factor whose column totals zero in a district (its share cannot be given to any
school), a devolved district with no schools (NO_ELIGIBLE_SCHOOLS), a delegated district
with no or an unknown Lead PRU. Money that cannot reach a school or provider stays in the
district allocation and shows as not distributed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from apmodel.domain.findings import Findings
from apmodel.domain.inputs import (
    District,
    FundingModel,
    Method,
    ModelInputs,
    Provider,
    School,
    SchoolFactor,
    Settings,
    normalise,
)
from apmodel.domain.money import WIDE, ZERO, money, share_pot, share_weights
from apmodel.domain.stage1 import Stage1Result, district_key, phase_matches
from apmodel.domain.trace import TraceLine, TraceUnit, fmt_money, fmt_number, fmt_percent

#: Decimal places of the unit-rate scaling as published in the trace (the amounts use it unrounded).
SCALING_PLACES = Decimal("0.0000000001")


@dataclass(frozen=True)
class SchoolStage2:
    school: School
    district: District
    #: School factor name -> the school's amount (zero outside devolved districts).
    factor_amounts: dict[str, Decimal]
    base_devolved: Decimal


@dataclass(frozen=True)
class DistrictStage2:
    district: District
    allocation: Decimal
    devolved: Decimal
    delegated: Decimal
    #: The district's Lead PRU when it names a known provider.
    lead_pru: Provider | None
    #: The common unit-rate scaling factor (None when no unit-rate amounts were scaled).
    unit_rate_scaling: Decimal | None
    #: Devolved money that reached no school (a factor totalling zero, no schools).
    devolved_not_distributed: Decimal
    #: Delegated money that reached no provider (no or an unknown Lead PRU).
    delegated_not_distributed: Decimal


@dataclass(frozen=True)
class ProviderStage2:
    provider: Provider
    #: Districts whose Lead PRU this provider is, in Districts table order.
    lead_for: tuple[str, ...]
    places: int
    place_funding: Decimal
    #: The delegated allocation before redress.
    delegated: Decimal


@dataclass(frozen=True)
class Stage2Result:
    districts: tuple[DistrictStage2, ...]
    #: Every school of a known district, by district (table order) then URN.
    schools: tuple[SchoolStage2, ...]
    providers: tuple[ProviderStage2, ...]
    factor_names: tuple[str, ...]
    trace: tuple[TraceLine, ...]


@dataclass(frozen=True)
class DevolvedShares:
    """The split of one district's devolved pot between its schools."""

    #: URN -> factor name -> amount, for every school given (zero where it earns nothing).
    amounts: dict[int, dict[str, Decimal]]
    unit_rate_scaling: Decimal | None
    not_distributed: Decimal


def school_label(school: School) -> str:
    return f"URN {school.urn} {school.name}"


def providers_by_id(providers: Sequence[Provider]) -> dict[str, Provider]:
    """Providers by normalised ID; the first row wins (duplicates are the parse layer's Error)."""
    found: dict[str, Provider] = {}
    for provider in providers:
        found.setdefault(normalise(provider.provider_id), provider)
    return found


def check_school_factors(factors: Sequence[SchoolFactor], findings: Findings) -> None:
    """Table-wide checks of SchoolFactors, made once when some district devolves funding."""
    if not factors:
        findings.error(
            "NO_SCHOOL_FACTORS",
            "SchoolFactors",
            None,
            None,
            "",
            "Some districts devolve funding to schools but there are no school factors, so no school "
            "can be given any of it.",
        )
        return
    weights = sum((f.value for f in factors if f.method is Method.WEIGHT), Decimal(0))
    has_unit_rates = any(f.method is Method.UNIT_RATE for f in factors)
    if weights > 1:
        findings.error(
            "WEIGHTS_ABOVE_100",
            "SchoolFactors",
            None,
            "Value",
            fmt_percent(weights),
            f"The Weight factors add up to {fmt_percent(weights)}, more than the whole district pot. They are "
            "used as typed, so the schools are given more than the devolved pot"
            + (" and the Unit Rate factors get nothing." if has_unit_rates else "."),
        )
    elif not has_unit_rates and weights != 1:
        findings.error(
            "WEIGHTS_NOT_100",
            "SchoolFactors",
            None,
            "Value",
            fmt_percent(weights),
            f"The Weight factors add up to {fmt_percent(weights)}, not 100%, and there is no Unit Rate factor "
            "to take the rest. They are used as typed, so the schools' shares do not add up to the devolved pot.",
        )
    elif has_unit_rates and weights == 1:
        findings.warning(
            "UNIT_RATES_GET_NOTHING",
            "SchoolFactors",
            None,
            "Value",
            fmt_percent(weights),
            "The Weight factors take the whole district pot, so the Unit Rate factors get nothing.",
        )


def share_devolved_pot(
    pot: Decimal,
    district: District,
    schools: Sequence[School],
    factors: Sequence[SchoolFactor],
    findings: Findings,
    trace: list[TraceLine],
) -> DevolvedShares:
    """Share one district's devolved pot between its schools (ordered by URN) by the school factors."""
    schools = sorted(schools, key=lambda s: s.urn)
    amounts = {s.urn: {f.factor: ZERO for f in factors} for s in schools}
    weight_factors = [f for f in factors if f.method is Method.WEIGHT]
    rate_factors = [f for f in factors if f.method is Method.UNIT_RATE]
    weights = [f.value for f in weight_factors]
    total_weight = sum(weights, Decimal(0))
    if rate_factors and total_weight < 1:
        *weight_parts, rate_pot = share_pot(pot, [*weights, 1 - total_weight])
    else:
        weight_parts = share_weights(pot, weights)
        rate_pot = ZERO
    not_distributed = ZERO

    for factor, part in zip(weight_factors, weight_parts, strict=True):
        values = [s.value(factor.source_column) if phase_matches(s, factor.phase) else Decimal(0) for s in schools]
        total = sum(values, Decimal(0))
        trace.append(
            TraceLine(
                "School factor pot",
                "weight x district devolved pot (pennies by largest remainder)",
                f"weight = {fmt_percent(factor.value)}; devolved pot = {fmt_money(pot)}",
                part,
                district=district.name,
                subject=factor.factor,
            )
        )
        if total == 0:
            if part != 0:
                findings.error(
                    "FACTOR_TOTAL_ZERO",
                    "SchoolFactors",
                    factor.row,
                    "Source Column",
                    factor.source_column,
                    f"Factor {factor.factor!r}: {_column_label(factor)} totals zero over the schools of "
                    f"{district.name}, so its share of that district's pot ({fmt_money(part)}) cannot be given "
                    "to any school.",
                )
                not_distributed += part
            continue
        for school, value, share in zip(schools, values, share_pot(part, values), strict=True):
            amounts[school.urn][factor.factor] = share
            trace.append(
                TraceLine(
                    "School factor amount",
                    "factor pot x school value / district total value (pennies by largest remainder)",
                    f"factor pot = {fmt_money(part)}; value = {fmt_number(value)}; "
                    f"district total = {fmt_number(total)}",
                    share,
                    urn=school.urn,
                    school=school.name,
                    district=school.district,
                    subject=factor.factor,
                )
            )

    scaling: Decimal | None = None
    if rate_factors and rate_pot != 0:
        pairs = [(s, f) for s in schools for f in rate_factors]
        with localcontext(WIDE):
            earned = [s.value(f.source_column) * f.value if phase_matches(s, f.phase) else Decimal(0) for s, f in pairs]
            earned_total = sum(earned, Decimal(0))
            if earned_total != 0:
                scaling = rate_pot / earned_total
        if scaling is None:
            findings.error(
                "FACTOR_TOTAL_ZERO",
                "SchoolFactors",
                rate_factors[0].row,
                "Source Column",
                ", ".join(f.source_column for f in rate_factors),
                f"The Unit Rate factors earn nothing in {district.name} (every value x rate is zero), so the "
                f"unit-rate part of its pot ({fmt_money(rate_pot)}) cannot be given to any school.",
            )
            not_distributed += rate_pot
        else:
            shown_scaling = scaling.quantize(SCALING_PLACES)
            trace.append(
                TraceLine(
                    "Unit-rate scaling",
                    "devolved pot x (1 - sum of Weight factors) / sum over schools and factors of value x unit rate",
                    f"unit-rate pot = {fmt_money(rate_pot)}; sum of value x rate = {fmt_number(earned_total)}",
                    shown_scaling,
                    district=district.name,
                    unit=TraceUnit.RATE,
                )
            )
            for (school, factor), raw, share in zip(pairs, earned, share_pot(rate_pot, earned), strict=True):
                amounts[school.urn][factor.factor] = share
                if raw == 0:
                    continue
                trace.append(
                    TraceLine(
                        "School factor amount",
                        "value x unit rate x district scaling (pennies by largest remainder)",
                        f"value = {fmt_number(school.value(factor.source_column))}; "
                        f"rate = {fmt_money(factor.value)}; scaling = {fmt_number(shown_scaling)}",
                        share,
                        urn=school.urn,
                        school=school.name,
                        district=school.district,
                        subject=factor.factor,
                    )
                )
    return DevolvedShares(amounts, scaling, not_distributed)


def _column_label(factor: SchoolFactor) -> str:
    return f"{factor.source_column} ({factor.phase} schools only)" if factor.phase else factor.source_column


def allocate_within_districts(
    settings: Settings, inputs: ModelInputs, stage1: Stage1Result, findings: Findings
) -> Stage2Result:
    """Stage 2 for every district: devolved shares to schools and delegated funding to Lead PRUs."""
    trace: list[TraceLine] = []
    providers = providers_by_id(inputs.providers)
    factors = list(inputs.school_factors)
    factor_names = tuple(f.factor for f in factors)
    devolving = [d for d in stage1.districts if d.district.funding_model is not FundingModel.DELEGATED]
    if devolving:
        check_school_factors(factors, findings)

    district_rows: list[DistrictStage2] = []
    school_rows: list[SchoolStage2] = []
    delegated_to: dict[str, Decimal] = {}
    lead_for: dict[str, list[str]] = {}
    for row in stage1.districts:
        district = row.district
        allocation = row.final_allocation
        devolved, delegated = _split(district, allocation, findings, trace)
        lead = _lead_pru(district, delegated, providers, findings)
        delegated_missing = ZERO
        if lead is not None:
            key = normalise(lead.provider_id)
            delegated_to[key] = delegated_to.get(key, ZERO) + delegated
            if district.funding_model is not FundingModel.DEVOLVED:
                lead_for.setdefault(key, []).append(district.name)
                trace.append(
                    TraceLine(
                        "Delegated to Lead PRU",
                        "district allocation - devolved amount",
                        f"allocation = {fmt_money(allocation)}; devolved = {fmt_money(devolved)}",
                        delegated,
                        district=district.name,
                        provider=f"{lead.provider_id} {lead.name}",
                    )
                )
        else:
            delegated_missing = delegated

        schools = stage1.schools_by_district[district_key(district.name)]
        shares = DevolvedShares({s.urn: {name: ZERO for name in factor_names} for s in schools}, None, ZERO)
        if district.funding_model is not FundingModel.DELEGATED:
            if not schools:
                findings.error(
                    "NO_ELIGIBLE_SCHOOLS",
                    "Districts",
                    district.row,
                    "District",
                    district.name,
                    f"District {district.name} devolves {fmt_money(devolved)} to schools but has no schools "
                    "in the Schools table, so that money cannot be given to any school.",
                )
                shares = DevolvedShares({}, None, devolved)
            else:
                shares = share_devolved_pot(devolved, district, schools, factors, findings, trace)
        for school in schools:
            amounts = shares.amounts[school.urn]
            base = sum(amounts.values(), ZERO)
            school_rows.append(SchoolStage2(school, district, amounts, base))
        district_rows.append(
            DistrictStage2(
                district=district,
                allocation=allocation,
                devolved=devolved,
                delegated=delegated,
                lead_pru=lead,
                unit_rate_scaling=shares.unit_rate_scaling,
                devolved_not_distributed=shares.not_distributed,
                delegated_not_distributed=delegated_missing,
            )
        )

    provider_rows = [_provider_funding(p, lead_for, delegated_to, settings, findings, trace) for p in inputs.providers]
    return Stage2Result(tuple(district_rows), tuple(school_rows), tuple(provider_rows), factor_names, tuple(trace))


def _split(
    district: District, allocation: Decimal, findings: Findings, trace: list[TraceLine]
) -> tuple[Decimal, Decimal]:
    """(devolved, delegated) parts of a district allocation, by its Funding Model."""
    if district.funding_model is FundingModel.DELEGATED:
        return ZERO, allocation
    if district.funding_model is FundingModel.DEVOLVED:
        return allocation, ZERO
    share = district.devolved_share
    if share is None:
        findings.error(
            "REQUIRED_VALUE",
            "Districts",
            district.row,
            "Devolved Share",
            "",
            f"Hybrid district {district.name} has no Devolved Share; 50% is assumed.",
        )
        share = Decimal("0.5")
    with localcontext(WIDE):
        devolved = money(allocation * share)
    trace.append(
        TraceLine(
            "Devolved amount",
            "district allocation x Devolved Share (to the penny); the rest is delegated",
            f"allocation = {fmt_money(allocation)}; Devolved Share = {fmt_percent(share)}",
            devolved,
            district=district.name,
        )
    )
    return devolved, allocation - devolved


def _lead_pru(
    district: District, delegated: Decimal, providers: dict[str, Provider], findings: Findings
) -> Provider | None:
    """The district's Lead PRU; an Error when funding is delegated and there is none to receive it."""
    needs_lead = district.funding_model is FundingModel.DELEGATED or delegated != 0
    if district.lead_pru is None:
        if needs_lead:
            findings.error(
                "NO_LEAD_PRU",
                "Districts",
                district.row,
                "Lead PRU",
                "",
                f"District {district.name} delegates {fmt_money(delegated)} but names no Lead PRU, so that money "
                "is not given to any provider.",
            )
        return None
    lead = providers.get(normalise(district.lead_pru))
    if lead is None:
        findings.error(
            "UNKNOWN_LEAD_PRU",
            "Districts",
            district.row,
            "Lead PRU",
            district.lead_pru,
            f"District {district.name}'s Lead PRU {district.lead_pru!r} is not a Provider ID in the Providers "
            "table"
            + (f", so the {fmt_money(delegated)} delegated is not given to any provider." if needs_lead else "."),
        )
    return lead


def _provider_funding(
    provider: Provider,
    lead_for: dict[str, list[str]],
    delegated_to: dict[str, Decimal],
    settings: Settings,
    findings: Findings,
    trace: list[TraceLine],
) -> ProviderStage2:
    key = normalise(provider.provider_id)
    districts = tuple(lead_for.get(key, ()))
    delegated = delegated_to.get(key, ZERO)
    if not districts:
        if provider.commissioned_places > 0:
            findings.info(
                "PROVIDER_NOT_LEAD_PRU",
                "Providers",
                provider.row,
                "Commissioned Places",
                provider.commissioned_places,
                f"{provider.provider_id} {provider.name} has commissioned places but is no delegating district's "
                "Lead PRU, so no place funding is allocated to it here.",
            )
        return ProviderStage2(provider, districts, provider.commissioned_places, ZERO, delegated)
    with localcontext(WIDE):
        place_funding = money(provider.commissioned_places * settings.place_funding_rate)
    trace.append(
        TraceLine(
            "Place funding",
            "Commissioned Places x Place funding rate",
            f"places = {provider.commissioned_places}; rate = {fmt_money(settings.place_funding_rate)}",
            place_funding,
            provider=f"{provider.provider_id} {provider.name}",
        )
    )
    if delegated < place_funding:
        findings.error(
            "PLACE_FUNDING_ABOVE_ALLOCATION",
            "Providers",
            provider.row,
            "Commissioned Places",
            provider.commissioned_places,
            f"{provider.provider_id} {provider.name} is delegated {fmt_money(delegated)} (from "
            f"{', '.join(districts)}) but its {provider.commissioned_places} places cost {fmt_money(place_funding)} "
            "at the place funding rate, so its top-up is negative.",
        )
    return ProviderStage2(provider, districts, provider.commissioned_places, place_funding, delegated)
