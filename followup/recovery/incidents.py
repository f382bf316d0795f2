"""Incidents: a complaint, what was done for the client, and what was changed inside.

A ``complaint`` event is an incident. Its compensation is the event's own
``compensation`` (the apology letter names it); the owner can decide or change it later
(``compensate``). The incident stays open until the owner records its internal cause and
the corrective action (``resolve``): the fifth step of service recovery, fixing the cause
inside. ``now`` is always passed in.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from followup.errors import Invalid, NotFound
from followup.events import parse_amount
from followup.fields import one_line
from followup.models import (
    PIPELINE_STATUSES,
    Event,
    EventKind,
    Incident,
    Letter,
    LetterKind,
    max_length,
)
from followup.models.recovery import CompensationKind


def get_complaint(session: Session, business_id: int, event_id: int) -> Event:
    """The business's complaint ``event_id``.

    Raises ``NotFound`` when the business has no such event and ``Invalid`` (``event_id``)
    when the event is not a complaint.
    """
    event = session.get(Event, event_id)
    if event is None or event.business_id != business_id:
        raise NotFound(f"there is no event {event_id}")
    if event.kind != EventKind.complaint:
        raise Invalid(
            "event_id",
            f"event {event_id} is a {event.kind}, not a complaint: only a complaint is an "
            "incident (see `followup incidents list`)",
        )
    return event


def incident_of(session: Session, event: Event, now: datetime) -> Incident:
    """The row that records what came after the complaint, created on first use."""
    assert event.id is not None
    incident = session.exec(select(Incident).where(Incident.event_id == event.id)).first()
    if incident is None:
        incident = Incident(
            business_id=event.business_id, event_id=event.id, created_at=now, updated_at=now
        )
        session.add(incident)
    return incident


def _owner_text(model: type[Event] | type[Incident], field: str, value: str, what: str) -> str:
    text = one_line(value)
    if not text:
        raise Invalid(field, f"the {what} is empty: say it in a few words")
    limit = max_length(model, field)
    if len(text) > limit:
        raise Invalid(field, f"the {what} is longer than {limit} characters")
    return text


def compensation_kind(value: str) -> CompensationKind:
    """A compensation's kind as the owner types it (``free-service`` or ``free_service``).
    Raises ``Invalid`` (``kind``) naming the kinds there are."""
    try:
        return CompensationKind(value.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        kinds = ", ".join(kind.value for kind in CompensationKind)
        raise Invalid("kind", f"{value!r} is not a kind of compensation: one of {kinds}") from None


def compensate(
    session: Session,
    business_id: int,
    event_id: int,
    compensation: str,
    now: datetime,
    *,
    kind: str | None = None,
    amount: str | None = None,
) -> Event:
    """Decide, or change, the compensation of complaint ``event_id``: the apology drafted
    from now on names it in the owner's words (``compensation``); ``kind`` and ``amount``
    (what it is worth, "40" or "40,00 €") go on the record and into the report. Raises
    ``NotFound`` or ``Invalid`` (``compensation``, ``kind``, ``amount``)."""
    event = get_complaint(session, business_id, event_id)
    event.compensation = _owner_text(Event, "compensation", compensation, "compensation")
    checked_kind = None if kind is None else compensation_kind(kind)
    checked_amount = None if amount is None else parse_amount(amount)
    session.add(event)
    incident = incident_of(session, event, now)
    incident.compensation_kind = checked_kind
    incident.compensation_amount = checked_amount
    incident.compensated_at = now
    incident.updated_at = now
    session.add(incident)
    session.flush()
    return event


def resolve(
    session: Session, business_id: int, event_id: int, *, cause: str, action: str, now: datetime
) -> Incident:
    """Record the internal cause of complaint ``event_id`` and what was changed so it
    does not happen again; the incident is then closed. Recording them again replaces
    them (and when they were recorded). Raises ``NotFound`` or ``Invalid`` (``cause``,
    ``action``)."""
    event = get_complaint(session, business_id, event_id)
    incident = incident_of(session, event, now)
    incident.cause = _owner_text(Incident, "cause", cause, "cause")
    incident.action = _owner_text(Incident, "action", action, "corrective action")
    incident.resolved_at = now
    incident.updated_at = now
    session.add(incident)
    session.flush()
    return incident


def apologies_waiting(session: Session, event: Event) -> list[int]:
    """The apology letters answering ``event`` that have not left yet and do not name its
    compensation: written before it changed. One that already says it (the owner's
    edit, or the guarantee's payout in the same words) is not listed."""
    rows = session.exec(
        select(Letter.id, Letter.body_text).where(
            Letter.event_id == event.id,
            Letter.kind == LetterKind.apology,
            col(Letter.status).in_(PIPELINE_STATUSES),
        )
    ).all()
    said = " ".join((event.compensation or "").split()).rstrip(".").casefold()
    return [
        letter_id
        for letter_id, text in rows
        if letter_id is not None and said not in " ".join(text.split()).casefold()
    ]
