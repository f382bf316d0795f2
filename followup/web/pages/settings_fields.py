"""The Settings page's form: every setting of ``followup settings`` as a field (its
label, input, help and choices), grouped as an owner thinks of them, and what the page
asks for when ``update_business`` refuses one."""

from __future__ import annotations

from dataclasses import dataclass

from followup.businesses import COOLDOWN_RANGE, QUOTA_RANGE
from followup.web.i18n import N_, gettext, supported


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    group: str
    input: str = "text"  # text, email, number, time, select, checkbox, days
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    low: int | None = None
    high: int | None = None
    required: bool = False


BUSINESS, SENDING, LETTERS, INBOX = (
    N_("Your business"), N_("Sending"), N_("How letters are written"), N_("Your inbox")
)  # fmt: skip
GROUPS = (BUSINESS, SENDING, LETTERS, INBOX)

FIELDS = (
    Field("name", N_("Business name"), BUSINESS, required=True,
          help=N_("As your clients know it.")),
    Field("owner_name", N_("Your name"), BUSINESS, required=True,
          help=N_("Who signs the letters.")),
    Field("owner_title", N_("Your title"), BUSINESS,
          help=N_("Under your signature, in the business's language (Propietaria).")),
    Field("owner_title_es", N_("Your title in Spanish letters"), BUSINESS,
          help=N_("Only when the business's language is another.")),
    Field("owner_title_en", N_("Your title in English letters"), BUSINESS,
          help=N_("Only when the business's language is another.")),
    Field("owner_phone", N_("Your phone"), BUSINESS, help=N_("A direct line to sign with.")),
    Field("phone_label", N_("Word before the phone"), BUSINESS,
          help=N_("Such as “Tel.”; none by default.")),
    Field("sender_email", N_("Sender address"), SENDING, "email", required=True,
          help=N_("The From address of the letters: one your mail server lets you send from.")),
    Field("from_name", N_("Sender name"), SENDING,
          help=N_("How the From line names you (empty: “Your name — Business name”).")),
    Field("reply_to", N_("Reply-to address"), SENDING, "email",
          help=N_("Where replies go (empty: the sender address).")),
    Field("approval_mode", N_("Approval"), SENDING, "select",
          choices=(("review", N_("I read and approve each letter")),
                   ("auto", N_("Letters go out by themselves at the send time")))),
    Field("digest", N_("Daily summary email"), SENDING, "checkbox",
          help=N_("In review mode: each working day, the day's picks, drafts to check and "
                  "letters that failed.")),
    Field("send_time", N_("Send time"), SENDING, "time",
          help=N_("Local time; not between 02:00 and 03:00.")),
    Field("daily_quota", N_("Letters per working day"), SENDING, "number",
          low=QUOTA_RANGE[0], high=QUOTA_RANGE[1]),
    Field("working_days", N_("Working days"), SENDING, "days"),
    Field("holidays", N_("Public holidays"), SENDING,
          help=N_("A country code (ES), with its region if you like (ES-AN); empty: none.")),
    Field("timezone", N_("Time zone"), SENDING, help=N_("Such as Europe/Madrid.")),
    Field("cooldown_days", N_("Days before writing to a client again"), SENDING, "number",
          low=COOLDOWN_RANGE[0], high=COOLDOWN_RANGE[1]),
    Field("locale", N_("Language of the letters"), LETTERS, "select",
          choices=(("es", N_("Spanish")), ("en", N_("English")))),
    Field("form_of_address", N_("Form of address in Spanish"), LETTERS, "select",
          choices=(("usted", N_("usted")), ("tu", N_("tú")))),
    Field("greeting_usted", N_("Greeting with usted"), LETTERS, "select",
          choices=(("estimado", N_("“Estimada Laura:”")), ("apreciado", N_("“Apreciada Laura:”")),
                   ("nombre", N_("“Laura:”")))),
    Field("greeting_tu", N_("Greeting with tú"), LETTERS, "select",
          choices=(("hola", N_("“Hola, Laura:”")), ("querido", N_("“Querida Laura:”")))),
    Field("greeting_en", N_("Greeting in English"), LETTERS, "select",
          choices=(("dear", N_("“Dear Laura,”")), ("hi", N_("“Hi Laura,”")))),
    Field("imap_url", N_("Inbox address (IMAP)"), INBOX,
          help=N_("Read for replies and bounces, never changed: imaps://you%%40example.com@"
                  "imap.example.com/INBOX. Empty: not read.")),
)  # fmt: skip

# What the page asks for when a value is refused.
ASK = {
    "name": N_("Write the business's name (up to 200 characters)."),
    "owner_name": N_("Write your name (up to 200 characters)."),
    "sender_email": N_("Write the address letters come from, such as marta@example.com."),
    "reply_to": N_("Write an email address, or leave it empty."),
    "timezone": N_("Write a time zone such as Europe/Madrid or America/Mexico_City."),
    "daily_quota": N_("Write a whole number from 1 to 50."),
    "cooldown_days": N_("Write a whole number of days from 0 to 365."),
    "send_time": N_("Write a time such as 09:00, not between 02:00 and 03:00 (the clocks "
                    "change then)."),
    "working_days": N_("Tick at least one working day."),
    "holidays": N_("Write a country code such as ES, or ES-AN with its region, or leave it "
                   "empty. That country or region has no holiday calendar here."),
    "imap_url": N_("Write the inbox as imaps://USER@SERVER/FOLDER (an @ in the user as "
                   "%40), or leave it empty."),
    "locale": N_("Choose Spanish or English."),
}  # fmt: skip
TOO_LONG = N_("That is too long, or not one of the choices: check it and try again.")


def ask(language: str, field: str) -> str:
    return gettext(language, ASK.get(field, TOO_LONG))


def weekdays(language: str) -> list[tuple[str, str]]:
    """ISO weekday numbers with their names in ``language`` (Monday first)."""
    from babel.dates import get_day_names

    names = get_day_names("wide", locale=supported(language))
    return [(str(number), str(names[number - 1]).capitalize()) for number in range(1, 8)]
