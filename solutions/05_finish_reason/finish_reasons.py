"""Exercise 05 · Finish reasons and output limits (reference solution)."""

from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL

MAX_REQUESTS = 3
CONTINUE = "Continue exactly where you stopped."


class IncompleteAnswer(Exception):
    """IncompleteAnswer(finish_reason, text): the answer is not whole."""


def send(messages: list[dict], max_tokens: int) -> tuple[str, str]:
    with OpenAI() as client:
        response = client.chat.completions.create(
            model=MODEL, messages=messages, max_completion_tokens=max_tokens
        )
    choice = response.choices[0]
    return choice.message.content or "", choice.finish_reason


def ask(question: str, max_tokens: int) -> str:
    messages = [{"role": "user", "content": question}]
    parts = []
    for _ in range(MAX_REQUESTS):
        text, finish_reason = send(messages, max_tokens)
        parts.append(text)
        if finish_reason != "length":
            break
        messages += [
            {"role": "assistant", "content": text},
            {"role": "user", "content": CONTINUE},
        ]
    answer = "".join(parts)
    if finish_reason != "stop":
        raise IncompleteAnswer(finish_reason, answer)
    return answer


def main() -> None:
    try:
        print(ask("What should I pack for a week in Iceland?", max_tokens=40))
    except IncompleteAnswer as error:
        print(f"Incomplete ({error.args[0]}): {error.args[1]}")


if __name__ == "__main__":
    run_script(main)
