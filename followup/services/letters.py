"""One letter as the CLI's ``letters show`` and the API's letter read it: its text,
its HTML part and where it goes."""

from __future__ import annotations

from sqlmodel import Session

from followup.models import Client, Letter
from followup.outbox import get_letter
from followup.schemas import LetterDetail
from followup.services import letter_view


def letter_detail(session: Session, business_id: int, letter_id: int) -> LetterDetail:
    """The business's letter ``letter_id`` with its text; ``NotFound`` otherwise."""
    letter = get_letter(session, business_id, letter_id)
    client = session.get(Client, letter.client_id)
    assert client is not None
    return detail_of(letter, client.name)


def detail_of(letter: Letter, client_name: str) -> LetterDetail:
    """``letter`` (read already) with its text, as ``letter_detail`` shows it."""
    view = letter_view(letter, client_name)
    return LetterDetail.model_validate(
        {
            **view.model_dump(),
            "text": letter.body_text,
            "html": letter.body_html,
            "to_email": letter.to_email,
            "dismissed_why": letter.dismissed_why,
        }
    )
