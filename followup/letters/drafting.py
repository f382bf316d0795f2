"""Turning a pick into a drafted letter: context, rendering, channel, Message-ID.

The letter is rendered once, when drafted, and stored: what the owner approves is
exactly what is sent. Its Message-ID is fixed now too, so a reply can be matched to it
and a resend is recognisably the same letter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from followup.calendar import send_moment
from followup.errors import Invalid
from followup.events import latest_event
from followup.letters import rendering as letters
from followup.letters.address import Flag, check_letter
from followup.letters.filters import clause
from followup.letters.personal import owner_line_for, phrasing_for
from followup.letters.phrases import OWNER_LINE, Phrasing
from followup.mail.message import make_message_id
from followup.models import (
    ApprovalMode,
    Business,
    Channel,
    Client,
    Event,
    EventKind,
    Guarantee,
    GuaranteeClaim,
    GuaranteeStatus,
    Letter,
    LetterKind,
    LetterStatus,
    TemplateOverride,
)
from followup.outbox import OutboxError
from followup.picking import Candidate


def letter_context(
    business: Business,
    client: Client,
    *,
    day: date,
    occasion: str,
    event: Event | None = None,
    guarantee: Guarantee | None = None,
    last_purchase: Event | None = None,
) -> dict[str, Any]:
    return {
        "client": client,
        "business": business,
        "event": event,
        "guarantee": guarantee,
        "last_purchase": last_purchase,
        "day": day,
        "occasion": occasion,
    }


def last_purchase(session: Session, client: Client, day: date) -> Event | None:
    """The client's latest purchase on record up to ``day``: what a thank-you may name."""
    return latest_event(session, client, EventKind.purchase, day)


def claimed_guarantee(session: Session, event: Event) -> Guarantee | None:
    """The guarantee a complaint was a claim on: its apology states what it gives now."""
    return session.exec(
        select(Guarantee)
        .join(GuaranteeClaim, col(GuaranteeClaim.guarantee_id) == col(Guarantee.id))
        .where(GuaranteeClaim.event_id == event.id)
    ).first()


def client_template_locale(business: Business, client: Client) -> str:
    return letters.template_locale(
        client.locale or business.locale, client.form_of_address or business.form_of_address
    )


def channel_for(client: Client) -> str:
    """Email when we have an address; otherwise a call with talking points."""
    return Channel.email if client.email else Channel.call


def render_for(
    session: Session,
    business: Business,
    kind: str,
    tlocale: str,
    context: Mapping[str, Any],
    phrasing: Phrasing | None = None,
) -> letters.Draft:
    """Render with the owner's edited template for (kind, locale) when there is one."""
    override = session.exec(
        select(TemplateOverride).where(
            TemplateOverride.business_id == business.id,
            TemplateOverride.kind == kind,
            TemplateOverride.locale == tlocale,
        )
    ).first()
    source = override.source if override else None
    return letters.render(kind, tlocale, context, source=source, phrasing=phrasing)


def draft_letter(
    session: Session,
    business: Business,
    candidate: Candidate,
    *,
    day: date,
    now: datetime,
) -> Letter:
    """Render and store the letter for one pick; the client's rotation day moves to ``day``.

    A client with no email gets the letter as a call task (``channel=call``) whose text is
    the talking points; an apology for a complaint that asked for a call gets a call task
    beside it (``call_for_id``), which is not a pick of its own.
    """
    client = session.get(Client, candidate.client_id)
    assert client is not None and business.id is not None
    event = session.get(Event, candidate.event_id) if candidate.event_id else None
    guarantee = session.get(Guarantee, candidate.guarantee_id) if candidate.guarantee_id else None
    if guarantee is None and event is not None and candidate.kind == LetterKind.apology:
        guarantee = claimed_guarantee(session, event)
    tlocale = client_template_locale(business, client)
    context = letter_context(
        business,
        client,
        day=day,
        occasion=candidate.occasion,
        event=event,
        guarantee=guarantee,
        last_purchase=last_purchase(session, client, day),
    )
    if channel_for(client) == Channel.call:
        letter = _draft_call(session, business, client, candidate, context, tlocale, now)
    else:
        line = owner_line_for(session, business, candidate.kind, tlocale, event)
        context["owner_line"] = line.text if line else None
        phrasing = phrasing_for(session, business, client, candidate.kind, tlocale, day)
        draft = render_for(session, business, candidate.kind, tlocale, context, phrasing)
        phrases = {**draft.phrases, **({OWNER_LINE: line.id} if line and line.id else {})}
        unsaid = guarantee_unsaid(draft, guarantee, tlocale)
        letter = _store(
            session, business, client, candidate, draft, tlocale, day, now, phrases=phrases,
            also=[unsaid] if unsaid and candidate.kind == LetterKind.apology else [],
        )  # fmt: skip
        if candidate.kind == LetterKind.apology and event is not None and event.wants_call:
            _draft_call(session, business, client, candidate, context, tlocale, now, letter)
    if client.last_contacted_on is None or client.last_contacted_on < day:
        client.last_contacted_on = day
        session.add(client)
    session.flush()
    return letter


def guarantee_unsaid(
    draft: letters.Draft, guarantee: Guarantee | None, tlocale: str
) -> Flag | None:
    """A flag when an apology for an error the client's special guarantee covers does not
    say what the guarantee gives them now: the default templates always do, but an
    owner's edited apology may have no ``{{ say.guarantee }}`` (one written before claims
    existed, say). The promised payout, in the owner's words, must be in the letter."""
    if guarantee is None:
        return None
    said = " ".join(draft.text.split()).casefold()
    promise = clause(guarantee.payout) if guarantee.payout else None
    word = "garantía" if tlocale.startswith("es") else "guarantee"
    if (promise or word).casefold() in said:
        return None
    body = [line.strip() for line in draft.text.splitlines() if line.strip()]
    first = body[1] if len(body) > 1 else (body[0] if body else draft.subject)
    return Flag(
        sentence=first.split(". ")[0],
        reason="this error is a claim on the client's special guarantee, and the letter does "
        "not say what the guarantee gives them now"
        + (f" ({guarantee.payout})" if guarantee.payout else "")
        + ": add it (an edited apology template needs {{ say.guarantee }})",
    )


def running_guarantee(session: Session, client: Client, day: date) -> Guarantee | None:
    """The client's active special guarantee on ``day`` (the latest), or None."""
    return session.exec(
        select(Guarantee)
        .where(
            Guarantee.client_id == client.id,
            Guarantee.status == GuaranteeStatus.active,
            col(Guarantee.starts_on) <= day,
            col(Guarantee.ends_on) >= day,
        )
        .order_by(col(Guarantee.ends_on).desc(), col(Guarantee.id).desc())
    ).first()


def _draft_call(
    session: Session,
    business: Business,
    client: Client,
    candidate: Candidate,
    context: dict[str, Any],
    tlocale: str,
    now: datetime,
    apology: Letter | None = None,
) -> Letter:
    """A call task: the talking points for ``candidate``'s kind in the client's language;
    beside ``apology`` (its email) when given, else the pick's letter itself."""
    if context["guarantee"] is None and candidate.kind == LetterKind.apology:
        context = {**context, "guarantee": running_guarantee(session, client, context["day"])}
    draft = letters.render_call(candidate.kind, tlocale, context)
    return _store(
        session,
        business,
        client,
        candidate,
        draft,
        tlocale,
        context["day"],
        now,
        channel=Channel.call,
        call_for=apology,
    )


def _store(
    session: Session,
    business: Business,
    client: Client,
    candidate: Candidate,
    draft: letters.Draft,
    tlocale: str,
    day: date,
    now: datetime,
    *,
    channel: str = Channel.email,
    phrases: dict[str, int] | None = None,
    call_for: Letter | None = None,
    also: list[Flag] | None = None,
) -> Letter:
    assert business.id is not None
    flags = [*check_letter(draft.subject, draft.text, tlocale), *(also or [])]
    # A flagged draft waits for the owner, whatever the approval mode (DESIGN §4).
    auto = business.approval_mode == ApprovalMode.auto and not flags
    letter = Letter(
        business_id=business.id,
        client_id=candidate.client_id,
        event_id=candidate.event_id,
        guarantee_id=candidate.guarantee_id,
        call_for_id=None if call_for is None else call_for.id,
        day=day,
        kind=candidate.kind,
        channel=channel,
        locale=tlocale,
        to_email=client.email if channel == Channel.email else None,
        subject=draft.subject,
        body_text=draft.text,
        body_html=draft.html,
        flags=[asdict(flag) for flag in flags],
        phrases=phrases or {},
        message_id=make_message_id(business.sender_email.rpartition("@")[2], now),
        status=LetterStatus.approved if auto else LetterStatus.draft,
        approved_at=now if auto else None,
        send_after=send_moment(business, day).astimezone(UTC),
        created_at=now,
        updated_at=now,
    )
    session.add(letter)
    session.flush()
    return letter


def edit_letter(
    session: Session,
    letter: Letter,
    now: datetime,
    *,
    subject: str | None = None,
    text: str | None = None,
) -> Letter:
    """The owner's own words for a draft or approved letter: subject and text replaced,
    the HTML part rebuilt from the text, the checks run again.

    The edited letter is a draft again (the owner approves what will be sent, as edited).
    Raises ``Invalid`` for an empty subject or text and ``OutboxError`` once the letter
    is queued or further on.
    """
    new_subject = letter.subject if subject is None else letters.tidy_subject(subject)
    new_text = letter.body_text if text is None else letters.tidy_text(text)
    if not new_subject:
        raise Invalid("subject", "the subject is empty")
    if not new_text:
        raise Invalid("text", "the letter is empty")
    flags = check_letter(new_subject, new_text, letter.locale)
    event = session.get(Event, letter.event_id) if letter.event_id else None
    if letter.kind == LetterKind.apology and event is not None:
        edit = letters.Draft(new_subject, new_text, "")
        unsaid = guarantee_unsaid(edit, claimed_guarantee(session, event), letter.locale)
        flags += [unsaid] if unsaid else []
    edited = session.exec(
        update(Letter)
        .where(
            col(Letter.id) == letter.id,
            col(Letter.status).in_((LetterStatus.draft, LetterStatus.approved)),
        )
        .values(
            subject=new_subject,
            body_text=new_text,
            body_html=letters.html_part(letter.locale, new_subject, new_text),
            flags=[asdict(flag) for flag in flags],
            status=LetterStatus.draft,
            approved_at=None,
            updated_at=now,
        )
        .returning(col(Letter.id))
        .execution_options(synchronize_session=False)
    ).first()
    if edited is None:
        session.refresh(letter)
        raise OutboxError(
            f"letter {letter.id} is {letter.status}; only a draft or approved letter can be "
            "edited (cancel it and write to the client yourself)"
        )
    session.refresh(letter)
    return letter
