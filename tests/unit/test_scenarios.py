"""Scenarios: overrides applied to copies of the input tables, run again, compared with the baseline.

Rules: docs/forum-workbook.md ("Scenarios", "ScenarioComparison"); docs/funding-rules.md ("Stage 2").
The county is tests.builders.small_county() plus a second South school, so South (delegated to
PRU-S) has schools to devolve to. Stage 1 by hand: pot = 1,000,000 - 100,000 - 2 x 50,000 =
800,000. Pupils (75% = 600,000): North 1,000, South 1,000 + 500 = 1,500 of 2,500 -> 240,000
and 360,000. IDACI (25% = 200,000): North 150, South 250 + 50 = 300 of 450 -> 66,666.67 and
133,333.33. North = 50,000 + 240,000 + 66,666.67 = 356,666.67; South = 50,000 + 360,000 +
133,333.33 = 543,333.33.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from apmodel.domain.findings import Findings, Severity
from apmodel.domain.model import Results, run_model
from apmodel.domain.scenarios import Comparison, Level, ScenarioRun, compare, scenario_findings
from apmodel.workbook.interface import RawTable
from apmodel.workbook.parse import parse_inputs
from apmodel.workbook.scenario_overrides import scenario_names, scenario_tables
from tests.builders import TableRows, small_county

TODAY = date(2025, 12, 1)
SCENARIO_HEADER = ["Scenario", "Target", "Key", "Value"]


def county(*scenario_rows: list[Any]) -> dict[str, TableRows]:
    tables = small_county()
    header, schools = tables["Schools"]
    damson = [100004, "Damson School", "South", "Secondary", "Maintained", None, "Yes", None, None, 500, 50]
    tables["Schools"] = (header, [*schools, damson])
    tables["Scenarios"] = (SCENARIO_HEADER, [list(r) for r in scenario_rows])
    return tables


def raw(tables: dict[str, TableRows]) -> dict[str, RawTable]:
    return {name: RawTable(name, name, list(h), [list(r) for r in rows]) for name, (h, rows) in tables.items()}


def run_all(tables: dict[str, RawTable]) -> tuple[Results, Comparison, Findings]:
    findings = Findings()
    inputs = parse_inputs(tables, findings)
    baseline = run_model(inputs, findings, TODAY)
    runs: list[ScenarioRun] = []
    for scenario in scenario_tables(tables, inputs.scenarios, findings):
        found = Findings()
        results = run_model(parse_inputs(scenario.tables, found), found, TODAY)
        scenario_findings(scenario.name, findings, found.items, findings)
        runs.append(ScenarioRun(scenario.name, results))
    return baseline, compare(baseline, runs), findings


def amounts(comparison: Comparison, level: Level) -> dict[str, tuple[Decimal, tuple[Decimal, ...]]]:
    return {r.entity.name: (r.baseline, r.changes) for r in comparison.level(level)}


# -- Delegated to Devolved: the money moves from the PRU to the schools ---------------------------


def test_devolving_a_delegated_district_moves_the_prus_money_to_its_schools_exactly() -> None:
    _, comparison, findings = run_all(raw(county(["South devolved", "District", "South/Funding Model", "Devolved"])))
    assert not findings.has_errors()
    providers = amounts(comparison, Level.PROVIDER)
    schools = amounts(comparison, Level.SCHOOL)
    # The PRU had South's whole allocation, 543,333.33, and has nothing once South is devolved.
    assert providers["South PRU"] == (Decimal("543333.33"), (Decimal("-543333.33"),))
    # Unit rates: Cedar 1,000 x 100 + 250 x 500 = 225,000; Damson 500 x 100 + 50 x 500 = 75,000;
    # scaled to 543,333.33: Cedar 407,499.9975 and Damson 135,833.3325; the spare penny goes by
    # largest remainder to Cedar -> 407,500.00 and 135,833.33.
    assert schools["Cedar Academy"] == (Decimal("0.00"), (Decimal("407500.00"),))
    assert schools["Damson School"] == (Decimal("0.00"), (Decimal("135833.33"),))
    # -543,333.33 + 407,500.00 + 135,833.33 = 0.00
    gains = sum((change for _, (change,) in schools.values()), Decimal(0))
    assert providers["South PRU"][1][0] + gains == Decimal("0.00")


def test_devolving_a_district_leaves_every_district_allocation_unchanged() -> None:
    _, comparison, _ = run_all(raw(county(["South devolved", "District", "South/Funding Model", "Devolved"])))
    districts = amounts(comparison, Level.DISTRICT)
    assert districts == {
        "North": (Decimal("356666.67"), (Decimal("0.00"),)),
        "South": (Decimal("543333.33"), (Decimal("0.00"),)),
    }


def test_the_biggest_loser_comes_first_in_its_level() -> None:
    _, comparison, _ = run_all(raw(county(["South devolved", "District", "South/Funding Model", "Devolved"])))
    schools = [r.entity.name for r in comparison.level(Level.SCHOOL)]
    # Changes: Alder 0.00, Birch 0.00, Damson +135,833.33, Cedar +407,500.00 (ascending).
    assert schools == ["Alder Secondary", "Birch Primary", "Damson School", "Cedar Academy"]
    [pru] = comparison.level(Level.PROVIDER)
    assert pru.change_pct(0) == Decimal("-1.0000")  # -543,333.33 / 543,333.33


# -- Settings and factor overrides ------------------------------------------------------------------


def test_a_setting_override_changes_the_budget_shared_between_districts() -> None:
    _, comparison, findings = run_all(raw(county(["Bigger budget", "Setting", "AP budget", "£1,100,000"])))
    assert not findings.has_errors()
    districts = amounts(comparison, Level.DISTRICT)
    # Pot = 1,100,000 - 100,000 - 100,000 = 900,000. North: 50,000 + 675,000 x 1,000/2,500 +
    # 225,000 x 150/450 = 50,000 + 270,000 + 75,000 = 395,000.00 (+38,333.33).
    assert districts["North"] == (Decimal("356666.67"), (Decimal("38333.33"),))
    # South: 50,000 + 405,000 + 150,000 = 605,000.00 (+61,666.67)
    assert districts["South"] == (Decimal("543333.33"), (Decimal("61666.67"),))


def test_a_setting_left_at_its_default_can_still_be_overridden() -> None:
    tables = raw(county(["Cap", "Setting", "Protection cap", "1%"]))
    findings = Findings()
    inputs = parse_inputs(tables, findings)
    [scenario] = scenario_tables(tables, inputs.scenarios, findings)
    settings = parse_inputs(scenario.tables, Findings()).settings
    assert settings is not None and settings.protection_cap == Decimal("0.01")
    assert inputs.settings is not None and inputs.settings.protection_cap is None


def test_district_factor_weights_given_as_text_percentages_are_read_like_typed_cells() -> None:
    _, comparison, findings = run_all(
        raw(
            county(
                ["Deprivation", "DistrictFactor", "Pupils", "50%"],
                ["Deprivation", "DistrictFactor", "Deprivation", 0.5],
            )
        )
    )
    assert not findings.has_errors()
    districts = amounts(comparison, Level.DISTRICT)
    # Pupils 400,000: North 160,000; IDACI 400,000: North 133,333.33 -> 50,000 + 293,333.33
    assert districts["North"] == (Decimal("356666.67"), (Decimal("-13333.34"),))
    # South: 50,000 + 240,000 + 266,666.67 = 556,666.67 (+13,333.34): the total is unchanged.
    assert districts["South"] == (Decimal("543333.33"), (Decimal("13333.34"),))


def test_overrides_go_into_copies_and_never_into_the_workbooks_tables() -> None:
    tables = raw(county(["South devolved", "District", "South/Funding Model", "Devolved"]))
    before = [list(r) for r in tables["Districts"].rows]
    findings = Findings()
    [scenario] = scenario_tables(tables, parse_inputs(tables, findings).scenarios, findings)
    assert tables["Districts"].rows == before
    assert scenario.tables["Districts"].rows[1][2] == "Devolved"
    assert scenario.tables["Schools"] is tables["Schools"]  # untouched tables are shared, not copied


# -- Problems become Warnings on the Scenarios row ---------------------------------------------------


def test_unknown_targets_keys_and_columns_are_warnings_on_the_scenarios_row() -> None:
    tables = raw(
        county(
            ["Typos", "Setting", "AP budgett", "1"],
            ["Typos", "District", "West/Funding Model", "Devolved"],
            ["Typos", "District", "South/Colour", "Blue"],
            ["Typos", "District", "South", "Devolved"],
            ["Typos", "SchoolFactor", "Per pupil", 120],
            ["Typos", "SchoolFactor", "Per pupil", 130],
        )
    )
    _, comparison, findings = run_all(tables)
    found = {(f.code, f.row) for f in findings.items if f.table == "Scenarios"}
    assert found == {
        ("UNKNOWN_SCENARIO_KEY", 2),
        ("UNKNOWN_SCENARIO_KEY", 3),
        ("UNKNOWN_SCENARIO_KEY", 4),
        ("SCENARIO_KEY_FORMAT", 5),
        ("DUPLICATE_SCENARIO_KEY", 7),
    }
    assert all(f.severity is Severity.WARNING and f.column == "Key" for f in findings.items if f.table == "Scenarios")
    assert comparison.scenario_names == ("Typos",)


def test_a_bad_value_in_a_scenario_is_that_scenarios_warning_not_a_baseline_error() -> None:
    _, comparison, findings = run_all(raw(county(["Broken", "Setting", "AP budget", "lots"])))
    assert not findings.has_errors()
    [warning] = [f for f in findings.items if f.message.startswith("In scenario 'Broken'")]
    assert warning.severity is Severity.WARNING and warning.table == "Settings"
    # Without a budget the scenario allocates nothing: every district loses its whole allocation.
    assert amounts(comparison, Level.DISTRICT)["North"] == (Decimal("356666.67"), (Decimal("-356666.67"),))


def test_rows_with_the_same_scenario_name_form_one_scenario_in_order_of_appearance() -> None:
    tables = raw(
        county(
            ["B", "Setting", "VAT rate", "0"],
            ["A", "Setting", "VAT rate", "0"],
            [" b ", "Setting", "Invoice prefix", "XX"],
        )
    )
    inputs = parse_inputs(tables, Findings())
    assert scenario_names(inputs.scenarios) == ["B", "A"]
    b, a = scenario_tables(tables, inputs.scenarios, Findings())
    assert (b.rows, a.rows) == ([2, 4], [3])
