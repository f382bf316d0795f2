"""The dashboard's login failures, counted in the database so that every process serving
the dashboard sees the same count (``followup.accounts.throttle``), and the counter of
committed changes that tells the dashboard a page is still fresh (``followup.changes``).
Re-exported by ``followup.models``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel


class LoginFailure(SQLModel, table=True):
    """One refused login: ``scope`` is ``email`` or ``ip``, ``key`` the address tried or
    the client's IP. Rows older than the throttle's window are deleted as new ones come."""

    __table_args__ = (Index("ix_loginfailure_scope_key_at", "scope", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=5)
    key: str = Field(max_length=320)
    at: datetime


class DataChange(SQLModel, table=True):
    """One row: how many transactions that changed the data have committed, counted by
    the database's triggers (``followup.changes``). Nothing writes it but them."""

    id: int = Field(primary_key=True)
    counter: int = Field(sa_type=BigInteger)
