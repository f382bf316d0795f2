"""A letter as Today and the letter's page show it: its text in paragraphs and lines with
the flagged sentences marked, the flags' reasons in the owner's language, the ``tel:``
and WhatsApp links of a call, and the words for statuses, kinds and refusals."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from urllib.parse import quote

from followup.errors import Conflict, FollowupError, Invalid, NotFound
from followup.letters.flag_words import reason_in
from followup.models import Business, Channel, LetterStatus
from followup.phones import international_digits
from followup.schemas import LetterDetail
from followup.services.today import DayLetter
from followup.web.i18n import N_, gettext

STATUSES = {
    "draft": N_("Draft"),
    "approved": N_("Approved"),
    "queued": N_("Queued"),
    "sending": N_("Being sent"),  # not "Sending": Settings' heading of that name is "Envío"
    "sent": N_("Sent"),
    "failed": N_("Failed"),
    "uncertain": N_("Uncertain"),
    "cancelled": N_("Cancelled"),
    "dismissed": N_("Dismissed"),
}
KINDS = {
    "thank_you": N_("Thank-you"),
    "apology": N_("Apology"),
    "cooperation": N_("Thanks for a helping hand"),
    "lost_client": N_("A lost client"),
    "guarantee_offer": N_("Guarantee offer"),
    "guarantee_checkin": N_("Guarantee check-in"),
}
# A letter's history: the inbox's kinds beside the statuses.
MOMENTS = {
    **STATUSES,
    "drafted": N_("Drafted"),
    "reply": N_("Reply"),
    "auto_reply": N_("Automatic reply"),
    "bounce": N_("Bounce"),
    "delay": N_("Delivery delayed"),
    "report": N_("Delivery report"),
}
# A refusal is said in two whole clauses: what could not be done, then why, which is
# the letter's state said as a clause of its own ("ya se envió", "está en cola"): a
# status's label dropped into a sentence ("está borrador") is not Spanish.
REFUSED = {
    "approve": N_("This letter cannot be approved"),
    "edit": N_("This letter cannot be edited any more"),
    "dismiss": N_("This letter cannot be dismissed"),
    "done": N_("This letter cannot be marked done"),
    "resend": N_("This letter cannot be sent again"),
    "mark-sent": N_("This letter cannot be marked as sent"),
}
# Why, per status: the letter is feminine in Spanish ("la carta").
BECAUSE = {
    "draft": N_("it is still a draft"),
    "approved": N_("it is approved already and waits for its send time"),
    "queued": N_("it is queued to be sent"),
    "sending": N_("it is being sent right now"),
    "sent": N_("it has been sent already"),
    "failed": N_("it could not be sent"),
    "uncertain": N_("it may have arrived already, but the mail server did not confirm it"),
    "cancelled": N_("it was cancelled"),
    "dismissed": N_("it was dismissed"),
}
# An email is never marked done by hand, whatever its state.
BY_EMAIL = N_("it goes out by email from the Outbox, it is not done by hand")
SOME_STATE = N_("its state does not allow it any more")
REFUSAL = N_("%(refused)s: %(because)s. Nothing was changed.")
SKIP_REFUSED = N_("This pick cannot be skipped any more. Nothing was changed.")
FIELDS = {
    "subject": N_("Write a subject."),
    "text": N_("Write the letter's text."),
    "why": N_("Say in a few words why no letter is needed."),
    "outcome": N_("Say in a few words how it went."),
}
TOO_LONG = N_("That is too long: shorten it a little.")

Segment = tuple[str, bool]


@dataclass
class Card:
    """A letter card; ``error`` (and ``field``, the input it belongs to) when the owner's
    last action on it was refused, ``values`` what they had typed."""

    item: DayLetter
    language: str
    country: str | None
    error: str | None = None
    field: str | None = None
    values: dict[str, str] = dc_field(default_factory=dict)
    # The client whose pick this card replaces (a skip just now).
    skipped: str | None = None

    @property
    def letter(self) -> LetterDetail:
        return self.item.letter

    @property
    def flags(self) -> list[tuple[str, str]]:
        return [(f.sentence, reason_in(self.language, f.reason)) for f in self.letter.flags]

    @property
    def paragraphs(self) -> list[list[list[Segment]]]:
        return paragraphs(self.letter.text, [f.sentence for f in self.letter.flags])

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.letter.kind, self.letter.kind)

    @staticmethod
    def status_label(status: str) -> str:
        return STATUSES.get(status, status)

    @staticmethod
    def paragraphs_of(letter: LetterDetail) -> list[list[list[Segment]]]:
        return paragraphs(letter.text, [])

    @property
    def waiting(self) -> bool:
        return self.letter.status in (LetterStatus.draft, LetterStatus.approved)

    @property
    def is_call(self) -> bool:
        return self.letter.channel == Channel.call

    @property
    def phone_only(self) -> bool:
        """The client has no email: this call task is the pick's letter itself."""
        return self.is_call and self.letter.call_for_id is None

    @property
    def tel(self) -> str | None:
        number = "".join(ch for ch in self.item.phone if ch.isdigit() or ch == "+")
        return f"tel:{number}" if number else None

    @property
    def whatsapp(self) -> str | None:
        return whatsapp_link(self.item.phone, self.country, self.letter.text)


def whatsapp_link(phone: str, country: str | None, text: str) -> str | None:
    """``https://wa.me/<digits>?text=<the letter's text>``, or None without a number."""
    digits = international_digits(phone, country)
    if digits is None:
        return None
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"


def business_country(business: Business) -> str | None:
    """The business's country for phone numbers: its holidays', else its time zone's."""
    from followup.calendar import country_of

    return business.holiday_country or country_of(business.timezone)


def paragraphs(text: str, marked: list[str]) -> list[list[list[Segment]]]:
    """``text`` as paragraphs (blank lines apart) of lines, each line as segments, the
    flagged sentences among them marked (``<mark>`` in the template, escaped)."""
    result: list[list[list[Segment]]] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = block.strip("\n").split("\n")
        if any(line.strip() for line in lines):
            result.append([segments(line, marked) for line in lines])
    return result


def segments(line: str, marked: list[str]) -> list[Segment]:
    out: list[Segment] = []
    rest = line
    while rest:
        found = [(rest.find(s), s) for s in marked if s and rest.find(s) >= 0]
        if not found:
            out.append((rest, False))
            break
        start, sentence = min(found)
        if start:
            out.append((rest[:start], False))
        out.append((sentence, True))
        rest = rest[start + len(sentence) :]
    return out


def refusal(
    language: str, action: str, exc: FollowupError, status: str, channel: str = Channel.email
) -> tuple[str, str | None]:
    """The owner's words for a refused action, and the field it belongs to."""
    if isinstance(exc, Invalid):
        words = TOO_LONG if "longer than" in exc.message else FIELDS.get(exc.field or "", "")
        return gettext(language, words) if words else exc.message, exc.field
    if isinstance(exc, NotFound):
        raise exc
    assert isinstance(exc, Conflict)
    return refused_because(language, action, status, channel), None


def refused_because(language: str, action: str, status: str, channel: str) -> str:
    """What could not be done to a letter in ``status``, and why, as whole sentences."""
    if action == "skip":
        return gettext(language, SKIP_REFUSED)
    because = BY_EMAIL if action == "done" and channel == Channel.email else None
    words = {
        "refused": gettext(language, REFUSED[action]),
        "because": gettext(language, because or BECAUSE.get(status, SOME_STATE)),
    }
    return gettext(language, REFUSAL) % words
