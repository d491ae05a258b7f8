"""The Forum workbook template, ``forum-template.xlsx``: what ``apmodel new`` copies (``apmodel.workbook.template``).

Shipped in the wheel as ``apmodel.templates``. Rebuild it after changing the contract or the
layout: ``python -m apmodel.templates.build``.
"""
