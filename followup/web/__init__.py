"""The web app that ``followup serve`` runs: built by ``create_app``, the one factory the
dashboard and the JSON API extend (DESIGN §6, §7).

It serves the dashboard's shell (login, sessions, CSRF, the layout and its two
languages: ``pages`` says how to add a page), what letters need from the web (the
unsubscribe links of RFC 8058) and ``/healthz``; with ``scheduler_interval`` its
lifespan runs the same scheduler as ``followup worker``, so one process does the whole
routine. Every response carries the security headers (``security``); what needs no
login is listed once, in ``public``. Nothing imports this package but ``cli``.
"""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from followup.config import Settings
from followup.jobs.sending import Clock
from followup.web import api, docs, errors, health, login, pages, unsubscribe
from followup.web.freshness import Remembered
from followup.web.security import SecurityHeaders
from followup.web.sessions import SessionMiddleware

STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True)
class Context:
    """What every route may use: on ``app.state.followup``."""

    engine: Engine
    settings: Settings
    clock: Clock
    # What was worked out at the database's last count of changes (``freshness``).
    remembered: Remembered = field(default_factory=Remembered)


def create_app(
    engine: Engine,
    settings: Settings,
    clock: Clock,
    *,
    scheduler_interval: float | None = None,
) -> FastAPI:
    """The app; with ``scheduler_interval`` (seconds between sending rounds) it also runs
    each business's day and the sending rounds while it serves."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if scheduler_interval is None:
            yield
            return
        from followup.jobs.scheduler import Worker
        from followup.jobs.stopping import StopFlag

        worker = Worker(engine, settings, clock, StopFlag())
        await worker.start(scheduler_interval)
        try:
            yield
        finally:
            # The server stops on SIGTERM or Ctrl-C: the letter in flight is finished
            # and the rest of the round goes back to the queue, as `worker` does.
            await worker.shutdown(signal.SIGTERM)

    app = FastAPI(
        title="followup",
        version="0.1.0",
        lifespan=lifespan,
        # /docs is served by ``docs`` (vendored Swagger UI, no inline script).
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.followup = Context(engine, settings, clock)
    https = (settings.base_url or "").startswith("https://")
    # The last added runs first: the headers wrap everything, the session the routes.
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key, always_secure=https)
    app.add_middleware(SecurityHeaders)
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(health.router)
    app.include_router(unsubscribe.router)
    app.include_router(docs.router)
    app.include_router(login.router)
    for router in pages.routers():
        app.include_router(router)
    api.mount(app)
    return app
