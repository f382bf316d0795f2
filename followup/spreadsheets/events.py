"""CSV import of events (DESIGN §7 "CSV import"): purchases, complaints, calls, ….

Each row names its client by id, email or external reference (as ``find_client`` does),
and gives the kind (in English or Spanish), the date (ISO or day-first) and a one-line
summary; ``item``, ``amount`` and ``compensation`` are optional. ``csvfiles`` reads the
file; rows are added in file order, and an event already recorded counts as unchanged, so
importing the same file twice adds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from sqlmodel import Session, select

from followup.clients import require_business
from followup.events import EventInput, InvalidEvent, add_event, same_event_exists, validate_event
from followup.models import Client, EventKind
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
MAX_LENGTH = {"item": 200, "amount": 50, "compensation": 500}
EVENT_DETAILS = ("item", "amount", "compensation")
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
    require_business(session, business_id)
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
