"""Assertions about a grading's verdicts that every exercise's tests share."""

from __future__ import annotations

from tests.conftest import Grading

GRADER_BROKE = "The grader itself failed"


def named(grading: Grading, phrase: str) -> None:
    """The submission fails, one of its messages says `phrase`, and no check broke on it."""
    assert not grading.passed(), "a wrong submission passed"
    assert phrase in grading.failures, grading.failures
    assert GRADER_BROKE not in grading.failures, grading.failures


def one_cause(grading: Grading, phrase: str) -> None:
    """Every failing check names the same root cause, so none of them misleads the learner."""
    named(grading, phrase)
    for check, message in grading.messages.items():
        assert phrase in message, f"{check} gives another reason:\n{message}"


def fails_only(grading: Grading, *checks: str) -> None:
    """Exactly these checks fail (by name), and every other check passes."""
    failed = {name for name, outcome in grading.outcomes.items() if outcome == "failed"}
    assert failed == set(checks), grading.failures
