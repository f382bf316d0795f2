"""The Templates page over real HTTP on a real database: the default source or the
owner's edit, the live preview (htmx) against a chosen client or the samples, each
problem of DESIGN §4 shown with its line before anything is saved, the apology warning,
saving, and reset to the default after its confirmation."""

from __future__ import annotations

import html

from sqlalchemy.engine import Engine
from sqlmodel import select

from followup.db import read_session
from followup.letters.rendering import default_source
from followup.models import TemplateOverride
from tests.factories import client_maker
from tests.web_pages import ESCAPED, INJECTION, logged_in, title_and_h1

PAGE = "/templates?kind=apology&locale=es-usted"
SAVE = "/templates/apology/es-usted"
HX = {"HX-Request": "true"}


def _overrides(engine: Engine) -> list[str]:
    with read_session(engine) as session:
        return [o.source for o in session.exec(select(TemplateOverride))]


def test_the_page_in_both_languages_shows_the_default_and_the_live_preview(
    engine: Engine,
) -> None:
    owner = logged_in(engine)
    page = owner.web.get(PAGE)
    assert page.status_code == 200
    assert title_and_h1(page.text) == ("Plantillas", "Plantillas")
    source = default_source("apology", "es-usted")
    assert f">{source}</textarea>" in html.unescape(page.text)
    assert 'data-hx-trigger="keyup changed delay:500ms"' in page.text
    assert 'data-hx-post="/templates/apology/es-usted/preview"' in page.text
    assert "No hay problemas: se puede guardar." in page.text
    assert "Asunto:" in page.text
    # The business's locale and form of address choose the template by default.
    assert '<option value="es-usted" selected>' in owner.web.get("/templates").text
    owner.web.post("/language", data={"lang": "en", "csrf_token": owner.token("/templates")})
    english = owner.web.get(PAGE).text
    assert title_and_h1(english) == ("Templates", "Templates")
    assert "No problems found: it can be saved." in english


def test_the_preview_is_written_to_the_chosen_client(engine: Engine) -> None:
    owner = logged_in(engine)
    client = client_maker(engine, owner.business)("Laura Gómez")
    source = default_source("apology", "es-usted").replace(
        "{% block subject %}", "{% block subject %}Perdón, {{ client.name }}: ", 1
    )
    data = {"source": source, "client": str(client.id), "csrf_token": owner.token(PAGE)}
    preview = owner.web.post("/templates/apology/es-usted/preview", data=data, headers=HX)
    assert preview.status_code == 200
    assert "<html" not in preview.text  # only the preview's part of the page
    assert "Perdón, Laura Gómez:" in preview.text
    sample = owner.web.post(
        "/templates/apology/es-usted/preview", data={**data, "client": ""}, headers=HX
    )
    assert "Laura Gómez" not in sample.text and "Asunto:" in sample.text
    assert not _overrides(engine)  # a preview stores nothing
    # Without JavaScript the same button gives the whole page with the preview.
    whole = owner.web.post("/templates/apology/es-usted/preview", data=data)
    assert "<h1>Plantillas</h1>" in whole.text and "Perdón, Laura Gómez:" in whole.text


def test_each_problem_is_shown_with_its_line_and_nothing_is_saved(engine: Engine) -> None:
    owner = logged_in(engine)
    default = default_source("apology", "es-usted")
    lines = default.count("\n")
    cases = {
        default + "\n{% if %}": [f"Línea {lines + 2}:", "Falta algo antes de «%}»: un nombre"],
        default.replace("{% block subject %}", "{% block subject %}{{ secreto }}", 1): [
            "Variable desconocida «secreto»", "Línea 6:", "{{ secreto }}"
        ],
        default.replace(
            "{% block subject %}", "{% block subject %}{{ client.__class__.__mro__ }}", 1
        ): ["Las plantillas no pueden leer «__class__»", "Línea 6:"],
        "x" * 20_001: ["La plantilla es demasiado larga: 20.001 caracteres; el límite es 20.000"],
    }
    for source, words in cases.items():
        refused = owner.post(SAVE, {"source": source}, PAGE)
        assert refused.status_code == 422, words
        assert "Todavía no se puede guardar" in refused.text
        shown = html.unescape(refused.text)
        for word in words:
            assert word in shown, (word, shown[-3000:])
        # What was typed is kept in the textarea.
        assert source[-30:] in shown
        live = owner.web.post(
            "/templates/apology/es-usted/preview",
            data={"source": source, "csrf_token": owner.token(PAGE)},
            headers=HX,
        )
        assert words[0] in html.unescape(live.text)
    assert _overrides(engine) == []


def test_save_then_reset_to_the_default(any_engine: Engine) -> None:
    owner = logged_in(any_engine)
    edited = default_source("apology", "es-usted").replace(
        "{% block subject %}", "{% block subject %}Perdón: ", 1
    )
    saved = owner.post(SAVE, {"source": edited}, PAGE)
    assert (saved.status_code, saved.headers["location"]) == (303, PAGE)
    assert _overrides(any_engine) == [edited]
    page = owner.web.get(PAGE).text
    assert "Guardada." in page and "Esta es su propia versión de la plantilla." in page
    assert "Volver a la plantilla de serie" in page
    reset = owner.post(SAVE + "/reset", {}, PAGE)
    assert reset.status_code == 303 and _overrides(any_engine) == []
    after = owner.web.get(PAGE).text
    assert "las cartas vuelven a usar la de serie" not in after  # the confirmation is gone
    assert "Esta es la plantilla de serie" in after
    again = owner.post(SAVE + "/reset", {}, PAGE)
    assert again.status_code == 303
    assert "ya es la de serie" in owner.web.get(PAGE).text


def test_an_apology_without_the_guarantee_sentence_is_warned_not_refused(engine: Engine) -> None:
    owner = logged_in(engine)
    source = (
        "{% block subject %}Perdón{% endblock %}\n{% block body %}{{ salutation }}\n\n"
        "Sentimos mucho lo ocurrido con {{ event.summary }}.\n{% endblock %}"
    )
    live = owner.web.post(
        "/templates/apology/es-usted/preview",
        data={"source": source, "csrf_token": owner.token(PAGE)},
        headers=HX,
    )
    assert "Esta disculpa no tiene {{ say.guarantee }}" in live.text
    default = owner.web.post(
        "/templates/apology/es-usted/preview",
        data={"source": default_source("apology", "es-usted"), "csrf_token": owner.token(PAGE)},
        headers=HX,
    )
    assert "Esta disculpa no tiene" not in default.text


def test_unknown_kinds_refused_clients_of_others_not_used_and_names_escaped(
    engine: Engine,
) -> None:
    owner = logged_in(engine)
    other = logged_in(engine, email="otro@bicis.example", name="Otro taller")
    theirs = client_maker(engine, other.business)("Cliente Ajeno")
    client_maker(engine, owner.business)(INJECTION)
    page = owner.web.get(PAGE).text
    assert INJECTION not in page and ESCAPED in page and "Cliente Ajeno" not in page
    data = {
        "source": default_source("apology", "es-usted"),
        "client": str(theirs.id),
        "csrf_token": owner.token(PAGE),
    }
    preview = owner.web.post("/templates/apology/es-usted/preview", data=data, headers=HX)
    assert "Ese cliente no está entre los suyos" in preview.text
    assert "Cliente Ajeno" not in preview.text
    bad = owner.post("/templates/apology/fr", {"source": "x"}, PAGE)
    assert bad.status_code == 422
    assert owner.web.post(SAVE, data={"source": "x"}).status_code == 403  # no CSRF token
