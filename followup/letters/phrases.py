"""The hand-written variants a letter is made of (DESIGN §4, LETTERS.md), and which one
each letter uses.

Every part of a letter that is not a fact (its subject, the opening, the sentence that
carries the fact, why it matters, the offer of help, the sign-off) is written several
ways, in ``letter_templates/<tlocale>/phrases/<kind>.toml``: one table per occasion
(``apology``, or ``purchase``/``appreciation``/``guarantee_end`` for a thank-you), one
list of variants per part. A variant is a Jinja2 snippet rendered with the letter's
context (``{{ event.item }}``, ``{% if event.compensation %}…``); each must be true for
every letter of its kind. The template (``<kind>.j2``) places the chosen parts as
``say.<part>``.

Which variant: each part of each business has its own fixed order of the variants (a
stable hash of the business, the locale, the kind and the part), and a letter takes the
one at its ordinal, its place among the business's letters of that kind and locale. So
consecutive letters differ, every variant is used as often as the others, and a redraft
writes the same letter. A variant the client's previous letter of the kind used, or
another letter of the same kind drafted the same day, is skipped while others are left.
"""

from __future__ import annotations

import functools
import hashlib
import random
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

MIN_VARIANTS = 4
# Choices stored with a letter that are not parts (the owner's line used).
OWNER_LINE = "owner_line"


class PhraseError(ValueError):
    """A phrase file that cannot be used: the message names the file and what is wrong."""


@dataclass(frozen=True)
class Phrasing:
    """What decides a letter's variants (see the module's docstring)."""

    ordinal: int = 0
    seed: str = ""
    # part -> variants not to use (the client's previous letter, today's other letters)
    avoid: Mapping[str, Collection[int]] = field(default_factory=dict)
    # part -> variant: a letter written before (a redraft) keeps its own
    fixed: Mapping[str, int] = field(default_factory=dict)


Book = Mapping[str, Mapping[str, tuple[str, ...]]]  # occasion -> part -> variants


def phrase_file(template_dir: Path, tlocale: str, kind: str) -> Path:
    return template_dir / tlocale / "phrases" / f"{kind}.toml"


@functools.cache
def load_book(path: Path) -> Book:
    """The variants of one file, checked for shape; an empty book when there is no file."""
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PhraseError(f"{path.parent.parent.name}/phrases/{path.name}: {exc}") from exc
    book: dict[str, dict[str, tuple[str, ...]]] = {}
    for occasion, parts in raw.items():
        if not isinstance(parts, dict):
            raise PhraseError(f"{path.name}: [{occasion}] must be a table of parts")
        book[occasion] = {}
        for part, variants in parts.items():
            if not (isinstance(variants, list) and all(isinstance(v, str) for v in variants)):
                raise PhraseError(f"{path.name}: {occasion}.{part} must be a list of texts")
            book[occasion][part] = tuple(" ".join(v.split()) for v in variants)
    return book


def order(seed: str, tlocale: str, kind: str, part: str, count: int) -> list[int]:
    """The fixed order in which a business goes through a part's variants."""
    digest = hashlib.sha256(f"{seed}|{tlocale}|{kind}|{part}".encode()).digest()
    indices = list(range(count))
    random.Random(digest).shuffle(indices)
    return indices


def choose(
    section: Mapping[str, tuple[str, ...]], phrasing: Phrasing, tlocale: str, kind: str
) -> dict[str, int]:
    """The variant of each part this letter uses."""
    chosen = {}
    for part, variants in section.items():
        count = len(variants)
        fixed = phrasing.fixed.get(part)
        if fixed is not None and 0 <= fixed < count:
            chosen[part] = fixed
            continue
        ordered = order(phrasing.seed, tlocale, kind, part, count)
        avoid = phrasing.avoid.get(part, ())
        start = phrasing.ordinal % count
        candidates = [ordered[(start + step) % count] for step in range(count)]
        chosen[part] = next((i for i in candidates if i not in avoid), candidates[0])
    return chosen
