"""Why a client is picked, in words the owner reads on Today, in the business's language."""

from __future__ import annotations

from datetime import date

from followup.calendar import day_in_words
from followup.models import Business


class Reasons:
    """Reasons in the business's language: the owner reads them on Today."""

    def __init__(self, business: Business) -> None:
        self.es = business.locale != "en"

    def when(self, day: date) -> str:
        return day_in_words(day, "es" if self.es else "en")

    def complaint(self, day: date, summary: str) -> str:
        if self.es:
            return f"se quejó el {self.when(day)}: «{summary}»; aún no le hemos pedido disculpas"
        return f"complained on {self.when(day)}: “{summary}”; no apology yet"

    def offer(self, starts: date) -> str:
        if self.es:
            return (
                f"volvió con nosotros; garantía especial desde el {self.when(starts)}, "
                "aún sin carta que la confirme"
            )
        return (
            f"came back; special guarantee since {self.when(starts)}, not yet confirmed in a letter"
        )

    def checkin(self, due: date, ends: date) -> str:
        if self.es:
            return (
                f"seguimiento de la garantía especial previsto el {self.when(due)} "
                f"(vigente hasta el {self.when(ends)})"
            )
        return (
            f"guarantee check-in due on {self.when(due)} (guarantee runs until {self.when(ends)})"
        )

    def closing(self, ends: date) -> str:
        if self.es:
            return (
                f"su garantía especial terminó el {self.when(ends)} sin reclamaciones; "
                "aún no le hemos dado las gracias"
            )
        return f"special guarantee ended on {self.when(ends)} without a claim; not yet thanked"

    def cooperation(self, day: date, summary: str) -> str:
        if self.es:
            return f"nos ayudó el {self.when(day)}: «{summary}»; aún no se lo hemos agradecido"
        return f"helped us on {self.when(day)}: “{summary}”; not yet thanked"

    def lost(self, day: date, summary: str) -> str:
        if self.es:
            return f"nos dejó el {self.when(day)}: «{summary}»; aún no le hemos escrito"
        return f"left us on {self.when(day)}: “{summary}”; no letter since"

    def purchase(self, day: date, summary: str) -> str:
        if self.es:
            return f"compró el {self.when(day)}: «{summary}»; aún sin agradecer"
        return f"bought on {self.when(day)}: “{summary}”; not yet thanked"

    def rotation(self, last: date | None) -> str:
        if last is None:
            return "aún no le hemos escrito nunca" if self.es else "never written to yet"
        if self.es:
            return f"sin contacto desde el {self.when(last)}"
        return f"no contact since {self.when(last)}"

    def pinned(self, reason: str) -> str:
        said = "fijado para hoy" if self.es else "pinned by you for today"
        return f"{said}; {reason}" if reason else said
