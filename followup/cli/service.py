"""Running as a service: `followup serve` (the web app, with the scheduler unless told
otherwise) and `followup worker` (the scheduler without a web server)."""

from __future__ import annotations

import signal
import sys

import click

from followup.cli.app import State, cli, now, pass_state
from followup.jobs.stopping import SIGNALS


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


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--scheduler/--no-scheduler",
    default=True,
    show_default=True,
    help="Also run each business's day and the sending rounds (as `followup worker` "
    "does); --no-scheduler when a worker or cron's `tick` does that elsewhere.",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=1),
    default=60,
    show_default=True,
    help="Seconds between sending rounds, with the scheduler.",
)
@click.option(
    "--proxy-headers/--no-proxy-headers",
    default=False,
    show_default=True,
    help="Behind a reverse proxy: believe its X-Forwarded-Proto and X-Forwarded-For "
    "(https, the client's address for login throttling), from --forwarded-allow-ips only.",
)
@click.option(
    "--forwarded-allow-ips",
    default="127.0.0.1",
    show_default=True,
    help="With --proxy-headers: the proxy addresses whose X-Forwarded-* headers count "
    "(comma-separated).",
)
@pass_state
def serve(
    state: State,
    host: str,
    port: int,
    scheduler: bool,
    interval: float,
    proxy_headers: bool,
    forwarded_allow_ips: str,
) -> None:
    """Serve the web app: the dashboard (/login), the unsubscribe links of letters and
    /healthz, and, unless --no-scheduler, the routine itself as `worker` runs it.

    Letters carry unsubscribe links only when FOLLOWUP_BASE_URL is the public address
    of this server. SIGTERM or Ctrl-C stop it as they stop `worker`.
    """
    import uvicorn

    from followup.web import create_app

    state.settings.check_listening(host)
    engine = state.engine  # checks the schema and the database first
    app = create_app(
        engine, state.settings, now, scheduler_interval=interval if scheduler else None
    )
    routine = f"sending every {interval:g} s" if scheduler else "no scheduler"
    click.echo(
        f"followup serve: http://{host}:{port}/ for {len(_names(state))} business(es); "
        f"{routine}. Stop it with Ctrl-C or SIGTERM.",
        err=True,
    )
    # uvicorn believes X-Forwarded-* from 127.0.0.1 by default: here only when told, so
    # a request cannot claim https (and get a Secure cookie, https links) on its own.
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        lifespan="on",
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
    )
    server = uvicorn.Server(config)
    # uvicorn handles SIGTERM and SIGINT itself (it stops serving, then the lifespan
    # stops the scheduler), and at the end hands the signal on to these handlers.
    received: list[int] = []
    previous = {
        sig: signal.signal(sig, lambda signum, _f: received.append(signum)) for sig in SIGNALS
    }
    try:
        server.run()
    except SystemExit as exc:  # uvicorn exits 1 when it cannot listen or start
        if exc.code:
            raise click.ClickException(
                f"could not serve on {host}:{port}: the address is taken or startup failed "
                "(see the lines above)"
            ) from None
        raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not server.started:
        raise click.ClickException(f"could not serve on {host}:{port} (see the lines above)")
    back = "; letters not started are back in the queue" if scheduler else ""
    click.echo(f"followup serve: stopped{back}.", err=True)
    if received:
        sys.exit(128 + received[0])


def _names(state: State) -> list[str]:
    from followup.db import read_session

    with read_session(state.engine) as session:
        return [b.name for b in state.businesses(session)]


@cli.command("send-test")
@click.option("--to", "to", required=True, help="The address to send the test message to.")
@pass_state
def send_test(state: State, to: str) -> None:
    """Send one test message through the configured mail server (or the Maildir) and
    say, in words, what happened."""
    from followup.db import read_session
    from followup.jobs.testmail import send_test_message

    with read_session(state.engine) as session:
        business = state.business(session)
    outcome = send_test_message(business, state.settings, to, now())
    settings = state.settings
    where = (
        f"the mail server {outcome.server}"
        if outcome.server is not None
        else f"the Maildir {settings.outbox_dir} (FOLLOWUP_SMTP_URL is not set)"
    )
    if outcome.problem is not None:
        click.echo(f"The test message to {outcome.to} was not sent through {where}:", err=True)
        click.echo(f"  {outcome.problem}", err=True)
        sys.exit(2 if outcome.stops else 1)
    click.echo(f"Sent a test message to {outcome.to} through {where}.")
