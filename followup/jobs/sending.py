"""Sending: the one place where the database, the outbox and the mailer meet.

``send_due`` drains the outbox. Every step that touches the database is a short
transaction of its own and no transaction is open while the mailer talks to a server:
claim (the attempt is counted), send, then record the outcome with an UPDATE that
applies only while this sender still holds the lease (successes a few at a time: see
``delivery``). Cron, the scheduler and a second replica can therefore run it at the
same time and no letter goes out twice.

By SMTP two more rules hold. A business whose mail server refused our login is paused
(``SendingPause``): its letters stay queued, none using an attempt, until the delivery
settings change (another ``Settings.delivery_fingerprint``); each round says so once.
And the letters of one business leave at most FOLLOWUP_SMTP_RATE_PER_MINUTE a minute:
within a round the sender waits between them (``sleep``, injectable), so one ``send``
still sends everything that is due.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from followup.config import Settings
from followup.db import read_session, write_session
from followup.jobs.delivery import Clock, Round, pause_reason
from followup.mail.mailer import Mailer, close_mailer
from followup.models import LetterStatus
from followup.outbox import claim, expire_leases, release_due
from followup.outbox.sender import lift_pauses, sending_pauses

log = logging.getLogger(__name__)

__all__ = [
    "Clock",
    "SendSummary",
    "default_owner",
    "never",
    "pause_reason",
    "paused_reasons",
    "send_due",
]


@dataclass(frozen=True)
class SendSummary:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    uncertain: int = 0
    # Claimed but never attempted (the round stopped): back in the queue.
    released: int = 0
    # Why the round stopped early: the outbox or the server, not a letter.
    stopped: str | None = None
    # Why the sending of a business is paused (its login was refused), one per business.
    paused: tuple[str, ...] = ()


def default_owner() -> str:
    """A lease owner unique to this process and this run: host, pid, random part."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def never() -> bool:
    return False


def send_due(
    engine: Engine,
    settings: Settings,
    clock: Clock,
    mailer: Mailer,
    *,
    owner: str | None = None,
    business_id: int | None = None,
    due_at: datetime | None = None,
    stop: Callable[[], bool] = never,
    sleep: Callable[[float], object] = time.sleep,
) -> SendSummary:
    """Queue what is due, expire lost leases, then send until nothing is left to claim.

    ``clock`` is the real time: leases, their expiry and the Date header always follow
    it. ``due_at`` is the moment whose letters and retries are due: the clock's time,
    unless a day is simulated (``--date``). ``stop`` is asked between letters (a
    SIGTERM): the letter in flight is finished and the rest go back to the queue. An
    unexpected exception is logged and re-raised after the letter it hit has been set
    aside (see ``_Sender.send_one``). ``sleep`` waits between two letters of a business
    sent by SMTP (the rate limit). The mailer is closed at the end of the round.
    """
    spacing = timedelta(minutes=1) / settings.smtp_rate_per_minute
    sender = Round(
        engine,
        mailer,
        owner or default_owner(),
        clock,
        settings.lease_seconds,
        settings.delivery_fingerprint,
        spacing if settings.smtp is not None else timedelta(0),
        sleep,
    )
    if settings.base_url is not None:
        sender.unsubscribe = (settings.base_url, settings.secret_key)
    now = clock()
    with write_session(engine) as session:
        release_due(session, due_at or now, business_id)
        lost = expire_leases(session, now, business_id)
        resumed = lift_pauses(session, sender.fingerprint, business_id)
        sender.paused = sending_pauses(session, sender.fingerprint, business_id)
    if lost:
        log.warning("%d letter(s) lost their sender mid-send and are now uncertain", lost)
    if resumed:
        log.warning("sending resumes for business(es) %s: the delivery settings changed", resumed)
    for reason in sender.paused.values():
        log.warning("%s", reason)
    try:
        while not sender.halted and not stop():
            batch = claim(
                engine,
                clock(),
                sender.owner,
                settings.send_batch,
                settings.lease_seconds,
                business_id=business_id,
                due_at=due_at,
                skip_businesses=sorted(sender.paused),
            )
            if not batch:
                break
            sender.send_batch(batch, stop)
    finally:
        close_mailer(mailer)
    outcomes = sender.outcomes
    summary = SendSummary(
        sent=outcomes[LetterStatus.sent],
        retried=outcomes[LetterStatus.queued],
        failed=outcomes[LetterStatus.failed],
        uncertain=outcomes[LetterStatus.uncertain],
        released=sender.released,
        stopped=sender.stopped,
        paused=tuple(sender.paused.values()),
    )
    if summary != SendSummary():
        log.info("send_due: %s", summary)
    return summary


def paused_reasons(engine: Engine, settings: Settings, business_id: int | None = None) -> list[str]:
    """Why sending is paused, per paused business, under the settings in force."""
    with read_session(engine) as session:
        pauses = sending_pauses(session, settings.delivery_fingerprint, business_id)
    return [pauses[paused] for paused in sorted(pauses)]
