"""The Stats page and ``services.stats``: letters sent per week by kind, counted in the
database (SQLite and PostgreSQL), drawn as an SVG whose bars and table say the same
figures as counted here by hand; the report with its ``since`` filter; the page in
both languages."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

from sqlalchemy.engine import Engine

from followup.db import read_session
from followup.services.stats import letters_per_week, week_start
from followup.web.pages.stats_chart import nice_step
from tests.factories import MONDAY, NOW, client_maker, make_letter
from tests.web_pages import logged_in, title_and_h1

# (day, kind, status): what the business wrote. Only sent letters count.
LETTERS = [
    (MONDAY, "thank_you", "sent"),
    (MONDAY + timedelta(days=1), "thank_you", "sent"),  # Tuesday, the same week
    (MONDAY - timedelta(days=1), "apology", "sent"),  # Sunday: the week before
    (MONDAY - timedelta(days=7), "thank_you", "sent"),
    (MONDAY - timedelta(days=7), "lost_client", "sent"),
    (MONDAY - timedelta(days=7), "lost_client", "draft"),  # not sent: not counted
    (MONDAY - timedelta(days=14), "cooperation", "failed"),  # not counted
    (MONDAY - timedelta(days=21), "guarantee_checkin", "sent"),
    (MONDAY - timedelta(days=200), "thank_you", "sent"),  # long before the weeks shown
]


def _write(engine: Engine, business_id: int | None) -> None:
    assert business_id is not None
    client = client_maker(engine, business_id)("Laura Gómez")
    for day, kind, status in LETTERS:
        sent_at = NOW - (MONDAY - day) if status == "sent" else None
        make_letter(engine, business_id, client, day=day, kind=kind, status=status,
                    sent_at=sent_at)  # fmt: skip


def by_hand(first: date, last: date) -> dict[date, Counter[str]]:
    weeks: dict[date, Counter[str]] = {}
    monday = week_start(first)
    while monday <= last:
        weeks[monday] = Counter()
        monday += timedelta(days=7)
    for day, kind, status in LETTERS:
        if status == "sent" and week_start(day) in weeks:
            weeks[week_start(day)][kind] += 1
    return weeks


def test_letters_per_week_are_counted_in_the_database(any_engine: Engine) -> None:
    owner = logged_in(any_engine)
    other = logged_in(any_engine, email="otro@bicis.example", name="Otro taller")
    _write(any_engine, owner.business.id)
    _write(any_engine, other.business.id)  # another business's letters never count
    first, last = MONDAY - timedelta(days=30), MONDAY + timedelta(days=3)
    with read_session(any_engine) as session:
        weeks = letters_per_week(session, owner.business.id or 0, first, last)
    expected = by_hand(first, last)
    assert [w.starts_on for w in weeks] == list(expected)
    for week in weeks:
        assert {k: n for k, n in week.counts.items() if n} == dict(expected[week.starts_on])
    assert [w.total for w in weeks] == [0, 0, 1, 0, 3, 2]


def test_the_chart_and_the_table_say_the_figures_counted_by_hand(engine: Engine) -> None:
    owner = logged_in(engine)
    _write(engine, owner.business.id)
    page = owner.web.get("/stats")
    assert page.status_code == 200 and title_and_h1(page.text) == ("Estadísticas", "Estadísticas")
    html = page.text
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and '<title id="chart-title">' in svg
    bars = re.findall(r'data-kind="(\w+)" data-count="(\d+)"', svg)
    counted: Counter[str] = Counter()
    for kind, count in bars:
        counted[kind] += int(count)
    # The last 12 weeks to today: the letter of 200 days ago is not drawn.
    assert counted == Counter(thank_you=3, apology=1, lost_client=1, guarantee_checkin=1)
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", html)
    assert len(rows) == 12 and rows[-1][0] == "23 nov 2026"
    last = re.findall(r"<td>(\d+)</td>", rows[-1][1])
    assert last == ["2", "0", "0", "0", "0", "0", "2"]  # thank-you letters, …, total
    week_before = re.findall(r"<td>(\d+)</td>", rows[-2][1])
    assert week_before == ["1", "1", "0", "1", "0", "0", "3"]
    # The bars of a week stack up to its total: heights in proportion to the counts.
    heights = [float(h) for h in re.findall(r'class="bar".*?height="([\d.]+)"', svg)]
    per_letter = heights[0] / int(bars[0][1])
    assert all(abs(h - per_letter * int(n)) < 0.2 for h, (_, n) in zip(heights, bars, strict=True))
    assert "Cartas enviadas por semana, por tipo" in html and "Semana del" in html


def test_the_report_and_its_since_filter(engine: Engine) -> None:
    owner = logged_in(engine)
    _write(engine, owner.business.id)
    everything = owner.web.get("/stats").text
    assert re.search(r"<dt>Cartas enviadas</dt><dd>7</dd>", everything)
    assert "Lo conseguido, desde siempre" in everything
    since = owner.web.get("/stats?since=2026-11-16").text
    assert re.search(r"<dt>Cartas enviadas</dt><dd>5</dd>", since)
    assert "Lo conseguido desde el 16 de noviembre de 2026" in since
    # From ``since`` the chart starts at that week.
    assert len(re.findall(r'<tr><th scope="row">', since)) == 2
    bad = owner.web.get("/stats?since=yesterday")
    assert bad.status_code == 422 and 'id="since-error"' in bad.text
    assert 'value="yesterday"' in bad.text and "Escriba un día como 2026-01-31" in bad.text
    future = owner.web.get("/stats?since=2027-01-01")
    assert future.status_code == 422 and "Ese día aún no ha llegado" in future.text
    owner.web.post("/language", data={"lang": "en", "csrf_token": owner.token("/stats")})
    english = owner.web.get("/stats").text
    assert title_and_h1(english) == ("Stats", "Stats") and "Letters sent per week" in english


def weeks_section(html: str) -> str:
    start = html.index('aria-labelledby="weeks-title"')
    return html[start : html.index('aria-labelledby="report-title"')]


def test_no_letters_yet_says_so_in_one_sentence_without_an_empty_chart(engine: Engine) -> None:
    owner = logged_in(engine)
    client = client_maker(engine, owner.business.id or 0)("Laura Gómez")
    make_letter(engine, owner.business.id or 0, client, day=MONDAY, status="draft")  # not sent
    section = weeks_section(owner.web.get("/stats").text)
    assert "<svg" not in section and "<table" not in section and "<figure" not in section
    sentences = re.findall(r"<p[^>]*>(.*?)</p>", section)
    assert sentences == [
        "En estas semanas aún no se ha enviado ninguna carta. El gráfico se irá llenando a "
        "medida que salgan las cartas que usted apruebe en Hoy: las de cada semana, contadas "
        "por tipo."
    ]
    owner.web.post("/language", data={"lang": "en", "csrf_token": owner.token("/stats")})
    english = weeks_section(owner.web.get("/stats?since=2026-11-16").text)
    assert "<svg" not in english and "<table" not in english
    assert re.findall(r"<p[^>]*>(.*?)</p>", english) == [
        "No letter has been sent in these weeks yet. The chart fills in as the letters you "
        "approve on Today go out: each week's, counted by kind."
    ]


def test_no_letters_yet_in_automatic_mode_says_they_go_out_by_themselves(engine: Engine) -> None:
    owner = logged_in(engine, approval_mode="auto")
    section = weeks_section(owner.web.get("/stats").text)
    assert "<svg" not in section
    assert "a medida que salgan las cartas del día a su hora de envío" in section


def test_one_letter_sent_draws_the_chart(engine: Engine) -> None:
    owner = logged_in(engine)
    client = client_maker(engine, owner.business.id or 0)("Laura Gómez")
    make_letter(engine, owner.business.id or 0, client, day=MONDAY, status="sent", sent_at=NOW)
    section = weeks_section(owner.web.get("/stats").text)
    assert "<svg" in section and "<table" in section and "aún no se ha enviado" not in section


def test_the_scale_steps_are_round() -> None:
    assert [nice_step(n) for n in (0, 3, 7, 13, 40, 170)] == [1, 1, 2, 5, 10, 50]
