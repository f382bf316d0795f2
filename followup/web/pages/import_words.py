"""What the clients import says about a row (``spreadsheets``, in English, as the CLI
prints it), said again in the owner's language on the import page. A sentence this table
does not know is shown as it is, marked as English."""

from __future__ import annotations

import re
from dataclasses import dataclass

from followup.web.i18n import N_, gettext

# (the import's sentence, what the page says; %(n)s… are the sentence's groups by name)
_PATTERNS = [
    (r"the name is empty", N_("the name is empty")),
    (r"(?P<value>'.*') is not an email address: .*",
     N_("%(value)s is not an email address: check it")),
    (r"must be usted or tu", N_("must be usted or tu")),
    (r"must be yes or no", N_("must be yes or no")),
    (r"no email and no phone: a client must be reachable",
     N_("no email and no phone: a client must be reachable by one of them")),
    (r"duplicate of row (?P<row>\d+) \(same (?P<same>[\w ]+)\): row skipped",
     N_("the same client as row %(row)s: this row is skipped")),
    (r"this email belongs to another client \((?P<name>.*)\)",
     N_("this email belongs to another client (%(name)s)")),
    (r"the client with this (?P<same>[\w ]+) has the reference (?P<ref>.*)",
     N_("this client already has another reference, %(ref)s")),
    (r"longer than (?P<limit>\d+) characters \((?P<length>\d+)\)",
     N_("longer than %(limit)s characters (%(length)s)")),
    (r"the address has (?P<lines>\d+) lines; an envelope takes at most (?P<most>\d+)",
     N_("the address has %(lines)s lines; an envelope takes at most %(most)s")),
    (r"the address is longer than (?P<limit>\d+) characters",
     N_("the address is longer than %(limit)s characters")),
    (r"unknown column: ignored", N_("a column this import does not know: ignored")),
    (r"line break replaced by a space", N_("a line break was replaced by a space")),
    (r"values in columns without a header are ignored",
     N_("values in columns without a header are ignored")),
    (r"a character here is not UTF-8 and cannot be read.*",
     N_("a character here cannot be read (shown as �): correct the cell, or save the "
        "spreadsheet again as CSV UTF-8, and import the file again")),
]  # fmt: skip
_COMPILED = [(re.compile(pattern), words) for pattern, words in _PATTERNS]


@dataclass(frozen=True)
class Said:
    text: str
    english: bool  # shown as the import wrote it


def problem_words(language: str, message: str) -> Said:
    if language == "en":
        return Said(message, True)
    for pattern, words in _COMPILED:
        if found := pattern.fullmatch(message):
            return Said(gettext(language, words) % found.groupdict(), False)
    return Said(message, True)
