"""``tick``, the one cron entry: every business's day once its send time has come,
guarantee housekeeping, sending, then the owners' inboxes. Safe every few minutes and in
two places at once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from followup.calendar import local_today, send_moment
from followup.config import Settings
from followup.db import read_session, write_session
from followup.jobs.day import DayResult, run_day
from followup.jobs.digest import DigestResult, send_digests
from followup.jobs.inbox import InboxReport, read_inboxes
from followup.jobs.sending import Clock, SendSummary, never, send_due
from followup.mail.mailer import Mailer
from followup.models import Business
from followup.outbox import OWNER_DECIDES
from followup.recovery.guarantees import expire_guarantees

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    days: list[DayResult]
    guarantees_expired: int = 0
    sending: SendSummary = field(default_factory=SendSummary)
    digests: list[DigestResult] = field(default_factory=list)
    inboxes: list[InboxReport] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return self.sending.sent

    def lines(self) -> list[str]:
        words = {
            "done": "letters drafted",
            "already_done": "already done",
            "not_working_day": "not a working day",
        }
        out = [
            f"business {r.business_id}, {r.day.isoformat()}: {words[r.status]}"
            + (f" ({len(r.letter_ids)})" if r.status == "done" else "")
            for r in self.days
        ]
        out += [digest.line() for digest in self.digests]
        if self.guarantees_expired:
            out.append(f"{self.guarantees_expired} special guarantee(s) ended")
        s = self.sending
        out.append(
            f"sent {s.sent}, retrying {s.retried}, failed {s.failed}, uncertain {s.uncertain}"
        )
        if s.uncertain:
            out.append(
                f"{s.uncertain} letter(s) may or may not have gone out and wait for your "
                f"decision (`followup letters list --status uncertain`): {OWNER_DECIDES}"
            )
        out += [line for inbox in self.inboxes if (line := inbox.line())]
        return out

    def reading_problems(self) -> list[str]:
        """One line per inbox that could not be read (its reading waits; sending went on)."""
        return [inbox.problem for inbox in self.inboxes if inbox.problem]


def stop_lines(summary: SendSummary) -> list[str]:
    """Why sending stopped early, and what went back to the queue."""
    lines = []
    if summary.stopped:
        lines.append(f"Sending stopped: {summary.stopped}. Fix it; the letters wait in the queue.")
    if summary.released:
        lines.append(
            f"{summary.released} letter(s) were not started and went back to the queue "
            "for the next sending."
        )
    return lines


def tick(
    engine: Engine,
    settings: Settings,
    clock: Clock,
    mailer: Mailer,
    *,
    day: date | None = None,
    business_id: int | None = None,
    stop: Callable[[], bool] = never,
) -> TickReport:
    """Today's run for every business whose send time has come and whose day is not done,
    guarantee housekeeping, sending (leases expire first), the owners' inboxes (after
    sending, so a slow mailbox never holds a letter back; a mailbox that cannot be read
    is reported in ``inboxes``, not raised), then the owner's digest of each day run
    (``jobs.digest``), which so also tells of the bounces just read.

    Safe every few minutes and in two places at once: each step is idempotent. With
    ``day``, act as if it were that local day at its send time (backfills, tests): the
    day's run, its housekeeping and which letters are due; leases and the mail's Date
    keep the real ``clock``. ``stop`` (a SIGTERM) is asked before sending and between
    letters.
    """
    now = clock()
    with read_session(engine) as session:
        query = select(Business).order_by(col(Business.id))
        if business_id is not None:
            query = query.where(Business.id == business_id)
        businesses = list(session.exec(query))
    report = TickReport(days=[])
    failures: list[BaseException] = []
    for business in businesses:
        assert business.id is not None
        today = day or local_today(business, now)
        try:
            # The day is picked at its send time, as the scheduler does, so the morning's
            # complaints and purchases are in it; with ``day`` it is done at once.
            if day is not None or now >= send_moment(business, today):
                report.days.append(run_day(engine, business.id, today, now))
            with write_session(engine) as session:
                report.guarantees_expired += expire_guarantees(session, business.id, today)
        except Exception as exc:
            # One business's failure must not stop the others' letters; it is re-raised.
            log.exception("the daily run of business %s failed", business.id)
            failures.append(exc)
    if day is None and not stop():
        report.sending = send_due(
            engine, settings, clock, mailer, business_id=business_id, stop=stop
        )
    elif day is not None:
        for business in businesses:
            due_at = max(clock(), send_moment(business, day).astimezone(UTC))
            summary = send_due(
                engine, settings, clock, mailer, business_id=business.id, due_at=due_at, stop=stop
            )
            report.sending = _add(report.sending, summary)
    if not stop():
        try:
            report.inboxes = read_inboxes(
                engine, settings, clock, business_id=business_id, stop=stop
            )
        except Exception as exc:
            failures.append(exc)  # logged by read_inboxes; re-raised below
        # The owner's digest of each day run (or found done) here, after sending, so it
        # also tells of this round's failures; one that failed is tried again by a
        # later tick of the same day.
        ran = [(r.business_id, r.day) for r in report.days if r.status != "not_working_day"]
        report.digests = send_digests(engine, settings, clock, mailer, ran)
    if failures:
        raise failures[0]
    return report


def _add(a: SendSummary, b: SendSummary) -> SendSummary:
    return SendSummary(
        sent=a.sent + b.sent,
        retried=a.retried + b.retried,
        failed=a.failed + b.failed,
        uncertain=a.uncertain + b.uncertain,
        released=a.released + b.released,
        stopped=a.stopped or b.stopped,
    )
