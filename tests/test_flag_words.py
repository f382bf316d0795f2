"""A draft's flag reasons read in the owner's language: every reason the checks and
drafting can write comes out in Spanish with no English phrase left, its quoted words
as they were."""

from __future__ import annotations

import re

import pytest

from followup.letters.address import CASES, PLACEHOLDERS, _reason
from followup.letters.flag_words import reason_in

# Every reason there is: each case of each table, with a word of its own.
REASONS = sorted(
    {_reason(case, "palabra") for cases in (*CASES.values(), PLACEHOLDERS) for case in cases}
    | {
        "this error is a claim on the client's special guarantee, and the letter does not say "
        "what the guarantee gives them now (le devolvemos el importe): add it (an edited "
        "apology template needs {{ say.guarantee }})"
    }
)
ENGLISH = re.compile(r"\b(?:the|it|them|letter|client|write|use|looks|reads|mixes|speaks)\b")


@pytest.mark.parametrize("reason", REASONS)
def test_every_reason_reads_in_spanish(reason: str) -> None:
    said = reason_in("es", reason)
    outside_quotes = re.sub(r"\([^)]*\)|'[^']*'|\{\{.*?\}\}", "", said)
    assert not ENGLISH.search(outside_quotes), said
    for quoted in re.findall(r"'[^']*'", reason):
        assert quoted in said


def test_an_english_owner_reads_them_as_written() -> None:
    assert reason_in("en", REASONS[0]) == REASONS[0]
