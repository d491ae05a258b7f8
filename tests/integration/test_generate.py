"""The example county generator (apmodel demo, python -m apmodel.workbooks.generate): realistic, deterministic."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from apmodel.domain.allocation import allocate
from apmodel.domain.findings import Findings, Severity
from apmodel.domain.inputs import FundingModel, ModelInputs
from apmodel.workbook import contract as c
from apmodel.workbook.interface import RawTable
from apmodel.workbook.parse import parse_inputs
from apmodel.workbook.xlsx_reader import read_tables
from apmodel.workbooks.example import County, county_tables, generate_county
from apmodel.workbooks.generate import main as generate_main
from tests.integration.test_template import assert_valid_tables

ROOT = Path(__file__).resolve().parents[2]
COMMITTED_EXAMPLE = ROOT / "workbooks" / "example-county.xlsx"
KENT_DISTRICTS = {
    "Ashford", "Canterbury", "Dartford", "Dover", "Folkestone & Hythe", "Gravesham", "Maidstone", "Sevenoaks",
    "Swale", "Thanet", "Tonbridge & Malling", "Tunbridge Wells",
}


def cells(tables: dict[str, RawTable]) -> dict[str, tuple[list[str], list[list[Any]]]]:
    return {name: (table.header, table.rows) for name, table in tables.items()}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_county(tmp_path_factory.mktemp("county") / "county.xlsx")


@pytest.fixture(scope="module")
def parsed(example: Path) -> tuple[ModelInputs, Findings]:
    findings = Findings()
    return parse_inputs(read_tables(example), findings), findings


@pytest.mark.slow
def test_the_same_seed_gives_identical_cell_values(example: Path, tmp_path: Path) -> None:
    again = generate_county(tmp_path / "again.xlsx", seed=2025)
    assert cells(read_tables(again)) == cells(read_tables(example))


def test_another_seed_gives_other_placements() -> None:
    assert county_tables(seed=1).rows["Placements"] != county_tables(seed=2).rows["Placements"]


def test_committed_example_is_what_the_generator_writes(example: Path) -> None:
    """Regenerate with: python -m apmodel.workbooks.generate workbooks/example-county.xlsx"""
    assert cells(read_tables(COMMITTED_EXAMPLE)) == cells(read_tables(example))


def test_every_table_ref_is_valid_and_every_name_unique(example: Path) -> None:
    names = assert_valid_tables(example)
    assert set(names) == {spec.name for spec in (*c.INPUT_TABLES, c.INVOICE_REGISTER)}


def test_the_county_has_kents_twelve_districts_in_four_areas_and_every_funding_model(
    parsed: tuple[ModelInputs, Findings],
) -> None:
    inputs, _ = parsed
    assert {d.name for d in inputs.districts} == KENT_DISTRICTS
    assert Counter(d.area for d in inputs.districts) == {"North": 3, "South": 3, "East": 3, "West": 3}
    assert {d.funding_model for d in inputs.districts} == set(FundingModel)
    hybrid = [d for d in inputs.districts if d.funding_model is FundingModel.HYBRID]
    assert [(d.name, str(d.devolved_share)) for d in hybrid] == [("Swale", "0.5")]
    providers = {p.provider_id: p for p in inputs.providers}
    for district in inputs.districts:
        if district.funding_model is FundingModel.DEVOLVED:
            assert district.lead_pru is None
        else:
            assert district.lead_pru is not None and providers[district.lead_pru].type == "PRU"
            assert 40 <= providers[district.lead_pru].commissioned_places <= 120


def test_about_100_secondary_and_450_primary_schools_with_plausible_numbers(
    example: Path, parsed: tuple[ModelInputs, Findings]
) -> None:
    inputs, _ = parsed
    phases = Counter(s.phase for s in inputs.schools)
    assert 95 <= phases["Secondary"] <= 110 and 430 <= phases["Primary"] <= 470
    assert len({s.urn for s in inputs.schools}) == len(inputs.schools)
    raw = read_tables(example)["Schools"]
    column = dict(zip(raw.header, range(len(raw.header)), strict=True))
    for row in raw.rows:
        school = {name: row[index] for name, index in column.items()}
        pupils = school["Pupils"]
        if school["Phase"] == "Secondary":
            assert 600 <= pupils <= 1800
            assert school["KS3 Pupils"] + school["KS4 Pupils"] == pupils and school["Primary Pupils"] == 0
        else:
            assert 100 <= pupils <= 630 and school["Primary Pupils"] == pupils
        for count in ("IDACI Pupils", "FSM6 Pupils", "LAC", "EAL", "Awaiting EHCP", "Suspensions"):
            assert 0 <= school[count] <= pupils, count
    secondary = [s for s in inputs.schools if s.phase == "Secondary"]
    assert sum(s.type.value == "Academy" for s in secondary) > len(secondary) / 2
    assert {s.ap_agreement for s in inputs.schools} == {True, False}
    assert all(s.trust for s in inputs.schools if s.type.value == "Academy")


def test_placements_cover_all_three_tiers_and_no_pupil_is_in_two_places_at_once(
    parsed: tuple[ModelInputs, Findings],
) -> None:
    inputs, _ = parsed
    assert 2000 <= len(inputs.placements) <= 4000
    assert {p.tier for p in inputs.placements} == {1, 2, 3}
    assert {p.reason.value for p in inputs.placements} == set(c.REASONS)
    assert any(p.end is None for p in inputs.placements)
    assert any(p.end is not None and p.end > date(2026, 3, 31) for p in inputs.placements)
    urns = {s.urn for s in inputs.schools}
    providers = {p.provider_id: p for p in inputs.providers}
    by_pupil: dict[str, list[tuple[date, date]]] = defaultdict(list)
    for placement in inputs.placements:
        assert re.fullmatch(r"P-[0-9A-F]{6}", placement.pupil_ref)
        assert placement.home_urn in urns and placement.provider_id in providers
        if placement.reason.value == "Medical":
            assert providers[placement.provider_id].type == "Hospital School"
        by_pupil[placement.pupil_ref].append((placement.start, placement.end or date.max))
    for spells in by_pupil.values():
        spells.sort()
        assert all(earlier[1] < later[0] for earlier, later in pairwise(spells))


def test_about_100_exclusions_with_the_realistic_special_cases(parsed: tuple[ModelInputs, Findings]) -> None:
    inputs, _ = parsed
    exclusions = inputs.exclusions
    assert 90 <= len(exclusions) <= 110
    assert len({e.pupil_ref for e in exclusions}) == len(exclusions)
    assert 1 <= sum(e.relevant_date is None for e in exclusions) <= 3
    assert all(e.relevant_date is None or e.exclusion_date < e.relevant_date <= date(2026, 3, 31) for e in exclusions)
    summer_phase_change = [
        e for e in exclusions if e.year_group in (6, 11) and e.relevant_date and e.relevant_date <= date(2025, 7, 31)
    ]
    assert len(summer_phase_change) >= 2
    assert any(e.admitting_urn is not None and e.admission_date is not None for e in exclusions)
    assert 1 <= sum(e.reinstated_date is not None for e in exclusions) <= 2
    assert sum(e.adjustment_order is not None for e in exclusions) == 1
    placed = {p.pupil_ref for p in inputs.placements if p.reason.value == "Permanent exclusion"}
    assert placed == {e.pupil_ref for e in exclusions}


def test_two_meaningful_scenarios(parsed: tuple[ModelInputs, Findings]) -> None:
    inputs, _ = parsed
    assert sorted({s.scenario for s in inputs.scenarios}) == ["Higher deprivation weight", "Swale devolved"]
    factor_names = {f.factor for f in inputs.district_factors}
    for row in inputs.scenarios:
        if row.target == "DistrictFactor":
            assert row.key in factor_names
    weights = {f.factor: f.weight for f in inputs.district_factors}
    for row in inputs.scenarios:
        if row.scenario == "Higher deprivation weight":
            weights[row.key] = Decimal(row.value.rstrip("%")) / 100
    # The scenario's weights still add up to 100%: 35 + 22.5 + 22.5 + 10 + 10.
    assert sum(weights.values()) == 1


def test_the_example_reads_and_allocates_without_any_finding(parsed: tuple[ModelInputs, Findings]) -> None:
    inputs, findings = parsed
    assert findings.items == []
    allocation_findings = Findings()
    result = allocate(inputs, allocation_findings)
    assert [f for f in allocation_findings.items if f.severity is Severity.ERROR] == []
    assert result.total_allocated + result.centrally_retained == result.budget
    # Every Lead PRU's place funding fits inside its delegated allocation (else an Error in stage 2).
    for provider in result.providers:
        assert provider.place_funding <= provider.delegated_allocation, provider.provider_id
    assert sum(1 for p in result.providers if p.places > 0) == 7


def test_scale_multiplies_schools_and_adds_numbered_districts() -> None:
    county: County = county_tables(scale=2)
    districts = [row[0] for row in county.rows["Districts"]]
    assert len(districts) == 24 and districts[12] == "District 013"
    assert 1050 <= len(county.rows["Schools"]) <= 1160
    assert 180 <= len(county.rows["Exclusions"]) <= 220
    assert county.settings["AP budget"] == 2 * county_tables(scale=1).settings["AP budget"]  # type: ignore[operator]


@pytest.mark.slow
def test_the_script_writes_the_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "county.xlsx"
    assert generate_main(["--seed", "7", str(out)]) == 0
    assert out.exists() and "Wrote" in capsys.readouterr().out
    assert cells(read_tables(out))["Schools"] == cells(read_tables(generate_county(tmp_path / "b.xlsx", seed=7)))[
        "Schools"
    ]
