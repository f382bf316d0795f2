"""The demo business, and every template rendered against its real data."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from followup.db import read_session, write_session
from followup.demo import create_demo
from followup.letters import rendering as letters
from followup.letters.checks import lint_draft, word_count
from followup.letters.drafting import letter_context
from followup.models import Client, Event, Guarantee
from tests.factories import MONDAY, NOW

KIND_FOR_EVENT = {
    "purchase": "thank_you",
    "complaint": "apology",
    "cooperation": "cooperation",
    "lost": "lost_client",
}


def test_demo_has_the_situations_a_new_owner_should_see(engine: Engine) -> None:
    with write_session(engine) as session:
        business = create_demo(session, MONDAY, NOW)
    with read_session(engine) as session:
        clients = session.exec(select(Client).where(Client.business_id == business.id)).all()
        kinds = Counter(e.kind for e in session.exec(select(Event)))
        statuses = Counter(c.status for c in clients)
    assert len(clients) == 30
    assert kinds["purchase"] >= 10 and kinds["complaint"] >= 2
    assert kinds["cooperation"] == 1 and kinds["lost"] == 1 and kinds["recovered"] == 1
    assert statuses["lost"] == 1 and statuses["recovered"] == 1
    assert any(c.email is None for c in clients)  # a client reached by phone only
    # Some postal addresses, for the print view, and clients without one.
    assert 0 < sum(bool(c.address) for c in clients) < len(clients)
    assert {c.form_of_address for c in clients} == {None, "tu"}


@pytest.mark.parametrize("tlocale", letters.TEMPLATE_LOCALES)
def test_every_template_renders_against_the_demo_data(engine: Engine, tlocale: str) -> None:
    """Each demo event, and the guarantee, drafted in every language and form of address."""
    with write_session(engine) as session:
        business = create_demo(session, MONDAY, NOW)
    rendered = 0
    with read_session(engine) as session:
        guarantee = session.exec(select(Guarantee)).one()
        for event in session.exec(select(Event)):
            client = session.get(Client, event.client_id)
            assert client is not None
            jobs: list[tuple[str, str, Event | None, Guarantee | None]] = []
            if event.kind in KIND_FOR_EVENT:
                kind = KIND_FOR_EVENT[event.kind]
                jobs.append((kind, "purchase" if kind == "thank_you" else kind, event, None))
            if event.kind == "recovered":
                jobs += [
                    ("guarantee_offer", "guarantee_offer", event, guarantee),
                    ("guarantee_checkin", "guarantee_checkin", event, guarantee),
                    ("thank_you", "guarantee_end", None, guarantee),
                ]
            jobs.append(("thank_you", "appreciation", None, None))
            for kind, occasion, ev, g in jobs:
                context = letter_context(
                    business, client, day=MONDAY, occasion=occasion, event=ev, guarantee=g
                )
                draft = letters.render(kind, tlocale, context)
                assert lint_draft(draft) == [], (kind, occasion, client.name, draft.text)
                first_name = client.name.split()[0]
                assert first_name in draft.text.split("\n")[0]
                assert business.owner_name in draft.text
                assert letters.MIN_WORDS <= word_count(draft.text) <= letters.MAX_WORDS
                if ev is not None and ev.kind != "recovered":
                    assert (ev.item or ev.summary.rstrip(".")).lower() in draft.text.lower()
                rendered += 1
    assert rendered > 30


def test_the_demo_drafts_no_flagged_letter_in_four_weeks(engine: Engine) -> None:
    """Its owner's words are written to each client, in their form of address: no draft of
    the demo needs the owner's pen (DESIGN §4)."""
    from datetime import timedelta

    from followup.jobs import run_day
    from followup.models import Letter

    with write_session(engine) as session:
        business = create_demo(session, MONDAY, NOW)
    assert business.id is not None
    for offset in range(28):
        run_day(engine, business.id, MONDAY + timedelta(days=offset), NOW)
    with read_session(engine) as session:
        drafted = session.exec(select(Letter)).all()
    assert len(drafted) > 25  # drafts wait for approval: about one for every client
    assert {letter.kind for letter in drafted} >= {"apology", "thank_you", "guarantee_offer"}
    assert [(letter.subject, letter.flags) for letter in drafted if letter.flags] == []
