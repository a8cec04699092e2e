"""One mistake, one message: what `pytest exercises/` and `workshop check` print for a wrong
submission, the exit status a script reads, and hints that follow the failing task."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from tests.conftest import editor, solution_source
from workshop import progress
from workshop.catalog import find_exercise, load_catalog
from workshop.commands import hints
from workshop.commands.check import check_command
from workshop.commands.workspace import Workspace
from workshop.harness import plugin
from workshop.settings import REPO_ROOT

EXERCISE = find_exercise("01")
changed = editor(solution_source("01"))
SCREEN = 15  # lines a learner reads before the progress summary, for one mistake


def before_summary(output: str) -> list[str]:
    """The learner-facing lines above the progress summary, blank lines left out."""
    text = output.split("workshop progress")[0]
    return [line for line in text.splitlines() if line.strip() and not line.startswith("=====")]


def sentences(lines: list[str]) -> list[str]:
    found = []
    for line in lines:
        found += [part.strip() for part in re.split(r"(?<=[.!?])\s+", line) if len(part.strip()) > 20]
    return found


def assert_one_screen_no_repeats(lines: list[str]) -> None:
    assert len(lines) <= SCREEN, "\n".join(lines)
    said = sentences(lines)
    assert len(said) == len(set(said)), "\n".join(lines)


def test_a_syntax_error_is_explained_once_and_the_other_checks_named_on_one_line(grade):
    grading = grade("01", changed("def ask(question: str) -> str:", "def ask(question: str) -> str"))
    lines = before_summary(grading.output)
    assert lines == [
        "01 · Single-turn travel assistant: 6 of 6 checks failing",
        "✗ system prompt describes the assistant",
        "  travel_assistant.py has a syntax error on line 20: expected ':'. Fix that line, save, and "
        "grade again.",
        "also failing for the same reason: build messages puts the system message first, build "
        "messages keeps the prompt and question unchanged, ask sends one request with model and "
        "messages, ask uses build messages, ask returns the reply text",
    ]
    assert "test session starts" not in grading.output and "short test summary" not in grading.output
    assert "01 failing · 0/1 complete" in grading.output


def test_a_bad_role_gives_one_message_and_dependent_checks_one_line_each(grade):
    grading = grade("01", changed('"role": "user"', '"role": "human"'))
    lines = before_summary(grading.output)
    assert_one_screen_no_repeats(lines)
    assert lines[1] == "✗ build messages puts the system message first"
    assert sum("has the role 'human'" in line for line in lines) == 1
    assert lines[-1] == (
        "also failing for the same reason: build messages keeps the prompt and question unchanged, "
        "ask sends one request with model and messages, ask uses build messages, ask returns the reply text"
    )
    assert not any("Error code: 400" in line or "BadRequestError" in line for line in lines)


def test_a_missing_function_is_named_once(grade):
    grading = grade("01", changed("def ask(", "def ask_question("))
    lines = before_summary(grading.output)
    assert_one_screen_no_repeats(lines)
    assert sum("MISSING FUNCTION" in line for line in lines) == 1
    assert lines[-1].startswith("also failing for the same reason: ask uses build messages")


def test_a_parameter_the_api_refuses_is_named_with_the_apis_own_words_once(grade):
    grading = grade("01", changed("model=MODEL, messages=build_messages(question)",
                                  'model=MODEL, temperature="hot", messages=build_messages(question)'))
    lines = before_summary(grading.output)
    assert_one_screen_no_repeats(lines)
    message = "\n".join(lines)
    assert "it rejected the parameter temperature (openai.BadRequestError, 400)" in message
    assert message.count("The API said: \"Invalid type for 'temperature'") == 1
    assert "Fix the parameter temperature" in message
    assert "Error code: 400" not in grading.output and "{'error'" not in grading.output


def test_a_misspelt_attribute_of_the_response_gets_the_idea(grade):
    grading = grade("01", changed("response.choices[0]", "response.choice[0]"))
    lines = before_summary(grading.output)
    assert_one_screen_no_repeats(lines)
    assert "'ChatCompletion' object has no attribute 'choice'" in lines[2]
    assert lines[2].endswith("Idea: the list of replies is response.choices, with an s.")


def test_verbose_still_shows_every_message(grade):
    grading = grade("01", changed("def ask(question: str) -> str:", "def ask(question: str) -> str"),
                    "-v")
    # Under CI pytest's short summary repeats each message untruncated, so count above it.
    failures = grading.output.split("short test summary info")[0]
    assert failures.count("has a syntax error on line 20") == 6
    assert "test_ask_returns_the_reply_text" in grading.output


def test_the_course_own_test_runs_keep_pytests_usual_output(tmp_path):
    (tmp_path / "test_sample.py").write_text("def test_sample():\n    assert 1 == 2\n")
    capture = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(capture):
        code = pytest.main([str(tmp_path), "-p", "workshop.harness.plugin", "-p", "no:cacheprovider"])
    assert code == pytest.ExitCode.TESTS_FAILED
    assert "test session starts" in capture.getvalue()
    assert "assert 1 == 2" in capture.getvalue()


# --- the exit status --------------------------------------------------------------------------------


def test_not_started_failing_and_done_exit_as_a_script_expects(grade, tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "PROGRESS_FILE", tmp_path / "progress.json")
    assert grade("01").exit_code == 1  # the stub as shipped: not started
    assert grade("01", changed("return response.choices[0].message.content",
                               "return response")).exit_code == 1
    assert grade("01", solution_source("01")).exit_code == 0


def test_a_run_of_every_exercise_exits_0_only_when_all_are_done(tmp_path):
    submission = tmp_path / "submission"
    shutil.copytree(REPO_ROOT / "solutions", submission)
    arguments = [str(REPO_ROOT / "exercises"), f"--grade-dir={submission}", "-p", "no:cacheprovider",
                 "-q"]
    assert pytest.main(arguments) == pytest.ExitCode.OK
    (submission / "09_errors_retries" / find_exercise("09").stub.name).write_text(
        find_exercise("09").stub.read_text(encoding="utf-8"), encoding="utf-8")
    assert pytest.main(arguments) == pytest.ExitCode.TESTS_FAILED


@pytest.mark.parametrize(("source", "code"), [
    (None, 1), (changed("return response.choices[0].message.content", "return response"), 1),
    (solution_source("01"), 0),
])
def test_workshop_check_exits_like_pytest(tmp_path, monkeypatch, source, code):
    monkeypatch.setattr(progress, "PROGRESS_FILE", tmp_path / "progress.json")
    workspace = Workspace(tmp_path / "learner")
    workspace.file(EXERCISE).parent.mkdir(parents=True)
    workspace.file(EXERCISE).write_text(source or EXERCISE.stub.read_text(encoding="utf-8"),
                                        encoding="utf-8")
    output = io.StringIO()
    assert check_command(Console(file=output, width=200), "01", workspace) == code


def test_the_classroom_workflow_grades_every_exercise_for_points():
    workflow = yaml.safe_load((REPO_ROOT / "instructors" / "classroom.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    graded = [step for step in steps if step.get("uses", "").startswith(
        "classroom-resources/autograding-command-grader")]
    assert [step["with"]["command"] for step in graded] == [
        f"python start.py pytest exercises/{exercise.id}" for exercise in load_catalog()]
    assert all(int(step["with"]["max-score"]) > 0 for step in graded)
    reporter = steps[-1]
    assert reporter["with"]["runners"].split(",") == [step["id"] for step in graded]


# --- hints keyed to the failure -------------------------------------------------------------------------


def test_the_hint_after_a_failing_run_is_for_the_failing_task(grade, tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "PROGRESS_FILE", tmp_path / "progress.json")
    monkeypatch.setattr(plugin.GradingRun, "grades_learner_files", property(lambda self: True))
    grade("01", changed("return response.choices[0].message.content", "return response"))
    assert progress.failing_task(EXERCISE.id) == 3
    shown = [hints.next_hint(EXERCISE) for _ in range(len(EXERCISE.hints) + 1)]
    texts = [hint.text if hint else None for hint in shown]
    assert texts[0].startswith("Task 3:") and texts[1].startswith("Task 3:")
    assert texts[2:] == [*[h for h in EXERCISE.hints if not h.startswith("Task 3:")], None]
    assert [hint.text for hint in hints.all_hints(EXERCISE)] == list(EXERCISE.hints)


def test_hints_come_in_order_when_nothing_is_failing(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "PROGRESS_FILE", tmp_path / "progress.json")
    assert [hints.next_hint(EXERCISE).text for _ in EXERCISE.hints] == list(EXERCISE.hints)


def test_a_done_exercise_forgets_its_failing_task(grade, tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "PROGRESS_FILE", tmp_path / "progress.json")
    monkeypatch.setattr(plugin.GradingRun, "grades_learner_files", property(lambda self: True))
    grade("01", changed("return response.choices[0].message.content", "return response"))
    grade("01", solution_source("01"))
    assert progress.failing_task(EXERCISE.id) is None
    assert Path(progress.PROGRESS_FILE).exists()


def test_a_second_mistake_with_another_cause_gets_one_line_of_its_own(grade):
    prompt = solution_source("01").split("SYSTEM_PROMPT = ", 1)[1].split("\n)\n", 1)[0] + "\n)"
    source = changed(prompt, '""', changed(
        "    return response.choices[0].message.content",
        "    print(response.choices[0].message.content)",
    ))
    lines = before_summary(grade("01", source).output)
    assert_one_screen_no_repeats(lines)
    assert lines[1] == "✗ system prompt describes the assistant"
    assert "also failing: ask returns the reply text" in lines
    assert sum("printed the reply" in line for line in lines) == 0
