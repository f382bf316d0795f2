"""SpamAssassin's verdict on a message, offline: ``spam_report(message_bytes)``.

Runs ``spamassassin -L -t`` (Debian's package): local rules only, so no DNS lookup, no
blocklist, no Razor/Pyzor; the network never matters. The machine's own state does not
matter either: each run gets a private, empty home (no Bayes database, no
auto-welcomelist, no user preferences), a private site configuration that loads the
plugins the package loads (its ``*.pre`` files) and none of the machine's ``local.cf``,
and the rules the package ships (not whatever ``sa-update`` last fetched). Bayes is off:
with no trained database it would score nothing anyway, and auto-learning would only
write files. So the same message gets the same score on any machine with the package.

With no ``Received`` header SpamAssassin has no arrival time to compare the ``Date``
header with, and skips its date rules; ``received_at`` adds the header the recipient's
mail server writes on arrival, so a message dated in the future or the past is caught.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

import pytest

SITE_CONFIG = Path("/etc/spamassassin")
PACKAGE_RULES = Path("/usr/share/spamassassin")
# Compiled rules (sa-compile) are only faster, and are the machine's state: left out.
LEFT_OUT_PRE = frozenset({"sa-compile.pre"})
PREFERENCES = "use_bayes 0\nbayes_auto_learn 0\n"
# The submitting server as the recipient's server records it: an IPv6 documentation
# address (2001:db8::/32) is no rule hit; IPv4 documentation ranges are (RCVD_ILLEGAL_IP).
RECEIVED = (
    "Received: from smtp.sender.example (smtp.sender.example [IPv6:2001:db8::25])\r\n"
    "\tby mx.recipient.example with ESMTPS id 4Xq2kP1zZ7z9sRk; {date}\r\n"
)
TIMEOUT = 120
_SUMMARY = re.compile(r"^Content analysis details:\s+\((-?[\d.]+) points?, (-?[\d.]+) required\)")
_ROW = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s+(.*)$")


@dataclass(frozen=True)
class Hit:
    rule: str
    points: float
    description: str


@dataclass(frozen=True)
class SpamReport:
    score: float
    required: float
    hits: tuple[Hit, ...]

    @property
    def rules(self) -> dict[str, float]:
        return {hit.rule: hit.points for hit in self.hits}

    def describe(self) -> str:
        """The report as SpamAssassin prints it: one line per rule that hit."""
        lines = [f"{self.score:.1f} points ({self.required:.1f} required)"]
        lines += [f"{hit.points:5.1f} {hit.rule:<24} {hit.description}" for hit in self.hits]
        return "\n".join(lines)


def require_spamassassin() -> None:
    """Skip the test where SpamAssassin is not installed; under CI, fail it (``.ci/run``
    installs the package, so its absence there is a broken machine, not a pass)."""
    if shutil.which("spamassassin") is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but spamassassin is not installed (.ci/run installs it)")
        pytest.skip("spamassassin is not installed (apt-get install spamassassin)")


def spam_report(message: bytes, *, received_at: datetime | None = None) -> SpamReport:
    """Score ``message`` (as it goes on the wire) with SpamAssassin's offline rules.

    ``received_at``: add the ``Received`` header of a delivery at that moment, so that
    the date rules run. Raises ``RuntimeError`` if SpamAssassin fails or says nothing.
    """
    if received_at is not None:
        if received_at.tzinfo is None:
            raise ValueError("received_at must be timezone-aware")
        stamp = RECEIVED.format(date=format_datetime(received_at)).encode("ascii")
        message = stamp + message
    with tempfile.TemporaryDirectory(prefix="spamassassin-") as private:
        home = Path(private)
        site = home / "site"
        site.mkdir()
        for pre in sorted(SITE_CONFIG.glob("*.pre")):
            if pre.name not in LEFT_OUT_PRE:
                shutil.copy(pre, site / pre.name)
        prefs = home / "user_prefs"
        prefs.write_text(PREFERENCES, encoding="ascii")
        command = ["spamassassin", "-L", "-t", "-x", "-p", str(prefs)]
        command += ["--siteconfigpath", str(site)]
        if PACKAGE_RULES.is_dir():
            command += ["-C", str(PACKAGE_RULES)]
        done = subprocess.run(
            command,
            input=message,
            capture_output=True,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C"},
            timeout=TIMEOUT,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(
            f"spamassassin exited with {done.returncode}: {done.stderr.decode(errors='replace')}"
        )
    return parse_report(done.stdout.decode("utf-8", errors="replace"))


def parse_report(output: str) -> SpamReport:
    """The score and the rules of the report ``-t`` appends to the message (the last one:
    a message that quotes a report cannot fool it)."""
    lines = output.splitlines()
    starts = [i for i, line in enumerate(lines) if _SUMMARY.match(line)]
    if not starts:
        raise RuntimeError(f"no SpamAssassin report in its output:\n{output[-2000:]}")
    summary = _SUMMARY.match(lines[starts[-1]])
    assert summary is not None
    hits: list[Hit] = []
    for line in lines[starts[-1] + 1 :]:
        if line.strip().startswith(("pts rule", "----")) or not line.strip():
            if hits and not line.strip():
                break
            continue
        row = _ROW.match(line)
        if row:
            hits.append(Hit(row[2], float(row[1]), row[3].strip()))
        elif hits and line.startswith(" "):  # a description continued on the next line
            last = hits[-1]
            hits[-1] = Hit(last.rule, last.points, f"{last.description} {line.strip()}")
        else:
            break
    return SpamReport(float(summary[1]), float(summary[2]), tuple(hits))
