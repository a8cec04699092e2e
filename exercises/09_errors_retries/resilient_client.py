"""Exercise 09 · Errors and retries

Ask the model; when something goes wrong, tell the user in one sentence, never a traceback.
  1. make_client(): a client with max_retries=MAX_RETRIES and timeout=TIMEOUT.
  2. ask(question): send the question with make_client(); return the reply's text.
  3. ask(question): catch each failure and return one sentence about it instead.

Lesson: docs/lessons/10-errors-and-retries.md    Grade: pytest exercises/09_errors_retries
"""

import openai
from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL

MAX_RETRIES = 3
TIMEOUT = 20  # seconds


def make_client() -> OpenAI:
    # TODO 1: the client retries and times out by itself; say how often and how long.
    raise NotImplementedError("TODO 1: make_client")


def ask(question: str) -> str:
    # TODO 2: one user message to MODEL, sent with make_client().
    # TODO 3: catch the most specific errors first (the README has the list).
    raise NotImplementedError("TODO 2: ask")


def main() -> None:
    print(ask("What should I pack for three days in Lisbon in November?"))


if __name__ == "__main__":
    run_script(main)
