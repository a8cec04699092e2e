"""The simulated model answers like the API: SDK-valid objects, real token counts, honest memory."""

import json

import pytest
from openai.types.chat import ChatCompletion

from workshop import tokens
from workshop.simulation import SimulatedAPIError, complete


def ask(*contents: str, **options):
    roles = ["user", "assistant"] * len(contents)
    messages = [{"role": role, "content": text} for role, text in zip(roles, contents, strict=False)]
    return complete({"model": "llama3.2", "messages": messages, **options})


def texts(response):
    return [choice["message"]["content"] for choice in response["choices"]]


def test_responses_validate_as_the_sdks_chat_completion():
    completion = ChatCompletion.model_validate(ask("What should I pack for Lisbon?", n=2))
    assert completion.object == "chat.completion"
    assert completion.id.startswith("chatcmpl-")
    assert [choice.index for choice in completion.choices] == [0, 1]
    assert completion.choices[0].finish_reason == "stop"
    assert completion.choices[0].message.role == "assistant"
    assert completion.model == "llama3.2-simulated"
    assert completion.system_fingerprint == "fp_simulated"


def test_usage_is_counted_with_the_o200k_tokenizer():
    response = ask("What should I pack for Lisbon?", n=3, temperature=1.5)
    usage = response["usage"]
    assert usage["completion_tokens"] == sum(tokens.count_tokens(text) for text in texts(response))
    assert usage["prompt_tokens"] == 3 + 3 + tokens.count_tokens("user") + tokens.count_tokens(
        "What should I pack for Lisbon?"
    )
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_it_remembers_only_what_the_messages_contain():
    with_history = ask("Hi, my name is Ada.", "Nice to meet you!", "What is my name?")
    without_history = ask("What is my name?")
    assert "Ada" in texts(with_history)[0]
    assert "Ada" not in texts(without_history)[0]
    assert "don't know" in texts(without_history)[0] or "haven't told" in texts(without_history)[0]


def test_temperature_zero_repeats_itself_and_higher_temperatures_vary():
    cold = [texts(ask("Any tips for Rome?", n=3, temperature=0)) for _ in range(3)]
    assert len({text for run in cold for text in run}) == 1
    hot = texts(ask("Any tips for Rome?", n=3, temperature=1.5))
    assert len(set(hot)) == 3


def test_a_seed_makes_sampling_reproducible():
    first = texts(ask("Any tips for Rome?", n=3, temperature=0.9, seed=7))
    again = texts(ask("Any tips for Rome?", n=3, temperature=0.9, seed=7))
    assert first == again


def test_a_token_limit_truncates_the_reply_and_says_so():
    choice = ask("What should I pack?", max_completion_tokens=4)["choices"][0]
    assert choice["finish_reason"] == "length"
    assert tokens.count_tokens(choice["message"]["content"]) <= 4


def test_a_stop_sequence_ends_the_reply_before_it():
    full = texts(ask("What should I pack?", temperature=0))[0]
    word = full.split()[2]
    cut = texts(ask("What should I pack?", temperature=0, stop=[word]))[0]
    assert word not in cut and full.startswith(cut)


def test_json_modes_return_json_that_parses_and_fits_the_schema():
    as_object = json.loads(texts(ask("Tips, in JSON?", response_format={"type": "json_object"}))[0])
    assert isinstance(as_object, dict)
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["city", "days"],
        "additionalProperties": False,
    }
    fmt = {"type": "json_schema", "json_schema": {"name": "trip", "schema": schema, "strict": True}}
    trip = json.loads(texts(ask("Plan a trip", response_format=fmt))[0])
    assert isinstance(trip["city"], str) and isinstance(trip["days"], int)


@pytest.mark.parametrize(
    ("request_body", "param", "code"),
    [
        ({"model": "m"}, "messages", "missing_required_parameter"),
        ({"model": "m", "messages": []}, "messages", "empty_array"),
        ({"messages": [{"role": "user", "content": "x"}]}, "model", "missing_required_parameter"),
        ({"model": "m", "messages": [{"role": "bot", "content": "x"}]}, "messages[0].role",
         "invalid_value"),
        ({"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": 2.5},
         "temperature", "decimal_above_max_value"),
        ({"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": "0.5"},
         "temperature", "invalid_type"),
        ({"model": "m", "messages": [{"role": "user", "content": "x"}], "n": 0}, "n",
         "integer_below_min_value"),
    ],
)
def test_invalid_requests_get_the_apis_status_and_error_body(request_body, param, code):
    with pytest.raises(SimulatedAPIError) as raised:
        complete(request_body)
    body = raised.value.body()["error"]
    assert raised.value.status == 400
    assert set(body) == {"message", "type", "param", "code"}
    assert (body["param"], body["code"], body["type"]) == (param, code, "invalid_request_error")


def test_the_prompt_cache_is_bounded_in_bytes_and_forgets_the_oldest_first():
    from workshop.simulation import PromptCache

    def prompt(number: int) -> list[dict[str, str]]:
        return [{"role": "system", "content": f"Guide {number}. " + "Trams climb the seven hills. " * 300}]

    cache = PromptCache(max_bytes=40_000)
    assert cache.cached_tokens(prompt(0)) == 0
    assert cache.cached_tokens(prompt(0)) >= PromptCache.MINIMUM_TOKENS  # seen: served from the cache
    for number in range(1, 30):
        cache.cached_tokens(prompt(number))
        assert cache.size_in_bytes <= cache.max_bytes
    assert cache.cached_tokens(prompt(0)) == 0  # forgotten to make room
    assert cache.cached_tokens(prompt(29)) >= PromptCache.MINIMUM_TOKENS
