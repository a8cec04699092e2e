"""Hints, from gentle to explicit: first those for the task the learner's code fails, then the rest.

Each hint in info.toml begins with "Task N:". After a failing run, the grading saves the task of
the exercise's first failing check, and `workshop hint` (and `h` in the TUI) gives the next hint for
that task the learner has not seen; with no failing task saved, hints come in order. Which hints
each learner has seen is kept in the progress file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.console import Console
from rich.text import Text

from workshop import progress
from workshop.catalog import Exercise, find_exercise, lesson_url

TASK_PREFIX = re.compile(r"^\s*Task\s+(\d+)\s*:")


@dataclass(frozen=True)
class Hint:
    number: int  # from 1
    total: int
    text: str

    def render(self) -> Text:
        return Text.assemble((f"Hint {self.number}/{self.total}: ", "bold yellow"), self.text)


def task_of(hint: str) -> int | None:
    match = TASK_PREFIX.match(hint)
    return int(match.group(1)) if match else None


def next_hint(exercise: Exercise) -> Hint | None:
    """The next hint not shown yet (now counted as shown), or None once all have been seen.

    Hints for the task of the first failing check come first.
    """
    seen = progress.hints_seen(exercise.id)
    unseen = [index for index in range(len(exercise.hints)) if index not in seen]
    if not unseen:
        return None
    task = progress.failing_task(exercise.id)
    for_task = [index for index in unseen if task is not None and task_of(exercise.hints[index]) == task]
    index = (for_task or unseen)[0]
    progress.record_hints_seen(exercise.id, seen | {index})
    return Hint(index + 1, len(exercise.hints), exercise.hints[index])


def all_hints(exercise: Exercise) -> list[Hint]:
    total = len(exercise.hints)
    progress.record_hints_seen(exercise.id, set(range(total)))
    return [Hint(number, total, text) for number, text in enumerate(exercise.hints, start=1)]


def no_more_hints(exercise: Exercise) -> str:
    where = f"{lesson_url(exercise.lesson)} (docs/{exercise.lesson})"
    if not exercise.hints:
        return f"Exercise {exercise.number} has no hints; its lesson explains what you need: {where}"
    return (
        f"You have seen all {len(exercise.hints)} hints for exercise {exercise.number}; "
        f"`workshop hint {exercise.number} --all` shows them again, and the lesson has the rest: {where}"
    )


def hint_command(console: Console, key: str, show_all: bool) -> int:
    exercise = find_exercise(key)
    shown = all_hints(exercise) if show_all else [h for h in [next_hint(exercise)] if h]
    for hint in shown:
        console.print(hint.render())
    if not shown:
        console.print(no_more_hints(exercise))
    return 0
