"""CSV import and export of clients (DESIGN §7 "CSV import", §8 "Bad input").

``spreadsheets.reading`` reads the file (encodings, delimiters, headers, row numbers); this module
checks each row as a client and applies it. Notes are the one multi-line field:
they never reach a mail header, so their line ends are only normalised to ``\\n`` (and an
exported file re-imports unchanged); every other cell is folded to one line.

An empty cell never erases what is stored (clearing is done in the dashboard), and
``do_not_contact`` can be set by a file but never cleared by one: an old spreadsheet must
not undo an unsubscribe. ``status`` is exported for reading but ignored on import: it
comes from events.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from sqlmodel import Session, col, select

from followup.businesses import get_business
from followup.errors import Invalid
from followup.fields import normalise_email, parse_language
from followup.models import Client, DoNotContact, FormOfAddress, max_length
from followup.spreadsheets.reading import (
    ImportReport,
    Progress,
    RowCheck,
    Ticker,
    match_key,
    read_table,
)

# Canonical field -> accepted header names, compared after match_key() (no case, no accents,
# spaces and hyphens as underscores).
CLIENT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "name": ("name", "nombre", "full name", "nombre completo"),
    "email": ("email", "correo", "e-mail", "mail", "correo electrónico", "email address"),
    "phone": ("phone", "teléfono", "telephone", "mobile", "tel", "móvil"),
    "company": ("company", "empresa"),
    "locale": ("locale", "idioma", "language"),
    "form_of_address": ("form of address", "tratamiento"),
    "tags": ("tags", "etiquetas"),
    "notes": ("notes", "notas"),
    "external_id": ("external id", "referencia", "external ref", "ref", "reference"),
    "status": ("status", "estado"),
    "do_not_contact": ("do not contact", "no contactar"),
}
EXPORT_COLUMNS = (
    "name", "email", "phone", "company", "locale", "form_of_address",
    "tags", "notes", "external_id", "status", "do_not_contact",
)
# The model's column sizes: checked here so PostgreSQL never refuses a row mid-import.
MAX_LENGTH = {
    field: max_length(Client, column)
    for field, column in (
        ("name", "name"), ("company", "company"), ("phone", "phone"), ("tags", "tags"),
        ("notes", "notes"), ("external_id", "external_ref"),
    )
}
YES = frozenset({"true", "yes", "si", "1", "x"})
NO = frozenset({"", "false", "no", "0"})


def parse_csv(
    data: bytes, *, columns: Mapping[str, tuple[str, ...]] = CLIENT_COLUMNS
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header as written and each non-blank row as (row number, {field: stripped value}).

    Only recognised columns appear in the dicts; required columns are not checked here.
    """
    table = read_table(data, columns)
    return table.headers, [(number, table.values(cells)) for number, cells in table.rows]


@dataclass
class _ClientRow:
    number: int
    name: str
    email: str | None
    phone: str
    company: str
    locale: str | None
    form_of_address: str | None
    tags: str
    notes: str
    external_ref: str | None
    do_not_contact: bool


def _check_client(row: RowCheck) -> _ClientRow:
    name = row.text("name")
    if not name:
        row.problem("name", "the name is empty")
    email: str | None = row.text("email") or None
    if email is not None:
        try:
            email = normalise_email(email)
        except Invalid as exc:
            row.problem("email", str(exc), email)
    locale = None
    try:
        locale = parse_language(row.text("locale"))
    except Invalid as exc:
        row.problem("locale", str(exc), row.values.get("locale"))
    address = match_key(row.text("form_of_address")) or None
    if address is not None and address not in {item.value for item in FormOfAddress}:
        row.problem("form_of_address", "must be usted or tu", row.values.get("form_of_address"))
    dnc = match_key(row.text("do_not_contact"))
    if dnc not in YES | NO:
        row.problem("do_not_contact", "must be yes or no", row.values.get("do_not_contact"))
    notes = re.sub(r"\r\n?", "\n", row.values.get("notes", ""))
    row.check_length("notes", notes)
    return _ClientRow(
        number=row.number,
        name=name,
        email=email,
        phone=row.text("phone"),
        company=row.text("company"),
        locale=locale,
        form_of_address=address,
        tags=row.text("tags"),
        notes=notes,
        external_ref=row.text("external_id") or None,
        do_not_contact=dnc in YES,
    )


def _contact_key(name: str, phone: str) -> tuple[str, str] | None:
    digits = re.sub(r"\D", "", phone)
    return (name.casefold(), digits) if name and digits else None


class _Clients:
    """The business's clients by email, reference and (name, phone), kept current as rows apply."""

    def __init__(self, clients: Iterable[Client]) -> None:
        self.by_email: dict[str, Client] = {}
        self.by_ref: dict[str, Client] = {}
        self.by_contact: dict[tuple[str, str], Client] = {}
        self.claimed: dict[int, int] = {}  # id(client) -> the row that matched or created it
        for client in clients:
            self.add(client)

    def add(self, client: Client) -> None:
        if client.email:
            self.by_email.setdefault(client.email, client)
        if client.external_ref:
            self.by_ref.setdefault(client.external_ref, client)
        key = _contact_key(client.name, client.phone)
        if key:
            self.by_contact.setdefault(key, client)

    def drop(self, client: Client) -> None:
        if client.email and self.by_email.get(client.email) is client:
            del self.by_email[client.email]
        if client.external_ref and self.by_ref.get(client.external_ref) is client:
            del self.by_ref[client.external_ref]
        key = _contact_key(client.name, client.phone)
        if key and self.by_contact.get(key) is client:
            del self.by_contact[key]

    def match(self, row: _ClientRow) -> tuple[Client | None, str]:
        """External reference first, then email; a row with no email may match by name and phone."""
        if row.external_ref and (client := self.by_ref.get(row.external_ref)):
            return client, "external_id"
        if row.email and (client := self.by_email.get(row.email)):
            return client, "email"
        key = _contact_key(row.name, row.phone)
        if key and (client := self.by_contact.get(key)) and not (row.email and client.email):
            return client, "phone"
        return None, ""


def _changes(client: Client, row: _ClientRow, now: datetime) -> dict[str, object]:
    wanted: dict[str, object] = {
        "name": row.name, "email": row.email, "phone": row.phone, "company": row.company,
        "locale": row.locale, "form_of_address": row.form_of_address, "tags": row.tags,
        "notes": row.notes, "external_ref": row.external_ref,
    }
    changes = {k: v for k, v in wanted.items() if v not in (None, "") and getattr(client, k) != v}
    if row.do_not_contact and not client.do_not_contact:
        changes.update(do_not_contact=True, do_not_contact_at=now)
        changes.update(do_not_contact_reason=DoNotContact.owner)
    return changes


def _upsert(
    session: Session, clients: _Clients, row: _ClientRow, check: RowCheck, report: ImportReport,
    *, business_id: int, dry_run: bool, now: datetime,
) -> None:
    client, matched_by = clients.match(row)
    if client is None:
        if row.email is None and not row.phone:
            check.problem("email", "no email and no phone: a client must be reachable")
            return
        client = Client(
            business_id=business_id, name=row.name, email=row.email, phone=row.phone,
            company=row.company, locale=row.locale, form_of_address=row.form_of_address,
            tags=row.tags, notes=row.notes, external_ref=row.external_ref, created_at=now,
        )
        if row.do_not_contact:
            client.do_not_contact_at, client.do_not_contact = now, True
            client.do_not_contact_reason = DoNotContact.owner
        clients.add(client)
        clients.claimed[id(client)] = row.number
        report.created += 1
        if not dry_run:
            session.add(client)
        return
    same = {"external_id": "reference", "email": "email", "phone": "name and phone"}[matched_by]
    if (earlier := clients.claimed.get(id(client))) is not None:
        check.problem(matched_by, f"duplicate of row {earlier} (same {same}): row skipped")
        return
    other = clients.by_email.get(row.email) if row.email else None
    if other is not None and other is not client:
        check.problem("email", f"this email belongs to another client ({other.name})", row.email)
    if row.external_ref and client.external_ref not in (None, row.external_ref):
        check.problem(
            "external_id",
            f"the client with this {same} has the reference {client.external_ref}",
            row.external_ref,
        )
    if check.problems:
        return
    clients.claimed[id(client)] = row.number
    changes = _changes(client, row, now)
    if not changes:
        report.unchanged += 1
        return
    clients.drop(client)
    for name, value in changes.items():
        setattr(client, name, value)
    clients.add(client)
    report.updated += 1
    # Flushing a key change at once keeps the UPDATEs in file order, so a swap of emails
    # across rows never trips the unique constraints in the middle of one flush.
    if not dry_run and ("email" in changes or "external_ref" in changes):
        session.flush()


def import_clients(
    session: Session,
    business_id: int,
    data: bytes,
    now: datetime,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Create or update the business's clients from a CSV file, in the caller's transaction.

    Rows with a problem are skipped and reported; the others are added to ``session`` and
    flushed, never committed. With ``dry_run`` the session is left untouched. Raises
    ``CsvFormatError`` when the file as a whole cannot be used, ``NotFound`` for an unknown
    business.
    """
    get_business(session, business_id)
    table = read_table(data, CLIENT_COLUMNS, required=("name", "email"), limits=MAX_LENGTH)
    report = ImportReport(rows=len(table.rows), warnings=list(table.warnings))
    existing = session.exec(
        select(Client).where(Client.business_id == business_id).order_by(col(Client.id))
    ).all()
    if dry_run:  # plan on detached copies, so nothing can reach the session
        existing = [Client(**client.model_dump()) for client in existing]
    clients = _Clients(existing)
    ticker = Ticker(progress)
    for number, cells in table.rows:
        check = RowCheck(number, table.values(cells), table)
        row = _check_client(check)
        if not check.problems:
            _upsert(
                session, clients, row, check, report,
                business_id=business_id, dry_run=dry_run, now=now,
            )
        report.problems.extend(check.problems)
        report.warnings.extend(check.warnings)
        ticker.tick()
    ticker.flush()
    if not dry_run:
        session.flush()
    return report


def export_clients(session: Session, business_id: int, out: TextIO) -> int:
    """Write the business's clients as CSV with English headers; returns the row count.

    The file re-imports as all unchanged. Encoding is the caller's ``out`` (UTF-8 expected).
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    query = (
        select(Client)
        .where(Client.business_id == business_id)
        .order_by(col(Client.id))
        .execution_options(yield_per=500)
    )
    for c in session.exec(query):
        writer.writerow([
            c.name, c.email or "", c.phone, c.company, c.locale or "", c.form_of_address or "",
            c.tags, c.notes, c.external_ref or "", c.status, str(c.do_not_contact).lower(),
        ])
        count += 1
    return count
