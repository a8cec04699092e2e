"""Every grader check says which task it grades, so a hint can follow the failing task."""

from __future__ import annotations

import importlib.util
import re
from types import ModuleType

import pytest

from workshop.catalog import Exercise, load_catalog


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
