"""Sending: the one place where the database, the outbox and the mailer meet.

``send_due`` drains the outbox. Every step that touches the database is a short
transaction of its own and no transaction is open while the mailer talks to a server:
claim (the attempt is counted), send, then record the outcome with an UPDATE that
applies only while this sender still holds the lease. Cron, the scheduler and a
second replica can therefore run it at the same time and no letter goes out twice.

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
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy.engine import Engine

from followup.config import Settings
from followup.db import read_session, write_session
from followup.mail.mailer import Mailer, SendError, close_mailer
from followup.mail.message import build_message
from followup.mail.unsubscribe import unsubscribe_url
from followup.models import (
    Business,
    Client,
    Letter,
    LetterStatus,
)
from followup.outbox import (
    claim,
    expire_leases,
    mark_failed,
    mark_retry,
    mark_sent,
    mark_uncertain,
    release_claim,
    release_due,
    renew_leases,
)
from followup.outbox.sender import bounce_client, lift_pauses, pause_sending, sending_pauses

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


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
    sender = _Sender(
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


@dataclass
class _Sender:
    """One sending round: who holds the leases, what came of each letter."""

    engine: Engine
    mailer: Mailer
    owner: str
    clock: Clock
    lease_seconds: int
    fingerprint: str
    spacing: timedelta
    sleep: Callable[[float], object]
    outcomes: Counter[str] = field(default_factory=Counter)
    released: int = 0
    stopped: str | None = None
    # business id -> why its sending is paused (loaded at the start, added to on the way).
    paused: dict[int, str] = field(default_factory=dict)
    # A login was refused: the round ends (every other letter would be refused too).
    refused_login: bool = False
    # business id -> when its last letter was handed to the server (the rate limit).
    last_start: dict[int, datetime] = field(default_factory=dict)
    # (public base URL, secret key): letters carry a one-click unsubscribe link.
    unsubscribe: tuple[str, str] | None = None

    @property
    def halted(self) -> bool:
        return self.stopped is not None or self.refused_login

    def send_batch(self, batch: list[int], stop: Callable[[], bool]) -> None:
        pending = list(batch)
        renewed = self.clock()  # the claim's lease started now
        try:
            while pending and not self.halted and not stop():
                if self.clock() - renewed >= timedelta(seconds=self.lease_seconds / 2):
                    # The whole batch at once: none expires waiting behind a slow letter.
                    renewed = self.clock()
                    with write_session(self.engine) as session:
                        ours = renew_leases(
                            session, pending, self.owner, renewed, self.lease_seconds
                        )
                    pending = [letter_id for letter_id in pending if letter_id in ours]
                    if not pending:
                        break
                outcome = self.send_one(pending.pop(0))
                if outcome is not None:
                    self.outcomes[outcome] += 1
        finally:
            # Stopped early (a signal, the outbox, an exception): what was claimed but
            # never attempted goes back to the queue instead of turning uncertain later.
            if pending:
                with write_session(self.engine) as session:
                    self.released += release_claim(session, pending, self.owner, self.clock())

    def send_one(self, letter_id: int) -> LetterStatus | None:
        """Send one claimed letter; the status it ended in (None: not ours any more)."""
        loaded = _load(self.engine, letter_id)
        if loaded is None or not _ours(loaded[0], self.owner):
            log.warning("letter %s is no longer leased to %s; not sent", letter_id, self.owner)
            return None
        letter, business, client = loaded
        try:
            message = _message_for(letter, business, client, self.clock(), self.unsubscribe)
        except SendError as exc:
            return self.record_error(letter, business, exc)
        except Exception as exc:
            # Nothing has left yet: retrying is safe, and mark_retry bounds the attempts.
            self.set_aside(mark_retry, letter_id, f"building it: {exc!r}")
            raise

        self.pace(letter.business_id)
        try:
            self.mailer.send(message)
        except SendError as exc:
            return self.record_error(letter, business, exc)
        except Exception as exc:
            # A mailer reports what it knows as SendError; anything else means we do not
            # know whether the message left, and a letter sent twice is worse than one
            # the owner resends: uncertain, never retried by itself.
            self.set_aside(mark_uncertain, letter_id, f"sending it: {exc!r}")
            raise

        with write_session(self.engine) as session:
            if not mark_sent(session, letter_id, self.owner, self.clock()):
                log.error(
                    "letter %s was delivered but another process had taken it over; "
                    "check it in the outbox",
                    letter_id,
                )
                return None
        return LetterStatus.sent

    def pace(self, business_id: int) -> None:
        """Keep the letters of one business ``spacing`` apart (FOLLOWUP_SMTP_RATE_PER_MINUTE)."""
        if not self.spacing:
            return
        last = self.last_start.get(business_id)
        if last is not None:
            wait = (last + self.spacing - self.clock()).total_seconds()
            if wait > 0:
                self.sleep(wait)
        self.last_start[business_id] = self.clock()

    def set_aside(self, mark: Callable[..., object], letter_id: int, what: str) -> None:
        """The crash-loop guard: log with the traceback and move the letter out of the
        way. Called from an ``except`` block; the caller re-raises."""
        log.exception("letter %s: unexpected error while %s", letter_id, what)
        with write_session(self.engine) as session:
            mark(
                session,
                letter_id,
                self.owner,
                self.clock(),
                error=f"unexpected error while {what}",
                code="internal",
            )

    def record_error(
        self, letter: Letter, business: Business, exc: SendError
    ) -> LetterStatus | None:
        owner, now = self.owner, self.clock()
        letter_id = letter.id
        assert letter_id is not None and business.id is not None
        if exc.unattempted:
            self.give_back(letter_id, business, exc)
            return None
        with write_session(self.engine) as session:
            if exc.ambiguous:
                outcome = LetterStatus.uncertain
                applied = mark_uncertain(
                    session, letter_id, owner, now, error=exc.message, code=exc.code
                )
            elif exc.permanent:
                outcome = LetterStatus.failed
                applied = mark_failed(
                    session, letter_id, owner, now, error=exc.message, code=exc.code
                )
                if applied and exc.bounced:
                    bounce_client(session, letter.client_id, now)
            else:
                status = mark_retry(
                    session, letter_id, owner, now, error=exc.message, code=exc.code
                )
                outcome = status or LetterStatus.queued
                applied = status is not None
        if exc.stops:
            self.stopped = exc.message
        if not applied:
            log.warning("letter %s: %s, but its lease was no longer ours", letter_id, exc.message)
            return None
        log.warning("letter %s %s: %s", letter_id, _SAYS[outcome], exc.message)
        return outcome

    def give_back(self, letter_id: int, business: Business, exc: SendError) -> None:
        """The delivery's settings are at fault, not the letter: it goes back to the queue
        with its attempt given back, and the round stops; a refused login also pauses
        the business until its delivery settings change."""
        assert business.id is not None
        now = self.clock()
        with write_session(self.engine) as session:
            self.released += release_claim(session, [letter_id], self.owner, now)
            if exc.pauses:
                reason = pause_reason(business, exc)
                pause_sending(session, business.id, self.fingerprint, reason, now)
        if exc.pauses:
            self.paused[business.id] = reason
            self.refused_login = True
            log.warning("%s", reason)
        else:
            self.stopped = exc.message


def pause_reason(business: Business, exc: SendError) -> str:
    """Why the business's sending pauses, as ``send``, ``tick`` and ``settings`` say it."""
    name = " ".join(business.name.split())
    return f"sending is paused for {name}: {exc.message}, then run `followup send` again"


def paused_reasons(engine: Engine, settings: Settings, business_id: int | None = None) -> list[str]:
    """Why sending is paused, per paused business, under the settings in force."""
    with read_session(engine) as session:
        pauses = sending_pauses(session, settings.delivery_fingerprint, business_id)
    return [pauses[paused] for paused in sorted(pauses)]


def _ours(letter: Letter, owner: str) -> bool:
    return letter.status == LetterStatus.sending and letter.lease_owner == owner


def _load(engine: Engine, letter_id: int) -> tuple[Letter, Business, Client] | None:
    with read_session(engine) as session:
        letter = session.get(Letter, letter_id)
        if letter is None:
            return None
        business = session.get(Business, letter.business_id)
        client = session.get(Client, letter.client_id)
    return None if business is None or client is None else (letter, business, client)


def _message_for(
    letter: Letter,
    business: Business,
    client: Client,
    now: datetime,
    unsubscribe: tuple[str, str] | None = None,
) -> EmailMessage:
    # The client may have unsubscribed or bounced after this letter was approved.
    if client.do_not_contact:
        reason = client.do_not_contact_reason or "owner"
        raise SendError(
            f"{client.name} is marked do-not-contact ({reason})",
            permanent=True,
            code="do_not_contact",
        )
    link = None
    if unsubscribe is not None:
        base_url, secret_key = unsubscribe
        link = unsubscribe_url(base_url, secret_key, letter.business_id, letter.client_id)
    return build_message(letter, business, client, now, link)


_SAYS = {
    LetterStatus.queued: "will be retried",
    LetterStatus.failed: "failed",
    LetterStatus.uncertain: "may or may not have been delivered",
}
