"""`followup worker`: each business's day at its send time in its own time zone, today's
catch-up only, and a stop that leaves nothing half-sent (DESIGN §6)."""

from __future__ import annotations

import mailbox
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from followup.config import get_settings
from followup.db import make_engine, read_session, write_session
from followup.jobs import run_day
from followup.jobs.scheduler import day_trigger, days_to_catch_up
from followup.models import Business, DailyRun, Letter
from tests.conftest import Run, one_letter_due_today
from tests.factories import client_maker, make_business

MADRID = ZoneInfo("Europe/Madrid")


def fires(business: Business, start: datetime, end: datetime) -> list[datetime]:
    """Every moment the business's day trigger fires in [start, end).

    APScheduler 3 fires a 02:30 trigger twice on the fall-back day, and asked again after
    the second it keeps answering that same moment: then the search moves on an hour.
    """
    trigger = day_trigger(business)
    moments: list[datetime] = []
    previous = None
    now = start
    for _ in range(100):
        moment = trigger.get_next_fire_time(previous, now)
        if moment is None or moment >= end:
            return moments
        if moments and moment.astimezone(UTC) <= moments[-1].astimezone(UTC):
            now += timedelta(hours=1)
            continue
        moments.append(moment)
        previous, now = moment, moment + timedelta(seconds=1)
    raise AssertionError(f"the trigger kept firing: {moments}")


@pytest.mark.parametrize(
    ("day", "what"),
    [
        (date(2027, 3, 28), "spring forward: 23 hours"),
        (date(2026, 10, 25), "fall back: 25 hours"),
    ],
)
def test_a_day_that_changes_the_clock_runs_once(engine: Engine, day: date, what: str) -> None:
    """Each fire runs the day, as the worker's job does: at 09:00 local on the days the
    clocks change too. (A send time between 02:00 and 03:00, which APScheduler fires twice
    on the fall-back day, is refused by the settings; the DailyRun key would make the
    second fire do nothing anyway.)"""
    business = make_business(
        engine, send_time="09:00", working_days="1,2,3,4,5,6,7", holiday_country=None
    )
    assert business.id is not None
    client_maker(engine, business)("Laura Sánchez")
    start = datetime.combine(day - timedelta(days=1), datetime.min.time(), MADRID)
    end = datetime.combine(day + timedelta(days=2), datetime.min.time(), MADRID)

    results = [
        run_day(engine, business.id, moment.astimezone(MADRID).date(), moment)
        for moment in fires(business, start, end)
    ]

    assert {m.astimezone(MADRID).strftime("%H:%M") for m in fires(business, start, end)} == {
        "09:00"
    }
    done = [r.day for r in results if r.status == "done"]
    assert done == [day - timedelta(days=1), day, day + timedelta(days=1)], what
    with read_session(engine) as session:
        runs = sorted(run.day for run in session.exec(select(DailyRun)))
    assert runs == done


def test_the_day_fires_at_the_send_time_on_working_days_only(engine: Engine) -> None:
    business = make_business(engine, send_time="09:15", timezone="America/Mexico_City")
    start = datetime(2026, 11, 20, tzinfo=UTC)  # a Friday

    moments = fires(business, start, start + timedelta(days=7))

    local = [m.astimezone(ZoneInfo("America/Mexico_City")) for m in moments]
    assert [m.strftime("%a %H:%M") for m in local] == [
        "Fri 09:15", "Mon 09:15", "Tue 09:15", "Wed 09:15", "Thu 09:15",
    ]  # fmt: skip


def test_only_today_is_caught_up_after_a_week_off(engine: Engine) -> None:
    business = make_business(engine, send_time="09:00", working_days="1,2,3,4,5,6,7")
    assert business.id is not None
    # The machine was off from Monday 16 to Monday 23 November: nothing ran.
    morning = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)  # 08:30 in Madrid
    after = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)  # 09:30 in Madrid

    assert days_to_catch_up(engine, morning) == []
    assert days_to_catch_up(engine, after) == [(business.id, date(2026, 11, 23))]
    with write_session(engine) as session:
        session.add(DailyRun(business_id=business.id, day=date(2026, 11, 23)))
    assert days_to_catch_up(engine, after) == []


@pytest.mark.slow
def test_the_worker_runs_today_sends_it_and_stops_cleanly_on_sigterm(
    run: Run, tmp_path: Path
) -> None:
    one_letter_due_today(run)
    env = {
        **os.environ,
        "FOLLOWUP_DATABASE_URL": f"sqlite:///{tmp_path / 'followup.db'}",
        "FOLLOWUP_OUTBOX_DIR": str(tmp_path / "outbox"),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "followup", "worker", "--interval", "1"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    engine = make_engine(get_settings(database_url=env["FOLLOWUP_DATABASE_URL"]))
    try:
        deadline = time.monotonic() + 60
        sent: list[str] = []
        while time.monotonic() < deadline and not sent:
            with read_session(engine) as session:
                sent = [lt.status for lt in session.exec(select(Letter)) if lt.status == "sent"]
            if worker.poll() is not None:
                break
            time.sleep(0.2)
        worker.send_signal(signal.SIGTERM)
        _out, err = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert sent == ["sent"], err
    assert worker.returncode == 128 + signal.SIGTERM, err
    assert "stopped; letters not started are back in the queue" in err
    with read_session(engine) as session:
        assert [lt.status for lt in session.exec(select(Letter))] == ["sent"]
        assert len(list(session.exec(select(DailyRun)))) == 1  # today only
    assert len(mailbox.Maildir(tmp_path / "outbox")) == 1
    engine.dispose()
