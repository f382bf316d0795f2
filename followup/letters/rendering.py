"""The letters (DESIGN §4, LETTERS.md): render a kind for a client.

Default templates live in ``letter_templates/<tlocale>/<kind>.j2``; each defines a
``subject`` and a ``body`` block, plain text. The HTML part is made from the same text by
``layout.html.j2``, which escapes every character of it: templates never write HTML.

Three Jinja2 environments, each built once on first use:

- the default templates: ``StrictUndefined``, no autoescape (the output is text/plain);
- owners' edited templates: ``ImmutableSandboxedEnvironment``, ``StrictUndefined``, no
  autoescape for the same reason, and checked when saved (``letter_checks.check_override``);
- the HTML layout: autoescape on.

The context contract (``render``'s ``context``): ``client``, ``business``, ``event``
(or None), ``guarantee`` (or None), ``last_purchase`` (the client's latest purchase on
record, or None), ``day`` and ``occasion``. ``client.greeting`` is how the letter greets
them: the owner's, else derived from the name (``greetings``), possibly empty;
``business.owner_title`` is the owner's title in the letter's language (``titles``).
Templates see only the fields listed in ``CONTEXT_FIELDS``, copied into plain
namespaces: a template cannot reach anything else on a database row
(``business.imap_url``, ``client.notes``).
Single-line fields have CR/LF folded to spaces. ``event.summary`` and the owner's free
texts (``compensation``, ``terms``, ``payout``) are placed after a colon, first letter
lowercased (``clause``); ``event.item`` is a bare noun phrase, led by a singular noun
("casco y luces", "horquilla", "oak table"), which templates put after su/tu/your.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace, TracebackType
from typing import Any

import jinja2
from jinja2.sandbox import SecurityError

from followup.errors import Invalid
from followup.fields import one_line, parse_language
from followup.letters.context import (
    CONTEXT_FIELDS,
    CONTEXT_VARIABLES,
    KINDS,
    TEMPLATE_LOCALES,
    THANK_YOU_OCCASIONS,
    TemplateError,
    template_values,
)
from followup.letters.filters import (
    capfirst,
    clause,
    daymonth,
    first_name,
    language_of,
    longdate,
    money,
    noun_phrase,
    refuse_none,
)
from followup.letters.phrases import Phrasing, choose, load_book, phrase_file
from followup.letters.sandbox import LetterSandbox

# What other modules take from here: the context's names are part of rendering's contract.
__all__ = [
    "CONTEXT_FIELDS", "CONTEXT_VARIABLES", "KINDS", "TEMPLATE_LOCALES", "THANK_YOU_OCCASIONS",
    "Draft", "TemplateError", "check_names", "render", "render_call", "sandbox_env",
    "template_locale",
]  # fmt: skip

# An installed wheel carries the templates inside the package (pyproject force-include);
# a source checkout or an editable install has them at the top of the repository.
_PACKAGE = Path(__file__).resolve().parent.parent
_PACKAGED_TEMPLATES = _PACKAGE / "letter_templates"
TEMPLATE_DIR = (
    _PACKAGED_TEMPLATES if _PACKAGED_TEMPLATES.is_dir() else _PACKAGE.parent / "letter_templates"
)

MAX_OVERRIDE_CHARS = 20_000
MAX_SUBJECT_CHARS = 200
MIN_WORDS, MAX_WORDS = 60, 180


@dataclass(frozen=True)
class Draft:
    subject: str
    text: str
    html: str
    phrases: dict[str, int] = field(default_factory=dict)  # part -> the variant written


def template_locale(locale: str, form_of_address: str | None) -> str:
    """The template folder for a client's language and form of address.

    Raises ``Invalid`` for a language letters are not written in.
    """
    language = parse_language(locale)
    if language == "en":
        return "en"
    if language == "es":
        return "es-tu" if (form_of_address or "").strip().lower() in ("tu", "tú") else "es-usted"
    raise Invalid("locale", "the language is empty: use es or en")


# --- filters -------------------------------------------------------------------------


def _filters(tlocale: str) -> dict[str, Callable[..., str]]:
    """The filters of ``letter_filters``, with this environment's tlocale bound."""
    return {
        "first_name": first_name,  # the templates use client.greeting; owners' edits may not
        "noun_phrase": noun_phrase,
        "capfirst": capfirst,
        "clause": clause,
        "daymonth": functools.partial(daymonth, tlocale=tlocale),
        "longdate": functools.partial(longdate, tlocale=tlocale),
        "money": functools.partial(money, tlocale=tlocale),
    }


# --- environments --------------------------------------------------------------------


def _configure(env: jinja2.Environment, tlocale: str) -> jinja2.Environment:
    env.filters.update(_filters(tlocale))
    env.finalize = refuse_none
    return env


# Both text environments (defaults and owners' edits) read the same folder the same way.
_TEXT_OPTIONS: dict[str, Any] = {
    "loader": jinja2.FileSystemLoader(TEMPLATE_DIR),
    "undefined": jinja2.StrictUndefined,
    "autoescape": False,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": False,
    "auto_reload": False,
}


@functools.cache
def _text_env(tlocale: str) -> jinja2.Environment:
    # text/plain output: escaping here would put "&amp;" in the letter; the HTML part is
    # escaped, all of it, by the layout.
    env = jinja2.Environment(**_TEXT_OPTIONS)  # noqa: S701
    return _configure(env, tlocale)


@functools.cache
def sandbox_env(tlocale: str) -> jinja2.Environment:
    """The environment of owners' edited templates (``letter_checks`` parses edits with it)."""
    # Same loader, so an edited letter can include the default signature.
    env = LetterSandbox(**_TEXT_OPTIONS)  # text/plain too, escaped by the layout
    return _configure(env, tlocale)


@functools.cache
def _html_env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


@functools.lru_cache(maxsize=256)
def _compile_override(tlocale: str, source: str) -> jinja2.Template:
    return sandbox_env(tlocale).from_string(source)


# --- rendering -----------------------------------------------------------------------


def check_names(kind: str, tlocale: str) -> None:
    """Raise ``Invalid`` for an unknown letter kind or template locale."""
    if kind not in KINDS:
        raise Invalid("kind", f"unknown letter kind {kind!r}; one of {', '.join(KINDS)}")
    if tlocale not in TEMPLATE_LOCALES:
        raise Invalid(
            "locale", f"unknown template locale {tlocale!r}; one of {', '.join(TEMPLATE_LOCALES)}"
        )


def _explain(exc: Exception) -> str:
    """An error message in the owner's terms where we can, else Jinja's."""
    message = str(exc)
    if isinstance(exc, jinja2.UndefinedError):
        match = re.fullmatch(r"'(?:[\w.]+\.)?(\w+) object' has no attribute '(\w+)'", message)
        if match and match[1] in CONTEXT_FIELDS:
            fields = ", ".join(CONTEXT_FIELDS[match[1]])
            return f"{match[1]} has no {match[2]!r}; its fields are {fields}"
        match = re.fullmatch(r"'None' has no attribute '(\w+)'", message)
        if match:
            return (
                f"it reads {match[1]!r} from a value that is empty (None) here; "
                "guard it with {% if … %}"
            )
    return message


def _template_line(tb: TracebackType | None) -> str:
    """Where in a template an error happened, from Jinja's rewritten traceback."""
    where = ""
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename == "<template>":
            where = f" (line {tb.tb_lineno})"
        elif filename.endswith(".j2"):
            where = f" ({Path(filename).parent.name}/{Path(filename).name}, line {tb.tb_lineno})"
        tb = tb.tb_next
    return where


def _render_block(template: jinja2.Template, block: str, values: dict[str, Any]) -> str:
    render_block = template.blocks.get(block)
    if render_block is None:
        raise TemplateError(f"the template has no {{% block {block} %}}")
    try:
        return "".join(render_block(template.new_context(values)))
    except Exception:
        # What Template.render does: point the traceback at template lines, then re-raise.
        template.environment.handle_exception()
        raise  # not reached: handle_exception always raises


def tidy_subject(subject: str) -> str:
    # No control character, CR/LF above all, may reach a mail header.
    subject = one_line(subject)
    if len(subject) > MAX_SUBJECT_CHARS:
        subject = subject[: MAX_SUBJECT_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,:;") + "…"
    return subject


def tidy_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def html_part(tlocale: str, subject: str, text: str) -> str:
    """The HTML part of a letter: its text, every character escaped, in the layout."""
    paragraphs = [paragraph.split("\n") for paragraph in text.split("\n\n")]
    layout = _html_env().get_template("layout.html.j2")
    return layout.render(lang=language_of(tlocale), subject=subject, paragraphs=paragraphs)


@functools.lru_cache(maxsize=4096)
def _compile_phrase(tlocale: str, text: str) -> jinja2.Template:
    return _text_env(tlocale).from_string(text)


def phrases_for(kind: str, tlocale: str, occasion: str) -> Mapping[str, tuple[str, ...]]:
    """The variants of each part of this kind of letter (``phrases``); {} when none."""
    return load_book(phrase_file(TEMPLATE_DIR, tlocale, kind)).get(occasion, {})


def _say(
    kind: str, tlocale: str, values: dict[str, Any], phrasing: Phrasing
) -> tuple[SimpleNamespace, dict[str, int]]:
    """The chosen variant of each part, rendered with the letter's values."""
    section = phrases_for(kind, tlocale, values["occasion"])
    chosen = choose(section, phrasing, tlocale, kind)
    said = {}
    for part, index in chosen.items():
        where = f"{tlocale}/phrases/{kind}.toml [{values['occasion']}] {part} #{index + 1}"
        try:
            said[part] = " ".join(
                _compile_phrase(tlocale, section[part][index]).render(values).split()
            )
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"{where}: {exc.message}") from exc
        except Exception as exc:
            raise TemplateError(f"{where}: {_explain(exc)}") from exc
    return SimpleNamespace(**said), chosen


def render(
    kind: str,
    tlocale: str,
    context: Mapping[str, Any],
    *,
    source: str | None = None,
    phrasing: Phrasing | None = None,
) -> Draft:
    """Render one letter: the default template, or ``source`` (an owner's edit, sandboxed),
    with the variants ``phrasing`` chooses (``phrases``).

    Raises ``Invalid`` for an unknown kind or tlocale and ``TemplateError`` when the
    template fails or the context lacks what this kind of letter needs.
    """
    check_names(kind, tlocale)
    values = template_values(kind, tlocale, context)
    if phrasing is None:
        phrasing = Phrasing(seed=str(getattr(context["business"], "name", "")))
    values["say"], chosen = _say(kind, tlocale, values, phrasing)
    name = f"{tlocale}/{kind}.j2" if source is None else f"edited {tlocale}/{kind}"
    try:
        if source is None:
            template = _text_env(tlocale).get_template(f"{tlocale}/{kind}.j2")
        else:
            template = _compile_override(tlocale, source)
        subject = _render_block(template, "subject", values)
        body = _render_block(template, "body", values)
    except TemplateError as exc:
        raise TemplateError(f"{name}: {exc}") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{name}: line {exc.lineno}: {exc.message}") from exc
    except SecurityError as exc:
        where = _template_line(exc.__traceback__)
        raise TemplateError(f"{name}{where}: not allowed in a letter: {exc}") from exc
    except Exception as exc:  # an error inside the template: say where, keep the cause
        where = _template_line(exc.__traceback__)
        raise TemplateError(f"{name}{where}: {_explain(exc)}") from exc
    subject, text = tidy_subject(subject), tidy_text(body)
    return Draft(subject, text, html_part(tlocale, subject, text), chosen)


def render_call(kind: str, tlocale: str, context: Mapping[str, Any]) -> Draft:
    """The talking points of a call (``letter_templates/<tlocale>/calls/<kind>.j2``): what
    the owner says on the phone instead of, or beside, a letter of ``kind``.

    Written in the client's language and form of address, so the owner can read the
    lines out; the context is a letter's (``render``), plus the client's running
    guarantee, when there is one, for an apology. Raises as ``render`` does.
    """
    check_names(kind, tlocale)
    values = template_values(kind, tlocale, context)
    values["say"] = SimpleNamespace()  # the points are written once: no variants
    name = f"{tlocale}/calls/{kind}.j2"
    try:
        template = _text_env(tlocale).get_template(name)
        subject = _render_block(template, "subject", values)
        body = _render_block(template, "body", values)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{name}: line {exc.lineno}: {exc.message}") from exc
    except Exception as exc:
        raise TemplateError(f"{name}{_template_line(exc.__traceback__)}: {_explain(exc)}") from exc
    subject, text = tidy_subject(subject), tidy_text(body)
    return Draft(subject, text, html_part(tlocale, subject, text))


def default_source(kind: str, tlocale: str) -> str:
    """The text of a default template: where an owner's edit starts from."""
    check_names(kind, tlocale)
    return (TEMPLATE_DIR / tlocale / f"{kind}.j2").read_text(encoding="utf-8")
