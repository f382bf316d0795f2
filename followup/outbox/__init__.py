"""The outbox state machine of DESIGN §5.

    draft -approve-> approved -(send time)-> queued -claim-> sending -> sent
                                                                     -> queued (retry later)
                                                                     -> failed
                                                                     -> uncertain
    cancel: draft | approved | queued -> cancelled
    owner:  uncertain | failed -resend-> queued;  uncertain -mark sent-> sent
    by hand (print, call): draft | approved -mark done-> sent
    dismiss: draft | approved -> dismissed (the reason is closed without a letter)
    bounce:  sent | uncertain -> failed (a delivery report read from the owner's inbox)

Every transition is one conditional UPDATE whose WHERE names the states it may start
from, so two processes (the sender and the dashboard, two senders, two replicas) can
race and the loser changes nothing. The owner's actions raise ``OutboxError`` when
they lose; the sender's marks return ``False``.

Nothing here reads the clock: ``now`` (timezone-aware UTC) is always an argument. The
functions take a Session and leave committing to the caller, except ``claim``, which
is its own short transaction. The sender's marks are Core UPDATEs: a ``Letter`` the
caller already holds in the same session is not refreshed by them.
"""

from followup.outbox.bounces import confirm_arrival, fail_delivered
from followup.outbox.owner import (
    OWNER_DECIDES,
    OutboxError,
    approve,
    cancel,
    dismiss,
    get_letter,
    mark_done,
    mark_sent_by_owner,
    resend,
    send_now,
)
from followup.outbox.sender import (
    LEASE_EXPIRED,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    bounce_client,
    claim,
    expire_leases,
    mark_failed,
    mark_retry,
    mark_sent,
    mark_sent_many,
    mark_uncertain,
    release_claim,
    release_due,
    renew_lease,
    renew_leases,
)

__all__ = [
    "LEASE_EXPIRED",
    "MAX_ATTEMPTS",
    "OWNER_DECIDES",
    "RETRY_DELAYS",
    "OutboxError",
    "approve",
    "bounce_client",
    "cancel",
    "claim",
    "confirm_arrival",
    "dismiss",
    "expire_leases",
    "fail_delivered",
    "get_letter",
    "mark_done",
    "mark_failed",
    "mark_retry",
    "mark_sent",
    "mark_sent_by_owner",
    "mark_sent_many",
    "mark_uncertain",
    "release_claim",
    "release_due",
    "renew_lease",
    "renew_leases",
    "resend",
    "send_now",
]
