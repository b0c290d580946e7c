"""The architecture is checked, not only described (docs/development.md, "Where things live").

`lint-imports` (contracts in pyproject.toml) fails on an upward import between the apps, on
reminders.dispatch importing reminders.tasks, on supervision.anonymity importing trends, and on
code outside checkins importing `checkins.rollup`. import-linter sees modules, not names, so the
rule "only the publication code reads the rollup tables" is checked here by reading the source.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "checkins", "supervision", "reminders", "sts_checkin")

# The rollup tables, by model and by table name. The models, the code that keeps them in step and
# the publication code (team trends) may name them; migrations too.
ROLLUP_NAMES = re.compile(r"\b(CheckInRollup|PracticeRollup)\b|\bcheckins_(checkin|practice)rollup\b", re.IGNORECASE)
# checkins/store.py is the PostgreSQL write path that adds a check-in to its rollups in the same statement.
ROLLUP_ALLOWED = {"checkins/models.py", "checkins/rollup.py", "checkins/store.py", "supervision/trends.py"}


def _lint_imports() -> str | None:
    found = Path(sys.executable).with_name("lint-imports")
    return str(found) if found.exists() else shutil.which("lint-imports")


def test_import_contracts_are_kept():
    command = _lint_imports()
    if command is None:
        pytest.skip("import-linter is not installed (requirements-dev.txt)")
    result = subprocess.run([command, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_only_the_publication_code_names_the_rollup_tables():
    offenders = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative in ROLLUP_ALLOWED:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if ROLLUP_NAMES.search(line):
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == [], (
        "Only checkins.models, checkins.rollup, checkins.store and supervision.trends may use the rollup tables"
    )


def test_dispatch_finds_the_send_task_by_its_registered_name():
    from reminders import dispatch, tasks

    assert tasks.send_reminders.name == dispatch.SEND_TASK
    assert dispatch._send_task() is tasks.send_reminders._get_current_object()
