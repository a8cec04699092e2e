"""Exercise 08 · Streaming

1. show(text): print it at once, with no line break.
2. stream_reply(): a stream=True request that includes usage.
3. stream_reply(): on_text(piece) per piece; return (whole reply, usage).

Lesson: docs/lessons/09-streaming.md    Grade: pytest exercises/08_streaming
"""

from collections.abc import Callable

from openai import OpenAI
from openai.types import CompletionUsage

from workshop.script import run_script
from workshop.settings import MODEL


def show(text: str) -> None:
    # TODO 1: use print's end and flush arguments.
    raise NotImplementedError("TODO 1: show")


def stream_reply(question: str, on_text: Callable[[str], None] = show) -> tuple[str, CompletionUsage]:
    # TODO 2: stream_options asks for usage.
    # TODO 3: the last chunk has no choices, only usage.
    raise NotImplementedError("TODO 2: stream_reply")


def main() -> None:
    reply, usage = stream_reply("What should I pack for three days in Lisbon in November?")
    print(f"\n\n({len(reply)} characters, {usage.total_tokens} tokens)")


if __name__ == "__main__":
    run_script(main)
