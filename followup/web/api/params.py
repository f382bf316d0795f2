"""What several API modules share: ids in paths, pages, and the business of the caller."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Path, Query
from sqlmodel import Session

from followup.businesses import get_business
from followup.calendar import local_today
from followup.models import Business
from followup.web.api.auth import Caller

# Ids are positive and fit every database's integer column.
MAX_ID = 2**31 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=200, description="At most this many items (≤ 200).")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="Skip this many items first.")]
QueryText = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")]
QueryDay = Annotated[date | None, Query(description="A local day, YYYY-MM-DD.")]


def business_of(session: Session, caller: Caller) -> Business:
    return get_business(session, caller.business_id)


def today_of(business: Business, caller: Caller, day: date | None = None) -> date:
    """``day`` when given, else the business's local today by the app's clock."""
    return day or local_today(business, caller.now)
