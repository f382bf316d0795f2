"""A business and its settings (DESIGN §2): created by ``init``, changed by ``settings set``
and the dashboard's settings page, all through the same checks.

Each setting has one checker that returns the value as stored or raises
``InvalidSetting(field, message)`` naming the field, so the CLI can say which flag and
the API which form field is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from followup.calendar import country_of, parse_working_days
from followup.errors import Invalid, InvalidSetting, UnknownBusiness
from followup.fields import normalise_email, one_line, parse_language
from followup.mailbox import parse_mailbox
from followup.models import ApprovalMode, Business, FormOfAddress, InboxState, max_length

# How letters greet, per template locale (letters.salutations keeps the words).
STYLES = {
    "es-usted": ("estimado", "apreciado", "nombre"),
    "es-tu": ("hola", "querido"),
    "en": ("dear", "hi"),
}

REQUIRED = ("name", "owner_name", "sender_email")
QUOTA_RANGE = (1, 50)
COOLDOWN_RANGE = (0, 365)


def _text(field: str, *, required: bool = False) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = one_line(str(value or ""))
        if required and not text:
            raise InvalidSetting(field, f"the {field.replace('_', ' ')} is empty")
        limit = max_length(Business, field)
        if len(text) > limit:
            raise InvalidSetting(field, f"longer than {limit} characters")
        return text

    return check


def _address(field: str, *, required: bool = False) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = str(value or "").strip()
        if not text and not required:
            return ""
        try:
            return normalise_email(text, field)
        except Invalid as exc:
            raise InvalidSetting(field, str(exc)) from None

    return check


def _choice(field: str, allowed: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = str(value or "").strip().lower()
        if text not in allowed:
            raise InvalidSetting(field, f"{value!r} is not one of {', '.join(allowed)}")
        return text

    return check


def _number(field: str, low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise InvalidSetting(field, f"{value!r} is not a whole number") from None
        if not low <= number <= high:
            raise InvalidSetting(field, f"{number} is not between {low} and {high}")
        return number

    return check


def _switch(field: str) -> Callable[[Any], bool]:
    """On or off: a bool, or the words a form or a file uses for one."""

    def check(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value or "").strip().lower()
        if text in ("on", "true", "yes", "1"):
            return True
        if text in ("off", "false", "no", "0"):
            return False
        raise InvalidSetting(field, f"{value!r} is not on or off")

    return check


def _locale(value: Any) -> str:
    try:
        language = parse_language(str(value or ""))
    except Invalid as exc:
        raise InvalidSetting("locale", str(exc)) from None
    if language is None:
        raise InvalidSetting("locale", "the language is empty: es or en")
    return language


def _timezone(value: Any) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    text = str(value or "").strip()
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidSetting(
            "timezone", f"{text!r} is not an IANA time zone (e.g. Europe/Madrid)"
        ) from None
    return text


def _send_time(value: Any) -> str:
    text = str(value or "").strip()
    try:
        hours, minutes = (int(part) for part in text.split(":"))
    except ValueError:
        hours = minutes = -1
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise InvalidSetting("send_time", f"{text!r} is not a time like 09:00")
    if hours == 2:
        # Where clocks change, 02:00-03:00 happens twice in autumn and not at all in spring.
        raise InvalidSetting(
            "send_time", f"{text}: between 02:00 and 03:00 the clocks change twice a year; "
            "choose another time (the default is 09:00)"
        )  # fmt: skip
    return f"{hours:02d}:{minutes:02d}"


def _working_days(value: Any) -> str:
    try:
        days = parse_working_days(str(value or ""))
    except Invalid as exc:
        raise InvalidSetting("working_days", str(exc)) from None
    if not days:
        raise InvalidSetting("working_days", "a business needs at least one working day")
    return ",".join(str(day) for day in sorted(days))


def parse_holidays(value: str | None) -> tuple[str | None, str | None]:
    """``"ES"``, ``"ES-AN"`` or ``"none"`` as (country, region), checked against the
    calendars the ``holidays`` package has."""
    country, _, region = (value or "").strip().upper().partition("-")
    if country in ("", "NONE"):
        return None, None
    import holidays

    supported = holidays.list_supported_countries()
    if country not in supported:
        raise InvalidSetting(
            "holidays", f"{country!r}: no holiday calendar for that country (e.g. ES, GB)"
        )
    if region and region not in supported[country]:
        regions = ", ".join(supported[country]) or "none"
        raise InvalidSetting("holidays", f"{country}-{region}: unknown region (known: {regions})")
    return country, region or None


def _imap_url(value: Any) -> str | None:
    """The owner's inbox as stored (canonical, the password kept only if given); empty
    turns reading off."""
    text = str(value or "").strip()
    if not text:
        return None
    stored = parse_mailbox(text).stored
    limit = max_length(Business, "imap_url")
    if len(stored) > limit:
        raise InvalidSetting("imap_url", f"longer than {limit} characters")
    return stored


CHECKS: dict[str, Callable[[Any], Any]] = {
    "name": _text("name", required=True),
    "owner_name": _text("owner_name", required=True),
    "owner_title": _text("owner_title"),
    "owner_title_es": _text("owner_title_es"),
    "owner_title_en": _text("owner_title_en"),
    "from_name": _text("from_name"),
    "greeting_usted": _choice("greeting_usted", STYLES["es-usted"]),
    "greeting_tu": _choice("greeting_tu", STYLES["es-tu"]),
    "greeting_en": _choice("greeting_en", STYLES["en"]),
    "phone_label": _text("phone_label"),
    "owner_phone": _text("owner_phone"),
    "sender_email": _address("sender_email", required=True),
    "reply_to": _address("reply_to"),
    "locale": _locale,
    "form_of_address": _choice("form_of_address", tuple(f.value for f in FormOfAddress)),
    "timezone": _timezone,
    "daily_quota": _number("daily_quota", *QUOTA_RANGE),
    "send_time": _send_time,
    "working_days": _working_days,
    "cooldown_days": _number("cooldown_days", *COOLDOWN_RANGE),
    "approval_mode": _choice("approval_mode", tuple(m.value for m in ApprovalMode)),
    "digest": _switch("digest"),
    "imap_url": _imap_url,
}


def default_holidays(timezone: str) -> str | None:
    """The public holidays of the time zone's country (Europe/Madrid -> ES), when the
    ``holidays`` package has a calendar for it."""
    country = country_of(timezone)
    if country is None:
        return None
    try:
        return parse_holidays(country)[0]
    except InvalidSetting:
        return None


def check_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` as they are stored, each checked; ``holidays`` ("ES-AN", "none") becomes
    the country and region. Raises ``InvalidSetting`` naming the first bad field."""
    checked: dict[str, Any] = {}
    for field, value in values.items():
        if field == "holidays":
            checked["holiday_country"], checked["holiday_subdivision"] = parse_holidays(value)
        elif field in CHECKS:
            checked[field] = CHECKS[field](value)
        else:
            raise InvalidSetting(field, f"{field!r} is not a setting of a business")
    return checked


def create_business(session: Session, now: datetime, **values: Any) -> Business:
    """A new business from its settings (``name``, ``owner_name`` and ``sender_email``
    at least); the others keep their defaults. Raises ``InvalidSetting``."""
    for field in REQUIRED:
        if not values.get(field):
            raise InvalidSetting(field, f"the {field.replace('_', ' ')} is required")
    checked = check_settings(values)
    if "holidays" not in values:
        checked["holiday_country"] = default_holidays(checked.get("timezone", "Europe/Madrid"))
    business = Business(**checked, created_at=now)
    session.add(business)
    session.flush()
    return business


def update_business(
    session: Session, business: Business, *, now: datetime | None = None, **changes: Any
) -> dict[str, Any]:
    """Change some settings of ``business``; returns what actually changed (field: value).
    Nothing is changed when any value is refused (``InvalidSetting``).

    Another inbox address starts reading afresh: with mail from ``now`` on (from the
    mailbox's next message when ``now`` is None), never the owner's older mail.
    """
    checked = check_settings(changes)
    changed = {k: v for k, v in checked.items() if getattr(business, k) != v}
    for field, value in changed.items():
        setattr(business, field, value)
    session.add(business)
    if "imap_url" in changed:
        session.exec(delete(InboxState).where(col(InboxState.business_id) == business.id))
        if business.imap_url:
            assert business.id is not None
            session.add(InboxState(business_id=business.id, since=now))
    session.flush()
    return changed


def find_business(session: Session, name: str) -> Business | None:
    """The business called ``name`` (spaces folded), if there is one."""
    return session.exec(
        select(Business).where(Business.name == one_line(name)).order_by(col(Business.id))
    ).first()


def get_business(session: Session, business_id: int | None = None) -> Business:
    """The business with ``business_id``, or the only one there is when it is None.

    Raises ``UnknownBusiness`` when there is none, when the id is unknown, or when there
    are several and none was chosen (the message lists them).
    """
    if business_id is not None:
        business = session.get(Business, business_id)
        if business is None:
            raise UnknownBusiness(f"there is no business {business_id} (see: followup init)")
        return business
    found = list(session.exec(select(Business).order_by(col(Business.id)).limit(20)))
    if not found:
        raise UnknownBusiness("there is no business yet: run `followup init` (or `followup demo`)")
    if len(found) > 1:
        names = ", ".join(f"{b.id}: {b.name}" for b in found)
        raise UnknownBusiness(
            f"there are several businesses; choose one with --business ID ({names})"
        )
    return found[0]


# Free mailbox providers: a letter from a business's own domain whose replies go to one
# of these looks forged to spam filters (SpamAssassin's FREEMAIL_FORGED_REPLYTO, 1.2).
FREE_MAIL = frozenset(
    {
        "gmail.com", "googlemail.com", "hotmail.com", "hotmail.es", "outlook.com",
        "outlook.es", "live.com", "msn.com", "yahoo.com", "yahoo.es", "icloud.com",
        "me.com", "aol.com", "gmx.com", "gmx.es", "proton.me", "protonmail.com",
    }
)  # fmt: skip


def sending_advice(business: Business) -> list[str]:
    """What in the settings makes letters look like spam, in words the owner can act on."""
    sender = business.sender_email.rpartition("@")[2].lower()
    reply = business.reply_to.rpartition("@")[2].lower() if business.reply_to else ""
    if reply in FREE_MAIL and sender and sender != reply and sender not in FREE_MAIL:
        return [
            f"Letters come from {sender} but replies go to a {reply} address: spam filters "
            f"distrust that pairing. Prefer a reply-to address at {sender} (or none)."
        ]
    return []
