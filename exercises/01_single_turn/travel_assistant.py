"""Exercise 01 · Single-turn travel assistant

Answer one traveller's question with one Chat Completions request.
  1. SYSTEM_PROMPT: describe your travel assistant.
  2. build_messages(question): a system message, then the question as a user message.
  3. ask(question): send those messages to MODEL and return the reply's text.

Lesson: docs/lessons/02-messages-and-roles.md    Grade: pytest exercises/01_single_turn
"""

from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL

# TODO 1: describe the assistant: who it is and how it should answer.
SYSTEM_PROMPT = ""


def build_messages(question: str) -> list[dict]:
    # TODO 2: return [system message, user message]; each is a dict with "role" and "content".
    raise NotImplementedError("TODO 2: build_messages")


def ask(question: str) -> str:
    # TODO 3: send build_messages(question) to MODEL with a client, and return the reply's text.
    raise NotImplementedError("TODO 3: ask")


def main() -> None:
    print(ask("What should I pack for three days in Lisbon in November?"))


if __name__ == "__main__":
    run_script(main)
