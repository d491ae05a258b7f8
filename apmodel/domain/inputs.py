"""Validated inputs of the model: one pydantic model per input table row, plus Settings.

These are built by ``apmodel.workbook.parse`` from the workbook's tables after every cell
has been coerced (bad cells become findings, not exceptions). ``extra="forbid"`` on every
model: a misspelled key is a bug to catch, never a value to drop silently. Each row keeps
``row``, its sheet row number, so any later finding can point at the cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any

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


class SettingKind(StrEnum):
    """How a setting's Value is read (the workbook contract gives each kind its cell format)."""

    TEXT = "text"
    MONEY = "£"
    PERCENT = "%"
    WHOLE = "whole number"
    YES_NO = "Yes/No"
    CHOICE = "one of the allowed words"
    FINANCIAL_YEAR = "financial year"
    DAY = "date"
    YEAR_GROUPS = "year groups"


def choices_of(enum: type[StrEnum]) -> tuple[str, ...]:
    """An enumerated column's or setting's allowed words: the domain enum's values, in order."""
    return tuple(member.value for member in enum)


@dataclass(frozen=True)
class SettingSpec:
    """One setting of the ``Settings`` table, declared once.

    The workbook contract, the reading of a Value (``apmodel.workbook.parse``), the template's
    notes and dropdowns, the example county and the documentation test take it from here, and
    ``Settings`` takes its defaults from it.
    """

    label: str
    #: The ``Settings`` field it fills.
    field: str
    kind: SettingKind
    #: What it does, for finance officers: the template's note and the docs' description.
    help: str
    #: The value of a blank or absent setting, as the model uses it (None: none). ``School year end``
    #: gives its day of the year as text ("31 July"), read against the financial year.
    default: Any = None
    #: A blank required setting is an Error: nothing can be allocated without it.
    required: bool = False
    #: The allowed words of a CHOICE setting (from its domain enum).
    choices: tuple[str, ...] = ()
    #: The smallest and largest value allowed (MONEY and WHOLE settings).
    bounds: tuple[int, int] | None = None
    #: Where the default comes from when regulation or DfE guidance sets it: the document, dated, and its address.
    source: str = ""


#: A money setting's range: no AP money figure of an English LA comes near £10bn.
MONEY_BOUNDS = (0, 10_000_000_000)

PLACE_FUNDING_SOURCE = (
    "DfE, High needs funding: 2025 to 2026 operational guide: pre-16 AP places are funded at £10,000 a place "
    "(the rate since September 2015), "
    "https://www.gov.uk/government/publications/high-needs-funding-arrangements-2025-to-2026"
)
SCHOOL_YEAR_SOURCE = (
    "Education Act 1996, s.579(1): the school year ends when the first term after July begins, so the "
    "summer term, and the year, ends by 31 July, https://www.legislation.gov.uk/ukpga/1996/56/section/579"
)
PHASE_CHANGE_SOURCE = (
    "School and Early Years Finance (England) Regulations, reg 39(2)(b)(ii) of SI 2024/66 (February 2024): the "
    "year at the end of which pupils normally leave for a school with a different age range (Year 6, Year 11), "
    "https://www.legislation.gov.uk/uksi/2024/66/regulation/39"
)
ADMITTING_CREDIT_SOURCE = (
    "School and Early Years Finance (England) Regulations, reg 39(3) and (4) of SI 2024/66 (February 2024): the "
    "admitting school's budget share is increased, https://www.legislation.gov.uk/uksi/2024/66/regulation/39"
)
NOTHING_RECOVERED_SOURCE = (
    "School and Early Years Finance (England) Regulations 2018, reg 27(3): the credit follows a reduction of a "
    "maintained excluding school's budget share (the 2011 wording, 'or would have reduced it had that school "
    "been maintained', went further)"
)


def _vat_help(line_type: str) -> str:
    return (
        f"VAT treatment of {line_type.lower()} lines on an invoice: Standard (VAT rate applies), Exempt or "
        "Outside scope (default), as the council's VAT officer advises."
    )


#: Every setting, in the order of the Settings table.
SETTING_SPECS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "LA name",
        "la_name",
        SettingKind.TEXT,
        "The local authority's name, shown on the Summary, invoices and school packs.",
        default="Local Authority",
    ),
    SettingSpec(
        "Financial year",
        "financial_year",
        SettingKind.FINANCIAL_YEAR,
        "Required. The funding period: 2025-26 means 1 April 2025 to 31 March 2026.",
        required=True,
    ),
    SettingSpec(
        "AP budget",
        "ap_budget",
        SettingKind.MONEY,
        "Required. The whole Alternative Provision budget to share (High Needs Block), in pounds.",
        required=True,
        bounds=MONEY_BOUNDS,
    ),
    SettingSpec(
        "Centrally retained",
        "centrally_retained",
        SettingKind.MONEY,
        "Kept centrally before districts are funded: stage 1 pot = AP budget - this - lump sums.",
        default=Decimal("0"),
        bounds=MONEY_BOUNDS,
    ),
    SettingSpec(
        "Place funding rate",
        "place_funding_rate",
        SettingKind.MONEY,
        "Pounds per commissioned place at a Lead PRU; the rest of a delegated allocation is top-up.",
        default=Decimal("10000"),
        bounds=MONEY_BOUNDS,
        source=PLACE_FUNDING_SOURCE,
    ),
    SettingSpec(
        "School year end",
        "school_year_end",
        SettingKind.DAY,
        (
            "End of the school year inside the financial year (default 31 July). For pupils in a phase-change"
            " year group, B counts only to this date."
        ),
        default="31 July",
        source=SCHOOL_YEAR_SOURCE,
    ),
    SettingSpec(
        "Phase change year groups",
        "phase_change_year_groups",
        SettingKind.YEAR_GROUPS,
        (
            "The last year group of a phase (default 6, 11): exclusions from 1 April count weeks only to the "
            "school year end."
        ),
        default=(6, 11),
        source=PHASE_CHANGE_SOURCE,
    ),
    SettingSpec(
        "Recoup pupil premium",
        "recoup_pupil_premium",
        SettingKind.YES_NO,
        "Yes: pupil premium follows an excluded pupil (Pupil Premium x B / 52).",
        default=True,
    ),
    SettingSpec(
        "Admitting school credit",
        "admitting_school_credit",
        SettingKind.YES_NO,
        "Yes: a school that admits an excluded pupil is credited D x E / F.",
        default=True,
        source=ADMITTING_CREDIT_SOURCE,
    ),
    SettingSpec(
        "Admitting credit when nothing recovered",
        "admitting_credit_when_nothing_recovered",
        SettingKind.YES_NO,
        (
            "No (default, reg 27(3) of the 2018 regulations): no admitting credit when nothing was recovered "
            "from the excluding academy. Yes: credit it anyway, paid from the AP budget."
        ),
        default=False,
        source=NOTHING_RECOVERED_SOURCE,
    ),
    SettingSpec(
        "Redress destination",
        "redress_destination",
        SettingKind.CHOICE,
        (
            "Where redress deductions go: District schools (pro rata to their allocations) or Lead PRU (the "
            "district's PRU or the central AP budget)."
        ),
        default=RedressDestination.DISTRICT_SCHOOLS,
        choices=choices_of(RedressDestination),
    ),
    SettingSpec(
        "Protection floor",
        "protection_floor",
        SettingKind.PERCENT,
        ("Smallest change allowed against Previous Allocation, e.g. -2% (no district below 98%). Blank: no floor."),
    ),
    SettingSpec(
        "Protection cap",
        "protection_cap",
        SettingKind.PERCENT,
        "Largest gain allowed against Previous Allocation, e.g. 5%. Blank: no cap.",
    ),
    SettingSpec(
        "Invoice prefix",
        "invoice_prefix",
        SettingKind.TEXT,
        "Invoice numbers are {prefix}-{year}-{5-digit sequence}, e.g. AP-2025-26-00001.",
        default="AP",
    ),
    SettingSpec(
        "Payment terms (days)",
        "payment_terms_days",
        SettingKind.WHOLE,
        "Due date = invoice date + this many days.",
        default=30,
        bounds=(0, 365),
    ),
    SettingSpec(
        "VAT rate",
        "vat_rate",
        SettingKind.PERCENT,
        (
            "VAT on invoices to academies, for the line types set Standard below. Budget adjustments to "
            "maintained schools are internal journals and never carry VAT."
        ),
        default=Decimal("0"),
    ),
    SettingSpec(
        "VAT treatment: Exclusion adjustment",
        "vat_exclusion_adjustment",
        SettingKind.CHOICE,
        _vat_help("Exclusion adjustment"),
        default=VatTreatment.OUTSIDE_SCOPE,
        choices=choices_of(VatTreatment),
    ),
    SettingSpec(
        "VAT treatment: Pupil premium",
        "vat_pupil_premium",
        SettingKind.CHOICE,
        _vat_help("Pupil premium"),
        default=VatTreatment.OUTSIDE_SCOPE,
        choices=choices_of(VatTreatment),
    ),
    SettingSpec(
        "VAT treatment: Admitting credit",
        "vat_admitting_credit",
        SettingKind.CHOICE,
        _vat_help("Admitting credit"),
        default=VatTreatment.OUTSIDE_SCOPE,
        choices=choices_of(VatTreatment),
    ),
    SettingSpec(
        "VAT treatment: Reinstatement repayment",
        "vat_reinstatement_repayment",
        SettingKind.CHOICE,
        _vat_help("Reinstatement repayment"),
        default=VatTreatment.OUTSIDE_SCOPE,
        choices=choices_of(VatTreatment),
    ),
    SettingSpec(
        "VAT treatment: Placement charge",
        "vat_placement_charge",
        SettingKind.CHOICE,
        _vat_help("Placement charge"),
        default=VatTreatment.OUTSIDE_SCOPE,
        choices=choices_of(VatTreatment),
    ),
    SettingSpec(
        "Contact name",
        "contact_name",
        SettingKind.TEXT,
        "Who schools contact about their allocation or a charge (shown in school packs).",
        default="",
    ),
    SettingSpec(
        "Contact email",
        "contact_email",
        SettingKind.TEXT,
        "Email address for queries (shown in school packs and invoices).",
        default="",
    ),
    SettingSpec(
        "Remittance address",
        "remittance_address",
        SettingKind.TEXT,
        "Where academies send payment (shown on invoices).",
        default="",
    ),
    SettingSpec(
        "LA address",
        "la_address",
        SettingKind.TEXT,
        "The LA's postal address, printed at the head of every invoice, credit note and budget adjustment.",
        default="",
    ),
    SettingSpec(
        "Bank details",
        "bank_details",
        SettingKind.TEXT,
        "The account academies pay by BACS (bank, sort code, account number, account name), printed on invoices.",
        default="",
    ),
    SettingSpec(
        "VAT registration number",
        "vat_registration",
        SettingKind.TEXT,
        "The LA's VAT registration number, printed on invoices and credit notes.",
        default="",
    ),
    SettingSpec(
        "Publish school totals",
        "publish_school_totals",
        SettingKind.YES_NO,
        "Yes: the Forum copy shows each school's total; No: district and county totals only.",
        default=False,
    ),
    SettingSpec(
        "LA code",
        "la_code",
        SettingKind.TEXT,
        "The DfE's three-digit LA code (886 for Kent): import-schools keeps this LA's schools from GIAS.",
        default="",
    ),
    SettingSpec(
        "AP cost centre",
        "ap_cost_centre",
        SettingKind.TEXT,
        "The AP budget's own cost centre in the ledger (export-finance: invoices and journals).",
        default="",
    ),
    SettingSpec(
        "Recoupment income account",
        "income_account",
        SettingKind.TEXT,
        "Ledger account the recouped money is credited to (export-finance).",
        default="",
    ),
    SettingSpec(
        "School budget account",
        "school_budget_account",
        SettingKind.TEXT,
        "Ledger account a maintained school's budget adjustment is journalled to.",
        default="",
    ),
    SettingSpec(
        "VAT code",
        "vat_code",
        SettingKind.TEXT,
        "The finance system's VAT code for the invoices (export-finance), e.g. OS for outside scope.",
        default="",
    ),
    SettingSpec(
        "Uplift",
        "uplift",
        SettingKind.PERCENT,
        "Rollover: next year's AP budget = this year's x (1 + Uplift), e.g. 2%. Default 0.",
        default=Decimal("0"),
    ),
)

#: Each setting by the ``Settings`` field it fills.
SETTING_BY_FIELD: dict[str, SettingSpec] = {spec.field: spec for spec in SETTING_SPECS}


def setting_default(field: str) -> Any:
    """The declared default of a setting: ``Settings``' field defaults come from here."""
    return SETTING_BY_FIELD[field].default


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
    la_name: str = setting_default("la_name")
    financial_year: FinancialYear
    ap_budget: Decimal
    centrally_retained: Decimal = setting_default("centrally_retained")
    place_funding_rate: Decimal = setting_default("place_funding_rate")
    #: The end of the school year that falls inside the financial year (default 31 July).
    school_year_end: date
    phase_change_year_groups: tuple[int, ...] = setting_default("phase_change_year_groups")
    recoup_pupil_premium: bool = setting_default("recoup_pupil_premium")
    admitting_school_credit: bool = setting_default("admitting_school_credit")
    #: Credit the admitting school when nothing was recovered from the excluding academy (the 2011 wording);
    #: No (default) is the reading of reg 27(3) SEYFR 2018: the credit is statutory only from a maintained school.
    admitting_credit_when_nothing_recovered: bool = setting_default("admitting_credit_when_nothing_recovered")
    redress_destination: RedressDestination = setting_default("redress_destination")
    #: As fractions: -0.02 for "no district below 98% of its previous allocation".
    protection_floor: Decimal | None = setting_default("protection_floor")
    protection_cap: Decimal | None = setting_default("protection_cap")
    invoice_prefix: str = setting_default("invoice_prefix")
    payment_terms_days: int = setting_default("payment_terms_days")
    vat_rate: Decimal = setting_default("vat_rate")
    #: The VAT treatment of each type of recoupment line on an invoice (budget adjustments never carry VAT).
    vat_exclusion_adjustment: VatTreatment = setting_default("vat_exclusion_adjustment")
    vat_pupil_premium: VatTreatment = setting_default("vat_pupil_premium")
    vat_admitting_credit: VatTreatment = setting_default("vat_admitting_credit")
    vat_reinstatement_repayment: VatTreatment = setting_default("vat_reinstatement_repayment")
    vat_placement_charge: VatTreatment = setting_default("vat_placement_charge")
    contact_name: str = setting_default("contact_name")
    contact_email: str = setting_default("contact_email")
    remittance_address: str = setting_default("remittance_address")
    #: Printed on invoices, credit notes and budget adjustments (school packs).
    la_address: str = setting_default("la_address")
    bank_details: str = setting_default("bank_details")
    vat_registration: str = setting_default("vat_registration")
    publish_school_totals: bool = setting_default("publish_school_totals")
    #: The DfE's three-digit code of the LA (886 for Kent): which GIAS schools are ours.
    la_code: str = setting_default("la_code")
    #: The finance export's codes: the AP budget's own cost centre and the ledger accounts.
    ap_cost_centre: str = setting_default("ap_cost_centre")
    income_account: str = setting_default("income_account")
    school_budget_account: str = setting_default("school_budget_account")
    vat_code: str = setting_default("vat_code")
    #: Rollover: next year's budget = this year's x (1 + Uplift), as a fraction.
    uplift: Decimal = setting_default("uplift")


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
    #: Where the trust's invoices go (printed on them).
    trust_address: str = ""
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
    #: The Charge Rate cell had an Error (read as blank): placements charged at the provider's rate are Blocked,
    #: never left uncharged as if no rate were given.
    blocked_by: str = ""


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
        """Whether the weeks the placement has run (``SchoolCalendar.weeks_run``) exceed its Planned Weeks."""
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
