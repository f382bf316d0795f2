"""The letters (DESIGN §4, LETTERS.md): render a kind for a client, check templates.

Default templates live in ``letter_templates/<tlocale>/<kind>.j2``; each defines a
``subject`` and a ``body`` block, plain text. The HTML part is made from the same text by
``layout.html.j2``, which escapes every character of it: templates never write HTML.

Three Jinja2 environments, each built once on first use:

- the default templates: ``StrictUndefined``, no autoescape (the output is text/plain);
- owners' edited templates: ``ImmutableSandboxedEnvironment``, ``StrictUndefined``, no
  autoescape for the same reason, and checked when saved (``check_override``);
- the HTML layout: autoescape on.

The context contract (``render``'s ``context``): ``client``, ``business``, ``event``
(or None), ``guarantee`` (or None), ``day`` and ``occasion``. Templates see only the
fields listed in ``CONTEXT_FIELDS``, copied into plain namespaces: a template cannot
reach anything else on a database row (``business.imap_url``, ``client.notes``).
Single-line fields have CR/LF folded to spaces. ``event.summary`` and the owner's free
texts (``compensation``, ``terms``, ``payout``) are placed after a colon, first letter
lowercased (``clause``); ``event.item`` is a bare noun phrase, led by a singular noun
("casco y luces", "horquilla", "oak table"), which templates put after su/tu/your.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import SimpleNamespace, TracebackType
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

# An installed wheel carries the templates inside the package (pyproject force-include);
# a source checkout or an editable install has them at the top of the repository.
_PACKAGED_TEMPLATES = Path(__file__).parent / "letter_templates"
TEMPLATE_DIR = (
    _PACKAGED_TEMPLATES
    if _PACKAGED_TEMPLATES.is_dir()
    else Path(__file__).resolve().parent.parent / "letter_templates"
)

KINDS = (
    "thank_you",
    "apology",
    "cooperation",
    "lost_client",
    "guarantee_offer",
    "guarantee_checkin",
)
TEMPLATE_LOCALES = ("en", "es-usted", "es-tu")
THANK_YOU_OCCASIONS = ("purchase", "appreciation", "guarantee_end")
CONTEXT_VARIABLES = ("client", "business", "event", "guarantee", "day", "occasion")
CONTEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "client": ("name", "company", "email", "phone"),
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
    "guarantee": ("terms", "payout", "starts_on", "ends_on"),
}
_DATE_FIELDS = frozenset({"day", "starts_on", "ends_on"})
_OPTIONAL_FIELDS = frozenset({"item", "amount", "compensation"})  # None when not given
_MULTILINE_FIELDS = frozenset({"signature"})

MAX_OVERRIDE_CHARS = 20_000
MAX_SUBJECT_CHARS = 200
MIN_WORDS, MAX_WORDS = 60, 180

_MONTHS = {
    "es": (
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
        "septiembre", "octubre", "noviembre", "diciembre",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
}  # fmt: skip


class TemplateError(Exception):
    """A letter could not be rendered; the message names the template, line and cause."""


@dataclass(frozen=True)
class Draft:
    subject: str
    text: str
    html: str


def template_locale(locale: str, form_of_address: str | None) -> str:
    """The template folder for a client's language and form of address."""
    language = (locale or "").strip().lower().replace("_", "-").split("-")[0]
    if language == "en":
        return "en"
    if language == "es":
        return "es-tu" if (form_of_address or "").strip().lower() in ("tu", "tú") else "es-usted"
    raise ValueError(f"no letter templates for locale {locale!r}; use 'es' or 'en'")


# --- filters -------------------------------------------------------------------------

_MISSING = "a value is empty (None) here; guard it with {% if … %}"


def _refuse_none(value: Any) -> Any:
    """Every ``{{ … }}`` passes here: "None" must never be printed in a letter."""
    if value is None:
        raise ValueError(_MISSING)
    return value


def _text(value: object) -> str:
    if value is None:
        raise ValueError(_MISSING)
    return str(value)


def first_name(name: object) -> str:
    """The first word of a full name: "Laura Sánchez Romero" -> "Laura"."""
    words = _text(name).split()
    return words[0] if words else ""


def capfirst(text: object) -> str:
    value = _text(text)
    return value[:1].upper() + value[1:]


def clause(text: object) -> str:
    """Free text made to follow a colon: no final period, first letter lowercased.

    Only an ordinary capitalised first word is lowercased ("La reparación…" ->
    "la reparación…"); "I", acronyms and names ("IVA…", "Bar El Rincón…") are left alone.
    """
    value = _text(text).strip()
    if value.endswith(".") and not value.endswith(".."):
        value = value[:-1].rstrip()
    words = value.split(maxsplit=2)
    if not words:
        return value
    first = words[0]
    keeps_capital = (
        not first[0].isupper()
        or first == "I"
        or first.startswith(("I'", "I’"))
        or any(ch.isupper() for ch in first[1:])
        or (len(words) > 1 and words[1][:1].isupper())
    )
    return value if keeps_capital else first[0].lower() + value[1:]


def _language(tlocale: str) -> str:
    return "en" if tlocale == "en" else "es"


def daymonth(day: date, tlocale: str) -> str:
    """ "4 de noviembre" / "4 November"."""
    _text(day)
    month = _MONTHS[_language(tlocale)][day.month - 1]
    return f"{day.day} {month}" if tlocale == "en" else f"{day.day} de {month}"


def longdate(day: date, tlocale: str) -> str:
    """ "15 de diciembre de 2026" / "15 December 2026"."""
    sep = " " if tlocale == "en" else " de "
    return f"{daymonth(day, tlocale)}{sep}{day.year}"


def money(amount: object, tlocale: str) -> str:
    """Euros: "45,90 €" / "20 €" in Spanish, "€45.90" / "€20" in English.

    A value that is not a number is shown as the owner typed it.
    """
    raw = _text(amount).strip()
    number = raw.replace("€", "").replace("EUR", "").strip()
    if "," in number and "." not in number:
        number = number.replace(",", ".")
    try:
        value = Decimal(number)
    except InvalidOperation:
        return raw
    if not value.is_finite():
        return raw
    places = 0 if value == value.to_integral_value() else 2
    if tlocale == "en":
        return f"€{value:,.{places}f}"
    # Spanish: decimal comma; a thousands point only from five digits up (RAE).
    grouped = f"{value:,.{places}f}" if abs(value) >= 10_000 else f"{value:.{places}f}"
    return grouped.replace(",", "\0").replace(".", ",").replace("\0", ".") + " €"


def _filters(tlocale: str) -> dict[str, Callable[..., str]]:
    return {
        "first_name": first_name,
        "capfirst": capfirst,
        "clause": clause,
        "daymonth": functools.partial(daymonth, tlocale=tlocale),
        "longdate": functools.partial(longdate, tlocale=tlocale),
        "money": functools.partial(money, tlocale=tlocale),
    }


# --- environments --------------------------------------------------------------------


class _LetterSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, also refusing arithmetic that would eat the memory of the process."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        sized = (str, list, tuple)
        too_big = (operator == "**" and isinstance(right, int) and abs(right) > 100) or (
            operator == "*"
            and (
                (isinstance(left, sized) and isinstance(right, int) and right > 1_000)
                or (isinstance(right, sized) and isinstance(left, int) and left > 1_000)
            )
        )
        if too_big:
            raise SecurityError(f"the {operator} operation is too large for a letter")
        return super().call_binop(context, operator, left, right)


def _configure(env: jinja2.Environment, tlocale: str) -> jinja2.Environment:
    env.filters.update(_filters(tlocale))
    env.finalize = _refuse_none
    return env


@functools.cache
def _text_env(tlocale: str) -> jinja2.Environment:
    # text/plain output: escaping here would put "&amp;" in the letter; the HTML part is
    # escaped, all of it, by the layout.
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
    )
    return _configure(env, tlocale)


@functools.cache
def _sandbox_env(tlocale: str) -> jinja2.Environment:
    # Same loader, so an edited letter can include the default signature.
    env = _LetterSandbox(  # text/plain too, escaped by the layout
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
    )
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
    return _sandbox_env(tlocale).from_string(source)


# --- rendering -----------------------------------------------------------------------


def _check_names(kind: str, tlocale: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown letter kind {kind!r}; one of {', '.join(KINDS)}")
    if tlocale not in TEMPLATE_LOCALES:
        raise ValueError(f"unknown template locale {tlocale!r}; one of {TEMPLATE_LOCALES}")


def _printable(text: str, keep: str = "") -> str:
    """Control characters (NUL, CR, LF, …) become spaces, except those in ``keep``."""
    return "".join(
        " " if unicodedata.category(ch) == "Cc" and ch not in keep else ch for ch in text
    )


def _single_line(text: str) -> str:
    return " ".join(_printable(text).split())


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
            text = _single_line("" if value is None else str(value))
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


def _template_values(kind: str, context: Mapping[str, Any]) -> dict[str, Any]:
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
    return {
        "client": _view("client", context["client"]),
        "business": _view("business", context["business"]),
        "event": None if event is None else _view("event", event),
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


def _tidy_subject(subject: str) -> str:
    # No control character, CR/LF above all, may reach a mail header.
    subject = _single_line(subject)
    if len(subject) > MAX_SUBJECT_CHARS:
        subject = subject[: MAX_SUBJECT_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,:;") + "…"
    return subject


def _tidy_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _html(tlocale: str, subject: str, text: str) -> str:
    paragraphs = [paragraph.split("\n") for paragraph in text.split("\n\n")]
    layout = _html_env().get_template("layout.html.j2")
    return layout.render(lang=_language(tlocale), subject=subject, paragraphs=paragraphs)


def render(
    kind: str, tlocale: str, context: Mapping[str, Any], *, source: str | None = None
) -> Draft:
    """Render one letter: the default template, or ``source`` (an owner's edit, sandboxed).

    Raises ``ValueError`` for an unknown kind or tlocale and ``TemplateError`` when the
    template fails or the context lacks what this kind of letter needs.
    """
    _check_names(kind, tlocale)
    values = _template_values(kind, context)
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
    subject, text = _tidy_subject(subject), _tidy_text(body)
    return Draft(subject=subject, text=text, html=_html(tlocale, subject, text))


def default_source(kind: str, tlocale: str) -> str:
    """The text of a default template: where an owner's edit starts from."""
    _check_names(kind, tlocale)
    return (TEMPLATE_DIR / tlocale / f"{kind}.j2").read_text(encoding="utf-8")


# --- checks --------------------------------------------------------------------------


def word_count(text: str) -> int:
    """Words as a reader counts them: tokens with a letter or a digit."""
    return sum(1 for token in text.split() if any(ch.isalnum() for ch in token))


def lint_draft(draft: Draft) -> list[str]:
    """What would give a rendered letter away as a template."""
    problems = []
    if not draft.subject:
        problems.append("the subject is empty")
    if not draft.text:
        problems.append("the letter is empty")
    for leftover in ("{{", "}}", "{%", "%}"):
        if leftover in draft.subject or leftover in draft.text:
            problems.append(f"the letter shows template code {leftover!r}")
    return problems


def check_override(kind: str, tlocale: str, source: str, sample: Mapping[str, Any]) -> list[str]:
    """Problems with an owner's edited template, in words; an empty list means it is fine."""
    _check_names(kind, tlocale)
    if len(source) > MAX_OVERRIDE_CHARS:
        return [f"the template has {len(source):,} characters; the limit is {MAX_OVERRIDE_CHARS:,}"]
    try:
        tree = _sandbox_env(tlocale).parse(source)
    except jinja2.TemplateSyntaxError as exc:
        return [f"line {exc.lineno}: {exc.message}"]
    problems = [
        f"unknown variable {name!r}: a letter can use {', '.join(CONTEXT_VARIABLES)}"
        for name in sorted(meta.find_undeclared_variables(tree) - set(CONTEXT_VARIABLES))
    ]
    for included in meta.find_referenced_templates(tree):
        if included is None or not included.endswith("/_signature.j2"):
            problems.append(f"an edited letter can include only a signature, not {included!r}")
    blocks = {block.name for block in tree.find_all(nodes.Block)}
    problems += [
        f"the template has no {{% block {block} %}}"
        for block in ("subject", "body")
        if block not in blocks
    ]
    if problems:
        return problems
    # The owner's sample, then ours: the bare ones have no phone, company, item or
    # compensation, which is where an edit forgets an {% if %}.
    for context in (sample, *sample_contexts(kind, tlocale)):
        try:
            draft = render(kind, tlocale, context, source=source)
        except TemplateError as exc:
            message = f"the test letter failed: {exc}"
        else:
            message = "; ".join(lint_draft(draft))
        if message and message not in problems:
            problems.append(message)
    return problems


def check_defaults(samples: Iterable[Mapping[str, Any]] | None = None) -> list[str]:
    """Render every default template against sample contexts; the problems found.

    Without ``samples``, each kind and tlocale uses ``sample_contexts``. A given sample
    is rendered in every tlocale for the kind its ``occasion`` names.
    """
    cases: list[tuple[str, str, Mapping[str, Any]]] = []
    if samples is None:
        cases = [
            (kind, tlocale, context)
            for kind in KINDS
            for tlocale in TEMPLATE_LOCALES
            for context in sample_contexts(kind, tlocale)
        ]
    else:
        for context in samples:
            occasion = context.get("occasion")
            kind = "thank_you" if occasion in THANK_YOU_OCCASIONS else str(occasion)
            cases += [(kind, tlocale, context) for tlocale in TEMPLATE_LOCALES]
    problems = []
    for kind, tlocale, context in cases:
        client = getattr(context.get("client"), "name", "?")
        label = f"{tlocale}/{kind}.j2 ({context.get('occasion', kind)}, {client})"
        try:
            draft = render(kind, tlocale, context)
        except (TemplateError, ValueError) as exc:
            problems.append(f"{label}: {exc}")
            continue
        words = word_count(draft.text)
        if not MIN_WORDS <= words <= MAX_WORDS:
            problems.append(f"{label}: {words} words; a letter has {MIN_WORDS}–{MAX_WORDS}")
        problems += [f"{label}: {problem}" for problem in lint_draft(draft)]
        if re.search(r"\b(None|undefined)\b", f"{draft.subject}\n{draft.text}"):
            problems.append(f"{label}: the letter shows 'None' or 'undefined'")
    return problems


# --- sample contexts -------------------------------------------------------------------

_SAMPLE_TEXT: dict[str, dict[str, str]] = {
    "es-usted": {
        "complaint": "La reparación se entregó con tres días de retraso",
        "compensation": "no le cobramos la mano de obra de la reparación",
        "complaint_bare": "Se cobró dos veces la misma factura",
        "cooperation": "Nos ayudó a localizar un fallo de frenos enviando fotos y vídeo",
        "lost": "Se pasó a otro taller tras una revisión mal hecha",
        "payout": "le devolvemos el importe íntegro de la reparación",
    },
    "es-tu": {
        "complaint": "La reparación se entregó con tres días de retraso",
        "compensation": "no te cobramos la mano de obra de la reparación",
        "complaint_bare": "Se cobró dos veces la misma factura",
        "cooperation": "Las fotos y el vídeo que nos enviaste del fallo de frenos",
        "lost": "Una revisión mal hecha que te llevó a otro taller",
        "payout": "te devolvemos el importe íntegro de la reparación",
    },
    "en": {
        "complaint": "The repair was delivered three days late",
        "compensation": "we won't charge you for the labour on the repair",
        "complaint_bare": "You were charged twice for the same invoice",
        "cooperation": "The photos and video you sent us of the brake fault",
        "lost": "A badly done service that sent you to another shop",
        "payout": "we'll refund the full cost of the repair",
    },
}
_SAMPLE_ES = {
    "purchase": "Pedido de casco y luces", "item": "casco y luces",
    "purchase_bare": "Pedido de juego de ruedas",
    "cooperation_bare": "La prueba en ruta con nosotros para encontrar el ruido del cambio",
    "recovered": "Volvió tras la reparación gratuita de la horquilla", "fork": "horquilla",
    "terms": "si la horquilla vuelve a fallar, la reparamos o la cambiamos sin coste",
    "terms_bare": "si el cambio vuelve a dar problemas, lo ajustamos sin coste",
}  # fmt: skip
_SAMPLE_EN = {
    "purchase": "Order of a helmet and lights", "item": "helmet and lights",
    "purchase_bare": "Order 4411: a set of wheels",
    "cooperation_bare": "The test ride with us to track down the noise in the gears",
    "recovered": "Came back after the free repair of the fork", "fork": "fork",
    "terms": "if the fork fails again, we'll repair or replace it free of charge",
    "terms_bare": "if the gears give trouble again, we'll adjust them free of charge",
}  # fmt: skip


def _sample_people(tlocale: str) -> tuple[SimpleNamespace, ...]:
    """(full business, bare business, full client, bare client) for a tlocale."""
    person = SimpleNamespace
    if tlocale == "en":
        return (
            person(name="Harbour Bikes", owner_name="Siobhán Kelly", owner_title="owner",
                   owner_phone="+353 91 555 0142", sender_email="siobhan@harbourbikes.ie",
                   reply_to="", signature="12 Quay Street, Galway\nwww.harbourbikes.ie"),
            person(name="Harbour Bikes", owner_name="Siobhán Kelly", owner_title="",
                   owner_phone="", sender_email="siobhan@harbourbikes.ie", reply_to="",
                   signature=""),
            person(name="Peter Lang", company="Lang Joinery", email="peter.lang@example.com",
                   phone="+44 20 7946 0018"),
            person(name="Anne O'Neil", company="", email="anne@example.com", phone=""),
        )  # fmt: skip
    return (
        person(name="Taller Bicis Ruiz", owner_name="Marta Ruiz", owner_title="propietaria",
               owner_phone="600 123 456", sender_email="marta@tallerbicisruiz.es",
               reply_to="", signature="Calle del Pilar 14, Alcalá de Henares\n"
               "www.tallerbicisruiz.es"),
        person(name="Taller Bicis Ruiz", owner_name="Marta Ruiz", owner_title="",
               owner_phone="", sender_email="marta@tallerbicisruiz.es", reply_to="",
               signature=""),
        person(name="Laura Sánchez Romero", company="Bar El Rincón",
               email="lsanchez0@example.es", phone="+34 693 149 174"),
        person(name="Íñigo Martínez de la Fuente Echeverría", company="",
               email="imartinez@example.es", phone=""),
    )  # fmt: skip


def sample_contexts(kind: str, tlocale: str) -> list[dict[str, Any]]:
    """Realistic contexts for checks and previews: a bicycle workshop and its clients.

    For each occasion of the kind, a full context (phone, company, item, compensation,
    payout, signature) and a bare one (none of those, a long accented name or an
    apostrophe).
    """
    _check_names(kind, tlocale)
    text = _SAMPLE_TEXT[tlocale]
    common = _SAMPLE_EN if tlocale == "en" else _SAMPLE_ES
    full_business, bare_business, full_client, bare_client = _sample_people(tlocale)

    def event(kind: str, day: date, summary: str, **details: str | None) -> SimpleNamespace:
        fields = {"item": None, "amount": None, "compensation": None, **details}
        return SimpleNamespace(kind=kind, day=day, summary=summary, **fields)

    def guarantee(terms: str, payout: str) -> SimpleNamespace:
        return SimpleNamespace(
            terms=terms, payout=payout, starts_on=date(2026, 11, 10), ends_on=date(2026, 12, 15)
        )

    recovered = event("recovered", date(2026, 11, 10), common["recovered"], item=common["fork"])
    full_guarantee = guarantee(common["terms"], text["payout"])
    bare_guarantee = guarantee(common["terms_bare"], "")
    by_occasion: dict[str, tuple[tuple[Any, Any], tuple[Any, Any]]] = {
        # occasion: ((full event, full guarantee), (bare event, bare guarantee))
        "purchase": (
            (event("purchase", date(2026, 11, 4), common["purchase"],
                   item=common["item"], amount="45.90"), None),
            (event("purchase", date(2026, 11, 16), common["purchase_bare"]), None),
        ),
        "appreciation": ((None, None), (None, None)),
        "guarantee_end": ((recovered, full_guarantee), (None, bare_guarantee)),
        "apology": (
            (event("complaint", date(2026, 11, 18), text["complaint"],
                   compensation=text["compensation"]), None),
            (event("complaint", date(2026, 11, 19), text["complaint_bare"]), None),
        ),
        "cooperation": (
            (event("cooperation", date(2026, 11, 12), text["cooperation"]), None),
            (event("cooperation", date(2026, 11, 13), common["cooperation_bare"]), None),
        ),
        "lost_client": (
            (event("lost", date(2026, 10, 30), text["lost"]), None),
            (None, None),
        ),
        "guarantee_offer": ((recovered, full_guarantee), (None, bare_guarantee)),
        "guarantee_checkin": ((recovered, full_guarantee), (None, bare_guarantee)),
    }  # fmt: skip
    occasions = THANK_YOU_OCCASIONS if kind == "thank_you" else (kind,)
    contexts = []
    for occasion in occasions:
        day = date(2026, 12, 16) if occasion == "guarantee_end" else date(2026, 11, 20)
        for (the_event, the_guarantee), business, client in zip(
            by_occasion[occasion],
            (full_business, bare_business),
            (full_client, bare_client),
            strict=True,
        ):
            contexts.append(
                {
                    "client": client,
                    "business": business,
                    "event": the_event,
                    "guarantee": the_guarantee,
                    "day": day,
                    "occasion": occasion,
                }
            )
    return contexts
