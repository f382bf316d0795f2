"""Stopping and slow batches: SIGTERM mid-batch, leases of a whole batch, the outbox that
cannot be written, a simulated day that never moves a real lease."""

from __future__ import annotations

import json
import mailbox
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from followup.config import get_settings
from followup.db import read_session, write_session
from followup.jobs import send_due
from followup.mail.maildir import MaildirMailer
from followup.models import Client, Letter, LetterStatus
from followup.outbox import expire_leases
from tests.conftest import Run
from tests.factories import NOW, Database, at, make_business, make_letter

ROOT = Path(__file__).resolve().parent.parent

# A sender in its own process whose mailer says which letter it is sending and waits for
# the test's go-ahead: the test knows exactly when a letter is in flight, with no sleep.
SENDER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from followup.config import get_settings
    from followup.db import make_engine
    from followup.jobs import send_due
    from followup.jobs.stopping import stop_on_signals

    class Handshake:
        def send(self, message):
            print("sending", message["Message-ID"], flush=True)
            sys.stdin.readline()

    settings = get_settings(database_url=sys.argv[1], send_batch=10)
    engine = make_engine(settings)
    with stop_on_signals() as stop:
        summary = send_due(engine, settings, lambda: datetime.now(UTC), Handshake(), stop=stop)
    print("summary", summary.sent, summary.released, flush=True)
    sys.exit(stop.exit_code if stop() else 0)
    """
)


def statuses(engine: Engine) -> dict[int, tuple[str, int]]:
    with read_session(engine) as session:
        return {
            letter.id: (letter.status, letter.attempts)
            for letter in session.exec(select(Letter))
            if letter.id is not None
        }


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_mid_batch_finishes_the_letter_in_flight_and_requeues_the_rest(
    db: Database, signum: signal.Signals
) -> None:
    business = make_business(db.engine)
    ids = [make_letter(db.engine, business, status=LetterStatus.queued).id or 0 for _ in range(5)]
    sender = subprocess.Popen(
        [sys.executable, "-c", SENDER, db.url],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sender.stdin is not None and sender.stdout is not None
    assert sender.stdout.readline().startswith("sending ")
    sender.send_signal(signum)
    sender.stdin.write("\n")  # the letter in flight is delivered
    sender.stdin.flush()
    out, _ = sender.communicate(timeout=60)
    assert out.split() == ["summary", "1", "4"]
    assert sender.returncode == 128 + signum
    after = statuses(db.engine)
    assert after[ids[0]] == (LetterStatus.sent, 1)
    # Never attempted: back in the queue with their attempt given back, none uncertain.
    assert [after[i] for i in ids[1:]] == [(LetterStatus.queued, 0)] * 4


def test_a_slow_letter_never_lets_the_rest_of_its_batch_expire(
    engine: Engine, tmp_path: Path
) -> None:
    """Each letter takes 200 s (a slow server) with a 300 s lease; meanwhile another
    process expires leases. Only the batch's renewal keeps the last letters alive."""
    business = make_business(engine)
    for _ in range(5):
        make_letter(engine, business, status=LetterStatus.queued)
    now = [NOW]

    class Slow:
        def send(self, message: EmailMessage) -> None:
            now[0] += timedelta(seconds=200)
            with write_session(engine) as session:  # a tick elsewhere
                expire_leases(session, now[0])

    settings = get_settings(database_url="sqlite://", lease_seconds=300, send_batch=5)
    summary = send_due(engine, settings, lambda: now[0], Slow())
    assert (summary.sent, summary.uncertain) == (5, 0)


def test_a_client_who_unsubscribes_during_a_slow_round_gets_no_letter(engine: Engine) -> None:
    """Letters are read a chunk at a time, and again once a second has passed: behind a
    server that takes seconds a letter, each letter is read just before it goes."""
    business = make_business(engine)
    first, second, third = (
        make_letter(engine, business, status=LetterStatus.queued) for _ in range(3)
    )
    now = [NOW]
    sent: list[str] = []

    class Slow:
        def send(self, message: EmailMessage) -> None:
            sent.append(str(message["Message-ID"]))
            now[0] += timedelta(seconds=2)
            if len(sent) == 1:  # meanwhile, the third client unsubscribes
                with write_session(engine) as session:
                    client = session.get(Client, third.client_id)
                    assert client is not None
                    client.do_not_contact = True
                    client.do_not_contact_reason = "unsubscribed"
                    session.add(client)

    settings = get_settings(database_url="sqlite://", send_batch=5)
    summary = send_due(engine, settings, lambda: now[0], Slow())
    assert (summary.sent, summary.failed) == (2, 1)
    assert sent == [first.message_id, second.message_id]
    with read_session(engine) as session:
        refused = session.get(Letter, third.id)
        assert refused is not None
        assert (refused.status, refused.last_error_code) == ("failed", "do_not_contact")


def test_half_written_files_are_cleaned_after_the_lease(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    (outbox / "tmp").mkdir(parents=True)
    stale, fresh = outbox / "tmp" / "killed-sender", outbox / "tmp" / "still-writing"
    stale.write_bytes(b"From: half a mess")
    fresh.write_bytes(b"From: a sender at work")
    an_hour_ago = stale.stat().st_mtime - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    message = EmailMessage()
    message["Subject"] = "hola"
    message.set_content("hola")
    MaildirMailer(outbox, stale_seconds=300).send(message)
    assert not stale.exists() and fresh.exists()
    assert len(list(mailbox.Maildir(outbox))) == 1


def test_an_outbox_that_cannot_be_written_stops_sending_and_says_so(
    run: Run, tmp_path: Path
) -> None:
    run("demo", "--date", "2026-11-16")
    run("letters", "approve", "1", "2", "3")
    (tmp_path / "not-a-folder").write_text("a file where the outbox should be")
    blocked = {"FOLLOWUP_OUTBOX_DIR": str(tmp_path / "not-a-folder")}
    for command in ("send", "tick"):
        result = run(command, "--date", "2026-11-16", code=2, env=blocked)
        assert "Sending stopped: cannot write to the outbox Maildir" in result.output
    # Nothing was lost: each round tried one letter (it waits for its retry) and gave the
    # others back untouched; once the outbox can be written, the untouched one goes out.
    assert "Sent 1 letter(s)" in run("send", "--date", "2026-11-16").output
    listed = json.loads(run("letters", "list", "--json").output)
    assert sorted((lt["status"], lt["last_error"] is not None) for lt in listed) == [
        ("queued", True),
        ("queued", True),
        ("sent", False),
    ]


def test_a_simulated_day_never_moves_a_real_lease_or_the_mail_date(
    engine: Engine, tmp_path: Path
) -> None:
    business = make_business(engine)
    later = NOW + timedelta(days=30)
    letter = make_letter(engine, business, status=LetterStatus.approved, send_after=later)
    seen: list[tuple[str, datetime | None]] = []

    class Watching:
        def send(self, message: EmailMessage) -> None:
            with read_session(engine) as session:
                stored = session.get(Letter, letter.id)
                assert stored is not None
                seen.append((str(message["Date"]), stored.lease_until))

    settings = get_settings(outbox_dir=tmp_path, lease_seconds=300)
    clock: Callable[[], datetime] = at(NOW)
    assert send_due(engine, settings, clock, Watching(), due_at=later).sent == 1
    ((date_header, lease_until),) = seen
    assert date_header == "Mon, 23 Nov 2026 07:00:00 +0000"  # NOW, not the simulated day
    assert lease_until == NOW + timedelta(seconds=300)


def test_production_refuses_a_day_that_has_not_come(run: Run) -> None:
    run("demo", "--date", "2026-11-16")
    production = {"FOLLOWUP_ENVIRONMENT": "production", "FOLLOWUP_SECRET_KEY": "k" * 40}
    for command in ("daily", "tick", "send"):
        result = run(command, "--date", "2099-01-05", code=2, env=production)
        assert "--date 2099-01-05 has not come yet" in result.output
    assert "letter(s) drafted for 2099-01-05" in run("daily", "--date", "2099-01-05").output
