"""``/api/v1/letters``: the outbox. Read, edit a draft (the checks run again), approve,
cancel, send now, resend, mark sent, mark done, dismiss; each move is the outbox's
conditional transition, so a letter in the wrong state is a 409."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from sqlmodel import Session

from followup.letters.drafting import edit_letter
from followup.models import Channel, Letter, LetterKind, LetterStatus
from followup.outbox import (
    approve,
    cancel,
    dismiss,
    get_letter,
    mark_done,
    mark_sent_by_owner,
    resend,
    send_now,
)
from followup.schemas import LetterDetail, LetterView
from followup.services import count, letters_query, list_letters
from followup.services.letters import letter_detail
from followup.web.api.auth import Auth, Caller
from followup.web.api.errors import errors
from followup.web.api.params import Id, Limit, Offset, business_of, today_of
from followup.web.api.schemas import Dismiss, LetterEdit, MarkDone, Page

router = APIRouter(prefix="/letters", tags=["letters"])
MOVE = errors(401, 404, 409, 422)


@router.get(
    "", summary="List letters", response_model=Page[LetterView], responses=errors(401, 422)
)
def search(
    caller: Auth,
    status: LetterStatus | None = None,
    kind: LetterKind | None = None,
    channel: Channel | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    """Letters, newest first, each with the sentences its checks flagged."""
    filters: dict[str, Any] = {"status": status, "kind": kind, "channel": channel}
    with caller.reading() as session:
        items = list_letters(session, caller.business_id, limit=limit, offset=offset, **filters)
        total = count(session, letters_query(caller.business_id, **filters))
    return Page[LetterView](items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/{letter_id}",
    summary="Read a letter with its text",
    response_model=LetterDetail,
    responses=errors(401, 404, 422),
)
def read(caller: Auth, letter_id: Id) -> Any:
    with caller.reading() as session:
        return letter_detail(session, caller.business_id, letter_id)


def _move(caller: Caller, letter_id: int, act: Callable[[Session, Letter], object]) -> Any:
    with caller.writing() as session:
        act(session, get_letter(session, caller.business_id, letter_id))
        return letter_detail(session, caller.business_id, letter_id)


@router.patch(
    "/{letter_id}",
    summary="Edit a draft's subject and text",
    response_model=LetterDetail,
    responses=MOVE,
)
def edit(caller: Auth, letter_id: Id, body: LetterEdit) -> Any:
    """The owner's own words; the checks run again and the letter is a draft again."""
    return _move(
        caller,
        letter_id,
        lambda s, letter: edit_letter(
            s, letter, caller.now, subject=body.subject, text=body.text
        ),
    )


@router.post(
    "/{letter_id}/approve", summary="Approve a draft", response_model=LetterDetail, responses=MOVE
)
def approve_letter(caller: Auth, letter_id: Id) -> Any:
    """It goes out at the business's send time."""
    return _move(caller, letter_id, lambda s, letter: approve(s, letter, caller.now))


@router.post(
    "/{letter_id}/cancel",
    summary="Cancel a letter not yet sent",
    response_model=LetterDetail,
    responses=MOVE,
)
def cancel_letter(caller: Auth, letter_id: Id) -> Any:
    return _move(caller, letter_id, lambda s, letter: cancel(s, letter, caller.now))


@router.post(
    "/{letter_id}/send",
    summary="Send an email letter now",
    response_model=LetterDetail,
    responses=MOVE,
)
def send(caller: Auth, letter_id: Id) -> Any:
    """A draft or approved email is queued, due now: the next sending round (within a
    minute under ``followup serve``) sends it. Nothing is sent during the request."""
    return _move(caller, letter_id, lambda s, letter: send_now(s, letter, caller.now))


@router.post(
    "/{letter_id}/resend",
    summary="Resend a failed or uncertain letter",
    response_model=LetterDetail,
    responses=MOVE,
)
def resend_letter(caller: Auth, letter_id: Id) -> Any:
    """An uncertain letter may have arrived already: resend it only when you know it
    did not."""
    return _move(caller, letter_id, lambda s, letter: resend(s, letter, caller.now))


@router.post(
    "/{letter_id}/mark-sent",
    summary="Record that an uncertain letter arrived",
    response_model=LetterDetail,
    responses=MOVE,
)
def mark_sent(caller: Auth, letter_id: Id) -> Any:
    return _move(caller, letter_id, lambda s, letter: mark_sent_by_owner(s, letter, caller.now))


@router.post(
    "/{letter_id}/mark-done",
    summary="Record a call or printed note done by hand",
    response_model=LetterDetail,
    responses=MOVE,
)
def mark_done_letter(caller: Auth, letter_id: Id, body: MarkDone) -> Any:
    """A call needs its ``outcome`` (recorded as a call event); a printed note takes none."""

    def act(session: Session, letter: Letter) -> object:
        business = business_of(session, caller)
        day = today_of(business, caller, body.day) if body.day else None
        return mark_done(session, letter, caller.now, body.outcome, day)

    return _move(caller, letter_id, act)


@router.post(
    "/{letter_id}/dismiss",
    summary="Close a letter's reason without sending it",
    response_model=LetterDetail,
    responses=MOVE,
)
def dismiss_letter(caller: Auth, letter_id: Id, body: Dismiss) -> Any:
    return _move(caller, letter_id, lambda s, letter: dismiss(s, letter, caller.now, body.why))
