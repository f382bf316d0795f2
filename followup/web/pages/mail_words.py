"""The Settings page's mail problems in the owner's language: a test email not sent,
sending paused, the inbox not read. The mail code says them in English for the CLI and
the logs (``mail.smtp``'s ``SendError``, ``mail.inbox``'s ``InboxError``, the pause's
stored reason); here the known cases (the login refused, no connection, a TLS problem,
no answer in time) are explained in the owner's words, and what the server or the
system said, which cannot be translated, is kept apart for the page to quote as theirs
("El servidor de correo respondió: «…»"). An unknown case keeps its English text, quoted
as the details."""

from __future__ import annotations

import re
from dataclasses import dataclass

from followup.web.i18n import N_, gettext, say


@dataclass(frozen=True)
class MailProblem:
    """``explanation`` in the owner's language; ``reply``: the mail server's own words;
    ``error``: the connection's (the system's) words; ``details``: the English text of a
    case not known here. At most one of the last three."""

    explanation: str
    reply: str | None = None
    error: str | None = None
    details: str | None = None


# The SMTP mailer's words (``mail.smtp``), after "sending is paused for …: " when stored.
_PAUSED = re.compile(r"^sending is paused for .*?: (.*), then run `followup send` again$")
_AUTH = re.compile(r"^authentication refused by \S+ \((.*)\)")
_NO_METHOD = re.compile(r"^cannot log in to \S+ \((.*)\)")
_NO_LOGIN = re.compile(r"^the mail server \S+ offers no login")
_STARTTLS = re.compile(r"^the mail server \S+ does not offer STARTTLS")
_TLS = re.compile(r"^the TLS connection to the mail server \S+ failed \((.*)\)")
_UNREACHABLE = re.compile(r"^cannot reach the mail server \S+ \((.*)\)")
_ANSWERED = re.compile(r"^the mail server \S+ answered (.*?)(?:; the letter will be retried)?$")
_SILENT = re.compile(r"^the mail server \S+ did not answer in time .*\((.*)\)")
_TIMED_OUT = re.compile(r"time(?:d)? ?out", re.IGNORECASE)

SMTP_URL_AUTH = N_(
    "The login was refused: check the user and the password (an app password for Gmail or "
    "Outlook) in FOLLOWUP_SMTP_URL."
)
SMTP_NO_METHOD = N_(
    "The mail server and followup have no way of logging in in common: check "
    "FOLLOWUP_SMTP_URL (smtps://, or a server that offers STARTTLS)."
)
SMTP_TLS = N_(
    "The secure (TLS) connection to the mail server failed: check the host and the port in "
    "FOLLOWUP_SMTP_URL (smtps:// is usually port 465; smtp:// with STARTTLS, port 587)."
)
SMTP_CONNECT = N_(
    "followup cannot connect to the mail server: check the host and the port in "
    "FOLLOWUP_SMTP_URL, and that this machine can reach it."
)
SMTP_TIMEOUT = N_(
    "The mail server did not answer in time: it may be busy or down for a while, or the "
    "host or the port in FOLLOWUP_SMTP_URL may be wrong."
)
SMTP_REFUSED = N_("The mail server turned the connection away.")
SMTP_OTHER = N_("The mail server did not take the message.")


def smtp_problem(language: str, message: str, code: str | None = None) -> MailProblem:
    """A ``SendError``'s ``message`` (and ``code``) or a stored pause's reason."""
    text = message.strip()
    if paused := _PAUSED.match(text):
        text = paused.group(1)

    def said(words: str, **where: str | None) -> MailProblem:
        return MailProblem(gettext(language, words), **where)

    if found := _AUTH.match(text):
        return said(SMTP_URL_AUTH, reply=found.group(1))
    if found := _NO_METHOD.match(text):
        return said(SMTP_NO_METHOD, error=found.group(1))
    if _NO_LOGIN.match(text):
        return said(SMTP_NO_METHOD)
    if _STARTTLS.match(text):
        return said(SMTP_TLS)
    if found := _TLS.match(text):
        return said(SMTP_TLS, error=found.group(1))
    if found := _UNREACHABLE.match(text):
        timeout = code == "timeout" or bool(_TIMED_OUT.search(found.group(1)))
        return said(SMTP_TIMEOUT if timeout else SMTP_CONNECT, error=found.group(1))
    if found := _ANSWERED.match(text):
        return said(SMTP_REFUSED, reply=found.group(1))
    if found := _SILENT.match(text):
        return said(SMTP_TIMEOUT, error=found.group(1))
    return said(SMTP_OTHER, details=text)


# The inbox reader's words (``mail.inbox``), inside ``jobs.inbox.pause_line`` when stored.
_INBOX_LINE = re.compile(r"^the inbox .*? could not be read: (.*)\. Sending goes on\.$")
_WHILE = re.compile(r" \(while [a-z ]+\)$")
_IMAP_CASES: list[tuple[re.Pattern[str], str, str | None]] = [
    # (the reader's words, the explanation, where the untranslatable words go)
    (re.compile(r"^login refused"), N_(
        "The mail server refused the login to your inbox: check the user and the app "
        "password in the inbox's address below."), None),
    (re.compile(r"^there is no password"), N_(
        "There is no password for your inbox: put it in the inbox's address below, or in "
        "FOLLOWUP_IMAP_PASSWORD or FOLLOWUP_IMAP_PASSWORD_FILE where followup runs."), None),
    (re.compile(r"^the server name (.*) is not known"), N_(
        "The inbox's server %(found)s is not known: check the host in the inbox's address "
        "below."), "name"),
    (re.compile(r"^\S+ port \d+ refused the connection"), N_(
        "followup cannot connect to your inbox's server: check the host and the port in the "
        "inbox's address below."), None),
    (re.compile(r"^the connection failed \((.*)\)"), N_(
        "followup cannot connect to your inbox's server: check the host and the port in the "
        "inbox's address below."), "error"),
    (re.compile(r"^the server did not answer within (\S+) s"), N_(
        "Your inbox's server did not answer within %(found)s seconds: it may be busy or "
        "down for a while."), "number"),
    (re.compile(r"^its certificate was refused \((.*)\)"), N_(
        "The secure (TLS) connection to your inbox's server failed: its certificate was "
        "refused."), "error"),
    (re.compile(r"^the TLS handshake failed"), N_(
        "The secure (TLS) connection to your inbox's server failed: imaps:// is usually "
        "port 993, imap:// port 143."), None),
    (re.compile(r"^the server does not offer STARTTLS"), N_(
        "Your inbox's server does not offer a secure (TLS) connection on that port, and the "
        "password would travel in clear: use imaps:// (port 993)."), None),
    (re.compile(r"^the server closed the connection"), N_(
        "Your inbox's server closed the connection."), None),
    (re.compile(r"^the server answered with an error \((.*)\)"), N_(
        "Your inbox's server answered with an error."), "reply"),
    (re.compile(r"^there is no folder '(.*)' in that mailbox"), N_(
        "There is no folder %(found)s in that mailbox: check the folder at the end of the "
        "inbox's address below."), "name"),
]  # fmt: skip
IMAP_OTHER = N_("Your inbox could not be read.")


def inbox_problem(language: str, reason: str) -> MailProblem:
    """The inbox's stored problem (``jobs.inbox.pause_line``, or the reader's words)."""
    text = reason.strip()
    if line := _INBOX_LINE.match(text):
        text = line.group(1)
    text = _WHILE.sub("", text)
    for pattern, explanation, where in _IMAP_CASES:
        if found := pattern.match(text):
            words = found.group(1) if found.groups() else None
            if where == "name" and words is not None:
                quoted = f"«{words}»" if language == "es" else f"“{words}”"
                return MailProblem(say(language, explanation, found=quoted))
            if where == "number" and words is not None:
                return MailProblem(say(language, explanation, found=words))
            if where == "error":
                return MailProblem(gettext(language, explanation), error=words)
            if where == "reply":
                return MailProblem(gettext(language, explanation), reply=words)
            return MailProblem(gettext(language, explanation))
    return MailProblem(gettext(language, IMAP_OTHER), details=text)
