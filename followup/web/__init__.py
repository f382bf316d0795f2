"""The web app that ``followup serve`` runs: built by ``create_app``, the one factory the
dashboard and the JSON API extend (DESIGN §6, §7).

Today it serves what letters need from the web (the unsubscribe links of RFC 8058) and
``/healthz``; with ``scheduler_interval`` its lifespan runs the same scheduler as
``followup worker``, so one process does the whole routine. Nothing imports this
package but ``cli``.
"""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from followup.config import Settings
from followup.jobs.sending import Clock
from followup.web import api, health, unsubscribe


@dataclass(frozen=True)
class Context:
    """What every route may use: on ``app.state.followup``."""

    engine: Engine
    settings: Settings
    clock: Clock


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
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.followup = Context(engine, settings, clock)
    app.include_router(health.router)
    app.include_router(unsubscribe.router)
    api.mount(app)
    return app
