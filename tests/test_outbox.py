"""The outbox state machine (DESIGN §5) on a real SQLite file, and on PostgreSQL when
FOLLOWUP_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from followup.config import get_settings
from followup.db import make_engine, read_session, write_session
from followup.jobs import send_due
from followup.mail.mailer import SendError
from followup.models import Channel, Letter, LetterStatus
from followup.outbox import (
    LEASE_EXPIRED,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    OutboxError,
    approve,
    cancel,
    claim,
    expire_leases,
    mark_done,
    mark_failed,
    mark_retry,
    mark_sent,
    mark_sent_by_owner,
    mark_sent_many,
    mark_uncertain,
    release_claim,
    release_due,
    renew_lease,
    resend,
)
from tests.factories import Database, at, make_business, make_letter

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LEASE = 300


# -- rows ------------------------------------------------------------------------------


def load(engine: Engine, letter_id: int | None) -> Letter:
    """The letter as stored now (``letter_id`` as a builder returned it)."""
    assert letter_id is not None
    with read_session(engine) as session:
        letter = session.get(Letter, letter_id)
        assert letter is not None
        return letter


def sending(engine: Engine, owner: str = "sender-1", now: datetime = NOW) -> int:
    """A letter claimed by ``owner``: status sending, one attempt."""
    letter_id = make_letter(engine, make_business(engine), status=LetterStatus.queued).id
    assert letter_id is not None
    assert claim(engine, now, owner, 10, LEASE) == [letter_id]
    return letter_id


@contextmanager
def owner_action(engine: Engine, letter_id: int | None) -> Iterator[tuple[Session, Letter]]:
    assert letter_id is not None
    with write_session(engine) as session:
        letter = session.get(Letter, letter_id)
        assert letter is not None
        yield session, letter


class RecordingMailer:
    def __init__(self, error: BaseException | None = None) -> None:
        self.sent: list[EmailMessage] = []
        self.error = error

    def send(self, message: EmailMessage) -> None:
        if self.error is not None:
            raise self.error
        self.sent.append(message)


# -- the owner's actions -----------------------------------------------------------------


def test_approve_moves_a_draft_to_approved(any_engine: Engine) -> None:
    letter_id = make_letter(any_engine, make_business(any_engine), status=LetterStatus.draft).id
    with owner_action(any_engine, letter_id) as (session, letter):
        approve(session, letter, NOW)
        assert letter.status == LetterStatus.approved
    stored = load(any_engine, letter_id)
    assert stored.status == LetterStatus.approved
    assert stored.approved_at == NOW


@pytest.mark.parametrize(
    "status", [LetterStatus.approved, LetterStatus.sent, LetterStatus.cancelled]
)
def test_only_a_draft_can_be_approved(any_engine: Engine, status: LetterStatus) -> None:
    letter_id = make_letter(any_engine, make_business(any_engine), status=status).id
    with (
        pytest.raises(OutboxError) as refused,
        owner_action(any_engine, letter_id) as (session, letter),
    ):
        approve(session, letter, NOW)
    assert str(refused.value) == f"letter {letter_id} is {status}; only a draft can be approved"
    assert load(any_engine, letter_id).status == status


@pytest.mark.parametrize("status", [LetterStatus.draft, LetterStatus.approved, LetterStatus.queued])
def test_cancel_an_open_letter(any_engine: Engine, status: LetterStatus) -> None:
    letter_id = make_letter(any_engine, make_business(any_engine), status=status).id
    with owner_action(any_engine, letter_id) as (session, letter):
        cancel(session, letter, NOW)
    assert load(any_engine, letter_id).status == LetterStatus.cancelled
    assert claim(any_engine, NOW, "sender", 10, LEASE) == []


@pytest.mark.parametrize(
    "status",
    [LetterStatus.sending, LetterStatus.sent, LetterStatus.uncertain, LetterStatus.cancelled],
)
def test_cancel_refuses_a_letter_that_is_out_of_reach(
    any_engine: Engine, status: LetterStatus
) -> None:
    letter_id = make_letter(any_engine, make_business(any_engine), status=status).id
    with (
        pytest.raises(
            OutboxError,
            match=f"^letter {letter_id} is {status}; only a draft, "
            "approved or queued letter can be cancelled$",
        ),
        owner_action(any_engine, letter_id) as (session, letter),
    ):
        cancel(session, letter, NOW)
    assert load(any_engine, letter_id).status == status


def test_cancel_loses_cleanly_to_a_sender_that_claimed_first(any_engine: Engine) -> None:
    letter_id = make_letter(any_engine, make_business(any_engine), status=LetterStatus.queued).id
    with read_session(any_engine) as session:
        stale = session.get(Letter, letter_id)  # the dashboard's view: still queued
    assert stale is not None
    assert stale.status == LetterStatus.queued
    assert claim(any_engine, NOW, "sender", 10, LEASE) == [letter_id]
    with write_session(any_engine) as session, pytest.raises(OutboxError, match="is sending"):
        cancel(session, session.merge(stale, load=False), NOW)
    assert load(any_engine, letter_id).status == LetterStatus.sending


def test_release_due_queues_approved_email_letters_whose_time_has_come(any_engine: Engine) -> None:
    shop = make_business(any_engine)
    due = make_letter(any_engine, shop, status=LetterStatus.approved, send_after=NOW).id
    no_time = make_letter(any_engine, shop, status=LetterStatus.approved, send_after=None).id
    later = make_letter(
        any_engine, shop, status=LetterStatus.approved, send_after=NOW + timedelta(seconds=1)
    ).id
    draft = make_letter(any_engine, shop, status=LetterStatus.draft).id
    printed = make_letter(any_engine, shop, status=LetterStatus.approved, channel=Channel.print).id
    call = make_letter(any_engine, shop, status=LetterStatus.approved, channel=Channel.call).id

    with write_session(any_engine) as session:
        assert release_due(session, NOW) == 2

    statuses = {
        letter_id: load(any_engine, letter_id).status
        for letter_id in (due, no_time, later, draft, printed, call)
    }
    assert statuses == {
        due: LetterStatus.queued,
        no_time: LetterStatus.queued,
        later: LetterStatus.approved,
        draft: LetterStatus.draft,
        printed: LetterStatus.approved,
        call: LetterStatus.approved,
    }


def test_release_due_for_one_business_leaves_the_others(any_engine: Engine) -> None:
    mine, theirs = make_business(any_engine), make_business(any_engine, name="Otra")
    my_letter = make_letter(any_engine, mine, status=LetterStatus.approved).id
    their_letter = make_letter(any_engine, theirs, status=LetterStatus.approved).id
    with write_session(any_engine) as session:
        assert release_due(session, NOW, business_id=mine.id) == 1
    assert load(any_engine, my_letter).status == LetterStatus.queued
    assert load(any_engine, their_letter).status == LetterStatus.approved


def test_mark_done_sends_a_printed_letter_by_hand(any_engine: Engine) -> None:
    letter_id = make_letter(
        any_engine, make_business(any_engine), status=LetterStatus.approved, channel=Channel.print
    ).id
    with owner_action(any_engine, letter_id) as (session, letter):
        mark_done(session, letter, NOW)
    stored = load(any_engine, letter_id)
    assert (stored.status, stored.sent_at) == (LetterStatus.sent, NOW)


def test_mark_done_refuses_an_email(any_engine: Engine) -> None:
    letter_id = make_letter(any_engine, make_business(any_engine), status=LetterStatus.approved).id
    with (
        pytest.raises(OutboxError, match="is an email: the outbox sends it"),
        owner_action(any_engine, letter_id) as (session, letter),
    ):
        mark_done(session, letter, NOW)


# -- claiming ----------------------------------------------------------------------------


def test_claim_takes_due_letters_oldest_first_and_counts_the_attempt(any_engine: Engine) -> None:
    shop = make_business(any_engine)
    newer = make_letter(
        any_engine, shop, status=LetterStatus.queued, send_after=NOW - timedelta(minutes=1)
    ).id
    older = make_letter(
        any_engine, shop, status=LetterStatus.queued, send_after=NOW - timedelta(minutes=10)
    ).id
    oldest = make_letter(
        any_engine, shop, status=LetterStatus.queued, send_after=NOW - timedelta(hours=1)
    ).id
    # Not queued yet: not claimed.
    approved = make_letter(any_engine, shop, status=LetterStatus.approved).id
    assert oldest is not None and older is not None

    assert claim(any_engine, NOW, "sender-1", 2, LEASE) == sorted([oldest, older])
    assert claim(any_engine, NOW, "sender-2", 2, LEASE) == [newer]
    assert claim(any_engine, NOW, "sender-3", 2, LEASE) == []

    first = load(any_engine, oldest)
    assert first.status == LetterStatus.sending
    assert first.lease_owner == "sender-1"
    assert first.lease_until == NOW + timedelta(seconds=LEASE)
    assert first.attempts == 1
    assert load(any_engine, newer).lease_owner == "sender-2"
    assert load(any_engine, approved).status == LetterStatus.approved


def test_claim_never_takes_more_than_its_limit(any_engine: Engine) -> None:
    # PostgreSQL once planned "id IN (SELECT … LIMIT k FOR UPDATE SKIP LOCKED)" as a
    # nested loop that re-ran the subquery per row and took every queued letter.
    shop = make_business(any_engine)
    for minutes in range(20):
        make_letter(
            any_engine,
            shop,
            status=LetterStatus.queued,
            send_after=NOW - timedelta(minutes=minutes),
        )
    sizes = []
    while batch := claim(any_engine, NOW, "sender", 3, LEASE):
        sizes.append(len(batch))
    assert sizes == [3, 3, 3, 3, 3, 3, 2]


def test_claim_waits_for_the_next_attempt_time(any_engine: Engine) -> None:
    letter_id = sending(any_engine)
    with write_session(any_engine) as session:
        mark_retry(session, letter_id, "sender-1", NOW, error="421 busy", code="421")
    retry_at = NOW + RETRY_DELAYS[0]
    assert claim(any_engine, retry_at - timedelta(seconds=1), "sender-2", 10, LEASE) == []
    assert claim(any_engine, retry_at, "sender-2", 10, LEASE) == [letter_id]


def test_claim_for_one_business_leaves_the_others(any_engine: Engine) -> None:
    mine, theirs = make_business(any_engine), make_business(any_engine, name="Otra")
    my_letter = make_letter(any_engine, mine, status=LetterStatus.queued).id
    make_letter(any_engine, theirs, status=LetterStatus.queued)
    assert claim(any_engine, NOW, "sender", 10, LEASE, business_id=mine.id) == [my_letter]


def claim_until_empty(url: str, owner: str, start: Any, results: Any) -> None:
    """One of the competing processes (module level so that ``spawn`` can import it)."""
    try:
        engine = make_engine(get_settings(database_url=url))
        # Warm up first (imports, the connection, the statement's compilation), so that
        # the race starts at the barrier and not when the slowest process is ready.
        claim(engine, NOW, owner, 1, LEASE, business_id=-1)
        start.wait(timeout=60)
        claimed: list[int] = []
        while batch := claim(engine, NOW, owner, 2, LEASE):
            claimed.extend(batch)
        engine.dispose()
        results.put((owner, claimed, None))
    except Exception as exc:
        results.put((owner, [], repr(exc)))


@pytest.mark.slow
def test_concurrent_claimers_each_get_different_letters(db: Database) -> None:
    shop = make_business(db.engine)
    letters = {make_letter(db.engine, shop, status=LetterStatus.queued).id for _ in range(120)}
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(4)
    results = context.Queue()
    processes = [
        context.Process(target=claim_until_empty, args=(db.url, f"p{i}", start, results))
        for i in range(4)
    ]
    for process in processes:
        process.start()
    reports = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0

    assert [error for _, _, error in reports if error] == []
    claims = {owner: claimed for owner, claimed, _ in reports}
    everything = [letter_id for claimed in claims.values() for letter_id in claimed]
    assert len(everything) == len(set(everything)), "a letter was claimed twice"
    assert set(everything) == letters
    assert sum(1 for claimed in claims.values() if claimed) >= 2, "no real concurrency"
    with read_session(db.engine) as session:
        rows = session.exec(select(Letter)).all()
    assert {(row.status, row.attempts) for row in rows} == {(LetterStatus.sending, 1)}
    assert all(row.id in claims[row.lease_owner or ""] for row in rows)


# -- the sender's marks ------------------------------------------------------------------


def test_marks_by_a_sender_that_does_not_hold_the_lease_do_not_apply(any_engine: Engine) -> None:
    letter_id = sending(any_engine, owner="sender-1")
    with write_session(any_engine) as session:
        assert not mark_sent(session, letter_id, "sender-2", NOW)
        assert not mark_failed(session, letter_id, "sender-2", NOW, error="550 no")
        assert not mark_uncertain(session, letter_id, "sender-2", NOW, error="lost")
        assert mark_retry(session, letter_id, "sender-2", NOW, error="421 later") is None
        assert not renew_lease(session, letter_id, "sender-2", NOW, LEASE)
        assert release_claim(session, [letter_id], "sender-2", NOW) == 0
    stored = load(any_engine, letter_id)
    assert (stored.status, stored.lease_owner, stored.attempts) == (
        LetterStatus.sending,
        "sender-1",
        1,
    )
    assert stored.last_error is None


def test_mark_sent_records_when(any_engine: Engine) -> None:
    letter_id = sending(any_engine)
    with write_session(any_engine) as session:
        assert mark_sent(session, letter_id, "sender-1", NOW + timedelta(seconds=2))
    stored = load(any_engine, letter_id)
    assert (stored.status, stored.sent_at) == (LetterStatus.sent, NOW + timedelta(seconds=2))
    with write_session(any_engine) as session:  # and only once
        assert not mark_sent(session, letter_id, "sender-1", NOW + timedelta(seconds=3))


def test_retries_back_off_and_give_up_after_max_attempts(any_engine: Engine) -> None:
    letter_id = sending(any_engine)
    now = NOW
    for attempt in range(1, MAX_ATTEMPTS):
        with write_session(any_engine) as session:
            status = mark_retry(
                session,
                letter_id,
                "sender-1",
                now,
                error=f"421 4.7.0 try again later ({attempt})",
                code="421",
            )
        assert status == LetterStatus.queued
        stored = load(any_engine, letter_id)
        assert stored.attempts == attempt
        assert stored.next_attempt_at == now + RETRY_DELAYS[attempt - 1]
        assert stored.lease_owner is None
        assert (
            claim(any_engine, stored.next_attempt_at - timedelta(seconds=1), "sender-1", 10, LEASE)
            == []
        )
        now = stored.next_attempt_at
        assert claim(any_engine, now, "sender-1", 10, LEASE) == [letter_id]

    with write_session(any_engine) as session:
        status = mark_retry(
            session, letter_id, "sender-1", now, error="421 4.7.0 try again later (5)", code="421"
        )
    assert status == LetterStatus.failed
    stored = load(any_engine, letter_id)
    assert stored.status == LetterStatus.failed
    assert stored.attempts == MAX_ATTEMPTS
    assert stored.last_error_code == "421"
    assert stored.last_error == "421 4.7.0 try again later (5) (gave up after 5 attempts)"
    assert claim(any_engine, now + timedelta(days=1), "sender-1", 10, LEASE) == []


def test_a_permanent_error_fails_the_letter_at_once(any_engine: Engine, tmp_path: Path) -> None:
    letter_id = make_letter(any_engine, make_business(any_engine), status=LetterStatus.approved).id
    refused = SendError(
        "550 5.1.1 <x@cliente.example>: Recipient address rejected", permanent=True, code="550"
    )
    summary = send_due(
        any_engine, get_settings(outbox_dir=tmp_path), at(NOW), RecordingMailer(refused)
    )
    assert (summary.sent, summary.retried, summary.failed) == (0, 0, 1)
    stored = load(any_engine, letter_id)
    assert (stored.status, stored.attempts, stored.last_error_code) == (
        LetterStatus.failed,
        1,
        "550",
    )
    assert stored.last_error == refused.message


def test_a_temporary_error_is_retried_later_by_send_due(any_engine: Engine, tmp_path: Path) -> None:
    letter_id = make_letter(any_engine, make_business(any_engine), status=LetterStatus.approved).id
    settings = get_settings(outbox_dir=tmp_path)
    busy = SendError("421 4.3.2 too busy", permanent=False, code="421")
    assert send_due(any_engine, settings, at(NOW), RecordingMailer(busy)).retried == 1
    assert load(any_engine, letter_id).status == LetterStatus.queued

    mailer = RecordingMailer()
    assert send_due(any_engine, settings, at(NOW + timedelta(seconds=30)), mailer).sent == 0
    # send_due's clock runs on from NOW while it works: allow it a second.
    assert (
        send_due(
            any_engine, settings, at(NOW + RETRY_DELAYS[0] + timedelta(seconds=1)), mailer
        ).sent
        == 1
    )
    stored = load(any_engine, letter_id)
    assert (stored.status, stored.attempts) == (LetterStatus.sent, 2)
    assert len(mailer.sent) == 1


def test_an_ambiguous_error_makes_the_letter_uncertain(any_engine: Engine, tmp_path: Path) -> None:
    letter_id = make_letter(any_engine, make_business(any_engine), status=LetterStatus.approved).id
    lost = SendError("connection lost during DATA", permanent=False, ambiguous=True)
    summary = send_due(
        any_engine, get_settings(outbox_dir=tmp_path), at(NOW), RecordingMailer(lost)
    )
    assert summary.uncertain == 1
    assert load(any_engine, letter_id).status == LetterStatus.uncertain


# -- lost senders and the owner's decision -----------------------------------------------


def test_an_expired_lease_makes_the_letter_uncertain(any_engine: Engine) -> None:
    letter_id = sending(any_engine)
    lease_end = NOW + timedelta(seconds=LEASE)
    with write_session(any_engine) as session:
        assert expire_leases(session, lease_end) == 0  # not yet over
        assert expire_leases(session, lease_end + timedelta(seconds=1)) == 1
    stored = load(any_engine, letter_id)
    assert stored.status == LetterStatus.uncertain
    assert stored.last_error_code == LEASE_EXPIRED
    assert stored.last_error is not None
    assert "lost mid-send" in stored.last_error


def test_uncertain_letter_is_never_resent(any_engine: Engine, tmp_path: Path) -> None:
    letter_id = sending(any_engine, owner="died-mid-send")
    settings = get_settings(outbox_dir=tmp_path, lease_seconds=LEASE)
    mailer = RecordingMailer()
    later = NOW + timedelta(seconds=LEASE + 1)
    for hours in (0, 1, 24, 24 * 30):
        summary = send_due(any_engine, settings, at(later + timedelta(hours=hours)), mailer)
        assert summary.sent == 0
    assert mailer.sent == []
    assert load(any_engine, letter_id).status == LetterStatus.uncertain


def test_resend_puts_an_uncertain_letter_back_in_the_queue(
    any_engine: Engine, tmp_path: Path
) -> None:
    letter_id = sending(any_engine)
    with write_session(any_engine) as session:
        expire_leases(session, NOW + timedelta(hours=1))
    with owner_action(any_engine, letter_id) as (session, letter):
        resend(session, letter, NOW + timedelta(hours=2))
    stored = load(any_engine, letter_id)
    assert (stored.status, stored.attempts, stored.lease_owner) == (LetterStatus.queued, 0, None)

    mailer = RecordingMailer()
    assert (
        send_due(
            any_engine, get_settings(outbox_dir=tmp_path), at(NOW + timedelta(hours=2)), mailer
        ).sent
        == 1
    )
    assert load(any_engine, letter_id).status == LetterStatus.sent


def test_resend_a_failed_letter(any_engine: Engine) -> None:
    letter_id = sending(any_engine)
    with write_session(any_engine) as session:
        mark_failed(session, letter_id, "sender-1", NOW, error="550 no such user", code="550")
    with owner_action(any_engine, letter_id) as (session, letter):
        resend(session, letter, NOW)
    assert load(any_engine, letter_id).status == LetterStatus.queued


@pytest.mark.parametrize("status", [LetterStatus.sent, LetterStatus.queued, LetterStatus.draft])
def test_resend_refuses_a_letter_that_is_not_uncertain_or_failed(
    any_engine: Engine, status: LetterStatus
) -> None:
    letter_id = make_letter(any_engine, make_business(any_engine), status=status).id
    with (
        pytest.raises(OutboxError, match=f"is {status}; only an uncertain or failed letter"),
        owner_action(any_engine, letter_id) as (session, letter),
    ):
        resend(session, letter, NOW)


def test_mark_sent_by_owner_closes_an_uncertain_letter(any_engine: Engine) -> None:
    letter_id = sending(any_engine)
    with write_session(any_engine) as session:
        expire_leases(session, NOW + timedelta(hours=1))
    with owner_action(any_engine, letter_id) as (session, letter):
        mark_sent_by_owner(session, letter, NOW + timedelta(hours=2))
    stored = load(any_engine, letter_id)
    assert (stored.status, stored.sent_at) == (LetterStatus.sent, NOW + timedelta(hours=2))


def test_mark_sent_by_owner_refuses_a_queued_letter(any_engine: Engine) -> None:
    letter_id = make_letter(any_engine, make_business(any_engine), status=LetterStatus.queued).id
    with (
        pytest.raises(OutboxError, match="is queued; only an uncertain letter can be marked"),
        owner_action(any_engine, letter_id) as (session, letter),
    ):
        mark_sent_by_owner(session, letter, NOW)


def test_a_late_sender_still_records_its_success(any_engine: Engine) -> None:
    letter_id = sending(any_engine, owner="slow")
    with write_session(any_engine) as session:
        expire_leases(session, NOW + timedelta(hours=1))
        assert mark_sent(session, letter_id, "slow", NOW + timedelta(hours=1, seconds=1))
    assert load(any_engine, letter_id).status == LetterStatus.sent


def test_a_late_sender_cannot_touch_a_letter_the_owner_resent(any_engine: Engine) -> None:
    letter_id = sending(any_engine, owner="slow")
    with write_session(any_engine) as session:
        expire_leases(session, NOW + timedelta(hours=1))
    with owner_action(any_engine, letter_id) as (session, letter):
        resend(session, letter, NOW + timedelta(hours=1))
    assert claim(any_engine, NOW + timedelta(hours=1), "fresh", 10, LEASE) == [letter_id]
    with write_session(any_engine) as session:
        assert not mark_sent(session, letter_id, "slow", NOW + timedelta(hours=1))
        assert not mark_failed(session, letter_id, "slow", NOW + timedelta(hours=1), error="x")
    stored = load(any_engine, letter_id)
    assert (stored.status, stored.lease_owner) == (LetterStatus.sending, "fresh")


def test_mark_sent_many_records_each_letter_at_its_own_time_and_only_ours(
    any_engine: Engine,
) -> None:
    shop = make_business(any_engine)
    theirs = make_letter(any_engine, shop, status=LetterStatus.queued).id
    assert claim(any_engine, NOW, "sender-2", 1, LEASE) == [theirs]
    ours = [make_letter(any_engine, shop, status=LetterStatus.queued).id or 0 for _ in range(2)]
    assert claim(any_engine, NOW, "sender-1", 10, LEASE) == ours
    took = {ours[0]: NOW + timedelta(seconds=1), ours[1]: NOW + timedelta(seconds=2)}
    with write_session(any_engine) as session:
        applied = mark_sent_many(
            session, {**took, theirs or 0: NOW}, "sender-1", NOW + timedelta(seconds=5)
        )
    assert applied == ours
    for letter_id, when in took.items():
        stored = load(any_engine, letter_id)
        assert (stored.status, stored.sent_at) == (LetterStatus.sent, when)
        assert stored.lease_until is None
    assert load(any_engine, theirs).status == LetterStatus.sending  # not ours: untouched


def test_renew_lease_extends_a_lease_still_held(any_engine: Engine) -> None:
    letter_id = sending(any_engine)
    later = NOW + timedelta(seconds=200)
    with write_session(any_engine) as session:
        assert renew_lease(session, letter_id, "sender-1", later, LEASE)
    assert load(any_engine, letter_id).lease_until == later + timedelta(seconds=LEASE)


def test_release_claim_gives_back_the_attempt(any_engine: Engine) -> None:
    letter_id = sending(any_engine)
    with write_session(any_engine) as session:
        assert release_claim(session, [letter_id], "sender-1", NOW) == 1
    stored = load(any_engine, letter_id)
    assert (stored.status, stored.attempts, stored.lease_owner) == (LetterStatus.queued, 0, None)


# -- the crash-loop guard ----------------------------------------------------------------


def test_an_unexpected_mailer_error_stops_the_run_and_returns_the_rest(
    any_engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shop = make_business(any_engine)
    first, *rest = [
        make_letter(
            any_engine, shop, status=LetterStatus.approved, send_after=NOW - timedelta(minutes=m)
        ).id
        for m in (30, 20, 10)
    ]
    mailer = RecordingMailer(RuntimeError("mailer bug"))
    with caplog.at_level(logging.ERROR), pytest.raises(RuntimeError, match="mailer bug"):
        send_due(any_engine, get_settings(outbox_dir=tmp_path), at(NOW), mailer)

    hit = load(any_engine, first)
    # It may have left: never retried by itself.
    assert (hit.status, hit.last_error_code) == (LetterStatus.uncertain, "internal")
    assert hit.last_error is not None
    assert "mailer bug" in hit.last_error
    # The ones never attempted are back in the queue, not left to turn uncertain.
    assert {(load(any_engine, i).status, load(any_engine, i).attempts) for i in rest} == {
        (LetterStatus.queued, 0)
    }
    assert any(record.exc_info for record in caplog.records), "logged without a traceback"


def test_an_unexpected_error_before_sending_pushes_the_letter_back(
    any_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    letter_id = make_letter(any_engine, make_business(any_engine), status=LetterStatus.approved).id

    def broken(*_args: object) -> EmailMessage:
        raise KeyError("template bug")

    monkeypatch.setattr("followup.jobs.delivery.build_message", broken)
    mailer = RecordingMailer()
    with pytest.raises(KeyError):
        send_due(any_engine, get_settings(outbox_dir=tmp_path), at(NOW), mailer)
    stored = load(any_engine, letter_id)
    assert stored.status == LetterStatus.queued
    assert stored.next_attempt_at is not None
    assert stored.next_attempt_at > NOW
    # The next run does not crash on it again straight away.
    assert claim(any_engine, NOW + timedelta(seconds=10), "sender", 10, LEASE) == []
    assert mailer.sent == []
