"""Letters as email: the one place every message is built (§5).

``build_message`` (a letter to a client) and ``build_owner_message`` (followup's own
email to the owner: the daily digest) are the only places a mail header is written,
both through ``_compose``, from a fixed list: Message-ID, Date, From, Reply-To, To,
Subject (plus the MIME headers of the ``multipart/alternative`` body). A letter with an
unsubscribe link adds RFC 8058's List-Unsubscribe and List-Unsubscribe-Post; the owner's
email adds ``Auto-Submitted: auto-generated`` (RFC 3834), so no mail program answers it
and the inbox reader never takes it for a client's reply. Names and subjects are
squeezed onto one line, so a CR/LF typed into a client's name can never start a header
of its own; a name or subject typed as an RFC 2047 encoded word is itself encoded, so it
reads back as typed; an address that is not a plain, valid address is refused with a
permanent ``SendError``.

Every header is written as it goes on the wire (``set_raw``), never parsed and refolded
by Python: parsing each value into the email package's header objects cost more than the
SMTP exchange itself, and refolding would decode a typed encoded word into a real CR/LF.

Delivery is ``mail.mailer``'s business; this module only builds.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from email import policy, quoprimime
from email.header import Header
from email.headerregistry import BaseHeader
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from functools import cache, lru_cache

from followup.errors import Invalid
from followup.fields import one_line
from followup.mail.mailer import SendError
from followup.models import Business, Client, Letter

# On the wire: CRLF line ends; the headers this module encodes are written as they are.
POLICY = policy.SMTP.clone(refold_source="none")
LINE_MAX = 78  # POLICY.max_line_length
# The longest header line RFC 5322 allows, less room for the name and the address.
_LONGEST_WORD = 900
HEADERS = ("Message-ID", "Date", "From", "Reply-To", "To", "Subject")
UNSUBSCRIBE_HEADERS = ("List-Unsubscribe", "List-Unsubscribe-Post")
OWNER_HEADERS = ("Message-ID", "Date", "From", "To", "Subject", "Auto-Submitted")

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL_PART = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
# An http(s) link with nothing in it that could end the header or the <…> around it.
_LINK = re.compile(r"https?://[!#-;=?-~]+")
_MESSAGE_ID = re.compile(rf"<{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*>")


def build_message(
    letter: Letter,
    business: Business,
    client: Client,
    now: datetime,
    unsubscribe_url: str | None = None,
) -> EmailMessage:
    """The email for ``letter``, dated ``now``; raises ``SendError(permanent=True)``
    when an address or the stored Message-ID is unusable. With ``unsubscribe_url`` (a
    public base URL is set), the one-click unsubscribe headers of RFC 8058."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not letter.to_email:
        raise SendError(
            f"letter {letter.id} has no email address to send to",
            permanent=True,
            code="no_address",
        )
    if not _MESSAGE_ID.fullmatch(letter.message_id):
        raise SendError(
            f"letter {letter.id} has an invalid Message-ID {letter.message_id!r}",
            permanent=True,
            code="bad_message_id",
        )
    # The owner signs the letter, so the owner's name comes first: "Marta Ruiz — Taller…".
    sender = business.from_name or (
        f"{business.owner_name} — {business.name}" if business.owner_name else business.name
    )
    reply_to = (
        _address(business.owner_name, business.reply_to, "the reply-to address")
        if business.reply_to
        else None
    )
    extra: list[tuple[str, str]] = []
    if unsubscribe_url is not None:
        if not _LINK.fullmatch(unsubscribe_url):
            raise ValueError(f"not an unsubscribe link: {unsubscribe_url!r}")
        extra = [
            ("List-Unsubscribe", f"<{unsubscribe_url}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ]
    return _compose(
        letter.message_id,
        now,
        sender=_address(sender, business.sender_email, "the sender address"),
        reply_to=reply_to,
        to=_address(client.name, letter.to_email, "the recipient address"),
        subject=letter.subject,
        text=letter.body_text,
        html=letter.body_html,
        extra=extra,
    )


def owner_address(business: Business) -> str:
    """Where followup writes to the owner: the reply-to address if set, else the sender."""
    return (business.reply_to or business.sender_email).strip()


def build_owner_message(
    business: Business, subject: str, text: str, html: str, now: datetime
) -> EmailMessage:
    """followup's own email to the owner (the daily digest), dated ``now``: from the
    business's sender address in followup's name, to ``owner_address``, with a new
    Message-ID of the business's domain. Raises ``SendError(permanent=True)`` when an
    address is unusable."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    sender = _address(f"followup — {business.name}", business.sender_email, "the sender address")
    return _compose(
        make_message_id(business.sender_email.strip().rpartition("@")[2], now),
        now,
        sender=sender,
        reply_to=None,
        to=_address(business.owner_name, owner_address(business), "the owner's address"),
        subject=subject,
        text=text,
        html=html,
        extra=[("Auto-Submitted", "auto-generated")],
    )


def _compose(
    message_id: str,
    now: datetime,
    *,
    sender: str,
    reply_to: str | None,
    to: str,
    subject: str,
    text: str,
    html: str,
    extra: list[tuple[str, str]],
) -> EmailMessage:
    """The message from its checked, encoded parts: the headers in their fixed order,
    then the plain and HTML parts."""
    message = EmailMessage(policy=POLICY)
    message.set_raw("Message-ID", message_id)
    message.set_raw("Date", format_datetime(now.astimezone(UTC)))
    message.set_raw("From", sender)
    if reply_to is not None:
        message.set_raw("Reply-To", reply_to)
    message.set_raw("To", to)
    message.set_raw("Subject", _subject(one_line(subject)))
    for name, value in extra:
        message.set_raw(name, value)
    message.set_raw("MIME-Version", "1.0")  # once, at the top, as RFC 2045 has it
    message.set_raw("Content-Type", _alternative())
    message.set_payload([_part(text, "plain"), _part(html, "html")])
    return message


def _subject(subject: str) -> str:
    """The subject, encoded so that it decodes to exactly what was drafted.

    Python's own folding of a long non-ASCII header can leave a space before the fold,
    which a reader then shows doubled ("no  abría"); a run of RFC 2047 encoded words
    keeps every space inside the words, and the folds between them vanish on decoding.
    An ASCII subject holding "=?" is encoded too, so a reader does not decode it.
    """
    if subject.isascii() and "=?" not in subject:
        return subject
    return Header(subject, "utf-8", header_name="Subject").encode(linesep="\n")


@cache
def _alternative() -> BaseHeader:
    """The top Content-Type, parsed once per process: the email package would parse it on
    every look while writing the message. One boundary serves every message: ``=_``
    never occurs in quoted-printable text, so no part can contain it."""
    boundary = f"=_{secrets.token_hex(12)}"
    header = POLICY.header_factory("Content-Type", f'multipart/alternative; boundary="{boundary}"')
    assert isinstance(header, BaseHeader)
    return header


# Parsed once, for the same reason.
_PART_HEADERS = {
    subtype: [
        (name, POLICY.header_factory(name, value))
        for name, value in (
            ("Content-Type", f'text/{subtype}; charset="utf-8"'),
            ("Content-Transfer-Encoding", "quoted-printable"),
        )
    ]
    for subtype in ("plain", "html")
}


def _part(text: str, subtype: str) -> EmailMessage:
    """A text part in UTF-8, quoted-printable (7-bit on the wire, for servers without
    8BITMIME), its lines ended as ``set_content`` ends them."""
    part = EmailMessage(policy=POLICY)
    for name, value in _PART_HEADERS[subtype]:
        part.set_raw(name, value)
    body = b"\n".join(text.encode("utf-8").splitlines()) + b"\n"
    part.set_payload(quoprimime.body_encode(body.decode("latin-1"), LINE_MAX))
    return part


def make_message_id(domain: str, now: datetime) -> str:
    """A new Message-ID such as ``<20261123090000.3f9a0c2b7d41e685@taller.example>``.

    ``domain`` is the part after "@" of the business's sender address; it is stored
    on the letter when it is drafted, so every resend carries the same Message-ID.
    """
    ascii_domain = _ascii_domain(domain)
    if ascii_domain is None:
        raise Invalid("sender_email", f"{domain!r} is not a mail domain")
    stamp = now.astimezone(UTC).strftime("%Y%m%d%H%M%S")
    return f"<{stamp}.{secrets.token_hex(8)}@{ascii_domain}>"


@lru_cache(maxsize=1024)  # a business's From and Reply-To are the same in every letter
def _address(name: str, address: str, role: str) -> str:
    """``Name <local@domain>`` as it goes on the wire: the name on one line, quoted or
    encoded as it needs, the domain in ASCII.

    A name that is not plain ASCII, or holds "=?", is encoded whole as one RFC 2047
    encoded word, which decodes to the literal text: a name typed as an encoded word
    (``=?utf-8?q?Ana=0D=0ABcc:_x@y.example?=``) is never decoded into a CR/LF and a
    header of its own. One word, because Python's reader puts a space where a display
    name's encoded words meet ("Gómez-E cheverría").
    """
    local, at, domain = address.strip().rpartition("@")
    ascii_domain = _ascii_domain(domain)
    if not at or not _LOCAL_PART.fullmatch(local) or ascii_domain is None:
        # repr() so a CR/LF shows as \r\n in the error instead of breaking the line.
        raise SendError(
            f"{role} {address!r} is not a valid email address",
            permanent=True,
            code="bad_address",
        )
    addr_spec = f"{local}@{ascii_domain}"
    name = one_line(name)
    if name.isascii() and "=?" not in name:
        return formataddr((name, addr_spec))
    word = Header(name, "utf-8", maxlinelen=_LONGEST_WORD).encode(linesep="\n")
    return f"{word}\n <{addr_spec}>"


def _ascii_domain(domain: str) -> str | None:
    """The domain in ASCII (IDNA for an internationalised one), or None if invalid."""
    try:
        encoded = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return encoded if len(encoded) <= 253 and _DOMAIN.fullmatch(encoded) else None
