"""The progress overview: every exercise's status, a progress bar and the next step.

`workshop list` (and `workshop` outside a terminal) grades every exercise and prints this; the TUI
uses the same marks, bar and "next exercise" rule.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from workshop.catalog import Exercise, lesson_number, lesson_url, load_catalog
from workshop.commands.workspace import Workspace
from workshop.progress import DONE, FAILING, NOT_STARTED


def _can_print(text: str) -> bool:
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


# A console that cannot print ✓ (cp1252 on Windows, output sent to a file in a legacy encoding)
# gets plain marks, and any other character it cannot print becomes "?" instead of a crash.
UNICODE = _can_print("✓✗·█░…")
if not UNICODE:
    for _stream in (sys.stdout, sys.stderr):
        if hasattr(_stream, "reconfigure"):
            _stream.reconfigure(errors="replace")
STATUS_MARK = {DONE: "✓", FAILING: "✗", NOT_STARTED: "·"} if UNICODE else {
    DONE: "+", FAILING: "x", NOT_STARTED: "-"}
CHECK_MARK = {"passed": "✓", "failed": "✗"} if UNICODE else {"passed": "+", "failed": "x"}
BAR = ("█", "░") if UNICODE else ("#", ".")
STATUS_STYLE = {DONE: "green", FAILING: "red", NOT_STARTED: "dim"}


def status_text(status: str) -> Text:
    return Text(f"{STATUS_MARK[status]} {status}", style=STATUS_STYLE[status])


def next_exercise(statuses: Mapping[str, str], after: Exercise | None = None) -> Exercise | None:
    """The next exercise not done in course order: after `after` first, then from the start."""
    exercises = list(load_catalog())
    start = exercises.index(after) + 1 if after in exercises else 0
    ordered = exercises[start:] + exercises[:start]
    return next((e for e in ordered if statuses.get(e.id) != DONE), None)


def progress_bar(done: int, total: int, width: int = 30) -> str:
    """A bar that reads the same with or without colour: filled blocks, then light shade."""
    filled = round(width * done / total) if total else width
    return BAR[0] * filled + BAR[1] * (width - filled)


def progress_line(statuses: Mapping[str, str], width: int = 30) -> Text:
    total = len(load_catalog())
    done = sum(statuses.get(e.id) == DONE for e in load_catalog())
    line = Text(progress_bar(done, total, width), style="green")
    line.append(f"  {done}/{total} done", style="bold")
    return line


def next_steps(exercise: Exercise) -> Text:
    """What to do for an exercise, as commands the learner can type."""
    lines = Text()
    lines.append("Next: ")
    lines.append(exercise.label, style="bold")
    for number, page in enumerate(exercise.lessons):
        lines.append(f"\n  {'read' if number == 0 else 'then':<7} docs/{page}")
    lines.append(
        f"\n          or {lesson_url(exercise.lesson)} while `workshop docs` runs"
        f"\n  try     workshop try {lesson_number(exercise.lesson)}   (runs its examples, no key needed)"
        f"\n  edit    {exercise.relative(exercise.stub)}"
        f"\n  check   workshop check {exercise.number}   (the same as pytest exercises/{exercise.id})"
        f"\n  watch   workshop watch {exercise.number}   (checks it each time you save)"
        f"\n  stuck?  workshop hint {exercise.number}"
    )
    return lines


def progress_table(statuses: Mapping[str, str], checks: Mapping[str, str] | None = None) -> Table:
    table = Table(title="Chat Completions workshop", title_justify="left")
    table.add_column("#")
    table.add_column("Exercise")
    table.add_column("Status")
    if checks:
        table.add_column("Checks passing", justify="right")
    for exercise in load_catalog():
        row = [exercise.number, exercise.title, status_text(statuses.get(exercise.id, NOT_STARTED))]
        table.add_row(*row, *([checks.get(exercise.id, "")] if checks else []))
    return table


def show_progress(console: Console, statuses: Mapping[str, str], checks: Mapping[str, str]) -> None:
    console.print(progress_table(statuses, checks))
    console.print(progress_line(statuses))
    upcoming = next_exercise(statuses)
    if upcoming is None:
        console.print("Every exercise is done. Well played!")
    else:
        console.print()
        console.print(next_steps(upcoming))


def checks_passing(passed: Sequence[bool]) -> str:
    return f"{sum(passed)}/{len(passed)}" if passed else ""


def list_command(console: Console, workspace: Workspace | None = None) -> int:
    """Grade every exercise and print the overview; progress is saved by the grading itself."""
    reports = (workspace or Workspace()).grade()
    statuses = {report.exercise.id: report.status for report in reports}
    checks = {
        report.exercise.id: checks_passing([c.outcome == "passed" for c in report.checks])
        for report in reports if report.status != NOT_STARTED
    }
    show_progress(console, statuses, checks)
    return 0
