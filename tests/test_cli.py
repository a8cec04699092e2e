"""The `workshop` command: every command through `cli.main`, its exit codes and its one-sentence errors.

Commands work on a scratch copy of the learner's files (`workspace.LEARNER_FOLDER`) and private
state, so the real exercises/ and .workshop/ are never touched. Grading "every exercise" is
narrowed to exercise 01 here, so these tests do not depend on exercises still being written.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import solution_source, stub_source
from workshop import progress
from workshop.catalog import find_exercise, git_blob_id, load_catalog
from workshop.commands import cli, lessons, reset, workspace
from workshop.harness import grading

EXERCISE = find_exercise("01")
SOLUTION = solution_source("01")
STUB = stub_source("01")
# A learner part-way through: task 1 done, tasks 2 and 3 still raise NotImplementedError.
STARTED = STUB.replace('SYSTEM_PROMPT = ""', 'SYSTEM_PROMPT = "You are a travel assistant."')
# Every task written, but the reply object is returned instead of its text.
RETURNS_OBJECT = SOLUTION.replace("return response.choices[0].message.content", "return response")


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the learner's own progress and backups out of reach of these tests."""
    monkeypatch.setattr(progress, "PROGRESS_FILE", tmp_path / "state" / "progress.json")
    monkeypatch.setattr(reset, "BACKUP_DIR", tmp_path / "state" / "backups")


@pytest.fixture
def learner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """Exercise 01's learner file in a scratch copy that every command works on; returns a writer."""
    folder = tmp_path / "learner"
    monkeypatch.setattr(workspace, "LEARNER_FOLDER", folder)
    monkeypatch.setattr(grading, "load_catalog", lambda: (EXERCISE,))

    def write(source: str) -> Path:
        path = folder / EXERCISE.id / EXERCISE.stub.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
        return path

    return write


def one_sentence(text: str) -> bool:
    text = text.strip()
    return "\n" not in text and text.endswith(".") and "Traceback" not in text and "usage:" not in text


# --- no command, and list ------------------------------------------------------------------------


def test_no_command_off_a_terminal_grades_the_real_exercises_and_prints_progress(capsys):
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert all(exercise.title in out for exercise in load_catalog())
    assert "Next: " in out and "workshop hint" in out


def test_no_command_on_a_terminal_opens_the_tui(monkeypatch):
    from workshop.commands import tui

    opened = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(tui, "run_tui", lambda: opened.append(True) or 0)
    assert cli.main([]) == 0
    assert opened == [True]


def test_list_shows_each_status_a_progress_bar_and_the_next_exercise(learner, capsys):
    learner(SOLUTION)
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "✓ done" in out and "· not started" in out
    assert f"█{'░' * 5}" in out and f"1/{len(load_catalog())} done" in out
    assert "Next: 02 · Multi-turn memory" in out
    assert "workshop check 02" in out and "pytest exercises/02_multi_turn" in out


def test_list_marks_a_failing_exercise(learner, capsys):
    learner(STARTED)
    cli.main(["list"])
    out = capsys.readouterr().out
    assert "✗ failing" in out and "Next: 01 · Single-turn travel assistant" in out


# --- check ---------------------------------------------------------------------------------------


def test_check_of_a_done_exercise_exits_0_and_points_to_the_next(learner, capsys):
    learner(SOLUTION)
    assert cli.main(["check", "01"]) == 0
    out = capsys.readouterr().out
    assert "✓ 01 · Single-turn travel assistant  done" in out and "Next: 02 · Multi-turn memory" in out


@pytest.mark.parametrize("source", [STARTED, RETURNS_OBJECT], ids=["unfinished", "returns the object"])
def test_check_shows_the_same_messages_as_pytest_and_exits_1(learner, grade, capsys, source):
    expected = grade("01", source)  # what `pytest exercises/01_single_turn` reports for this file
    learner(source)
    assert cli.main(["check", "1"]) == 1
    out = capsys.readouterr().out
    assert "failing" in out and expected.messages
    (_, message), *others = expected.messages.items()  # one message per root cause
    assert all(line in out for line in message.splitlines()[:11])
    assert all(name.removeprefix("test_").replace("_", " ") in out for name, _ in others)


def test_check_of_an_untouched_stub_says_not_started(learner, capsys):
    learner(STUB)
    assert cli.main(["check", "01_single_turn"]) == 1
    out = capsys.readouterr().out
    assert "not started" in out and "workshop hint 01" in out


def test_check_of_everything_exits_0_only_when_everything_is_done(learner, capsys):
    learner(STARTED)
    assert cli.main(["check"]) == 1
    learner(SOLUTION)
    assert cli.main(["check"]) == 0


def test_check_saves_progress_for_the_real_exercises(capsys):
    cli.main(["check", "01"])
    assert progress.saved_statuses()[EXERCISE.id] in (progress.DONE, progress.FAILING, progress.NOT_STARTED)


# --- hint ----------------------------------------------------------------------------------------


def test_hints_come_one_at_a_time_from_gentle_to_explicit(capsys):
    total = len(EXERCISE.hints)
    cli.main(["hint", "01"])
    first = capsys.readouterr().out
    cli.main(["hint", "1"])
    second = capsys.readouterr().out
    assert first.startswith(f"Hint 1/{total}: {EXERCISE.hints[0]}")
    assert second.startswith(f"Hint 2/{total}: {EXERCISE.hints[1]}") and "Hint 1/" not in second
    assert progress.hints_shown(EXERCISE.id) == 2


def test_all_hints_at_once_and_then_a_pointer_to_the_lesson(capsys):
    cli.main(["hint", "01", "--all"])
    assert capsys.readouterr().out.count("Hint ") == len(EXERCISE.hints)
    cli.main(["hint", "01"])
    out = capsys.readouterr().out
    assert "You have seen all" in out and EXERCISE.lesson in out


def test_a_damaged_progress_file_is_not_trusted_or_fatal(capsys):
    progress.PROGRESS_FILE.parent.mkdir(parents=True)
    progress.PROGRESS_FILE.write_text("{not json")
    assert progress.saved_statuses() == {}
    assert cli.main(["hint", "01"]) == 0
    assert "Hint 1/" in capsys.readouterr().out


# --- reset ---------------------------------------------------------------------------------------


def test_reset_keeps_a_backup_and_puts_the_stub_back(learner, capsys):
    path = learner(STARTED)
    assert cli.main(["reset", "01", "--yes"]) == 0
    assert git_blob_id(path.read_bytes()) == EXERCISE.stub_blob
    (backup,) = (reset.BACKUP_DIR / EXERCISE.id).iterdir()
    assert backup.read_text(encoding="utf-8") == STARTED
    assert backup.name.startswith("travel_assistant.") and backup.suffix == ".py"
    assert "Your file was saved as" in capsys.readouterr().out


def test_reset_without_a_terminal_or_yes_refuses_in_one_sentence(learner, capsys, monkeypatch):
    path = learner(STARTED)
    monkeypatch.setattr(reset, "stdin_is_terminal", lambda: False)
    assert cli.main(["reset", "01"]) == 1
    assert one_sentence(capsys.readouterr().out)
    assert path.read_text(encoding="utf-8") == STARTED
    assert not reset.BACKUP_DIR.exists()


@pytest.mark.parametrize(("answer", "code"), [("y", 0), ("n", 1), ("", 1)])
def test_reset_asks_first_on_a_terminal(learner, capsys, monkeypatch, answer, code):
    path = learner(STARTED)
    monkeypatch.setattr(reset, "stdin_is_terminal", lambda: True)
    monkeypatch.setattr("builtins.input", lambda question: answer)
    assert cli.main(["reset", "01"]) == code
    assert (git_blob_id(path.read_bytes()) == EXERCISE.stub_blob) == (code == 0)


def test_reset_without_git_or_pristine_copy_changes_nothing(learner, capsys, monkeypatch, tmp_path):
    path = learner(STARTED)

    def no_git(*args, **kwargs):
        raise FileNotFoundError("git")

    monkeypatch.setattr(reset.subprocess, "run", no_git)
    monkeypatch.setattr(reset, "PRISTINE_DIR", tmp_path / "no-pristine-copies")
    assert cli.main(["reset", "01", "--yes"]) == 1
    out = capsys.readouterr().out
    assert one_sentence(out) and "Neither git nor the course's pristine copy" in out
    assert path.read_text(encoding="utf-8") == STARTED


# --- run, practice-server, solutions -----------------------------------------------------------


def test_run_uses_the_configured_provider(learner, capsys, monkeypatch):
    from workshop import script

    path = learner(SOLUTION)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key-for-the-cli-tests")
    calls = []
    monkeypatch.setattr(script.subprocess, "call", lambda command, **kw: calls.append((command, kw)) or 3)
    assert cli.main(["run", "01"]) == 3
    (command, options), = calls
    assert command == [sys.executable, str(path)]
    assert "env" not in options  # the script inherits the provider's settings


def test_run_without_a_key_uses_the_practice_model_in_the_background(learner, capfd, monkeypatch):
    learner(SOLUTION)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert cli.main(["run", "01"]) == 0
    out = capfd.readouterr().out
    lines = out.strip().splitlines()
    assert "practice model" in lines[0]
    assert len(lines) >= 2  # the reply the script printed


def test_run_of_a_missing_file_says_so(learner, capsys):
    learner(SOLUTION).unlink()
    assert cli.main(["run", "01"]) == 1
    assert one_sentence(capsys.readouterr().out)


@pytest.mark.parametrize("live", [False, True])
def test_run_solutions_hands_over_to_the_solutions_report(monkeypatch, live):
    from workshop.commands import solutions_report

    asked = []
    monkeypatch.setattr(solutions_report, "main", lambda live: asked.append(live) or 0)
    assert cli.main(["run", "--solutions", *(["--live"] if live else [])]) == 0
    assert asked == [live]


def test_practice_server_serves_on_the_port_asked_for(monkeypatch):
    from workshop.simulation import server as practice_server

    calls = []
    monkeypatch.setattr(practice_server, "serve", lambda host, port, **options: calls.append(
        (host, port, options["models"], options["api_key"])))
    assert cli.main(["practice-server"]) == 0
    assert cli.main(["practice-server", "--port", "9123", "--models", "a,b", "--api-key", "k"]) == 0
    assert calls == [("127.0.0.1", 8111, [], None), ("127.0.0.1", 9123, ["a", "b"], "k")]


def test_practice_server_on_a_busy_port_says_so_in_one_sentence(monkeypatch, capsys):
    from workshop.simulation import server as practice_server

    def busy(host, port, **options):
        raise SystemExit(f"Port {port} on 127.0.0.1 is already in use.")

    monkeypatch.setattr(practice_server, "serve", busy)
    assert cli.main(["practice-server"]) == 1
    assert capsys.readouterr().out.strip() == "Port 8111 on 127.0.0.1 is already in use."


# --- solution ------------------------------------------------------------------------------------


def test_the_solution_stays_hidden_until_the_exercise_is_done(learner, capsys):
    learner(STARTED)
    assert cli.main(["solution", "01"]) == 1
    out = capsys.readouterr().out
    assert one_sentence(out) and "--force" in out and "def ask" not in out


def test_the_solution_shows_once_the_exercise_is_done(learner, capsys):
    learner(SOLUTION)
    assert cli.main(["solution", "01"]) == 0
    out = capsys.readouterr().out
    assert "Warning" not in out and "def build_messages" in out


def test_force_shows_the_solution_after_a_warning(learner, capsys):
    learner(STARTED)
    assert cli.main(["solution", "01", "--force"]) == 0
    out = capsys.readouterr().out
    assert out.index("Warning") < out.index("def build_messages")


# --- report --------------------------------------------------------------------------------------


def test_json_report_has_a_result_per_exercise(learner, grade, capsys):
    learner(RETURNS_OBJECT)
    assert cli.main(["report", "--learner", "ada"]) == 1  # not every exercise is done
    document = json.loads(capsys.readouterr().out)
    assert document["learner"] == "ada" and document["status"] == "fail"
    (result,) = document["exercises"]
    assert result["id"] == EXERCISE.id and result["status"] == "failing"
    assert result["message"] == next(iter(grade("01", RETURNS_OBJECT).messages.values()))
    assert isinstance(result["seconds"], float)
    assert {check["status"] for check in result["checks"]} == {"pass", "fail"}


def test_junit_report_written_to_a_file(learner, tmp_path, capsys):
    learner(SOLUTION)
    output = tmp_path / "results" / "room.xml"
    assert cli.main(["report", "--format", "junit", "--output", str(output)]) == 0
    suites = ET.parse(output).getroot()
    assert suites.tag == "testsuites" and suites.get("failures") == "0"
    (case,) = suites.iter("testcase")
    assert case.get("name") == EXERCISE.id and list(case) == []
    assert str(output) in capsys.readouterr().out


def test_junit_report_of_a_failing_and_an_untouched_exercise(learner, capsys):
    learner(STARTED)
    cli.main(["report", "--format", "junit"])
    failure = ET.fromstring(capsys.readouterr().out).find(".//testcase/failure")
    assert failure is not None and "NotImplementedError" in failure.get("message", "")
    learner(STUB)
    cli.main(["report", "--format", "junit"])
    assert ET.fromstring(capsys.readouterr().out).find(".//testcase/skipped") is not None


def test_report_to_a_place_that_cannot_be_written_says_so(learner, tmp_path, capsys):
    learner(SOLUTION)
    assert cli.main(["report", "--output", str(tmp_path)]) == 1  # a folder, not a file
    assert one_sentence(capsys.readouterr().out)


# --- docs ----------------------------------------------------------------------------------------


def test_docs_serves_the_lessons_with_mkdocs_and_prints_the_address(monkeypatch, capsys):
    commands = []
    monkeypatch.setattr(lessons, "is_serving", lambda: False)
    monkeypatch.setattr(lessons.subprocess, "call", lambda command, **kw: commands.append(command) or 0)
    assert cli.main(["docs"]) == 0
    assert commands == [[sys.executable, "-m", "mkdocs", "serve", "-a", "127.0.0.1:8000"]]
    assert "http://127.0.0.1:8000/" in capsys.readouterr().out


def test_docs_when_the_port_is_taken_says_so(monkeypatch, capsys):
    monkeypatch.setattr(lessons, "is_serving", lambda: True)
    assert cli.main(["docs"]) == 1
    assert "8000" in capsys.readouterr().out


# --- help and mistakes ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", [name for name in cli.COMMANDS if name] + [None])
def test_every_command_has_help_with_an_example(command, capsys):
    assert cli.main([*([command] if command else []), "--help"]) == 0
    assert "Example" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["hint", "42"], ["check", "nope"], ["reset", "43", "--yes"], ["solution", "0"], ["run", "99"],
    ["watch", "42"], ["frobnicate"], ["hint"], ["reset"], ["check", "01", "--verbose"],
    ["report", "--format", "xml"], ["practice-server", "--port", "http"], ["run"], ["run", "--live"],
    ["run", "01", "--solutions"],
])
def test_mistakes_get_one_sentence_and_a_failing_exit(argv, capsys):
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and one_sentence(captured.err), captured.err


def test_an_unknown_exercise_names_the_ones_there_are(capsys):
    assert cli.main(["hint", "42"]) == 2
    numbers = ", ".join(exercise.number for exercise in load_catalog())
    assert capsys.readouterr().err.strip() == f"There is no exercise '42'; the exercises are {numbers}."
