"""The letter templates from the command line."""

from __future__ import annotations

import click

from followup.cli.app import cli, fail


@cli.group()
def templates() -> None:
    """The letter templates."""


@templates.command("check")
def templates_check() -> None:
    """Render every template in every language against sample clients."""
    from followup.letters.checks import check_defaults

    problems = check_defaults()
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    if problems:
        fail(f"{len(problems)} template problem(s) (listed above)")
    click.echo("Every template renders in every language and form of address.")
