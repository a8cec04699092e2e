"""`workshop try`: run a lesson's examples, or open a Python prompt with a client ready.

Every example in the lessons is written for `OpenAI()` and `MODEL`, so the same code runs against
whatever the environment configures. With no key and no base URL, this command starts the
offline practice model in this process (on 127.0.0.1) and points the SDK at it for as long as it
runs, so the lessons work on a train, and cost nothing. It always says which one answers.
"""

from __future__ import annotations

import code
import contextlib
import os
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console

from workshop import providers, settings
from workshop.lesson_code import CodeBlock, find_lesson, python_blocks

PROMPT_HELP = """\
Ready: `client` is an OpenAI client and `MODEL` is {model}.
Try, line by line:
    response = ask("What to see in Porto?")        # sends one request
    response.choices[0].message.content             # the text
    response.usage                                  # the tokens it used
    response.model_dump()                           # the whole response as a dict
ask(question, **params) passes params on to create(), e.g. ask("Hi", temperature=0).
Ctrl+D (Ctrl+Z then Enter on Windows) leaves."""


class TryRefused(Exception):
    """What was asked cannot be run; the message is one sentence that says why."""


@contextlib.contextmanager
def lesson_api() -> Iterator[str]:
    """Point the SDK at the configured provider, or at a practice model started for the occasion.

    Yields one line saying which answers. The environment is put back as it was afterwards.
    """
    settings.tidy_environment()
    if not providers.needs_practice_model():
        yield f"Sending requests to {providers.current().label}, with your key (it may cost money)."
        return
    from workshop.simulation.server import running_in_background

    saved = {name: os.environ.get(name) for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY")}
    try:
        with running_in_background() as base_url:
            os.environ.update(providers.practice_environment(base_url, {}))
            yield (f"No API key is configured, so the offline practice model answers at {base_url} "
                   "(a simulation, not a real model: free, and no network needed).")
    except OSError as error:
        raise TryRefused(f"The offline practice model could not start ({error}).") from error
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def prompt_namespace() -> dict[str, Any]:
    """What the Python prompt starts with: a client, the model, and a one-line way to ask."""
    import openai
    from openai import OpenAI

    client = OpenAI()

    def ask(question: str, **params: Any) -> Any:
        """Send one user message to MODEL and return the whole response object."""
        return client.chat.completions.create(
            model=settings.MODEL, messages=[{"role": "user", "content": question}], **params
        )

    return {"__name__": "__main__", "openai": openai, "OpenAI": OpenAI, "client": client,
            "MODEL": settings.MODEL, "ask": ask}


def interact(namespace: dict[str, Any], banner: str) -> None:
    """A Python prompt over `namespace`, showing response objects as readable, folded trees."""
    from rich import pretty

    previous = sys.displayhook
    pretty.install(max_length=20, max_string=400)
    try:
        code.interact(banner=banner, local=namespace, exitmsg="")
    finally:
        sys.displayhook = previous


def run_block(block: CodeBlock, namespace: dict[str, Any]) -> bool:
    """Run one block in `namespace`; False (after showing the error) when it raised."""
    import openai

    try:
        exec(block.compiled(), namespace)  # the lesson's own example, as the page shows it
    except openai.OpenAIError as error:
        print(f"{block.filename}, line {block.line}: {providers.diagnose(error)}", file=sys.stderr)
        return False
    except Exception:
        traceback.print_exc()
        return False
    return True


def chosen_blocks(path: Path, number: int | None) -> tuple[list[CodeBlock], list[CodeBlock]]:
    """(blocks to run quietly first, blocks to show) for `workshop try LESSON [BLOCK]`."""
    blocks = python_blocks(path)
    name = path.stem
    if not blocks:
        raise TryRefused(f"Lesson {name} has no Python examples.")
    if number is None:
        return [], [block for block in blocks if block.skip is None]
    if not 1 <= number <= len(blocks):
        raise TryRefused(f"Lesson {name} has {len(blocks)} Python examples, numbered 1 to "
                         f"{len(blocks)}; there is no example {number}.")
    chosen = blocks[number - 1]
    if chosen.skip is not None:
        raise TryRefused(f"Example {number} of lesson {name} is a fragment, not a program "
                         f"({chosen.skip}); try another one.")
    return [block for block in blocks[: number - 1] if block.skip is None], [chosen]


def run_lesson(console: Console, key: str, number: int | None, interactive: bool) -> int:
    """Run a lesson's examples in one namespace, as the page builds them up; exit code 0 if all ran."""
    path = find_lesson(key)
    earlier, shown = chosen_blocks(path, number)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    with lesson_api() as which:
        console.print(which)
        if earlier:
            before = "the example" if len(earlier) == 1 else f"the {len(earlier)} examples"
            console.print(f"First running {before} before it quietly: the page builds on them.")
            with open(os.devnull, "w", encoding="utf-8") as quiet, contextlib.redirect_stdout(quiet):
                for block in earlier:
                    if not run_block(block, namespace):
                        return 1
        all_ran = True
        for block in shown:
            position = python_blocks(path).index(block) + 1
            console.rule(f"{path.stem}, example {position} (docs/{block.page}, line {block.line})",
                         align="left")
            console.print(block.source.rstrip(), style="dim", markup=False, highlight=False)
            console.rule(style="dim")
            sys.stdout.flush()
            all_ran = run_block(block, namespace) and all_ran
            sys.stdout.flush()
        if interactive:
            names = ", ".join(sorted(n for n in namespace if not n.startswith("_"))) or "nothing"
            interact(namespace, f"The example's names are yours to poke at: {names}.\n"
                     "Ctrl+D leaves.")
    return 0 if all_ran else 1


def try_command(console: Console, lesson: str | None, block: int | None, interactive: bool) -> int:
    from workshop.lesson_code import UnknownLesson

    try:
        if lesson is None:
            if block is not None:
                raise TryRefused("Name the lesson first, as in `workshop try 04 2`.")
            with lesson_api() as which:
                console.print(which)
                interact(prompt_namespace(), PROMPT_HELP.format(model=settings.MODEL))
            return 0
        return run_lesson(console, lesson, block, interactive)
    except (TryRefused, UnknownLesson) as problem:
        print(problem, file=sys.stderr)
        return 2
