"""What the dashboard may answer again without asking the database: a request reads the
database's count of committed changes (``followup.changes``) once, before anything else,
and whatever was worked out at that count (who the session's owner is, their business,
Today's page) is still true while the count has not moved. Every process that writes
(this server, the CLI, the worker, an owner's SQL) moves it, so nothing is served stale.

Entries live in this process only, a few of each, and all of them are forgotten as soon
as a request sees a newer count. Without a count (a schema built without the migrations)
nothing is remembered.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from followup import changes

T = TypeVar("T")
_UNREAD = object()
_MISSING = object()


class Remembered:
    """Values worked out at one count of changes, the newest count's only."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._values: OrderedDict[Hashable, object] = OrderedDict()
        self._count = -1
        self._lock = threading.Lock()

    def get_or_make(self, count: int | None, key: Hashable, make: Callable[[], T]) -> T:
        """The value of ``key`` at ``count``, made once and then remembered."""
        value = self.get(count, key)
        if value is _MISSING:
            value = make()
            self.keep(count, key, value)
        return value  # type: ignore[return-value]

    def get(self, count: int | None, key: Hashable) -> object:
        """The value of ``key`` at ``count``, or ``_MISSING``."""
        with self._lock:
            if count is None or count != self._count:
                return _MISSING
            value = self._values.get(key, _MISSING)
            if value is not _MISSING:
                self._values.move_to_end(key)
            return value

    def keep(self, count: int | None, key: Hashable, value: object) -> None:
        if count is None:
            return
        with self._lock:
            if count > self._count:  # everything remembered before is out of date
                self._values.clear()
                self._count = count
            if count == self._count:  # an older count's value is not kept
                self._values[key] = value
                while len(self._values) > self._size:
                    self._values.popitem(last=False)


def change_count(request: Request) -> int | None:
    """The database's count of changes, read once per request, the first time it is
    asked for: before the data it vouches for."""
    count = getattr(request.state, "change_count", _UNREAD)
    if count is _UNREAD:
        count = changes.counter(request.app.state.followup.engine)
        request.state.change_count = count
    return count if isinstance(count, int) else None


def remembered(request: Request, key: Hashable, make: Callable[[], T]) -> T:
    """``make()``'s value for ``key``, worked out again only after the data changed."""
    memory: Remembered = request.app.state.followup.remembered
    return memory.get_or_make(change_count(request), key, make)


async def remembered_async(request: Request, key: Hashable, make: Callable[[], T]) -> T:
    """``remembered`` for an ``async`` route: a remembered value costs no thread; only
    ``make`` (which reads the database) runs in the thread pool."""
    memory: Remembered = request.app.state.followup.remembered
    read = hasattr(request.state, "change_count")  # by the login's dependency, usually
    count = change_count(request) if read else await run_in_threadpool(change_count, request)
    value = memory.get(count, key)
    if value is _MISSING:
        value = await run_in_threadpool(make)
        memory.keep(count, key, value)
    return value  # type: ignore[return-value]
