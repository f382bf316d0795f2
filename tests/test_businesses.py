"""A business's settings: one set of checks for init, settings set and the dashboard."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from followup.businesses import create_business, get_business, update_business
from followup.db import read_session, write_session
from followup.errors import InvalidSetting, UnknownBusiness
from followup.models import Business
from tests.factories import NOW

REQUIRED = {"name": "Taller  Ruiz", "owner_name": "Marta Ruiz", "sender_email": "Marta@Bicis.ES"}


def create(engine: Engine, **values: Any) -> Business:
    with write_session(engine) as session:
        return create_business(session, NOW, **{**REQUIRED, **values})


def test_a_new_business_is_stored_in_canonical_form(engine: Engine) -> None:
    business = create(engine, send_time="9:5", holidays="es-an", working_days="lun,Mar,vie")
    assert (business.name, business.sender_email) == ("Taller Ruiz", "marta@bicis.es")
    assert (business.send_time, business.working_days) == ("09:05", "1,2,5")
    assert (business.holiday_country, business.holiday_subdivision) == ("ES", "AN")
    assert business.created_at == NOW
    # The rest keep the defaults of DESIGN §2.
    assert (business.daily_quota, business.cooldown_days, business.approval_mode) == (
        3,
        14,
        "review",
    )


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("name", "  ", "the name is empty"),
        ("owner_name", None, "the owner name is required"),
        ("sender_email", "marta-at-bicis", "is not an email address"),
        ("reply_to", "a@", "is not an email address"),
        ("timezone", "Mars/Olympus", "is not an IANA time zone"),
        ("send_time", "25:00", "is not a time like 09:00"),
        ("send_time", "02:30", "the clocks change twice a year"),
        ("daily_quota", 0, "is not between 1 and 50"),
        ("daily_quota", "three", "is not a whole number"),
        ("locale", "fr", "use es or en"),
        ("form_of_address", "vos", "is not one of usted, tu"),
        ("approval_mode", "yolo", "is not one of review, auto"),
        ("holidays", "XX", "no holiday calendar for that country"),
        ("holidays", "ES-ZZ", "unknown region"),
        ("working_days", "mon,someday", "'someday' is not a weekday or a range of them"),
        ("owner_title", "x" * 201, "longer than 200 characters"),
        ("favourite_colour", "blue", "is not a setting of a business"),
    ],
)
def test_a_bad_setting_is_refused_naming_its_field(
    engine: Engine, field: str, value: object, words: str
) -> None:
    with pytest.raises(InvalidSetting, match=words) as refused:
        create(engine, **{field: value})
    assert refused.value.field == field
    with read_session(engine) as session:
        assert session.exec(select(Business)).first() is None


def test_update_changes_only_what_differs_and_nothing_when_one_value_is_bad(
    engine: Engine,
) -> None:
    business = create(engine)
    with write_session(engine) as session:
        stored = get_business(session, business.id)
        changed = update_business(session, stored, daily_quota="4", send_time="09:00")
    assert changed == {"daily_quota": 4}
    with write_session(engine) as session:
        stored = get_business(session, business.id)
        with pytest.raises(InvalidSetting, match="not an IANA time zone"):
            update_business(session, stored, daily_quota=5, timezone="Nowhere")
    with read_session(engine) as session:
        assert get_business(session, business.id).daily_quota == 4
    with write_session(engine) as session:
        stored = get_business(session, business.id)
        assert update_business(session, stored, holidays="none") == {"holiday_country": None}
        assert update_business(session, stored, holidays="GB") == {"holiday_country": "GB"}


def test_the_business_is_the_only_one_or_the_one_chosen(engine: Engine) -> None:
    with read_session(engine) as session, pytest.raises(UnknownBusiness, match="followup init"):
        get_business(session)
    first = create(engine)
    second = create(engine, name="Otro taller")
    with read_session(engine) as session:
        assert get_business(session, second.id).name == "Otro taller"
        with pytest.raises(UnknownBusiness, match=rf"--business ID \({first.id}: Taller Ruiz"):
            get_business(session)
        with pytest.raises(UnknownBusiness, match="there is no business 99"):
            get_business(session, 99)


@pytest.mark.parametrize(
    ("timezone", "country"),
    [
        ("Europe/Madrid", "ES"),
        ("America/Mexico_City", "MX"),
        ("Europe/London", "GB"),
        ("UTC", None),
    ],
)
def test_holidays_default_to_the_time_zones_country(
    engine: Engine, timezone: str, country: str | None
) -> None:
    assert create(engine, timezone=timezone).holiday_country == country
    assert (
        create(
            engine, name=f"Sin fiestas {timezone}", timezone=timezone, holidays="none"
        ).holiday_country
        is None
    )
