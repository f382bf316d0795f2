"""A syntax error in an edited template, on the Templates page, in the owner's language:
Jinja's own English ("unexpected end of template, expected 'end of statement block'")
said again for the common mistakes with the line and the name the owner typed, a rare
one as "a syntax error near line N" with Jinja's text quoted; the CLI keeps Jinja's."""

from __future__ import annotations

import html
import re

import jinja2
import pytest
from sqlalchemy.engine import Engine

from followup.letters.checks import check_override
from followup.letters.rendering import default_source, sandbox_env
from followup.letters.samples import sample_contexts
from followup.web.pages.template_problems import explain
from followup.web.pages.template_syntax import syntax_error
from tests.web_pages import logged_in

PAGE = "/templates?kind=apology&locale=es-usted"
SAVE = "/templates/apology/es-usted"

# What an owner may type wrong, and what the page says in Spanish and in English.
MISTAKES = {
    "{% if client.company %}": (
        "La plantilla termina sin cerrar el bloque {% if %}: añada {% endif %} donde deba "
        "terminar.",
        "The template ends before the {% if %} block is closed: add {% endif %} where it "
        "should end.",
    ),
    "{% if client.company": (
        "La plantilla termina dentro de un {% … %} que no se cierra: añada «%}».",
        "The template ends inside a {% … %} that is never closed: add “%}”.",
    ),
    "{% saludo %}": (
        "«saludo» no es una etiqueta que conozcan las plantillas: revise cómo está escrita "
        "(un valor va entre {{ y }}, no entre {% y %}).",
        "“saludo” is not a tag that templates know: check how it is written "
        "(a value goes between {{ and }}, not {% and %}).",
    ),
    "{{ client.name !}}": (
        "El carácter «!» no puede ir dentro de {{ … }} ni de {% … %}.",
        "The character “!” cannot go inside {{ … }} or {% … %}.",
    ),
    "{{ client.name x }}": (
        "«x» está fuera de lugar: aquí debería cerrarse el {{ … }}, con «}}».",
        "“x” is out of place: here the {{ … }} should close, with “}}”.",
    ),
    "{% if client.company %}{% endfor %}": (
        "{% endfor %} está fuera de lugar: antes hay que cerrar el bloque {% if %} que está "
        "abierto, con {% endif %}.",
        "{% endfor %} is out of place here: the {% if %} block before it must be closed "
        "first, with {% endif %}.",
    ),
    "{% endif %}": (
        "{% endif %} no cierra nada: no hay ningún {% if %} abierto antes.",
        "{% endif %} closes nothing: there is no {% if %} open before it.",
    ),
    "{{ client.name }": (
        "Un {{ … }} se cierra con dos llaves, «}}», no con una.",
        "A {{ … }} closes with two braces, “}}”, not one.",
    ),
    "{{ 'Estimada }}": (
        "Un texto entre comillas se abre con «'» y no se cierra: añada la comilla de cierre «'».",
        "A text in quotes opens with “'” and is never closed: add the closing “'”.",
    ),
    "{% if %}": (
        "Falta algo antes de «%}»: un nombre o un valor.",
        "Something is missing before “%}”: a name or a value.",
    ),
    "{% for x %}": (
        "Aquí se esperaba «in», pero aparece «%}».",
        "Here “in” was expected, but “%}” was found.",
    ),
}  # fmt: skip
# Jinja's words that must never reach a Spanish page.
JINJA = re.compile(
    r"unexpected|expected|Encountered|unknown tag|end of|statement|token|got|Jinja|innermost"
)


def jinja_says(source: str) -> tuple[int, str]:
    try:
        sandbox_env("es-usted").parse(source)
    except jinja2.TemplateSyntaxError as exc:
        return exc.lineno, exc.message or ""
    raise AssertionError(f"{source!r} parses")


@pytest.mark.parametrize("source", MISTAKES)
def test_the_common_mistakes_in_the_owners_words(source: str) -> None:
    line, detail = jinja_says(source)
    spanish, english = MISTAKES[source]
    assert syntax_error("es", line, detail) == spanish
    assert syntax_error("en", line, detail) == english
    assert not JINJA.search(spanish)


def test_a_rare_error_is_a_syntax_error_near_its_line_with_jinjas_words_quoted() -> None:
    detail = "block 'body' defined twice"
    assert syntax_error("es", 12, detail) == (
        "La plantilla tiene un error de sintaxis cerca de la línea 12: "
        "«block 'body' defined twice»."
    )
    assert syntax_error("en", 12, detail) == (
        "The template has a syntax error near line 12: “block 'body' defined twice”."
    )


def test_every_jinja_message_of_a_broken_template_is_said_in_spanish() -> None:
    """Many ways to break a template: none leaves Jinja's English on a Spanish page."""
    broken = [
        *MISTAKES, "{% block body %}", "{% for x in y %}", "{{ a ", "{{ }}", "{{ a | }}",
        "{{ a.}}", "{# x", "{% if a %}{% else %}{% else %}{% endif %}", "{{ a(}}",
        "{% include %}", "{% macro %}", "{% block 1 %}", "{{ a ~ }}", "{{ a) }}", "{%",
        "{% raw %}x", "{{ a(", "{% if a = 1 %}{% endif %}", "{% else %}", "{% elif a %}",
        "{% endblock %}", '{{ "abc }}',
    ]  # fmt: skip
    for source in broken:
        line, detail = jinja_says(source)
        said = syntax_error("es", line, detail)
        assert not JINJA.search(said) and "cerca de la línea" not in said, (source, said)


def test_the_page_shows_the_line_and_what_was_typed(engine: Engine) -> None:
    owner = logged_in(engine)
    default = default_source("apology", "es-usted")
    lines = default.count("\n")
    source = default + "\n{% saludo cordial %}"
    refused = owner.post(SAVE, {"source": source}, PAGE)
    assert refused.status_code == 422
    shown = html.unescape(refused.text)
    assert f"Línea {lines + 2}:" in shown and "{% saludo cordial %}</code>" in shown
    assert "«saludo» no es una etiqueta que conozcan las plantillas" in shown
    assert "Encountered" not in shown
    owner.web.post("/language", data={"lang": "en", "csrf_token": owner.token(PAGE)})
    english = html.unescape(owner.post(SAVE, {"source": source}, PAGE).text)
    assert f"Line {lines + 2}:" in english
    assert "“saludo” is not a tag that templates know" in english


def test_the_checks_other_words_are_said_in_spanish_too() -> None:
    sample = sample_contexts("apology", "es-usted")[0]
    no_body = "{% block subject %}Perdón{% endblock %}"
    problems = check_override("apology", "es-usted", no_body, sample)
    assert problems == ["the template has no {% block body %}"]  # the CLI's words, as before
    assert [p.message for p in explain("es", no_body, problems)] == [
        "La plantilla no tiene {% block body %}: una carta necesita su asunto y su cuerpo, "
        "cada uno en su bloque."
    ]
    empty = "{% block subject %}{% endblock %}{% block body %}{% endblock %}"
    said = explain("es", empty, check_override("apology", "es-usted", empty, sample))
    assert [p.message for p in said] == [
        "La carta de prueba sale con el asunto vacío. La carta de prueba sale vacía."
    ]


def test_the_cli_keeps_jinjas_words() -> None:
    sample = sample_contexts("apology", "es-usted")[0]
    problems = check_override("apology", "es-usted", "{% saludo %}", sample)
    assert problems == ["line 1: Encountered unknown tag 'saludo'."]


def test_an_unknown_filter_is_a_problem_with_its_line_not_a_server_error(engine: Engine) -> None:
    """Jinja finds an unknown filter or test while compiling, not parsing: the check
    once let it escape as a traceback (a 500 on the page, a crash in the CLI)."""
    owner = logged_in(engine)
    default = default_source("apology", "es-usted")
    source = default.replace(
        "{% block subject %}", "{% block subject %}{{ client.name | mayusculas }}", 1
    )
    refused = owner.post(SAVE, {"source": source}, PAGE)
    assert refused.status_code == 422
    shown = html.unescape(refused.text)
    assert "Línea 6:" in shown and "{{ client.name | mayusculas }}" in shown
    assert "«mayusculas» no es un filtro que conozcan las plantillas" in shown
    sample = sample_contexts("apology", "es-usted")[0]
    assert check_override("apology", "es-usted", source, sample) == [
        "line 6: No filter named 'mayusculas'."
    ]
    tested = default.replace("{% block subject %}", "{% block subject %}{{ client.name is largo }}")
    (problem,) = check_override("apology", "es-usted", tested, sample)
    assert explain("en", tested, [problem])[0].message == (
        "“largo” is not a test that templates know: check how it is written after “is”."
    )


def test_a_test_letter_that_fails_says_why_in_spanish() -> None:
    default = default_source("apology", "es-usted")

    def said(typed: str) -> str:
        source = default.replace("{% block subject %}", "{% block subject %}" + typed, 1)
        (problem,) = explain("es", source, check_override(
            "apology", "es-usted", source, sample_contexts("apology", "es-usted")[0]
        ))  # fmt: skip
        assert problem.line == 6
        return problem.message

    assert said("{{ client.nmae }}") == (
        "«client» no tiene ningún campo «nmae»: sus campos son name, greeting, company, email, "
        "phone."
    )
    assert said("{% if client.name %}{{ client.name|mayus }}{% endif %}") == (
        "«mayus» no es un filtro que conozcan las plantillas: revise cómo está escrito después "
        "de la «|»."
    )
    assert said("{{ client.__class__ }}") == (
        "Las plantillas no pueden leer «__class__»: es parte del funcionamiento interno del "
        "programa, no de la carta. Use los campos del cliente, del negocio y del suceso."
    )
    assert said("{{ 'ja' * 100000000 }}") == (
        "Esa operación da un resultado demasiado grande para una carta."
    )
