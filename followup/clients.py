"""CSV import and export of clients and events (DESIGN §7 "CSV import", §8 "Bad input").

Files come from spreadsheets: UTF-8 with or without BOM (UTF-16 with BOM too), else
Windows-1252; `,`, `;` or tab; CRLF or LF; English or Spanish headers in any case, with
or without accents.

Row numbers are the ones the owner sees in the spreadsheet: the header is row 1 and each
CSV record is one row, even when a quoted cell spans several physical lines (the
spreadsheet shows one row with a line break inside the cell). Blank lines keep their
number, as in the spreadsheet, but are skipped without a word.

A line break (or other control character) inside a cell is folded into one space and
reported as a warning: it must never reach a mail header, and folding loses nothing.
Notes are the exception: they are multi-line by nature and never reach a header, so their
line ends are only normalised to ``\\n`` (and an exported file re-imports unchanged).

An empty cell never erases what is stored (clearing is done in the dashboard), and
``do_not_contact`` can be set by a file but never cleared by one: an old spreadsheet must
not undo an unsubscribe. ``status`` is exported for reading but ignored on import: it
comes from events.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TextIO

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, col, select

from followup.events import EventInput, InvalidEvent, add_event, same_event_exists, validate_event
from followup.models import Business, Client, DoNotContact, EventKind, FormOfAddress, Locale, utcnow

Progress = Callable[[int], None]
PROGRESS_EVERY = 100

# Canonical field -> accepted header names, compared after _key() (no case, no accents,
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
EVENT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "client": ("client", "cliente"),
    "kind": ("kind", "tipo", "type"),
    "date": ("date", "fecha", "day", "día"),
    "summary": ("summary", "resumen"),
    "item": ("item", "artículo"),
    "amount": ("amount", "importe"),
    "compensation": ("compensation", "compensación"),
}
EXPORT_COLUMNS = (
    "name", "email", "phone", "company", "locale", "form_of_address",
    "tags", "notes", "external_id", "status", "do_not_contact",
)
# The model's column sizes: checked here so PostgreSQL never refuses a row mid-import.
MAX_LENGTH = {
    "name": 200, "company": 200, "phone": 50, "tags": 500, "notes": 5000, "external_id": 100,
    "item": 200, "amount": 50, "compensation": 500,
}
EVENT_DETAILS = ("item", "amount", "compensation")
SPANISH_KINDS = {
    "compra": EventKind.purchase, "queja": EventKind.complaint,
    "reclamacion": EventKind.complaint, "colaboracion": EventKind.cooperation,
    "cooperacion": EventKind.cooperation, "perdido": EventKind.lost, "perdida": EventKind.lost,
    "recuperado": EventKind.recovered, "recuperada": EventKind.recovered,
    "respuesta": EventKind.reply, "llamada": EventKind.call, "nota": EventKind.note,
}
YES = frozenset({"true", "yes", "si", "1", "x"})
NO = frozenset({"", "false", "no", "0"})

_BREAKS = re.compile(r"\s*[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]+\s*")
# cp1252 leaves five bytes undefined; surrogateescape keeps them and this maps them to Latin-1.
_UNDEFINED_AS_LATIN1 = {0xDC00 + b: b for b in range(0x80, 0x100)}


class CsvFormatError(ValueError):
    """The file as a whole cannot be read: empty, binary, or a required column missing."""


@dataclass
class RowProblem:
    row: int
    column: str | None
    message: str
    value: str | None = None

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    rows: int = 0

    @property
    def rejected(self) -> int:
        """Rows skipped because of at least one problem."""
        return len({p.row for p in self.problems})

    @property
    def ok(self) -> bool:
        return not self.problems


def decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CsvFormatError(f"the file starts like UTF-16 but is not: {exc}") from exc
    else:
        data = data.removeprefix(codecs.BOM_UTF8)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="surrogateescape").translate(_UNDEFINED_AS_LATIN1)
    if "\x00" in text:
        raise CsvFormatError("this is not a text file: save the spreadsheet as CSV first")
    return text


def _key(text: str) -> str:
    """Names compared without case, accents or punctuation: 'Teléfono' = 'telefono'."""
    plain = unicodedata.normalize("NFKD", text.replace("\ufeff", ""))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[\s\-_.]+", "_", plain).strip("_")


def _delimiter(text: str) -> str:
    for line in io.StringIO(text, newline=""):
        if line.strip():
            unquoted = re.sub(r'"[^"]*"', "", line)
            return max((",", ";", "\t"), key=unquoted.count)
    return ","


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Every CSV record with its row number.

    Read strictly first, so that a quote left open is reported instead of swallowing the
    rest of the file; other odd quoting (`"Ann" Lee`) is then read leniently.
    """
    for strict in (True, False):
        records: list[tuple[int, list[str]]] = []
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)
        try:
            for record in reader:
                records.append((len(records) + 1, record))
        except csv.Error as exc:
            if strict and "unexpected end of data" in str(exc):
                raise CsvFormatError(
                    f"row {len(records) + 1}: a quoted cell is never closed (a \" is missing)"
                ) from exc
            if not strict:
                raise CsvFormatError(f"row {len(records) + 1} cannot be read: {exc}") from exc
        else:
            break
    return records


def _fold(value: str) -> str:
    return _BREAKS.sub(" ", value).strip()


def _short(value: str | None, limit: int = 100) -> str | None:
    return value if value is None or len(value) <= limit else value[:limit] + "…"


@dataclass
class _Table:
    headers: list[str]
    columns: dict[str, int]  # canonical field -> index
    rows: list[tuple[int, list[str]]]
    warnings: list[RowProblem]

    def header(self, name: str) -> str:
        """The column as the owner wrote it, for reports."""
        return self.headers[self.columns[name]] if name in self.columns else name

    def values(self, cells: Sequence[str]) -> dict[str, str]:
        return {n: cells[i].strip() if i < len(cells) else "" for n, i in self.columns.items()}


def _read(data: bytes, aliases: Mapping[str, tuple[str, ...]], required: Iterable[str]) -> _Table:
    text = decode(data)
    if not text.strip():
        raise CsvFormatError("the file is empty")
    records = [
        (number, record)
        for number, record in _records(text, _delimiter(text))
        if any(cell.strip() for cell in record)
    ]
    if not records:
        raise CsvFormatError("the file is empty")
    (header_row, headers), rows = records[0], records[1:]
    known = {_key(alias): name for name, names in aliases.items() for alias in names}
    columns: dict[str, int] = {}
    warnings: list[RowProblem] = []
    for index, header in enumerate(headers):
        name = known.get(_key(header))
        if name in columns:
            raise CsvFormatError(
                f"the columns {headers[columns[name]]!r} and {header!r} both mean {name}: "
                "keep one of them"
            )
        if name is not None:
            columns[name] = index
        elif header.strip():
            warnings.append(RowProblem(header_row, header, "unknown column: ignored"))
    for name in required:
        if name not in columns:
            found = ", ".join(repr(h) for h in headers[:12])
            raise CsvFormatError(
                f"no {name} column: the first row must name the columns, one of them "
                f"{' or '.join(repr(a) for a in aliases[name][:2])} (found: {found})"
            )
    named = {i for i, h in enumerate(headers) if h.strip()}
    for number, cells in rows:
        if any(cell.strip() for i, cell in enumerate(cells) if i not in named):
            warnings.append(
                RowProblem(number, None, "values in columns without a header are ignored")
            )
            break
    return _Table(headers, columns, rows, warnings)


def parse_csv(
    data: bytes, *, columns: Mapping[str, tuple[str, ...]] = CLIENT_COLUMNS
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header as written and each non-blank row as (row number, {field: stripped value}).

    Only recognised columns appear in the dicts; required columns are not checked here.
    """
    table = _read(data, columns, required=())
    return table.headers, [(number, table.values(cells)) for number, cells in table.rows]


class _Ticker:
    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.pending = 0

    def tick(self) -> None:
        self.pending += 1
        if self.pending >= PROGRESS_EVERY:
            self.flush()

    def flush(self) -> None:
        if self.progress is not None and self.pending:
            self.progress(self.pending)
        self.pending = 0


class _Row:
    """One spreadsheet row being checked: its problems and warnings, by column."""

    def __init__(self, number: int, values: dict[str, str], table: _Table) -> None:
        self.number, self.values, self.table = number, values, table
        self.problems: list[RowProblem] = []
        self.warnings: list[RowProblem] = []

    def problem(self, name: str, message: str, value: str | None = None) -> None:
        column = self.table.header(name)
        self.problems.append(RowProblem(self.number, column, message, _short(value)))

    def text(self, name: str) -> str:
        """The cell folded to one line (with a warning when that changed it), length-checked."""
        raw = self.values.get(name, "")
        value = _fold(raw)
        if value != raw:
            column = self.table.header(name)
            message = "line break replaced by a space"
            self.warnings.append(RowProblem(self.number, column, message, _short(raw)))
        self.check_length(name, value)
        return value

    def check_length(self, name: str, value: str) -> None:
        limit = MAX_LENGTH.get(name)
        if limit is not None and len(value) > limit:
            self.problem(name, f"longer than {limit} characters ({len(value)})", value)


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


def _check_client(row: _Row) -> _ClientRow:
    name = row.text("name")
    if not name:
        row.problem("name", "the name is empty")
    email: str | None = row.text("email") or None
    if email is not None:
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            row.problem("email", f"not a valid email address: {exc}", email)
    locale = row.text("locale").lower().replace("_", "-").split("-")[0] or None
    if locale is not None and locale not in {item.value for item in Locale}:
        row.problem("locale", "the language must be es or en", row.values.get("locale"))
    address = _key(row.text("form_of_address")) or None
    if address is not None and address not in {item.value for item in FormOfAddress}:
        row.problem("form_of_address", "must be usted or tu", row.values.get("form_of_address"))
    dnc = _key(row.text("do_not_contact"))
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


def _changes(client: Client, row: _ClientRow) -> dict[str, object]:
    wanted: dict[str, object] = {
        "name": row.name, "email": row.email, "phone": row.phone, "company": row.company,
        "locale": row.locale, "form_of_address": row.form_of_address, "tags": row.tags,
        "notes": row.notes, "external_ref": row.external_ref,
    }
    changes = {k: v for k, v in wanted.items() if v not in (None, "") and getattr(client, k) != v}
    if row.do_not_contact and not client.do_not_contact:
        changes.update(do_not_contact=True, do_not_contact_at=utcnow())
        changes.update(do_not_contact_reason=DoNotContact.owner)
    return changes


def _upsert(
    session: Session, clients: _Clients, row: _ClientRow, check: _Row, report: ImportReport,
    *, business_id: int, dry_run: bool,
) -> None:
    client, matched_by = clients.match(row)
    if client is None:
        if row.email is None and not row.phone:
            check.problem("email", "no email and no phone: a client must be reachable")
            return
        client = Client(
            business_id=business_id, name=row.name, email=row.email, phone=row.phone,
            company=row.company, locale=row.locale, form_of_address=row.form_of_address,
            tags=row.tags, notes=row.notes, external_ref=row.external_ref,
        )
        if row.do_not_contact:
            client.do_not_contact_at, client.do_not_contact = utcnow(), True
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
    changes = _changes(client, row)
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


def _business_exists(session: Session, business_id: int) -> None:
    if session.get(Business, business_id) is None:
        raise LookupError(f"no business with id {business_id}")


def import_clients(
    session: Session,
    business_id: int,
    data: bytes,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Create or update the business's clients from a CSV file, in the caller's transaction.

    Rows with a problem are skipped and reported; the others are added to ``session`` and
    flushed, never committed. With ``dry_run`` the session is left untouched. Raises
    ``CsvFormatError`` when the file as a whole cannot be used.
    """
    _business_exists(session, business_id)
    table = _read(data, CLIENT_COLUMNS, required=("name", "email"))
    report = ImportReport(rows=len(table.rows), warnings=list(table.warnings))
    existing = session.exec(
        select(Client).where(Client.business_id == business_id).order_by(col(Client.id))
    ).all()
    if dry_run:  # plan on detached copies, so nothing can reach the session
        existing = [Client(**client.model_dump()) for client in existing]
    clients = _Clients(existing)
    ticker = _Ticker(progress)
    for number, cells in table.rows:
        check = _Row(number, table.values(cells), table)
        row = _check_client(check)
        if not check.problems:
            _upsert(session, clients, row, check, report, business_id=business_id, dry_run=dry_run)
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


def parse_day(value: str) -> date | None:
    """ISO ``2026-11-04`` (a time after it is ignored) or day-first ``04/11/2026``."""
    value = value.strip()
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", value)
    dmy = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", value)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if dmy:
            return date(int(dmy[3]), int(dmy[2]), int(dmy[1]))
    except ValueError:
        return None
    return None


def event_kind(value: str) -> str | None:
    """The English kind for an English or Spanish name, or None."""
    key = _key(value)
    kinds = {k.value for k in EventKind}
    return key if key in kinds else SPANISH_KINDS.get(key)


class _ClientRefs:
    """Resolve a client by id, email or external reference the way ``find_client`` does."""

    def __init__(self, session: Session, business_id: int) -> None:
        clients = session.exec(select(Client).where(Client.business_id == business_id)).all()
        self.by_id = {c.id: c for c in clients}
        self.by_email = {c.email: c for c in clients if c.email}
        self.by_ref = {c.external_ref: c for c in clients if c.external_ref}

    def find(self, ref: str) -> Client | None:
        found = [self.by_email.get(ref.lower()), self.by_ref.get(ref)]
        if ref.isascii() and ref.isdigit():
            found.append(self.by_id.get(int(ref)))
        return min((c for c in found if c is not None), key=lambda c: c.id or 0, default=None)


def import_events(
    session: Session, business_id: int, data: bytes, *, progress: Progress | None = None
) -> ImportReport:
    """Add events from a CSV file in file order; an event already recorded counts unchanged.

    Columns ``client`` (id, email or reference), ``kind``, ``date``, ``summary`` and
    optionally ``item``, ``amount``, ``compensation``; Spanish headers and kind names too.
    """
    _business_exists(session, business_id)
    table = _read(data, EVENT_COLUMNS, required=("client", "kind", "date", "summary"))
    report = ImportReport(rows=len(table.rows), warnings=list(table.warnings))
    refs = _ClientRefs(session, business_id)
    ticker = _Ticker(progress)
    for number, cells in table.rows:
        check = _Row(number, table.values(cells), table)
        ref, raw_kind, raw_day, summary = map(check.text, ("client", "kind", "date", "summary"))
        item, amount, compensation = (check.text(n) or None for n in EVENT_DETAILS)
        client = refs.find(ref) if ref else None
        if client is None:
            check.problem("client", f"no client with id, email or reference {ref!r}", ref)
        kind = event_kind(raw_kind)
        if kind is None:
            names = ", ".join(k.value for k in EventKind)
            check.problem("kind", f"unknown kind: one of {names} (or in Spanish)", raw_kind)
        day = parse_day(raw_day)
        if day is None:
            check.problem("date", "not a date: write 2026-11-04 or 04/11/2026", raw_day)
        if not summary:
            check.problem("summary", "the summary is empty: say in one line what happened")
        if not check.problems:
            assert client is not None
            assert kind is not None
            assert day is not None
            try:
                event = validate_event(EventInput(kind, day, summary, item, amount, compensation))
            except InvalidEvent as exc:
                check.problem(exc.field, str(exc))
            else:
                if same_event_exists(session, client, event):
                    report.unchanged += 1
                else:
                    add_event(session, client, event)
                    report.created += 1
        report.problems.extend(check.problems)
        report.warnings.extend(check.warnings)
        ticker.tick()
    ticker.flush()
    return report
