"""What the Stats page counts: letters per week by kind, in one query.

A letter counts in the week (Monday to Sunday) of its ``day`` (the business's local day
it was drafted for) once it was sent. The week is worked out in the database: the number
of whole weeks since a Monday long ago, written for each dialect (``week_index``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Integer, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from followup.models import Letter, LetterKind, LetterStatus

# A Monday before any letter: week 0 starts on it.
EPOCH = date(2000, 1, 3)
KINDS = tuple(kind.value for kind in LetterKind)


class week_index(FunctionElement[int]):
    """Whole weeks from ``EPOCH`` to a date column (both dialects give an integer)."""

    type = Integer()
    inherit_cache = True


@compiles(week_index, "sqlite")
def _week_sqlite(element: week_index, compiler: Any, **kw: Any) -> str:
    day = compiler.process(next(iter(element.clauses)), **kw)
    return f"CAST((julianday({day}) - julianday('{EPOCH.isoformat()}')) / 7 AS INTEGER)"


@compiles(week_index)
def _week_default(element: week_index, compiler: Any, **kw: Any) -> str:
    day = compiler.process(next(iter(element.clauses)), **kw)
    return f"(({day}) - DATE '{EPOCH.isoformat()}') / 7"


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Week:
    """One week's sent letters: ``counts`` by kind (every kind, zeros included)."""

    starts_on: date
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def letters_per_week(session: Session, business_id: int, first: date, last: date) -> list[Week]:
    """The sent letters of each week from ``first``'s to ``last``'s (both included, every
    week listed even when empty), by kind, counted in the database in one query."""
    start, end = week_start(first), week_start(last)
    if end < start:
        return []
    week = week_index(col(Letter.day))
    rows = session.exec(
        select(week, col(Letter.kind), func.count())
        .where(
            col(Letter.business_id) == business_id,
            col(Letter.status) == LetterStatus.sent,
            col(Letter.day) >= start,
            col(Letter.day) < end + timedelta(days=7),
        )
        .group_by(week, col(Letter.kind))
    ).all()
    counted: dict[tuple[int, str], int] = {(int(w), k): int(n) for w, k, n in rows}
    weeks = []
    monday = start
    while monday <= end:
        index = (monday - EPOCH).days // 7
        weeks.append(Week(monday, {kind: counted.get((index, kind), 0) for kind in KINDS}))
        monday += timedelta(days=7)
    return weeks
