"""Importing clients from the Clients page over real HTTP: the CLI's import and its report
(good rows kept, bad rows by row and column, the counts, the encoding), a Windows-1252
file with semicolons, a file cut short, a file that is not CSV, a dry run, the size
limit, the htmx answer that fills the report in place, and the upload's progress bar."""

from __future__ import annotations

import re

import httpx2 as httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from starlette.testclient import TestClient

from followup.db import read_session
from followup.models import Business, Client
from followup.web import STATIC
from followup.web.pages import client_import
from tests.test_web_clients import logged_in, title_and_h1, token

GOOD_AND_BAD = (
    "name,email,phone,company\n"
    "Laura Sánchez,laura@example.es,,Bar El Rincón\n"
    "Diego Gil,not-an-email,,\n"
    ",nameless@example.es,,\n"
    "Laura Sánchez,laura@example.es,,\n"
    "Pedro Ruiz,pedro@example.es,+34 600 000 000,\n"
).encode()


def upload(
    web: TestClient, data: bytes, *, dry_run: bool = False, htmx: bool = False,
    filename: str = "clientes.csv",
) -> httpx.Response:  # fmt: skip
    fields = {"csrf_token": token(web, "/clients/import")}
    if dry_run:
        fields["dry_run"] = "yes"
    headers = {"HX-Request": "true"} if htmx else {}
    answer = web.post(
        "/clients/import", data=fields, files={"file": (filename, data, "text/csv")},
        headers=headers,
    )  # fmt: skip
    assert isinstance(answer, httpx.Response)
    return answer


def names(engine: Engine) -> list[str]:
    with read_session(engine) as session:
        return sorted(c.name for c in session.exec(select(Client)))


def rejected_rows(page: str) -> list[tuple[str, str]]:
    """(row, column) of each line of the rejected rows' table."""
    return re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", page)


def test_good_rows_are_kept_and_bad_rows_reported_by_row_and_column(
    engine: Engine, business: Business
) -> None:
    web = logged_in(engine, business)
    form = web.get("/clients/import")
    assert title_and_h1(form.text) == ("Importar clientes", "Importar clientes")
    page = upload(web, GOOD_AND_BAD)
    assert page.status_code == 200, page.text
    assert names(engine) == ["Laura Sánchez", "Pedro Ruiz"]
    assert "2 clientes nuevos" in page.text and "3 filas rechazadas" in page.text
    assert "0 actualizados" in page.text and "0 sin cambios" in page.text
    assert "El archivo se ha leído como UTF-8." in page.text
    assert rejected_rows(page.text) == [("3", "email"), ("4", "name"), ("5", "email")]
    assert "el mismo cliente que la fila 2: esta fila se omite" in page.text
    assert "<td>el nombre está vacío</td>" in page.text
    assert "&#39;not-an-email&#39; no es una dirección de correo: revísela" in page.text
    assert "Las demás filas se han guardado." in page.text
    again = upload(web, GOOD_AND_BAD)
    assert "2 sin cambios" in again.text and names(engine) == ["Laura Sánchez", "Pedro Ruiz"]


def test_an_address_cell_keeps_its_lines_and_a_too_long_one_is_said_in_spanish(
    engine: Engine, business: Business
) -> None:
    data = (
        "nombre,correo,domicilio\n"
        'Laura Sánchez,laura@example.es,"Calle Mayor 5\n28013 Madrid"\n'
        f'Diego Gil,diego@example.es,"{chr(10).join("1234567")}"\n'
        f"Pedro Ruiz,pedro@example.es,{'x' * 301}\n"
    ).encode()
    web = logged_in(engine, business)
    page = upload(web, data)
    assert rejected_rows(page.text) == [("3", "domicilio"), ("4", "domicilio")]
    assert "la dirección tiene 7 líneas; en un sobre caben 6 como mucho" in page.text
    assert "la dirección tiene más de 300 caracteres" in page.text
    with read_session(engine) as session:
        (laura,) = session.exec(select(Client)).all()
    assert laura.address == "Calle Mayor 5\n28013 Madrid"


def test_a_windows_1252_file_with_semicolons_is_read_as_the_cli_reads_it(
    engine: Engine, business: Business
) -> None:
    data = "nombre;correo;teléfono\nJosé Muñoz;jose@example.es;\nAnaïs Peña;;600 111 222\n"
    web = logged_in(engine, business)
    page = upload(web, data.encode("cp1252"))
    assert "El archivo se ha leído como Windows-1252." in page.text
    assert names(engine) == ["Anaïs Peña", "José Muñoz"]


def test_a_file_cut_short_or_not_a_csv_is_refused_whole_with_the_reason(
    engine: Engine, business: Business
) -> None:
    web = logged_in(engine, business)
    cut_in_a_quote = b'name,email\nAna,ana@example.es\n"Bea,bea@example.es\n'
    page = upload(web, cut_in_a_quote)
    assert page.status_code == 422
    assert "clientes.csv: row 3: a quoted cell is never closed" in page.text
    assert "No se ha importado nada del archivo." in page.text and names(engine) == []
    cut_in_a_letter = "name,email,company\nAna,ana@example.es,\nBea,bea@example.es,Café".encode()
    cut_in_a_letter = cut_in_a_letter[:-1]  # half of the é
    partly = upload(web, cut_in_a_letter)
    assert partly.status_code == 200
    assert "1 byte no se pudo leer" in partly.text and names(engine) == ["Ana"]
    assert rejected_rows(partly.text) == [("3", "company")]
    binary = upload(web, b"PK\x03\x04\x00\x00binary", filename="clientes.xlsx")
    assert binary.status_code == 422
    assert "this is not a text file: save the spreadsheet as CSV first" in binary.text
    empty = upload(web, b"")
    assert empty.status_code == 422 and "the file is empty" in empty.text


def test_a_dry_run_reports_and_writes_nothing(engine: Engine, business: Business) -> None:
    web = logged_in(engine, business)
    page = upload(web, GOOD_AND_BAD, dry_run=True)
    assert "Lo que haría la importación" in page.text and "2 clientes nuevos" in page.text
    assert "Prueba: no se ha guardado nada." in page.text and names(engine) == []
    assert 'name="dry_run" value="yes" checked' in page.text


def test_no_file_and_a_file_over_the_limit_are_said_clearly(
    engine: Engine, business: Business, monkeypatch: pytest.MonkeyPatch
) -> None:
    web = logged_in(engine, business)
    none = web.post("/clients/import", data={"csrf_token": token(web, "/clients/import")},
                    files={"file": ("", b"", "application/octet-stream")})  # fmt: skip
    assert none.status_code == 422 and "Elija el archivo CSV que quiere importar." in none.text
    monkeypatch.setattr(client_import, "MAX_UPLOAD_BYTES", 100)
    monkeypatch.setattr(client_import, "MAX_UPLOAD_MB", 20)
    large = upload(web, b"name,email\n" + b"Ana,ana@example.es\n" * 20)
    assert large.status_code == 413
    assert "El archivo pasa de 20 MB. Divídalo en archivos más pequeños" in large.text
    assert names(engine) == []


def test_htmx_gets_the_report_alone_and_the_form_shows_the_upload_s_progress(
    engine: Engine, business: Business
) -> None:
    web = logged_in(engine, business, "en")
    form = web.get("/clients/import").text
    assert title_and_h1(form) == ("Import clients", "Import clients")
    assert '<script src="/static/upload.js" defer></script>' in form
    assert 'data-upload-progress="import-progress"' in form
    assert '<progress id="import-progress" max="100" value="0" hidden' in form
    assert '<section id="import-result" aria-live="polite">' in form
    # Once the file is sent, the words while the rows are imported: the page's, not the script's.
    assert 'data-upload-state="import-state"' in form
    assert '<span id="import-state" role="status" data-importing="Importing the rows…">' in form
    script = (STATIC / "upload.js").read_text()
    assert "htmx:xhr:progress" in script and "bar.value" in script and "Importing" not in script
    part = upload(web, GOOD_AND_BAD, htmx=True)
    assert part.status_code == 200 and "<html" not in part.text
    assert "2 new clients" in part.text and "3 rows rejected" in part.text
    assert "duplicate of row 2 (same email): row skipped" in part.text
    refused = upload(web, b"", htmx=True)
    assert refused.status_code == 200 and "the file is empty" in refused.text


def test_an_import_without_the_form_s_token_is_refused(
    engine: Engine, business: Business
) -> None:
    web = logged_in(engine, business)
    answer = web.post("/clients/import", files={"file": ("c.csv", GOOD_AND_BAD, "text/csv")})
    assert answer.status_code == 403 and names(engine) == []
