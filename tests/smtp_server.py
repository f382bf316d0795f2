"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1 and a free port, in a thread
of the test's process, with a handler whose answers are scripted per recipient.

``Faulty`` records every message it accepts (``received``, ``message_ids()``); its
``script`` injects faults per recipient and step; ``pauses`` make steps (EHLO, MAIL,
RCPT, DATA) take a while, so that a sender killed at a random moment is caught in every
phase; ``steps`` counts the steps begun, by name, and ``current`` is the step the server
is pausing in, for tests that wait for one or ask where a sender was.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

SLOW = 1.0  # how long the server takes when it is slow; the client waits 0.2 s
PASSWORD = "app-password-1"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    connection: int
    tls: bool


@dataclass
class Faulty:
    """An aiosmtpd handler whose answers are scripted per recipient: each attempt at a
    recipient takes the next fault of its list, at the step the fault names; with no
    fault left, everything is accepted and recorded in ``received``."""

    script: dict[str, list[str]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    rcpts: list[str] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)
    password: str = PASSWORD
    connections: Iterator[int] = field(default_factory=itertools.count)
    # Seconds a step takes, by name: "EHLO", "MAIL", "RCPT", "DATA" (after the message
    # is recorded, before the answer).
    pauses: dict[str, float] = field(default_factory=dict)
    # Steps begun, by name (RSET too), and the one the server is pausing in: under
    # ``changed``.
    steps: Counter[str] = field(default_factory=Counter)
    current: str | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)

    def fault(self, address: str, step: str) -> str | None:
        faults = self.script.get(address)
        if faults and faults[0].startswith(step + ":"):
            return faults.pop(0).split(":", 1)[1]
        return None

    async def begin(self, step: str) -> None:
        pause = self.pauses.get(step, 0.0)
        with self.changed:
            self.steps[step] += 1
            self.current = step if pause else None
            self.changed.notify_all()
        if pause:
            await asyncio.sleep(pause)
            with self.changed:
                self.current = None

    def wait_for(self, ready: Callable[[Counter[str]], bool], timeout: float) -> bool:
        """Block the test's thread until ``ready(steps)`` holds; False on timeout."""
        with self.changed:
            return self.changed.wait_for(lambda: ready(self.steps), timeout)

    async def handle_EHLO(
        self, _server: SMTPServer, session: Session, _env: Envelope, hostname: str, responses: Any
    ) -> Any:
        session.host_name = hostname
        await self.begin("EHLO")
        return responses

    async def handle_MAIL(
        self,
        _server: SMTPServer,
        _session: Session,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        await self.begin("MAIL")
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RSET(self, _server: SMTPServer, _session: Session, _env: Envelope) -> str:
        await self.begin("RSET")
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, _: Any
    ) -> str:
        self.rcpts.append(address)
        await self.begin("RCPT")
        fault = self.fault(address, "rcpt")
        if fault == "drop":
            assert server.transport is not None
            server.transport.close()
        elif fault == "slow":
            await asyncio.sleep(SLOW)
        elif fault is not None:
            return fault
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        fault = self.fault(envelope.rcpt_tos[0], "data")
        if fault is not None and fault[0].isdigit():
            return fault  # refused: nothing is recorded
        if not hasattr(session, "number"):
            session.number = next(self.connections)  # type: ignore[attr-defined]
        assert isinstance(envelope.content, bytes) and envelope.mail_from is not None
        assert server.transport is not None
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                parsed,
                session.number,  # type: ignore[attr-defined]
                server.transport.get_extra_info("ssl_object") is not None,
            )
        )
        # The server has the message from here on; the sender learns it only at the 250.
        await self.begin("DATA")
        if fault == "drop":  # the server has the message; its answer never leaves
            server.transport.close()
        elif fault == "slow":
            await asyncio.sleep(SLOW)
        elif fault == "close-after":  # answers, then hangs up (an idle timeout)
            asyncio.get_running_loop().call_soon(server.transport.close)
        return "250 2.0.0 Queued"

    def authenticate(
        self, _server: SMTPServer, _session: Session, _env: Envelope, _mech: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        ok = data.login == b"marta" and data.password == self.password.encode()
        self.logins.append((data.login.decode(), ok))
        return AuthResult(success=ok, handled=False)

    def message_ids(self) -> list[str]:
        return [str(got.message["Message-ID"]) for got in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    handler: Faulty
    port: int

    def url(self, user: str = "", query: str = "", scheme: str = "smtp") -> str:
        return f"{scheme}://{user + '@' if user else ''}127.0.0.1:{self.port}{query}"


def start(handler: Faulty, **options: Any) -> tuple[Controller, Server]:
    """Start ``handler``'s server in a thread of this process; stop it with the
    controller's ``stop()``."""
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        server_hostname="mx.test",
        authenticator=handler.authenticate,
        ready_timeout=10,
        **({"auth_require_tls": False} | options),
    )
    controller.start()
    return controller, Server(handler, port)


def serving(handler: Faulty | None = None) -> Iterator[Server]:
    """A running server for a fixture: ``yield from serving()``."""
    controller, running = start(handler or Faulty())
    try:
        yield running
    finally:
        controller.stop()
