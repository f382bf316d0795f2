"""The owner's letter templates, as the API (and the dashboard) edit them: read (the
owner's edit or the default source), save (checked as DESIGN §4 asks before it is
stored), reset to the default, and preview against a client or the samples."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from followup.errors import Invalid, NotFound
from followup.letters.address import check_letter
from followup.letters.checks import check_override
from followup.letters.rendering import TemplateError, check_names, default_source, render
from followup.letters.samples import sample_contexts
from followup.models import Business, Client, TemplateOverride
from followup.schemas import Flag, PreviewView, TemplateView


def _override(
    session: Session, business_id: int, kind: str, tlocale: str
) -> TemplateOverride | None:
    return session.exec(
        select(TemplateOverride).where(
            TemplateOverride.business_id == business_id,
            TemplateOverride.kind == kind,
            TemplateOverride.locale == tlocale,
        )
    ).first()


def get_template(session: Session, business_id: int, kind: str, tlocale: str) -> TemplateView:
    """The owner's edit of (kind, locale), or the default source when there is none."""
    check_names(kind, tlocale)
    found = _override(session, business_id, kind, tlocale)
    source = found.source if found is not None else default_source(kind, tlocale)
    return TemplateView(kind=kind, locale=tlocale, source=source, overridden=found is not None)


def check_template(kind: str, tlocale: str, source: str) -> list[str]:
    """What stops ``source`` from being saved (DESIGN §4), in words, one problem each:
    ``save_template`` refuses the same ones. Empty: it can be saved."""
    check_names(kind, tlocale)
    return check_override(kind, tlocale, source, sample_contexts(kind, tlocale)[0])


def save_template(
    session: Session, business_id: int, kind: str, tlocale: str, source: str, now: datetime
) -> TemplateView:
    """Store the owner's edit once it passes every check; ``Invalid("source")`` says what
    is wrong (a syntax error with its line, an unknown variable, what the sandbox
    refuses, the size, a test letter that fails)."""
    problems = check_template(kind, tlocale, source)
    if problems:
        raise Invalid("source", "; ".join(problems))
    found = _override(session, business_id, kind, tlocale)
    if found is None:
        found = TemplateOverride(business_id=business_id, kind=kind, locale=tlocale, source="")
    found.source = source
    found.updated_at = now
    session.add(found)
    session.flush()
    return TemplateView(kind=kind, locale=tlocale, source=source, overridden=True)


def reset_template(session: Session, business_id: int, kind: str, tlocale: str) -> TemplateView:
    """Drop the owner's edit: letters use the default again. ``NotFound`` without one."""
    check_names(kind, tlocale)
    gone = session.exec(
        delete(TemplateOverride).where(
            col(TemplateOverride.business_id) == business_id,
            col(TemplateOverride.kind) == kind,
            col(TemplateOverride.locale) == tlocale,
        )
    )
    if not gone.rowcount:
        raise NotFound(f"there is no edit of {tlocale}/{kind} to reset")
    return get_template(session, business_id, kind, tlocale)


def preview_template(
    session: Session,
    business: Business,
    kind: str,
    tlocale: str,
    *,
    source: str | None = None,
    client: Client | None = None,
    day: date | None = None,
) -> PreviewView:
    """The letter (kind, locale) would be: ``source`` (else the owner's edit, else the
    default) against ``client`` (else a sample client), with the checks' flags."""
    check_names(kind, tlocale)
    assert business.id is not None
    if source is None:
        found = _override(session, business.id, kind, tlocale)
        source = found.source if found is not None else None
    context: dict[str, Any] = dict(sample_contexts(kind, tlocale)[0])
    context["business"] = business
    if client is not None:
        context["client"] = client
    if day is not None:
        context["day"] = day
    try:
        draft = render(kind, tlocale, context, source=source)
    except TemplateError as exc:
        raise Invalid("source", str(exc)) from None
    flags = check_letter(draft.subject, draft.text, tlocale)
    return PreviewView(
        subject=draft.subject,
        text=draft.text,
        html=draft.html,
        flags=[Flag.model_validate(asdict(flag)) for flag in flags],
    )
