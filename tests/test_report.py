"""The outcomes report (issue 12, point 6): every figure checked against a scenario
counted by hand below, from a day and for all time, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine

from followup import services
from followup.db import read_session, write_session
from followup.models import Business, Client, Guarantee, LetterStatus
from followup.recovery.guarantees import create_guarantee
from followup.recovery.incidents import compensate, resolve
from followup.schemas import GuaranteeCounts
from tests.conftest import Run
from tests.factories import NOW, ClientMaker, EventMaker, make_letter

SINCE = date(2026, 11, 1)  # Madrid's midnight is 2026-10-31 23:00 UTC


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def guarantee(engine: Engine, client: Client, starts_on: date, status: str = "active") -> None:
    with write_session(engine) as session:
        fresh = session.get(Client, client.id)
        assert fresh is not None
        g = create_guarantee(
            session, fresh, months=3, terms="reparación gratis", starts_on=starts_on, now=NOW
        )
        session.execute(update(Guarantee).where(Guarantee.id == g.id).values(status=status))  # type: ignore[arg-type]


def build_scenario(engine: Engine, business: Business, make_client: ClientMaker,
                   make_event: EventMaker) -> None:  # fmt: skip
    a, b, c, d, e, g, x = (make_client(n) for n in "ABCDEGX")
    # Letters: only the sent ones count, by when they were sent (the business's day).
    sent = LetterStatus.sent
    for kind, sent_at in (
        ("apology", utc(10, 20, 10)),  # before the day
        ("apology", utc(11, 5, 9)),
        ("thank_you", utc(11, 6, 9)),
        ("guarantee_offer", utc(10, 31, 23, 30)),  # 1 November, 00:30 in Madrid
        ("guarantee_checkin", utc(10, 31, 22, 30)),  # 31 October, 23:30 in Madrid
    ):
        make_letter(engine, business, x, kind=kind, status=sent, sent_at=sent_at)
    make_letter(engine, business, x, kind="apology", channel="call", status=sent,
                sent_at=utc(11, 10, 12))  # a call marked done counts  # fmt: skip
    make_letter(engine, business, x, kind="apology", status=LetterStatus.draft)
    make_letter(engine, business, x, kind="thank_you", status=LetterStatus.cancelled)
    make_letter(engine, business, x, kind="thank_you", status=LetterStatus.failed)
    # Replies.
    for day in (date(2026, 10, 30), date(2026, 11, 2), date(2026, 11, 20)):
        make_event(x, "reply", on=day)
    # Recoveries, and purchases after them.
    make_event(a, "recovered", on=date(2026, 11, 5))
    make_event(a, "purchase", on=date(2026, 11, 10))  # A bought again
    guarantee(engine, b, date(2026, 11, 3))  # B: active
    make_event(b, "purchase", on=date(2026, 11, 2))  # before B's recovery: not again
    make_event(c, "recovered", on=date(2026, 10, 1))  # C: before the day
    make_event(c, "purchase", on=date(2026, 10, 5))  # C bought again
    make_event(d, "recovered", on=date(2026, 11, 6))
    guarantee(engine, d, date(2026, 11, 6), "claimed")  # D: one recovery, not two
    make_event(d, "purchase", on=date(2026, 11, 6))  # the same day: not after it
    guarantee(engine, e, date(2026, 6, 1), "expired")  # ended 1 September
    guarantee(engine, g, date(2026, 8, 10), "expired")  # ended 10 November
    # Incidents.
    make_event(x, "complaint", on=date(2026, 10, 20))  # open, before the day
    resolved = make_event(x, "complaint", on=date(2026, 11, 4))
    compensated = make_event(x, "complaint", on=date(2026, 11, 12))
    make_event(x, "complaint", on=date(2026, 11, 15))
    assert business.id is not None
    with write_session(engine) as session:
        resolve(session, business.id, resolved.id or 0, cause="c", action="a", now=NOW)
        compensate(session, business.id, compensated.id or 0, "le devolvemos 20 €", NOW)


def test_the_report_counts_what_was_counted_by_hand(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    assert business.id is not None
    build_scenario(any_engine, business, make_client, make_event)
    with read_session(any_engine) as session:
        since = services.report(session, business.id, SINCE)
        ever = services.report(session, business.id, None)

    assert since.letters_sent == {
        "apology": 2, "thank_you": 1, "cooperation": 0, "lost_client": 0,
        "guarantee_offer": 1, "guarantee_checkin": 0,
    }  # fmt: skip
    assert since.letters_sent_total == 4
    assert (since.replies, since.recovered, since.bought_again) == (2, 3, 1)  # A, B, D; A
    assert since.guarantees == GuaranteeCounts(active=1, claimed=1, expired=1, cancelled=0)
    assert (since.incidents, since.open_incidents) == (3, 2)

    assert ever.letters_sent["apology"] == 3 and ever.letters_sent["guarantee_checkin"] == 1
    assert ever.letters_sent_total == 6
    # A, B, C, D, E, G recovered; A and C bought again.
    assert (ever.replies, ever.recovered, ever.bought_again) == (3, 6, 2)
    assert ever.guarantees == GuaranteeCounts(active=1, claimed=1, expired=2, cancelled=0)
    assert (ever.incidents, ever.open_incidents) == (4, 3)


def test_the_report_of_another_business_is_empty(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    from tests.factories import make_business

    build_scenario(any_engine, business, make_client, make_event)
    other = make_business(any_engine, name="Otra tienda")
    with read_session(any_engine) as session:
        view = services.report(session, other.id or 0, None)
    assert view.letters_sent_total == view.replies == view.recovered == view.incidents == 0
    assert view.guarantees == GuaranteeCounts(active=0, claimed=0, expired=0, cancelled=0)


def test_report_from_the_command_line(run: Run) -> None:
    run("demo", "--date", "2026-11-23")
    table = run("report").output
    assert table.startswith("All time:")
    for label in ("Letters sent", "Replies recorded", "Clients recovered", "who bought again",
                  "Guarantees active", "without a recorded cause"):  # fmt: skip
        assert label in table
    shaped = json.loads(run("report", "--since", "2026-11-01", "--json").output)
    assert shaped["since"] == "2026-11-01"
    assert set(shaped) >= {
        "letters_sent", "replies", "recovered", "bought_again", "guarantees", "open_incidents"
    }  # fmt: skip
    assert set(shaped["guarantees"]) == {"active", "claimed", "expired", "cancelled"}
    # The demo's recovered client with a guarantee counts.
    assert json.loads(run("report", "--json").output)["recovered"] >= 1
    bad = run("report", "--since", "noviembre", code=2)
    assert "is not a date" in bad.output
