"""The context contract of a letter (DESIGN §4): what a template sees, and nothing more.

``template_values`` checks what a kind of letter needs (a purchase thank-you its event, a
guarantee letter its guarantee) and copies the fields of ``CONTEXT_FIELDS`` into plain
namespaces, so a template cannot reach anything else on a database row
(``business.imap_url``, ``client.notes``). Single-line fields have CR/LF folded to
spaces. ``client.greeting`` is the owner's, else one derived from the name;
``business.owner_title`` is the owner's title in the letter's language; ``salutation``
the greeting line in the business's chosen register; ``owner_line`` the owner's own
line that fits this letter, or None. ``say`` (the chosen phrases) is added by rendering.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from followup.errors import Invalid
from followup.fields import one_line
from followup.greetings import derive_greeting
from followup.letters.filters import language_of
from followup.letters.salutations import SETTING, salutation
from followup.letters.titles import owner_title_in
from followup.models import LetterKind

KINDS = tuple(kind.value for kind in LetterKind)
TEMPLATE_LOCALES = ("en", "es-usted", "es-tu")
THANK_YOU_OCCASIONS = ("purchase", "appreciation", "guarantee_end")
CONTEXT_VARIABLES = (
    "client", "business", "event", "guarantee", "last_purchase", "day", "occasion",
    "salutation", "owner_line", "say",
)  # fmt: skip
CONTEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "client": ("name", "greeting", "company", "email", "phone"),
    "business": (
        "name",
        "owner_name",
        "owner_title",
        "owner_phone",
        "phone_label",
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
# Settings a sample or preview may leave out: empty, as for a business that never set them.
_EMPTY_BY_DEFAULT = frozenset({"phone_label"})


class TemplateError(Invalid):
    """A letter could not be rendered; the message names the template, line and cause."""

    def __init__(self, message: str) -> None:
        super().__init__("template", message)



def _printable(text: str, keep: str = "") -> str:
    """Control characters (NUL, CR, LF, …) become spaces, except those in ``keep``."""
    return "".join(
        " " if unicodedata.category(ch) == "Cc" and ch not in keep else ch for ch in text
    )


def view(name: str, obj: object) -> SimpleNamespace:
    """Copy the contract's fields of ``obj`` (a row or a namespace) into a namespace."""
    values: dict[str, Any] = {}
    for field in CONTEXT_FIELDS[name]:
        if not hasattr(obj, field) and field not in _EMPTY_BY_DEFAULT:
            raise TemplateError(f"the letter's {name} has no {field!r}")
        value = getattr(obj, field, "")
        if field in _DATE_FIELDS:
            values[field] = value
        elif field in _MULTILINE_FIELDS:
            text = "" if value is None else str(value)
            values[field] = _printable(text.replace("\r\n", "\n").replace("\r", "\n"), "\n").strip()
        else:
            text = one_line("" if value is None else str(value))
            values[field] = None if field in _OPTIONAL_FIELDS and not text else text
    return view_class(name)(**values)


@functools.cache
def view_class(name: str) -> type[SimpleNamespace]:
    # Named after the variable, so Jinja's "'client object' has no attribute" is readable.
    return type(name, (SimpleNamespace,), {})


class _Greeted:
    """A client as a letter sees it: the greeting the owner set, or one from the name."""

    def __init__(self, client: object) -> None:
        self._client = client

    def __getattr__(self, field: str) -> Any:
        if field != "greeting":
            return getattr(self._client, field)
        greeting = one_line(str(getattr(self._client, "greeting", "") or ""))
        return greeting or derive_greeting(str(getattr(self._client, "name", "") or ""))


def template_values(kind: str, tlocale: str, context: Mapping[str, Any]) -> dict[str, Any]:
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
    client = view("client", _Greeted(context["client"]))
    business = view("business", context["business"])
    business.owner_title = owner_title_in(context["business"], language_of(tlocale))
    return {
        "client": client,
        "business": business,
        "event": None if event is None else view("event", event),
        "last_purchase": None if purchase is None else view("last_purchase", purchase),
        "guarantee": None if guarantee is None else view("guarantee", guarantee),
        "day": context["day"],
        "occasion": occasion,
        "salutation": salutation(
            tlocale,
            getattr(context["business"], SETTING[tlocale], None),
            client.greeting,
            client.name,
        ),
        "owner_line": one_line(str(context.get("owner_line") or "")) or None,
    }


