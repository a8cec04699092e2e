"""Failure reports written for a learner: what the code did, what was expected, and why it matters."""

from __future__ import annotations

import textwrap

from workshop.catalog import lesson_url
from workshop.simulation.recording import RecordedRequest


class GradingFailure(AssertionError):
    """A check found a mistake; `report` is the whole message the learner will read."""

    def __init__(self, report: str) -> None:
        super().__init__(report)
        self.report = report


def failure_report(
    message: str,
    *,
    call: str | None,
    idea: str | None,
    lesson: str | None,
    request: RecordedRequest | None = None,
) -> str:
    """Lay out one failed check the same way everywhere: call, finding, idea, lesson, evidence."""
    lines = []
    if call:
        lines.append(f"Called {call}.")
    lines.append(message)
    if idea:
        lines.append(f"Idea: {idea}")
    if lesson:
        lines.append(f"Lesson: {lesson_url(lesson)}  (docs/{lesson.partition('#')[0]})")
    if request is not None:
        lines.append(f"The request your code sent ({request.method} {request.url}):")
        lines.append(textwrap.indent(request.pretty(), "    "))
    return "\n".join(lines)
