"""Packs, invoices and Forum outputs built from results."""
