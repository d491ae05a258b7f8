"""Lazy validation of the input tables: every problem is a finding, nothing raises."""

from datetime import date
from decimal import Decimal
from typing import Any

from apmodel.domain.findings import Findings, Severity
from apmodel.domain.inputs import FundingModel, Reason, RedressDestination, VatTreatment
from apmodel.workbook.interface import CellError, RawTable
from apmodel.workbook.parse import parse_inputs, parse_settings


def table(name: str, header: list[str], rows: list[list[Any]], header_row: int = 3) -> RawTable:
    return RawTable(name, name, header, rows, header_row=header_row, first_column=1)


def settings_table(**overrides: object) -> RawTable:
    values: dict[str, object] = {"Financial year": "2025-26", "AP budget": 20_000_000, "LA name": "Kent"}
    values.update({k.replace("_", " "): v for k, v in overrides.items()})
    return table("Settings", ["Setting", "Value", "Notes"], [[k, v, ""] for k, v in values.items()])


def codes(findings: Findings) -> list[str]:
    return [f.code for f in findings.items]


def test_settings_read_percent_text_and_fractions_alike() -> None:
    findings = Findings()
    raw = settings_table(**{"Protection floor": "-2%", "Protection cap": 0.05, "VAT rate": 0})
    settings = parse_settings(raw, findings)
    assert settings is not None
    assert settings.protection_floor == Decimal("-0.02")
    assert settings.protection_cap == Decimal("0.05")
    assert settings.financial_year.label == "2025-26"
    # School year end defaults to 31 July inside the financial year.
    assert settings.school_year_end == date(2025, 7, 31)
    assert settings.redress_destination is RedressDestination.DISTRICT_SCHOOLS
    assert findings.items == []


def test_vat_treatments_default_to_outside_scope_and_read_the_allowed_words() -> None:
    findings = Findings()
    raw = settings_table(**{"VAT treatment: Placement charge": "standard", "VAT treatment: Pupil premium": "Zero"})
    settings = parse_settings(raw, findings)
    assert settings is not None
    assert settings.vat_placement_charge is VatTreatment.STANDARD
    assert settings.vat_exclusion_adjustment is VatTreatment.OUTSIDE_SCOPE
    # "Zero" is not a treatment: an Error listing the allowed words, and the default stands.
    assert settings.vat_pupil_premium is VatTreatment.OUTSIDE_SCOPE
    [finding] = findings.items
    assert (finding.severity, finding.code) == (Severity.ERROR, "NOT_ALLOWED")
    assert "Standard, Exempt, Outside scope" in finding.message


def test_percentage_settings_that_would_take_more_than_100_percent_are_errors() -> None:
    findings = Findings()
    raw = settings_table(**{"VAT rate": 150, "Protection floor": "-120%", "Protection cap": 150})
    settings = parse_settings(raw, findings)
    assert settings is not None
    # 150 is 150%: VAT of more than the net, and a floor of -120% would take more than the whole allocation.
    assert [(f.code, f.severity) for f in findings.items] == [("PERCENT_OVER_100", Severity.ERROR)] * 2
    assert (settings.vat_rate, settings.protection_floor) == (Decimal(0), None)
    # A cap of +150% takes nothing: it is allowed.
    assert settings.protection_cap == Decimal("1.5")


def test_financial_year_accepts_common_spellings() -> None:
    for spelling in ("2025/26", "FY2025-26", "2025-2026", 2025):
        settings = parse_settings(settings_table(**{"Financial year": spelling}), Findings())
        assert settings is not None and settings.financial_year.start_year == 2025


def test_a_misspelled_setting_is_a_warning_not_silently_used() -> None:
    findings = Findings()
    settings = parse_settings(settings_table(**{"Protection flor": "-2%"}), findings)
    assert settings is not None and settings.protection_floor is None
    [finding] = findings.items
    assert (finding.severity, finding.code, finding.table, finding.column) == (
        Severity.WARNING, "UNKNOWN_SETTING", "Settings", "Setting")
    assert finding.row == 7  # header on row 3; fourth data row


def test_budget_typed_as_text_is_an_error_and_blocks_allocation() -> None:
    findings = Findings()
    assert parse_settings(settings_table(**{"AP budget": "twenty million"}), findings) is None
    # One problem, one row: the text error, not a second "missing" one.
    assert codes(findings) == ["NOT_A_NUMBER"]
    assert findings.has_errors()


def test_missing_required_tables_are_errors_each_reported_once() -> None:
    findings = Findings()
    inputs = parse_inputs({}, findings)
    missing = {f.table for f in findings.items if f.code == "MISSING_TABLE"}
    assert {"Settings", "Districts", "Schools", "DistrictFactors", "SchoolFactors", "Providers"} <= missing
    # PupilRates and Terms are needed only by Exclusions and Placements (see the allocation-only test below).
    assert {"PupilRates", "Terms"}.isdisjoint(missing)
    # Optional tables (placements, exclusions, scenarios...) are simply empty.
    assert "Placements" not in missing and inputs.placements == ()


def test_columns_are_found_by_header_text_in_any_order_and_case() -> None:
    findings = Findings()
    districts = table("Districts", ["lump  SUM", "funding model", "DISTRICT", "My notes"],
                      [[100000, "devolved", "Swale", "keep me"]])
    inputs = parse_inputs({"Districts": districts, "Settings": settings_table()}, findings)
    [district] = inputs.districts
    assert district.name == "Swale"
    assert district.funding_model is FundingModel.DEVOLVED
    assert district.lump_sum == Decimal(100000)


def test_missing_required_column_makes_the_table_unusable_with_one_error() -> None:
    findings = Findings()
    districts = table("Districts", ["District", "Area"], [["Swale", "North"]])
    inputs = parse_inputs({"Districts": districts}, findings)
    assert inputs.districts == ()
    [missing] = [f for f in findings.items if f.code == "MISSING_COLUMN"]
    assert (missing.table, missing.column, missing.row) == ("Districts", "Funding Model", 3)


def test_duplicate_ids_keep_the_first_row() -> None:
    findings = Findings()
    districts = table("Districts", ["District", "Funding Model"],
                      [["Swale", "Devolved"], ["swale ", "Delegated"]])
    inputs = parse_inputs({"Districts": districts}, findings)
    assert [d.funding_model for d in inputs.districts] == [FundingModel.DEVOLVED]
    [dup] = [f for f in findings.items if f.code == "DUPLICATE_ID"]
    assert dup.row == 5 and dup.severity is Severity.ERROR


SCHOOL_HEADER = ["URN", "School Name", "District", "Phase", "Type", "KS3 Pupils", "IDACI Pupils"]


def test_school_numbers_named_by_factors_are_read_and_bad_ones_reported() -> None:
    findings = Findings()
    schools = table("Schools", SCHOOL_HEADER, [
        [118001, "Oak", "Swale", "Secondary", "Academy", 600, "12O"],
        [118002, "Ash", "Swale", "Secondary", "Maintained", -4, 30],
        [None, None, None, None, None, None, None],  # a blank row inside the table is skipped
        [118003, "Elm", "Swale", "Secondary", "Maintained", CellError("#DIV/0!"), 10],
    ])
    factors = table("DistrictFactors", ["Factor", "Source Column", "Weight"],
                    [["KS3", "KS3 Pupils", 0.6], ["Deprivation", "IDACI Pupils", "40%"], ["LAC", "Looked After", 0]])
    inputs = parse_inputs({"Schools": schools, "DistrictFactors": factors}, findings)
    oak, ash, elm = inputs.schools
    assert oak.value("KS3 Pupils") == Decimal(600)
    assert oak.value("IDACI Pupils") == Decimal(0)  # text "12O" counts as zero...
    assert ash.value("KS3 Pupils") == Decimal(0)  # ...and so does a negative count
    assert elm.value("IDACI Pupils") == Decimal(10)
    found = {(f.code, f.table, f.row, f.column) for f in findings.items}
    assert ("NOT_A_NUMBER", "Schools", 4, "IDACI Pupils") in found
    assert ("NEGATIVE_VALUE", "Schools", 5, "KS3 Pupils") in found
    assert ("CELL_ERROR", "Schools", 7, "KS3 Pupils") in found
    assert ("UNKNOWN_COLUMN", "DistrictFactors", 6, "Source Column") in found
    assert [f.weight for f in inputs.district_factors] == [Decimal("0.6"), Decimal("0.4"), Decimal(0)]


def test_the_equality_rolls_by_group_are_read_though_no_factor_names_them() -> None:
    findings = Findings()
    header = ["URN", "School Name", "District", "Phase", "Type", "Pupils", "Boys", "Girls", "EHCP Pupils"]
    schools = table("Schools", header, [
        [118001, "Oak", "Swale", "Secondary", "Academy", 1000, 510, 490, 30],
        [118002, "Ash", "Swale", "Secondary", "Maintained", 800, 400, None, 20],  # Girls blank
    ])
    oak, ash = parse_inputs({"Schools": schools}, findings).schools
    assert (oak.value("Boys"), oak.value("Girls"), oak.value("EHCP Pupils")) == (510, 490, 30)
    assert ash.value("Pupils") == 800 and "girls" not in ash.values  # blank: not given, not 0
    # A missing optional column (SEN Support Pupils) is no finding at all.
    assert not [f for f in findings.items if f.table == "Schools"]


def test_bad_optional_cell_is_a_warning_and_the_row_is_kept() -> None:
    findings = Findings()
    exclusions = table(
        "Exclusions",
        ["Exclusion ID", "Pupil Ref", "Excluding URN", "Exclusion Date", "Relevant Date", "Year Group", "FSM6"],
        [["EX-1", "P-1", 118001, "2025-10-06", "soon", 9, "Maybe"]],
    )
    inputs = parse_inputs({"Exclusions": exclusions}, findings)
    [exclusion] = inputs.exclusions
    assert exclusion.relevant_date is None and exclusion.fsm6 is False
    bad = {(f.severity, f.code, f.column) for f in findings.items if f.table == "Exclusions"}
    assert bad == {(Severity.WARNING, "NOT_A_DATE", "Relevant Date"), (Severity.WARNING, "NOT_YES_NO", "FSM6")}


def test_required_blank_cell_drops_the_row_with_an_error() -> None:
    findings = Findings()
    terms = table("Terms", ["Term", "Start", "End"],
                  [["Autumn 2025", date(2025, 9, 3), None], ["Spring 2026", "2026-03-31", "2026-01-05"]])
    inputs = parse_inputs({"Terms": terms}, findings)
    assert inputs.terms == ()
    assert {(f.code, f.row) for f in findings.items if f.table == "Terms"} == {
        ("REQUIRED_VALUE", 4), ("END_BEFORE_START", 5)}


def test_every_settings_field_is_declared_once_and_takes_its_declared_default() -> None:
    from apmodel.domain.inputs import SETTING_SPECS, Settings

    assert sorted(spec.field for spec in SETTING_SPECS) == sorted(Settings.model_fields)
    assert len({spec.label for spec in SETTING_SPECS}) == len(SETTING_SPECS)
    for spec in SETTING_SPECS:
        field = Settings.model_fields[spec.field]
        if field.is_required():
            # Financial year and AP budget are required; School year end is read against the year.
            assert spec.required or spec.field == "school_year_end", spec.label
        else:
            assert field.default == spec.default, spec.label


def test_percentage_cells_of_every_table_share_one_rule_and_none_may_pass_100_percent() -> None:
    findings = Findings()
    tables = {
        "Settings": settings_table(),
        "Districts": table(
            "Districts",
            ["District", "Funding Model", "Devolved Share"],
            [["Swale", "Hybrid", 50], ["Dover", "Hybrid", "50%"]],
        ),
        "DistrictFactors": table(
            "DistrictFactors",
            ["Factor", "Source Column", "Weight"],
            [["Pupils", "Pupils", 30], ["IDACI", "IDACI Pupils", "70%"], ["Too much", "LAC", 150]],
        ),
        "RedressRules": table(
            "RedressRules",
            ["Rule", "Measure", "Threshold", "Deduction Method", "Rate"],
            [["Suspensions", "Suspensions", 50, "Percent of allocation", 10],
             ["Exclusions", "Exclusions", 2, "Percent of allocation", "150%"],
             ["Per unit", "Exclusions", 2, "Per unit above threshold", 5000]],
        ),
    }  # fmt: skip
    inputs = parse_inputs(tables, findings)
    # 50 and "50%" are both 50%; 30 and "70%" are 30% and 70%; 10 is 10% (and a £ rate of 5,000 stays £5,000).
    assert [d.devolved_share for d in inputs.districts] == [Decimal("0.5"), Decimal("0.5")]
    weights = [(f.factor, f.weight) for f in inputs.district_factors]
    assert weights == [("Pupils", Decimal("0.3")), ("IDACI", Decimal("0.7"))]
    rates = [(r.rule, r.rate) for r in inputs.redress_rules]
    assert rates == [("Suspensions", Decimal("0.1")), ("Per unit", Decimal(5000))]
    # 150 and "150%" are 150%: more than all of the pot or the allocation, so Errors and the rows left out.
    over = [(f.table, f.row, f.column) for f in findings.items if f.code == "PERCENT_OVER_100"]
    assert over == [("DistrictFactors", 6, "Weight"), ("RedressRules", 5, "Rate")]


def test_an_unambiguous_near_miss_of_an_allowed_word_is_accepted_with_an_info() -> None:
    findings = Findings()
    placements = table(
        "Placements",
        ["Placement ID", "Pupil Ref", "Home URN", "Provider ID", "Tier", "Reason", "Start Date"],
        [["PL-1", "P-1", 100001, "PRU-1", 2, "Risk of exclusion", "2025-11-03"],
         ["PL-2", "P-2", 100001, "PRU-1", 2, "At risk of exclsion", "2025-11-03"],
         ["PL-3", "P-3", 100001, "PRU-1", 2, "Exclusion", "2025-11-03"]],
    )  # fmt: skip
    raw = settings_table(**{"Redress destination": "District"})
    inputs = parse_inputs({"Settings": raw, "Placements": placements}, findings)
    assert inputs.settings is not None
    assert inputs.settings.redress_destination is RedressDestination.DISTRICT_SCHOOLS
    # Whole words of one allowed word, or a misspelling close to one: read as it, with an Info.
    assert [p.reason for p in inputs.placements] == [Reason.AT_RISK, Reason.AT_RISK]
    notes = [(f.table, f.column, f.severity) for f in findings.items if f.code == "NEAR_MISS_WORD"]
    assert notes == [("Settings", "Value", Severity.INFO), *[("Placements", "Reason", Severity.INFO)] * 2]
    # "Exclusion" could be "Permanent exclusion" or "At risk of exclusion": an Error listing the allowed words.
    [error] = [f for f in findings.items if f.code == "NOT_ALLOWED"]
    assert (error.severity, error.row) == (Severity.ERROR, 6)
    assert "Permanent exclusion, At risk of exclusion, Medical, Awaiting EHCP, Other" in error.message


def test_all_as_a_factor_phase_means_every_phase() -> None:
    findings = Findings()
    factors = table("DistrictFactors", ["Factor", "Source Column", "Phase", "Weight"], [["Pupils", "Pupils", "all", 1]])
    [factor] = parse_inputs({"DistrictFactors": factors}, findings).district_factors
    assert factor.phase is None
    assert not [f for f in findings.items if f.table == "DistrictFactors"]


def test_an_allocation_only_workbook_needs_no_pupil_rates_or_terms() -> None:
    findings = Findings()
    parse_inputs({"Settings": settings_table()}, findings)
    # Without Placements or Exclusions nothing needs PupilRates or Terms: an Info each, not an Error.
    missing = {f.table: f.severity for f in findings.items if f.code in ("MISSING_TABLE", "TABLE_NOT_NEEDED")}
    assert missing["PupilRates"] is Severity.INFO and missing["Terms"] is Severity.INFO
    assert missing["Districts"] is Severity.ERROR
    # With an exclusion, both are needed again.
    findings = Findings()
    exclusions = table(
        "Exclusions",
        ["Exclusion ID", "Pupil Ref", "Excluding URN", "Exclusion Date", "Year Group"],
        [["EX-1", "P-1", 100001, "2025-11-03", 9]],
    )
    parse_inputs({"Settings": settings_table(), "Exclusions": exclusions}, findings)
    errors = {f.table for f in findings.items if f.code == "MISSING_TABLE"}
    assert {"PupilRates", "Terms"} <= errors


def test_a_placement_rate_is_a_percentage_when_its_provider_charges_percent_of_awpu() -> None:
    findings = Findings()
    providers = table(
        "Providers",
        ["Provider ID", "Provider Name", "Charge Basis", "Charge Rate"],
        [["PRU-A", "AWPU PRU", "Percent of AWPU", 40], ["PRU-D", "Daily PRU", "Daily", 60]],
    )
    placements = table(
        "Placements",
        ["Placement ID", "Pupil Ref", "Home URN", "Provider ID", "Tier", "Reason", "Start Date", "Charge Rate"],
        [["PL-1", "P-1", 100001, "PRU-A", 2, "Other", "2025-11-03", "50%"],
         ["PL-2", "P-2", 100001, "pru-a ", 2, "Other", "2025-11-03", 50],
         ["PL-3", "P-3", 100001, "PRU-A", 2, "Other", "2025-11-03", 0.5],
         ["PL-4", "P-4", 100001, "PRU-A", 2, "Other", "2025-11-03", "150%"],
         ["PL-5", "P-5", 100001, "PRU-D", 2, "Other", "2025-11-03", "55.50"]],
    )  # fmt: skip
    inputs = parse_inputs({"Settings": settings_table(), "Providers": providers, "Placements": placements}, findings)
    rates = {p.placement_id: (p.charge_rate, p.blocked_by) for p in inputs.placements}
    # "50%", 50 and 0.5 are all 50% of AWPU, the basis being the provider's (its ID matched as the domain does).
    assert rates["PL-1"] == rates["PL-2"] == rates["PL-3"] == (Decimal("0.5"), "")
    # "150%" is 150%, not 1.5%: an Error, and the placement Blocked rather than charged at the provider's 40%.
    assert rates["PL-4"] == (None, "Charge Rate")
    over = [(f.table, f.row, f.column) for f in findings.items if f.code == "PERCENT_OVER_100"]
    assert over == [("Placements", 7, "Charge Rate")]
    # A daily provider's placement keeps its rate in pounds.
    assert rates["PL-5"] == (Decimal("55.50"), "")


def test_a_devolved_share_over_100_percent_is_one_error_and_a_hybrid_district_takes_50_percent() -> None:
    findings = Findings()
    tables = {
        "Settings": settings_table(),
        "Districts": table(
            "Districts",
            ["District", "Funding Model", "Devolved Share"],
            [["Swale", "Hybrid", "150%"], ["Dover", "Hybrid", -0.2], ["Deal", "Devolved", 150]],
        ),
    }
    inputs = parse_inputs(tables, findings)
    # "150%" and 150 are 150% (a bare 1.5 would be 1.5%). Hybrid districts fall back to 50% as for a blank
    # share; a Devolved district's share is unused (blank).
    assert [(d.name, d.devolved_share) for d in inputs.districts] == [
        ("Swale", Decimal("0.5")),
        ("Dover", Decimal("0.5")),
        ("Deal", None),
    ]
    found = [(f.code, f.row, f.value) for f in findings.items if f.column == "Devolved Share"]
    # One Error per typed share, none saying the share is missing ("REQUIRED_VALUE").
    assert found == [("PERCENT_OVER_100", 4, "150%"), ("OUT_OF_RANGE", 5, "-0.2"), ("PERCENT_OVER_100", 6, "150%")]
