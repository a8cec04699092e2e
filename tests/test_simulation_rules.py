"""The simulated model refuses what the real API refuses, with the API's status, type, param,
code and wording, so code that works offline does not meet a 400 online."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from workshop.simulation import SimulatedAPIError, complete, model_rules
from workshop.simulation.rules import KNOWN_ARGUMENTS
from workshop.simulation.server import PracticeServer

USER = {"role": "user", "content": "What should I pack for Lisbon?"}
STRICT_OK = {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
    "additionalProperties": False,
}


def refusal(**request: Any) -> SimulatedAPIError:
    body = {"model": "llama3.2", "messages": [USER], **request}
    with pytest.raises(SimulatedAPIError) as raised:
        complete(body)
    assert raised.value.status == 400 and raised.value.type == "invalid_request_error"
    return raised.value


def strict_format(schema: Any, name: str = "trip") -> dict[str, Any]:
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}


def test_an_unknown_argument_is_unrecognized_with_null_param_and_code():
    error = refusal(temprature=0.7)
    assert error.message == "Unrecognized request argument supplied: temprature"
    assert (error.param, error.code) == (None, None)


def test_every_argument_of_the_sdk_is_known():
    from openai.types.chat.completion_create_params import CompletionCreateParamsBase

    assert set(CompletionCreateParamsBase.__annotations__) <= KNOWN_ARGUMENTS


def test_json_mode_needs_the_word_json_in_the_messages():
    error = refusal(response_format={"type": "json_object"})
    assert "must contain the word 'json'" in error.message
    assert (error.param, error.code) == ("messages", None)
    reply = complete({"model": "m", "messages": [{"role": "system", "content": "Reply in JSON."}, USER],
                      "response_format": {"type": "json_object"}})
    assert reply["choices"][0]["finish_reason"] == "stop"


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        ({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
         "'additionalProperties' is required to be supplied and to be false"),
        ({"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
          "required": ["city"], "additionalProperties": False},
         "Missing 'days'"),
        ({"type": "array", "items": {"type": "string"}},
         "schema must be a JSON Schema of 'type: \"object\"'"),
    ],
)
def test_a_strict_schema_that_breaks_strict_rules_is_refused(schema, words):
    error = refusal(response_format=strict_format(schema))
    assert error.message.startswith("Invalid schema for response_format 'trip': ")
    assert words in error.message
    assert (error.param, error.code) == ("response_format", None)


def test_the_same_schema_without_strict_is_taken():
    loose = {"type": "object", "properties": {"city": {"type": "string"}}}
    fmt = {"type": "json_schema", "json_schema": {"name": "trip", "schema": loose}}
    assert complete({"model": "m", "messages": [USER], "response_format": fmt})["choices"]
    strict = {"model": "m", "messages": [USER], "response_format": strict_format(STRICT_OK)}
    assert complete(strict)["choices"]


def test_top_logprobs_above_twenty_is_refused():
    error = refusal(logprobs=True, top_logprobs=21)
    assert (error.param, error.code) == ("top_logprobs", "integer_above_max_value")
    assert "Expected a value <= 20" in error.message


def test_top_logprobs_without_logprobs_is_refused():
    error = refusal(top_logprobs=3)
    assert (error.param, error.code) == ("top_logprobs", "invalid_value")
    assert "'logprobs' must be set to true" in error.message


@pytest.mark.parametrize(
    ("role", "kind"), [("user", "video"), ("user", "input_text"), ("system", "image_url")],
)
def test_a_content_part_of_a_type_the_role_cannot_send_is_refused(role, kind):
    part = {"type": kind, "text": "x", "image_url": {"url": "https://example.com/a.png"}}
    error = refusal(messages=[{"role": role, "content": [part]}])
    assert (error.param, error.code) == ("messages[0].content[0].type", "invalid_value")
    assert error.message.startswith(f"Invalid value: '{kind}'. Supported values are: 'text'")


def test_an_empty_list_of_parts_is_refused():
    error = refusal(messages=[{"role": "user", "content": []}])
    assert (error.param, error.code) == ("messages[0].content", "empty_array")


def test_a_name_with_spaces_does_not_match_the_pattern():
    error = refusal(messages=[{"role": "user", "content": "Hi", "name": "Priya Shah"}])
    assert (error.param, error.code) == ("messages[0].name", "invalid_value")
    assert "string does not match pattern" in error.message and "^[a-zA-Z0-9_-]+$" in error.message
    fine = complete({"model": "m", "messages": [{"role": "user", "content": "Hi", "name": "Priya_Shah"}]})
    assert fine["choices"]


# The limits are checked apart from the model's other rules: gpt-5.4-mini refuses max_tokens
# outright, and every chat model that takes it has a shutdown date, after which it answers 404.
@pytest.mark.parametrize(("model", "limit", "most"), [
    ("gpt-5.4-mini", "max_completion_tokens", 128_000),
    ("gpt-4.1", "max_tokens", 32_768),
])
def test_an_output_limit_above_the_models_is_refused(model, limit, most):
    with pytest.raises(SimulatedAPIError) as refused:
        model_rules.check_limits({"model": model, "messages": [USER], limit: 200_000})
    error = refused.value
    assert (error.status, error.param, error.code) == (400, limit, "invalid_value")
    assert error.message == (
        f"{limit} is too large: 200000. This model supports at most {most} completion tokens, "
        "whereas you provided 200000."
    )
    model_rules.check_limits({"model": model, "messages": [USER], limit: most})


def test_a_local_providers_model_has_no_limits_here():
    assert complete({"model": "llama3.2", "messages": [USER], "max_tokens": 500_000})["choices"]


def test_a_prompt_longer_than_the_context_window_is_refused():
    long_text = "word " * 400_001
    error = refusal(model="gpt-5.4-mini", messages=[{"role": "user", "content": long_text}])
    assert (error.param, error.code) == ("messages", "context_length_exceeded")
    assert error.message.startswith("This model's maximum context length is 400000 tokens.")


def test_the_sdk_raises_bad_request_with_the_fields_over_http():
    with PracticeServer(port=0, stream_delay=0) as server, openai.OpenAI(
        base_url=server.base_url, api_key="k", max_retries=0
    ) as client:
        with pytest.raises(openai.BadRequestError) as bad:
            client.chat.completions.create(model="m", messages=[USER], extra_body={"temprature": 1})
        assert bad.value.code is None and "temprature" in bad.value.message
        with pytest.raises(openai.BadRequestError) as bad:
            client.chat.completions.create(
                model="m", messages=[USER], response_format={"type": "json_object"}
            )
        assert bad.value.param == "messages"
