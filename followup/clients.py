"""Finding a business's clients: by id, email or external reference (DESIGN §7 "CLIENT").

Every command, import and API route that names a client goes through ``find_client``, so
"C-1027", "laura@example.es" and "12" mean the same client everywhere.
"""

from __future__ import annotations

from sqlmodel import Session, col, or_, select

from followup.errors import NotFound
from followup.models import Client


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
