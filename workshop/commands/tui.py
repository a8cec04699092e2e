"""The workshop in a terminal window (Textual), built on the same functions as the `workshop` command.

Left: every exercise with its status, saved between sessions and refreshed by grading at start-up.
Right: the selected exercise's instructions (its README.md as Markdown) and lesson link, and an
output panel where checks stream in one by one with the learner-facing messages of
`pytest exercises/`, hints appear, and scripts run. Grading and scripts run in worker threads, so
the window keeps responding while they work.
"""

from __future__ import annotations

import ast
import asyncio
import os
import subprocess
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from rich.padding import Padding
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Header, Label, Markdown, OptionList, RichLog, Static
from textual.widgets.option_list import Option
from textual.worker import Worker
from watchfiles import awatch

from workshop import progress
from workshop.catalog import Exercise, lesson_url, load_catalog
from workshop.commands import hints, lessons, reset, runner
from workshop.commands.check import Line, check_lines, headline, not_started_line
from workshop.commands.overview import STATUS_MARK, STATUS_STYLE, next_exercise, progress_line
from workshop.commands.watch import DEBOUNCE_MS, STEP_MS, ExerciseFiles, saved_exercises, warm_up
from workshop.commands.workspace import Workspace, shown
from workshop.harness.grading import CheckResult, ExerciseReport
from workshop.progress import DONE, FAILING, NOT_STARTED
from workshop.settings import REPO_ROOT


def exercise_prompt(exercise: Exercise, status: str) -> Text:
    return Text.assemble(
        (f"{STATUS_MARK[status]} ", STATUS_STYLE[status]), (exercise.number, "bold"), f" {exercise.title}"
    )


def instructions_of(exercise: Exercise, workspace: Workspace) -> str:
    """The exercise's README.md; failing that, the docstring at the top of its file."""
    if exercise.instructions.exists():
        return exercise.instructions.read_text(encoding="utf-8")
    try:
        docstring = ast.get_docstring(ast.parse(workspace.file(exercise).read_text(encoding="utf-8")))
    except (OSError, SyntaxError, ValueError):
        docstring = None
    return f"# {exercise.label}\n\n```text\n{docstring}\n```" if docstring else f"# {exercise.label}"


class OutputPanel(RichLog):
    """Everything the workshop says, as styled text; `transcript` keeps the plain words."""

    def __init__(self, **options: Any) -> None:
        super().__init__(wrap=True, markup=False, highlight=False, min_width=20, **options)
        self.transcript: list[str] = []

    def say(self, text: Text | str, style: str = "", indent: int = 0) -> None:
        text = Text(text, style=style) if isinstance(text, str) else text
        self.transcript.append(" " * indent + text.plain)
        self.write(Padding(text, (0, 0, 0, indent), expand=False) if indent else text)

    def say_lines(self, lines: list[Line]) -> None:
        for text, indent in lines:
            self.say(text, indent=indent)


class ConfirmReset(ModalScreen[bool]):
    """Asks before an exercise's file is replaced by its stub."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Reset"),
        Binding("n,escape", "answer(False)", "Cancel"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.question, id="question")
            with Horizontal(id="buttons"):
                yield Button("Reset (y)", variant="error", id="yes")
                yield Button("Cancel (n)", variant="primary", id="no")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def answered(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class WorkshopApp(App[int]):
    CSS_PATH = "tui.tcss"
    TITLE = "Chat Completions workshop"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "check", "Check"),
        Binding("a", "check_all", "Check all"),
        Binding("h", "hint", "Hint"),
        Binding("r", "run", "Run"),
        Binding("x", "reset", "Reset"),
        Binding("l", "lesson", "Lesson"),
        Binding("w", "toggle_watch", "Watch"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        workspace: Workspace | None = None,
        *,
        grade_on_start: bool = True,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace or Workspace()
        self.grade_on_start = grade_on_start
        # Grading sets a placeholder key in this process; scripts get the environment as it was.
        self.environ = dict(os.environ if environ is None else environ)
        self.statuses: dict[str, str] = progress.saved_statuses()
        self.grading = threading.Lock()
        self.script: subprocess.Popen[str] | None = None
        self.script_worker: Worker[None] | None = None
        self.docs_server: subprocess.Popen[bytes] | None = None
        self.watcher: Worker[None] | None = None
        self.stop_watching = asyncio.Event()
        self._streamed: str | None = None
        self._explained: set[str] = set()  # causes already shown in full in this grading

    # --- layout -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            with Vertical(id="sidebar"):
                yield OptionList(
                    *(Option(exercise_prompt(e, self.status_of(e)), id=e.id) for e in load_catalog()),
                    id="exercises",
                )
                yield Static(id="progress")
            with Vertical(id="detail"):
                yield Static(id="lesson-link")
                with VerticalScroll(id="instructions"):
                    yield Markdown(open_links=False)
                yield OutputPanel(id="output")
        yield Footer()

    def on_mount(self) -> None:
        exercises = self.query_one("#exercises", OptionList)
        upcoming = next_exercise(self.statuses) or load_catalog()[0]
        exercises.highlighted = list(load_catalog()).index(upcoming)
        exercises.focus()
        self.show_progress()
        self.output.say("Keys: c check · a check all · h hint · r run · x reset · l lesson · "
                        "w watch · q quit", style="dim")
        if self.grade_on_start:
            self.grade(None, quietly=True)

    @property
    def output(self) -> OutputPanel:
        return self.query_one("#output", OutputPanel)

    @property
    def selected(self) -> Exercise:
        index = self.query_one("#exercises", OptionList).highlighted
        return load_catalog()[index or 0]

    def status_of(self, exercise: Exercise) -> str:
        return self.statuses.get(exercise.id, NOT_STARTED)

    def show_progress(self) -> None:
        line = progress_line(self.statuses, width=24)
        if self.watching:
            line.append("\nwatching: every save is graded", style="bold yellow")
        self.query_one("#progress", Static).update(line)
        self.sub_title = "watching your files" if self.watching else ""

    @on(OptionList.OptionHighlighted, "#exercises")
    async def show_exercise(self) -> None:
        exercise = self.selected
        link = Text.assemble(
            (exercise.label, "bold"), "\nLesson: ", (lesson_url(exercise.lesson), "underline"),
            f"  (docs/{exercise.lesson}; press l to open)",
        )
        self.query_one("#lesson-link", Static).update(link)
        await self.query_one(Markdown).update(instructions_of(exercise, self.workspace))
        self.query_one("#instructions", VerticalScroll).scroll_home(animate=False)

    @on(OptionList.OptionSelected, "#exercises")
    def check_selected(self) -> None:
        self.action_check()

    @on(Markdown.LinkClicked)
    def follow_link(self, event: Markdown.LinkClicked) -> None:
        """Links to lessons open on the lessons site; web links open in the browser."""
        href = event.href
        if href.startswith(("http://", "https://")):
            self.show_page(href)
            return
        target, _, anchor = href.partition("#")
        path = (self.selected.instructions.parent / target).resolve()
        try:
            page = path.relative_to((REPO_ROOT / "docs").resolve()).as_posix()
        except ValueError:
            self.output.say(f"That link points to {shown(path)}.")
            return
        self.open_lesson(f"{page}#{anchor}" if anchor else page)

    # --- grading ----------------------------------------------------------------------------------

    def action_check(self) -> None:
        self.grade([self.selected])

    def action_check_all(self) -> None:
        self.grade(None)

    @work(thread=True, group="grading")
    def grade(self, exercises: list[Exercise] | None, *, follow: bool = False, quietly: bool = False) -> None:
        """Grade in a worker thread, streaming each check into the output panel as it finishes.

        `exercises=None` grades every exercise; `quietly` only refreshes the list (at start-up).
        `follow` (from watching) moves on to the next exercise when the selected one is done.
        """
        with self.grading:
            if not quietly:
                self.from_thread(self.grading_started, exercises)
            on_check = None if quietly else self.streamed(self.show_check)
            reports = self.workspace.grade(exercises, capture="sys", on_check=on_check)
            if quietly:
                warm_up(next_exercise({r.exercise.id: r.status for r in reports}), capture="sys")
        self.from_thread(self.grading_finished, reports, follow, quietly)

    def from_thread(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run `callback` in the app's thread; once the window is closing, news is dropped."""
        try:
            self.call_from_thread(callback, *args)
        except Exception:
            if self.return_code is None:
                raise

    def streamed(self, callback: Callable[[str, CheckResult], None]) -> Callable[[str, CheckResult], None]:
        return lambda exercise_id, check: self.from_thread(callback, exercise_id, check)

    def grading_started(self, exercises: list[Exercise] | None) -> None:
        what = exercises[0].label if exercises and len(exercises) == 1 else "every exercise"
        self._streamed = None
        self._explained = set()
        self.output.say("")
        self.output.say(f"Checking {what}…", style="bold")

    def show_check(self, exercise_id: str, check: CheckResult) -> None:
        if check.outcome == "skipped":
            return
        if exercise_id != self._streamed:
            self._streamed = exercise_id
            self._explained = set()
            exercise = next((e for e in load_catalog() if e.id == exercise_id), None)
            self.output.say(exercise.label if exercise else exercise_id, style="bold")
        self.output.say_lines(check_lines(check, explained=self._explained))

    def grading_finished(self, reports: list[ExerciseReport], follow: bool, quietly: bool) -> None:
        exercises = self.query_one("#exercises", OptionList)
        for report in reports:
            self.statuses[report.exercise.id] = report.status
            prompt = exercise_prompt(report.exercise, report.status)
            exercises.replace_option_prompt(report.exercise.id, prompt)
        self.show_progress()
        if quietly:
            return
        for report in reports:
            self.output.say(headline(report))
            if report.status == NOT_STARTED:
                self.output.say_lines([not_started_line(report, self.workspace)])
        if len(reports) == 1 and reports[0].status == FAILING:
            self.output.say("Fix the first problem above, save, and check again (c), or press w to "
                            "check on every save.", style="dim")
        done = [report.exercise for report in reports if report.status == DONE]
        if len(reports) == 1 and done:
            upcoming = next_exercise(self.statuses, after=done[0])
            if upcoming is None:
                self.output.say("Every exercise is done. Well played!", style="bold green")
            elif follow and done[0] == self.selected:
                self.output.say(f"On to {upcoming.label}.", style="bold green")
                exercises.highlighted = list(load_catalog()).index(upcoming)
            else:
                self.output.say(f"Next up: {upcoming.label} (press ↓ to get there).", style="green")

    # --- hints, reset, lessons --------------------------------------------------------------------

    def action_hint(self) -> None:
        exercise = self.selected
        hint = hints.next_hint(exercise)
        self.output.say("")
        self.output.say(hint.render() if hint else Text(hints.no_more_hints(exercise)))

    def action_reset(self) -> None:
        exercise = self.selected
        try:
            restoration = reset.prepare(exercise, self.workspace)
        except reset.ResetRefused as refusal:
            self.output.say(str(refusal), style="red")
            return
        target = shown(restoration.target)
        if not restoration.needed:
            self.output.say(f"{target} is already the original stub; nothing to reset.")
            return
        question = (f"Put the original stub back in {target}?\n\nYour current file is kept first in "
                    f"{shown(reset.BACKUP_DIR / exercise.id)}/.")
        self.push_screen(ConfirmReset(question), lambda answer: self.finish_reset(restoration, answer))

    def finish_reset(self, restoration: reset.Restoration, answer: bool | None) -> None:
        if not answer:
            self.output.say("Reset cancelled; nothing was changed.")
            return
        try:
            backup = reset.apply(restoration)
        except (reset.ResetRefused, OSError) as problem:
            self.output.say(f"Could not reset: {problem}", style="red")
            return
        self.output.say("")
        if backup is not None:
            self.output.say(f"Your file was saved as {shown(backup)}.")
        self.output.say(f"{shown(restoration.target)} is the original stub again.", style="green")
        self.grade([restoration.exercise])

    def action_lesson(self) -> None:
        self.open_lesson(self.selected.lesson)

    @work(thread=True, group="lessons", exclusive=True)
    def open_lesson(self, page: str) -> None:
        """Open a lesson in the browser, starting the lessons site first when it is not running."""
        url = lesson_url(page)
        if not lessons.is_serving():
            self.from_thread(self.output.say, f"Starting the lessons site at {lessons.DOCS_SITE}/ "
                             "(a few seconds the first time)…", "dim")
            if self.docs_server is None or self.docs_server.poll() is not None:
                self.docs_server = lessons.start_in_background()
            if not lessons.wait_until_serving(self.docs_server):
                self.from_thread(self.output.say, "The lessons site did not start: run `workshop docs` "
                                 f"in another terminal to see why. The lesson is also in docs/{page}.",
                                 "red")
                return
        self.from_thread(self.show_page, url)

    def show_page(self, url: str) -> None:
        if lessons.browser_available():
            self.open_url(url)
            self.output.say(f"Opened {url} in your browser.")
        else:
            self.output.say(f"Open {url} in your browser to read it.")

    # --- running the script -----------------------------------------------------------------------

    def action_run(self) -> None:
        if self.script_worker is not None and not self.script_worker.is_finished:
            self.output.say("The script is still running; wait for it to finish.", style="yellow")
            return
        self.script_worker = self.run_script(self.selected)

    @work(thread=True, group="script")
    def run_script(self, exercise: Exercise) -> None:
        """Run the exercise's file, its output streaming into the panel line by line."""
        say = self.output.say
        self.from_thread(say, "")
        try:
            with runner.script_run(exercise, self.workspace, self.environ) as run:
                self.from_thread(say, run.note, "dim")
                self.script = process = runner.start_streaming(run)
                assert process.stdout is not None
                for line in process.stdout:
                    self.from_thread(say, Text.from_ansi(line.rstrip("\n")))
                code = process.wait()
        except runner.RunRefused as refusal:
            self.from_thread(say, str(refusal), "red")
            return
        except OSError as error:
            self.from_thread(say, f"The script could not be started ({error}).", "red")
            return
        if code == 0:
            self.from_thread(say, "The script finished (exit code 0). Grading is a separate step: press c.",
                             "green")
        else:
            self.from_thread(say, f"The script stopped with exit code {code}.", "red")

    # --- watching ---------------------------------------------------------------------------------

    @property
    def watching(self) -> bool:
        return self.watcher is not None and not self.watcher.is_finished

    def action_toggle_watch(self) -> None:
        if self.watching:
            self.stop_watching.set()
            self.watcher = None
            self.output.say("Stopped watching your files.", style="dim")
        else:
            self.stop_watching = asyncio.Event()
            self.watcher = self.watch_files()
            self.output.say(f"Watching {shown(self.workspace.root)}/: every save is graded, and the "
                            "list moves on when an exercise is done (w stops).", style="bold")
        self.show_progress()

    @work(group="watch", exclusive=True, exit_on_error=False)
    async def watch_files(self) -> None:
        try:
            async for changes in awatch(
                self.workspace.root, watch_filter=ExerciseFiles(self.workspace), step=STEP_MS,
                debounce=DEBOUNCE_MS, stop_event=self.stop_watching, rust_timeout=1000,
            ):
                for exercise in saved_exercises(changes, self.workspace):
                    self.grade([exercise], follow=True)
        except (OSError, RuntimeError) as error:  # such as a system limit on watched folders
            self.output.say(f"Watching stopped: {error}. Press w to try again, or c to check by hand.",
                            style="red")
        finally:
            self.show_progress()

    # --- leaving ----------------------------------------------------------------------------------

    def stop_background(self) -> None:
        """Stop what this window started: the watcher, a running script, the lessons site."""
        self.stop_watching.set()
        for process in (self.script, self.docs_server):
            if process is not None and process.poll() is None:
                process.terminate()

    async def action_quit(self) -> None:
        self.stop_background()
        self.exit(0)


def run_tui(workspace: Path | None = None) -> int:
    app = WorkshopApp(Workspace(workspace))
    try:
        return app.run() or 0
    finally:
        app.stop_background()
