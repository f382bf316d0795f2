"""A real IMAP server for tests: Debian's Dovecot, in the foreground on 127.0.0.1 and a
free port, stopped by its PID (STACK.md, "IMAP tests against Dovecot").

Each mailbox is a user of its own with a Maildir that holds only messages (the indexes
and the UID list live beside it), so a test can hash the Maildir before and after
reading and see that nothing in it changed. Dovecot will not touch mail as root: the
mail belongs to ``nobody``, in a folder outside pytest's private temporary directory.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

DOVECOT = "/usr/sbin/dovecot"
NOBODY = 65534
# Every user has this password (a static passdb: a user file would be re-read only when
# its modification second changes, and tests add users faster than that).
PASSWORD = "clave-secreta"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def require_dovecot() -> None:
    if not Path(DOVECOT).exists() or os.geteuid() != 0:
        # .ci/run installs Debian's dovecot-imapd when it is missing, and runs as root.
        why = "dovecot-imapd is not installed" if os.geteuid() == 0 else "not running as root"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {why}: the inbox tests need Dovecot")
        pytest.skip(why)


@dataclass
class Mailbox:
    """One user's Maildir on the server."""

    server: Dovecot
    user: str
    password: str
    maildir: Path

    def url(self, password: str | None = None, folder: str = "INBOX") -> str:
        secret = self.password if password is None else password
        return (
            f"imap://{self.user}:{secret}@127.0.0.1:{self.server.port}/{folder}?tls=none"
        )

    @property
    def shown(self) -> str:
        """The address as followup shows it: no password."""
        return f"imap://{self.user}@127.0.0.1:{self.server.port}/INBOX?tls=none"

    def deliver(self, name: str, raw: bytes, arrived: datetime) -> Path:
        """Put a message in ``new/`` as a mail server would, arrived at ``arrived``."""
        stamp = arrived.timestamp()
        path = self.maildir / "new" / f"{int(stamp)}.M{len(list(self._files()))}P1.{name}"
        path.write_bytes(raw)
        os.utime(path, (stamp, stamp))
        os.chown(path, NOBODY, NOBODY)
        return path

    def tree(self) -> dict[str, str]:
        """Every file of the Maildir (name: SHA-256 of its bytes)."""
        return {
            str(path.relative_to(self.maildir)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(self._files())
        }

    def renumber(self, uidvalidity: int) -> None:
        """Give the folder another UIDVALIDITY, as a server restored from a backup does."""
        self.server.doveadm("mailbox", "update", "-u", self.user, "--uid-validity",
                            str(uidvalidity), "INBOX")  # fmt: skip

    def _files(self) -> list[Path]:
        return [p for p in self.maildir.rglob("*") if p.is_file()]


class Dovecot:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="followup-imap-", dir="/var/tmp"))
        self.root.chmod(0o755)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.users = 0
        self.config = self.root / "dovecot.conf"
        self.config.write_text(self._config())

    def _config(self) -> str:
        r = self.root
        return f"""
base_dir = {r}/run
state_dir = {r}/state
log_path = {r}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = 0
mail_location = maildir:{r}/mail/%u/Maildir:INDEX={r}/mail/%u/index:CONTROL={r}/mail/%u/control
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={NOBODY} gid={NOBODY} home={r}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""

    def start(self) -> None:
        self.process = subprocess.Popen([DOVECOT, "-c", str(self.config), "-F"])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"Dovecot did not start: {(self.root / 'dovecot.log').read_text()}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)
            self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def mailbox(self) -> Mailbox:
        """A new user with an empty Maildir."""
        self.users += 1
        user = f"marta{self.users}"
        home = self.root / "mail" / user
        for sub in ("Maildir/cur", "Maildir/new", "Maildir/tmp", "index", "control"):
            (home / sub).mkdir(parents=True)
        for path in [self.root / "mail", home, *home.rglob("*")]:
            os.chown(path, NOBODY, NOBODY)
        return Mailbox(self, user, PASSWORD, home / "Maildir")

    def doveadm(self, *args: str) -> None:
        subprocess.run(["doveadm", "-c", str(self.config), *args], check=True, timeout=30)
