"""The dashboard's two languages: every message of the web templates and of the web
code is in both catalogues and has its Spanish; pages follow the user's language, and
dates and numbers are formatted for it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from followup.web import i18n
from followup.web.i18n import catalogue_files
from followup.web.layout import environment

WEB = Path(i18n.__file__).parent
METHODS = [
    ("**/static/**", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
]
KEYWORDS = {"_": None, "gettext": (2,), "ngettext": (1, 2), "N_": None}


def extracted() -> set[str]:
    """Every message id the web code and templates use (a plural, by its singular)."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        WEB, METHODS, keywords=KEYWORDS, options_map={"**/templates/**.html": {"trimmed": "false"}}
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalogue(language: str) -> dict[str, object]:
    """Every message of ``language``'s catalogue files (the shell's and each page's)."""
    merged: dict[str, object] = {}
    for path in catalogue_files(language):
        with path.open("rb") as po:
            merged |= {
                m.id if isinstance(m.id, str) else m.id[0]: m.string for m in read_po(po) if m.id
            }
    return merged


def test_every_message_is_in_both_catalogues_with_its_spanish() -> None:
    messages = extracted()
    assert {"Today", "Log in", "Stats", "Page not found"} <= messages
    spanish, english = catalogue("es"), catalogue("en")
    assert sorted(messages - set(spanish)) == []
    assert sorted(messages - set(english)) == []
    untranslated = [m for m in messages if not spanish[m] or spanish[m] == ("", "")]
    assert untranslated == []
    plural = [m for m in messages if isinstance(s := spanish[m], tuple) and not all(s)]
    assert plural == []


def test_the_catalogues_compile_in_memory_and_translate() -> None:
    assert i18n.gettext("es", "Guarantees") == "Garantías"
    assert i18n.gettext("en", "Guarantees") == "Guarantees"
    assert i18n.gettext("fr", "Stats") == "Estadísticas"  # the default: Spanish


def test_dates_and_numbers_follow_the_language() -> None:
    day = date(2026, 11, 23)
    assert environment("es").from_string("{{ d|date }} {{ n|number }}").render(
        d=day, n=1234.5
    ) == "23 de noviembre de 2026 1.234,5"
    assert environment("en").from_string("{{ d|date }} {{ n|number }}").render(
        d=day, n=1234.5
    ) == "November 23, 2026 1,234.5"


def test_accept_language_picks_the_first_language_spoken() -> None:
    assert i18n.from_accept_language("fr-FR,en;q=0.8,es;q=0.9") == "es"
    assert i18n.from_accept_language("en-GB,en;q=0.9") == "en"
    assert i18n.from_accept_language("de") is None


def test_a_pages_own_catalogue_is_merged_with_the_shells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each page keeps its messages in a .po of its own beside the shell's."""
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    entry = 'msgid "{0}"\nmsgstr "{1}"\n'
    header = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    (folder / "messages.po").write_text(header + entry.format("Today", "Hoy"), "utf-8")
    (folder / "outbox.po").write_text(header + entry.format("Outbox", "Salida"), "utf-8")
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    i18n.translations.cache_clear()
    try:
        assert [p.name for p in catalogue_files("es")] == ["messages.po", "outbox.po"]
        assert (i18n.gettext("es", "Today"), i18n.gettext("es", "Outbox")) == ("Hoy", "Salida")
    finally:
        i18n.translations.cache_clear()
