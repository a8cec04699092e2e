"""`workshop watch`: grade an exercise each time its file is saved, and move on when it is done.

The exercises folder is watched with watchfiles, so editors that save by writing a temporary file
and renaming it over the original are seen like any other save; only the learner's exercise files
count (graders, caches, and editors' swap, backup and temporary files are ignored). Grading happens
in this process with its imports already loaded, so a verdict follows a save in a fraction of a
second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from rich.console import Console
from rich.text import Text
from watchfiles import Change, DefaultFilter, watch

from workshop import progress
from workshop.catalog import Exercise, find_exercise, load_catalog
from workshop.commands.check import render, verdict, verdict_lines
from workshop.commands.overview import next_exercise, next_steps
from workshop.commands.workspace import Workspace, shown
from workshop.harness.grading import ExerciseReport, grade
from workshop.progress import DONE

# How watchfiles groups events: yield once nothing new has happened for STEP_MS (an editor's
# write-and-rename is a burst of events a few milliseconds apart), and never wait over DEBOUNCE_MS.
STEP_MS = 50
DEBOUNCE_MS = 1000


class ExerciseFiles(DefaultFilter):
    """Saves of the learner's exercise files only."""

    # watchfiles' own list (vim's .swp, emacs' .#lock and ~ backups, JetBrains' ___jb_ files, ...)
    # plus other editors' temporary names: vim's 4913 probe, emacs' #autosave#, .tmp, .bak, .orig,
    # LibreOffice-style .~lock files and Chrome-based editors' .crswap.
    ignore_entity_patterns = (
        *DefaultFilter.ignore_entity_patterns,
        r"^\d+$", r"^#.*#$", r"\.tmp$", r"\.te?mp\d*$", r"\.bak$", r"\.orig$", r"^\.~", r"\.crswap$",
    )

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace

    def __call__(self, change: Change, path: str) -> bool:
        if change == Change.deleted or not super().__call__(change, path):
            return False
        return self.workspace.exercise_at(path) is not None


def saved_exercises(changes: Iterable[tuple[Change, str]], workspace: Workspace) -> list[Exercise]:
    """The exercises whose files were saved, in course order, each once."""
    saved = {workspace.exercise_at(path) for _, path in changes if Path(path).exists()}
    return [exercise for exercise in load_catalog() if exercise in saved]


class Watcher:
    def __init__(
        self,
        console: Console,
        workspace: Workspace | None = None,
        *,
        start: Exercise | None = None,
        on_verdict: Callable[[ExerciseReport], None] | None = None,
        stop_event: threading.Event | None = None,
    ) -> None:
        self.console = console
        self.workspace = workspace or Workspace()
        self.start = start
        self.on_verdict = on_verdict
        self.stop_event = stop_event or threading.Event()
        self.ready = threading.Event()  # set once file events are being received
        self.statuses = dict(progress.saved_statuses())
        self.current: Exercise | None = start

    def run(self) -> int:
        reports = self.workspace.grade([self.start] if self.start else None)
        self.statuses.update({report.exercise.id: report.status for report in reports})
        self.current = self.start or next_exercise(self.statuses)
        warm_up(self.current)
        root = self.workspace.root
        self.console.print(f"Watching {shown(root)}/: save an exercise file to grade it. Ctrl+C stops.",
                           style="dim")
        if self.current is not None:
            first = next(r for r in reports if r.exercise == self.current)
            self.console.print(verdict(first, self.workspace))
        try:
            for changes in watch(
                root, watch_filter=ExerciseFiles(self.workspace), step=STEP_MS, debounce=DEBOUNCE_MS,
                stop_event=self.stop_event, rust_timeout=200, yield_on_timeout=True,
            ):
                self.ready.set()
                for exercise in saved_exercises(changes, self.workspace):
                    self.regrade(exercise)
        except KeyboardInterrupt:
            self.console.print("Stopped watching.", style="dim")
        return 0

    def regrade(self, exercise: Exercise) -> ExerciseReport:
        (report,) = self.workspace.grade([exercise])
        self.statuses[exercise.id] = report.status
        lines = verdict_lines(report, self.workspace)
        lines[0] = (Text(time.strftime("%H:%M:%S "), style="dim").append_text(lines[0][0]), 0)
        self.console.print()
        self.console.print(render(lines))
        if report.status == DONE and exercise == self.current:
            self.current = next_exercise(self.statuses, after=exercise)
            self.console.print()
            if self.current is None:
                self.console.print("Every exercise is done. Well played!", style="bold green")
            else:
                self.console.print(next_steps(self.current))
        if self.on_verdict is not None:
            self.on_verdict(report)
        return report


def warm_up(exercise: Exercise | None, capture: str = "fd") -> None:
    """Grade a reference solution once, unseen, so the code paths of a passing exercise (the SDK's
    client and response parsing) are loaded before the learner's first save, not during it."""
    if exercise is not None and exercise.solution.exists():
        grade([exercise], solutions=True, capture=capture)


def watch_command(console: Console, key: str | None, workspace: Workspace | None = None) -> int:
    start = find_exercise(key) if key else None
    return Watcher(console, workspace, start=start).run()
