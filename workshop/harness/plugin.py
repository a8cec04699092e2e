"""The grading plugin for `pytest exercises/`: fixtures for graders, learner-facing reports and
the progress summary at the end of a run.

Graders are ordinary test files next to each stub (`exercises/<id>/test_<module>.py`); they take
the `learner` fixture, which loads the learner's file, or the reference solution with
`--solutions`, with the simulated API answering every request.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from workshop.catalog import Exercise, UnknownExercise, find_exercise, lesson_url, load_catalog
from workshop.harness.feedback import GradingFailure
from workshop.harness.learner import Learner
from workshop.harness.sandbox import LearnerCodeError
from workshop.progress import DONE, FAILING, NOT_STARTED, save_statuses
from workshop.settings import REPO_ROOT
from workshop.simulation.api import SimulatedAPI

EXERCISES_DIR = REPO_ROOT / "exercises"
# Grading never needs a real key; this stands in for one, so a real key is never sent anywhere.
PLACEHOLDER_KEY = "sk-workshop-grading-placeholder"
DEFAULT_BASE_URL = "https://api.openai.com/v1"


@dataclass
class ExerciseResult:
    exercise: Exercise
    passed: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    not_started: bool = False
    first_problem: str | None = None

    @property
    def status(self) -> str:
        if self.not_started:
            return NOT_STARTED
        return FAILING if self.failed or not self.passed else DONE


@dataclass
class GradingRun:
    solutions: bool
    timeout: float | None
    grade_dir: Path | None = None
    results: dict[str, ExerciseResult] = field(default_factory=dict)
    known_breakage: dict[str, LearnerCodeError] = field(default_factory=dict)

    @property
    def grades_learner_files(self) -> bool:
        return not self.solutions and self.grade_dir is None

    def file_to_grade(self, exercise: Exercise) -> Path:
        if self.solutions:
            return exercise.solution
        if self.grade_dir is not None:
            return self.grade_dir / exercise.id / exercise.stub.name
        return exercise.stub

    def result_for(self, exercise: Exercise) -> ExerciseResult:
        return self.results.setdefault(exercise.id, ExerciseResult(exercise))


RUN_KEY = pytest.StashKey[GradingRun]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("workshop", "Chat Completions workshop")
    group.addoption(
        "--solutions", action="store_true",
        help="grade the reference solutions in solutions/ instead of your files in exercises/",
    )
    group.addoption(
        "--grade-dir", type=Path, default=None, metavar="DIR",
        help="grade the files in DIR (laid out like exercises/: DIR/<id>/<module>.py)",
    )
    group.addoption(
        "--exercise-timeout", type=float, default=None, metavar="SECONDS",
        help="seconds your code may run in one check before it counts as hung "
        "(default: from info.toml)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "task(number): the task of the exercise this check grades")
    os.environ["OPENAI_API_KEY"] = PLACEHOLDER_KEY
    os.environ["OPENAI_BASE_URL"] = DEFAULT_BASE_URL
    config.stash[RUN_KEY] = GradingRun(
        solutions=config.getoption("solutions"),
        timeout=config.getoption("exercise_timeout"),
        grade_dir=config.getoption("grade_dir"),
    )


def exercise_of(path: Path) -> Exercise | None:
    """The exercise a grader file belongs to, by the folder it sits in."""
    if path.parent.parent != EXERCISES_DIR:
        return None
    try:
        return find_exercise(path.parent.name)
    except UnknownExercise:
        return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    run = config.stash[RUN_KEY]
    untouched: dict[str, bool] = {}  # read each learner file once, not once per check
    for item in items:
        exercise = exercise_of(item.path)
        if exercise is None:
            continue
        result = run.result_for(exercise)
        if exercise.id not in untouched:
            untouched[exercise.id] = not run.solutions and exercise.is_untouched(
                run.file_to_grade(exercise)
            )
        if untouched[exercise.id]:
            result.not_started = True
            item.add_marker(pytest.mark.skip(reason=f"not started: {exercise.relative(exercise.stub)}"))


@pytest.fixture
def api() -> Iterator[SimulatedAPI]:
    """The simulated API, answering every request the SDK sends during one check."""
    with SimulatedAPI() as simulated:
        yield simulated


@pytest.fixture
def learner(request: pytest.FixtureRequest, api: SimulatedAPI) -> Learner:
    """The learner's file for this grader's exercise (or its reference solution)."""
    exercise = exercise_of(request.path)
    if exercise is None:
        raise LookupError(f"{request.path} is not a grader of any exercise in info.toml")
    run = request.config.stash[RUN_KEY]
    return Learner(
        exercise,
        run.file_to_grade(exercise),
        api,
        timeout=run.timeout or exercise.timeout,
        known_breakage=run.known_breakage,
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Iterator[None]:
    report: pytest.TestReport = yield
    exercise = exercise_of(item.path)
    if exercise is None or (call.when == "teardown" and not report.failed):
        return report
    result = item.config.stash[RUN_KEY].result_for(exercise)
    if report.failed:
        result.failed.add(item.nodeid)
        message = _learner_message(call)
        result.first_problem = result.first_problem or message.splitlines()[0]
        if item.config.option.tbstyle != "long":
            report.longrepr = message
    elif call.when == "call" and report.passed:
        result.passed.add(item.nodeid)
    return report


def _learner_message(call: pytest.CallInfo[None]) -> str:
    error = call.excinfo.value if call.excinfo else None
    if isinstance(error, GradingFailure):
        return error.report
    if isinstance(error, LearnerCodeError):
        return str(error)
    return (
        f"The grader itself failed ({type(error).__name__}: {error}). This is a problem in the "
        "course, not in your code: please tell your instructor. Run with --tb=long for details."
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    run = terminalreporter.config.stash[RUN_KEY]
    if not run.results:
        return
    results = [run.results[e.id] for e in load_catalog() if e.id in run.results]
    write = terminalreporter.write_line
    title = "reference solutions" if run.solutions else "workshop progress"
    terminalreporter.section(title, sep="=")
    width = max(len(result.exercise.label) for result in results)
    for result in results:
        line = f"  {result.status:<12} {result.exercise.label:<{width}}"
        if result.status == FAILING and result.failed:
            checks = len(result.failed | result.passed)
            line += f"  ({len(result.failed)} of {checks} checks failing)"
        write(line.rstrip(), green=result.status == DONE, red=result.status == FAILING)
    done = sum(result.status == DONE for result in results)
    write(f"{done}/{len(results)} complete")
    upcoming = next((result for result in results if result.status != DONE), None)
    if upcoming is not None and run.grades_learner_files:
        exercise = upcoming.exercise
        write(f"Next: {exercise.label}")
        write(f"  edit    {exercise.relative(exercise.stub)}")
        write(f"  lesson  {lesson_url(exercise.lesson)}  (docs/{exercise.lesson})")
        write(f"  grade   pytest exercises/{exercise.id}")
        write(f"  hint    workshop hint {exercise.number}")
    if run.grades_learner_files:
        save_statuses({result.exercise.id: result.status for result in results})
