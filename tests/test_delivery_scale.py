"""Delivery at scale: thirty working days of a business in ``auto`` mode, each run by
eight ``followup tick --date D`` processes at once, against a real SMTP server on
loopback that counts every message by its Message-ID (DESIGN §5, §6: "safe in two
places at once").

Each day must pick exactly the quota, and every letter drafted must reach the server
exactly once, on its own day: the DailyRun key keeps the eight processes to one set of
picks, the claim keeps them to one delivery per letter.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from followup.db import read_session, write_session
from followup.events import EventInput, add_event
from followup.models import ApprovalMode, Client, DailyRun, Letter, LetterStatus, Pick
from tests.factories import NOW, Database, make_business
from tests.smtp_server import Server, serving

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 200
QUOTA = 3
TICKS = 8  # processes per day
FIRST = date(2026, 10, 5)  # a Monday: six weeks of working days, no holidays configured
DAYS = [FIRST + timedelta(weeks=w, days=d) for w in range(6) for d in range(5)]

GIVEN = (
    "María",
    "José",
    "Lucía",
    "Javier",
    "Carmen",
    "Andrés",
    "Pilar",
    "Sergio",
    "Elena",
    "Diego",
    "Rosa",
    "Álvaro",
    "Marta",
    "Pablo",
    "Isabel",
    "Raúl",
    "Nuria",
    "Tomás",
)
FAMILY = (
    "García",
    "Martínez",
    "López",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Ruiz",
    "Díaz",
    "Moreno",
    "Muñoz",
    "Álvarez",
    "Romero",
    "Navarro",
    "Torres",
    "Gil",
    "Serrano",
    "Ibáñez",
)
# What happened, in the owner's words written to the client (usted), as in the demo.
PURCHASES = (
    ("Compra de casco y luces delanteras", "casco y luces delanteras", "64.90"),
    ("Revisión completa de su bicicleta", "revisión completa", "45"),
    ("Cambio de cadena y piñones", "cadena y piñones", "78.50"),
    ("Juego de ruedas de montaña", "juego de ruedas de montaña", "310"),
)
COMPLAINT = (
    "Le cobramos dos veces la factura del cambio de cadena",
    "le hemos devuelto el cargo duplicado de 78,50 € a su tarjeta",
)
COOPERATION = "Nos envió fotos y un vídeo que nos ayudaron a localizar un fallo en los frenos"
LOST = "Le hicimos mal la revisión de su bicicleta, y con razón prefirió otro taller"


def _seed(db: Database) -> None:
    """200 clients, each with a purchase somewhere from two months before the first day
    to the last one; some with a complaint, a cooperation or a loss on a day inside the
    six weeks, so that the tiers above the rotation have work on their days."""
    business = make_business(
        db.engine, approval_mode=ApprovalMode.auto, daily_quota=QUOTA, form_of_address="usted"
    )
    assert business.id is not None
    span = (DAYS[-1] - FIRST).days
    with write_session(db.engine) as session:
        clients = [
            Client(
                business_id=business.id,
                name=f"{GIVEN[i % len(GIVEN)]} {FAMILY[i % len(FAMILY)]} "
                f"{FAMILY[(i // len(FAMILY)) % len(FAMILY)]}",
                email=f"cliente{i}@example.es",
                created_at=NOW,
            )
            for i in range(CLIENTS)
        ]
        session.add_all(clients)
        session.flush()
        for i, client in enumerate(clients):
            summary, item, amount = PURCHASES[i % len(PURCHASES)]
            bought = FIRST + timedelta(days=(i * 7) % (span + 60) - 60)
            events = [EventInput("purchase", bought, summary, item, amount)]
            inside = FIRST + timedelta(days=(i * 11) % span)
            if i % 13 == 0:
                complaint, remedy = COMPLAINT
                events.append(EventInput("complaint", inside, complaint, compensation=remedy))
            elif i % 17 == 0:
                events.append(EventInput("cooperation", inside, COOPERATION))
            elif i % 29 == 0:
                events.append(EventInput("lost", inside, LOST))
            for event in events:
                add_event(session, client, event, NOW)


@pytest.fixture
def server() -> Iterator[Server]:
    yield from serving()


def _tick_all(day: date, env: dict[str, str], cwd: Path) -> list[tuple[int, str, str]]:
    """``TICKS`` processes of ``followup tick --date DAY`` started at once; each one's
    exit code, output and errors."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "followup", "tick", "--date", day.isoformat()],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(TICKS)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append((proc.returncode, out, err))
    return results


@pytest.mark.slow
def test_eight_ticks_a_day_for_thirty_days_deliver_every_letter_exactly_once(
    db: Database, server: Server, tmp_path: Path
) -> None:
    _seed(db)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "FOLLOWUP_DATABASE_URL": db.url,
        "FOLLOWUP_SMTP_URL": server.url(),
        "FOLLOWUP_SMTP_RATE_PER_MINUTE": "600",
    }
    started = time.perf_counter()
    for day in DAYS:
        results = _tick_all(day, env, tmp_path)
        assert [code for code, _, _ in results] == [0] * TICKS, [err for _, _, err in results]
        assert [err for _, _, err in results] == [""] * TICKS
        drafted = [out for _, out, _ in results if f"{day}: letters drafted ({QUOTA})" in out]
        assert len(drafted) == 1, [out for _, out, _ in results]
        # The day's letters left on the day, by one of its eight ticks.
        with read_session(db.engine) as session:
            waiting = session.exec(
                select(Letter.id, Letter.status).where(col(Letter.status) != LetterStatus.sent)
            ).all()
        assert waiting == [], f"on {day}, letters not sent: {waiting}"
    elapsed = time.perf_counter() - started
    print(f"{len(DAYS)} days x {TICKS} ticks on {db.engine.dialect.name}: {elapsed:.1f} s")

    with read_session(db.engine) as session:
        runs = session.exec(select(col(DailyRun.day), col(DailyRun.picked))).all()
        picks = Counter(session.exec(select(col(Pick.day))).all())
        letters = list(session.exec(select(Letter)))
    assert sorted(runs) == [(day, QUOTA) for day in DAYS]
    assert picks == Counter(dict.fromkeys(DAYS, QUOTA))  # exactly the quota, every day
    assert len(letters) == QUOTA * len(DAYS)
    assert {lt.status for lt in letters} == {LetterStatus.sent}
    # The tiers above the rotation had their turn: apologies, cooperation, lost clients.
    assert {"apology", "cooperation", "lost_client", "thank_you"} <= {lt.kind for lt in letters}
    received = Counter(server.handler.message_ids())
    assert received == Counter({lt.message_id: 1 for lt in letters}), (
        f"received twice: {[m for m, n in received.items() if n > 1]}; "
        f"never received: {sorted({lt.message_id for lt in letters} - set(received))}"
    )
    assert len(server.handler.received) == len(letters)
