"""The Clients pages' words for what the domain says in English: a refused field becomes
a sentence in the owner's language next to that field, a guarantee's change after an event
is said again in Spanish, and statuses and reasons are named in words."""

from __future__ import annotations

import re

from followup.errors import Conflict, FollowupError, Invalid
from followup.web.i18n import N_, gettext

# What each field of a client or an event accepts, said where the domain refused it.
FIELD_HELP = {
    "name": N_("Write the client's name (at most 200 characters)."),
    "greeting": N_("Write the greeting on one line (at most 100 characters), or leave it empty."),
    "company": N_("Write the company on one line (at most 200 characters)."),
    "email": N_("This email address does not look right: check it, or leave it empty."),
    "phone": N_("Write the phone on one line (at most 50 characters)."),
    "address": N_("Write the postal address in at most 6 lines (300 characters in all)."),
    "locale": N_("Choose Spanish or English."),
    "form_of_address": N_("Choose usted or tú."),
    "tags": N_("Write the tags on one line (at most 500 characters)."),
    "notes": N_("The notes are too long (at most 5,000 characters)."),
    "external_ref": N_("Write your reference on one line (at most 100 characters)."),
    "summary": N_("Say in one line what happened (at most 500 characters)."),
    "item": N_("Write the item on one line (at most 200 characters)."),
    "amount": N_("Write the amount as a number with at most two decimals, like 45.90."),
    "compensation": N_("Write the compensation on one line (at most 500 characters)."),
    "day": N_("Choose a day that has already come."),
    "kind": N_("Choose what happened."),
    "call": N_("Only a complaint can ask for a call."),
    "why": N_("Say in a few words why the relationship ends (at most 450 characters)."),
    "terms": N_("Say what the guarantee covers, written to the client."),
    "months": N_("Write how many months the guarantee runs, a whole number from 1."),
    "payout": N_("Write what you pay or do if the error repeats (at most 500 characters)."),
    "checkins": N_("Write the check-in days as numbers after the start, like 7,30,60,90."),
    "confirm": N_("Tick the box to confirm."),
}
DUPLICATE = {
    "email": N_("Another client already has this email address."),
    "external_ref": N_("Another client already has this reference."),
}
DO_NOT_CONTACT_REASONS = {
    "unsubscribed": N_("they unsubscribed"),
    "bounced": N_("their email bounced"),
    "owner": N_("you decided it"),
    "forgotten": N_("they were forgotten"),
}
STATUSES = {
    "active": N_("Active"),
    "lost": N_("Lost"),
    "recovered": N_("Recovered"),
}


def field_errors(language: str, exc: FollowupError) -> dict[str, str]:
    """{field: sentence} for a refused form; ``""`` is the form as a whole. English keeps
    the domain's own sentence, which names the value; Spanish says what the field takes."""
    if isinstance(exc, Invalid):
        field = exc.field
        if language == "en" or field not in FIELD_HELP:
            return {field: _sentence(exc.message)}
        return {field: gettext(language, FIELD_HELP[field])}
    if isinstance(exc, Conflict):
        for field, words in (("email", "the email"), ("external_ref", "the external ref")):
            if words in exc.message and "already has" in exc.message:
                return {field: gettext(language, DUPLICATE[field])}
    return {"": _sentence(exc.message)}


def _sentence(message: str) -> str:
    text = message.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


_CLAIM = re.compile(r"This is a claim on guarantee (\d+)(?:: (.*))?\.$")
_CANCELLED = re.compile(r"Guarantee (\d+) is cancelled: (.*)\.$")
_SKIPPED = re.compile(
    r"Guarantee (\d+): the check-in of (\S+) is skipped; "
    r"(?:the next one is on (\S+)|no check-in is left)\.$"
)


def effect_words(language: str, effect: str) -> str:
    """``lifecycle.after_event``'s sentence in the owner's language."""
    if found := _CLAIM.match(effect):
        if found[2]:
            return gettext(language, "This is a claim on guarantee %(id)s: %(payout)s.") % {
                "id": found[1], "payout": found[2]}  # fmt: skip
        return gettext(language, "This is a claim on guarantee %(id)s.") % {"id": found[1]}
    if found := _CANCELLED.match(effect):
        return gettext(language, "Guarantee %(id)s is cancelled because the client left again.") % {
            "id": found[1]}  # fmt: skip
    if found := _SKIPPED.match(effect):
        if found[3]:
            return gettext(
                language, "Guarantee %(id)s: the check-in of %(day)s is skipped; "
                "the next one is on %(next)s.") % {
                "id": found[1], "day": found[2], "next": found[3]}  # fmt: skip
        return gettext(
            language, "Guarantee %(id)s: the check-in of %(day)s is skipped; no check-in is left."
        ) % {"id": found[1], "day": found[2]}
    return effect
