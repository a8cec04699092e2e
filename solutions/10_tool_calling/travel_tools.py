"""Exercise 10 · Tool calling (reference solution)."""

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
                "required": ["city"],
                "additionalProperties": False,
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "convert_currency",
            "description": "Convert an amount of money from one currency to another.",
            "strict": True,
            "parameters": {
                "type": "object",
                "properties": {
                    "amount": {"type": "number"},
                    "from_currency": {"type": "string", "description": "A code such as USD."},
                    "to_currency": {"type": "string", "description": "A code such as EUR."},
                },
                "required": ["amount", "from_currency", "to_currency"],
                "additionalProperties": False,
            },
        },
    },
]

FUNCTIONS = {"get_weather": get_weather, "convert_currency": convert_currency}


def run_tool(name: str, arguments: str) -> str:
    function = FUNCTIONS.get(name)
    if function is None:
        return json.dumps({"error": f"There is no tool named {name!r}."})
    try:
        values = json.loads(arguments)
    except json.JSONDecodeError:
        return json.dumps({"error": "The arguments are not valid JSON."})
    if not isinstance(values, dict):
        return json.dumps({"error": "The arguments must be a JSON object."})
    try:
        result = function(**values)
    except TypeError:
        return json.dumps({"error": f"Wrong arguments for {name}: {arguments}"})
    return json.dumps(result)


def ask(question: str, max_rounds: int = 5) -> str:
    messages = [
        {"role": "system", "content": "You are a travel assistant. Use the tools for facts."},
        {"role": "user", "content": question},
    ]
    with OpenAI() as client:
        for _ in range(max_rounds):
            response = client.chat.completions.create(model=MODEL, messages=messages, tools=TOOLS)
            message = response.choices[0].message
            if not message.tool_calls:
                return message.content
            messages.append({
                "role": "assistant",
                "content": message.content,
                "tool_calls": [call.model_dump() for call in message.tool_calls],
            })
            for call in message.tool_calls:
                result = run_tool(call.function.name, call.function.arguments)
                messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
    raise RuntimeError(f"The model had no answer after {max_rounds} rounds of tool calls.")


def main() -> None:
    print(ask("What's the weather in Rome today, and how much is 100 USD in EUR?"))


if __name__ == "__main__":
    run_script(main)
