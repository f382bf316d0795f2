"""A client's timeline as the client page shows it: one list, newest first, of their
events (a complaint with its incident), letters, picks, inbox messages, guarantees and
claims, each with the day it happened and the words that name it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from followup.services.story import ClientStory
from followup.web.i18n import N_

# Where a letter is read and acted on (the Outbox page's letter view).
LETTER_URL = "/letters/{id}"

EVENT_KINDS = {
    "purchase": N_("Purchase"),
    "complaint": N_("Complaint"),
    "cooperation": N_("Cooperation"),
    "lost": N_("Left us"),
    "recovered": N_("Came back"),
    "reply": N_("Replied"),
    "call": N_("Call"),
    "note": N_("Note"),
}
LETTER_KINDS = {
    "thank_you": N_("Thank-you letter"),
    "apology": N_("Apology"),
    "cooperation": N_("Thanks for their cooperation"),
    "lost_client": N_("Letter to a client who left"),
    "guarantee_offer": N_("Special guarantee offer"),
    "guarantee_checkin": N_("Guarantee check-in"),
}
LETTER_STATUSES = {
    "draft": N_("draft, waiting for your approval"),
    "approved": N_("approved, waiting for the send time"),
    "queued": N_("about to be sent"),
    "sending": N_("being sent"),
    "sent": N_("sent"),
    "failed": N_("could not be sent"),
    "uncertain": N_("may have arrived: your decision is needed"),
    "cancelled": N_("cancelled"),
    "dismissed": N_("dismissed"),
}
CHANNELS = {"email": N_("email"), "print": N_("printed"), "call": N_("call")}
INBOX_KINDS = {
    "reply": N_("Their reply"),
    "auto_reply": N_("An automatic reply"),
    "bounce": N_("The letter bounced"),
    "delay": N_("Delivery delayed"),
    "report": N_("A delivery report"),
    "unrelated": N_("A message from them"),
    "unreadable": N_("An unreadable message"),
}
GUARANTEE_STATUSES = {
    "active": N_("running"),
    "expired": N_("ended"),
    "claimed": N_("claimed"),
    "cancelled": N_("cancelled"),
}


@dataclass(frozen=True)
class Entry:
    day: date
    what: str  # event, letter, pick, reply, guarantee, claim
    item: Any
    extra: Any = None
    order: int = 0  # within a day, higher first


def entries(story: ClientStory) -> list[Entry]:
    incidents = {incident.id: incident for incident in story.incidents}
    found = [Entry(e.day, "event", e, incidents.get(e.id), e.id) for e in story.events]
    found += [Entry(letter.day, "letter", letter, None, letter.id) for letter in story.letters]
    found += [Entry(p.day, "pick", p, None, p.id) for p in story.picks]
    found += [Entry(r.received_at.date(), "reply", r, None, r.id) for r in story.replies]
    for g in story.guarantees:
        found.append(Entry(g.starts_on, "guarantee", g, None, g.id))
        found += [Entry(c.day, "claim", c, g, c.id) for c in g.claim_list]
    rank = {"reply": 6, "claim": 5, "event": 4, "guarantee": 3, "letter": 2, "pick": 1}
    return sorted(found, key=lambda e: (e.day, rank[e.what], e.order), reverse=True)
