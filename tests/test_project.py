"""The project as a whole: documented settings, migrations that match the models, and a
wheel that carries its templates and migrations."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from followup import client_search
from followup.config import Settings, get_settings
from followup.letters.rendering import KINDS, TEMPLATE_LOCALES

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [
        f"FOLLOWUP_{name.upper()}"
        for name in Settings.model_fields
        if f"`FOLLOWUP_{name.upper()}`" not in readme
    ]
    assert missing == []


def test_each_test_runs_in_its_own_directory_without_the_shells_settings(
    tmp_path: Path,
) -> None:
    """``isolated_environment`` (conftest.py): no ``FOLLOWUP_*`` variable and no ``.env``."""
    assert Path.cwd() == tmp_path
    leaked = [n for n in os.environ if n.upper().startswith("FOLLOWUP_")]
    assert leaked in ([], ["FOLLOWUP_TEST_POSTGRES_URL"])
    settings = get_settings()  # the defaults: nothing read from the shell or a .env
    assert (settings.environment, settings.database_url) == ("development", "sqlite:///followup.db")


def not_the_index(name: str | None, kind: str, _parents: object) -> bool:
    return not (kind == "table" and client_search.is_index_table(name))


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        # The search index is no model: FTS5's tables and pg_trgm's indexes (client_search).
        context = MigrationContext.configure(conn, opts={"include_name": not_the_index})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


@pytest.mark.slow
def test_the_wheel_carries_templates_and_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("followup-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"followup/letter_templates/{tlocale}/{kind}.j2"
        for tlocale in TEMPLATE_LOCALES
        for kind in KINDS
    }
    expected |= {
        "followup/letter_templates/layout.html.j2",
        "followup/letters/digest_templates/digest.txt.j2",
        "followup/letters/digest_templates/digest.html.j2",
        "followup/migrations/env.py",
        "followup/migrations/script.py.mako",
    }
    assert expected <= names
    assert any(n.startswith("followup/migrations/versions/0001") for n in names)
    # Installed as a wheel (not editable), the package finds its own templates.
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    probe = (
        "from followup.letters import rendering as letters; "
        "from followup.letters.checks import check_defaults; "
        "print(letters.TEMPLATE_DIR); print(check_defaults())"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.splitlines()
    assert out == [str(site / "followup" / "letter_templates"), "[]"]


def test_no_module_is_over_400_lines() -> None:
    """ARCHITECTURE.md: split a module by topic before it grows past 400 lines."""
    package = ROOT / "followup"
    long = {
        str(path.relative_to(package)): lines
        for path in package.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}
