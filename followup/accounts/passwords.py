"""Owners' passwords: argon2id hashes (argon2-cffi's defaults, RFC 9106's second
recommended setting), checked in constant time; a hash made with older parameters is
replaced at the next login that proves the password."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from followup.errors import Invalid

MIN_LENGTH = 10
# argon2 takes any length, but hashing a megabyte on every login attempt is a way in for
# a denial of service: no passphrase is this long.
MAX_LENGTH = 1024


@cache
def hasher() -> PasswordHasher:
    return PasswordHasher()


def check_strength(password: str, field: str = "password") -> None:
    """Raise ``Invalid`` for a password too short (or absurdly long) to accept."""
    if len(password) < MIN_LENGTH:
        raise Invalid(
            field,
            f"the password is too short: {MIN_LENGTH} characters at least "
            "(a few words together are easy to remember and hard to guess)",
        )
    if len(password) > MAX_LENGTH:
        raise Invalid(field, f"the password is too long: {MAX_LENGTH} characters at most")


def hash_password(password: str) -> str:
    check_strength(password)
    return hasher().hash(password)


def verify(password_hash: str, password: str) -> bool:
    """Whether ``password`` is the one ``password_hash`` was made from (constant time)."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


@cache
def decoy_hash() -> str:
    """A hash no password matches in practice, checked when the email is unknown so that a
    wrong email takes as long as a wrong password (no user enumeration by timing)."""
    return hasher().hash("followup: no such user, this only spends the same time")
