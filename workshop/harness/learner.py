"""`Learner`: one exercise's code as a grader sees it, with the requests it sent.

Graders ask it for names (`attribute`), call into the code (`run`, `invoke`), look at what reached
the simulated API (`chat_requests`, `one_chat_request`) and report mistakes (`fail`). Everything
that can go wrong on the learner's side becomes a message written for the learner.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

from workshop.catalog import Exercise
from workshop.harness.feedback import GradingFailure, failure_report
from workshop.harness.sandbox import (
    LearnerCodeError,
    LearnerCodeHung,
    Outcome,
    describe_call,
    load_module,
    run_guarded,
)
from workshop.simulation.api import SimulatedAPI
from workshop.simulation.recording import RecordedRequest


def breakage_key(path: Path) -> str:
    """The file as saved: code that broke is not run again until the file changes."""
    stamp = path.stat().st_mtime_ns if path.exists() else 0
    return f"{path}:{stamp}"


class Learner:
    def __init__(
        self,
        exercise: Exercise,
        path: Path,
        api: SimulatedAPI,
        *,
        timeout: float,
        known_breakage: dict[str, LearnerCodeError],
    ) -> None:
        self.exercise = exercise
        self.path = path
        self.api = api
        self.timeout = timeout
        self.last_call: str | None = None
        self._module: ModuleType | None = None
        # Code that would not import or that hung is not run again in this session: one
        # broken file should cost one timeout, not one per check.
        self._known_breakage = known_breakage

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def module(self) -> ModuleType:
        if self._module is None:
            self._raise_known_breakage()
            if not self.path.exists():
                raise LearnerCodeError(
                    f"{self.exercise.relative(self.path)} is missing. Get the original back with "
                    f"`workshop reset {self.exercise.number}` and grade again."
                )
            try:
                self._module = load_module(
                    self.path, f"workshop_learner_{self.exercise.id}", timeout=self.timeout
                )
            except LearnerCodeError as error:
                self._known_breakage[self._breakage_key()] = error
                raise
        return self._module

    def attribute(self, name: str, kind: str = "function") -> Any:
        """A name defined in the learner's file, or a MISSING message that says which."""
        if not hasattr(self.module, name):
            raise GradingFailure(
                f"MISSING {kind.upper()}: there is no {kind} named {name} in {self.file_name}: "
                "did you rename it or delete it? The checks look for that exact name."
            )
        return getattr(self.module, name)

    def run(self, name: str, *args: Any, **kwargs: Any) -> Outcome:
        """Call one of the learner's functions by name."""
        func = self.attribute(name)
        return self.invoke(describe_call(name, args, kwargs), func, *args, **kwargs)

    def invoke(self, call: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Outcome:
        """Call anything of the learner's (a method, a class) and describe it as `call`."""
        self._raise_known_breakage()
        self.last_call = call
        outcome = run_guarded(
            call, func, args, kwargs, learner_file=self.path, timeout=self.timeout
        )
        if isinstance(outcome.error, LearnerCodeHung):
            self._known_breakage[self._breakage_key()] = outcome.error
        return outcome

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call a function and return its value; if it raised, the check fails with that."""
        return self.run(name, *args, **kwargs).result()

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return self.api.chat_requests

    def one_chat_request(self, outcome: Outcome, *, idea: str) -> RecordedRequest:
        """The single chat request a call should have made, or a failure that says what happened."""
        self.reject_unanswered_requests()
        sent = self.chat_requests
        if not sent:
            outcome.result()  # a crash before sending explains the missing request best
            self.fail(
                "No request reached the API, so the answer did not come from the model. "
                "Call client.chat.completions.create(...) and return what it answers.",
                idea=idea,
            )
        if len(sent) > 1:
            self.fail(
                f"Your code sent {len(sent)} requests, but this needs exactly one. "
                "Each request costs time and money, so make one call and use its answer.",
                idea=idea,
                request=sent[-1],
            )
        return sent[0]

    def reject_unanswered_requests(self) -> None:
        """Requests to endpoints other than chat completions fail the check, named."""
        if self.api.unanswered:
            first = self.api.unanswered[0]
            self.fail(
                f"Your code sent {first.method} {first.url}, which this exercise does not use. "
                "Use client.chat.completions.create(...), which sends POST .../chat/completions.",
                idea="this course uses the Chat Completions endpoint",
            )

    def fail(
        self,
        message: str,
        *,
        idea: str,
        lesson: str | None = None,
        request: RecordedRequest | None = None,
    ) -> NoReturn:
        """Stop the check with a report: the call, what went wrong, the idea and its lesson."""
        raise GradingFailure(
            failure_report(
                message,
                call=self.last_call,
                idea=idea,
                lesson=lesson or self.exercise.lesson,
                request=request,
            ),
            cause=message,
        )

    def _breakage_key(self) -> str:
        return breakage_key(self.path)

    def _raise_known_breakage(self) -> None:
        known = self._known_breakage.get(self._breakage_key())
        if known is not None:
            raise LearnerCodeError(f"{known} (This stopped an earlier check too.)", cause=known.cause)
