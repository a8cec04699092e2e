"""Exercise 09 · Errors and retries

1. make_client(): a client using MAX_RETRIES and TIMEOUT.
2. ask(question): send it with make_client(); return the reply's text.
3. ask(question): on failure, return one sentence instead (README table).

Lesson: docs/lessons/10-errors-and-retries.md    Grade: pytest exercises/09_errors_retries
"""

import openai
from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL

MAX_RETRIES = 3
TIMEOUT = 20  # seconds


def make_client() -> OpenAI:
    # TODO 1: pass max_retries and timeout.
    raise NotImplementedError("TODO 1: make_client")


def ask(question: str) -> str:
    # TODO 2: one user message to MODEL.
    # TODO 3: catch the most specific errors first.
    raise NotImplementedError("TODO 2: ask")


def main() -> None:
    print(ask("What should I pack for three days in Lisbon in November?"))


if __name__ == "__main__":
    run_script(main)
