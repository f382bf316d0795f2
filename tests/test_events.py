"""Recording events: amounts a letter can state, and nothing from the future."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from followup.db import write_session
from followup.errors import Invalid
from followup.events import EventInput, add_event, parse_amount
from followup.models import Client
from tests.factories import MONDAY, NOW, ClientMaker


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("78,50 €", "78.50"),
        ("€1,234.5", "1234.50"),
        ("1.234,50", "1234.50"),
        ("45", "45.00"),
        ("0", "0.00"),
        ("120 EUR", "120.00"),
    ],
)
def test_amounts_are_stored_in_one_form(typed: str, stored: str) -> None:
    assert parse_amount(typed) == stored


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("NaN", "must be a positive number"),
        ("inf", "must be a positive number"),
        ("-45", "must be a positive number"),
        ("1e308", "too large"),
        ("12.345", "more than two decimals"),
        ("doce", "is not a number"),
    ],
)
def test_amounts_a_letter_cannot_state_are_refused(typed: str, why: str) -> None:
    with pytest.raises(Invalid, match=why) as refused:
        parse_amount(typed)
    assert refused.value.field == "amount"


def test_an_event_from_the_future_is_refused(engine: Engine, make_client: ClientMaker) -> None:
    laura = make_client("Laura")
    tomorrow = MONDAY + timedelta(days=1)
    with write_session(engine) as session:
        fresh = session.get(Client, laura.id)
        assert fresh is not None
        with pytest.raises(Invalid, match="2026-11-24 is in the future") as refused:
            add_event(session, fresh, EventInput("purchase", tomorrow, "Casco"), NOW, MONDAY)
        assert refused.value.field == "day"
        event = add_event(session, fresh, EventInput("purchase", MONDAY, "Casco"), NOW, MONDAY)
        assert event.day == MONDAY
