"""One sending round's letters: each claimed batch read a chunk at a time, each letter
built and handed to the mailer, its outcome recorded (``send_due`` in ``sending`` claims
the batches).

A letter the server took is recorded as sent at the next checkpoint, together with the
others sent since the last one; the checkpoint also reads the next letters as they are
then, so a letter no longer ours, or to a client who has since unsubscribed, is not
sent. A sender that dies between a letter and its checkpoint leaves that letter
``sending``: the lease's expiry makes it ``uncertain``, and it is never resent by itself.
Failures are recorded at once.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from followup.db import write_session
from followup.mail.mailer import Mailer, SendError
from followup.mail.message import build_message
from followup.mail.unsubscribe import unsubscribe_url
from followup.models import Business, Client, Letter, LetterStatus
from followup.outbox import (
    mark_failed,
    mark_retry,
    mark_sent_many,
    mark_uncertain,
    release_claim,
    renew_leases,
)
from followup.outbox.sender import bounce_client, pause_sending

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Loaded = tuple[Letter, Business, Client]

# Checkpoints: after this many letters, after CHECK_EVERY, before a wait of the rate limit
# longer than that, and when the batch ends. Each records the letters sent since the last
# one and reads the next MARK_EVERY letters afresh. At the pace of a mail provider's limit
# (a letter every few seconds) every letter is recorded before the next one starts. A
# sender that dies leaves its whole claimed batch (FOLLOWUP_SEND_BATCH, 20 by default)
# ``sending``, sent or not, until the lease ends: recording up to that many at once puts
# no more letters at risk of ``uncertain``.
MARK_EVERY = 50
CHECK_EVERY = timedelta(seconds=1)


@dataclass
class Round:
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
    # Letters the server took, not yet recorded as sent: id -> when it took them.
    unmarked: dict[int, datetime] = field(default_factory=dict)
    # (public base URL, secret key): letters carry a one-click unsubscribe link.
    unsubscribe: tuple[str, str] | None = None

    @property
    def halted(self) -> bool:
        return self.stopped is not None or self.refused_login

    def send_batch(self, batch: list[int], stop: Callable[[], bool]) -> None:
        pending = list(batch)
        loaded: dict[int, Loaded] = {}
        renewed = checked = self.clock()  # the claim's lease started now
        try:
            while pending and not self.halted and not stop():
                now = self.clock()
                if now - renewed >= timedelta(seconds=self.lease_seconds / 2):
                    # The whole batch at once: none expires waiting behind a slow letter.
                    renewed = now
                    with write_session(self.engine) as session:
                        ours = renew_leases(session, pending, self.owner, now, self.lease_seconds)
                    pending = [letter_id for letter_id in pending if letter_id in ours]
                    if not pending:
                        break
                if (
                    pending[0] not in loaded
                    or len(self.unmarked) >= MARK_EVERY
                    or now - checked >= CHECK_EVERY
                ):
                    checked = now
                    loaded = self.checkpoint(pending[:MARK_EVERY])
                letter_id = pending[0]
                if letter_id in loaded and self.spacing:
                    self.pace(loaded[letter_id][0].business_id)
                    if stop():
                        break  # asked during the wait: this letter goes back to the queue too
                pending.pop(0)
                outcome = self.send_one(letter_id, loaded.pop(letter_id, None))
                if outcome is not None:
                    self.outcomes[outcome] += 1
        finally:
            try:
                self.record_sent()
            finally:
                # Stopped early (a signal, the outbox, an exception): what was claimed but
                # never attempted goes back to the queue instead of turning uncertain later.
                if pending:
                    with write_session(self.engine) as session:
                        released = release_claim(session, pending, self.owner, self.clock())
                    self.released += released

    def checkpoint(self, following: list[int]) -> dict[int, Loaded]:
        """One short transaction: record the letters sent since the last checkpoint, and
        read the ``following`` ones as they are now (still ours? the client still
        reachable? the text the owner left?)."""
        with write_session(self.engine) as session:
            self.mark_sent(session)
            return _load(session, following)

    def record_sent(self) -> None:
        """Write down the letters the server took that are not recorded yet."""
        if self.unmarked:
            with write_session(self.engine) as session:
                self.mark_sent(session)

    def mark_sent(self, session: Session) -> None:
        applied = set(mark_sent_many(session, self.unmarked, self.owner, self.clock()))
        for letter_id in self.unmarked:
            if letter_id not in applied:
                log.error(
                    "letter %s was delivered but another process had taken it over; "
                    "check it in the outbox",
                    letter_id,
                )
        self.outcomes[LetterStatus.sent] += len(applied)
        self.unmarked.clear()

    def send_one(self, letter_id: int, loaded: Loaded | None) -> LetterStatus | None:
        """Send one claimed letter; the status it ended in, or None: not ours any more,
        or sent (``unmarked`` until the next checkpoint)."""
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
        self.unmarked[letter_id] = self.clock()
        return None

    def pace(self, business_id: int) -> None:
        """Keep the letters of one business ``spacing`` apart (FOLLOWUP_SMTP_RATE_PER_MINUTE)."""
        if not self.spacing:
            return
        last = self.last_start.get(business_id)
        if last is not None:
            wait = (last + self.spacing - self.clock()).total_seconds()
            if wait >= CHECK_EVERY.total_seconds():
                self.record_sent()  # no sent letter waits unrecorded through a long wait
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


def _ours(letter: Letter, owner: str) -> bool:
    return letter.status == LetterStatus.sending and letter.lease_owner == owner


def _load(session: Session, letter_ids: list[int]) -> dict[int, Loaded]:
    """These letters, each with its business and client, in two queries."""
    rows = session.exec(
        select(Letter, Client)
        .join(Client, col(Client.id) == col(Letter.client_id))
        .where(col(Letter.id).in_(letter_ids))
    ).all()
    wanted = {letter.business_id for letter, _ in rows}
    businesses = {
        business.id: business
        for business in session.exec(select(Business).where(col(Business.id).in_(wanted)))
    }
    return {
        letter.id: (letter, businesses[letter.business_id], client)
        for letter, client in rows
        if letter.id is not None and letter.business_id in businesses
    }


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
