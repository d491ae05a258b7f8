"""Settlement: recoverable lines become budget adjustments, invoices and credit notes.

docs/funding-rules.md, "Settlement"; docs/forum-workbook.md, "Recoupment" and "Invoices" tables.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from apmodel.domain.findings import Findings
from apmodel.domain.inputs import VatTreatment
from apmodel.domain.recoupment import (
    LegalBasis,
    LineStatus,
    LineType,
    RecoupmentLine,
    RecoupmentResult,
    SettlementKind,
    recoup,
)
from apmodel.domain.settlement import settle
from apmodel.reports.recoupment_tables import (
    invoice_totals_table,
    invoices_table,
    recoupment_table,
    recoupment_totals_table,
)
from tests.unit.recoup_builders import (
    ACADEMY,
    MAINTAINED,
    MAINTAINED_2,
    TODAY,
    D,
    exclusion,
    inputs,
    placement,
    settings,
)

_ids = iter(range(1, 10_000))


def line(urn: int, period: str, amount: str, **fields: Any) -> RecoupmentLine:
    """A recoverable line as the rules would give it (only what settlement reads matters)."""
    values: dict[str, Any] = {
        "line_id": f"L-{next(_ids)}/{period}",
        "urn": urn,
        "school": "",
        "type": LineType.PLACEMENT_CHARGE,
        "legal_basis": LegalBasis.LOCAL_AGREEMENT,
        "settlement": SettlementKind.INVOICE if urn == ACADEMY else SettlementKind.BUDGET_ADJUSTMENT,
        "pupil_ref": "P-1",
        "source_id": "L",
        "period": period,
        "amount": D(amount),
    }
    values.update(fields)
    return RecoupmentLine(**values)


def test_maintained_school_gets_one_budget_adjustment_per_term() -> None:
    county = inputs(exclusions=(exclusion(),), placements=(placement(),))
    result = recoup(county, Findings())
    settlement = settle(result.lines, county, TODAY)
    [document] = settlement.documents
    # Exclusion 5,500 x 21 / 52 -> 2,221.15, plus placement 60 x 15 days = 900.00: net 3,121.15.
    assert document.net == Decimal("3121.15")
    assert (document.vat, document.gross) == (Decimal("0.00"), Decimal("3121.15"))
    assert document.kind == "Budget adjustment"
    assert (document.number, document.urn, document.period) == ("AP-2025-26-00001", MAINTAINED, "Autumn 2025")
    assert document.school == "Alder Secondary"
    assert (document.date, document.due, document.status) == (TODAY, None, "Draft")


STANDARD_PLACEMENTS = {"vat_placement_charge": VatTreatment.STANDARD}


def test_academy_gets_an_invoice_to_its_trust_with_vat_and_payment_terms() -> None:
    county = inputs(settings=settings(vat_rate=D("0.2"), payment_terms_days=30, **STANDARD_PLACEMENTS))
    [document] = settle([line(ACADEMY, "Autumn 2025", "900.00")], county, TODAY).documents
    # VAT = 900.00 x 20% = 180.00; Gross = 900.00 + 180.00 = 1,080.00; due 1 Dec + 30 days = 31 Dec 2025.
    assert (document.kind, document.trust) == ("Invoice", "Oak Trust")
    assert (document.net, document.vat, document.gross) == (Decimal("900.00"), Decimal("180.00"), Decimal("1080.00"))
    assert document.due == date(2025, 12, 31)


def test_vat_rounds_half_up_to_the_penny() -> None:
    county = inputs(settings=settings(vat_rate=D("0.175"), **STANDARD_PLACEMENTS))
    [document] = settle([line(ACADEMY, "Autumn 2025", "100.60")], county, TODAY).documents
    # 100.60 x 17.5% = 17.605 -> 17.61 (half up; half even would give 17.60); gross 118.21.
    assert (document.vat, document.gross) == (Decimal("17.61"), Decimal("118.21"))


def test_a_budget_adjustment_is_an_internal_journal_and_never_carries_vat() -> None:
    county = inputs(settings=settings(vat_rate=D("0.2"), **STANDARD_PLACEMENTS))
    [document] = settle([line(MAINTAINED, "Autumn 2025", "900.00")], county, TODAY).documents
    # A maintained school is part of the LA: 900.00 standard-rated, but VAT 0.00, gross 900.00.
    assert document.kind == "Budget adjustment"
    assert (document.net, document.vat, document.gross) == (D("900.00"), D("0.00"), D("900.00"))


def test_lines_are_outside_the_scope_of_vat_unless_their_type_is_set_standard() -> None:
    lines = [
        line(ACADEMY, "Autumn 2025", "900.00"),
        line(ACADEMY, "Autumn 2025", "2221.15", type=LineType.EXCLUSION_ADJUSTMENT),
        line(ACADEMY, "Autumn 2025", "300.00", type=LineType.PUPIL_PREMIUM),
    ]
    default = inputs(settings=settings(vat_rate=D("0.2")))
    [document] = settle(lines, default, TODAY).documents
    # Every type outside scope by default: net 900.00 + 2,221.15 + 300.00 = 3,421.15, VAT 0.00.
    assert (document.net, document.vat, document.gross) == (D("3421.15"), D("0.00"), D("3421.15"))
    mixed = inputs(
        settings=settings(
            vat_rate=D("0.2"),
            vat_placement_charge=VatTreatment.STANDARD,
            vat_pupil_premium=VatTreatment.EXEMPT,
        )
    )
    [document] = settle(lines, mixed, TODAY).documents
    # Only the placement charge is standard-rated: VAT = 900.00 x 20% = 180.00; gross 3,421.15 + 180.00.
    assert (document.net, document.vat, document.gross) == (D("3421.15"), D("180.00"), D("3601.15"))


def test_credits_net_against_charges_in_the_same_term() -> None:
    lines = [line(ACADEMY, "Autumn 2025", "500.00"), line(ACADEMY, "Autumn 2025", "-120.40")]
    [document] = settle(lines, inputs(), TODAY).documents
    # 500.00 - 120.40 = 379.60.
    assert document.net == Decimal("379.60")


def test_an_academy_net_credit_is_a_credit_note() -> None:
    lines = [line(ACADEMY, "Autumn 2025", "500.00"), line(ACADEMY, "Autumn 2025", "-800.00")]
    [document] = settle(lines, inputs(), TODAY).documents
    # 500.00 - 800.00 = -300.00: a credit note, nothing for the trust to pay.
    assert (document.kind, document.net, document.due) == ("Credit note", Decimal("-300.00"), None)


def test_a_maintained_net_credit_is_a_budget_adjustment_that_adds_to_the_budget() -> None:
    lines = [line(MAINTAINED, "Autumn 2025", "-1798.08")]
    [document] = settle(lines, inputs(), TODAY).documents
    # Net -1,798.08: owed to the school, so its budget share goes up by 1,798.08.
    assert (document.kind, document.net) == ("Budget adjustment", Decimal("-1798.08"))


def test_only_recoverable_lines_are_settled() -> None:
    lines = [
        line(ACADEMY, "Autumn 2025", "900.00", status=LineStatus.NOT_RECOVERABLE),
        line(ACADEMY, "Autumn 2025", "900.00", status=LineStatus.BLOCKED),
        line(MAINTAINED, "", "0.00", status=LineStatus.OUT_OF_YEAR),
    ]
    settlement = settle(lines, inputs(), TODAY)
    assert settlement.documents == []
    assert settlement.register == []


def test_a_term_that_nets_to_zero_needs_no_document_and_takes_no_number() -> None:
    lines = [line(MAINTAINED, "Autumn 2025", "250.00"), line(MAINTAINED, "Autumn 2025", "-250.00")]
    settlement = settle(lines, inputs(), TODAY)
    assert settlement.documents == []
    assert settlement.register == []


def test_documents_are_numbered_term_by_term_then_by_urn() -> None:
    lines = [
        line(MAINTAINED, "Spring 2026", "10.00"),
        line(ACADEMY, "Autumn 2025", "20.00"),
        line(MAINTAINED_2, "Autumn 2025", "30.00"),
        line(MAINTAINED, "Autumn 2025", "40.00"),
    ]
    documents = settle(lines, inputs(), TODAY).documents
    assert [(d.number, d.urn, d.period) for d in documents] == [
        ("AP-2025-26-00001", MAINTAINED, "Autumn 2025"),
        ("AP-2025-26-00002", MAINTAINED_2, "Autumn 2025"),
        ("AP-2025-26-00003", ACADEMY, "Autumn 2025"),
        ("AP-2025-26-00004", MAINTAINED, "Spring 2026"),
    ]


def test_the_invoice_prefix_setting_names_the_series() -> None:
    county = inputs(settings=settings(invoice_prefix="KCC"))
    [document] = settle([line(ACADEMY, "Autumn 2025", "20.00")], county, TODAY).documents
    assert document.number == "KCC-2025-26-00001"


def test_settlement_trace_shows_the_lines_in_each_document() -> None:
    lines = [line(ACADEMY, "Autumn 2025", "500.00", line_id="PL-1/Autumn 2025")]
    [trace] = settle(lines, inputs(), TODAY).trace
    assert trace.value == Decimal("500.00")
    assert "PL-1/Autumn 2025 £500.00" in trace.inputs


def test_without_settings_the_register_is_kept_and_nothing_is_settled() -> None:
    county = inputs(settings=None)
    settlement = settle([line(ACADEMY, "Autumn 2025", "500.00")], county, TODAY)
    assert (settlement.documents, settlement.register) == ([], [])


def test_recoupment_table_has_the_contract_columns_then_tier() -> None:
    county = inputs(exclusions=(exclusion(),), placements=(placement(),))
    table = recoupment_table(recoup(county, Findings()))
    assert table.name == "Recoupment"
    assert table.header == [
        "Line ID",
        "URN",
        "School",
        "Type",
        "Legal Basis",
        "Settlement",
        "Pupil Ref",
        "Source ID",
        "Period",
        "A",
        "B",
        "C",
        "D",
        "E",
        "F",
        "Rate",
        "Days",
        "Amount",
        "Status",
        "Tier",
    ]
    rows = [dict(zip(table.header, row, strict=True)) for row in table.rows]
    # 5,500 x 21 / 52 -> 2,221.15; placement 60 x 15 -> 900.00.
    assert [(r["Line ID"], r["Amount"], r["Tier"]) for r in rows] == [
        ("EX-0001/A", Decimal("2221.15"), None),
        ("PL-1/Autumn 2025", Decimal("900.00"), 2),
    ]
    assert rows[0]["Legal Basis"] == "Statutory (reg 39)"
    assert rows[0]["Settlement"] == "Budget adjustment"
    assert type(rows[0]["Status"]) is str


def test_an_empty_recoupment_gives_an_empty_table_with_its_header() -> None:
    table = recoupment_table(RecoupmentResult())
    assert table.rows == []
    assert len(table.header) == 20


def test_invoices_table_lists_every_document() -> None:
    county = inputs(settings=settings(vat_rate=D("0.2"), **STANDARD_PLACEMENTS))
    settlement = settle([line(ACADEMY, "Autumn 2025", "900.00")], county, TODAY)
    table = invoices_table(settlement)
    assert table.name == "Invoices"
    assert table.header == [
        "Number",
        "Kind",
        "URN",
        "School",
        "Trust",
        "Period",
        "Date",
        "Due",
        "Net",
        "VAT",
        "Gross",
        "Status",
    ]
    # 900.00 + 20% VAT 180.00 = 1,080.00, due 30 days after 1 Dec 2025.
    assert table.rows == [
        [
            "AP-2025-26-00001",
            "Invoice",
            ACADEMY,
            "Cedar Academy",
            "Oak Trust",
            "Autumn 2025",
            TODAY,
            date(2025, 12, 31),
            Decimal("900.00"),
            Decimal("180.00"),
            Decimal("1080.00"),
            "Draft",
        ]
    ]


def test_documents_add_up_to_the_recoverable_lines_to_the_penny() -> None:
    county = inputs(
        exclusions=(
            exclusion("EX-0001", fsm6=True, admitting_urn=ACADEMY, admission_date=date(2025, 12, 1)),
            exclusion("EX-0002", excluding_urn=MAINTAINED_2, relevant_date=date(2026, 1, 12)),
        ),
        placements=(
            placement("PL-1", start=date(2025, 10, 1), end=None),
            placement("PL-2", home_urn=ACADEMY, start=date(2025, 11, 10), end=date(2026, 2, 27)),
        ),
    )
    result = recoup(county, Findings())
    settlement = settle(result.lines, county, TODAY)
    assert sum(d.net for d in settlement.documents) == result.total_charged + result.total_credited
    assert result.total_credited < 0 < result.total_charged
    assert len({(d.urn, d.period) for d in settlement.documents}) == len(settlement.documents)


def test_a_document_carries_its_recoverable_lines_of_the_period_in_order() -> None:
    charge = line(ACADEMY, "Autumn 2025", "500.00", line_id="PL-1/Autumn 2025")
    credit = line(ACADEMY, "Autumn 2025", "-120.40", line_id="EX-1/E")
    held = line(ACADEMY, "Autumn 2025", "900.00", status=LineStatus.BLOCKED)
    spring = line(ACADEMY, "Spring 2026", "20.00")
    autumn, _ = settle([charge, held, credit, spring], inputs(), TODAY).documents
    # 500.00 - 120.40 = 379.60: the blocked line is not on the invoice, nor the Spring line.
    assert autumn.lines == (charge, credit)
    assert autumn.net == Decimal("379.60") == sum((x.amount for x in autumn.lines), Decimal(0))


def test_recoupment_totals_add_up_each_term_and_type_to_the_penny_of_the_recoupment_table() -> None:
    lines = [
        line(ACADEMY, "Autumn 2025", "900.00"),
        line(MAINTAINED, "Spring 2026", "450.25"),
        line(MAINTAINED, "Autumn 2025", "-120.40", type=LineType.ADMITTING_CREDIT),
        line(MAINTAINED_2, "Autumn 2025", "300.10"),
        line(ACADEMY, "Autumn 2025", "75.00", status=LineStatus.NOT_RECOVERABLE),
    ]
    table = recoupment_totals_table(RecoupmentResult(lines=lines))
    assert table.header == ["Period", "Type", "Status", "Lines", "Amount"]
    # Autumn recoverable placements 900.00 + 300.10 = 1,200.10, the not recoverable 75.00 in a row of its
    # own; Autumn credit -120.40; Spring placement 450.25. Terms in the order they first appear, types
    # likewise, then statuses.
    assert table.rows == [
        ["Autumn 2025", "Placement charge", "Recoverable", 2, D("1200.10")],
        ["Autumn 2025", "Placement charge", "Not recoverable", 1, D("75.00")],
        ["Autumn 2025", "Admitting credit", "Recoverable", 1, D("-120.40")],
        ["Spring 2026", "Placement charge", "Recoverable", 1, D("450.25")],
    ]
    # 1,200.10 + 75.00 - 120.40 + 450.25 = 1,604.95, the Recoupment table's Amount column added up.
    amount = recoupment_table(RecoupmentResult(lines=lines)).header.index("Amount")
    recoupment_sum = sum(row[amount] for row in recoupment_table(RecoupmentResult(lines=lines)).rows)
    assert sum(row[4] for row in table.rows) == recoupment_sum == D("1604.95")
    # The Recoverable rows: 1,200.10 - 120.40 + 450.25 = 1,529.95, what the chain recovers and bills.
    assert sum(row[4] for row in table.rows if row[2] == "Recoverable") == D("1529.95")


def test_invoice_totals_add_up_each_term_and_kind_to_the_penny_of_the_invoices_table() -> None:
    county = inputs(settings=settings(vat_rate=D("0.2"), **STANDARD_PLACEMENTS))
    lines = [
        line(ACADEMY, "Autumn 2025", "900.00"),
        line(MAINTAINED, "Autumn 2025", "450.25"),
        line(MAINTAINED_2, "Autumn 2025", "-300.10"),
        line(ACADEMY, "Spring 2026", "-100.00"),
    ]
    settlement = settle(lines, county, TODAY)
    table = invoice_totals_table(settlement)
    assert table.header == ["Period", "Kind", "Documents", "Net", "VAT", "Gross"]
    # Autumn invoice 900.00 + VAT 180.00 = 1,080.00; Autumn budget adjustments 450.25 - 300.10 = 150.15
    # (no VAT); Spring credit note -100.00 + VAT -20.00 = -120.00.
    assert table.rows == [
        ["Autumn 2025", "Budget adjustment", 2, D("150.15"), D("0.00"), D("150.15")],
        ["Autumn 2025", "Invoice", 1, D("900.00"), D("180.00"), D("1080.00")],
        ["Spring 2026", "Credit note", 1, D("-100.00"), D("-20.00"), D("-120.00")],
    ]
    # Net 150.15 + 900.00 - 100.00 = 950.15, VAT 160.00, Gross 1,110.15: the Invoices columns added up.
    invoices = invoices_table(settlement)
    for name, expected in (("Net", "950.15"), ("VAT", "160.00"), ("Gross", "1110.15")):
        column = invoices.header.index(name)
        assert sum(row[column] for row in invoices.rows) == D(expected)
        assert sum(row[table.header.index(name)] for row in table.rows) == D(expected)
