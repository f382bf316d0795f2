"""Delivery by SMTP (DESIGN §5): aiosmtplib driven one step at a time, so that every
failure says how far the letter got and the sender knows what to do with it.

=====================================================  ===================================
what happened                                          the letter (``SendError`` flags)
=====================================================  ===================================
cannot connect, a timeout, a 4xx/5xx greeting or       retried later; the round stops
EHLO, a 4xx at login
TLS refused (certificate), STARTTLS required but not   back to the queue, no attempt used;
offered                                                the round stops ("unattempted")
login refused (535 …), no login offered                back to the queue, no attempt used;
                                                       the business's sending pauses
a 4xx at MAIL, RCPT, DATA or after the message, a      retried later (backoff, bounded
timeout or a lost connection before DATA's 354         attempts)
a 5xx at RCPT                                          failed; the client is marked
                                                       ``do_not_contact: bounced``
a 5xx at RCPT with a 5.7.x status (relaying denied)    failed; the round stops (settings)
a 5xx at MAIL (the sender refused)                     failed; the round stops
a 5xx at DATA or after the message                     failed, with the server's words
lost or timed out after the message was written        uncertain: never resent by itself
=====================================================  ===================================

One connection serves a sending round: opened by the first ``send``, reused as it is
after a letter the server took (RSET only after one it refused midway), replaced once if
it turns out to be gone at the next MAIL FROM (a server that closed an idle connection
costs no attempt), closed by ``close()``. aiosmtplib runs on an event loop of the
mailer's own, so the sender stays synchronous. This module is imported only when
FOLLOWUP_SMTP_URL is set.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import Coroutine
from email.message import EmailMessage
from typing import Any, TypeVar

import aiosmtplib
from aiosmtplib import (
    SMTPAuthenticationError,
    SMTPException,
    SMTPResponseException,
    SMTPServerDisconnected,
    SMTPTimeoutError,
)

from followup.config import SmtpServer
from followup.mail.mailer import SendError

T = TypeVar("T")

_LINE_ENDS = re.compile(rb"\r\n|\r|\n")
_LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)
# An envelope address as it goes on the wire: printable ASCII, no space, no <>.
_WIRE_ADDRESS = re.compile(r"[!-;=?-~]+@[!-;=?-~]+")
# An RFC 3463 status of the security or policy class: not the address's fault.
_POLICY = re.compile(r"\s*5\.7\.\d{1,3}\b")
# The step after which the server may hold the message.
AFTER_MESSAGE = "the end of the message"
QUIT_SECONDS = 5.0


class SmtpMailer:
    """Delivers built messages to one SMTP server (see the module's table)."""

    def __init__(
        self,
        server: SmtpServer,
        *,
        timeout: float = 30,
        tls_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
    ) -> None:
        self.server = server
        self.timeout = timeout
        # None: the system's trusted certificates, host name checked.
        self.tls_context = tls_context
        self.local_hostname = local_hostname
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: aiosmtplib.SMTP | None = None
        # The last letter on the connection ended with the server's 250: nothing to reset.
        self._settled = False

    @property
    def where(self) -> str:
        return f"{self.server.host}:{self.server.port}"

    def send(self, message: EmailMessage) -> None:
        sender, recipient = envelope(message)
        self._run(self._deliver(sender, recipient, wire_bytes(message)))

    def close(self) -> None:
        """Say QUIT and let the connection and the event loop go (end of a round)."""
        if self._loop is None:
            return
        loop, self._loop = self._loop, None
        try:
            loop.run_until_complete(self._quit())
        finally:
            loop.close()

    def _run(self, step: Coroutine[Any, Any, T]) -> T:
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop.run_until_complete(step)

    async def _deliver(self, sender: str, recipient: str, payload: bytes) -> None:
        client, reused = await self._connection()
        self._settled = False
        step = "MAIL FROM"
        try:
            client = await self._mail(client, reused, sender)
            step = "RCPT TO"
            await client.rcpt(recipient)
            step = "DATA"
            reply = await client.execute_command(b"DATA")
            if reply.code != 354:
                raise SMTPResponseException(reply.code, reply.message)
            protocol = client.protocol
            if protocol is None:
                raise SMTPServerDisconnected("Connection lost")
            protocol.write(payload)  # raises, writing nothing, if the connection is gone
            step = AFTER_MESSAGE
            reply = await protocol.read_response(timeout=self.timeout)
            if reply.code != 250:
                raise SMTPResponseException(reply.code, reply.message)
            self._settled = True
        except SMTPResponseException as exc:
            if step == AFTER_MESSAGE and exc.code // 100 not in (4, 5):
                self._drop()  # an answer that is not one: the message's fate is unknown
                raise self._lost(step, exc) from None
            raise self._refused(step, exc) from None
        except (SMTPException, OSError) as exc:
            self._drop()
            raise self._lost(step, exc) from None

    async def _mail(self, client: aiosmtplib.SMTP, reused: bool, sender: str) -> aiosmtplib.SMTP:
        """MAIL FROM. A reused connection that turns out to be gone (the server closed it
        while idle, or says 421) is replaced once: nothing of the letter has been sent,
        so it costs no attempt."""
        try:
            await client.mail(sender)
            return client
        except SMTPResponseException as exc:
            if not reused or exc.code != 421:
                raise
        except (SMTPServerDisconnected, SMTPTimeoutError, OSError):
            if not reused:
                raise
        self._drop()
        client, _ = await self._connection()
        await client.mail(sender)
        return client

    async def _connection(self) -> tuple[aiosmtplib.SMTP, bool]:
        """The round's connection, and whether it is one already used. It is reused as it
        is after a letter that went through (the server ends each transaction itself),
        after RSET when the last letter was refused midway; otherwise a new one, greeted,
        upgraded to TLS and logged in."""
        client = self._client
        if client is not None:
            if self._settled:
                return client, True
            try:
                await client.rset()
                return client, True
            except (SMTPException, OSError):
                self._drop()
        client = aiosmtplib.SMTP(
            hostname=self.server.host,
            port=self.server.port,
            use_tls=self.server.implicit_tls,
            start_tls=False,
            timeout=self.timeout,
            tls_context=self.tls_context,
            local_hostname=self.local_hostname,
        )
        try:
            await client.connect()
            await self._greet(client)
            if not self.server.implicit_tls:
                await self._starttls(client)
            if self.server.user is not None:
                await self._login(client, self.server.user, self.server.password or "")
        except SendError:
            client.close()
            raise
        except (SMTPException, OSError) as exc:
            client.close()
            raise self._unreachable(exc) from None
        self._client = client
        return client, False

    async def _greet(self, client: aiosmtplib.SMTP) -> None:
        try:
            await client.ehlo()
        except SMTPResponseException as exc:
            if exc.code // 100 != 5:
                raise
            await client.helo()  # a server without ESMTP: no STARTTLS, no AUTH

    async def _starttls(self, client: aiosmtplib.SMTP) -> None:
        if client.supports_extension("starttls"):
            await client.starttls()
            await client.ehlo()
        elif self.server.require_starttls:
            raise SendError(
                f"the mail server {self.where} does not offer STARTTLS, and FOLLOWUP_SMTP_URL "
                "requires it (?starttls=require): nothing was sent; use smtps:// (port 465) "
                "or a server that offers STARTTLS",
                permanent=False,
                unattempted=True,
                code="starttls",
            )

    async def _login(self, client: aiosmtplib.SMTP, user: str, password: str) -> None:
        if not client.supports_extension("auth"):
            clear = "" if client.get_transport_info("sslcontext") else " without TLS"
            raise SendError(
                f"the mail server {self.where} offers no login{clear}: check "
                "FOLLOWUP_SMTP_URL (smtps://, or a server that offers STARTTLS)",
                permanent=False,
                pauses=True,
                code="auth",
            )
        try:
            await client.login(user, password)
        except SMTPAuthenticationError as exc:
            if exc.code // 100 == 4:
                raise  # a temporary refusal: retried like any 4xx before DATA
            raise SendError(
                f"authentication refused by {self.server.host} ({said(exc)}): check the "
                "user and app password",
                permanent=False,
                pauses=True,
                code="auth",
            ) from None
        except (SMTPResponseException, SMTPServerDisconnected, SMTPTimeoutError):
            raise
        except SMTPException as exc:  # no login method both sides know
            raise SendError(
                f"cannot log in to {self.server.host} ({said(exc)}): check FOLLOWUP_SMTP_URL",
                permanent=False,
                pauses=True,
                code="auth",
            ) from None

    async def _quit(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            await client.quit(timeout=min(self.timeout, QUIT_SECONDS))
        except (SMTPException, OSError):
            pass  # the letters are recorded; a goodbye that fails changes nothing
        finally:
            client.close()

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def _unreachable(self, exc: BaseException) -> SendError:
        """Connecting, greeting or upgrading to TLS failed: the letter never started."""
        if _tls_failure(exc):
            return SendError(
                f"the TLS connection to the mail server {self.where} failed ({said(exc)}): "
                "check FOLLOWUP_SMTP_URL's host and port; nothing was sent",
                permanent=False,
                unattempted=True,
                code="tls",
            )
        if isinstance(exc, SMTPResponseException):
            what, code = f"the mail server {self.where} answered {said(exc)}", str(exc.code)
        else:
            timeout = isinstance(exc, TimeoutError)
            what = f"cannot reach the mail server {self.where} ({said(exc)})"
            code = "timeout" if timeout else "connect"
        return SendError(
            f"{what}; the letter will be retried", permanent=False, stops=True, code=code
        )

    def _refused(self, step: str, exc: SMTPResponseException) -> SendError:
        """The server answered with a refusal: 5xx for good, anything else for now."""
        code, words = str(exc.code), said(exc)
        if exc.code // 100 != 5:
            return SendError(
                f"the mail server {self.server.host} deferred the letter at {step} ({words}); "
                "it will be retried",
                permanent=False,
                code=code,
            )
        if step == "RCPT TO" and _POLICY.match(exc.message):
            # "5.7.1 Relaying denied": our settings, not the address, are refused.
            return SendError(
                f"the mail server {self.server.host} refused to take the letter for "
                f"this address ({words}): check FOLLOWUP_SMTP_URL and the sender address",
                permanent=True,
                stops=True,
                code=code,
            )
        if step == "RCPT TO":
            return SendError(
                f"the mail server {self.server.host} refused the address ({words})",
                permanent=True,
                bounced=True,
                code=code,
            )
        if step == "MAIL FROM":
            return SendError(
                f"the mail server {self.server.host} refused the sender address ({words})",
                permanent=True,
                stops=True,
                code=code,
            )
        return SendError(
            f"the mail server {self.server.host} refused the letter at {step} ({words})",
            permanent=True,
            code=code,
        )

    def _lost(self, step: str, exc: BaseException) -> SendError:
        timeout = isinstance(exc, TimeoutError)
        what = "did not answer in time" if timeout else "closed the connection"
        if step == AFTER_MESSAGE:
            return SendError(
                f"the mail server {self.server.host} {what} after the letter was sent to it "
                f"({said(exc)}): it may or may not have been delivered",
                permanent=False,
                ambiguous=True,
                code="timeout_in_data" if timeout else "lost_in_data",
            )
        return SendError(
            f"the mail server {self.server.host} {what} at {step} ({said(exc)}); nothing "
            "was sent and the letter will be retried",
            permanent=False,
            code="timeout" if timeout else "lost",
        )


def envelope(message: EmailMessage) -> tuple[str, str]:
    """MAIL FROM and RCPT TO: the From and To headers' one address each, as checked by
    ``build_message``; only the To address is ever a recipient."""
    return _address(message, "From"), _address(message, "To")


def _address(message: EmailMessage, header: str) -> str:
    addresses: tuple[Any, ...] = getattr(message[header], "addresses", ())
    spec = str(addresses[0].addr_spec) if len(addresses) == 1 else ""
    if not _WIRE_ADDRESS.fullmatch(spec):
        raise SendError(
            f"the letter's {header} address cannot be sent by SMTP",
            permanent=True,
            code="bad_address",
        )
    return spec


def wire_bytes(message: EmailMessage) -> bytes:
    """The message as DATA carries it: CRLF line ends, leading dots doubled, the final
    ``.`` line."""
    data = _LINE_ENDS.sub(b"\r\n", message.as_bytes(policy=message.policy.clone(linesep="\r\n")))
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return _LEADING_DOT.sub(b"..", data) + b".\r\n"


def said(exc: BaseException) -> str:
    """A server's reply or an error, on one line and short."""
    if isinstance(exc, SMTPResponseException):
        text = f"{exc.code} {exc.message}"
    else:
        text = str(exc) or type(exc).__name__
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return text[:300]


def _tls_failure(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, ssl.SSLError):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False
