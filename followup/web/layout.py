"""The dashboard's look: one Jinja2 environment per language (the i18n extension with
that language's catalogue, Babel's ``date`` and ``number`` filters), the navigation of
the seven pages, and ``render``, which every page calls with its template and values.

A page's template extends ``base.html`` and sets ``title`` (its ``<title>`` and ``<h1>``)
and ``nav`` (the path of its navigation entry, marked ``aria-current``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from followup.web import i18n
from followup.web.auth import Owner, current_owner
from followup.web.csrf import FIELD, HEADER, csrf_token
from followup.web.i18n import N_

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class NavEntry:
    path: str
    label: str  # English; translated where it is shown


# The seven pages of the issue, in the order an owner goes through them.
NAV = (
    NavEntry("/", N_("Today")),
    NavEntry("/outbox", N_("Outbox")),
    NavEntry("/clients", N_("Clients")),
    NavEntry("/guarantees", N_("Guarantees")),
    NavEntry("/templates", N_("Templates")),
    NavEntry("/settings", N_("Settings")),
    NavEntry("/stats", N_("Stats")),
)


@cache
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["date"] = partial(_date, language=language)
    env.filters["number"] = partial(i18n.format_decimal, language=language)
    env.globals.update(lang=language, nav_entries=NAV, csrf_field=FIELD, csrf_header=HEADER)
    return env


def _date(value: Any, form: str = "long", *, language: str) -> str:
    return i18n.format_date(value, language, form)


def language_of(request: Request, owner: Owner | None = None) -> str:
    """The owner's language; before login, the one chosen on the login page, else the
    browser's, else Spanish."""
    owner = owner or current_owner(request)
    if owner is not None:
        return owner.language
    chosen = request.session.get("lang")
    if isinstance(chosen, str) and chosen in i18n.LANGUAGES:
        return chosen
    return i18n.from_accept_language(request.headers.get("accept-language")) or i18n.DEFAULT


def render(
    request: Request,
    template: str,
    values: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    language: str | None = None,
) -> HTMLResponse:
    """A page in the request's language, with what ``base.html`` needs."""
    owner = current_owner(request)
    lang = language or language_of(request, owner)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    html = environment(lang).get_template(template).render(
        owner=owner,
        csrf_token=csrf_token(request),
        here=here,
        **(values or {}),
    )
    return HTMLResponse(
        html,
        status_code=status_code,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )
