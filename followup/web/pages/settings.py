"""Settings / Ajustes: everything ``followup settings`` holds, changed through the same
checks (``businesses.update_business``), a refusal shown beside its field with what was
typed kept; the user's own dashboard language; a test email sent the way letters go
(``jobs.testmail``, as ``followup send-test``), with what happened in words; and how the
mail is doing: sending paused because the server refused our login (and how to resume),
the inbox's last read and any problem reading it. A problem is explained in the owner's
language (``mail_words``), the server's own words quoted as theirs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from followup.businesses import STYLES, get_business, update_business
from followup.db import read_session, write_session
from followup.errors import Invalid
from followup.jobs.testmail import send_test_message
from followup.services import settings_view
from followup.services.delivery import delivery_status
from followup.web.auth import LoggedIn, Owner
from followup.web.i18n import gettext
from followup.web.layout import render
from followup.web.pages import page_router
from followup.web.pages.mail_words import inbox_problem, smtp_problem
from followup.web.pages.settings_fields import FIELDS, GROUPS, ask, weekdays
from followup.web.pages.wording import moment, pop_notice, set_notice

router = page_router()
HOLIDAY_COLUMNS = frozenset({"holiday_country", "holiday_subdivision"})


@router.get("/settings")
def settings_page(request: Request, owner: LoggedIn) -> HTMLResponse:
    return _page(request, owner)


def _page(
    request: Request,
    owner: Owner,
    *,
    typed: dict[str, Any] | None = None,
    error: tuple[str, str] | None = None,
    test: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = request.app.state.followup
    language = owner.language
    with read_session(context.engine) as session:
        business = get_business(session, owner.business_id)
        view = settings_view(business, session)
        status = delivery_status(session, business, context.settings.delivery_fingerprint)
    values = view.model_dump()
    values["working_days"] = [str(day) for day in view.working_days]
    values["holidays"] = view.holidays or ""
    values["imap_url"] = view.imap_url or ""
    values.update(typed or {})
    smtp = context.settings.smtp
    zone = business.timezone
    mail = {
        "server": smtp.shown if smtp is not None else None,
        "maildir": str(context.settings.outbox_dir),
        "paused": (
            smtp_problem(language, status.sending_paused) if status.sending_paused else None
        ),
        "paused_at": moment(status.sending_paused_at, language, zone),
        "inbox": status.inbox,
        "read_at": moment(status.inbox_read_at, language, zone),
        "problem": inbox_problem(language, status.inbox_problem) if status.inbox_problem else None,
        "problem_since": moment(status.inbox_problem_since, language, zone),
    }
    return render(
        request,
        "settings.html",
        {
            "values": values,
            "fields": FIELDS,
            "groups": GROUPS,
            "styles": STYLES,
            "weekdays": weekdays(language),
            "error": error,
            "mail": mail,
            "test": test,
            "test_to": (test or {}).get("to") or owner.email,
            "notice": pop_notice(request),
        },
        status_code=status_code,
    )


def _changes(form: FormData, shown_imap: str | None) -> dict[str, Any]:
    """The form's settings as ``update_business`` takes them."""
    changes: dict[str, Any] = {}
    for field in FIELDS:
        if field.name == "working_days":
            changes["working_days"] = ",".join(str(v) for v in form.getlist("working_days"))
        elif field.name == "digest":
            changes["digest"] = "on" if form.get("digest") else "off"
        elif field.name == "imap_url":
            typed = str(form.get("imap_url") or "").strip()
            # Shown without its password: the same address sent back changes nothing.
            if typed != (shown_imap or ""):
                changes["imap_url"] = typed
        else:
            changes[field.name] = str(form.get(field.name) or "")
    return changes


def _typed(form: FormData) -> dict[str, Any]:
    typed: dict[str, Any] = {f.name: str(form.get(f.name) or "") for f in FIELDS}
    typed["working_days"] = [str(v) for v in form.getlist("working_days")]
    typed["digest"] = bool(form.get("digest"))
    return typed


@router.post("/settings")
async def save_settings(request: Request, owner: LoggedIn) -> Response:
    form = await request.form()
    context = request.app.state.followup
    language = owner.language
    try:
        with write_session(context.engine) as session:
            business = get_business(session, owner.business_id)
            shown = settings_view(business).imap_url
            changed = update_business(
                session, business, now=context.clock(), **_changes(form, shown)
            )
    except Invalid as exc:
        return _page(
            request, owner, typed=_typed(form), error=(exc.field, ask(language, exc.field)),
            status_code=422,
        )  # fmt: skip
    if not changed:
        set_notice(request, gettext(language, "Nothing changed: the settings were already so."))
    else:
        # The holidays are stored as a country and a region.
        named = set(changed) | ({"holidays"} if HOLIDAY_COLUMNS & set(changed) else set())
        names = [gettext(language, field.label) for field in FIELDS if field.name in named]
        message = gettext(language, "Saved. Changed: %(names)s.") % {"names": ", ".join(names)}
        new_inbox = changed.get("imap_url")
        if new_inbox and ":" not in _userinfo(new_inbox) and not context.settings.imap_password:
            message += " " + gettext(
                language,
                "The inbox's password is not in its address: set FOLLOWUP_IMAP_PASSWORD "
                "or FOLLOWUP_IMAP_PASSWORD_FILE where followup runs.",
            )
        set_notice(request, message)
    return RedirectResponse("/settings", status_code=303)


def _userinfo(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc.rpartition("@")[0]


@router.post("/settings/test-email")
def send_test_email(
    request: Request, owner: LoggedIn, to: Annotated[str, Form()] = ""
) -> Response:
    """One test message the way letters go; the page says what happened."""
    context = request.app.state.followup
    language = owner.language
    with read_session(context.engine) as session:
        business = get_business(session, owner.business_id)
    try:
        outcome = send_test_message(business, context.settings, to, context.clock())
    except Invalid:
        message = gettext(language, "Write an email address, such as you@example.com.")
        test: dict[str, Any] = {"to": to, "error": message}
        return _page(request, owner, test=test, status_code=422)
    test = {
        "to": outcome.to,
        "sent": outcome.sent,
        "server": outcome.server,
        "maildir": outcome.maildir,
        "problem": smtp_problem(language, outcome.problem, outcome.code)
        if outcome.problem
        else None,
    }
    return _page(request, owner, test=test)
