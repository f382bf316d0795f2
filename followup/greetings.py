"""How a letter greets a client whose greeting the owner left empty (DESIGN §2 "Client").

`derive_greeting` reads the client's name; nothing here touches the database. The rules:

- A company (a legal form such as S.L., S.A., S.Coop., C.B., Ltd, LLC, Inc, plc, GmbH)
  has no greeting: "". Nor has an empty name, or one that is only titles.
- "Surname, Given", as spreadsheets export it, is read as the given name after the comma.
- Titles in front (Sr., D., Dña., Dr., Prof., Mrs, Sir...; any case, dot or not, several
  in a row) are dropped: "Sr. D. Manuel Ortega" -> "Manuel". When only one word is left,
  that word is a surname and the titles stay, tidied: "SR ortega" -> "Sr. Ortega".
- The greeting is the first given word, or the longest common compound given name the
  words start with (`data/compound_given_names.txt`, compared without case or accents):
  "María del Carmen Ortiz" -> "María del Carmen". An initial ("J. Smith") or a particle
  ("de la Fuente") is no given name: the titles and the surname, or "".
- A mixed-case name keeps the owner's spelling ("McDonald", "DeShawn"); a name all in
  capitals (or all in lowercase) is put in normal case, particles in lowercase:
  "MARÍA DEL CARMEN ORTIZ" -> "María del Carmen".
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

# "?" marks an English abbreviation written with or without its dot, as the owner did;
# the Spanish abbreviations always take theirs, whole words never.
_TITLE_SPELLINGS = (
    "D. Dña. Dª Sr. Sra. Srta. Dra. Profa. Lic. Lcdo. Lcda. Licdo. Licda. Ldo. Lda. Ing. "
    "Arq. Mtro. Mtra. Excmo. Excma. Ilmo. Ilma. Hno. Hna. C.P. "
    "Don Doña Señor Señora Señorita Sor Fray Doctor Doctora Profesor Profesora Licenciado "
    "Licenciada Ingeniero Ingeniera Maestro Maestra Miss Sir Dame Professor Reverend "
    "Mr? Mrs? Ms? Mx? Dr? Prof? Rev? Revd? Fr?"
)
# After a name ("John Smith, Jr."), never part of a greeting.
_SUFFIXES = frozenset({"jr", "jnr", "sr", "snr", "ii", "iii", "iv", "phd", "md", "esq"})
# Particles stay in lowercase. No given name starts with those of the first row, so in
# "Sr. de la Fuente" every word is the surname ("Van Morrison" is a given name).
_SURNAME_WORDS = frozenset({"de", "del", "la", "las", "los", "da", "das", "dos", "von"})
_PARTICLES = _SURNAME_WORDS | {"y", "i", "e", "do", "di", "du", "der", "van", "le"}
# "Mª José", "M.ª Luisa", "Ma. Guadalupe": María, as written in Spain and Mexico.
_ALIASES = {"mª": "maria", "m.ª": "maria", "ma.": "maria"}
_LEGAL_FORM = re.compile(
    r"(?<![\w.])(?:"
    r"s\.\s?l\.?(?:\s?[lu]\.?)?|s\.\s?a\.?(?:\s?[us]\.?)?|s\.\s?coop\.?|s\.\s?c\.?"
    r"|s\.\s?r\.\s?l\.?|s\.\s?de\s?r\.\s?l\.?|c\.\s?b\.?"
    r"|slu|sll|srl|ltd\.?|llc|llp|inc\.?|plc|gmbh|corp\.?"
    r"|(?-i:SL|SA|SAU|CB|SC)"
    r")(?!\w)",
    re.IGNORECASE,
)
_INITIAL = re.compile(r"(?:[^\W\d_]\.)+|[^\W\d_]")
_LETTERS = re.compile(r"[^\W\d_]+")


def _fold(text: str) -> str:
    """Lowercase without accents: "María" -> "maria", "Dña." -> "dna."; "ª" stays."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").casefold()


def _title_key(word: str) -> str:
    return _fold(word).replace(".", "")


def _build_titles() -> dict[str, tuple[str, bool]]:
    """Folded title -> (tidy spelling, whether the dot is the owner's choice)."""
    titles: dict[str, tuple[str, bool]] = {}
    for spelling in _TITLE_SPELLINGS.split():
        tidy = spelling.removesuffix("?")
        titles[_title_key(tidy)] = (tidy, spelling.endswith("?"))
    return titles


_TITLES = _build_titles()


@cache
def compound_given_names() -> tuple[str, ...]:
    """The compound given names of the data file, as written there (comments dropped)."""
    text = (
        resources.files("followup")
        .joinpath("data", "compound_given_names.txt")
        .read_text(encoding="utf-8")
    )
    lines = (line.partition("#")[0].strip() for line in text.splitlines())
    return tuple(" ".join(line.split()) for line in lines if line)


def _compound_key(words: list[str]) -> tuple[str, ...]:
    return tuple(_ALIASES.get(folded, folded) for folded in map(_fold, words))


@cache
def _compound_keys() -> frozenset[tuple[str, ...]]:
    return frozenset(_compound_key(name.split()) for name in compound_given_names())


def _words(text: str) -> list[str]:
    """The words of `text` that have a letter: "&" or "-" is no part of a greeting."""
    return [word for word in text.split() if _LETTERS.search(word)]


def _strip_titles(words: list[str], titles: list[str]) -> list[str]:
    """Move the titles in front of `words` to `titles`; "Sr.Ortega" is two words."""
    words = list(words)
    while words:
        head, dot, tail = words[0].partition(".")
        if _title_key(words[0]) in _TITLES:
            titles.append(words.pop(0))
        elif dot and tail and _title_key(head) in _TITLES:
            titles.append(head + dot)
            words[0] = tail
        else:
            break
    return words


def _tidy_title(word: str) -> str:
    tidy, free_dot = _TITLES[_title_key(word)]
    return tidy + "." if free_dot and word.endswith(".") else tidy


def _normal_case(word: str, first: bool) -> str:
    if not first and _fold(word) in _PARTICLES:
        return word.lower()
    return _LETTERS.sub(lambda letters: letters[0].capitalize(), word.lower())


def _greeting(titles: list[str], words: list[str], recase: bool) -> str:
    if recase:
        words = [_normal_case(word, not titles and n == 0) for n, word in enumerate(words)]
    return " ".join([_tidy_title(title) for title in titles] + words)


def _given_name(words: list[str]) -> list[str]:
    """The longest compound given name `words` start with, else the first word."""
    keys = _compound_keys()
    longest = max(map(len, keys), default=1)
    for size in range(min(longest, len(words)), 1, -1):
        if _compound_key(words[:size]) in keys:
            return words[:size]
    return words[:1]


def derive_greeting(name: str) -> str:
    """How a letter addresses the client called `name`: "María José", "Sr. Ortega" or ""."""
    if _LEGAL_FORM.search(name):
        return ""
    titles: list[str] = []
    before, _, after = name.partition(",")
    words = _strip_titles(_words(before), titles)
    given = _strip_titles(_words(after.replace(",", " ")), titles)
    given = [word for word in given if _title_key(word) not in _SUFFIXES]
    surname: list[str] = []
    if given:  # "Navarro Gil, María José"
        words, surname = given, words
    while len(words) > 1 and _title_key(words[-1]) in _SUFFIXES:
        words.pop()  # "John Smith Jr."
    if not words:
        return ""
    letters = "".join(words + surname)
    recase = letters.isupper() or letters.islower()
    if _fold(words[0]) in _SURNAME_WORDS:  # "Sra. de la Fuente": a surname only
        words, surname = [], words
    if not words or _INITIAL.fullmatch(words[0]):  # "J. R. Smith": no given name to greet
        rest = surname or [word for word in words if not _INITIAL.fullmatch(word)]
        return _greeting(titles, rest, recase) if titles and rest else ""
    if titles and len(words) == 1 and not surname:  # "Sr. Ortega": a title and a surname
        return _greeting(titles, words, recase)
    return _greeting([], _given_name(words), recase)
