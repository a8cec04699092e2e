"""`workshop reset`: the stub comes back from git, checked, and the learner's file is never lost."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from tests.conftest import stub_source
from workshop.catalog import find_exercise, git_blob_id
from workshop.commands import reset
from workshop.commands.workspace import Workspace

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


def test_an_object_git_does_not_have_changes_nothing():
    unknown = dataclasses.replace(EXERCISE, stub_blob="0123456789" * 4)
    with pytest.raises(reset.ResetRefused, match="Git has no copy"):
        reset.original_stub(unknown)


def test_content_that_does_not_match_the_id_is_refused(monkeypatch):
    def impostor(command, **options):
        return subprocess.CompletedProcess(command, 0, stdout=b"print('not the stub')\n", stderr=b"")

    monkeypatch.setattr(reset.subprocess, "run", impostor)
    with pytest.raises(reset.ResetRefused, match="something other"):
        reset.original_stub(EXERCISE)


def test_refusals_change_nothing_on_disk(scratch, monkeypatch):
    path = write(scratch, "my work\n")

    def no_git(*args, **kwargs):
        raise OSError("no git")

    monkeypatch.setattr(reset.subprocess, "run", no_git)
    with pytest.raises(reset.ResetRefused, match="Git is not available"):
        reset.prepare(EXERCISE, scratch)
    assert path.read_text() == "my work\n" and not reset.BACKUP_DIR.exists()
