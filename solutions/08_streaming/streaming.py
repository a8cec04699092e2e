"""Exercise 08 · Streaming (reference solution)."""

from collections.abc import Callable

from openai import OpenAI
from openai.types import CompletionUsage

from workshop.script import run_script
from workshop.settings import MODEL


def show(text: str) -> None:
    print(text, end="", flush=True)


def stream_reply(question: str, on_text: Callable[[str], None] = show) -> tuple[str, CompletionUsage]:
    pieces = []
    usage = None
    with OpenAI() as client:
        stream = client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": question}],
            stream=True,
            stream_options={"include_usage": True},
        )
        for chunk in stream:
            if chunk.usage is not None:
                usage = chunk.usage
            if not chunk.choices:
                continue
            text = chunk.choices[0].delta.content
            if text:
                on_text(text)
                pieces.append(text)
    return "".join(pieces), usage


def main() -> None:
    reply, usage = stream_reply("What should I pack for three days in Lisbon in November?")
    print(f"\n\n({len(reply)} characters, {usage.total_tokens} tokens)")


if __name__ == "__main__":
    run_script(main)
