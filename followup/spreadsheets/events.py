"""CSV import of events (DESIGN §7 "CSV import"): purchases, complaints, calls, ….

Each row names its client by id, email or external reference (through ``find_client``),
and gives the kind (in English or Spanish), the date (ISO or day-first) and a one-line
summary; ``item``, ``amount``, ``compensation`` and ``call`` (yes/sí: a complaint the
owner will also call about) are optional. Kinds and days are read
by ``followup.events`` (``event_kind``, ``parse_day``), as ``events add`` reads them, and
an event dated after the business's today is refused, by row. ``spreadsheets.reading``
reads the file; rows are added in file order, and an event already recorded counts as
unchanged, so importing the same file twice adds nothing.

Like the clients' import, it commits every ``CHUNK_ROWS`` rows in a short transaction of
its own; being idempotent, an import stopped half-way is finished by running it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from followup.businesses import get_business
from followup.clients import find_client
from followup.db import read_session, write_session
from followup.errors import Invalid, NotFound
from followup.events import (
    DAYS_ACCEPTED,
    KINDS_ACCEPTED,
    YES_NO_ACCEPTED,
    EventInput,
    add_event,
    event_kind,
    parse_day,
    parse_yes_no,
    same_event_exists,
    validate_event,
)
from followup.models import Client, Event, max_length
from followup.recovery.lifecycle import after_event
from followup.spreadsheets.reading import RowCheck, Source, chunks, read_table
from followup.spreadsheets.reports import ImportReport, Progress, Ticker

CHUNK_ROWS = 1000

EVENT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "client": ("client", "cliente"),
    "kind": ("kind", "tipo", "type"),
    "date": ("date", "fecha", "day", "día"),
    "summary": ("summary", "resumen"),
    "item": ("item", "artículo"),
    "amount": ("amount", "importe"),
    "compensation": ("compensation", "compensación"),
    # A complaint the owner will also call about: yes/sí, or empty.
    "call": ("call", "llamada", "llamar"),
}
# The model's column sizes: checked here so PostgreSQL never refuses a row mid-import.
EVENT_DETAILS = ("item", "amount", "compensation")
MAX_LENGTH = {name: max_length(Event, name) for name in EVENT_DETAILS}
# The fields of ``validate_event``'s errors that are not named like the file's columns.
_COLUMN_OF = {"day": "date"}


class _ClientRefs:
    """``find_client`` with a memory: a file names the same client on many rows.

    It keeps ids, not clients: each chunk has a session of its own.
    """

    def __init__(self, business_id: int) -> None:
        self.business_id = business_id
        self.found: dict[str, int | None] = {}

    def find(self, session: Session, ref: str) -> Client | None:
        if ref not in self.found:
            try:
                self.found[ref] = find_client(session, self.business_id, ref).id
            except NotFound:
                self.found[ref] = None
        id = self.found[ref]
        return None if id is None else session.get(Client, id)


def import_events(
    engine: Engine,
    business_id: int,
    source: Source,
    now: datetime,
    *,
    today: date | None = None,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """Add events from a CSV file (its bytes or its path) in file order, committing every
    ``chunk_rows`` rows; an event already recorded counts unchanged.

    Columns ``client`` (id, email or reference), ``kind``, ``date``, ``summary`` and
    optionally ``item``, ``amount``, ``compensation``; Spanish headers and kind names too.
    With ``today`` (the business's local day), a row dated after it is rejected.
    Raises ``CsvFormatError`` when the file as a whole cannot be used (before anything is
    written), ``NotFound`` for an unknown business.
    """
    with read_session(engine) as session:
        get_business(session, business_id)
    table = read_table(
        source, EVENT_COLUMNS, required=("client", "kind", "date", "summary"), limits=MAX_LENGTH
    )
    report = ImportReport(
        rows=table.row_count,
        warnings=list(table.warnings),
        encoding=table.encoding.name,
        unreadable=table.encoding.unreadable,
    )
    refs = _ClientRefs(business_id)
    ticker = Ticker(progress)
    for chunk in chunks(table.rows(), chunk_rows):
        with write_session(engine) as session:
            checks = [
                _import_row(session, refs, table.check(n, cells), report, now, today)
                for n, cells in chunk
            ]
        for check in checks:
            report.problems.extend(check.problems)
            report.warnings.extend(check.warnings)
            ticker.tick()
    ticker.flush()
    return report


def _import_row(
    session: Session,
    refs: _ClientRefs,
    check: RowCheck,
    report: ImportReport,
    now: datetime,
    today: date | None,
) -> RowCheck:
    ref, raw_kind, raw_day, summary = map(check.text, ("client", "kind", "date", "summary"))
    item, amount, compensation = (check.text(n) or None for n in EVENT_DETAILS)
    client = refs.find(session, ref) if ref else None
    if client is None:
        check.problem("client", f"no client with id, email or reference {ref!r}", ref)
    kind = event_kind(raw_kind)
    if kind is None:
        check.problem("kind", f"unknown kind: {KINDS_ACCEPTED}", raw_kind)
    day = parse_day(raw_day)
    if day is None:
        check.problem("date", f"not a date: {DAYS_ACCEPTED}", raw_day)
    if not summary:
        check.problem("summary", "the summary is empty: say in one line what happened")
    raw_call = check.text("call")
    wants_call = parse_yes_no(raw_call)
    if wants_call is None:
        check.problem("call", f"not a yes or no: {YES_NO_ACCEPTED}", raw_call)
    if check.problems:
        return check
    assert client is not None
    assert kind is not None
    assert day is not None
    try:
        event = validate_event(
            EventInput(kind, day, summary, item, amount, compensation, bool(wants_call)), today
        )
    except Invalid as exc:
        check.problem(_COLUMN_OF.get(exc.field, exc.field), str(exc))
        return check
    if same_event_exists(session, client, event):
        report.unchanged += 1
    else:
        after_event(session, client, add_event(session, client, event, now), now)
        report.created += 1
    return check
