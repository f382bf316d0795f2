"""How fast the dashboard answers with 100,000 clients: Today and the client search,
against a static page of the same app, at 20 concurrent connections.

    .venv/bin/python benchmarks/dashboard.py [CLIENTS] [--seconds S] [--connections C]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
    # 100,000 clients, 10 s per page, 20 connections, a SQLite file

Fills a fresh SQLite database with CLIENTS clients (a purchase for one in ten, a few
complaints), runs the day (three picks, their drafts), and serves ``create_app`` with
uvicorn in a process of its own, exactly as ``followup serve`` does, plus one extra route
that answers a constant page through the same middleware (sessions, security headers):
the most any page could do in this setup. Then, logged in as the owner, it asks each
page as fast as C connections allow for S seconds and prints requests per second and
the p50 and p99 latencies of each, and Today's rate as a share of the static page's.

Target: Today at 50 % or more of the static page.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import re
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

SECRET = "a-long-random-secret-for-the-benchmark-0123456789"
PASSWORD = "benchmark password"
EMAIL = "marta@bicis.example"
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # a Monday, before the send time
DAY = date(2026, 11, 23)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fill(url: str, clients: int) -> None:
    """A business with ``clients`` clients, some events, its owner's login and today's run."""
    from sqlalchemy import insert

    from followup.accounts import add_user
    from followup.businesses import create_business
    from followup.config import get_settings
    from followup.db import make_engine, migrate, write_session
    from followup.jobs import run_day
    from followup.models import Client, Event

    engine = make_engine(get_settings(database_url=url))
    migrate(engine)
    with write_session(engine) as session:
        business = create_business(
            session, NOW, name="Taller de Bicicletas Ruiz", owner_name="Marta Ruiz",
            sender_email=EMAIL, locale="es", timezone="Europe/Madrid",
        )  # fmt: skip
        assert business.id is not None
        business_id = business.id
        add_user(session, business_id, EMAIL, PASSWORD, NOW)
    step = 5_000
    with engine.begin() as conn:
        for first in range(0, clients, step):
            rows = [
                {
                    "business_id": business_id,
                    "name": f"Cliente {n} Pérez",
                    "email": f"cliente{n}@example.es",
                    "company": f"Empresa {n % 500}",
                    "phone": "",
                    "tags": "bici" if n % 3 else "taller",
                    "notes": "",
                    "greeting": "",
                    "status": "active",
                    "do_not_contact": False,
                    "created_at": NOW,
                    "last_contacted_on": DAY - timedelta(days=30 + n % 300),
                }
                for n in range(first, min(first + step, clients))
            ]
            conn.execute(insert(Client), rows)
        ids = [row[0] for row in conn.exec_driver_sql("SELECT id FROM client ORDER BY id")]
        events = [
            {
                "business_id": business_id,
                "client_id": client_id,
                "kind": "complaint" if n % 997 == 0 else "purchase",
                "day": DAY - timedelta(days=1 + n % 20),
                "summary": "Le entregamos la bici tarde" if n % 997 == 0 else "Una revisión",
                "created_at": NOW,
            }
            for n, client_id in enumerate(ids[::10])
        ]
        conn.execute(insert(Event), events)
    if engine.dialect.name == "postgresql":  # as autovacuum would soon: fresh statistics
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    run_day(engine, business_id, DAY, NOW)
    engine.dispose()


def serve(url: str, port: int) -> None:
    """The app as `followup serve` runs it (no scheduler), plus a constant page."""
    import uvicorn
    from fastapi.responses import HTMLResponse

    from followup.config import get_settings
    from followup.db import make_engine
    from followup.web import create_app

    settings = get_settings(database_url=url, secret_key=SECRET)
    app = create_app(make_engine(settings), settings, lambda: NOW)
    page = "<!doctype html><html lang=es><title>static</title><p>static</p></html>"

    @app.get("/benchmark-static")
    async def static() -> HTMLResponse:
        return HTMLResponse(page)

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def measure(
    base: str, cookies: dict[str, str], path: str, seconds: float, connections: int
) -> tuple[float, float, float, int]:
    """(requests per second, p50 ms, p99 ms, errors) for ``path``."""
    import httpx2 as httpx

    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(
        base_url=base, cookies=cookies, limits=limits, timeout=60
    ) as client:
        for _ in range(connections):  # warm each connection
            await client.get(path)
        end = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < end:
                start = time.perf_counter()
                answer = await client.get(path)
                latencies.append(time.perf_counter() - start)
                if answer.status_code != 200:
                    errors += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        took = time.perf_counter() - began
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return len(latencies) / took, statistics.median(ordered) * 1000, p99 * 1000, errors


def log_in(base: str) -> dict[str, str]:
    import httpx2 as httpx

    with httpx.Client(base_url=base, follow_redirects=False) as client:
        page = client.get("/login")
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found is not None, page.text
        answer = client.post(
            "/login",
            data={"email": EMAIL, "password": PASSWORD, "next": "/", "csrf_token": found[1]},
        )
        assert answer.status_code == 303, answer.text
        return dict(client.cookies)


@contextmanager
def database(postgres: str | None, folder: str) -> Iterator[str]:
    """A fresh SQLite file in ``folder``, or a fresh database on the ``postgres`` server."""
    if postgres is None:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"followup_benchmark_{os.getpid()}"
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(postgres).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clients", nargs="?", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="a PostgreSQL server (postgresql+psycopg://user@host/db) on which to create, "
        "use and drop a database of its own, instead of a SQLite file",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, database(args.postgres, folder) as url:
        began = time.perf_counter()
        fill(url, args.clients)
        print(f"{args.clients:,} clients ready in {time.perf_counter() - began:.1f} s")
        port = free_port()
        server = multiprocessing.get_context("spawn").Process(target=serve, args=(url, port))
        server.start()
        base = f"http://127.0.0.1:{port}"
        try:
            import httpx2 as httpx

            deadline = time.monotonic() + 30
            while True:
                try:
                    cookies = log_in(base)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            pages = {
                "static page": "/benchmark-static",
                "Today": "/",
                "client search": "/clients?q=P%C3%A9rez%2099",
            }
            results = {}
            for name, path in pages.items():
                print(f"asking {name} ({path}) for {args.seconds:g} s", flush=True)
                results[name] = asyncio.run(
                    measure(base, cookies, path, args.seconds, args.connections)
                )
        finally:
            server.terminate()
            server.join()
    print(f"{'page':<15} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, (rate, p50, p99, errors) in results.items():
        print(f"{name:<15} {rate:>8.1f} {p50:>8.1f} {p99:>8.1f} {errors:>7}")
    share = results["Today"][0] / results["static page"][0]
    print(f"Today at {share:.0%} of the static page (target: 50 % or more)")
    return 0 if share >= 0.5 and not any(r[3] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
