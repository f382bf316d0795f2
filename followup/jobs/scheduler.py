"""The scheduler of ``followup worker`` (and, later, ``serve``): DESIGN §6.

APScheduler 3's ``AsyncIOScheduler`` with its in-memory job store runs two kinds of job:

- each business's day at its send time: a cron trigger built with the business's own
  ``ZoneInfo`` and working weekdays, so a day that springs forward or falls back still
  fires once (holidays are the daily run's own check);
- every ``interval`` seconds, the round ``tick`` does without its daily runs: guarantee
  housekeeping, lease expiry, sending, reading the owners' inboxes, then the owner's
  digests that are still to go out today (one that failed is tried again). It also
  notices businesses added or changed since the last round and schedules their days
  again.

The round is a plain function: APScheduler's asyncio executor runs it in a worker
thread, so the blocking SMTP and IMAP calls never hold up the event loop.

The day's job sends the owner's digest (``jobs.digest``) right after the day's run.

Every job has ``coalesce=True``, ``max_instances=1`` and a generous misfire grace; none
of them needs to be the only one running anywhere, since the DailyRun key and the
outbox's claims make each idempotent (cron's ``tick`` on another machine included).

At start it catches up on *today* only: a business whose send time has passed today and
whose day is not done gets it now; a machine that was off for a week does not fire a
week of letters. On SIGTERM or SIGINT the round in flight finishes its letter, puts the
rest back in the queue, and the worker exits with 128 + the signal.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from followup.calendar import local_today, parse_working_days, send_moment, zone
from followup.config import Settings
from followup.db import read_session, write_session
from followup.jobs.day import run_day
from followup.jobs.digest import send_digests
from followup.jobs.inbox import read_inboxes
from followup.jobs.sending import Clock, send_due
from followup.jobs.stopping import SIGNALS, StopFlag
from followup.mail.mailer import mailer_for
from followup.models import Business, DailyRun
from followup.recovery.guarantees import expire_guarantees

log = logging.getLogger(__name__)

MISFIRE_GRACE_SECONDS = 3 * 3600
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def day_trigger(business: Business) -> Any:
    """The cron trigger of a business's day: its send time, its working weekdays, in its
    own time zone."""
    from apscheduler.triggers.cron import CronTrigger

    hour, minute = (int(part) for part in business.send_time.split(":"))
    weekdays = sorted(parse_working_days(business.working_days))
    return CronTrigger(
        day_of_week=",".join(_WEEKDAYS[day - 1] for day in weekdays),
        hour=hour,
        minute=minute,
        timezone=zone(business),
    )


def days_to_catch_up(engine: Engine, now: datetime) -> list[tuple[int, date]]:
    """(business, today) for every business whose send time has passed today and whose
    day has no DailyRun yet: today only, never the days the machine was off."""
    due = []
    with read_session(engine) as session:
        for business in session.exec(select(Business).order_by(col(Business.id))):
            assert business.id is not None
            today = local_today(business, now)
            if now < send_moment(business, today):
                continue
            if session.get(DailyRun, (business.id, today)) is None:
                due.append((business.id, today))
    return due


def _signature(business: Business) -> tuple[str, str, str]:
    return (business.timezone, business.send_time, business.working_days)


@dataclass
class Worker:
    """The jobs, bound to one database and configuration."""

    engine: Engine
    settings: Settings
    clock: Clock
    stop: StopFlag

    def __post_init__(self) -> None:
        self.scheduled: dict[int, tuple[str, str, str]] = {}
        # The reading problem last logged per business: said once, not every minute.
        self.reading: dict[int, str | None] = {}
        self.scheduler: Any = None  # an AsyncIOScheduler, made when serving starts

    def run_business_day(self, business_id: int) -> None:
        if self.stop():
            return
        with read_session(self.engine) as session:
            business = session.get(Business, business_id)
        if business is None:
            return
        now = self.clock()
        result = run_day(self.engine, business_id, local_today(business, now), now)
        log.info("business %s, %s: %s", business_id, result.day, result.status)
        if result.status != "not_working_day" and not self.stop():
            self.send_digests([(business_id, result.day)])

    def send_digests(self, days: list[tuple[int, date]]) -> None:
        """The owner's digests of these days run, if still to go out (``jobs.digest``)."""
        mailer = mailer_for(self.settings)
        for digest in send_digests(self.engine, self.settings, self.clock, mailer, days):
            log.log(logging.INFO if digest.status == "sent" else logging.WARNING, digest.line())

    def round(self) -> None:
        """Housekeeping, lease expiry and sending; then schedule any changed business."""
        if self.stop():
            return
        now = self.clock()
        with read_session(self.engine) as session:
            businesses = list(session.exec(select(Business).order_by(col(Business.id))))
        for business in businesses:
            assert business.id is not None
            with write_session(self.engine) as session:
                expire_guarantees(session, business.id, local_today(business, now))
        mailer = mailer_for(self.settings)
        try:
            summary = send_due(self.engine, self.settings, self.clock, mailer, stop=self.stop)
        finally:
            close = getattr(mailer, "close", None)
            if callable(close):
                close()
        if summary.sent or summary.failed or summary.uncertain or summary.stopped:
            log.warning(
                "sent %s, retrying %s, failed %s, uncertain %s%s",
                summary.sent, summary.retried, summary.failed, summary.uncertain,
                f"; stopped: {summary.stopped}" if summary.stopped else "",
            )  # fmt: skip
        self.read_inboxes()
        if not self.stop():
            # A digest that failed earlier today is tried again, once the send time passed.
            due = []
            for business in businesses:
                today = local_today(business, now)
                if business.id is not None and now >= send_moment(business, today):
                    due.append((business.id, today))
            self.send_digests(due)
        self.schedule_days(businesses)

    def read_inboxes(self) -> None:
        """Read every inbox; a new reading problem, or its end, is logged once."""
        if self.stop():
            return
        for report in read_inboxes(self.engine, self.settings, self.clock, stop=self.stop):
            if report.problem and self.reading.get(report.business_id) != report.problem:
                log.warning("%s", report.problem)
            elif not report.problem and self.reading.get(report.business_id):
                log.warning("the inbox %s is read again", report.inbox)
            self.reading[report.business_id] = report.problem
            if (line := report.line()) is not None:
                log.info("%s", line)

    def schedule_days(self, businesses: list[Business]) -> None:
        """(Re)schedule the day job of every business that is new or changed."""
        for business in businesses:
            assert business.id is not None
            if self.scheduled.get(business.id) == _signature(business):
                continue
            self.add_job(
                self.run_business_day, day_trigger(business), f"day-{business.id}", business.id
            )
            self.scheduled[business.id] = _signature(business)

    def add_job(self, func: Callable[..., None], trigger: Any, job_id: str, *args: Any) -> None:
        self.scheduler.add_job(
            func, trigger, args=args, id=job_id, replace_existing=True,
            coalesce=True, max_instances=1, misfire_grace_time=MISFIRE_GRACE_SECONDS,
        )  # fmt: skip

    async def start(self, interval: float) -> None:
        """Start the scheduler, catch up on today, and run the first round at once."""
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        loop = asyncio.get_running_loop()
        self.scheduler = AsyncIOScheduler()
        self.scheduler.start()
        for business_id, day in days_to_catch_up(self.engine, self.clock()):
            log.info("catching up on business %s, %s", business_id, day)
            await loop.run_in_executor(None, self.run_business_day, business_id)
        self.add_job(self.round, IntervalTrigger(seconds=interval), "round")
        await loop.run_in_executor(None, self.round)

    async def shutdown(self, signum: int) -> None:
        """Stop: the round in flight sees the flag between letters, finishes the letter
        it holds and puts the rest back in the queue; no new job starts."""
        self.stop.signal = signum
        if self.scheduler is not None:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, lambda: self.scheduler.shutdown(wait=True))

    async def serve(self, interval: float) -> int:
        """Run until a signal; the exit code (128 + the signal)."""
        loop = asyncio.get_running_loop()
        stopped = asyncio.Event()
        received: list[int] = []

        def on_signal(signum: int) -> None:
            self.stop.signal = signum
            received.append(signum)
            stopped.set()

        for sig in SIGNALS:
            loop.add_signal_handler(sig, on_signal, sig)
        try:
            await self.start(interval)
            await stopped.wait()
            await self.shutdown(received[0])
        finally:
            for sig in SIGNALS:
                loop.remove_signal_handler(sig)
        return self.stop.exit_code


def run_worker(engine: Engine, settings: Settings, clock: Clock, interval: float) -> int:
    """``followup worker``: the scheduler alone, until SIGTERM or SIGINT."""
    worker = Worker(engine, settings, clock, StopFlag())
    return asyncio.run(worker.serve(interval))
