"""Small ModelInputs for the allocation rule tests, built directly (no workbook)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from itertools import count
from typing import Any

from apmodel.domain.findings import Finding, Findings
from apmodel.domain.inputs import (
    DeductionMethod,
    District,
    DistrictFactor,
    FinancialYear,
    FundingModel,
    Method,
    ModelInputs,
    Provider,
    RedressDestination,
    RedressRule,
    School,
    SchoolFactor,
    SchoolType,
    Settings,
    normalise,
)

_rows = count(2)


def D(text: str | int | Decimal) -> Decimal:
    return Decimal(str(text))


def settings(
    budget: str | int | Decimal = 1_000_000,
    retained: str | int | Decimal = 0,
    *,
    floor: str | None = None,
    cap: str | None = None,
    place_rate: str | int = 10_000,
    destination: RedressDestination = RedressDestination.DISTRICT_SCHOOLS,
) -> Settings:
    return Settings(
        la_name="Testshire",
        financial_year=FinancialYear(start_year=2025),
        ap_budget=D(budget),
        centrally_retained=D(retained),
        place_funding_rate=D(place_rate),
        school_year_end=date(2025, 7, 31),
        redress_destination=destination,
        protection_floor=None if floor is None else D(floor),
        protection_cap=None if cap is None else D(cap),
    )


def district(
    name: str,
    model: FundingModel = FundingModel.DEVOLVED,
    *,
    lump: str | int = 0,
    previous: str | int | None = None,
    lead: str | None = None,
    share: str | None = None,
    row: int | None = None,
) -> District:
    return District(
        row=next(_rows) if row is None else row,
        name=name,
        area="",
        funding_model=model,
        devolved_share=None if share is None else D(share),
        lead_pru=lead,
        previous_allocation=None if previous is None else D(previous),
        lump_sum=D(lump),
    )


def school(
    urn: int,
    district_name: str,
    *,
    phase: str = "Secondary",
    row: int | None = None,
    columns: Mapping[str, str | int] | None = None,
    **values: str | int,
) -> School:
    """A school; keyword values become Schools columns (``Pupils=600``, ``IDACI_Pupils=100``)."""
    values = {**values, **(columns or {})}
    return School(
        row=next(_rows) if row is None else row,
        urn=urn,
        name=f"School {urn}",
        district=district_name,
        phase=phase,
        type=SchoolType.MAINTAINED,
        values={normalise(k.replace("_", " ")): D(v) for k, v in values.items()},
    )


def district_factor(
    name: str, column: str, weight: str, phase: str | None = None, row: int | None = None
) -> DistrictFactor:
    return DistrictFactor(
        row=next(_rows) if row is None else row, factor=name, source_column=column, phase=phase, weight=D(weight)
    )


def weight_factor(
    name: str, column: str, weight: str, phase: str | None = None, row: int | None = None
) -> SchoolFactor:
    return SchoolFactor(
        row=next(_rows) if row is None else row,
        factor=name,
        source_column=column,
        method=Method.WEIGHT,
        value=D(weight),
        phase=phase,
    )


def unit_rate(name: str, column: str, rate: str, phase: str | None = None, row: int | None = None) -> SchoolFactor:
    return SchoolFactor(
        row=next(_rows) if row is None else row,
        factor=name,
        source_column=column,
        method=Method.UNIT_RATE,
        value=D(rate),
        phase=phase,
    )


def provider(provider_id: str, places: int = 0, row: int | None = None) -> Provider:
    return Provider(
        row=next(_rows) if row is None else row,
        provider_id=provider_id,
        name=f"{provider_id} PRU",
        commissioned_places=places,
    )


def per_unit_rule(
    rule: str, measure: str, threshold: str, rate: str, per_1000_of: str | None = None, row: int | None = None
) -> RedressRule:
    return RedressRule(
        row=next(_rows) if row is None else row,
        rule=rule,
        measure=measure,
        per_1000_of=per_1000_of,
        threshold=D(threshold),
        method=DeductionMethod.PER_UNIT,
        rate=D(rate),
    )


def percent_rule(
    rule: str, measure: str, threshold: str, rate: str, per_1000_of: str | None = None, row: int | None = None
) -> RedressRule:
    return RedressRule(
        row=next(_rows) if row is None else row,
        rule=rule,
        measure=measure,
        per_1000_of=per_1000_of,
        threshold=D(threshold),
        method=DeductionMethod.PERCENT,
        rate=D(rate),
    )


def inputs(
    the_settings: Settings,
    districts: Sequence[District],
    schools: Sequence[School] = (),
    district_factors: Sequence[DistrictFactor] = (),
    school_factors: Sequence[SchoolFactor] = (),
    providers: Sequence[Provider] = (),
    redress_rules: Sequence[RedressRule] = (),
) -> ModelInputs:
    return ModelInputs(
        settings=the_settings,
        districts=tuple(districts),
        schools=tuple(schools),
        district_factors=tuple(district_factors),
        school_factors=tuple(school_factors),
        providers=tuple(providers),
        redress_rules=tuple(redress_rules),
    )


def codes(findings: Findings) -> list[str]:
    return [f.code for f in findings.items]


def only(findings: Findings, code: str) -> Finding:
    [found] = [f for f in findings.items if f.code == code]
    return found


def by_key(rows: Sequence[Any], key: str) -> dict[Any, Any]:
    return {getattr(r, key): r for r in rows}
