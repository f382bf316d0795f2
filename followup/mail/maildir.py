"""The default delivery: a Maildir (``FOLLOWUP_OUTBOX_DIR``) that any mail client opens
(``mutt -f outbox``)."""

from __future__ import annotations

import contextlib
import mailbox
import time
from email.message import EmailMessage
from pathlib import Path

from followup.mail.mailer import SendError


class MaildirMailer:
    """Delivers into a Maildir: written under ``tmp/``, then renamed into ``new/``.

    A sender killed while writing leaves its half-written file in ``tmp/``; once it is
    older than ``stale_seconds`` (the sending lease: its sender is surely gone) the next
    sender removes it.
    """

    def __init__(self, path: Path, stale_seconds: int = 36 * 3600) -> None:
        self.path = Path(path)
        self.stale_seconds = stale_seconds
        self._cleaned = False

    def send(self, message: EmailMessage) -> None:
        try:
            for sub in ("tmp", "new", "cur"):
                (self.path / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
            if not self._cleaned:
                self.clean_tmp()
            # Mail clients expect a Maildir file with plain LF line ends.
            data = message.as_bytes(policy=message.policy.clone(linesep="\n"))
            mailbox.Maildir(self.path, create=False).add(data)
        except OSError as exc:
            raise SendError(
                f"cannot write to the outbox Maildir {self.path}: {exc.strerror or exc}",
                permanent=False,
                stops=True,
                code="maildir",
            ) from exc

    def close(self) -> None:
        """Nothing stays open between letters."""

    def clean_tmp(self) -> int:
        """Remove files in ``tmp/`` older than ``stale_seconds``; returns how many.

        File times are the file system's, so they are compared with the real clock.
        """
        self._cleaned = True
        cutoff = time.time() - self.stale_seconds
        removed = 0
        for leftover in (self.path / "tmp").iterdir():
            with contextlib.suppress(FileNotFoundError):  # another sender took it first
                if leftover.is_file() and leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
                    removed += 1
        return removed
