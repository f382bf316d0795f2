"""What a message from the owner's inbox is (``followup.mail.replies``): a delivery
report first, then the signs of an automatic reply, else a person's reply."""

from __future__ import annotations

from pathlib import Path

import pytest

from followup.mail.replies import classify

DATA = Path(__file__).parent / "data" / "inbox"


def message(*headers: str, body: str = "Gracias, todo perfecto.\n") -> bytes:
    base = [
        "From: Ana Torres <Ana@Example.es>",
        "To: marta@bicis.example",
        "Message-ID: <r1@example.es>",
        "In-Reply-To: <letter-1@bicis.example>",
    ]
    names = {h.split(":")[0].lower() for h in headers}
    kept = [h for h in base if h.split(":")[0].lower() not in names]
    return ("\n".join([*kept, *headers]) + "\n\n" + body).encode()


def test_a_plain_reply_is_a_persons_and_names_the_letter_it_answers() -> None:
    got = classify(message("Subject: Re: Gracias por su confianza"))
    assert (got.kind, got.sender, got.key) == ("human", "ana@example.es", "<r1@example.es>")
    assert got.refers == ("<letter-1@bicis.example>",)


def test_references_are_read_too_in_order_and_once() -> None:
    got = classify(
        message(
            "Subject: Re: x",
            "In-Reply-To: <b@x>",
            "References: <a@x>\n <b@x>",
        )
    )
    assert got.refers == ("<b@x>", "<a@x>")


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-replied",
        "Auto-Submitted: auto-generated",
        "Auto-Submitted: auto-replied (vacation)",
        "X-Autoreply: yes",
        "X-Autorespond: On vacation",
        "Precedence: bulk",
        "Precedence: junk",
        "Precedence: auto_reply",
    ],
)
def test_the_headers_of_an_automatic_reply(header: str) -> None:
    assert classify(message("Subject: Re: Gracias", header)).kind == "auto_reply"


@pytest.mark.parametrize(
    "header",
    ["Auto-Submitted: no", "Auto-Submitted: NO", "Precedence: list", "Precedence: first-class"],
)
def test_auto_submitted_no_and_other_precedences_are_a_person(header: str) -> None:
    assert classify(message("Subject: Re: Gracias", header)).kind == "human"


@pytest.mark.parametrize(
    "subject",
    [
        "Fuera de la oficina",
        "Fuera de oficina: Gracias por su confianza",
        "Respuesta automática: Gracias por su confianza",
        "RESPUESTA AUTOMATICA",
        "=?utf-8?q?Respuesta_autom=C3=A1tica=3A_Gracias?=",
        "Out of Office: Thank you",
        "I am out of the office until Monday",
        "Automatic reply: Thank you for your trust",
        "Auto-Reply: Thank you",
        "Autoreply",
    ],
)
def test_out_of_office_subjects_in_spanish_and_english(subject: str) -> None:
    assert classify(message(f"Subject: {subject}")).kind == "auto_reply"


@pytest.mark.parametrize(
    "subject",
    [
        "Re: Gracias por su confianza",
        "Re: la oficina de Correos perdió el paquete",
        "Re: Thank you, I was away for a while",
        "Re: ¿Respuesta? Automáticamente me llegó la factura",
    ],
)
def test_a_persons_subject_is_not_taken_for_an_absence(subject: str) -> None:
    assert classify(message(f"Subject: {subject}")).kind == "human"


def test_a_dsn_is_a_bounce_even_with_auto_submitted_and_names_recipient_status_and_words() -> None:
    raw = (DATA / "dsn_failed.eml").read_bytes().replace(b"$eva_letter", b"<l-eva@bicis.example>")
    got = classify(raw)
    assert got.kind == "dsn"
    assert got.refers == ("<l-eva@bicis.example>",)
    line = got.recipient("EVA@bad.example")
    assert line is not None and line.failed
    assert (line.action, line.status) == ("failed", "5.1.1")
    assert line.words.startswith("550 5.1.1 <eva@bad.example>: Recipient address rejected")
    assert got.recipient("someone@else.example") is None


def test_a_delay_report_is_not_a_failure_and_its_original_is_found_inside() -> None:
    raw = (DATA / "dsn_delay.eml").read_bytes().replace(b"$fede_letter", b"<l-fede@b.example>")
    got = classify(raw)
    line = got.recipient("fede@example.es")
    assert got.kind == "dsn" and got.refers == ("<l-fede@b.example>",)
    assert line is not None and not line.failed
    assert (line.action, line.status) == ("delayed", "4.4.1")


def test_a_failed_action_with_a_temporary_status_is_not_a_bounce() -> None:
    raw = (
        (DATA / "dsn_failed.eml")
        .read_bytes()
        .replace(b"Status: 5.1.1", b"Status: 4.4.7")
        .replace(b"$eva_letter", b"<l@x>")
    )
    line = classify(raw).recipient("eva@bad.example")
    assert line is not None and line.action == "failed" and not line.failed


def test_a_message_without_message_id_is_known_by_its_bytes() -> None:
    raw = b"From: a@b.example\nSubject: hola\n\nuno\n"
    first, again = classify(raw), classify(raw)
    assert first.key == again.key and first.key.startswith("sha256:")
    assert classify(raw.replace(b"uno", b"dos")).key != first.key


def test_nonsense_bytes_still_classify() -> None:
    got = classify(b"\xff\xfe\x00garbage without headers")
    assert got.kind == "human" and got.sender is None and got.refers == ()
