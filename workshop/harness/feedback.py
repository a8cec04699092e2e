"""Failure reports written for a learner: what the code did, what was expected, and why it matters."""

from __future__ import annotations

import json
from typing import Any

from workshop.catalog import lesson_url
from workshop.simulation.recording import RecordedRequest

EVIDENCE_WIDTH = 160  # characters of one line of a request shown as evidence


class GradingFailure(AssertionError):
    """A check found a mistake; `report` is the whole message the learner will read.

    `cause` is the finding alone: checks whose findings are the same share one root cause, so
    the learner reads it once.
    """

    def __init__(self, report: str, cause: str | None = None) -> None:
        super().__init__(report)
        self.report = report
        self.cause = cause or report


def check_title(name: str) -> str:
    """`test_ask_returns_the_reply_text[case]` reads as `ask returns the reply text [case]`."""
    name, bracket, parameters = name.partition("[")
    readable = name.removeprefix("test_").replace("_", " ")
    return f"{readable} [{parameters}" if bracket else readable


def _one_line(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= EVIDENCE_WIDTH else text[: EVIDENCE_WIDTH - 3] + "..."


def request_lines(request: RecordedRequest) -> list[str]:
    """A request body as evidence: one line per parameter, one per message, each cut short."""
    body = request.body
    if not isinstance(body, dict):
        return [_one_line(body) if not isinstance(body, str) else body[:EVIDENCE_WIDTH]]
    lines = []
    for key, value in body.items():
        if key == "messages" and isinstance(value, list):
            lines += [f"messages[{index}]: {_one_line(message)}" for index, message in enumerate(value)]
        else:
            lines.append(f"{key}: {_one_line(value)}")
    return lines


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
        lines += [f"    {line}" for line in request_lines(request)]
    return "\n".join(lines)
