"""The Settings page's mail problems in the owner's language: a test email that a real
SMTP server refuses, that cannot connect, that meets a TLS problem or no answer in time,
explained in Spanish (or English), with what the server or the connection said quoted
as theirs; the inbox's problems likewise; the CLI keeps its English."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from followup.jobs.inbox import pause_line
from followup.web.pages.mail_words import inbox_problem, smtp_problem
from tests.smtp_server import SLOW, Faulty, Server, free_port, start
from tests.web_pages import logged_in


@pytest.fixture
def smtp() -> Iterator[Server]:
    controller, running = start(Faulty(password="right"))
    yield running
    controller.stop()


def test_result(engine: Engine, url: str, email: str, **settings: object) -> str:
    """The test email's result as the Settings page says it, tags dropped."""
    owner = logged_in(engine, email, settings={"smtp_url": url, **settings})
    page = owner.post("/settings/test-email", {"to": "owner@example.es"}, "/settings")
    assert page.status_code == 200
    said = re.search(r'<p class="error" role="alert">(.*?)</p>', page.text, re.DOTALL)
    assert said is not None, page.text
    return html.unescape(said.group(1))


test_result.__test__ = False  # type: ignore[attr-defined]


def test_the_known_smtp_problems_are_explained_and_the_servers_words_quoted(
    engine: Engine, smtp: Server
) -> None:
    refused = test_result(engine, smtp.url("marta:bad"), "a@bicis.example")
    assert refused == (
        "El mensaje de prueba a owner@example.es no se envió. Se rechazó el acceso: revise el "
        "usuario y la contraseña (una contraseña de aplicación en Gmail u Outlook) en "
        "FOLLOWUP_SMTP_URL. El servidor de correo respondió: «535 5.7.8 Authentication "
        "credentials invalid»."
    )
    nobody = test_result(engine, f"smtp://marta:right@127.0.0.1:{free_port()}", "b@bicis.example")
    assert nobody.startswith(
        "El mensaje de prueba a owner@example.es no se envió. followup no puede conectarse con "
        "el servidor de correo: revise el host y el puerto en FOLLOWUP_SMTP_URL"
    )
    assert "El error de la conexión: «" in nobody and "cannot reach" not in nobody
    # smtps:// to a server that speaks plain SMTP: the TLS handshake fails.
    tls = test_result(engine, smtp.url("marta:right", scheme="smtps"), "c@bicis.example")
    assert "La conexión segura (TLS) con el servidor de correo falló" in tls
    assert "El error de la conexión: «" in tls and "TLS connection to" not in tls


def test_a_server_that_does_not_answer_in_time(engine: Engine) -> None:
    controller, slow = start(Faulty(password="right", pauses={"EHLO": SLOW}))
    try:
        said = test_result(
            engine, slow.url("marta:right"), "d@bicis.example", smtp_timeout_seconds=0.2
        )
    finally:
        controller.stop()
    assert "El servidor de correo no respondió a tiempo" in said, said
    assert "did not answer" not in said and "cannot reach" not in said


def test_in_english_the_server_is_quoted_the_english_way(engine: Engine, smtp: Server) -> None:
    owner = logged_in(engine, settings={"smtp_url": smtp.url("marta:bad")})
    owner.web.post("/language", data={"lang": "en", "csrf_token": owner.token("/settings")})
    page = html.unescape(
        owner.post("/settings/test-email", {"to": "owner@example.es"}, "/settings").text
    )
    assert (
        "The test message to owner@example.es was not sent. The login was refused: check the "
        "user and the password (an app password for Gmail or Outlook) in FOLLOWUP_SMTP_URL. "
        "The mail server replied: “535 5.7.8 Authentication credentials invalid”."
    ) in page


def test_an_unknown_smtp_problem_keeps_its_english_as_the_details() -> None:
    said = smtp_problem("es", "the letter's To address cannot be sent by SMTP", "bad_address")
    assert said.explanation == "El servidor de correo no aceptó el mensaje."
    assert said.details == "the letter's To address cannot be sent by SMTP"


INBOX = "marta@bicis.example en imap.bicis.example"


@pytest.mark.parametrize(
    ("problem", "explanation", "words"),
    [
        ("login refused; check the user and the app password",
         "El servidor de correo rechazó el acceso a su buzón: revise el usuario y la "
         "contraseña de aplicación en la dirección del buzón, aquí abajo.", {}),
        ("the server name imap.bicis.exampel is not known (while connecting)",
         "No se conoce el servidor del buzón «imap.bicis.exampel»: revise el host en la "
         "dirección del buzón, aquí abajo.", {}),
        ("imap.bicis.example port 993 refused the connection (while connecting)",
         "followup no puede conectarse con el servidor de su buzón: revise el host y el "
         "puerto en la dirección del buzón, aquí abajo.", {}),
        ("the server did not answer within 30 s (while logging in)",
         "El servidor de su buzón no respondió en 30 segundos: puede que esté ocupado o "
         "caído un rato.", {}),
        ("its certificate was refused (self-signed certificate) (while connecting)",
         "La conexión segura (TLS) con el servidor de su buzón falló: se rechazó su "
         "certificado.", {"error": "self-signed certificate"}),
        ("the server answered with an error (AUTHENTICATE command error: BAD) (while "
         "logging in)", "El servidor de su buzón respondió con un error.",
         {"reply": "AUTHENTICATE command error: BAD"}),
        ("there is no folder 'Recibidos' in that mailbox",
         "No hay ninguna carpeta «Recibidos» en ese buzón: revise la carpeta al final de la "
         "dirección del buzón, aquí abajo.", {}),
        ("the server gave no UIDVALIDITY, so new mail cannot be told",
         "No se pudo leer su buzón.",
         {"details": "the server gave no UIDVALIDITY, so new mail cannot be told"}),
    ],
)  # fmt: skip
def test_the_inboxs_problems_in_spanish(
    problem: str, explanation: str, words: dict[str, str]
) -> None:
    for stored in (problem, pause_line(INBOX, problem)):
        said = inbox_problem("es", stored)
        assert said.explanation == explanation
        assert (said.reply, said.error, said.details) == (
            words.get("reply"), words.get("error"), words.get("details")
        )
