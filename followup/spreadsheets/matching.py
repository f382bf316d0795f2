"""Which existing client a row of a client file is: the import's index of the business's
clients (DESIGN §7 "CSV import").

An import commits in chunks, so it cannot keep every client as a model object for the
length of the file: the index keeps only each client's keys (id, email, external
reference, name and phone), some 500 bytes a client, and each chunk loads the rows
it touches (``ClientIndex.load_rows``). Loading them also refreshes their keys, so a
client added or changed by someone else between two chunks is matched as it is now, and
no insert trips over a unique email or reference.

A row matches by external reference first, then by email; a row with no email (or a
client with none) may match by name and phone. The index is kept current as rows apply,
so emails passed between clients within one file, and duplicates within it, are seen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, Table, select
from sqlmodel import Session

from followup.models import Client

CLIENTS: Table = Client.__table__  # type: ignore[attr-defined]
_NOT_A_DIGIT = re.compile(r"\D")
# What a row is matched on: its external reference, email and contact key.
Keys = tuple[str | None, str | None, str | None]
# What an import compares and matches on (dates left out: reading them is slow on SQLite).
STORED = tuple(
    CLIENTS.c[name]
    for name in (
        "id", "name", "greeting", "email", "phone", "company", "address", "locale",
        "form_of_address", "tags", "notes", "external_ref", "do_not_contact",
    )
)  # fmt: skip


def contact_key(name: str, phone: str) -> str | None:
    """Name (any case) and phone digits, one string: a few bytes less per client."""
    digits = _NOT_A_DIGIT.sub("", phone)
    return f"{name.casefold()}\x00{digits}" if name and digits else None


def name_of(session: Session, business_id: int, known: Known) -> str:
    """The name of a client the index knows, for a message (the index keeps no names)."""
    if known.email is not None:
        query = select(CLIENTS.c.name).where(
            CLIENTS.c.business_id == business_id, CLIENTS.c.email == known.email
        )
        if (name := session.execute(query).scalar()) is not None:
            return str(name)
    return f"row {known.row} of this file"  # not stored yet: this import's own


class Known:
    """One client as the index knows it: its keys, and the row of the file that claimed it.

    No name: only its keys are kept, so that 100,000 clients fit in some 50 MB.
    """

    __slots__ = ("contact", "email", "id", "ref", "row")

    def __init__(
        self, id: int | None, email: str | None, ref: str | None, contact: str | None
    ) -> None:
        self.id = id  # None for a client this import inserted, until a later chunk loads it
        self.row: int | None = None
        self.set(email, ref, contact)

    @classmethod
    def of(cls, row: Row[Any]) -> Known:
        return cls(row.id, row.email, row.external_ref, contact_key(row.name, row.phone))

    def set(self, email: str | None, ref: str | None, contact: str | None) -> None:
        self.email, self.ref, self.contact = email, ref, contact

    def same_keys(self, row: Row[Any]) -> bool:
        return (self.email, self.ref, self.contact) == (
            row.email, row.external_ref, contact_key(row.name, row.phone)
        )


class ClientIndex:
    """The business's clients by email, reference and (name, phone)."""

    def __init__(self, business_id: int) -> None:
        self.business_id = business_id
        self.by_id: dict[int, Known] = {}
        self.by_email: dict[str, Known] = {}
        self.by_ref: dict[str, Known] = {}
        self.by_contact: dict[str, Known] = {}

    @classmethod
    def of(cls, session: Session, business_id: int) -> ClientIndex:
        index = cls(business_id)
        keys = select(
            CLIENTS.c.id, CLIENTS.c.name, CLIENTS.c.email, CLIENTS.c.external_ref, CLIENTS.c.phone
        ).where(CLIENTS.c.business_id == business_id).order_by(CLIENTS.c.id)
        for row in session.execute(keys.execution_options(yield_per=2000)):
            index.add(Known.of(row))
        return index

    def add(self, known: Known) -> None:
        # The oldest client keeps a key several share (only name and phone can be shared).
        if known.id is not None:
            self.by_id[known.id] = known
        if known.email:
            self.by_email.setdefault(known.email, known)
        if known.ref:
            self.by_ref.setdefault(known.ref, known)
        if known.contact:
            self.by_contact.setdefault(known.contact, known)

    def drop(self, known: Known) -> None:
        if known.email and self.by_email.get(known.email) is known:
            del self.by_email[known.email]
        if known.ref and self.by_ref.get(known.ref) is known:
            del self.by_ref[known.ref]
        if known.contact and self.by_contact.get(known.contact) is known:
            del self.by_contact[known.contact]

    def match(
        self, ref: str | None, email: str | None, contact: str | None
    ) -> tuple[Known | None, str]:
        """External reference first, then email; a row with no email may match by name and
        phone (``contact``). Returns the client and the column that matched it."""
        if ref and (known := self.by_ref.get(ref)):
            return known, "external_id"
        if email and (known := self.by_email.get(email)):
            return known, "email"
        if contact and (known := self.by_contact.get(contact)) and not (email and known.email):
            return known, "phone"
        return None, ""

    def load_rows(
        self, session: Session, keys: Sequence[Keys], *, refresh: bool
    ) -> dict[int, Row[Any]]:
        """The stored rows of every client ``keys`` may match, by id.

        With ``refresh``, the index takes their keys as they are now: a client deleted
        since is forgotten, one added or changed since is known as it is. Without it (a dry
        run, whose plan the database does not hold), only the rows are read.
        """
        candidates = [known for key in keys for known in self._candidates(*key)]
        ids = {known.id for known in candidates if known.id is not None}
        rows = self._select(session, CLIENTS.c.id, ids)
        if refresh:
            # An email or reference the index does not know on a client as stored may be
            # someone else's by now: those are looked up (one query a key, each on its
            # index: an OR of the three would scan the business's clients).
            emails = {email for _, email, _ in keys if email}
            emails -= {row.email for row in rows.values()}
            refs = {ref for ref, _, _ in keys if ref} - {row.external_ref for row in rows.values()}
            rows.update(self._select(session, CLIENTS.c.email, emails))
            rows.update(self._select(session, CLIENTS.c.external_ref, refs))
            self._refresh(ids, rows.values())
        return rows

    def _select(self, session: Session, column: Any, values: set[Any]) -> dict[int, Row[Any]]:
        if not values:
            return {}
        query = select(*STORED).where(CLIENTS.c.business_id == self.business_id, column.in_(values))
        return {row.id: row for row in session.execute(query)}

    def _candidates(self, ref: str | None, email: str | None, contact: str | None) -> list[Known]:
        found = (
            self.by_ref.get(ref) if ref else None,
            self.by_email.get(email) if email else None,
            self.by_contact.get(contact) if contact else None,
        )
        return [known for known in found if known is not None]

    def _inserted(self, row: Row[Any]) -> Known | None:
        """The client this import inserted as ``row``: inserts do not return ids (a
        RETURNING in file order costs a statement a row on SQLite), so they are learnt here,
        the first time a later chunk names the client again."""
        for known in (
            self.by_ref.get(row.external_ref) if row.external_ref else None,
            self.by_email.get(row.email) if row.email else None,
        ):
            if known is not None and known.id is None:
                return known
        return None

    def _refresh(self, ids: set[int], rows: Iterable[Row[Any]]) -> None:
        current = {row.id: row for row in rows}
        for id in ids - current.keys():  # deleted meanwhile
            self.drop(self.by_id.pop(id))
        loaded: list[Known] = []
        for row in current.values():
            known = self.by_id.get(row.id) or self._inserted(row)
            if known is None:
                known = Known.of(row)
            elif not known.same_keys(row):
                self.drop(known)  # under its old keys
                known.set(row.email, row.external_ref, contact_key(row.name, row.phone))
            known.id = row.id
            loaded.append(known)
        # All of them again, once every stale key is gone: a key dropped from one client
        # may belong to another loaded one now.
        for known in loaded:
            self.add(known)
