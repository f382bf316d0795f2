"""A draft's flag reasons in the owner's language.

The checks (``address``) and drafting write each reason in English, from a small set of
fixed phrases around the words they found ("speaks of the client in the third person
('él'); write it to them ('él' → 'usted')"); the letters keep them that way, the CLI
shows them so. The digest, and the dashboard in Spanish, show them through ``reason_in``,
which turns those phrases into the owner's language and leaves the quoted words alone.
The owner is addressed with tú, as the rest of the Spanish digest does.
"""

from __future__ import annotations

# Longest first: "write it to them (usted)" before "write it to them".
_ES = (
    (
        "this error is a claim on the client's special guarantee, and the letter does not "
        "say what the guarantee gives them now",
        "este error es una reclamación de su garantía especial, y la carta no dice lo que "
        "la garantía le da ahora",
    ),
    (
        "add it (an edited apology template needs",
        "añádelo (una plantilla de disculpa editada necesita",
    ),
    ("looks like a placeholder or an empty value", "parece un hueco sin rellenar o un valor vacío"),
    ("looks like a placeholder", "parece un hueco sin rellenar"),
    ("fill it in or delete it", "rellénalo o bórralo"),
    ("speaks of the client in the third person", "habla del cliente en tercera persona"),
    ("reads like a note, with no subject", "parece una nota, sin sujeto"),
    ("mixes tú into an usted letter", "mezcla el tú en una carta de usted"),
    ("mixes usted into a tú letter", "mezcla el usted en una carta de tú"),
    ("write it to them (usted)", "dirígete a él o a ella directamente, de usted"),
    ("write it to them (tú)", "dirígete a él o a ella directamente, de tú"),
    ("write it to them", "dirígete a él o a ella directamente"),
    ("use usted", "usa el usted"),
    ("use tú", "usa el tú"),
)
_WORDS = {"es": _ES}


def reason_in(locale: str, reason: str) -> str:
    """``reason`` in ``locale``'s words where they are known; English otherwise."""
    for english, said in _WORDS.get(locale[:2], ()):
        reason = reason.replace(english, said)
    return reason
