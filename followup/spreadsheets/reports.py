"""What an import reports (DESIGN §7 "CSV import", §8 "Bad input"): its counts, its
problems and warnings by row and column, how the file was read, and its progress.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Progress = Callable[[int], None]
PROGRESS_EVERY = 100


@dataclass
class RowProblem:
    row: int
    column: str | None
    message: str
    value: str | None = None

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    rows: int = 0
    encoding: str = ""  # how the file was read: UTF-8, UTF-16 or Windows-1252
    unreadable: int = 0  # bytes of a UTF-8 file that were not UTF-8
    renamed: int = 0  # existing clients whose name the file changes
    renames: list[tuple[str, str]] = field(default_factory=list)  # a few (old, new)

    @property
    def rejected(self) -> int:
        """Rows skipped because of at least one problem."""
        return len({p.row for p in self.problems})

    @property
    def ok(self) -> bool:
        return not self.problems

    def rename(self, old: str, new: str, examples: int = 3) -> None:
        self.renamed += 1
        if len(self.renames) < examples:
            self.renames.append((old, new))


class Ticker:
    """Calls ``progress`` with the rows done, every ``PROGRESS_EVERY`` rows and at the end."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.pending = 0

    def tick(self) -> None:
        self.pending += 1
        if self.pending >= PROGRESS_EVERY:
            self.flush()

    def flush(self) -> None:
        if self.progress is not None and self.pending:
            self.progress(self.pending)
        self.pending = 0
