"""The simulated model calls tools like the API: which tool, which arguments, the loop's 400s,
streamed calls, the deprecated `functions`, and the faults graders queue, through the SDK too."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from workshop import tokens
from workshop.simulation import SimulatedAPIError, complete, stream_chunks
from workshop.simulation.api import SimulatedAPI
from workshop.simulation.faults import always_calls_tool, invalid_tool_arguments, unknown_tool_argument
from workshop.simulation.recording import RecordedRequest
from workshop.simulation.server import PracticeServer

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "strict": True,
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "The city, such as Oslo"}},
            "required": ["city"],
            "additionalProperties": False,
        },
    },
}
CURRENCY = {
    "type": "function",
    "function": {
        "name": "convert_currency",
        "description": "Convert an amount of money from one currency to another.",
        "strict": True,
        "parameters": {
            "type": "object",
            "properties": {
                "amount": {"type": "number"},
                "from_currency": {"type": "string", "description": "ISO code, such as EUR"},
                "to_currency": {"type": "string", "description": "ISO code, such as USD"},
            },
            "required": ["amount", "from_currency", "to_currency"],
            "additionalProperties": False,
        },
    },
}
TOOLS = [WEATHER, CURRENCY]


def ask(question: str, **options: Any) -> dict[str, Any]:
    request = {"model": "llama3.2", "messages": [{"role": "user", "content": question}],
               "tools": TOOLS, **options}
    completion = complete(request)
    ChatCompletion.model_validate(completion)
    return completion


def calls(completion: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    message = completion["choices"][0]["message"]
    return [(call["function"]["name"], json.loads(call["function"]["arguments"]))
            for call in message.get("tool_calls") or []]


def weather_result(call: dict[str, Any], celsius: int = 18) -> str:
    city = json.loads(call["function"]["arguments"])["city"]
    return json.dumps({"city": city, "temperature_c": celsius, "conditions": "light rain"})


def answered(messages: list[dict[str, Any]], completion: dict[str, Any], celsius: int = 18) -> list:
    """The conversation with the reply's calls and one tool message per call added, as a loop does."""
    message = completion["choices"][0]["message"]
    tool_messages = [
        {"role": "tool", "tool_call_id": call["id"], "content": weather_result(call, celsius)}
        for call in message["tool_calls"]
    ]
    return [*messages, {"role": "assistant", "content": None, "tool_calls": message["tool_calls"]},
            *tool_messages]


def refused(request: dict[str, Any]) -> SimulatedAPIError:
    with pytest.raises(SimulatedAPIError) as caught:
        complete({"model": "llama3.2", **request})
    assert caught.value.status == 400
    return caught.value


# --- which tool, and when ----------------------------------------------------------------------


def test_a_question_a_tool_covers_gets_a_call_shaped_like_the_apis():
    completion = ask("What's the weather in Oslo right now?")
    choice = completion["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    call = choice["message"]["tool_calls"][0]
    assert call["type"] == "function" and call["id"].startswith("call_") and len(call["id"]) > 20
    assert calls(completion) == [("get_weather", {"city": "Oslo"})]
    assert completion["usage"]["completion_tokens"] > 0


def test_arguments_come_from_the_users_words():
    assert calls(ask("How much is 250 USD in EUR?")) == [
        ("convert_currency", {"amount": 250, "from_currency": "USD", "to_currency": "EUR"})
    ]
    assert calls(ask("Please convert 1,200.50 euros to yen.")) == [
        ("convert_currency", {"amount": 1200.5, "from_currency": "EUR", "to_currency": "JPY"})
    ]
    assert calls(ask("Will it rain in São Paulo tomorrow?")) == [("get_weather", {"city": "São Paulo"})]


def test_tool_definitions_and_earlier_calls_count_as_prompt_tokens():
    question = [{"role": "user", "content": "What's the weather in Oslo?"}]
    bare = complete({"model": "m", "messages": question})["usage"]["prompt_tokens"]
    first = ask(question[0]["content"])
    with_tools = first["usage"]["prompt_tokens"]
    assert with_tools > bare
    conversation = answered(question, first)
    later = complete({"model": "m", "tools": TOOLS, "messages": conversation})
    definitions = with_tools - bare
    assert later["usage"]["prompt_tokens"] > tokens.count_message_tokens(conversation) + definitions


@pytest.mark.parametrize("question", [
    "What should I pack for a week by the sea?", "How much luggage can I take to Rome?",
])
def test_a_question_no_tool_covers_is_answered_in_text(question):
    choice = ask(question)["choices"][0]
    assert choice["finish_reason"] == "stop" and "tool_calls" not in choice["message"]
    assert choice["message"]["content"]


def test_tool_choice_required_none_named_and_allowed_tools():
    unrelated = "Tell me something nice."
    assert calls(ask(unrelated, tool_choice="required"))[0][0] == "get_weather"
    assert calls(ask("What's the weather in Oslo?", tool_choice="none")) == []
    named = {"type": "function", "function": {"name": "convert_currency"}}
    assert [name for name, _ in calls(ask("Weather in Oslo?", tool_choice=named))] == ["convert_currency"]
    only_currency = {"type": "function", "function": {"name": "convert_currency"}}
    allowed = {"type": "allowed_tools", "allowed_tools": {"mode": "auto", "tools": [only_currency]}}
    assert calls(ask("What's the weather in Oslo?", tool_choice=allowed)) == []
    allowed["allowed_tools"]["mode"] = "required"
    assert [name for name, _ in calls(ask("Weather in Oslo?", tool_choice=allowed))] == ["convert_currency"]


def test_several_things_asked_at_once_give_parallel_calls_with_their_own_ids():
    completion = ask("What's the weather like in Oslo and in Rome?")
    assert calls(completion) == [("get_weather", {"city": "Oslo"}), ("get_weather", {"city": "Rome"})]
    ids = [call["id"] for call in completion["choices"][0]["message"]["tool_calls"]]
    assert len(set(ids)) == 2
    mixed = ask("Convert 100 GBP to EUR, and what's the weather in Lisbon?")
    assert sorted(name for name, _ in calls(mixed)) == ["convert_currency", "get_weather"]


def test_without_parallel_calls_the_model_asks_one_call_per_round():
    messages = [{"role": "user", "content": "What's the weather like in Oslo and in Rome?"}]
    request = {"model": "m", "tools": TOOLS, "parallel_tool_calls": False}
    first = complete({**request, "messages": messages})
    assert calls(first) == [("get_weather", {"city": "Oslo"})]
    messages = answered(messages, first)
    second = complete({**request, "messages": messages})
    assert calls(second) == [("get_weather", {"city": "Rome"})]
    final = complete({**request, "messages": answered(messages, second, celsius=24)})
    assert final["choices"][0]["finish_reason"] == "stop"
    assert "Oslo" in final["choices"][0]["message"]["content"]
    assert "24 °C" in final["choices"][0]["message"]["content"]


def test_the_same_request_always_asks_for_the_same_calls():
    seen = {json.dumps(calls(ask("Weather in Oslo and Rome?", temperature=2, n=2))) for _ in range(5)}
    assert len(seen) == 1


def test_non_strict_tools_get_what_the_user_gave_and_strict_tools_every_key():
    loose = {"type": "function", "function": {"name": "get_weather", "description": "Weather.",
             "parameters": {"type": "object", "properties": {
                 "city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                 "days": {"type": "integer", "minimum": 1}}, "required": ["city"]}}}
    request = {"model": "m", "messages": [{"role": "user", "content": "Weather in Oslo?"}]}
    assert calls(complete({**request, "tools": [loose]})) == [("get_weather", {"city": "Oslo"})]
    strict = json.loads(json.dumps(loose))
    strict["function"]["strict"] = True
    strict["function"]["parameters"] |= {"required": ["city", "unit", "days"], "additionalProperties": False}
    strict["function"]["parameters"]["properties"]["unit"] = {"type": ["string", "null"]}
    (_, arguments), = calls(complete({**request, "tools": [strict]}))
    assert set(arguments) == {"city", "unit", "days"}
    assert arguments["city"] == "Oslo" and arguments["unit"] is None and arguments["days"] >= 1
    codes = {"type": "function", "function": {"name": "convert_currency", "strict": True, "parameters": {
        "type": "object", "required": ["from_currency", "to_currency"], "additionalProperties": False,
        "properties": {"from_currency": {"type": "string", "enum": ["EUR", "USD"]},
                       "to_currency": {"type": "string", "enum": ["EUR", "USD"]}}}}}
    question = [{"role": "user", "content": "Convert 10 GBP to USD"}]
    (_, arguments), = calls(complete({"model": "m", "messages": question, "tools": [codes]}))
    assert arguments == {"from_currency": "EUR", "to_currency": "USD"}


# --- the answer after the tool messages ---------------------------------------------------------


def test_after_the_tool_messages_the_reply_says_what_they_said():
    messages = [{"role": "user", "content": "What's the weather in Oslo?"}]
    first = ask(messages[0]["content"])
    final = complete({"model": "m", "tools": TOOLS, "messages": answered(messages, first)})
    ChatCompletion.model_validate(final)
    choice = final["choices"][0]
    assert choice["finish_reason"] == "stop" and "tool_calls" not in choice["message"]
    assert "18 °C" in choice["message"]["content"] and "light rain" in choice["message"]["content"]
    colder = complete({"model": "m", "tools": TOOLS,
                       "messages": answered(messages, ask(messages[0]["content"]), celsius=-3)})
    assert "-3 °C" in colder["choices"][0]["message"]["content"]


def test_an_error_result_is_reported_not_invented_around():
    messages = [{"role": "user", "content": "What's the weather in Oslo?"}]
    first = ask(messages[0]["content"])
    call = first["choices"][0]["message"]["tool_calls"][0]
    messages += [{"role": "assistant", "content": None, "tool_calls": [call]},
                 {"role": "tool", "tool_call_id": call["id"], "content": '{"error": "unknown city"}'}]
    text = complete({"model": "m", "tools": TOOLS, "messages": messages})["choices"][0]["message"]["content"]
    assert "unknown city" in text and "°C" not in text


# --- what the API refuses -------------------------------------------------------------------------


def test_strict_tools_must_have_a_schema_strict_mode_can_enforce():
    loose = json.loads(json.dumps(WEATHER))
    del loose["function"]["parameters"]["additionalProperties"]
    error = refused({"messages": [{"role": "user", "content": "Hi"}], "tools": [CURRENCY, loose]})
    assert error.code == "invalid_function_parameters" and error.param == "tools[1].function.parameters"
    assert error.message.startswith("Invalid schema for function 'get_weather':")
    assert "'additionalProperties' is required to be supplied and to be false" in error.message
    partial = json.loads(json.dumps(CURRENCY))
    partial["function"]["parameters"]["required"] = ["amount"]
    error = refused({"messages": [{"role": "user", "content": "Hi"}], "tools": [partial]})
    assert "Missing 'from_currency'" in error.message


def test_malformed_tools_and_tool_choice_are_refused():
    hello = [{"role": "user", "content": "Hi"}]
    assert refused({"messages": hello, "tools": []}).code == "empty_array"
    assert refused({"messages": hello, "tools": [{"type": "function", "function": {}}]}).param == (
        "tools[0].function.name")
    assert refused({"messages": hello, "tools": [{"type": "function", "function": {"name": "a b"}}]})
    assert refused({"messages": hello, "tool_choice": "auto"}).param == "tool_choice"
    assert refused({"messages": hello, "tools": TOOLS, "tool_choice": "always"}).code == "invalid_value"
    unknown = {"type": "function", "function": {"name": "book_flight"}}
    assert "book_flight" in refused({"messages": hello, "tools": TOOLS, "tool_choice": unknown}).message
    assert refused({"messages": hello, "tools": TOOLS, "parallel_tool_calls": "no"}).code == "invalid_type"
    assert refused({"messages": hello, "parallel_tool_calls": False}).param == "parallel_tool_calls"


def conversation_with_two_calls() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    messages = [{"role": "user", "content": "What's the weather in Oslo and in Rome?"}]
    first = ask(messages[0]["content"])
    return answered(messages, first), first["choices"][0]["message"]["tool_calls"]


def test_a_tool_message_whose_id_matches_no_call_is_refused():
    messages, _ = conversation_with_two_calls()
    messages[-1] = {**messages[-1], "tool_call_id": "call_made_up"}
    error = refused({"messages": messages, "tools": TOOLS})
    assert "'tool_call_id' of 'call_made_up' not found in 'tool_calls'" in error.message
    assert error.param == "messages.[3].tool_call_id"


def test_a_tool_message_whose_id_is_not_a_string_gets_the_type_error():
    messages, calls = conversation_with_two_calls()
    messages[-1] = {**messages[-1], "tool_call_id": [calls[-1]["id"]]}
    error = refused({"messages": messages, "tools": TOOLS})
    assert error.message == ("Invalid type for 'messages[3].tool_call_id': expected a string, "
                             "but got an array instead.")
    assert error.code == "invalid_type"


def test_a_call_left_without_its_tool_message_is_refused():
    messages, tool_calls = conversation_with_two_calls()
    error = refused({"messages": messages[:-1], "tools": TOOLS})
    assert "must be followed by tool messages responding to each 'tool_call_id'" in error.message
    assert error.message.endswith(tool_calls[1]["id"]) and error.param == "messages.[1].role"
    messages.insert(3, {"role": "user", "content": "And?"})
    assert "did not have response messages" in refused({"messages": messages, "tools": TOOLS}).message


def test_a_tool_message_without_the_assistant_message_that_asked_is_refused():
    messages, _ = conversation_with_two_calls()
    del messages[1]
    error = refused({"messages": messages, "tools": TOOLS})
    assert "messages with role 'tool' must be a response to a preceeding message with 'tool_calls'" in (
        error.message)
    assert error.param == "messages.[1].role"
    as_text = [messages[0], {"role": "assistant", "content": "Let me check."}, *messages[1:]]
    assert refused({"messages": as_text, "tools": TOOLS}).param == "messages.[2].role"


def test_a_tool_message_without_tool_call_id_is_refused():
    messages, _ = conversation_with_two_calls()
    del messages[2]["tool_call_id"]
    error = refused({"messages": messages, "tools": TOOLS})
    assert error.code == "missing_required_parameter" and error.param == "messages[2].tool_call_id"


# --- the deprecated functions / function_call ---------------------------------------------------


def test_the_deprecated_functions_still_work_as_the_api_accepts_them():
    functions = [tool["function"] for tool in TOOLS]
    messages = [{"role": "user", "content": "What's the weather in Oslo?"}]
    first = complete({"model": "m", "messages": messages, "functions": functions})
    ChatCompletion.model_validate(first)
    choice = first["choices"][0]
    assert choice["finish_reason"] == "function_call" and choice["message"]["content"] is None
    assert choice["message"]["function_call"] == {"name": "get_weather", "arguments": '{"city": "Oslo"}'}
    messages += [{"role": "assistant", "content": None, "function_call": choice["message"]["function_call"]},
                 {"role": "function", "name": "get_weather", "content": '{"temperature_c": 18}'}]
    final = complete({"model": "m", "messages": messages, "functions": functions, "function_call": "auto"})
    assert final["choices"][0]["finish_reason"] == "stop"
    assert "18 °C" in final["choices"][0]["message"]["content"]
    refusal = refused({"messages": messages[:1], "functions": functions, "function_call": {"name": "x"}})
    assert refusal.param == "function_call"


# --- streaming ------------------------------------------------------------------------------------


def joined_calls(chunks: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Tool calls put back together from streamed deltas, the way a client joins them by index."""
    joined: dict[int, dict[str, str]] = {}
    for chunk in chunks:
        for choice in chunk["choices"]:
            for piece in choice["delta"].get("tool_calls") or []:
                call = joined.setdefault(piece["index"], {"id": "", "name": "", "arguments": ""})
                call["id"] += piece.get("id", "")
                call["name"] += piece.get("function", {}).get("name", "")
                call["arguments"] += piece.get("function", {}).get("arguments", "")
    return [joined[index] for index in sorted(joined)]


def test_streamed_calls_send_index_id_and_name_first_then_arguments_in_fragments():
    completion = ask("What's the weather in Oslo and in Rome?")
    chunks = stream_chunks(completion, include_usage=True)
    for chunk in chunks:
        ChatCompletionChunk.model_validate(chunk)
    pieces = [piece for chunk in chunks if chunk["choices"]
              for piece in chunk["choices"][0]["delta"].get("tool_calls") or []]
    assert pieces[0]["index"] == 0 and pieces[0]["id"].startswith("call_")
    assert pieces[0]["function"] == {"name": "get_weather", "arguments": ""}
    assert all("id" not in piece and "name" not in piece["function"] for piece in pieces[1:3])
    assert sum(1 for piece in pieces if "id" in piece) == 2
    whole = completion["choices"][0]["message"]["tool_calls"]
    assert joined_calls(chunks) == [
        {"id": call["id"], "name": call["function"]["name"], "arguments": call["function"]["arguments"]}
        for call in whole
    ]
    finishes = [chunk["choices"][0]["finish_reason"] for chunk in chunks if chunk["choices"]]
    assert finishes[-1] == "tool_calls" and set(finishes[:-1]) == {None}
    assert chunks[-1]["usage"] == completion["usage"]


# --- the SDK against the graders' API and the practice server ----------------------------------


def run_loop(client: openai.OpenAI, question: str, *, stream: bool = False) -> tuple[str, int]:
    """A complete tool loop with the SDK, as a learner writes it; returns the answer and rounds."""
    messages: list[Any] = [{"role": "user", "content": question}]
    for rounds in range(1, 6):
        text, tool_calls = streamed_reply(client, messages) if stream else whole_reply(client, messages)
        if not tool_calls:
            return text, rounds
        messages.append({"role": "assistant", "content": None, "tool_calls": tool_calls})
        for call in tool_calls:
            city = json.loads(call["function"]["arguments"])["city"]
            messages.append({"role": "tool", "tool_call_id": call["id"],
                             "content": json.dumps({"city": city, "temperature_c": 18})})
    raise AssertionError("the model never answered")


def whole_reply(client: openai.OpenAI, messages: list[Any]) -> tuple[str, list[dict[str, Any]]]:
    response = client.chat.completions.create(model="llama3.2", messages=messages, tools=TOOLS)
    choice = response.choices[0]
    assert (choice.finish_reason == "tool_calls") == bool(choice.message.tool_calls)
    return choice.message.content, [call.model_dump() for call in choice.message.tool_calls or []]


def streamed_reply(client: openai.OpenAI, messages: list[Any]) -> tuple[str, list[dict[str, Any]]]:
    stream = client.chat.completions.create(model="llama3.2", messages=messages, tools=TOOLS, stream=True)
    chunks = [chunk.model_dump(exclude_unset=True) for chunk in stream]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    tool_calls = [
        {"id": call["id"], "type": "function",
         "function": {"name": call["name"], "arguments": call["arguments"]}}
        for call in joined_calls(chunks)
    ]
    return text, tool_calls


@pytest.fixture(scope="module")
def server() -> Iterator[PracticeServer]:
    with PracticeServer(port=0, stream_delay=0) as running:
        yield running


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_the_sdk_runs_the_loop_against_the_graders_api(stream):
    with SimulatedAPI() as api, openai.OpenAI(api_key="sk-test", max_retries=0) as client:
        answer, rounds = run_loop(client, "What's the weather in Oslo and in Rome?", stream=stream)
    assert rounds == 2 and "Oslo" in answer and "Rome" in answer and "18 °C" in answer
    second = api.chat_requests[1].json()["messages"]
    assert [message["role"] for message in second] == ["user", "assistant", "tool", "tool"]
    assert api.chat_requests[0].reply_tool_calls()[0]["function"]["name"] == "get_weather"
    assert api.chat_requests[1].reply_tool_calls() == []


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_the_sdk_runs_the_loop_against_the_practice_server(server, stream):
    with openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0, timeout=10) as client:
        answer, rounds = run_loop(client, "What's the weather in Oslo?", stream=stream)
        assert rounds == 2 and "18 °C" in answer
        raw = client.chat.completions.with_raw_response.create(
            model="m", messages=[{"role": "user", "content": "Weather in Oslo?"}], tools=TOOLS)
        ChatCompletion.model_validate(raw.http_response.json())


def test_the_async_sdk_gets_tool_calls_from_the_practice_server(server):
    async def first_calls() -> list[str]:
        async with openai.AsyncOpenAI(base_url=server.base_url, api_key="k", max_retries=0) as client:
            response = await client.chat.completions.create(
                model="m", tools=TOOLS, messages=[{"role": "user", "content": "Weather in Oslo and Rome?"}])
            return [call.function.arguments for call in response.choices[0].message.tool_calls]

    assert asyncio.run(first_calls()) == ['{"city": "Oslo"}', '{"city": "Rome"}']


def test_the_practice_server_refuses_a_broken_loop_with_the_apis_400(server):
    with (openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0, timeout=10) as client,
          pytest.raises(openai.BadRequestError) as caught):
        client.chat.completions.create(model="m", tools=TOOLS, messages=[
            {"role": "user", "content": "Weather in Oslo?"},
            {"role": "tool", "tool_call_id": "call_1", "content": "18"},
        ])
    assert "must be a response to a preceeding message with 'tool_calls'" in caught.value.message


# --- faults a grader queues -------------------------------------------------------------------


def recorded(body: dict[str, Any]) -> RecordedRequest:
    return RecordedRequest("POST", "https://api.example.test/v1/chat/completions", {}, body)


WEATHER_QUESTION = {"model": "m", "tools": TOOLS,
                    "messages": [{"role": "user", "content": "What's the weather in Oslo?"}]}


def fault_reply(fault: Any, body: dict[str, Any]) -> dict[str, Any]:
    request = recorded(body)
    response: httpx.Response = fault(request)
    assert response.status_code == 200
    ChatCompletion.model_validate(response.json())
    return response.json()


def test_invalid_tool_arguments_do_not_parse():
    reply = fault_reply(invalid_tool_arguments(), WEATHER_QUESTION)
    arguments = reply["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
    with pytest.raises(json.JSONDecodeError):
        json.loads(arguments)


def test_unknown_tool_argument_names_a_parameter_the_schema_lacks():
    reply = fault_reply(unknown_tool_argument("units", "metric"), WEATHER_QUESTION)
    arguments = json.loads(reply["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"])
    assert arguments == {"city": "Oslo", "units": "metric"}


def test_always_calls_tool_asks_again_even_after_the_results():
    first = complete(WEATHER_QUESTION)
    messages = answered(WEATHER_QUESTION["messages"], first)
    assert complete({**WEATHER_QUESTION, "messages": messages})["choices"][0]["finish_reason"] == "stop"
    again = fault_reply(always_calls_tool(), {**WEATHER_QUESTION, "messages": messages})
    assert again["choices"][0]["finish_reason"] == "tool_calls"


def test_queued_tool_faults_reach_the_sdk_streamed_too():
    with SimulatedAPI() as api, openai.OpenAI(api_key="sk-test", max_retries=0) as client:
        api.queue(invalid_tool_arguments())
        stream = client.chat.completions.create(model="m", stream=True, **{
            key: WEATHER_QUESTION[key] for key in ("messages", "tools")})
        chunks = [chunk.model_dump(exclude_unset=True) for chunk in stream]
    (call,) = joined_calls(chunks)
    with pytest.raises(json.JSONDecodeError):
        json.loads(call["arguments"])


def test_the_sdks_stream_helper_puts_streamed_calls_back_together():
    with SimulatedAPI(), openai.OpenAI(api_key="sk-test", max_retries=0) as client, \
            client.chat.completions.stream(model="m", tools=TOOLS, messages=[
                {"role": "user", "content": "Weather in Oslo and Rome?"}]) as stream:
        final = stream.get_final_completion()
    message = final.choices[0].message
    assert final.choices[0].finish_reason == "tool_calls"
    assert [call.function.parsed_arguments for call in message.tool_calls] == [
        {"city": "Oslo"}, {"city": "Rome"}]


# --- whatever a client sends, the answer is a completion or the API's error ------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["", "Oslo", "call_1", "string"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["type", "name", "function", "properties", "required", "id", "arguments",
                         "strict", "parameters", "enum", "additionalProperties", "allowed_tools",
                         "mode", "tools"]), inner, max_size=4),
    max_leaves=12,
)
TEXT = st.sampled_from(["Weather in Oslo and Rome?", "100 USD in EUR", '{"temperature_c": 18}'])
CALL = st.fixed_dictionaries(
    {"id": st.sampled_from(["call_1", "call_2"]), "type": st.just("function"),
     "function": st.fixed_dictionaries({"name": st.sampled_from(["get_weather", "x"]),
                                        "arguments": st.sampled_from(['{"city": "Oslo"}', "{", "[]"])})},
)
MESSAGE = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "assistant", "tool", "function", "system"]), "content": TEXT},
    optional={"tool_calls": st.lists(CALL, max_size=2) | JSON,
              "tool_call_id": st.sampled_from(["call_1", "call_2"]) | JSON, "name": TEXT | JSON,
              "function_call": CALL.map(lambda call: call["function"]) | JSON},
)


def answered_or_refused(request: dict[str, Any]) -> None:
    """The model answers with a valid completion (and stream) or refuses with a 400."""
    try:
        completion = complete(request)
    except SimulatedAPIError as error:
        assert error.status == 400 and error.message
        return
    ChatCompletion.model_validate(completion)
    for chunk in stream_chunks(completion, include_usage=True):
        ChatCompletionChunk.model_validate(chunk)


@settings(max_examples=200, deadline=None)
@given(tools=st.sampled_from([None, TOOLS]), messages=st.lists(MESSAGE, min_size=1, max_size=4))
def test_no_conversation_makes_the_model_fail(tools, messages):
    answered_or_refused({"model": "m", "messages": messages, **({"tools": tools} if tools else {})})


@settings(max_examples=200, deadline=None)
@given(
    tools=st.sampled_from([TOOLS, [tool["function"] for tool in TOOLS]]) | JSON,
    options=st.dictionaries(
        st.sampled_from(["tool_choice", "function_call", "parallel_tool_calls"]),
        st.sampled_from(["auto", "required", "none", True]) | JSON, max_size=2,
    ),
)
def test_no_tool_definition_makes_the_model_fail(tools, options):
    named = isinstance(tools, list) and tools and isinstance(tools[0], dict) and "name" in tools[0]
    key = "functions" if named else "tools"
    answered_or_refused({"model": "m", "messages": [{"role": "user", "content": "Weather in Oslo?"}],
                         key: tools, **options})
