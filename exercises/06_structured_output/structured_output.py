"""Exercise 06 · Structured output

Get JSON from the model, and check it before trusting it.
  1. TRIP_SCHEMA: make it fit for strict mode.
  2. ask_json(question): JSON mode; return the reply parsed into a dict.
  3. parse_trip(content): the trip dict, or None if it is not JSON matching TRIP_SCHEMA.
  4. extract_trip(text): ask for TRIP_SCHEMA, strictly; return parse_trip(reply text).

Lesson: docs/lessons/08-structured-output.md    Grade: pytest exercises/06_structured_output
"""

import json

from openai import OpenAI

from workshop.script import run_script
from workshop.settings import MODEL

# TODO 1: add "required" and "additionalProperties".
TRIP_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
}


def ask_json(question: str) -> dict:
    # TODO 2: the messages must mention JSON; response_format={"type": "json_object"}.
    raise NotImplementedError("TODO 2: ask_json")


def parse_trip(content: str) -> dict | None:
    # TODO 3: never crash: bad JSON, or a wrong or missing "city" (str) or "days" (int) -> None.
    raise NotImplementedError("TODO 3: parse_trip")


def extract_trip(text: str) -> dict | None:
    # TODO 4: response_format type "json_schema": a name, TRIP_SCHEMA, strict.
    raise NotImplementedError("TODO 4: extract_trip")


def main() -> None:
    print(ask_json("Which city is the Belém Tower in?"))
    print(extract_trip("Four days in Lisbon next spring, please."))


if __name__ == "__main__":
    run_script(main)
