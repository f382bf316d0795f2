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
        if count is None:
            return make()
        with self._lock:
            if count == self._count:
                value = self._values.get(key, _MISSING)
                if value is not _MISSING:
                    self._values.move_to_end(key)
                    return value  # type: ignore[return-value]
        value = make()
        with self._lock:
            if count > self._count:  # everything remembered before is out of date
                self._values.clear()
                self._count = count
            if count == self._count:  # an older count's value is not kept
                self._values[key] = value
                while len(self._values) > self._size:
                    self._values.popitem(last=False)
        return value


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
