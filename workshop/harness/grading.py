"""Grade exercises from Python, through the same pytest harness as `pytest exercises/`.

The `workshop` command and its TUI call `grade()`; it runs pytest in this process (so a watching
TUI keeps its imports warm) and hands back one report per exercise instead of terminal output.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from workshop.catalog import Exercise, load_catalog
from workshop.harness.digest import Digest, Failure, digest
from workshop.harness.feedback import check_title
from workshop.harness.plugin import RUN_KEY
from workshop.progress import NOT_STARTED


@dataclass
class CheckResult:
    name: str
    outcome: str  # "passed", "failed" or "skipped"
    message: str = ""  # the learner-facing report of a failed check
    title: str = ""  # the check's plain title, such as "ask returns the reply text"
    cause: str = ""  # the same for every failed check that comes down to the same mistake
    task: int | None = None  # the README task the check checks, when its grader says

    def as_failure(self) -> Failure:
        return Failure(self.title or check_title(self.name), self.message, self.cause or self.message,
                       self.task)


@dataclass
class ExerciseReport:
    exercise: Exercise
    status: str
    checks: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def first_failure(self) -> str | None:
        return next((check.message for check in self.checks if check.outcome == "failed"), None)

    def digest(self) -> Digest | None:
        """The failing checks, one message per root cause."""
        return digest([check.as_failure() for check in self.checks if check.outcome == "failed"])


class _Collector:
    def __init__(self, on_check: Callable[[str, CheckResult], None] | None = None) -> None:
        self.on_check = on_check
        self.checks: dict[str, list[CheckResult]] = {}
        self.seconds: dict[str, float] = {}
        self.statuses: dict[str, str] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        exercise_id = report.nodeid.split("/")[1] if report.nodeid.startswith("exercises/") else ""
        self.seconds[exercise_id] = self.seconds.get(exercise_id, 0.0) + report.duration
        if report.when == "call" or report.outcome != "passed":
            name = report.nodeid.rsplit("::", 1)[-1]
            message = report.longreprtext if report.failed else ""
            found = dict(report.user_properties)
            task = found.get("task")
            check = CheckResult(
                name, report.outcome, message, str(found.get("title") or check_title(name)),
                str(found.get("cause") or message), task if isinstance(task, int) else None,
            )
            self.checks.setdefault(exercise_id, []).append(check)
            if self.on_check is not None:
                self.on_check(exercise_id, check)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        results = session.config.stash[RUN_KEY].results
        self.statuses = {key: result.status for key, result in results.items()}


def grade(
    exercises: Iterable[Exercise] | None = None,
    *,
    solutions: bool = False,
    grade_dir: Path | None = None,
    capture: str = "fd",
    on_check: Callable[[str, CheckResult], None] | None = None,
    timeout: float | None = None,
) -> list[ExerciseReport]:
    """Grade the given exercises (all by default); progress is saved as by `pytest exercises/`.

    `grade_dir` grades the files in a folder laid out like `exercises/` instead (progress is then
    left alone, as with `pytest --grade-dir`). `capture="sys"` keeps pytest away from the terminal's
    file descriptors, for callers that draw on the terminal from another thread. `on_check` hears
    about each check as soon as it has run, with the exercise's id. `timeout` replaces the time
    limit from info.toml. Each exercise is graded in a sealed process of its own, as by
    `pytest exercises/`, so nothing the learner's code does reaches this process.
    """
    chosen = list(exercises) if exercises is not None else list(load_catalog())
    collector = _Collector(on_check)
    graders = [str(exercise.grader) for exercise in chosen if exercise.grader.exists()]
    # The plugin replaces every failure's traceback with the learner's message, so a cheap
    # traceback style costs nothing; and the unraisable-exception check's forced garbage
    # collections (which only ever produce warnings) take most of a re-grade in a long-lived process.
    options = ["-q", "-p", "no:cacheprovider", "-p", "no:unraisableexception", "--tb=native"]
    options += [f"--capture={capture}"]
    options += ["--solutions"] if solutions else []
    options += [f"--grade-dir={grade_dir}"] if grade_dir is not None else []
    options += [f"--exercise-timeout={timeout}"] if timeout else []
    # With no grader to name, pytest would fall back to the course's own test suite.
    if graders:
        with _environment_kept(), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            pytest.main([*graders, *options], plugins=[collector])
    return [
        ExerciseReport(
            exercise,
            collector.statuses.get(exercise.id, NOT_STARTED),
            collector.checks.get(exercise.id, []),
            collector.seconds.get(exercise.id, 0.0),
        )
        for exercise in chosen
    ]


@contextlib.contextmanager
def _environment_kept() -> Iterator[None]:
    """Grading puts a placeholder key in the environment; give the caller its own back afterwards."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        for name in set(os.environ) - set(saved):
            del os.environ[name]
        os.environ.update(saved)
