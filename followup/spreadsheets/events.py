"""CSV import of events (DESIGN §7 "CSV import"): purchases, complaints, calls, ….

Each row names its client by id, email or external reference (through ``find_client``),
and gives the kind (in English or Spanish), the date (ISO or day-first) and a one-line
summary; ``item``, ``amount`` and ``compensation`` are optional. ``csvfiles`` reads the
file; rows are added in file order, and an event already recorded counts as unchanged, so
importing the same file twice adds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime

from sqlmodel import Session

from followup.businesses import get_business
from followup.clients import find_client
from followup.errors import Invalid, NotFound
from followup.events import EventInput, add_event, same_event_exists, validate_event
from followup.models import Client, Event, EventKind, max_length
from followup.spreadsheets.reading import (
    ImportReport,
    Progress,
    RowCheck,
    Ticker,
    match_key,
    read_table,
)

EVENT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "client": ("client", "cliente"),
    "kind": ("kind", "tipo", "type"),
    "date": ("date", "fecha", "day", "día"),
    "summary": ("summary", "resumen"),
    "item": ("item", "artículo"),
    "amount": ("amount", "importe"),
    "compensation": ("compensation", "compensación"),
}
# The model's column sizes: checked here so PostgreSQL never refuses a row mid-import.
EVENT_DETAILS = ("item", "amount", "compensation")
MAX_LENGTH = {name: max_length(Event, name) for name in EVENT_DETAILS}
SPANISH_KINDS = {
    "compra": EventKind.purchase, "queja": EventKind.complaint,
    "reclamacion": EventKind.complaint, "colaboracion": EventKind.cooperation,
    "cooperacion": EventKind.cooperation, "perdido": EventKind.lost, "perdida": EventKind.lost,
    "recuperado": EventKind.recovered, "recuperada": EventKind.recovered,
    "respuesta": EventKind.reply, "llamada": EventKind.call, "nota": EventKind.note,
}


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
    key = match_key(value)
    kinds = {k.value for k in EventKind}
    return key if key in kinds else SPANISH_KINDS.get(key)


class _ClientRefs:
    """``find_client`` with a memory: a file names the same client on many rows."""

    def __init__(self, session: Session, business_id: int) -> None:
        self.session, self.business_id = session, business_id
        self.found: dict[str, Client | None] = {}

    def find(self, ref: str) -> Client | None:
        if ref not in self.found:
            try:
                self.found[ref] = find_client(self.session, self.business_id, ref)
            except NotFound:
                self.found[ref] = None
        return self.found[ref]


def import_events(
    session: Session,
    business_id: int,
    data: bytes,
    now: datetime,
    *,
    progress: Progress | None = None,
) -> ImportReport:
    """Add events from a CSV file in file order; an event already recorded counts unchanged.

    Columns ``client`` (id, email or reference), ``kind``, ``date``, ``summary`` and
    optionally ``item``, ``amount``, ``compensation``; Spanish headers and kind names too.
    """
    get_business(session, business_id)
    table = read_table(
        data, EVENT_COLUMNS, required=("client", "kind", "date", "summary"), limits=MAX_LENGTH
    )
    report = ImportReport(rows=len(table.rows), warnings=list(table.warnings))
    refs = _ClientRefs(session, business_id)
    ticker = Ticker(progress)
    for number, cells in table.rows:
        check = RowCheck(number, table.values(cells), table)
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
            except Invalid as exc:
                check.problem(exc.field, str(exc))
            else:
                if same_event_exists(session, client, event):
                    report.unchanged += 1
                else:
                    add_event(session, client, event, now)
                    report.created += 1
        report.problems.extend(check.problems)
        report.warnings.extend(check.warnings)
        ticker.tick()
    ticker.flush()
    return report
