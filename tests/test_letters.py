"""The letters: every kind in every language renders as a personal note (LETTERS.md).

Real rendering of the shipped templates, no mocks. Word counts are of the whole text
part, greeting and signature included: that is what the client scrolls through.
"""

from __future__ import annotations

import html
import importlib.util
import re
import shutil
import sys
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from followup.greetings import derive_greeting
from followup.letters import checks as letter_checks
from followup.letters import rendering as letters
from followup.letters.checks import check_defaults, check_override, lint_draft, word_count
from followup.letters.phrases import Phrasing
from followup.letters.rendering import (
    KINDS,
    TEMPLATE_DIR,
    TEMPLATE_LOCALES,
    Draft,
    TemplateError,
    default_source,
    phrases_for,
    render,
    template_locale,
)
from followup.letters.salutations import SETTING, salutation
from followup.letters.samples import sample_contexts

CASES = [
    pytest.param(kind, tlocale, context, id=f"{tlocale}-{kind}-{context['occasion']}-{n}")
    for kind in KINDS
    for tlocale in TEMPLATE_LOCALES
    for n, context in enumerate(sample_contexts(kind, tlocale))
]
SPANISH_CASES = [case for case in CASES if case.values[1] != "en"]

FORBIDDEN = {
    "es": [
        "sin embargo", "pero", "no obstante", "lamentablemente", "desafortunadamente",
        "si le hemos causado", "si te hemos causado", "si le ha causado", "molestias",
        "sentimos que se sienta", "sentimos que te sientas", "según nuestra política",
        "nuestra política", "sujeto a", "sujeta a", "estimado cliente", "querido cliente",
        "apreciado cliente", "descuento", "proveedor", "mensajería", "el sistema",
    ],
    "en": [
        "however", "but", "unfortunately", "inconvenience", "valued customer",
        "dear customer", "as per our policy", "our policy", "beyond our control",
        "subject to", "if you were", "sorry you feel", "discount", "supplier", "courier",
        "the system",
    ],
}  # fmt: skip
# Forms that give away a mixed usted/tú letter (LETTERS.md), as whole words.
NOT_USTED = r"\b(te|tu|tus|ti|contigo|escríbeme|llámame|responde|dime|tienes|necesitas)\b"
NOT_TU = r"\b(le|su|sus|usted|escríbame|llámeme|responda|dígame|tiene|necesita)\b"
# Adjectives that assume the gender of the owner or the client: the data never says.
GENDERED = (
    r"\b(estimad[oa]|querid[oa]|encantad[oa]|agradecid[oa]|content[oa]|bienvenid[oa]"
    r"|satisfech[oa])\b"
)


def language(tlocale: str) -> str:
    return "en" if tlocale == "en" else "es"


def greeting_line(tlocale: str, person: Any, owner: Any = None) -> str:
    """The first line a client should read: their greeting (the owner's, else one from the
    name) in the register the business chose, or a greeting without a name."""
    greeting = getattr(person, "greeting", "") or derive_greeting(person.name)
    return salutation(tlocale, getattr(owner, SETTING[tlocale], None), greeting, person.name)


def variants(kind: str, tlocale: str, ctx: Mapping[str, Any], **options: Any) -> list[Draft]:
    """The letter written with every variant of its phrases.

    Ordinal n takes the n-th variant of each part in the business's order, so as many
    ordinals as the longest part has variants use every variant of every part.
    """
    occasion = ctx.get("occasion") or kind
    parts = phrases_for(kind, tlocale, occasion)
    count = max((len(texts) for texts in parts.values()), default=1)
    return [
        render(kind, tlocale, ctx, phrasing=Phrasing(ordinal=n), **options) for n in range(count)
    ]


def body_after_greeting(text: str) -> str:
    return text.split("\n\n", 1)[1]


def first_sentences(text: str, count: int = 2) -> str:
    sentences = re.split(r"(?<=[.?!])\s+", body_after_greeting(text))
    return " ".join(sentences[:count])


def business(**changes: Any) -> SimpleNamespace:
    fields = {
        "name": "Taller Bicis Ruiz",
        "owner_name": "Marta Ruiz",
        "owner_title": "propietaria",
        "owner_phone": "600 123 456",
        "sender_email": "marta@tallerbicisruiz.es",
        "reply_to": "",
        "signature": "",
    }
    return SimpleNamespace(**{**fields, **changes})


def client(**changes: Any) -> SimpleNamespace:
    fields = {"name": "Laura Sánchez Romero", "company": "", "email": "l@example.es", "phone": ""}
    return SimpleNamespace(**{**fields, **changes})


def event(**changes: Any) -> SimpleNamespace:
    fields = {
        "kind": "complaint",
        "day": date(2026, 11, 18),
        "summary": "La reparación se entregó con tres días de retraso",
        "item": None,
        "amount": None,
        "compensation": None,
    }
    return SimpleNamespace(**{**fields, **changes})


def context(occasion: str, **changes: Any) -> dict[str, Any]:
    values = {
        "client": client(),
        "business": business(),
        "event": event(),
        "guarantee": None,
        "day": date(2026, 11, 20),
        "occasion": occasion,
    }
    return {**values, **changes}


def edited(subject: str, body: str) -> str:
    """An owner's edited template."""
    return (
        f"{{% block subject %}}{subject}{{% endblock %}}\n"
        f"{{% block body %}}\n{body}{{% endblock %}}"
    )


def words(text: str) -> list[str]:
    return text.split()


# --- every letter --------------------------------------------------------------------
# Each test reads the letter in every variant of its phrases (``variants``): a sentence
# that is wrong for one client is wrong in one letter out of five, not in none.


@pytest.mark.parametrize(("kind", "tlocale", "ctx"), CASES)
def test_every_letter_renders_without_template_leftovers(
    kind: str, tlocale: str, ctx: dict[str, Any]
) -> None:
    for draft in variants(kind, tlocale, ctx):
        everything = f"{draft.subject}\n{draft.text}"
        for leftover in ("{{", "}}", "{%", "%}", "{#"):
            assert leftover not in everything
        assert not re.search(r"\b(None|none|undefined|null)\b", everything)
        assert not re.search(r"[ \t]$", draft.text, re.MULTILINE)
        assert "\n\n\n" not in draft.text
        assert lint_draft(draft) == []


@pytest.mark.parametrize(("kind", "tlocale", "ctx"), CASES)
def test_every_letter_fits_a_phone_screen(kind: str, tlocale: str, ctx: dict[str, Any]) -> None:
    for draft in variants(kind, tlocale, ctx):
        count = word_count(draft.text)
        assert 60 <= count <= 180, (count, draft.text)


@pytest.mark.parametrize(("kind", "tlocale", "ctx"), CASES)
def test_greeting_uses_the_clients_greeting(kind: str, tlocale: str, ctx: dict[str, Any]) -> None:
    expected = greeting_line(tlocale, ctx["client"], ctx["business"])
    for draft in variants(kind, tlocale, ctx):
        assert draft.text.split("\n", 1)[0] == expected


@pytest.mark.parametrize(
    ("tlocale", "style", "person", "expected"),
    [("es-usted", None, client(), "Hola, Laura:"),  # no title: no gender to assume
     ("es-usted", None, client(name="D. Manuel Ortega"), "Estimado Manuel:"),
     ("es-usted", None, client(name="Dña. María José Navarro"), "Estimada María José:"),
     ("es-usted", None, client(greeting="Sr. Ortega"), "Estimado Sr. Ortega:"),
     ("es-usted", None, client(name="Reformas Henares S.L."), "Buenos días:"),
     ("es-usted", "apreciado", client(name="Dña. María José Navarro"), "Apreciada María José:"),
     ("es-usted", "nombre", client(name="D. Manuel Ortega"), "Manuel:"),
     ("es-tu", None, client(name="D. Manuel Ortega"), "Hola, Manuel:"),
     ("es-tu", "querido", client(name="Dña. María José Navarro"), "Querida María José:"),
     ("es-tu", None, client(name="Reformas Henares S.L."), "Hola:"),
     ("en", None, client(), "Dear Laura,"),
     ("en", "hi", client(), "Hi Laura,"),
     ("en", None, client(name="Corrib Joinery Ltd"), "Hello,")],
)  # fmt: skip
def test_greeting_follows_the_business_register(
    tlocale: str, style: str | None, person: SimpleNamespace, expected: str
) -> None:
    owner = business() if style is None else business(**{SETTING[tlocale]: style})
    ctx = context("apology", client=person, business=owner)
    for draft in variants("apology", tlocale, ctx):
        assert draft.text.split("\n", 1)[0] == expected
        assert draft.html.count(html.escape(expected)) == 1


@pytest.mark.parametrize(("kind", "tlocale", "ctx"), CASES)
def test_the_specific_fact_comes_in_the_first_two_sentences(
    kind: str, tlocale: str, ctx: dict[str, Any]
) -> None:
    the_event, guarantee = ctx["event"], ctx["guarantee"]
    if kind == "guarantee_offer":
        fact = letters.clause(guarantee.terms)
    elif kind == "guarantee_checkin":  # the incident the guarantee answers, else its start
        fact = (
            letters.clause(the_event.summary)
            if the_event
            else letters.daymonth(guarantee.starts_on, tlocale)
        )
    elif ctx["occasion"] == "guarantee_end":  # the day it ended
        fact = letters.longdate(guarantee.ends_on, tlocale)
    elif ctx["occasion"] == "appreciation":
        fact = ctx["business"].name  # nothing happened: who is thanking, and for what
    elif the_event is None:  # a client marked lost with no event recorded: that they left
        fact = "stop working with us" if tlocale == "en" else "dejar de trabajar con nosotros"
    else:
        fact = the_event.item or letters.clause(the_event.summary)
    for draft in variants(kind, tlocale, ctx):
        opening = first_sentences(draft.text)
        assert fact in opening, opening


@pytest.mark.parametrize(("kind", "tlocale", "ctx"), CASES)
def test_no_forbidden_phrase(kind: str, tlocale: str, ctx: dict[str, Any]) -> None:
    for draft in variants(kind, tlocale, ctx):
        everything = f"{draft.subject}\n{draft.text}".lower()
        for phrase in FORBIDDEN[language(tlocale)]:
            assert not re.search(rf"\b{re.escape(phrase)}\b", everything), (phrase, everything)
        assert "!" not in draft.subject
        assert draft.subject != draft.subject.upper()


@pytest.mark.parametrize(("kind", "tlocale", "ctx"), CASES)
def test_the_owners_words_are_woven_in_never_pasted_after_a_colon(
    kind: str, tlocale: str, ctx: dict[str, Any]
) -> None:
    owners_words = [
        the_event.summary
        for the_event in (ctx["event"], ctx["last_purchase"])
        if the_event is not None
    ]
    if ctx["event"] is not None and ctx["event"].compensation:
        owners_words.append(ctx["event"].compensation)
    if ctx["guarantee"] is not None:
        owners_words += [ctx["guarantee"].terms, ctx["guarantee"].payout]
    for draft in variants(kind, tlocale, ctx):
        for words_ in filter(None, owners_words):
            said = letters.clause(words_)
            assert f": {said}" not in draft.text, (said, draft.text)
            assert said not in draft.subject, draft.subject  # the subject names the thing
        if ctx["event"] is not None and ctx["event"].item:
            assert f": {letters.noun_phrase(ctx['event'].item)}" not in draft.subject


@pytest.mark.parametrize(("kind", "tlocale", "ctx"), SPANISH_CASES)
def test_spanish_keeps_one_form_of_address_and_no_gender(
    kind: str, tlocale: str, ctx: dict[str, Any]
) -> None:
    wrong = NOT_USTED if tlocale == "es-usted" else NOT_TU
    for draft in variants(kind, tlocale, ctx):
        everything = f"{draft.subject}\n{draft.text}".lower()
        assert re.findall(wrong, everything) == []
        # The greeting line may say a gender a title gave (salutations); nothing else may.
        after_greeting = everything.replace(draft.text.split("\n", 1)[0].lower(), "")
        assert re.findall(GENDERED, after_greeting) == []


@pytest.mark.parametrize(("kind", "tlocale", "ctx"), CASES)
def test_signed_by_the_owner_with_a_way_to_reply(
    kind: str, tlocale: str, ctx: dict[str, Any]
) -> None:
    owner = ctx["business"]
    reply = {"en": "reply to this email", "es-usted": "a este correo", "es-tu": "a este correo"}
    for draft in variants(kind, tlocale, ctx):
        assert owner.owner_name in draft.text
        assert owner.name in draft.text.rsplit(owner.owner_name, 1)[1]
        assert reply[tlocale] in draft.text
        if owner.owner_phone:
            assert draft.text.count(owner.owner_phone) == 2  # in the letter and the signature


# --- each kind -----------------------------------------------------------------------

# An apology says so, unconditionally, in the owner's first person.
APOLOGY = re.compile(r"disculpa|perd[oó]n|lo siento|siento|sorry|apolog", re.IGNORECASE)
# Without a decided compensation the owner asks the client what would set it right.
ASKS_WHAT_WOULD_HELP = {
    "en": r"tell me|let me know|want to hear",
    "es-usted": r"(dígame|cuénteme|saber) qué",
    "es-tu": r"dime qué",
}
# The owner's words follow "que"/"porque", "that"/"because": inside the sentence.
WOVEN = {"en": r"\b(that|because) ", "es-usted": r"\b(que|porque) ", "es-tu": r"\b(que|porque) "}
SELLS = re.compile(
    r"descuento|oferta|promoci[oó]n|novedad|discount|offer|promotion|new arrivals", re.IGNORECASE
)


@pytest.mark.parametrize("tlocale", TEMPLATE_LOCALES)
def test_apology_is_unconditional_and_gives_the_decided_compensation(tlocale: str) -> None:
    with_compensation, without = sample_contexts("apology", tlocale)[:2]
    compensation = letters.clause(with_compensation["event"].compensation)
    for draft in variants("apology", tlocale, with_compensation):
        assert APOLOGY.search(first_sentences(draft.text, 3)), draft.text
        assert compensation in draft.text
        assert not re.search(r"\b(si|if)\b", draft.text.lower()), draft.text

    for plain in variants("apology", tlocale, without):
        assert APOLOGY.search(first_sentences(plain.text, 3)), plain.text
        assert re.search(ASKS_WHAT_WOULD_HELP[tlocale], plain.text, re.IGNORECASE), plain.text
        assert "compensa" not in plain.text.lower()
        assert compensation not in plain.text
        assert not re.search(r"\b(si|if)\b", plain.text.lower()), plain.text


@pytest.mark.parametrize(
    ("tlocale", "summary"),
    [("es-usted", "La reparación se entregó con tres días de retraso"),
     ("es-tu", "Te entregamos la reparación con tres días de retraso"),
     ("en", "The repair was delivered three days late")],
)  # fmt: skip
def test_apology_written_in_the_clients_words(tlocale: str, summary: str) -> None:
    ctx = context("apology", event=event(summary=summary))
    said = letters.clause(summary)
    for draft in variants("apology", tlocale, ctx):
        # In the first sentence, inside it ("…porque la reparación se entregó…").
        opening = first_sentences(draft.text, 1)
        assert re.search(WOVEN[tlocale] + re.escape(said), opening), opening
        assert f": {said}" not in draft.text
        # The subject names the apology, never the owner's clause.
        assert said not in draft.subject.lower(), draft.subject
        assert ":" not in draft.subject


@pytest.mark.parametrize(
    ("tlocale", "end"),
    [("es-usted", "15 de diciembre de 2026"), ("es-tu", "15 de diciembre de 2026"),
     ("en", "15 December 2026")],
)  # fmt: skip
def test_guarantee_offer_states_terms_payout_and_end_date(tlocale: str, end: str) -> None:
    full, bare = sample_contexts("guarantee_offer", tlocale)[:2]
    guarantee = full["guarantee"]
    for draft in variants("guarantee_offer", tlocale, full):
        assert letters.clause(guarantee.terms) in draft.text
        assert letters.clause(guarantee.payout) in draft.text
        assert end in draft.text
        assert end in draft.subject
    for without_payout in variants("guarantee_offer", tlocale, bare):
        assert end in without_payout.text
        # No payout: no "if it happens again, we…" beyond the owner's own terms.
        rest = without_payout.text.replace(letters.clause(bare["guarantee"].terms), "")
        assert not re.search(r"\b(si|if|should)\b", rest, re.IGNORECASE), rest


def test_guarantee_checkin_asks_how_things_go_and_reminds_the_guarantee() -> None:
    ctx = sample_contexts("guarantee_checkin", "es-usted")[0]
    incident, guarantee = ctx["event"], ctx["guarantee"]
    for draft in variants("guarantee_checkin", "es-usted", ctx):
        first, reminder = body_after_greeting(draft.text).split("\n\n")[:2]
        # How things are going since the incident, named with its day.
        assert re.search(r"qué tal|cómo va|va todo|todo va", first, re.IGNORECASE), first
        assert letters.clause(incident.summary) in first
        assert "3 de noviembre" in first
        # Lightly: until when the guarantee runs, and what it covers.
        assert "15 de diciembre de 2026" in reminder
        assert letters.clause(guarantee.terms) in reminder
        # Help, and no pressure to buy.
        assert ctx["business"].owner_phone in draft.text
        assert not SELLS.search(f"{draft.subject}\n{draft.text}"), draft.text
        assert letters.clause(incident.summary) not in draft.subject


# Per language: how a guarantee-end letter says the end is still to come (or today), and
# how it says it is past. A letter may use neither, never the wrong one.
ENDS = {
    "en": (r"\b(runs until|comes to an end|is due to end|draws to a close|ends today)\b",
           r"\b(ended|came to an end)\b", r"\btoday\b"),
    "es-usted": (r"\b(termina|llega a su fin|se cierra|tiene usted)\b",
                 r"\b(terminó|llegó a su fin|se cerró|tenía usted)\b", r"\bhoy\b"),
    "es-tu": (r"\b(termina|es el último|sigues teniendo|se acaba)\b",
              r"\b(terminó|fue el último|tuviste|se acabó)\b", r"\bhoy\b"),
}  # fmt: skip
# That the door stays open: in so many words, or "we're here whenever you need us".
OPEN_DOOR = {
    "en": r"\bdoor\b|always welcome|whatever you need in the future",
    "es-usted": r"\bpuerta\b",
    "es-tu": r"\bpuerta\b|siempre habrá sitio|aquí siempre que nos necesites",
}


@pytest.mark.parametrize("tlocale", TEMPLATE_LOCALES)
@pytest.mark.parametrize(
    "day", [date(2026, 12, 10), date(2026, 12, 15), date(2026, 12, 16)], ids=str
)
def test_guarantee_end_thanks_for_the_second_chance(day: date, tlocale: str) -> None:
    full, bare = sample_contexts("thank_you", tlocale)[4:6]
    assert full["occasion"] == bare["occasion"] == "guarantee_end"
    ends_on = full["guarantee"].ends_on
    to_come, past, today = ENDS[tlocale]
    for ctx in (full, bare):
        for draft in variants("thank_you", tlocale, {**ctx, "day": day}):
            fact = body_after_greeting(draft.text).split("\n\n")[0]
            assert letters.longdate(ends_on, tlocale) in fact  # the end day, always
            if day < ends_on:
                assert not re.search(past, fact), fact
                assert not re.search(today, fact, re.IGNORECASE), fact
            elif day == ends_on:
                assert not re.search(past, fact), fact
            else:
                assert not re.search(to_come, fact), fact
                assert not re.search(today, fact, re.IGNORECASE), fact
            text = draft.text.lower()
            assert re.search(
                r"segunda oportunidad|volver a confiar|second chance|trusting us again", text
            ), text
            assert re.search(OPEN_DOOR[tlocale], text), text
            assert not SELLS.search(text)


def test_thank_you_names_the_purchase_and_never_sells() -> None:
    purchase = event(kind="purchase", summary="Pedido de casco y luces", item="casco y luces")
    for draft in variants("thank_you", "es-tu", context("purchase", event=purchase)):
        assert "casco y luces" in first_sentences(draft.text), draft.text
        # Named, not pasted: "Gracias por tu compra: casco y luces" is gone.
        assert ": casco y luces" not in f"{draft.subject}\n{draft.text}"
        assert "pedido de casco y luces" not in draft.subject.lower()
        assert not re.search(r"descuento|oferta|promoción|novedades", draft.text.lower())


def test_thank_you_without_item_uses_the_summary_and_the_date() -> None:
    purchase = event(kind="purchase", summary="Pedido de juego de ruedas.", item=None)
    for draft in variants("thank_you", "es-usted", context("purchase", event=purchase)):
        opening = first_sentences(draft.text)
        assert "pedido de juego de ruedas" in opening, opening
        assert "18 de noviembre" in opening, opening
        assert ": pedido de juego de ruedas" not in draft.text
        assert "pedido de juego de ruedas" not in draft.subject.lower(), draft.subject


def test_no_phone_means_reply_to_this_email() -> None:
    ctx = context(
        "lost_client",
        business=business(owner_phone="", phone_label="Phone"),
        event=event(kind="lost", summary="We serviced your bike badly"),
    )
    for draft in variants("lost_client", "en", ctx):
        assert "reply to this email" in draft.text
        assert not re.search(r"call me|phone me|ring me|number|\bon \+?\d", draft.text), draft.text
        assert "Phone" not in draft.text  # a label with no number under it


@pytest.mark.parametrize("tlocale", TEMPLATE_LOCALES)
def test_signature_carries_title_and_free_text(tlocale: str) -> None:
    owner = business(signature="Calle del Pilar 14\r\nwww.tallerbicisruiz.es")
    signature = (
        "Marta Ruiz\nPropietaria, Taller Bicis Ruiz\n{}600 123 456\n\n"
        "Calle del Pilar 14\nwww.tallerbicisruiz.es"
    )
    for draft in variants("cooperation", tlocale, context("cooperation", business=owner)):
        assert draft.text.endswith(signature.format("")), draft.text
        assert not re.search(r"\b(Tel|Phone|Teléfono)\b", draft.text)  # no label unless set
    labelled = context("cooperation", business=business(**vars(owner), phone_label="Tel."))
    for draft in variants("cooperation", tlocale, labelled):
        assert draft.text.endswith(signature.format("Tel. ")), draft.text
        assert draft.text.count("Tel.") == 1  # the signature's, not the letter's


# --- names, escaping, the HTML part ----------------------------------------------------


def test_html_escapes_everything_from_the_client() -> None:
    ctx = context(
        "appreciation",
        client=client(name="Grace <b>Hopper</b>", company="Navy & Co <b>bold</b>"),
        event=None,
    )
    draft = render("thank_you", "en", ctx)
    assert "Navy & Co <b>bold</b>" in draft.text  # text/plain is not escaped
    assert "Navy &amp; Co &lt;b&gt;bold&lt;/b&gt;" in draft.html
    assert "<b>" not in draft.html

    apology = context("apology", event=event(summary="Cobro de <script>x</script> & más"))
    assert "&lt;script&gt;" in render("apology", "es-usted", apology).html
    assert "<script>" not in render("apology", "es-usted", apology).html


@pytest.mark.parametrize(("kind", "tlocale", "ctx"), CASES)
def test_html_has_the_same_words_as_the_text(kind: str, tlocale: str, ctx: dict[str, Any]) -> None:
    draft = render(kind, tlocale, ctx)
    body = draft.html.split("<body", 1)[1]
    shown = html.unescape(re.sub(r"<[^>]+>", " ", body.split(">", 1)[1]))
    assert words(shown) == words(draft.text)


def test_html_layout_is_one_simple_column() -> None:
    draft = render("apology", "es-tu", sample_contexts("apology", "es-tu")[0])
    assert draft.html.startswith("<!DOCTYPE html>")
    assert '<html lang="es">' in draft.html
    assert 'name="viewport"' in draft.html
    assert "font-size:17px" in draft.html
    assert draft.html.count("<p ") == len(draft.text.split("\n\n"))
    assert "Marta Ruiz<br>" in draft.html  # signature lines stay lines
    assert not re.search(r"<img|<script|<table|https?://[^\"]*track", draft.html)
    # A link is spelled out: the text of the link is the address itself.
    assert ">www.tallerbicisruiz.es</a>" in draft.html
    assert '<html lang="en">' in render("apology", "en", sample_contexts("apology", "en")[0]).html


@pytest.mark.parametrize(
    ("name", "greeting"),
    [("Anne O'Neil", "Dear Anne,"),
     ("  Íñigo Martínez de la Fuente Echeverría-Zubizarreta ", "Dear Íñigo,"),
     ("Mª Ángeles Núñez", "Dear Mª Ángeles,")],
)  # fmt: skip
def test_awkward_names_render(name: str, greeting: str) -> None:
    ctx = context("appreciation", client=client(name=name), event=None)
    draft = render("thank_you", "en", ctx)
    assert draft.text.startswith(greeting)
    assert greeting[:-1].replace("'", "&#39;") in draft.html
    assert 60 <= word_count(draft.text) <= 180


def test_subject_is_one_line_even_when_the_summary_is_not() -> None:
    # The summary stays out of the subject; what a subject may name (the item, the
    # client's greeting, the owner's name) carries line breaks of its own.
    summary = "Retraso\r\nde tres días\n\ten la entrega\x00\rBcc: x@example.com"
    ctx = context(
        "apology",
        event=event(summary=summary, item="horquilla\r\nBcc: y@example.com"),
        client=client(greeting="Laura\nBcc: z@example.com"),
        business=business(owner_name="Marta\r\nRuiz"),
    )
    for draft in variants("apology", "es-usted", ctx):
        for control in ("\n", "\r", "\x00", "\t"):
            assert control not in draft.subject, repr(draft.subject)
        assert "retraso" not in draft.subject.lower()  # the subject never pastes the summary
        # One line in the letter too, and no control character anywhere.
        assert "retraso de tres días en la entrega Bcc: x@example.com" in draft.text
        assert "\x00" not in draft.text
        assert "\t" not in draft.text
    subjects = {draft.subject for draft in variants("apology", "es-usted", ctx)}
    assert any("horquilla Bcc: y@example.com" in subject for subject in subjects), subjects


def test_a_very_long_summary_makes_a_short_subject() -> None:
    long_event = event(
        summary="Retraso " + "muy " * 150 + "largo", item="horquilla " + "muy " * 60 + "larga"
    )
    subjects = [draft.subject for draft in variants("apology", "es-usted", context(
        "apology", event=long_event))]  # fmt: skip
    for subject in subjects:
        assert "\n" not in subject
        assert len(subject) <= letters.MAX_SUBJECT_CHARS, subject
        assert "Retraso" not in subject  # the summary, however long, stays out of it
        if "horquilla" in subject:  # a long item is cut at a word, and says so
            assert subject.endswith("…"), subject
            assert not subject.endswith(" …")
    assert any("horquilla" in subject for subject in subjects), subjects


def test_database_rows_render_and_only_the_contract_is_visible() -> None:
    from followup.models import Business, Client, Event, Guarantee

    owner = Business(
        name="Taller Bicis Ruiz",
        owner_name="Marta Ruiz",
        sender_email="marta@tallerbicisruiz.es",
        imap_url="imaps://marta:secret@mail.example.es/INBOX",
    )
    person = Client(business_id=1, name="Laura Sánchez Romero", email="l@example.es")
    incident = Event(
        business_id=1, client_id=1, kind="recovered", day=date(2026, 11, 10), summary="Volvió"
    )
    guarantee = Guarantee(
        business_id=1,
        client_id=1,
        terms="si la horquilla vuelve a fallar, la reparamos sin coste",
        starts_on=date(2026, 11, 10),
        ends_on=date(2026, 12, 15),
    )
    ctx = {
        "client": person,
        "business": owner,
        "event": incident,
        "guarantee": guarantee,
        "day": date(2026, 11, 20),
        "occasion": "guarantee_offer",
    }
    for draft in variants("guarantee_offer", "es-usted", ctx):
        # A name with no title says no gender: the default register greets without one.
        assert draft.text.startswith("Hola, Laura:\n")
        assert "secret" not in f"{draft.subject}\n{draft.text}"
    source = default_source("guarantee_offer", "es-usted")
    assert "{{ salutation }}" in source
    leak = source.replace("{{ salutation }}", "{{ business.imap_url }}")
    problems = check_override("guarantee_offer", "es-usted", leak, ctx)
    assert len(problems) == 1
    assert "business has no 'imap_url'" in problems[0]


# --- errors --------------------------------------------------------------------------


def test_an_undefined_variable_is_a_template_error_naming_it() -> None:
    source = edited("Hola", "{{ client.nickname }}\n")
    with pytest.raises(TemplateError, match=r"line 3.*client has no 'nickname'"):
        render("apology", "es-tu", context("apology"), source=source)
    with pytest.raises(TemplateError, match="'weather' is undefined"):
        render(
            "apology",
            "es-tu",
            context("apology"),
            source=source.replace("client.nickname", "weather"),
        )


def test_missing_data_fails_loudly() -> None:
    with pytest.raises(TemplateError, match="phone"):
        render(
            "apology",
            "en",
            context("apology", client=SimpleNamespace(name="A", company="", email="")),
        )
    with pytest.raises(TemplateError, match="needs its event"):
        render("apology", "en", context("apology", event=None))
    with pytest.raises(TemplateError, match="needs the guarantee"):
        render("guarantee_checkin", "en", context("guarantee_checkin"))
    with pytest.raises(TemplateError, match="occasion"):
        render("thank_you", "en", context("birthday"))
    with pytest.raises(ValueError, match="unknown letter kind"):
        render("newsletter", "en", context("newsletter"))
    with pytest.raises(ValueError, match="unknown template locale"):
        render("apology", "fr", context("apology"))


# --- edited templates ------------------------------------------------------------------


def test_check_override_accepts_a_good_edit() -> None:
    sample = sample_contexts("apology", "es-usted")[0]
    source = default_source("apology", "es-usted")
    line = "Gracias por su paciencia conmigo."
    assert source.count("{{ say.signoff }}") == 1
    edited = source.replace("{{ say.signoff }}", f"{line}\n\n{{{{ say.signoff }}}}")
    assert check_override("apology", "es-usted", edited, sample) == []
    for n in range(5):
        phrasing = Phrasing(ordinal=n)
        draft = render("apology", "es-usted", sample, source=edited, phrasing=phrasing)
        default = render("apology", "es-usted", sample, phrasing=phrasing)
        assert line in draft.text
        # The rest of the letter is as before: the same subject, greeting and sentences.
        assert draft.subject == default.subject
        assert draft.text.startswith(greeting_line("es-usted", sample["client"]) + "\n")
        assert draft.text.replace(f"{line}\n\n", "") == default.text


def test_check_override_reports_a_syntax_error_with_its_line() -> None:
    source = edited("Hola", "Hola\n{% if event %}\n")
    [problem] = check_override("apology", "es-tu", source, context("apology"))
    assert problem.startswith("line 5:")


def test_check_override_reports_unknown_variables() -> None:
    source = edited("{{ secret_key }}", "{{ settings }}")
    problems = check_override("apology", "es-tu", source, context("apology"))
    assert [p.split(":")[0] for p in problems] == [
        "unknown variable 'secret_key'",
        "unknown variable 'settings'",
    ]


@pytest.mark.parametrize(
    "escape",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ client.__class__.__init__.__globals__ }}",
        "{{ ''.format.__self__ }}",
        "{% set x = day.replace(year=1) %}{{ x.__class__ }}",
        "{{ 'a' * 100000000 }}",
    ],
)
def test_check_override_refuses_sandbox_escapes(escape: str) -> None:
    source = edited("Hola", escape)
    [problem] = check_override("apology", "en", source, context("apology"))
    assert problem.startswith("the test letter failed")
    assert re.search(r"not allowed|has no attribute '__self__'", problem)


def test_check_override_wants_both_blocks() -> None:
    problems = check_override(
        "apology", "en", "{% block subject %}Hi{% endblock %}\nDear", context("apology")
    )
    assert problems == ["the template has no {% block body %}"]


def test_check_override_refuses_a_huge_template() -> None:
    source = edited("Hi", "x" * 20_000)
    [problem] = check_override("apology", "en", source, context("apology"))
    assert "limit is 20,000" in problem


def test_check_override_refuses_other_includes_and_missing_values() -> None:
    source = edited("Hi", "{% include 'layout.html.j2' %}")
    assert "only a signature" in check_override("apology", "en", source, context("apology"))[0]
    source = edited("Hi", "Dear {{ client.name }},\n\n{{ event.item }}")
    [problem] = check_override("apology", "en", source, context("apology"))
    assert problem.endswith("(line 5): a value is empty (None) here; guard it with {% if … %}")


def test_check_override_tries_the_edit_on_a_client_with_less_data() -> None:
    # Fine with the owner's sample (a compensation was decided), not without one.
    source = edited("Sorry", "Dear Anne,\n\n{{ event.compensation|clause }}.")
    sample = context("apology", event=event(compensation="we refund the delivery"))
    [problem] = check_override("apology", "en", source, sample)
    assert "a value is empty (None)" in problem
    guarded = source.replace("{{", "{% if event.compensation %}{{").replace(".{%", ".{% endif %}{%")
    assert check_override("apology", "en", guarded, sample) == []


def test_every_default_template_passes_the_owner_checks() -> None:
    for kind in KINDS:
        for tlocale in TEMPLATE_LOCALES:
            for ctx in sample_contexts(kind, tlocale):
                assert check_override(kind, tlocale, default_source(kind, tlocale), ctx) == []


def test_check_defaults_is_clean_and_reports_bad_samples() -> None:
    assert check_defaults() == []
    bad = context("apology", event=None)
    problems = check_defaults([bad])
    assert len(problems) == len(TEMPLATE_LOCALES)
    assert all("needs its event" in p for p in problems)


# --- locale, filters, where the templates are ------------------------------------------


@pytest.mark.parametrize(
    ("locale", "form", "expected"),
    [("es", "usted", "es-usted"), ("es", "tu", "es-tu"), ("es", None, "es-usted"),
     ("es-ES", "tú", "es-tu"), ("en", "tu", "en"), ("en_GB", None, "en")],
)  # fmt: skip
def test_template_locale(locale: str, form: str | None, expected: str) -> None:
    assert template_locale(locale, form) == expected


def test_template_locale_refuses_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="'fr'"):
        template_locale("fr", None)


def test_filters() -> None:
    assert letters.longdate(date(2026, 12, 15), "es-usted") == "15 de diciembre de 2026"
    assert letters.longdate(date(2026, 12, 15), "en") == "15 December 2026"
    assert letters.daymonth(date(2026, 3, 1), "es-tu") == "1 de marzo"
    assert letters.money("45.90", "es-usted") == "45,90 €"
    assert letters.money("20", "es-tu") == "20 €"
    assert letters.money("20.00", "es-tu") == "20 €"
    assert letters.money("45,9", "es-tu") == "45,90 €"
    assert letters.money("1234.5", "es-tu") == "1234,50 €"
    assert letters.money("12345", "es-tu") == "12.345 €"
    assert letters.money("45.90", "en") == "€45.90"
    assert letters.money("1234", "en") == "€1,234"
    assert letters.money("about forty", "en") == "about forty"
    assert letters.clause("La reparación llegó tarde.") == "la reparación llegó tarde"
    assert letters.clause("IVA mal calculado") == "IVA mal calculado"
    assert letters.clause("Bar El Rincón pidió dos mesas") == "Bar El Rincón pidió dos mesas"
    assert letters.clause("I was charged twice") == "I was charged twice"
    assert letters.clause("Bosch nos envió la pieza.") == "Bosch nos envió la pieza"


def test_templates_are_in_the_template_dir() -> None:
    assert TEMPLATE_DIR.is_dir()
    for tlocale in TEMPLATE_LOCALES:
        kinds = sorted(
            p.stem for p in (TEMPLATE_DIR / tlocale).glob("*.j2") if not p.stem.startswith("_")
        )
        assert kinds == sorted(KINDS)
        assert (TEMPLATE_DIR / tlocale / "_signature.j2").is_file()
    assert (TEMPLATE_DIR / "layout.html.j2").is_file()


def _load_letters_from(package: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    name = f"letters_copy_{package.parent.name.replace('-', '_')}"
    spec = importlib.util.spec_from_file_location(name, package / "letters" / "rendering.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _load_checks_for(copy: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """letter_checks as it runs against a copy of letters.py, its templates and all."""
    monkeypatch.setitem(sys.modules, "followup.letters.rendering", copy)
    name = f"{copy.__name__}_checks"
    spec = importlib.util.spec_from_file_location(name, letter_checks.__file__)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)
    spec.loader.exec_module(module)
    return module


def test_an_installed_package_finds_its_own_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A wheel carries letter_templates inside the package (pyproject force-include).
    installed = tmp_path / "site-packages" / "followup"
    (installed / "letters").mkdir(parents=True)
    shutil.copy(Path(letters.__file__), installed / "letters" / "rendering.py")
    shutil.copytree(TEMPLATE_DIR, installed / "letter_templates")
    module = _load_letters_from(installed, monkeypatch)
    found = module.TEMPLATE_DIR
    assert found == installed / "letter_templates"
    assert _load_checks_for(module, monkeypatch).check_defaults() == []

    # A checkout has them next to the package.
    checkout = tmp_path / "checkout" / "followup"
    (checkout / "letters").mkdir(parents=True)
    shutil.copy(Path(letters.__file__), checkout / "letters" / "rendering.py")
    shutil.copytree(TEMPLATE_DIR, checkout.parent / "letter_templates")
    found = _load_letters_from(checkout, monkeypatch).TEMPLATE_DIR
    assert found == checkout.parent / "letter_templates"
