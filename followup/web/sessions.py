"""The dashboard's session: a cookie signed with FOLLOWUP_SECRET_KEY (itsdangerous),
holding a small JSON object (who is logged in, the CSRF token, the language chosen before
logging in). HttpOnly and SameSite=Lax always; Secure when FOLLOWUP_BASE_URL is https
or the request came over https (directly, or through a proxy `followup serve
--proxy-headers` trusts). Like starlette's SessionMiddleware, but the Secure flag is
decided per request."""

from __future__ import annotations

import json
from base64 import b64decode, b64encode
from binascii import Error as BinasciiError
from typing import Any

from itsdangerous import BadSignature, TimestampSigner
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "followup_session"
# A week, renewed by every visit: an owner who opens the dashboard daily stays logged in.
MAX_AGE_SECONDS = 7 * 24 * 3600


class SessionMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        secret_key: str,
        *,
        always_secure: bool,
        max_age: int = MAX_AGE_SECONDS,
    ) -> None:
        self.app = app
        self.signer = TimestampSigner(secret_key, salt="followup.session")
        self.always_secure = always_secure
        self.max_age = max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        cookie = HTTPConnection(scope).cookies.get(COOKIE)
        scope["session"] = self._read(cookie) if cookie else {}
        had_session = bool(scope["session"])

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                session: dict[str, Any] = scope["session"]
                if session:
                    self._set(message, scope, self._sign(session), self.max_age)
                elif had_session:
                    self._set(message, scope, "null", 0)
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _read(self, cookie: str) -> dict[str, Any]:
        try:
            data = self.signer.unsign(cookie.encode(), max_age=self.max_age)
            value = json.loads(b64decode(data))
        except (BadSignature, BinasciiError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}

    def _sign(self, session: dict[str, Any]) -> str:
        data = b64encode(json.dumps(session, separators=(",", ":")).encode())
        return self.signer.sign(data).decode()

    def _set(self, message: Message, scope: Scope, value: str, max_age: int) -> None:
        secure = self.always_secure or scope.get("scheme") == "https"
        attributes = f"{COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax"
        if secure:
            attributes += "; Secure"
        MutableHeaders(scope=message).append("Set-Cookie", attributes)
