"""Ending a relationship (issue 12, point 5): do-not-contact by the owner, open letters
and active guarantees cancelled with the reason, a note on the timeline; and no tier of
picking ever chooses a client who must not be contacted.

Tests taking ``any_engine`` run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from followup import picking, services
from followup.db import read_session, write_session
from followup.errors import Invalid
from followup.models import Business, Client, Event, Guarantee, Letter, LetterStatus
from followup.picking.owner import pin_client
from followup.recovery.ending import Ended, end_relationship
from followup.recovery.guarantees import create_guarantee
from tests.conftest import Run
from tests.factories import MONDAY, NOW, ClientMaker, EventMaker, make_letter


def end(
    engine: Engine, business: Business, client: Client, why: str = "insultó al equipo"
) -> Ended:
    with write_session(engine) as session:
        fresh_business = session.get(Business, business.id)
        fresh = session.get(Client, client.id)
        assert fresh_business is not None and fresh is not None
        return end_relationship(session, fresh_business, fresh, why, NOW)


def guarantee_for(engine: Engine, client: Client, starts_days_ago: int = 2) -> Guarantee:
    with write_session(engine) as session:
        fresh = session.get(Client, client.id)
        assert fresh is not None
        return create_guarantee(
            session,
            fresh,
            months=3,
            terms="reparación gratis de la rueda",
            starts_on=MONDAY - timedelta(days=starts_days_ago),
            now=NOW,
        )


def ranked(engine: Engine, business: Business) -> list[picking.Candidate]:
    with read_session(engine) as session:
        fresh = session.get(Business, business.id)
        assert fresh is not None
        return picking.explain(session, fresh, MONDAY)


def test_ending_cancels_open_letters_and_guarantees_with_the_reason(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    hostile = make_client("Ramón Gil")
    other = make_client("Laura Sánchez")
    g = guarantee_for(any_engine, hostile)
    kept = guarantee_for(any_engine, other)
    letters = {
        status: make_letter(any_engine, business, hostile, status=status)
        for status in (
            LetterStatus.draft, LetterStatus.approved, LetterStatus.queued,
            LetterStatus.sending, LetterStatus.sent, LetterStatus.uncertain,
        )
    }  # fmt: skip
    others = make_letter(any_engine, business, other, status=LetterStatus.approved)

    ended = end(any_engine, business, hostile, "  nos insultó\nen la tienda  ")

    open_ids = [letters[LetterStatus(s)].id or 0 for s in ("draft", "approved", "queued")]
    assert sorted(ended.letters) == sorted(open_ids) and ended.guarantees == [g.id]
    with read_session(any_engine) as session:
        client = session.get(Client, hostile.id)
        assert client is not None
        assert (client.do_not_contact, client.do_not_contact_reason) == (True, "owner")
        status = {lt.id: lt.status for lt in session.exec(select(Letter))}
        guarantees = {x.id: x for x in session.exec(select(Guarantee))}
        notes = session.exec(select(Event).where(Event.kind == "note")).all()
        views = services.list_guarantees(session, business.id or 0)
    for s, letter in letters.items():
        # What has started to leave is left to the sender, which refuses it.
        expected = "cancelled" if s in ("draft", "approved", "queued") else s
        assert status[letter.id] == expected, s
    assert status[others.id] == "approved"
    assert guarantees[g.id].status == "cancelled"
    assert guarantees[g.id].cancelled_why == "nos insultó en la tienda"
    assert guarantees[g.id].cancelled_at == NOW and guarantees[g.id].next_checkin_on is None
    assert guarantees[kept.id].status == "active"
    assert [n.summary for n in notes] == [
        "Relación terminada por decisión propia: nos insultó en la tienda"
    ]
    assert notes[0].client_id == hostile.id
    assert {v.id: v.cancelled_why for v in views}[g.id or 0] == "nos insultó en la tienda"


def test_ending_needs_a_reason(
    any_engine: Engine, business: Business, make_client: ClientMaker
) -> None:
    client = make_client("Ramón Gil")
    with pytest.raises(Invalid) as refused:
        end(any_engine, business, client, "   ")
    assert refused.value.field == "why"
    with read_session(any_engine) as session:
        fresh = session.get(Client, client.id)
        assert fresh is not None and fresh.do_not_contact is False


# Each tier's trigger, for one client: what would put them in that tier today.
def _complaint(engine: Engine, client: Client, make_event: EventMaker) -> None:
    make_event(client, "complaint", 2, "le cobramos dos veces")


def _guarantee_offer(engine: Engine, client: Client, make_event: EventMaker) -> None:
    guarantee_for(engine, client)


def _guarantee_checkin(engine: Engine, client: Client, make_event: EventMaker) -> None:
    g = guarantee_for(engine, client, starts_days_ago=40)
    make_letter(
        engine, g.business_id, client, kind="guarantee_offer", guarantee_id=g.id,
        status=LetterStatus.sent, day=MONDAY - timedelta(days=39),
    )  # fmt: skip


def _cooperation(engine: Engine, client: Client, make_event: EventMaker) -> None:
    make_event(client, "cooperation", 2, "nos ayudó a encontrar la avería")


def _lost(engine: Engine, client: Client, make_event: EventMaker) -> None:
    make_event(client, "lost", 2, "se fue a otro taller")


def _purchase(engine: Engine, client: Client, make_event: EventMaker) -> None:
    make_event(client, "purchase", 2, "compra de un casco", item="casco")


def _rotation(engine: Engine, client: Client, make_event: EventMaker) -> None:
    pass  # an active client never written to: first in the rotation


TRIGGERS: dict[str, tuple[int, str, Callable[[Engine, Client, EventMaker], None]]] = {
    "complaint": (1, "apology", _complaint),
    "guarantee offer": (2, "guarantee_offer", _guarantee_offer),
    "guarantee check-in": (2, "guarantee_checkin", _guarantee_checkin),
    "cooperation": (3, "cooperation", _cooperation),
    "lost": (4, "lost_client", _lost),
    "purchase": (5, "thank_you", _purchase),
    "rotation": (6, "thank_you", _rotation),
}


@pytest.mark.parametrize("trigger", list(TRIGGERS))
@pytest.mark.parametrize("pinned", [False, True], ids=["picked", "pinned"])
def test_no_tier_ever_picks_a_client_who_must_not_be_contacted(
    any_engine: Engine,
    business: Business,
    make_client: ClientMaker,
    make_event: EventMaker,
    trigger: str,
    pinned: bool,
) -> None:
    tier, kind, make_trigger = TRIGGERS[trigger]
    client = make_client("Ramón Gil")
    make_trigger(any_engine, client, make_event)
    if pinned:
        with write_session(any_engine) as session:
            fresh_business = session.get(Business, business.id)
            fresh = session.get(Client, client.id)
            assert fresh_business is not None and fresh is not None
            pin_client(session, fresh_business, fresh, MONDAY, NOW)
    before = [(c.client_id, c.kind) for c in ranked(any_engine, business)]
    assert (client.id, kind) in before  # the trigger does pick them while they may be written to
    if not pinned:
        assert [c.tier for c in ranked(any_engine, business) if c.client_id == client.id] == [tier]

    end(any_engine, business, client)

    assert client.id not in [c.client_id for c in ranked(any_engine, business)]
    with read_session(any_engine) as session:
        fresh_business = session.get(Business, business.id)
        assert fresh_business is not None
        assert client.id not in [c.client_id for c in picking.pick(session, fresh_business, MONDAY)]


def test_clients_end_from_the_command_line(run: Run) -> None:
    run("demo", "--date", "2026-11-23")
    run("daily", "--date", "2026-11-23")
    letters = json.loads(run("letters", "list", "--status", "draft", "--json").output)
    target = letters[0]["client_id"]
    said = run("clients", "end", str(target), "--why", "amenazó a Pedro por teléfono").output
    assert "nothing will be sent to them again" in said and "1 open letter(s)" in said
    client = next(c for c in json.loads(run("clients", "list", "--json").output)
                  if c["id"] == target)  # fmt: skip
    assert client["do_not_contact"] is True
    assert client["do_not_contact_reason"] == "owner"
    listed = json.loads(run("letters", "list", "--json").output)
    statuses = {lt["id"]: lt["status"] for lt in listed}
    assert statuses[letters[0]["id"]] == "cancelled"
    notes = json.loads(
        run("events", "list", "--client", str(target), "--kind", "note", "--json").output
    )
    assert any("amenazó a Pedro por teléfono" in n["summary"] for n in notes)
    # Nothing is picked for them on the days after.
    for day in ("2026-11-24", "2026-11-25", "2026-11-26"):
        picks = json.loads(run("pick", "--date", day, "--explain", "--json").output)
        assert target not in [p["client_id"] for p in picks]
    missing = run("clients", "end", "nobody@example.es", "--why", "x", code=1)
    assert "no client with id, email or reference" in missing.output
    empty = run("clients", "end", str(target), "--why", " ", code=1)
    assert "--why" in empty.output
