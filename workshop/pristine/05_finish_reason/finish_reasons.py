"""Exercise 05 · Finish reasons and output limits

1. send(): one request with max_completion_tokens; return (text, finish_reason).
2. ask(): on "stop" return the text; on "content_filter" raise IncompleteAnswer.
3. ask(): on "length" send CONTINUE and join the parts; at most MAX_REQUESTS requests.

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
    # TODO 1: max_completion_tokens, not max_tokens (the old name).
    raise NotImplementedError("TODO 1: send")


def ask(question: str, max_tokens: int) -> str:
    # TODO 2: act on the finish_reason.
    # TODO 3: on "length", send the part back, then CONTINUE.
    raise NotImplementedError("TODO 2: ask")


def main() -> None:
    try:
        print(ask("What should I pack for a week in Iceland?", max_tokens=40))
    except IncompleteAnswer as error:
        print(f"Incomplete ({error.args[0]}): {error.args[1]}")


if __name__ == "__main__":
    run_script(main)
