"""Settings from the environment (``FOLLOWUP_*``) and a ``.env`` file.

Nothing here does I/O at import time: ``get_settings()`` reads the environment when
it is called, so every test and every process builds its own.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, quote, unquote, urlsplit

from pydantic import (
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from followup.errors import ConfigError

PLACEHOLDER_SECRETS = frozenset({"", "changethis", "change-me", "secret", "development"})
SMTP_PORTS = {"smtp": 587, "smtps": 465}
SMTP_FORMS = (
    "smtp://user:password@host:587 (STARTTLS when the server offers it; add "
    "?starttls=require to insist) or smtps://user:password@host:465 (TLS from the start)"
)


@dataclass(frozen=True)
class SmtpServer:
    """Where letters go by SMTP: FOLLOWUP_SMTP_URL, parsed, with the password from
    FOLLOWUP_SMTP_PASSWORD_FILE when that is set. Its ``repr`` and ``shown`` never
    carry the password."""

    host: str
    port: int
    implicit_tls: bool = False
    require_starttls: bool = False
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def shown(self) -> str:
        """The URL as it may be printed and logged: no password."""
        scheme = "smtps" if self.implicit_tls else "smtp"
        user = f"{quote(self.user, safe='')}@" if self.user else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        query = "?starttls=require" if self.require_starttls else ""
        return f"{scheme}://{user}{host}:{self.port}{query}"

    @cached_property
    def fingerprint(self) -> str:
        """Which settings a sending pause applies to: another server, port, user or
        password lifts it. The password enters only through a salted scrypt digest,
        so nothing stored with a pause gives it away."""
        where = f"followup-smtp|{self.shown}".encode()
        secret = hashlib.scrypt(
            (self.password or "").encode(), salt=where, n=2**14, r=8, p=1, dklen=32
        )
        return hashlib.sha256(where + b"|" + secret).hexdigest()


def parse_smtp_url(url: str, password_from_file: str | None = None) -> SmtpServer:
    """FOLLOWUP_SMTP_URL as an ``SmtpServer``; ``ValueError`` says what is wrong with it
    (never repeating the URL, which holds the password)."""
    name = "FOLLOWUP_SMTP_URL"
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        raise ValueError(f"{name} is not a URL: write {SMTP_FORMS}") from None
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{name}: the port is not a number from 1 to 65535") from None
    scheme = parts.scheme.lower()
    if scheme not in SMTP_PORTS:
        said = f"{scheme!r}" if scheme else "no scheme"
        raise ValueError(f"{name}: {said} is not a mail server scheme: write {SMTP_FORMS}")
    if not parts.hostname:
        raise ValueError(f"{name} names no server: write {SMTP_FORMS}")
    if port == 0:
        raise ValueError(f"{name}: the port is not a number from 1 to 65535")
    if parts.path not in ("", "/") or parts.fragment:
        raise ValueError(f"{name}: nothing may follow host:port but ?starttls=require")
    options = parse_qs(parts.query, keep_blank_values=True)
    starttls = options.pop("starttls", ["auto"])
    if options:
        raise ValueError(f"{name}: unknown option {sorted(options)[0]!r}; only ?starttls=require")
    if len(starttls) != 1 or starttls[0].lower() not in ("auto", "require"):
        raise ValueError(
            f"{name}: ?starttls={','.join(starttls)} is not understood: write "
            "?starttls=require to refuse a server that does not offer STARTTLS, or leave it out"
        )
    require = starttls[0].lower() == "require"
    if require and scheme == "smtps":
        raise ValueError(
            f"{name}: smtps:// is TLS from the start; ?starttls=require is for smtp://"
        )
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    if password_from_file is not None:
        if password is not None:
            raise ValueError(
                f"{name} holds a password and FOLLOWUP_SMTP_PASSWORD_FILE is set: keep one"
            )
        password = password_from_file
    if (user is None) != (password is None):
        missing = "a user" if user is None else "a password"
        raise ValueError(
            f"{name} needs {missing} too: smtp://user:password@host, or the password in "
            "FOLLOWUP_SMTP_PASSWORD_FILE"
        )
    return SmtpServer(
        host=parts.hostname,
        port=port or SMTP_PORTS[scheme],
        implicit_tls=scheme == "smtps",
        require_starttls=require,
        user=user,
        password=password,
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FOLLOWUP_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        # FOLLOWUP_SECRET_KEY_FILE=/run/secrets/key works for containers.
        secrets_dir=None,
    )

    environment: Literal["development", "production"] = Field(
        default="development",
        description="`production` refuses a placeholder secret key.",
    )
    database_url: str = Field(
        default="sqlite:///followup.db",
        description="SQLAlchemy URL; SQLite file in the working directory by default, "
        "or postgresql+psycopg://user@host/db.",
    )
    smtp_url: SecretStr | None = Field(
        default=None,
        description="smtp://user:pass@host:587 (STARTTLS when offered; ?starttls=require "
        "insists) or smtps://user:pass@host:465; when unset, letters are delivered into "
        "the Maildir at FOLLOWUP_OUTBOX_DIR.",
    )
    smtp_password_file: Path | None = Field(
        default=None, description="A file holding the SMTP password (container secrets)."
    )
    smtp_timeout_seconds: float = Field(
        default=30, gt=0, le=600, description="How long to wait for the mail server, per step."
    )
    smtp_rate_per_minute: int = Field(
        default=20,
        ge=1,
        le=600,
        description="Letters per minute and business at most (a personal mailbox's pace).",
    )
    outbox_dir: Path = Field(
        default=Path("outbox"),
        description="The Maildir that receives letters when no SMTP server is set.",
    )
    base_url: str | None = Field(
        default=None,
        description="The public address of `followup serve` (https://followup.example.com): "
        "unsubscribe links and the digest's link to the dashboard use it; unset, letters "
        "carry no unsubscribe link.",
    )
    secret_key: str = Field(
        default="development",
        description="Signs unsubscribe links (and will sign the dashboard's sessions); "
        "`send`, `tick`, `serve` and `worker` refuse a placeholder in production, or "
        "anywhere once FOLLOWUP_BASE_URL is set. Read from FOLLOWUP_SECRET_KEY_FILE "
        "when that is set.",
    )
    secret_key_file: Path | None = Field(
        default=None, description="A file holding the secret key (container secrets)."
    )
    lease_seconds: int = Field(
        default=300,
        ge=30,
        description="How long a sender may hold a letter before it counts as lost "
        "(the letter then becomes `uncertain`).",
    )
    send_batch: int = Field(
        default=20, ge=1, description="Letters claimed per sending round."
    )
    imap_password: SecretStr | None = Field(
        default=None,
        description="The password of the owner's inbox (DESIGN §5a) when its IMAP address "
        "holds none, so it need not be stored in the database.",
    )
    imap_password_file: Path | None = Field(
        default=None, description="A file holding the inbox's password (container secrets)."
    )
    imap_timeout_seconds: float = Field(
        default=30, gt=0, le=600, description="How long to wait for the inbox's server, per step."
    )

    _smtp: SmtpServer | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _read_secret_file(self) -> Settings:
        if self.secret_key_file is not None:
            try:
                self.secret_key = self.secret_key_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ValueError(f"cannot read FOLLOWUP_SECRET_KEY_FILE: {exc}") from exc
        return self

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                "write the dashboard's public address, such as https://followup.example.com"
            )
        if parts.query or parts.fragment:
            raise ValueError("the public address takes no ?query or #fragment")
        return value.strip().rstrip("/")

    @model_validator(mode="after")
    def _read_smtp(self) -> Settings:
        url = self.smtp_url.get_secret_value().strip() if self.smtp_url else ""
        password = None
        if self.smtp_password_file is not None:
            if not url:
                raise ValueError("FOLLOWUP_SMTP_PASSWORD_FILE is set but FOLLOWUP_SMTP_URL is not")
            password = _password_from(self.smtp_password_file, "FOLLOWUP_SMTP_PASSWORD_FILE")
        self._smtp = parse_smtp_url(url, password) if url else None
        spacing = 60 / self.smtp_rate_per_minute
        if self._smtp is not None and spacing > self.lease_seconds / 4:
            raise ValueError(
                f"FOLLOWUP_SMTP_RATE_PER_MINUTE={self.smtp_rate_per_minute} spaces letters "
                f"{spacing:g} s apart, more than a quarter of FOLLOWUP_LEASE_SECONDS="
                f"{self.lease_seconds}: raise one of them"
            )
        return self

    @model_validator(mode="after")
    def _read_imap_password(self) -> Settings:
        if self.imap_password_file is None:
            return self
        if self.imap_password is not None:
            raise ValueError(
                "FOLLOWUP_IMAP_PASSWORD and FOLLOWUP_IMAP_PASSWORD_FILE are both set: keep one"
            )
        password = _password_from(self.imap_password_file, "FOLLOWUP_IMAP_PASSWORD_FILE")
        self.imap_password = SecretStr(password)
        return self

    @property
    def smtp(self) -> SmtpServer | None:
        """The SMTP server letters go to; None: the Maildir at ``outbox_dir``."""
        return self._smtp

    @property
    def delivery_fingerprint(self) -> str:
        """Says which delivery settings are in force (see ``SmtpServer.fingerprint``)."""
        return self._smtp.fingerprint if self._smtp is not None else "maildir"

    def check_production(self) -> None:
        """Refuse the placeholder secret outside development, and wherever it would sign
        the unsubscribe links that a public base URL puts in letters."""
        weak = self.secret_key in PLACEHOLDER_SECRETS or len(self.secret_key) < 16
        if self.base_url is not None and weak:
            raise ConfigError(
                "FOLLOWUP_BASE_URL puts unsubscribe links in letters, signed with "
                "FOLLOWUP_SECRET_KEY, which is a placeholder or too short to keep them "
                "unguessable; set a long "
                "random value (for example: python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))')"
            )
        if self.environment != "development" and self.secret_key in PLACEHOLDER_SECRETS:
            raise ConfigError(
                "FOLLOWUP_SECRET_KEY is a placeholder; set a long random value "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )

    def check_listening(self, host: str) -> None:
        """Refuse a placeholder secret for a dashboard other machines can reach: anyone
        who knows it could sign themselves a session cookie."""
        loopback = host in ("127.0.0.1", "::1", "localhost") or host.startswith("127.")
        weak = self.secret_key in PLACEHOLDER_SECRETS or len(self.secret_key) < 16
        if not loopback and weak:
            raise ConfigError(
                f"the dashboard would listen on {host}, where other machines reach it, and "
                "FOLLOWUP_SECRET_KEY, which signs its logins, is a placeholder or too short: "
                "set a long random value (for example: python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'), or keep --host 127.0.0.1"
            )


def _password_from(path: Path, variable: str) -> str:
    """The password kept in the file ``variable`` names (a container secret): its text
    without the line end an editor adds."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ValueError(f"cannot read {variable} ({path}): {why}") from None
    return text.rstrip("\r\n")


def get_settings(*, service: bool = False, **overrides: object) -> Settings:
    """Read the settings now (environment, then ``.env``), with explicit overrides.

    ``service`` is for what sends letters or runs for long (``send``, ``tick``, the web
    server, the worker): those settings must be safe for production, so a placeholder
    secret key is refused here, once, rather than by each command.
    """
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError(f"invalid configuration:\n{_describe(exc)}") from None
    if service:
        settings.check_production()
    return settings


def _describe(exc: ValidationError) -> str:
    """Pydantic's errors in the owner's terms: the variable to change, and why."""
    problems = []
    for error in exc.errors():
        why = str(error["msg"]).removeprefix("Value error, ")
        name = "_".join(str(part) for part in error["loc"]).upper()
        given = f" (it is {error['input']!r})" if name and isinstance(error["input"], str) else ""
        problems.append(f"FOLLOWUP_{name}: {why}{given}" if name else why)
    return "\n".join(f"  {problem}" for problem in problems)
