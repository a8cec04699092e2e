"""`workshop watch`: which saves count, and a real watcher grading a scratch copy as it is saved."""

from __future__ import annotations

import io
import os
import queue
import threading
from pathlib import Path

import pytest
from rich.console import Console
from watchfiles import Change

from tests.conftest import solution_source, stub_source
from workshop import progress
from workshop.catalog import find_exercise
from workshop.commands.watch import ExerciseFiles, Watcher, saved_exercises
from workshop.commands.workspace import Workspace
from workshop.harness.grading import ExerciseReport
from workshop.progress import DONE, FAILING

EXERCISE = find_exercise("01")
STARTED = stub_source("01").replace('SYSTEM_PROMPT = ""', 'SYSTEM_PROMPT = "You are a travel assistant."')


@pytest.fixture(autouse=True)
def private_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "PROGRESS_FILE", tmp_path / "progress.json")


@pytest.fixture
def scratch(tmp_path: Path) -> Workspace:
    workspace = Workspace(tmp_path / "learner")
    workspace.file(EXERCISE).parent.mkdir(parents=True)
    workspace.file(EXERCISE).write_text(STARTED, encoding="utf-8")
    return workspace


@pytest.mark.parametrize("name", [
    ".travel_assistant.py.swp", ".travel_assistant.py.swx", "travel_assistant.py~", "4913",
    ".#travel_assistant.py", "#travel_assistant.py#", "travel_assistant.py.tmp",
    "travel_assistant.py.bak", "travel_assistant.py.orig", "travel_assistant.py___jb_tmp___",
    "test_travel_assistant.py", "notes.py", "README.md",
])
def test_swap_backup_temporary_and_other_files_are_ignored(scratch, name):
    path = scratch.file(EXERCISE).with_name(name)
    assert not ExerciseFiles(scratch)(Change.added, str(path))
    assert not ExerciseFiles(scratch)(Change.modified, str(path))


def test_saving_the_exercise_file_counts_however_the_editor_writes_it(scratch):
    path = str(scratch.file(EXERCISE))
    watching = ExerciseFiles(scratch)
    assert watching(Change.modified, path)  # written in place
    assert watching(Change.added, path)  # renamed over the old file
    assert not watching(Change.deleted, path)  # the first half of a rename
    assert saved_exercises({(Change.added, path), (Change.modified, path)}, scratch) == [EXERCISE]


def test_the_same_file_in_another_folder_is_not_an_exercise(scratch, tmp_path):
    elsewhere = tmp_path / "elsewhere" / EXERCISE.id / EXERCISE.stub.name
    assert not ExerciseFiles(scratch)(Change.modified, str(elsewhere))


def test_each_save_is_graded_and_a_done_exercise_moves_on(scratch):
    verdicts: queue.Queue[ExerciseReport] = queue.Queue()
    output = io.StringIO()
    watcher = Watcher(Console(file=output, width=100), scratch, start=EXERCISE, on_verdict=verdicts.put)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        assert watcher.ready.wait(30), "the watcher did not start"
        path = scratch.file(EXERCISE)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(solution_source("01"), encoding="utf-8")
        temporary.with_name(".travel_assistant.py.swp").write_text("swap", encoding="utf-8")
        os.replace(temporary, path)  # the way many editors save
        assert verdicts.get(timeout=15).status == DONE
        assert watcher.current == find_exercise("02")
        path.write_text(STARTED, encoding="utf-8")  # the way others save
        assert verdicts.get(timeout=15).status == FAILING
        assert verdicts.empty()  # the swap and temporary files were not graded
    finally:
        watcher.stop_event.set()
        thread.join(10)
    text = output.getvalue()
    assert "done" in text and "Next: 02 · Multi-turn memory" in text
    assert "is not written yet" in text  # the learner-facing message of the first failing check
