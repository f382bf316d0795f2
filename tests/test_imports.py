"""Imports an owner can trust with any file: encodings never guessed silently, and large
files streamed and saved in chunks (DESIGN §7 "CSV import", §8 "Bad input")."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import tracemalloc
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from followup.db import read_session
from followup.models import Client
from followup.spreadsheets.clients import import_clients
from followup.spreadsheets.reading import CsvFormatError, ImportReport
from tests.conftest import Run
from tests.factories import NOW

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


def run_json(run: Run, *args: str) -> list[dict[str, object]]:
    result = json.loads(run(*args).output)
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
