"""One message per root cause: what a learner reads about an exercise's failing checks.

The first failing check is shown in full. Checks that fail for the same cause (the same error,
the same missing function, the same finding) are named on one line; every other failing check
gets one line. `pytest exercises/`, `workshop check`, watch and the TUI all lay failures out so.
"""

from __future__ import annotations

from dataclasses import dataclass

MESSAGE_LINES = 11  # lines of the first failure's message, so one mistake fits on one screen


@dataclass(frozen=True)
class Failure:
    title: str  # the check's plain title, such as "ask returns the reply text"
    message: str
    cause: str
    task: int | None = None


@dataclass(frozen=True)
class Digest:
    first: Failure
    message_lines: list[str]  # the first failure's message, cut to MESSAGE_LINES
    hidden: int  # lines of it left out
    same_cause: list[str]  # titles of checks failing for the same reason
    others: list[str]  # titles of checks failing for other reasons, one line each

    def lines(self, full_detail: str) -> list[tuple[str, int]]:
        """The digest as (text, indent) lines; `full_detail` says how to see everything."""
        lines = [(line, 2) for line in self.message_lines]
        if self.hidden > 0:
            lines.append((f"... {self.hidden} more lines: {full_detail} shows them all.", 2))
        if self.same_cause:
            lines.append((f"also failing for the same reason: {', '.join(self.same_cause)}", 0))
        lines += [(f"also failing: {title}", 0) for title in self.others]
        return lines


def digest(failures: list[Failure]) -> Digest | None:
    if not failures:
        return None
    first, rest = failures[0], failures[1:]
    message = [line for line in first.message.splitlines() if line.strip()]
    return Digest(
        first,
        message[:MESSAGE_LINES],
        max(0, len(message) - MESSAGE_LINES),
        [failure.title for failure in rest if failure.cause == first.cause],
        [failure.title for failure in rest if failure.cause != first.cause],
    )

