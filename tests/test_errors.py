"""One error hierarchy: what domain code raises, the schema check, unsafe settings."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from followup import errors
from followup.config import get_settings
from followup.db import SCHEMA_REVISION, check_schema, head_revision, make_engine, migrate
from followup.errors import ConfigError

PACKAGE = Path(errors.__file__).parent
# A bare built-in error is fine where it never reaches an owner as it is: inside a
# template render (wrapped into TemplateError), in a pydantic validator (get_settings
# turns it into ConfigError), and for a programming mistake (a naive datetime).
ALLOWED_BARE = {
    ("config.py", "ValueError"),
    ("letters/filters.py", "ValueError"),
    ("mail/message.py", "ValueError"),
    # Pydantic validators of the API's request values: pydantic turns a ValueError into
    # its validation error, which the API answers as a 422 in its one error shape.
    ("web/api/params.py", "ValueError"),
    ("web/api/schemas.py", "ValueError"),
}
BUILTIN_ERRORS = {"ValueError", "LookupError", "KeyError", "TypeError", "Exception"}


def _raised_builtins(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            name = node.exc.func
            if isinstance(name, ast.Name) and name.id in BUILTIN_ERRORS:
                found.add(name.id)
    return found


def test_domain_modules_raise_only_the_errors_of_the_hierarchy() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}: raise {name}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts
        for name in _raised_builtins(path)
        if (str(path.relative_to(PACKAGE)), name) not in ALLOWED_BARE
    ]
    assert offenders == []


def test_each_error_carries_its_exit_code_and_http_status() -> None:
    table = {
        cls.__name__: (cls.exit_code, cls.http_status)
        for cls in (
            errors.NotFound,
            errors.UnknownBusiness,
            errors.Invalid,
            errors.InvalidSetting,
            errors.Conflict,
            errors.ConfigError,
        )
    }
    assert table == {
        "NotFound": (1, 404),
        "UnknownBusiness": (2, 404),
        "Invalid": (1, 422),
        "InvalidSetting": (2, 422),
        "Conflict": (1, 409),
        "ConfigError": (2, 503),
    }
    invalid = errors.Invalid("email", "'x' is not an email address")
    assert (invalid.field, str(invalid)) == ("email", "'x' is not an email address")
    # Code that catches the built-in kinds keeps working.
    assert isinstance(errors.NotFound("x"), LookupError)
    assert isinstance(invalid, ValueError)


def test_the_schema_revision_is_the_newest_migration(engine: Engine) -> None:
    assert head_revision(engine) == SCHEMA_REVISION


def test_a_database_never_initialised_is_told_apart(db_url: str) -> None:
    engine = make_engine(get_settings(database_url=db_url))
    with pytest.raises(ConfigError, match="no followup tables yet: run `followup init`"):
        check_schema(engine)
    engine.dispose()


def test_a_database_of_an_older_release_asks_for_migrate(db_url: str) -> None:
    engine = make_engine(get_settings(database_url=db_url))
    migrate(engine, "0001")
    with pytest.raises(ConfigError, match=r"revision 0001 .* run `followup migrate`"):
        check_schema(engine)
    migrate(engine)
    check_schema(engine)
    engine.dispose()


def test_a_database_that_cannot_be_reached_is_a_configuration_error(tmp_path: Path) -> None:
    missing_folder = make_engine(
        get_settings(database_url=f"sqlite:///{tmp_path / 'no' / 'such' / 'f.db'}")
    )
    with pytest.raises(ConfigError, match="cannot open the database"):
        check_schema(missing_folder)
    # Port 9 (discard) on loopback: nothing of ours listens there.
    nobody = make_engine(
        get_settings(database_url="postgresql+psycopg://postgres@127.0.0.1:9/none")
    )
    with pytest.raises(ConfigError, match="cannot open the database"):
        migrate(nobody)


def test_unsafe_settings_are_refused_only_for_what_sends_or_serves() -> None:
    get_settings(environment="production", secret_key="changethis")
    with pytest.raises(ConfigError, match="FOLLOWUP_SECRET_KEY is a placeholder"):
        get_settings(service=True, environment="production", secret_key="changethis")
    get_settings(service=True, environment="production", secret_key="x" * 40)
    get_settings(service=True, environment="development", secret_key="development")


def test_a_bad_setting_names_its_variable() -> None:
    with pytest.raises(ConfigError, match=r"FOLLOWUP_LEASE_SECONDS: .*30"):
        get_settings(lease_seconds=5)


def test_an_empty_alembic_table_counts_as_never_initialised(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
    with pytest.raises(ConfigError, match="no followup tables yet"):
        check_schema(engine)
