"""Running an exercise as a script: against the configured provider, with problems in one sentence.

Every exercise ends with `run_script(main)`. It checks the configuration in `.env` before any
request is sent, runs `main()`, and turns each expected failure (an unfinished TODO, a refused
key, a retired model, an unreachable server...) into one sentence and exit code 1. The sentences
come from `workshop.providers`; none of them contains the key.

`run_file` runs an exercise's file as `python <file>` would, against the practice model when
nothing is configured: it is what `workshop run ID` uses.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import openai

from workshop import providers, settings
from workshop.settings import REPO_ROOT

NO_PROVIDER = providers.NO_PROVIDER.format(command="workshop run ID")
UNFINISHED = "This exercise is not finished yet"


def run_script(main: Callable[[], None]) -> None:
    """Call an exercise's `main()`, turning every expected failure into a sentence and exit code 1."""
    settings.tidy_environment()
    problem = providers.configuration_problem(run_command=_run_command(main))
    if problem:
        sys.exit(problem)
    try:
        main()
    except NotImplementedError as error:
        sys.exit(f"{UNFINISHED} ({error}). Fill in its TODOs and run it again.")
    except openai.OpenAIError as error:
        sys.exit(explain_api_error(error))
    except KeyboardInterrupt:
        sys.exit("Stopped.")


def explain_api_error(error: openai.OpenAIError) -> str:
    """One sentence that names the problem and the fix, without ever echoing the key."""
    return providers.diagnose(error)


def _run_command(main: Callable[[], None]) -> str:
    """`workshop run NN` for the exercise whose file is running, as far as it can be told."""
    module = sys.modules.get(getattr(main, "__module__", "") or "")
    path = Path(getattr(module, "__file__", None) or sys.argv[0] or ".")
    try:
        from workshop.catalog import find_exercise

        return f"workshop run {find_exercise(path.parent.name).number}"
    except LookupError:
        return "workshop run ID"


def practice_notice(base_url: str) -> str:
    return (f"No API key is configured, so this runs against the offline practice model at "
            f"{base_url} (a simulation, not a real model).")


def run_file(
    path: Path, args: Sequence[str] = (), *, practice: bool | None = None, out: TextIO | None = None
) -> int:
    """Run `python <path> [args]` and return its exit code.

    With `practice=None`, the practice model answers when no key and no base URL are configured
    (saying so in one line); `practice=True` always uses it, `practice=False` never does.
    """
    command = [sys.executable, str(path), *args]
    use_practice = providers.needs_practice_model() if practice is None else practice
    if not use_practice:
        return subprocess.call(command, cwd=REPO_ROOT)
    from workshop.simulation.server import running_in_background

    with running_in_background() as base_url:
        print(practice_notice(base_url), file=out or sys.stdout, flush=True)
        return subprocess.call(command, cwd=REPO_ROOT, env=providers.practice_environment(base_url))
