"""The errors an owner can cause or fix, each with its CLI exit code and its HTTP status.

Domain code raises these and nothing else for a user's mistake; the CLI turns them into
a message and an exit code in one place (``cli/app.py``), and the API registers one
exception handler from the same classes. The message is written for the owner: it says
what is wrong and, where it can, what to do.

Exit codes (DESIGN §7): 1, the input was rejected; 2, usage or configuration. Each class
also derives from the built-in exception it refines (``LookupError``, ``ValueError``),
so code that catches those keeps working.
"""

from __future__ import annotations


class FollowupError(Exception):
    """Base of every error meant for the owner's eyes."""

    exit_code = 1
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFound(FollowupError, LookupError):
    """A client, letter, business, … that does not exist (in this business)."""

    http_status = 404


class UnknownBusiness(NotFound):
    """No business, or not the one ``--business`` names: the setup is what to fix."""

    exit_code = 2


class Invalid(FollowupError, ValueError):
    """A value that cannot be accepted; ``field`` names it (a flag, a column, a form field)."""

    http_status = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class InvalidSetting(Invalid):
    """A business setting that cannot work (a time zone, an address, a send time)."""

    exit_code = 2


class Conflict(FollowupError):
    """The request is fine but the current state does not allow it (already sent, …)."""

    http_status = 409


class ConfigError(FollowupError):
    """The deployment's configuration cannot work (a setting, the database, the schema)."""

    exit_code = 2
    http_status = 503


class Unauthenticated(FollowupError):
    """A request with no credentials, or ones that are unknown or revoked (the API's 401)."""

    exit_code = 2
    http_status = 401


class Forbidden(FollowupError):
    """Valid credentials that may not do this (the API's 403)."""

    exit_code = 2
    http_status = 403
