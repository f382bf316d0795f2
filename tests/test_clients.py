"""CSV import and export of clients and events, against a real SQLite file per test."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import col, func, select

from followup.db import read_session, write_session
from followup.models import Client, ClientStatus, Event
from followup.spreadsheets.clients import export_clients, import_clients, parse_csv
from followup.spreadsheets.events import import_events
from followup.spreadsheets.reading import CsvFormatError
from followup.spreadsheets.reports import ImportReport, Progress
from tests.factories import NOW, make_business

DATA = Path(__file__).parent / "data"


def load(
    engine: Engine,
    business_id: int,
    data: bytes,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    return import_clients(engine, business_id, data, NOW, dry_run=dry_run, progress=progress)


def load_events(
    engine: Engine, business_id: int, data: bytes, *, progress: Progress | None = None
) -> ImportReport:
    return import_events(engine, business_id, data, NOW, progress=progress)


def clients(engine: Engine, business_id: int) -> list[Client]:
    with read_session(engine) as session:
        query = select(Client).where(Client.business_id == business_id).order_by(col(Client.id))
        return list(session.exec(query))


def by_email(engine: Engine, business_id: int) -> dict[str | None, Client]:
    return {c.email: c for c in clients(engine, business_id)}


def where(report: ImportReport) -> list[tuple[int, str | None]]:
    return [(p.row, p.column) for p in report.problems]


def counts(report: ImportReport) -> tuple[int, int, int, int]:
    return report.created, report.updated, report.unchanged, report.rejected


SPANISH = (DATA / "clients_es.csv").read_bytes()
MESSY = (DATA / "clients_messy_en.csv").read_bytes()
EVENTS = (DATA / "events_es.csv").read_bytes()


# Clients: the shared sample files


def test_spanish_file_imports_thirty_clients_with_accents(engine: Engine, business_id: int) -> None:
    report = load(engine, business_id, SPANISH)

    assert counts(report) == (30, 0, 0, 0)
    assert report.ok
    assert report.rows == 30
    assert report.warnings == []
    oscar = by_email(engine, business_id)["omunoz13@example.es"]
    assert oscar.name == "Óscar Muñoz Muñoz"
    assert oscar.company == "Colegio San Marcos"
    assert oscar.phone == "+34 698 458 708"
    assert oscar.locale == "es"
    assert oscar.tags == "vip"
    assert oscar.external_ref == "C-1013"
    assert by_email(engine, business_id)["rsanchez5@example.es"].tags == "particular,vip"


def test_messy_file_keeps_valid_rows_and_reports_the_rest_by_row_and_column(
    engine: Engine, business_id: int
) -> None:
    report = load(engine, business_id, MESSY)

    assert where(report) == [(3, "name"), (4, "email"), (5, "email")]
    assert "row 2" in report.problems[2].message
    assert report.problems[1].value == "not-an-email"
    assert counts(report) == (3, 0, 0, 3)
    assert [(w.row, w.column) for w in report.warnings] == [(6, "name")]
    saved = by_email(engine, business_id)
    assert set(saved) == {"peter.lang@example.com", "line.break@example.com", "grace@example.com"}
    assert saved["peter.lang@example.com"].phone == "+44 20 7946 0018"
    assert saved["line.break@example.com"].name == "Line Break"
    assert all("\n" not in c.name and "\r" not in c.name for c in saved.values())
    # HTML is stored as written: it is escaped on every page, never stripped.
    assert saved["grace@example.com"].company == "Navy & Co <b>bold</b>"


def test_windows_1252_file_with_semicolons_and_spanish_headers(
    engine: Engine, business_id: int
) -> None:
    text = (
        "Nombre;Correo;Teléfono;Notas\r\n"
        "José Muñoz;Jose.Munoz@Example.es;600 111 222;Pagó 30 € en señal\r\n"
        "Begoña Ibáñez;;600 333 444;«urgente»\r\n"
    )
    data = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    report = load(engine, business_id, data)

    assert counts(report) == (2, 0, 0, 0)
    saved = by_email(engine, business_id)
    assert saved["jose.munoz@example.es"].name == "José Muñoz"
    assert saved["jose.munoz@example.es"].notes == "Pagó 30 € en señal"
    assert saved[None].name == "Begoña Ibáñez"
    assert saved[None].notes == "«urgente»"


def test_bytes_undefined_in_windows_1252_are_read_as_latin_1() -> None:
    _, rows = parse_csv(b"name;email\nAna\x81\xf1;ana@example.es\n")
    assert rows == [(2, {"name": "Ana\x81ñ", "email": "ana@example.es"})]


def test_utf16_tab_separated_file_from_a_spreadsheet_is_read() -> None:
    data = "Name\tE-mail\nZoë\tzoe@example.com\n".encode("utf-16")
    headers, rows = parse_csv(data)
    assert headers == ["Name", "E-mail"]
    assert rows == [(2, {"name": "Zoë", "email": "zoe@example.com"})]


# Clients: headers and file-level errors


def test_headers_ignore_case_accents_and_spacing(engine: Engine, business_id: int) -> None:
    data = (
        " NOMBRE ;Correo Electronico;TELÉFONO;Tratamiento;IDIOMA;Referencia\n"
        "Lucía Gil;lucia@example.es;600;tú;ES;R-1\n"
    ).encode()

    report = load(engine, business_id, data)

    assert report.ok
    (lucia,) = clients(engine, business_id)
    assert (lucia.name, lucia.email, lucia.phone) == ("Lucía Gil", "lucia@example.es", "600")
    assert (lucia.form_of_address, lucia.locale, lucia.external_ref) == ("tu", "es", "R-1")


def test_unknown_column_is_one_warning_and_ignored(engine: Engine, business_id: int) -> None:
    data = b"name,email,shoe size\nAna,ana@example.com,38\nBea,bea@example.com,40\n"

    report = load(engine, business_id, data)

    assert report.created == 2
    assert report.ok
    assert [(w.row, w.column) for w in report.warnings] == [(1, "shoe size")]


def test_file_without_an_email_or_phone_column_is_a_format_error(
    engine: Engine, business_id: int
) -> None:
    with pytest.raises(CsvFormatError, match="no email or phone column"):
        load(engine, business_id, b"name,company\nAna,Taller\n")
    with pytest.raises(CsvFormatError, match="no name column"):
        load(engine, business_id, b"email\nana@example.com\n")
    assert clients(engine, business_id) == []


def test_two_columns_meaning_the_same_field_is_a_format_error(
    engine: Engine, business_id: int
) -> None:
    with pytest.raises(CsvFormatError, match="both mean email"):
        load(engine, business_id, b"name;email;correo\nAna;a@example.com;b@example.com\n")


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n \r\n", b";;;\n"])
def test_empty_file_is_a_format_error(engine: Engine, business_id: int, data: bytes) -> None:
    with pytest.raises(CsvFormatError, match="empty"):
        load(engine, business_id, data)


def test_binary_file_is_a_format_error(engine: Engine, business_id: int) -> None:
    with pytest.raises(CsvFormatError, match="save the spreadsheet as CSV"):
        load(engine, business_id, b"PK\x03\x04\x14\x00\x06\x00name,email")


def test_quote_left_open_is_a_format_error_naming_the_row(engine: Engine, business_id: int) -> None:
    data = b'name,email\nAna,ana@example.com\nBea,"bea@example.com\nCid,cid@example.com\n'
    with pytest.raises(CsvFormatError, match="row 3: a quoted cell is never closed"):
        load(engine, business_id, data)


def test_odd_quoting_inside_a_cell_is_read_leniently() -> None:
    _, rows = parse_csv(b'name,email\n"Ann" Lee,ann@example.com\nPeter "Pete" Lang,p@example.com\n')
    assert [values["name"] for _, values in rows] == ["Ann Lee", 'Peter "Pete" Lang']


def test_byte_order_mark_on_a_windows_1252_file_is_dropped() -> None:
    headers, rows = parse_csv(b"\xef\xbb\xbfnombre;correo\nMu\xf1oz;m@example.es\n")
    assert headers == ["nombre", "correo"]
    assert rows[0][1]["name"] == "Muñoz"


def test_header_only_file_imports_nothing(engine: Engine, business_id: int) -> None:
    report = load(engine, business_id, b"name,email\r\n")
    assert counts(report) == (0, 0, 0, 0)
    assert report.rows == 0


# Clients: rows


def test_row_numbers_are_spreadsheet_rows(engine: Engine, business_id: int) -> None:
    # A quoted cell over two lines is one spreadsheet row; a blank line is a row too.
    data = b'name,email\n"Ann\nLee",ann@example.com\n\nBob,not-an-email\n'

    report = load(engine, business_id, data)

    assert where(report) == [(4, "email")]
    assert [(w.row, w.column) for w in report.warnings] == [(2, "name")]


def test_phone_only_client_is_accepted_and_reimports_unchanged(
    engine: Engine, business_id: int
) -> None:
    data = "nombre;correo;teléfono\nPaco Gil;;+34 600 000 001\nSin Contacto;;\n".encode()

    first = load(engine, business_id, data)
    second = load(engine, business_id, data)

    assert where(first) == [(3, "correo")]
    assert "reachable" in first.problems[0].message
    assert counts(first) == (1, 0, 0, 1)
    assert counts(second) == (0, 0, 1, 1)
    (paco,) = clients(engine, business_id)
    assert (paco.email, paco.phone) == (None, "+34 600 000 001")


def test_email_is_normalised_to_lower_case_and_duplicates_ignore_case(
    engine: Engine, business_id: int
) -> None:
    data = b"name,email\nPeter,Peter.Lang@Example.COM\nPete,peter.lang@example.com\n"

    report = load(engine, business_id, data)

    assert where(report) == [(3, "email")]
    assert "row 2" in report.problems[0].message
    assert [c.email for c in clients(engine, business_id)] == ["peter.lang@example.com"]


def test_bad_locale_form_of_address_and_lengths_are_reported_by_column(
    engine: Engine, business_id: int
) -> None:
    long_name = "N" * 201
    data = (
        "name,email,locale,form_of_address,notes\n"
        "Ana,ana@example.com,fr,,\n"
        "Bea,bea@example.com,en,vos,\n"
        f"{long_name},cid@example.com,,,\n"
        f"Dani,dani@example.com,,,{'x' * 5001}\n"
        "Eva,eva@example.com,en-GB,usted,ok\n"
    ).encode()

    report = load(engine, business_id, data)

    assert where(report) == [(2, "locale"), (3, "form_of_address"), (4, "name"), (5, "notes")]
    assert report.created == 1
    (eva,) = clients(engine, business_id)
    assert (eva.locale, eva.form_of_address) == ("en", "usted")


def test_notes_keep_their_line_breaks(engine: Engine, business_id: int) -> None:
    data = b'name,email,notes\r\nAna,ana@example.com,"first line\r\nsecond line"\r\n'

    report = load(engine, business_id, data)

    assert report.warnings == []
    assert clients(engine, business_id)[0].notes == "first line\nsecond line"



def test_a_postal_address_keeps_its_lines_under_a_spanish_header(
    engine: Engine, business_id: int
) -> None:
    """A spreadsheet cell with line breaks (quoted in the CSV) is the address's lines; an
    export writes it the same way, and the file re-imports it unchanged."""
    seven = "\n".join(f"línea {n}" for n in range(1, 8))
    data = (
        "Nombre;Correo;Dirección\r\n"
        'Ana Ruiz;ana@example.com;"Calle Mayor 5, 2º B\r\n\r\n28013  Madrid\r\nEspaña"\r\n'
        f'Bea Gil;bea@example.com;"{seven}"\r\n'
        f"Ciro Paz;ciro@example.com;{'x' * 301}\r\n"
    ).encode()

    report = load(engine, business_id, data)

    assert report.warnings == []
    assert where(report) == [(3, "Dirección"), (4, "Dirección")]
    assert "7 lines" in report.problems[0].message
    assert "longer than 300 characters" in report.problems[1].message
    (ana,) = clients(engine, business_id)
    assert ana.address == "Calle Mayor 5, 2º B\n28013 Madrid\nEspaña"
    out = io.StringIO()
    with read_session(engine) as session:
        export_clients(session, business_id, out)
    assert '"Calle Mayor 5, 2º B\n28013 Madrid\nEspaña"' in out.getvalue()
    assert counts(load(engine, business_id, out.getvalue().encode())) == (0, 0, 1, 0)
    fresh = make_business(engine, name="Copia").id
    assert fresh is not None
    load(engine, fresh, out.getvalue().encode())
    assert clients(engine, fresh)[0].address == ana.address


@pytest.mark.parametrize("header", ["address", "Domicilio", "direccion", "Dirección postal"])
def test_the_address_column_is_named_in_english_or_spanish(header: str) -> None:
    _, rows = parse_csv(f"name,email,{header}\nAna,ana@example.com,Calle Sol 1\n".encode())
    assert rows == [(2, {"name": "Ana", "email": "ana@example.com", "address": "Calle Sol 1"})]


# Clients: upsert


def test_reimport_is_idempotent_and_updates_a_changed_phone(
    engine: Engine, business_id: int
) -> None:
    load(engine, business_id, SPANISH)

    again = load(engine, business_id, SPANISH)
    changed = load(engine, business_id, SPANISH.replace(b"+34 693 149 174", b"+34 611 222 333"))

    assert counts(again) == (0, 0, 30, 0)
    assert counts(changed) == (0, 1, 29, 0)
    assert len(clients(engine, business_id)) == 30
    assert by_email(engine, business_id)["lsanchez0@example.es"].phone == "+34 611 222 333"


def test_external_reference_wins_over_email(engine: Engine, business_id: int) -> None:
    load(
        engine,
        business_id,
        b"name,email,ref\nAna Gil,ana@example.com,R-1\nBea,bea@example.com,R-2\n",
    )

    moved = load(engine, business_id, b"name,email,ref\nAna Gil,ana.gil@example.com,R-1\n")
    taken = load(engine, business_id, b"name,email,ref\nAna Gil,bea@example.com,R-1\n")

    assert counts(moved) == (0, 1, 0, 0)
    assert where(taken) == [(2, "email")]
    assert [(c.external_ref, c.email) for c in clients(engine, business_id)] == [
        ("R-1", "ana.gil@example.com"),
        ("R-2", "bea@example.com"),
    ]


def test_email_of_a_client_with_another_reference_is_a_conflict(
    engine: Engine, business_id: int
) -> None:
    load(engine, business_id, b"name,email,ref\nAna,ana@example.com,R-1\n")

    report = load(engine, business_id, b"name,email,ref\nAna,ana@example.com,R-9\n")

    assert where(report) == [(2, "ref")]
    assert "R-1" in report.problems[0].message


def test_two_rows_resolving_to_one_existing_client_keep_the_first(
    engine: Engine, business_id: int
) -> None:
    load(engine, business_id, b"name,email,ref\nAna,ana@example.com,R-1\n")

    report = load(
        engine, business_id, b"name,email,ref\nAna,ana@example.com,\nAnita,anita@example.com,R-1\n"
    )

    assert where(report) == [(3, "ref")]
    assert "row 2" in report.problems[0].message
    assert [(c.name, c.email) for c in clients(engine, business_id)] == [("Ana", "ana@example.com")]


def test_emails_passed_along_between_clients_in_one_file(engine: Engine, business_id: int) -> None:
    load(engine, business_id, b"name,email,ref\nAna,a@example.com,R-1\nBea,b@example.com,R-2\n")

    # Bea gives up b@ first; Ana (a lower id) takes it in a later row.
    data = b"name,email,ref\nBea,x@example.com,R-2\nAna,b@example.com,R-1\n"
    report = load(engine, business_id, data)

    assert counts(report) == (0, 2, 0, 0)
    assert [c.email for c in clients(engine, business_id)] == ["b@example.com", "x@example.com"]


def test_empty_cells_never_erase_and_do_not_contact_is_never_cleared(
    engine: Engine, business_id: int
) -> None:
    load(engine, business_id, b"name,email,phone,do_not_contact\nAna,ana@example.com,600,yes\n")

    report = load(
        engine, business_id, b"name,email,phone,do_not_contact\nAna,ana@example.com,,no\n"
    )

    assert counts(report) == (0, 0, 1, 0)
    (ana,) = clients(engine, business_id)
    assert (ana.phone, ana.do_not_contact, ana.do_not_contact_reason) == ("600", True, "owner")


def test_dry_run_reports_but_writes_nothing(engine: Engine, business_id: int) -> None:
    first = load(engine, business_id, SPANISH, dry_run=True)
    assert counts(first) == (30, 0, 0, 0)
    assert clients(engine, business_id) == []

    load(engine, business_id, SPANISH)
    changed = SPANISH.replace(b"+34 693 149 174", b"+34 611 222 333") + b"Nueva;n@example.es\n"
    second = load(engine, business_id, changed, dry_run=True)

    assert counts(second) == (1, 1, 29, 0)
    assert len(clients(engine, business_id)) == 30
    assert by_email(engine, business_id)["lsanchez0@example.es"].phone == "+34 693 149 174"


def test_clients_of_another_business_are_never_touched(engine: Engine, business_id: int) -> None:
    other = make_business(engine, name="Otra").id
    assert other is not None
    load(engine, other, SPANISH)

    report = load(engine, business_id, SPANISH)

    assert report.created == 30
    assert len(clients(engine, other)) == 30


def test_unknown_business_is_a_lookup_error(engine: Engine) -> None:
    with pytest.raises(LookupError):
        load(engine, 999, SPANISH)


# Export


def test_export_reimports_as_all_unchanged(engine: Engine, business_id: int) -> None:
    load(engine, business_id, SPANISH)
    load(engine, business_id, MESSY)
    load(engine, business_id, "name,phone,email\nSolo Teléfono,600 1,\n".encode())
    with write_session(engine) as session:
        ana = session.exec(select(Client).where(Client.email == "lsanchez0@example.es")).one()
        ana.notes = "Prefiere llamadas.\nCliente desde 2019; \"muy\" puntual"
        ana.address = "Calle Mayor 5, 2º \"B\"\n28013 Madrid\nEspaña"
        ana.form_of_address = "tu"
        ana.do_not_contact = True
    out = io.StringIO()
    with read_session(engine) as session:
        written = export_clients(session, business_id, out)

    report = load(engine, business_id, out.getvalue().encode())

    assert written == 34
    assert out.getvalue().splitlines()[0] == (
        "name,greeting,email,phone,company,address,locale,form_of_address,tags,notes,"
        "external_id,status,do_not_contact"
    )
    assert counts(report) == (0, 0, 34, 0)
    assert report.warnings == []
    # The same file restores the clients into an empty business.
    fresh = make_business(engine, name="Copia").id
    assert fresh is not None
    assert counts(load(engine, fresh, out.getvalue().encode())) == (34, 0, 0, 0)
    copy = by_email(engine, fresh)["lsanchez0@example.es"]
    assert (copy.notes, copy.form_of_address, copy.do_not_contact) == (ana.notes, "tu", True)
    assert copy.address == ana.address


# Events


def test_events_file_after_the_clients(engine: Engine, business_id: int) -> None:
    load(engine, business_id, SPANISH)

    report = load_events(engine, business_id, EVENTS)
    again = load_events(engine, business_id, EVENTS)

    assert counts(report) == (23, 0, 0, 0)
    assert counts(again) == (0, 0, 23, 0)
    saved = by_email(engine, business_id)
    assert saved["rdominguez12@example.es"].status == ClientStatus.lost
    assert saved["lfernandez15@example.es"].status == ClientStatus.recovered
    assert saved["lsanchez0@example.es"].status == ClientStatus.active
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(Event)).one() == 23
        complaint = session.exec(select(Event).where(Event.kind == "complaint")).first()
        assert complaint is not None
        assert complaint.day == date(2026, 11, 18)


def test_event_rows_with_problems_are_reported_and_valid_rows_kept(
    engine: Engine, business_id: int
) -> None:
    load(engine, business_id, SPANISH)
    data = (
        b"client,kind,date,summary,amount\n"
        b"nobody@example.es,purchase,2026-11-04,Casco,\n"
        b"lsanchez0@example.es,gift,2026-11-04,Casco,\n"
        b"lsanchez0@example.es,purchase,2026-02-30,Casco,\n"
        b"lsanchez0@example.es,purchase,2026-11-04,,\n"
        b"lsanchez0@example.es,purchase,2026-11-04,Casco,lots\n"
        b"lsanchez0@example.es,purchase,2026-11-04,Casco y luces,59.90\n"
    )

    report = load_events(engine, business_id, data)

    assert where(report) == [
        (2, "client"), (3, "kind"), (4, "date"), (5, "summary"), (6, "amount"),
    ]  # fmt: skip
    assert counts(report) == (1, 0, 0, 5)
    with read_session(engine) as session:
        (event,) = session.exec(select(Event))
    assert (event.summary, event.amount) == ("Casco y luces", "59.90")


def test_event_client_written_in_unusual_digits_is_just_unknown(
    engine: Engine, business_id: int
) -> None:
    load(engine, business_id, SPANISH)
    data = "client,kind,date,summary\n²,purchase,2026-11-04,Casco\n".encode()

    report = load_events(engine, business_id, data)

    assert where(report) == [(2, "client")]


def test_events_with_spanish_headers_and_kind_names(engine: Engine, business_id: int) -> None:
    load(engine, business_id, SPANISH)
    laura_id = by_email(engine, business_id)["lsanchez0@example.es"].id
    data = (
        "Cliente;Tipo;Fecha;Resumen;Artículo;Importe;Compensación\n"
        "C-1000;Compra;04/11/2026;Casco y luces;Casco Abus;59,90 €;\n"
        f"{laura_id};Reclamación;5/11/2026;Luz defectuosa;;;Luz nueva gratis\n"
        "C-1001;perdido;2026-11-06;Se fue a otro taller;;;\n"
        "C-1001;RECUPERADO;2026-11-20;Volvió;;;\n"
        "dgil1@example.es;llamada;2026-11-21;Llamada de seguimiento;;;\n"
    ).encode("cp1252")

    report = load_events(engine, business_id, data)

    assert counts(report) == (5, 0, 0, 0)
    with read_session(engine) as session:
        events = list(session.exec(select(Event).order_by(col(Event.id))))
    assert [e.kind for e in events] == ["purchase", "complaint", "lost", "recovered", "call"]
    assert (events[0].day, events[0].item, events[0].amount) == (
        date(2026, 11, 4), "Casco Abus", "59.90",
    )  # fmt: skip
    assert events[1].compensation == "Luz nueva gratis"
    diego = by_email(engine, business_id)["dgil1@example.es"]
    assert diego.status == ClientStatus.recovered
    assert diego.last_contacted_on == date(2026, 11, 21)


def test_events_file_without_a_kind_column_is_a_format_error(
    engine: Engine, business_id: int
) -> None:
    with pytest.raises(CsvFormatError, match="no kind column"):
        load_events(engine, business_id, b"client,date,summary\nC-1000,2026-11-04,Casco\n")


# Progress and volume


def test_progress_is_called_and_sums_to_the_row_count(engine: Engine, business_id: int) -> None:
    rows = "".join(f"Cliente {n},c{n}@example.es\n" for n in range(250))
    calls: list[int] = []

    report = load(engine, business_id, f"name,email\n{rows}".encode(), progress=calls.append)
    events = "".join(f"c{n}@example.es,purchase,2026-11-04,Pedido {n}\n" for n in range(120))
    event_calls: list[int] = []
    event_report = load_events(
        engine,
        business_id,
        f"client,kind,date,summary\n{events}".encode(),
        progress=event_calls.append,
    )

    assert len(calls) > 1
    assert sum(calls) == report.rows == 250
    assert sum(event_calls) == event_report.rows == 120


def test_two_thousand_generated_rows(engine: Engine, business_id: int) -> None:
    rows = "".join(
        f"Cliente {n};cliente{n}@example.es;+34 600 {n:06d};Empresa {n % 7};es;vip;;R-{n}\n"
        for n in range(2000)
    )
    data = f"nombre;correo;teléfono;empresa;idioma;etiquetas;notas;referencia\n{rows}".encode()

    first = load(engine, business_id, data)
    second = load(engine, business_id, data)

    assert counts(first) == (2000, 0, 0, 0)
    assert counts(second) == (0, 0, 2000, 0)
    assert len(clients(engine, business_id)) == 2000


# Property: a line break in a name never survives


_counter = itertools.count()
_word = st.text(alphabet=st.characters(categories=("L", "N")), min_size=1, max_size=12)


# One database for all examples (each uses a fresh email), hence the fixture health check.
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(_word, min_size=2, max_size=5),
    breaks=st.lists(st.sampled_from(["\n", "\r\n", "\r", " \n ", "\n\n", "\u2028"]), min_size=4),
)
def test_names_with_line_breaks_are_stored_on_one_line(
    engine: Engine, business_id: int, words: list[str], breaks: list[str]
) -> None:
    name = words[0] + "".join(b + w for b, w in zip(breaks, words[1:], strict=False))
    email = f"p{next(_counter)}@example.com"
    out = io.StringIO()
    csv.writer(out).writerows([["name", "email"], [name, email]])

    report = load(engine, business_id, out.getvalue().encode())

    assert report.ok, report.problems
    stored = by_email(engine, business_id)[email].name
    assert not any(ch in stored for ch in "\r\n\u2028")
    assert stored == " ".join(words)
