"""The click group, its shared state, and the one place where errors become messages.

Exit codes (DESIGN §7): 0 success; 1 done, but some input was rejected (reported);
2 usage or configuration error. Domain code raises domain errors; only here are they
turned into words and codes, so no traceback reaches an owner for an owner's mistake.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import wraps
from typing import Any, NoReturn, TypeVar

import click
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session, col, select

from followup.config import ConfigError, Settings, get_settings
from followup.models import Business, Client

EXIT_REJECTED = 1
EXIT_USAGE = 2

F = TypeVar("F", bound=Callable[..., Any])


class Rejected(click.ClickException):
    """Done as far as possible, but some input was refused: exit code 1."""

    exit_code = EXIT_REJECTED


class Usage(click.ClickException):
    """The command cannot run as given, or the configuration is wrong: exit code 2."""

    exit_code = EXIT_USAGE


@dataclass
class State:
    business_ref: int | None = None
    _settings: Settings | None = None
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = get_settings()
        return self._settings

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from followup.db import make_engine

            self._engine = make_engine(self.settings)
        return self._engine

    def business(self, session: Session) -> Business:
        """The business named by ``--business``, or the only one there is."""
        if self.business_ref is not None:
            business = session.get(Business, self.business_ref)
            if business is None:
                raise Usage(f"there is no business {self.business_ref} (see: followup init)")
            return business
        found = list(session.exec(select(Business).order_by(col(Business.id)).limit(20)))
        if not found:
            raise Usage("there is no business yet: run `followup init` (or `followup demo`)")
        if len(found) > 1:
            names = ", ".join(f"{b.id}: {b.name}" for b in found)
            raise Usage(f"there are several businesses; choose one with --business ID ({names})")
        return found[0]

    def client(self, session: Session, ref: str) -> tuple[Business, Client]:
        """The business, and its client named by id, email or external reference."""
        from followup.events import find_client

        business = self.business(session)
        assert business.id is not None
        return business, find_client(session, business.id, ref)

    def today(self, business: Business, value: str | None, param: str = "--date") -> date:
        """The day given with ``param``, or today in the business's time zone."""
        from followup.calendar import local_today

        return parse_day(value, param) or local_today(business, now())


pass_state = click.make_pass_decorator(State, ensure=True)


def now() -> datetime:
    """The real clock, read only here at the edge; the domain takes it as an argument."""
    return datetime.now(UTC)


def parse_day(value: str | None, param: str = "--date") -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Usage(f"{param} {value!r} is not a date: write it as YYYY-MM-DD") from None


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def fail(message: str) -> NoReturn:
    raise Rejected(message)


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn the errors an owner can cause or fix into a message and an exit code."""
    from followup.events import InvalidEvent, UnknownClient
    from followup.recovery.guarantees import InvalidGuarantee

    try:
        yield
    except ConfigError as exc:
        raise Usage(str(exc)) from None
    except (UnknownClient, InvalidEvent, InvalidGuarantee) as exc:
        raise Rejected(str(exc)) from None
    except (OperationalError, ProgrammingError) as exc:
        text = str(exc.orig) if exc.orig is not None else str(exc)
        if "no such table" in text or "does not exist" in text:
            raise Usage(
                "the database has no followup tables yet: run `followup init` "
                "(or `followup migrate` after an upgrade)"
            ) from None
        if "unable to open database" in text or "could not connect" in text.lower():
            raise Usage(f"cannot open the database: {text}") from None
        raise


def handled(func: F) -> F:
    """Run a command body inside ``translate_errors``."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with translate_errors():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--business",
    "business_ref",
    type=int,
    default=None,
    help="The business to act on, where there are several.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log what is happening to stderr.")
@click.version_option(package_name="followup")
@click.pass_context
def cli(ctx: click.Context, business_ref: int | None, verbose: bool) -> None:
    """followup: every working day, three personal letters to the clients who need one."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    ctx.obj = State(business_ref=business_ref)
