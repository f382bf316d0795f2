"""The filters letters use: clauses, noun phrases, dates and euros, in the letter's language.

Every filter refuses None: "None" must never be printed in a letter, so a template has to
guard an empty value with ``{% if … %}``. ``daymonth``, ``longdate`` and ``money`` take
the template locale (``en``, ``es-usted``, ``es-tu``); ``letters`` binds it per
environment.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from followup.calendar import day_in_words

_MISSING = "a value is empty (None) here; guard it with {% if … %}"


def refuse_none(value: Any) -> Any:
    """Every ``{{ … }}`` passes here: "None" must never be printed in a letter."""
    if value is None:
        raise ValueError(_MISSING)
    return value


def _text(value: object) -> str:
    if value is None:
        raise ValueError(_MISSING)
    return str(value)


def first_name(name: object) -> str:
    """The first word of a full name: "Laura Sánchez Romero" -> "Laura".

    No template uses it any more (they greet by ``client.greeting``).
    """
    words = _text(name).split()
    return words[0] if words else ""


def capfirst(text: object) -> str:
    value = _text(text)
    return value[:1].upper() + value[1:]


# The ordinary words an owner starts a summary, an item or a free text with, casefolded:
# only these lose their capital after a colon. Every other capitalised word is taken for
# a name and kept ("Bosch nos envió…", "Shimano…", "Ana nos ayudó…"). Given names that
# are also common words ("Pilar", "Rosa", "Luz", "Justo", "Ella", "Grace", "Will",
# "Bill") and brands ("Specialized", "Giant") are left out on purpose.
_STARTER_WORDS = """
    el la lo los las un una unos unas al del este esta esto estos estas ese esa eso esos
    esas aquel aquella aquellos aquellas otro otra otros otras todo toda todos todas cada
    algún alguno alguna algunos algunas ningún ninguno ninguna varios varias mucho mucha
    muchos muchas poco poca pocos pocas mismo misma dos tres cuatro cinco seis siete ocho
    nueve diez medio media mi mis tu tus su sus nuestro nuestra nuestros nuestras
    vuestro vuestra vuestros vuestras yo usted ustedes él ellos ellas nosotros nosotras
    vosotros vosotras me te le les nos os se
    a ante bajo con contra de desde durante en entre hacia hasta para por según sin
    sobre tras y e o u ni que como cuando donde porque pues si no ya también tampoco muy
    más menos casi solo sólo después antes luego ayer hoy anoche aunque hace primero
    primera primer segundo segunda último última nuevo nueva mal mala buen buena doble
    es son fue fueron era eran ha han he hemos hay hubo había habían está están estaba
    estuvo estuvimos quedó quedaron tuvo tuvimos llegó llegaron pidió pidieron pedimos
    compró compraron compramos volvió volvieron vino vinieron trajo trajeron dejó
    dejamos envió enviaron enviamos mandó mandamos entregó entregamos cobró cobramos
    cambió cambiamos reparamos arreglamos revisamos montamos instalamos hicimos
    tardamos olvidamos perdimos rompimos prestó probó esperó ayudó encontró detectó
    avisó llamó escribió recogió recogimos devolvimos
    pedido pedidos factura facturas reparación reparaciones revisión revisiones entrega
    envío retraso cobro cargo error fallo problema avería compra cambio garantía
    presupuesto devolución cita pago mantenimiento montaje instalación prueba foto
    fotos vídeo video visita llamada queja reclamación juego plan
    the a an this that these those some any each every all both another other no none
    my your his her its our their you we he she it they me us him them who which what
    when where while after before during since until on in at by for from with without
    to of into about over under as if because and or so then there here today yesterday
    last next first second third one two three four five half not never also just only
    new old free late wrong double extra broken missing damaged faulty
    was were is are has have had been did do does got came went left arrived bought
    ordered paid sent lent tested helped waited called asked returned brought took made
    found fixed repaired replaced delivered charged missed lost forgot broke gave showed
    order orders invoice invoices repair repairs delivery shipment service servicing
    payment refund charge booking appointment replacement return photos photo video
    test ride visit call complaint problem fault mistake error purchase set pair
"""
SENTENCE_STARTERS = frozenset(_STARTER_WORDS.split())
_DETERMINER_WORDS = """
    a an the your my our his her their this that these those some
    un una unos unas el la los las su sus tu tus mi mis nuestro nuestra nuestros nuestras
    este esta estos estas ese esa esos esas
"""
_DETERMINERS = frozenset(_DETERMINER_WORDS.split())
_PUNCTUATION = ",;:.!?¡¿\"'«»“”‘’()"


# Spanish verb endings no name has: a summary written to a tú client starts "Esperaste…",
# "Probasteis…", one written as "we" starts "Cambiamos…", "Enviamos…".
_VERB_ENDINGS = ("aste", "iste", "asteis", "isteis", "amos", "emos", "imos")


def _ordinary(word: str) -> bool:
    """A capitalised common word (``SENTENCE_STARTERS``, or a Spanish verb by its ending),
    not a name, brand or acronym."""
    bare = word.strip(_PUNCTUATION)
    folded = bare.casefold()
    return (
        bare[:1].isupper()
        and not any(ch.isupper() for ch in bare[1:])
        and (folded in SENTENCE_STARTERS or (len(folded) > 5 and folded.endswith(_VERB_ENDINGS)))
    )


def clause(text: object) -> str:
    """Free text made to follow a colon: no final period, first letter lowercased.

    Only a capitalised common word (``SENTENCE_STARTERS``) is lowercased ("La
    reparación…" -> "la reparación…", "Order 4411…" -> "order 4411…"); names keep their
    capital ("Bosch nos envió…", "Ana nos ayudó…"), and so do "I", acronyms ("IVA…") and
    a common word that starts a name ("La Espiga nos pidió…", "El Corte Inglés…").
    """
    value = _text(text).strip()
    if value.endswith(".") and not value.endswith(".."):
        value = value[:-1].rstrip()
    words = value.split(maxsplit=2)
    if not words or not _ordinary(words[0]):
        return value
    if len(words) > 1 and words[1][:1].isupper():
        return value  # "La Espiga…", "El IVA…": the capital belongs to a name
    at = next(n for n, ch in enumerate(value) if ch.isalpha())  # after a quote mark
    return value[:at] + value[at].lower() + value[at + 1 :]


def noun_phrase(text: object) -> str:
    """The owner's item without a leading determiner, to follow your/su/tu.

    "a cordless drill" -> "cordless drill", "the Bosch drill" -> "Bosch drill", "una
    horquilla" -> "horquilla"; no final period. A number stays ("2 inner tubes"), and so
    does a phrase that is only a determiner. In Spanish the possessive must agree with
    the noun: use it after "su"/"tu" only for a singular item.
    """
    value = _text(text).strip()
    if value.endswith(".") and not value.endswith(".."):
        value = value[:-1].rstrip()
    head, _, rest = value.partition(" ")
    if rest.strip() and head.casefold() in _DETERMINERS:
        return rest.strip()
    return value


def language_of(tlocale: str) -> str:
    return "en" if tlocale == "en" else "es"


def daymonth(day: date, tlocale: str) -> str:
    """ "4 de noviembre" / "4 November"."""
    _text(day)
    return day_in_words(day, language_of(tlocale))


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
