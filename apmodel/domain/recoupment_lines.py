"""One line of the ``Recoupment`` table: a charge to, or a credit for, one school.

Contract: docs/forum-workbook.md ("Recoupment") and docs/funding-rules.md ("Recoupment 1",
"Recoupment 2", "Limits on charging"). Signs: a charge to a school is positive and a
credit to a school (admitting credit, reinstatement repayment) negative. Every line carries
its legal basis, so the model never shows a charge without one: ``Statutory (reg 39)``,
``Local agreement`` or ``Not recoverable``. Only lines with status ``Recoverable`` are
settled (budget adjustments, invoices, credit notes).

The statutory adjustment (``exclusions``) and placement charges (``charges``) both build
these lines; ``recoupment`` puts them together and ``settlement`` settles them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from apmodel.domain.inputs import ModelInputs, PupilRate, School, SchoolType, normalise
from apmodel.domain.trace import TraceLine


class LineType(StrEnum):
    EXCLUSION_ADJUSTMENT = "Exclusion adjustment"
    PUPIL_PREMIUM = "Pupil premium"
    ADMITTING_CREDIT = "Admitting credit"
    REINSTATEMENT_REPAYMENT = "Reinstatement repayment"
    PLACEMENT_CHARGE = "Placement charge"


class LegalBasis(StrEnum):
    STATUTORY = "Statutory (reg 39)"
    LOCAL_AGREEMENT = "Local agreement"
    NOT_RECOVERABLE = "Not recoverable"
    #: A credit the LA pays from the AP budget by its own choice, nothing having been recovered for it.
    LA_FUNDED = "LA funded (AP budget)"


class SettlementKind(StrEnum):
    """How a line is settled: the kind of document it ends up on."""

    BUDGET_ADJUSTMENT = "Budget adjustment"
    INVOICE = "Invoice"
    #: Lines that are not settled (not recoverable, out of year or blocked by an Error).
    NONE = "None"


class LineStatus(StrEnum):
    RECOVERABLE = "Recoverable"
    NOT_RECOVERABLE = "Not recoverable"
    #: The dates fall outside the financial year: shown with amount 0.00, never settled.
    OUT_OF_YEAR = "Out of year"
    #: Computed, but an Error on its input row holds it back from settlement.
    BLOCKED = "Blocked"


class Workings(NamedTuple):
    """What a line's sum was worked from, beyond its letters (blank where it does not apply)."""

    #: The first and last day counted: school days of a placement's term; from the relevant,
    #: admission or reinstatement date to the end of the period for an exclusion's lines.
    start: date | None = None
    end: date | None = None
    #: A placement's provider, by name.
    provider: str = ""
    #: A placement's charge basis (``Daily``, ``Weekly``, ``Percent of AWPU``).
    basis: str = ""
    days_per_week: Decimal | None = None
    #: Weekly: the complete or part weeks of school days charged.
    weeks: int | None = None
    #: Percent of AWPU: the rate as a fraction (50% is 0.5).
    share: Decimal | None = None
    basic_entitlement: Decimal | None = None
    #: Percent of AWPU: school days in the year.
    year_days: int | None = None
    #: Where A (or the pupil premium) comes from, in words.
    source: str = ""
    #: B counted to the school year end at a change of phase.
    phase_change: bool = False


class RecoupmentLine(NamedTuple):
    """A row of ``Recoupment``. ``a`` to ``f`` are the regulation's letters (blank where unused).

    A NamedTuple rather than a frozen dataclass: as immutable, and a run builds one per
    placement per term, where a frozen dataclass's field-by-field ``__init__`` costs several
    times as much. A changed copy is ``line._replace(...)``.
    """

    #: Stable and deterministic: ``<Exclusion ID>/A``, ``<Placement ID>/<term>``.
    line_id: str
    urn: int
    school: str
    type: LineType
    legal_basis: LegalBasis
    settlement: SettlementKind
    pupil_ref: str
    #: The Exclusion ID or Placement ID the line comes from.
    source_id: str
    #: The billing period (term name); blank for lines outside the year.
    period: str
    a: Decimal | None = None
    b: int | None = None
    c: Decimal | None = None
    d: Decimal | None = None
    e: int | None = None
    f: int | None = None
    rate: Decimal | None = None
    days: int | None = None
    tier: int | None = None
    #: Rounded to the penny; positive is a charge to the school, negative a credit.
    amount: Decimal = Decimal("0.00")
    status: LineStatus = LineStatus.RECOVERABLE
    #: What the sum was worked from beyond the letters, for the school's pack (reports.workings).
    workings: Workings | None = None

    @property
    def settled(self) -> bool:
        return self.status is LineStatus.RECOVERABLE


@dataclass(frozen=True)
class LineResult:
    """The lines one rule family built, in order, each with its TraceLine."""

    lines: list[RecoupmentLine] = field(default_factory=list)
    trace: list[TraceLine] = field(default_factory=list)

    def add(self, line: RecoupmentLine, formula: str, inputs: str) -> None:
        """Append ``line`` and its TraceLine (Figure: the line's type; Entity: its ID and URN)."""
        self.lines.append(line)
        self.trace.append(
            TraceLine(
                str(line.type), formula, inputs, line.amount, urn=line.urn, school=line.school, line_id=line.line_id
            )
        )


class Lookups(NamedTuple):
    """The rows both rule families look up, keyed once per run (``lookups``)."""

    #: URN -> school.
    schools: dict[int, School]
    #: Normalised key stage -> its PupilRates row.
    rates: dict[str, PupilRate]


def lookups(inputs: ModelInputs) -> Lookups:
    return Lookups(
        {school.urn: school for school in inputs.schools},
        {normalise(rate.key_stage): rate for rate in inputs.pupil_rates},
    )


def settlement_kind(school: School) -> SettlementKind:
    """Maintained schools settle by budget adjustment, academies by invoice to the trust."""
    return SettlementKind.BUDGET_ADJUSTMENT if school.type is SchoolType.MAINTAINED else SettlementKind.INVOICE


#: Phases the statutory adjustment never applies to (docs/funding-rules.md, "Recoupment 1").
NOT_MAINSTREAM_PHASES = frozenset({"special", "pru"})


def is_mainstream(school: School) -> bool:
    return school.phase.strip().casefold() not in NOT_MAINSTREAM_PHASES


#: The year groups a school of each phase teaches (Reception is 0; sixth forms to 13). Special
#: schools and PRUs take any age, so they have no range here.
PHASE_YEAR_GROUPS: dict[str, range] = {
    "primary": range(0, 7),
    "secondary": range(7, 14),
    "all-through": range(0, 14),
}


def year_group_outside_school(school: School, year_group: int | None) -> range | None:
    """The school's year groups when ``year_group`` is not among them, else None."""
    taught = PHASE_YEAR_GROUPS.get(school.phase.strip().casefold())
    if taught is None or year_group is None or year_group in taught:
        return None
    return taught
