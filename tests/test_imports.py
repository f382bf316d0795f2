"""Imports an owner can trust with any file: encodings never guessed silently, and large
files streamed and saved in chunks (DESIGN §7 "CSV import", §8 "Bad input")."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
import tracemalloc
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from followup.db import read_session
from followup.models import Client
from followup.spreadsheets.clients import export_clients, import_clients
from followup.spreadsheets.events import import_events
from followup.spreadsheets.reading import CsvFormatError
from followup.spreadsheets.reports import ImportReport
from tests.conftest import Run
from tests.factories import NOW, ClientMaker, make_business

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["José Muñoz", "Begoña Ibáñez", "Lucía Pérez", "Óscar Gómez", "Iñaki Ortuño"]


def spanish_clients(count: int = 20) -> str:
    """A Spanish client list as a spreadsheet saves it: every name accented."""
    rows = [
        f"{NAMES[n % len(NAMES)]} {n};c{n}@example.es;+34 600 000 {n:03d};R-{n}\n"
        for n in range(count)
    ]
    return "nombre;correo;teléfono;referencia\n" + "".join(rows)


def numbered_clients(count: int) -> bytes:
    """Rows 2 to count + 1: Cliente n, cn@example.es, reference R-n."""
    rows = "".join(f"Cliente {n},c{n}@example.es,R-{n}\n" for n in range(count))
    return f"name,email,ref\n{rows}".encode()


def names(engine: Engine, business_id: int) -> list[str]:
    with read_session(engine) as session:
        query = select(Client.name).where(Client.business_id == business_id)
        return list(session.exec(query.order_by(col(Client.id))))


def counts(report: ImportReport) -> tuple[int, int, int, int]:
    return report.created, report.updated, report.unchanged, report.rejected


def start_business(run: Run) -> None:
    run("init", "--name", "Taller", "--owner", "Marta Ruiz", "--sender", "marta@taller.example")


def run_json(run: Run, *args: str, **kwargs: Any) -> list[dict[str, object]]:
    result = json.loads(run(*args, **kwargs).output)
    assert isinstance(result, list)
    return result


# Encodings: never guessed silently


def test_a_stray_byte_in_a_utf8_file_costs_its_row_not_every_accented_name(
    engine: Engine, business_id: int
) -> None:
    good = spanish_clients().encode()
    load = import_clients(engine, business_id, good, NOW)
    # One byte of rubbish in row 6's name: the rest of the file is plain UTF-8.
    spoilt = good.replace("Lucía Pérez 2".encode(), b"Luc\x81a P\xc3\xa9rez 2")
    assert spoilt != good

    again = import_clients(engine, business_id, spoilt, NOW)

    assert counts(load) == (20, 0, 0, 0)
    assert counts(again) == (0, 0, 19, 1)
    assert again.encoding == "UTF-8"
    (problem,) = again.problems
    assert (problem.row, problem.column) == (4, "nombre")
    assert "CSV UTF-8" in problem.message
    assert names(engine, business_id)[:5] == [f"{NAMES[n]} {n}" for n in range(5)]


def test_a_utf8_file_cut_in_the_middle_of_a_character_keeps_its_accents(
    engine: Engine, business_id: int
) -> None:
    data = (spanish_clients() + "Begoña Sanz;bego@example.es;600;R-99\nNuria Ibáñez").encode()
    cut = data[: data.rindex("á".encode()) + 1]  # the first of the two bytes of "á"

    report = import_clients(engine, business_id, cut, NOW)

    assert (report.encoding, report.unreadable) == ("UTF-8", 1)
    assert counts(report) == (21, 0, 0, 1)
    assert [(p.row, p.column) for p in report.problems] == [(23, "nombre")]
    stored = names(engine, business_id)
    assert "Begoña Sanz" in stored and "José Muñoz 0" in stored
    assert not any("Ã" in name for name in stored)


def test_the_report_says_which_encoding_the_file_was_read_as(run: Run, tmp_path: Path) -> None:
    start_business(run)
    (tmp_path / "utf8.csv").write_text(spanish_clients(), encoding="utf-8")
    (tmp_path / "ansi.csv").write_text(spanish_clients(), encoding="cp1252")

    utf8 = run("clients", "import", "utf8.csv").output
    ansi = run("clients", "import", "ansi.csv").output

    assert "20 new" in utf8 and "read as UTF-8" in utf8
    assert "20 unchanged" in ansi and "read as Windows-1252" in ansi


def test_a_reimport_that_changes_names_says_how_many_with_examples_before_writing(
    run: Run, tmp_path: Path
) -> None:
    start_business(run)
    (tmp_path / "clients.csv").write_text(spanish_clients(5), encoding="utf-8")
    run("clients", "import", "clients.csv")
    # The same list opened as Windows-1252 and saved again as UTF-8: valid, and garbled.
    garbled = spanish_clients(5).encode().decode("cp1252")
    (tmp_path / "garbled.csv").write_text(garbled, encoding="utf-8")

    dry = run("clients", "import", "--dry-run", "garbled.csv").output
    kept = [c["name"] for c in run_json(run, "clients", "list", "--json")]
    real = run("clients", "import", "garbled.csv").output

    assert "5 names would change, e.g. 'José Muñoz 0' → 'JosÃ© MuÃ±oz 0'" in dry
    assert "Would import clients: 0 new, 5 updated" in dry
    assert kept == [f"{NAMES[n]} {n}" for n in range(5)]
    assert "5 names changed, e.g. 'José Muñoz 0' → 'JosÃ© MuÃ±oz 0'" in real


# Files at scale


def test_a_header_of_more_than_200_columns_is_refused_in_one_message(
    run: Run, tmp_path: Path
) -> None:
    start_business(run)
    header = ",".join(["name", "email", *(f"extra {n}" for n in range(199))])
    (tmp_path / "wide.csv").write_text(f"{header}\nAna,ana@example.es\n", encoding="utf-8")

    result = run("clients", "import", "wide.csv", code=2)

    assert "the first row has 201 columns" in result.output
    assert "note:" not in result.output
    assert run_json(run, "clients", "list", "--json") == []


def test_a_header_that_is_one_huge_line_is_refused_without_reading_it_whole(
    engine: Engine, business_id: int, tmp_path: Path
) -> None:
    path = tmp_path / "huge.csv"
    path.write_bytes(b"name,email," + b"x," * 6_000_000 + b"\nAna,ana@example.es\n")
    tracemalloc.start()
    try:
        with pytest.raises(CsvFormatError, match=r"more than .* columns"):
            import_clients(engine, business_id, path, NOW)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 16_000_000  # the file is 12 MB: it was never held, let alone split


def test_an_import_commits_each_chunk_so_another_writer_gets_the_lock_meanwhile(
    engine: Engine, business_id: int
) -> None:
    database = engine.url.database
    assert database is not None
    seen: list[int] = []

    def other_writer(rows_checked: int) -> None:
        # What a `followup tick` does meanwhile: it must get the lock at once, not fail.
        with closing(sqlite3.connect(database, timeout=0, isolation_level=None)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            seen.append(conn.execute("SELECT count(*) FROM client").fetchone()[0])
            if len(seen) == 2:  # the owner adds the client of row 302 by hand meanwhile
                conn.execute(
                    "INSERT INTO client (business_id, name, company, email, phone, tags, notes,"
                    " status, do_not_contact, created_at) VALUES (?, 'Cliente 300', '',"
                    " 'c300@example.es', '', '', '', 'active', 0, '2026-11-23 07:00:00')",
                    (business_id,),
                )
            conn.execute("COMMIT")

    data = numbered_clients(350) + b"Otro,c5@example.es,\n"  # row 352: a duplicate of row 7

    report = import_clients(engine, business_id, data, NOW, progress=other_writer, chunk_rows=100)

    assert seen == [0, 100, 201, 350]  # the chunks done, as each next one is checked
    assert counts(report) == (349, 1, 0, 1)  # row 302 completed the added client
    assert [(p.row, p.column) for p in report.problems] == [(352, "email")]
    assert "duplicate of row 7" in report.problems[0].message
    assert len(names(engine, business_id)) == 350


class Stopped(Exception):
    """The import's process dies half-way (a crash, a kill, a full disk)."""


def test_an_import_stopped_half_way_keeps_what_it_saved_and_running_it_again_finishes(
    any_engine: Engine, business_id: int
) -> None:
    data = numbered_clients(250)
    calls: list[int] = []

    def stop_in_the_second_chunk(rows_checked: int) -> None:
        calls.append(rows_checked)
        if len(calls) == 2:
            raise Stopped

    with pytest.raises(Stopped):
        import_clients(
            any_engine, business_id, data, NOW, progress=stop_in_the_second_chunk, chunk_rows=100
        )
    saved = len(names(any_engine, business_id))
    # Meanwhile the owner corrected a name in the file, in a chunk already saved.
    data = data.replace(b"Cliente 5,", b"Cliente Cinco,")
    dry = import_clients(any_engine, business_id, data, NOW, dry_run=True, chunk_rows=100)
    after_dry = len(names(any_engine, business_id))
    again = import_clients(any_engine, business_id, data, NOW, chunk_rows=100)
    third = import_clients(any_engine, business_id, data, NOW, chunk_rows=100)

    assert saved == after_dry == 100
    assert counts(dry) == counts(again) == (150, 1, 99, 0)
    assert dry.renames == again.renames == [("Cliente 5", "Cliente Cinco")]
    assert counts(third) == (0, 0, 250, 0)
    stored = names(any_engine, business_id)
    assert stored == [f"Cliente {n}" if n != 5 else "Cliente Cinco" for n in range(250)]


@pytest.mark.slow
def test_the_benchmark_runs_and_reports_speed_and_memory() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "import_clients.py"), "500"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )

    lines = result.stdout.splitlines()
    assert re.fullmatch(r"rows: 500 \(\d+\.\d MB file\)", lines[0])
    figures = r"in \d+\.\d\d s, \d+ rows/s, peak memory \d+ MB"
    assert re.fullmatch(rf"first import: 500 new, 0 unchanged {figures}", lines[1])
    assert re.fullmatch(rf"re-import: 0 new, 500 unchanged {figures}", lines[2])
    assert len(lines) == 3


# Rows wider than the header: a delimiter inside a cell, never dropped silently


def test_a_row_with_more_cells_than_the_header_is_rejected_and_says_why(
    run: Run, tmp_path: Path
) -> None:
    start_business(run)
    (tmp_path / "clients.csv").write_text(
        "nombre;correo;teléfono;notas\n"
        "Ana Gil;ana@example.es;600 111 222;Nota;columna extra;otra más\n"
        "Bea Sanz;bea@example.es;600 333 444;Buena clienta\n",
        encoding="utf-8",
    )

    result = run("clients", "import", "clients.csv", code=1)

    assert "rejected: row 2: 6 cells, but the header (row 1) names 4 columns" in result.output
    assert "a ';' inside a cell without quotes around it" in result.output
    assert "'columna extra;otra más'" in result.output
    assert "values in columns without a header" not in result.output
    listed = run_json(run, "clients", "list", "--json")
    assert [c["name"] for c in listed] == ["Bea Sanz"]


def test_a_wide_row_is_one_problem_and_trailing_empty_cells_are_not_wide(
    any_engine: Engine, business_id: int
) -> None:
    data = (
        "nombre;correo;teléfono;notas\n"
        "Ana Gil;no-es-un-correo;600 111 222;Nota;columna extra\n"  # wide: only that is said
        "Bea Sanz;bea@example.es;600 333 444;Buena clienta;;\n"  # padded by the spreadsheet
        "Cid Ruiz;cid@example.es;600 555 666;Nota, con coma\n"
    ).encode()

    report = import_clients(any_engine, business_id, data, NOW)

    assert counts(report) == (2, 0, 0, 1)
    (problem,) = report.problems
    assert (problem.row, problem.column) == (2, None)
    assert problem.message.startswith("5 cells, but the header (row 1) names 4 columns")
    assert problem.value == "columna extra"
    assert names(any_engine, business_id) == ["Bea Sanz", "Cid Ruiz"]


def test_an_events_row_with_more_cells_than_the_header_is_rejected_by_row(
    any_engine: Engine, business_id: int
) -> None:
    import_clients(any_engine, business_id, b"name,email,ref\nAna,ana@example.es,C-1\n", NOW)
    data = (
        b"client,kind,date,summary\n"
        b"C-1,purchase,2026-11-04,Casco, luces y candado\n"
        b'C-1,purchase,2026-11-05,"Casco, luces y candado"\n'
    )

    report = import_events(any_engine, business_id, data, NOW)

    assert counts(report) == (1, 0, 0, 1)
    assert [(p.row, p.column) for p in report.problems] == [(2, None)]
    assert "a ',' inside a cell without quotes around it" in report.problems[0].message


# Clients reached by phone only


def test_a_file_with_phones_and_no_email_column_imports_and_reimports_unchanged(
    any_engine: Engine, business_id: int
) -> None:
    data = (
        "nombre;teléfono;referencia\n"
        "Paco Gil;+34 600 000 001;R-1\n"
        "Lola Ruiz;+34 600 000 002;\n"
        "Sin Contacto;;\n"
    ).encode()

    first = import_clients(any_engine, business_id, data, NOW)
    second = import_clients(any_engine, business_id, data, NOW)
    # Paco is known by his reference, Lola by her name and phone.
    moved = data.replace(b"+34 600 000 001", b"+34 611 000 001")
    third = import_clients(any_engine, business_id, moved, NOW)

    assert counts(first) == (2, 0, 0, 1)
    assert [(p.row, p.column) for p in first.problems] == [(4, "email")]
    assert "no email and no phone" in first.problems[0].message
    assert counts(second) == (0, 0, 2, 1)
    assert counts(third) == (0, 1, 1, 1)
    with read_session(any_engine) as session:
        stored = session.exec(select(Client).order_by(col(Client.id))).all()
        assert [(c.name, c.email, c.phone, c.external_ref) for c in stored] == [
            ("Paco Gil", None, "+34 611 000 001", "R-1"),
            ("Lola Ruiz", None, "+34 600 000 002", None),
        ]


def test_phone_only_clients_through_the_command_and_a_file_with_no_contact_column(
    run: Run, tmp_path: Path
) -> None:
    start_business(run)
    (tmp_path / "phones.csv").write_text(
        "Nombre;Móvil\nPaco Gil;600 000 001\nLola Ruiz;600 000 002\n", encoding="utf-8"
    )
    (tmp_path / "names.csv").write_text("nombre;empresa\nAna;Taller\n", encoding="utf-8")

    first = run("clients", "import", "phones.csv").output
    second = run("clients", "import", "phones.csv").output
    refused = run("clients", "import", "names.csv", code=2).output

    assert "Imported clients: 2 new, 0 updated, 0 unchanged" in first
    assert "Imported clients: 0 new, 0 updated, 2 unchanged" in second
    assert "no email or phone column" in refused
    listed = run_json(run, "clients", "list", "--json")
    assert [(c["name"], c["email"], c["phone"]) for c in listed] == [
        ("Paco Gil", None, "600 000 001"),
        ("Lola Ruiz", None, "600 000 002"),
    ]


# A dry run says so


def test_a_dry_run_says_plainly_that_nothing_was_written(run: Run, tmp_path: Path) -> None:
    start_business(run)
    (tmp_path / "good.csv").write_text(spanish_clients(3), encoding="utf-8")
    (tmp_path / "mixed.csv").write_text(
        spanish_clients(2) + "Sin Correo;no-es-un-correo;;\n", encoding="utf-8"
    )

    good = run("clients", "import", "--dry-run", "good.csv").output
    mixed = run("clients", "import", "--dry-run", "mixed.csv", code=1).output
    real = run("clients", "import", "good.csv").output

    assert good.splitlines()[-1] == "Dry run: nothing was written."
    assert mixed.splitlines()[-1].endswith("Dry run: nothing was written.")
    assert "1 row(s) would be rejected" in mixed
    assert "were kept" not in mixed
    assert "Dry run" not in real
    assert "Imported clients: 3 new" in real


# Export: formulas neutralised, and what a spreadsheet shows re-imports exactly


def _client_fields(engine: Engine, business_id: int) -> list[dict[str, object]]:
    kept = ("id", "business_id", "created_at")
    with read_session(engine) as session:
        query = select(Client).where(Client.business_id == business_id)
        return [
            {k: v for k, v in c.model_dump().items() if k not in kept}
            for c in session.exec(query.order_by(col(Client.id)))
        ]


def test_export_neutralises_formulas_and_round_trips_exactly(
    any_engine: Engine, business_id: int, make_client: ClientMaker
) -> None:
    make_client('=HYPERLINK("http://x.example","pulsa")', phone="+34 600 111 222", notes="@ojo")
    make_client("-Ana-", greeting="+Ana", company="'=no es una fórmula", tags="-vip", email=None,
                phone="-600", external_ref="@R-2")  # fmt: skip
    make_client("Tab", notes="\tsangrado", email="tab@example.es")
    out = io.StringIO()
    with read_session(any_engine) as session:
        export_clients(session, business_id, out)
    copy = make_business(any_engine, name="Copia").id
    assert copy is not None

    restored = import_clients(any_engine, copy, out.getvalue().encode(), NOW)
    again = import_clients(any_engine, business_id, out.getvalue().encode(), NOW)

    exported = list(csv.reader(io.StringIO(out.getvalue())))
    assert exported[1][:4] == ["'=HYPERLINK(\"http://x.example\",\"pulsa\")", "", exported[1][2],
                               "'+34 600 111 222"]  # fmt: skip
    assert exported[2][:4] == ["'-Ana-", "'+Ana", "", "'-600"]
    assert "''=no es una fórmula" in exported[2]
    assert {"'@ojo", "'\tsangrado"} <= {cell for row in exported for cell in row}
    assert counts(restored) == (3, 0, 0, 0)
    assert _client_fields(any_engine, copy) == _client_fields(any_engine, business_id)
    assert counts(again) == (0, 0, 3, 0)


def test_a_cell_the_owner_started_with_a_quote_keeps_it_unless_it_hides_a_formula(
    engine: Engine, business_id: int
) -> None:
    data = b"name,email,notes\n'Quique',q@example.es,'-5 % pactado\n"

    import_clients(engine, business_id, data, NOW)

    (quique,) = _client_fields(engine, business_id)
    assert (quique["name"], quique["notes"]) == ("'Quique'", "-5 % pactado")


def test_exported_file_in_a_spreadsheet_via_the_command(run: Run, tmp_path: Path) -> None:
    start_business(run)
    (tmp_path / "clients.csv").write_text(
        "nombre;saludo;correo;teléfono;notas\n"
        "=HYPERLINK(\"http://x.example\");;h@example.es;+34 600 111 222;@ojo\n"
        "-Ana-;Anita;ana@example.es;;\n",
        encoding="utf-8",
    )
    run("clients", "import", "clients.csv")

    run("clients", "export", "out.csv")
    copy = {"FOLLOWUP_DATABASE_URL": f"sqlite:///{tmp_path / 'copy.db'}"}
    run("init", "--name", "Copia", "--owner", "Marta Ruiz", "--sender", "m@t.example", env=copy)
    restored = run("clients", "import", "out.csv", env=copy).output
    again = run("clients", "import", "out.csv").output

    text = (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert "'+34 600 111 222" in text and "'-Ana-" in text and "'@ojo" in text
    assert "Imported clients: 2 new" in restored
    assert "Imported clients: 0 new, 0 updated, 2 unchanged" in again
    original = run_json(run, "clients", "list", "--json")
    copied = run_json(run, "clients", "list", "--json", env=copy)
    assert [{**c, "id": 0} for c in copied] == [{**c, "id": 0} for c in original]
    assert copied[1]["greeting"] == "Anita"


# The greeting column


def test_the_greeting_column_is_imported_folded_and_never_erased_by_an_empty_cell(
    any_engine: Engine, business_id: int
) -> None:
    first = import_clients(
        any_engine,
        business_id,
        (
            "nombre;saludo;correo\n"
            "María José Pérez;María José;mj@example.es\n"
            'Tomás Ortega;"Sr.\nOrtega";to@example.es\n'
            f"Largo;{'x' * 101};largo@example.es\n"
        ).encode(),
        NOW,
    )
    emptied = import_clients(
        any_engine,
        business_id,
        "name,greeting,email\nMaría José Pérez,,mj@example.es\nTomás Ortega,Tomás,to@example.es\n"
        .encode(),
        NOW,
    )

    assert counts(first) == (2, 0, 0, 1)
    assert [(p.row, p.column) for p in first.problems] == [(4, "saludo")]
    assert [(w.row, w.column) for w in first.warnings] == [(3, "saludo")]
    assert counts(emptied) == (0, 1, 1, 0)
    greetings = [(c["email"], c["greeting"]) for c in _client_fields(any_engine, business_id)]
    assert greetings == [("mj@example.es", "María José"), ("to@example.es", "Tomás")]
