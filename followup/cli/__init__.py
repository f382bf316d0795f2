"""The ``followup`` command (DESIGN §7): one module per command group."""

from __future__ import annotations

from followup.cli import (  # noqa: F401  (they register commands)
    clients,
    events,
    guarantees,
    incidents,
    letters,
    lines,
    picks,
    report,
    routine,
    service,
    setup,
    templates,
    tokens,
    users,
)
from followup.cli.app import cli


def main() -> None:
    cli(prog_name="followup")


__all__ = ["cli", "main"]
