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


def save_failing_tasks(tasks: dict[str, int | None]) -> None:
    """Remember the task of each exercise's first failing check (None: no failing check)."""
    data = _read()
    saved = data.get("failing_task")
    merged = {**(saved if isinstance(saved, dict) else {}), **tasks}
    data["failing_task"] = {key: value for key, value in merged.items() if isinstance(value, int)}
    write_atomically(PROGRESS_FILE, json.dumps(data, indent=2, sort_keys=True))


def failing_task(exercise_id: str) -> int | None:
    """The task of the exercise's first failing check when it was last graded, if it had one."""
    saved = _read().get("failing_task", {})
    task = saved.get(exercise_id) if isinstance(saved, dict) else None
    return task if isinstance(task, int) else None


def hints_seen(exercise_id: str) -> set[int]:
    """Which of an exercise's hints (by index from 0) the learner has already seen.

    Older progress files kept a count of hints seen in order; that count still reads right.
    """
    data = _read()
    seen = data.get("hints_seen", {})
    listed = seen.get(exercise_id) if isinstance(seen, dict) else None
    if isinstance(listed, list):
        return {index for index in listed if isinstance(index, int) and index >= 0}
    shown = data.get("hints_shown", {})
    count = shown.get(exercise_id, 0) if isinstance(shown, dict) else 0
    return set(range(count)) if isinstance(count, int) and count > 0 else set()


def hints_shown(exercise_id: str) -> int:
    """How many of an exercise's hints the learner has already seen."""
    return len(hints_seen(exercise_id))


def record_hints_seen(exercise_id: str, seen: set[int]) -> None:
    data = _read()
    listed = data.get("hints_seen")
    data["hints_seen"] = {**(listed if isinstance(listed, dict) else {}), exercise_id: sorted(seen)}
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
