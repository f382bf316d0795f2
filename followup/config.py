"""Settings from the environment (``FOLLOWUP_*``) and a ``.env`` file.

Nothing here does I/O at import time: ``get_settings()`` reads the environment when
it is called, so every test and every process builds its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from followup.errors import ConfigError

PLACEHOLDER_SECRETS = frozenset({"", "changethis", "change-me", "secret", "development"})


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
    smtp_url: str | None = Field(
        default=None,
        description="smtp://user:pass@host:587 or smtps://…; when unset, letters are "
        "delivered into the Maildir at FOLLOWUP_OUTBOX_DIR.",
    )
    outbox_dir: Path = Field(
        default=Path("outbox"),
        description="The Maildir that receives letters when no SMTP server is set.",
    )
    secret_key: str = Field(
        default="development",
        description="Will sign the dashboard's sessions and unsubscribe links; `send` and "
        "`tick` refuse a placeholder in production. Read from FOLLOWUP_SECRET_KEY_FILE "
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

    @model_validator(mode="after")
    def _read_secret_file(self) -> Settings:
        if self.secret_key_file is not None:
            try:
                self.secret_key = self.secret_key_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ValueError(f"cannot read FOLLOWUP_SECRET_KEY_FILE: {exc}") from exc
        return self

    def check_production(self) -> None:
        """Refuse the placeholder secret outside development."""
        if self.environment != "development" and self.secret_key in PLACEHOLDER_SECRETS:
            raise ConfigError(
                "FOLLOWUP_SECRET_KEY is a placeholder; set a long random value "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )


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
