"""Letters as email: the one function that builds every message, and its delivery (§5).

``build_message`` (a letter to a client) and ``build_owner_message`` (followup's own
email to the owner: the daily digest) are the only places a mail header is written,
both through ``_compose``, from a fixed list: Message-ID, Date, From, Reply-To, To,
Subject (plus the MIME headers of the ``multipart/alternative`` body). A letter with an
unsubscribe link adds RFC 8058's List-Unsubscribe and List-Unsubscribe-Post; the owner's
email adds ``Auto-Submitted: auto-generated`` (RFC 3834), so no mail program answers it
and the inbox reader never takes it for a client's reply. Names and subjects are
squeezed onto one line, so a CR/LF typed into a client's name can never start a header
of its own; an address that is not a plain, valid address is refused with a permanent
``SendError``.

Delivery is ``mail.mailer``'s business; this module only builds.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from email import policy
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from followup.errors import Invalid
from followup.fields import one_line
from followup.mail.mailer import SendError
from followup.models import Business, Client, Letter

# On the wire: CRLF line ends, long headers folded, non-ASCII headers RFC 2047-encoded.
# The headers this module encodes itself (``set_raw``) are written as they are, never
# parsed and refolded by Python (see ``_set_address``).
POLICY = policy.SMTP.clone(refold_source="none")
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
    message = _compose(
        letter.message_id,
        now,
        sender=_address(sender, business.sender_email, "the sender address"),
        reply_to=reply_to,
        to=_address(client.name, letter.to_email, "the recipient address"),
        subject=letter.subject,
        text=letter.body_text,
        html=letter.body_html,
    )
    if unsubscribe_url is not None:
        if not _LINK.fullmatch(unsubscribe_url):
            raise ValueError(f"not an unsubscribe link: {unsubscribe_url!r}")
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


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
    message = _compose(
        make_message_id(sender.domain, now),
        now,
        sender=sender,
        reply_to=None,
        to=_address(business.owner_name, owner_address(business), "the owner's address"),
        subject=subject,
        text=text,
        html=html,
    )
    message["Auto-Submitted"] = "auto-generated"
    return message


def _compose(
    message_id: str,
    now: datetime,
    *,
    sender: Address,
    reply_to: Address | None,
    to: Address,
    subject: str,
    text: str,
    html: str,
) -> EmailMessage:
    """The message from its checked parts: the headers in their fixed order, then the
    plain and HTML parts."""
    message = EmailMessage(policy=POLICY)
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(now.astimezone(UTC))
    _set_address(message, "From", sender)
    if reply_to is not None:
        _set_address(message, "Reply-To", reply_to)
    _set_address(message, "To", to)
    _set_subject(message, one_line(subject))
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    for part in message.iter_parts():
        del part["MIME-Version"]  # once, at the top, as RFC 2045 has it
    return message


def _set_subject(message: EmailMessage, subject: str) -> None:
    """The subject, encoded so that it decodes to exactly what was drafted.

    Python's own folding of a long non-ASCII header can leave a space before the fold,
    which a reader then shows doubled ("no  abría"); a run of RFC 2047 encoded words
    keeps every space inside the words, and the folds between them vanish on decoding.
    """
    if subject.isascii() and "=?" not in subject:
        message["Subject"] = subject
        return
    encoded = Header(subject, "utf-8", header_name="Subject").encode(linesep="\n")
    message.set_raw("Subject", encoded)


def _set_address(message: EmailMessage, header: str, address: Address) -> None:
    """``header`` set to ``address``, its display name encoded so that it decodes to
    exactly what was typed.

    Python would parse a name such as ``=?utf-8?q?Ana=0D=0ABcc:_x@y.example?=`` as an
    RFC 2047 encoded word and write the decoded CR/LF on the wire: a header of its own.
    So a name that is not plain ASCII, or holds "=?", is encoded here, whole, as one
    encoded word (which decodes to the literal text). One word, because Python's reader
    puts a space where a display name's encoded words meet ("Gómez-E cheverría").
    """
    name = address.display_name
    if name.isascii() and "=?" not in name:
        message[header] = address
        return
    word = Header(name, "utf-8", maxlinelen=_LONGEST_WORD, header_name=header).encode(linesep="\n")
    message.set_raw(header, f"{word}\n <{address.addr_spec}>")


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


def _address(name: str, address: str, role: str) -> Address:
    local, at, domain = address.strip().rpartition("@")
    ascii_domain = _ascii_domain(domain)
    if not at or not _LOCAL_PART.fullmatch(local) or ascii_domain is None:
        # repr() so a CR/LF shows as \r\n in the error instead of breaking the line.
        raise SendError(
            f"{role} {address!r} is not a valid email address",
            permanent=True,
            code="bad_address",
        )
    return Address(display_name=one_line(name), username=local, domain=ascii_domain)


def _ascii_domain(domain: str) -> str | None:
    """The domain in ASCII (IDNA for an internationalised one), or None if invalid."""
    try:
        encoded = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return encoded if len(encoded) <= 253 and _DOMAIN.fullmatch(encoded) else None
