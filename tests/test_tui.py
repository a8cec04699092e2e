"""The Textual TUI, driven headless with Textual's pilot.

Every test works on a scratch copy of exercise 01's learner file and private state, so the real
exercises/ and .workshop/ are never touched.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Markdown, OptionList, Static

from tests.conftest import solution_source, stub_source
from workshop import progress
from workshop.catalog import find_exercise, git_blob_id, lesson_url, load_catalog
from workshop.commands import lessons, reset, workspace
from workshop.commands.tui import ConfirmReset, WorkshopApp
from workshop.harness import grading

EXERCISE = find_exercise("01")
SOLUTION = solution_source("01")
STARTED = stub_source("01").replace('SYSTEM_PROMPT = ""', 'SYSTEM_PROMPT = "You are a travel assistant."')
WITH_A_KEY = {"PATH": os.environ.get("PATH", ""), "OPENAI_API_KEY": "sk-test-only-for-the-tui-tests"}
Scenario = Callable[[Pilot[int]], Awaitable[None]]


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "PROGRESS_FILE", tmp_path / "state" / "progress.json")
    monkeypatch.setattr(reset, "BACKUP_DIR", tmp_path / "state" / "backups")


@pytest.fixture
def learner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    folder = tmp_path / "learner"
    monkeypatch.setattr(workspace, "LEARNER_FOLDER", folder)

    def write(source: str) -> Path:
        path = folder / EXERCISE.id / EXERCISE.stub.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
        return path

    return write


def drive(app: WorkshopApp, scenario: Scenario) -> None:
    async def main() -> None:
        async with app.run_test(size=(130, 40)) as pilot:
            await pilot.pause()
            await scenario(pilot)
            app.stop_background()

    asyncio.run(main())


async def settle(pilot: Pilot[int]) -> None:
    """Wait for the grading (or script) workers, then for the screen to catch up."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot: Pilot[int], condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


def transcript(app: WorkshopApp) -> str:
    return "\n".join(app.output.transcript)


def prompt(app: WorkshopApp, exercise_id: str) -> str:
    return str(app.query_one("#exercises", OptionList).get_option(exercise_id).prompt.plain)


def test_status_survives_a_restart_and_the_list_opens_on_the_next_exercise(learner):
    learner(SOLUTION)
    progress.save_statuses({EXERCISE.id: progress.DONE})  # graded in an earlier session

    async def scenario(pilot: Pilot[int]) -> None:
        app = pilot.app
        assert prompt(app, EXERCISE.id).startswith("✓ 01")
        assert prompt(app, "02_multi_turn").startswith("· 02")
        assert app.selected == find_exercise("02")
        assert f"1/{len(load_catalog())} done" in str(app.query_one("#progress", Static).render())

    drive(WorkshopApp(grade_on_start=False), scenario)


def test_navigation_shows_each_exercises_instructions_and_lesson_link(learner):
    learner(STARTED)

    async def scenario(pilot: Pilot[int]) -> None:
        app = pilot.app
        assert app.selected == EXERCISE
        assert app.query_one(Markdown).source == EXERCISE.instructions.read_text(encoding="utf-8")
        assert lesson_url(EXERCISE.lesson) in str(app.query_one("#lesson-link", Static).render())
        for exercise in load_catalog()[1:]:
            await pilot.press("down")
            await pilot.pause()
            assert app.selected == exercise
            assert exercise.number in app.query_one(Markdown).source
            assert lesson_url(exercise.lesson) in str(app.query_one("#lesson-link", Static).render())
        await pilot.press("home")
        await pilot.pause()
        assert app.selected == EXERCISE

    drive(WorkshopApp(grade_on_start=False), scenario)


def test_checking_a_failing_exercise_streams_the_messages_of_pytest(learner, grade):
    expected = grade("01", STARTED)  # what `pytest exercises/01_single_turn` says about this file
    learner(STARTED)

    async def scenario(pilot: Pilot[int]) -> None:
        app = pilot.app
        await pilot.press("c")
        await settle(pilot)
        assert app.statuses[EXERCISE.id] == progress.FAILING
        assert prompt(app, EXERCISE.id).startswith("✗ 01")
        (_, message), *others = expected.messages.items()
        assert message in transcript(app)  # the first failure in full
        for name, _ in others:  # the others a line each, their messages not repeated
            assert name.removeprefix("test_").replace("_", " ") in transcript(app)
        assert transcript(app).count("is not written yet") == 1
        assert "5 of 6 checks failing" in transcript(app)

    drive(WorkshopApp(grade_on_start=False), scenario)


def test_checking_a_passing_exercise_marks_it_done(learner):
    learner(SOLUTION)

    async def scenario(pilot: Pilot[int]) -> None:
        app = pilot.app
        await pilot.press("enter")  # choosing an exercise checks it
        await settle(pilot)
        assert app.statuses[EXERCISE.id] == progress.DONE
        assert prompt(app, EXERCISE.id).startswith("✓ 01")
        assert "Next up: 02 · Multi-turn memory" in transcript(app)
        assert f"1/{len(load_catalog())} done" in str(app.query_one("#progress", Static).render())

    drive(WorkshopApp(grade_on_start=False), scenario)


def test_grading_at_start_up_refreshes_what_was_saved(learner, monkeypatch):
    monkeypatch.setattr(grading, "load_catalog", lambda: (EXERCISE,))  # "every exercise" is 01 here
    learner(STARTED)
    progress.save_statuses({EXERCISE.id: progress.DONE})  # no longer true: never trusted blindly

    async def scenario(pilot: Pilot[int]) -> None:
        await until(pilot, lambda: pilot.app.statuses[EXERCISE.id] == progress.FAILING)

    drive(WorkshopApp(), scenario)


def test_hints_come_one_at_a_time(learner):
    learner(STARTED)

    async def scenario(pilot: Pilot[int]) -> None:
        await pilot.press("h")
        assert f"Hint 1/{len(EXERCISE.hints)}: {EXERCISE.hints[0]}" in transcript(pilot.app)
        assert "Hint 2/" not in transcript(pilot.app)
        await pilot.press("h")
        assert f"Hint 2/{len(EXERCISE.hints)}: {EXERCISE.hints[1]}" in transcript(pilot.app)

    drive(WorkshopApp(grade_on_start=False), scenario)
    assert progress.hints_shown(EXERCISE.id) == 2


def test_reset_asks_keeps_a_backup_and_restores_the_stub(learner):
    path = learner(STARTED)

    async def scenario(pilot: Pilot[int]) -> None:
        app = pilot.app
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmReset)
        await pilot.press("n")
        await pilot.pause()
        assert path.read_text(encoding="utf-8") == STARTED and "nothing was changed" in transcript(app)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert git_blob_id(path.read_bytes()) == EXERCISE.stub_blob
        (backup,) = (reset.BACKUP_DIR / EXERCISE.id).iterdir()
        assert backup.read_text(encoding="utf-8") == STARTED
        assert f"saved as {backup}" in transcript(app)
        assert app.statuses[EXERCISE.id] == progress.NOT_STARTED

    drive(WorkshopApp(grade_on_start=False), scenario)


def test_running_the_script_streams_its_output_without_escape_codes(learner):
    learner('print("\\x1b[1;31mIn red\\x1b[0m, then plain")\nprint("second line")\n')

    async def scenario(pilot: Pilot[int]) -> None:
        await pilot.press("r")
        await settle(pilot)
        text = transcript(pilot.app)
        assert "In red, then plain\nsecond line" in text and "\x1b" not in text
        assert "exit code 0" in text

    drive(WorkshopApp(grade_on_start=False, environ=WITH_A_KEY), scenario)


def test_running_without_a_key_uses_the_practice_model(learner):
    learner(SOLUTION)
    without_a_key = {"PATH": os.environ.get("PATH", ""), "SYSTEMROOT": os.environ.get("SYSTEMROOT", "")}

    async def scenario(pilot: Pilot[int]) -> None:
        await pilot.press("r")
        await settle(pilot)
        text = transcript(pilot.app)
        assert "offline practice model" in text and "exit code 0" in text, text

    drive(WorkshopApp(grade_on_start=False, environ=without_a_key), scenario)


def test_the_lesson_opens_in_the_browser_once_the_site_is_up(learner, monkeypatch):
    learner(STARTED)
    started, opened, stopped = [], [], []

    class Server:
        def poll(self) -> None:
            return None

        def terminate(self) -> None:
            stopped.append(True)

    monkeypatch.setattr(lessons, "is_serving", lambda: bool(started))
    monkeypatch.setattr(lessons, "start_in_background", lambda: started.append(True) or Server())
    monkeypatch.setattr(lessons, "wait_until_serving", lambda process: True)
    monkeypatch.setattr(lessons, "browser_available", lambda: True)

    async def scenario(pilot: Pilot[int]) -> None:
        monkeypatch.setattr(pilot.app, "open_url", lambda url, **options: opened.append(url))
        await pilot.press("l")
        await settle(pilot)
        assert started == [True] and opened == [lesson_url(EXERCISE.lesson)]

    drive(WorkshopApp(grade_on_start=False), scenario)
    assert stopped == [True]  # the site this window started stops with it


def test_without_a_desktop_the_lesson_address_is_shown_instead(learner, monkeypatch):
    learner(STARTED)
    monkeypatch.setattr(lessons, "is_serving", lambda: True)
    monkeypatch.setattr(lessons, "browser_available", lambda: False)

    async def scenario(pilot: Pilot[int]) -> None:
        monkeypatch.setattr(pilot.app, "open_url", lambda url, **options: pytest.fail("opened"))
        await pilot.press("l")
        await settle(pilot)
        assert f"Open {lesson_url(EXERCISE.lesson)} in your browser" in transcript(pilot.app)

    drive(WorkshopApp(grade_on_start=False), scenario)


@pytest.mark.skipif(sys.platform == "win32", reason="file events are slower to arrive on Windows")
def test_watching_grades_each_save_and_moves_on_when_done(learner):
    path = learner(STARTED)

    async def scenario(pilot: Pilot[int]) -> None:
        app = pilot.app
        await pilot.press("w")
        assert app.watching and "watching" in str(app.query_one("#progress", Static).render())
        await asyncio.sleep(0.5)  # let the watcher start listening
        path.write_text(SOLUTION, encoding="utf-8")
        await until(pilot, lambda: app.statuses.get(EXERCISE.id) == progress.DONE)
        await until(pilot, lambda: app.selected == find_exercise("02"))
        assert "On to 02 · Multi-turn memory" in transcript(app)
        await pilot.press("w")
        assert not app.watching

    drive(WorkshopApp(grade_on_start=False), scenario)


def test_a_slow_check_sends_nothing_after_it_is_stopped_and_shows_no_key(learner, tmp_path):
    """A correct ask() that sleeps past the limit, with a real-looking key and another host in a
    `.env` it loads itself: the check fails as hung, and nothing ever reaches that host."""
    import socket
    import threading

    canary = "sk-canary-" + "4" * 40
    reached: list[bytes] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    reached.append(connection.recv(65536) or b"(connected)")
                except OSError:
                    reached.append(b"(connected)")

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    env_file = tmp_path / "other.env"
    env_file.write_text(f"OPENAI_API_KEY={canary}\n"
                        f"OPENAI_BASE_URL=http://127.0.0.1:{listener.getsockname()[1]}/v1\n")
    learner(SOLUTION.replace(
        "def ask(question: str) -> str:",
        "def ask(question: str) -> str:\n"
        f"    from dotenv import load_dotenv\n    load_dotenv({str(env_file)!r}, override=True)\n"
        "    import time\n    time.sleep(2.5)",
    ))

    async def scenario(pilot: Pilot[int]) -> None:
        await pilot.press("c")
        await settle(pilot)
        await pilot.pause(3.0)  # past the end of the sleep, when an abandoned thread would send
        seen.append(transcript(pilot.app))

    seen: list[str] = []
    app = WorkshopApp(workspace.Workspace(timeout=1.0), grade_on_start=False)
    try:
        drive(app, scenario)
    finally:
        stop.set()
        server.join(2)
        listener.close()
    text = seen[0]
    assert "was still running after 1 second" in text
    assert reached == []
    assert canary not in text
