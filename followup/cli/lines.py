"""The owner's own lines from the command line: `followup settings line add|list|remove`."""

from __future__ import annotations

import click

from followup.cli.app import State, emit_json, now, pass_state
from followup.cli.setup import settings
from followup.db import read_session, write_session
from followup.letters.context import KINDS, TEMPLATE_LOCALES


@settings.group("line")
def line() -> None:
    """Your own lines, used in the letters where they fit (one per letter at most)."""


@line.command("add")
@click.option("--kind", required=True, type=click.Choice(KINDS), help="The kind of letter.")
@click.option(
    "--locale",
    required=True,
    type=click.Choice(TEMPLATE_LOCALES),
    help="The letters it is for: es-usted, es-tu or en (it is written in their words).",
)
@click.option(
    "--keywords",
    default="",
    help="For a thank-you: the item's words it fits, comma separated (“bici, bicicleta”); "
    "without keywords it fits every letter of the kind.",
)
@click.argument("text")
@pass_state
def line_add(state: State, kind: str, locale: str, keywords: str, text: str) -> None:
    """Add a line, written to the client: “Los cables se asientan en las primeras semanas:
    pásese y se los ajustamos gratis.”"""
    from followup.letters.personal import add_owner_line

    with write_session(state.engine) as session:
        added = add_owner_line(
            session, state.business(session), now(),
            kind=kind, locale=locale, text=text, keywords=keywords,
        )  # fmt: skip
    fits = f"items with {added.keywords}" if added.keywords else "every letter of the kind"
    click.echo(f"Added line {added.id} for {kind} letters ({locale}), for {fits}.")


@line.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def line_list(state: State, as_json: bool) -> None:
    """List your lines."""
    from followup.services import settings_view

    with read_session(state.engine) as session:
        lines = settings_view(state.business(session), session).owner_lines
    if as_json:
        emit_json(lines)
        return
    for item in lines:
        fits = f"[{item.keywords}]" if item.keywords else "[every letter]"
        click.echo(f"{item.id:>4}  {item.kind:<17} {item.locale:<8} {fits}  {item.text}")
    click.echo(f"{len(lines)} line(s).", err=True)


@line.command("remove")
@click.argument("line_id", type=int)
@pass_state
def line_remove(state: State, line_id: int) -> None:
    """Remove one of your lines."""
    from followup.letters.personal import remove_owner_line

    with write_session(state.engine) as session:
        remove_owner_line(session, state.business(session), line_id)
    click.echo(f"Removed line {line_id}.")
