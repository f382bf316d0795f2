"""The email and call combination: a complaint that asks for a call gets a call task with
talking points beside its apology; a phone-only client gets the talking points instead of
an email; the owner closes a call with its outcome, which becomes a ``call`` event."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from followup.db import read_session, write_session
from followup.jobs import run_day
from followup.letters.rendering import KINDS, TEMPLATE_LOCALES, render_call
from followup.letters.samples import sample_contexts
from followup.models import (
    Business,
    Channel,
    Event,
    EventKind,
    Guarantee,
    Letter,
    LetterKind,
    LetterStatus,
)
from followup.outbox import cancel, get_letter, mark_done
from followup.picking import pick
from tests.conftest import Run
from tests.factories import MONDAY, NOW, client_maker, event_maker, make_business

# What an email says and a call must not: "reply to this email", in every language.
EMAIL_WORDS = ("correo", "email", "e-mail", "reply", "respond", "contest")

# (client locale, form of address, summary, compensation, terms, payout, what the owner
# says to acknowledge it, how the call asks what else would help)
CASES = {
    "es-usted": (
        "es", "usted", "Le cobramos dos veces la factura del taller",
        "le devolvemos el cargo duplicado esta semana",
        "si vuelve a pasar algo con una factura, la revisamos con usted en el día",
        "le regalamos la próxima revisión",
        "Sé que le cobramos dos veces la factura del taller. Le pido disculpas",
        "¿Hay algo más que pueda hacer por usted?",
    ),
    "es-tu": (
        "es", "tu", "Te cobramos dos veces la factura del taller",
        "te devolvemos el cargo duplicado esta semana",
        "si vuelve a pasar algo con una factura, la revisamos contigo en el día",
        "te regalamos la próxima revisión",
        "Sé que te cobramos dos veces la factura del taller. Te pido disculpas",
        "¿Hay algo más que pueda hacer por ti?",
    ),
    "en": (
        "en", None, "We charged you twice for the workshop invoice",
        "we're refunding the duplicate charge this week",
        "if anything goes wrong with an invoice again, we'll go through it with you that day",
        "your next service is on us",
        "I know we charged you twice for the workshop invoice. I'm sorry",
        "Is there anything else I can do for you?",
    ),
}  # fmt: skip


def _letters(engine: Engine, business: Business) -> list[Letter]:
    with read_session(engine) as session:
        return list(
            session.exec(
                select(Letter)
                .where(Letter.business_id == business.id)
                .order_by(col(Letter.id))
            )
        )


@pytest.mark.parametrize("tlocale", list(CASES))
def test_a_complaint_with_a_call_gets_an_apology_and_talking_points(
    any_engine: Engine, tlocale: str
) -> None:
    locale, form, summary, compensation, terms, payout, acknowledge, ask = CASES[tlocale]
    business = make_business(any_engine, owner_phone="600 123 456")
    client = client_maker(any_engine, business)(
        "Laura Gómez", locale=locale, form_of_address=form, phone="611 222 333"
    )
    event_maker(any_engine)(
        client, "complaint", summary=summary, compensation=compensation, wants_call=True
    )
    with write_session(any_engine) as session:
        session.add(
            Guarantee(
                business_id=business.id or 0, client_id=client.id or 0, terms=terms, payout=payout,
                starts_on=MONDAY - timedelta(days=40), ends_on=date(2027, 2, 15),
            )
        )  # fmt: skip
    result = run_day(any_engine, business.id or 0, MONDAY, NOW)
    assert len(result.picks) == 1  # the call belongs to the apology's pick

    apology, call = _letters(any_engine, business)
    assert (apology.kind, apology.channel) == (LetterKind.apology, Channel.email)
    assert (call.kind, call.channel) == (LetterKind.apology, Channel.call)
    assert call.call_for_id == apology.id and call.to_email is None
    assert call.flags == []
    points = call.body_text
    assert "611 222 333" in points and "Laura" in points
    assert acknowledge in points
    assert compensation in points
    assert terms in points and payout in points
    assert ("15 de febrero de 2027" if locale == "es" else "15 February 2027") in points
    assert ask in points
    # Listen first: the first thing said asks how they lived it, before the apology.
    assert points.index("?") < points.index(acknowledge)
    assert not any(word in points.lower() for word in EMAIL_WORDS)


def test_without_compensation_or_guarantee_the_call_promises_neither(engine: Engine) -> None:
    business = make_business(engine)
    client = client_maker(engine, business)("Laura Gómez")
    event_maker(engine)(
        client, "complaint", summary="Le entregamos la bici tarde", wants_call=True
    )
    run_day(engine, business.id or 0, MONDAY, NOW)
    _apology, call = _letters(engine, business)
    assert "Dígame qué le parecería justo" in call.body_text
    assert "compensarlo" not in call.body_text and "garantía" not in call.body_text


def test_a_phone_only_client_gets_a_call_task_and_no_email_text(any_engine: Engine) -> None:
    business = make_business(any_engine, owner_phone="600 123 456")
    make_client = client_maker(any_engine, business)
    complained = make_client("Andrés Vidal", email=None, phone="622 333 444")
    bought = make_client("Rosa Pérez", email=None, phone="633 444 555")
    events = event_maker(any_engine)
    events(complained, "complaint", summary="Le cambiamos la cubierta equivocada")
    events(bought, "purchase", summary="Compra de un casco", item="casco")
    run_day(any_engine, business.id or 0, MONDAY, NOW)

    letters = _letters(any_engine, business)
    assert [(lt.client_id, lt.kind, lt.channel) for lt in letters] == [
        (complained.id, LetterKind.apology, Channel.call),
        (bought.id, LetterKind.thank_you, Channel.call),
    ]
    for letter in letters:
        assert letter.call_for_id is None and letter.to_email is None
        assert not any(word in letter.body_text.lower() for word in EMAIL_WORDS), letter.body_text
    assert "Sé que le cambiamos la cubierta equivocada" in letters[0].body_text
    assert "622 333 444" in letters[0].body_text
    assert "La compra: casco." in letters[1].body_text


def test_a_call_task_never_blocks_picking_beyond_its_apology(engine: Engine) -> None:
    business = make_business(engine, daily_quota=1)
    client = client_maker(engine, business)("Laura Gómez")
    events = event_maker(engine)
    events(client, "complaint", summary="Le entregamos la bici tarde", wants_call=True)
    run_day(engine, business.id or 0, MONDAY, NOW)
    apology, _call = _letters(engine, business)
    # The apology is on its way: nobody picks the client while it is.
    tuesday = MONDAY + timedelta(days=1)
    events(client, "complaint", on=tuesday, today=tuesday, summary="Le perdimos el recibo")
    with read_session(engine) as session:
        fresh = session.get(Business, business.id)
        assert fresh is not None
        assert pick(session, fresh, tuesday) == []
    with write_session(engine) as session:
        sent = session.get(Letter, apology.id)
        assert sent is not None
        sent.status = LetterStatus.sent
        session.add(sent)
    # The apology went; the call not made yet holds nothing back.
    with read_session(engine) as session:
        fresh = session.get(Business, business.id)
        assert fresh is not None
        assert [c.client_id for c in pick(session, fresh, tuesday)] == [client.id]


def test_cancelling_the_apology_cancels_its_call(engine: Engine) -> None:
    business = make_business(engine)
    client = client_maker(engine, business)("Laura Gómez")
    event_maker(engine)(client, "complaint", summary="Le entregamos tarde", wants_call=True)
    run_day(engine, business.id or 0, MONDAY, NOW)
    apology, _call = _letters(engine, business)
    with write_session(engine) as session:
        cancel(session, get_letter(session, business.id or 0, apology.id or 0), NOW)
    assert [lt.status for lt in _letters(engine, business)] == ["cancelled", "cancelled"]


def test_marking_a_call_done_records_its_outcome_as_a_call_event(any_engine: Engine) -> None:
    business = make_business(any_engine)
    client = client_maker(any_engine, business)("Laura Gómez", email=None, phone="611 222 333")
    event_maker(any_engine)(client, "complaint", summary="Le entregamos la bici tarde")
    run_day(any_engine, business.id or 0, MONDAY, NOW)
    (call,) = _letters(any_engine, business)
    with write_session(any_engine) as session:
        letter = get_letter(session, business.id or 0, call.id or 0)
        with pytest.raises(Exception, match="say how it went in a few words"):
            mark_done(session, letter, NOW)
    with write_session(any_engine) as session:
        letter = get_letter(session, business.id or 0, call.id or 0)
        event = mark_done(session, letter, NOW, "  Satisfecha, vuelve el lunes ", MONDAY)
        assert event is not None
    with read_session(any_engine) as session:
        calls = list(session.exec(select(Event).where(Event.kind == EventKind.call)))
        assert [(e.client_id, e.day, e.summary) for e in calls] == [
            (client.id, MONDAY, "Satisfecha, vuelve el lunes")
        ]
        done = session.get(Letter, call.id)
        assert done is not None and done.status == LetterStatus.sent


# --- from the command line ---------------------------------------------------------------


def _init(run: Run) -> None:
    run(
        "init", "--name", "Taller Ruiz", "--owner", "Marta Ruiz", "--sender",
        "marta@taller.example", "--locale", "es", "--holidays", "none",
    )  # fmt: skip
    run("clients", "add", "--name", "Laura Gómez", "--email", "laura@example.es")
    run("clients", "add", "--name", "Andrés Vidal", "--phone", "622 333 444")


def test_the_owner_lists_makes_and_closes_calls(run: Run, tmp_path: Path) -> None:
    _init(run)
    run(
        "events", "add", "1", "--kind", "queja", "--call", "--on", "2026-11-20",
        "--summary", "Le cobramos dos veces la factura",
        "--compensation", "le devolvemos el cargo duplicado",
    )  # fmt: skip
    refused = run(
        "events", "add", "2", "--kind", "compra", "--call", "--summary", "Un casco", code=1
    )
    assert "only a complaint can ask for a call" in refused.output
    daily = run("daily", "--date", "2026-11-23").output
    # Two picks (the quota is three): the call belongs to Laura's apology, Andrés has
    # no email, so his thank-you is a call too.
    assert "2 letter(s) drafted" in daily
    assert "Calls to make" in daily
    assert "☎ letter 2: Laura Gómez — apology: Llamada de disculpa a Laura Gómez" in daily
    assert "☎ letter 3: Andrés Vidal (622 333 444) — thank_you" in daily

    calls = json.loads(run("letters", "list", "--channel", "call", "--json").output)
    assert [(c["id"], c["kind"], c["channel"], c["call_for_id"]) for c in calls] == [
        (3, "thank_you", "call", None),
        (2, "apology", "call", 1),
    ]
    assert "Laura Gómez" in run("letters", "list", "--channel", "call").output
    assert "Laura Gómez" not in run("letters", "list", "--channel", "print").output
    assert "☎ letter 2: Laura Gómez" in run("pick", "--date", "2026-11-24").output
    assert "Le pido disculpas" in run("letters", "show", "2").output

    refused = run("letters", "mark-done", "2", code=1)
    assert "letter 2 is a call: say how it went in a few words" in refused.output
    assert "Traceback" not in refused.output
    done = run("letters", "mark-done", "2", "--outcome", "Contenta; vuelve el lunes").output
    assert "Call 2 is marked done" in done
    events = json.loads(run("events", "list", "--kind", "call", "--json").output)
    assert [(e["client_id"], e["summary"]) for e in events] == [(1, "Contenta; vuelve el lunes")]
    assert "☎ letter 2" not in run("pick", "--date", "2026-11-24").output


def test_the_pick_preview_says_which_picks_bring_a_call(run: Run) -> None:
    """Before the day is drafted, `pick` already tells the owner which picks will need
    the phone: an apology whose complaint asked for a call, a client with no email."""
    _init(run)
    run(
        "events", "add", "1", "--kind", "queja", "--call", "--on", "2026-11-20",
        "--summary", "Le cobramos dos veces la factura",
    )  # fmt: skip
    preview = run("pick", "--date", "2026-11-23").output
    assert "Laura Gómez — apology (and a call: asked for):" in preview
    assert "Andrés Vidal — thank_you (a call: no email address):" in preview
    picks = json.loads(run("pick", "--date", "2026-11-23", "--json").output)
    assert [(p["client_name"], p["channel"], p["with_call"]) for p in picks] == [
        ("Laura Gómez", "email", True), ("Andrés Vidal", "call", False),
    ]  # fmt: skip
    # What `daily` then drafts is what the preview said.
    run("daily", "--date", "2026-11-23")
    letters = json.loads(run("letters", "list", "--json").output)
    assert sorted((lt["client_id"], lt["channel"]) for lt in letters) == [
        (1, "call"), (1, "email"), (2, "call")
    ]  # fmt: skip


def test_a_call_asked_for_a_client_without_a_phone_says_what_to_add(run: Run) -> None:
    """Laura has only an email: the call is still a task, and the owner is told, when
    recording it and when reading it, that the number is missing and how to add it. The
    owner's note in the third person is flagged in the talking points too."""
    _init(run)
    added = run(
        "events", "add", "1", "--kind", "queja", "--call", "--on", "2026-11-20",
        "--summary", "Él esperó dos semanas por la bici",
    ).output  # fmt: skip
    assert "Laura Gómez has no phone number on record" in added
    assert "followup clients update 1 --phone" in added
    run("daily", "--date", "2026-11-23")
    calls = json.loads(run("letters", "list", "--channel", "call", "--json").output)
    call = next(c for c in calls if c["client_id"] == 1)
    shown = run("letters", "show", str(call["id"])).output
    assert "(no phone number on record: `followup clients update 1 --phone …`)" in shown
    assert "(phone )" not in shown
    assert [f["sentence"] for f in call["flags"]] == ["«Sé que él esperó dos semanas por la bici."]


def test_the_outbox_never_sends_a_call_task(run: Run, tmp_path: Path) -> None:
    _init(run)
    run(
        "events", "add", "1", "--kind", "complaint", "--call", "--on", "2026-11-20",
        "--summary", "Le cobramos dos veces la factura",
    )  # fmt: skip
    run("daily", "--date", "2026-11-23")
    run("letters", "approve", "1", "2", "3")
    run("send", "--date", "2026-11-23")
    sent = list((tmp_path / "outbox" / "new").iterdir())
    assert len(sent) == 1 and b"laura@example.es" in sent[0].read_bytes()
    statuses = {
        lt["id"]: lt["status"] for lt in json.loads(run("letters", "list", "--json").output)
    }
    assert statuses == {1: "sent", 2: "approved", 3: "approved"}


def test_an_events_file_asks_for_a_call_with_yes_or_si(run: Run, tmp_path: Path) -> None:
    _init(run)
    csv = tmp_path / "events.csv"
    csv.write_text(
        "cliente;tipo;fecha;resumen;llamada\n"
        "1;queja;20/11/2026;Le cobramos dos veces la factura;sí\n"
        "2;queja;20/11/2026;Le cambiamos la cubierta equivocada;\n"
        "2;queja;21/11/2026;Le perdimos el recibo;quizá\n",
        encoding="utf-8",
    )
    report = run("events", "import", str(csv), code=1).output
    assert "row 4, column llamada: not a yes or no" in report
    run("daily", "--date", "2026-11-23")
    letters = json.loads(run("letters", "list", "--json").output)
    assert sorted((lt["client_id"], lt["channel"]) for lt in letters) == [
        (1, "call"), (1, "email"), (2, "call")
    ]  # fmt: skip


@pytest.mark.parametrize("tlocale", TEMPLATE_LOCALES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_letter_has_talking_points_for_a_client_with_no_email(
    kind: str, tlocale: str
) -> None:
    """A phone-only client gets any letter as a call, the closing note of a guarantee
    included: each kind renders its talking points in each language, with no email words."""
    for context in sample_contexts(kind, tlocale):
        points = render_call(kind, tlocale, context)
        assert points.subject and context["client"].name in points.text
        lowered = points.text.lower()
        for word in ("correo", "email", "e-mail", "responda", "reply"):
            assert word not in lowered, (kind, tlocale, word)
