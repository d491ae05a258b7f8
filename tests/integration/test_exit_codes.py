"""Exit codes of the commands that write something other than the workbook (README, "Exit codes").

packs, compare and forum-copy write their outputs even when the inputs have Errors, and then exit 1
(as run, validate and issue do), so a script or a scheduled job sees that the figures are incomplete.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from apmodel.cli import main
from tests.builders import write_workbook
from tests.integration.test_rollover import county
from tests.integration.test_rollover_corrections import set_cell


@pytest.fixture
def books(tmp_path: Path) -> tuple[Path, Path]:
    clean = write_workbook(tmp_path / "clean.xlsx", county())
    broken = write_workbook(tmp_path / "broken.xlsx", county())
    # A Charge Basis the model cannot read is an Error that Blocks the placement.
    set_cell(broken, "Placements", "Placement ID", "PL-1", "Charge Basis", "Fortnightly")
    return clean, broken


@pytest.mark.parametrize("command", ["packs", "compare", "forum-copy"])
def test_outputs_written_and_exit_1_when_the_inputs_have_errors(
    command: str, books: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean, broken = books
    codes = []
    for book in (clean, broken):
        out = tmp_path / f"{command}-{book.stem}{'' if command == 'packs' else '.xlsx'}"
        codes.append(main([command, str(book), "-o", str(out), "--date", "2025-12-01"]))
        assert out.exists()
    assert codes == [0, 1]
    printed = capsys.readouterr().out
    assert "The inputs have Errors (1 Error" in printed
    if command == "forum-copy":
        assert "do not publish it yet" in printed
        assert printed.count("safe to publish") == 1  # only the clean book's copy
