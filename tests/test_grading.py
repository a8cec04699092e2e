"""`workshop.harness.grading.grade`: the harness of `pytest exercises/`, called from Python by the tools."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from tests.conftest import solution_source
from workshop import progress
from workshop.catalog import find_exercise
from workshop.harness.grading import grade

EXERCISE = find_exercise("01")


@pytest.fixture(autouse=True)
def private_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "PROGRESS_FILE", tmp_path / "progress.json")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    folder = tmp_path / "learner"
    (folder / EXERCISE.id).mkdir(parents=True)
    return folder


def test_a_folder_laid_out_like_exercises_is_graded_and_progress_left_alone(copy):
    (copy / EXERCISE.id / EXERCISE.stub.name).write_text(solution_source("01"), encoding="utf-8")
    (report,) = grade([EXERCISE], grade_dir=copy)
    assert report.status == "done" and report.checks and report.seconds > 0
    assert progress.saved_statuses() == {}


def test_each_check_is_heard_as_soon_as_it_has_run(copy):
    (copy / EXERCISE.id / EXERCISE.stub.name).write_text("SYSTEM_PROMPT = 'x'\n", encoding="utf-8")
    heard = []
    (report,) = grade([EXERCISE], grade_dir=copy, on_check=lambda key, check: heard.append((key, check)))
    assert [check for _, check in heard] == report.checks
    assert {key for key, _ in heard} == {EXERCISE.id}
    assert report.status == "failing" and report.first_failure


def test_the_callers_environment_is_given_back(copy, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-the-learners-own")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    grade([EXERCISE], grade_dir=copy, capture="sys")
    assert os.environ["OPENAI_API_KEY"] == "sk-the-learners-own"
    assert "OPENAI_BASE_URL" not in os.environ


def test_an_exercise_without_a_grader_is_not_started_and_runs_nothing_else(monkeypatch):
    ran = []
    monkeypatch.setattr("pytest.main", lambda *a, **k: ran.append(a))
    missing = dataclasses.replace(EXERCISE, id="99_missing", module="missing")
    (report,) = grade([missing])
    assert report.status == "not started" and ran == []
