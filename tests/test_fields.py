"""Owner-typed values made canonical once: one line, email addresses, languages."""

from __future__ import annotations

import pytest

from followup.errors import Invalid
from followup.fields import has_line_break, normalise_email, one_line, parse_language


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ana\r\nLee", "Ana Lee"),
        ("  María\tJosé  ", "María José"),
        ("Bcc: x@y\u2028z", "Bcc: x@y z"),
        ("Zoë\x00\x85Ng", "Zoë Ng"),
        ("Ana   Lee", "Ana Lee"),
        ("", ""),
    ],
)
def test_one_line_folds_every_break_and_run_of_spaces(typed: str, stored: str) -> None:
    assert one_line(typed) == stored


def test_a_tab_is_not_a_line_break_but_a_carriage_return_is() -> None:
    assert not has_line_break("a\tb")
    assert has_line_break("a\rb") and has_line_break("a\u2029b")


def test_email_addresses_are_compared_in_one_form() -> None:
    assert normalise_email("  Laura@Example.ES ") == "laura@example.es"
    with pytest.raises(Invalid, match="'laura@' is not an email address") as refused:
        normalise_email("laura@", field="sender_email")
    assert refused.value.field == "sender_email"


@pytest.mark.parametrize(
    ("typed", "language"), [("es", "es"), ("ES_es", "es"), ("en-GB", "en"), ("", None)]
)
def test_languages(typed: str, language: str | None) -> None:
    assert parse_language(typed) == language


def test_a_language_without_letters_is_refused() -> None:
    with pytest.raises(Invalid, match="'fr'"):
        parse_language("fr")
