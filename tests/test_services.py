"""The listings the CLI and the API share: filters, pages, public shapes, one business."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from followup import services
from followup.db import read_session, write_session
from followup.models import Business, LetterStatus
from followup.recovery.guarantees import create_guarantee
from followup.schemas import PickView
from tests.factories import MONDAY, NOW, client_maker, event_maker, make_business, make_letter


def test_letters_newest_first_with_status_client_and_page(any_engine: Engine) -> None:
    shop, other = make_business(any_engine), make_business(any_engine, name="Otro")
    laura = client_maker(any_engine, shop)("Laura")
    first = make_letter(any_engine, shop, laura)
    failed = make_letter(
        any_engine,
        shop,
        status=LetterStatus.failed,
        last_error="550 5.1.1 mailbox unknown",
        last_error_code="550",
    )
    make_letter(any_engine, other)
    assert shop.id is not None
    with read_session(any_engine) as session:
        every = services.list_letters(session, shop.id)
        assert [v.id for v in every] == [failed.id, first.id]
        assert every[0].last_error is not None
        assert (every[0].last_error.code, every[0].last_error.words) == (
            "550",
            "550 5.1.1 mailbox unknown",
        )
        assert every[1].last_error is None and every[1].client_name == "Laura"
        assert [v.id for v in services.list_letters(session, shop.id, status="failed")] == [
            failed.id
        ]
        assert [v.id for v in services.list_letters(session, shop.id, client_id=laura.id)] == [
            first.id
        ]
        assert [v.id for v in services.list_letters(session, shop.id, limit=1, offset=1)] == [
            first.id
        ]


def test_clients_events_and_guarantees_of_one_business(any_engine: Engine) -> None:
    shop, other = make_business(any_engine), make_business(any_engine, name="Otro")
    laura, pedro = client_maker(any_engine, shop)("Laura"), client_maker(any_engine, shop)("Pedro")
    client_maker(any_engine, other)("Nadie")
    add = event_maker(any_engine)
    add(laura, "purchase", 3)
    complaint = add(pedro, "complaint", 1, "Le cobramos dos veces")
    with write_session(any_engine) as session:
        fresh = session.get(type(pedro), pedro.id)
        assert fresh is not None
        create_guarantee(session, fresh, months=3, terms="la cambiamos", starts_on=MONDAY, now=NOW)
    assert shop.id is not None
    with read_session(any_engine) as session:
        assert [c.name for c in services.list_clients(session, shop.id)] == ["Laura", "Pedro"]
        recovered = services.list_clients(session, shop.id, status="recovered")
        assert [c.name for c in recovered] == ["Pedro"]
        events = services.list_events(session, shop.id)
        assert events[0].id == complaint.id  # newest day first
        only = services.list_events(session, shop.id, client_id=pedro.id, kind="complaint")
        assert [(e.day, e.summary) for e in only] == [
            (MONDAY - timedelta(days=1), "Le cobramos dos veces")
        ]
        (guarantee,) = services.list_guarantees(session, shop.id)
        assert (guarantee.client_name, guarantee.ends_on.isoformat()) == ("Pedro", "2027-02-23")
        assert services.list_guarantees(session, shop.id, status="expired") == []


def test_picks_show_only_the_public_shape(engine: Engine, business: Business) -> None:
    client_maker(engine, business)("Laura")
    with read_session(engine) as session:
        closed, picks = services.list_picks(session, business, MONDAY)
        assert closed is None
        assert [type(p) for p in picks] == [PickView]
        # Not the candidate's insides (event and guarantee ids, trigger day, occasion).
        assert set(picks[0].model_dump()) == {
            "client_id", "client_name", "tier", "kind", "reason", "channel", "with_call"
        }  # fmt: skip
        sunday = MONDAY - timedelta(days=1)
        closed, picks = services.list_picks(session, business, sunday)
        assert closed is not None and "not a working day" in closed and picks == []
        closed, ranked = services.list_picks(session, business, sunday, explain=True)
        assert [p.client_name for p in ranked] == ["Laura"]


def test_settings_under_their_public_names(engine: Engine) -> None:
    business = make_business(
        engine, holiday_country="ES", holiday_subdivision="AN", working_days="1,2,3"
    )
    view = services.settings_view(business)
    assert (view.quota, view.working_days, view.holidays) == (3, [1, 2, 3], "ES-AN")
