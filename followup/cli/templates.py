"""The letter templates from the command line."""

from __future__ import annotations

import click

from followup.cli.app import cli, fail


@cli.group()
def templates() -> None:
    """The letter templates."""


@templates.command("check")
def templates_check() -> None:
    """Render every template, and every variant of its phrases, in every language against
    sample clients: each must render, read as written to the client, and keep its length."""
    from followup.letters.checks import check_defaults, check_phrases

    problems = check_defaults() + check_phrases()
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    if problems:
        fail(f"{len(problems)} template problem(s) (listed above)")
    click.echo(
        "Every template and every variant of its phrases renders in every language and "
        "form of address."
    )
