"""Login throttling kept in the database, so that every process serving the dashboard
(several `followup serve` behind one proxy, on SQLite or PostgreSQL) counts the same
failures: after ``LIMIT`` failed logins within ``WINDOW``, for one email or from one IP
address, that email or address waits until the oldest of them leaves the window. A
successful login clears its email's count (not the address's: one right password must
not reopen an address that is guessing at other accounts)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from followup.models import LoginFailure

LIMIT = 5
WINDOW = timedelta(minutes=15)
EMAIL = "email"
IP = "ip"


def email_key(email: str) -> str:
    """The email as typed, made comparable (not validated: a typo counts too)."""
    return email.strip().lower()[:320]


def wait_for(session: Session, email: str, ip: str | None, now: datetime) -> timedelta | None:
    """How long this email or IP must still wait before another login attempt; None when
    it may try now."""
    longest: timedelta | None = None
    for scope, key in _keys(email, ip):
        recent = session.exec(
            select(LoginFailure.at)
            .where(LoginFailure.scope == scope, LoginFailure.key == key)
            .where(col(LoginFailure.at) > now - WINDOW)
            .order_by(col(LoginFailure.at).desc())
            .limit(LIMIT)
        ).all()
        if len(recent) < LIMIT:
            continue
        wait = recent[-1] + WINDOW - now
        if wait > timedelta(0) and (longest is None or wait > longest):
            longest = wait
    return longest


def record_failure(session: Session, email: str, ip: str | None, now: datetime) -> None:
    """Count one failed login for the email and the address; forget the ones that no
    longer count, so the table stays small."""
    session.exec(delete(LoginFailure).where(col(LoginFailure.at) <= now - WINDOW))
    for scope, key in _keys(email, ip):
        session.add(LoginFailure(scope=scope, key=key, at=now))


def clear_email(session: Session, email: str) -> None:
    session.exec(
        delete(LoginFailure).where(
            col(LoginFailure.scope) == EMAIL, col(LoginFailure.key) == email_key(email)
        )
    )


def _keys(email: str, ip: str | None) -> list[tuple[str, str]]:
    keys = [(EMAIL, email_key(email))]
    if ip:
        keys.append((IP, ip[:320]))
    return keys
