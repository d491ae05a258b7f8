"""The example county: its generator (``example``), the script that writes it (``generate``) and the committed file.

Shipped in the wheel as ``apmodel.workbooks`` (``apmodel demo`` writes the same file); the
committed ``example-county.xlsx`` stays in the repository only.
"""
