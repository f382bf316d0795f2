"""What makes one letter this client's and not a form letter's (DESIGN §4): which written
variants it uses (``phrases``) and which of the owner's own lines fits it.

The variants: the letter's ordinal among the business's letters of its kind and locale
picks them (``phrases.choose``); the client's previous letter of the kind and the other
letters of the kind drafted the same day are avoided, so a client never gets the same
sentences twice in a row, and two clients on one day never get the same ones.

The owner's lines (``OwnerLine``): for a letter of its kind and locale, a line whose
keywords match the letter's item or summary (without case or accents, as whole words)
comes first; a line with no keywords fits every letter of the kind. One line at most.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from followup.errors import Invalid, NotFound
from followup.fields import one_line
from followup.letters.address import check_letter
from followup.letters.context import KINDS, TEMPLATE_LOCALES
from followup.letters.phrases import OWNER_LINE, Phrasing
from followup.models import Business, Client, Event, Letter, OwnerLine, max_length


def phrasing_for(
    session: Session, business: Business, client: Client, kind: str, tlocale: str, day: date
) -> Phrasing:
    """How the next letter of ``kind`` to ``client`` chooses its variants."""
    same = (Letter.business_id == business.id, Letter.kind == kind, Letter.locale == tlocale)
    ordinal = session.exec(select(func.count()).select_from(Letter).where(*same)).one()
    avoid: dict[str, set[int]] = defaultdict(set)
    previous = session.exec(
        select(Letter.phrases)
        .where(*same, Letter.client_id == client.id)
        .order_by(col(Letter.id).desc())
        .limit(1)
    ).first()
    today = list(session.exec(select(Letter.phrases).where(*same, Letter.day == day)))
    for phrases in [previous, *today]:
        for part, index in (phrases or {}).items():
            if part != OWNER_LINE:
                avoid[part].add(index)
    return Phrasing(ordinal=ordinal, seed=f"business-{business.id}", avoid=avoid)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def keywords_of(line: OwnerLine) -> list[str]:
    return [word for word in (_plain(k).strip() for k in line.keywords.split(",")) if word]


def matches(line: OwnerLine, text: str) -> bool:
    """Whether one of the line's keywords is in ``text`` as a whole word or words."""
    plain = _plain(text)
    return any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", plain) for word in keywords_of(line))


def owner_line_for(
    session: Session, business: Business, kind: str, tlocale: str, event: Event | None
) -> OwnerLine | None:
    """The owner's line this letter takes, if one fits (see the module's docstring)."""
    lines = session.exec(
        select(OwnerLine)
        .where(
            OwnerLine.business_id == business.id,
            OwnerLine.kind == kind,
            OwnerLine.locale == tlocale,
        )
        .order_by(col(OwnerLine.id))
    ).all()
    about = " ".join(filter(None, (event.item, event.summary))) if event is not None else ""
    keyed = [line for line in lines if line.keywords.strip()]
    fitting = next((line for line in keyed if about and matches(line, about)), None)
    return fitting or next((line for line in lines if not line.keywords.strip()), None)


def add_owner_line(
    session: Session,
    business: Business,
    now: datetime,
    *,
    kind: str,
    locale: str,
    text: str,
    keywords: str = "",
) -> OwnerLine:
    """A line of the owner's for letters of ``kind`` in ``locale`` (es-usted, es-tu, en),
    checked as the letters are: written to the client, in that form of address.

    Raises ``Invalid`` naming the field that cannot be used.
    """
    if kind not in KINDS:
        raise Invalid("kind", f"{kind!r} is not a kind of letter: {', '.join(KINDS)}")
    if locale not in TEMPLATE_LOCALES:
        raise Invalid("locale", f"{locale!r}: one of {', '.join(TEMPLATE_LOCALES)}")
    line = one_line(text)
    if not line:
        raise Invalid("text", "the line is empty")
    if len(line) > max_length(OwnerLine, "text"):
        raise Invalid("text", f"longer than {max_length(OwnerLine, 'text')} characters")
    flags = check_letter("", line, locale)
    if flags:
        raise Invalid("text", f"“{flags[0].sentence}”: {flags[0].reason}")
    words = ", ".join(word.strip() for word in one_line(keywords).split(",") if word.strip())
    if len(words) > max_length(OwnerLine, "keywords"):
        raise Invalid("keywords", "too many keywords")
    assert business.id is not None
    owner_line = OwnerLine(
        business_id=business.id, kind=kind, locale=locale, keywords=words, text=line,
        created_at=now,
    )  # fmt: skip
    session.add(owner_line)
    session.flush()
    return owner_line


def owner_lines(session: Session, business: Business) -> list[OwnerLine]:
    return list(
        session.exec(
            select(OwnerLine)
            .where(OwnerLine.business_id == business.id)
            .order_by(col(OwnerLine.kind), col(OwnerLine.locale), col(OwnerLine.id))
        )
    )


def remove_owner_line(session: Session, business: Business, line_id: int) -> OwnerLine:
    line = session.get(OwnerLine, line_id)
    if line is None or line.business_id != business.id:
        raise NotFound(f"there is no line {line_id} (see: followup settings line list)")
    session.delete(line)
    session.flush()
    return line
