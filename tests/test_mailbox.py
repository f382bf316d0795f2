"""The inbox's address (``followup.mailbox``) and its password setting: what
``settings set --imap-url`` accepts, refuses and shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from followup.config import get_settings
from followup.errors import ConfigError, InvalidSetting
from followup.mailbox import parse_mailbox
from tests.conftest import Run


def test_the_address_is_read_with_its_defaults_and_percent_decoded() -> None:
    gmail = parse_mailbox("imaps://marta%40gmail.com:ab%3Acd%40ef@imap.gmail.com")
    assert (gmail.host, gmail.port, gmail.tls, gmail.folder) == (
        "imap.gmail.com", 993, "implicit", "INBOX"
    )  # fmt: skip
    assert (gmail.user, gmail.password) == ("marta@gmail.com", "ab:cd@ef")
    assert gmail.shown == "imaps://marta%40gmail.com@imap.gmail.com/INBOX"
    assert "ab" not in repr(gmail)
    hosting = parse_mailbox("imap://marta%40bicis.es@mail.bicis.es/Archivo%20clientes")
    assert (hosting.port, hosting.tls, hosting.folder) == (143, "starttls", "Archivo clientes")
    local = parse_mailbox("imap://marta@127.0.0.1:1143/INBOX?tls=none")
    assert (local.port, local.tls, local.password) == (1143, "none", None)
    assert local.shown == "imap://marta@127.0.0.1:1143/INBOX?tls=none"


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("pop3://marta@mail.example.com", "'pop3' is not an IMAP scheme"),
        ("https://marta@mail.example.com", "'https' is not an IMAP scheme"),
        ("imaps://mail.example.com/INBOX", "it names no user"),
        ("imaps:///INBOX", "it names no server"),
        ("imaps://marta@mail.example.com:0", "the port is not a number"),
        ("imaps://marta@mail.example.com:99999", "not an IMAP address"),
        ("imap://marta:pw@mail.example.com/INBOX?tls=none", "allowed only on this machine"),
        ("imap://marta@192.168.1.10/INBOX?tls=none", "allowed only on this machine"),
        ("imaps://marta@127.0.0.1/INBOX?tls=none", "the only option is ?tls=none"),
        ("imaps://marta@mail.example.com/INBOX?starttls=no", "unknown option 'starttls'"),
    ],
)
def test_an_address_that_cannot_work_is_refused_in_words(url: str, said: str) -> None:
    with pytest.raises(InvalidSetting) as refused:
        parse_mailbox(url)
    assert said in refused.value.message
    assert "pw" not in refused.value.message


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "localhost"])
def test_no_tls_is_allowed_on_a_loopback_address(host: str) -> None:
    assert parse_mailbox(f"imap://marta@{host}:1143/INBOX?tls=none").tls == "none"


def test_settings_set_stores_the_address_and_never_shows_the_password(run: Run) -> None:
    run("init", "--name", "Bicis", "--owner", "Marta", "--sender", "marta@bicis.example")
    said = run("settings", "set", "--imap-url", "imaps://marta%40gmail.com:s3cr%40t@imap.gmail.com")
    assert "imaps://marta%40gmail.com@imap.gmail.com/INBOX" in said.stdout
    assert "s3cr" not in said.output
    shown = run("settings").stdout + run("settings", "--json").stdout
    assert "s3cr" not in shown
    assert json.loads(run("settings", "--json").stdout)["imap_url"] == (
        "imaps://marta%40gmail.com@imap.gmail.com/INBOX"
    )
    assert "inbox: imaps://marta%40gmail.com@imap.gmail.com/INBOX" in run("settings").stdout
    assert "no longer read" in run("settings", "set", "--no-imap").stdout
    assert json.loads(run("settings", "--json").stdout)["imap_url"] is None


def test_settings_set_refuses_a_bad_address_naming_the_flag(run: Run) -> None:
    run("init", "--name", "Bicis", "--owner", "Marta", "--sender", "marta@bicis.example")
    refused = run("settings", "set", "--imap-url", "imap://marta:pw@mail.example.com?tls=none",
                  code=2)  # fmt: skip
    assert "--imap-url: ?tls=none would send the password in clear" in refused.output
    assert "pw@" not in refused.output
    assert json.loads(run("settings", "--json").stdout)["imap_url"] is None


def test_an_address_without_a_password_asks_for_the_variable(run: Run) -> None:
    run("init", "--name", "Bicis", "--owner", "Marta", "--sender", "marta@bicis.example")
    said = run("settings", "set", "--imap-url", "imaps://marta@mail.bicis.es")
    assert "FOLLOWUP_IMAP_PASSWORD" in said.stderr


def test_the_password_may_come_from_a_file_but_not_from_both(tmp_path: Path) -> None:
    secret = tmp_path / "imap-password"
    secret.write_text("ab cd ef\n")
    settings = get_settings(imap_password_file=secret)
    assert settings.imap_password is not None
    assert settings.imap_password.get_secret_value() == "ab cd ef"
    with pytest.raises(ConfigError, match="both set: keep one"):
        get_settings(imap_password_file=secret, imap_password="other")
    with pytest.raises(ConfigError, match="cannot read FOLLOWUP_IMAP_PASSWORD_FILE"):
        get_settings(imap_password_file=tmp_path / "missing")
