"""Exercise 01 · Single-turn travel assistant

1. SYSTEM_PROMPT: describe your assistant.
2. build_messages(question): a system message, then a user message.
3. ask(question): send them to MODEL; return the reply's text.

Lessons: docs/lessons/01-first-request.md, docs/lessons/02-messages-and-roles.md
Grade: pytest exercises/01_single_turn
"""

from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL

# TODO 1: who the assistant is and how it answers.
SYSTEM_PROMPT = ""


def build_messages(question: str) -> list[dict]:
    # TODO 2: each message is a dict with "role" and "content".
    raise NotImplementedError("TODO 2: build_messages")


def ask(question: str) -> str:
    # TODO 3: one request; return the text, not the response.
    raise NotImplementedError("TODO 3: ask")


def main() -> None:
    print(ask("What should I pack for three days in Lisbon in November?"))


if __name__ == "__main__":
    run_script(main)
