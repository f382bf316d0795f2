"""CSV import and export of clients (DESIGN §7 "CSV import", §8 "Bad input").

``spreadsheets.reading`` reads the file (encodings, delimiters, headers, row numbers),
``spreadsheets.matching`` finds the client a row is; this module checks each row as a
client and applies it. Notes and the postal address are the multi-line fields: they
never reach a mail header, so their line ends are only normalised to ``\\n`` (an address
also loses its blank lines and keeps at most six: ``fields.postal_address``), and an
exported file re-imports unchanged; every other cell is folded to one line, the greeting
(how a letter addresses the client: "María José", "Sr. Ortega") included.

A client needs an email or a phone, so a file needs an email or a phone column: a file of
phones only imports its clients, matched on a re-import by reference, else by name and
phone (``spreadsheets.matching``). The export puts a ``'`` before any cell a spreadsheet
would run as a formula (``spreadsheets.formulas``) and the import takes it away again.

An empty cell never erases what is stored (clearing is done in the dashboard), and
``do_not_contact`` can be set by a file but never cleared by one: an old spreadsheet must
not undo an unsubscribe. ``status`` is exported for reading but ignored on import: it
comes from events.

An import commits every ``CHUNK_ROWS`` rows, each chunk a short transaction of its own, so
a ``followup tick`` running meanwhile waits a moment for the lock instead of failing on a
"database is locked". Every chunk is idempotent, so an import stopped half-way (a crash, a
kill) is finished by running it again: the rows already saved count as unchanged. A file
that cannot be read as a whole stops the import before any chunk is written.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import Row, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from followup.businesses import get_business
from followup.db import read_session, write_session
from followup.errors import Invalid
from followup.fields import normalise_email, parse_language, postal_address
from followup.models import Client, ClientStatus, DoNotContact, FormOfAddress, max_length
from followup.spreadsheets.formulas import neutralise
from followup.spreadsheets.matching import CLIENTS, ClientIndex, Known, contact_key, name_of
from followup.spreadsheets.reading import RowCheck, Source, chunks, match_key, read_table
from followup.spreadsheets.reports import ImportReport, Progress, Ticker

# Rows per transaction: a few milliseconds of lock each, and few enough commits to be fast.
CHUNK_ROWS = 1000

# Canonical field -> accepted header names, compared after match_key() (no case, no accents,
# spaces and hyphens as underscores).
CLIENT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "name": ("name", "nombre", "full name", "nombre completo"),
    "greeting": ("greeting", "saludo"),
    "email": ("email", "correo", "e-mail", "mail", "correo electrónico", "email address"),
    "phone": ("phone", "teléfono", "telephone", "mobile", "tel", "móvil"),
    "company": ("company", "empresa"),
    "address": (
        "address", "dirección", "domicilio", "postal address", "dirección postal",
        "street address",
    ),
    "locale": ("locale", "idioma", "language"),
    "form_of_address": ("form of address", "tratamiento"),
    "tags": ("tags", "etiquetas"),
    "notes": ("notes", "notas"),
    "external_id": ("external id", "referencia", "external ref", "ref", "reference"),
    "status": ("status", "estado"),
    "do_not_contact": ("do not contact", "no contactar"),
}
EXPORT_COLUMNS = (
    "name", "greeting", "email", "phone", "company", "address", "locale", "form_of_address",
    "tags", "notes", "external_id", "status", "do_not_contact",
)
# The model's column sizes: checked here so PostgreSQL never refuses a row mid-import.
MAX_LENGTH = {
    field: max_length(Client, column)
    for field, column in (
        ("name", "name"), ("greeting", "greeting"), ("company", "company"),
        ("phone", "phone"), ("tags", "tags"), ("notes", "notes"), ("external_id", "external_ref"),
    )
}
YES = frozenset({"true", "yes", "si", "1", "x"})
NO = frozenset({"", "false", "no", "0"})
YES_OR_NO = YES | NO
FORMS_OF_ADDRESS = frozenset(item.value for item in FormOfAddress)
# See _Emails: words of letters, digits, _, + and - joined by dots, an @, a host name.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_+\-]+(?:\.[A-Za-z0-9_+\-]+)*@([A-Za-z0-9\-.]+)")
_MAX_ADDRESS = 254  # email-validator's limit, in characters (octets: these are ASCII)


def parse_csv(
    data: Source, *, columns: Mapping[str, tuple[str, ...]] = CLIENT_COLUMNS
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header as written and each non-blank row as (row number, {field: stripped value}).

    Only recognised columns appear in the dicts; required columns are not checked here.
    """
    table = read_table(data, columns)
    return table.headers, [(number, table.values(cells)) for number, cells in table.rows()]


@dataclass
class _ClientRow:
    number: int
    name: str
    greeting: str
    email: str | None
    phone: str
    company: str
    address: str
    locale: str | None
    form_of_address: str | None
    tags: str
    notes: str
    external_ref: str | None
    do_not_contact: bool
    contact: str | None  # name and phone, to match a row without an email


class _Emails:
    """``normalise_email`` with a memory of domains, for a whole file.

    Checking an address costs some 45 µs, nearly all of it the domain, and a file holds
    thousands of addresses on a few domains. A plain address (ASCII words and dots before
    the @, a strict part of what may be there) on a domain that email-validator has found
    valid and already normalised is normalised here to the value ``normalise_email`` gives
    (the same text in lower case); every other address goes through ``normalise_email``,
    so its errors and their words are the same. An address stored already is valid and
    normalised: a re-import need not check it again.
    """

    def __init__(self, stored: Collection[str]) -> None:
        self.stored = stored
        self.domains: dict[str, bool] = {}  # domain -> plain and valid

    def normalise(self, address: str) -> str:
        if address in self.stored:
            return address
        plain = _PLAIN_ADDRESS.fullmatch(address)
        if plain is not None and len(address) <= _MAX_ADDRESS:
            domain = plain[1].lower()
            if domain not in self.domains:
                try:
                    self.domains[domain] = normalise_email(f"a@{domain}") == f"a@{domain}"
                except Invalid:
                    self.domains[domain] = False
            if self.domains[domain]:
                return address.lower()
        return normalise_email(address)


def _check_client(row: RowCheck, emails: _Emails) -> _ClientRow:
    name = row.text("name")
    if not name:
        row.problem("name", "the name is empty")
    email: str | None = row.text("email") or None
    if email is not None:
        try:
            email = emails.normalise(email)
        except Invalid as exc:
            row.problem("email", str(exc), email)
    locale = None
    try:
        locale = parse_language(row.text("locale"))
    except Invalid as exc:
        row.problem("locale", str(exc), row.values.get("locale"))
    address = match_key(row.text("form_of_address")) or None
    if address is not None and address not in FORMS_OF_ADDRESS:
        row.problem("form_of_address", "must be usted or tu", row.values.get("form_of_address"))
    dnc = match_key(row.text("do_not_contact"))
    if dnc not in YES_OR_NO:
        row.problem("do_not_contact", "must be yes or no", row.values.get("do_not_contact"))
    notes = row.values.get("notes", "")
    if "\r" in notes:
        notes = re.sub(r"\r\n?", "\n", notes)
    row.check_length("notes", notes)
    postal = ""
    try:
        postal = postal_address(row.values.get("address", ""))
    except Invalid as exc:
        row.problem("address", str(exc), row.values.get("address"))
    phone = row.text("phone")
    return _ClientRow(
        number=row.number,
        name=name,
        greeting=row.text("greeting"),
        email=email,
        phone=phone,
        company=row.text("company"),
        address=postal,
        locale=locale,
        form_of_address=address,
        tags=row.text("tags"),
        notes=notes,
        external_ref=row.text("external_id") or None,
        do_not_contact=dnc in YES,
        contact=contact_key(name, phone),
    )


def _changes(client: Row[Any], row: _ClientRow, now: datetime) -> dict[str, Any]:
    wanted: dict[str, object] = {
        "name": row.name, "greeting": row.greeting, "email": row.email, "phone": row.phone,
        "company": row.company, "address": row.address, "locale": row.locale,
        "form_of_address": row.form_of_address,
        "tags": row.tags, "notes": row.notes, "external_ref": row.external_ref,
    }
    changes = {k: v for k, v in wanted.items() if v not in (None, "") and getattr(client, k) != v}
    if row.do_not_contact and not client.do_not_contact:
        changes.update(do_not_contact=True, do_not_contact_at=now)
        changes.update(do_not_contact_reason=DoNotContact.owner.value)
    return changes


def _new_client(row: _ClientRow, business_id: int, now: datetime) -> dict[str, Any]:
    """Every column of the new client's row (an insert of many rows needs the same keys)."""
    return {
        "business_id": business_id, "name": row.name, "greeting": row.greeting,
        "email": row.email, "phone": row.phone, "company": row.company,
        "address": row.address, "locale": row.locale,
        "form_of_address": row.form_of_address, "tags": row.tags, "notes": row.notes,
        "external_ref": row.external_ref,
        "status": ClientStatus.active.value, "do_not_contact": row.do_not_contact,
        "do_not_contact_at": now if row.do_not_contact else None,
        "do_not_contact_reason": DoNotContact.owner.value if row.do_not_contact else None,
        "last_contacted_on": None, "created_at": now,
    }


class _Chunk:
    """One chunk of rows applied in one session: updates run at once, in file order (so a
    swap of emails across rows never trips a unique constraint half-way); the new clients
    are inserted together at the end, their keys being free by then."""

    def __init__(
        self, session: Session, index: ClientIndex, report: ImportReport, *,
        business_id: int, now: datetime, dry_run: bool,
    ) -> None:  # fmt: skip
        self.session, self.index, self.report = session, index, report
        self.business_id, self.now, self.dry_run = business_id, now, dry_run
        self.stored: dict[int, Row[Any]] = {}
        self.new: list[dict[str, Any]] = []

    def apply(self, rows: list[tuple[RowCheck, _ClientRow]]) -> None:
        good = [(check, row) for check, row in rows if not check.problems]
        keys = [(row.external_ref, row.email, row.contact) for _, row in good]
        # A dry run's plan is not in the database: its index must not be refreshed from it.
        self.stored = self.index.load_rows(self.session, keys, refresh=not self.dry_run)
        for check, row in good:
            self.upsert(check, row)
        if self.new and not self.dry_run:
            self.session.execute(insert(CLIENTS), self.new)

    def upsert(self, check: RowCheck, row: _ClientRow) -> None:
        known, matched_by = self.index.match(row.external_ref, row.email, row.contact)
        if known is None:
            if row.email is None and not row.phone:
                check.problem("email", "no email and no phone: a client must be reachable")
                return
            known = Known(None, row.email, row.external_ref, row.contact)
            known.row = row.number
            self.index.add(known)
            self.new.append(_new_client(row, self.business_id, self.now))
            self.report.created += 1
            return
        same = {"external_id": "reference", "email": "email", "phone": "name and phone"}[matched_by]
        if known.row is not None:
            check.problem(matched_by, f"duplicate of row {known.row} (same {same}): row skipped")
            return
        other = self.index.by_email.get(row.email) if row.email else None
        if other is not None and other is not known:
            name = name_of(self.session, self.business_id, other)
            message = f"this email belongs to another client ({name})"
            check.problem("email", message, row.email)
        if row.external_ref and known.ref not in (None, row.external_ref):
            check.problem(
                "external_id",
                f"the client with this {same} has the reference {known.ref}",
                row.external_ref,
            )
        if check.problems:
            return
        known.row = row.number
        # Loaded with the chunk: every client a row can reach is, or was claimed by an
        # earlier row (the only way a client gets new keys during an import).
        assert known.id is not None
        stored = self.stored[known.id]
        changes = _changes(stored, row, self.now)
        if not changes:
            self.report.unchanged += 1
            return
        self.index.drop(known)
        after = {**stored._asdict(), **changes}
        contact = contact_key(after["name"], after["phone"])
        known.set(after["email"], after["external_ref"], contact)
        self.index.add(known)
        self.report.updated += 1
        if "name" in changes:
            self.report.rename(stored.name, row.name)
        if not self.dry_run:
            self.session.execute(update(CLIENTS).where(CLIENTS.c.id == known.id).values(changes))


def import_clients(
    engine: Engine,
    business_id: int,
    source: Source,
    now: datetime,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """Create or update the business's clients from a CSV file (its bytes or its path).

    Commits every ``chunk_rows`` rows (see the module's notes); rows with a problem are
    skipped and reported. With ``dry_run`` nothing is written, and the report says what
    would be. ``progress`` is called with the rows checked, outside any transaction.
    Raises ``CsvFormatError`` when the file as a whole cannot be used (before anything is
    written), ``NotFound`` for an unknown business.
    """
    with read_session(engine) as session:
        get_business(session, business_id)
    table = read_table(
        source, CLIENT_COLUMNS, required=("name", ("email", "phone")), limits=MAX_LENGTH
    )
    report = ImportReport(
        rows=table.row_count,
        warnings=list(table.warnings),
        encoding=table.encoding.name,
        unreadable=table.encoding.unreadable,
    )
    with read_session(engine) as session:
        index = ClientIndex.of(session, business_id)
    emails = _Emails(index.by_email)
    ticker = Ticker(progress)
    for chunk in chunks(table.rows(), chunk_rows):
        # The rows are checked before the transaction opens: it holds the lock only to write.
        checked: list[tuple[RowCheck, _ClientRow]] = []
        for number, cells in chunk:
            check = table.check(number, cells)
            checked.append((check, _check_client(check, emails)))
            ticker.tick()
        with (read_session if dry_run else write_session)(engine) as session:
            _Chunk(
                session, index, report, business_id=business_id, now=now, dry_run=dry_run
            ).apply(checked)
        for check, _ in checked:
            report.problems.extend(check.problems)
            report.warnings.extend(check.warnings)
    ticker.flush()
    return report


def export_clients(session: Session, business_id: int, out: TextIO) -> int:
    """Write the business's clients as CSV with English headers; returns the row count.

    The file re-imports as all unchanged, and no cell of it runs as a formula in a
    spreadsheet (see the module's notes). Encoding is the caller's ``out`` (UTF-8 expected).
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
            *map(neutralise, (
                c.name, c.greeting, c.email or "", c.phone, c.company, c.address,
                c.locale or "",
                c.form_of_address or "", c.tags, c.notes, c.external_ref or "",
            )),
            c.status, str(c.do_not_contact).lower(),
        ])  # fmt: skip
        count += 1
    return count
