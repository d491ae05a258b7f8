"""The ledger export's rules, on register rows built in code."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from apmodel.domain.findings import Findings
from apmodel.domain.inputs import FinancialYear, ModelInputs, RegisterEntry, School, SchoolType, Settings
from apmodel.domain.ledger import LAYOUTS, export_ledger, exportable, journal_balance, mark_exported

SETTINGS = Settings(
    financial_year=FinancialYear(start_year=2025),
    ap_budget=Decimal("1000000"),
    school_year_end=date(2025, 7, 31),
    ap_cost_centre="HN-AP",
    income_account="9410",
    school_budget_account="1890",
)
SCHOOL = School(row=2, urn=100001, name="Alder", district="North", phase="Secondary",
                type=SchoolType.MAINTAINED, cost_centre="CC1")


def entry(number: str, net: str, status: str = "Issued", **extra: object) -> RegisterEntry:
    value = Decimal(net)
    fields: dict[str, object] = {
        "row": 0, "number": number, "key": f"BA|100001|{number}", "kind": "Budget adjustment", "urn": 100001,
        "period": "Autumn 2025", "net": value, "vat": Decimal("0.00"), "gross": value, "status": status,
        "issued_on": date(2025, 12, 1) if status != "Draft" else None,
    }
    fields.update(extra)
    return RegisterEntry.model_validate(fields)


def test_only_issued_not_yet_exported_non_nil_documents_are_exportable() -> None:
    assert exportable(entry("AP-1", "10.00"))
    assert exportable(entry("AP-2", "10.00", "Credited"))
    assert not exportable(entry("AP-3", "10.00", "Draft"))
    assert not exportable(entry("AP-4", "0.00"))
    assert not exportable(entry("AP-5", "10.00", exported_on=date(2025, 12, 2)))


def test_money_back_to_a_school_is_a_credit_to_its_budget_and_each_journal_nets_to_zero() -> None:
    inputs = ModelInputs(settings=SETTINGS, schools=(SCHOOL,))
    register = [entry("AP-1", "-300.25"), entry("AP-2", "125.10")]
    export = export_ledger(register, inputs, LAYOUTS["generic"], Findings())
    # AP-1: -300.25 is money back: school credited 300.25, AP budget debited 300.25.
    assert export.journal_rows[0][2:4] == ["CC1", "1890"]
    assert export.journal_rows[0][5:] == [None, Decimal("300.25")]
    assert export.journal_rows[1][5:] == [Decimal("300.25"), None]
    assert journal_balance(export.journal_lines) == {"AP-1": Decimal("0.00"), "AP-2": Decimal("0.00")}


def test_marking_exported_changes_only_exported_on_of_the_rows_named() -> None:
    register = [entry("AP-1", "1.00"), entry("AP-2", "2.00")]
    after = mark_exported(register, ["AP-2"], date(2025, 12, 2))
    assert after[0] == register[0]
    assert after[1] == register[1].model_copy(update={"exported_on": date(2025, 12, 2)})


def test_blank_finance_settings_are_warned_once_each() -> None:
    inputs = ModelInputs(settings=SETTINGS.model_copy(update={"ap_cost_centre": ""}), schools=(SCHOOL,))
    findings = Findings()
    export_ledger([entry("AP-1", "1.00"), entry("AP-2", "2.00")], inputs, LAYOUTS["generic"], findings)
    assert [(f.code, f.value) for f in findings.items] == [("FINANCE_SETTING_MISSING", "AP cost centre")]
