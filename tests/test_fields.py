"""Owner-typed values made canonical once: one line, postal addresses, email addresses,
languages."""

from __future__ import annotations

import pytest

from followup.errors import Invalid
from followup.fields import (
    has_line_break,
    normalise_email,
    one_line,
    parse_language,
    postal_address,
)


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


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Calle Mayor 5\r\n28013 Madrid\r\nEspaña", "Calle Mayor 5\n28013 Madrid\nEspaña"),
        ("  Calle Sol 1 \n\n\n 41001\tSevilla  \n", "Calle Sol 1\n41001 Sevilla"),
        ("12 High St\rOxford OX1 4AA\u2028UK", "12 High St\nOxford OX1 4AA\nUK"),
        ("Apartado 7\x00\n", "Apartado 7"),
        (" \n \r\n ", ""),
    ],
)
def test_a_postal_address_keeps_its_lines_and_drops_blank_ones(typed: str, stored: str) -> None:
    assert postal_address(typed) == stored


def test_a_postal_address_fits_an_envelope() -> None:
    six = "\n".join(["x" * 49] * 6)  # 299 characters with the line breaks
    assert postal_address(six) == six
    with pytest.raises(Invalid, match="has 7 lines; an envelope takes at most 6") as lines:
        postal_address("\n".join("abcdefg"))
    with pytest.raises(Invalid, match="longer than 300 characters") as long:
        postal_address("x" * 301)
    assert lines.value.field == long.value.field == "address"
