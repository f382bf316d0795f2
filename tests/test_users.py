"""The dashboard's logins from the command line: `followup users add|list|passwd`, and
`init`'s offer to set the owner's password on a terminal (never off one)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy.engine import Engine

from followup.accounts import authenticate, passwords
from followup.cli import cli
from followup.config import get_settings
from followup.db import make_engine, read_session, write_session
from followup.models import User
from tests.conftest import Run

INIT = ("init", "--name", "Taller Ruiz", "--owner", "Marta Ruiz", "--sender", "marta@t.example")
GOOD = "correct horse battery"


def users(tmp_path: Path, *args: str, stdin: str = "") -> Result:
    env = {"FOLLOWUP_DATABASE_URL": f"sqlite:///{tmp_path / 'followup.db'}"}
    return CliRunner().invoke(cli, ["users", *args], input=stdin, env=env)


def test_add_list_and_change_a_login(run: Run, tmp_path: Path, engine: Engine) -> None:
    init = run(*INIT)
    assert "followup users add EMAIL" in init.output  # not a terminal: said, not asked
    added = users(tmp_path, "add", "Marta@T.example", "--password-stdin", stdin=GOOD + "\n")
    assert added.exit_code == 0, added.output
    assert "marta@t.example can now log in" in added.output
    listed = users(tmp_path, "list")
    assert "marta@t.example  business 1 (Taller Ruiz)" in listed.output
    changed = users(
        tmp_path, "passwd", "marta@t.example", "--password-stdin", stdin="otra clave larga\n"
    )
    assert changed.exit_code == 0, changed.output
    cli_engine = make_engine(get_settings(database_url=f"sqlite:///{tmp_path / 'followup.db'}"))
    with write_session(cli_engine) as session:
        assert authenticate(session, "marta@t.example", GOOD) is None
        user = authenticate(session, "MARTA@t.example ", "otra clave larga")
        assert user is not None and user.password_hash.startswith("$argon2id$")
    cli_engine.dispose()


def test_errors_are_one_line_with_their_exit_code(run: Run, tmp_path: Path) -> None:
    run(*INIT)
    ok = users(tmp_path, "add", "marta@t.example", "--password-stdin", stdin=GOOD)
    assert ok.exit_code == 0, ok.output
    cases = [
        (("add", "marta@t.example", "--password-stdin"), GOOD, 1, "already has a login"),
        (("add", "luis@t.example", "--password-stdin"), "short", 1, "too short: 10"),
        (("add", "not-an-email", "--password-stdin"), GOOD, 1, "is not an email address"),
        (("add", "luis@t.example", "--business", "9", "--password-stdin"), GOOD, 2, "9"),
        (("passwd", "nobody@t.example", "--password-stdin"), GOOD, 1, "no user logs in"),
        (("add", "luis@t.example"), "", 2, "--password-stdin"),  # no terminal: no wait
    ]
    for args, stdin, code, words in cases:
        result = users(tmp_path, *args, stdin=stdin)
        assert result.exit_code == code, (args, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
        assert words in lines[0], result.output
    assert "luis" not in users(tmp_path, "list").output


def test_verify_rehashes_a_hash_made_with_older_parameters(engine: Engine) -> None:
    from argon2 import PasswordHasher

    from tests.factories import make_business

    business = make_business(engine)
    old = PasswordHasher(time_cost=1, memory_cost=8192).hash(GOOD)
    with write_session(engine) as session:
        session.add(User(business_id=business.id or 0, email="m@t.example", password_hash=old))
    with write_session(engine) as session:
        assert authenticate(session, "m@t.example", GOOD) is not None
    with read_session(engine) as session:
        stored = session.get(User, 1)
        assert stored is not None and stored.password_hash != old
        assert not passwords.needs_rehash(stored.password_hash)
        assert passwords.verify(stored.password_hash, GOOD)


def test_init_on_a_terminal_offers_the_owner_password(tmp_path: Path) -> None:
    """A real pseudo-terminal: `init` asks, hides what is typed and stores the login."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FOLLOWUP_")},
        "FOLLOWUP_DATABASE_URL": f"sqlite:///{tmp_path / 'followup.db'}",
    }
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "followup", *INIT, "--holidays", "none"],
        stdin=follower, stdout=follower, stderr=follower, env=env, cwd=tmp_path,
    )  # fmt: skip
    os.close(follower)
    seen = b""
    answers = [(b"now? [Y/n]", b"y\n"), (b"characters):", GOOD.encode() + b"\n"),
               (b"Repeat it:", GOOD.encode() + b"\n")]  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if answers and answers[0][0] in seen:
            os.write(leader, answers.pop(0)[1])
        if process.poll() is not None and not ready:
            break
    process.wait(timeout=30)
    os.close(leader)
    text = seen.decode(errors="replace")
    assert process.returncode == 0, text
    assert "marta@t.example can log in to the dashboard" in text
    assert GOOD not in text  # hidden as typed
