"""Authoring checks: every exercise in info.toml is complete, its solution passes, its stub doesn't."""

import re

import pytest

from tests.conftest import stub_source
from workshop.catalog import UnknownExercise, find_exercise, git_blob_id, load_catalog
from workshop.settings import REPO_ROOT

EXERCISES = [exercise.id for exercise in load_catalog()]


@pytest.mark.parametrize("key", EXERCISES)
def test_every_listed_file_exists(key):
    exercise = find_exercise(key)
    for path in (exercise.stub, exercise.grader, exercise.solution, exercise.instructions):
        assert path.is_file(), f"{exercise.id}: {path.relative_to(REPO_ROOT)} is missing"
    assert (REPO_ROOT / "docs" / exercise.lesson).is_file(), f"{exercise.id}: no lesson page"
    assert len(exercise.hints) >= 3, f"{exercise.id}: hints should go from gentle to explicit"


@pytest.mark.parametrize("key", EXERCISES)
def test_the_recorded_stub_id_matches_the_stub(key):
    exercise = find_exercise(key)
    actual = git_blob_id(exercise.stub.read_bytes())
    assert exercise.stub_blob == actual, f"{exercise.id}: set stub_blob = \"{actual}\" in info.toml"


@pytest.mark.parametrize("key", EXERCISES)
def test_stubs_state_the_task_and_mark_each_place_to_edit(key):
    source = stub_source(key)
    assert source.startswith('"""Exercise '), "a stub opens with a docstring stating the task"
    assert "# TODO" in source
    assert "docs/lessons/" in source
    assert 'if __name__ == "__main__":' in source


@pytest.mark.parametrize("key", EXERCISES)
def test_the_reference_solution_passes(grade, key):
    grading = grade(key, None, "--solutions")
    assert grading.passed(), grading.failures


@pytest.mark.parametrize("key", EXERCISES)
def test_the_stub_reads_not_started_and_fails_once_touched(grade, key):
    untouched = grade(key, stub_source(key))
    assert set(untouched.outcomes.values()) == {"skipped"}
    assert f"{find_exercise(key).number} not started · " in untouched.output
    touched = grade(key, stub_source(key) + "\n# started\n")
    assert "failed" in touched.outcomes.values()
    assert "TODO" in touched.failures


def test_exercises_are_found_by_id_or_number():
    assert find_exercise("1").id == find_exercise("01_single_turn").id == "01_single_turn"
    with pytest.raises(UnknownExercise, match="There is no exercise '42'"):
        find_exercise("42")


def test_the_readme_table_lists_the_exercises_as_info_toml_does():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line.split("|")[1:3] for line in readme.splitlines() if re.match(r"\| \d\d \|", line)]
    listed = [(number.strip(), title.strip()) for number, title in rows]
    assert listed == [(exercise.number, exercise.title) for exercise in load_catalog()]


def test_an_exercise_names_one_lesson_or_several_in_reading_order(tmp_path):
    (tmp_path / "info.toml").write_text(
        'default_timeout = 5\n'
        '[[exercises]]\nid = "01_a"\ntitle = "A"\nmodule = "a"\nstub_blob = "x"\nhints = []\n'
        'lessons = ["lessons/01-one.md", "lessons/02-two.md"]\n'
        '[[exercises]]\nid = "02_b"\ntitle = "B"\nmodule = "b"\nstub_blob = "y"\nhints = []\n'
        'lesson = "lessons/03-three.md"\n',
        encoding="utf-8",
    )
    first, second = load_catalog(tmp_path)
    assert first.lessons == ("lessons/01-one.md", "lessons/02-two.md")
    assert first.lesson == "lessons/01-one.md"
    assert second.lessons == ("lessons/03-three.md",) and second.lesson == "lessons/03-three.md"
    assert first.stub == tmp_path / "exercises" / "01_a" / "a.py"
    assert first.relative(first.stub) == "exercises/01_a/a.py"
