"""A refused action on a letter, in the owner's words: for every status, every action
and both languages, what could not be done and why as whole sentences (never a status's
label dropped into a frame: "está borrador"), and over real HTTP for a few."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.engine import Engine

from followup.models import Business, Channel, LetterStatus
from followup.web.pages.cards import REFUSED, refused_because
from tests.factories import make_letter
from tests.web_client import add_owner, csrf_of, dashboard, log_in

STATUSES = [status.value for status in LetterStatus]
ACTIONS = [*REFUSED, "skip"]
# Words that give away English in a Spanish sentence.
ENGLISH = {
    "the", "this", "it", "is", "was", "be", "been", "cannot", "letter", "nothing", "changed",
    "already", "still", "and", "by", "from", "any", "more", "done", "again", "its", "not",
}  # fmt: skip
# A status's label used as if it were an adjective or a state: ungrammatical.
BARE_LABEL = re.compile(
    r"\best[aá] (borrador|en cola\.|enviándose|envío|fallida|incierta)\b"
    r"|\bis (draft|sending|failed|uncertain|dismissed)\b"
)


def sentences_of(text: str) -> list[str]:
    return [part for part in re.split(r"(?<=\.) ", text) if part]


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("status", STATUSES)
def test_every_refusal_reads_as_whole_sentences(language: str, action: str, status: str) -> None:
    for channel in Channel:
        said = refused_because(language, action, status, channel)
        assert "%(" not in said and "%" not in said
        for sentence in sentences_of(said):
            assert sentence[0].isupper() and sentence.endswith("."), said
        assert not BARE_LABEL.search(said), said
        words = set(re.findall(r"[a-záéíóúñü]+", said.lower()))
        if language == "es":  # no raw value of the enum, no English word
            assert not words & (ENGLISH | set(STATUSES) | {"email"}), said
            assert said.endswith(" No se ha cambiado nada.")
        else:
            assert not words & {"borrador", "carta", "cola", "está", "enviada"}, said
            assert said.endswith(" Nothing was changed.")


@pytest.mark.parametrize(
    ("language", "action", "status", "expected"),
    [
        ("es", "approve", "draft", "No se puede aprobar esta carta: todavía es un borrador."),
        ("es", "approve", "approved",
         "No se puede aprobar esta carta: ya está aprobada y espera su hora de envío."),
        ("es", "approve", "sent", "No se puede aprobar esta carta: ya se envió."),
        ("es", "resend", "queued",
         "No se puede volver a enviar esta carta: está en cola para enviarse."),
        ("es", "edit", "sending",
         "Esta carta ya no se puede editar: se está enviando en este momento."),
        ("es", "dismiss", "cancelled", "No se puede descartar esta carta: se canceló."),
        ("es", "mark-sent", "failed",
         "No se puede marcar como enviada esta carta: no se pudo enviar."),
        ("es", "approve", "uncertain", "No se puede aprobar esta carta: puede que ya haya "
         "llegado, pero el servidor de correo no lo confirmó."),
        ("es", "done", "dismissed", "No se puede marcar como hecha esta carta: se descartó."),
        ("en", "approve", "sent", "This letter cannot be approved: it has been sent already."),
        ("en", "edit", "draft", "This letter cannot be edited any more: it is still a draft."),
        ("en", "mark-sent", "queued",
         "This letter cannot be marked as sent: it is queued to be sent."),
    ],
)  # fmt: skip
def test_a_few_refusals_word_for_word(
    language: str, action: str, status: str, expected: str
) -> None:
    nothing = "No se ha cambiado nada." if language == "es" else "Nothing was changed."
    assert refused_because(language, action, status, Channel.print) == f"{expected} {nothing}"


def test_an_email_is_never_marked_done_and_it_says_why_not_its_status() -> None:
    assert refused_because("es", "done", "draft", Channel.email) == (
        "No se puede marcar como hecha esta carta: sale por correo electrónico desde la "
        "Salida, no se hace a mano. No se ha cambiado nada."
    )
    assert refused_because("en", "done", "approved", Channel.email) == (
        "This letter cannot be marked done: it goes out by email from the Outbox, it is not "
        "done by hand. Nothing was changed."
    )


@pytest.mark.parametrize("status", [s for s in STATUSES if s != "draft"])
def test_approving_a_letter_that_is_no_longer_a_draft_says_what_it_is(
    engine: Engine, business: Business, status: str
) -> None:
    letter = make_letter(engine, business, status=status).id
    web = dashboard(engine)
    log_in(web, add_owner(engine, business.id or 0))
    refused = web.post(f"/letters/{letter}/approve", data={"csrf_token": csrf_of(web, "/")})
    assert refused.status_code == 409
    said = re.search(r'<p role="alert">(.*?)</p>', refused.text)
    assert said is not None
    assert said.group(1) == refused_because("es", "approve", status, Channel.email)
    assert said.group(1).startswith("No se puede aprobar esta carta: ")


def test_marking_an_email_done_by_hand_is_refused_in_english_too(
    engine: Engine, business: Business
) -> None:
    letter = make_letter(engine, business).id
    web = dashboard(engine)
    log_in(web, add_owner(engine, business.id or 0))
    web.post("/language", data={"lang": "en", "csrf_token": csrf_of(web, "/")})
    refused = web.post(
        f"/letters/{letter}/done", data={"csrf_token": csrf_of(web, "/")},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert refused.status_code == 409
    assert "it goes out by email from the Outbox, it is not done by hand." in refused.text
