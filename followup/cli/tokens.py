"""API tokens from the command line: create (shown once), list, revoke."""

from __future__ import annotations

import click

from followup.cli.app import State, cli, emit_json, now, pass_state
from followup.db import read_session, write_session


@cli.group()
def tokens() -> None:
    """Tokens for the JSON API (/api/v1): each sees one business only."""


@tokens.command("create")
@click.option("--name", required=True, help="What uses it: “accounting script”.")
@click.option(
    "--business", "business_ref", type=int, help="The business it sees (where there are several)."
)
@pass_state
def tokens_create(state: State, name: str, business_ref: int | None) -> None:
    """Create a token for the business and print it once."""
    from followup.tokens import create_token

    if business_ref is not None:
        state.business_ref = business_ref
    with write_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        view, token = create_token(session, business.id, name, now())
    click.echo(f"Token {view.id} ({view.name}) for {business.name}:")
    click.echo(token)
    click.echo(
        "Copy it now: it will not be shown again (only its hash is kept). "
        "Send it as the header `Authorization: Bearer <token>`.",
        err=True,
    )


@tokens.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def tokens_list(state: State, as_json: bool) -> None:
    """List the business's tokens (never the tokens themselves)."""
    from followup.tokens import list_tokens

    with read_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        rows = list_tokens(session, business.id)
    if as_json:
        emit_json(rows)
        return
    for t in rows:
        used = f"last used {t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never used"
        click.echo(f"{t.id:>4}  {t.name}  created {t.created_at:%Y-%m-%d}, {used}")
    click.echo(f"{len(rows)} token(s).", err=True)


@tokens.command("revoke")
@click.argument("token_id", metavar="ID", type=int)
@pass_state
def tokens_revoke(state: State, token_id: int) -> None:
    """Revoke token ID: requests with it are refused from now on."""
    from followup.tokens import revoke_token

    with write_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        revoke_token(session, business.id, token_id)
    click.echo(f"Token {token_id} is revoked.")
