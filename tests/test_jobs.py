"""The daily run and the tick: exactly once per day, whoever runs it and however often."""

from __future__ import annotations

import mailbox
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from followup import outbox
from followup.calendar import is_working_day, send_moment
from followup.config import Settings
from followup.db import read_session, write_session
from followup.demo import create_demo
from followup.events import EventInput, add_event
from followup.jobs import run_day, send_due, tick
from followup.mail.maildir import MaildirMailer
from followup.models import (
    PIPELINE_STATUSES,
    Business,
    Client,
    DailyRun,
    Event,
    Guarantee,
    Letter,
    LetterStatus,
    Pick,
)
from tests.factories import (
    MONDAY,
    NOW,
    ClientMaker,
    Database,
    EventMaker,
    at,
    client_maker,
    make_business,
)

SATURDAY = MONDAY - timedelta(days=2)


def counts(engine: Engine) -> tuple[int, int, int]:
    with read_session(engine) as session:
        return (
            session.exec(select(func.count()).select_from(DailyRun)).one(),
            session.exec(select(func.count()).select_from(Pick)).one(),
            session.exec(select(func.count()).select_from(Letter)).one(),
        )


def test_daily_drafts_three_letters_once(
    engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    for i in range(5):
        make_event(
            make_client(f"Cliente {i}"), "purchase", i + 1, f"Compra {i}", item=f"artículo {i}"
        )
    assert business.id is not None
    result = run_day(engine, business.id, MONDAY, NOW)
    assert result.status == "done" and len(result.letter_ids) == 3
    assert counts(engine) == (1, 3, 3)
    with read_session(engine) as session:
        letters = session.exec(select(Letter).order_by(col(Letter.id))).all()
        picks = session.exec(select(Pick).order_by(col(Pick.rank))).all()
    assert [p.letter_id for p in picks] == [letter.id for letter in letters]
    assert all(letter.status == LetterStatus.draft for letter in letters)
    assert all(
        letter.message_id.startswith("<") and "@bicis.example>" in letter.message_id
        for letter in letters
    )
    # The oldest purchase first: "Compra 4" was 5 days ago.
    assert "artículo 4" in letters[0].body_text
    again = run_day(engine, business.id, MONDAY, NOW + timedelta(hours=3))
    assert again.status == "already_done"
    assert counts(engine) == (1, 3, 3)


def test_nothing_is_picked_on_a_weekend_or_a_holiday(
    engine: Engine, make_client: ClientMaker, business: Business
) -> None:
    make_client("Laura")
    assert business.id is not None
    saturday = run_day(engine, business.id, SATURDAY, NOW)
    assert saturday.status == "not_working_day" and "sat" in saturday.reason
    with write_session(engine) as session:
        fresh = session.get(Business, business.id)
        assert fresh is not None
        fresh.holiday_country = "ES"
        session.add(fresh)
    immaculate_conception = date(2026, 12, 8)  # a Tuesday, a national holiday in Spain
    holiday = run_day(engine, business.id, immaculate_conception, NOW)
    assert holiday.status == "not_working_day" and "holiday" in holiday.reason
    assert counts(engine) == (0, 0, 0)
    assert run_day(engine, business.id, date(2026, 12, 9), NOW).status == "done"


def test_auto_approval_sends_at_the_send_time(
    tmp_path: Path, engine: Engine, settings: Settings, make_client: ClientMaker
) -> None:
    shop = make_business(engine, name="Auto", approval_mode="auto", send_time="10:30")
    assert shop.id is not None
    client_maker(engine, shop)("Ana Gil", email="ana@example.es")
    mailer = MaildirMailer(settings.outbox_dir)
    early = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 in Madrid
    report = tick(engine, settings, at(early), mailer, business_id=shop.id)
    assert (report.days, report.sent) == ([], 0)  # the day is picked at its send time
    later = datetime(2026, 11, 23, 9, 31, tzinfo=UTC)  # 10:31 in Madrid
    report = tick(engine, settings, at(later), mailer, business_id=shop.id)
    assert [r.status for r in report.days] == ["done"] and report.sent == 1
    with read_session(engine) as session:
        letter = session.exec(select(Letter)).one()
    assert letter.status == LetterStatus.sent and letter.approved_at is not None
    assert letter.send_after == send_moment(shop, MONDAY).astimezone(UTC)
    again = tick(engine, settings, at(later + timedelta(minutes=10)), mailer, business_id=shop.id)
    assert [r.status for r in again.days] == ["already_done"] and again.sent == 0
    delivered = list(mailbox.Maildir(settings.outbox_dir))
    assert len(delivered) == 1 and delivered[0]["To"].endswith("<ana@example.es>")


def _spawn_daily(
    db_url: str, days: Sequence[date], cwd: Path
) -> list[subprocess.CompletedProcess[str]]:
    """``followup daily --date DAY`` for each of ``days``, all at once; their results."""
    env = {**os.environ, "FOLLOWUP_DATABASE_URL": db_url}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "followup", "daily", "--date", day.isoformat()],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for day in days
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


@pytest.mark.slow
def test_six_concurrent_daily_processes_make_one_set_of_picks(db: Database, tmp_path: Path) -> None:
    engine = db.engine
    new_client = client_maker(engine, make_business(engine))
    for _ in range(40):
        new_client()
    results = _spawn_daily(db.url, [MONDAY] * 6, tmp_path)
    assert [r.returncode for r in results] == [0] * 6, [r.stderr for r in results]
    outputs = Counter(
        "drafted"
        if "drafted for" in r.stdout
        else "already"
        if "already drafted" in r.stdout
        else r.stdout
        for r in results
    )
    assert outputs == Counter({"drafted": 1, "already": 5})
    assert counts(engine) == (1, 3, 3)
    with read_session(engine) as session:
        assert len(set(session.exec(select(Pick.client_id)).all())) == 3


# --- twenty working days --------------------------------------------------------------


COOLDOWN_EXEMPT = ("apology", "guarantee_offer", "guarantee_checkin")


def _check_invariants(session: object, business: Business, day: date, cooldown: int) -> None:
    from sqlmodel import Session

    assert isinstance(session, Session)
    todays = session.exec(select(Pick).where(Pick.day == day)).all()
    assert len(todays) <= business.daily_quota
    assert len({p.client_id for p in todays}) == len(todays)
    if not is_working_day(business, day):
        assert todays == []
    letters = session.exec(select(Letter).order_by(col(Letter.day), col(Letter.id))).all()
    pipeline = Counter(letter.client_id for letter in letters if letter.status in PIPELINE_STATUSES)
    assert all(n == 1 for n in pipeline.values()), "a client with two letters in the pipeline"
    last_day: dict[int, date] = {}
    for letter in letters:
        previous = last_day.get(letter.client_id)
        # The apology and the guarantee's offer and check-ins skip the cooldown (§3, and
        # the guarantee's own cadence); every other letter waits for it.
        if previous is not None and letter.kind not in COOLDOWN_EXEMPT:
            assert (letter.day - previous).days > cooldown, "cooldown broken"
        last_day[letter.client_id] = letter.day
        assert "{{" not in letter.body_text and "None" not in letter.body_text
        assert "\n" not in letter.subject
    dnc = {c.id for c in session.exec(select(Client).where(col(Client.do_not_contact)))}
    assert not any(p.client_id in dnc for p in todays)


@pytest.mark.slow
def test_twenty_working_days_keep_every_promise(engine: Engine, settings: Settings) -> None:
    """The demo business runs for four weeks: owners approve, letters go out, life happens."""
    start = MONDAY
    with write_session(engine) as session:
        business = create_demo(session, start, NOW)
    assert business.id is not None
    mailer = MaildirMailer(settings.outbox_dir)
    rng = random.Random(20261123)
    with read_session(engine) as session:
        client_ids = list(session.exec(select(Client.id).where(Client.business_id == business.id)))
    day, working_days, complaints = start, 0, {}
    while working_days < 20:
        now = send_moment(business, day).astimezone(UTC) - timedelta(hours=1)
        # Life happens: a purchase most days, sometimes a complaint.
        with write_session(engine) as session:
            for kind in ("purchase", "purchase", "complaint"):
                if rng.random() < 0.5:
                    client = session.get(Client, rng.choice(client_ids))
                    assert client is not None
                    event = add_event(
                        session,
                        client,
                        EventInput(kind, day, f"{kind} del {day.isoformat()}", item="unas luces"),
                        now,
                    )
                    if kind == "complaint":
                        complaints[event.id] = day
        result = run_day(engine, business.id, day, now)
        if is_working_day(business, day):
            working_days += 1
            assert result.status == "done"
            assert len(result.letter_ids) == business.daily_quota
        else:
            assert result.status == "not_working_day"
        with write_session(engine) as session:
            for letter in session.exec(select(Letter).where(Letter.status == LetterStatus.draft)):
                outbox.approve(session, letter, now)
                if letter.channel == "call":  # the owner phones and marks it done
                    outbox.mark_done(session, letter, now, "Todo bien, contento")
        send_due(engine, settings, at(now + timedelta(hours=2)), mailer)
        with read_session(engine) as session:
            _check_invariants(session, business, day, business.cooldown_days)
        day += timedelta(days=1)
    with read_session(engine) as session:
        runs = session.exec(select(func.count()).select_from(DailyRun)).one()
        sent = session.exec(select(Letter).where(Letter.status == LetterStatus.sent)).all()
        apologies = {letter.event_id for letter in sent if letter.kind == "apology"}
        guarantee = session.exec(select(Guarantee)).one()
        purchases = session.exec(select(func.count()).select_from(Event)).one()
    assert runs == 20
    assert len(sent) == 60
    emailed = [letter for letter in sent if letter.channel == "email"]
    assert len(emailed) == len(list(mailbox.Maildir(settings.outbox_dir))) >= 55
    # Every complaint but the last few days' was apologised for, within a few working days.
    old = [eid for eid, d in complaints.items() if (day - d).days > 7]
    assert old and all(eid in apologies for eid in old)
    # The returning client got the offer and the first check-in came due and went out.
    kinds = Counter(letter.kind for letter in sent)
    assert kinds["guarantee_offer"] == 1 and kinds["guarantee_checkin"] >= 1
    assert guarantee.next_checkin_on is not None and guarantee.next_checkin_on > start
    assert purchases > 20


# --- skipping a pick ------------------------------------------------------------------


def _skip(engine: Engine, business: Business, client_id: int, day: date = MONDAY) -> object:
    from followup.jobs.day import skip_pick

    with write_session(engine) as session:
        fresh = session.get(Business, business.id)
        assert fresh is not None
        return skip_pick(session, fresh, day, client_id, NOW)


def test_a_skipped_pick_is_replaced_and_its_reason_comes_back(
    engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    unhappy = make_client("Unhappy")
    assert unhappy.id is not None
    others = [make_client(f"Other {i}") for i in range(3)]
    make_event(unhappy, "call", 90, "Llamó para pedir presupuesto")
    make_event(unhappy, "complaint", 1, "Pedido incompleto")
    assert business.id is not None
    first = run_day(engine, business.id, MONDAY, NOW)
    assert first.picks[0].client_id == unhappy.id
    replacement = _skip(engine, business, unhappy.id)
    assert getattr(replacement, "client_id", None) == others[2].id
    with read_session(engine) as session:
        picks = session.exec(select(Pick).order_by(col(Pick.rank))).all()
        letters: dict[int | None, Letter] = {
            lt.client_id: lt for lt in session.exec(select(Letter))
        }
        client = session.get(Client, unhappy.id)
        assert client is not None
    assert [(p.client_id, p.skipped) for p in picks] == [
        (unhappy.id, True),
        (others[0].id, False),
        (others[1].id, False),
        (others[2].id, False),
    ]
    assert letters[unhappy.id].status == LetterStatus.cancelled
    assert letters[others[2].id].status == LetterStatus.draft
    assert client.last_contacted_on == MONDAY - timedelta(days=90)  # the rotation is undone
    # The complaint is still open: tomorrow the apology is drafted.
    tomorrow = run_day(engine, business.id, MONDAY + timedelta(days=1), NOW)
    assert (tomorrow.picks[0].client_id, tomorrow.picks[0].kind) == (unhappy.id, "apology")


def test_skipping_twice_or_after_sending_is_refused(
    engine: Engine, business: Business, make_client: ClientMaker
) -> None:
    from followup.picking.owner import DayError

    a, b = make_client("A"), make_client("B")
    assert business.id is not None
    run_day(engine, business.id, MONDAY, NOW)
    assert a.id is not None and b.id is not None
    _skip(engine, business, a.id)
    with pytest.raises(DayError, match="already skipped"):
        _skip(engine, business, a.id)
    with write_session(engine) as session:
        letter = session.exec(select(Letter).where(Letter.client_id == b.id)).one()
        letter.status = LetterStatus.sent
        session.add(letter)
    with pytest.raises(DayError, match="too late to skip"):
        _skip(engine, business, b.id)
    with pytest.raises(DayError, match="was not picked"):
        _skip(engine, business, b.id, MONDAY + timedelta(days=1))
