"""The Forum workbook contract (docs/forum-workbook.md), in one place.

Every table name, column header, column type and whether it is required lives here. Tables
are found by name on any sheet and columns by header text, case and spacing insensitive,
in any order; columns not named here are the user's and survive every run untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from apmodel.domain.inputs import (
    SETTING_SPECS,
    ChargeBasis,
    DeductionMethod,
    FundingModel,
    Method,
    Reason,
    RedressDestination,
    SchoolType,
    SettingKind,
    SettingSpec,
    VatTreatment,
    choices_of,
    normalise,
)
from apmodel.domain.ledger import AR_FILE, JOURNAL_FILE
from apmodel.domain.register import RegisterStatus


class Kind(StrEnum):
    """How a cell is read (inputs) or formatted (outputs)."""

    TEXT = "text"
    INT = "int"
    NUMBER = "number"
    MONEY = "money"
    PERCENT = "percent"
    DATE = "date"
    YES_NO = "yes_no"
    #: A whole number that names something (a URN, a sheet row, a year): shown without separators.
    ID = "id"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    #: Allowed values for an enumerated text column (dropdowns in the template).
    choices: tuple[str, ...] = ()
    #: Column width in characters on a sheet the writers create (None: fitted to the content).
    width: float | None = None
    #: What the column holds, in a sentence (the Notes sheet, the template's column help).
    help: str = ""
    #: It sets what somebody is charged (a rate, a placement's basis, registration or days a week): a cell
    #: that cannot be read is an Error, as for money, and holds the row's charge back rather than falling
    #: back to a default (the provider's rate or basis, Dual, 5 days).
    charges: bool = False

    @property
    def sets_money(self) -> bool:
        return self.kind is Kind.MONEY or self.charges


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    #: A required table missing from the workbook is an Error; an optional one is simply empty.
    required: bool = True
    #: One-line note shown on the input sheet of the template.
    note: str = ""
    #: The tables that need this one: while all of them are absent or empty, this one may be absent
    #: (an Info, not an Error). Empty: needed whenever it is required.
    needed_by: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


YES_NO = ("Yes", "No")
FUNDING_MODELS = choices_of(FundingModel)
SCHOOL_TYPES = choices_of(SchoolType)
SCHOOL_STATUSES = ("Open", "Closed")
PHASES = ("Primary", "Secondary", "All-through", "Special", "PRU")
#: A factor's phase filter: a phase, or All (the same as blank: every school).
ALL_PHASES = "All"
FACTOR_PHASES = (*PHASES, ALL_PHASES)
METHODS = choices_of(Method)
DEDUCTION_METHODS = choices_of(DeductionMethod)
CHARGE_BASES = choices_of(ChargeBasis)
TIERS = ("1", "2", "3")
REGISTRATIONS = ("Dual", "Single")
REASONS = choices_of(Reason)
KEY_STAGES = ("KS1", "KS2", "KS3", "KS4")
SCENARIO_TARGETS = ("Setting", "District", "DistrictFactor", "SchoolFactor", "RedressRule")
PROVIDER_TYPES = ("PRU", "AP Academy", "Independent", "Hospital School", "Other")

T, INT, N, M, P, D, Y, ID = (
    Kind.TEXT,
    Kind.INT,
    Kind.NUMBER,
    Kind.MONEY,
    Kind.PERCENT,
    Kind.DATE,
    Kind.YES_NO,
    Kind.ID,
)


def _c(
    name: str,
    kind: Kind = T,
    required: bool = False,
    choices: tuple[str, ...] = (),
    *,
    width: float | None = None,
    help: str = "",
    charges: bool = False,
) -> Column:
    return Column(name, kind, required, choices, width, help, charges)


SETTINGS = TableSpec(
    "Settings",
    (_c("Setting", required=True), _c("Value"), _c("Notes")),
    note="One row per setting. Percentages may be typed as -2% or -0.02.",
)
DISTRICTS = TableSpec(
    "Districts",
    (
        _c("District", required=True, help="The district's name; Schools and Providers refer to it."),
        _c("Area", help="A grouping of districts, shown in the results."),
        _c(
            "Funding Model",
            required=True,
            choices=FUNDING_MODELS,
            help="How the district's allocation is used inside it (stage 2).",
        ),
        _c("Devolved Share", P, help="Hybrid only: the share devolved to schools; the rest goes to the Lead PRU."),
        _c("Lead PRU", help="The Provider ID of the PRU that receives delegated money."),
        _c(
            "Previous Allocation",
            M,
            help="Last year's allocation; protection (floor and cap) is measured against it. Blank: not protected.",
        ),
        _c("Lump Sum", M, help="A fixed amount the district receives before the formula."),
    ),
    note="One row per district. Lead PRU is a Provider ID; Devolved Share applies to Hybrid districts.",
)
SCHOOLS = TableSpec(
    "Schools",
    (
        _c("URN", INT, required=True, help="The school's Unique Reference Number (six digits)."),
        _c("School Name", required=True, help="The school's name as it appears on packs and invoices."),
        _c("District", required=True, help="A District of the Districts table."),
        _c(
            "Phase",
            required=True,
            choices=PHASES,
            help="The school's phase: Primary, Secondary, All-through, Special or PRU.",
        ),
        _c(
            "Type",
            required=True,
            choices=SCHOOL_TYPES,
            help="Maintained schools get budget adjustments; academies get invoices.",
        ),
        _c("Trust", help="The academy trust invoices are addressed to."),
        _c("Trust Address", help="The trust's postal address, printed on its invoices."),
        _c(
            "AP Agreement",
            Y,
            choices=YES_NO,
            help="Yes: the school signed the LA's AP agreement, so local charges (and, for an academy, the "
            "exclusion adjustment) can be recovered.",
        ),
        _c("Cost Centre", help="Shown on budget adjustments and invoices."),
        _c("PO Number", help="The school's purchase order number, shown on invoices."),
        _c("Pupils", N, help="Pupils on roll: the population of the equality rates (per 1,000 pupils)."),
        _c("Boys", N, help="Boys on roll (school census): the Male group's equality rate."),
        _c("Girls", N, help="Girls on roll (school census): the Female group's equality rate."),
        _c("EHCP Pupils", N, help="Pupils with an EHC plan on roll (school census): the EHCP group's rate."),
        _c("SEN Support Pupils", N, help="Pupils on SEN support (school census): the SEN support group's rate."),
        _c("KS3 Pupils", N, help="Pupils in key stage 3 (a count a factor can name)."),
        _c("KS4 Pupils", N, help="Pupils in key stage 4 (a count a factor can name)."),
        _c("Primary Pupils", N, help="Primary pupils (a count a factor can name)."),
        _c("IDACI Pupils", N, help="Pupils in IDACI deprivation bands (a count a factor can name)."),
        _c(
            "FSM6 Pupils",
            N,
            help="Pupils eligible for free school meals in the last six years (a count a factor can name).",
        ),
        _c("LAC", N, help="Looked-after children on roll (a count a factor can name)."),
        _c("EAL", N, help="Pupils with English as an additional language (a count a factor can name)."),
        _c("Awaiting EHCP", N, help="Pupils awaiting an EHCP assessment (a count a factor can name)."),
        _c(
            "Permanent Exclusions 3yr",
            N,
            help="Permanent exclusions over the last three years (a measure redress rules use).",
        ),
        _c("Suspensions", N, help="Suspensions in the last year (a measure redress rules use)."),
        _c("LAESTAB", help="The DfE's LA code and establishment number, from GIAS (import-schools)."),
        _c("UKPRN", help="The UK Provider Reference Number, from GIAS (import-schools)."),
        _c("Status", choices=SCHOOL_STATUSES, help="Open or Closed, from GIAS (import-schools)."),
    ),
    note="One row per school. Add any numeric column a factor or redress rule names.",
)
DISTRICT_FACTORS = TableSpec(
    "DistrictFactors",
    (
        _c(
            "Factor",
            required=True,
            help="The factor's name (shown as `<Factor> Value` and `<Factor> £` in DistrictAllocations).",
        ),
        _c("Source Column", required=True, help="The Schools column summed per district."),
        _c("Phase", choices=FACTOR_PHASES, help="Only schools of this phase count (blank: all)."),
        _c("Weight", P, required=True, help="The factor's share of the stage 1 pot; the weights add up to 100%."),
    ),
    note="Stage 1: weights must add up to 100%. Source Column names a Schools column.",
)
SCHOOL_FACTORS = TableSpec(
    "SchoolFactors",
    (
        _c("Factor", required=True, help="The factor's name, shown in SchoolAllocations and packs."),
        _c("Source Column", required=True, help="The Schools column the factor uses."),
        _c(
            "Method",
            required=True,
            choices=METHODS,
            help="Weight: a share of the district pot; Unit Rate: £ per unit, scaled to fill the pot.",
        ),
        _c("Value", N, required=True, help="The weight (a percentage) or the unit rate (£)."),
        _c("Phase", choices=FACTOR_PHASES, help="Only schools of this phase count (blank: all)."),
    ),
    note="Stage 2 (devolved): Weight = share of the district pot; Unit Rate = £ per unit, scaled to the pot.",
)
REDRESS_RULES = TableSpec(
    "RedressRules",
    (
        _c("Rule", required=True, help="The rule's name, shown in packs and the Trace."),
        _c("Measure", required=True, help="The Schools column measured (for example Permanent Exclusions 3yr)."),
        _c("Per 1000 Of", help="Optional: a Schools pupil column; the measure is then per 1,000 of it."),
        _c("Threshold", N, required=True, help="Above this the school is redressed."),
        _c(
            "Deduction Method",
            required=True,
            choices=DEDUCTION_METHODS,
            help="Rate x excess, or Rate x the school's devolved allocation.",
        ),
        _c("Rate", N, required=True, help="£ per unit of excess, or the percentage of the allocation."),
    ),
    required=False,
    note="Financial redress: deductions from devolved funding where a measure is above its threshold.",
)
PROVIDERS = TableSpec(
    "Providers",
    (
        _c("Provider ID", required=True, help="The provider's code; Placements and Districts refer to it."),
        _c("Provider Name", required=True, help="The provider's name."),
        _c("Type", choices=PROVIDER_TYPES, help="PRU, AP Academy, Independent, Hospital School or Other."),
        _c("District", help="The district the provider serves."),
        _c("Commissioned Places", INT, help="Places the LA commissions (place funding = places x Place funding rate)."),
        _c("Top-up per Place", M, help="For information: the provider's top-up rate per place."),
        _c("Charge Basis", choices=CHARGE_BASES, charges=True, help="The default charge basis of placements there."),
        _c("Charge Rate", N, charges=True, help="The default rate (£ a day or week, or % of AWPU)."),
        _c("Charge Medical", Y, choices=YES_NO, help="Yes: Medical placements there are charged too."),
    ),
    note="PRUs and other AP providers. Charge Basis and Rate are the defaults for placements there.",
)
PUPIL_RATES = TableSpec(
    "PupilRates",
    (
        _c(
            "Key Stage",
            required=True,
            choices=KEY_STAGES,
            help="KS1 (years 0-2), KS2 (3-6), KS3 (7-9), KS4 (10-11 and above).",
        ),
        _c(
            "Basic Entitlement",
            M,
            required=True,
            help="The schools formula's basic per-pupil rate for a full year (AWPU).",
        ),
        _c("FSM6", M, help="Added to A for a pupil with FSM6 = Yes."),
        _c("IDACI", M, help="Added to A for a pupil with IDACI = Yes."),
        _c("EAL", M, help="Added to A for a pupil with EAL = Yes."),
        _c("LPA", M, help="Added to A for a pupil with LPA (low prior attainment) = Yes."),
        _c("Pupil Premium", M, help="The pupil premium rate for a full year."),
    ),
    note="The schools formula's pupil-led rates for a full year, by key stage (A in A x B / 52).",
    needed_by=("Exclusions", "Placements"),
)
TERMS = TableSpec(
    "Terms",
    (
        _c("Term", required=True, help="The term's name, for example Autumn 2025: the billing period."),
        _c("Start", D, required=True, help="The term's first day."),
        _c("End", D, required=True, help="The term's last day."),
    ),
    note="One row per term of the financial year: the billing periods.",
    needed_by=("Placements", "Exclusions"),
)
CLOSURE_DAYS = TableSpec(
    "ClosureDays",
    (
        _c("From", D, required=True, help="First closed day."),
        _c("To", D, help="Last closed day (blank: one day)."),
        _c("Reason", help="Why the school is closed (INSET, half term, bank holiday): yours, not used."),
    ),
    required=False,
    note="INSET days, half terms and bank holidays inside terms; one date range per row.",
)
PLACEMENTS = TableSpec(
    "Placements",
    (
        _c("Placement ID", required=True, help="Your unique reference for the placement."),
        _c("Pupil Ref", required=True, help="A pseudonymous reference: never a name or UPN."),
        _c("Home URN", INT, required=True, help="The school the pupil is on the roll of (charged)."),
        _c("Provider ID", required=True, help="A Provider ID of the Providers table."),
        _c(
            "Tier",
            INT,
            required=True,
            choices=TIERS,
            help="The DfE AP tier: 1 targeted support in school, 2 time-limited, 3 longer-term.",
        ),
        _c(
            "Registration",
            choices=REGISTRATIONS,
            charges=True,
            help="Dual: still on the school's roll (chargeable); Single: on the provider's roll only.",
        ),
        _c(
            "Reason",
            required=True,
            choices=REASONS,
            help="Why the pupil is placed: Permanent exclusion, At risk of exclusion, Medical, Awaiting EHCP or Other.",
        ),
        _c("Start Date", D, required=True, help="The placement's first day."),
        _c("End Date", D, help="Blank: runs to the end of the last term of the year."),
        _c("Days per Week", N, charges=True, help="0 to 5; charges are scaled by Days per Week / 5 (blank: 5)."),
        _c("Year Group", INT, help="0 (Reception) to 14; gives the key stage."),
        _c("Charge Basis", choices=CHARGE_BASES, charges=True, help="Overrides the provider's charge basis."),
        _c("Charge Rate", N, charges=True, help="Overrides the provider's charge rate."),
        _c("Planned Weeks", N, help="A placement running longer is flagged."),
        _c("Outcome", help="For example Returned to mainstream (counted in the reintegration rate)."),
        _c(
            "EHCP", Y, choices=YES_NO, help="Yes: the pupil has an Education, Health and Care Plan (equality analysis)."
        ),
        _c("SEN Support", Y, choices=YES_NO, help="Yes: the pupil has SEN support (equality analysis)."),
        _c("FSM6", Y, choices=YES_NO, help="Yes: free school meals in the last six years (equality analysis)."),
        _c("Sex", help="The pupil's sex as recorded (equality analysis)."),
        _c("Ethnicity", help="The pupil's ethnicity as recorded (equality analysis)."),
    ),
    required=False,
    note="One row per AP placement. Pupil Ref is pseudonymous: never a name or UPN.",
)
EXCLUSIONS = TableSpec(
    "Exclusions",
    (
        _c("Exclusion ID", required=True, help="Your unique reference for the exclusion."),
        _c("Pupil Ref", required=True, help="The pupil's pseudonymous reference: never a name or UPN."),
        _c("Excluding URN", INT, required=True, help="The school that excluded the pupil."),
        _c("Exclusion Date", D, required=True, help="The date of the exclusion decision."),
        _c("Relevant Date", D, help="When the exclusion takes effect for funding (B counts from it)."),
        _c("Year Group", INT, required=True, help="Gives the key stage of A and the leaving-year exception."),
        _c("FSM6", Y, choices=YES_NO, help="Yes: the pupil attracts the FSM6 rate in A."),
        _c("IDACI", Y, choices=YES_NO, help="Yes: the pupil attracts the IDACI rate in A."),
        _c("EAL", Y, choices=YES_NO, help="Yes: the pupil attracts the EAL rate in A."),
        _c("LPA", Y, choices=YES_NO, help="Yes: the pupil attracts the low prior attainment rate in A."),
        _c("Pupil-led Amount", M, help="A given directly, instead of from PupilRates."),
        _c("Pupil Premium", M, help="The pupil's own pupil premium amount, instead of the rate."),
        _c("Adjustment Order", M, help="C: the amount of a financial adjustment order."),
        _c("Admitting URN", INT, help="The school that admitted the pupil (credited D x E / F)."),
        _c("Admission Date", D, help="When another school admitted the pupil (its credit counts E from here)."),
        _c("Reinstated Date", D, help="The excluding school is repaid from this date."),
    ),
    required=False,
    note="Permanent exclusions. Relevant Date = when the exclusion takes effect for funding.",
)
SCENARIOS = TableSpec(
    "Scenarios",
    (
        _c("Scenario", required=True, help="The scenario's name; rows with the same name form one scenario."),
        _c("Target", required=True, choices=SCENARIO_TARGETS, help="What is overridden."),
        _c(
            "Key",
            required=True,
            help="A setting's name; `<District>/<Column>`; or a factor's or rule's name (or `<Name>/<Column>`).",
        ),
        _c("Value", required=True, help="The value used in the scenario."),
    ),
    required=False,
    note="Rows with the same Scenario form one scenario; each overrides one setting, district cell or factor value.",
)

DISTRICT_MAP = TableSpec(
    "DistrictMap",
    (
        _c("GIAS District", required=True, help="A GIAS DistrictAdministrative (name), as import-schools reads it."),
        _c("District", required=True, help="Your AP district it belongs to (a District of the Districts table)."),
    ),
    required=False,
    note="import-schools: GIAS DistrictAdministrative (name) -> your AP district (same name when not listed).",
)
FINANCE_EXPORT = TableSpec(
    "FinanceExport",
    (
        _c("Field", required=True, help="A field of the row's File (the warning lists them)."),
        _c("Column Header", help="The header your finance system expects for it (blank: the field's own name)."),
        _c(
            "File",
            choices=(AR_FILE, JOURNAL_FILE),
            help=f"The file the row describes: {AR_FILE} (also when blank, or without this column) or {JOURNAL_FILE}.",
        ),
    ),
    required=False,
    note=f"export-finance: the columns of {AR_FILE} and {JOURNAL_FILE}, in order, renamed for your finance system.",
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
    DISTRICT_MAP,
    FINANCE_EXPORT,
)

#: Last year's inputs, kept by ``rollover`` so that a new year's run recomputes last year's documents
#: (and credits those its corrected inputs change). Each is its table's columns under the name
#: ``LastYear<Table>``; only Placements and Exclusions are on sheets shown to the officer.
LAST_YEAR_PREFIX = "LastYear"
LAST_YEAR_SOURCES: tuple[TableSpec, ...] = (
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
)
LAST_YEAR_SHOWN: tuple[TableSpec, ...] = (PLACEMENTS, EXCLUSIONS)


def last_year_name(name: str) -> str:
    """The name of last year's copy of the table ``name``: ``LastYearPlacements``."""
    return f"{LAST_YEAR_PREFIX}{name}"


INVOICE_REGISTER = TableSpec(
    "InvoiceRegister",
    (
        _c("Number", required=True, width=20, help="Every document number ever used, in order: never reused."),
        _c("Kind", required=True, width=18, help="Invoice, Credit note or Budget adjustment."),
        _c("URN", ID, width=9, help="The school's URN."),
        _c("Period", width=14, help="The term the document is for."),
        _c("Net", M, help="The document's net amount."),
        _c("VAT", M, help="Net x VAT rate."),
        _c("Gross", M, help="Net + VAT."),
        _c(
            "Status",
            required=True,
            choices=choices_of(RegisterStatus),
            width=10,
            help="Draft (may still change), Issued (never changed) or Credited (replaced by a credit note).",
        ),
        _c("Issued On", D, width=12, help="The date it was issued."),
        _c("Supersedes", width=20, help="For a credit note: the number of the document it credits."),
        _c("Exported On", D, width=12, help="When export-finance sent it to the ledger: never exported twice."),
        _c("Finance Ref", width=16, help="Yours: the finance system's own number for the document."),
        # Last and narrow: the model's bookkeeping, not for reading (a register the user already
        # has keeps its own column order: it is read by header name).
        _c(
            "Key",
            required=True,
            width=10,
            help="The model's own key, which ties the number to what it bills (BA|URN|term, INV|URN|term or "
            "CR|number): never edit it; you need not read it.",
        ),
    ),
    required=False,
    note="Written by the model: every invoice number ever used. Do not edit Issued rows "
    "(Finance Ref is yours: the finance system's number for the document).",
)

#: The model's own record of every number it has handed out (domain/register.py, ``check``):
#: the register's columns, on a hidden sheet; rows whose register row was deleted stay here.
REGISTER_LOG = TableSpec(
    "RegisterLog",
    INVOICE_REGISTER.columns,
    required=False,
    note="Written by the model: what each number was when last written. Never edit it.",
)

# --- Output tables (replaced whole on every run) ---------------------------------------------
#
# Each output table's columns are declared here, beside its name; reports/ fills the rows. A
# column named with a placeholder (``<Factor> £``, ``<Scenario> Change %``) stands for one column
# per factor or scenario of the run, in that place (``OutputSpec.expand``).

SUMMARY = "Summary"
DISTRICT_ALLOCATIONS = "DistrictAllocations"
SCHOOL_ALLOCATIONS = "SchoolAllocations"
ALLOCATION_SUBTOTALS = "AllocationSubtotals"
PROVIDER_FUNDING = "ProviderFunding"
DISTRICT_ALLOCATION_TOTALS = "DistrictAllocationTotals"
SCHOOL_ALLOCATION_TOTALS = "SchoolAllocationTotals"
PROVIDER_FUNDING_TOTALS = "ProviderFundingTotals"
RECOUPMENT = "Recoupment"
INVOICES = "Invoices"
RECOUPMENT_TOTALS = "RecoupmentTotals"
INVOICE_TOTALS = "InvoiceTotals"
WARNINGS = "Warnings"
TRACE = "Trace"
SCENARIO_COMPARISON = "ScenarioComparison"
SCENARIO_COMPARISON_TOTALS = "ScenarioComparisonTotals"
EQUALITY_ANALYSIS = "EqualityAnalysis"
EQUALITY_ANALYSIS_TOTALS = "EqualityAnalysisTotals"
AP_OUTCOMES = "APOutcomes"
AP_OUTCOMES_TOTALS = "APOutcomesTotals"
CONTENTS = "Contents"
NOTES = "Notes"

#: The placeholders of repeated columns, and what each stands for.
FACTOR = "<Factor>"
SCENARIO = "<Scenario>"


@dataclass(frozen=True)
class OutputSpec:
    """An output table's name, one line on what it holds (the Contents sheet) and its columns."""

    name: str
    holds: str
    columns: tuple[Column, ...]

    def expand(self, **names: Sequence[str]) -> list[Column]:
        """The columns with each run of placeholder columns repeated once per name, in order.

        ``expand(factor=["IDACI", "FSM6"])`` turns ``<Factor> Value, <Factor> £`` into
        ``IDACI Value, IDACI £, FSM6 Value, FSM6 £``. Headers stay unique, as an Excel table's
        must: scenarios "Alt" and "Alt Change" both make "Alt Change £", so the second is
        "Alt Change £ (2)".
        """
        placeholders = {FACTOR: names.get("factor", ()), SCENARIO: names.get("scenario", ())}
        columns: list[Column] = []
        index = 0
        while index < len(self.columns):
            column = self.columns[index]
            token = next((t for t in placeholders if t in column.name), None)
            if token is None:
                columns.append(column)
                index += 1
                continue
            run = [column]
            while index + len(run) < len(self.columns) and token in self.columns[index + len(run)].name:
                run.append(self.columns[index + len(run)])
            for name in placeholders[token]:
                columns += [replace(c, name=c.name.replace(token, name)) for c in run]
            index += len(run)
        return _unique_names(columns)


def _unique_names(columns: list[Column]) -> list[Column]:
    """Each header unique ignoring case and spacing (as Excel compares them): later repeats get " (2)", " (3)"."""
    seen: set[str] = set()
    unique: list[Column] = []
    for column in columns:
        name, n = column.name, 1
        while normalise(name) in seen:
            n += 1
            name = f"{column.name} ({n})"
        seen.add(normalise(name))
        unique.append(column if name == column.name else replace(column, name=name))
    return unique


def _o(name: str, kind: Kind, width: float | None, help: str) -> Column:
    return Column(name, kind, width=width, help=help)


_URN = _o("URN", ID, 9, "The school's Unique Reference Number (GIAS).")
_SCHOOL = _o("School", T, 34, "The school's name, from Schools.")
_DISTRICT = _o("District", T, 22, "The AP district, from Districts.")
_MODEL = _o("Funding Model", T, 12, "Delegated (to the Lead PRU), Devolved (to schools) or Hybrid (both).")
_PERIOD = _o("Period", T, 14, "The term (billing period) the line or document belongs to, from Terms.")

SUMMARY_SPEC = OutputSpec(
    SUMMARY,
    "The run at a glance: budget, allocated, difference, counts of problems, recoupment totals.",
    (
        _o("Item", T, 34, "What the figure is."),
        _o("Value", T, 60, "The figure (money in £), or a word."),
    ),
)
DISTRICT_ALLOCATIONS_SPEC = OutputSpec(
    DISTRICT_ALLOCATIONS,
    "Stage 1: the AP budget shared between districts by the DistrictFactors, with protection.",
    (
        _o("District", T, 22, "The AP district."),
        _o("Area", T, 14, "The district's area, from Districts."),
        _MODEL,
        _o(f"{FACTOR} Value", N, None, "The district's total of the factor's Schools column (after its phase filter)."),
        _o(f"{FACTOR} £", M, None, "The district's share of the factor's weight x the pot."),
        _o("Lump Sum", M, None, "A fixed sum for the district, taken off the pot before the factors share it."),
        _o("Formula Amount", M, None, "The factor amounts plus the lump sum."),
        _o("Unprotected Allocation", M, None, "The formula amount before protection (floor and cap)."),
        _o("Protection Adjustment", M, None, "What the floor adds or the cap takes away (adds up to 0.00)."),
        _o("Final Allocation", M, None, "What the district receives: unprotected allocation + protection."),
        _o("Devolved", M, None, "The part of the final allocation devolved to schools."),
        _o("Delegated", M, None, "The part of the final allocation delegated to the Lead PRU."),
        _o("Previous Allocation", M, None, "Last year's allocation, from Districts (blank: none)."),
        _o("Change", M, None, "Final allocation - previous allocation."),
        _o("Change %", P, None, "Change / previous allocation."),
    ),
)
SCHOOL_ALLOCATIONS_SPEC = OutputSpec(
    SCHOOL_ALLOCATIONS,
    "Stage 2: devolved funding per school receiving it, each SchoolFactor, and financial redress.",
    (
        _URN,
        _SCHOOL,
        _DISTRICT,
        _MODEL,
        _o(f"{FACTOR} £", M, None, "The school's share of the district's devolved pot for this factor."),
        _o("Devolved Allocation", M, None, "The school's factor amounts added up, before redress."),
        _o("Redress Withheld", M, None, "Financial redress deducted, negative (the measure above its threshold)."),
        _o("Redress Received", M, None, "Its share of the redress withheld from other schools of the district."),
        _o("Final Devolved Allocation", M, None, "Devolved Allocation + Withheld (negative) + Received."),
    ),
)
ALLOCATION_SUBTOTALS_SPEC = OutputSpec(
    ALLOCATION_SUBTOTALS,
    "The allocation added up by district, by area and for the county (county = areas = districts).",
    (
        _o("Level", T, 10, "County, Area or District: what the row adds up."),
        _o("Name", T, 22, "The county (the LA), the area or the district."),
        _o("Area", T, 14, "The area the row belongs to (blank on the County row)."),
        _o("Schools Funded", INT, None, "Schools with a row in SchoolAllocations (devolved funding or redress)."),
        _o("Final Allocation", M, None, "The districts' final allocations added up (County: Allocated to districts)."),
        _o("Devolved", M, None, "The part devolved to schools, from DistrictAllocations."),
        _o("Delegated", M, None, "The part delegated to the Lead PRU (a Delegated district's whole allocation)."),
        _o(
            "Schools Final Devolved",
            M,
            None,
            "The schools' Final Devolved Allocation added up (Devolved less redress sent to a Lead PRU).",
        ),
    ),
)
PROVIDER_FUNDING_SPEC = OutputSpec(
    PROVIDER_FUNDING,
    "Stage 2: delegated funding per provider (place funding plus top-up).",
    (
        _o("Provider ID", T, 12, "The provider's ID, from Providers."),
        _o("Provider", T, 34, "The provider's name."),
        _DISTRICT,
        _o("Commissioned Places", INT, None, "Places commissioned, from Providers."),
        _o("Place Funding", M, None, "Commissioned places x the Place funding rate setting."),
        _o("Top-up", M, None, "The rest of the delegated allocation, above place funding."),
        _o("Redress Received", M, None, "Redress sent to the Lead PRU (Redress destination = Lead PRU)."),
        _o("Delegated Allocation", M, None, "Place funding + top-up + redress received."),
    ),
)
#: The kinds of column a totals table adds up (money, numbers and counts; never a URN, a date or a %).
SUMMED_KINDS = (Kind.MONEY, Kind.NUMBER, Kind.INT)


def _summed_columns(of: OutputSpec, note: str = "") -> tuple[Column, ...]:
    """``of``'s money, number and count columns, each as its totals table shows it added up."""
    summed = [c for c in of.columns if c.kind in SUMMED_KINDS]
    return tuple(replace(c, help=f"The {c.name} column of {of.name} added up{note}.") for c in summed)


def _totals_spec(of: OutputSpec, name: str, holds: str, count: Column, note: str = "") -> OutputSpec:
    """The totals table of ``of``: how many rows it has, then each of its summed columns added up.

    Its columns are ``of``'s own (same names, factors repeated the same way), so a totals table
    is declared by the table it adds up and cannot drift from it. ``note`` ends each summed
    column's help (what the sum counts, when that needs saying).
    """
    return OutputSpec(name, holds, (count, *_summed_columns(of, note)))


DISTRICT_ALLOCATION_TOTALS_SPEC = _totals_spec(
    DISTRICT_ALLOCATIONS_SPEC,
    DISTRICT_ALLOCATION_TOTALS,
    "DistrictAllocations added up in one row: each money and number column sums to the districts' to the penny.",
    _o("Districts", INT, 10, "How many districts DistrictAllocations has a row for."),
)
SCHOOL_ALLOCATION_TOTALS_SPEC = _totals_spec(
    SCHOOL_ALLOCATIONS_SPEC,
    SCHOOL_ALLOCATION_TOTALS,
    "SchoolAllocations added up in one row: each money column sums to the schools' to the penny.",
    _o("Schools", INT, 10, "How many schools SchoolAllocations has a row for."),
)
PROVIDER_FUNDING_TOTALS_SPEC = _totals_spec(
    PROVIDER_FUNDING_SPEC,
    PROVIDER_FUNDING_TOTALS,
    "ProviderFunding added up in one row: places and each money column sum to the providers' to the penny.",
    _o("Providers", INT, 10, "How many providers ProviderFunding has a row for."),
)
RECOUPMENT_SPEC = OutputSpec(
    RECOUPMENT,
    "Every charge to and credit for a school, with its legal basis, workings and status.",
    (
        _o("Line ID", T, 24, "The line's stable reference (kind, source row and period)."),
        _URN,
        _o("School", T, 30, "The school charged or credited."),
        _o(
            "Type",
            T,
            22,
            "Exclusion adjustment, Pupil premium, Admitting credit, Reinstatement repayment or Placement charge.",
        ),
        _o("Legal Basis", T, 18, "Statutory (reg 39), Local agreement or Not recoverable."),
        _o("Settlement", T, 18, "Budget adjustment (maintained school), Invoice (academy) or None."),
        _o("Pupil Ref", T, 12, "The pupil's pseudonymous reference: never a name or UPN."),
        _o("Source ID", T, 12, "The Placement ID or Exclusion ID the line comes from."),
        _PERIOD,
        _o("A", M, None, "Statutory adjustment: the pupil-led amount for a full year."),
        _o("B", INT, 6, "Statutory adjustment: complete weeks from the relevant date to 31 March (or the year end)."),
        _o("C", M, None, "Statutory adjustment: the adjustment order, from Exclusions."),
        _o("D", M, None, "Statutory lines: the deduction before C (A x B / 52)."),
        _o("E", INT, 6, "Admitting credit: complete weeks from the admission; reinstatement: from the reinstatement."),
        _o("F", INT, 6, "Admitting credit and reinstatement: B (credit = D x E / F)."),
        _o("Rate", N, None, "Placement charge: the charge rate (£ a day or a week, or % of AWPU)."),
        _o("Days", INT, 7, "Placement charge: school days charged; statutory lines: the days counted for B (or E)."),
        _o("Amount", M, None, "The line's amount: a charge positive, a credit negative."),
        _o("Status", T, 16, "Recoverable, Not recoverable, Out of year or Blocked (held back by an Error)."),
        _o("Tier", ID, 6, "The DfE AP tier of a placement: 1, 2 or 3."),
    ),
)
INVOICES_SPEC = OutputSpec(
    INVOICES,
    "One row per invoice, credit note or budget adjustment of the year.",
    (
        _o("Number", T, 20, "The document's number, {Invoice prefix}-{FY}-{00001}, kept in InvoiceRegister."),
        _o("Kind", T, 18, "Invoice, Credit note (academies) or Budget adjustment (maintained schools)."),
        _URN,
        _o("School", T, 30, "The school billed or credited."),
        _o("Trust", T, 24, "The academy's trust, from Schools."),
        _PERIOD,
        _o("Date", D, 12, "The document's date (the run date or --date)."),
        _o("Due", D, 12, "Date + Payment terms (days)."),
        _o("Net", M, None, "The term's recoverable lines added up (positive: owed by the school)."),
        _o("VAT", M, None, "Net x VAT rate."),
        _o("Gross", M, None, "Net + VAT."),
        _o("Status", T, 10, "Draft, Issued or Credited."),
    ),
)
RECOUPMENT_TOTALS_SPEC = OutputSpec(
    RECOUPMENT_TOTALS,
    "Recoupment added up by term, type and status: its Amount column sums to Recoupment's to the penny, "
    "and its Recoverable rows to Summary's Net recoupment.",
    (
        _PERIOD,
        _o("Type", T, 22, "The Recoupment lines' Type."),
        _o("Status", T, 16, "The lines' Status: Recoverable (in Summary's chain and invoiced) or not."),
        _o("Lines", INT, 7, "How many Recoupment lines of the term, type and status."),
        _o("Amount", M, None, "Their Amount added up."),
    ),
)
INVOICE_TOTALS_SPEC = OutputSpec(
    INVOICE_TOTALS,
    "Invoices added up by term and kind: Net, VAT and Gross sum to the Invoices columns to the penny.",
    (
        _PERIOD,
        _o("Kind", T, 18, "The documents' Kind: Invoice, Credit note or Budget adjustment."),
        _o("Documents", INT, 10, "How many documents of the term and kind."),
        _o("Net", M, None, "Their Net added up."),
        _o("VAT", M, None, "Their VAT added up."),
        _o("Gross", M, None, "Their Gross added up."),
    ),
)
WARNINGS_SPEC = OutputSpec(
    WARNINGS,
    "Every problem found in the inputs, with a link to the cell: Errors block what depends on them.",
    (
        _o("Severity", T, 10, "Error (the rows it affects are left out), Warning (computed, check it) or Info."),
        _o("Code", T, 34, "A stable code for the kind of problem (listed in the docs)."),
        _o("Table", T, 16, "The input table the problem is in."),
        _o("Row", ID, 7, "The sheet row of the problem."),
        _o("Column", T, 20, "The column of the problem."),
        _o("Value", T, 20, "The value seen."),
        _o("Message", T, 90, "What is wrong and what to do, in words."),
        _o("Link", T, 12, "Go to cell: jumps to the cell (Error and Warning rows)."),
    ),
)
TRACE_SPEC = OutputSpec(
    TRACE,
    "How every published figure was worked out: whose it is, the formula, the inputs and the value.",
    (
        _o("Figure", T, 24, "The published figure (a district allocation, a school's factor amount, B...)."),
        _URN,
        _o("School", T, 26, "The school's name, for a school's figure or a recoupment line."),
        _o("District", T, 14, "The district the figure belongs to."),
        _o("Line", T, 20, "The Recoupment line's Line ID, for a recoupment figure."),
        _o(
            "Detail",
            T,
            20,
            "What within it: a provider, a term, a factor, a redress rule, or the LA for a county figure.",
        ),
        _o("Formula", T, 44, "The rule, as a formula."),
        _o("Inputs", T, 64, "The figures put into the formula."),
        _o("Value £", M, 16, "The result, when it is money."),
        _o("Value", N, 14, "The result, when it is not money (a ratio, a count, days or weeks): see Formula."),
    ),
)
SCENARIO_COMPARISON_SPEC = OutputSpec(
    SCENARIO_COMPARISON,
    "Each scenario beside the baseline, per district, school and provider: who gains, who loses.",
    (
        _o("Level", T, 10, "District, School or Provider."),
        _o("Code", T, 12, "The school's URN or the provider's ID."),
        _o("Name", T, 36, "The district, school or provider."),
        _o("District", T, 22, "The district of a school or provider."),
        _o("Baseline £", M, 16, "The allocation with the workbook's inputs as they are."),
        _o(f"{SCENARIO} £", M, 16, "The allocation with the scenario's overrides."),
        _o(f"{SCENARIO} Change £", M, 16, "Scenario - baseline (negative: loses)."),
        _o(f"{SCENARIO} Change %", P, 12, "Change / baseline."),
    ),
)
SCENARIO_COMPARISON_TOTALS_SPEC = OutputSpec(
    SCENARIO_COMPARISON_TOTALS,
    "ScenarioComparison added up per level: each money column sums to the level's rows to the penny.",
    (
        _o("Level", T, 10, "District, School or Provider: the rows of ScenarioComparison added up."),
        _o("Rows", INT, 8, "How many rows of the level ScenarioComparison has."),
        *_summed_columns(SCENARIO_COMPARISON_SPEC, " over the level's rows"),
        _o(f"{SCENARIO} Change %", P, 12, "The level's Change £ / its Baseline £ (not a sum of the rows' %)."),
    ),
)
EQUALITY_ANALYSIS_SPEC = OutputSpec(
    EQUALITY_ANALYSIS,
    "Placements and exclusions by year group, sex, ethnicity, SEN status and tier.",
    (
        _o("Measure", T, 12, "Placements or Exclusions."),
        _o("Breakdown", T, 12, "Year group, sex, ethnicity, SEN status or tier."),
        _o("Group", T, 28, "The group within the breakdown."),
        _o("Count", INT, 9, "How many ([c]: 1 to 4, or one that would reveal them)."),
        _o("On Roll", INT, 10, "Pupils of the group on roll (Schools Boys, Girls, ...; a tier: all); [x]: not given."),
        _o("Per 1,000 Pupils", N, 12, "Count per 1,000 pupils of the group on roll (On Roll); [x]: roll not given."),
        _o("Share of AP", P, 10, "Count / the breakdown's total."),
        _o("Share of Roll", P, 10, "On Roll / all pupils on roll: compare with Share of AP; [z] for a tier."),
    ),
)
EQUALITY_ANALYSIS_TOTALS_SPEC = OutputSpec(
    EQUALITY_ANALYSIS_TOTALS,
    "EqualityAnalysis added up: one row per measure and breakdown, its groups' counts summed.",
    (
        _o("Measure", T, 12, "Placements or Exclusions."),
        _o("Breakdown", T, 12, "Year group, sex, ethnicity, SEN status or tier."),
        _o("Groups", INT, 8, "How many groups (rows) of the breakdown EqualityAnalysis has."),
        _o("Count", INT, 9, "The breakdown's groups added up: every placement or exclusion ([c]: 1 to 4)."),
        _o("On Roll", INT, 10, "All pupils on roll (the Schools Pupils column); [x]: not given."),
        _o("Per 1,000 Pupils", N, 12, "Count per 1,000 pupils on roll (On Roll); [x]: roll not given."),
    ),
)
AP_OUTCOMES_SPEC = OutputSpec(
    AP_OUTCOMES,
    "Per tier and provider: placements, weeks, over-running placements, reintegration.",
    (
        _o("Tier", T, 10, "The DfE AP tier (Tier 1, 2 or 3), or All tiers."),
        _o("Provider ID", T, 12, "The provider's ID."),
        _o("Provider", T, 34, "The provider's name."),
        _o("Placements", INT, 11, "Placements in the year."),
        _o("Average Weeks", N, 10, "Average school weeks of a placement in the year."),
        _o("Longest Weeks", INT, 10, "The longest placement's school weeks."),
        _o("Over Planned Weeks", INT, 11, "Placements that ran past their Planned Weeks."),
        _o("Ended", INT, 9, "Placements that ended in the year."),
        _o("Returned to Mainstream", INT, 12, "Ended placements whose Outcome is a return to mainstream."),
        _o("Reintegration Rate", P, 12, "Returned / ended."),
        _o("Recovered £", M, 14, "Recoverable charges for these placements."),
    ),
)
AP_OUTCOMES_TOTALS_SPEC = OutputSpec(
    AP_OUTCOMES_TOTALS,
    "APOutcomes added up: one row per tier (its providers' placements together), then All tiers.",
    (
        _o("Tier", T, 10, "The DfE AP tier (Tier 1, 2 or 3), or All tiers (the three tiers together)."),
        _o("Providers", INT, 10, "How many provider rows of the tier APOutcomes has (All tiers: of every tier)."),
        _o("Placements", INT, 11, "The tier's placements in the year (its providers' added up)."),
        _o("Average Weeks", N, 10, "Average school weeks of the tier's placements in the year."),
        _o("Longest Weeks", INT, 10, "The tier's longest placement's school weeks."),
        _o("Over Planned Weeks", INT, 11, "The tier's placements that ran past their Planned Weeks."),
        _o("Ended", INT, 9, "The tier's placements that ended in the year."),
        _o("Returned to Mainstream", INT, 12, "The tier's ended placements whose Outcome is a return to mainstream."),
        _o("Reintegration Rate", P, 12, "The tier's returned / its ended (not an average of the providers' rates)."),
        _o("Recovered £", M, 14, "Recoverable charges for the tier's placements (its providers' added up)."),
    ),
)

#: The template's guide sheet (first in a new workbook): listed in Contents as what it is.
README_SHEET = "ReadMe"
README_HOLDS = "How to use this workbook: what each sheet holds and how to fill it in."

CONTENTS_SPEC = OutputSpec(
    CONTENTS,
    "This list: every sheet of the workbook, with a link to it.",
    (
        _o("Sheet", T, 22, "The sheet's name (its tab)."),
        _o("Holds", T, 90, "What is on it."),
        _o(
            "Kind",
            T,
            10,
            "Input (you type it), Output (each run replaces it), Kept (the model keeps it) or Yours (a sheet "
            "the model neither reads nor changes, such as the ReadMe).",
        ),
        _o("Go to", T, 12, "Open the sheet."),
    ),
)
NOTES_SPEC = OutputSpec(
    NOTES,
    "What every output column means, and the words the model uses (Stage 1, top-up, tiers, A to F...).",
    (
        _o("Table", T, 20, "The output table, or Terms for a word the model uses."),
        _o("Column", T, 26, "The column, or the word."),
        _o("Meaning", T, 100, "What it means."),
    ),
)

OUTPUT_SPECS: tuple[OutputSpec, ...] = (
    SUMMARY_SPEC,
    DISTRICT_ALLOCATIONS_SPEC,
    DISTRICT_ALLOCATION_TOTALS_SPEC,
    SCHOOL_ALLOCATIONS_SPEC,
    SCHOOL_ALLOCATION_TOTALS_SPEC,
    ALLOCATION_SUBTOTALS_SPEC,
    PROVIDER_FUNDING_SPEC,
    PROVIDER_FUNDING_TOTALS_SPEC,
    RECOUPMENT_SPEC,
    RECOUPMENT_TOTALS_SPEC,
    INVOICES_SPEC,
    INVOICE_TOTALS_SPEC,
    WARNINGS_SPEC,
    TRACE_SPEC,
    SCENARIO_COMPARISON_SPEC,
    SCENARIO_COMPARISON_TOTALS_SPEC,
    EQUALITY_ANALYSIS_SPEC,
    EQUALITY_ANALYSIS_TOTALS_SPEC,
    AP_OUTCOMES_SPEC,
    AP_OUTCOMES_TOTALS_SPEC,
    CONTENTS_SPEC,
    NOTES_SPEC,
)
OUTPUT_TABLES: tuple[str, ...] = tuple(spec.name for spec in OUTPUT_SPECS)

#: Written by the commands that connect to the council's systems (import-schools, rollover), not by a run.
IMPORT_LOG_SPEC = OutputSpec(
    "ImportLog",
    "What import-schools changed: one row per cell changed, school added or placement moved.",
    (
        _URN,
        _o("Column", T, 24, "The Schools column changed (or the table and column, for a placement or exclusion)."),
        _o("Old", T, 30, "The value before the import (blank for a new school)."),
        _o("New", T, 30, "The value from GIAS."),
        _o("Note", T, 70, "Why it changed."),
    ),
)
ROLLOVER_LOG_SPEC = OutputSpec(
    "RolloverLog",
    "What rollover moved into the new financial year, and what the officer still has to do.",
    (
        _o("Table", T, 16, "The table changed."),
        _o("Item", T, 30, "The row or setting."),
        _o("Old", T, 24, "This year's value."),
        _o("New", T, 24, "Next year's value."),
        _o("Note", T, 70, "What was done, or what to check."),
    ),
)


# --- The Forum copy: its own tables, beside the run's tables it republishes (apmodel.reports.forum_copy)
FORUM_COVER = "Cover"
FORUM_SCENARIOS = "Scenarios"
RECOUPMENT_BY_TERM = "RecoupmentByTerm"
RECOUPMENT_BY_TERM_TOTALS = "RecoupmentByTermTotals"
SCHOOL_RECOUPMENT = "SchoolRecoupment"
SCHOOL_RECOUPMENT_TOTALS = "SchoolRecoupmentTotals"
FORUM_COVER_SPEC = OutputSpec(
    FORUM_COVER,
    "The paper's front page: what it is, for which LA and year, who to ask, what the Forum is asked.",
    (_o("Item", T, 22, "What the line is."), _o("Detail", T, 100, "Its text.")),
)
FORUM_SUMMARY_SPEC = OutputSpec(
    SUMMARY,
    "The Forum copy's summary: LA, year, what the copy is and leaves out, the headline figures.",
    (_o("Item", T, 26, "What the figure is."), _o("Value", T, 90, "The figure, or [c] where it would reveal a pupil.")),
)
FORUM_SCENARIOS_SPEC = OutputSpec(
    FORUM_SCENARIOS,
    "Each scenario's overrides in words, and how many districts it makes gain and lose, by how much.",
    (
        _o("Scenario", T, 26, "The scenario's name, from the Scenarios input table."),
        _o("What it changes", T, 60, "Its overrides in words, e.g. 'IDACI Weight 20% -> 35%'."),
        _o("Districts gaining", INT, 10, "Districts whose allocation is higher than the baseline's."),
        _o("Gains £", M, 16, "Their gains added up."),
        _o("Districts losing", INT, 10, "Districts whose allocation is lower than the baseline's."),
        _o("Losses £", M, 16, "Their losses added up (negative)."),
    ),
)
RECOUPMENT_BY_TERM_SPEC = OutputSpec(
    RECOUPMENT_BY_TERM,
    "Recoupment money per term and line type (RecoupmentByTermTotals adds it up).",
    (
        _o("Period", T, 16, "The term."),
        _o("Type", T, 24, "The line type."),
        _o("Recoverable £", M, 16, "Recoverable lines added up, or [c]."),
        _o("Not Recovered £", M, 16, "Lines not recoverable or blocked added up, or [c]."),
    ),
)
SCHOOL_RECOUPMENT_SPEC = OutputSpec(
    SCHOOL_RECOUPMENT,
    "Each school's recoverable charges, credits and net for the year (only when Publish school totals is Yes).",
    (
        _URN,
        _SCHOOL,
        _DISTRICT,
        _o("Charged £", M, 14, "The school's recoverable charges, or [c]."),
        _o("Credited £", M, 14, "Its credits (negative), or [c]."),
        _o("Net £", M, 14, "Charged + Credited, or [c]."),
    ),
)
#: What a Forum copy's recoupment total adds up: every row, the [c] ones too, so it may be [c] itself.
_HIDDEN_TOO = " (every row, [c] ones included), or [c]"
RECOUPMENT_BY_TERM_TOTALS_SPEC = _totals_spec(
    RECOUPMENT_BY_TERM_SPEC,
    RECOUPMENT_BY_TERM_TOTALS,
    "RecoupmentByTerm added up in one row: each money column sums to the rows to the penny, or [c].",
    _o("Rows", INT, 8, "How many rows (term and line type) RecoupmentByTerm has."),
    _HIDDEN_TOO,
)
SCHOOL_RECOUPMENT_TOTALS_SPEC = _totals_spec(
    SCHOOL_RECOUPMENT_SPEC,
    SCHOOL_RECOUPMENT_TOTALS,
    "SchoolRecoupment added up in one row: each money column sums to the schools' to the penny, or [c].",
    _o("Schools", INT, 10, "How many schools SchoolRecoupment has a row for."),
    _HIDDEN_TOO,
)

# --- School packs: the tables in each school's pack workbook (apmodel.reports.packs) --------------
# A width is the sheet column's, set by the first table on the sheet that gives one (None: left as
# the sheet's other table set it). The packs are written by XlsxWriter, which takes whole widths.

_ITEM = _o("Item", T, 32, "What the row is about.")
_DETAIL = _o("Detail", T, 52, "The school's value or the explanation.")

PACK_SCHOOL_DETAILS_SPEC = OutputSpec(
    "SchoolDetails", "Cover: the school, its district and funding model, trust, cost centre and year.", (_ITEM, _DETAIL)
)
PACK_SCHOOL_FIGURES_SPEC = OutputSpec(
    "SchoolFigures",
    "Cover: the school's final devolved allocation and its recoupment charged, credited and net.",
    (
        _o("Item", T, None, "The figure."),
        _o("Note", T, None, "Where the figure comes from in the pack."),
        _o("Amount (£)", M, 16, "The figure in pounds (negative: money to the school)."),
    ),
)
PACK_CONTENTS_SPEC = OutputSpec("PackContents", "Cover: each sheet of the pack and what it holds.", (_ITEM, _DETAIL))
PACK_CONTACTS_SPEC = OutputSpec(
    "Contacts", "Cover: who to contact, how to query a figure, and the pack's privacy note.", (_ITEM, _DETAIL)
)
PACK_ALLOCATION_SPEC = OutputSpec(
    "AllocationTable",
    "Allocation: each factor and redress step of the school's devolved allocation, ending with the final figure.",
    (
        _o("Item", T, 40, "The factor, redress step or total."),
        _o("Amount (£)", M, 16, "Its amount in pounds (redress withheld is negative)."),
        _o("How it is worked out", T, 95, "The sum in words and figures."),
    ),
)
PACK_RECOUPMENT_SPEC = OutputSpec(
    "RecoupmentLines",
    "Recoupment: the school's charges and credits for exclusions and AP placements, one row per line.",
    (
        _o("Line ID", T, 22, "As in Recoupment."),
        _o("Pupil Ref", T, 11, "As in Recoupment: the pupil's pseudonymous reference only."),
        _o("Type", T, 20, "As in Recoupment."),
        _o("Period", T, 13, "As in Recoupment."),
        _o("Legal Basis", T, 16, "As in Recoupment."),
        _o(
            "How it is worked out",
            T,
            66,
            "The line's sum in words and figures: provider, charge basis, dates, school days or weeks, days a "
            "week, rate, basic entitlement; for an exclusion A (and its source), B in complete weeks and days, "
            "C, D; for a credit D x E / F.",
        ),
        _o("Amount (£)", M, 12, "Positive: a charge to the school; negative: a credit."),
        _o("Status", T, 14, "As in Recoupment."),
    ),
)
PACK_TERM_TOTALS_SPEC = OutputSpec(
    "TermTotals",
    "Recoupment: each term's recoverable lines and the document that settles them.",
    (
        _o("Period", T, None, "The term."),
        _o("Charges (£)", M, None, "The term's recoverable charges."),
        _o("Credits (£)", M, None, "The term's recoverable credits."),
        _o("Net (£)", M, None, "Charges plus credits."),
        _o("Document Net (£)", M, None, "The Net of the document that settles them."),
        _o("Settled on", T, None, "That document's kind and number."),
        _o("Ties", T, None, "Yes when Net equals the document's Net."),
    ),
)
PACK_LINE_RULES_SPEC = OutputSpec(
    "LineRules",
    "Recoupment: what each rule, legal basis, status and letter on the sheet means.",
    (_o("Item", T, None, "The rule, legal basis, status or letter."), _o("Explanation", T, None, "What it means.")),
)
PACK_DOCUMENT_LINES_SPEC = OutputSpec(
    "Lines",
    "A document's sheet: its lines (the tables are named Lines_1, Lines_2, ... one per document).",
    (
        _o("Period", T, 16, "The term."),
        _o("Description", T, 46, "The line's type, legal basis and Line ID."),
        _o("Provider", T, 22, "The AP provider, for a placement."),
        _o("Dates", T, 25, "The dates the line covers."),
        _o("Pupil Ref", T, 11, "The pupil's pseudonymous reference only."),
        _o("Amount (£)", M, 13, "The line's amount in pounds."),
    ),
)
PACK_YEAR_FIGURES_SPEC = OutputSpec(
    "YearOnYear",
    "Last year (only after a rollover): the Net of the school's documents of each kind, last year's beside this "
    "year's.",
    (
        _o("Item", T, 32, "Invoices, Credit notes, Budget adjustments, then the net of them all."),
        _o("Last year (£)", M, 16, "The Net of last year's Issued (and later Credited) documents of the kind."),
        _o("This year (£)", M, 16, "The Net of this year's documents of the kind, as listed in the pack (Drafts too)."),
        _o("Change (£)", M, 16, "This year minus last year."),
        _o("Note", T, 64, "How many documents each year, and any Draft of last year left uncounted."),
    ),
)
PACK_LAST_YEAR_DOCUMENTS_SPEC = OutputSpec(
    "LastYearDocuments",
    "Last year: each of the school's documents numbered in last year's series, as the InvoiceRegister keeps it.",
    (
        _o("Number", T, None, "The document number."),
        _o("Net (£)", M, None, "As issued."),
        _o("VAT (£)", M, None, "As issued."),
        _o("Gross (£)", M, None, "As issued."),
        _o("Document", T, None, "Its kind, term and status, the date it was issued and what it replaces."),
    ),
)
#: Every table of a school pack, in the order the pack shows them.
PACK_SPECS: tuple[OutputSpec, ...] = (
    PACK_SCHOOL_DETAILS_SPEC,
    PACK_SCHOOL_FIGURES_SPEC,
    PACK_CONTENTS_SPEC,
    PACK_CONTACTS_SPEC,
    PACK_ALLOCATION_SPEC,
    PACK_RECOUPMENT_SPEC,
    PACK_TERM_TOTALS_SPEC,
    PACK_LINE_RULES_SPEC,
    PACK_YEAR_FIGURES_SPEC,
    PACK_LAST_YEAR_DOCUMENTS_SPEC,
    PACK_DOCUMENT_LINES_SPEC,
)


# --- Settings: declared once, in the domain (apmodel.domain.inputs.SETTING_SPECS) -------------


def default_text(spec: SettingSpec) -> str:
    """A setting's default as the workbook shows it ("" = blank): 10000, 31 July, 6, 11, Yes, District schools."""
    default = spec.default
    if default is None:
        return ""
    if isinstance(default, bool):
        return YES_NO[0] if default else YES_NO[1]
    if isinstance(default, tuple):
        return ", ".join(str(part) for part in default)
    return str(default)


#: Every setting the Settings table may hold, in order, with its default as text ("" = blank or required).
SETTING_LABELS: dict[str, str] = {spec.label: default_text(spec) for spec in SETTING_SPECS}
#: Each setting's declaration by its label.
SETTING_SPEC_BY_LABEL: dict[str, SettingSpec] = {spec.label: spec for spec in SETTING_SPECS}

#: Each setting by its matching form (``normalise``d label), for finding a setting as the user typed it.
SETTING_LABEL_BY_KEY: dict[str, str] = {normalise(label): label for label in SETTING_LABELS}

#: How a Value of each kind is formatted in the template (kinds not named here are text).
_SETTING_CELL_KINDS: dict[SettingKind, Kind] = {
    SettingKind.MONEY: Kind.MONEY,
    SettingKind.PERCENT: Kind.PERCENT,
    SettingKind.WHOLE: Kind.INT,
    SettingKind.YES_NO: Kind.YES_NO,
}
#: How a setting's Value is formatted (settings not named here are text).
SETTING_KINDS: dict[str, Kind] = {
    spec.label: _SETTING_CELL_KINDS[spec.kind] for spec in SETTING_SPECS if spec.kind in _SETTING_CELL_KINDS
}

REDRESS_DESTINATIONS = choices_of(RedressDestination)
VAT_TREATMENTS = choices_of(VatTreatment)
#: The settings that give a type of recoupment line its VAT treatment.
VAT_TREATMENT_SETTINGS = tuple(label for label in SETTING_LABELS if label.startswith("VAT treatment: "))

#: The settings with fixed choices (dropdowns in the template).
SETTING_CHOICES: dict[str, tuple[str, ...]] = {
    spec.label: YES_NO if spec.kind is SettingKind.YES_NO else spec.choices
    for spec in SETTING_SPECS
    if spec.kind in (SettingKind.YES_NO, SettingKind.CHOICE)
}
