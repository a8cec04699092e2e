"""Run a learner's code so that whatever it does ends as one readable outcome, never a crash.

Exceptions, `sys.exit()`, `input()` and code that never returns all become a `LearnerCodeError`
whose message is one line a beginner can act on. Output printed by the code is kept, so a grader
can tell "printed the answer" from "returned it".
"""

from __future__ import annotations

import builtins
import contextlib
import io
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import CodeType, ModuleType, TracebackType
from typing import Any, Protocol


class LearnerCodeError(Exception):
    """The learner's code failed in a way that stops a check; the message says how, in a line.

    `cause` names the failure apart from the call that met it (its kind, text and place in the
    learner's file), so every check that meets the same failure is known to share it.
    """

    def __init__(self, message: str, cause: str | None = None) -> None:
        super().__init__(message)
        self.cause = cause or message


class LearnerCodeHung(LearnerCodeError):
    """The learner's code ran past its time limit and was stopped."""


class _Interruption(BaseException):
    """Raised inside learner code to stop it; a BaseException so `except Exception` can't swallow it."""


class _InputCalled(_Interruption):
    pass


class _RefusingInput(io.TextIOBase):
    """`sys.stdin` while learner code runs: any read fails as `input()` does, never waits."""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        raise _InputCalled

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        raise _InputCalled

    def readlines(self, hint: int = -1) -> list[str]:
        raise _InputCalled



class _TimedOut(_Interruption):
    pass


class CallObserver(Protocol):
    """Hears when learner code starts and stops running (the grading process's watchdog)."""

    def began(self, call: str, timeout: float) -> None: ...

    def ended(self) -> None: ...


# Set by the grading process; None when learner code runs in a plain pytest session.
observer: CallObserver | None = None
# What learner code printed during the current check, for "your code printed:" under a failure.
printed_in_check: list[str] = []
CUT_LIMIT = 4000


def cut(text: str, limit: int = CUT_LIMIT) -> str:
    """`text`, cut to `limit` characters with a note of how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n... cut, {len(text) - limit} more characters"


@dataclass
class Outcome:
    """What one call into the learner's code did."""

    call: str
    value: Any = None
    error: LearnerCodeError | None = None
    printed: str = ""

    def result(self) -> Any:
        """The returned value, or the learner's failure raised as a one-line error."""
        if self.error is not None:
            raise self.error
        return self.value


def describe_call(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    shown = [short_repr(arg, 80) for arg in args]
    shown += [f"{key}={short_repr(value, 80)}" for key, value in kwargs.items()]
    return f"{name}({', '.join(shown)})"


def short_repr(value: Any, limit: int = 120) -> str:
    """`repr(value)`, cut to `limit` characters so one long value cannot swamp a message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def run_guarded(
    call: str, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
    *, learner_file: Path, timeout: float,
) -> Outcome:
    """Call `func` with a time limit, no keyboard input, and its printed output captured."""
    outcome = Outcome(call)
    printed = io.StringIO()
    if observer is not None:
        observer.began(call, timeout)
    try:
        with _no_input(), contextlib.redirect_stdout(printed):
            outcome.value = _call_with_time_limit(lambda: func(*args, **kwargs), timeout)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # anything the learner's code can raise, exits included
        outcome.error = explain(error, call, learner_file, timeout)
        outcome.error.__cause__ = error  # what `--tb=long` shows in full
    finally:
        if observer is not None:
            observer.ended()
    outcome.printed = printed.getvalue()
    if outcome.printed.strip():
        printed_in_check.append(outcome.printed)
    return outcome


def load_module(path: Path, module_name: str, *, timeout: float) -> ModuleType:
    """Import a learner's file afresh from its source, so every check sees the file as saved.

    The source is compiled here rather than through the import system, whose bytecode cache
    can miss two saves within the same second.
    """
    module = ModuleType(module_name)
    module.__file__ = str(path)
    sys.modules[module_name] = module

    def execute() -> None:
        exec(_compiled(path.read_bytes(), str(path)), module.__dict__)

    outcome = run_guarded(
        f"import {path.stem}", execute, (), {}, learner_file=path, timeout=timeout
    )
    if outcome.error is not None:
        sys.modules.pop(module_name, None)
        raise outcome.error
    return module


@lru_cache(maxsize=16)
def _compiled(source: bytes, filename: str) -> CodeType:
    """The file's code, compiled once per grading process for each version of its source."""
    return compile(source, filename, "exec", dont_inherit=True)


def explain(error: BaseException, call: str, learner_file: Path, timeout: float) -> LearnerCodeError:
    """Turn anything the learner's code raised into one line that says what to fix."""
    explained = _explain(error, call, learner_file, timeout)
    where = _learner_location(error.__traceback__, learner_file)
    try:
        text = str(error).partition("\n")[0][:300]
    except Exception:
        text = ""
    explained.cause = f"{type(error).__name__}|{text}|{where}"
    return explained


def _explain(error: BaseException, call: str, learner_file: Path, timeout: float) -> LearnerCodeError:
    where = _learner_location(error.__traceback__, learner_file)
    if isinstance(error, SyntaxError) and Path(error.filename or "").name == learner_file.name:
        return LearnerCodeError(
            f"{learner_file.name} has a syntax error on line {error.lineno}: {cut(str(error.msg), 200)}. "
            "Fix that line, save, and grade again."
        )
    if isinstance(error, _TimedOut):
        return LearnerCodeHung(
            f"{call} was still running after "
            f"{'1 second' if timeout == 1 else f'{timeout:g} seconds'}{where}, so it was stopped. "
            "Look for a loop that never ends or a call that waits forever."
        )
    if isinstance(error, _InputCalled):
        return LearnerCodeError(
            f"{call} called input(){where}, but graded code cannot wait for typing. "
            "Take the text as a parameter instead, and keep input() inside main()."
        )
    if isinstance(error, SystemExit):
        return LearnerCodeError(
            f"{call} called exit() or sys.exit(){where}. Return a value instead of exiting, "
            'and keep script-only code under `if __name__ == "__main__":`.'
        )
    try:
        detail = [line for line in [str(error).strip().partition("\n")[0]] if line]
    except Exception:  # a learner's exception whose __str__ itself fails
        detail = []
    if isinstance(error, NotImplementedError):
        todo = f" ({cut(detail[0], 200)})" if detail else ""
        return LearnerCodeError(
            f"{call} is not written yet: it still raises NotImplementedError{todo}. "
            "Replace that line with your code."
        )
    translated = sdk_error_sentence(error, call, where)
    if translated is not None:
        return LearnerCodeError(translated)
    message = f"{type(error).__name__}: {cut(detail[0], 300)}" if detail else type(error).__name__
    idea = attribute_idea(error)
    return LearnerCodeError(f"{call} raised {message}{where}." + (f" Idea: {idea}." if idea else ""))


# Attributes a learner reaches for on the SDK's objects, and where the thing they want really is.
ATTRIBUTE_IDEAS = {
    ("ChatCompletion", "choice"): "the list of replies is response.choices, with an s",
    ("ChatCompletion", "message"): "the reply is inside the first choice: response.choices[0].message",
    ("ChatCompletion", "content"): "the text is at response.choices[0].message.content",
    ("ChatCompletion", "text"): "the text is at response.choices[0].message.content",
    ("ChatCompletion", "messages"): "the reply is inside the first choice: response.choices[0].message",
    ("Choice", "content"): "a choice holds a message: choice.message.content",
    ("Choice", "text"): "a choice holds a message: choice.message.content",
    ("ChatCompletionMessage", "text"): "a message's text is message.content",
    ("list", "message"): "response.choices is a list: take its first item, response.choices[0].message",
    ("list", "delta"): "chunk.choices is a list: take its first item, chunk.choices[0].delta",
    ("ChatCompletionChunk", "choice"): "the list is chunk.choices, with an s",
    ("ChoiceDelta", "text"): "a streamed piece's text is chunk.choices[0].delta.content",
    ("CompletionUsage", "total"): "the count is usage.total_tokens",
}


def attribute_idea(error: BaseException) -> str | None:
    """Where the thing lives, for the SDK objects' common wrong attribute names and subscripts."""
    if isinstance(error, AttributeError) and getattr(error, "obj", None) is not None:
        return ATTRIBUTE_IDEAS.get((type(error.obj).__name__, str(getattr(error, "name", ""))))
    if isinstance(error, TypeError) and "object is not subscriptable" in str(error):
        kind = str(error).split("'")[1] if "'" in str(error) else ""
        if kind.startswith(("ChatCompletion", "Choice")):
            return ("the SDK's results are objects, read with dots: response.choices[0].message.content, "
                    "not response['choices']")
    return None


def sdk_error_sentence(error: BaseException, call: str, where: str) -> str | None:
    """An error the API answered, in one sentence: which parameter it refused, and its own words."""
    try:
        import openai
    except ImportError:
        return None
    if not isinstance(error, openai.APIStatusError):
        return None
    body = error.body if isinstance(error.body, dict) else {}
    said = str(body.get("message") or "").strip() or f"{error.status_code} error"
    said = cut(said, 300)
    name = type(error).__name__
    if isinstance(error, (openai.BadRequestError, openai.UnprocessableEntityError)):
        param = body.get("param") or getattr(error, "param", None)
        what = f"the parameter {param}" if param else "the request"
        return (f"{call} sent a request the API refused{where}: it rejected {what} "
                f"(openai.{name}, {error.status_code}). The API said: \"{said}\" "
                f"Fix {what} in your client.chat.completions.create(...) call and grade again.")
    return (f"{call} raised openai.{name}{where}: the API answered {error.status_code} and said: "
            f"\"{said}\"")


def _learner_location(trace: TracebackType | None, learner_file: Path) -> str:
    frames = [
        frame for frame in traceback.extract_tb(trace)
        if Path(frame.filename).name == learner_file.name
    ]
    if not frames:
        return ""
    frame = frames[-1]
    return f" (at {learner_file.name} line {frame.lineno}, in {frame.name})"


@contextlib.contextmanager
def _no_input() -> Iterator[None]:
    def refuse(*_: Any) -> str:
        raise _InputCalled

    original, original_stdin = builtins.input, sys.stdin
    builtins.input = refuse
    sys.stdin = _RefusingInput()
    try:
        yield
    finally:
        builtins.input, sys.stdin = original, original_stdin


def _call_with_time_limit(func: Callable[[], Any], seconds: float) -> Any:
    """Interrupt code that runs too long: by a timer signal where there is one, else a thread."""
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():

        def interrupt(*_: Any) -> None:
            raise _TimedOut

        previous = signal.signal(signal.SIGALRM, interrupt)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return func()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    # Windows has no timer signal: run the code in a thread and stop waiting for it in time.
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = func()
        except BaseException as error:  # handed back to the caller below
            result["error"] = error

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise _TimedOut
    if "error" in result:
        raise result["error"]
    return result.get("value")
