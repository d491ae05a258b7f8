"""The Forum workbook contract and the adapters that read and write it."""
