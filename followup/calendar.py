"""Days of a business: working days and holidays, its local day and send moment, and
how a day is named in words (DESIGN §2, §3)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from followup.errors import ConfigError, Invalid

if TYPE_CHECKING:
    from followup.models import Business

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Spanish owners write "lun,mar,mié" (accents optional).
WEEKDAYS_ES = ("lun", "mar", "mie", "jue", "vie", "sab", "dom")
_UNACCENTED = str.maketrans("áéíóú", "aeiou")
MONTHS = {
    "es": (
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
        "septiembre", "octubre", "noviembre", "diciembre",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
}  # fmt: skip



def day_in_words(day: date, language: str) -> str:
    """ "4 de noviembre" / "4 November": how letters and reasons name a day."""
    month = MONTHS[language][day.month - 1]
    return f"{day.day} {month}" if language == "en" else f"{day.day} de {month}"


def _weekday(part: str) -> int | None:
    plain = part.translate(_UNACCENTED)[:3]
    if part.isdigit() and 1 <= int(part) <= 7:
        return int(part)
    if plain in WEEKDAYS:
        return WEEKDAYS.index(plain) + 1
    if plain in WEEKDAYS_ES:
        return WEEKDAYS_ES.index(plain) + 1
    return None


def parse_working_days(value: str) -> frozenset[int]:
    """ISO weekday numbers from "1,2,3,4,5", "1-5", "mon-fri", "mon,tue,wed,thu,fri" or
    "lun,mar,mié,jue,vie" (a range runs forward: "sat-mon" is Saturday to Monday)."""
    days: set[int] = set()
    for part in value.replace(" ", "").lower().split(","):
        if not part:
            continue
        first, dash, last = part.partition("-")
        start, end = _weekday(first), _weekday(last) if dash else _weekday(first)
        if start is None or end is None:
            raise Invalid(
                "working_days",
                f"{part!r} is not a weekday or a range of them (e.g. 1-5, mon-fri, lun,mar,mié)",
            )
        days.update((start - 1 + step) % 7 + 1 for step in range((end - start) % 7 + 1))
    return frozenset(days)


@cache
def _holidays(
    country: str, subdivision: str | None, year: int, language: str
) -> dict[date, str]:
    # Imported here: `holidays` costs ~300 ms and most commands never need it.
    import holidays

    calendar = holidays.country_holidays(country, subdiv=subdivision, years=year)
    # The names in the business's language where the calendar has them ("Inmaculada
    # Concepción" for a Spanish business, "Immaculate Conception" for an English one).
    named_in = next((lang for lang in calendar.supported_languages if lang[:2] == language), None)
    if named_in is not None:
        calendar = holidays.country_holidays(
            country, subdiv=subdivision, years=year, language=named_in
        )
    return dict(calendar)


def holiday_name(business: Business, day: date) -> str | None:
    if not business.holiday_country:
        return None
    return _holidays(
        business.holiday_country, business.holiday_subdivision, day.year, business.locale
    ).get(day)


@cache
def _zone_countries() -> dict[str, str]:
    """Time zone -> ISO country code, from the tz database's ``zone.tab`` (the system's,
    or the ``tzdata`` package's where there is no system database)."""
    import zoneinfo
    from pathlib import Path

    places = [Path(folder) / "zone.tab" for folder in zoneinfo.TZPATH]
    try:
        from importlib.resources import files

        places.append(Path(str(files("tzdata").joinpath("zoneinfo", "zone.tab"))))
    except ModuleNotFoundError:
        pass
    for place in places:
        if place.is_file():
            rows = place.read_text(encoding="utf-8").splitlines()
            fields = (row.split("\t") for row in rows if row and not row.startswith("#"))
            return {cells[2]: cells[0] for cells in fields if len(cells) >= 3}
    return {}


def country_of(timezone: str) -> str | None:
    """The country a time zone belongs to ("Europe/Madrid" -> "ES"), if the tz database
    says; None for zones like "UTC"."""
    return _zone_countries().get(timezone)


def is_working_day(business: Business, day: date) -> bool:
    if day.isoweekday() not in parse_working_days(business.working_days):
        return False
    return holiday_name(business, day) is None


def why_not_working(business: Business, day: date) -> str | None:
    """None on a working day; otherwise the reason in words (weekend, the holiday's name)."""
    if day.isoweekday() not in parse_working_days(business.working_days):
        return f"{day.isoformat()} is not a working day ({WEEKDAYS[day.isoweekday() - 1]})"
    name = holiday_name(business, day)
    if name is not None:
        return f"{day.isoformat()} is a holiday ({name})"
    return None


def zone(business: Business) -> ZoneInfo:
    return ZoneInfo(business.timezone)


def local_today(business: Business, now: datetime) -> date:
    return now.astimezone(zone(business)).date()


def send_moment(business: Business, day: date) -> datetime:
    """The business's send time on ``day``, as an aware datetime in its own zone."""
    hours, minutes = (int(p) for p in business.send_time.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=zone(business))


def next_working_day(business: Business, day: date) -> date:
    nxt = day + timedelta(days=1)
    for _ in range(366):
        if is_working_day(business, nxt):
            return nxt
        nxt += timedelta(days=1)
    raise ConfigError(f"{business.name} has no working day in a whole year: check its settings")
