"""``/api/v1/templates`` and ``/api/v1/settings``: the owner's letter templates (read,
save once checked, reset, preview) and the business's settings."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter

from followup.models import LetterKind
from followup.schemas import PreviewView, SettingsView, TemplateView
from followup.services import settings_view
from followup.services.clients import get_client
from followup.services.templates import (
    get_template,
    preview_template,
    reset_template,
    save_template,
)
from followup.web.api.auth import Auth
from followup.web.api.errors import errors
from followup.web.api.params import business_of, today_of
from followup.web.api.schemas import PreviewRequest, TemplateSource

router = APIRouter()
TemplateLocale = Literal["en", "es-usted", "es-tu"]
PATH = "/templates/{kind}/{locale}"


@router.get(
    PATH,
    tags=["templates"],
    summary="Read a letter template",
    response_model=TemplateView,
    responses=errors(401, 422),
)
def read(caller: Auth, kind: LetterKind, locale: TemplateLocale) -> Any:
    """The owner's edit of this kind of letter in this language, or the default source."""
    with caller.reading() as session:
        return get_template(session, caller.business_id, kind, locale)


@router.put(
    PATH,
    tags=["templates"],
    summary="Save an edited letter template",
    response_model=TemplateView,
    responses=errors(401, 422),
)
def save(caller: Auth, kind: LetterKind, locale: TemplateLocale, body: TemplateSource) -> Any:
    """Checked before it is stored (DESIGN §4): a syntax error with its line, an unknown
    variable, what the sandbox refuses, the size, a test letter that fails: a 422 that
    says which."""
    with caller.writing() as session:
        return save_template(session, caller.business_id, kind, locale, body.source, caller.now)


@router.delete(
    PATH,
    tags=["templates"],
    summary="Reset a letter template to the default",
    response_model=TemplateView,
    responses=errors(401, 404, 422),
)
def reset(caller: Auth, kind: LetterKind, locale: TemplateLocale) -> Any:
    with caller.writing() as session:
        return reset_template(session, caller.business_id, kind, locale)


@router.post(
    PATH + "/preview",
    tags=["templates"],
    summary="Preview a letter template",
    response_model=PreviewView,
    responses=errors(401, 404, 422),
)
def preview(caller: Auth, kind: LetterKind, locale: TemplateLocale, body: PreviewRequest) -> Any:
    """``source`` (else the saved one) rendered against ``client_id`` (else a sample
    client): subject, text, HTML and the sentences the checks flag. Nothing is stored."""
    with caller.reading() as session:
        business = business_of(session, caller)
        client = (
            None
            if body.client_id is None
            else get_client(session, caller.business_id, body.client_id)
        )
        return preview_template(
            session,
            business,
            kind,
            locale,
            source=body.source,
            client=client,
            day=today_of(business, caller),
        )


@router.get(
    "/settings",
    tags=["settings"],
    summary="The business's settings",
    response_model=SettingsView,
    responses=errors(401),
)
def settings(caller: Auth) -> Any:
    """As ``followup settings --json`` shows them."""
    with caller.reading() as session:
        return settings_view(business_of(session, caller), session)
