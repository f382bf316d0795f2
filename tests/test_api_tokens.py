"""API tokens: created and shown once, stored as a hash, listed without the token,
verified (last use recorded), revoked."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from followup.db import read_session, write_session
from followup.errors import NotFound, Unauthenticated
from followup.models import ApiToken
from followup.tokens import create_token, list_tokens, revoke_token, verify_token
from tests.conftest import Run
from tests.factories import NOW, make_business


def test_token_is_stored_hashed_and_verified(any_engine: Engine) -> None:
    business = make_business(any_engine)
    assert business.id is not None
    with write_session(any_engine) as session:
        view, token = create_token(session, business.id, "script", NOW)
    assert token.startswith("fu_") and len(token) > 40
    with read_session(any_engine) as session:
        row = session.exec(select(ApiToken)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.model_dump_json()
    later = NOW + timedelta(hours=2)
    with write_session(any_engine) as session:
        assert verify_token(session, token, later) == business.id
    with read_session(any_engine) as session:
        (listed,) = list_tokens(session, business.id)
    assert listed.id == view.id and listed.last_used_at == later
    with write_session(any_engine) as session:
        revoke_token(session, business.id, view.id)
    with write_session(any_engine) as session, pytest.raises(Unauthenticated):
        verify_token(session, token, later)


def test_bad_tokens_are_refused(engine: Engine) -> None:
    business = make_business(engine)
    assert business.id is not None
    with write_session(engine) as session:
        _, token = create_token(session, business.id, "x", NOW)
    for bad in ("", "Bearer", token[:-1], "xx" + token, token + "a" * 300):
        with write_session(engine) as session, pytest.raises(Unauthenticated):
            verify_token(session, bad, NOW)


def test_another_business_cannot_revoke_a_token(engine: Engine) -> None:
    a, b = make_business(engine), make_business(engine, name="Otro")
    assert a.id is not None and b.id is not None
    with write_session(engine) as session:
        view, _ = create_token(session, a.id, "a", NOW)
    with write_session(engine) as session, pytest.raises(NotFound):
        revoke_token(session, b.id, view.id)


def test_cli_shows_the_token_once(run: Run) -> None:
    run("init", "--name", "Taller", "--owner", "Marta Ruiz", "--sender", "m@t.example")
    created = run("tokens", "create", "--name", "contabilidad")
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("fu_")
    assert "will not be shown again" in created.stderr
    listed = run("tokens", "list", "--json")
    (row,) = json.loads(listed.stdout)
    assert row["name"] == "contabilidad" and token not in listed.output
    assert "token_hash" not in row
    run("tokens", "revoke", str(row["id"]))
    assert json.loads(run("tokens", "list", "--json").stdout) == []
    assert "no token" in run("tokens", "revoke", str(row["id"]), code=1).output
    assert "name" in run("tokens", "create", "--name", "  ", code=1).output
