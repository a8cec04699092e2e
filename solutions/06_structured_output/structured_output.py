"""Exercise 06 · Structured output (reference solution)."""

import json

from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL

TRIP_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
    "required": ["city", "days"],
    "additionalProperties": False,
}


def ask_json(question: str) -> dict:
    messages = [
        {"role": "system", "content": 'Reply with a JSON object with one key, "answer".'},
        {"role": "user", "content": question},
    ]
    with OpenAI() as client:
        response = client.chat.completions.create(
            model=MODEL, messages=messages, response_format={"type": "json_object"}
        )
    return json.loads(response.choices[0].message.content)


def parse_trip(content: str) -> dict | None:
    try:
        trip = json.loads(content)
    except json.JSONDecodeError:
        return None
    if not isinstance(trip, dict):
        return None
    days = trip.get("days")
    if not isinstance(trip.get("city"), str) or not isinstance(days, int) or isinstance(days, bool):
        return None  # a JSON true is a bool, and Python counts a bool as an int
    return trip


def extract_trip(text: str) -> dict | None:
    messages = [
        {"role": "system", "content": "Extract the city and the number of days of the trip."},
        {"role": "user", "content": text},
    ]
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "trip", "schema": TRIP_SCHEMA, "strict": True},
    }
    with OpenAI() as client:
        response = client.chat.completions.create(
            model=MODEL, messages=messages, response_format=response_format
        )
    return parse_trip(response.choices[0].message.content)


def main() -> None:
    print(ask_json("Which city is the Belém Tower in?"))
    trip = extract_trip("We'd like to spend four days in Lisbon next spring.")
    print(trip if trip is not None else "The reply did not match the trip schema.")


if __name__ == "__main__":
    run_script(main)
