"""A Jinja syntax error of an edited template in the owner's words and language: Jinja's
own text ("unexpected end of template, expected 'end of statement block'", "Encountered
unknown tag 'x'") is English and speaks of tokens. The common ones are said again here,
keeping the names and characters the owner typed; a rare one is said as "a syntax error
near line N" with Jinja's text quoted. The CLI's ``templates check`` keeps Jinja's text.
"""

from __future__ import annotations

import re

from followup.web.i18n import N_, gettext, say

# Jinja's names of tokens (``jinja2.lexer.describe_token_type``) as the owner typed them.
SYMBOLS = {
    "end of print statement": "}}",
    "end of statement block": "%}",
    "begin of print statement": "{{",
    "begin of statement block": "{%",
}
# ...or said in words, where the token is a kind of thing rather than a character.
KINDS = {
    "name": N_("a name"),
    "integer": N_("a number"),
    "float": N_("a number"),
    "string": N_("a text in quotes"),
    "end of template": N_("the end of the template"),
}
# The part of a template each closing symbol ends.
ENDS = {"}}": "{{ … }}", "%}": "{% … %}"}

_LOOKING = (
    r"Jinja was looking for the following tags: (.*)\. "
    r"The innermost block that needs to be closed is '(\w+)'\."
)
_UNCLOSED_BLOCK = re.compile(rf"^Unexpected end of template\. {_LOOKING}$")
_UNKNOWN_TAG = re.compile(rf"^Encountered unknown tag '([^']+)'\.(?: {_LOOKING})?$")
_UNCLOSED_TAG = re.compile(
    r"^unexpected end of template, expected '(end of (?:print statement|statement block))'\.?$"
)
_ENDS_EARLY = re.compile(r"^unexpected (?:end of template|'end of template')")
_CHAR = re.compile(r"""^unexpected char (['"])(.+)\1 at \d+$""")
_EXPECTED_TOKEN = re.compile(r"^expected token '(.+?)', got '(.+)'$")
_EXPRESSION = re.compile(r"^Expected an expression, got '(.+)'$")
_UNEXPECTED = re.compile(r"^unexpected '(.+?)'(?:, expected '(.+)')?$")
# Compiling finds these; rendering too, inside an {% if %} (then with " found").
_NO_FILTER = re.compile(r"^No filter named '(.+)'(?: found)?\.$")
_NO_TEST = re.compile(r"^No test named '(.+)'(?: found)?\.$")
FIXED = {
    "expected name or number": N_("A name or a number is missing after a dot."),
    "Missing end of comment tag": N_("A comment opened with {# is never closed: add #}."),
    "Missing end of raw directive": N_("A {% raw %} is never closed: add {% endraw %}."),
    "tag name expected": N_("A {% is not followed by the name of a tag, such as if or for."),
}  # fmt: skip


def quoted(language: str, text: str) -> str:
    return f"«{text}»" if language == "es" else f"“{text}”"


def token(language: str, described: str) -> str:
    """A token as the owner typed it (quoted), or in words when it is a kind of thing."""
    if described in KINDS:
        return gettext(language, KINDS[described])
    return quoted(language, SYMBOLS.get(described, described))


def tag(name: str) -> str:
    return "{% " + name + " %}"


def closing(looking_for: str, block: str) -> str:
    """The tag that closes ``block``: the ``end…`` among those Jinja was looking for."""
    names = re.findall(r"'(\w+)'", looking_for)
    return tag(next((n for n in names if n.startswith("end")), f"end{block}"))


def syntax_error(language: str, line: int, detail: str) -> str:
    """Jinja's message ``detail`` for an error at ``line``, in ``language``."""
    detail = detail.strip()
    if found := _UNCLOSED_BLOCK.match(detail):
        return say(
            language,
            N_("The template ends before the %(open)s block is closed: "
               "add %(close)s where it should end."),
            open=tag(found.group(2)), close=closing(found.group(1), found.group(2)),
        )  # fmt: skip
    if found := _UNKNOWN_TAG.match(detail):
        return _unknown_tag(language, found.group(1), found.group(2), found.group(3))
    if found := _UNCLOSED_TAG.match(detail):
        symbol = SYMBOLS[found.group(1)]
        return say(
            language,
            N_("The template ends inside a %(part)s that is never closed: add %(close)s."),
            part=ENDS[symbol], close=quoted(language, symbol),
        )  # fmt: skip
    if _ENDS_EARLY.match(detail):
        return gettext(
            language,
            N_("The template ends halfway through a {{ … }} or a {% … %}: "
               "something is missing before its end."),
        )  # fmt: skip
    if found := _CHAR.match(detail):
        char = found.group(2)
        if char in ("'", '"'):
            return say(
                language,
                N_("A text in quotes opens with %(char)s and is never closed: "
                   "add the closing %(char)s."),
                char=quoted(language, char),
            )  # fmt: skip
        return say(
            language,
            N_("The character %(char)s cannot go inside {{ … }} or {% … %}."),
            char=quoted(language, char),
        )  # fmt: skip
    if found := _EXPECTED_TOKEN.match(detail):
        return _expected(language, found.group(1), found.group(2))
    if found := _EXPRESSION.match(detail):
        return say(
            language,
            N_("Something is missing before %(got)s: a name or a value."),
            got=token(language, found.group(1)),
        )  # fmt: skip
    if found := _UNEXPECTED.match(detail):
        got, expected = found.group(1), found.group(2)
        if expected:
            return _expected(language, expected, got)
        if got == "}":
            single = N_("A {{ … }} closes with two braces, “}}”, not one.")
            return gettext(language, single)
        if got in SYMBOLS:
            return say(
                language,
                N_("Something is missing before %(got)s: a name or a value."),
                got=token(language, got),
            )  # fmt: skip
        return say(language, N_("%(got)s is out of place here."), got=token(language, got))
    return unknown_name(language, detail) or _rare(language, line, detail)


def unknown_name(language: str, detail: str) -> str | None:
    """An unknown filter or test, in words; None for another error."""
    if found := _NO_FILTER.match(detail):
        return say(
            language,
            N_("%(name)s is not a filter that templates know: check how it is written after "
               "the “|”."),
            name=quoted(language, found.group(1)),
        )  # fmt: skip
    if found := _NO_TEST.match(detail):
        return say(
            language,
            N_("%(name)s is not a test that templates know: check how it is written after "
               "“is”."),
            name=quoted(language, found.group(1)),
        )  # fmt: skip
    return None


def _rare(language: str, line: int, detail: str) -> str:
    if detail in FIXED:
        return gettext(language, FIXED[detail])
    return say(
        language,
        N_("The template has a syntax error near line %(line)s: %(detail)s."),
        line=str(line), detail=quoted(language, detail.rstrip(".")),
    )  # fmt: skip


def _unknown_tag(language: str, name: str, looking_for: str | None, block: str | None) -> str:
    if looking_for and block:
        return say(
            language,
            N_("%(tag)s is out of place here: the %(open)s block before it must be closed "
               "first, with %(close)s."),
            tag=tag(name), open=tag(block), close=closing(looking_for, block),
        )  # fmt: skip
    if name == "else":
        only = N_("%(tag)s can only go inside an {% if %} or a {% for %} block.")
        return say(language, only, tag=tag(name))
    if name == "elif":
        return say(language, N_("%(tag)s can only go inside an {% if %} block."), tag=tag(name))
    if name.startswith("end") and len(name) > 3:
        return say(
            language,
            N_("%(tag)s closes nothing: there is no %(open)s open before it."),
            tag=tag(name), open=tag(name.removeprefix("end")),
        )  # fmt: skip
    return say(
        language,
        N_("%(name)s is not a tag that templates know: check how it is written "
           "(a value goes between {{ and }}, not {% and %})."),
        name=quoted(language, name),
    )  # fmt: skip


def _expected(language: str, expected: str, got: str) -> str:
    symbol = SYMBOLS.get(expected)
    if symbol in ENDS:
        return say(
            language,
            N_("%(got)s is out of place: here the %(part)s should close, with %(close)s."),
            got=token(language, got), part=ENDS[symbol], close=quoted(language, symbol),
        )  # fmt: skip
    return say(
        language,
        N_("Here %(expected)s was expected, but %(got)s was found."),
        expected=token(language, expected), got=token(language, got),
    )  # fmt: skip
