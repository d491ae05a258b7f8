"""Small ModelInputs for the recoupment and settlement rule tests, built directly (no workbook).

The calendar of FY 2025-26 used throughout (hand-counted weekdays):

- Summer 2025, Tue 22 Apr to Tue 22 Jul 2025: Apr 7 + May 22 + Jun 21 + Jul 16 = 66 school days;
- Autumn 2025, Wed 3 Sep to Fri 19 Dec 2025: Sep 20 + Oct 23 + Nov 20 + Dec 15 = 78 weekdays,
  less the half term Mon 27 to Fri 31 Oct (5) = 73 school days;
- Spring 2026, Mon 5 Jan to Tue 31 Mar 2026: Jan 20 + Feb 20 + Mar 22 = 62 weekdays, less the
  half term Mon 16 to Fri 20 Feb (5) = 57 school days;
- the year: 66 + 73 + 57 = 196 school days.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count
from typing import Any

from apmodel.domain.findings import Findings
from apmodel.domain.inputs import (
    ChargeBasis,
    ClosureDay,
    Exclusion,
    FinancialYear,
    ModelInputs,
    Placement,
    Provider,
    PupilRate,
    Reason,
    RegisterEntry,
    School,
    SchoolType,
    Settings,
    Term,
)

_rows = count(2)

#: Two maintained secondaries, an academy with an agreement, one without, a special school.
MAINTAINED = 100001
MAINTAINED_2 = 100002
ACADEMY = 100003
ACADEMY_NO_AGREEMENT = 100004
SPECIAL = 100005

TODAY = date(2025, 12, 1)


def D(text: str | int) -> Decimal:
    return Decimal(str(text))


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "la_name": "Testshire",
        "financial_year": FinancialYear(start_year=2025),
        "ap_budget": D(1_000_000),
        "school_year_end": date(2025, 7, 31),
    }
    values.update(overrides)
    return Settings(**values)


def school(
    urn: int,
    name: str,
    *,
    type: SchoolType = SchoolType.MAINTAINED,
    phase: str = "Secondary",
    agreement: bool = True,
    trust: str = "",
) -> School:
    return School(
        row=next(_rows),
        urn=urn,
        name=name,
        district="North",
        phase=phase,
        type=type,
        trust=trust,
        ap_agreement=agreement,
    )


def schools() -> tuple[School, ...]:
    return (
        school(MAINTAINED, "Alder Secondary"),
        school(MAINTAINED_2, "Birch High"),
        school(ACADEMY, "Cedar Academy", type=SchoolType.ACADEMY, trust="Oak Trust"),
        school(ACADEMY_NO_AGREEMENT, "Damson Academy", type=SchoolType.ACADEMY, trust="Elm Trust", agreement=False),
        school(SPECIAL, "Elder Special", phase="Special"),
    )


def pupil_rates() -> tuple[PupilRate, ...]:
    return (
        PupilRate(row=2, key_stage="KS2", basic_entitlement=D(3800), pupil_premium=D(1480)),
        PupilRate(
            row=3,
            key_stage="KS3",
            basic_entitlement=D(5000),
            fsm6=D(500),
            idaci=D(300),
            eal=D(200),
            lpa=D(100),
            pupil_premium=D(1050),
        ),
        PupilRate(row=4, key_stage="KS4", basic_entitlement=D(6000), fsm6=D(600), pupil_premium=D(1050)),
    )


def terms() -> tuple[Term, ...]:
    return (
        Term(row=2, name="Summer 2025", start=date(2025, 4, 22), end=date(2025, 7, 22)),
        Term(row=3, name="Autumn 2025", start=date(2025, 9, 3), end=date(2025, 12, 19)),
        Term(row=4, name="Spring 2026", start=date(2026, 1, 5), end=date(2026, 3, 31)),
    )


def closures() -> tuple[ClosureDay, ...]:
    return (
        ClosureDay(row=2, start=date(2025, 10, 27), end=date(2025, 10, 31), reason="Half term"),
        ClosureDay(row=3, start=date(2026, 2, 16), end=date(2026, 2, 20), reason="Half term"),
    )


def provider(provider_id: str = "PRU-1", **fields: Any) -> Provider:
    values: dict[str, Any] = {
        "row": next(_rows),
        "provider_id": provider_id,
        "name": f"{provider_id} provider",
        "type": "PRU",
        "charge_basis": ChargeBasis.DAILY,
        "charge_rate": D(60),
    }
    values.update(fields)
    return Provider(**values)


def exclusion(exclusion_id: str = "EX-0001", **fields: Any) -> Exclusion:
    values: dict[str, Any] = {
        "row": next(_rows),
        "exclusion_id": exclusion_id,
        "pupil_ref": f"P-{exclusion_id}",
        "excluding_urn": MAINTAINED,
        "exclusion_date": date(2025, 10, 13),
        "relevant_date": date(2025, 11, 3),
        "year_group": 9,
        "pupil_led_amount": D(5500),
    }
    values.update(fields)
    return Exclusion(**values)


def placement(placement_id: str = "PL-1", **fields: Any) -> Placement:
    values: dict[str, Any] = {
        "row": next(_rows),
        "placement_id": placement_id,
        "pupil_ref": f"P-{placement_id}",
        "home_urn": MAINTAINED,
        "provider_id": "PRU-1",
        "tier": 2,
        "registration": "Dual",
        "reason": Reason.AT_RISK,
        "start": date(2025, 11, 3),
        "end": date(2025, 11, 21),
        "year_group": 9,
    }
    values.update(fields)
    return Placement(**values)


def entry(number: str, key: str, **fields: Any) -> RegisterEntry:
    values: dict[str, Any] = {"row": next(_rows), "number": number, "key": key, "kind": "Invoice"}
    values.update(fields)
    return RegisterEntry(**values)


def inputs(**fields: Any) -> ModelInputs:
    """A county with the standard schools, rates, terms and closures; override any table."""
    values: dict[str, Any] = {
        "settings": settings(),
        "schools": schools(),
        "providers": (provider(),),
        "pupil_rates": pupil_rates(),
        "terms": terms(),
        "closure_days": closures(),
    }
    values.update(fields)
    return ModelInputs(**values)


def codes(findings: Findings) -> list[str]:
    return [f.code for f in findings.items]


def finding(findings: Findings, code: str) -> Any:
    [found] = [f for f in findings.items if f.code == code]
    return found
