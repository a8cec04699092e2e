"""`workshop run`: run an exercise as a script, against the configured provider or the practice model.

With a provider configured (in the environment or `.env`) the script talks to it. With nothing
configured, the offline practice model starts in the background and the script talks to it
instead, so every learner can watch their code get an answer without an account. The rule and its
one-line notice are `workshop.script`'s, shared with `run_file`.

The same module starts `workshop practice-server` and `workshop run --solutions`, whose work is
done by `workshop.simulation.server` and `workshop.commands.solutions_report`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from workshop import providers, settings
from workshop.catalog import Exercise, find_exercise
from workshop.commands.workspace import Workspace, shown
from workshop.settings import REPO_ROOT


class RunRefused(Exception):
    """The script cannot be run; the message says why in one sentence."""


@dataclass(frozen=True)
class ScriptRun:
    argv: list[str]
    env: dict[str, str]
    note: str  # one line: what runs, and against which model


def script_path(exercise: Exercise, workspace: Workspace | None = None) -> Path:
    script = (workspace or Workspace()).file(exercise)
    if not script.exists():
        raise RunRefused(f"{shown(script)} is missing: `workshop reset {exercise.number}` puts the "
                         "stub back.")
    return script


@contextlib.contextmanager
def script_run(
    exercise: Exercise, workspace: Workspace | None = None, environ: Mapping[str, str] | None = None
) -> Iterator[ScriptRun]:
    """How to run an exercise's script; starts the practice model for as long as it is needed."""
    from workshop import script

    path = script_path(exercise, workspace)
    argv = [sys.executable, str(path)]
    env = {**(os.environ if environ is None else environ), "PYTHONUNBUFFERED": "1"}
    settings.tidy_environment(env)
    if not providers.needs_practice_model(env):
        yield ScriptRun(argv, env, f"Running {shown(path)} against {providers.current(env).label}.")
        return
    from workshop.simulation import server as practice_server

    with contextlib.ExitStack() as stack:
        try:
            base_url = stack.enter_context(practice_server.running_in_background())
        except OSError as error:
            raise RunRefused(f"The offline practice model could not start ({error}).") from error
        env = {**providers.practice_environment(base_url, env), "PYTHONUNBUFFERED": "1"}
        yield ScriptRun(argv, env, script.practice_notice(base_url))


def start_streaming(run: ScriptRun) -> subprocess.Popen[str]:
    """Start the script with its output (errors included) coming back line by line on a pipe."""
    return subprocess.Popen(
        run.argv, env=run.env, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace", bufsize=1,
    )


def run_command(console: Console, key: str, workspace: Workspace | None = None) -> int:
    """Run the script in this terminal; its output streams straight through."""
    from workshop import script

    exercise = find_exercise(key)
    try:
        return script.run_file(script_path(exercise, workspace))
    except RunRefused as refusal:
        console.print(str(refusal))
        return 1


def solutions_command(console: Console, live: bool) -> int:
    """Every reference solution against the practice model (or the provider, `live`): tokens and cost."""
    from workshop.commands import solutions_report

    return int(solutions_report.main(live=live) or 0)


def practice_server_command(console: Console, args: argparse.Namespace) -> int:
    """Serve the offline practice model in the foreground until Ctrl+C."""
    from workshop.simulation import server as practice_server

    try:
        practice_server.serve_from_arguments(args)
        return 0
    except SystemExit as stop:  # the server's own one-sentence refusal, such as a busy port
        if isinstance(stop.code, str):
            console.print(stop.code)
            return 1
        return int(stop.code or 0)
