"""The dashboard's two languages: gettext catalogues in ``locales/<lang>/LC_MESSAGES/``
(``messages.po``, the shell's, and one ``<page>.po`` per page: each ``.po`` there is
read and merged, so pages are translated in files of their own), compiled in memory
when first needed (babel's ``read_po`` and ``write_mo``: no build step, no binary file
in git), and Babel's formats for dates and numbers. Messages are written in English in
the code and templates; the English catalogue maps each to itself, the Spanish one
translates it.

Python code marks a message with ``N_`` where it is only named (a page's label) and
translates it with ``gettext(language, message)``; templates use ``_()`` and
``{% trans %}`` (Jinja2's i18n extension). ``tests/test_web_i18n.py`` extracts every
message and fails when one is missing from a catalogue or lacks its Spanish.
"""

from __future__ import annotations

import re
from functools import cache
from gettext import GNUTranslations
from io import BytesIO
from pathlib import Path

LANGUAGES = ("es", "en")
DEFAULT = "es"
LOCALES = Path(__file__).parent / "locales"


def N_(message: str) -> str:
    """Marks ``message`` for the catalogues; it is translated where it is shown."""
    return message


@cache
def translations(language: str) -> GNUTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = None
    for path in catalogue_files(language):
        with path.open("rb") as po:
            part = read_po(po, locale=language)
        if catalog is None:
            catalog = part
            continue
        for message in part:
            if message.id:
                catalog[message.id] = message
    assert catalog is not None, f"no catalogue for {language}"
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return GNUTranslations(compiled)


def catalogue_files(language: str) -> list[Path]:
    """The shell's ``messages.po`` first, then each page's, by name."""
    folder = LOCALES / language / "LC_MESSAGES"
    return sorted(folder.glob("*.po"), key=lambda path: (path.name != "messages.po", path.name))


def gettext(language: str, message: str) -> str:
    return translations(supported(language)).gettext(message)


def say(language: str, message: str, **values: str) -> str:
    """``message`` in ``language`` with its ``%(name)s`` filled in. Not the ``%``
    operator: a message may hold a literal ``{% … %}`` (a template's tag)."""
    return re.sub(r"%\((\w+)\)s", lambda m: values[m.group(1)], gettext(language, message))


def supported(language: str | None) -> str:
    """``language`` when the dashboard speaks it, else the default (Spanish)."""
    short = (language or "").strip().lower().replace("_", "-").split("-")[0]
    return short if short in LANGUAGES else DEFAULT


def from_accept_language(header: str | None) -> str | None:
    """The first of the browser's preferred languages the dashboard speaks, or None."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        short = name.strip().lower().split("-")[0]
        if short in LANGUAGES and quality > 0:
            ranked.append((-quality, position, short))
    return min(ranked)[2] if ranked else None


def format_date(value: object, language: str, form: str = "long") -> str:
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, format=form, locale=supported(language))  # type: ignore[arg-type]


def format_decimal(value: float | int, language: str) -> str:
    from babel.numbers import format_decimal as babel_format_decimal

    return babel_format_decimal(value, locale=supported(language))
