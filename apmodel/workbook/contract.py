"""The Forum workbook contract (docs/forum-workbook.md), in one place.

Every table name, column header, column type and whether it is required lives here. Tables
are found by name on any sheet and columns by header text, case and spacing insensitive,
in any order; columns not named here are the user's and survive every run untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from apmodel.domain.inputs import normalise


class Kind(StrEnum):
    """How a cell is read (inputs) or formatted (outputs)."""

    TEXT = "text"
    INT = "int"
    NUMBER = "number"
    MONEY = "money"
    PERCENT = "percent"
    DATE = "date"
    YES_NO = "yes_no"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    #: Allowed values for an enumerated text column (dropdowns in the template).
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    #: A required table missing from the workbook is an Error; an optional one is simply empty.
    required: bool = True
    #: One-line note shown on the input sheet of the template.
    note: str = ""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


YES_NO = ("Yes", "No")
FUNDING_MODELS = ("Delegated", "Devolved", "Hybrid")
SCHOOL_TYPES = ("Maintained", "Academy")
PHASES = ("Primary", "Secondary", "All-through", "Special", "PRU")
METHODS = ("Weight", "Unit Rate")
DEDUCTION_METHODS = ("Per unit above threshold", "Percent of allocation")
CHARGE_BASES = ("Daily", "Weekly", "Percent of AWPU", "None")
TIERS = ("1", "2", "3")
REGISTRATIONS = ("Dual", "Single")
REASONS = (
    "Permanent exclusion",
    "At risk of exclusion",
    "Medical",
    "Awaiting EHCP",
    "Other",
)
KEY_STAGES = ("KS1", "KS2", "KS3", "KS4")
SCENARIO_TARGETS = ("Setting", "District", "DistrictFactor", "SchoolFactor", "RedressRule")
PROVIDER_TYPES = ("PRU", "AP Academy", "Independent", "Hospital School", "Other")

T, INT, N, M, P, D, Y = Kind.TEXT, Kind.INT, Kind.NUMBER, Kind.MONEY, Kind.PERCENT, Kind.DATE, Kind.YES_NO


def _c(name: str, kind: Kind = T, required: bool = False, choices: tuple[str, ...] = ()) -> Column:
    return Column(name, kind, required, choices)


SETTINGS = TableSpec(
    "Settings",
    (_c("Setting", required=True), _c("Value"), _c("Notes")),
    note="One row per setting. Percentages may be typed as -2% or -0.02.",
)
DISTRICTS = TableSpec(
    "Districts",
    (
        _c("District", required=True),
        _c("Area"),
        _c("Funding Model", required=True, choices=FUNDING_MODELS),
        _c("Devolved Share", P),
        _c("Lead PRU"),
        _c("Previous Allocation", M),
        _c("Lump Sum", M),
    ),
    note="One row per district. Lead PRU is a Provider ID; Devolved Share applies to Hybrid districts.",
)
SCHOOLS = TableSpec(
    "Schools",
    (
        _c("URN", INT, required=True),
        _c("School Name", required=True),
        _c("District", required=True),
        _c("Phase", required=True, choices=PHASES),
        _c("Type", required=True, choices=SCHOOL_TYPES),
        _c("Trust"),
        _c("AP Agreement", Y, choices=YES_NO),
        _c("Cost Centre"),
        _c("PO Number"),
        _c("Pupils", N),
        _c("KS3 Pupils", N),
        _c("KS4 Pupils", N),
        _c("Primary Pupils", N),
        _c("IDACI Pupils", N),
        _c("FSM6 Pupils", N),
        _c("LAC", N),
        _c("EAL", N),
        _c("Awaiting EHCP", N),
        _c("Permanent Exclusions 3yr", N),
        _c("Suspensions", N),
    ),
    note="One row per school. Add any numeric column a factor or redress rule names.",
)
DISTRICT_FACTORS = TableSpec(
    "DistrictFactors",
    (
        _c("Factor", required=True),
        _c("Source Column", required=True),
        _c("Phase", choices=PHASES),
        _c("Weight", P, required=True),
    ),
    note="Stage 1: weights must add up to 100%. Source Column names a Schools column.",
)
SCHOOL_FACTORS = TableSpec(
    "SchoolFactors",
    (
        _c("Factor", required=True),
        _c("Source Column", required=True),
        _c("Method", required=True, choices=METHODS),
        _c("Value", N, required=True),
        _c("Phase", choices=PHASES),
    ),
    note="Stage 2 (devolved): Weight = share of the district pot; Unit Rate = £ per unit, scaled to the pot.",
)
REDRESS_RULES = TableSpec(
    "RedressRules",
    (
        _c("Rule", required=True),
        _c("Measure", required=True),
        _c("Per 1000 Of"),
        _c("Threshold", N, required=True),
        _c("Deduction Method", required=True, choices=DEDUCTION_METHODS),
        _c("Rate", N, required=True),
    ),
    required=False,
    note="Financial redress: deductions from devolved funding where a measure is above its threshold.",
)
PROVIDERS = TableSpec(
    "Providers",
    (
        _c("Provider ID", required=True),
        _c("Provider Name", required=True),
        _c("Type", choices=PROVIDER_TYPES),
        _c("District"),
        _c("Commissioned Places", INT),
        _c("Top-up per Place", M),
        _c("Charge Basis", choices=CHARGE_BASES),
        _c("Charge Rate", N),
        _c("Charge Medical", Y, choices=YES_NO),
    ),
    note="PRUs and other AP providers. Charge Basis and Rate are the defaults for placements there.",
)
PUPIL_RATES = TableSpec(
    "PupilRates",
    (
        _c("Key Stage", required=True, choices=KEY_STAGES),
        _c("Basic Entitlement", M, required=True),
        _c("FSM6", M),
        _c("IDACI", M),
        _c("EAL", M),
        _c("LPA", M),
        _c("Pupil Premium", M),
    ),
    note="The schools formula's pupil-led rates for a full year, by key stage (A in A x B / 52).",
)
TERMS = TableSpec(
    "Terms",
    (_c("Term", required=True), _c("Start", D, required=True), _c("End", D, required=True)),
    note="One row per term of the financial year: the billing periods.",
)
CLOSURE_DAYS = TableSpec(
    "ClosureDays",
    (_c("From", D, required=True), _c("To", D), _c("Reason")),
    required=False,
    note="INSET days, half terms and bank holidays inside terms; one date range per row.",
)
PLACEMENTS = TableSpec(
    "Placements",
    (
        _c("Placement ID", required=True),
        _c("Pupil Ref", required=True),
        _c("Home URN", INT, required=True),
        _c("Provider ID", required=True),
        _c("Tier", INT, required=True, choices=TIERS),
        _c("Registration", choices=REGISTRATIONS),
        _c("Reason", required=True, choices=REASONS),
        _c("Start Date", D, required=True),
        _c("End Date", D),
        _c("Days per Week", N),
        _c("Year Group", INT),
        _c("Charge Basis", choices=CHARGE_BASES),
        _c("Charge Rate", N),
        _c("Planned Weeks", N),
        _c("Outcome"),
        _c("EHCP", Y, choices=YES_NO),
        _c("SEN Support", Y, choices=YES_NO),
        _c("FSM6", Y, choices=YES_NO),
        _c("Sex"),
        _c("Ethnicity"),
    ),
    required=False,
    note="One row per AP placement. Pupil Ref is pseudonymous: never a name or UPN.",
)
EXCLUSIONS = TableSpec(
    "Exclusions",
    (
        _c("Exclusion ID", required=True),
        _c("Pupil Ref", required=True),
        _c("Excluding URN", INT, required=True),
        _c("Exclusion Date", D, required=True),
        _c("Relevant Date", D),
        _c("Year Group", INT, required=True),
        _c("FSM6", Y, choices=YES_NO),
        _c("IDACI", Y, choices=YES_NO),
        _c("EAL", Y, choices=YES_NO),
        _c("LPA", Y, choices=YES_NO),
        _c("Pupil-led Amount", M),
        _c("Pupil Premium", M),
        _c("Adjustment Order", M),
        _c("Admitting URN", INT),
        _c("Admission Date", D),
        _c("Reinstated Date", D),
    ),
    required=False,
    note="Permanent exclusions. Relevant Date = when the exclusion takes effect for funding.",
)
SCENARIOS = TableSpec(
    "Scenarios",
    (
        _c("Scenario", required=True),
        _c("Target", required=True, choices=SCENARIO_TARGETS),
        _c("Key", required=True),
        _c("Value", required=True),
    ),
    required=False,
    note="Rows with the same Scenario form one scenario; each overrides one setting, district cell or factor value.",
)

INPUT_TABLES: tuple[TableSpec, ...] = (
    SETTINGS,
    DISTRICTS,
    SCHOOLS,
    DISTRICT_FACTORS,
    SCHOOL_FACTORS,
    REDRESS_RULES,
    PROVIDERS,
    PUPIL_RATES,
    TERMS,
    CLOSURE_DAYS,
    PLACEMENTS,
    EXCLUSIONS,
    SCENARIOS,
)

INVOICE_REGISTER = TableSpec(
    "InvoiceRegister",
    (
        _c("Number", required=True),
        _c("Key", required=True),
        _c("Kind", required=True),
        _c("URN", INT),
        _c("Period"),
        _c("Net", M),
        _c("VAT", M),
        _c("Gross", M),
        _c("Status", required=True, choices=("Draft", "Issued", "Credited")),
        _c("Issued On", D),
        _c("Supersedes"),
    ),
    required=False,
    note="Written by the model: every invoice number ever used. Do not edit Issued rows.",
)

#: The model's own record of every number it has handed out (domain/register.py, ``check``):
#: the register's columns, on a hidden sheet; rows whose register row was deleted stay here.
REGISTER_LOG = TableSpec(
    "RegisterLog",
    INVOICE_REGISTER.columns,
    required=False,
    note="Written by the model: what each number was when last written. Never edit it.",
)

# Output table names (replaced whole on every run). Their columns are built by reports/.
SUMMARY = "Summary"
DISTRICT_ALLOCATIONS = "DistrictAllocations"
SCHOOL_ALLOCATIONS = "SchoolAllocations"
PROVIDER_FUNDING = "ProviderFunding"
RECOUPMENT = "Recoupment"
INVOICES = "Invoices"
WARNINGS = "Warnings"
TRACE = "Trace"
SCENARIO_COMPARISON = "ScenarioComparison"
EQUALITY_ANALYSIS = "EqualityAnalysis"
AP_OUTCOMES = "APOutcomes"

OUTPUT_TABLES: tuple[str, ...] = (
    SUMMARY,
    DISTRICT_ALLOCATIONS,
    SCHOOL_ALLOCATIONS,
    PROVIDER_FUNDING,
    RECOUPMENT,
    INVOICES,
    WARNINGS,
    TRACE,
    SCENARIO_COMPARISON,
    EQUALITY_ANALYSIS,
    AP_OUTCOMES,
)

#: Every setting the Settings table may hold, with its default as text ("" = required).
SETTING_LABELS: dict[str, str] = {
    "LA name": "Local Authority",
    "Financial year": "",
    "AP budget": "",
    "Centrally retained": "0",
    "Place funding rate": "10000",
    "School year end": "31 July",
    "Phase change year groups": "6, 11",
    "Recoup pupil premium": "Yes",
    "Admitting school credit": "Yes",
    "Redress destination": "District schools",
    "Protection floor": "",
    "Protection cap": "",
    "Invoice prefix": "AP",
    "Payment terms (days)": "30",
    "VAT rate": "0",
    "VAT treatment: Exclusion adjustment": "Outside scope",
    "VAT treatment: Pupil premium": "Outside scope",
    "VAT treatment: Admitting credit": "Outside scope",
    "VAT treatment: Reinstatement repayment": "Outside scope",
    "VAT treatment: Placement charge": "Outside scope",
    "Contact name": "",
    "Contact email": "",
    "Remittance address": "",
    "Publish school totals": "No",
}

#: Each setting by its matching form (``normalise``d label), for finding a setting as the user typed it.
SETTING_LABEL_BY_KEY: dict[str, str] = {normalise(label): label for label in SETTING_LABELS}

#: How a setting's Value is read and formatted (settings not named here are text).
SETTING_KINDS: dict[str, Kind] = {
    "AP budget": Kind.MONEY,
    "Centrally retained": Kind.MONEY,
    "Place funding rate": Kind.MONEY,
    "Protection floor": Kind.PERCENT,
    "Protection cap": Kind.PERCENT,
    "VAT rate": Kind.PERCENT,
    "Payment terms (days)": Kind.INT,
    "Recoup pupil premium": Kind.YES_NO,
    "Admitting school credit": Kind.YES_NO,
    "Publish school totals": Kind.YES_NO,
}

REDRESS_DESTINATIONS = ("District schools", "Lead PRU")
VAT_TREATMENTS = ("Standard", "Exempt", "Outside scope")
#: The settings that give a type of recoupment line its VAT treatment.
VAT_TREATMENT_SETTINGS = tuple(label for label in SETTING_LABELS if label.startswith("VAT treatment: "))

#: The settings with fixed choices (dropdowns in the template).
SETTING_CHOICES: dict[str, tuple[str, ...]] = {
    **{label: YES_NO for label, kind in SETTING_KINDS.items() if kind is Kind.YES_NO},
    "Redress destination": REDRESS_DESTINATIONS,
    **{label: VAT_TREATMENTS for label in VAT_TREATMENT_SETTINGS},
}
