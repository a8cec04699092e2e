"""The grading plugin for `pytest exercises/`: fixtures for graders, learner-facing reports and
the progress summary at the end of a run.

Graders are ordinary test files next to each stub (`exercises/<id>/test_<module>.py`); they take
the `learner` fixture, which loads the learner's file, or the reference solution with
`--solutions`, with the simulated API answering every request.

Each exercise's checks run in a sealed grading process of their own (`isolation`); this session
only collects, hands out the verdicts and writes the progress, so nothing a learner's code does
can reach it or another exercise.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from _pytest.unraisableexception import gc_collect_iterations_key  # pytest is pinned in the lock

from workshop.catalog import Exercise, UnknownExercise, find_exercise, lesson_url, load_catalog
from workshop.harness import sandbox
from workshop.harness.digest import Failure, digest
from workshop.harness.feedback import GradingFailure, check_title
from workshop.harness.isolation import ExerciseGrading, exercises_ahead
from workshop.harness.learner import Learner, breakage_key
from workshop.harness.sandbox import LearnerCodeError, cut
from workshop.harness.sealing import DEFAULT_BASE_URL, PLACEHOLDER_KEY
from workshop.progress import DONE, FAILING, NOT_STARTED, save_failing_tasks, save_statuses, saved_statuses
from workshop.settings import REPO_ROOT
from workshop.simulation.api import SimulatedAPI

EXERCISES_DIR = REPO_ROOT / "exercises"
MESSAGE_LIMIT = 6000  # characters of one check's message
SECTION_LIMIT = 2000  # characters of each captured-output section
PRINTED_LIMIT = 800  # characters of learner output shown under a failure


def _failed_mark() -> str:
    """✗ where the terminal (or the file output goes to) can show it, else a plain x."""
    try:
        "✗".encode(getattr(sys.__stdout__, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "x"
    return "✗"


FAILED_MARK = _failed_mark()
# When the run is over, whatever is still alive is left for the operating system to reclaim
# instead of being collected object by object: with openai loaded, the collections at exit take
# a quarter of a second of every `pytest exercises/`. Python does not promise finalizers at exit.
atexit.register(gc.freeze)


@dataclass
class ExerciseResult:
    exercise: Exercise
    passed: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    not_started: bool = False
    first_problem: str | None = None
    failures: list[Failure] = field(default_factory=list)  # in the order the checks ran
    selected: int = 0  # checks of this exercise in the run
    finished: int = 0  # checks whose reports have all come back
    partial: bool = False  # some of its checks were left out (-k, a node id)

    @property
    def status(self) -> str:
        if self.not_started:
            return NOT_STARTED
        return FAILING if self.failed or not self.passed else DONE

    @property
    def complete(self) -> bool:
        """Every check of the exercise was graded, so its status may replace the saved one."""
        return self.not_started or (not self.partial and self.finished >= self.selected > 0)


@dataclass
class GradingRun:
    solutions: bool
    timeout: float | None
    grade_dir: Path | None = None
    results: dict[str, ExerciseResult] = field(default_factory=dict)
    known_breakage: dict[str, LearnerCodeError] = field(default_factory=dict)
    gradings: dict[str, ExerciseGrading] | None = None  # by check node id, once the run starts
    quiet: bool = False  # a learner's run: one message per root cause, no pytest banners

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


def _grades_exercises_only(config: pytest.Config) -> bool:
    """True when every path on the command line is inside exercises/ (a learner's run)."""
    if not config.args:
        return False
    base = Path(config.invocation_params.dir)
    for argument in config.args:
        path = (base / argument.split("::")[0]).resolve()
        if path != EXERCISES_DIR and EXERCISES_DIR not in path.parents:
            return False
    return True


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "task(number): the task of the exercise this check grades")
    os.environ["OPENAI_API_KEY"] = PLACEHOLDER_KEY
    os.environ["OPENAI_BASE_URL"] = DEFAULT_BASE_URL
    grade_dir = config.getoption("grade_dir")
    run = config.stash[RUN_KEY] = GradingRun(
        solutions=config.getoption("solutions"),
        timeout=config.getoption("exercise_timeout"),
        grade_dir=grade_dir.resolve() if grade_dir is not None else None,
    )
    config.pluginmanager.register(_Tally(run), "workshop-tally")
    option = config.option
    if not _grades_exercises_only(config):
        return
    # The session holds no learner code: pytest's unraisable-exception check still looks, but
    # without its closing garbage collections, a sixth of a second of every learner's run.
    config.stash[gc_collect_iterations_key] = 0
    if option.verbose == 0 and option.tbstyle == "auto":
        # The quiet default: this plugin writes the failures itself, one message per cause.
        run.quiet = True
        option.verbose, option.tbstyle, option.reportchars = -1, "no", ""


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, str] | None:
    """In the quiet default, no progress dots: the summary says it all."""
    if config.stash[RUN_KEY].quiet and report.nodeid.startswith("exercises/"):
        category = report.outcome if report.when == "call" or report.outcome != "passed" else ""
        return category, "", ""
    return None


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


def pytest_deselected(items: list[pytest.Item]) -> None:
    for item in items:
        exercise = exercise_of(item.path)
        if exercise is not None:
            item.config.stash[RUN_KEY].result_for(exercise).partial = True


# --- the session's side: one grading process per exercise ------------------------------------------


def _grading_options(config: pytest.Config, run: GradingRun) -> list[str]:
    """The options a spawned grading process needs to grade the same files the same way."""
    options = ["-q", "-p", "no:cacheprovider", f"--tb={config.option.tbstyle}",
               f"--capture={_capture(config)}"]
    options += ["--solutions"] if run.solutions else []
    options += [f"--grade-dir={run.grade_dir}"] if run.grade_dir is not None else []
    options += [f"--exercise-timeout={run.timeout}"] if run.timeout else []
    return options


def _capture(config: pytest.Config) -> str:
    mode = config.getoption("capture", "fd")
    return "sys" if mode == "tee-sys" else mode


def _prepare_grading(config: pytest.Config, stopped: str | None) -> None:
    """In a grading process, before its checks: remember why learner code stopped a previous one."""
    if stopped is None:
        return
    run = config.stash[RUN_KEY]
    for result in run.results.values():
        path = run.file_to_grade(result.exercise)
        run.known_breakage[breakage_key(path)] = LearnerCodeError(stopped)


def child_preparation(stopped: str | None) -> Callable[[pytest.Config], None]:
    """What a spawned grading process runs before its checks (see `_prepare_grading`)."""
    return lambda config: _prepare_grading(config, stopped)


def _gradings(session: pytest.Session, run: GradingRun) -> dict[str, ExerciseGrading]:
    """Each exercise's checks, as they come in the run, grouped for one grading process each."""
    gradings: dict[str, ExerciseGrading] = {}
    group: list[pytest.Item] = []
    current: Exercise | None = None

    def close_group() -> None:
        if current is None or not group or run.results[current.id].not_started:
            return
        grading = ExerciseGrading(
            list(group), timeout=run.timeout or current.timeout, capture=_capture(session.config),
            spec_args=_grading_options(session.config, run), prepare=_prepare_grading,
        )
        gradings.update({item.nodeid: grading for item in group})

    for item in session.items:
        exercise = exercise_of(item.path)
        if exercise is not None:
            run.result_for(exercise).selected += 1
        if exercise != current:
            close_group()
            group, current = [], exercise
        group.append(item)
    close_group()
    return gradings


def _start_the_next_ones(run: GradingRun, grading: ExerciseGrading, config: pytest.Config) -> None:
    """While `grading` runs, the exercises after it start on the cores it leaves idle.

    Not with `-s`: what the learner's code prints would then mix with another exercise's output.
    """
    if _capture(config) == "no":
        return
    order = list(dict.fromkeys((run.gradings or {}).values()))
    following = order[order.index(grading) + 1:]
    for ahead in following[:exercises_ahead()]:
        ahead.start_ahead()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
    run = item.config.stash[RUN_KEY]
    if run.gradings is None:
        run.gradings = _gradings(item.session, run)
    grading = run.gradings.get(item.nodeid)
    if grading is None:
        return None  # not a check of an exercise with code to run: pytest runs it here
    if not grading.begun:
        grading.start_ahead()
        _start_the_next_ones(run, grading, item.config)
    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    for report in grading.reports_for(item):
        item.ihook.pytest_runtest_logreport(report=report)
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True


def pytest_sessionfinish(session: pytest.Session) -> None:
    run = session.config.stash[RUN_KEY]
    for grading in set((run.gradings or {}).values()):
        grading.close()
    # An exercise not done (not started, or failing) fails the run, so scripts and classroom
    # autograders read the same verdict as the learner.
    unfinished = any(result.status != DONE for result in run.results.values())
    ok = (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED)
    collected_only = session.config.option.collectonly
    if run.results and unfinished and session.exitstatus in ok and not collected_only:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


class _Tally:
    """Counts each check's outcome for the summary, in the session, from the reports it got."""

    def __init__(self, run: GradingRun) -> None:
        self.run = run

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        exercise = _exercise_by_nodeid(report.nodeid)
        if exercise is None:
            return
        result = self.run.result_for(exercise)
        if report.failed:
            result.failed.add(report.nodeid)
            message = report.longreprtext
            if result.first_problem is None and message:
                result.first_problem = message.splitlines()[0]
            found = dict(report.user_properties)
            task = found.get("task")
            result.failures.append(Failure(
                str(found.get("title") or check_title(report.nodeid.rsplit("::", 1)[-1])),
                message, str(found.get("cause") or message), task if isinstance(task, int) else None,
            ))
        elif report.when == "call" and report.passed:
            result.passed.add(report.nodeid)
        if report.when == "teardown":
            result.finished += 1


def _exercise_by_nodeid(nodeid: str) -> Exercise | None:
    parts = nodeid.split("/")
    if len(parts) < 3 or parts[0] != "exercises":
        return None
    try:
        return find_exercise(parts[1])
    except UnknownExercise:
        return None


# --- the grading process's side: each check's fixtures and learner-facing report -------------------


@pytest.fixture
def api() -> Iterator[SimulatedAPI]:
    """The simulated API, answering every request the SDK sends during one check."""
    with SimulatedAPI(repeatable=True) as simulated:
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


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    sandbox.printed_in_check.clear()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Iterator[None]:
    report: pytest.TestReport = yield
    if exercise_of(item.path) is None:
        return report
    report.sections = [(title, cut(text, SECTION_LIMIT)) for title, text in report.sections]
    if report.when == "call":
        task = item.get_closest_marker("task")
        if task is not None and task.args:
            report.user_properties.append(("task", task.args[0]))
        report.user_properties.append(("title", check_title(item.name)))
    if report.failed:
        report.user_properties.append(("cause", _cause(call)))
        if item.config.option.tbstyle != "long":
            report.longrepr = cut(_learner_message(call) + _printed_note(), MESSAGE_LIMIT)
    return report


def _cause(call: pytest.CallInfo[None]) -> str:
    """What a failure comes down to, the same for every check that meets the same mistake."""
    error = call.excinfo.value if call.excinfo else None
    if isinstance(error, GradingFailure | LearnerCodeError):
        return error.cause
    return f"grader|{type(error).__name__}"


def _printed_note() -> str:
    printed = "".join(sandbox.printed_in_check).strip()
    if not printed:
        return ""
    lines = printed.splitlines()
    shown = "\n".join(lines[-10:])
    if len(lines) > 10:
        shown = f"... ({len(lines) - 10} earlier lines left out)\n{shown}"
    return "\nYour code printed:\n" + "\n".join(
        "    " + line for line in cut(shown, PRINTED_LIMIT).splitlines()
    )


def _learner_message(call: pytest.CallInfo[None]) -> str:
    error = call.excinfo.value if call.excinfo else None
    if isinstance(error, GradingFailure):
        return error.report
    if isinstance(error, LearnerCodeError):
        return str(error)
    try:
        detail = cut(str(error), 300)
    except Exception:
        detail = "?"
    return (
        f"The grader itself failed ({type(error).__name__}: {detail}). This is a problem in the "
        "course, not in your code: please tell your instructor. Run with --tb=long for details."
    )


# --- the summary -----------------------------------------------------------------------------------


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    run = terminalreporter.config.stash[RUN_KEY]
    if not run.results:
        return
    results = [run.results[e.id] for e in load_catalog() if e.id in run.results]
    write = terminalreporter.write_line
    if run.quiet:
        for result in results:
            _write_digest(write, result)
    statuses = {result.exercise.id: result.status for result in results}
    if run.grades_learner_files:
        statuses = {**saved_statuses(), **statuses}
        total = len(load_catalog())
    else:
        total = len(results)
    done = sum(status == DONE for status in statuses.values())
    title = "reference solutions" if run.solutions else "workshop progress"
    terminalreporter.section(title, sep="=")
    if len(results) == 1:
        result = results[0]
        write(f"{result.exercise.number} {result.status} · {done}/{total} complete",
              green=result.status == DONE, red=result.status == FAILING)
    else:
        width = max(len(result.exercise.label) for result in results)
        for result in results:
            line = f"  {result.status:<12} {result.exercise.label:<{width}}"
            if result.status == FAILING and result.failed:
                checks = len(result.failed | result.passed)
                line += f"  ({len(result.failed)} of {checks} checks failing)"
            write(line.rstrip(), green=result.status == DONE, red=result.status == FAILING)
        write(f"{done}/{total} complete")
    upcoming = next((result for result in results if result.status != DONE), None)
    if upcoming is not None and run.grades_learner_files:
        _write_next(write, upcoming, shown_above=run.quiet and bool(upcoming.failures))
    if run.grades_learner_files:
        _save(write, results)


def _write_digest(write: Callable[..., None], result: ExerciseResult) -> None:
    summary = digest(result.failures)
    if summary is None:
        return
    checks = len(result.failed | result.passed)
    write(f"{result.exercise.label}: {len(result.failed)} of {checks} checks failing", bold=True)
    write(f"{FAILED_MARK} {summary.first.title}", red=True)
    for text, indent in summary.lines(f"pytest exercises/{result.exercise.id} -v"):
        write(" " * indent + text)
    write("")


def _write_next(write: Callable[..., None], result: ExerciseResult, *, shown_above: bool) -> None:
    exercise = result.exercise
    if shown_above:
        write(f"Next: fix the first problem above, save, and run pytest exercises/{exercise.id} again "
              f"(stuck? workshop hint {exercise.number})")
        return
    write(f"Next: {exercise.label}")
    for lesson in exercise.lessons:
        write(f"  read    docs/{lesson}  ({lesson_url(lesson)} while workshop docs runs)")
    write(f"  edit    {exercise.relative(exercise.stub)}")
    write(f"  grade   pytest exercises/{exercise.id}")
    write(f"  hint    workshop hint {exercise.number}")


def _save(write: Callable[..., None], results: list[ExerciseResult]) -> None:
    """Save the statuses of the exercises graded in full (a partial run changes nothing else)."""
    finished = [result for result in results if result.complete]
    try:
        save_statuses({result.exercise.id: result.status for result in finished})
        save_failing_tasks({
            result.exercise.id: result.failures[0].task if result.failures else None
            for result in finished
        })
    except OSError as error:
        write(f"Your progress could not be saved ({error.strerror or error}); the results "
              "above still count.")
