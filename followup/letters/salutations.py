"""How a letter greets its reader, in the register the owner chose (DESIGN §2, LETTERS.md).

Per template locale the business picks a style: usted ``estimado`` (the default),
``apreciado`` or ``nombre`` (the greeting alone); tú ``hola`` (the default) or
``querido``; English ``dear`` (the default) or ``hi``. A gendered form (Estimado /
Estimada, Querido / Querida) is used only when the client's greeting or name says which
(a title: Sr., D., Dña., Mrs, …); otherwise the letter opens with "Hola, María José:",
which needs none. A client without a name to greet (a company) is greeted without one.
"""

from __future__ import annotations

import unicodedata

from followup.businesses import STYLES

DEFAULTS = {tlocale: styles[0] for tlocale, styles in STYLES.items()}
SETTING = {"es-usted": "greeting_usted", "es-tu": "greeting_tu", "en": "greeting_en"}

_MASCULINE = frozenset({"sr", "d", "don", "dr", "mr", "sir", "prof", "lic", "ing", "fray"})
_FEMININE = frozenset(
    {"sra", "srta", "dna", "da", "dona", "dra", "mrs", "ms", "miss", "dame", "profa"}
)
_GENDERED = {"estimado": ("Estimado", "Estimada"), "apreciado": ("Apreciado", "Apreciada"),
             "querido": ("Querido", "Querida")}  # fmt: skip


def _title_key(word: str) -> str:
    plain = unicodedata.normalize("NFKD", word.lower().replace("ª", "a"))
    return "".join(ch for ch in plain if ch.isalpha())


def gender_of(*names: str) -> str | None:
    """"m" or "f" when a name starts with a title that says which; None otherwise."""
    for name in names:
        words = name.split()
        if not words:
            continue
        key = _title_key(words[0])
        if key in _MASCULINE and not (key == "d" and len(words) == 1):
            return "m"
        if key in _FEMININE:
            return "f"
    return None


def salutation(tlocale: str, style: str | None, greeting: str, name: str = "") -> str:
    """The greeting line: "Estimado Sr. Ortega:", "Hola, María José:", "Dear Peter,"."""
    style = style if style in STYLES.get(tlocale, ()) else DEFAULTS.get(tlocale, "dear")
    if tlocale == "en":
        word = "Hi" if style == "hi" else "Dear"
        return f"{word} {greeting}," if greeting else "Hello,"
    if not greeting:
        return "Buenos días:" if tlocale == "es-usted" else "Hola:"
    if style == "nombre":
        return f"{greeting}:"
    if style in _GENDERED:
        gender = gender_of(greeting, name)
        if gender is not None:
            masculine, feminine = _GENDERED[style]
            return f"{masculine if gender == 'm' else feminine} {greeting}:"
    return f"Hola, {greeting}:"
