"""The command line around the routine: settings, events list, the schema check, the
production guard and errors that name their flag."""

from __future__ import annotations

import json
from pathlib import Path

from followup.config import get_settings
from followup.db import make_engine, migrate
from tests.conftest import Run

MONDAY = "2026-11-23"
DATA = Path(__file__).parent / "data"
INIT = ("init", "--name", "Lang Joinery", "--owner", "Peter Lang", "--sender", "p@lang.example")


def test_settings_show_and_change_with_the_checks_of_init(run: Run) -> None:
    run(*INIT, "--locale", "en", "--timezone", "Europe/London")
    shown = json.loads(run("settings", "--json").output)
    assert {k: shown[k] for k in ("name", "locale", "timezone", "quota", "send_time")} == {
        "name": "Lang Joinery",
        "locale": "en",
        "timezone": "Europe/London",
        "quota": 3,
        "send_time": "09:00",
    }
    assert set(shown) >= {
        "owner_name",
        "sender_email",
        "form_of_address",
        "working_days",
        "holidays",
        "cooldown_days",
        "approval_mode",
    }
    changed = run("settings", "set", "--quota", "4", "--holidays", "GB-ENG", "--send-time", "8:30")
    assert "Changed daily_quota to 4." in changed.output
    assert "Changed send_time to 08:30." in changed.output
    refused = run("settings", "set", "--quota", "5", "--timezone", "Mars/Olympus", code=2)
    assert "--timezone: 'Mars/Olympus' is not an IANA time zone" in refused.output
    after = json.loads(run("settings", "--json").output)
    assert (after["quota"], after["holidays"], after["send_time"]) == (4, "GB-ENG", "08:30")
    assert "say what to change" in run("settings", "set", code=2).output
    assert "Nothing changed" in run("settings", "set", "--quota", "4").output
    assert "Lang Joinery" in run("settings").output


def test_init_names_the_flag_that_is_wrong(run: Run) -> None:
    result = run(*INIT, "--holidays", "XX", code=2)
    assert "--holidays: 'XX': no holiday calendar for that country" in result.output
    assert "--sender: 'not-an-address' is not an email address" in (
        run("init", "--name", "T", "--owner", "M", "--sender", "not-an-address", code=2).output
    )


def test_events_list_by_client_and_kind(run: Run) -> None:
    run("demo", "--date", MONDAY)
    events = json.loads(run("events", "list", "--client", "C-1007", "--json").output)
    assert events and {e["client_id"] for e in events} == {events[0]["client_id"]}
    assert set(events[0]) >= {"id", "client_id", "kind", "day", "summary"}
    complaints = json.loads(run("events", "list", "--kind", "complaint", "--json").output)
    assert {e["kind"] for e in complaints} == {"complaint"} and len(complaints) == 2
    text = run("events", "list", "--kind", "complaint").output
    assert "Sergio Peña López: Le cobramos dos veces la factura del cambio de cadena" in text
    assert "no client with id, email or reference 'C-9'" in (
        run("events", "list", "--client", "C-9", code=1).output
    )


def test_send_and_tick_refuse_a_placeholder_secret_in_production(run: Run) -> None:
    run("demo", "--date", MONDAY)
    production = {"FOLLOWUP_ENVIRONMENT": "production", "FOLLOWUP_SECRET_KEY": "changethis"}
    for command in ("send", "tick"):
        refused = run(command, code=2, env=production)
        assert "FOLLOWUP_SECRET_KEY is a placeholder" in refused.output
    # Reading is no risk: the owner can still look at the letters.
    assert "Javier" in run("letters", "list", env=production).output
    safe = {**production, "FOLLOWUP_SECRET_KEY": "a-long-random-value-" * 3}
    assert "Sent 0 letter(s)" in run("send", env=safe).output


def test_a_database_of_an_older_release_asks_for_migrate(run: Run, tmp_path: Path) -> None:
    engine = make_engine(get_settings(database_url=f"sqlite:///{tmp_path / 'followup.db'}"))
    migrate(engine, "0001")
    engine.dispose()
    result = run("clients", "list", code=2)
    assert "schema is at revision 0001" in result.output and "followup migrate" in result.output
    run("migrate")
    assert "there is no business yet" in run("clients", "list", code=2).output


def test_a_database_that_cannot_be_opened_is_a_clear_error(run: Run, tmp_path: Path) -> None:
    missing = {"FOLLOWUP_DATABASE_URL": f"sqlite:///{tmp_path / 'no' / 'such' / 'f.db'}"}
    assert "cannot open the database" in run("letters", "list", code=2, env=missing).output
    assert "cannot open the database" in run(*INIT, code=2, env=missing).output
    bad = {"FOLLOWUP_LEASE_SECONDS": "five"}
    assert "FOLLOWUP_LEASE_SECONDS" in run("letters", "list", code=2, env=bad).output


def test_a_plain_init_keeps_the_national_holidays_named_in_its_language(run: Run) -> None:
    made = run("init", "--name", "Taller", "--owner", "Marta", "--sender", "m@taller.es").output
    assert "public holidays of ES" in made and "--holidays none" in made
    run("clients", "import", str(DATA / "clients_es.csv"))
    assert (
        "2026-12-08 is a holiday (Inmaculada Concepción)"
        in run("daily", "--date", "2026-12-08").output
    )
    assert json.loads(run("pick", "--date", "2026-12-25", "--json").output) == []
    assert len(json.loads(run("pick", "--date", "2026-12-09", "--json").output)) == 3


def test_a_free_mail_reply_to_on_a_business_domain_is_advised_against(run: Run) -> None:
    said = run(
        "init", "--name", "Taller", "--owner", "Marta Ruiz", "--sender", "marta@bicisruiz.es",
        "--reply-to", "marta.ruiz@gmail.com", "--holidays", "none",
    ).output  # fmt: skip
    assert "replies go to a gmail.com address: spam filters distrust that pairing" in said
    assert "Prefer a reply-to address at bicisruiz.es (or none)." in said
    fixed = run("settings", "set", "--reply-to", "taller@bicisruiz.es").output
    assert "spam filters" not in fixed
    # Sending from the free mailbox itself is what its owner does: nothing to say.
    assert "spam filters" not in run("settings", "set", "--sender", "taller@gmail.com").output
    assert "spam filters" not in run("settings", "set", "--quota", "4").output
