"""The ``followup`` command (DESIGN §7)."""

from __future__ import annotations

from followup.cli import clients, letters, picks, routine  # noqa: F401  (they register commands)
from followup.cli.app import cli


def main() -> None:
    cli(prog_name="followup")


__all__ = ["cli", "main"]
