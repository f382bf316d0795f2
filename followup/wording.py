"""Dates and amounts written the way a person writes them, in Spanish or English.

"15 de diciembre de 2026" and "15 December 2026" (LETTERS.md); "20 €" and "€20".
Twelve month names per language do not need a localisation library.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

MONTHS = {
    "es": (
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
        "septiembre", "octubre", "noviembre", "diciembre",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
}


def language(locale: str) -> str:
    """``es``, ``es-tu`` and ``es-usted`` all speak Spanish; anything else English."""
    return "es" if locale.startswith("es") else "en"


def long_date(day: date, locale: str) -> str:
    month = MONTHS[language(locale)][day.month - 1]
    if language(locale) == "es":
        return f"{day.day} de {month} de {day.year}"
    return f"{day.day} {month} {day.year}"


def short_date(day: date, locale: str) -> str:
    """The day and month only, for reasons and lists: "20 de noviembre", "20 November"."""
    month = MONTHS[language(locale)][day.month - 1]
    if language(locale) == "es":
        return f"{day.day} de {month}"
    return f"{day.day} {month}"


def money(amount: str | Decimal | float, locale: str, currency: str = "€") -> str:
    """An amount as the client reads it; text that is not a number is returned as is."""
    try:
        value = Decimal(str(amount).replace("€", "").replace(",", ".").strip())
    except InvalidOperation:
        return str(amount)
    whole = value == value.to_integral_value()
    if language(locale) == "es":
        number = f"{value:,.0f}" if whole else f"{value:,.2f}"
        number = number.replace(",", "\u00a0").replace(".", ",")
        return f"{number}\u00a0{currency}"
    number = f"{value:,.0f}" if whole else f"{value:,.2f}"
    return f"{currency}{number}"
