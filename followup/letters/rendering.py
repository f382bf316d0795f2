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
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace, TracebackType
from typing import Any

import jinja2
from jinja2.sandbox import SecurityError

from followup.errors import Invalid
from followup.fields import one_line, parse_language
from followup.greetings import derive_greeting
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
from followup.letters.sandbox import LetterSandbox
from followup.letters.titles import owner_title_in
from followup.models import LetterKind

# An installed wheel carries the templates inside the package (pyproject force-include);
# a source checkout or an editable install has them at the top of the repository.
_PACKAGE = Path(__file__).resolve().parent.parent
_PACKAGED_TEMPLATES = _PACKAGE / "letter_templates"
TEMPLATE_DIR = (
    _PACKAGED_TEMPLATES
    if _PACKAGED_TEMPLATES.is_dir()
    else _PACKAGE.parent / "letter_templates"
)

KINDS = tuple(kind.value for kind in LetterKind)
TEMPLATE_LOCALES = ("en", "es-usted", "es-tu")
THANK_YOU_OCCASIONS = ("purchase", "appreciation", "guarantee_end")
CONTEXT_VARIABLES = (
    "client", "business", "event", "guarantee", "last_purchase", "day", "occasion",
)  # fmt: skip
CONTEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "client": ("name", "greeting", "company", "email", "phone"),
    "business": (
        "name",
        "owner_name",
        "owner_title",
        "owner_phone",
        "sender_email",
        "reply_to",
        "signature",
    ),
    "event": ("kind", "day", "summary", "item", "amount", "compensation"),
    "last_purchase": ("kind", "day", "summary", "item", "amount", "compensation"),
    "guarantee": ("terms", "payout", "starts_on", "ends_on"),
}
_DATE_FIELDS = frozenset({"day", "starts_on", "ends_on"})
_OPTIONAL_FIELDS = frozenset({"item", "amount", "compensation"})  # None when not given
_MULTILINE_FIELDS = frozenset({"signature"})

MAX_OVERRIDE_CHARS = 20_000
MAX_SUBJECT_CHARS = 200
MIN_WORDS, MAX_WORDS = 60, 180


class TemplateError(Invalid):
    """A letter could not be rendered; the message names the template, line and cause."""

    def __init__(self, message: str) -> None:
        super().__init__("template", message)


@dataclass(frozen=True)
class Draft:
    subject: str
    text: str
    html: str


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


def _printable(text: str, keep: str = "") -> str:
    """Control characters (NUL, CR, LF, …) become spaces, except those in ``keep``."""
    return "".join(
        " " if unicodedata.category(ch) == "Cc" and ch not in keep else ch for ch in text
    )


def _view(name: str, obj: object) -> SimpleNamespace:
    """Copy the contract's fields of ``obj`` (a row or a namespace) into a namespace."""
    values: dict[str, Any] = {}
    for field in CONTEXT_FIELDS[name]:
        if not hasattr(obj, field):
            raise TemplateError(f"the letter's {name} has no {field!r}")
        value = getattr(obj, field)
        if field in _DATE_FIELDS:
            values[field] = value
        elif field in _MULTILINE_FIELDS:
            text = "" if value is None else str(value)
            values[field] = _printable(text.replace("\r\n", "\n").replace("\r", "\n"), "\n").strip()
        else:
            text = one_line("" if value is None else str(value))
            values[field] = None if field in _OPTIONAL_FIELDS and not text else text
    return _view_class(name)(**values)


@functools.cache
def _view_class(name: str) -> type[SimpleNamespace]:
    # Named after the variable, so Jinja's "'client object' has no attribute" is readable.
    return type(name, (SimpleNamespace,), {})


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


class _Greeted:
    """A client as a letter sees it: the greeting the owner set, or one from the name."""

    def __init__(self, client: object) -> None:
        self._client = client

    def __getattr__(self, field: str) -> Any:
        if field != "greeting":
            return getattr(self._client, field)
        greeting = one_line(str(getattr(self._client, "greeting", "") or ""))
        return greeting or derive_greeting(str(getattr(self._client, "name", "") or ""))


def _template_values(kind: str, tlocale: str, context: Mapping[str, Any]) -> dict[str, Any]:
    """The context a template sees, after checking what this kind of letter needs."""
    missing = [name for name in ("client", "business", "day") if context.get(name) is None]
    if missing:
        raise TemplateError(f"the letter's context has no {', '.join(missing)}")
    occasion = context.get("occasion") or (None if kind == "thank_you" else kind)
    if kind == "thank_you" and occasion not in THANK_YOU_OCCASIONS:
        raise TemplateError(
            f"a thank_you letter needs an occasion, one of {', '.join(THANK_YOU_OCCASIONS)}"
            f" (got {occasion!r})"
        )
    if kind != "thank_you" and occasion != kind:
        raise TemplateError(f"the occasion of a {kind} letter is {kind!r}, not {occasion!r}")
    event, guarantee = context.get("event"), context.get("guarantee")
    if event is None and (kind in ("apology", "cooperation") or occasion == "purchase"):
        raise TemplateError(f"a {kind} ({occasion}) letter needs its event; event is None")
    if guarantee is None and (kind.startswith("guarantee_") or occasion == "guarantee_end"):
        raise TemplateError(f"a {kind} ({occasion}) letter needs the guarantee; it is None")
    purchase = context.get("last_purchase")
    client = _view("client", _Greeted(context["client"]))
    business = _view("business", context["business"])
    business.owner_title = owner_title_in(context["business"], language_of(tlocale))
    return {
        "client": client,
        "business": business,
        "event": None if event is None else _view("event", event),
        "last_purchase": None if purchase is None else _view("last_purchase", purchase),
        "guarantee": None if guarantee is None else _view("guarantee", guarantee),
        "day": context["day"],
        "occasion": occasion,
    }


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


def render(
    kind: str, tlocale: str, context: Mapping[str, Any], *, source: str | None = None
) -> Draft:
    """Render one letter: the default template, or ``source`` (an owner's edit, sandboxed).

    Raises ``Invalid`` for an unknown kind or tlocale and ``TemplateError`` when the
    template fails or the context lacks what this kind of letter needs.
    """
    check_names(kind, tlocale)
    values = _template_values(kind, tlocale, context)
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
    return Draft(subject=subject, text=text, html=html_part(tlocale, subject, text))


def default_source(kind: str, tlocale: str) -> str:
    """The text of a default template: where an owner's edit starts from."""
    check_names(kind, tlocale)
    return (TEMPLATE_DIR / tlocale / f"{kind}.j2").read_text(encoding="utf-8")
