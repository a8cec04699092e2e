"""The learner's progress, kept between runs in `.workshop/progress.json` (ignored by git).

Grading writes it; the `workshop` command and the lessons site read it. It is only ever a cache of
grading results: a missing or damaged file means "not graded yet", never an error.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from workshop.settings import REPO_ROOT

STATE_DIR = REPO_ROOT / ".workshop"
PROGRESS_FILE = STATE_DIR / "progress.json"

DONE = "done"
FAILING = "failing"
NOT_STARTED = "not started"


def _read() -> dict[str, Any]:
    try:
        data = json.loads(PROGRESS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def saved_statuses() -> dict[str, str]:
    """Each graded exercise's status from the last time it was graded."""
    statuses = _read().get("statuses", {})
    if not isinstance(statuses, dict):
        return {}
    return {
        key: value for key, value in statuses.items()
        if isinstance(key, str) and value in (DONE, FAILING, NOT_STARTED)
    }


def save_statuses(statuses: dict[str, str]) -> None:
    """Merge new results into the saved ones and write the file atomically."""
    data = _read()
    data["statuses"] = {**saved_statuses(), **statuses}
    write_atomically(PROGRESS_FILE, json.dumps(data, indent=2, sort_keys=True))


def hints_shown(exercise_id: str) -> int:
    """How many of an exercise's hints the learner has already seen."""
    shown = _read().get("hints_shown", {})
    count = shown.get(exercise_id, 0) if isinstance(shown, dict) else 0
    return count if isinstance(count, int) and count >= 0 else 0


def record_hints_shown(exercise_id: str, count: int) -> None:
    data = _read()
    shown = data.get("hints_shown")
    data["hints_shown"] = {**(shown if isinstance(shown, dict) else {}), exercise_id: count}
    write_atomically(PROGRESS_FILE, json.dumps(data, indent=2, sort_keys=True))


def write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file, so an interrupted write never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
