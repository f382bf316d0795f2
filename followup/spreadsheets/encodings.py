"""Which encoding a spreadsheet file is in, decided once for the whole file.

Spreadsheets save CSV as UTF-8 (with or without a byte order mark), UTF-16 with a byte
order mark, or Windows-1252 ("CSV" in a Spanish or English Excel). The choice is made on
the whole file, never guessed line by line, and never silently: the import report says
which one was used.

Windows-1252 is chosen only when the file reads as it as a whole: when it holds more bytes
that are not UTF-8 than characters that are. A UTF-8 file with a few bad bytes (a stray
byte, a multi-byte character cut at the end) stays UTF-8: read as Windows-1252 it would turn
every accented name into mojibake ("JosÃ© MuÃ±oz") and update them all on a re-import. Its
bad bytes become U+FFFD and ``RowCheck`` rejects the rows whose cells hold one, by row and
column, so one spoilt cell costs one row, not the file, and never reaches a letter.

Lines are read one at a time with a length limit, so a file is never held in memory whole:
not even a header that is one 44 MB line.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Generator
from dataclasses import dataclass
from typing import BinaryIO

from followup.errors import Invalid

UTF8, UTF16, CP1252 = "UTF-8", "UTF-16", "Windows-1252"
REPLACEMENT = "\ufffd"
# Longer than any row of a spreadsheet (a cell over 131,072 characters is refused anyway).
MAX_LINE = 1 << 20
_BLOCK = 1 << 20
# cp1252 leaves five bytes undefined; surrogateescape keeps them and this maps them to Latin-1.
_UNDEFINED_AS_LATIN1 = {0xDC00 + b: b for b in range(0x80, 0x100)}


class CsvFormatError(Invalid):
    """The file as a whole cannot be read: empty, binary, or a required column missing.

    Nothing of it was imported, so it is a usage error (exit code 2), not rejected rows.
    """

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__("file", message)


class LongLine(Exception):
    """A physical line of ``MAX_LINE`` characters or more; ``start`` is its beginning."""

    def __init__(self, line: int, start: str) -> None:
        super().__init__(f"line {line} is longer than {MAX_LINE:,} characters")
        self.line, self.start = line, start


@dataclass(frozen=True)
class Encoding:
    name: str  # as the owner reads it: UTF-8, UTF-16, Windows-1252
    codec: str
    errors: str = "strict"
    skip: int = 0  # bytes of a byte order mark the codec does not consume itself
    unreadable: int = 0  # bytes (or cut characters) of a UTF-8 file replaced by U+FFFD


def _utf8_evidence(stream: BinaryIO) -> tuple[int, int, int]:
    """(characters of two bytes or more that are valid UTF-8, spots that are not, a
    character cut at the very end: 0 or 1), read block by block."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    valid = bad = 0
    while block := stream.read(_BLOCK):
        text = decoder.decode(block)
        if not text.isascii():
            replaced = text.count(REPLACEMENT)
            bad += replaced
            valid += len(text) - len(text.encode("ascii", "ignore")) - replaced
    cut = decoder.decode(b"", final=True).count(REPLACEMENT)
    return valid, bad, cut


def detect(stream: BinaryIO) -> Encoding:
    """The encoding of the file in ``stream`` (read to the end; the caller rewinds)."""
    head = stream.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Encoding(UTF16, "utf-16")
    skip = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    stream.seek(skip)
    valid, bad, cut = _utf8_evidence(stream)
    if not bad and not cut:
        return Encoding(UTF8, "utf-8", skip=skip)
    # A character cut at the end weighs as UTF-8: a file cut short is a UTF-8 file, and a
    # Windows-1252 one ending in "é" without a final line break is the rarer thing.
    if valid + cut > bad:
        return Encoding(UTF8, "utf-8", errors="replace", skip=skip, unreadable=bad + cut)
    return Encoding(CP1252, "cp1252", errors="surrogateescape", skip=skip)


def lines(stream: BinaryIO, encoding: Encoding) -> Generator[str, None, None]:
    """The file's physical lines, line ends kept (CR, LF or CRLF), decoded.

    Raises ``CsvFormatError`` for a NUL (a binary file) or a UTF-16 file that is not,
    and ``LongLine`` for a line of ``MAX_LINE`` characters or more.
    """
    stream.seek(encoding.skip)
    text = io.TextIOWrapper(stream, encoding=encoding.codec, errors=encoding.errors, newline="")
    number = 0
    try:
        while line := text.readline(MAX_LINE):
            number += 1
            if len(line) >= MAX_LINE:  # at the limit a CRLF could be split in two
                raise LongLine(number, line)
            if "\x00" in line:
                raise CsvFormatError("this is not a text file: save the spreadsheet as CSV first")
            yield line.translate(_UNDEFINED_AS_LATIN1) if encoding.name == CP1252 else line
    except UnicodeDecodeError as exc:
        raise CsvFormatError(f"the file starts like UTF-16 but is not: {exc}") from exc
    finally:
        text.detach()  # the caller's stream stays open
