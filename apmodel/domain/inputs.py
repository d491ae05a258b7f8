"""Validated inputs of the model: one pydantic model per input table row, plus Settings.

These are built by ``apmodel.workbook.parse`` from the workbook's tables after every cell
has been coerced (bad cells become findings, not exceptions). ``extra="forbid"`` on every
model: a misspelled key is a bug to catch, never a value to drop silently. Each row keeps
``row``, its sheet row number, so any later finding can point at the cell.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field

#: Texts already normalised. The same IDs, districts and choices are matched again and again (half a
#: million times at England scale); a plain dict is the cheapest cache to ask, emptied when it is full.
_NORMALISED: dict[str, str] = {}
_NORMALISED_MAX = 1 << 16


def normalise(header: object) -> str:
    """Header text as matched: case, spacing and non-breaking spaces ignored."""
    text = header if type(header) is str else str(header if header is not None else "")
    found = _NORMALISED.get(text)
    if found is None:
        if len(_NORMALISED) >= _NORMALISED_MAX:
            _NORMALISED.clear()
        # str.split() splits on exactly the characters re's \s matches (str.isspace).
        found = _NORMALISED[text] = " ".join(text.split()).casefold()
    return found


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class FundingModel(StrEnum):
    DELEGATED = "Delegated"
    DEVOLVED = "Devolved"
    HYBRID = "Hybrid"


class SchoolType(StrEnum):
    MAINTAINED = "Maintained"
    ACADEMY = "Academy"


class Method(StrEnum):
    WEIGHT = "Weight"
    UNIT_RATE = "Unit Rate"


class DeductionMethod(StrEnum):
    PER_UNIT = "Per unit above threshold"
    PERCENT = "Percent of allocation"


class ChargeBasis(StrEnum):
    DAILY = "Daily"
    WEEKLY = "Weekly"
    PERCENT_AWPU = "Percent of AWPU"
    NONE = "None"


class RedressDestination(StrEnum):
    DISTRICT_SCHOOLS = "District schools"
    LEAD_PRU = "Lead PRU"


class VatTreatment(StrEnum):
    """How a type of recoupment line is treated for VAT on an invoice (as the council's VAT officer advises)."""

    STANDARD = "Standard"
    EXEMPT = "Exempt"
    OUTSIDE_SCOPE = "Outside scope"


class Reason(StrEnum):
    PERMANENT_EXCLUSION = "Permanent exclusion"
    AT_RISK = "At risk of exclusion"
    MEDICAL = "Medical"
    AWAITING_EHCP = "Awaiting EHCP"
    OTHER = "Other"


class FinancialYear(Strict):
    """A funding period: 1 April of ``start_year`` to 31 March of the next year."""

    start_year: int = Field(ge=1990, le=2100)

    # Cached: the model is frozen, and these are read per placement. pydantic leaves cached properties out of
    # the fields, so equality, hashing and model_dump are unchanged (a model_copy(update=...) of start_year would
    # carry stale dates over: nothing does that).
    @cached_property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @cached_property
    def end(self) -> date:
        return date(self.start_year + 1, 3, 31)

    @property
    def label(self) -> str:
        """As typed in Settings and used in invoice numbers: ``2025-26``."""
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


class Settings(Strict):
    la_name: str = "Local Authority"
    financial_year: FinancialYear
    ap_budget: Decimal
    centrally_retained: Decimal = Decimal("0")
    place_funding_rate: Decimal = Decimal("10000")
    #: The end of the school year that falls inside the financial year (default 31 July).
    school_year_end: date
    phase_change_year_groups: tuple[int, ...] = (6, 11)
    recoup_pupil_premium: bool = True
    admitting_school_credit: bool = True
    #: Credit the admitting school when nothing was recovered from the excluding academy (the 2011 wording);
    #: No (default) is the reading of reg 27(3) SEYFR 2018: the credit is statutory only from a maintained school.
    admitting_credit_when_nothing_recovered: bool = False
    redress_destination: RedressDestination = RedressDestination.DISTRICT_SCHOOLS
    #: As fractions: -0.02 for "no district below 98% of its previous allocation".
    protection_floor: Decimal | None = None
    protection_cap: Decimal | None = None
    invoice_prefix: str = "AP"
    payment_terms_days: int = 30
    vat_rate: Decimal = Decimal("0")
    #: The VAT treatment of each type of recoupment line on an invoice (budget adjustments never carry VAT).
    vat_exclusion_adjustment: VatTreatment = VatTreatment.OUTSIDE_SCOPE
    vat_pupil_premium: VatTreatment = VatTreatment.OUTSIDE_SCOPE
    vat_admitting_credit: VatTreatment = VatTreatment.OUTSIDE_SCOPE
    vat_reinstatement_repayment: VatTreatment = VatTreatment.OUTSIDE_SCOPE
    vat_placement_charge: VatTreatment = VatTreatment.OUTSIDE_SCOPE
    contact_name: str = ""
    contact_email: str = ""
    remittance_address: str = ""
    publish_school_totals: bool = False
    #: The DfE's three-digit code of the LA (886 for Kent): which GIAS schools are ours.
    la_code: str = ""
    #: The finance export's codes: the AP budget's own cost centre and the ledger accounts.
    ap_cost_centre: str = ""
    income_account: str = ""
    school_budget_account: str = ""
    vat_code: str = ""
    #: Rollover: next year's budget = this year's x (1 + Uplift), as a fraction.
    uplift: Decimal = Decimal("0")


class District(Strict):
    row: int
    name: str
    area: str = ""
    funding_model: FundingModel
    #: Fraction of the allocation devolved to schools (Hybrid only).
    devolved_share: Decimal | None = None
    lead_pru: str | None = None
    previous_allocation: Decimal | None = None
    lump_sum: Decimal = Decimal("0")


class School(Strict):
    row: int
    urn: int
    name: str
    district: str
    phase: str
    type: SchoolType
    trust: str = ""
    ap_agreement: bool = False
    cost_centre: str = ""
    po_number: str = ""
    #: Numeric columns named by factors and redress rules, keyed by normalised header.
    values: dict[str, Decimal] = Field(default_factory=dict)

    def value(self, column: str) -> Decimal:
        return self.values.get(normalise(column), Decimal("0"))


class DistrictFactor(Strict):
    row: int
    factor: str
    source_column: str
    phase: str | None = None
    #: As a fraction (0.25 for 25%).
    weight: Decimal


class SchoolFactor(Strict):
    row: int
    factor: str
    source_column: str
    method: Method
    #: A fraction of the district pot (Weight) or pounds per unit (Unit Rate).
    value: Decimal
    phase: str | None = None


class RedressRule(Strict):
    row: int
    rule: str
    measure: str
    per_1000_of: str | None = None
    threshold: Decimal
    method: DeductionMethod
    #: Pounds per unit of excess (Per unit) or a fraction of the allocation (Percent).
    rate: Decimal


class Provider(Strict):
    row: int
    provider_id: str
    name: str
    type: str = ""
    district: str | None = None
    commissioned_places: int = 0
    top_up_per_place: Decimal | None = None
    charge_basis: ChargeBasis = ChargeBasis.NONE
    charge_rate: Decimal | None = None
    charge_medical: bool = False


class PupilRate(Strict):
    row: int
    key_stage: str
    basic_entitlement: Decimal
    fsm6: Decimal = Decimal("0")
    idaci: Decimal = Decimal("0")
    eal: Decimal = Decimal("0")
    lpa: Decimal = Decimal("0")
    pupil_premium: Decimal = Decimal("0")


class Term(Strict):
    row: int
    name: str
    start: date
    end: date


class ClosureDay(Strict):
    row: int
    start: date
    end: date
    reason: str = ""


class Placement(Strict):
    row: int
    placement_id: str
    pupil_ref: str
    home_urn: int
    provider_id: str
    tier: int
    registration: str = "Dual"
    reason: Reason
    start: date
    end: date | None = None
    days_per_week: Decimal = Decimal("5")
    year_group: int | None = None
    charge_basis: ChargeBasis | None = None
    charge_rate: Decimal | None = None
    planned_weeks: Decimal | None = None
    outcome: str = ""
    ehcp: bool = False
    sen_support: bool = False
    fsm6: bool = False
    sex: str = ""
    ethnicity: str = ""
    #: A money column of the row had an Error (read as blank): its charge is Blocked, never made at a default rate.
    blocked_by: str = ""

    def over_planned(self, school_weeks: int) -> bool:
        """Whether the placement's school weeks this year exceed its Planned Weeks (never when it has none)."""
        return self.planned_weeks is not None and school_weeks > self.planned_weeks


class Exclusion(Strict):
    row: int
    exclusion_id: str
    pupil_ref: str
    excluding_urn: int
    exclusion_date: date
    #: None when the cell is blank: the rules then use the exclusion date, with a Warning.
    relevant_date: date | None = None
    year_group: int
    fsm6: bool = False
    idaci: bool = False
    eal: bool = False
    lpa: bool = False
    pupil_led_amount: Decimal | None = None
    pupil_premium: Decimal | None = None
    adjustment_order: Decimal | None = None
    admitting_urn: int | None = None
    admission_date: date | None = None
    reinstated_date: date | None = None
    #: A money column of the row had an Error (read as blank): its lines are Blocked.
    blocked_by: str = ""


class ScenarioRow(Strict):
    row: int
    scenario: str
    target: str
    key: str
    value: str


class RegisterEntry(Strict):
    """A row of ``InvoiceRegister``: every invoice number ever used, never deleted."""

    row: int
    number: str
    key: str
    kind: str
    urn: int | None = None
    period: str = ""
    net: Decimal = Decimal("0")
    vat: Decimal = Decimal("0")
    gross: Decimal = Decimal("0")
    status: str = "Draft"
    issued_on: date | None = None
    supersedes: str = ""
    #: When ``export-finance`` sent the document to the ledger (None: not yet): nothing is exported twice.
    exported_on: date | None = None
    #: The finance system's own number for the document, typed by the officer after the import.
    finance_ref: str = ""


class ModelInputs(Strict):
    """Everything a run computes from. Rows that failed validation are already left out."""

    settings: Settings | None
    districts: tuple[District, ...] = ()
    schools: tuple[School, ...] = ()
    district_factors: tuple[DistrictFactor, ...] = ()
    school_factors: tuple[SchoolFactor, ...] = ()
    redress_rules: tuple[RedressRule, ...] = ()
    providers: tuple[Provider, ...] = ()
    pupil_rates: tuple[PupilRate, ...] = ()
    terms: tuple[Term, ...] = ()
    closure_days: tuple[ClosureDay, ...] = ()
    placements: tuple[Placement, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    scenarios: tuple[ScenarioRow, ...] = ()
    invoice_register: tuple[RegisterEntry, ...] = ()
    #: ``RegisterLog``: every number the model has handed out, as it last wrote it (register.check).
    register_log: tuple[RegisterEntry, ...] = ()
    #: False when a register or log row could not be read (its Errors say why): the register is frozen.
    register_intact: bool = True


def key_stage(year_group: int) -> str:
    """The key stage of a National Curriculum year group (Reception counts as KS1)."""
    if year_group <= 2:
        return "KS1"
    if year_group <= 6:
        return "KS2"
    if year_group <= 9:
        return "KS3"
    return "KS4"
