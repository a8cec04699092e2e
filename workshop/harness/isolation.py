"""Grade each exercise in a process of its own, and turn however that process ends into a verdict.

The session (`pytest exercises/`, or `grade()` for the `workshop` commands) never runs learner
code. For each exercise it starts a grading process (`child`), reads each check's reports from
it, times every call into learner code from outside, and at the time limit ends the process's
whole group: threads, subprocesses and forks the learner's code started go with it. A process
that ends any other way (`os._exit`, a signal, a crash, a message cut off) becomes one failed
check whose message says what happened; the checks after it run in a fresh process that knows
the code already stopped once.

Forking is used where it is safe (Linux), so a grading process costs milliseconds; elsewhere,
or with `WORKSHOP_GRADING_START=spawn`, a new interpreter is spawned instead. On a machine with
cores to spare, the next exercises' processes start while the current one runs; each call is
timed by when the grading process's messages came, so a process that ran ahead is held to the
same limit as the one the session is watching.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import queue
import signal
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from typing import Any

import pytest

from workshop.harness import channel
from workshop.harness.child import SPEC_VARIABLE
from workshop.harness.sealing import sealed_environment

START_VARIABLE = "WORKSHOP_GRADING_START"
GRACE_SECONDS = 0.5  # after the in-process time limit, before the process group is ended
IDLE_SECONDS = 60.0  # grader code between learner calls; only a wedged process takes this long
HARD_CRASHES = {"SIGSEGV", "SIGABRT", "SIGBUS", "SIGFPE", "SIGILL"}


def exercises_ahead() -> int:
    """How many exercises may be graded ahead of the one the session is reporting: one a core,
    at most three, as the session itself mostly waits; none on a single core, where the one it
    waits for would only run slower."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(cores, 3)


def start_method() -> str:
    chosen = os.environ.get(START_VARIABLE, "").strip().lower()
    if chosen in ("fork", "spawn"):
        return chosen if chosen == "spawn" or hasattr(os, "fork") else "spawn"
    return "fork" if sys.platform.startswith("linux") else "spawn"


@dataclass
class Ending:
    """How a grading process ended: an exit status, or the signal that ended it."""

    code: int | None = None
    signal_name: str | None = None

    def how(self) -> str:
        if self.signal_name == "SIGKILL":
            return "it was killed (SIGKILL), which usually means it used up the memory"
        if self.signal_name in HARD_CRASHES:
            return f"the Python interpreter crashed ({self.signal_name})"
        if self.signal_name:
            return f"the signal {self.signal_name} ended it"
        if self.code is None:
            return "it stopped without saying why"
        return f"it exited with status {self.code} (os._exit or a crash)"


def seconds(amount: float) -> str:
    return "1 second" if amount == 1 else f"{amount:g} seconds"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


class _Process:
    """A started grading process, its message queue, and how to end its whole group."""

    def __init__(self, pid: int, read_fd: int, popen: subprocess.Popen[bytes] | None = None) -> None:
        self.pid = pid
        self.popen = popen
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        channel.read_into(read_fd, self.messages)
        self.ending: Ending | None = None
        self.reaped = False

    def has_ended(self) -> bool:
        """True once the process itself is gone (looked at without reaping it, where possible)."""
        if self.ending is not None:
            return True
        if self.popen is not None:
            code = self.popen.poll()
            if code is None:
                return False
            self.reaped = True
            self.ending = Ending(signal_name=_signal_name(-code)) if code < 0 else Ending(code=code)
            return True
        try:
            info = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            self.ending = Ending(code=None)
            return True
        if info is None:
            return False
        if info.si_code == os.CLD_EXITED:
            self.ending = Ending(code=info.si_status)
        else:
            self.ending = Ending(signal_name=_signal_name(info.si_status))
        return True

    def wait_for_ending(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.has_ended() and time.monotonic() < deadline:
            time.sleep(0.01)

    def end_group(self) -> None:
        """End the process and everything it started that is still in its group; then reap it."""
        if hasattr(os, "killpg"):
            with contextlib.suppress(OSError):
                os.killpg(self.pid, signal.SIGKILL)
        if self.popen is not None:
            if self.popen.poll() is None:
                self.popen.kill()
            self.popen.wait()
        elif not self.reaped:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
        self.reaped = True


def _fork(items: list[pytest.Item], capture: str, prepare: Any) -> _Process:
    from workshop.harness.child import run_forked
    from workshop.harness.warm import warm_up

    warm_up()
    read_fd, write_fd = os.pipe()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    # Objects the session already has stay where they are: the grading process's garbage
    # collector then leaves their pages alone, instead of copying most of the heap on its first pass.
    gc.freeze()
    with warnings.catch_warnings():
        # Python 3.12+ warns about forking a process with threads (the TUI's); the grading
        # process only runs this module's code and the learner's, never the other threads' locks.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid != 0:
        gc.unfreeze()
    if pid == 0:  # the grading process: it never returns from here
        try:
            os.close(read_fd)
            run_forked(items, write_fd, capture, prepare)
        finally:
            os._exit(70)
    os.close(write_fd)
    return _Process(pid, read_fd)


def _spawn(items: list[pytest.Item], spec_args: list[str], capture: str, stopped: str | None) -> _Process:
    config = items[0].config
    env = dict(os.environ)
    sealed_environment(env)
    env[SPEC_VARIABLE] = json.dumps({
        "args": [item.nodeid for item in items] + spec_args, "capture": capture, "stopped": stopped,
    })
    popen = subprocess.Popen(
        [sys.executable, "-c", "from workshop.harness.child import main; main()"],
        cwd=config.rootpath, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        start_new_session=hasattr(os, "setsid"),
        creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
    )
    assert popen.stdout is not None
    read_fd = os.dup(popen.stdout.fileno())
    popen.stdout.close()
    return _Process(popen.pid, read_fd, popen)


def _report(item: pytest.Item, when: str, outcome: str, longrepr: str | None = None,
            start: float | None = None) -> pytest.TestReport:
    now = time.time()
    start = now if start is None else start
    return pytest.TestReport(
        item.nodeid, item.location, {name: 1 for name in item.keywords}, outcome, longrepr, when,
        sections=[], duration=now - start, start=start, stop=now, user_properties=[],
    )


def failed_reports(item: pytest.Item, message: str, start: float | None = None) -> list[pytest.TestReport]:
    """The reports of a check that could not report for itself: set up, failed, torn down.

    The failure's duration runs from `start` (when the session began waiting for the check).
    """
    return [_report(item, "setup", "passed"), _report(item, "call", "failed", message, start),
            _report(item, "teardown", "passed")]


class ExerciseGrading:
    """One exercise's checks, run in grading processes, handed to the session check by check.

    `prepare(config, stopped)` runs in a forked process before its checks; `spec_args` are the
    pytest options a spawned one needs to grade the same files the same way.
    """

    def __init__(
        self, items: list[pytest.Item], *, timeout: float, capture: str, spec_args: list[str],
        prepare: Any, method: str | None = None,
    ) -> None:
        self.items = items
        self.timeout = timeout
        self.capture = capture
        self.spec_args = spec_args
        self.prepare = prepare
        self.method = method or start_method()
        self.process: _Process | None = None
        self.begun = False  # the session has asked for one of its checks
        self.ready: dict[str, list[pytest.TestReport]] = {}
        self.stopped: str | None = None  # why learner code last stopped its grading process
        self._waiting_since = time.time()

    def reports_for(self, item: pytest.Item) -> list[pytest.TestReport]:
        try:
            return self._reports_for(item)
        except BaseException:
            self.close()
            raise

    def start_ahead(self) -> None:
        """Start grading from the first check before the session asks for it."""
        if not self.begun and self.process is None:
            self.process = self._start(self.items[0])

    def close(self) -> None:
        if self.process is not None:
            self.process.end_group()
            self.process = None

    def _start(self, item: pytest.Item) -> _Process:
        remaining = self.items[self.items.index(item):]
        stopped = self.stopped
        if self.method == "spawn":
            return _spawn(remaining, self.spec_args, self.capture, stopped)
        return _fork(remaining, self.capture, lambda config: self.prepare(config, stopped))

    def _reports_for(self, item: pytest.Item) -> list[pytest.TestReport]:
        self.begun = True
        if item.nodeid in self.ready:
            return self.ready.pop(item.nodeid)
        self._waiting_since = time.time()
        if self.process is None:
            self.process = self._start(item)
        process = self.process
        call: str | None = None
        deadline = time.monotonic() + IDLE_SECONDS + self.timeout
        while True:
            message = self._next(process, deadline)
            kind = message["kind"]
            if kind == "begin":
                call = message["call"]
                deadline = message[channel.RECEIVED] + float(message["timeout"]) + GRACE_SECONDS
            elif kind == "end":
                call = None
                deadline = message[channel.RECEIVED] + IDLE_SECONDS + self.timeout
            elif kind == "item":
                reports = [self._restore(item, data) for data in message["reports"]]
                if message["nodeid"] == item.nodeid:
                    return reports
                self.ready[message["nodeid"]] = reports
            elif kind == "done":
                self.close()
                return failed_reports(item, "The grader did not report this check. This is a "
                                      "problem in the course, not in your code: please tell your "
                                      "instructor.", self._waiting_since)
            elif kind == "late":
                self.close()
                return self._stopped(item, self._hung_message(call))
            else:  # the process ended (or its pipe did) before this check's reports came
                process.wait_for_ending(1.0)
                process.end_group()
                self.process = None
                return self._stopped(item, self._ended_message(call, process.ending or Ending()))

    def _next(self, process: _Process, deadline: float) -> dict[str, Any]:
        """The next message that came by the deadline, else `late`; `closed` once the process is gone."""
        ended_at: float | None = None
        while True:
            now = time.monotonic()
            try:
                message = process.messages.get(timeout=max(0.0, min(0.05, deadline - now)))
            except queue.Empty:
                if now >= deadline:
                    return {"kind": "late"}
            else:
                return message if message.get(channel.RECEIVED, now) <= deadline else {"kind": "late"}
            if ended_at is None and process.has_ended():
                ended_at = time.monotonic()
                # What is left in the pipe still arrives; a fork holding it open does not stop us.
                if hasattr(os, "killpg"):
                    with contextlib.suppress(OSError):
                        os.killpg(process.pid, signal.SIGKILL)
            if ended_at is not None and time.monotonic() - ended_at > 1.0:
                return channel.CLOSED

    def _stopped(self, item: pytest.Item, message: str) -> list[pytest.TestReport]:
        self.stopped = message
        return failed_reports(item, message, self._waiting_since)

    def _hung_message(self, call: str | None) -> str:
        what = call or "Your code"
        return (
            f"{what} was still running after {seconds(self.timeout)}, so it was stopped. Look for "
            "a loop that never ends or a call that waits forever (a bare `except:` also catches "
            "the time limit, so it cannot stop a loop that retries for ever)."
        )

    def _ended_message(self, call: str | None, ending: Ending) -> str:
        if call is not None:
            return (
                f"{call} ended the Python process that was grading it before it returned: "
                f"{ending.how()}. Nothing it did could be checked, so this counts as failing. "
                "Return a value instead, and keep script-only code under "
                '`if __name__ == "__main__":`.'
            )
        return (
            f"The Python process grading your code ended in the middle of this check: {ending.how()}. "
            "Look for os._exit(), os.kill() or a thread of yours that ends the process; "
            "this counts as failing."
        )

    def _restore(self, item: pytest.Item, data: dict[str, Any]) -> pytest.TestReport:
        report = item.config.hook.pytest_report_from_serializable(config=item.config, data=data)
        assert isinstance(report, pytest.TestReport)
        return report
