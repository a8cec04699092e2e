"""The `workshop` command: progress from grading, hints one at a time, one sentence for bad input."""

import pytest

from workshop import cli, progress
from workshop.catalog import find_exercise


@pytest.fixture(autouse=True)
def private_progress(tmp_path, monkeypatch):
    """Keep the learner's own progress file out of reach of these tests."""
    monkeypatch.setattr(progress, "PROGRESS_FILE", tmp_path / "progress.json")


def test_progress_lists_every_exercise_and_the_next_step(capsys):
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert "Single-turn travel assistant" in out and "not started" in out
    assert "Next: 01 · Single-turn travel assistant" in out
    assert "pytest exercises/01_single_turn" in out


def test_hints_come_one_at_a_time_from_gentle_to_explicit(capsys):
    hints = find_exercise("01").hints
    cli.main(["hint", "01"])
    first = capsys.readouterr().out
    cli.main(["hint", "1"])
    second = capsys.readouterr().out
    assert f"Hint 1/{len(hints)}" in first and "Hint 2/" not in first
    assert f"Hint 2/{len(hints)}" in second


def test_all_hints_at_once(capsys):
    cli.main(["hint", "01", "--all"])
    out = capsys.readouterr().out
    assert out.count("Hint ") == len(find_exercise("01").hints)


def test_an_unknown_exercise_gets_one_sentence_and_a_failing_exit(capsys):
    assert cli.main(["hint", "42"]) == 2
    assert capsys.readouterr().out.strip() == (
        "There is no exercise '42'; the exercises are " + ", ".join(
            e.number for e in cli.load_catalog()) + "."
    )


def test_a_damaged_progress_file_is_not_trusted_or_fatal(capsys):
    progress.PROGRESS_FILE.write_text("{not json")
    assert progress.saved_statuses() == {}
    assert cli.main(["hint", "01"]) == 0
