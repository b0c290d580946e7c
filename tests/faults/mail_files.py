"""Read the emails a worker wrote as files (tests/reminders/worker_settings.py)."""

from __future__ import annotations

import email
from collections import Counter
from pathlib import Path

SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def recipients(folder: Path) -> Counter[str]:
    found: Counter[str] = Counter()
    for path in folder.glob("*.log"):
        for raw in path.read_bytes().split(SEPARATOR):
            if raw.strip():
                found[email.message_from_bytes(raw)["To"]] += 1
    return found
