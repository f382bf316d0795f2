"""The default delivery: a Maildir (``FOLLOWUP_OUTBOX_DIR``) that any mail client opens
(``mutt -f outbox``)."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path

from followup.mail.mailer import SendError


class MaildirMailer:
    """Delivers into a Maildir: written under ``tmp/``, then renamed into ``new/``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def send(self, message: EmailMessage) -> None:
        try:
            for sub in ("tmp", "new", "cur"):
                (self.path / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
            # Mail clients expect a Maildir file with plain LF line ends.
            data = message.as_bytes(policy=message.policy.clone(linesep="\n"))
            mailbox.Maildir(self.path, create=False).add(data)
        except OSError as exc:
            raise SendError(
                f"cannot write to the outbox Maildir {self.path}: {exc}",
                permanent=False,
                code="maildir",
            ) from exc
