"""A sender killed with SIGKILL mid-batch, twenty times, then restarted after its lease
(DESIGN §5): nothing reaches the server twice, every letter ends in a state the owner
can read, nothing stays ``sending``, and only letters a killed sender held are
``uncertain``.

The SMTP server is a little slow at every step, so the random moments of the kills land
in every phase: before the sender has connected, between two letters (the rate limit's
wait), inside a letter's MAIL or RCPT, and during DATA, when the server already has the
message but the sender has not heard so.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from followup.config import get_settings
from followup.db import read_session, write_session
from followup.jobs import send_due
from followup.models import Letter, LetterStatus
from tests.factories import NOW, Database, at, client_maker, make_business, make_letter
from tests.smtp_server import Faulty, Server, serving

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 20
LETTERS = 150
BATCH = 5
SEED = int(os.environ.get("FOLLOWUP_TEST_SEED", "20261204"))
# A few ms per step, and DATA's answer a little later: long enough for a kill to land
# while the server holds a message whose 250 the sender never reads.
PAUSES = {"EHLO": 0.005, "MAIL": 0.005, "RCPT": 0.005, "DATA": 0.05}
EXPLICIT = {LetterStatus.sent, LetterStatus.uncertain, LetterStatus.queued, LetterStatus.failed}


# A sender whose mailer writes each message's Message-ID to a file (the server's log) and
# is killed by SIGKILL as the third letter of its batch comes up.
DIES_AT_THE_THIRD = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import UTC, datetime
    from followup.config import get_settings
    from followup.db import make_engine
    from followup.jobs import send_due

    class DiesAtTheThird:
        count = 0

        def send(self, message):
            self.count += 1
            if self.count == 3:
                os.kill(os.getpid(), signal.SIGKILL)
            with open(sys.argv[2], "a") as log:
                log.write(str(message["Message-ID"]) + "\\n")

    settings = get_settings(database_url=sys.argv[1], send_batch=3)
    send_due(make_engine(settings), settings, lambda: datetime.now(UTC), DiesAtTheThird())
    """
)


@pytest.fixture
def server() -> Iterator[Server]:
    yield from serving(Faulty(pauses=dict(PAUSES)))


def _sender(db: Database, server: Server, cwd: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "FOLLOWUP_DATABASE_URL": db.url,
        "FOLLOWUP_SMTP_URL": server.url(),
        "FOLLOWUP_SMTP_RATE_PER_MINUTE": "600",
        "FOLLOWUP_SEND_BATCH": str(BATCH),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "followup", "send"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill_at_random(
    proc: subprocess.Popen[str], handler: Faulty, rng: random.Random, round_: int
) -> str:
    """SIGKILL ``proc`` at a moment drawn from ``rng``; the phase the kill landed in."""
    before = handler.steps["EHLO"]
    way = round_ % 3
    if way == 0:  # while it starts: claimed nothing yet, or claimed and not connected
        time.sleep(rng.uniform(0.0, 1.0))
    elif way == 1:  # right as the server takes the k-th message of this sender
        wanted = handler.steps["DATA"] + rng.randint(1, 2 * BATCH)
        handler.wait_for(lambda steps: steps["DATA"] >= wanted, timeout=60)
    else:  # anywhere in its first batches, however long it took to start
        handler.wait_for(lambda steps: steps["EHLO"] > before, timeout=60)
        time.sleep(rng.uniform(0.0, 2.0))
    with handler.changed:
        os.kill(proc.pid, signal.SIGKILL)
        if handler.steps["EHLO"] == before:
            phase = "before connecting"
        elif handler.current == "DATA":
            phase = "during DATA"
        elif handler.current is not None:
            phase = f"at {handler.current}"
        else:
            phase = "between steps or letters"
    proc.communicate(timeout=60)
    return phase


def _lease_runs_out(db: Database, pid: int) -> None:
    """Time passes: the dead sender's lease (at least 30 s) runs out. Tests never sleep
    on the real clock, so its leases are moved into the past instead."""
    with write_session(db.engine) as session:
        session.exec(
            update(Letter)
            .where(
                col(Letter.status) == LetterStatus.sending,
                col(Letter.lease_owner).like(f"%:{pid}:%"),
            )
            .values(lease_until=datetime(2000, 1, 1, tzinfo=UTC))
            .execution_options(synchronize_session=False)
        )


@pytest.mark.slow
def test_a_sender_killed_twenty_times_never_delivers_a_letter_twice(
    db: Database, server: Server, tmp_path: Path
) -> None:
    business = make_business(db.engine)
    new_client = client_maker(db.engine, business)
    for _ in range(LETTERS):
        make_letter(db.engine, business, new_client(), status=LetterStatus.approved)
    rng = random.Random(SEED)
    killed: set[int] = set()
    phases: list[str] = []
    for round_ in range(ROUNDS):
        proc = _sender(db, server, tmp_path)
        phases.append(_kill_at_random(proc, server.handler, rng, round_))
        killed.add(proc.pid)
        _lease_runs_out(db, proc.pid)
    seen = f"seed {SEED} (FOLLOWUP_TEST_SEED), kills landed: {phases}"

    # A sender that is left to finish: the last dead sender's leases expire, and every
    # letter not yet claimed goes out.
    server.handler.pauses.clear()
    last = _sender(db, server, tmp_path)
    out, err = last.communicate(timeout=120)
    assert last.returncode == 0, (seen, out, err)
    assert "Traceback" not in err, (seen, err)

    with read_session(db.engine) as session:
        letters = list(session.exec(select(Letter)))
    received = Counter(server.handler.message_ids())
    twice = [message_id for message_id, n in received.items() if n > 1]
    assert twice == [], (seen, twice)
    by_status = Counter(lt.status for lt in letters)
    assert set(by_status) <= EXPLICIT, (seen, by_status)
    assert by_status[LetterStatus.sending] == 0
    for letter in letters:
        if letter.status in (LetterStatus.queued, LetterStatus.failed):
            assert letter.last_error, (seen, letter)
        if letter.status == LetterStatus.sent:
            assert received[letter.message_id] == 1, (seen, letter)
        if letter.status == LetterStatus.uncertain:
            # Only a letter a killed sender had claimed, and its lease ran out.
            owner = (letter.lease_owner or "").split(":")
            assert len(owner) == 3 and int(owner[1]) in killed, (seen, letter)
            assert letter.last_error_code == "lease_expired", (seen, letter)
    # Every message the server took is a letter the outbox knows: sent, or uncertain
    # because its sender died before hearing the server's answer.
    sent_or_unsure = {
        lt.message_id for lt in letters if lt.status in (LetterStatus.sent, LetterStatus.uncertain)
    }
    assert set(received) <= sent_or_unsure, seen
    assert by_status[LetterStatus.sent] >= LETTERS - ROUNDS * BATCH, (seen, by_status)
    # The kills did land in every phase: before connecting, during DATA, and elsewhere
    # in a batch (between letters, at MAIL or RCPT).
    assert {"before connecting", "during DATA"} < set(phases), seen
    print(seen, dict(by_status))


class Recording:
    def __init__(self) -> None:
        self.message_ids: list[str] = []

    def send(self, message: EmailMessage) -> None:
        self.message_ids.append(str(message["Message-ID"]))


@pytest.mark.slow
def test_letters_sent_but_not_yet_recorded_when_the_sender_dies_are_never_resent(
    db: Database, tmp_path: Path
) -> None:
    """Sent letters are recorded together at checkpoints: a sender killed in between
    leaves them ``sending``, and the lease's expiry makes them ``uncertain``, not due."""
    business = make_business(db.engine)
    letters = [make_letter(db.engine, business, status=LetterStatus.queued) for _ in range(5)]
    delivered = tmp_path / "delivered"
    dead = subprocess.run(
        [sys.executable, "-c", DIES_AT_THE_THIRD, db.url, str(delivered)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert dead.returncode == -signal.SIGKILL, dead.stderr
    first_two = [lt.message_id for lt in letters[:2]]
    assert delivered.read_text().split() == first_two

    with read_session(db.engine) as session:
        owner = session.exec(select(Letter.lease_owner).where(Letter.id == letters[0].id)).one()
    assert owner is not None
    _lease_runs_out(db, int(owner.split(":")[1]))
    again = Recording()
    settings = get_settings(database_url=db.url, send_batch=3)
    summary = send_due(db.engine, settings, at(NOW), again)

    assert again.message_ids == [lt.message_id for lt in letters[3:]]  # none a second time
    assert summary.sent == 2
    with read_session(db.engine) as session:
        status = {lt.id: lt.status for lt in session.exec(select(Letter))}
    # Delivered, then the sender died before recording them (or just after): never due.
    assert {status[lt.id] for lt in letters[:2]} <= {LetterStatus.uncertain, LetterStatus.sent}
    assert status[letters[2].id] == LetterStatus.uncertain  # claimed, never sent
    assert [status[lt.id] for lt in letters[3:]] == [LetterStatus.sent] * 2
