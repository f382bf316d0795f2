"""``GET /healthz``: no login; whether the database answers, and per business whether
today's run and the last send happened (DESIGN §7)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from followup.db import read_session
from followup.schemas import BusinessHealth
from followup.services import health

router = APIRouter()


class Health(BaseModel):
    ok: bool
    database: str
    businesses: list[BusinessHealth]


@router.get(
    "/healthz",
    response_model=Health,
    responses={503: {"model": Health, "description": "The database does not answer."}},
)
def healthz(request: Request) -> Any:
    context = request.app.state.followup
    try:
        with read_session(context.engine) as session:
            businesses = health(session, context.clock())
    except SQLAlchemyError as exc:
        unhealthy = Health(ok=False, database=type(exc).__name__, businesses=[])
        return JSONResponse(unhealthy.model_dump(mode="json"), status_code=503)
    return Health(ok=True, database="ok", businesses=businesses)
