"""Shared fixtures: grade a submission the way a learner's `pytest exercises/` run would."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from workshop.catalog import find_exercise
from workshop.settings import REPO_ROOT


def pytest_collection_finish(session: pytest.Session) -> None:
    """Leave what every test shares (openai, pydantic, textual, the graders) out of garbage collection.

    Each full collection would otherwise walk those objects again: hundreds of grading runs in
    this suite make that a fifth of its time.
    """
    gc.collect()
    gc.freeze()


@dataclass
class Grading:
    """The outcome of grading one submission: each check's result and the learner's output."""

    outcomes: dict[str, str] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    output: str = ""
    exit_code: int = 0

    @property
    def failures(self) -> str:
        return "\n".join(self.messages.values())

    def passed(self) -> bool:
        return bool(self.outcomes) and set(self.outcomes.values()) == {"passed"}


class _Recorder:
    def __init__(self, grading: Grading) -> None:
        self.grading = grading

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        name = report.nodeid.rsplit("::", 1)[-1]
        if report.when == "call" or report.outcome != "passed":
            self.grading.outcomes[name] = report.outcome
        if report.failed:
            self.grading.messages[name] = report.longreprtext


@pytest.fixture
def grade(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., Grading]:
    """Grade `source` as the learner's file for exercise `key`, in-process and offline."""

    def run(key: str, source: str | None = None, *options: str) -> Grading:
        exercise = find_exercise(key)
        args = [str(REPO_ROOT / "exercises" / exercise.id), "-p", "no:cacheprovider", *options]
        if source is not None:
            folder = tmp_path / "submission" / exercise.id
            folder.mkdir(parents=True, exist_ok=True)
            (folder / exercise.stub.name).write_text(source, encoding="utf-8")
            args.append(f"--grade-dir={tmp_path / 'submission'}")
        grading = Grading()
        capsys.readouterr()
        grading.exit_code = int(pytest.main(args, plugins=[_Recorder(grading)]))
        grading.output = capsys.readouterr().out
        return grading

    return run


def solution_source(key: str) -> str:
    return find_exercise(key).solution.read_text(encoding="utf-8")


def stub_source(key: str) -> str:
    return find_exercise(key).stub.read_text(encoding="utf-8")


def editor(default: str) -> Callable[..., str]:
    """`changed(old, new, source=default)`: a wrong submission written as one edit of a solution."""

    def changed(old: str, new: str, source: str = default) -> str:
        assert old in source, f"the reference solution no longer contains {old!r}"
        return source.replace(old, new)

    return changed
