"""The owner's daily digest in words (``jobs.digest`` sends it): the day's picks and why,
the drafts to read again, the letters not delivered since the last digest, in the
business's language.

It is the owner's own tool speaking to the owner: plain sentences, no greeting, no
marketing; in Spanish impersonal wherever it can be, and tú where it must address the
owner. The sentences are made here, once, and laid out by two templates shipped in the
package (``digest_templates/``): ``digest.txt.j2`` for the plain part and
``digest.html.j2``, autoescaped, for the HTML part, so both say the same thing and a
client's name or an owner's words can never become markup.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from followup.calendar import day_in_words
from followup.fields import one_line
from followup.letters.flag_words import reason_in
from followup.models import Business, LetterStatus
from followup.schemas import DayPickView, DigestView, GuaranteeView, LetterView

TEMPLATES = Path(__file__).resolve().parent / "digest_templates"
ERROR_CHARS = 200  # of a letter's last error, in the digest
_COMMAND = re.compile(r"`([^`]+)`")

KINDS = {
    "en": {
        "thank_you": "thank-you",
        "apology": "apology",
        "cooperation": "thanks for their help",
        "lost_client": "letter to a lost client",
        "guarantee_offer": "special guarantee offer",
        "guarantee_checkin": "guarantee check-in",
    },
    "es": {
        "thank_you": "agradecimiento",
        "apology": "disculpa",
        "cooperation": "agradecimiento por su ayuda",
        "lost_client": "carta a un cliente perdido",
        "guarantee_offer": "oferta de garantía especial",
        "guarantee_checkin": "seguimiento de la garantía",
    },
}

LETTERS = {"en": ("letter", "letters"), "es": ("carta", "cartas")}

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "subject_picks": "{n} {letters} to review — {day}",
        "subject_none": "No letters today — {day}",
        "subject_undelivered": ", {n} not delivered",
        "opening": "The letters of {day} for {business} are drafted and wait for your approval.",
        "none": "No letters today: no client needed one on {day} (each was written to "
        "recently, has a letter on its way or cannot be written to).",
        "picks": "Today's picks",
        "pick": "{name} — {kind}, letter {id}: {reason}",
        "picks_note": "Read a letter with `followup letters show ID`; approve it with "
        "`followup letters approve ID`.",
        "flagged": "Drafts to read again before approving",
        "flag": "Letter {id} to {name}: “{sentence}” — {reason}",
        "flagged_note": "Change a draft with `followup letters edit ID`, or approve it as it is.",
        "undelivered": "Not delivered since the last digest",
        "undelivered_first": "Not delivered",
        "failed": "Letter {id} to {name} failed: {error}. Once that is fixed, resend it: "
        "`followup letters resend {id}`.",
        "uncertain": "Letter {id} to {name} may or may not have arrived ({error}). Resend "
        "it (`followup letters resend {id}`) or, if it arrived, mark it as sent "
        "(`followup letters mark-sent {id}`).",
        "more": "… and {n} more: `followup letters list --status failed` "
        "(or `--status uncertain`).",
        "ending": "Guarantees ending this week",
        "ending_item": "{name}: guarantee {id} ends {when} ({terms})",
        "ending_today": "today",
        "ending_on": "on {day}, in {n} days",
        "ending_tomorrow": "tomorrow",
        "ending_note": "A call before it ends goes a long way; `followup guarantees list` "
        "shows them all.",
        "link": "On the dashboard:",
        "footer": "followup sends this summary each working day for {business}. To stop "
        "it: `followup settings set --no-digest`.",
    },
    "es": {
        "subject_picks": "{n} {letters} para revisar — {day}",
        "subject_none": "Hoy no hay cartas — {day}",
        "subject_undelivered": ", {n} sin entregar",
        "opening": "Las cartas del {day} para {business} están redactadas y esperan tu aprobación.",
        "none": "Hoy no hay cartas: ningún cliente necesitaba una el {day} (a todos se les "
        "escribió hace poco, tienen una carta en camino o no se les puede escribir).",
        "picks": "Elegidos hoy",
        "pick": "{name} — {kind}, carta {id}: {reason}",
        "picks_note": "Para leer una carta: `followup letters show ID`; para aprobarla: "
        "`followup letters approve ID`.",
        "flagged": "Borradores para releer antes de aprobarlos",
        "flag": "Carta {id} a {name}: «{sentence}» — {reason}",
        "flagged_note": "Para corregir un borrador: `followup letters edit ID`; también se "
        "puede aprobar tal cual.",
        "undelivered": "Sin entregar desde el último resumen",
        "undelivered_first": "Sin entregar",
        "failed": "La carta {id} a {name} falló: {error}. Una vez resuelto, para volver a "
        "enviarla: `followup letters resend {id}`.",
        "uncertain": "La carta {id} a {name} puede haber llegado o no ({error}). Para "
        "volver a enviarla: `followup letters resend {id}`; si llegó, para marcarla como "
        "enviada: `followup letters mark-sent {id}`.",
        "more": "… y {n} más: `followup letters list --status failed` (o `--status uncertain`).",
        "ending": "Garantías que terminan esta semana",
        "ending_item": "{name}: la garantía {id} termina {when} ({terms})",
        "ending_today": "hoy",
        "ending_on": "el {day}, dentro de {n} días",
        "ending_tomorrow": "mañana",
        "ending_note": "Una llamada antes de que termine se agradece mucho; "
        "`followup guarantees list` las muestra todas.",
        "link": "En el panel:",
        "footer": "followup envía este resumen cada día laborable para {business}. Para "
        "dejar de recibirlo: `followup settings set --no-digest`.",
    },
}


@dataclass(frozen=True)
class Section:
    heading: str
    items: tuple[str, ...]
    note: str = ""
    numbered: bool = False


@dataclass(frozen=True)
class DigestEmail:
    subject: str
    text: str
    html: str


def language(business: Business) -> str:
    return "en" if business.locale == "en" else "es"


def render_digest(
    view: DigestView, business: Business, base_url: str | None, *, first: bool = False
) -> DigestEmail:
    """The digest of ``view`` in the business's language; with ``base_url``, a link to
    the dashboard. ``first``: there was no digest before this one."""
    lang = language(business)
    words = WORDS[lang]
    day = day_in_words(view.day, lang)
    business_name = one_line(business.name)
    sections: list[Section] = []
    if view.picks:
        n = len(view.picks)
        subject = words["subject_picks"].format(n=n, letters=LETTERS[lang][n != 1], day=day)
        opening = words["opening"].format(day=day, business=business_name)
        picks = tuple(_pick(words, KINDS[lang], pick) for pick in view.picks)
        sections.append(Section(words["picks"], picks, words["picks_note"], numbered=True))
    else:
        subject = words["subject_none"].format(day=day)
        opening = words["none"].format(day=day)
    flags = tuple(
        words["flag"].format(
            id=letter.id,
            name=one_line(letter.client_name),
            sentence=one_line(flag.sentence),
            reason=one_line(reason_in(lang, flag.reason)),
        )
        for letter in view.flagged
        for flag in letter.flags
    )
    if flags:
        sections.append(Section(words["flagged"], flags, words["flagged_note"]))
    if view.undelivered_total:
        subject = subject.replace(
            " — ", words["subject_undelivered"].format(n=view.undelivered_total) + " — ", 1
        )
        more = view.undelivered_total - len(view.undelivered)
        sections.append(
            Section(
                words["undelivered_first" if first else "undelivered"],
                tuple(_undelivered(words, letter) for letter in view.undelivered),
                words["more"].format(n=more) if more else "",
            )
        )
    if view.guarantees_ending:
        ending = tuple(_ending(words, lang, g) for g in view.guarantees_ending)
        sections.append(Section(words["ending"], ending, words["ending_note"]))
    values = {
        "lang": lang,
        "subject": subject,
        "opening": opening,
        "sections": sections,
        "link_words": words["link"],
        "link": f"{base_url.rstrip('/')}/" if base_url else None,
        "footer": words["footer"].format(business=business_name),
    }
    return DigestEmail(
        subject=subject,
        text=_env(autoescape=False).get_template("digest.txt.j2").render(values),
        html=_env(autoescape=True).get_template("digest.html.j2").render(values),
    )


def _ending(words: dict[str, str], lang: str, guarantee: GuaranteeView) -> str:
    left = guarantee.days_left or 0
    if left == 0:
        when = words["ending_today"]
    elif left == 1:
        when = words["ending_tomorrow"]
    else:
        when = words["ending_on"].format(day=day_in_words(guarantee.ends_on, lang), n=left)
    return words["ending_item"].format(
        name=one_line(guarantee.client_name or ""),
        id=guarantee.id,
        when=when,
        terms=one_line(guarantee.terms),
    )


def _pick(words: dict[str, str], kinds: dict[str, str], pick: DayPickView) -> str:
    return words["pick"].format(
        name=one_line(pick.client_name),
        kind=kinds.get(pick.kind, pick.kind),
        id=pick.letter_id,
        reason=one_line(pick.reason),
    )


def _undelivered(words: dict[str, str], letter: LetterView) -> str:
    # What happened, without the advice our own messages add after a ";" (the digest
    # gives its own).
    error = one_line(letter.last_error.words if letter.last_error else "")
    error = error.split("; ", 1)[0].rstrip(". ")
    if len(error) > ERROR_CHARS:
        error = error[: ERROR_CHARS - 1].rstrip() + "…"
    key = "uncertain" if letter.status == LetterStatus.uncertain else "failed"
    return words[key].format(id=letter.id, name=one_line(letter.client_name), error=error)


def code(text: str) -> Markup:
    """``text`` escaped, its `commands` set as code (the HTML part's filter)."""
    # Escaped first: only the <code> tags added here are markup.
    return Markup(_COMMAND.sub(r"<code>\1</code>", str(escape(text))))  # noqa: S704


@functools.cache
def _env(*, autoescape: bool) -> jinja2.Environment:
    # The plain part is not escaped ("&amp;" would show); the HTML part is, all of it.
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,  # noqa: S701
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["code"] = code
    return env
