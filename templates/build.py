"""Rebuild ``forum-template.xlsx`` beside this file: ``python -m apmodel.templates.build``.

Run it from a source checkout (an editable install) after changing the contract or the
layout, and commit the file it writes: it is the template users and reviewers open and the
one ``apmodel new`` copies when installed.
"""

from __future__ import annotations

from pathlib import Path

from apmodel.workbook.template import TEMPLATE_FILE, build_template


def main() -> None:
    template = build_template(Path(__file__).resolve().parent / TEMPLATE_FILE)
    print(f"Wrote {template}")


if __name__ == "__main__":
    main()
