"""The owner's IMAP mailbox as a business stores it (DESIGN §5a): the URL checked and
made canonical once, and shown without its password.

- ``imaps://user@host[:993]/INBOX``: TLS from the start (the usual, and the default port);
- ``imap://user@host[:143]/INBOX``: STARTTLS, required: a server that does not offer it
  is not read, so the password never crosses the network in clear;
- ``imap://user@127.0.0.1:1143/INBOX?tls=none``: no TLS at all, allowed only on a loopback
  address (a mail server or a bridge on the same machine).

The user and the password are percent-encoded (``marta%40gmail.com``); without a
password in the URL it comes from ``FOLLOWUP_IMAP_PASSWORD`` or its ``_FILE``, so it
need not be in the database. The folder defaults to ``INBOX``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, unquote, urlsplit

from followup.errors import InvalidSetting

IMAP_PORTS = {"imaps": 993, "imap": 143}
IMAP_FORMS = (
    "imaps://user@imap.example.com/INBOX (TLS, port 993) or imap://user@host/INBOX "
    "(STARTTLS, port 143); ?tls=none only on this machine (127.0.0.1)"
)
_FIELD = "imap_url"


@dataclass(frozen=True)
class Mailbox:
    """Where the owner's mail is read. ``repr`` and ``shown`` never carry the password."""

    host: str
    port: int
    user: str
    folder: str = "INBOX"
    tls: str = "implicit"  # "implicit" (imaps), "starttls" (imap), "none" (loopback only)
    password: str | None = field(default=None, repr=False)

    @property
    def shown(self) -> str:
        """The URL as it may be printed and logged: no password, default port left out."""
        return self._url(with_password=False)

    @property
    def stored(self) -> str:
        """The canonical URL kept in ``Business.imap_url`` (with the password, if given)."""
        return self._url(with_password=True)

    def _url(self, *, with_password: bool) -> str:
        scheme = "imaps" if self.tls == "implicit" else "imap"
        secret = f":{quote(self.password, safe='')}" if with_password and self.password else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = "" if self.port == IMAP_PORTS[scheme] else f":{self.port}"
        query = "?tls=none" if self.tls == "none" else ""
        return (
            f"{scheme}://{quote(self.user, safe='')}{secret}@{host}{port}/"
            f"{quote(self.folder, safe='/')}{query}"
        )


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_mailbox(url: str) -> Mailbox:
    """An IMAP URL as a ``Mailbox``; ``InvalidSetting`` says what is wrong (never
    repeating the URL, which may hold the password)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise InvalidSetting(_FIELD, f"not an IMAP address: write {IMAP_FORMS}") from None
    scheme = parts.scheme.lower()
    if scheme not in IMAP_PORTS:
        said = f"{scheme!r}" if scheme else "no scheme"
        raise InvalidSetting(_FIELD, f"{said} is not an IMAP scheme: write {IMAP_FORMS}")
    if not parts.hostname:
        raise InvalidSetting(_FIELD, f"it names no server: write {IMAP_FORMS}")
    if port == 0:
        raise InvalidSetting(_FIELD, "the port is not a number from 1 to 65535")
    if not parts.username:
        raise InvalidSetting(
            _FIELD, "it names no user: write imaps://user@host/INBOX (an @ in the user as %40)"
        )
    if parts.fragment:
        raise InvalidSetting(_FIELD, "an IMAP address takes no #fragment")
    options = parse_qs(parts.query, keep_blank_values=True)
    tls_option = options.pop("tls", None)
    if options:
        raise InvalidSetting(_FIELD, f"unknown option {sorted(options)[0]!r}; only ?tls=none")
    tls = "implicit" if scheme == "imaps" else "starttls"
    if tls_option is not None:
        if tls_option != ["none"] or scheme != "imap":
            raise InvalidSetting(
                _FIELD, "the only option is ?tls=none, with imap:// on this machine (127.0.0.1)"
            )
        if not is_loopback(parts.hostname):
            raise InvalidSetting(
                _FIELD,
                f"?tls=none would send the password in clear to {parts.hostname}: it is "
                "allowed only on this machine (127.0.0.1, ::1, localhost); use imaps://",
            )
        tls = "none"
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    if any(ch in folder for ch in '\r\n"\\') or len(folder) > 200:
        raise InvalidSetting(_FIELD, "the folder name after the server is not one IMAP can open")
    user = unquote(parts.username)
    password = unquote(parts.password) if parts.password else None
    for text in (user, password or ""):
        if any(ch in text for ch in "\r\n\0"):
            raise InvalidSetting(_FIELD, "the user or password holds a line break")
    return Mailbox(
        host=parts.hostname,
        port=port or IMAP_PORTS[scheme],
        user=user,
        folder=folder,
        tls=tls,
        password=password,
    )


def shown_mailbox(url: str | None) -> str | None:
    """A stored URL as it may be shown (no password); None when there is none."""
    if not url:
        return None
    try:
        return parse_mailbox(url).shown
    except InvalidSetting:
        return "(an IMAP address that cannot be read: set it again)"
