"""The JSON API under ``/api/v1`` (DESIGN §7): bearer tokens, one error shape, the public
views of ``followup.schemas``; every route goes through the service layer the CLI uses.

``mount(app)`` adds the routes and the error handlers to ``create_app``'s app.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

from followup.web.api import clients, events, letters, picks, recovery, templates
from followup.web.api.auth import caller
from followup.web.api.errors import install

PREFIX = "/api/v1"


def mount(app: FastAPI) -> None:
    api = APIRouter(prefix=PREFIX, dependencies=[Depends(caller)])
    for module in (clients, events, picks, letters, recovery, templates):
        api.include_router(module.router)
    app.include_router(api)
    install(app)
