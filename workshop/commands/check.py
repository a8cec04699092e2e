"""`workshop check`: grade one exercise or all, with the learner-facing messages of `pytest exercises/`.

`verdict()` lays out one exercise's result; `workshop watch` and the TUI show the same layout.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.padding import Padding
from rich.text import Text

from workshop import progress
from workshop.catalog import find_exercise
from workshop.commands.overview import (
    CHECK_MARK,
    STATUS_MARK,
    STATUS_STYLE,
    next_exercise,
    next_steps,
    progress_line,
)
from workshop.commands.workspace import Workspace, shown
from workshop.harness.feedback import check_title
from workshop.harness.grading import CheckResult, ExerciseReport
from workshop.progress import DONE, FAILING, NOT_STARTED

# A line of output and how far it is indented: wrapped lines keep the indent.
Line = tuple[Text, int]


def check_line(check: CheckResult) -> Text:
    mark = CHECK_MARK.get(check.outcome, STATUS_MARK[NOT_STARTED])
    style = {"passed": "green", "failed": "red"}.get(check.outcome, "dim")
    return Text.assemble((f"{mark} ", style), check.title or check_title(check.name))


def check_lines(check: CheckResult, *, explained: set[str] | None = None) -> list[Line]:
    """A check: its title, and for a failed one the harness's message for the learner, indented.

    `explained` holds the causes of the exercise's failures shown so far: only the first failure
    is spelled out; later ones get their title alone, one line each.
    """
    lines = [(check_line(check), 2)]
    if check.outcome != "failed":
        return lines
    cause = check.cause or check.message
    if explained:
        note = "  (same reason as above)" if cause in explained else ""
        explained.add(cause)
        return [(check_line(check).append(note, style="dim"), 2)]
    if explained is not None:
        explained.add(cause)
    return lines + [(Text(line), 6) for line in check.message.splitlines() if line.strip()]


def headline(report: ExerciseReport) -> Text:
    exercise, status = report.exercise, report.status
    text = Text.assemble(
        (f"{STATUS_MARK[status]} ", STATUS_STYLE[status]),
        (exercise.label, "bold"),
        "  ",
        (status, STATUS_STYLE[status]),
    )
    ran = [check for check in report.checks if check.outcome != "skipped"]
    if status == FAILING and ran:
        failed = sum(check.outcome == "failed" for check in ran)
        text.append(f"  ({failed} of {len(ran)} checks failing)")
    elif status == DONE:
        text.append(f"  (all {len(ran)} checks pass, {report.seconds:.2f} s)", style="dim")
    return text


def not_started_line(report: ExerciseReport, workspace: Workspace | None = None) -> Line:
    path = shown((workspace or Workspace()).file(report.exercise))
    return (Text(f"{path} is still the stub as shipped: fill in its TODOs to start (workshop hint "
                 f"{report.exercise.number} gives a first nudge).", style="dim"), 2)


def verdict_lines(report: ExerciseReport, workspace: Workspace | None = None) -> list[Line]:
    """One exercise's result: a headline, then its failing checks, one message per root cause."""
    lines: list[Line] = [(headline(report), 0)]
    if report.status == NOT_STARTED:
        return [*lines, not_started_line(report, workspace)]
    summary = report.digest()
    if summary is None:
        return lines
    lines.append((Text.assemble((f"{CHECK_MARK['failed']} ", "red"), summary.first.title), 2))
    for text, indent in summary.lines(f"pytest exercises/{report.exercise.id} -v"):
        lines.append((Text(text, style="" if indent else "dim"), 6 if indent else 2))
    return lines


class Indented:
    """Lines with their indents: wrapped under the indent on a terminal, left whole elsewhere."""

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for text, indent in self.lines:
            if options.no_wrap:  # not a terminal: one line each, so nothing is cut off
                yield Text(" " * indent).append_text(text)
            else:
                yield Padding(text, (0, 0, 0, indent), expand=False)


def render(lines: list[Line]) -> Indented:
    return Indented(lines)


def verdict(report: ExerciseReport, workspace: Workspace | None = None) -> Indented:
    return render(verdict_lines(report, workspace))


def check_command(console: Console, key: str | None, workspace: Workspace | None = None) -> int:
    """Grade what was asked; exit code 0 only when all of it is done."""
    workspace = workspace or Workspace()
    asked = [find_exercise(key)] if key else None
    reports = workspace.grade(asked)
    for report in reports:
        console.print(verdict(report, workspace))
    statuses = {**progress.saved_statuses(), **{r.exercise.id: r.status for r in reports}}
    if asked is None:
        console.print()
        console.print(progress_line(statuses))
    if all(report.status == DONE for report in reports):
        upcoming = next_exercise(statuses, after=reports[-1].exercise)
        console.print()
        console.print(next_steps(upcoming) if upcoming else Text("Every exercise is done. Well played!"))
        return 0
    if asked is not None and reports[0].status == FAILING:
        number = asked[0].number
        console.print(
            f"\nFix the first problem above, save, and check again (workshop watch {number} does "
            f"that on every save). Stuck? workshop hint {number}",
            style="dim",
        )
    return 1
