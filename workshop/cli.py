"""The `workshop` command: progress and hints, graded by the same harness as `pytest exercises/`."""

from __future__ import annotations

import argparse
import contextlib
import io
import sys

import pytest
from rich.console import Console
from rich.table import Table

from workshop import progress
from workshop.catalog import UnknownExercise, find_exercise, lesson_url, load_catalog
from workshop.settings import REPO_ROOT

STATUS_STYLE = {progress.DONE: "green", progress.FAILING: "red", progress.NOT_STARTED: "dim"}


def grade_everything() -> dict[str, str]:
    """Grade every exercise quietly; the plugin saves the results, which we then read back."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        pytest.main([str(REPO_ROOT / "exercises"), "-q", "-p", "no:cacheprovider"])
    return progress.saved_statuses()


def show_progress(console: Console) -> int:
    statuses = grade_everything()
    exercises = load_catalog()
    table = Table(title="Chat Completions workshop", title_justify="left")
    table.add_column("#")
    table.add_column("Exercise")
    table.add_column("Status")
    for exercise in exercises:
        status = statuses.get(exercise.id, progress.NOT_STARTED)
        table.add_row(exercise.number, exercise.title, f"[{STATUS_STYLE[status]}]{status}[/]")
    console.print(table)
    done = sum(statuses.get(exercise.id) == progress.DONE for exercise in exercises)
    console.print(f"{done}/{len(exercises)} complete")
    upcoming = next((e for e in exercises if statuses.get(e.id) != progress.DONE), None)
    if upcoming is None:
        console.print("Every exercise is done. Well played!")
        return 0
    console.print(f"\nNext: [bold]{upcoming.label}[/]")
    console.print(f"  1. read    docs/{upcoming.lesson}")
    console.print(f"             or {lesson_url(upcoming.lesson)} after `mkdocs serve`")
    console.print(f"  2. edit    {upcoming.relative(upcoming.stub)}")
    console.print(f"  3. grade   pytest exercises/{upcoming.id}")
    console.print(f"  stuck?     workshop hint {upcoming.number}")
    return 0


def show_hint(console: Console, key: str, show_all: bool) -> int:
    exercise = find_exercise(key)
    seen = progress.hints_shown(exercise.id)
    count = len(exercise.hints) if show_all else min(seen + 1, len(exercise.hints))
    for number, hint in enumerate(exercise.hints[:count], start=1):
        console.print(f"Hint {number}/{len(exercise.hints)}: {hint}", highlight=False)
    if count == len(exercise.hints) and not show_all and seen >= count:
        console.print("That was the last hint. The lesson has the rest: "
                      f"docs/{exercise.lesson}")
    progress.record_hints_shown(exercise.id, max(seen, count))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workshop",
        description="Your progress through the Chat Completions workshop, and hints.",
        epilog="Examples:  workshop   |   workshop hint 01   |   workshop hint 02 --all",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "list", help="grade every exercise and show your progress (the default)",
        epilog="Example:  workshop list",
    )
    hint = commands.add_parser(
        "hint", help="show the next hint for an exercise",
        epilog="Example:  workshop hint 01   (each call shows one more hint)",
    )
    hint.add_argument("exercise", help="the exercise's number or id, such as 01")
    hint.add_argument("--all", action="store_true", help="show every hint at once")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console(highlight=False)
    try:
        if args.command == "hint":
            return show_hint(console, args.exercise, args.all)
        return show_progress(console)
    except UnknownExercise as error:
        console.print(str(error))
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
