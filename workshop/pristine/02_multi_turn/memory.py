"""Exercise 02 · Multi-turn memory

1. __init__: self.messages holds one system message.
2. send(text): add the user message, send self.messages, add the reply; return it.
3. reset(): keep only the system message.

Lesson: docs/lessons/03-conversation-history.md    Grade: pytest exercises/02_multi_turn
"""

from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL


class Conversation:
    def __init__(self, system_prompt: str):
        # TODO 1: start the history.
        raise NotImplementedError("TODO 1: __init__")

    def send(self, text: str) -> str:
        # TODO 2: one turn.
        raise NotImplementedError("TODO 2: send")

    def reset(self):
        # TODO 3: start over.
        raise NotImplementedError("TODO 3: reset")


def main() -> None:
    chat = Conversation("You are a friendly assistant.")
    print(chat.send("Hi, my name is Ada."))
    print(chat.send("What is my name?"))


if __name__ == "__main__":
    run_script(main)
