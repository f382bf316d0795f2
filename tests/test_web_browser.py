"""The owner's daily five minutes in a real browser (Debian's Chromium through
Playwright), in Spanish and in English: log in, approve one of today's three letters,
skip another and see the next client's letter take its place without the page
reloading, put right a flagged draft, edit a template with a deliberate error and see
its line, and upload a spreadsheet export and read the report. The README's screenshots
of Today (a laptop and a phone) are taken here, so they show the dashboard as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from followup.config import get_settings
from followup.db import make_engine, migrate, write_session
from followup.events import EventInput, add_event
from followup.jobs import run_day
from followup.models import Client
from followup.web import create_app
from tests.browser import chromium, require_browser, served
from tests.factories import MONDAY, NOW, make_business
from tests.web_client import PASSWORD, SECRET, Clock, add_owner

pytestmark = pytest.mark.slow

SCREENSHOTS = Path(__file__).parent.parent / "docs" / "screenshots"
# What each business's owner writes, in its language: a complaint typed in the third
# person (the draft is flagged), two purchases, and clients waiting on the rotation.
WORDS = {
    "es": {
        "complaint": "Él esperó dos semanas a que llegara la pieza",
        "fixed": "él esperó dos semanas",
        "to": "usted esperó dos semanas",
        "purchase": "Una bicicleta de paseo",
        "approved": "Aprobada",
        "skipped": "Se omitió a",
        "approve": "Aprobar",
        "skip": "Omitir",
        "edit": "Editar",
        "save": "Guardar",
        "flags": "Relea antes de aprobar",
        "tlocale": "es-usted",
        "line": "Línea",
        "not_ready": "Todavía no se puede guardar",
        "default": "Esta es la plantilla de serie",
        "import": "Importar",
        "imported": "Lo que se ha importado",
        "importing": "Importando las filas…",
        "new": "2 clientes nuevos",
        "rejected": "1 fila rechazada",
        "csv": "nombre;correo;empresa\nCarmen Ortiz;carmen@example.es;Bar Sol\n"
        "José Luis Pérez;jl@example.es;\nSin Correo;no-es-un-correo;\n",
    },
    "en": {
        "complaint": "She waited two weeks for the part",
        "fixed": "she waited two weeks",
        "to": "you waited two weeks",
        "purchase": "A touring bike",
        "approved": "Approved",
        "skipped": "was skipped",
        "approve": "Approve",
        "skip": "Skip",
        "edit": "Edit",
        "save": "Save",
        "flags": "Read again before approving",
        "tlocale": "en",
        "line": "Line",
        "not_ready": "Not ready to save yet",
        "default": "This is the default template",
        "import": "Import",
        "imported": "What was imported",
        "importing": "Importing the rows…",
        "new": "2 new clients",
        "rejected": "1 row rejected",
        "csv": "name,email,company\nCarmen Ortiz,carmen@example.es,Bar Sol\n"
        "José Luis Pérez,jl@example.es,\nNo Email,not-an-email,\n",
    },
}


# Every state the import's progress passes through, as the page shows it: recorded by a
# MutationObserver, whose callback runs right after each change (no polling, no sleep).
WATCH_THE_IMPORT = """() => {
  window.importStates = [];
  const bar = document.getElementById("import-progress");
  const words = document.getElementById("import-state");
  const note = () => window.importStates.push(
    {text: words.textContent, indeterminate: !bar.hasAttribute("value")});
  const watching = {attributes: true, childList: true, characterData: true, subtree: true};
  new MutationObserver(note).observe(bar, watching);
  new MutationObserver(note).observe(words, watching);
}"""


@dataclass(frozen=True)
class Shop:
    url: str
    owner: str
    words: dict[str, str]


@pytest.fixture(params=["es", "en"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shop]:
    with open_shop(request.param, tmp_path) as opened:
        yield opened


@contextmanager
def open_shop(language: str, tmp_path: Path) -> Iterator[Shop]:
    """A business in ``language`` with today's three letters drafted, served for real."""
    require_browser()
    words = WORDS[language]
    settings = get_settings(
        database_url=f"sqlite:///{tmp_path / 'f.db'}", secret_key=SECRET, outbox_dir=tmp_path
    )
    engine: Engine = make_engine(settings)
    migrate(engine)
    business = make_business(
        engine, locale=language, timezone="Europe/Madrid" if language == "es" else "Europe/Dublin"
    )
    assert business.id is not None
    with write_session(engine) as session:
        people = ("Laura Gómez", "Diego Martín", "Ana Ruiz", "Pedro Sanz", "Rosa Vidal")
        clients = []
        for n, name in enumerate(people):
            client = Client(
                business_id=business.id, name=name, email=f"c{n}@example.es", locale=language
            )
            session.add(client)
            session.flush()
            clients.append(client)
        day = MONDAY.replace(day=MONDAY.day - 3)
        add_event(session, clients[0], EventInput("complaint", day, words["complaint"]), NOW)
        for client in clients[1:3]:
            add_event(session, client, EventInput("purchase", day, words["purchase"]), NOW)
    run_day(engine, business.id, MONDAY, NOW)
    owner = add_owner(engine, business.id)
    with served(create_app(engine, settings, Clock(NOW))) as url:
        yield Shop(url, owner, words)
    engine.dispose()


def unexpected(message: Any) -> bool:
    """A console error other than a refused form's own status (a 422 page that shows
    the problem beside its field is the answer, not a fault)."""
    refused = "the server responded with a status of 422"
    return bool(message.type == "error" and refused not in message.text)


def log_in(page: Any, shop: Shop) -> None:
    page.goto(f"{shop.url}/login")
    page.fill("input[name=email]", shop.owner)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{shop.url}/")


def test_the_owners_routine_in_a_browser(shop: Shop) -> None:
    words = shop.words
    problems: list[str] = []
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        page.on("console", lambda m: problems.append(m.text) if unexpected(m) else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        log_in(page, shop)
        letters = page.locator("article.letter")
        assert letters.count() == 3
        # The flagged draft comes first, with the sentence and why.
        flagged = letters.nth(0)
        assert words["flags"] in flagged.inner_text()
        # A mark on the window: a reload would lose it.
        page.evaluate("() => { window.stillHere = true; }")

        # Approve one of the thank-yous.
        first = letters.nth(1)
        first_id = first.get_attribute("id")
        first.get_by_role("button", name=words["approve"], exact=True).click()
        page.locator(f"#{first_id} .approved").wait_for()
        assert words["approved"] in page.locator(f"#{first_id}").inner_text()

        # Skip the other: the next client's letter takes its place.
        second = letters.nth(2)
        second_id = second.get_attribute("id")
        skipped_name = second.locator("h3").inner_text()
        second.get_by_role("button", name=words["skip"]).click()
        page.locator(f"#{second_id}").wait_for(state="detached")
        replacement = page.locator("article.letter").nth(2)
        assert words["skipped"] in replacement.inner_text()
        assert replacement.locator("h3").inner_text() not in (skipped_name, "")

        # Put the flagged draft right, in place.
        flagged_id = flagged.get_attribute("id")
        flagged.get_by_role("link", name=words["edit"]).click()
        text = page.locator(f"#{flagged_id} textarea")
        text.wait_for()
        corrected = text.input_value().replace(words["fixed"], words["to"])
        assert corrected != text.input_value()
        text.fill(corrected)
        page.locator(f"#{flagged_id}").get_by_role("button", name=words["save"]).click()
        page.locator(f"#{flagged_id} textarea").wait_for(state="detached")
        assert words["flags"] not in page.locator(f"#{flagged_id}").inner_text()
        assert words["to"] in page.locator(f"#{flagged_id}").inner_text()

        assert page.evaluate("() => window.stillHere") is True  # no reload happened

        # A template with a deliberate error: the live preview names the line, and
        # saving it is refused (the default stays).
        page.goto(f"{shop.url}/templates?kind=apology&locale={words['tlocale']}")
        source = page.locator("#source")
        lines = source.input_value().count("\n") + 1
        source.press("Control+End")
        source.type("\n{% if client.name %}unclosed\n")
        problem = page.locator("#check .problems")
        problem.wait_for()
        said = problem.inner_text()
        assert words["not_ready"] in said and f"{words['line']} {lines + 1}" in said, said
        page.locator("#editor").get_by_role("button", name=words["save"], exact=True).click()
        page.locator("#check .problems").wait_for()
        assert words["default"] in page.inner_text("main")

        # A spreadsheet export with a bad row: the report says what came in and which
        # row was refused, by row and column.
        page.goto(f"{shop.url}/clients/import")
        page.set_input_files(
            "#file",
            files=[{"name": "clients.csv", "mimeType": "text/csv",
                    "buffer": words["csv"].encode("utf-8")}],
        )  # fmt: skip
        page.evaluate(WATCH_THE_IMPORT)
        page.get_by_role("button", name=words["import"], exact=True).click()
        result = page.locator("#import-result h2")
        result.wait_for()
        report = page.inner_text("#import-result")
        assert words["imported"] in report and words["new"] in report, report
        assert words["rejected"] in report and "4" in page.inner_text("#import-result table")
        # Once the file was sent, the bar turned indeterminate and said the rows were
        # being imported, in the page's language; the report then took its place.
        seen = page.evaluate("() => window.importStates")
        assert {"text": words["importing"], "indeterminate": True} in seen, seen
        assert page.inner_text("#import-state") == ""
        assert page.locator("#import-progress").is_hidden()
        assert problems == []


def test_the_readmes_screenshots_of_today(tmp_path: Path) -> None:
    """Today on a laptop and on a phone, as the README shows it (in English)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with open_shop("en", tmp_path) as shop, chromium() as browser:
        for screen, size in {"laptop": (1280, 800), "phone": (390, 844)}.items():
            width, height = size
            page = browser.new_context(viewport={"width": width, "height": height}).new_page()
            log_in(page, shop)
            path = SCREENSHOTS / f"today-{screen}.png"
            page.screenshot(path=str(path), full_page=False)
            assert path.stat().st_size > 10_000
