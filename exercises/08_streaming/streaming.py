"""Exercise 08 · Streaming

Show the reply while the model writes it, then read what it cost.
  1. show(text): print one piece at once, with no line break after it.
  2. stream_reply(question, on_text): send the question with stream=True, usage included.
  3. stream_reply: give each piece to on_text as it arrives; return (whole reply, usage).

Lesson: docs/lessons/09-streaming.md    Grade: pytest exercises/08_streaming
"""

from collections.abc import Callable

from openai import OpenAI
from openai.types import CompletionUsage

from workshop.script import run_script
from workshop.settings import MODEL


def show(text: str) -> None:
    # TODO 1: print text on the same line, and flush it so it appears now.
    raise NotImplementedError("TODO 1: show")


def stream_reply(question: str, on_text: Callable[[str], None] = show) -> tuple[str, CompletionUsage]:
    # TODO 2: send the question to MODEL as a stream, asking for usage (stream_options).
    # TODO 3: on_text(piece) as each arrives; the last chunk has no choices, only usage.
    raise NotImplementedError("TODO 2: stream_reply")


def main() -> None:
    reply, usage = stream_reply("What should I pack for three days in Lisbon in November?")
    print(f"\n\n({len(reply)} characters, {usage.total_tokens} tokens)")


if __name__ == "__main__":
    run_script(main)
