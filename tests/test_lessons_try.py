"""`workshop try`: every lesson's examples run offline through the command a learner types.

Without a key, the command starts the practice model on 127.0.0.1 inside the test's process; the
examples are read from the pages by `workshop.lesson_code`, the same reader the site's tests use,
and each example's documented output must appear, in order, in what the command prints.
"""

from __future__ import annotations

import io
import sys

import pytest

from workshop.commands.cli import main
from workshop.lesson_code import lesson_pages, python_blocks
from workshop.simulation.server import running_in_background

PROVIDER_VARIABLES = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID")
LESSONS = lesson_pages()


@pytest.fixture
def no_provider(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in PROVIDER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("lesson", LESSONS, ids=[path.stem for path in LESSONS])
def test_every_example_of_the_lesson_runs_offline(
    lesson, no_provider: None, capsys: pytest.CaptureFixture[str]
) -> None:
    number = lesson.name[:2]
    code = main(["try", number])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("No API key is configured, so the offline practice model answers at "
                          "http://127.0.0.1:")
    position = 0
    for block in python_blocks(lesson):
        if block.skip is None and block.output is not None:
            found = out.find(block.output, position)
            assert found >= 0, f"line {block.line}: its output is missing:\n{block.output}"
            position = found + len(block.output)


def test_one_example_runs_after_the_ones_it_builds_on(
    no_provider: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["try", "01", "2"]) == 0
    out = capsys.readouterr().out
    assert "First running the example before it quietly" in out
    assert "01-first-request, example 2" in out
    assert "example 1" not in out
    assert '"object": "chat.completion"' in out  # example 2 prints response.to_json()


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["try", "44"], "There is no lesson '44'; the lessons are 01,"),
        (["try", "01", "99"], f"Lesson 01-first-request has {len(python_blocks(LESSONS[0]))} "
         "Python examples, numbered 1 to"),
        (["try", "01", "x"], "EXAMPLE needs a whole number, not 'x'"),
    ],
)
def test_what_cannot_be_run_gets_one_sentence(
    args: list[str], sentence: str, no_provider: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert sentence in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_the_prompt_has_a_client_and_shows_responses_readably(
    no_provider: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    typed = "\n".join([
        "response = ask('What to see in Porto?')",
        "print('tokens:', response.usage.total_tokens > 0)",
        "print(sorted(response.model_dump())[:2])",
        "response.choices[0].finish_reason",
        "print(MODEL == client.chat.completions.create(model=MODEL, messages=[{'role': 'user', "
        "'content': 'Hi'}]).model.removesuffix('-simulated'))",
        "",
    ])
    monkeypatch.setattr(sys, "stdin", io.StringIO(typed))
    hook = sys.displayhook
    assert main(["try"]) == 0
    assert sys.displayhook is hook, "the prompt must put Python's display hook back"
    out, err = capsys.readouterr()
    assert "offline practice model" in out
    assert "tokens: True" in out
    assert "['choices', 'created']" in out
    assert "'stop'" in out  # the value shown by the prompt itself
    assert "True" in out.split("'stop'", 1)[1]
    assert "`client` is an OpenAI client and `MODEL` is" in err  # code.interact's banner


def test_a_configured_provider_is_used_and_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    monkeypatch.chdir(tmp_path)
    with running_in_background() as base_url:
        monkeypatch.setenv("OPENAI_BASE_URL", base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-own-key-for-the-test")
        assert main(["try", "01", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Sending requests to the ")
    assert base_url in out.splitlines()[0]
    assert "offline practice model" not in out
    assert "sk-own-key-for-the-test" not in out


def test_after_an_example_the_prompt_has_its_variables(
    no_provider: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    typed = "print(type(response).__name__, response.choices[0].message.role)\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(typed))
    assert main(["try", "01", "1", "--interactive"]) == 0
    out, err = capsys.readouterr()
    assert "ChatCompletion assistant" in out
    assert "The example's names are yours to poke at:" in err and "response" in err
