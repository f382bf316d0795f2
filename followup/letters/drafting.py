"""Turning a pick into a drafted letter: context, rendering, channel, Message-ID.

The letter is rendered once, when drafted, and stored: what the owner approves is
exactly what is sent. Its Message-ID is fixed now too, so a reply can be matched to it
and a resend is recognisably the same letter.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, select

from followup.calendar import send_moment
from followup.letters import rendering as letters
from followup.mail.message import make_message_id
from followup.models import (
    ApprovalMode,
    Business,
    Channel,
    Client,
    Event,
    Guarantee,
    Letter,
    LetterStatus,
    TemplateOverride,
)
from followup.picking import Candidate


def letter_context(
    business: Business,
    client: Client,
    *,
    day: date,
    occasion: str,
    event: Event | None = None,
    guarantee: Guarantee | None = None,
) -> dict[str, Any]:
    return {
        "client": client,
        "business": business,
        "event": event,
        "guarantee": guarantee,
        "day": day,
        "occasion": occasion,
    }


def client_template_locale(business: Business, client: Client) -> str:
    return letters.template_locale(
        client.locale or business.locale, client.form_of_address or business.form_of_address
    )


def channel_for(client: Client) -> str:
    """Email when we have an address; otherwise a call with talking points."""
    return Channel.email if client.email else Channel.call


def render_for(
    session: Session, business: Business, kind: str, tlocale: str, context: Mapping[str, Any]
) -> letters.Draft:
    """Render with the owner's edited template for (kind, locale) when there is one."""
    override = session.exec(
        select(TemplateOverride).where(
            TemplateOverride.business_id == business.id,
            TemplateOverride.kind == kind,
            TemplateOverride.locale == tlocale,
        )
    ).first()
    return letters.render(kind, tlocale, context, source=override.source if override else None)


def draft_letter(
    session: Session,
    business: Business,
    candidate: Candidate,
    *,
    day: date,
    now: datetime,
) -> Letter:
    """Render and store the letter for one pick; the client's rotation day moves to ``day``."""
    client = session.get(Client, candidate.client_id)
    assert client is not None and business.id is not None
    event = session.get(Event, candidate.event_id) if candidate.event_id else None
    guarantee = session.get(Guarantee, candidate.guarantee_id) if candidate.guarantee_id else None
    tlocale = client_template_locale(business, client)
    context = letter_context(
        business, client, day=day, occasion=candidate.occasion, event=event, guarantee=guarantee
    )
    draft = render_for(session, business, candidate.kind, tlocale, context)
    auto = business.approval_mode == ApprovalMode.auto
    letter = Letter(
        business_id=business.id,
        client_id=candidate.client_id,
        event_id=candidate.event_id,
        guarantee_id=candidate.guarantee_id,
        day=day,
        kind=candidate.kind,
        channel=channel_for(client),
        locale=tlocale,
        to_email=client.email,
        subject=draft.subject,
        body_text=draft.text,
        body_html=draft.html,
        message_id=make_message_id(business.sender_email.rpartition("@")[2], now),
        status=LetterStatus.approved if auto else LetterStatus.draft,
        approved_at=now if auto else None,
        send_after=send_moment(business, day).astimezone(UTC),
        created_at=now,
        updated_at=now,
    )
    session.add(letter)
    if client.last_contacted_on is None or client.last_contacted_on < day:
        client.last_contacted_on = day
        session.add(client)
    session.flush()
    return letter
