"""Logging in to the dashboard: the session cookie, logout, where ``next`` may lead,
throttling across processes, CSRF on every form, the security headers, static files and
error pages — all over real HTTP (starlette's TestClient) on a real database."""

from __future__ import annotations

from datetime import timedelta

import httpx2 as httpx
import pytest
from sqlalchemy.engine import Engine

from followup.config import get_settings
from followup.db import make_engine, read_session
from followup.mail.unsubscribe import make_token
from followup.models import Business, Client, User
from tests.factories import Database, client_maker, make_business
from tests.web_client import PASSWORD, SECRET, Clock, add_owner, csrf_of, dashboard, log_in


@pytest.fixture
def owner(engine: Engine, business: Business) -> str:
    return add_owner(engine, business.id or 0)


def response(value: object) -> httpx.Response:
    assert isinstance(value, httpx.Response)
    return value


def test_login_opens_today_and_logout_ends_the_session(engine: Engine, owner: str) -> None:
    web = dashboard(engine)
    assert web.get("/").headers["location"] == "/login"
    login = response(log_in(web, owner))
    assert (login.status_code, login.headers["location"]) == (303, "/")
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    today = web.get("/")
    assert today.status_code == 200
    assert "<title>Hoy · followup</title>" in today.text and "<h1>Hoy</h1>" in today.text
    assert '<a href="/" aria-current="page">Hoy</a>' in today.text
    for name in ("Salida", "Clientes", "Garantías", "Plantillas", "Ajustes", "Estadísticas"):
        assert f">{name}</a>" in today.text
    assert '<html lang="es">' in today.text
    token = csrf_of(web, "/")
    out = web.post("/logout", data={"csrf_token": token})
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    assert web.get("/").status_code == 303


def test_a_wrong_password_and_an_unknown_email_are_refused_alike(
    engine: Engine, owner: str
) -> None:
    web = dashboard(engine)
    for email, password in ((owner, "wrong password!"), ("nobody@bicis.example", PASSWORD)):
        refused = response(log_in(web, email, password))
        assert refused.status_code == 401
        assert "El correo o la contraseña no son correctos." in refused.text
        assert web.get("/").status_code == 303


def test_the_secure_flag_follows_an_https_base_url(engine: Engine, owner: str) -> None:
    web = dashboard(engine, base_url="https://followup.example")
    assert "; Secure" in response(log_in(web, owner)).headers["set-cookie"]


def test_after_login_only_a_local_next_path_is_followed(engine: Engine, owner: str) -> None:
    web = dashboard(engine)
    asked = web.get("/?day=2026-11-23")
    assert asked.headers["location"] == "/login?next=/%3Fday%3D2026-11-23"
    cases = {
        "/outbox?status=failed": "/outbox?status=failed",
        "//evil.example/": "/",
        "https://evil.example/": "/",
        "/\\evil.example": "/",
        "javascript:alert(1)": "/",
        "evil.example": "/",
        "/\tevil": "/",
    }
    for given, expected in cases.items():
        web.cookies.clear()
        assert response(log_in(web, owner, next_path=given)).headers["location"] == expected
    assert web.get("/login?next=//evil.example").headers["location"] == "/"  # logged in


def test_htmx_is_told_where_to_log_in(engine: Engine, owner: str) -> None:
    web = dashboard(engine)
    answer = web.get("/", headers={"HX-Request": "true"})
    assert answer.status_code == 401 and answer.headers["HX-Redirect"] == "/login"


def test_a_new_password_ends_the_sessions_opened_with_the_old(
    engine: Engine, owner: str
) -> None:
    from followup.accounts import change_password
    from followup.db import write_session

    web = dashboard(engine)
    log_in(web, owner)
    assert web.get("/").status_code == 200
    with write_session(engine) as session:
        change_password(session, owner, "a brand new password")
    assert web.get("/").status_code == 303


def test_throttling_is_shared_by_two_processes_on_one_database(db: Database) -> None:
    """Two app instances, each with its own engine on the same database: failures on
    one count on the other; the wait is said in the user's language; time heals it."""
    business = make_business(db.engine, locale="en")
    owner = add_owner(db.engine, business.id or 0)
    clock = Clock()
    second_engine = make_engine(get_settings(database_url=db.url))
    first, second = dashboard(db.engine, clock), dashboard(second_engine, clock)
    try:
        for attempt in range(5):
            web = first if attempt % 2 else second
            assert response(log_in(web, owner, "not the password")).status_code == 401
        clock.now += timedelta(minutes=5)
        waiting = response(log_in(first, owner))  # the right password, but too soon
        assert waiting.status_code == 429
        assert "Try again in 10 minutes." in waiting.text
        assert int(waiting.headers["Retry-After"]) == 600
        assert response(log_in(second, owner)).status_code == 429
        clock.now += timedelta(minutes=10, seconds=1)
        assert response(log_in(second, owner)).status_code == 303
        # A success clears the email's count: four more failures do not lock it.
        for _ in range(4):
            assert response(log_in(first, owner, "not the password")).status_code == 401
        assert response(log_in(first, owner)).status_code == 303
    finally:
        second_engine.dispose()


def test_one_address_guessing_many_emails_is_throttled_too(engine: Engine, owner: str) -> None:
    web = dashboard(engine)
    for n in range(5):
        assert response(log_in(web, f"guess{n}@bicis.example", "nope nope nope")).status_code == 401
    blocked = response(log_in(web, owner))
    assert blocked.status_code == 429
    assert "Vuelva a intentarlo dentro de 15 minutos." in blocked.text  # the owner's language


def _language(engine: Engine) -> str | None:
    with read_session(engine) as session:
        user = session.get(User, 1)
        assert user is not None
        return user.language


def test_every_form_post_needs_the_sessions_token(engine: Engine, owner: str) -> None:
    web = dashboard(engine)
    # Logging in needs it too (no login forged from another site).
    forged = web.post("/login", data={"email": owner, "password": PASSWORD})
    assert forged.status_code == 403 and "Este formulario ha caducado" in forged.text
    log_in(web, owner)
    token = csrf_of(web, "/")
    for data, headers in (
        ({"lang": "en"}, {}),
        ({"lang": "en", "csrf_token": "x" * 43}, {}),
        ({"lang": "en"}, {"X-CSRF-Token": "wrong"}),
    ):
        refused = web.post("/language", data=data, headers=headers)
        assert refused.status_code == 403, refused.text
        assert "No se ha cambiado nada" in refused.text
        assert refused.headers["content-security-policy"].startswith("default-src 'self'")
    assert _language(engine) is None  # nothing changed
    by_form = web.post("/language", data={"lang": "en", "csrf_token": token, "next": "/"})
    assert by_form.status_code == 303 and _language(engine) == "en"
    english = web.get("/")
    assert "<h1>Today</h1>" in english.text and '<html lang="en">' in english.text
    by_header = web.post("/language", data={"lang": "es"}, headers={"X-CSRF-Token": token})
    assert by_header.status_code == 303 and _language(engine) == "es"
    assert f'data-hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in web.get("/").text


def test_the_one_click_unsubscribe_needs_no_token(
    engine: Engine, business: Business, owner: str
) -> None:
    client = client_maker(engine, business)("Laura Sánchez")
    web = dashboard(engine)
    log_in(web, owner)  # even with a session, RFC 8058's POST carries no token
    token = make_token(SECRET, business.id or 0, client.id or 0)
    done = web.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    with read_session(engine) as session:
        stored = session.get(Client, client.id)
        assert stored is not None and stored.do_not_contact


EXPECTED_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def test_security_headers_on_pages_static_files_and_errors(engine: Engine, owner: str) -> None:
    web = dashboard(engine)
    log_in(web, owner)
    for path in ("/", "/login", "/static/app.css", "/no/such/page", "/healthz", "/openapi.json"):
        answer = web.get(path)
        for name, value in EXPECTED_HEADERS.items():
            assert answer.headers.get(name) == value, (path, name)
    docs = web.get("/docs")
    assert docs.status_code == 200 and "/static/swagger/swagger-ui-bundle.js" in docs.text
    assert "<script>" not in docs.text and "cdn" not in docs.text
    assert "script-src 'self';" in docs.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]


def test_pages_carry_no_inline_script_or_style(engine: Engine, owner: str) -> None:
    web = dashboard(engine)
    for path in ("/login", "/"):
        if path == "/":
            log_in(web, owner)
        html = web.get(path).text
        assert "<script>" not in html and "<style" not in html and " style=" not in html
        assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false}\'>' in html


def test_static_files_and_not_found_pages(engine: Engine, owner: str) -> None:
    web = dashboard(engine)
    htmx = web.get("/static/htmx.min.js")
    assert htmx.status_code == 200 and "javascript" in htmx.headers["content-type"]
    pico = web.get("/static/pico.classless.min.css")
    assert pico.status_code == 200 and "Pico CSS ✨ v2.1.1" in pico.text
    assert web.get("/static/nothing.css").status_code == 404
    assert web.get("/static/../__init__.py").status_code == 404
    lost = web.get("/no/such/page")
    assert lost.status_code == 404 and "Página no encontrada" in lost.text
    log_in(web, owner)
    lost = web.get("/no/such/page", headers={"Accept-Language": "en"})  # the owner's: es
    assert lost.status_code == 404 and "<h1>Página no encontrada</h1>" in lost.text
    assert ">Salir</button>" in lost.text and 'aria-current="page"' not in lost.text


def test_the_language_is_the_businesss_then_the_users_choice(engine: Engine) -> None:
    english = make_business(engine, name="Lang Joinery", locale="en")
    owner = add_owner(engine, english.id or 0, "peter@lang.example")
    web = dashboard(engine)
    assert "<h1>Entrar</h1>" in web.get("/login").text  # before login: Spanish by default
    assert "<h1>Log in</h1>" in web.get("/login", headers={"Accept-Language": "en"}).text
    assert "<h1>Log in</h1>" in web.get("/login?lang=en").text  # chosen, and kept
    assert "<h1>Log in</h1>" in web.get("/login").text
    log_in(web, owner)
    today = web.get("/").text
    assert "<h1>Today</h1>" in today and "Monday, November 23, 2026" in today
