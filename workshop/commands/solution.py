"""`workshop solution`: the reference solution, once the exercise is done (or on purpose, with --force)."""

from __future__ import annotations

from rich.console import Console
from rich.syntax import Syntax

from workshop.catalog import find_exercise
from workshop.commands.workspace import Workspace
from workshop.progress import DONE


def solution_command(console: Console, key: str, *, force: bool, workspace: Workspace | None = None) -> int:
    exercise = find_exercise(key)
    if not exercise.solution.exists():
        console.print(f"Exercise {exercise.number} has no reference solution in this copy of the course.")
        return 1
    (report,) = (workspace or Workspace()).grade([exercise])
    if report.status != DONE:
        if not force:
            console.print(
                f"Exercise {exercise.number} is not done yet ({report.status}), so its solution stays "
                f"hidden: try `workshop hint {exercise.number}`, or add --force to see it anyway."
            )
            return 1
        console.print(
            f"Warning: exercise {exercise.number} is not done yet. Reading the solution now skips the "
            "part where you work it out; close it, try once more, then compare.",
            style="bold yellow",
        )
    console.print(f"Reference solution: {exercise.relative(exercise.solution)}", style="dim")
    source = exercise.solution.read_text(encoding="utf-8")
    if console.is_terminal:
        console.print(Syntax(source, "python", line_numbers=True, word_wrap=True))
    else:
        console.print(source, end="")
    return 0
