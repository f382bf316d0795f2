"""Reading CSV files from spreadsheets (DESIGN §7 "CSV import", §8 "Bad input").

Files come from spreadsheets: UTF-8 with or without BOM (UTF-16 with BOM too), else
Windows-1252 (``encodings`` decides, for the whole file); `,`, `;` or tab; CR, LF or
CRLF; English or Spanish headers in any case, with or without accents. ``read_table``
maps the headers to canonical fields through a table of accepted names; ``RowCheck``
collects what is wrong with one row, by column. A row with more cells than the header
names columns is rejected as a whole (``Table.check``): a delimiter inside a cell without
quotes has shifted its cells, and dropping the extra ones would lose the owner's words.
A cell a spreadsheet would run as a formula arrives with the ``'`` an export put before
it (``spreadsheets.formulas``): ``Table.values`` takes that ``'`` away.

A file is read as a stream, never whole: ``read_table`` reads it once to the end (the
encoding, the header, the row count, and every error that concerns the file as a whole,
so that such an error stops an import before it writes anything), and ``Table.rows``
reads it again for the import. Memory stays flat whatever the file's size.

Row numbers are the ones the owner sees in the spreadsheet: the header is row 1 and each
CSV record is one row, even when a quoted cell spans several physical lines (the
spreadsheet shows one row with a line break inside the cell). Blank lines keep their
number, as in the spreadsheet, but are skipped without a word.

A line break (or other control character) inside a cell is folded into one space and
reported as a warning (``RowCheck.text``): it must never reach a mail header, and folding
loses nothing.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TypeVar

from followup.fields import has_line_break, one_line
from followup.spreadsheets.encodings import (  # CsvFormatError is imported from here too
    MAX_LINE,
    REPLACEMENT,
    CsvFormatError,
    Encoding,
    LongLine,
    detect,
    lines,
)
from followup.spreadsheets.formulas import restore
from followup.spreadsheets.reports import (  # the reports are imported from here too
    ImportReport as ImportReport,
)
from followup.spreadsheets.reports import RowProblem

# More columns than any client or event file has: a file that wide is the wrong file.
MAX_COLUMNS = 200
# The file's bytes, or the path of the file (read twice, never held in memory whole).
Source = bytes | Path
# Fed after the last line: a quote left open swallows it, a closed file reads it as a row.
_END = "\x00"  # never in a line: ``lines`` refuses a NUL
T = TypeVar("T")


def match_key(text: str) -> str:
    """Names compared without case, accents or punctuation: 'Teléfono' = 'telefono'."""
    plain = unicodedata.normalize("NFKD", text.replace("\ufeff", ""))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[\s\-_.]+", "_", plain).strip("_")


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


@contextmanager
def _opened(source: Source) -> Iterator[BinaryIO]:
    if isinstance(source, bytes):
        yield io.BytesIO(source)
        return
    with open(source, "rb") as stream:
        yield stream


def _too_long(start: str, header: bool) -> CsvFormatError:
    if header:
        columns = max(start.count(d) for d in (",", ";", "\t")) + 1
        if columns > MAX_COLUMNS:
            return _too_wide(f"more than {columns:,}")
        return CsvFormatError(
            f"the first row is longer than {MAX_LINE:,} characters: this is not a "
            "spreadsheet saved as CSV"
        )
    return CsvFormatError(
        f"a line is longer than {MAX_LINE:,} characters: this is not a spreadsheet saved as CSV"
    )


def _too_wide(columns: str) -> CsvFormatError:
    return CsvFormatError(
        f"the first row has {columns} columns, and a file to import has at most "
        f"{MAX_COLUMNS}: check that this is the right file, saved from the spreadsheet as CSV"
    )


def _delimiter(stream: BinaryIO, encoding: Encoding) -> str:
    """`,`, `;` or tab: the one the first non-blank line holds most of, quotes aside."""
    try:
        with closing(lines(stream, encoding)) as physical:
            for line in physical:
                if line.strip():
                    unquoted = re.sub(r'"[^"]*"', "", line)
                    return max((",", ";", "\t"), key=unquoted.count)
    except LongLine as exc:
        raise _too_long(exc.start, header=True) from None
    return ","


def _records(
    stream: BinaryIO, encoding: Encoding, delimiter: str
) -> Generator[tuple[int, list[str]], None, None]:
    """Every CSV record with its row number, blank ones included.

    Read leniently, so that odd quoting (`"Ann" Lee`) reads as written; a quote left open
    is still reported, instead of swallowing the rest of the file, thanks to ``_END``.
    """
    reader = csv.reader(
        itertools.chain(lines(stream, encoding), [_END]), delimiter=delimiter, strict=False
    )
    number = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CsvFormatError(f"row {number + 1} cannot be read: {exc}") from exc
        except LongLine as exc:
            raise _too_long(exc.start, header=False) from None
        number += 1
        if record and _END in record[-1]:
            if record != [_END]:
                raise CsvFormatError(
                    f"row {number}: a quoted cell is never closed (a \" is missing)"
                )
            return
        yield number, record


def _blank(cells: Sequence[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _short(value: str | None, limit: int = 100) -> str | None:
    return value if value is None or len(value) <= limit else value[:limit] + "…"


@dataclass
class Table:
    """A file read once and its headers mapped; ``rows`` reads its rows as written."""

    source: Source
    encoding: Encoding
    delimiter: str
    header_row: int
    headers: list[str]
    columns: dict[str, int]  # canonical field -> index
    row_count: int  # the non-blank rows after the header
    warnings: list[RowProblem]
    limits: dict[str, int] = field(default_factory=dict)  # canonical field -> max length

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Each non-blank row after the header, with its number, read again from the file."""
        with (
            _opened(self.source) as stream,
            closing(_records(stream, self.encoding, self.delimiter)) as records,
        ):
            for number, cells in records:
                if number > self.header_row and not _blank(cells):
                    yield number, cells

    def header(self, name: str) -> str:
        """The column as the owner wrote it, for reports."""
        return self.headers[self.columns[name]] if name in self.columns else name

    def values(self, cells: Sequence[str]) -> dict[str, str]:
        """Each field's cell, stripped, without the ``'`` an export puts before a formula."""
        return {
            n: restore(cells[i].strip()) if i < len(cells) else ""
            for n, i in self.columns.items()
        }

    def check(self, number: int, cells: Sequence[str]) -> RowCheck:
        """The checks of one row begun: a row wider than the header is its one problem.

        Empty cells past the header do not count: spreadsheets pad rows with delimiters.
        """
        check = RowCheck(number, self.values(cells), self)
        width = len(self.headers)
        if len(cells) > width and not _blank(cells[width:]):
            used = max(i for i, cell in enumerate(cells) if cell.strip()) + 1
            extra = self.delimiter.join(cells[width:used])
            mark = "a tab" if self.delimiter == "\t" else f"a '{self.delimiter}'"
            check.misread(
                f"{used} cells, but the header (row {self.header_row}) names {width} columns: "
                f"probably {mark} inside a cell without quotes around it (past column "
                f"{width}: {_short(extra, 60)!r}). Put that cell in quotes, or take out the "
                "delimiter, and import the file again",
                extra,
            )
        return check


def _map_headers(
    headers: list[str], header_row: int, aliases: Mapping[str, tuple[str, ...]]
) -> tuple[dict[str, int], list[RowProblem]]:
    if len(headers) > MAX_COLUMNS:
        raise _too_wide(f"{len(headers):,}")
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
    return columns, warnings


def read_table(
    source: Source,
    aliases: Mapping[str, tuple[str, ...]],
    required: Iterable[str | tuple[str, ...]] = (),
    limits: Mapping[str, int] | None = None,
) -> Table:
    """Read a file to the end and map its headers (``aliases``: field -> accepted names).

    Raises ``CsvFormatError`` when the file is empty or unreadable anywhere, wider than
    ``MAX_COLUMNS``, when two columns mean the same field, or when a ``required`` field
    (or, for a tuple, none of its fields) has no column. ``limits`` are the maximum lengths
    ``RowCheck`` holds each field to.
    """
    with _opened(source) as stream:
        encoding = detect(stream)
        delimiter = _delimiter(stream, encoding)
        header_row, headers = 0, []
        columns: dict[str, int] = {}
        warnings: list[RowProblem] = []
        unnamed: set[int] | None = None  # the columns without a header, until one is used
        count = 0
        for number, cells in _records(stream, encoding, delimiter):
            if _blank(cells):
                continue
            if not header_row:
                header_row, headers = number, cells
                columns, warnings = _map_headers(headers, header_row, aliases)
                unnamed = {i for i, h in enumerate(headers) if not h.strip()} or None
                continue
            count += 1
            if unnamed is not None and _unnamed_used(cells, unnamed):
                message = "values in columns without a header are ignored"
                warnings.append(RowProblem(number, None, message))
                unnamed = None  # said once
    if not header_row:
        raise CsvFormatError("the file is empty")
    for need in required:
        names = (need,) if isinstance(need, str) else need
        if not any(name in columns for name in names):
            found = ", ".join(repr(h) for h in headers[:12])
            accepted = " or ".join(repr(a) for name in names for a in aliases[name][:2])
            raise CsvFormatError(
                f"no {' or '.join(names)} column: the first row must name the columns, one "
                f"of them {accepted} (found: {found})"
            )
    return Table(
        source, encoding, delimiter, header_row, headers, columns, count, warnings,
        dict(limits or {}),
    )  # fmt: skip


def _unnamed_used(cells: Sequence[str], unnamed: set[int]) -> bool:
    """A value under a column without a header (past the header, the row is rejected)."""
    return any(cells[i].strip() for i in unnamed if i < len(cells))


class RowCheck:
    """One spreadsheet row being checked: its problems and warnings, by column."""

    def __init__(self, number: int, values: dict[str, str], table: Table) -> None:
        self.number, self.values, self.table = number, values, table
        self.problems: list[RowProblem] = []
        self.warnings: list[RowProblem] = []
        self.unreadable: set[str] = set()
        self.shifted = False  # its cells are not under their columns: see ``misread``
        if table.encoding.unreadable:
            for name, value in values.items():
                if REPLACEMENT in value:
                    self._unreadable(name, value)

    def _unreadable(self, name: str, value: str) -> None:
        # The bytes are lost: importing the row would put "�" in a name or a letter, and
        # on a re-import overwrite the right value. One cell costs its row, not the file.
        self.problem(
            name,
            "a character here is not UTF-8 and cannot be read (shown as �): correct the "
            "cell, or save the spreadsheet again as CSV UTF-8, and import the file again",
            value,
        )
        self.unreadable.add(name)

    def misread(self, message: str, value: str) -> None:
        """The row as a whole cannot be read as its columns: this is its one problem, and
        what its cells would say about their columns (shifted ones) is not said."""
        self.problems = [RowProblem(self.number, None, message, _short(value))]
        self.warnings = []
        self.shifted = True

    def problem(self, name: str, message: str, value: str | None = None) -> None:
        if name in self.unreadable or self.shifted:
            return  # the cell cannot be read: what else is wrong with it is moot
        column = self.table.header(name)
        self.problems.append(RowProblem(self.number, column, message, _short(value)))

    def text(self, name: str) -> str:
        """The cell folded to one line (with a warning when that changed it), length-checked."""
        raw = self.values.get(name, "")
        # Most cells are printable with single spaces: one_line would return them unchanged.
        if raw.isprintable() and "  " not in raw:
            value = raw
        else:
            value = one_line(raw)
            if has_line_break(raw) and not self.shifted:
                column = self.table.header(name)
                message = "line break replaced by a space"
                self.warnings.append(RowProblem(self.number, column, message, _short(raw)))
        self.check_length(name, value)
        return value

    def check_length(self, name: str, value: str) -> None:
        limit = self.table.limits.get(name)
        if limit is not None and len(value) > limit:
            self.problem(name, f"longer than {limit} characters ({len(value)})", value)


def count_rows(source: Source) -> int:
    """How many non-blank rows follow the header (for a progress bar)."""
    return read_table(source, {}).row_count
