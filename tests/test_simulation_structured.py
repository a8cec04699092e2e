"""Structured output from the practice server, driven the way the SDK's `parse()`, LangChain's
json_mode and with_structured_output, and LiteLLM's streaming usage drive it."""

from __future__ import annotations

import datetime
import json
import math
import re
import uuid
from collections.abc import Iterator
from typing import Annotated

import openai
import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from pydantic import BaseModel, Field

from workshop.simulation import complete
from workshop.simulation.patterns import string_matching
from workshop.simulation.server import PracticeServer


@pytest.fixture(scope="module")
def client() -> Iterator[openai.OpenAI]:
    with PracticeServer(port=0, stream_delay=0) as server, openai.OpenAI(
        base_url=server.base_url, api_key="k", max_retries=0, timeout=10
    ) as sdk:
        yield sdk


def test_json_mode_returns_the_keys_the_messages_ask_for(client):
    # LangChain's json_mode: response_format json_object, the keys named in the prompt.
    messages = [
        {"role": "system", "content": 'Reply in JSON with the keys "city", "days" and "tips".'},
        {"role": "user", "content": "We'd like four days in Lisbon."},
    ]
    response = client.chat.completions.create(model="llama3.2", messages=messages,
                                              response_format={"type": "json_object"})
    data = json.loads(response.choices[0].message.content)
    assert list(data) == ["city", "days", "tips"]
    assert data["city"] == "Lisbon" and data["days"] == 4 and isinstance(data["tips"], list)


def test_json_mode_keys_listed_in_words():
    messages = [{"role": "user", "content": "Return JSON with keys name and destination. I'm Priya, "
                                            "going to Porto."}]
    body = {"model": "m", "messages": messages, "response_format": {"type": "json_object"}}
    data = json.loads(complete(body)["choices"][0]["message"]["content"])
    assert data == {"name": "Priya", "destination": "Porto"}


class Flight(BaseModel):
    code: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    number: Annotated[str, Field(pattern=r"^[A-Z]{2}\d{3,4}$")]
    booking: Annotated[str, Field(pattern=r"^[A-Z0-9]{6}$", min_length=6, max_length=6)]
    email: str = Field(json_schema_extra={"format": "email"})
    departs: datetime.datetime
    day: datetime.date
    ticket: uuid.UUID
    price: float = Field(gt=10.5, lt=99.9, multiple_of=0.25)
    seats: int = Field(ge=2, le=9, multiple_of=3)
    score: float = Field(ge=0, le=1, multiple_of=0.1)
    gate: str | None


class Itinerary(BaseModel):
    city: str
    days: int = Field(ge=1, le=30)
    flights: list[Flight] = Field(min_length=1, max_length=2)


def test_parse_with_a_pydantic_model_never_raises_and_keeps_every_keyword(client):
    # with_structured_output and the SDK's parse(): a strict json_schema from the model.
    completion = client.chat.completions.parse(
        model="llama3.2",
        messages=[{"role": "user", "content": "Plan five days in Lisbon with a flight."}],
        response_format=Itinerary,
    )
    trip = completion.choices[0].message.parsed
    assert isinstance(trip, Itinerary)
    assert trip.city == "Lisbon" and trip.days == 5
    flight = trip.flights[0]
    assert re.fullmatch(r"[A-Z]{3}", flight.code) and re.fullmatch(r"[A-Z]{2}\d{3,4}", flight.number)
    assert 10.5 < flight.price < 99.9 and (flight.price / 0.25).is_integer()
    assert flight.seats % 3 == 0 and math.isclose(round(flight.score / 0.1), flight.score / 0.1)


@pytest.mark.parametrize(
    "pattern",
    [r"^[A-Z]{3}$", r"^\d{4}-\d{2}$", r"^(LIS|OPO|FAO)$", r"^[a-z]+(-[a-z]+)*$", r"^\+?[0-9 ]{7,12}$",
     r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", r"colour|color", r"^(?:ab)+c?$", r"^\w{2}\s\W$"],
)
def test_generated_strings_match_their_pattern(pattern):
    value = string_matching(pattern, "Happy to help with your trip.")
    assert value is not None and re.search(pattern, value)


def test_a_pattern_with_length_bounds_is_kept_within_them():
    value = string_matching(r"^[A-Z]+$", "text", least=5, most=8)
    assert value is not None and 5 <= len(value) <= 8 and value.isupper()


def test_a_loose_pattern_keeps_the_replys_words():
    assert string_matching(r"trip", "Happy to help with your trip.") == "Happy to help with your trip."


def test_streaming_usage_arrives_last_as_litellm_reads_it(client):
    stream = client.chat.completions.create(
        model="llama3.2", messages=[{"role": "user", "content": "What should I pack for Rome?"}],
        stream=True, stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert all(isinstance(chunk, ChatCompletionChunk) for chunk in chunks)
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens > 0
    assert all(chunk.usage is None for chunk in chunks[:-1])


def test_completions_still_validate_against_the_sdks_types_with_every_new_field(client):
    raw = client.chat.completions.with_raw_response.create(
        model="llama3.2", messages=[{"role": "user", "content": "Any tips for Rome?"}],
        logprobs=True, top_logprobs=3, n=2, presence_penalty=0.5,
    )
    completion = ChatCompletion.model_validate(raw.http_response.json())
    assert all(choice.logprobs and choice.logprobs.content for choice in completion.choices)
