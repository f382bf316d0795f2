"""Words the Guarantees, Templates, Settings and Stats pages share: the kinds of letter
and the templates' languages as an owner reads them, and a one-time notice (what an
action did) carried over the redirect that follows it."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request

from followup.web.i18n import N_, gettext, supported

KIND_LABELS = {
    "thank_you": N_("Thank-you letters"),
    "apology": N_("Apologies"),
    "cooperation": N_("Cooperation letters"),
    "lost_client": N_("Letters to lost clients"),
    "guarantee_offer": N_("Guarantee offers"),
    "guarantee_checkin": N_("Guarantee check-ins"),
}
LOCALE_LABELS = {
    "es-usted": N_("Spanish, usted"),
    "es-tu": N_("Spanish, tú"),
    "en": N_("English"),
}
_NOTICE = "notice"


def kind_label(language: str, kind: str) -> str:
    return gettext(language, KIND_LABELS.get(kind, kind))


def set_notice(request: Request, message: str) -> None:
    """What the action did, shown once on the page the browser is sent back to."""
    request.session[_NOTICE] = message


def pop_notice(request: Request) -> str | None:
    message = request.session.pop(_NOTICE, None)
    return message if isinstance(message, str) else None


def moment(value: datetime | None, language: str, timezone: str) -> str | None:
    """A moment as the owner reads it, in the business's time zone (None: None)."""
    if value is None:
        return None
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime

    if value.tzinfo is None:  # stored as UTC without its zone (SQLite)
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(ZoneInfo(timezone))
    return format_datetime(local, "medium", tzinfo=local.tzinfo, locale=supported(language))
