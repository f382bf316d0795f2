"""The web app of ``followup serve``: RFC 8058 unsubscribe links and ``/healthz``, served
by a real uvicorn server on 127.0.0.1 and asked over real HTTP; ``followup serve`` itself
as a real process, stopped by SIGTERM.

A GET of an unsubscribe link changes nothing (mail scanners follow links); the one-click
POST works with no session or cookie, cancels the client's open letters and is recorded.
"""

from __future__ import annotations

import mailbox
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import uvicorn
from sqlalchemy.engine import Engine
from sqlmodel import select

from followup.config import get_settings
from followup.db import make_engine, read_session, write_session
from followup.jobs import send_due
from followup.mail.mailer import mailer_for
from followup.mail.unsubscribe import make_token, read_token, unsubscribe_url
from followup.models import Client, DailyRun, Event, Letter, LetterStatus
from followup.web import create_app
from tests.conftest import Run, one_letter_due_today
from tests.factories import NOW, at, client_maker, make_business, make_letter
from tests.smtp_server import free_port

SECRET = "a-long-random-secret-for-tests-0123456789"
MADRID = ZoneInfo("Europe/Madrid")


@dataclass
class Web:
    base: str
    engine: Engine

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))  # noqa: S310

    def post(self, path: str, body: bytes = b"List-Unsubscribe=One-Click") -> tuple[int, str]:
        request = urllib.request.Request(  # noqa: S310
            self.base + path,
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        return self._open(request)

    @staticmethod
    def _open(request: urllib.request.Request) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


@pytest.fixture
def web(any_engine: Engine, tmp_path: Path) -> Iterator[Web]:
    """The app without its scheduler, on a uvicorn server in a thread of this process."""
    port = free_port()
    settings = get_settings(
        database_url="sqlite://", base_url=f"http://127.0.0.1:{port}", secret_key=SECRET
    )
    app = create_app(any_engine, settings, at(NOW))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the web app did not start"
    yield Web(f"http://127.0.0.1:{port}", any_engine)
    server.should_exit = True
    thread.join(timeout=20)


def _path(business_id: int, client_id: int | None, secret: str = SECRET) -> str:
    assert client_id is not None
    return f"/unsubscribe/{make_token(secret, business_id, client_id)}"


Snapshot = tuple[list[tuple[int | None, bool, str | None]], list[tuple[int | None, str]], int]


def _snapshot(engine: Engine) -> Snapshot:
    with read_session(engine) as session:
        clients = [
            (c.id, c.do_not_contact, c.do_not_contact_reason) for c in session.exec(select(Client))
        ]
        letters = [(lt.id, lt.status) for lt in session.exec(select(Letter))]
        events = len(list(session.exec(select(Event))))
    return clients, letters, events


def test_the_get_only_asks_and_the_post_unsubscribes_without_a_session(web: Web) -> None:
    business = make_business(web.engine, name="Taller Ruiz")
    assert business.id is not None
    laura = client_maker(web.engine, business)(name="Laura Sánchez", email="laura@example.es")
    other = client_maker(web.engine, business)(name="Diego Gil", email="diego@example.es")
    open_letters = [
        make_letter(web.engine, business, laura, status=status)
        for status in (LetterStatus.draft, LetterStatus.approved, LetterStatus.queued)
    ]
    sent = make_letter(web.engine, business, laura, status=LetterStatus.sent, sent_at=NOW)
    uncertain = make_letter(web.engine, business, laura, status=LetterStatus.uncertain)
    diegos = make_letter(web.engine, business, other, status=LetterStatus.approved)
    path = _path(business.id, laura.id)

    before = _snapshot(web.engine)
    for _ in range(3):  # a mail scanner, a link preview, the client
        status, page = web.get(path)
        assert status == 200
        assert "¿No quiere recibir más cartas de Taller Ruiz?" in page
        assert '<form method="post">' in page
    assert _snapshot(web.engine) == before

    status, page = web.post(path)  # urllib sends no cookie: there is no session
    assert status == 200
    assert "Taller Ruiz no volverá a escribirle." in page
    with read_session(web.engine) as session:
        client = session.get(Client, laura.id)
        assert client is not None
        assert (client.do_not_contact, client.do_not_contact_reason) == (True, "unsubscribed")
        status_of = {lt.id: lt.status for lt in session.exec(select(Letter))}
        notes = list(session.exec(select(Event).where(Event.client_id == laura.id)))
    assert [status_of[lt.id] for lt in open_letters] == ["cancelled"] * 3
    assert status_of[sent.id] == "sent"
    assert status_of[uncertain.id] == "uncertain"  # the owner still decides on it
    assert status_of[diegos.id] == "approved"  # nobody else is touched
    assert [(n.kind, n.summary) for n in notes] == [
        ("note", "Se dio de baja con el enlace de una carta: no quiere recibir más cartas.")
    ]

    # The provider's one-click request may come again: nothing more happens.
    assert web.post(path)[0] == 200
    after = _snapshot(web.engine)
    assert web.post(path, body=b"")[0] == 200
    assert _snapshot(web.engine) == after
    status, page = web.get(path)
    assert status == 200 and "no volverá a escribirle" in page and "<form" not in page


@pytest.mark.parametrize(
    ("locale", "form", "asks", "done"),
    [
        ("en", None, "No more letters from Bikes &amp; Co?", "Bikes &amp; Co will not write"),
        ("es", "tu", "¿No quieres recibir más cartas de", "no volverá a escribirte."),
    ],
)
def test_the_pages_speak_the_clients_language_and_escape_names(
    web: Web, locale: str, form: str | None, asks: str, done: str
) -> None:
    business = make_business(web.engine, name="Bikes & Co")
    assert business.id is not None
    client = client_maker(web.engine, business)(
        name="Sam", email="sam@example.com", locale=locale, form_of_address=form
    )
    status, page = web.get(_path(business.id, client.id))
    assert status == 200 and asks in page and f'lang="{locale}"' in page
    status, page = web.post(_path(business.id, client.id))
    assert status == 200 and done in page


def test_a_business_name_with_html_is_shown_as_text(web: Web) -> None:
    business = make_business(web.engine, name="<script>alert(1)</script> Bicis")
    assert business.id is not None
    client = client_maker(web.engine, business)(name="Ana", email="ana@example.es")
    status, page = web.get(_path(business.id, client.id))
    assert status == 200
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; Bicis" in page


def test_a_link_not_signed_here_is_a_404_that_changes_nothing(web: Web) -> None:
    business = make_business(web.engine)
    other_business = make_business(web.engine, name="Otra")
    assert business.id is not None and other_business.id is not None
    client = client_maker(web.engine, business)(name="Ana", email="ana@example.es")
    good = _path(business.id, client.id)
    before = _snapshot(web.engine)
    for path in (
        good[:-2],  # copied incompletely
        good + "x",
        _path(business.id, client.id, secret="another-server-secret-0123456789"),
        _path(other_business.id, client.id),  # signed, but not that business's client
        _path(business.id, 999_999),
        "/unsubscribe/WzEsMV0",  # a payload with no signature
    ):
        for method in (web.get, web.post):
            status, page = method(path)
            assert status == 404, path
            assert "This link is not valid" in page
    assert _snapshot(web.engine) == before


def test_tokens_name_one_client_and_cannot_be_forged() -> None:
    token = make_token(SECRET, 3, 41)
    subscriber = read_token(SECRET, token)
    assert subscriber is not None and (subscriber.business_id, subscriber.client_id) == (3, 41)
    assert read_token("another-secret-of-enough-length", token) is None
    other_payload = make_token(SECRET, 3, 42).split(".")[0]
    assert read_token(SECRET, other_payload + "." + token.split(".")[1]) is None
    assert len(token.rsplit(".", 1)[1]) >= 27  # an HMAC-SHA1 signature: not guessable
    assert unsubscribe_url("https://f.example/", SECRET, 3, 41) == (
        f"https://f.example/unsubscribe/{token}"
    )


def test_healthz_says_whether_todays_run_and_the_last_send_happened(web: Web) -> None:
    business = make_business(web.engine)
    status, page = web.get("/healthz")
    assert status == 200
    assert '"ok":true' in page and '"daily_run_done":false' in page
    assert '"last_sent_at":null' in page
    assert business.id is not None
    make_letter(web.engine, business, status=LetterStatus.sent, sent_at=NOW)
    today = NOW.astimezone(MADRID).date()
    with write_session(web.engine) as session:
        session.add(DailyRun(business_id=business.id, day=today))
    status, page = web.get("/healthz")
    assert '"daily_run_done":true' in page and '"last_sent_at":"' in page


def test_letters_carry_the_one_click_headers_only_with_a_base_url(
    engine: Engine, tmp_path: Path
) -> None:
    business = make_business(engine)
    assert business.id is not None
    client = client_maker(engine, business)(name="Ana", email="ana@example.es")
    first = make_letter(engine, business, client, status=LetterStatus.queued)
    outbox = tmp_path / "outbox"
    plain = get_settings(database_url="sqlite://", outbox_dir=outbox)
    send_due(engine, plain, at(NOW), mailer_for(plain))
    linked = get_settings(
        database_url="sqlite://",
        outbox_dir=outbox,
        base_url="https://followup.tallerruiz.es/",
        secret_key=SECRET,
    )
    second = make_letter(engine, business, client, status=LetterStatus.queued)
    send_due(engine, linked, at(NOW), mailer_for(linked))
    # The files as delivered, byte for byte (mailbox's own reader would refold them).
    files = [*(outbox / "new").iterdir(), *(outbox / "cur").iterdir()]
    parsed = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    messages = {m["Message-ID"]: m for m in parsed}
    assert "List-Unsubscribe" not in messages[first.message_id]
    assert "List-Unsubscribe-Post" not in messages[first.message_id]
    message = messages[second.message_id]
    link = unsubscribe_url("https://followup.tallerruiz.es", SECRET, business.id, client.id or 0)
    assert message["List-Unsubscribe"] == f"<{link}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_placeholder_secret_is_refused_once_letters_would_carry_links(run: Run) -> None:
    run("demo")
    result = run("send", code=2, env={"FOLLOWUP_BASE_URL": "https://f.example"})
    assert "FOLLOWUP_SECRET_KEY" in result.output and "placeholder" in result.output
    assert "Traceback" not in result.output
    result = run("tick", code=2, env={"FOLLOWUP_BASE_URL": "ftp://f.example"})
    assert "FOLLOWUP_BASE_URL" in result.output and "public address" in result.output


def _serve(tmp_path: Path, port: int, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "FOLLOWUP_DATABASE_URL": f"sqlite:///{tmp_path / 'followup.db'}",
        "FOLLOWUP_OUTBOX_DIR": str(tmp_path / "outbox"),
        "FOLLOWUP_BASE_URL": f"http://127.0.0.1:{port}",
        "FOLLOWUP_SECRET_KEY": SECRET,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "followup", "serve", "--port", str(port), *args],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.slow
def test_serve_runs_the_routine_links_its_letters_and_stops_on_sigterm(
    run: Run, tmp_path: Path
) -> None:
    one_letter_due_today(run)
    port = free_port()
    server = _serve(tmp_path, port, "--interval", "1")
    engine = make_engine(get_settings(database_url=f"sqlite:///{tmp_path / 'followup.db'}"))
    try:
        deadline = time.monotonic() + 60
        outbox = tmp_path / "outbox"
        while time.monotonic() < deadline and server.poll() is None:
            if outbox.exists() and len(mailbox.Maildir(outbox)) == 1:
                break
            time.sleep(0.2)
        [stored] = mailbox.Maildir(outbox).values()
        message = message_from_bytes(stored.as_bytes(), policy=policy.default)
        link = str(message["List-Unsubscribe"]).strip().strip("<>")
        web = Web(f"http://127.0.0.1:{port}", engine)
        status, page = web.get(link.removeprefix(web.base))
        assert status == 200 and "¿No quiere recibir más cartas de Taller?" in page
        assert web.post(link.removeprefix(web.base))[0] == 200
        status, health = web.get("/healthz")
        assert status == 200 and '"daily_run_done":true' in health
        server.send_signal(signal.SIGTERM)
        _out, err = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    assert "Traceback" not in err, err
    assert server.returncode == 128 + signal.SIGTERM, err
    assert "followup serve: stopped" in err
    with read_session(engine) as session:
        assert [lt.status for lt in session.exec(select(Letter))] == ["sent"]
        client = session.get(Client, 1)
        assert client is not None and client.do_not_contact_reason == "unsubscribed"
    engine.dispose()


def test_serve_says_so_when_its_port_is_taken(run: Run, tmp_path: Path) -> None:
    run("demo")
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        server = _serve(tmp_path, port, "--no-scheduler")
        _out, err = server.communicate(timeout=60)
    assert server.returncode == 1, err
    assert f"could not serve on 127.0.0.1:{port}" in err
    assert "Traceback" not in err


def test_serve_refuses_a_placeholder_secret_where_other_machines_reach_it(run: Run) -> None:
    """Anyone who knows a placeholder key can sign a login cookie: off the loopback,
    `serve` asks for a real one first, in one line, and serves nothing."""
    run("demo")
    refused = run("serve", "--host", "192.168.1.20", "--port", "8000", code=2,
                  env={"FOLLOWUP_SECRET_KEY": "development"})  # fmt: skip
    assert "FOLLOWUP_SECRET_KEY, which signs its logins, is a placeholder" in refused.output
    assert "Traceback" not in refused.output
