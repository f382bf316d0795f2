"""What stops an edited letter template from being saved, as the Templates page shows
it: each problem the checks find (DESIGN §4), in the owner's language, with its line
and that line's text where it has one (a syntax error, an unknown variable, what the
sandbox refuses), and a warning that does not stop saving (an apology without
``{{ say.guarantee }}``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from followup.letters.context import CONTEXT_VARIABLES
from followup.web.i18n import N_, format_decimal, gettext, say
from followup.web.pages.template_syntax import quoted, syntax_error, unknown_name

_SYNTAX = re.compile(r"^line (\d+): (.*)$", re.DOTALL)
_UNKNOWN = re.compile(r"^unknown variable '([^']+)'")
_SIZE = re.compile(r"^the template has ([\d,]+) characters; the limit is ([\d,]+)")
_RENDERING = re.compile(r"^the test letter failed: .*?\(line (\d+)\): (.*)$", re.DOTALL)
_SANDBOX = "not allowed in a letter: "
_UNSAFE = re.compile(r"^access to attribute '([^']+)' of '[^']+' object is unsafe")
_TOO_LARGE = re.compile(r"^the \S+ operation is too large for a letter")
_NO_BLOCK = re.compile(r"^the template has no \{% block (\w+) %\}$")
_INCLUDE = re.compile(r"^an edited letter can include only a signature, not (.+)$")
_CODE = re.compile(r"^the letter shows template code '(.+)'$")
_DRAFT = {
    "the subject is empty": N_("The test letter comes out with an empty subject."),
    "the letter is empty": N_("The test letter comes out empty."),
}
_SHOWS_CODE = N_(
    "The test letter shows template code (%(code)s) to the client: check that each "
    "{{ … }} and {% … %} is written whole."
)
_NO_FIELD = re.compile(r"^(\w+) has no '(\w+)'; its fields are (.*)$")
_EMPTY = re.compile(r"^it reads '(\w+)' from a value that is empty \(None\) here")
_SAYS_GUARANTEE = re.compile(r"\bsay\s*\.\s*guarantee\b|\bsay\s*\[\s*['\"]guarantee['\"]\s*\]")


@dataclass(frozen=True)
class Problem:
    message: str
    line: int | None = None
    text: str | None = None  # the template's line, as typed


def explain(language: str, source: str, problems: list[str]) -> list[Problem]:
    lines = source.splitlines()

    def at(line: int) -> str | None:
        return lines[line - 1] if 0 < line <= len(lines) else None

    explained = []
    for problem in problems:
        if found := _SYNTAX.match(problem):
            line = int(found.group(1))
            message = syntax_error(language, line, found.group(2))
            explained.append(Problem(message, line, at(line)))
        elif found := _UNKNOWN.match(problem):
            name = found.group(1)
            message = gettext(
                language, "Unknown variable “%(name)s”. A letter can use: %(names)s."
            ) % {"name": name, "names": ", ".join(CONTEXT_VARIABLES)}
            where = _first_line_with(lines, name)
            explained.append(Problem(message, where, at(where) if where else None))
        elif found := _SIZE.match(problem):
            size, limit = (int(n.replace(",", "")) for n in found.groups())
            message = gettext(
                language, "The template is too long: %(size)s characters; the limit is %(limit)s."
            ) % {"size": format_decimal(size, language), "limit": format_decimal(limit, language)}
            explained.append(Problem(message))
        elif found := _RENDERING.match(problem):
            line, detail = int(found.group(1)), found.group(2)
            if detail.startswith(_SANDBOX):
                message = _refused(language, detail.removeprefix(_SANDBOX))
            else:
                message = _failed(language, detail)
            explained.append(Problem(message, line, at(line)))
        else:
            explained.append(Problem(_ours(language, problem)))
    return explained


def _refused(language: str, detail: str) -> str:
    """What the sandbox refused: Python's insides, or an operation too large for a letter."""
    if found := _UNSAFE.match(detail):
        return say(
            language,
            N_("Templates cannot read %(name)s: it is part of how the program works inside, "
               "not part of the letter. Use the fields of the client, the business and the "
               "event."),
            name=quoted(language, found.group(1)),
        )  # fmt: skip
    if _TOO_LARGE.match(detail):
        return say(language, N_("That operation makes a result too large for a letter."))
    return gettext(
        language, "Not allowed in a letter (the sandbox refuses it): %(detail)s"
    ) % {"detail": quoted(language, detail)}


def _ours(language: str, problem: str) -> str:
    """The checks' other problems (their words are English, for the CLI) in ``language``;
    a test letter's problems come joined by "; "."""
    if found := _NO_BLOCK.match(problem):
        return say(
            language,
            N_("The template has no %(block)s: a letter needs its subject and its body, "
               "each in its block."),
            block="{% block " + found.group(1) + " %}",
        )  # fmt: skip
    if found := _INCLUDE.match(problem):
        return say(
            language,
            N_("An edited letter can include only a signature, not %(name)s."),
            name=quoted(language, found.group(1).strip("'\"")),
        )  # fmt: skip
    parts = problem.split("; ")
    if all(part in _DRAFT or _CODE.match(part) for part in parts):
        said = []
        for part in parts:
            if found := _CODE.match(part):
                said.append(say(language, _SHOWS_CODE, code=quoted(language, found.group(1))))
            else:
                said.append(gettext(language, _DRAFT[part]))
        return " ".join(said)
    return problem


def _failed(language: str, detail: str) -> str:
    """Why the test letter could not be written (``letters.rendering``'s words)."""
    if found := _NO_FIELD.match(detail):
        thing, name, fields = found.groups()
        return say(
            language,
            N_("%(thing)s has no field %(name)s: its fields are %(fields)s."),
            thing=quoted(language, thing), name=quoted(language, name), fields=fields,
        )  # fmt: skip
    if found := _EMPTY.match(detail):
        return say(
            language,
            N_("%(name)s is read from a value that is empty in the test letter: put it inside "
               "an {% if … %}."),
            name=quoted(language, found.group(1)),
        )  # fmt: skip
    return unknown_name(language, detail) or say(
        language, N_("The test letter failed: %(detail)s"), detail=quoted(language, detail)
    )


def _first_line_with(lines: list[str], name: str) -> int | None:
    word = re.compile(rf"(?<![\w.]){re.escape(name)}\b")
    for number, text in enumerate(lines, start=1):
        if word.search(text):
            return number
    return None


def warnings(language: str, kind: str, source: str) -> list[str]:
    """What is worth knowing before saving, though it does not stop it."""
    if kind == "apology" and not _SAYS_GUARANTEE.search(source):
        return [
            gettext(
                language,
                "This apology has no {{ say.guarantee }}: when a complaint is a claim on a "
                "special guarantee, the letter would not say what the guarantee gives the "
                "client now, and it would be flagged for you to edit.",
            )
        ]
    return []
