"""One day at a time per business: runs of different days, in parallel, pick as if in turn.

``run_day`` for day D picks from what earlier days left (letters in the pipeline, the
cooldown); two days picked from the same state give one client two letters.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import col, func, select

from followup.config import get_settings
from followup.db import BUSINESS_LOCK, make_engine, migrate, read_session, write_session
from followup.errors import ConfigError
from followup.jobs import run_day, skip_pick
from followup.models import (
    PIPELINE_STATUSES,
    Business,
    Client,
    DailyRun,
    Event,
    Letter,
    LetterKind,
    LetterStatus,
)
from tests.factories import MONDAY, NOW, ClientMaker, Database, make_business
from tests.test_jobs import _spawn_daily

CLIENTS = 600
# Letters that never reached the client start no cooldown (DESIGN §3).
NOT_DELIVERED = (LetterStatus.cancelled, LetterStatus.failed)
QUOTA = 50
# Six consecutive working days, Monday to the next Monday: each within the cooldown
# (14 days by default) of every other, so a client may get only one of them.
DAYS = [MONDAY + timedelta(days=n) for n in (0, 1, 2, 3, 4, 7)]


def _seed(db: Database) -> int:
    """600 clients, each with a purchase (tier 5 on all six days); every third with a
    complaint or two (tier 1, which ignores the cooldown); every tenth with a letter sent
    last week, inside the cooldown of all six days. Returns the business's cooldown."""
    business = make_business(db.engine, daily_quota=QUOTA)
    assert business.id is not None
    with write_session(db.engine) as session:
        clients = [
            Client(business_id=business.id, name=f"Cliente {i}", email=f"c{i}@example.es")
            for i in range(CLIENTS)
        ]
        session.add_all(clients)
        session.flush()
        rows: list[Event | Letter] = []
        for i, client in enumerate(clients):
            assert client.id is not None
            rows.append(_event(business.id, client.id, "purchase", MONDAY - timedelta(days=3)))
            if i % 3 == 0:
                for back in range(1 + i % 2):
                    day = MONDAY - timedelta(days=1 + back + i % 5)
                    rows.append(_event(business.id, client.id, "complaint", day))
            if i % 10 == 0:
                rows.append(_sent_letter(business.id, client.id, MONDAY - timedelta(days=5)))
        session.add_all(rows)
    return business.cooldown_days


def _event(business_id: int, client_id: int, kind: str, day: date) -> Event:
    return Event(
        business_id=business_id,
        client_id=client_id,
        kind=kind,
        day=day,
        summary=f"{kind} del {day.isoformat()}",
        item="unas luces",
        created_at=NOW,
    )


def _sent_letter(business_id: int, client_id: int, day: date) -> Letter:
    return Letter(
        business_id=business_id,
        client_id=client_id,
        day=day,
        kind=LetterKind.thank_you,
        locale="es",
        to_email=f"c{client_id}@example.es",
        subject="Gracias por su confianza",
        body_text="Gracias.\n",
        body_html="<p>Gracias.</p>",
        message_id=f"<{day:%Y%m%d}.sent{client_id}@bicis.example>",
        status=LetterStatus.sent,
        created_at=NOW,
        updated_at=NOW,
    )


def _too_close(letters: list[Letter], cooldown: int) -> list[int]:
    """Clients with a letter drafted within ``cooldown`` days of an earlier-drafted one
    (ids give the drafting order), unless it is an apology: tier 1 only needs nothing in
    the pipeline (``picking.tiers.eligible``)."""
    earlier: dict[int, list[date]] = defaultdict(list)
    broken = set()
    for letter in sorted(letters, key=lambda lt: lt.id or 0):
        if letter.status in NOT_DELIVERED:
            continue
        days = earlier[letter.client_id]
        if letter.kind != LetterKind.apology and any(
            abs((letter.day - d).days) <= cooldown for d in days
        ):
            broken.add(letter.client_id)
        days.append(letter.day)
    return sorted(broken)


@pytest.mark.slow
def test_six_days_run_at_once_pick_as_if_in_turn(db: Database, tmp_path: Path) -> None:
    """Six processes, one per day, all picking first from the same 600 clients: only the
    business's lock keeps them from all choosing the same 50."""
    cooldown = _seed(db)
    results = _spawn_daily(db.url, DAYS, tmp_path)
    assert [r.returncode for r in results] == [0] * len(DAYS), [r.stderr for r in results]
    with read_session(db.engine) as session:
        letters = list(session.exec(select(Letter).order_by(col(Letter.id))))
    drafted = [lt for lt in letters if lt.status == LetterStatus.draft]
    pipeline = Counter(lt.client_id for lt in letters if lt.status in PIPELINE_STATUSES)
    doubled = Counter(n for n in pipeline.values() if n > 1)
    assert not doubled, f"clients with more than one letter in the pipeline, by count: {doubled}"
    too_close = _too_close(letters, cooldown)
    assert too_close == [], f"{len(too_close)} clients with two letters within the cooldown"
    # Every day filled its quota from clients the other days left.
    assert Counter(lt.day for lt in drafted) == Counter(dict.fromkeys(DAYS, QUOTA))
    # The apology exception was exercised: clients written to last week got an apology.
    recent = {lt.client_id for lt in letters if lt.status == LetterStatus.sent}
    assert any(lt.kind == LetterKind.apology and lt.client_id in recent for lt in drafted)


def _held(db: Database, business_id: int) -> bool:
    """Whether another connection would have to wait to pick for the business."""
    if db.engine.dialect.name == "sqlite":
        other = sqlite3.connect(str(make_url(db.url).database), timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            return True
        finally:
            other.close()
        return False
    with db.engine.connect() as conn:
        # Rolled back on leaving: a lock this takes is let go at once.
        got = conn.execute(
            text(
                "SELECT pg_try_advisory_xact_lock(CAST(:kind AS integer), "
                "CAST(:business AS integer))"
            ),
            {"kind": BUSINESS_LOCK, "business": business_id},
        ).scalar_one()
    return not got


def test_a_skip_holds_the_business_until_it_commits(
    db: Database, business: Business, make_client: ClientMaker
) -> None:
    """A skip picks a replacement as a day's run picks: under the same lock."""
    assert business.id is not None
    clients = [make_client() for _ in range(5)]
    other = make_business(db.engine, name="Otra tienda")
    assert other.id is not None and clients[0].id is not None
    assert run_day(db.engine, business.id, MONDAY, NOW).status == "done"
    assert not _held(db, business.id)
    with write_session(db.engine) as session:
        fresh = session.get(Business, business.id)
        assert fresh is not None
        assert skip_pick(session, fresh, MONDAY, clients[0].id, NOW) is not None
        assert _held(db, business.id)
        # PostgreSQL holds this business only; SQLite's write lock is the whole file's.
        assert _held(db, other.id) == (db.engine.dialect.name == "sqlite")
    assert not _held(db, business.id)


def test_a_day_is_refused_above_read_committed(postgres_url: str) -> None:
    """At REPEATABLE READ the lock's own statement would fix the snapshot: the day would
    be picked from what was there before the previous holder committed."""
    engine = make_engine(get_settings(database_url=postgres_url))
    migrate(engine)
    business = make_business(engine)
    assert business.id is not None
    strict = engine.execution_options(isolation_level="REPEATABLE READ")
    with pytest.raises(ConfigError, match="read committed"):
        run_day(strict, business.id, MONDAY, NOW)
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(DailyRun)).one() == 0
    engine.dispose()
