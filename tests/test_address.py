"""Who a letter speaks to (followup.letters.address): owners' notes in the third person,
the other form of address and placeholders are flagged; the templates' own sentences never.

Each corpus sentence is the owner's text as it stands in a letter, put into a whole letter
(greeting, the template's sentence around it, closing, signature) and checked with
``check_letter``: flagged ones must give exactly one flag, on that sentence.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from followup.errors import Invalid
from followup.letters.address import Flag, check_letter
from followup.letters.rendering import KINDS, TEMPLATE_LOCALES, render
from followup.letters.samples import sample_contexts

# Where the owner's words go: after the template's colon (EVENT), as the remedy
# (REMEDY), or a sentence of their own (OWN: the owner edited the draft).
EVENT, REMEDY, OWN = "event", "remedy", "own"

FRAMES: dict[str, dict[str, str]] = {
    "es-usted": {
        EVENT: "Le escribo por lo que ocurrió el 19 de noviembre: {}. Le pido disculpas.",
        REMEDY: "Le escribo por lo que ocurrió el 19 de noviembre. Para remediarlo, {}.",
        OWN: "Le escribo por lo que ocurrió el 19 de noviembre. {}. Le pido disculpas.",
        "letter": "Buenos días, Laura:\n\n{}\n\nMe gustaría que me contara con franqueza "
        "cómo lo vivió: llámeme al 600 123 456 o responda a este correo.\n\n"
        "Un saludo cordial.\n\nMarta Ruiz\nPropietaria, Taller Bicis Ruiz\nTel. 600 123 456",
        "subject": "Le pido disculpas por lo del 19 de noviembre",
    },
    "es-tu": {
        EVENT: "Te escribo por lo que ocurrió el 19 de noviembre: {}. Te pido disculpas.",
        REMEDY: "Te escribo por lo que ocurrió el 19 de noviembre. Para arreglarlo, {}.",
        OWN: "Te escribo por lo que ocurrió el 19 de noviembre. {}. Te pido disculpas.",
        "letter": "Hola, Laura:\n\n{}\n\nMe gustaría que me contaras con franqueza cómo "
        "lo viviste: llámame al 600 123 456 o responde a este correo.\n\n"
        "Un saludo.\n\nMarta Ruiz\nPropietaria, Taller Bicis Ruiz\nTel. 600 123 456",
        "subject": "Te pido disculpas por lo del 19 de noviembre",
    },
    "en": {
        EVENT: "I'm writing about what happened on 19 November: {}. I'm sorry.",
        REMEDY: "I'm writing about what happened on 19 November. To put it right, {}.",
        OWN: "I'm writing about what happened on 19 November. {}. I'm sorry.",
        "letter": "Dear Peter,\n\n{}\n\nI'd really like to hear, honestly, how it was from "
        "your side: call me on +353 91 555 0142 or reply to this email.\n\n"
        "Best wishes,\n\nSiobhán Kelly\nOwner, Harbour Bikes\nPhone: +353 91 555 0142",
        "subject": "I'm sorry about what happened on 19 November",
    },
}

# (where, must be flagged, the owner's words as they stand in the letter)
CORPUS: dict[str, list[tuple[str, bool, str]]] = {
    "es-usted": [
        (EVENT, True, "te cobramos dos veces la misma factura"),
        (EVENT, True, "tu pedido llegó con una semana de retraso"),
        (EVENT, True, "esperaste dos semanas a que llegara la pieza de tu cortacésped"),
        (EVENT, True, "viniste tres veces a recoger la bicicleta y no estaba lista"),
        (EVENT, True, "la clienta esperó dos semanas a que llegara la pieza"),
        (EVENT, True, "el cliente se quejó del ruido de los frenos"),
        (EVENT, True, "ella pidió el cambio de horquilla y le montamos otra"),
        (EVENT, True, "la factura que pagaste estaba mal calculada"),
        (EVENT, True, "la bicicleta de tu hijo se entregó sin revisar"),
        (EVENT, True, "este señor estuvo esperando una hora en el mostrador"),
        (EVENT, True, "él dejó la bici el lunes y no la revisamos hasta el viernes"),
        (EVENT, True, "el presupuesto que te dimos era demasiado alto"),
        (EVENT, True, "contigo no cumplimos el plazo de entrega"),
        (EVENT, True, "la rueda que compraste llegó pinchada"),
        (EVENT, True, "[nombre] esperó dos semanas por la pieza"),
        (REMEDY, True, "no te cobramos la mano de obra de la reparación"),
        (REMEDY, True, "le devolvemos XXX € de la reparación"),
        (REMEDY, True, "quiero ayudarte a elegir una horquilla nueva sin coste"),
        (REMEDY, True, "le devolvemos el importe de {importe}"),
        (OWN, True, "Tienes toda la razón en lo que nos dijo por teléfono"),
        (OWN, True, "Llámame cuando quiera y lo hablamos"),
        (OWN, True, "Te llamamos tres veces sin dejar mensaje"),
        (EVENT, False, "le cobramos dos veces la misma factura"),
        (EVENT, False, "su pedido llegó con una semana de retraso"),
        (EVENT, False, "esperó dos semanas a que llegara la pieza de su cortacésped"),
        (EVENT, False, "vino tres veces a recoger la bicicleta y no estaba lista"),
        (EVENT, False, "la reparación se entregó con tres días de retraso"),
        (EVENT, False, "se cobró dos veces la misma factura"),
        (EVENT, False, "el técnico no llegó a la hora acordada"),
        (EVENT, False, "el presupuesto que le dimos era demasiado alto"),
        (EVENT, False, "la bicicleta de su hijo se entregó sin revisar"),
        (EVENT, False, "se pasó a otro taller tras una revisión mal hecha"),
        (EVENT, False, "Bosch nos envió una pieza equivocada y tardamos en darnos cuenta"),
        (EVENT, False, "la horquilla volvió a fallar a los dos días"),
        (EVENT, False, "el desgaste de la cadena no se detectó en la revisión"),
        (EVENT, False, "un despiste nuestro dejó su pedido sin enviar"),
        (EVENT, False, "la tienda estaba cerrada el día que vino a recogerla"),
        (EVENT, False, "tuvo que volver dos veces porque el cambio seguía sonando"),
        (EVENT, False, "Ana, mi compañera, le atendió con prisas y sin explicarle nada"),
        (EVENT, False, "la rueda que compró llegó pinchada y nadie lo comprobó antes"),
        (REMEDY, False, "le devolvemos el importe íntegro de la reparación"),
        (REMEDY, False, "no le cobramos la mano de obra y le regalamos un casco"),
        (OWN, False, "Nuestro trato fue triste e injusto, y lo reconozco"),
        (OWN, False, "Su pedido de la mesa de roble salió tarde por un error nuestro"),
        (OWN, False, "Mi compañero Luis le llamará mañana; él conoce bien el caso"),
    ],
    "es-tu": [
        (EVENT, True, "esperó dos semanas a que llegara la pieza de su cortacésped"),
        (EVENT, True, "se pasó a otro taller tras una revisión mal hecha"),
        (EVENT, True, "le cobramos dos veces la misma factura"),
        (EVENT, True, "su pedido llegó con una semana de retraso"),
        (EVENT, True, "vino tres veces a recoger la bicicleta y no estaba lista"),
        (EVENT, True, "el cliente se quejó del ruido de los frenos"),
        (EVENT, True, "ella dejó de venir después de la última revisión"),
        (EVENT, True, "usted tenía razón y no le hicimos caso"),
        (EVENT, True, "la factura que pagó estaba mal calculada"),
        (EVENT, True, "compró la bici en marzo y la horquilla falló en abril"),
        (EVENT, True, "tuvo que volver dos veces porque el cambio seguía sonando"),
        (EVENT, True, "nos ayudó a localizar un fallo de frenos enviando fotos y vídeo"),
        (EVENT, True, "la rueda que compró llegó pinchada"),
        (EVENT, True, "esta señora estuvo esperando una hora en el mostrador"),
        (EVENT, True, "se fue a la competencia después del retraso"),
        (EVENT, True, "la bicicleta de sus hijos se entregó sin revisar"),
        (EVENT, True, "pidió un presupuesto y nunca se lo enviamos"),
        (REMEDY, True, "no le cobramos la mano de obra de la reparación"),
        (REMEDY, True, "te devolvemos <importe> de la reparación"),
        (OWN, True, "Quiero agradecerle su paciencia con la horquilla"),
        (OWN, True, "Llámeme cuando quieras y lo hablamos"),
        (OWN, True, "Lo llamamos tres veces sin dejar mensaje"),
        (EVENT, False, "esperaste dos semanas a que llegara la pieza de tu cortacésped"),
        (EVENT, False, "te cobramos dos veces la misma factura"),
        (EVENT, False, "la pieza llegó con dos semanas de retraso"),
        (EVENT, False, "tu pedido llegó con una semana de retraso"),
        (EVENT, False, "Bosch nos envió la pieza nueva con tres semanas de retraso"),
        (EVENT, False, "la tienda estaba cerrada el día que viniste a recogerla"),
        (EVENT, False, "la reparación se entregó con tres días de retraso"),
        (EVENT, False, "se cobró dos veces la misma factura"),
        (EVENT, False, "una revisión mal hecha que te llevó a otro taller"),
        (EVENT, False, "las fotos y el vídeo que nos enviaste del fallo de frenos"),
        (EVENT, False, "Ana, mi compañera, le pidió la pieza al proveedor sin avisarte"),
        (EVENT, False, "le pedimos la pieza al proveedor y tardó tres semanas"),
        (EVENT, False, "Bosch y su equipo tardaron tres semanas en enviar la pieza"),
        (EVENT, False, "el técnico que vino a tu casa no traía la pieza"),
        (EVENT, False, "la horquilla volvió a fallar a los dos días"),
        (EVENT, False, "se perdió tu paquete en el envío"),
        (EVENT, False, "la bici dejó de funcionar a los dos días"),
        (EVENT, False, "la aseguradora cambió su criterio sin avisarte"),
        (REMEDY, False, "lo resolvemos esta misma semana sin coste"),
        (REMEDY, False, "no te cobramos la mano de obra y te la dejamos como nueva"),
        (OWN, False, "Fue un error nuestro y no tuyo"),
        (OWN, False, "No hizo falta cambiar la cadena, así que no te la cobramos"),
        (OWN, False, "Mi compañero Luis te llamará mañana; él conoce bien el caso"),
    ],
    "en": [
        (EVENT, True, "she waited two weeks for the part for her lawnmower"),
        (EVENT, True, "she stopped coming after the price went up"),
        (EVENT, True, "he was charged twice for the same invoice"),
        (EVENT, True, "the customer waited two weeks for a refund"),
        (EVENT, True, "the client's order arrived a week late"),
        (EVENT, True, "we charged him twice for the same invoice"),
        (EVENT, True, "her bike came back with the brakes still rubbing"),
        (EVENT, True, "his order was sent to the wrong address"),
        (EVENT, True, "waited two weeks for the part"),
        (EVENT, True, "stopped coming after the price went up"),
        (EVENT, True, "we never called her back"),
        (EVENT, True, "the wheels she ordered arrived bent"),
        (EVENT, True, "had to come back three times to collect the bike"),
        (EVENT, True, "he left a bad review after the repair"),
        (EVENT, True, "complained about the noise in the gears"),
        (EVENT, True, "the repair of his fork took three weeks"),
        (EVENT, True, "I'm sorry he had to wait"),
        (REMEDY, True, "we'll refund [amount] to your card"),
        (REMEDY, True, "we'll refund XXX to your card"),
        (REMEDY, True, "we'll refund None to your card"),
        (OWN, True, "This customer has been with us for ten years and we let him down"),
        (OWN, True, "TBD"),
        (EVENT, False, "you waited two weeks for the part for your lawnmower"),
        (EVENT, False, "you were charged twice for the same invoice"),
        (EVENT, False, "the repair was delivered three days late"),
        (EVENT, False, "your order arrived a week late"),
        (EVENT, False, "Ana, my colleague, will call you; she knows the case"),
        (EVENT, False, "our technician, Sam, said he would call you and never did"),
        (EVENT, False, "the helmet and its lights arrived scratched"),
        (EVENT, False, "we charged you twice for the same invoice"),
        (EVENT, False, "we sent the wrong wheels and kept you waiting"),
        (EVENT, False, "the part from Shimano took three weeks to arrive"),
        (EVENT, False, "Shimano sent us the wrong part and we didn't check it"),
        (EVENT, False, "your daughter's bike came back with the brakes still rubbing"),
        (EVENT, False, "your wife came in to collect the bike and she had to wait an hour"),
        (EVENT, False, "the photos and video you sent us of the brake fault"),
        (EVENT, False, "a badly done service that sent you to another shop"),
        (EVENT, False, "the delivery driver left the box in the rain and he never rang"),
        (EVENT, False, "the shop was closed when you came to collect it"),
        (EVENT, False, "the wheels you ordered arrived bent"),
        (EVENT, False, "the customer service team never called you back"),
        (REMEDY, False, "we'll refund the full cost of the repair"),
        (REMEDY, False, "we won't charge you for the labour on the repair"),
        (OWN, False, "None of this should have happened"),
        (OWN, False, "You stopped coming after the price went up, and I understand why"),
    ],
}

CORPUS_CASES = [
    pytest.param(tlocale, where, flagged, words, id=f"{tlocale}-{n}")
    for tlocale, corpus in CORPUS.items()
    for n, (where, flagged, words) in enumerate(corpus)
]


def letter(tlocale: str, where: str, words: str) -> tuple[str, str]:
    """(subject, text) of a whole letter with the owner's words in it."""
    frame = FRAMES[tlocale]
    return frame["subject"], frame["letter"].format(frame[where].format(words))


def flags_of(tlocale: str, text: str, subject: str = "") -> list[Flag]:
    return check_letter(subject or FRAMES[tlocale]["subject"], text, tlocale)


# --- the corpus ----------------------------------------------------------------------


def test_the_corpus_is_large_and_balanced() -> None:
    for corpus in CORPUS.values():
        flagged = sum(1 for _, must, _ in corpus if must)
        assert len(corpus) >= 40
        assert abs(2 * flagged - len(corpus)) <= 2


@pytest.mark.parametrize("tlocale", TEMPLATE_LOCALES)
def test_the_frames_alone_are_clean(tlocale: str) -> None:
    for where in (EVENT, REMEDY, OWN):
        subject, text = letter(tlocale, where, "Lorem ipsum")
        assert check_letter(subject, text, tlocale) == []


@pytest.mark.parametrize(("tlocale", "where", "flagged", "words"), CORPUS_CASES)
def test_corpus(tlocale: str, where: str, flagged: bool, words: str) -> None:
    subject, text = letter(tlocale, where, words)
    flags = check_letter(subject, text, tlocale)
    if not flagged:
        assert flags == []
        return
    assert len(flags) == 1, flags
    (flag,) = flags
    assert flag.sentence in text
    assert flag.sentence.rstrip(".:;") in words or words in flag.sentence
    assert "('" in flag.reason


# --- reasons -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tlocale", "words", "reason"),
    [
        ("es-tu", "esperó dos semanas a que llegara la pieza de su cortacésped",
         "speaks of the client in the third person ('esperó'); "
         "write it to them ('esperó' → 'esperaste')"),
        ("es-tu", "se pasó a otro taller", "speaks of the client in the third person "
         "('se pasó'); write it to them ('se pasó' → 'te pasaste')"),
        ("es-tu", "le cobramos dos veces la factura",
         "mixes usted into a tú letter ('le cobramos'); use tú ('le cobramos' → 'te cobramos')"),
        ("es-tu", "su pedido llegó tarde",
         "mixes usted into a tú letter ('su'); use tú ('su' → 'tu')"),
        ("es-usted", "te cobramos dos veces la factura",
         "mixes tú into an usted letter ('te'); use usted ('te' → 'le')"),
        ("es-usted", "viniste tres veces", "mixes tú into an usted letter ('viniste'); "
         "use usted ('viniste' → 'vino')"),
        ("es-usted", "esperaste dos semanas", "mixes tú into an usted letter ('esperaste'); "
         "use usted ('esperaste' → 'esperó')"),
        ("es-usted", "el cliente esperó dos semanas", "speaks of the client in the third "
         "person ('el cliente'); write it to them (usted)"),
        ("en", "she stopped coming", "speaks of the client in the third person ('she'); "
         "write it to them ('she' → 'you')"),
        ("en", "waited two weeks", "reads like a note, with no subject ('waited'); "
         "write it to them ('waited' → 'you waited')"),
        ("en", "we'll refund XXX", "looks like a placeholder ('XXX'); fill it in or delete it"),
        ("es-usted", "le devolvemos [importe]",
         "looks like a placeholder ('[importe]'); fill it in or delete it"),
    ],
)  # fmt: skip
def test_the_reason_names_the_word_and_what_to_write(tlocale: str, words: str, reason: str) -> None:
    subject, text = letter(tlocale, EVENT, words)
    assert [flag.reason for flag in check_letter(subject, text, tlocale)] == [reason]


# --- the letter around the sentences -------------------------------------------------


def test_one_flag_per_sentence_in_the_order_of_the_letter_subject_first() -> None:
    subject = "Le pido disculpas: esperaste dos semanas"
    text = (
        "Buenos días, Laura:\n\nLe escribo por lo que ocurrió el 19 de noviembre: te "
        "cobramos dos veces tu factura y tus tasas. Le pido disculpas. Tu paciencia fue "
        "enorme.\n\nUn saludo cordial.\n\nMarta Ruiz"
    )
    flags = check_letter(subject, text, "es-usted")
    assert [flag.sentence for flag in flags] == [
        "esperaste dos semanas",
        "te cobramos dos veces tu factura y tus tasas.",
        "Tu paciencia fue enorme.",
    ]
    assert "('te' → 'le')" in flags[1].reason


@pytest.mark.parametrize(
    ("tlocale", "greeting", "closing", "signature"),
    [
        ("es-tu", "Hola, Su:", "Un saludo.", "Tu Anh Nguyen\nUsted Bikes, Su Casa 3"),
        ("es-usted", "Buenos días, Tu:", "Un saludo cordial.", "Tu Anh Nguyen\nTe Quiero Bicis"),
        ("en", "Dear Sheila,", "Best wishes,", "He Wei\nHer Garden Bikes\nThe Client Shop"),
    ],
)  # fmt: skip
def test_greeting_and_signature_are_not_read_as_the_client(
    tlocale: str, greeting: str, closing: str, signature: str
) -> None:
    body = {"es-tu": "Te escribo por tu pedido.", "es-usted": "Le escribo por su pedido.",
            "en": "I'm writing about your order."}[tlocale]  # fmt: skip
    text = f"{greeting}\n\n{body}\n\n{closing}\n\n{signature}"
    assert flags_of(tlocale, text) == []


@pytest.mark.parametrize("tlocale", TEMPLATE_LOCALES)
def test_placeholders_are_flagged_in_the_greeting_and_the_signature(tlocale: str) -> None:
    text = "Dear [name],\n\nI'm writing about your order.\n\nBest wishes,\n\nSiobhán\nTel. XXX"
    flags = flags_of(tlocale, text)
    assert [flag.sentence for flag in flags] == ["Dear [name],", "XXX"]


def test_a_capitalised_word_inside_a_sentence_is_a_name() -> None:
    text = "Hola, Laura:\n\nGracias a ti y a todo el equipo de Su Casa Reformas.\n\nUn saludo."
    assert flags_of("es-tu", text) == []
    text = "Dear Peter,\n\nThank you and everyone at Her Garden for your trust.\n\nBest wishes,"
    assert flags_of("en", text) == []


def test_a_letter_without_greeting_or_closing_is_checked_everywhere() -> None:
    flags = check_letter("Gracias", "Su pedido llegó tarde.\nTe escribo.", "es-tu")
    assert [flag.sentence for flag in flags] == ["Su pedido llegó tarde."]


def test_an_unknown_template_locale_is_refused() -> None:
    with pytest.raises(Invalid):
        check_letter("Hola", "Hola", "fr")


# --- the default templates -----------------------------------------------------------

TEMPLATE_CASES = [
    pytest.param(kind, tlocale, context, id=f"{tlocale}-{kind}-{context['occasion']}-{n}")
    for kind in KINDS
    for tlocale in TEMPLATE_LOCALES
    for n, context in enumerate(sample_contexts(kind, tlocale))
]


@pytest.mark.parametrize(("kind", "tlocale", "context"), TEMPLATE_CASES)
def test_every_default_template_with_the_samples_is_clean(
    kind: str, tlocale: str, context: dict[str, Any]
) -> None:
    draft = render(kind, tlocale, context)
    assert check_letter(draft.subject, draft.text, tlocale) == []


@pytest.mark.parametrize(("kind", "tlocale", "context"), TEMPLATE_CASES)
def test_the_templates_fixed_sentences_are_clean_for_awkward_names(
    kind: str, tlocale: str, context: dict[str, Any]
) -> None:
    # Names that look like pronouns, in every place a template prints a name.
    client = SimpleNamespace(**{**vars(context["client"]), "name": "Su Te Li",
                                "company": "Tu Casa Her Garden"})  # fmt: skip
    business = SimpleNamespace(**{**vars(context["business"]), "name": "Te Quiero He Bikes",
                                  "owner_name": "Usted Her Él"})  # fmt: skip
    draft = render(kind, tlocale, {**context, "client": client, "business": business})
    assert check_letter(draft.subject, draft.text, tlocale) == []
