"""Values an owner types, made canonical once: one-line text, postal addresses, email
addresses, languages.

Every module that accepts a name, an address or a language goes through these, so a
client imported from a spreadsheet, added on the command line or edited in the
dashboard is stored the same way.
"""

from __future__ import annotations

import unicodedata

from followup.errors import Invalid

LANGUAGES = ("es", "en")
# A postal address as an envelope holds it: street, postcode and town, country.
ADDRESS_LENGTH = 300
ADDRESS_LINES = 6


def one_line(text: str) -> str:
    """``text`` on one line: every control character (CR, LF, tab, NUL, …), line or
    paragraph separator and run of spaces becomes one space; the ends are stripped.

    A CR/LF typed into a name can therefore never start a mail header of its own.
    """
    cleaned = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(cleaned.split())


def postal_address(text: str, field: str = "address") -> str:
    """A postal address as stored: each line folded like ``one_line``, blank lines
    dropped, the lines joined by ``\\n`` (any line end, CR, CRLF or a Unicode separator,
    counts as one). Empty when nothing is written.

    Raises ``Invalid(field, …)`` for more than ``ADDRESS_LINES`` lines or more than
    ``ADDRESS_LENGTH`` characters: it must fit the window of an envelope.
    """
    lines = [line for line in map(one_line, text.splitlines()) if line]
    if len(lines) > ADDRESS_LINES:
        raise Invalid(
            field,
            f"the address has {len(lines)} lines; an envelope takes at most {ADDRESS_LINES}",
        )
    address = "\n".join(lines)
    if len(address) > ADDRESS_LENGTH:
        raise Invalid(field, f"the address is longer than {ADDRESS_LENGTH} characters")
    return address


def has_line_break(text: str) -> bool:
    """True when ``text`` holds a line break or another control character (a tab is not
    one: a spreadsheet cell may hold a tab that folds to a space without a word)."""
    return any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") and ch != "\t" for ch in text)


def normalise_email(value: str, field: str = "email") -> str:
    """The address in the form we store and compare: validated, domain normalised, lower
    case. Raises ``Invalid(field, …)`` when it is not an email address."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise Invalid(field, f"{value.strip()!r} is not an email address: {exc}") from None


def parse_language(value: str | None, field: str = "locale") -> str | None:
    """``es`` or ``en`` from "es", "ES", "es_ES", "en-GB"…; None when empty.

    Raises ``Invalid(field, …)`` for a language letters are not written in.
    """
    language = (value or "").strip().lower().replace("_", "-").split("-")[0]
    if not language:
        return None
    if language not in LANGUAGES:
        raise Invalid(field, f"no letters are written in the language {value!r}: use es or en")
    return language
