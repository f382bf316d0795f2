"""Every page of the dashboard in a real browser (Debian's Chromium), in Spanish and in
English, on a phone (390 × 844) and a laptop (1280 × 800): no serious or critical
axe-core finding, no sideways scrolling, and valid HTML by the Nu HTML Checker.

The pages are enumerated from the app's own route table (every GET page route, with its
path parameters filled from the demo business), so a page added later is held to the
same bars without touching this test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from followup.accounts import set_language
from followup.config import get_settings
from followup.db import make_engine, migrate, read_session, write_session
from followup.demo import create_demo
from followup.models import Client, Guarantee, Letter
from followup.web import create_app
from followup.web.public import API_PREFIX
from tests.browser import (
    SCREENS,
    axe_findings,
    chromium,
    html_errors,
    require_browser,
    scrolls_sideways,
    served,
)
from tests.factories import MONDAY, NOW
from tests.test_web_routes import flatten
from tests.web_client import PASSWORD, SECRET, Clock, add_owner

pytestmark = pytest.mark.slow

PARAM = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")
# Pages that are not a screen of their own: documents for the browser's print dialog
# and the API's documentation (Swagger UI's own markup).
NOT_SCREENS = ("/docs",)


@dataclass(frozen=True)
class Site:
    url: str
    pages: tuple[str, ...]
    owners: dict[str, str]  # language -> the email of an owner who reads it


def page_paths(app: Any, values: dict[str, int | str]) -> tuple[str, ...]:
    """Every GET page of ``app`` (not the API, not static files), parameters filled."""
    paths = []
    for path, route in flatten(app.routes):
        if not isinstance(route, APIRoute) or "GET" not in (route.methods or ()):
            continue
        if path.startswith(API_PREFIX) or path in NOT_SCREENS or path == "/openapi.json":
            continue
        if path in ("/healthz",) or path.startswith("/unsubscribe"):
            continue  # not the dashboard (the unsubscribe page is the client's)
        names = PARAM.findall(path)
        unknown = [name for name in names if name not in values]
        assert not unknown, f"{path}: give this test a value for {unknown}"
        paths.append(PARAM.sub(lambda m: str(values[m.group(1)]), path))
    return tuple(sorted(set(paths)))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    require_browser()
    folder = tmp_path_factory.mktemp("site")
    settings = get_settings(
        database_url=f"sqlite:///{folder / 'f.db'}", secret_key=SECRET, outbox_dir=folder / "out"
    )
    engine: Engine = make_engine(settings)
    migrate(engine)
    with write_session(engine) as session:
        business = create_demo(session, MONDAY, NOW)
        assert business.id is not None
        business_id = business.id
    owners = {"es": add_owner(engine, business_id, "marta@bicis.example")}
    owners["en"] = add_owner(engine, business_id, "mark@bicis.example")
    with write_session(engine) as session:
        from followup.models import User

        for language, email in owners.items():
            user = session.exec(select(User).where(User.email == email)).one()
            assert user.id is not None
            set_language(session, user.id, language)
    from followup.jobs import run_day

    run_day(engine, business_id, MONDAY, NOW)
    with read_session(engine) as session:
        values: dict[str, int | str] = {
            "client_id": _first(session, Client.id),
            "letter_id": _first(session, Letter.id),
            "guarantee_id": _first(session, Guarantee.id),
            "kind": "apology",
            "locale": "es-usted",
            "tlocale": "es-usted",
        }
    app = create_app(engine, settings, Clock(NOW))
    with served(app) as url:
        yield Site(url, page_paths(app, values), owners)
    engine.dispose()


def _first(session: Any, column: Any) -> int:
    found = session.exec(select(column).order_by(col(column))).first()
    assert found is not None
    return int(found)


def log_in(page: Any, site: Site, language: str) -> None:
    page.goto(f"{site.url}/login")
    page.fill("input[name=email]", site.owners[language])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.url}/")


@pytest.fixture(scope="module")
def visits(site: Site) -> dict[str, dict[str, Any]]:
    """Each page in each language on each screen: what the checks need, gathered once."""
    seen: dict[str, dict[str, Any]] = {}
    with chromium() as browser:
        for language in ("es", "en"):
            for screen, (width, height) in SCREENS.items():
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                page.goto(f"{site.url}/login?lang={language}")
                name = f"{language} {screen} /login"
                seen[name] = _visit(page)
                log_in(page, site, language)
                for path in site.pages:
                    if path == "/login":
                        continue
                    answer = page.goto(f"{site.url}{path}")
                    assert answer is not None and answer.ok, f"{path}: {answer and answer.status}"
                    seen[f"{language} {screen} {path}"] = _visit(page)
                context.close()
    return seen


def _visit(page: Any) -> dict[str, Any]:
    return {
        "html": page.content(),
        "axe": axe_findings(page),
        "sideways": scrolls_sideways(page),
        "lang": page.evaluate("() => document.documentElement.lang"),
        "h1": page.inner_text("h1") if page.locator("h1").count() else "",
        "title": page.title(),
    }


def test_the_pages_are_found_in_the_route_table(site: Site) -> None:
    assert "/" in site.pages and "/login" in site.pages


def test_no_page_has_a_serious_or_critical_axe_finding(visits: dict[str, dict[str, Any]]) -> None:
    found = {name: [str(f) for f in seen["axe"]] for name, seen in visits.items() if seen["axe"]}
    assert found == {}


def test_no_page_scrolls_sideways_on_a_phone_or_a_laptop(
    visits: dict[str, dict[str, Any]],
) -> None:
    assert [name for name, seen in visits.items() if seen["sideways"]] == []


def test_every_page_is_valid_html(visits: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    # The markup does not depend on the screen: one of each page and language is checked.
    pages = {name: seen["html"] for name, seen in visits.items() if " laptop " in name}
    assert html_errors(pages, tmp_path) == {}


def test_every_page_speaks_its_owners_language(visits: dict[str, dict[str, Any]]) -> None:
    assert {seen["lang"] for name, seen in visits.items() if name.startswith("es ")} == {"es"}
    assert {seen["lang"] for name, seen in visits.items() if name.startswith("en ")} == {"en"}
    today = {name.split()[0]: seen for name, seen in visits.items() if name.endswith(" /")}
    assert today["es"]["h1"] == "Hoy" and today["en"]["h1"] == "Today"
    assert "Hoy" in today["es"]["title"] and "Today" in today["en"]["title"]


BAD_PAGE = """<!doctype html><html><head><title>x</title></head><body>
<main><p>text</p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text">
<div class="wide"><span>wide</span></div></main><p><div>a div in a p</div></p></body></html>"""


def test_the_checks_bite_on_a_page_that_fails_them(site: Site, tmp_path: Path) -> None:
    """The same checks find what is wrong with a bad page: an image without its text, an
    input without a label, something wider than a phone, a div inside a p."""
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        page.set_content(BAD_PAGE.replace('class="wide"', 'style="width:2000px"'))
        rules = {finding.rule for finding in axe_findings(page)}
        assert {"image-alt", "label"} <= rules
        assert scrolls_sideways(page)
    errors = html_errors({"bad": BAD_PAGE}, tmp_path)
    assert any("No “p” element in scope" in error for error in errors["bad"]), errors
