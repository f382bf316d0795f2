"""The JSON API under ``/api/v1`` (DESIGN §7): bearer tokens, one error shape, the public
views of ``followup.schemas``; every route goes through the service layer the CLI uses.

``mount(app)`` adds the routes to ``create_app``'s app; their errors are answered by the
handlers of ``errors`` (one JSON shape), which ``web.errors`` calls for ``/api/`` paths.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

from followup.web.api import clients, events, letters, picks, recovery, templates
from followup.web.api.auth import caller

PREFIX = "/api/v1"


def mount(app: FastAPI) -> None:
    api = APIRouter(prefix=PREFIX, dependencies=[Depends(caller)])
    for module in (clients, events, picks, letters, recovery, templates):
        api.include_router(module.router)
    app.include_router(api)
