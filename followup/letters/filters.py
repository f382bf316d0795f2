"""The filters letters use: first names, clauses, dates and euros, in the letter's language.

Every filter refuses None: "None" must never be printed in a letter, so a template has to
guard an empty value with ``{% if … %}``. ``daymonth``, ``longdate`` and ``money`` take
the template locale (``en``, ``es-usted``, ``es-tu``); ``letters`` binds it per
environment.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from followup.calendar import day_in_words

_MISSING = "a value is empty (None) here; guard it with {% if … %}"


def refuse_none(value: Any) -> Any:
    """Every ``{{ … }}`` passes here: "None" must never be printed in a letter."""
    if value is None:
        raise ValueError(_MISSING)
    return value


def _text(value: object) -> str:
    if value is None:
        raise ValueError(_MISSING)
    return str(value)


def first_name(name: object) -> str:
    """The first word of a full name: "Laura Sánchez Romero" -> "Laura"."""
    words = _text(name).split()
    return words[0] if words else ""


def capfirst(text: object) -> str:
    value = _text(text)
    return value[:1].upper() + value[1:]


def clause(text: object) -> str:
    """Free text made to follow a colon: no final period, first letter lowercased.

    Only an ordinary capitalised first word is lowercased ("La reparación…" ->
    "la reparación…"); "I", acronyms and names ("IVA…", "Bar El Rincón…") are left alone.
    """
    value = _text(text).strip()
    if value.endswith(".") and not value.endswith(".."):
        value = value[:-1].rstrip()
    words = value.split(maxsplit=2)
    if not words:
        return value
    first = words[0]
    keeps_capital = (
        not first[0].isupper()
        or first == "I"
        or first.startswith(("I'", "I’"))
        or any(ch.isupper() for ch in first[1:])
        or (len(words) > 1 and words[1][:1].isupper())
    )
    return value if keeps_capital else first[0].lower() + value[1:]


def language_of(tlocale: str) -> str:
    return "en" if tlocale == "en" else "es"


def daymonth(day: date, tlocale: str) -> str:
    """ "4 de noviembre" / "4 November"."""
    _text(day)
    return day_in_words(day, language_of(tlocale))


def longdate(day: date, tlocale: str) -> str:
    """ "15 de diciembre de 2026" / "15 December 2026"."""
    sep = " " if tlocale == "en" else " de "
    return f"{daymonth(day, tlocale)}{sep}{day.year}"


def money(amount: object, tlocale: str) -> str:
    """Euros: "45,90 €" / "20 €" in Spanish, "€45.90" / "€20" in English.

    A value that is not a number is shown as the owner typed it.
    """
    raw = _text(amount).strip()
    number = raw.replace("€", "").replace("EUR", "").strip()
    if "," in number and "." not in number:
        number = number.replace(",", ".")
    try:
        value = Decimal(number)
    except InvalidOperation:
        return raw
    if not value.is_finite():
        return raw
    places = 0 if value == value.to_integral_value() else 2
    if tlocale == "en":
        return f"€{value:,.{places}f}"
    # Spanish: decimal comma; a thousands point only from five digits up (RAE).
    grouped = f"{value:,.{places}f}" if abs(value) >= 10_000 else f"{value:.{places}f}"
    return grouped.replace(",", "\0").replace(".", ",").replace("\0", ".") + " €"
