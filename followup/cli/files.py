"""Reading a spreadsheet file and reporting its import, for ``clients import`` and
``events import``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from followup.cli.app import Usage, fail
from followup.spreadsheets.reading import ImportReport

# Files this long get a progress bar on a terminal.
PROGRESS_FROM_ROWS = 500


def read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise Usage(f"cannot read {path}: {exc.strerror or exc}") from None


def import_with_progress(
    importer: Callable[..., ImportReport], data: bytes, **kwargs: Any
) -> ImportReport:
    """Run ``importer`` with a progress bar when a person is watching a large file."""
    from followup.spreadsheets.reading import count_rows

    if not sys.stderr.isatty():
        return importer(data=data, **kwargs)
    total = count_rows(data)
    if total < PROGRESS_FROM_ROWS:
        return importer(data=data, **kwargs)
    with click.progressbar(length=total, label="Importing", file=sys.stderr) as bar:
        return importer(data=data, progress=bar.update, **kwargs)


def report_import(report: ImportReport, what: str, dry_run: bool = False) -> None:
    for note in report.warnings:
        click.echo(f"  note: row {note.row}, {note.column or 'file'}: {note.message}", err=True)
    for problem in report.problems:
        click.echo(f"  rejected: {problem}", err=True)
    verb = "Would import" if dry_run else "Imported"
    click.echo(
        f"{verb} {what}: {report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.problems)} rejected."
    )
    if report.problems:
        fail(
            f"{len(report.problems)} row(s) were rejected (listed above); "
            "the other rows were kept. Fix those rows and import the file again."
        )
