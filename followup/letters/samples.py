"""Sample letter contexts: a bicycle workshop and its clients, for checks and previews.

For every kind and template locale, a full context (phone, company, item, compensation,
payout, signature) and a bare one (none of those, a long accented name or an apostrophe):
the bare ones are where an edited template forgets an ``{% if %}``.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from followup.letters.rendering import THANK_YOU_OCCASIONS, check_names

# The owner's words, written to the client in the client's form of address (DESIGN §4).
_SAMPLE_TEXT: dict[str, dict[str, str]] = {
    "es-usted": {
        "complaint": "Le entregamos la reparación con tres días de retraso",
        "compensation": "no le cobramos la mano de obra de la reparación",
        "complaint_bare": "Le cobramos dos veces la misma factura",
        "cooperation": "Las fotos y el vídeo que nos envió del fallo de frenos",
        "cooperation_company": "Nos prestó su furgoneta para llevar las bicis a la feria",
        "lost": "Una revisión mal hecha que le hizo cambiar de taller",
        "incident": "La horquilla que le revisamos falló a las dos semanas",
        "payout": "le devolvemos el importe íntegro de la reparación",
    },
    "es-tu": {
        "complaint": "Te entregamos la reparación con tres días de retraso",
        "compensation": "no te cobramos la mano de obra de la reparación",
        "complaint_bare": "Te cobramos dos veces la misma factura",
        "cooperation": "Las fotos y el vídeo que nos enviaste del fallo de frenos",
        "cooperation_company": "Nos prestaste tu furgoneta para llevar las bicis a la feria",
        "lost": "Una revisión mal hecha que te llevó a otro taller",
        "incident": "La horquilla que te revisamos falló a las dos semanas",
        "payout": "te devolvemos el importe íntegro de la reparación",
    },
    "en": {
        "complaint": "We delivered your repair three days late",
        "compensation": "we won't charge you for the labour on the repair",
        "complaint_bare": "We charged you twice for the same invoice",
        "cooperation": "The photos and video you sent us of the brake fault",
        "cooperation_company": "You lent us your van to take the bikes to the fair",
        "lost": "A badly done service that sent you to another shop",
        "incident": "The fork we serviced for you failed two weeks later",
        "payout": "we'll refund the full cost of the repair",
    },
}
_SAMPLE_ES = {
    "purchase": "Pedido de casco y luces", "item": "casco y luces",
    "purchase_bare": "Pedido de juego de ruedas",
    "cooperation_bare": "La prueba en ruta con nosotros para encontrar el ruido del cambio",
    "fork": "horquilla",
    "terms": "si la horquilla vuelve a fallar, la reparamos o la cambiamos sin coste",
    "terms_bare": "si el cambio vuelve a dar problemas, lo ajustamos sin coste",
}  # fmt: skip
_SAMPLE_EN = {
    "purchase": "Order of a helmet and lights", "item": "helmet and lights",
    "purchase_bare": "Order 4411: a set of wheels",
    "cooperation_bare": "The test ride with us to track down the noise in the gears",
    "fork": "fork",
    "terms": "if the fork fails again, we'll repair or replace it free of charge",
    "terms_bare": "if the gears give trouble again, we'll adjust them free of charge",
}  # fmt: skip


# Occasions written after the sample guarantee's end day (15 December 2026).
_AFTER_THE_END = ("guarantee_end",)


def _sample_people(tlocale: str) -> tuple[SimpleNamespace, ...]:
    """(full business, bare business, full client, bare client, company) for a tlocale.

    A client without a ``greeting`` is greeted by the one derived from the name; the
    company's name gives none ("Hello," / "Buenos días:" / "Hola:").
    """
    person = SimpleNamespace
    if tlocale == "en":
        return (
            person(name="Harbour Bikes", owner_name="Siobhán Kelly", owner_title="owner",
                   owner_phone="+353 91 555 0142", sender_email="siobhan@harbourbikes.ie",
                   reply_to="", signature="12 Quay Street, Galway\nwww.harbourbikes.ie"),
            person(name="Harbour Bikes", owner_name="Siobhán Kelly", owner_title="",
                   owner_phone="", sender_email="siobhan@harbourbikes.ie", reply_to="",
                   signature=""),
            person(name="Peter Lang", greeting="Mr Lang", company="Lang Joinery",
                   email="peter.lang@example.com", phone="+44 20 7946 0018"),
            person(name="Anne O'Neil", company="", email="anne@example.com", phone=""),
            person(name="Corrib Joinery Ltd", company="Corrib Joinery Ltd",
                   email="accounts@example.com", phone=""),
        )  # fmt: skip
    return (
        person(name="Taller Bicis Ruiz", owner_name="Marta Ruiz", owner_title="propietaria",
               owner_phone="600 123 456", sender_email="marta@tallerbicisruiz.es",
               reply_to="", signature="Calle del Pilar 14, Alcalá de Henares\n"
               "www.tallerbicisruiz.es"),
        person(name="Taller Bicis Ruiz", owner_name="Marta Ruiz", owner_title="",
               owner_phone="", sender_email="marta@tallerbicisruiz.es", reply_to="",
               signature=""),
        person(name="Laura Sánchez Romero", company="Bar El Rincón",
               email="lsanchez0@example.es", phone="+34 693 149 174"),
        person(name="Íñigo Martínez de la Fuente Echeverría", company="",
               email="imartinez@example.es", phone=""),
        person(name="Reformas Henares S.L.", company="Reformas Henares S.L.",
               email="administracion@example.es", phone=""),
    )  # fmt: skip


def sample_contexts(kind: str, tlocale: str) -> list[dict[str, Any]]:
    """Realistic contexts for checks and previews: a bicycle workshop and its clients.

    For each occasion of the kind, a full context (phone, company, item, compensation,
    payout, signature, the last purchase) and a bare one (none of those, a long accented
    name or an apostrophe); then one for a company, greeted without a name, whose last
    purchase has no item.
    """
    check_names(kind, tlocale)
    text = _SAMPLE_TEXT[tlocale]
    common = _SAMPLE_EN if tlocale == "en" else _SAMPLE_ES
    full_business, bare_business, full_client, bare_client, company = _sample_people(tlocale)

    def event(kind: str, day: date, summary: str, **details: str | None) -> SimpleNamespace:
        fields = {"item": None, "amount": None, "compensation": None, **details}
        return SimpleNamespace(kind=kind, day=day, summary=summary, **fields)

    def guarantee(terms: str, payout: str) -> SimpleNamespace:
        return SimpleNamespace(
            terms=terms, payout=payout, starts_on=date(2026, 11, 10), ends_on=date(2026, 12, 15)
        )

    purchase = event("purchase", date(2026, 11, 4), common["purchase"],
                     item=common["item"], amount="45.90")  # fmt: skip
    purchase_bare = event("purchase", date(2026, 11, 16), common["purchase_bare"])
    earlier_purchase = event("purchase", date(2026, 10, 2), common["purchase"],
                             item=common["item"], amount="45.90")  # fmt: skip
    incident = event("complaint", date(2026, 11, 3), text["incident"], item=common["fork"])
    full_guarantee = guarantee(common["terms"], text["payout"])
    bare_guarantee = guarantee(common["terms_bare"], "")
    by_occasion: dict[str, tuple[tuple[Any, Any], tuple[Any, Any]]] = {
        # occasion: ((full event, full guarantee), (bare event, bare guarantee))
        "purchase": ((purchase, None), (purchase_bare, None)),
        "appreciation": ((None, None), (None, None)),
        "guarantee_end": ((incident, full_guarantee), (None, bare_guarantee)),
        "apology": (
            (event("complaint", date(2026, 11, 18), text["complaint"],
                   compensation=text["compensation"]), None),
            (event("complaint", date(2026, 11, 19), text["complaint_bare"]), None),
        ),
        "cooperation": (
            (event("cooperation", date(2026, 11, 12), text["cooperation"]), None),
            (event("cooperation", date(2026, 11, 13), common["cooperation_bare"]), None),
        ),
        "lost_client": (
            (event("lost", date(2026, 10, 30), text["lost"]), None),
            (None, None),
        ),
        "guarantee_offer": ((incident, full_guarantee), (None, bare_guarantee)),
        "guarantee_checkin": ((incident, full_guarantee), (None, bare_guarantee)),
    }  # fmt: skip

    def context(
        occasion: str, the_event: Any, the_guarantee: Any, business: Any, client: Any,
        last_purchase: Any,
    ) -> dict[str, Any]:  # fmt: skip
        return {
            "client": client,
            "business": business,
            "event": the_event,
            "guarantee": the_guarantee,
            "last_purchase": last_purchase,
            "day": date(2026, 12, 16) if occasion in _AFTER_THE_END else date(2026, 11, 20),
            "occasion": occasion,
        }

    occasions = THANK_YOU_OCCASIONS if kind == "thank_you" else (kind,)
    contexts = []
    for occasion in occasions:
        (full_event, full_g), (bare_event, bare_g) = by_occasion[occasion]
        last = full_event if occasion == "purchase" else earlier_purchase
        contexts.append(context(occasion, full_event, full_g, full_business, full_client, last))
        bare_last = bare_event if occasion == "purchase" else None
        contexts.append(
            context(occasion, bare_event, bare_g, bare_business, bare_client, bare_last)
        )
    # A company: no name to greet by; its last purchase is known only by its summary.
    occasion = "appreciation" if kind == "thank_you" else kind
    (_, _), (the_event, the_guarantee) = by_occasion[occasion]
    if kind == "cooperation":
        the_event = event("cooperation", date(2026, 11, 14), text["cooperation_company"])
    contexts.append(
        context(occasion, the_event, the_guarantee, full_business, company, purchase_bare)
    )
    if kind == "apology":
        # The error repeated under a special guarantee: the apology states what it gives.
        repeat = event("complaint", date(2026, 11, 20), text["incident"], item=common["fork"])
        contexts += [
            context(kind, repeat, full_guarantee, full_business, full_client, None),
            context(kind, repeat, bare_guarantee, bare_business, bare_client, None),
        ]
    return contexts
