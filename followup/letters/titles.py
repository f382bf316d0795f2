"""The owner's title in the language of the letter (DESIGN §2, LETTERS.md "Signed by the
owner").

The owner gives a title in the business's own language ("Propietaria"); a letter in
another language is signed with the title the owner set for that language
(``owner_title_es``, ``owner_title_en``), or else a translation of a common title, or
else no title at all: "Propietaria" at the foot of an English letter would give the
template away, and no title reads better than a wrong one.
"""

from __future__ import annotations

import unicodedata

# Common titles of a small business's owner, es -> en; read both ways.
_ES_EN = {
    "propietario": "Owner", "propietaria": "Owner", "dueño": "Owner", "dueña": "Owner",
    "gerente": "Manager", "director": "Director", "directora": "Director",
    "director general": "Managing Director", "directora general": "Managing Director",
    "fundador": "Founder", "fundadora": "Founder", "cofundador": "Co-founder",
    "cofundadora": "Co-founder", "socio": "Partner", "socia": "Partner",
    "socio fundador": "Founding Partner", "socia fundadora": "Founding Partner",
    "administrador": "Director", "administradora": "Director",
    "encargado": "Manager", "encargada": "Manager", "maestro artesano": "Master Craftsman",
}  # fmt: skip
# English -> Spanish only where Spanish needs no gender ("Owner" is "Propietario" or
# "Propietaria": the owner sets owner_title_es, and until then the letter has no title).
_EN_ES = {"manager": "Gerente", "general manager": "Gerente"}
_GENDERED = frozenset({"owner", "proprietor", "founder", "co-founder", "director", "partner"})


def _key(title: str) -> str:
    return " ".join(unicodedata.normalize("NFC", title).lower().split())


def translate_title(title: str, language: str) -> str:
    """A common title in ``language`` ("es", "en"); "" when it is not a common one."""
    key = _key(title)
    if language == "en":
        return _ES_EN.get(key, title if key in _EN_ES else "")
    if key in _GENDERED:
        return ""
    return _EN_ES.get(key, title if key in _ES_EN else "")


def owner_title_in(business: object, language: str) -> str:
    """The owner's title for a letter in ``language`` (see the module's docstring)."""
    own = str(getattr(business, f"owner_title_{language}", "") or "").strip()
    if own:
        return own
    title = str(getattr(business, "owner_title", "") or "").strip()
    if not title or getattr(business, "locale", language) == language:
        return title
    return translate_title(title, language)
