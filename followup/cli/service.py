"""Running as a service: `followup worker` (the scheduler without a web server)."""

from __future__ import annotations

import sys

import click

from followup.cli.app import State, cli, now, pass_state


@cli.command()
@click.option(
    "--interval",
    type=click.FloatRange(min=1),
    default=60,
    show_default=True,
    help="Seconds between sending rounds (housekeeping, expired leases, sending).",
)
@pass_state
def worker(state: State, interval: float) -> None:
    """Run the routine by itself: each business's day at its send time, and sending
    every minute, until stopped (SIGTERM or Ctrl-C finish the letter in flight and put
    the rest back in the queue).

    At start it catches up on today only: a day whose send time has passed and that is
    not done yet is done now. Use it, or `followup tick` from cron, not both on purpose
    (both at once is safe).
    """
    from followup.jobs.scheduler import run_worker

    engine = state.engine  # checks the schema and the database first
    click.echo(
        f"followup worker: {len(_names(state))} business(es); sending every {interval:g} s. "
        "Stop it with Ctrl-C or SIGTERM.",
        err=True,
    )
    code = run_worker(engine, state.settings, now, interval)
    click.echo("followup worker: stopped; letters not started are back in the queue.", err=True)
    sys.exit(code)


def _names(state: State) -> list[str]:
    from followup.db import read_session

    with read_session(state.engine) as session:
        return [b.name for b in state.businesses(session)]
