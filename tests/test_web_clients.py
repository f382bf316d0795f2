"""The Clients page over real HTTP on a real database: search by each field, paging,
adding and changing a client (errors beside their field, nothing typed lost), the
greeting letters will use, do-not-contact, ending a relationship, forgetting (with its
confirmation page, and the data gone), a client's timeline, and recording each kind of
event; in Spanish and in English, with HTML typed into every field shown escaped."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx2 as httpx
from markupsafe import escape
from sqlalchemy.engine import Engine
from sqlmodel import select
from starlette.testclient import TestClient

from followup.db import read_session
from followup.models import Business, Client, Event, Guarantee, Letter
from tests.factories import (
    MONDAY,
    NOW,
    ClientMaker,
    EventMaker,
    client_maker,
    make_business,
    make_letter,
)
from tests.web_client import add_owner, csrf_of, dashboard, log_in

CORPUS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}} {% raw %}",
    "<b>bold</b> & 'quotes'",
]


def logged_in(engine: Engine, business: Business, language: str = "es") -> TestClient:
    web = dashboard(engine)
    email = add_owner(engine, business.id or 0)
    log_in(web, email)
    if language != "es":
        web.post("/language", data={"lang": language, "next": "/", "csrf_token": token(web)})
    return web


def token(web: TestClient, path: str = "/clients") -> str:
    return csrf_of(web, path)


def post(web: TestClient, path: str, data: dict[str, str], **kwargs: object) -> httpx.Response:
    answer = web.post(path, data={**data, "csrf_token": token(web)}, **kwargs)  # type: ignore[arg-type]
    assert isinstance(answer, httpx.Response)
    return answer


def title_and_h1(page: str) -> tuple[str, str]:
    title = re.search(r"<title>(.*?) · followup</title>", page)
    h1 = re.search(r"<h1>(.*?)</h1>", page)
    assert title and h1, page
    return title.group(1), h1.group(1)


def field_error(page: str, field: str) -> str:
    found = re.search(rf'<small id="e-{field}" class="error">(.*?)</small>', page)
    assert found, page
    return found.group(1)


# --- the list and its search -------------------------------------------------------


def test_the_page_is_named_in_both_languages_and_says_what_to_do_when_empty(
    engine: Engine, business: Business
) -> None:
    web = logged_in(engine, business)
    page = web.get("/clients")
    assert page.status_code == 200
    assert title_and_h1(page.text) == ("Clientes", "Clientes")
    assert '<a href="/clients" aria-current="page">Clientes</a>' in page.text
    assert "Aún no hay clientes" in page.text and 'href="/clients/import"' in page.text
    web.post("/language", data={"lang": "en", "next": "/", "csrf_token": token(web)})
    page = web.get("/clients")
    assert title_and_h1(page.text) == ("Clients", "Clients")
    assert "No clients yet" in page.text


def test_search_finds_by_name_email_company_and_tag(
    engine: Engine, business: Business, make_client: ClientMaker
) -> None:
    make_client("Laura Gómez", email="laura@ejemplo.es", company="Ciclos Norte", tags="mtb")
    make_client("Pedro Ruiz", email="pedro@otro.es", company="Talleres Sur", tags="ruta, vip")
    web = logged_in(engine, business)
    for q, found, not_found in (
        ("laura", "Laura Gómez", "Pedro Ruiz"),
        ("OTRO.ES", "Pedro Ruiz", "Laura Gómez"),
        ("norte", "Laura Gómez", "Pedro Ruiz"),
        ("vip", "Pedro Ruiz", "Laura Gómez"),
    ):
        page = web.get("/clients", params={"q": q})
        assert found in page.text and not_found not in page.text, q
    nothing = web.get("/clients", params={"q": "zzz"})
    assert "Ningún cliente coincide con «zzz»" in nothing.text


def test_the_list_pages_and_says_status_and_do_not_contact_in_words(
    engine: Engine, business: Business, make_client: ClientMaker
) -> None:
    for n in range(55):
        make_client(f"Cliente {n:02d}")
    make_client("Ana Baja", status="lost", do_not_contact=True, do_not_contact_reason="bounced")
    web = logged_in(engine, business)
    first = web.get("/clients")
    assert "56 clientes" in first.text and "Página 1 de 2" in first.text
    assert "Cliente 00" in first.text and "Ana Baja" not in first.text
    second = web.get("/clients", params={"page": 2})
    assert "Ana Baja" in second.text and "Cliente 00" not in second.text
    assert "Perdido" in second.text and "No contactar: su correo rebotó" in second.text
    assert "Activo" in second.text and "Se le puede escribir" in second.text


# --- adding and changing -----------------------------------------------------------


def stored(engine: Engine, client_id: int) -> Client:
    with read_session(engine) as session:
        client = session.get(Client, client_id)
        assert client is not None
        return client


def created_id(answer: httpx.Response) -> int:
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/clients/(\d+)\?saved=1", answer.headers["location"])
    assert found, answer.headers["location"]
    return int(found.group(1))


FIELDS = {
    "name": "Sr. D. Manuel Ortega Ruiz", "greeting": "", "email": "MANUEL@Ortega.example",
    "phone": "+34 600 111 222", "company": "Ortega S.L.", "locale": "es",
    "form_of_address": "tu", "tags": "mtb, vip", "notes": "Prefiere\r\nllamadas",
    "address": "Calle Mayor 5, 2º B\r\n28013 Madrid\r\n\r\nEspaña", "external_ref": "C-77",
}  # fmt: skip


def test_a_client_is_added_with_every_field_on_both_databases(
    any_engine: Engine, business: Business
) -> None:
    web = logged_in(any_engine, business)
    form = web.get("/clients/new")
    assert title_and_h1(form.text) == ("Añadir un cliente", "Añadir un cliente")
    client_id = created_id(post(web, "/clients/new", FIELDS))
    client = stored(any_engine, client_id)
    assert (client.name, client.email, client.company) == (
        "Sr. D. Manuel Ortega Ruiz", "manuel@ortega.example", "Ortega S.L.")  # fmt: skip
    assert (client.locale, client.form_of_address, client.tags, client.external_ref) == (
        "es", "tu", "mtb, vip", "C-77")  # fmt: skip
    assert client.notes == "Prefiere\nllamadas" and client.greeting == ""
    assert client.address == "Calle Mayor 5, 2º B\n28013 Madrid\nEspaña"
    page = web.get(f"/clients/{client_id}?saved=1")
    assert "Guardado." in page.text
    assert "<dd>Manuel <small>(tomado del nombre)</small></dd>" in page.text
    assert (
        "<dt>Dirección postal</dt><dd>Calle Mayor 5, 2º B<br>28013 Madrid<br>España</dd>"
    ) in page.text
    edit = web.get(f"/clients/{client_id}/edit").text
    assert '<label for="f-address">Dirección postal</label>' in edit
    assert ">Calle Mayor 5, 2º B\n28013 Madrid\nEspaña</textarea>" in edit
    assert "Para las cartas impresas: calle y número" in edit


def test_a_refused_field_is_shown_beside_it_and_nothing_typed_is_lost(
    engine: Engine, business: Business, make_client: ClientMaker
) -> None:
    make_client("Otra", email="taken@example.es")
    web = logged_in(engine, business)
    bad = post(web, "/clients/new", {**FIELDS, "email": "not an email", "name": "Ana Pérez"})
    assert bad.status_code == 422
    assert field_error(bad.text, "email") == (
        "Este correo no parece correcto: revíselo, o déjelo vacío.")  # fmt: skip
    assert 'value="not an email" maxlength="320" autocomplete="off" aria-invalid="true"' in bad.text
    assert 'value="Ana Pérez"' in bad.text and 'value="C-77"' in bad.text
    assert "Prefiere\nllamadas</textarea>" in bad.text or "Prefiere\r\nllamadas" in bad.text
    assert '<option value="tu" selected>' in bad.text
    assert "28013 Madrid\r\n\r\nEspaña</textarea>" in bad.text  # as typed, blank line too
    lines = post(web, "/clients/new", {**FIELDS, "address": "\n".join("1234567")})
    assert field_error(lines.text, "address") == (
        "Escriba la dirección postal en 6 líneas como mucho (300 caracteres en total)."
    )
    assert (
        '<textarea id="f-address" name="address" rows="3" maxlength="300" autocomplete="off"'
        ' aria-describedby="h-address e-address" aria-invalid="true">'
    ) in lines.text
    empty = post(web, "/clients/new", {**FIELDS, "name": "  "})
    assert field_error(empty.text, "name") == (
        "Escriba el nombre del cliente (como mucho 200 caracteres).")  # fmt: skip
    duplicate = post(web, "/clients/new", {**FIELDS, "email": "taken@example.es"})
    assert field_error(duplicate.text, "email") == (
        "Otro cliente ya tiene este correo electrónico.")  # fmt: skip
    with read_session(engine) as session:
        assert len(session.exec(select(Client)).all()) == 1
    web.post("/language", data={"lang": "en", "next": "/", "csrf_token": token(web)})
    english = post(web, "/clients/new", {**FIELDS, "name": "x" * 201})
    assert title_and_h1(english.text) == ("Add a client", "Add a client")
    assert field_error(english.text, "name") == "The name is longer than 200 characters."
    english = post(web, "/clients/new", {**FIELDS, "address": "x" * 301})
    assert field_error(english.text, "address") == "The address is longer than 300 characters."
    assert '<label for="f-address">Postal address</label>' in english.text


def test_a_client_is_changed_and_the_greeting_can_be_set_and_cleared(
    any_engine: Engine, business: Business, make_client: ClientMaker
) -> None:
    client = make_client("María José Navarro Gil", email="mj@example.es")
    web = logged_in(any_engine, business)
    form = web.get(f"/clients/{client.id}/edit")
    assert title_and_h1(form.text) == ("Cambiar un cliente", "Cambiar un cliente")
    assert "Si lo deja vacío, las cartas le saludarán como «María José»." in form.text
    values = {**FIELDS, "name": "María José Navarro Gil", "email": "mj@example.es",
              "greeting": "Sra. Navarro", "external_ref": ""}  # fmt: skip
    saved = post(web, f"/clients/{client.id}/edit", values)
    assert saved.headers["location"] == f"/clients/{client.id}?saved=1"
    assert stored(any_engine, client.id or 0).greeting == "Sra. Navarro"
    assert "<dd>Sra. Navarro</dd>" in web.get(f"/clients/{client.id}").text
    post(web, f"/clients/{client.id}/edit", {**values, "greeting": ""})
    assert stored(any_engine, client.id or 0).greeting == ""
    refused = post(web, f"/clients/{client.id}/edit", {**values, "locale": "fr"})
    assert refused.status_code == 422 and "Elija español o inglés." in refused.text
    assert stored(any_engine, client.id or 0).locale == "es"


def test_the_greeting_preview_follows_the_name(engine: Engine, business: Business) -> None:
    web = logged_in(engine, business)
    for name, said in (
        ("MARÍA DEL CARMEN ORTIZ", "las cartas le saludarán como «María del Carmen»"),
        ("Sr. Ortega", "las cartas le saludarán como «Sr. Ortega»"),
        ("Talleres Ortega S.L.", "las cartas saludarán sin nombre"),
        ("", "el saludo se toma del nombre"),
    ):
        answer = web.get("/clients/greeting", params={"name": name}, headers={"HX-Request": "true"})
        assert said in answer.text, name
        assert answer.text.startswith('<p id="greeting-derived" aria-live="polite">')
    set_one = web.get("/clients/greeting", params={"name": "Ana", "greeting": "Anita"},
                      headers={"HX-Request": "true"})  # fmt: skip
    assert "Las cartas le saludarán como «Anita»." in set_one.text
    # The browser asking by itself (no htmx) gets the new client's form, a whole page.
    alone = web.get("/clients/greeting", params={"name": "Ana"})
    assert (alone.status_code, alone.headers["location"]) == (303, "/clients/new")


# --- do-not-contact, ending, forgetting --------------------------------------------


def test_do_not_contact_is_switched_on_and_off_with_the_reason_shown(
    any_engine: Engine, business: Business, make_client: ClientMaker
) -> None:
    client = make_client("Ana Pérez")
    web = logged_in(any_engine, business)
    on = post(web, f"/clients/{client.id}/do-not-contact", {"value": "on"})
    assert (on.status_code, on.headers["location"]) == (303, f"/clients/{client.id}")
    assert stored(any_engine, client.id or 0).do_not_contact is True
    page = web.get(f"/clients/{client.id}").text
    assert "No contactar: lo decidió usted" in page and "Volver a permitir cartas" in page
    post(web, f"/clients/{client.id}/do-not-contact", {"value": "off"})
    assert stored(any_engine, client.id or 0).do_not_contact is False
    assert "Se le puede escribir" in web.get(f"/clients/{client.id}").text


def test_ending_the_relationship_needs_a_reason_and_a_confirmation(
    any_engine: Engine, business: Business, make_client: ClientMaker
) -> None:
    client = make_client("Ana Pérez")
    letter = make_letter(any_engine, business, client)
    web = logged_in(any_engine, business)
    form = web.get(f"/clients/{client.id}/end")
    assert title_and_h1(form.text)[1] == "Terminar la relación con Ana Pérez"
    unconfirmed = post(web, f"/clients/{client.id}/end", {"why": "Se mudó"})
    assert unconfirmed.status_code == 422
    assert "Marque la casilla para confirmar." in unconfirmed.text
    assert 'value="Se mudó"' in unconfirmed.text
    no_reason = post(web, f"/clients/{client.id}/end", {"why": " ", "confirm": "yes"})
    assert no_reason.status_code == 422 and "por qué termina la relación" in no_reason.text
    assert stored(any_engine, client.id or 0).do_not_contact is False
    ended = post(web, f"/clients/{client.id}/end", {"why": "Se mudó", "confirm": "yes"})
    assert ended.status_code == 303
    page = web.get(f"/clients/{client.id}").text
    assert "La relación ha terminado" in page and "1 carta(s) pendiente(s)" in page
    assert "Relación terminada por decisión propia: Se mudó" in page
    with read_session(any_engine) as session:
        assert session.get(Letter, letter.id).status == "cancelled"  # type: ignore[union-attr]


def test_forgetting_asks_on_a_page_of_its_own_then_erases_the_data(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    client = make_client("Laura Secreta", phone="+34 600 000 000", notes="vive en la calle Mayor",
                         address="Plaza del Pilar 3\n50003 Zaragoza")  # fmt: skip
    make_event(client, "purchase", summary="bicicleta roja de Laura")
    web = logged_in(any_engine, business)
    page = web.get(f"/clients/{client.id}/forget")
    assert title_and_h1(page.text)[1] == "¿Olvidar a Laura Secreta para siempre?"
    assert "Qué se borra" in page.text and "Qué se conserva" in page.text
    assert "teléfono, dirección postal, etiquetas" in page.text
    refused = post(web, f"/clients/{client.id}/forget", {})
    assert refused.status_code == 422
    assert stored(any_engine, client.id or 0).name == "Laura Secreta"
    done = post(web, f"/clients/{client.id}/forget", {"confirm": "yes"})
    assert done.status_code == 303
    gone = stored(any_engine, client.id or 0)
    assert gone.name == f"(forgotten client {client.id})" and gone.email is None
    assert (gone.phone, gone.notes, gone.do_not_contact_reason) == ("", "", "forgotten")
    assert gone.address == ""
    shown = web.get(f"/clients/{client.id}").text
    assert "El cliente está olvidado" in shown
    assert "Laura" not in shown and "calle Mayor" not in shown and "bicicleta roja" not in shown
    assert "Pilar" not in shown
    with read_session(any_engine) as session:
        events = session.exec(select(Event).where(Event.client_id == client.id)).all()
        assert [e.summary for e in events] == [""]


def test_another_business_s_client_is_not_found(
    engine: Engine, business: Business, make_client: ClientMaker
) -> None:
    other = make_business(engine, name="Otro")
    theirs = client_maker(engine, other)("Suyo")
    web = logged_in(engine, business)
    for path in ("", "/edit", "/end", "/forget"):
        answer = web.get(f"/clients/{theirs.id}{path}")
        assert answer.status_code == 404 and "Suyo" not in answer.text, path
    for path, data in (("/edit", FIELDS), ("/do-not-contact", {"value": "on"}),
                       ("/end", {"why": "x", "confirm": "yes"}), ("/forget", {"confirm": "yes"}),
                       ("/events", {"kind": "purchase", "summary": "x"})):  # fmt: skip
        assert post(web, f"/clients/{theirs.id}{path}", data).status_code == 404, path
    assert stored(engine, theirs.id or 0).name == "Suyo"
    assert web.get("/clients/99999999999").status_code == 404
    assert web.get("/clients/abc").status_code == 404


# --- the timeline and events ---------------------------------------------------------


def test_the_timeline_shows_events_letters_picks_and_the_guarantee_newest_first(
    engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    client = make_client("Ana Pérez")
    make_event(client, "purchase", days_ago=30, summary="le vendimos una bici", amount="450")
    make_event(client, "complaint", days_ago=10, summary="le entregamos tarde la bici",
               compensation="le regalamos la revisión")  # fmt: skip
    letter = make_letter(engine, business, client, subject="Gracias, Ana")
    web = logged_in(engine, business)
    page = web.get(f"/clients/{client.id}").text
    assert title_and_h1(page) == ("Ana Pérez", "Ana Pérez")
    timeline = page.split('id="timeline"')[1]
    complaint = timeline.index("Queja: le entregamos tarde la bici")
    purchase = timeline.index("Compra: le vendimos una bici")
    assert complaint < purchase
    assert "Compensación: le regalamos la revisión" in timeline
    assert f'<a href="/letters/{letter.id}">Carta de agradecimiento</a>' in timeline
    assert "borrador, esperando su aprobación — «Gracias, Ana»" in timeline
    assert "13 nov 2026" in timeline  # the complaint's day, in Spanish
    web.post("/language", data={"lang": "en", "next": "/", "csrf_token": token(web)})
    english = web.get(f"/clients/{client.id}").text
    assert "Complaint: le entregamos tarde la bici" in english and "Nov 13, 2026" in english


def add_event(web: TestClient, client_id: int, **fields: str) -> httpx.Response:
    return post(web, f"/clients/{client_id}/events", {"day": MONDAY.isoformat(), **fields})


def test_each_kind_of_event_is_recorded_from_the_client_page(
    any_engine: Engine, business: Business, make_client: ClientMaker
) -> None:
    client = make_client("Ana Pérez", form_of_address="usted")
    web = logged_in(any_engine, business)
    page = web.get(f"/clients/{client.id}").text
    assert "Escrito al cliente, como se lo diría a él: por ejemplo «le cobramos dos veces" in page
    for kind, extra in (
        ("purchase", {"item": "casco", "amount": "45,90"}),
        ("cooperation", {}),
        ("complaint", {"compensation": "le devolvemos el importe", "wants_call": "yes"}),
        ("lost", {}),
    ):
        answer = add_event(web, client.id or 0, kind=kind, summary=f"resumen {kind}", **extra)
        assert answer.status_code == 303, (kind, answer.text)
        assert "Anotado." in web.get(f"/clients/{client.id}").text
    with read_session(any_engine) as session:
        rows = session.exec(select(Event).where(Event.client_id == client.id))
        events = {e.kind: e for e in rows}
    assert events["purchase"].amount == "45.90" and events["purchase"].item == "casco"
    assert events["complaint"].wants_call and events["complaint"].compensation
    assert stored(any_engine, client.id or 0).status == "lost"
    recovered = add_event(web, client.id or 0, kind="recovered", summary="volvió",
                          terms="si la horquilla falla otra vez, se la reparamos gratis",
                          months="6", payout="le devolvemos el importe",
                          checkins="7,30")  # fmt: skip
    assert recovered.status_code == 303, recovered.text
    shown = web.get(f"/clients/{client.id}").text
    assert "Ana Pérez ha vuelto. La garantía" in shown
    with read_session(any_engine) as session:
        guarantee = session.exec(select(Guarantee).where(Guarantee.client_id == client.id)).one()
    assert guarantee.checkin_offsets == "7,30" and guarantee.payout == "le devolvemos el importe"
    assert "Garantía especial" in shown and "Si el error se repite: le devolvemos" in shown
    claim = add_event(web, client.id or 0, kind="complaint", summary="la horquilla otra vez")
    assert claim.status_code == 303
    said = web.get(f"/clients/{client.id}").text
    assert f"Es una reclamación sobre la garantía {guarantee.id}: le devolvemos el importe." in said
    assert "Reclamación sobre la garantía" in said


def test_a_refused_event_keeps_what_was_typed(
    engine: Engine, business: Business, make_client: ClientMaker
) -> None:
    client = make_client("John Smith", locale="en")
    web = logged_in(engine, business)
    assert "por ejemplo «we charged you twice»" in web.get(f"/clients/{client.id}").text
    future = (MONDAY + timedelta(days=3)).isoformat()
    for fields, field, said in (
        ({"kind": "purchase", "summary": ""}, "summary", "Diga en una línea qué ha pasado"),
        ({"kind": "purchase", "summary": "x", "amount": "mucho"}, "amount", "Escriba el importe"),
        ({"kind": "purchase", "summary": "x", "day": future}, "day", "Elija un día que ya"),
        ({"kind": "purchase", "summary": "x", "wants_call": "yes"}, "call", "Solo una queja"),
        ({"kind": "recovered", "summary": "x", "terms": ""}, "terms", "Diga qué cubre"),
    ):
        answer = add_event(web, client.id or 0, **fields)
        assert answer.status_code == 422, fields
        assert f'<small id="err-{field}" class="error">{said}' in answer.text, answer.text
        if fields.get("summary"):
            assert 'id="e-summary" name="summary" value="x"' in answer.text
    with read_session(engine) as session:
        assert session.exec(select(Event).where(Event.client_id == client.id)).all() == []


# --- HTML typed by the owner ---------------------------------------------------------


def test_html_in_every_client_field_is_shown_escaped(
    engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    web = logged_in(engine, business)
    for n, payload in enumerate(CORPUS):
        client = make_client(
            f"{payload} {n}", greeting=payload, company=payload, phone=payload, tags=payload,
            notes=payload, external_ref=f"{payload}-{n}", email=f"c{n}@example.es",
            address=f"{payload}\n{payload}",
        )  # fmt: skip
        make_event(client, "complaint", summary=payload, compensation=payload, item=payload)
        make_letter(engine, business, client, subject=payload)
        for path in ("/clients", f"/clients/{client.id}", f"/clients/{client.id}/edit",
                     f"/clients/{client.id}/forget", f"/clients/{client.id}/end",
                     f"/clients?q={payload[:5]}"):  # fmt: skip
            text = web.get(path).text
            for raw in ("<script>alert", "<img src=x", "<b>bold</b>"):
                assert raw not in text, (path, raw)
            assert "49" not in text.replace(str(client.id), "")
        page = web.get(f"/clients/{client.id}").text
        assert str(escape(payload)) in page


def test_the_timeline_shows_picks_replies_and_what_the_incident_found(
    engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    from followup.db import write_session
    from followup.models import InboxMessage, Incident, Pick

    client = make_client("Ana Pérez")
    complaint = make_event(client, "complaint", days_ago=5, summary="le entregamos tarde")
    letter = make_letter(engine, business, client, kind="apology", status="sent")
    with write_session(engine) as session:
        session.add(Pick(business_id=business.id or 0, day=MONDAY - timedelta(days=4),
                         client_id=client.id or 0, rank=1, tier=1, kind="apology",
                         reason="se quejó el 18 nov; aún sin disculpa", letter_id=letter.id))
        session.add(InboxMessage(business_id=business.id or 0, message_key="<r1@x>",
                                 kind="reply", letter_id=letter.id, client_id=client.id,
                                 subject="Re: Lo siento", received_at=NOW))
        session.add(Incident(business_id=business.id or 0, event_id=complaint.id or 0,
                             cause="el transportista nuevo", action="cambiamos de transportista",
                             resolved_at=NOW))  # fmt: skip
    web = logged_in(engine, business)
    timeline = web.get(f"/clients/{client.id}").text.split('id="timeline"')[1]
    reply = timeline.index("Su respuesta: «Re: Lo siento»")
    apology = timeline.index("Disculpa</a> (correo): enviada")
    pick = timeline.index("Elegido para el día: se quejó el 18 nov; aún sin disculpa")
    event = timeline.index("Queja: le entregamos tarde")
    assert reply < apology < pick < event
    assert f'(<a href="/letters/{letter.id}">la carta</a>)' in timeline
    assert "Causa encontrada: el transportista nuevo" in timeline
    assert "Qué se ha cambiado: cambiamos de transportista" in timeline and "Resuelta." in timeline
