"""What every grader relies on: checks marked with their task, replies chosen rather than left
to chance, and faults that answer with a chosen reply."""

from __future__ import annotations

import ast
import importlib.util
import re
from types import ModuleType

import openai
import pytest
from openai import OpenAI

from tests.conftest import solution_source, stub_source
from tests.verdicts import named
from workshop.catalog import Exercise, load_catalog
from workshop.settings import MODEL
from workshop.simulation import complete
from workshop.simulation.api import SimulatedAPI
from workshop.simulation.faults import scripted_choices, scripted_reply
from workshop.tokens import count_tokens


def grader_module(exercise: Exercise) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"grader_{exercise.id}", exercise.grader)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def readme_tasks(exercise: Exercise) -> set[int]:
    """The task numbers of the README's numbered list: `1. **...**`."""
    text = exercise.instructions.read_text(encoding="utf-8")
    return {int(number) for number in re.findall(r"^(\d+)\. \*\*", text, flags=re.MULTILINE)}


@pytest.mark.parametrize("exercise", load_catalog(), ids=lambda exercise: exercise.id)
def test_every_check_is_marked_with_a_task_of_its_readme(exercise):
    tasks = readme_tasks(exercise)
    checks = {
        name: [mark for mark in getattr(check, "pytestmark", []) if mark.name == "task"]
        for name, check in vars(grader_module(exercise)).items()
        if name.startswith("test_") and callable(check)
    }
    assert checks, f"{exercise.grader} has no checks"
    for name, marks in checks.items():
        assert len(marks) == 1, f"{name} needs exactly one @pytest.mark.task(N)"
        assert marks[0].args[0] in tasks, f"{name} grades task {marks[0].args[0]}, not in {tasks}"
    graded = {marks[0].args[0] for marks in checks.values()}
    assert graded == tasks, f"tasks without a check: {sorted(tasks - graded)}"


def replies_at_high_temperature() -> list[str]:
    request = {
        "model": "llama3.2",
        "messages": [{"role": "user", "content": "Suggest a name for a travel blog."}],
        "temperature": 1.5,
        "n": 4,
    }
    return [choice["message"]["content"] for choice in complete(request)["choices"]]


def test_the_graders_api_makes_the_simulated_model_repeat_itself():
    with SimulatedAPI(repeatable=True):
        first = replies_at_high_temperature()
        assert replies_at_high_temperature() == first
    assert len(set(first)) > 1  # still varied across the choices of one request


def test_a_scripted_reply_answers_with_the_text_and_reason_chosen():
    with SimulatedAPI() as api, OpenAI(api_key="sk-test") as client:
        api.queue(scripted_reply("Pack a scarf.", "length"), scripted_choices("Porto", "Faro"))
        cut = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Hi"}])
        both = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Hi"}])
    assert (cut.choices[0].message.content, cut.choices[0].finish_reason) == ("Pack a scarf.", "length")
    assert cut.usage.completion_tokens == count_tokens("Pack a scarf.")
    assert [choice.message.content for choice in both.choices] == ["Porto", "Faro"]
    assert [choice.index for choice in both.choices] == [0, 1]


def test_a_scripted_reply_still_refuses_a_request_the_model_would_refuse():
    with SimulatedAPI() as api, OpenAI(api_key="sk-test") as client:
        api.queue(scripted_reply("Never sent."))
        with pytest.raises(openai.BadRequestError):
            client.chat.completions.create(model=MODEL, messages=[{"role": "human", "content": "Hi"}])


# Odd values a half-written function might return: each must get a message about the learner's
# code, never "the grader itself failed".
ODD_RETURNS = ("None", "object()", "[['a']]")


def _given_functions(stub: str) -> set[str]:
    """Functions the stub ships written, which the learner is told to keep as they are."""
    return {
        node.name for node in ast.walk(ast.parse(stub))
        if isinstance(node, ast.FunctionDef) and "NotImplementedError" not in ast.unparse(node)
    }


def with_odd_returns():
    for exercise in load_catalog():
        source = solution_source(exercise.number)
        given = _given_functions(stub_source(exercise.number))
        lines = source.splitlines(keepends=True)
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.FunctionDef) or node.name in ("main", "__init__", *given):
                continue
            body = node.body[0]
            indent = " " * body.col_offset
            for value in ODD_RETURNS:
                changed = [*lines[: body.lineno - 1], f"{indent}return {value}\n", *lines[node.end_lineno:]]
                yield pytest.param(
                    exercise.number, "".join(changed), id=f"{exercise.number}-{node.name}-{value}"
                )


@pytest.mark.parametrize(("number", "source"), list(with_odd_returns()))
def test_an_odd_return_value_is_judged_as_the_learners_mistake(grade, number, source):
    named(grade(number, source), "")
