"""Bearer-token auth of the JSON API: every ``/api/v1`` route depends on ``caller``.

The token's business is the only business a request sees: routes pass
``caller.business_id`` to the service layer, which finds nothing of another business
(another business's client is a 404, never a 403 that would say it exists).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from followup.db import read_session, write_session
from followup.errors import Unauthenticated
from followup.tokens import verify_token

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An API token from `followup tokens create`: `Authorization: Bearer fu_…`.",
)


@dataclass(frozen=True)
class Caller:
    """Who asks: the token's business, and the app's database and clock reading."""

    business_id: int
    engine: Engine
    now: datetime

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with read_session(self.engine) as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        with write_session(self.engine) as session:
            yield session


def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """The business of the request's bearer token; 401 without a valid one."""
    if credentials is None:
        raise Unauthenticated("send an API token: Authorization: Bearer fu_…")
    context = request.app.state.followup
    now = context.clock()
    with write_session(context.engine) as session:
        business_id = verify_token(session, credentials.credentials, now)
    return Caller(business_id, context.engine, now)


Auth = Annotated[Caller, Depends(caller)]
