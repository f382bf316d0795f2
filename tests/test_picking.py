"""Picking (DESIGN §3): the six tiers, their order, fairness and the rules around them.

Every test takes ``any_engine``: it runs on SQLite and on PostgreSQL, and so do the
``business``, ``make_client`` and ``make_event`` it takes.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine

from followup import picking
from followup.db import read_session, write_session
from followup.models import Business, Client, LetterStatus
from followup.recovery.guarantees import create_guarantee
from tests.factories import (
    MONDAY,
    NOW,
    ClientMaker,
    EventMaker,
    client_maker,
    event_maker,
    make_business,
    make_letter,
)


def picks(engine: Engine, business: Business, day: date = MONDAY) -> list[picking.Candidate]:
    with read_session(engine) as session:
        fresh = session.get(Business, business.id)
        assert fresh is not None
        return picking.pick(session, fresh, day)


def ranked(engine: Engine, business: Business, day: date = MONDAY) -> list[picking.Candidate]:
    with read_session(engine) as session:
        fresh = session.get(Business, business.id)
        assert fresh is not None
        return picking.explain(session, fresh, day)


def first(engine: Engine, business: Business, day: date = MONDAY) -> picking.Candidate:
    chosen = picks(engine, business, day)
    assert chosen, "nobody was picked"
    return chosen[0]


# --- each tier's trigger and letter --------------------------------------------------


def test_complaint_without_apology_is_tier_1_apology(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    laura = make_client("Laura Sánchez")
    make_event(laura, "complaint", 5, "La reparación llegó con tres días de retraso")
    c = first(any_engine, business)
    assert (c.client_id, c.tier, c.kind) == (laura.id, 1, "apology")
    assert "18 de noviembre" in c.reason and "tres días de retraso" in c.reason


def test_recovered_client_with_guarantee_gets_offer_then_checkins(
    any_engine: Engine, business: Business, make_client: ClientMaker
) -> None:
    lucia = make_client("Lucía Fernández")
    with write_session(any_engine) as session:
        fresh = session.get(Client, lucia.id)
        assert fresh is not None
        g = create_guarantee(
            session,
            fresh,
            months=3,
            terms="reparación gratis",
            starts_on=MONDAY - timedelta(days=2),
            now=NOW,
        )
    c = first(any_engine, business)
    assert (c.client_id, c.tier, c.kind, c.guarantee_id) == (lucia.id, 2, "guarantee_offer", g.id)
    # Once the offer exists, the check-in is due 7 days after the start.
    make_letter(
        any_engine,
        business,
        lucia,
        kind="guarantee_offer",
        day=MONDAY - timedelta(days=20),
        status=LetterStatus.sent,
        guarantee_id=g.id,
    )
    # No check-in due yet, and no rotation letter either: while the guarantee runs, its
    # check-ins are the client's follow-up, on their own days.
    assert [c.tier for c in ranked(any_engine, business)] == []
    checkin_day = MONDAY + timedelta(days=5)
    c = first(any_engine, business, checkin_day)
    assert (c.client_id, c.tier, c.kind) == (lucia.id, 2, "guarantee_checkin")


def test_cooperation_is_tier_3(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    miguel = make_client("Miguel Ruiz")
    make_event(miguel, "cooperation", 3, "Nos envió fotos del fallo de frenos")
    c = first(any_engine, business)
    assert (c.client_id, c.tier, c.kind) == (miguel.id, 3, "cooperation")


def test_lost_client_is_tier_4_until_written_to(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    ramon = make_client("Ramón Domínguez")
    make_event(ramon, "lost", 20, "Se pasó a otro taller")
    c = first(any_engine, business)
    assert (c.client_id, c.tier, c.kind) == (ramon.id, 4, "lost_client")
    make_letter(
        any_engine,
        business,
        ramon,
        kind="lost_client",
        day=MONDAY - timedelta(days=15),
        status=LetterStatus.sent,
    )
    assert picks(any_engine, business) == []  # lost clients are not in the rotation either


def test_recent_purchase_is_tier_5_thank_you(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    diego = make_client("Diego Gil")
    make_event(diego, "purchase", 30, "Juego de ruedas", item="juego de ruedas")
    c = first(any_engine, business)
    assert (c.client_id, c.tier, c.kind, c.occasion) == (diego.id, 5, "thank_you", "purchase")


def test_purchase_older_than_30_days_falls_to_the_rotation(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    diego = make_client("Diego Gil")
    make_event(diego, "purchase", 31, "Juego de ruedas")
    c = first(any_engine, business)
    assert (c.client_id, c.tier, c.occasion) == (diego.id, 6, "appreciation")


def test_rotation_prefers_never_contacted_then_longest_ago(
    any_engine: Engine, business: Business, make_client: ClientMaker
) -> None:
    recent = make_client("Reciente", last_contacted_on=MONDAY - timedelta(days=40))
    old = make_client("Antiguo", last_contacted_on=MONDAY - timedelta(days=300))
    never = make_client("Nunca")
    order = [c.client_id for c in picks(any_engine, business)]
    assert order == [never.id, old.id, recent.id]
    assert all(c.tier == 6 and c.kind == "thank_you" for c in picks(any_engine, business))


# --- order, ties, quota --------------------------------------------------------------


def test_tiers_fill_the_quota_in_order(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    buyer, lost, helper, unhappy = (make_client(n) for n in ("Buyer", "Lost", "Helper", "Unhappy"))
    make_event(buyer, "purchase", 40 - 30)  # purchase 10 days ago
    make_event(lost, "lost", 50)
    make_event(helper, "cooperation", 2)
    make_event(unhappy, "complaint", 1)
    assert [(c.client_id, c.tier) for c in ranked(any_engine, business)] == [
        (unhappy.id, 1),
        (helper.id, 3),
        (lost.id, 4),
        (buyer.id, 5),
    ]
    assert [c.client_id for c in picks(any_engine, business)] == [unhappy.id, helper.id, lost.id]


def test_complaint_outranks_purchase_for_the_same_client(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    ana = make_client("Ana")
    make_event(ana, "purchase", 3)
    make_event(ana, "complaint", 1)
    chosen = ranked(any_engine, business)
    assert [(c.client_id, c.kind) for c in chosen] == [(ana.id, "apology")]


def test_oldest_trigger_first_and_ties_by_client_id(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    a, b, c, d = (make_client(n) for n in "ABCD")
    make_event(d, "purchase", 9)
    make_event(b, "purchase", 4)
    make_event(a, "purchase", 4)
    make_event(c, "purchase", 2)
    assert [x.client_id for x in ranked(any_engine, business)] == [d.id, a.id, b.id, c.id]
    # Deterministic: asking again gives the same answer.
    assert ranked(any_engine, business) == ranked(any_engine, business)


def test_quota_of_3_from_a_base_of_1000_clients(any_engine: Engine, business: Business) -> None:
    assert business.id is not None
    # One transaction for the thousand clients: a builder call each would take seconds.
    with write_session(any_engine) as session:
        session.add_all(
            Client(
                business_id=business.id,
                name=f"Cliente {i}",
                email=f"c{i}@example.es",
                last_contacted_on=MONDAY - timedelta(days=20 + i % 200),
            )
            for i in range(1000)
        )
    chosen = picks(any_engine, business)
    assert len(chosen) == 3
    assert len({c.client_id for c in chosen}) == 3
    with read_session(any_engine) as session:
        days = [session.get_one(Client, c.client_id).last_contacted_on for c in chosen]
    assert days == [MONDAY - timedelta(days=219)] * 3  # the longest-ago contacts


# --- eligibility ---------------------------------------------------------------------


def test_cooldown_blocks_all_tiers_but_the_apology(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    buyer, unhappy = make_client("Buyer"), make_client("Unhappy")
    for client in (buyer, unhappy):
        make_letter(
            any_engine,
            business,
            client,
            kind="thank_you",
            day=MONDAY - timedelta(days=10),
            status=LetterStatus.sent,
        )
    make_event(buyer, "purchase", 1)
    make_event(unhappy, "complaint", 1)
    assert [(c.client_id, c.tier) for c in ranked(any_engine, business)] == [(unhappy.id, 1)]
    # After the 14 cooldown days the purchase is thanked.
    later = MONDAY + timedelta(days=5)
    assert buyer.id in [c.client_id for c in ranked(any_engine, business, later)]


def test_the_guarantees_offer_and_checkins_skip_the_cooldown(
    any_engine: Engine, business: Business, make_client: ClientMaker
) -> None:
    """The guarantee promised contact 7 days after the offer: a 14-day cooldown must not
    move it. The closing note, a thank-you, still waits for the cooldown."""
    lucia = make_client("Lucía Fernández")
    with write_session(any_engine) as session:
        fresh = session.get(Client, lucia.id)
        assert fresh is not None
        g = create_guarantee(
            session, fresh, months=3, terms="reparación gratis", starts_on=MONDAY, now=NOW
        )
    # The apology went out two days ago: the offer still comes today.
    make_letter(
        any_engine,
        business,
        lucia,
        kind="apology",
        day=MONDAY - timedelta(days=2),
        status=LetterStatus.sent,
    )
    assert [(c.tier, c.kind) for c in ranked(any_engine, business)] == [(2, "guarantee_offer")]
    make_letter(
        any_engine,
        business,
        lucia,
        kind="guarantee_offer",
        day=MONDAY,
        status=LetterStatus.sent,
        guarantee_id=g.id,
    )
    assert business.cooldown_days == 14
    # Day 6: nothing; day 7, inside the cooldown: the check-in, on its day.
    assert ranked(any_engine, business, MONDAY + timedelta(days=6)) == []
    due = ranked(any_engine, business, MONDAY + timedelta(days=7))
    assert [(c.tier, c.kind) for c in due] == [(2, "guarantee_checkin")]


def test_a_letter_in_the_pipeline_blocks_even_the_apology(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    unhappy = make_client("Unhappy")
    make_letter(
        any_engine,
        business,
        unhappy,
        kind="thank_you",
        day=MONDAY - timedelta(days=1),
        status=LetterStatus.uncertain,
    )
    make_event(unhappy, "complaint", 1)
    assert ranked(any_engine, business) == []


def test_do_not_contact_and_unreachable_clients_are_never_picked(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    gone = make_client("Gone", do_not_contact=True, do_not_contact_reason="unsubscribed")
    nowhere = make_client("Nowhere", email=None, phone="")
    phone_only = make_client("Phone only", email=None, phone="+34 600 000 000")
    for client in (gone, nowhere, phone_only):
        make_event(client, "complaint", 1)
    assert [c.client_id for c in ranked(any_engine, business)] == [phone_only.id]


def test_an_answered_trigger_is_not_picked_again(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    unhappy = make_client("Unhappy")
    complaint = make_event(unhappy, "complaint", 3)
    make_letter(
        any_engine,
        business,
        unhappy,
        kind="apology",
        day=MONDAY - timedelta(days=3),
        status=LetterStatus.sent,
        event_id=complaint.id,
    )
    assert [c.tier for c in ranked(any_engine, business)] == []  # and in cooldown for rotation


@pytest.mark.parametrize("status", [LetterStatus.failed, LetterStatus.cancelled])
def test_a_letter_that_never_reached_the_client_answers_nothing(
    any_engine: Engine,
    business: Business,
    make_client: ClientMaker,
    make_event: EventMaker,
    status: LetterStatus,
) -> None:
    """A failed apology used to count as the apology and close the complaint for good."""
    unhappy = make_client("Unhappy")
    complaint = make_event(unhappy, "complaint", 3)
    buyer = make_client("Buyer")
    purchase = make_event(buyer, "purchase", 3)
    for client, event, kind in ((unhappy, complaint, "apology"), (buyer, purchase, "thank_you")):
        make_letter(
            any_engine,
            business,
            client,
            kind=kind,
            day=MONDAY - timedelta(days=2),
            status=status,
            event_id=event.id,
        )
    assert [(c.client_id, c.tier) for c in ranked(any_engine, business)] == [
        (unhappy.id, 1),
        (buyer.id, 5),
    ]


def test_an_uncertain_letter_holds_the_client_until_the_owner_decides(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    unhappy = make_client("Unhappy")
    complaint = make_event(unhappy, "complaint", 3)
    make_letter(
        any_engine,
        business,
        unhappy,
        kind="apology",
        day=MONDAY - timedelta(days=2),
        status=LetterStatus.uncertain,
        event_id=complaint.id,
    )
    make_event(unhappy, "complaint", 1, "Otra queja")
    assert ranked(any_engine, business) == []


def test_events_after_the_day_are_ignored(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    later = make_client("Later")
    make_event(later, "complaint", on=MONDAY + timedelta(days=2))
    assert [(c.client_id, c.tier) for c in ranked(any_engine, business)] == [(later.id, 6)]


def test_clients_of_another_business_are_invisible(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    other = make_business(any_engine, name="Otro negocio")
    stranger = client_maker(any_engine, other)("Stranger")
    event_maker(any_engine)(stranger, "complaint", 1)
    assert ranked(any_engine, business) == []
    assert [c.client_id for c in ranked(any_engine, other)] == [stranger.id]


# --- reasons in the business's language ------------------------------------------------


def test_reasons_are_in_english_for_an_english_business(any_engine: Engine) -> None:
    shop = make_business(any_engine, name="Lang Joinery", locale="en", timezone="Europe/London")
    peter = client_maker(any_engine, shop)("Peter Lang")
    event_maker(any_engine)(peter, "purchase", 4, "Oak table", item="oak table")
    (c,) = ranked(any_engine, shop)
    assert c.reason == "bought on 19 November: “Oak table”; not yet thanked"


@pytest.mark.parametrize("quota", [1, 3, 5])
def test_business_quota_is_respected(
    any_engine: Engine, quota: int, make_client: ClientMaker, business: Business
) -> None:
    for i in range(8):
        make_client(f"C{i}")
    with write_session(any_engine) as session:
        fresh = session.get(Business, business.id)
        assert fresh is not None
        fresh.daily_quota = quota
        session.add(fresh)
    assert len(picks(any_engine, business)) == quota


# --- the owner's pins ------------------------------------------------------------------


def pin(engine: Engine, business: Business, client: Client, day: date = MONDAY) -> None:
    from followup.picking.owner import pin_client

    with write_session(engine) as session:
        fresh_business = session.get(Business, business.id)
        fresh_client = session.get(Client, client.id)
        assert fresh_business is not None and fresh_client is not None
        pin_client(session, fresh_business, fresh_client, day, NOW)


def test_a_pinned_client_comes_first_even_in_cooldown(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    unhappy, friend = make_client("Unhappy"), make_client("Friend")
    make_event(unhappy, "complaint", 1)
    make_letter(
        any_engine,
        business,
        friend,
        kind="thank_you",
        day=MONDAY - timedelta(days=3),
        status=LetterStatus.sent,
    )
    assert friend.id not in [c.client_id for c in ranked(any_engine, business)]
    pin(any_engine, business, friend)
    first_two = ranked(any_engine, business)[:2]
    assert [(c.client_id, c.tier) for c in first_two] == [(friend.id, 0), (unhappy.id, 1)]
    assert first_two[0].kind == "thank_you" and first_two[0].occasion == "appreciation"
    assert first_two[0].reason.startswith("fijado para hoy")


def test_a_pinned_client_keeps_the_letter_its_situation_calls_for(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    buyer = make_client("Buyer")
    make_event(buyer, "purchase", 2, "Casco nuevo", item="casco")
    pin(any_engine, business, buyer)
    (c, *_rest) = ranked(any_engine, business)
    assert (c.client_id, c.tier, c.kind, c.occasion) == (buyer.id, 0, "thank_you", "purchase")
    assert "Casco nuevo" in c.reason


def test_a_pin_never_reaches_a_client_who_must_not_be_contacted(
    any_engine: Engine, business: Business, make_client: ClientMaker
) -> None:
    gone = make_client("Gone", do_not_contact=True)
    pin(any_engine, business, gone)
    assert gone.id not in [c.client_id for c in ranked(any_engine, business)]


def test_pins_are_refused_for_weekends_and_days_already_run(
    any_engine: Engine, business: Business, make_client: ClientMaker
) -> None:
    from followup.jobs import run_day
    from followup.picking.owner import DayError

    laura = make_client("Laura")
    with pytest.raises(DayError, match="not a working day"):
        pin(any_engine, business, laura, MONDAY - timedelta(days=1))
    assert business.id is not None
    run_day(any_engine, business.id, MONDAY, NOW)
    with pytest.raises(DayError, match="already drafted"):
        pin(any_engine, business, laura, MONDAY)
    with pytest.raises(DayError, match="2026-11-20 has passed"):
        pin(any_engine, business, laura, MONDAY - timedelta(days=3))
    pin(any_engine, business, laura, MONDAY + timedelta(days=1))
    with pytest.raises(DayError, match="already pinned"):
        pin(any_engine, business, laura, MONDAY + timedelta(days=1))


@pytest.mark.parametrize("undo", ["cancel", "dismiss"])
def test_a_letter_that_never_went_gives_the_client_back_their_turn(
    any_engine: Engine, business: Business, make_client: ClientMaker, undo: str
) -> None:
    """Drafting a rotation letter moves the client's last contact to its day; cancelling
    or dismissing it moves it back, so they are not left waiting a whole turn for a
    letter they never got."""
    from datetime import UTC, datetime

    from sqlmodel import select

    from followup.jobs import run_day
    from followup.models import Letter
    from followup.outbox import cancel, dismiss

    business.daily_quota = 1
    with write_session(any_engine) as session:
        session.add(session.merge(business))
    older, newer = make_client("Ana"), make_client("Benito")
    make_letter(any_engine, business, newer, day=MONDAY - timedelta(days=60),
                status=LetterStatus.sent)  # fmt: skip
    with write_session(any_engine) as session:
        benito = session.get(Client, newer.id)
        assert benito is not None
        benito.last_contacted_on = MONDAY - timedelta(days=60)
    assert business.id is not None
    run_day(any_engine, business.id, MONDAY, datetime(2026, 11, 23, 7, tzinfo=UTC))
    with write_session(any_engine) as session:
        letter = session.exec(select(Letter).where(Letter.client_id == older.id)).one()
        ana = session.get(Client, older.id)
        assert ana is not None and ana.last_contacted_on == MONDAY
        now = datetime(2026, 11, 23, 9, tzinfo=UTC)
        if undo == "cancel":
            cancel(session, letter, now)
        else:
            dismiss(session, letter, now, "la llamé yo por teléfono")
    with read_session(any_engine) as session:
        ana = session.get(Client, older.id)
        assert ana is not None and ana.last_contacted_on is None
    # Next day, Ana (never written to) still comes before Benito.
    assert first(any_engine, business, MONDAY + timedelta(days=1)).client_id == older.id
