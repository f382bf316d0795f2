"""Phone numbers as a chat link needs them: ``wa.me`` takes the full international
number in digits only (no ``+``, spaces, dashes or leading zeros)."""

from __future__ import annotations

import re

# Country calling codes of the countries a business here is likely in; a country not
# listed leaves a national number as typed (in digits).
CALLING_CODES = {
    "ES": "34", "PT": "351", "FR": "33", "DE": "49", "IT": "39", "GB": "44", "IE": "353",
    "NL": "31", "BE": "32", "CH": "41", "AT": "43", "US": "1", "CA": "1", "MX": "52",
    "AR": "54", "CO": "57", "CL": "56", "PE": "51", "UY": "598", "VE": "58", "EC": "593",
}  # fmt: skip
# Countries whose national numbers keep their leading 0 after the calling code.
_KEEPS_ZERO = frozenset({"IT"})


def international_digits(phone: str, country: str | None) -> str | None:
    """``phone`` as digits with its country code ("+34 612-345-678" -> "34612345678").

    A number written with ``+`` or ``00`` is international already; a national one gets
    the calling code of ``country`` (the business's, "ES"), its trunk 0 dropped. With no
    known country it is left as typed, in digits. None when there are no digits at all.
    """
    written = phone.strip()
    digits = re.sub(r"\D", "", written)
    if not digits:
        return None
    if written.startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    key = (country or "").upper()
    code = CALLING_CODES.get(key)
    if code is None:
        return digits
    if key == "ES":
        # Spanish numbers have nine digits and no trunk 0; eleven starting 34 have the code.
        return digits if len(digits) == 11 and digits.startswith(code) else code + digits
    if digits.startswith("0") and key not in _KEEPS_ZERO:
        return code + digits.lstrip("0")
    return code + digits
