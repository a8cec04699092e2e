"""The harness: broken learner code costs one clear line, never a traceback, and never the network."""

import pytest

from tests.conftest import solution_source
from workshop.settings import REPO_ROOT

SOLUTION = solution_source("01")


def broken(old: str, new: str) -> str:
    assert old in SOLUTION
    return SOLUTION.replace(old, new)


LEARNER_FAILURES = {
    "syntax error": (
        broken("def ask(question: str) -> str:", "def ask(question: str) -> str"),
        "travel_assistant.py has a syntax error on line",
    ),
    "raises": (
        broken("with OpenAI() as client:", "with OpenAI() as clent:\n        client = clint"),
        "raised NameError: name 'clint' is not defined (at travel_assistant.py line",
    ),
    "exits at import": (
        broken("def build_messages", "raise SystemExit(1)\n\n\ndef build_messages"),
        "called exit() or sys.exit()",
    ),
    "calls input()": (
        broken("def ask(question: str) -> str:", "def ask(question: str) -> str:\n    input('?')"),
        "called input()",
    ),
    "hangs": (
        broken("def ask(question: str) -> str:", "def ask(question: str) -> str:\n"
               "    while True:\n        pass"),
        "was still running after 1.5 seconds",
    ),
}


@pytest.mark.parametrize("failure", LEARNER_FAILURES)
def test_broken_learner_code_fails_with_one_clear_line(grade, failure):
    source, phrase = LEARNER_FAILURES[failure]
    grading = grade("01", source, "--exercise-timeout=1.5")
    assert not grading.passed()
    assert phrase in grading.failures
    assert "Traceback" not in grading.output
    assert "site-packages" not in grading.output


def test_hung_code_is_stopped_once_then_reported_without_waiting_again(grade):
    source, _ = LEARNER_FAILURES["hangs"]
    grading = grade("01", source, "--exercise-timeout=1.5")
    assert grading.failures.count("was still running") >= 3
    assert "This stopped an earlier check too" in grading.failures


def test_long_tracebacks_are_still_available(grade):
    grading = grade("01", LEARNER_FAILURES["raises"][0], "--tb=long")
    assert "client = clint" in grading.output
    assert "The above exception was the direct cause" in grading.output


def test_a_missing_function_is_named(grade):
    grading = grade("01", SOLUTION.replace("def ask(", "def ask_question("))
    assert "MISSING FUNCTION: there is no function named ask in travel_assistant.py" in (
        grading.failures
    )
    assert "did you rename it" in grading.failures


def test_other_exercises_are_still_graded_when_one_is_broken(tmp_path):
    # Grade exercise 01 broken and every other exercise from its reference solution.
    import shutil

    submission = tmp_path / "submission"
    shutil.copytree(REPO_ROOT / "solutions", submission)
    (submission / "01_single_turn" / "travel_assistant.py").write_text(
        LEARNER_FAILURES["syntax error"][0]
    )
    result = pytest.main(
        [str(REPO_ROOT / "exercises"), f"--grade-dir={submission}", "-q", "-p", "no:cacheprovider"]
    )
    assert result == pytest.ExitCode.TESTS_FAILED


def test_requests_to_other_endpoints_are_named(grade):
    grading = grade("01", broken(
        "response = client.chat.completions.create(model=MODEL, messages=build_messages(question))",
        "client.models.retrieve(MODEL)\n        response = client.chat.completions.create("
        "model=MODEL, messages=build_messages(question))",
    ))
    assert "Your code sent GET https://api.openai.com/v1/models/" in grading.failures


def test_connections_outside_the_machine_are_blocked(grade):
    grading = grade("01", broken(
        "def ask(question: str) -> str:",
        "def ask(question: str) -> str:\n"
        "    import urllib.request\n"
        "    urllib.request.urlopen('http://example.com/')",
    ))
    assert "a connection to example.com:80 was blocked" in grading.failures


def test_a_real_key_is_never_sent_or_printed(grade, monkeypatch, tmp_path):
    canary = "sk-canary-" + "7" * 40
    monkeypatch.setenv("OPENAI_API_KEY", canary)
    env_file = REPO_ROOT / ".env"
    backup = env_file.read_bytes() if env_file.exists() else None
    env_file.write_text(f"OPENAI_API_KEY={canary}\nOPENAI_BASE_URL=http://localhost:11434/v1\n")
    try:
        leaking = SOLUTION.replace(
            "def ask(question: str) -> str:",
            "from dotenv import load_dotenv\nload_dotenv(override=True)\n\n\n"
            "def ask(question: str) -> str:",
        ).replace("return response.choices[0].message.content", "return response")
        grading = grade("01", leaking, "-vv")
    finally:
        if backup is None:
            env_file.unlink()
        else:
            env_file.write_bytes(backup)
    assert "returned a ChatCompletion object" in grading.failures
    assert canary not in grading.output


def test_the_summary_counts_progress_and_names_the_next_exercise(grade):
    grading = grade("01", SOLUTION.replace("return response.choices[0].message.content",
                                           "return response"))
    assert "01 failing · 0/1 complete" in grading.output
    assert "Next: 01 · Single-turn travel assistant" not in grading.output  # --grade-dir runs


def test_grading_the_solutions_reports_every_exercise_done(grade):
    grading = grade("01", None, "--solutions")
    assert grading.passed()
    assert "01 done · 1/1 complete" in grading.output


def test_a_missing_exercise_file_says_how_to_get_it_back(grade, tmp_path):
    (tmp_path / "submission" / "01_single_turn").mkdir(parents=True)
    grading = grade("01", None, f"--grade-dir={tmp_path / 'submission'}")
    assert "travel_assistant.py is missing" in grading.failures
    assert "workshop reset 01" in grading.failures
    assert "The grader itself failed" not in grading.failures


def _grade_solutions_in_a_new_process(*prefix: str, env: dict[str, str] | None = None):
    import subprocess
    import sys

    return subprocess.run(
        [*prefix, sys.executable, "-m", "pytest", "exercises/", "--solutions", "-q",
         "-p", "no:cacheprovider"],
        cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=120,
    )


def test_grading_passes_with_the_network_cut_off():
    import shutil
    import subprocess

    if shutil.which("unshare") is None or subprocess.run(
        ["unshare", "-n", "true"], capture_output=True
    ).returncode != 0:
        pytest.skip("this machine cannot start a process without a network (unshare -n)")
    result = _grade_solutions_in_a_new_process("unshare", "-n")
    assert result.returncode == 0, result.stdout[-2000:]
    assert "complete" in result.stdout


def test_another_model_in_the_settings_does_not_break_grading():
    import os

    env = {**os.environ, "WORKSHOP_MODEL": "llama3.2"}
    result = _grade_solutions_in_a_new_process(env=env)
    assert result.returncode == 0, result.stdout[-2000:]
