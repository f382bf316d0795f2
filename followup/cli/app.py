"""The click group, its shared state, and the one place where errors become messages.

Exit codes (DESIGN §7): 0 success; 1 done, but some input was rejected (reported);
2 usage or configuration error. Domain code raises the errors of ``followup.errors``,
each carrying its exit code; ``Command.invoke`` turns them into words and that code for
every command, so no traceback reaches an owner for an owner's mistake.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any, NoReturn

import click
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from followup.config import Settings, get_settings
from followup.errors import ConfigError, FollowupError, Invalid
from followup.models import Business, Client

EXIT_REJECTED = 1
EXIT_USAGE = 2
# Commands that send letters or run for long: their settings must be fit for production.
SERVICE_COMMANDS = frozenset({"send", "tick", "serve", "worker"})


class Rejected(click.ClickException):
    """Done as far as possible, but some input was refused: exit code 1."""

    exit_code = EXIT_REJECTED


class Usage(click.ClickException):
    """The command cannot run as given, or the configuration is wrong: exit code 2."""

    exit_code = EXIT_USAGE


class Day(click.ParamType):
    """A local day written YYYY-MM-DD."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date: write it as YYYY-MM-DD", param, ctx)


DAY = Day()


def now() -> datetime:
    """The real clock, read only here at the edge; the domain takes it as an argument."""
    return datetime.now(UTC)


@dataclass
class State:
    business_ref: int | None = None
    service: bool = False

    @cached_property
    def settings(self) -> Settings:
        return get_settings(service=self.service)

    @cached_property
    def raw_engine(self) -> Engine:
        """The engine without the schema check: for init, migrate and demo."""
        from followup.db import make_engine

        return make_engine(self.settings)

    @cached_property
    def engine(self) -> Engine:
        """The engine, once the database is known to hold the current schema."""
        from followup.db import check_schema

        check_schema(self.raw_engine)
        return self.raw_engine

    def business(self, session: Session) -> Business:
        """The business named by ``--business``, or the only one there is."""
        from followup.businesses import get_business

        return get_business(session, self.business_ref)

    def client(self, session: Session, ref: str) -> tuple[Business, Client]:
        """The business, and its client named by id, email or external reference."""
        from followup.clients import find_client

        business = self.business(session)
        assert business.id is not None
        return business, find_client(session, business.id, ref)

    def businesses(self, session: Session) -> list[Business]:
        """The business ``--business`` names, or every business."""
        from sqlmodel import col, select

        if self.business_ref is not None:
            return [self.business(session)]
        return list(session.exec(select(Business).order_by(col(Business.id))))

    def today(self, business: Business, day: date | None) -> date:
        """``day`` when given, else today in the business's time zone."""
        from followup.calendar import local_today

        return day or local_today(business, now())

    def refuse_future(self, business: Business, day: date) -> None:
        """In production, a day that has not come yet is not run: it would mark the day
        done, end guarantees and release letters before their time."""
        from followup.calendar import local_today

        today = local_today(business, now())
        if day > today and self.settings.environment == "production":
            raise ConfigError(
                f"--date {day.isoformat()} has not come yet for {business.name} (today is "
                f"{today.isoformat()}): acting on it would mark that day done, end "
                "guarantees and release letters early, so FOLLOWUP_ENVIRONMENT=production "
                "refuses it"
            )


pass_state = click.make_pass_decorator(State, ensure=True)


def emit_json(data: BaseModel | Iterable[BaseModel]) -> None:
    """Print public views (``followup.schemas``) as JSON: one object, or a list."""
    if isinstance(data, BaseModel):
        shaped: Any = data.model_dump(mode="json")
    else:
        shaped = [item.model_dump(mode="json") for item in data]
    click.echo(json.dumps(shaped, ensure_ascii=False, indent=2))


def fail(message: str) -> NoReturn:
    raise Rejected(message)


def _flag(ctx: click.Context, field: str) -> str | None:
    """The command-line name of the option that gives ``field`` in this command."""
    for param in ctx.command.params:
        if param.name == field and isinstance(param, click.Option):
            return param.opts[0]
    return None


@contextmanager
def translate_errors(ctx: click.Context) -> Iterator[None]:
    """The one place where a domain error becomes words and an exit code."""
    try:
        yield
    except DBAPIError as exc:
        from followup.db import database_fault

        state = ctx.find_object(State)
        engine = state.__dict__.get("raw_engine") if state is not None else None
        fault = database_fault(exc, engine)
        if fault is None:
            raise  # a bug: its traceback is what a report needs
        raise Usage(fault.message) from None
    except FollowupError as exc:
        message = exc.message
        flag = _flag(ctx, exc.field) if isinstance(exc, Invalid) else None
        if flag is not None:
            message = f"{flag}: {message}"
        raise (Usage if exc.exit_code == EXIT_USAGE else Rejected)(message) from None


class Command(click.Command):
    def invoke(self, ctx: click.Context) -> Any:
        with translate_errors(ctx):
            return super().invoke(ctx)


class Group(Command, click.Group):
    command_class = Command
    group_class = type  # subgroups are of this class too


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
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
    ctx.obj = State(business_ref=business_ref, service=ctx.invoked_subcommand in SERVICE_COMMANDS)
