"""Reading CSV files from spreadsheets (DESIGN §7 "CSV import", §8 "Bad input").

Files come from spreadsheets: UTF-8 with or without BOM (UTF-16 with BOM too), else
Windows-1252; `,`, `;` or tab; CRLF or LF; English or Spanish headers in any case, with
or without accents. ``read_table`` maps the headers to canonical fields through a table
of accepted names; ``RowCheck`` collects what is wrong with one row, by column.

Row numbers are the ones the owner sees in the spreadsheet: the header is row 1 and each
CSV record is one row, even when a quoted cell spans several physical lines (the
spreadsheet shows one row with a line break inside the cell). Blank lines keep their
number, as in the spreadsheet, but are skipped without a word.

A line break (or other control character) inside a cell is folded into one space and
reported as a warning (``RowCheck.text``): it must never reach a mail header, and folding
loses nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from followup.errors import Invalid
from followup.fields import has_line_break, one_line

Progress = Callable[[int], None]
PROGRESS_EVERY = 100

# cp1252 leaves five bytes undefined; surrogateescape keeps them and this maps them to Latin-1.
_UNDEFINED_AS_LATIN1 = {0xDC00 + b: b for b in range(0x80, 0x100)}


class CsvFormatError(Invalid):
    """The file as a whole cannot be read: empty, binary, or a required column missing.

    Nothing of it was imported, so it is a usage error (exit code 2), not rejected rows.
    """

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__("file", message)


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

    @property
    def rejected(self) -> int:
        """Rows skipped because of at least one problem."""
        return len({p.row for p in self.problems})

    @property
    def ok(self) -> bool:
        return not self.problems


def decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CsvFormatError(f"the file starts like UTF-16 but is not: {exc}") from exc
    else:
        data = data.removeprefix(codecs.BOM_UTF8)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="surrogateescape").translate(_UNDEFINED_AS_LATIN1)
    if "\x00" in text:
        raise CsvFormatError("this is not a text file: save the spreadsheet as CSV first")
    return text


def match_key(text: str) -> str:
    """Names compared without case, accents or punctuation: 'Teléfono' = 'telefono'."""
    plain = unicodedata.normalize("NFKD", text.replace("\ufeff", ""))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[\s\-_.]+", "_", plain).strip("_")


def _delimiter(text: str) -> str:
    for line in io.StringIO(text, newline=""):
        if line.strip():
            unquoted = re.sub(r'"[^"]*"', "", line)
            return max((",", ";", "\t"), key=unquoted.count)
    return ","


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Every CSV record with its row number.

    Read strictly first, so that a quote left open is reported instead of swallowing the
    rest of the file; other odd quoting (`"Ann" Lee`) is then read leniently.
    """
    for strict in (True, False):
        records: list[tuple[int, list[str]]] = []
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)
        try:
            for record in reader:
                records.append((len(records) + 1, record))
        except csv.Error as exc:
            if strict and "unexpected end of data" in str(exc):
                raise CsvFormatError(
                    f"row {len(records) + 1}: a quoted cell is never closed (a \" is missing)"
                ) from exc
            if not strict:
                raise CsvFormatError(f"row {len(records) + 1} cannot be read: {exc}") from exc
        else:
            break
    return records


def _short(value: str | None, limit: int = 100) -> str | None:
    return value if value is None or len(value) <= limit else value[:limit] + "…"


@dataclass
class Table:
    """A file read and its headers mapped: the rows still hold the cells as written."""

    headers: list[str]
    columns: dict[str, int]  # canonical field -> index
    rows: list[tuple[int, list[str]]]
    warnings: list[RowProblem]
    limits: dict[str, int] = field(default_factory=dict)  # canonical field -> max length

    def header(self, name: str) -> str:
        """The column as the owner wrote it, for reports."""
        return self.headers[self.columns[name]] if name in self.columns else name

    def values(self, cells: Sequence[str]) -> dict[str, str]:
        return {n: cells[i].strip() if i < len(cells) else "" for n, i in self.columns.items()}


def read_table(
    data: bytes,
    aliases: Mapping[str, tuple[str, ...]],
    required: Iterable[str] = (),
    limits: Mapping[str, int] | None = None,
) -> Table:
    """Decode and split a file; map its headers (``aliases``: field -> accepted names).

    Raises ``CsvFormatError`` when the file is empty or unreadable, when two columns mean
    the same field, or when a ``required`` field has no column. ``limits`` are the maximum
    lengths ``RowCheck`` holds each field to.
    """
    text = decode(data)
    if not text.strip():
        raise CsvFormatError("the file is empty")
    records = [
        (number, record)
        for number, record in _records(text, _delimiter(text))
        if any(cell.strip() for cell in record)
    ]
    if not records:
        raise CsvFormatError("the file is empty")
    (header_row, headers), rows = records[0], records[1:]
    known = {match_key(alias): name for name, names in aliases.items() for alias in names}
    columns: dict[str, int] = {}
    warnings: list[RowProblem] = []
    for index, header in enumerate(headers):
        name = known.get(match_key(header))
        if name in columns:
            raise CsvFormatError(
                f"the columns {headers[columns[name]]!r} and {header!r} both mean {name}: "
                "keep one of them"
            )
        if name is not None:
            columns[name] = index
        elif header.strip():
            warnings.append(RowProblem(header_row, header, "unknown column: ignored"))
    for name in required:
        if name not in columns:
            found = ", ".join(repr(h) for h in headers[:12])
            raise CsvFormatError(
                f"no {name} column: the first row must name the columns, one of them "
                f"{' or '.join(repr(a) for a in aliases[name][:2])} (found: {found})"
            )
    named = {i for i, h in enumerate(headers) if h.strip()}
    for number, cells in rows:
        if any(cell.strip() for i, cell in enumerate(cells) if i not in named):
            warnings.append(
                RowProblem(number, None, "values in columns without a header are ignored")
            )
            break
    return Table(headers, columns, rows, warnings, dict(limits or {}))


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


class RowCheck:
    """One spreadsheet row being checked: its problems and warnings, by column."""

    def __init__(self, number: int, values: dict[str, str], table: Table) -> None:
        self.number, self.values, self.table = number, values, table
        self.problems: list[RowProblem] = []
        self.warnings: list[RowProblem] = []

    def problem(self, name: str, message: str, value: str | None = None) -> None:
        column = self.table.header(name)
        self.problems.append(RowProblem(self.number, column, message, _short(value)))

    def text(self, name: str) -> str:
        """The cell folded to one line (with a warning when that changed it), length-checked."""
        raw = self.values.get(name, "")
        value = one_line(raw)
        if has_line_break(raw):
            column = self.table.header(name)
            message = "line break replaced by a space"
            self.warnings.append(RowProblem(self.number, column, message, _short(raw)))
        self.check_length(name, value)
        return value

    def check_length(self, name: str, value: str) -> None:
        limit = self.table.limits.get(name)
        if limit is not None and len(value) > limit:
            self.problem(name, f"longer than {limit} characters ({len(value)})", value)


def count_rows(data: bytes) -> int:
    """How many non-blank rows follow the header (for a progress bar)."""
    return len(read_table(data, {}).rows)
