"""`workshop reset`: put an exercise's stub back, after keeping a copy of the learner's file.

The stub comes from git (`git cat-file blob <stub_blob>`, the id info.toml records) or, in a copy
of the course without git's history (a downloaded ZIP), from the pristine copy shipped in
`workshop/pristine/<id>/<module>.py`. Either is checked against that id before anything is
written. The learner's file is first copied to `.workshop/backups/<id>/<module>.<timestamp>.py`
under a name never used before, so nothing a learner wrote is ever lost. If neither source has
the stub, nothing changes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from workshop import progress
from workshop.catalog import Exercise, find_exercise, git_blob_id
from workshop.commands.workspace import Workspace, shown
from workshop.settings import REPO_ROOT

BACKUP_DIR = progress.STATE_DIR / "backups"
PRISTINE_DIR = Path(__file__).resolve().parent.parent / "pristine"


class ResetRefused(Exception):
    """Resetting cannot go ahead; the message says why in one sentence, and nothing was changed."""


@dataclass(frozen=True)
class Restoration:
    exercise: Exercise
    target: Path
    original: bytes

    @property
    def needed(self) -> bool:
        """False when the file already is the stub as shipped."""
        return not self.target.exists() or git_blob_id(self.target.read_bytes()) != self.exercise.stub_blob


def original_stub(exercise: Exercise) -> bytes:
    """The stub as shipped, from git or else from the pristine copy, checked against its id."""
    if not re.fullmatch(r"[0-9a-f]{40}", exercise.stub_blob):
        raise ResetRefused(f"info.toml records no shipped stub for exercise {exercise.number}, so "
                           "there is nothing to restore it from; nothing was changed.")
    try:
        return stub_from_git(exercise)
    except ResetRefused as refusal:
        pristine = pristine_stub(exercise)
        if pristine is None:
            raise refusal from None
        return pristine


def pristine_copy(exercise: Exercise) -> Path:
    """Where the course keeps a copy of the stub as shipped, for copies without git."""
    return PRISTINE_DIR / exercise.id / exercise.stub.name


def pristine_stub(exercise: Exercise) -> bytes | None:
    """The pristine copy's content, or None when it is missing or not the shipped stub."""
    try:
        content = pristine_copy(exercise).read_bytes()
    except OSError:
        return None
    return content if git_blob_id(content) == exercise.stub_blob else None


def stub_from_git(exercise: Exercise) -> bytes:
    number, blob = exercise.number, exercise.stub_blob
    try:
        found = subprocess.run(
            ["git", "cat-file", "blob", blob], cwd=REPO_ROOT, capture_output=True, timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        raise ResetRefused("Neither git nor the course's pristine copy has the original stub of "
                           f"exercise {number}, so nothing was changed.") from None
    if found.returncode != 0:
        raise ResetRefused(f"Neither git (object {blob[:10]}) nor the course's pristine copy has the "
                           f"original stub of exercise {number}, so nothing was changed.")
    if git_blob_id(found.stdout) != blob:
        raise ResetRefused(f"Git returned something other than exercise {number}'s original stub, "
                           "so nothing was changed.")
    return found.stdout


def prepare(exercise: Exercise, workspace: Workspace | None = None) -> Restoration:
    """Everything a reset needs, fetched before anything is touched."""
    return Restoration(exercise, (workspace or Workspace()).file(exercise), original_stub(exercise))


def back_up(path: Path, exercise: Exercise) -> Path:
    """Copy the learner's file under a new name in the backups folder; never overwrites."""
    folder = BACKUP_DIR / exercise.id
    folder.mkdir(parents=True, exist_ok=True)
    content = path.read_bytes()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for attempt in range(1, 1000):
        suffix = "" if attempt == 1 else f"-{attempt}"
        backup = folder / f"{path.stem}.{stamp}{suffix}{path.suffix}"
        try:
            with backup.open("xb") as file:  # "x": fails rather than replace an earlier backup
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
        except FileExistsError:
            continue
        return backup
    raise ResetRefused(f"Could not find a free backup name in {shown(folder)}, so nothing was changed.")


def apply(restoration: Restoration) -> Path | None:
    """Back the learner's file up, then put the stub in its place; returns the backup's path."""
    target, original = restoration.target, restoration.original
    backup = back_up(target, restoration.exercise) if target.exists() else None
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(original)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if git_blob_id(target.read_bytes()) != restoration.exercise.stub_blob:
        raise ResetRefused(f"{shown(target)} does not match the original stub after writing it; "
                           f"your work is safe in {shown(backup) if backup else 'no file'}.")
    return backup


def confirmed(question: str) -> bool:
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def stdin_is_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def reset_command(console: Console, key: str, *, yes: bool, workspace: Workspace | None = None) -> int:
    exercise = find_exercise(key)
    try:
        restoration = prepare(exercise, workspace)
        target = shown(restoration.target)
        if not restoration.needed:
            console.print(f"{target} is already the original stub; nothing to reset.")
            return 0
        if not yes:
            if not stdin_is_terminal():
                console.print(f"Not resetting exercise {exercise.number} without a confirmation: run "
                              f"it in a terminal, or add --yes (workshop reset {exercise.number} --yes).")
                return 1
            question = (f"Put the original stub back in {target}? Your current file is kept in "
                        f"{shown(BACKUP_DIR / exercise.id)} first.")
            if not confirmed(question):
                console.print("Nothing was changed.")
                return 1
        backup = apply(restoration)
    except ResetRefused as refusal:
        console.print(str(refusal))
        return 1
    except EOFError:
        console.print("\nNothing was changed.")
        return 1
    if backup is not None:
        console.print(f"Your file was saved as {shown(backup)}.")
    console.print(f"{target} is the original stub again.")
    return 0
