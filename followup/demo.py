"""A realistic demo business, so a new owner sees the routine work at once.

A bicycle workshop in Seville with thirty clients: recent purchases, a late repair that
annoyed a client, a double charge, a client who helped find a brake fault, one who left
and one who came back when a fork we had repaired failed again and we repaired it free,
and now has a special guarantee. The owner's words (summaries, compensations) are written
to each client, in their form of address. Every date is
relative to ``day``, so the demo always looks like last few weeks.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from followup.businesses import create_business
from followup.events import EventInput, add_event
from followup.letters.personal import add_owner_line
from followup.models import Business, Client
from followup.recovery.guarantees import create_guarantee

BUSINESS = {
    "name": "Taller de Bicicletas Ruiz",
    "owner_name": "Marta Ruiz",
    "owner_title": "Propietaria",
    "owner_phone": "+34 954 21 43 65",
    "sender_email": "marta@bicicletasruiz.example",
    "reply_to": "marta@bicicletasruiz.example",
    "locale": "es",
    "form_of_address": "usted",
    "timezone": "Europe/Madrid",
    "holidays": "ES-AN",
}

# fmt: off
# name, email, phone, company, tags, form of address (None: the business's)
CLIENTS: tuple[tuple[str, str, str, str, str, str | None], ...] = (
    ("Laura Sánchez Romero", "lsanchez0@example.es", "+34 693 149 174", "Bar El Rincón", "", None),
    ("Diego Gil Fernández", "dgil1@example.es", "+34 674 319 138", "", "empresa", None),
    ("Raúl López Ruiz", "rlopez2@example.es", "+34 621 664 534", "", "vip", "tu"),
    ("Javier Ruiz Ibáñez", "jruiz3@example.es", "+34 690 696 163", "Farmacia Central", "vip", None),
    ("Ana Fernández Ruiz", "afernandez4@example.es", "+34 615 670 979", "", "particular", "tu"),
    ("Raúl Sánchez Ramos", "rsanchez5@example.es", "+34 625 684 415", "Bar El Rincón", "vip", None),
    ("Andrés Martínez Gil", "amartinez6@example.es", "+34 683 754 292", "Clínica Dental Sonrisas", "", None),
    ("Sergio Peña López", "spena7@example.es", "+34 682 161 733", "Panadería La Espiga", "empresa", None),
    ("Jorge Ramos Navarro", "jramos8@example.es", "+34 650 576 699", "Colegio San Marcos", "", None),
    ("Miguel Ruiz Pérez", "mruiz9@example.es", "+34 699 898 349", "", "vip", None),
    ("Miguel Vázquez Domínguez", "mvazquez10@example.es", "+34 653 846 559", "Estudio Arquitectura Norte", "vip", None),
    ("Lucía Martínez Vázquez", "lmartinez11@example.es", "+34 663 268 875", "Clínica Dental Sonrisas", "mayorista", None),
    ("Ramón Domínguez Navarro", "rdominguez12@example.es", "+34 615 784 179", "Bar El Rincón", "vip", None),
    ("Óscar Muñoz Muñoz", "omunoz13@example.es", "+34 698 458 708", "Colegio San Marcos", "vip", "tu"),
    ("Óscar Torres López", "otorres14@example.es", "+34 621 376 585", "Autoescuela Vía Libre", "vip", None),
    ("Lucía Fernández Núñez", "lfernandez15@example.es", "+34 699 417 762", "Farmacia Central", "vip", None),
    ("Pilar Torres Moreno", "ptorres16@example.es", "+34 659 784 455", "", "empresa", None),
    ("Diego Pérez Serrano", "dperez17@example.es", "+34 624 605 160", "Panadería La Espiga", "", None),
    ("Carmen Núñez Ruiz", "cnunez18@example.es", "+34 660 500 992", "Colegio San Marcos", "", None),
    ("Andrés Torres Romero", "atorres19@example.es", "+34 680 384 240", "Hotel Mirador", "vip", None),
    ("Elena Peña Navarro", "epena20@example.es", "+34 655 799 489", "Panadería La Espiga", "mayorista", None),
    ("Lucía Pérez Sánchez", "lperez21@example.es", "+34 639 774 338", "", "empresa", None),
    ("Pilar Gil Pérez", "pgil22@example.es", "+34 643 388 104", "", "empresa", None),
    ("Sergio Álvarez Serrano", "salvarez23@example.es", "+34 682 426 228", "Autoescuela Vía Libre", "vip", None),
    ("Álvaro Ibáñez Castaño", "aibanez24@example.es", "+34 616 567 991", "Gestoría Ruiz & Asociados", "vip", None),
    ("Ana Romero Romero", "aromero25@example.es", "+34 660 206 593", "Gestoría Ruiz & Asociados", "empresa", None),
    ("José Gómez López", "jgomez26@example.es", "+34 636 551 266", "", "particular", "tu"),
    ("Álvaro Fernández Martínez", "afernandez27@example.es", "+34 610 680 254", "Bar El Rincón", "", None),
    ("Diego Serrano García", "dserrano28@example.es", "", "Farmacia Central", "empresa", None),
    ("Carmen Ibáñez Díaz", "", "+34 654 716 472", "Colegio San Marcos", "", None),
)

# The postal addresses known (a printed letter shows them); the other clients have none.
ADDRESSES: dict[int, str] = {
    0: "Calle Feria 42, bajo\n41003 Sevilla",
    3: "Avenida de la Constitución 18, 1º B\n41001 Sevilla",
    7: "Calle Betis 7\n41010 Sevilla",
    29: "Calle San Luis 55\n41003 Sevilla",
}

# client index, kind, days before ``day``, summary, item, amount, compensation
EVENTS: tuple[tuple[int, str, int, str, str | None, str | None, str | None], ...] = (
    (0, "purchase", 18, "Compra de casco y luces delanteras", "casco y luces delanteras", "64.90", None),
    (1, "purchase", 6, "Compra de un juego de ruedas de carretera", "juego de ruedas de carretera", "289", None),
    (2, "purchase", 19, "Compra de una bicicleta de paseo", "bicicleta de paseo", "540", None),
    (4, "purchase", 16, "Revisión completa de tu bicicleta", "revisión completa", "45", None),
    (5, "purchase", 5, "Revisión completa de su bicicleta", "revisión completa", "45", None),
    (6, "purchase", 4, "Plan de mantenimiento anual", "plan de mantenimiento anual", "120", None),
    (7, "purchase", 10, "Cambio de cadena y piñones", "cadena y piñones", "78.50", None),
    (8, "purchase", 11, "Revisión completa de su bicicleta", "revisión completa", "45", None),
    (10, "purchase", 4, "Cambio de cadena y piñones", "cadena y piñones", "78.50", None),
    (11, "purchase", 12, "Revisión completa de su bicicleta", "revisión completa", "45", None),
    (13, "purchase", 5, "Juego de ruedas para la bicicleta de tu hija", "juego de ruedas", "150", None),
    (14, "purchase", 21, "Juego de ruedas de montaña", "juego de ruedas de montaña", "310", None),
    (16, "purchase", 2, "Casco y luces para el invierno", "casco y luces", "64.90", None),
    (17, "purchase", 10, "Bicicleta de paseo para su hijo", "bicicleta de paseo", "420", None),
    (3, "purchase", 14, "Reparación de la horquilla delantera", "reparación de la horquilla", "95", None),
    (3, "complaint", 4, "La reparación de la horquilla se entregó con tres días de retraso",
     None, None, "le devolvemos los 95 € de la reparación"),
    (7, "complaint", 3, "Le cobramos dos veces la factura del cambio de cadena",
     None, "78.50", "le hemos devuelto el cargo duplicado de 78,50 € a su tarjeta"),
    (9, "cooperation", 8, "Nos envió fotos y un vídeo que nos ayudaron a localizar un fallo en los frenos de disco",
     None, None, None),
    (12, "lost", 23, "Le hicimos mal la revisión de su bicicleta, y con razón prefirió otro taller",
     None, None, None),
    (15, "recovered", 12, "La horquilla que le reparamos volvió a fallar, y se la reparamos de nuevo sin coste",
     "horquilla", None, None),
    (19, "purchase", 60, "Bicicleta eléctrica urbana", "bicicleta eléctrica urbana", "1890", None),
    (20, "call", 9, "Me llamó para preguntar por el plan de mantenimiento", None, None, None),
)
# fmt: on

# The owner's own lines (kind, locale, keywords, text): what a person of the trade adds.
OWNER_LINES = (
    ("thank_you", "es-usted", "bicicleta, bici",
     "Los cables se asientan en las primeras semanas: pásese por el taller cuando quiera y "
     "se los ajustamos sin coste."),
    ("thank_you", "es-tu", "bicicleta, bici",
     "Los cables se asientan en las primeras semanas: pásate por el taller cuando quieras y "
     "te los ajustamos sin coste."),
    ("thank_you", "es-usted", "ruedas",
     "A los cien kilómetros conviene revisar la tensión de los radios; tráigalas y se la "
     "revisamos gratis."),
    ("thank_you", "es-usted", "casco",
     "Si el casco le aprieta o le baila, tráigalo y le ajustamos las almohadillas."),
    ("apology", "es-usted", "",
     "Si lo prefiere, pásese por el taller y lo hablamos en persona, con un café."),
)  # fmt: skip

# The client who came back (index 15) gets six months of special guarantee.
GUARANTEE_CLIENT, GUARANTEE_MONTHS, GUARANTEE_DAYS_AGO = 15, 6, 12
GUARANTEE_TERMS = (
    "si la horquilla vuelve a dar cualquier problema, se la revisamos y reparamos sin coste, "
    "con prioridad y en 48 horas"
)
GUARANTEE_PAYOUT = (
    "le devolvemos íntegro el importe de la reparación y le prestamos una bicicleta mientras "
    "la tengamos en el taller"
)


def create_demo(session: Session, day: date, now: datetime) -> Business:
    """Add the demo business with its clients, events and one special guarantee."""
    business = create_business(session, now, **BUSINESS)
    assert business.id is not None
    for kind, locale, keywords, text in OWNER_LINES:
        add_owner_line(
            session, business, now, kind=kind, locale=locale, text=text, keywords=keywords
        )
    clients = [
        Client(
            business_id=business.id,
            name=name,
            email=email or None,
            phone=phone,
            company=company,
            address=ADDRESSES.get(i, ""),
            tags=tags,
            form_of_address=form,
            external_ref=f"C-{1000 + i}",
            created_at=now,
        )
        for i, (name, email, phone, company, tags, form) in enumerate(CLIENTS)
    ]
    session.add_all(clients)
    session.flush()
    incident = None
    for index, kind, days_ago, summary, item, amount, compensation in EVENTS:
        event = add_event(
            session,
            clients[index],
            EventInput(kind, day - timedelta(days=days_ago), summary, item, amount, compensation),
            now,
        )
        if kind == "recovered":
            incident = event
    assert incident is not None
    create_guarantee(
        session,
        clients[GUARANTEE_CLIENT],
        months=GUARANTEE_MONTHS,
        terms=GUARANTEE_TERMS,
        payout=GUARANTEE_PAYOUT,
        starts_on=day - timedelta(days=GUARANTEE_DAYS_AGO),
        now=now,
        event_id=incident.id,
    )
    return business

