"""Validation findings: every problem with the inputs, collected lazily (pandera style).

Rule (docs/funding-rules.md, "Validation"): nothing crashes and nothing is lost. Every problem
becomes one row of ``Warnings`` with a severity, a stable code, the table, row and column,
the value seen and a plain-English message, and all problems are reported in one run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "Error"
    WARNING = "Warning"
    INFO = "Info"


_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    table: str
    #: The sheet row number of the offending row (None for a whole table or setting).
    row: int | None
    column: str | None
    value: str
    message: str

    @property
    def sort_key(self) -> tuple[int, str, int, str]:
        return (_ORDER[self.severity], self.table, self.row or 0, self.code)


@dataclass
class Findings:
    """The run's findings, in the order found; ``sorted()`` gives the published order."""

    items: list[Finding] = field(default_factory=list)
    _seen: set[Finding] = field(default_factory=set, repr=False)

    def add(
        self,
        severity: Severity,
        code: str,
        table: str,
        row: int | None,
        column: str | None,
        value: object,
        message: str,
    ) -> None:
        finding = Finding(severity, code, table, row, column, shown(value)[:255], message)
        if finding not in self._seen:
            self._seen.add(finding)
            self.items.append(finding)

    def error(self, code: str, table: str, row: int | None, column: str | None, value: object, message: str) -> None:
        self.add(Severity.ERROR, code, table, row, column, value, message)

    def warning(self, code: str, table: str, row: int | None, column: str | None, value: object, message: str) -> None:
        self.add(Severity.WARNING, code, table, row, column, value, message)

    def info(self, code: str, table: str, row: int | None, column: str | None, value: object, message: str) -> None:
        self.add(Severity.INFO, code, table, row, column, value, message)

    def extend(self, other: Findings) -> None:
        for finding in other.items:
            if finding not in self._seen:
                self._seen.add(finding)
                self.items.append(finding)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.items if f.severity is severity)

    def counts_text(self) -> str:
        """"0 Error(s), 10 Warning(s), 450 Info": how a run reports its findings on screen and in Excel."""
        return (
            f"{self.count(Severity.ERROR)} Error(s), {self.count(Severity.WARNING)} Warning(s), "
            f"{self.count(Severity.INFO)} Info"
        )

    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.items)

    def sorted(self) -> list[Finding]:
        return sorted(self.items, key=lambda f: f.sort_key)


def shown(value: object) -> str:
    """A finding's value as the user typed it: a whole number read as a float (a cell's 12.0) shows as 12."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
