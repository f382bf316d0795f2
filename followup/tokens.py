"""API tokens (DESIGN §7): each belongs to one business and is the key of the JSON API.

A token is ``fu_`` and 43 characters of ``secrets.token_urlsafe(32)`` (256 random bits).
It is shown once, when created; only its SHA-256 is stored. A password needs a slow hash
(argon2) because people choose guessable ones; a 256-bit random token cannot be guessed,
so a fast hash loses nothing and keeps every API request cheap to check.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from followup.errors import Invalid, NotFound, Unauthenticated
from followup.fields import one_line
from followup.models import ApiToken, max_length
from followup.schemas import TokenView

PREFIX = "fu_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    session: Session, business_id: int, name: str, now: datetime
) -> tuple[TokenView, str]:
    """A new token for ``business_id``: its view and the token itself, to show once."""
    name = one_line(name)
    if not name:
        raise Invalid("name", "give the token a name: what uses it (“accounting script”)")
    limit = max_length(ApiToken, "name")
    if len(name) > limit:
        raise Invalid("name", f"the name is longer than {limit} characters")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(business_id=business_id, name=name, token_hash=hash_token(token), created_at=now)
    session.add(row)
    session.flush()
    return TokenView.model_validate(row), token


def list_tokens(session: Session, business_id: int) -> list[TokenView]:
    """The business's tokens, oldest first; never the token itself."""
    rows = session.exec(
        select(ApiToken).where(ApiToken.business_id == business_id).order_by(col(ApiToken.id))
    )
    return [TokenView.model_validate(row) for row in rows]


def revoke_token(session: Session, business_id: int, token_id: int) -> None:
    """Delete the token: a request with it is refused from now on."""
    gone = session.exec(
        delete(ApiToken).where(
            col(ApiToken.id) == token_id, col(ApiToken.business_id) == business_id
        )
    )
    if not gone.rowcount:
        raise NotFound(f"there is no token {token_id}")


def verify_token(session: Session, token: str, now: datetime) -> int:
    """The business a token belongs to; its ``last_used_at`` becomes ``now``.

    Raises ``Unauthenticated`` for a malformed, unknown or revoked token.
    """
    if not token.startswith(PREFIX) or len(token) > 200:
        raise Unauthenticated("the token is malformed: it starts with fu_")
    found = session.exec(
        update(ApiToken)
        .where(col(ApiToken.token_hash) == hash_token(token))
        .values(last_used_at=now)
        .returning(col(ApiToken.business_id))
    ).first()
    if found is None:
        raise Unauthenticated("the token is unknown or revoked")
    return int(found[0])
