"""The grading process of one exercise: sealed, it runs the exercise's checks and reports each one.

It is started for one exercise and ended with it, by `isolation` in the session that owns the
verdict: forked from that session where fork is safe (so its imports come warm), or spawned as a
new interpreter (`python -c "from workshop.harness.child import main; main()"`) elsewhere. Either
way it says when learner code starts and stops running, so the session can end it at the time
limit, and it sends each check's pytest reports, serialised, as soon as the check has run.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import sys
from typing import Any, NoReturn

import pytest
from _pytest.runner import runtestprotocol

from workshop.harness import sandbox
from workshop.harness.channel import Sender
from workshop.harness.sealing import seal

SPEC_VARIABLE = "WORKSHOP_GRADING_CHILD"
PR_SET_PDEATHSIG = 1


class _CallReporter:
    """Tells the session when learner code starts and stops, so it can time it from outside."""

    def __init__(self, sender: Sender) -> None:
        self.sender = sender

    def began(self, call: str, timeout: float) -> None:
        self.sender.send({"kind": "begin", "call": call, "timeout": timeout})

    def ended(self) -> None:
        self.sender.send({"kind": "end"})


def _die_with_parent() -> None:
    """On Linux, end this process if the session that started it is gone."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _quiet_terminal() -> None:
    """Output that bypasses pytest's capture (C code, subprocesses) must not reach the terminal."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def run_items(items: list[pytest.Item], sender: Sender) -> None:
    """Run each check in order and send its reports the moment it is done."""
    sandbox.observer = _CallReporter(sender)
    for index, item in enumerate(items):
        following = items[index + 1] if index + 1 < len(items) else None
        reports = runtestprotocol(item, nextitem=following, log=False)
        hook, config = item.config.hook, item.config
        serialised = [hook.pytest_report_to_serializable(config=config, report=r) for r in reports]
        sender.send({"kind": "item", "nodeid": item.nodeid, "reports": serialised})
    sender.send({"kind": "done"})


def run_forked(items: list[pytest.Item], write_fd: int, capture: str, prepare: Any) -> NoReturn:
    """The forked grading process: seal, run, report, and end without running any exit handler."""
    code = 0
    try:
        os.setsid()
        seal()
        _die_with_parent()
        if capture == "sys":
            _quiet_terminal()
        if items:
            prepare(items[0].config)
        run_items(items, Sender(write_fd))
    except BaseException:  # whatever happens here, the session sees the pipe end and says why
        code = 70
    os._exit(code)


class _ChildSession:
    """The plugin of a spawned grading process: run the selected checks, report, print nothing."""

    def __init__(self, sender: Sender, prepare: Any) -> None:
        self.sender = sender
        self.prepare = prepare

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        self.prepare(session.config)
        run_items(list(session.items), self.sender)
        return True


def main() -> NoReturn:
    """The spawned grading process: its standard output is the channel to the session."""
    sender = Sender(os.dup(1))
    spec = json.loads(os.environ.pop(SPEC_VARIABLE))
    if spec["capture"] == "no":
        os.dup2(2, 1)
    else:
        _quiet_terminal()
    seal()
    _die_with_parent()
    from workshop.harness import plugin

    code = 0
    try:
        prepare = plugin.child_preparation(spec.get("stopped"))
        pytest.main(spec["args"], plugins=[_ChildSession(sender, prepare)])
    except BaseException:
        code = 70
    os._exit(code)
