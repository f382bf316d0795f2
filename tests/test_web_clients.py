"""The Clients page over real HTTP on a real database: search by each field, paging,
adding and changing a client (errors beside their field, nothing typed lost), the
greeting letters will use, do-not-contact, ending a relationship, forgetting (with its
confirmation page, and the data gone), a client's timeline, and recording each kind of
event; in Spanish and in English, with HTML typed into every field shown escaped."""

from __future__ import annotations

import re

import httpx2 as httpx
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from followup.models import Business
from tests.factories import ClientMaker
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
