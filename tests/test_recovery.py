"""Service recovery over simulated months: a client who complained comes back with a
special guarantee; its offer, its check-ins on the cadence's days, positive outcomes that
move the cadence, a repeated error that becomes a claim (and the apology that states the
guarantee), the week's warning before the end, and the closing thank-you, once."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from followup.cli import cli
from followup.config import get_settings
from followup.db import read_session, write_session
from followup.events import EventInput, add_event
from followup.jobs import run_day
from followup.jobs.tick import tick
from followup.letters.digest import render_digest
from followup.letters.rendering import clause, longdate
from followup.mail.mailer import mailer_for
from followup.models import (
    Business,
    Client,
    Guarantee,
    GuaranteeClaim,
    GuaranteeStatus,
    Letter,
    LetterStatus,
)
from followup.recovery.guarantees import checkin_days, parse_offsets
from followup.recovery.lifecycle import recover_client
from followup.services import digest_view
from tests.conftest import Database
from tests.factories import at, make_letter

START = date(2026, 1, 5)  # six months that have passed by the real clock too
ENDS = date(2026, 7, 5)
WORDS = {
    "en": {
        "complaint": "The fork we serviced for you failed two weeks later",
        "again": "The fork failed again on a ride",
        "terms": "if the fork fails again, we'll repair or replace it free of charge",
        "payout": "we'll refund the full cost of the repair",
        "reply": "Thanks, all good with the bike",
        "ending": "Guarantees ending this week",
    },
    "es-usted": {
        "complaint": "La horquilla que le revisamos falló a las dos semanas",
        "again": "La horquilla volvió a fallar en una salida",
        "terms": "si la horquilla vuelve a fallar, la reparamos o la cambiamos sin coste",
        "payout": "le devolvemos el importe íntegro de la reparación",
        "reply": "Gracias, la bici va perfecta",
        "ending": "Garantías que terminan esta semana",
    },
}

Invoke = Callable[..., Result]


@pytest.fixture
def followup(db: Database, tmp_path: Path) -> Invoke:
    """``followup`` on the test's database (SQLite, then PostgreSQL)."""
    env = {"FOLLOWUP_DATABASE_URL": db.url, "FOLLOWUP_OUTBOX_DIR": str(tmp_path / "outbox")}
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> Result:
        result = runner.invoke(cli, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    return invoke


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


class Walk:
    """Ticks day by day, as cron would (`followup tick --date DAY`): each day's letters
    drafted, approved (auto mode) and sent to the Maildir."""

    def __init__(self, db: Database, tmp_path: Path) -> None:
        self.engine: Engine = db.engine
        self.settings = get_settings(database_url=db.url, outbox_dir=tmp_path / "outbox")
        self.mailer = mailer_for(self.settings)

    def through(self, first: date, last: date) -> list[Letter]:
        for day in days(first, last):
            tick(self.engine, self.settings, at(datetime.combine(day, time(21), UTC)),
                 self.mailer, day=day)  # fmt: skip
        return self.letters(first, last)

    def letters(self, first: date, last: date) -> list[Letter]:
        with read_session(self.engine) as session:
            return list(
                session.exec(
                    select(Letter)
                    .where(col(Letter.day) >= first, col(Letter.day) <= last)
                    .order_by(col(Letter.day), col(Letter.id))
                )
            )

    def guarantee(self, guarantee_id: int) -> Guarantee:
        with read_session(self.engine) as session:
            g = session.get(Guarantee, guarantee_id)
            assert g is not None
            return g


def kinds(letters: list[Letter], client_id: int) -> list[tuple[date, str]]:
    """The client's letters but the rotation's thank-yous (a claimed guarantee's client,
    and one whose guarantee ended, is on the rotation again). The thank-you that closes a
    guarantee is linked to it: "closing"."""
    closing = "closing"
    return [
        (letter.day, closing if letter.guarantee_id and letter.kind == "thank_you" else letter.kind)
        for letter in letters
        if letter.client_id == client_id and (letter.kind != "thank_you" or letter.guarantee_id)
    ]


@pytest.mark.slow
@pytest.mark.parametrize("tlocale", ["en", "es-usted"])
def test_a_client_is_carried_from_an_error_back_to_trust(
    db: Database, tmp_path: Path, followup: Invoke, tlocale: str
) -> None:
    w = WORDS[tlocale]
    locale = "en" if tlocale == "en" else "es"
    followup(
        "init", "--name", "Harbour Bikes", "--owner", "Siobhán Kelly", "--sender",
        "siobhan@harbour.example", "--locale", locale, "--approval-mode", "auto",
        "--holidays", "none", "--owner-phone", "+353 91 555 0142",
    )  # fmt: skip
    # Every day works, so the check-ins land on the cadence's own days; the default
    # 14-day cooldown, which the offer and the check-ins skip (the guarantee's cadence).
    followup("settings", "set", "--working-days", "mon-sun")
    followup("clients", "add", "--name", "Laura Sánchez", "--email", "laura@example.es")
    followup("clients", "add", "--name", "Diego Gil", "--email", "diego@example.es")
    before = (START - timedelta(days=10)).isoformat()
    for client in ("1", "2"):
        followup("events", "add", client, "--kind", "complaint", "--on", before,
                 "--summary", w["complaint"], "--item", "fork")  # fmt: skip
    walk = Walk(db, tmp_path)
    apologies = walk.through(START - timedelta(days=10), START - timedelta(days=10))
    assert [letter.kind for letter in apologies] == ["apology", "apology"]
    # Nobody recovered yet: an apology without a guarantee says nothing of one.
    assert all(w["payout"] not in letter.body_text for letter in apologies)

    # Recovered: both come back with a special guarantee; the default cadence.
    for client in ("1", "2"):
        said = followup("clients", "recover", client, "--months", "6", "--terms", w["terms"],
                        "--payout", w["payout"], "--date", START.isoformat()).output  # fmt: skip
        assert "is recovered" in said and str(ENDS) in said and str(START + timedelta(7)) in said
    laura_g, diego_g = 1, 2
    offers = walk.through(START, START)
    assert [(letter.client_id, letter.kind) for letter in offers] == [
        (1, "guarantee_offer"), (2, "guarantee_offer"),
    ]  # fmt: skip
    for offer in offers:
        assert offer.status == LetterStatus.sent
        assert clause(w["terms"]) in offer.body_text
        assert longdate(ENDS, tlocale) in offer.body_text
        assert clause(w["payout"]) in offer.body_text
    cadence = list(checkin_days(START, ENDS, parse_offsets("7,30,60,90")))
    assert [(d - START).days for d in cadence] == [7, 30, 60, 90, 120, 150, 180]

    # The first check-ins come on their days, and only then.
    first = walk.through(START + timedelta(days=1), START + timedelta(days=34))
    assert kinds(first, 1) == [(cadence[0], "guarantee_checkin"), (cadence[1], "guarantee_checkin")]
    # Laura replies on day 35: the check-in of day 60 is skipped; day 90 comes next.
    said = followup("events", "add", "1", "--kind", "reply", "--on",
                    (START + timedelta(days=35)).isoformat(), "--summary", w["reply"]).output
    assert f"the check-in of {cadence[2]} is skipped" in said  # fmt: skip
    assert walk.guarantee(laura_g).next_checkin_on == cadence[3]
    # Diego's error repeats on day 40: a claim, with the promised payout.
    said = followup("events", "add", "2", "--kind", "complaint", "--on",
                    (START + timedelta(days=40)).isoformat(), "--summary", w["again"]).output
    assert f"This is a claim on guarantee {diego_g}: {w['payout']}" in said  # fmt: skip
    middle = walk.through(START + timedelta(days=35), START + timedelta(days=94))
    assert kinds(middle, 1) == [(cadence[3], "guarantee_checkin")]
    # Diego's next letter is the apology, and it states what the guarantee gives now.
    assert kinds(middle, 2) == [(START + timedelta(days=40), "apology")]
    apology = next(m for m in middle if m.client_id == 2 and m.kind == "apology")
    assert clause(w["payout"]) in apology.body_text, apology.body_text
    with read_session(walk.engine) as session:
        claims = session.exec(select(GuaranteeClaim)).all()
    assert [(c.guarantee_id, c.payout, c.what_happened) for c in claims] == [
        (diego_g, w["payout"], w["again"])
    ]
    assert walk.guarantee(diego_g).status == GuaranteeStatus.claimed

    # Satisfied after a call on day 95: the check-in of day 120 is skipped too.
    said = followup("guarantees", "satisfied", str(laura_g), "--note", "Called: all good",
                    "--date", (START + timedelta(days=95)).isoformat()).output  # fmt: skip
    assert f"the next check-in is on {cadence[5]}" in said
    late = walk.through(START + timedelta(days=95), ENDS - timedelta(days=8))
    # The "then every 30" after 90: day 150 (120 was skipped); day 180 comes below.
    assert kinds(late, 1) == [(cadence[5], "guarantee_checkin")]
    assert kinds(late, 2) == []  # a claimed guarantee has no check-ins

    # A week before the end: in `guarantees list` and in the digest.
    week_before = (ENDS - timedelta(days=7)).isoformat()
    listed = followup("guarantees", "list", "--date", week_before).output
    assert "7 day(s) left — ENDING THIS WEEK" in listed
    rows = json.loads(followup("guarantees", "list", "--json", "--date", week_before).output)
    assert [(r["id"], r["status"], r["ending_soon"], r["days_left"]) for r in rows] == [
        (laura_g, "active", True, 7), (diego_g, "claimed", False, None),
    ]  # fmt: skip
    assert json.loads(
        followup("guarantees", "list", "--json", "--date", (ENDS - timedelta(8)).isoformat()).output
    )[0]["ending_soon"] is False
    with read_session(walk.engine) as session:
        business = session.exec(select(Business)).one()
        view = digest_view(session, 1, ENDS - timedelta(days=3), None)
    digest = render_digest(view, business, None)
    assert w["ending"] in digest.text and "Laura Sánchez" in digest.text
    assert "Diego Gil" not in digest.text.split(w["ending"])[1]

    # The end: expired; Laura, who never claimed, gets the closing note, once.
    end = walk.through(ENDS - timedelta(days=7), ENDS + timedelta(days=20))
    assert walk.guarantee(laura_g).status == GuaranteeStatus.expired
    assert walk.guarantee(diego_g).status == GuaranteeStatus.claimed
    # The last check-in was on day 180, the day before the end: the closing note waits
    # for the cooldown (14 days), then comes once.
    assert kinds(end, 1) == [
        (cadence[6], "guarantee_checkin"),
        (cadence[6] + timedelta(days=15), "closing"),
    ]
    assert kinds(end, 2) == []
    closing = next(letter for letter in end if letter.guarantee_id and letter.kind == "thank_you")
    assert closing.status == LetterStatus.sent
    assert longdate(ENDS, tlocale) in closing.body_text
    assert "Laura" in closing.body_text.split("\n")[0]
    listed = followup("guarantees", "list", "--date", (ENDS + timedelta(days=1)).isoformat()).output
    assert "expired" in listed and "1 claim(s)" in listed


def _recovered(engine: Engine, name: str) -> tuple[int, int]:
    """A client who complained and came back on START: (client id, guarantee id)."""
    with write_session(engine) as session:
        business = session.exec(select(Business)).first()
        assert business is not None and business.id is not None
        c = Client(business_id=business.id, name=name, email=f"{name}@example.es")
        session.add(c)
        session.flush()
        complaint = add_event(session, c, EventInput("complaint", START - timedelta(days=20),
                              "La horquilla falló"), datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
        g = recover_client(session, c, day=START, now=datetime(2026, 1, 5, tzinfo=UTC),
                           months=2, terms="si falla, la cambiamos sin coste")  # fmt: skip
        assert c.id is not None and g.id is not None
    # The complaint was answered by an apology that went out.
    make_letter(engine, business, c, event_id=complaint.id, day=complaint.day, kind="apology",
                status=LetterStatus.sent)  # fmt: skip
    return c.id, g.id


def test_a_guarantee_of_a_client_lost_again_is_cancelled_with_its_reason(
    any_engine: Engine, business: Business, followup: Invoke
) -> None:
    client_id, guarantee_id = _recovered(any_engine, "Laura")
    run_day(any_engine, business.id or 0, START, datetime(2026, 1, 5, 7, tzinfo=UTC))
    said = followup("events", "add", str(client_id), "--kind", "lost", "--on", "2026-01-20",
                    "--summary", "Se fue a otro taller").output  # fmt: skip
    assert f"Guarantee {guarantee_id} is cancelled" in said
    with read_session(any_engine) as session:
        g = session.get(Guarantee, guarantee_id)
        assert g is not None
        assert g.status == GuaranteeStatus.cancelled
        assert g.cancelled_why == "the client was lost again on 2026-01-20: Se fue a otro taller"
        assert g.next_checkin_on is None
        offer = session.exec(select(Letter).where(Letter.guarantee_id == guarantee_id)).one()
        assert offer.status == LetterStatus.cancelled  # the unsent offer never goes out
    rows = json.loads(followup("guarantees", "list", "--json").output)
    assert rows[0]["status"] == "cancelled" and "lost again" in rows[0]["cancelled_why"]


def test_no_closing_note_reaches_a_do_not_contact_client(
    any_engine: Engine, business: Business
) -> None:
    keep_id, keep_g = _recovered(any_engine, "Laura")
    gone_id, gone_g = _recovered(any_engine, "Diego")
    with write_session(any_engine) as session:
        for guarantee_id in (keep_g, gone_g):  # offered, checked in, and now ended
            g = session.get(Guarantee, guarantee_id)
            assert g is not None
            g.status, g.next_checkin_on = GuaranteeStatus.active, None
        gone = session.get(Client, gone_id)
        assert gone is not None
        gone.do_not_contact, gone.do_not_contact_reason = True, "unsubscribed"
    for client_id, guarantee_id in ((keep_id, keep_g), (gone_id, gone_g)):
        with read_session(any_engine) as session:
            client = session.get(Client, client_id)
        make_letter(any_engine, business, client, guarantee_id=guarantee_id, day=START,
                    kind="guarantee_offer", status=LetterStatus.sent)  # fmt: skip
    end = date(2026, 3, 5)
    result = run_day(any_engine, business.id or 0, end + timedelta(days=1), datetime.now(UTC))
    assert [(p.client_id, p.kind) for p in result.picks] == [(keep_id, "thank_you")]
    again = run_day(any_engine, business.id or 0, end + timedelta(days=4), datetime.now(UTC))
    assert again.picks == ()  # once: the closing is never drafted a second time
    with read_session(any_engine) as session:
        gone_letters = session.exec(select(Letter).where(Letter.client_id == gone_id)).all()
    assert sorted(letter.kind for letter in gone_letters) == ["apology", "guarantee_offer"]


def test_an_edited_apology_that_leaves_out_the_guarantee_is_flagged(
    any_engine: Engine, business: Business, followup: Invoke
) -> None:
    """The owner's edited apology template, written before claims existed, has no
    {{ say.guarantee }}: the apology for a claim would not say what the client is owed.
    It is flagged (never sent by itself) until the owner's edit says it."""
    from followup.letters.rendering import TEMPLATE_DIR
    from followup.models import TemplateOverride

    payout = "le devolvemos el importe íntegro de la reparación"
    with write_session(any_engine) as session:
        assert business.id is not None
        laura = Client(business_id=business.id, name="Laura Gómez", email="laura@example.es")
        session.add(laura)
        session.flush()
        first = add_event(session, laura, EventInput("complaint", START - timedelta(days=20),
                          "La horquilla falló"), datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
        terms = "si falla, la cambiamos sin coste"
        recover_client(session, laura, day=START, now=datetime(2026, 1, 5, tzinfo=UTC),
                       months=6, terms=terms, payout=payout)  # fmt: skip
        source = (TEMPLATE_DIR / "es-usted" / "apology.j2").read_text(encoding="utf-8")
        remedy = next(line for line in source.splitlines() if "say.remedy" in line)
        edited = source.replace(remedy, "{{ say.remedy }}")
        assert edited != source
        session.add(TemplateOverride(business_id=business.id, kind="apology",
                                     locale="es-usted", source=edited))  # fmt: skip
        assert laura.id is not None
        client_id = laura.id
    # The first complaint was apologised for; the offer went out.
    make_letter(any_engine, business, laura, day=first.day, kind="apology", event_id=first.id,
                status=LetterStatus.sent)  # fmt: skip
    make_letter(any_engine, business, laura, day=START, kind="guarantee_offer",
                status=LetterStatus.sent)  # fmt: skip
    followup("events", "add", str(client_id), "--kind", "complaint", "--on", "2026-02-10",
             "--summary", "La horquilla volvió a fallar")  # fmt: skip
    run_day(any_engine, business.id, date(2026, 2, 11), datetime(2026, 2, 11, 7, tzinfo=UTC))
    apology = next(
        lt for lt in json.loads(followup("letters", "list", "--json").output)
        if lt["kind"] == "apology"
    )
    assert (apology["kind"], apology["status"]) == ("apology", "draft")
    reasons = [flag["reason"] for flag in apology["flags"]]
    assert any("does not say what the guarantee gives them now" in r and payout in r
               for r in reasons), reasons  # fmt: skip
    shown = followup("letters", "show", str(apology["id"])).output
    assert "does not say what the guarantee gives them now" in shown

    with read_session(any_engine) as session:
        letter = session.get(Letter, apology["id"])
        assert letter is not None
        text = letter.body_text
    # The owner's edit without it keeps the flag; with it, the flag goes.
    with write_session(any_engine) as session:
        from followup.letters.drafting import edit_letter

        letter = session.get(Letter, apology["id"])
        assert letter is not None
        edit_letter(session, letter, datetime(2026, 2, 11, 8, tzinfo=UTC), text=text + "\n")
        assert letter.flags
        fixed = f"{text}\nComo lo cubre su garantía, {payout}.\n"
        edit_letter(session, letter, datetime(2026, 2, 11, 8, tzinfo=UTC), text=fixed)
        assert letter.flags == [], letter.flags
