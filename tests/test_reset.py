"""`workshop reset`: the stub comes back from git or the pristine copy, checked, and the learner's
file is never lost."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import stub_source
from workshop.catalog import find_exercise, git_blob_id, load_catalog
from workshop.commands import reset
from workshop.commands.workspace import Workspace
from workshop.settings import REPO_ROOT

EXERCISE = find_exercise("01")


@pytest.fixture(autouse=True)
def private_backups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reset, "BACKUP_DIR", tmp_path / "backups")


@pytest.fixture
def scratch(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "learner")


def write(scratch: Workspace, text: str) -> Path:
    path = scratch.file(EXERCISE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_original_stub_comes_from_git_and_matches_the_recorded_id():
    original = reset.original_stub(EXERCISE)
    assert git_blob_id(original) == EXERCISE.stub_blob
    assert original.decode("utf-8") == stub_source("01").replace("\r\n", "\n")


def test_backups_never_reuse_a_name(scratch):
    path = write(scratch, "attempt 1\n")
    backups = []
    for attempt in range(2, 5):  # several resets within the same second
        backups.append(reset.apply(reset.prepare(EXERCISE, scratch)))
        path.write_text(f"attempt {attempt}\n", encoding="utf-8")
    assert len({backup.name for backup in backups}) == 3
    assert sorted(b.read_text() for b in backups) == ["attempt 1\n", "attempt 2\n", "attempt 3\n"]


def test_a_missing_file_is_simply_restored(scratch):
    path = scratch.file(EXERCISE)
    assert reset.apply(reset.prepare(EXERCISE, scratch)) is None
    assert git_blob_id(path.read_bytes()) == EXERCISE.stub_blob


def test_an_untouched_stub_needs_no_reset(scratch):
    write(scratch, stub_source("01"))
    assert not reset.prepare(EXERCISE, scratch).needed


def test_no_recorded_stub_means_nothing_to_restore():
    unrecorded = dataclasses.replace(EXERCISE, stub_blob="TODO")
    with pytest.raises(reset.ResetRefused, match="records no shipped stub"):
        reset.original_stub(unrecorded)


def test_an_object_neither_git_nor_the_pristine_copy_has_changes_nothing():
    unknown = dataclasses.replace(EXERCISE, stub_blob="0123456789" * 4)
    with pytest.raises(reset.ResetRefused, match=r"Neither git .* nor the course's pristine copy"):
        reset.original_stub(unknown)


def impostor(command, **options):
    return subprocess.CompletedProcess(command, 0, stdout=b"print('not the stub')\n", stderr=b"")


def test_content_that_does_not_match_the_id_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(reset.subprocess, "run", impostor)
    monkeypatch.setattr(reset, "PRISTINE_DIR", tmp_path / "no-pristine-copies")
    with pytest.raises(reset.ResetRefused, match="something other"):
        reset.original_stub(EXERCISE)


def test_content_from_git_that_does_not_match_gives_way_to_the_pristine_copy(monkeypatch):
    monkeypatch.setattr(reset.subprocess, "run", impostor)
    assert git_blob_id(reset.original_stub(EXERCISE)) == EXERCISE.stub_blob


def no_git(*args, **kwargs):
    raise OSError("no git")


def test_refusals_change_nothing_on_disk(scratch, monkeypatch, tmp_path):
    path = write(scratch, "my work\n")
    monkeypatch.setattr(reset.subprocess, "run", no_git)
    monkeypatch.setattr(reset, "PRISTINE_DIR", tmp_path / "no-pristine-copies")
    with pytest.raises(reset.ResetRefused, match="Neither git nor the course's pristine copy"):
        reset.prepare(EXERCISE, scratch)
    assert path.read_text() == "my work\n" and not reset.BACKUP_DIR.exists()


# --- the pristine copies, for a course without git ---------------------------------------------


@pytest.mark.parametrize("exercise", load_catalog(), ids=lambda exercise: exercise.id)
def test_every_pristine_copy_is_the_shipped_stub(exercise):
    copy = reset.pristine_copy(exercise)
    assert copy.is_file(), f"{copy} is missing: copy the stub there when it changes"
    assert git_blob_id(copy.read_bytes()) == exercise.stub_blob, (
        f"{copy} differs from the stub info.toml records (stub_blob): copy the stub again"
    )


def test_without_git_the_stub_comes_from_the_pristine_copy(scratch, monkeypatch):
    path = write(scratch, "my work\n")
    monkeypatch.setattr(reset.subprocess, "run", no_git)
    backup = reset.apply(reset.prepare(EXERCISE, scratch))
    assert git_blob_id(path.read_bytes()) == EXERCISE.stub_blob
    assert backup is not None and backup.read_text() == "my work\n"


def test_a_pristine_copy_that_drifted_is_not_used(scratch, monkeypatch, tmp_path):
    path = write(scratch, "my work\n")
    drifted = tmp_path / "pristine" / EXERCISE.id / EXERCISE.stub.name
    drifted.parent.mkdir(parents=True)
    drifted.write_text(stub_source("01") + "# edited\n", encoding="utf-8")
    monkeypatch.setattr(reset.subprocess, "run", no_git)
    monkeypatch.setattr(reset, "PRISTINE_DIR", tmp_path / "pristine")
    with pytest.raises(reset.ResetRefused, match="nothing was changed"):
        reset.prepare(EXERCISE, scratch)
    assert path.read_text() == "my work\n"


def course_copy_without_git(destination: Path) -> Path:
    """The course as "Download ZIP" gives it: the files, no .git (and no virtualenv)."""
    ignored = shutil.ignore_patterns(".git", ".venv", ".workshop", "site", "__pycache__", "docs")
    shutil.copytree(REPO_ROOT, destination, ignore=ignored)
    return destination


def test_reset_works_in_a_copy_of_the_course_without_git(tmp_path):
    course = course_copy_without_git(tmp_path / "course")
    assert not (course / ".git").exists()
    learner_file = course / "exercises" / EXERCISE.id / EXERCISE.stub.name
    learner_file.write_text("def ask(question):\n    return 'my own work'\n", encoding="utf-8")
    environment = {
        **os.environ,
        "PYTHONPATH": str(course),  # this copy's workshop package, not the installed one
        "GIT_CEILING_DIRECTORIES": str(tmp_path),  # no repository above the copy either
    }
    finished = subprocess.run(
        [sys.executable, "-m", "workshop", "reset", "01", "--yes"],
        cwd=course, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert git_blob_id(learner_file.read_bytes()) == EXERCISE.stub_blob
    (backup,) = (course / ".workshop" / "backups" / EXERCISE.id).iterdir()
    assert backup.read_text(encoding="utf-8") == "def ask(question):\n    return 'my own work'\n"
    assert "is the original stub again" in finished.stdout
