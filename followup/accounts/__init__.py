"""The dashboard's users: each belongs to one business and logs in with an email and a
password (argon2, ``passwords``); failed logins are throttled in the database
(``throttle``). The CLI (`followup users`, `init`) and the web login both come here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from followup.accounts import passwords, throttle
from followup.errors import Conflict, Invalid, NotFound
from followup.fields import normalise_email, parse_language
from followup.models import Business, User


def find_user(session: Session, email: str) -> User | None:
    """The user with this email (any business), or None; never raises for a bad email."""
    try:
        address = normalise_email(email)
    except Invalid:
        return None
    return session.exec(select(User).where(User.email == address)).first()


def add_user(
    session: Session, business_id: int, email: str, password: str, now: datetime
) -> User:
    """A new login for the business. ``Invalid`` for a bad email or a short password,
    ``Conflict`` when the email already logs in, ``NotFound`` for an unknown business."""
    if session.get(Business, business_id) is None:
        raise NotFound(f"there is no business with id {business_id}")
    address = normalise_email(email)
    if session.exec(select(User).where(User.email == address)).first() is not None:
        raise Conflict(
            f"{address} already has a login; change its password with "
            f"`followup users passwd {address}`"
        )
    user = User(
        business_id=business_id,
        email=address,
        password_hash=passwords.hash_password(password),
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def change_password(session: Session, email: str, password: str) -> User:
    """Set a new password; ``NotFound`` when no user has this email."""
    user = find_user(session, email)
    if user is None:
        raise NotFound(f"no user logs in as {email.strip()!r} (`followup users list`)")
    user.password_hash = passwords.hash_password(password)
    session.add(user)
    return user


def list_users(session: Session, business_ids: list[int]) -> list[User]:
    return list(
        session.exec(
            select(User)
            .where(col(User.business_id).in_(business_ids))
            .order_by(col(User.business_id), col(User.email))
        )
    )


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user whose email and password these are, or None. Takes as long for an
    unknown email as for a wrong password; a hash made with older argon2 parameters is
    replaced by one with the current ones."""
    user = find_user(session, email)
    if user is None:
        passwords.verify(passwords.decoy_hash(), password)
        return None
    if not passwords.verify(user.password_hash, password):
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hasher().hash(password)
        session.add(user)
    return user


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


@dataclass(frozen=True)
class LoginAttempt:
    """What a login attempt came to: the user when it succeeded; ``wait`` when the email
    or the address must wait (then the password was not even checked); ``language``,
    the known user's language, for the words of a refusal."""

    user: User | None
    wait: timedelta | None = None
    language: str | None = None


def attempt_login(
    session: Session, email: str, password: str, ip: str | None, now: datetime
) -> LoginAttempt:
    """Check a login against the throttle, then the password; count a failure, or clear
    the email's failures on success (one transaction: ``session`` is a writing one)."""
    wait = throttle.wait_for(session, email, ip, now)
    if wait is not None:
        known = find_user(session, email)
        return LoginAttempt(None, wait, language_of(session, known) if known else None)
    user = authenticate(session, email, password)
    if user is None:
        throttle.record_failure(session, email, ip, now)
        return LoginAttempt(None)
    throttle.clear_email(session, email)
    return LoginAttempt(user, language=language_of(session, user))


def set_language(session: Session, user_id: int, language: str) -> None:
    """The dashboard's language for this user (``Invalid`` for one it is not written in)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"there is no user with id {user_id}")
    user.language = parse_language(language, "language")
    session.add(user)


def language_of(session: Session, user: User) -> str:
    """The user's language: their own choice, else the business's locale."""
    if user.language:
        return user.language
    business = session.get(Business, user.business_id)
    return business.locale if business is not None else "es"


__all__ = [
    "LoginAttempt",
    "add_user",
    "attempt_login",
    "authenticate",
    "change_password",
    "find_user",
    "get_user",
    "language_of",
    "list_users",
    "passwords",
    "set_language",
    "throttle",
]
