"""Exercise 06 · Structured output

1. TRIP_SCHEMA: make it fit for strict mode.
2. ask_json(question): JSON mode; return the reply as a dict.
3. parse_trip(content): the trip dict, or None if it is not a valid trip.
4. extract_trip(text): ask for TRIP_SCHEMA in strict mode; return parse_trip(reply).

Lesson: docs/lessons/07-structured-output.md    Grade: pytest exercises/06_structured_output
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
    # TODO 2: the messages must ask for JSON too.
    raise NotImplementedError("TODO 2: ask_json")


def parse_trip(content: str) -> dict | None:
    # TODO 3: never raise; bad JSON or a missing or wrong "city"/"days" gives None.
    raise NotImplementedError("TODO 3: parse_trip")


def extract_trip(text: str) -> dict | None:
    # TODO 4: a "json_schema" response_format: name, schema, strict.
    raise NotImplementedError("TODO 4: extract_trip")


def main() -> None:
    print(ask_json("Which city is the Belém Tower in?"))
    print(extract_trip("Four days in Lisbon next spring, please."))


if __name__ == "__main__":
    run_script(main)
