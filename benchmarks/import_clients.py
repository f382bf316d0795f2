"""How fast `followup clients import` is, and how much memory it takes, on a large file.

    .venv/bin/python benchmarks/import_clients.py [ROWS]    # ROWS defaults to 100,000

Writes ROWS generated clients to a CSV file in a temporary directory and a fresh SQLite
database there, then imports the file twice (the second time every row is unchanged),
each time in a process of its own, as `followup clients import` runs: through
``import_clients``, what the command calls, chunked commits included. For each it prints
rows per second and the peak memory of that process (its maximum resident set, Python and
the libraries included: what the machine has to have free).

Targets at 100,000 rows: 10,000 rows/s or more, and a peak under 150 MB.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from followup.config import get_settings
from followup.db import make_engine, migrate, write_session
from followup.models import Business
from followup.spreadsheets.clients import import_clients

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
HEADER = "nombre;correo;teléfono;empresa;idioma;etiquetas;notas;referencia\n"


def write_clients(path: Path, rows: int) -> None:
    """A Spanish spreadsheet's export: accents, `;`, every client with an email and a ref."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for n in range(rows):
            out.write(
                f"Cliente Muñoz {n};cliente{n}@example.es;+34 600 {n:06d};Empresa {n % 7};"
                f"es;vip;Cliente desde {2000 + n % 25};C-{n}\n"
            )


def peak_mb() -> float:
    # Linux counts ru_maxrss in kilobytes, macOS in bytes.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6


def prepare(folder: Path, rows: int) -> tuple[str, Path, int]:
    """The database URL, the file and the business's id."""
    path = folder / "clients.csv"
    write_clients(path, rows)
    url = f"sqlite:///{folder / 'followup.db'}"
    engine = make_engine(get_settings(database_url=url))
    migrate(engine)
    with write_session(engine) as session:
        business = Business(
            name="Taller", owner_name="Marta", sender_email="marta@taller.example",
            locale="es", timezone="Europe/Madrid",
        )  # fmt: skip
        session.add(business)
    engine.dispose()
    assert business.id is not None
    return url, path, business.id


def run_import(label: str, url: str, path: Path, business_id: int) -> None:
    """One import, timed, in this process (a fresh one: see ``main``)."""
    engine = make_engine(get_settings(database_url=url))
    start = time.perf_counter()
    report = import_clients(engine, business_id, path, NOW)
    seconds = time.perf_counter() - start
    rows = report.rows
    print(
        f"{label}: {report.created} new, {report.unchanged} unchanged in {seconds:.2f} s, "
        f"{rows / seconds:.0f} rows/s, peak memory {peak_mb():.0f} MB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    # Internal: how main runs each import in a fresh process.
    parser.add_argument("--run", nargs=4, metavar=("LABEL", "URL", "FILE", "BUSINESS"))
    args = parser.parse_args()
    if args.run:
        label, url, file, business = args.run
        run_import(label, url, Path(file), int(business))
        return
    with tempfile.TemporaryDirectory() as tmp:
        url, path, business_id = prepare(Path(tmp), args.rows)
        print(f"rows: {args.rows} ({path.stat().st_size / 1e6:.1f} MB file)", flush=True)
        for label in ("first import", "re-import"):
            subprocess.run(
                [sys.executable, __file__, "--run", label, url, str(path), str(business_id)],
                check=True,
            )


if __name__ == "__main__":
    main()
