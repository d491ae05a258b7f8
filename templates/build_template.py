"""Build the Forum workbook template (docs/forum-workbook.md) and ship a copy as package data.

Run from the repository root after changing the contract or the layout:

    python templates/build_template.py

It writes ``templates/forum-template.xlsx`` (the file users and reviewers open) and
``apmodel/resources/forum-template.xlsx`` (what ``apmodel new`` copies when installed).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apmodel.workbook.template import TEMPLATE_FILE, build_template  # noqa: E402


def main() -> None:
    template = build_template(ROOT / "templates" / TEMPLATE_FILE)
    packaged = ROOT / "apmodel" / "resources" / TEMPLATE_FILE
    packaged.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, packaged)
    print(f"Wrote {template} and {packaged}")


if __name__ == "__main__":
    main()
