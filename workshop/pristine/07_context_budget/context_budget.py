"""Exercise 07 · Context management

1. split_turns(messages): the messages after the system one, as turns.
2. trim_to_budget(messages, budget): system message + newest whole turns that fit.
3. reply(messages, budget): send the trimmed list; return the reply's text.

Lesson: docs/lessons/08-context-management.md    Grade: pytest exercises/07_context_budget
"""

from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL
from workshop.tokens import count_message_tokens


def split_turns(messages: list[dict]) -> list[list[dict]]:
    # TODO 1: a user message starts a turn; its reply joins it.
    raise NotImplementedError("TODO 1: split_turns")


def trim_to_budget(messages: list[dict], budget: int) -> list[dict]:
    # TODO 2: newest first, while count_message_tokens(...) <= budget.
    raise NotImplementedError("TODO 2: trim_to_budget")


def reply(messages: list[dict], budget: int) -> str:
    # TODO 3: leave messages as it is: main() adds the reply.
    raise NotImplementedError("TODO 3: reply")


def main() -> None:
    history = [{"role": "system", "content": "You are a friendly travel assistant. Answer briefly."}]
    for text in ("Hi, my name is Ada.", "What should I pack for Lisbon?", "What is my name?"):
        history.append({"role": "user", "content": text})
        history.append({"role": "assistant", "content": reply(history, budget=80)})
        print(f"> {text}\n{history[-1]['content']}")


if __name__ == "__main__":
    run_script(main)
