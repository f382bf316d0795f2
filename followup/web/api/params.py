"""What several API modules share: ids in paths, pages, and the business of the caller.

Query and path values are read strictly, as the bodies are: ``limit=1.0``, ``limit=+5``,
``open=yes`` or ``day=0`` (which pydantic would read as 1970-01-01) are 422s, not
guesses. An integer is written in plain digits, a boolean ``true`` or ``false``, a day
YYYY-MM-DD.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BeforeValidator
from sqlmodel import Session

from followup.businesses import get_business
from followup.calendar import local_today
from followup.models import Business
from followup.web.api.auth import Caller
from followup.web.api.schemas import iso_day


def plain_integer(value: Any) -> Any:
    """Digits only (a sign for a negative one): not ``1.0``, ``1_0``, ``+1`` or `` 1``."""
    if isinstance(value, str) and not re.fullmatch(r"-?[0-9]{1,12}", value):
        raise ValueError("write a whole number in digits, like 50")
    return value


def true_or_false(value: Any) -> Any:
    """``true`` or ``false``: not ``yes``, ``on``, ``1`` or ``True``."""
    if isinstance(value, str) and value not in ("true", "false"):
        raise ValueError("write true or false")
    return value


Integer = BeforeValidator(plain_integer)
# Ids are positive and fit every database's integer column.
MAX_ID = 2**31 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID), Integer]
# The validator comes after the Query: before it, FastAPI writes ``ge``/``le`` into the
# OpenAPI document instead of ``minimum``/``maximum``.
Limit = Annotated[
    int, Query(ge=1, le=200, description="At most this many items (≤ 200)."), Integer
]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="Skip this many items first."), Integer]
Flag = BeforeValidator(true_or_false)
QueryText = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")]
QueryDay = Annotated[
    date | None, Query(description="A local day, YYYY-MM-DD."), BeforeValidator(iso_day)
]


def business_of(session: Session, caller: Caller) -> Business:
    return get_business(session, caller.business_id)


def today_of(business: Business, caller: Caller, day: date | None = None) -> date:
    """``day`` when given, else the business's local today by the app's clock."""
    return day or local_today(business, caller.now)
