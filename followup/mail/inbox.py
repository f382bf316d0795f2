"""Reading the owner's IMAP mailbox, read-only (DESIGN §5a), with the standard library.

The mailbox is opened with ``EXAMINE`` and messages are fetched with ``BODY.PEEK[]``:
nothing in it is ever changed (no flag, no move, no delete; never SELECT, STORE,
EXPUNGE or CLOSE). Every problem becomes an ``InboxError`` whose words say what went
wrong, never the password.
"""

from __future__ import annotations

import imaplib
import re
import socket
import ssl
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType

from followup.mailbox import Mailbox

# Only the first part of a message is fetched: headers, and a DSN's report, come first;
# an attachment of many megabytes need not cross the network.
FETCH_BYTES = 512 * 1024
FETCH_BATCH = 50
_UID = re.compile(rb"\bUID (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class InboxError(Exception):
    """The mailbox could not be read; ``problem`` says why in a few plain words."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True)
class Status:
    uidvalidity: int
    uidnext: int


@dataclass(frozen=True)
class Fetched:
    uid: int
    arrived: datetime | None  # the server's INTERNALDATE
    raw: bytes


class Reader:
    """One read-only session with the mailbox: ``open``, search, ``fetch``, ``close``."""

    def __init__(self, mailbox: Mailbox, password: str | None, timeout: float) -> None:
        self.mailbox = mailbox
        self.password = password
        self.timeout = timeout
        self.conn: imaplib.IMAP4 | None = None

    def __enter__(self) -> Reader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def open(self) -> Status:
        """Connect, secure, log in and EXAMINE the folder; its UIDVALIDITY and UIDNEXT."""
        box = self.mailbox
        if self.password is None:
            raise InboxError(
                "there is no password: put it in the IMAP address, or in "
                "FOLLOWUP_IMAP_PASSWORD or FOLLOWUP_IMAP_PASSWORD_FILE"
            )
        with self._talking("connecting"):
            if box.tls == "implicit":
                self.conn = imaplib.IMAP4_SSL(
                    box.host, box.port, ssl_context=ssl.create_default_context(),
                    timeout=self.timeout,
                )  # fmt: skip
            else:
                self.conn = imaplib.IMAP4(box.host, box.port, timeout=self.timeout)
            if box.tls == "starttls":
                if "STARTTLS" not in self.conn.capabilities:
                    raise InboxError(
                        "the server does not offer STARTTLS, so the password would travel "
                        "in clear; use imaps:// (port 993)"
                    )
                self.conn.starttls(ssl.create_default_context())
        with self._talking("logging in"):
            try:
                self._login(self.conn)
            except imaplib.IMAP4.error as exc:
                if isinstance(exc, imaplib.IMAP4.abort):
                    raise
                raise InboxError("login refused; check the user and the app password") from None
        with self._talking("opening the folder"):
            typ, _ = self.conn.select(_quoted(box.folder), readonly=True)  # EXAMINE
            if typ != "OK":
                raise InboxError(f"there is no folder {box.folder!r} in that mailbox")
            validity = self._number("UIDVALIDITY")
            if validity is None:
                raise InboxError("the server gave no UIDVALIDITY, so new mail cannot be told")
        uidnext = self._number("UIDNEXT")
        if uidnext is None:
            uidnext = max(self._search("ALL"), default=0) + 1
        return Status(validity, uidnext)

    def _number(self, code: str) -> int | None:
        """A number the server gave with EXAMINE (``[UIDVALIDITY 3857529045]``)."""
        assert self.conn is not None
        said = self.conn.untagged_responses.get(code) or [b""]
        value = said[-1]
        return int(value) if isinstance(value, bytes) and value.isdigit() else None

    def uids_after(self, uid: int) -> list[int]:
        """The UIDs of the messages that came after ``uid``."""
        # "n:*" always includes the last message, even when its UID is below n.
        return [found for found in self._search("UID", f"{uid + 1}:*") if found > uid]

    def uids_since(self, day: date) -> list[int]:
        """The UIDs of the messages that arrived on ``day`` or later."""
        return self._search("SINCE", f"{day.day}-{_MONTHS[day.month - 1]}-{day.year}")

    def fetch(self, uids: list[int]) -> Iterator[Fetched]:
        """The messages ``uids`` (their first ``FETCH_BYTES``), a batch at a time."""
        for start in range(0, len(uids), FETCH_BATCH):
            batch = ",".join(str(uid) for uid in uids[start : start + FETCH_BATCH])
            with self._talking("reading messages"):
                assert self.conn is not None
                typ, data = self.conn.uid(
                    "FETCH", batch, f"(UID INTERNALDATE BODY.PEEK[]<0.{FETCH_BYTES}>)"
                )
                if typ != "OK":
                    raise InboxError("the server refused to give the messages")
            yield from sorted(_parse_fetch(data), key=lambda fetched: fetched.uid)

    def close(self) -> None:
        if self.conn is not None:
            # Leaving: a failure to say goodbye changes nothing for the owner.
            with suppress(OSError, imaplib.IMAP4.error):
                self.conn.logout()
            self.conn = None

    def _login(self, conn: imaplib.IMAP4) -> None:
        assert self.password is not None
        user, password = self.mailbox.user, self.password
        if (user + password).isascii():
            conn.login(user, password)
            return
        # LOGIN cannot carry other characters than ASCII; AUTHENTICATE PLAIN can (UTF-8).
        secret = f"\0{user}\0{password}".encode()
        conn.authenticate("PLAIN", lambda _challenge: secret)

    def _search(self, *criteria: str) -> list[int]:
        with self._talking("searching the folder"):
            assert self.conn is not None
            typ, data = self.conn.uid("SEARCH", *criteria)
            if typ != "OK":
                raise InboxError("the server refused to search the folder")
            words = b" ".join(part for part in data if isinstance(part, bytes)).split()
            return sorted(int(word) for word in words if word.isdigit())

    def _talking(self, step: str) -> _Talking:
        return _Talking(self.mailbox, self.timeout, step)


class _Talking:
    """Turns what the network and the server can do wrong into an ``InboxError``."""

    def __init__(self, mailbox: Mailbox, timeout: float, step: str) -> None:
        self.mailbox, self.timeout, self.step = mailbox, timeout, step

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is None or isinstance(exc, InboxError):
            return
        problem = _problem(exc, self.mailbox, self.timeout)
        if problem is None:
            return  # not a reading problem: a bug, whose traceback is what a report needs
        raise InboxError(f"{problem} (while {self.step})") from exc


def _problem(exc: BaseException, mailbox: Mailbox, timeout: float) -> str | None:
    if isinstance(exc, socket.gaierror):
        return f"the server name {mailbox.host} is not known"
    if isinstance(exc, ConnectionRefusedError):
        return f"{mailbox.host} port {mailbox.port} refused the connection"
    if isinstance(exc, TimeoutError):
        return f"the server did not answer within {timeout:g} s"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"its certificate was refused ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return "the TLS handshake failed (imaps:// is usually port 993, imap:// port 143)"
    if isinstance(exc, imaplib.IMAP4.abort):
        return "the server closed the connection"
    if isinstance(exc, OSError):
        return f"the connection failed ({exc.strerror or exc})"
    if isinstance(exc, imaplib.IMAP4.error):
        return f"the server answered with an error ({exc})"
    if isinstance(exc, UnicodeError):
        return "the user or the folder has characters this server cannot take"
    return None


def _quoted(folder: str) -> str:
    return f'"{folder}"'


def _parse_fetch(data: list[bytes | tuple[bytes, bytes] | None]) -> Iterator[Fetched]:
    """A FETCH answer as messages: each is a (prefix, literal) pair, and what the server
    writes after the literal (perhaps the UID or INTERNALDATE) comes as the next item."""
    for index, item in enumerate(data):
        if not isinstance(item, tuple):
            continue
        prefix, raw = item
        after = data[index + 1] if index + 1 < len(data) else b""
        meta = prefix + (after if isinstance(after, bytes) else b"")
        uid = _UID.search(meta)
        if uid is None:
            continue
        stamp = _INTERNALDATE.search(meta)
        yield Fetched(int(uid[1]), _internaldate(stamp[1]) if stamp else None, raw)


def _internaldate(value: bytes) -> datetime | None:
    """``"04-Dec-2026 10:11:12 +0100"`` as an aware datetime."""
    try:
        day, clock, offset = value.decode("ascii").split()
        number, month, year = day.split("-")
        stamp = f"{year}-{_MONTHS.index(month) + 1:02d}-{int(number):02d} {clock} {offset}"
        return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S %z")
    except (ValueError, UnicodeDecodeError):
        return None
