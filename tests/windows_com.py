"""Excel for Windows' object model, counted: stand-ins for its COM objects that log every call.

The adapter does a few things only on Excel for Windows, through ``.api`` (each new sheet's page
setup, a chart's alternative text, the link underline), which xlwings' remote engine skips. The
tests run them against these stand-ins to check what they set; ``benchmarks/addin_benchmark.py``
to cost them. Nothing here imports the project, so the benchmark can cost any version of it.
"""

from __future__ import annotations

import sys
from typing import Any


class Com:
    """A stand-in for one of Excel's COM objects that logs each property read, property write and
    method call made on it, or on what it hands back: each is one round trip into Excel."""

    def __init__(self, log: list[tuple[Any, ...]], path: str) -> None:
        object.__setattr__(self, "_log", log)
        object.__setattr__(self, "_path", path)

    def __getattr__(self, name: str) -> Com:
        self._log.append(("get", f"{self._path}.{name}"))
        return Com(self._log, f"{self._path}.{name}")

    def __setattr__(self, name: str, value: Any) -> None:
        self._log.append(("set", f"{self._path}.{name}", value))

    def __call__(self, *args: Any, **kwargs: Any) -> Com:
        self._log.append(("call", self._path, args))
        return Com(self._log, f"{self._path}()")


class WindowsApp:
    """``xw.App`` on Windows as the COM code sees it: ``api`` is the Application (no call to get it)."""

    def __init__(self, log: list[tuple[Any, ...]]) -> None:
        self.api = Com(log, "Application")
        self.engine = type("Engine", (), {"name": "excel"})()


class WindowsBook:
    def __init__(self, log: list[tuple[Any, ...]]) -> None:
        self._log = log

    @property
    def app(self) -> WindowsApp:
        self._log.extend([("get", "Workbook.Application"), ("get", "Application.Hwnd")])  # as xlwings asks
        return WindowsApp(self._log)


class WindowsSheet:
    """``xw.Sheet`` (or ``xw.Range``) on Windows: ``api`` is the COM object itself; ``book`` asks for its Parent."""

    def __init__(self, log: list[tuple[Any, ...]], name: str = "Sheet") -> None:
        self._log = log
        self.api = Com(log, name)

    @property
    def book(self) -> WindowsBook:
        self._log.append(("get", "Worksheet.Parent"))
        return WindowsBook(self._log)


def windows_com_calls(function: Any, *args: Any, app: bool = True) -> list[tuple[Any, ...]]:
    """Run one of the adapter's Windows-only functions (``set_print_setup``, ``set_alt_text``,
    ``set_underline``: a sheet or range first) as on Excel for Windows, with ``WindowsSheet`` for
    the sheet or range and, with ``app``, a ``WindowsApp`` given as its ``app`` (else it asks
    ``sheet.book.app``): each COM call it makes, in order. The benchmark costs them this way too."""
    log: list[tuple[Any, ...]] = []
    given = {"app": WindowsApp(log)} if app else {}
    platform = sys.platform
    sys.platform = "win32"
    try:
        function(WindowsSheet(log), *args, **given)
    finally:
        sys.platform = platform
    return log
