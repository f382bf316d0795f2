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
    "sending": N_("Sending"),
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
# What the owner did that the letter's state refused, per action.
REFUSALS = {
    "approve": N_("This letter cannot be approved: it is %(status)s. Nothing was changed."),
    "edit": N_("This letter cannot be edited any more: it is %(status)s. Nothing was changed."),
    "skip": N_("This pick cannot be skipped any more. Nothing was changed."),
    "dismiss": N_("This letter cannot be dismissed: it is %(status)s. Nothing was changed."),
    "done": N_("This letter cannot be marked done: it is %(status)s. Nothing was changed."),
    "resend": N_("This letter cannot be sent again: it is %(status)s. Nothing was changed."),
    "mark-sent": N_("Only an uncertain letter can be marked as sent; this one is %(status)s."),
}
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


def refusal(language: str, action: str, exc: FollowupError, status: str) -> tuple[str, str | None]:
    """The owner's words for a refused action, and the field it belongs to."""
    if isinstance(exc, Invalid):
        words = TOO_LONG if "longer than" in exc.message else FIELDS.get(exc.field or "", "")
        return gettext(language, words) if words else exc.message, exc.field
    if isinstance(exc, NotFound):
        raise exc
    assert isinstance(exc, Conflict)
    shown = gettext(language, STATUSES.get(status, status)).lower()
    return gettext(language, REFUSALS[action]) % {"status": shown}, None
