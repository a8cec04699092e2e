"""Exercise 05 · Finish reasons and output limits

Never pass off a cut-off or withheld reply as a whole answer.
  1. send(messages, max_tokens): one request with max_completion_tokens=max_tokens;
     return (text, finish_reason).
  2. ask(question, max_tokens): "stop": return the text. "content_filter": raise
     IncompleteAnswer("content_filter", text).
  3. ask on "length": send the part back as an assistant message, then CONTINUE, and join
     the parts; after MAX_REQUESTS requests raise IncompleteAnswer("length", text).

Lesson: docs/lessons/06-finish-reason.md    Grade: pytest exercises/05_finish_reason
"""

from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL

MAX_REQUESTS = 3
CONTINUE = "Continue exactly where you stopped."


class IncompleteAnswer(Exception):
    """IncompleteAnswer(finish_reason, text): the answer is not whole."""


def send(messages: list[dict], max_tokens: int) -> tuple[str, str]:
    # TODO 1: return the first choice's text and finish_reason.
    raise NotImplementedError("TODO 1: send")


def ask(question: str, max_tokens: int) -> str:
    # TODO 2: one request; act on its finish_reason.
    # TODO 3: on "length", ask to continue, up to MAX_REQUESTS requests.
    raise NotImplementedError("TODO 2: ask")


def main() -> None:
    try:
        print(ask("What should I pack for a week in Iceland?", max_tokens=40))
    except IncompleteAnswer as error:
        print(f"Incomplete ({error.args[0]}): {error.args[1]}")


if __name__ == "__main__":
    run_script(main)
