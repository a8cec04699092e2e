"""Hints, one at a time from gentle to explicit; how many each learner has seen is kept in progress."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.text import Text

from workshop import progress
from workshop.catalog import Exercise, find_exercise, lesson_url


@dataclass(frozen=True)
class Hint:
    number: int  # from 1
    total: int
    text: str

    def render(self) -> Text:
        return Text.assemble((f"Hint {self.number}/{self.total}: ", "bold yellow"), self.text)


def next_hint(exercise: Exercise) -> Hint | None:
    """The first hint not shown yet (now counted as shown), or None once all have been seen."""
    seen = progress.hints_shown(exercise.id)
    if seen >= len(exercise.hints):
        return None
    progress.record_hints_shown(exercise.id, seen + 1)
    return Hint(seen + 1, len(exercise.hints), exercise.hints[seen])


def all_hints(exercise: Exercise) -> list[Hint]:
    total = len(exercise.hints)
    progress.record_hints_shown(exercise.id, total)
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
