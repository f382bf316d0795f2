"""Spreadsheets: CSV reading, client and event import and export (DESIGN §7, §8)."""
