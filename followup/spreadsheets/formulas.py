"""Cells a spreadsheet would run as formulas (DESIGN §8 "Bad input"), kept as text.

A client's data is the owner's and the clients' words: a phone "+34 600 111 222", a name
"=HYPERLINK(…)" typed into a web form, notes starting with "@". Opened in a spreadsheet,
an exported cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a CR would run as a
formula (CSV injection). ``neutralise`` puts a ``'`` before such a cell, as spreadsheets
themselves do to mark text, and ``restore`` takes that one ``'`` away again on import,
only where a formula character follows it (after any other ``'``), so an exported file
re-imports exactly: a value that starts with ``'`` and then a formula character gets a
``'`` more on export, and comes back with its own.
"""

from __future__ import annotations

FORMULA_STARTS = frozenset({"=", "+", "-", "@", "\t", "\r"})
QUOTE = "'"


def _formula_after_quotes(value: str) -> bool:
    return value.lstrip(QUOTE)[:1] in FORMULA_STARTS


def neutralise(value: str) -> str:
    """``value`` as a cell no spreadsheet runs: a ``'`` before a formula character (and
    before the ``'`` it may already have there)."""
    return QUOTE + value if _formula_after_quotes(value) else value


def restore(value: str) -> str:
    """The value ``neutralise`` was given: one ``'`` before a formula character removed."""
    return value[1:] if value[:1] == QUOTE and _formula_after_quotes(value) else value
