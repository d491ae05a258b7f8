"""The allocation output tables (docs/forum-workbook.md, "Output tables"): factor columns, totals tables."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from apmodel.domain.allocation import AllocationResult, allocate
from apmodel.domain.findings import Findings
from apmodel.domain.inputs import FundingModel
from apmodel.reports.allocation_tables import (
    allocation_subtotals_table,
    district_allocation_totals_table,
    district_allocations_table,
    provider_funding_table,
    provider_funding_totals_table,
    school_allocation_totals_table,
    school_allocations_table,
    whole_number_columns,
)
from apmodel.workbook.contract import Kind
from apmodel.workbook.interface import OutColumn, OutputTable
from tests.unit.alloc_builders import (
    D,
    district,
    district_factor,
    inputs,
    per_unit_rule,
    provider,
    school,
    settings,
    unit_rate,
)


def small_county() -> AllocationResult:
    """North devolved (two schools), South delegated to PRU-S; budget 1,000,000 less 100,000 retained.

    pot = 900,000 - 2 x 50,000 lump sums = 800,000. Pupils (75%) 1,000 : 1,000 -> 300,000 each;
    IDACI (25%) 150 : 250 -> 75,000 / 125,000. North 425,000.00; South 475,000.00.
    """
    model = inputs(
        settings(1_000_000, 100_000),
        [
            district("North", FundingModel.DEVOLVED, lump=50_000, previous=400_000),
            district("South", FundingModel.DELEGATED, lump=50_000, lead="PRU-S"),
        ],
        [
            school(100001, "North", Pupils=600, IDACI_Pupils=100, Suspensions=80),
            school(100002, "North", phase="Primary", Pupils=400, IDACI_Pupils=50),
            school(100003, "South", Pupils=1000, IDACI_Pupils=250),
        ],
        [district_factor("Pupils", "Pupils", "0.75"), district_factor("Deprivation", "IDACI Pupils", "0.25")],
        [unit_rate("Per pupil", "Pupils", "100"), unit_rate("IDACI", "IDACI Pupils", "500")],
        [provider("PRU-S", places=30), provider("PRU-X")],
        [per_unit_rule("Suspensions", "Suspensions", "50", "100")],
    )
    return allocate(model, Findings())


def column(table: OutputTable, name: str) -> list[Any]:
    i = table.header.index(name)
    return [row[i] for row in table.rows]


def test_district_table_has_a_value_and_amount_column_per_district_factor() -> None:
    table = district_allocations_table(small_county())
    assert table.name == "DistrictAllocations"
    assert table.header[:7] == [
        "District",
        "Area",
        "Funding Model",
        "Pupils Value",
        "Pupils £",
        "Deprivation Value",
        "Deprivation £",
    ]
    kinds = {c.name: c.kind for c in table.columns}
    # Pupils Value holds pupil counts (1,000 and 1,000): whole numbers, shown as a count (5,428, not 5,428.00).
    assert (kinds["Pupils Value"], kinds["Pupils £"], kinds["Change %"]) == (Kind.INT, Kind.MONEY, Kind.PERCENT)
    assert column(table, "Deprivation £")[:2] == [D("75000.00"), D("125000.00")]
    # Its totals table shows the column as the table does: 1,000 + 1,000 = 2,000 pupils, a count.
    totals = district_allocation_totals_table(small_county(), table)
    assert {c.name: c.kind for c in totals.columns}["Pupils Value"] is Kind.INT
    assert dict(zip(totals.header, totals.rows[0], strict=True))["Pupils Value"] == 2000


def test_a_factor_value_that_is_not_a_whole_number_keeps_its_decimals() -> None:
    columns = [OutColumn("Weighted Value", Kind.NUMBER), OutColumn("Pupils Value", Kind.NUMBER)]
    # 12.5 is not whole: the column stays a number; 3 and None (blank) are whole: a count.
    kinds = [c.kind for c in whole_number_columns(columns, [[D("12.5"), D("3")], [D("1"), None]])]
    assert kinds == [Kind.NUMBER, Kind.INT]


def test_no_allocation_table_holds_a_total_row() -> None:
    # Totals are not table rows (issue 13): sorting, filtering or a SUM of a column must not catch one.
    result = small_county()
    assert column(district_allocations_table(result), "District") == ["North", "South"]
    assert column(school_allocations_table(result), "URN") == [100001, 100002]
    assert column(provider_funding_table(result), "Provider ID") == ["PRU-S", "PRU-X"]


def test_district_totals_are_the_exact_sums_and_equal_budget_less_retained() -> None:
    result = small_county()
    totals = district_allocation_totals_table(result)
    assert totals.name == "DistrictAllocationTotals"
    assert totals.header == [
        "Districts",
        "Pupils Value",
        "Pupils £",
        "Deprivation Value",
        "Deprivation £",
        "Lump Sum",
        "Formula Amount",
        "Unprotected Allocation",
        "Protection Adjustment",
        "Final Allocation",
        "Devolved",
        "Delegated",
        "Previous Allocation",
        "Change",
    ]
    [row] = totals.rows
    figures = dict(zip(totals.header, row, strict=True))
    assert figures["Districts"] == 2
    # 425,000 + 475,000 = 900,000 = 1,000,000 - 100,000 retained.
    assert figures["Final Allocation"] == D("900000.00") == result.total_allocated
    assert figures["Pupils £"] == D("600000.00")  # 300,000 + 300,000: 75% of the 800,000 pot
    assert figures["Deprivation £"] == D("200000.00")  # 75,000 + 125,000: 25% of it
    assert figures["Pupils Value"] == Decimal(2000)  # 1,000 + 1,000 pupils
    assert figures["Deprivation Value"] == Decimal(400)  # 150 + 250 IDACI pupils
    assert figures["Lump Sum"] == D("100000.00")  # 50,000 + 50,000
    assert figures["Devolved"] == D("425000.00")  # North devolved, South delegated
    assert figures["Delegated"] == D("475000.00")
    assert figures["Protection Adjustment"] == D("0.00")
    # Only North has a previous allocation (400,000) and so a change (25,000): South's blanks count nothing.
    assert (figures["Previous Allocation"], figures["Change"]) == (D("400000.00"), D("25000.00"))
    # Every figure is the column of DistrictAllocations added up, to the penny.
    table = district_allocations_table(result)
    for name in totals.header[1:]:
        assert figures[name] == sum((v for v in column(table, name) if v is not None), Decimal(0)), name


def test_change_is_against_the_previous_allocation_and_blank_without_one() -> None:
    table = district_allocations_table(small_county())
    # North: 425,000 - 400,000 = 25,000; 25,000 / 400,000 = 6.25%. South has no previous allocation.
    assert column(table, "Change") == [D("25000.00"), None]
    assert column(table, "Change %") == [D("0.0625"), None]
    # A sum of percentages means nothing: the totals table has no Change % column.
    assert "Change %" not in district_allocation_totals_table(small_county()).header


def test_school_table_has_an_amount_column_per_school_factor_and_sums_to_the_devolved_pot() -> None:
    table = school_allocations_table(small_county())
    assert table.name == "SchoolAllocations"
    assert "Per pupil £" in table.header and "IDACI £" in table.header
    # North earns 600 x 100 + 100 x 500 = 110,000 and 400 x 100 + 50 x 500 = 65,000: scaling
    # 425,000 / 175,000. 100001: 425,000 x 110 / 175 = 267,142.857 -> 267,142.86; 100002 157,857.14.
    assert column(table, "Devolved Allocation") == [D("267142.86"), D("157857.14")]
    # 100001 has 80 suspensions, 30 above 50: 30 x 100 = 3,000 withheld (negative: it leaves the school),
    # received by 100002.
    assert column(table, "Redress Withheld") == [D("-3000.00"), D("0.00")]
    assert column(table, "Final Devolved Allocation") == [
        D("264142.86"),  # 267,142.86 - 3,000
        D("160857.14"),  # 157,857.14 + 3,000
    ]
    totals = school_allocation_totals_table(small_county())
    assert totals.name == "SchoolAllocationTotals"
    assert totals.header == [
        "Schools",
        "Per pupil £",
        "IDACI £",
        "Devolved Allocation",
        "Redress Withheld",
        "Redress Received",
        "Final Devolved Allocation",
    ]
    [row] = totals.rows
    figures = dict(zip(totals.header, row, strict=True))
    # 267,142.86 + 157,857.14 = 425,000.00, North's devolved pot, to the penny (no URN is summed).
    assert figures["Schools"] == 2
    assert figures["Devolved Allocation"] == D("425000.00")
    # -3,000.00 + 0.00 withheld, 0.00 + 3,000.00 received: redress moves money, never makes it.
    assert (figures["Redress Withheld"], figures["Redress Received"]) == (D("-3000.00"), D("3000.00"))
    assert figures["Final Devolved Allocation"] == D("425000.00")  # 264,142.86 + 160,857.14


def test_provider_table_shows_place_funding_top_up_and_its_totals() -> None:
    table = provider_funding_table(small_county())
    assert table.name == "ProviderFunding"
    # 30 x 10,000 = 300,000 place funding; 475,000 - 300,000 = 175,000 top-up; PRU-X gets nothing.
    assert column(table, "Place Funding") == [D("300000.00"), D("0.00")]
    assert column(table, "Top-up") == [D("175000.00"), D("0.00")]
    totals = provider_funding_totals_table(small_county())
    assert totals.name == "ProviderFundingTotals"
    # 2 providers; 30 + 0 places; 300,000 + 0 place funding; 175,000 + 0 top-up; 475,000 delegated.
    assert totals.rows == [[2, 30, D("300000.00"), D("175000.00"), D("0.00"), D("475000.00")]]


def test_tables_of_an_empty_result_have_no_rows_and_totals_of_zero() -> None:
    result = allocate(inputs(settings(0), []), Findings())
    for table in (district_allocations_table(result), school_allocations_table(result), provider_funding_table(result)):
        assert table.rows == []
    [districts] = district_allocation_totals_table(result).rows
    assert districts[0] == 0 and all(v == 0 for v in districts[1:])
    assert provider_funding_totals_table(result).rows == [[0, 0, D("0.00"), D("0.00"), D("0.00"), D("0.00")]]
    assert school_allocation_totals_table(result).rows[0][0] == 0


def test_school_table_leaves_out_the_schools_of_a_delegated_district() -> None:
    # South is Delegated: 100003 gets nothing devolved and no redress, so it has no row.
    assert column(school_allocations_table(small_county()), "URN") == [100001, 100002]


def test_subtotals_add_districts_into_areas_and_areas_into_the_county_to_the_penny() -> None:
    model = inputs(
        settings(1_000_000, 100_000),
        [
            district("North", FundingModel.DEVOLVED, lump=50_000),
            district("South", FundingModel.DELEGATED, lump=50_000, lead="PRU-S"),
        ],
        [
            school(100001, "North", Pupils=600, IDACI_Pupils=100, Suspensions=80),
            school(100002, "North", phase="Primary", Pupils=400, IDACI_Pupils=50),
            school(100003, "South", Pupils=1000, IDACI_Pupils=250),
        ],
        [district_factor("Pupils", "Pupils", "0.75"), district_factor("Deprivation", "IDACI Pupils", "0.25")],
        [unit_rate("Per pupil", "Pupils", "100"), unit_rate("IDACI", "IDACI Pupils", "500")],
        [provider("PRU-S", places=30)],
        [per_unit_rule("Suspensions", "Suspensions", "50", "100")],
    )
    north, south = model.districts
    model = model.model_copy(
        update={"districts": (north.model_copy(update={"area": "East"}), south.model_copy(update={"area": "West"}))}
    )
    table = allocation_subtotals_table(allocate(model, Findings()), "Small County")
    assert table.name == "AllocationSubtotals"
    assert column(table, "Level") == ["District", "District", "Area", "Area", "County"]
    assert column(table, "Name") == ["North", "South", "East", "West", "Small County"]
    assert column(table, "Area") == ["East", "West", "East", "West", None]
    # North 425,000.00 all devolved; South 475,000.00 all delegated to PRU-S; one district per area.
    # County: 425,000 + 475,000 = 900,000.00 = allocated to districts (1,000,000 - 100,000 retained).
    north_, south_ = D("425000.00"), D("475000.00")
    assert column(table, "Final Allocation") == [north_, south_, north_, south_, D("900000.00")]
    assert column(table, "Devolved") == [D("425000.00"), D("0.00"), D("425000.00"), D("0.00"), D("425000.00")]
    assert column(table, "Delegated") == [D("0.00"), D("475000.00"), D("0.00"), D("475000.00"), D("475000.00")]
    # The schools' final figures: 264,142.86 + 160,857.14 = 425,000.00 (the redress stays in North).
    assert column(table, "Schools Final Devolved")[-1] == D("425000.00")
    # Two North schools funded; South's school is not in SchoolAllocations.
    assert column(table, "Schools Funded") == [2, 0, 2, 0, 2]


def test_subtotals_put_districts_without_an_area_together_and_the_county_is_what_districts_were_allocated() -> None:
    result = small_county()
    table = allocation_subtotals_table(result, "County")
    assert column(table, "Name") == ["North", "South", "(no area)", "County"]
    assert column(table, "Final Allocation")[-1] == result.total_allocated == D("900000.00")


def test_a_devolved_districts_school_its_factors_give_nothing_is_not_listed_nor_counted_as_funded() -> None:
    model = inputs(
        settings(1_000_000, 100_000),
        [district("North", FundingModel.DEVOLVED, lump=50_000)],
        [
            school(100001, "North", Pupils=600, IDACI_Pupils=100),
            # No pupil any factor counts (a primary where only KS3 and KS4 pupils count): 0 x 100 + 0 x 500.
            school(100009, "North", phase="Primary", Pupils=0, IDACI_Pupils=0),
        ],
        [district_factor("Pupils", "Pupils", "0.75"), district_factor("Deprivation", "IDACI Pupils", "0.25")],
        [unit_rate("Per pupil", "Pupils", "100"), unit_rate("IDACI", "IDACI Pupils", "500")],
        [provider("PRU-X")],
        [],
    )
    result = allocate(model, Findings())
    # North is the only district: all of 1,000,000 - 100,000 retained = 900,000 (its 50,000 lump sum included)
    # is devolved, and all of it to 100001, the one school its factors count.
    assert column(school_allocations_table(result), "URN") == [100001]
    assert column(school_allocations_table(result), "Final Devolved Allocation") == [D("900000.00")]
    district_row = allocation_subtotals_table(result, "Kent").rows[0]
    assert district_row[:4] == ["District", "North", "(no area)", 1]  # Schools Funded: 1, not 2
