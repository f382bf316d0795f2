"""Unsubscribe links (RFC 8058): a signed token per client, and the link that carries it.

The token names the business and the client, signed with FOLLOWUP_SECRET_KEY: it
cannot be guessed or changed into another client's, and it does not expire, since a
client may answer a letter months after it arrived. A GET of the link only shows a
confirmation page; the one-click POST unsubscribes (``web.unsubscribe``).
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "followup-unsubscribe"
PATH = "/unsubscribe/"


@dataclass(frozen=True)
class Subscriber:
    business_id: int
    client_id: int


def make_token(secret_key: str, business_id: int, client_id: int) -> str:
    return str(URLSafeSerializer(secret_key, salt=SALT).dumps([business_id, client_id]))


def read_token(secret_key: str, token: str) -> Subscriber | None:
    """Whose token this is, or None when it was not signed with this key."""
    try:
        value = URLSafeSerializer(secret_key, salt=SALT).loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(part, int) and not isinstance(part, bool) for part in value)
    ):
        return None
    return Subscriber(business_id=value[0], client_id=value[1])


def unsubscribe_url(base_url: str, secret_key: str, business_id: int, client_id: int) -> str:
    """The client's unsubscribe link under the public ``base_url``."""
    return f"{base_url.rstrip('/')}{PATH}{make_token(secret_key, business_id, client_id)}"
