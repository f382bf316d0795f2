"""Who a letter speaks to: the sentences of a draft the owner must edit (DESIGN §4).

The owner's words (an event's summary, item and compensation, a guarantee's terms) are
pasted into sentences spoken *to* the client: "Le escribo por lo que ocurrió el 19 de
noviembre: {summary}." Owners often type notes *about* the client ("esperó dos semanas",
"she stopped coming"), in the other form of address, or leave a placeholder. So
``check_letter`` splits subject and text into sentences (on . ! ? : ; and line breaks) and
flags each one, with the first thing found in it, that:

- holds a placeholder or a printed empty value ("[nombre]", "XXX", "None"): every locale;
- en: says he/she/him/her/his/hers/himself/herself, "the client", "the customer", or opens
  like a note with no subject ("waited two weeks for…");
- es-usted: uses tú (te, tu, ti, contigo, tuyo, "esperaste", "ayudarte", "llámame"…);
- es-tu: uses usted (usted, su/sus, "le escribo", "agradecerle", "llámeme"…), or narrates
  with a person's verb in the 3rd-person preterite and no subject ("esperó dos semanas",
  "se pasó a otro taller"), which usted letters say rightly, so es-usted does not flag it;
- es: says "el cliente", "la clienta", "este señor", él or ella.

Not flagged: a pronoun after a third party named earlier in its sentence ("Ana, mi
compañera, …", "Our technician, Sam, said he…"), a capitalised word inside a sentence (a
name: "Bar Su Casa"). The greeting line and the signature (after the closing line) are
checked for placeholders only. Each locale's rules are a table of ``Case`` in ``CASES``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from followup.errors import Invalid


@dataclass(frozen=True)
class Flag:
    sentence: str  # the sentence as it stands in the letter, stripped
    reason: str  # in English, for the owner: the word found and what to write instead


@dataclass(frozen=True)
class Case:
    """A rule: ``pattern`` finds a word (group ``w`` if any); the reason is "{what} ('{word}');
    {advice} ('{word}' → '{fix(word)}')". Fine when ``unless`` matches the sentence before the
    word, or (``names``) when the word is capitalised and not the sentence's first."""

    pattern: re.Pattern[str]
    what: str
    advice: str
    fix: Callable[[str], str | None] | None = None
    unless: re.Pattern[str] | None = None
    names: bool = True


def _words(*words: str) -> str:
    return r"\b(?:" + "|".join(words) + r")(?!\w)"


def _i(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _table(table: Mapping[str, str]) -> Callable[[str], str | None]:
    return lambda word: table.get(" ".join(word.lower().split()))


# --- every locale: placeholders and printed empty values ---------------------------

PLACEHOLDERS: tuple[Case, ...] = (
    Case(_i(r"\[[^\[\]\n]{0,40}\]|<(?![^<>\n]*(?:@|://|www\.))[^<>\n]{1,40}>"
            r"|\{+[^{}\n]{0,60}\}+|\{\{|\}\}|\{%|%\}|\?{3,}|\bN/A\b|\b[X]{3,}\b|\bTBD\b"
            r"|%\(\w+\)s|%s\b"),
         "looks like a placeholder", "fill it in or delete it", names=False),
    Case(re.compile(r"\b(?:TODO|FIXME|NaN|null|undefined"
                    r"|None(?!\s+(?:of|at all|whatsoever)\b))\b"),
         "looks like a placeholder or an empty value", "fill it in or delete it", names=False),
)  # fmt: skip

# --- English -----------------------------------------------------------------------

_MONTHS_DAYS = ("January|February|March|April|May|June|July|August|September|October|November"
                "|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday")  # fmt: skip
# Someone else, named before the pronoun: "my colleague", "your wife", or a capitalised
# word that does not open the sentence (not "I", a month or a day).
EN_THIRD_PARTY = re.compile(
    r"(?i:\b(?:my|our|your|his|her|their)\s+(?:colleague|technician|mechanic|engineer|fitter"
    r"|apprentice|partner|wife|husband|son|daughter|mother|mum|mom|father|dad|brother|sister"
    r"|friend|boss|manager|assistant|driver|neighbou?r|child|kid)s?\b"
    r"|\bthe\s+(?:delivery\s+)?(?:driver|courier|technician|mechanic|engineer|fitter"
    r"|installer|manager|supplier|manufacturer|rider)\b)"
    rf"|[\s(\"“‘](?!(?:I|I'\w+|I’\w+|OK|{_MONTHS_DAYS})\b)[A-ZÀ-ÖØ-Þ][\w'’-]*"
)
_EN_YOU = {"he": "you", "she": "you", "him": "you", "her": "you/your", "his": "your",
           "hers": "yours", "himself": "yourself", "herself": "yourself"}  # fmt: skip
_EN_NOTE_VERBS = ("waited|stopped|left|came|complained|switched|moved|went|bought|ordered|asked"
                  "|called|phoned|rang|cancell?ed|returned|wanted|decided|lost|paid|took|brought"
                  "|picked|said|told|refused|got|needed|booked|missed|had")  # fmt: skip
EN: tuple[Case, ...] = (*PLACEHOLDERS,
    Case(_i(_words(*_EN_YOU)), "speaks of the client in the third person",
         "write it to them", _table(_EN_YOU), unless=EN_THIRD_PARTY),
    Case(_i(r"\b(?:the|this|that)\s+(?:client|customer)(?!\s+(?:service|care|support|account"
            r"|number|portal)\b)(?:['’]s)?(?!\w)|\bthis\s+(?:gentleman|lady)\b"),
         "speaks of the client in the third person", "write it to them ('you')"),
    Case(_i(rf"^[\"“]?(?P<w>{_EN_NOTE_VERBS})\b"), "reads like a note, with no subject",
         "write it to them", lambda word: f"you {word.lower()}"),
)  # fmt: skip

# --- Spanish -----------------------------------------------------------------------

ES_THIRD_PARTY = re.compile(
    r"(?i:\b(?:el|la|los|las|al|del|un|una|mi|mis|nuestro|nuestra|tu|su)\s+(?:técnic[oa]"
    r"|mecánic[oa]|proveedor(?:a)?|fabricante|empresa|marca|transportista|mensajer[oa]"
    r"|mensajería|repartidor(?:a)?|compañer[oa]|encargad[oa]|dependient[ea]|aseguradora"
    r"|banco|hij[oa]|marido|mujer|espos[oa]|pareja|madre|padre|herman[oa]|soci[oa]|jef[ea]"
    r"|fábrica|distribuidor(?:a)?|vecin[oa]|amig[oa]|gestoría)s?\b)"
    r"|[\s(\"“«](?!(?:Sr|Sra|Srta|D|Dña|Don|Doña|Usted|Ud|Vd)\b)[A-ZÀ-ÖØ-Þ][\w'’-]*"
)
# The client named in the third person, in either form of address.
_ES_CLIENT = (r"(?<!atención\s)\b(?:el|la|al|del|este|esta|ese|esa|dicho|dicha)\s+"
              r"(?:cliente|clienta|señor|señora|caballero|don|doña|sr|sra|srta)(?!\w)")  # fmt: skip
_ES_HE_SHE = _words("él", "ella")
_OPENING_QUOTES = re.compile(r"^[«“\"‘(]+")

_TU_TO_USTED = {
    "tú": "usted", "te": "le", "ti": "usted", "tu": "su", "tus": "sus", "contigo": "con usted",
    "tuyo": "suyo", "tuya": "suya", "tuyos": "suyos", "tuyas": "suyas", "llámame": "llámeme",
    "escríbeme": "escríbame", "dime": "dígame", "avísame": "avíseme", "cuéntame": "cuénteme",
    "contáctame": "contácteme", "pásate": "pásese", "perdona": "perdone", "tienes": "tiene",
    "necesitas": "necesita", "quieres": "quiere", "puedes": "puede", "eres": "es",
    "estás": "está", "has": "ha", "sabes": "sabe", "vienes": "viene", "mereces": "merece",
    "prefieres": "prefiere", "no dudes": "no dude",
}  # fmt: skip
_USTED_TO_TU = {
    "usted": "tú/ti", "ud": "tú/ti", "vd": "tú/ti", "su": "tu", "sus": "tus", "suyo": "tuyo",
    "suya": "tuya", "suyos": "tuyos", "suyas": "tuyas", "llámeme": "llámame",
    "escríbame": "escríbeme", "dígame": "dime", "avíseme": "avísame", "cuénteme": "cuéntame",
    "contácteme": "contáctame", "pásese": "pásate", "perdone": "perdona",
    "disculpe": "disculpa", "no dude": "no dudes",
}  # fmt: skip
# Words that end like a tú preterite or an infinitive with "te" and are not.
_NOT_ASTE_ISTE = ("gaste|baste|desgaste|contraste|traste|engaste|aplaste|devaste|triste|existe"
                  "|insiste|consiste|resiste|asiste|persiste|subsiste|desiste|chiste|despiste"
                  "|quiste|alpiste|embiste|reviste")  # fmt: skip
_NOT_RTE = r"arte|\w*parte|baluarte|estandarte|descarte|encarte|suerte|muerte|fuerte|\w*ierte"
_TU_PRETERITES = {
    "viniste": "vino", "hiciste": "hizo", "tuviste": "tuvo", "quisiste": "quiso",
    "dijiste": "dijo", "trajiste": "trajo", "pusiste": "puso", "fuiste": "fue",
    "estuviste": "estuvo", "pudiste": "pudo", "diste": "dio", "viste": "vio",
    "pediste": "pidió", "preferiste": "prefirió", "elegiste": "eligió", "sentiste": "sintió",
}  # fmt: skip


def _usted_preterite(word: str) -> str | None:
    """ "esperaste" -> "esperó", "viniste" -> "vino"."""
    lower = word.lower()
    return _TU_PRETERITES.get(lower) or lower[:-4] + ("ó" if lower.endswith("aste") else "ió")


# A person's verb, 3rd-person preterite, and its tú form (a reader can add more). Entries
# are regular expressions; a lookahead at the end keeps out a thing's use ("volvió a
# fallar"). _SE_VERBS need "se": "se pasó a otro taller", not "lo que pasó".
_PERSON_VERBS = {
    "esperó": "esperaste", "compró": "compraste", "vino": "viniste", "pidió": "pediste",
    "volvió(?! a (?:fallar|romperse|pasar|ocurrir|salir|sonar|dar))": "volviste",
    "llamó": "llamaste", "dejó(?! de funcionar)": "dejaste", "perdió": "perdiste",
    "tuvo": "tuviste", "quiso": "quisiste", "pagó": "pagaste", "reclamó": "reclamaste",
    "trajo": "trajiste", "recogió": "recogiste", "encargó": "encargaste",
    "escribió": "escribiste", "dijo": "dijiste", "contó": "contaste",
    "preguntó": "preguntaste", "mandó": "mandaste", "envió": "enviaste",
    "canceló": "cancelaste", "decidió": "decidiste", "avisó": "avisaste",
    "hizo(?! (?:falta|frío|calor))": "hiciste", "insistió": "insististe",
    "protestó": "protestaste", "probó": "probaste", "prefirió": "preferiste",
    "eligió": "elegiste", "recibió": "recibiste", "ayudó": "ayudaste",
    "reservó": "reservaste", "devolvió": "devolviste", "acudió": "acudiste",
    "aguantó": "aguantaste", "notó": "notaste", "cambió de": "cambiaste de",
    "fue a": "fuiste a", "fue al": "fuiste al",
}  # fmt: skip
_SE_VERBS = {
    "pasó": "pasaste", "fue": "fuiste", "marchó": "marchaste", "quejó": "quejaste",
    "enfadó": "enfadaste", "molestó": "molestaste", "llevó": "llevaste",
    "quedó sin": "quedaste sin", "olvidó": "olvidaste", "enteró": "enteraste",
    "dio de baja": "diste de baja", "cambió": "cambiaste",
}  # fmt: skip


_TU_OF = {re.sub(r"\(\?.*", "", se + verb): tu_se + tu  # the tú form of each, lookahead dropped
          for table, se, tu_se in ((_PERSON_VERBS, "", ""), (_SE_VERBS, "se ", "te "))
          for verb, tu in table.items()}  # fmt: skip
# Where a clause starts, then negation, adverbs and clitics, then the verb.
_CLAUSE = (r"(?:^[¿¡\"“«]?|[,(—–]\s*|\b(?:y|e|pero|que|porque|cuando|aunque|pues|luego"
           r"|después|entonces|mientras|donde|así que|ya que|hasta que)\s+)")  # fmt: skip
_LEAD = (r"(?:(?:no|ya|nunca|también|tampoco|incluso|finalmente|al final|luego|después"
         r"|ayer|hoy|solo|sólo|me|le|les|lo|la|los|las|nos|se l[oa]s?)\s+)*")  # fmt: skip
_NARRATES = (rf"{_CLAUSE}{_LEAD}(?P<w>se\s+(?:{'|'.join(_SE_VERBS)})"
             rf"|(?:{'|'.join(_PERSON_VERBS)}))(?!\w)")  # fmt: skip
# Someone else is the indirect object: "le pedimos la pieza al proveedor".
_TO_THIRD_PARTY = r"(?!.*\ba(?:l|\s+la|\s+los|\s+las)?\s+(?:[A-ZÁÉÍÓÚÑ]|\w+or\b|fabricante|técnic))"
_I_WE = r"(?:amos|emos|imos|aré|eré|iré|o|é|í)"  # a verb's ending for "I" or "we"
_FIRST_PERSON = rf"[a-záéíóúñ]+{_I_WE}"
_PERSON_TAKING = r"(?:llam|avis|invit|molest|atend|acompañ|salud|ayud|recib|esper)"

ES_USTED: tuple[Case, ...] = (*PLACEHOLDERS,
    Case(_i(_words(*_TU_TO_USTED)), "mixes tú into an usted letter", "use usted",
         _table(_TU_TO_USTED)),
    Case(_i(rf"\b(?!(?:{_NOT_ASTE_ISTE})\b)\w+(?:aste|iste)\b"), "mixes tú into an usted letter",
         "use usted", _usted_preterite),
    Case(_i(rf"\b(?!(?:{_NOT_RTE})\b)\w+[aei]rte\b|\b(?!\w*mente\b|éste\b)\w*[áéíóú]\w*te\b"),
         "mixes tú into an usted letter", "use usted",
         lambda word: word[:-2] + "le" if word.lower().endswith("rte") else None),
    Case(_i(_ES_CLIENT), "speaks of the client in the third person",
         "write it to them (usted)"),
    Case(_i(_ES_HE_SHE), "speaks of the client in the third person", "write it to them",
         lambda word: "usted", unless=ES_THIRD_PARTY),
)  # fmt: skip
ES_TU: tuple[Case, ...] = (*PLACEHOLDERS,
    Case(_i(_words(*(w for w in _USTED_TO_TU if not w.startswith("su")))),
         "mixes usted into a tú letter", "use tú", _table(_USTED_TO_TU)),
    Case(_i(_words("su", "sus", "suyo", "suya", "suyos", "suyas")),
         "mixes usted into a tú letter", "use tú", _table(_USTED_TO_TU), unless=ES_THIRD_PARTY),
    Case(re.compile(rf"\b(?P<w>(?i:le)\s+{_FIRST_PERSON})\b{_TO_THIRD_PARTY}"),
         "mixes usted into a tú letter", "use tú", lambda word: "te" + word[2:]),
    Case(re.compile(rf"(?i:\b\w+[aei]rle\b){_TO_THIRD_PARTY}"), "mixes usted into a tú letter",
         "use tú", lambda word: word[:-2] + "te", unless=ES_THIRD_PARTY),
    Case(_i(rf"\b(?P<w>l[oa]\s+{_PERSON_TAKING}[a-záéíóúñ]*{_I_WE})\b"),
         "mixes usted into a tú letter", "use tú", lambda word: "te" + word[2:]),
    Case(_i(_NARRATES), "speaks of the client in the third person", "write it to them",
         _table(_TU_OF), unless=ES_THIRD_PARTY),
    Case(_i(_ES_CLIENT), "speaks of the client in the third person", "write it to them (tú)"),
    Case(_i(_ES_HE_SHE), "speaks of the client in the third person", "write it to them",
         lambda word: "tú/ti", unless=ES_THIRD_PARTY),
)  # fmt: skip

CASES = {"en": EN, "es-usted": ES_USTED, "es-tu": ES_TU}

# --- the letter ----------------------------------------------------------------------

_GREETING = re.compile(r"[^\n]{1,80}[,:]")
_CLOSING = _i(r"(?:(?:best|warm|kind)?\s*(?:wishes|regards)|best|all the best|(?:many )?thanks"
              r"|thank you|cheers|(?:yours )?sincerely|yours(?: truly)?|un (?:cordial )?saludo"
              r"(?: cordial| afectuoso)?|saludos(?: cordiales)?|un abrazo|atentamente"
              r"|(?:muchas )?gracias|hasta pronto)[,.!]?")  # fmt: skip


def _sentences(line: str) -> Iterator[tuple[str, str]]:
    """(sentence, what comes before it up to the last . ! ?) for each sentence of a line."""
    for whole in re.split(r"(?<=[.!?…])\s+", line):
        before = ""
        for part in re.split(r"(?<=[:;])\s+", whole):
            if part.strip():
                yield part.strip(), before
            before += part + " "


def _reason(case: Case, word: str) -> str:
    fix = case.fix(word) if case.fix else None
    if fix and word[:1].isupper():
        fix = fix[:1].upper() + fix[1:]
    tail = f" ('{word}' → '{fix}')" if fix and fix.lower() != word.lower() else ""
    return f"{case.what} ('{word}'); {case.advice}{tail}"


def _flag(sentence: str, before: str, cases: tuple[Case, ...]) -> Flag | None:
    """The first thing found in the sentence, by position, then by the table's order."""
    found: list[tuple[int, int, str]] = []
    for order, case in enumerate(cases):
        for match in case.pattern.finditer(sentence):
            group = "w" if "w" in case.pattern.groupindex and match["w"] else 0
            word, start = match[group].strip(), match.start(group)
            inside = re.search(r"\w", sentence[:start]) is not None
            if case.names and inside and word[:1].isupper() and not word.isupper():
                continue  # part of a name: "Bar Su Casa", "Her Majesty"
            # A capital after an opening quote that starts the sentence is the sentence's
            # first word, not a third party's name: «Sé que él esperó…» (a call's lines).
            head = _OPENING_QUOTES.sub("", before + sentence[:start])
            if case.unless is not None and case.unless.search(head):
                continue
            found.append((start, order, word))
            break
    if not found:
        return None
    _, order, word = min(found)
    return Flag(sentence=sentence, reason=_reason(cases[order], word))


def check_letter(subject: str, text: str, tlocale: str) -> list[Flag]:
    """The sentences to edit, in order, one flag each; ``Invalid`` for an unknown tlocale."""
    cases = CASES.get(tlocale)
    if cases is None:
        raise Invalid("locale", f"unknown template locale {tlocale!r}; one of {', '.join(CASES)}")
    lines = text.splitlines()
    filled = [n for n, line in enumerate(lines) if line.strip()]
    first = lines[filled[0]].strip() if filled else ""
    greeting = filled[0] if _GREETING.fullmatch(first) and len(first.split()) <= 8 else None
    closings = [n for n in filled if _CLOSING.fullmatch(lines[n].strip())]
    signature = closings[-1] if closings else len(lines)
    flags, seen = [], set()
    for n, line in enumerate([subject, *lines], start=-1):
        only_placeholders = n == greeting or n > signature
        for sentence, before in _sentences(line.strip()):
            flag = _flag(sentence, before, PLACEHOLDERS if only_placeholders else cases)
            # The owner's summary is often both in the subject and in the text: say it once.
            if flag is not None and (key := flag.sentence.rstrip(".…")) not in seen:
                seen.add(key)
                flags.append(flag)
    return flags
