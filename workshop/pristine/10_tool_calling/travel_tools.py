"""Exercise 10 · Tool calling

1. TOOLS: make get_weather fit for strict mode; add convert_currency.
2. run_tool(name, arguments): run the named function; always return a JSON string.
3. ask(question): send TOOLS, run every call the model asks for, send the results back,
   and repeat until the model answers in text; return that text.
4. ask(question, max_rounds): raise RuntimeError after max_rounds rounds without an answer.

Lesson: docs/lessons/11-tool-calling.md    Grade: pytest exercises/10_tool_calling
"""

import json

from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL

# Canned data, so the tools answer the same way every time (a real app would call a service).
WEATHER = {
    "Oslo": {"temperature_c": 4, "conditions": "light rain"},
    "Rome": {"temperature_c": 18, "conditions": "sunny"},
    "Lisbon": {"temperature_c": 16, "conditions": "partly cloudy"},
}
EUROS_PER_UNIT = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "NOK": 0.085, "JPY": 0.0062}


def get_weather(city: str) -> dict:
    """Today's weather in `city`, or an error for a city without data."""
    if city not in WEATHER:
        return {"error": f"No weather data for {city!r}."}
    return {"city": city, **WEATHER[city]}


def convert_currency(amount: float, from_currency: str, to_currency: str) -> dict:
    """`amount` converted between two currencies, or an error for a currency without a rate."""
    for code in (from_currency, to_currency):
        if code not in EUROS_PER_UNIT:
            return {"error": f"No exchange rate for {code!r}."}
    converted = amount * EUROS_PER_UNIT[from_currency] / EUROS_PER_UNIT[to_currency]
    return {"amount": amount, "from_currency": from_currency, "to_currency": to_currency,
            "converted": round(converted, 2)}


# TODO 1: "required" and "additionalProperties" here; then a second tool, convert_currency.
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get today's weather in a city.",
            "strict": True,
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string", "description": "The city, such as Rome."}},
            },
        },
    },
]


def run_tool(name: str, arguments: str) -> str:
    # TODO 2: an unknown tool or bad arguments give a JSON error object, never an exception.
    raise NotImplementedError("TODO 2: run_tool")


def ask(question: str, max_rounds: int = 5) -> str:
    # TODO 3: the assistant message with its tool_calls, then one tool message per call.
    # TODO 4: at most max_rounds requests, then RuntimeError.
    raise NotImplementedError("TODO 3: ask")


def main() -> None:
    print(ask("What's the weather in Rome today, and how much is 100 USD in EUR?"))


if __name__ == "__main__":
    run_script(main)
