"""A business's clients (DESIGN §2, §7): found, added and changed by hand, and forgotten.

Every command, import and API route that names a client goes through ``find_client``, so
"C-1027", "laura@example.es" and "12" mean the same client everywhere. ``clients add``,
``clients update`` and the dashboard change clients through ``add_client`` and
``update_client``, with the same checks; ``forgetting.forget_client`` erases one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from followup.errors import Conflict, Invalid, NotFound
from followup.fields import normalise_email, one_line, parse_language, postal_address
from followup.models import Client, DoNotContact, FormOfAddress, max_length


def find_client(session: Session, business_id: int, ref: str) -> Client:
    """The client named by id, email (any case) or external reference.

    Raises ``NotFound`` when no client of the business answers to ``ref``. When several
    do (one's id is another's reference), the oldest client wins.
    """
    ref = ref.strip()
    conditions = [col(Client.email) == ref.lower(), col(Client.external_ref) == ref]
    # Only ASCII digits are ids: "١٢" is a reference or nothing.
    if ref.isascii() and ref.isdigit():
        conditions.append(col(Client.id) == int(ref))
    client = session.exec(
        select(Client)
        .where(Client.business_id == business_id, or_(*conditions))
        .order_by(col(Client.id))
    ).first()
    if client is None:
        raise NotFound(f"no client with id, email or reference {ref!r}")
    return client


# What `clients add` and `clients update` (and the dashboard) may set, checked alike.
TEXT_FIELDS = ("name", "greeting", "company", "phone", "tags", "external_ref")
FIELDS = (
    *TEXT_FIELDS, "address", "email", "locale", "form_of_address", "notes", "do_not_contact",
)


def check_client_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` as stored, each checked; raises ``Invalid`` naming the first bad field.

    Text is folded to one line (notes keep their line breaks, the postal address its
    lines: ``fields.postal_address``); an empty email or reference is stored as none;
    ``do_not_contact`` is a bool.
    """
    checked: dict[str, Any] = {}
    for field, value in values.items():
        if field not in FIELDS:
            raise Invalid(field, f"{field!r} is not a field of a client")
        if field in TEXT_FIELDS:
            text = one_line(str(value or ""))
            checked[field] = text or (None if field == "external_ref" else "")
        elif field == "address":
            checked[field] = postal_address(str(value or ""))
        elif field == "notes":
            checked[field] = re.sub(r"\r\n?", "\n", str(value or "")).strip()
        elif field == "email":
            text = str(value or "").strip()
            checked[field] = normalise_email(text) if text else None
        elif field == "locale":
            checked[field] = parse_language(str(value or ""))
        elif field == "form_of_address":
            form = str(value or "").strip().lower() or None
            if form is not None and form not in (FormOfAddress.usted, FormOfAddress.tu):
                raise Invalid(field, f"{value!r} is not usted or tu")
            checked[field] = form
        else:
            checked[field] = bool(value)
    for field, text in checked.items():
        column = "external_ref" if field == "external_ref" else field
        if isinstance(text, str) and field != "do_not_contact":
            limit = max_length(Client, column)
            if len(text) > limit:
                raise Invalid(
                    field, f"the {field.replace('_', ' ')} is longer than {limit} characters"
                )
    if "name" in checked and not checked["name"]:
        raise Invalid("name", "the name is empty")
    return checked


def _refuse_duplicates(
    session: Session, business_id: int, fields: Mapping[str, Any], client_id: int | None
) -> None:
    for field in ("email", "external_ref"):
        value = fields.get(field)
        if value is None:
            continue
        other = session.exec(
            select(Client.id).where(
                Client.business_id == business_id,
                getattr(Client, field) == value,
                col(Client.id) != (client_id or 0),
            )
        ).first()
        if other is not None:
            raise Conflict(f"client {other} already has the {field.replace('_', ' ')} {value!r}")


def add_client(session: Session, business_id: int, now: datetime, **values: Any) -> Client:
    """A new client from its fields (``name`` at least). Raises ``Invalid`` for a bad
    field and ``Conflict`` when another client has the email or the reference."""
    checked = check_client_fields({"name": values.pop("name", ""), **values})
    _refuse_duplicates(session, business_id, checked, None)
    dnc = checked.pop("do_not_contact", False)
    client = Client(business_id=business_id, **checked, created_at=now)
    if dnc:
        _set_do_not_contact(client, True, now)
    session.add(client)
    session.flush()
    return client


def update_client(
    session: Session, client: Client, now: datetime, **changes: Any
) -> dict[str, Any]:
    """Change some fields of ``client``; returns what changed (field: value). Nothing is
    changed when any value is refused (``Invalid``, ``Conflict``)."""
    checked = check_client_fields(changes)
    _refuse_duplicates(session, client.business_id, checked, client.id)
    changed = {k: v for k, v in checked.items() if getattr(client, k) != v}
    for field, value in changed.items():
        if field == "do_not_contact":
            _set_do_not_contact(client, value, now)
        else:
            setattr(client, field, value)
    session.add(client)
    session.flush()
    return changed


def _set_do_not_contact(client: Client, value: bool, now: datetime) -> None:
    client.do_not_contact = value
    client.do_not_contact_at = now if value else None
    client.do_not_contact_reason = DoNotContact.owner.value if value else None
