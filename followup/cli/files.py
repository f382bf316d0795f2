"""Reading a spreadsheet file and reporting its import, for ``clients import`` and
``events import``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from followup.cli.app import Usage, fail
from followup.spreadsheets.reports import ImportReport

# Files this long get a progress bar on a terminal.
PROGRESS_FROM_ROWS = 500


def readable_file(path: str) -> Path:
    """``path``, once it is known to open: the import reads it twice, never whole."""
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise Usage(f"cannot read {path}: {exc.strerror or exc}") from None
    return Path(path)


def import_with_progress(
    importer: Callable[..., ImportReport], path: Path, **kwargs: Any
) -> ImportReport:
    """Run ``importer`` on the file, with a progress bar when a person watches a large one."""
    from followup.spreadsheets.reading import CsvFormatError, count_rows

    try:
        total = count_rows(path) if sys.stderr.isatty() else 0
        if total < PROGRESS_FROM_ROWS:
            return importer(source=path, **kwargs)
        with click.progressbar(length=total, label="Importing", file=sys.stderr) as bar:
            return importer(source=path, progress=bar.update, **kwargs)
    except CsvFormatError as exc:
        raise Usage(f"{path}: {exc}") from None
    except OSError as exc:
        raise Usage(f"cannot read {path}: {exc.strerror or exc}") from None


def report_import(report: ImportReport, what: str, dry_run: bool = False) -> None:
    for note in report.warnings:
        click.echo(f"  note: row {note.row}, {note.column or 'file'}: {note.message}", err=True)
    for problem in report.problems:
        click.echo(f"  rejected: {problem}", err=True)
    verb = "Would import" if dry_run else "Imported"
    read_as = f"read as {report.encoding}"
    if report.unreadable:
        read_as += f", {report.unreadable} unreadable byte(s)"
    click.echo(
        f"{verb} {what}: {report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.rejected} rejected ({read_as})."
    )
    if report.renamed:
        # A name changed by a file is worth a look: a file saved in the wrong encoding
        # changes every accented name at once ('José' -> 'JosÃ©').
        names = "1 name" if report.renamed == 1 else f"{report.renamed} names"
        changed = "would change" if dry_run else "changed"
        some = ", e.g." if report.renamed > len(report.renames) else ":"
        examples = ", ".join(f"'{old}' → '{new}'" for old, new in report.renames)
        click.echo(f"{names} {changed}{some} {examples}.")
    if dry_run:
        # Said last, where the eye lands: a dry run that looks like an import is a trap.
        if report.problems:
            fail(
                f"{report.rejected} row(s) would be rejected (listed above). "
                "Dry run: nothing was written."
            )
        click.echo("Dry run: nothing was written.")
    elif report.problems:
        fail(
            f"{report.rejected} row(s) were rejected (listed above); "
            "the other rows were kept. Fix those rows and import the file again."
        )
