"""The invoice register: gap-free numbers, never reused, stable across runs; Issued rows never rewritten.

docs/funding-rules.md, "Settlement"; docs/forum-workbook.md, "The invoice register".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from apmodel.domain.findings import Findings, Severity
from apmodel.domain.inputs import ModelInputs, Placement, RegisterEntry
from apmodel.domain.recoupment import recoup
from apmodel.domain.register import (
    DocumentKind,
    WantedDocument,
    issue,
    reconcile,
    reconcile_last_year,
    updated_log,
)
from apmodel.domain.settlement import SettlementResult, documents, issue_period, settle
from apmodel.reports.recoupment_tables import invoice_register_table
from tests.unit.recoup_builders import (
    ACADEMY,
    MAINTAINED,
    TODAY,
    codes,
    entry,
    exclusion,
    finding,
    inputs,
    placement,
)

ISSUE_DAY = date(2025, 12, 5)


def county(*placements: Placement, register: tuple[RegisterEntry, ...] = ()) -> ModelInputs:
    return inputs(exclusions=(exclusion(),), placements=placements, invoice_register=register)


def autumn_academy(end: date = date(2025, 11, 21)) -> Placement:
    return placement("PL-1", home_urn=ACADEMY, start=date(2025, 11, 3), end=end)


def spring_academy(end: date = date(2026, 1, 16)) -> Placement:
    return placement("PL-2", home_urn=ACADEMY, start=date(2026, 1, 5), end=end)


def run(model_inputs: ModelInputs, findings: Findings | None = None) -> SettlementResult:
    findings = findings if findings is not None else Findings()
    return settle(recoup(model_inputs, findings).lines, model_inputs, TODAY, findings)


def rows(register: list[RegisterEntry]) -> list[tuple[str, str, str, Decimal, str, str]]:
    return [(e.number, e.key, e.kind, e.net, e.status, e.supersedes) for e in register]


def test_first_run_numbers_documents_in_order_as_drafts() -> None:
    # Autumn: Alder's exclusion 5,500 x 21 / 52 -> 2,221.15; Cedar's placement 60 x 15 days = 900.00.
    # Spring: Cedar 5-16 Jan = 10 days x 60 = 600.00.
    register = run(county(autumn_academy(), spring_academy())).register
    assert rows(register) == [
        ("AP-2025-26-00001", f"BA|{MAINTAINED}|Autumn 2025", "Budget adjustment", Decimal("2221.15"), "Draft", ""),
        ("AP-2025-26-00002", f"INV|{ACADEMY}|Autumn 2025", "Invoice", Decimal("900.00"), "Draft", ""),
        ("AP-2025-26-00003", f"INV|{ACADEMY}|Spring 2026", "Invoice", Decimal("600.00"), "Draft", ""),
    ]


def test_same_inputs_give_the_same_numbers_on_every_run() -> None:
    first = run(county(autumn_academy(), spring_academy())).register
    second = run(county(autumn_academy(), spring_academy(), register=tuple(first))).register
    assert second == first


def test_a_draft_whose_amount_changed_keeps_its_number() -> None:
    first = run(county(autumn_academy(), spring_academy())).register
    second = run(county(autumn_academy(), spring_academy(date(2026, 1, 23)), register=tuple(first))).register
    # Spring now 5-23 Jan = 15 days x 60 = 900.00, still number 00003 and still Draft.
    assert rows(second)[2] == (
        "AP-2025-26-00003",
        f"INV|{ACADEMY}|Spring 2026",
        "Invoice",
        Decimal("900.00"),
        "Draft",
        "",
    )
    assert len(second) == 3


def test_a_draft_no_longer_needed_keeps_its_number_at_zero() -> None:
    first = run(county(autumn_academy(), spring_academy())).register
    without_spring = run(county(autumn_academy(), register=tuple(first)))
    kept = without_spring.register[2]
    assert (kept.number, kept.status, kept.net, kept.vat, kept.gross) == (
        "AP-2025-26-00003",
        "Draft",
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert "AP-2025-26-00003" not in [d.number for d in without_spring.documents]
    # Issuing Spring sends nothing: the nil Draft stays Draft.
    assert issue(without_spring.register, "Spring 2026", ISSUE_DAY) == without_spring.register
    # Needed again: the same number comes back, no new one is used.
    again = run(county(autumn_academy(), spring_academy(), register=tuple(without_spring.register))).register
    assert rows(again) == rows(first)


def test_issue_turns_only_that_periods_drafts_into_issued_dated_today() -> None:
    register = run(county(autumn_academy(), spring_academy())).register
    issued = issue(register, "Autumn 2025", ISSUE_DAY)
    assert [(e.number, e.status, e.issued_on) for e in issued] == [
        ("AP-2025-26-00001", "Issued", ISSUE_DAY),
        ("AP-2025-26-00002", "Issued", ISSUE_DAY),
        ("AP-2025-26-00003", "Draft", None),
    ]
    assert [(e.net, e.key) for e in issued] == [(e.net, e.key) for e in register]


def test_issued_invoice_changed_later_is_credited_and_replaced_with_the_next_numbers() -> None:
    findings = Findings()
    first = run(county(autumn_academy(), spring_academy()))
    issued = issue(first.register, "Autumn 2025", ISSUE_DAY)
    # Cedar's Autumn placement now ends 28 Nov: 3-28 Nov = 20 days x 60 = 1,200.00 (was 900.00).
    second = run(county(autumn_academy(date(2025, 11, 28)), spring_academy(), register=tuple(issued)), findings)
    old = second.register[1]
    # The issued invoice is untouched except that it is now Credited.
    assert old == issued[1].model_copy(update={"status": "Credited"})
    assert (old.net, old.issued_on) == (Decimal("900.00"), ISSUE_DAY)
    assert rows(second.register) == [
        ("AP-2025-26-00001", f"BA|{MAINTAINED}|Autumn 2025", "Budget adjustment", Decimal("2221.15"), "Issued", ""),
        ("AP-2025-26-00002", f"INV|{ACADEMY}|Autumn 2025", "Invoice", Decimal("900.00"), "Credited", ""),
        ("AP-2025-26-00003", f"INV|{ACADEMY}|Spring 2026", "Invoice", Decimal("600.00"), "Draft", ""),
        ("AP-2025-26-00004", "CR|AP-2025-26-00002", "Credit note", Decimal("-900.00"), "Draft", "AP-2025-26-00002"),
        ("AP-2025-26-00005", f"INV|{ACADEMY}|Autumn 2025", "Invoice", Decimal("1200.00"), "Draft", "AP-2025-26-00002"),
    ]
    numbers = [e.number for e in second.register]
    assert len(set(numbers)) == len(numbers)
    assert numbers == [f"AP-2025-26-{n:05d}" for n in range(1, 6)]
    assert findings.items == []
    # The unchanged budget adjustment is still the one issued.
    assert second.register[0] == issued[0]
    # Rerunning the changed inputs changes nothing more.
    third = run(county(autumn_academy(date(2025, 11, 28)), spring_academy(), register=tuple(second.register)))
    assert third.register == second.register


def test_credit_note_and_replacement_are_issued_with_their_period() -> None:
    first = run(county(autumn_academy(), spring_academy()))
    issued = issue(first.register, "Autumn 2025", ISSUE_DAY)
    second = run(county(autumn_academy(date(2025, 11, 28)), spring_academy(), register=tuple(issued)))
    reissued = issue(second.register, "Autumn 2025", date(2025, 12, 12))
    assert [(e.number, e.status) for e in reissued] == [
        ("AP-2025-26-00001", "Issued"),
        ("AP-2025-26-00002", "Credited"),
        ("AP-2025-26-00003", "Draft"),
        ("AP-2025-26-00004", "Issued"),
        ("AP-2025-26-00005", "Issued"),
    ]
    assert reissued[1].issued_on == ISSUE_DAY


def test_issued_document_no_longer_wanted_is_credited_without_a_replacement() -> None:
    first = run(county(autumn_academy()))
    issued = issue(first.register, "Autumn 2025", ISSUE_DAY)
    second = run(county(register=tuple(issued)))
    assert rows(second.register)[1:] == [
        ("AP-2025-26-00002", f"INV|{ACADEMY}|Autumn 2025", "Invoice", Decimal("900.00"), "Credited", ""),
        ("AP-2025-26-00003", "CR|AP-2025-26-00002", "Credit note", Decimal("-900.00"), "Draft", "AP-2025-26-00002"),
    ]


def test_an_issued_budget_adjustment_is_reversed_by_a_budget_adjustment() -> None:
    first = run(county())
    issued = issue(first.register, "Autumn 2025", ISSUE_DAY)
    changed = inputs(exclusions=(exclusion(relevant_date=date(2025, 12, 2)),), invoice_register=tuple(issued))
    second = run(changed)
    # Relevant date now 2 Dec: 5,500 x 17 / 52 -> 1,798.08 replaces 2,221.15.
    assert rows(second.register) == [
        ("AP-2025-26-00001", f"BA|{MAINTAINED}|Autumn 2025", "Budget adjustment", Decimal("2221.15"), "Credited", ""),
        (
            "AP-2025-26-00002",
            "CR|AP-2025-26-00001",
            "Budget adjustment",
            Decimal("-2221.15"),
            "Draft",
            "AP-2025-26-00001",
        ),
        (
            "AP-2025-26-00003",
            f"BA|{MAINTAINED}|Autumn 2025",
            "Budget adjustment",
            Decimal("1798.08"),
            "Draft",
            "AP-2025-26-00001",
        ),
    ]


def test_documents_show_issued_ones_on_their_issue_date() -> None:
    first = run(county(autumn_academy()))
    issued = issue(first.register, "Autumn 2025", ISSUE_DAY)
    shown = documents(issued, county(autumn_academy()), TODAY)
    assert [(d.number, d.date, d.due, d.status) for d in shown] == [
        ("AP-2025-26-00001", ISSUE_DAY, None, "Issued"),
        ("AP-2025-26-00002", ISSUE_DAY, date(2026, 1, 4), "Issued"),
    ]


def test_rows_of_another_year_are_kept_and_do_not_move_the_sequence() -> None:
    last_year = entry(
        "AP-2024-25-00007",
        f"INV|{ACADEMY}|Spring 2025",
        urn=ACADEMY,
        period="Spring 2025",
        status="Issued",
        issued_on=date(2025, 2, 1),
    )
    settlement = run(county(register=(last_year,)))
    assert settlement.register[0] == last_year
    assert [e.number for e in settlement.register] == ["AP-2024-25-00007", "AP-2025-26-00001"]
    assert [d.number for d in settlement.documents] == ["AP-2025-26-00001"]


def test_a_gap_in_the_register_is_a_warning_and_numbers_continue_after_the_highest() -> None:
    findings = Findings()
    kept = (
        entry("AP-2025-26-00001", "INV|1|Summer 2025", status="Issued", issued_on=date(2025, 6, 1)),
        entry("AP-2025-26-00003", "INV|2|Summer 2025", status="Issued", issued_on=date(2025, 6, 1)),
    )
    settlement = run(county(register=kept), findings)
    assert settlement.register[-1].number == "AP-2025-26-00004"
    warning = finding(findings, "REGISTER_GAP")
    assert (warning.severity, warning.value) == (Severity.WARNING, "AP-2025-26-00002")


def test_two_live_rows_for_one_key_are_a_warning() -> None:
    findings = Findings()
    key = f"BA|{MAINTAINED}|Autumn 2025"
    doubled = (
        entry("AP-2025-26-00001", key, kind="Budget adjustment", urn=MAINTAINED, period="Autumn 2025"),
        entry("AP-2025-26-00002", key, kind="Budget adjustment", urn=MAINTAINED, period="Autumn 2025"),
    )
    settlement = run(county(register=doubled), findings)
    assert "REGISTER_DUPLICATE_KEY" in codes(findings)
    # The later row is the live one and takes the amount: 5,500 x 21 / 52 -> 2,221.15.
    assert [e.net for e in settlement.register] == [Decimal("0.00"), Decimal("2221.15")]


def test_invoice_register_table_has_the_contract_columns() -> None:
    register = issue(run(county(autumn_academy())).register, "Autumn 2025", ISSUE_DAY)
    table = invoice_register_table(register)
    assert table.name == "InvoiceRegister"
    assert table.header == [
        "Number",
        "Kind",
        "URN",
        "Period",
        "Net",
        "VAT",
        "Gross",
        "Status",
        "Issued On",
        "Supersedes",
        "Exported On",
        "Finance Ref",
        "Key",
    ]
    assert table.rows[1] == [
        "AP-2025-26-00002",
        "Invoice",
        ACADEMY,
        "Autumn 2025",
        Decimal("900.00"),
        Decimal("0.00"),
        Decimal("900.00"),
        "Issued",
        ISSUE_DAY,
        None,
        None,
        None,
        f"INV|{ACADEMY}|Autumn 2025",
    ]


def test_issuing_a_period_rebuilds_its_documents_as_issued() -> None:
    model_inputs = county(autumn_academy(), spring_academy())
    after = issue_period(run(model_inputs), model_inputs, "Autumn 2025", ISSUE_DAY)
    assert [(d.number, d.status, d.date) for d in after.documents] == [
        ("AP-2025-26-00001", "Issued", ISSUE_DAY),
        ("AP-2025-26-00002", "Issued", ISSUE_DAY),
        ("AP-2025-26-00003", "Draft", ISSUE_DAY),
    ]
    assert after.register == issue(run(model_inputs).register, "Autumn 2025", ISSUE_DAY)


def test_a_current_document_carries_the_lines_it_settles_and_a_replaced_one_none() -> None:
    first = run(county(autumn_academy(), spring_academy()))
    issued = issue(first.register, "Autumn 2025", ISSUE_DAY)
    second = run(county(autumn_academy(date(2025, 11, 28)), spring_academy(), register=tuple(issued)))
    carried = {
        d.number: ([x.line_id for x in d.lines], sum((x.amount for x in d.lines), Decimal(0))) for d in second.documents
    }
    # The credited invoice (900.00 as issued) and the credit note reversing it carry no lines: the
    # amounts stand as issued. The replacement carries Cedar's Autumn line: 20 days x 60 = 1,200.00.
    assert carried["AP-2025-26-00002"] == ([], Decimal(0))
    assert carried["AP-2025-26-00004"] == ([], Decimal(0))
    assert carried["AP-2025-26-00005"] == (["PL-1/Autumn 2025"], Decimal("1200.00"))
    assert [d.is_reversal for d in second.documents] == [False, False, False, True, False]


def test_issuing_a_period_keeps_each_documents_lines() -> None:
    model_inputs = county(autumn_academy(), spring_academy())
    before = run(model_inputs)
    after = issue_period(before, model_inputs, "Autumn 2025", ISSUE_DAY)
    assert [d.lines for d in after.documents] == [d.lines for d in before.documents]
    assert all(sum((x.amount for x in d.lines), Decimal(0)) == d.net for d in after.documents)


# --- The log: what the model issued, checked against the register (register.check) --------


def logged(model_inputs: ModelInputs, register: list[RegisterEntry], log: list[RegisterEntry]) -> ModelInputs:
    return model_inputs.model_copy(update={"invoice_register": tuple(register), "register_log": tuple(log)})


def test_an_issued_rows_edited_gross_freezes_the_register_and_is_never_credited() -> None:
    first = run(county(autumn_academy()))
    issued = issue(first.register, "Autumn 2025", ISSUE_DAY)
    # Cedar's issued 900.00 retyped as 750.00; and the placement now runs to 28 Nov (1,200.00 wanted).
    edited = [issued[0], issued[1].model_copy(update={"gross": Decimal("750.00")})]
    findings = Findings()
    result = run(logged(county(autumn_academy(date(2025, 11, 28))), edited, issued), findings)
    assert result.frozen and result.register == edited
    assert [(f.code, f.row, f.column) for f in findings.items if f.table == "InvoiceRegister"] == [
        ("REGISTER_EDITED", edited[1].row or None, "Gross"),
        ("REGISTER_NOT_UPDATED", None, None),
    ]
    # Issuing a frozen register issues nothing.
    assert issue_period(result, county(), "Autumn 2025", ISSUE_DAY) is result


def test_a_deleted_issued_row_freezes_the_register_so_its_school_and_term_are_not_billed_again() -> None:
    first = run(county(autumn_academy()))
    issued = issue(first.register, "Autumn 2025", ISSUE_DAY)
    findings = Findings()
    result = run(logged(county(autumn_academy()), [issued[0]], issued), findings)
    assert result.frozen and [e.number for e in result.register] == ["AP-2025-26-00001"]
    assert finding(findings, "REGISTER_ROW_DELETED").value == "AP-2025-26-00002"


def test_numbers_continue_after_the_highest_one_in_the_log() -> None:
    first = run(county(autumn_academy()))
    # The Draft 00002 deleted by hand; the log still holds it, so Cedar gets 00003.
    findings = Findings()
    second = run(logged(county(autumn_academy()), first.register[:1], first.register), findings)
    assert not second.frozen
    assert [e.number for e in second.register] == ["AP-2025-26-00001", "AP-2025-26-00003"]
    assert finding(findings, "REGISTER_GAP").value == "AP-2025-26-00002"
    assert [e.number for e in updated_log(second.register, first.register)] == [
        "AP-2025-26-00001",
        "AP-2025-26-00003",
        "AP-2025-26-00002",
    ]


def test_a_row_typed_as_issued_by_hand_freezes_the_register() -> None:
    first = run(county(autumn_academy()))
    typed = [first.register[0], first.register[1].model_copy(update={"status": "Issued", "issued_on": ISSUE_DAY})]
    findings = Findings()
    assert run(logged(county(autumn_academy()), typed, first.register), findings).frozen
    assert finding(findings, "REGISTER_EDITED").column == "Status"


def test_a_register_with_no_log_yet_is_trusted_as_it_is() -> None:
    first = run(county(autumn_academy()))
    issued = issue(first.register, "Autumn 2025", ISSUE_DAY)
    edited = [issued[0], issued[1].model_copy(update={"gross": Decimal("750.00")})]
    assert not run(logged(county(autumn_academy()), edited, [])).frozen


# --- Last year's documents, reconciled from a new year's run (reconcile_last_year) ---------------------------

LAST, THIS = "AP-2025-26-", "AP-2026-27-"
SPRING = ("Summer 2025", "Autumn 2025", "Spring 2026")


def wanted_invoice(net: str, period: str = "Spring 2026") -> WantedDocument:
    amount = Decimal(net)
    return WantedDocument(f"INV|{ACADEMY}|{period}", DocumentKind.INVOICE, ACADEMY, period, amount, Decimal(0), amount)


def last_years(status: str, net: str = "600.00") -> RegisterEntry:
    amount = Decimal(net)
    return entry(f"{LAST}00003", f"INV|{ACADEMY}|Spring 2026", urn=ACADEMY, period="Spring 2026", net=amount,
                 vat=Decimal(0), gross=amount, status=status)  # fmt: skip


def this_years() -> RegisterEntry:
    return entry(f"{THIS}00001", f"INV|{ACADEMY}|Summer 2026", urn=ACADEMY, period="Summer 2026",
                 net=Decimal(100), vat=Decimal(0), gross=Decimal(100), status="Draft")  # fmt: skip


def test_last_years_unchanged_document_is_left_alone() -> None:
    register = [last_years("Issued"), this_years()]
    result = reconcile_last_year(register, [wanted_invoice("600.00")], LAST, THIS, SPRING)
    assert result.register == register and result.drafts_left == []


def test_last_years_changed_document_is_credited_in_this_years_series() -> None:
    result = reconcile_last_year([last_years("Issued"), this_years()], [wanted_invoice("300.00")], LAST, THIS, SPRING)
    old, mine, credit, new = result.register
    assert (old.status, mine) == ("Credited", this_years().model_copy(update={"row": mine.row}))
    # After 2026-27's own 00001: the credit note 00002 (-600.00) and the new invoice 00003 (300.00).
    credited = (f"{THIS}00002", "Credit note", Decimal("-600.00"), f"{LAST}00003")
    assert (credit.number, credit.kind, credit.net, credit.supersedes) == credited
    billed = (f"{THIS}00003", Decimal("300.00"), f"{LAST}00003", "Draft")
    assert (new.number, new.net, new.supersedes, new.status) == billed


def test_last_years_draft_is_never_changed_from_the_new_year() -> None:
    draft = last_years("Draft")
    result = reconcile_last_year([draft], [wanted_invoice("300.00")], LAST, THIS, SPRING)
    assert result.register == [draft] and result.drafts_left == [draft]
    # And this year's reconciliation leaves it (another series) and a correction of it (its key) alone.
    assert reconcile([draft], [], "AP", "2026-27") == [draft]
