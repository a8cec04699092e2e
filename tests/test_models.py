"""The model catalogue matches the installed SDK, and the practice model answers ids as OpenAI does."""

from __future__ import annotations

import ast
import datetime
import inspect
import re
import typing

import openai
import pytest
from openai.types.chat import completion_create_params
from openai.types.shared.chat_model import ChatModel

from workshop import settings
from workshop.commands.solutions_report import PRICES
from workshop.settings import DEFAULT_MODEL, REPO_ROOT
from workshop.simulation import model_rules
from workshop.simulation.api import SimulatedAPI
from workshop.simulation.errors import SimulatedAPIError
from workshop.simulation.models import UNSUPPORTED_IDS, known_model, known_models
from workshop.simulation.server import PracticeServer

TODAY = datetime.date.today()
WARNING_DAYS = 120  # a model the course recommends must outlive the next few workshops
MESSAGES = [{"role": "user", "content": "What should I pack for Lisbon?"}]


def sdk_deprecations() -> tuple[dict[str, datetime.date], set[str]]:
    """The SDK's "Deprecated values" under `model`: shutdown dates, and ids it says are unsupported."""
    source = inspect.getsource(completion_create_params)
    body = next(
        node for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ClassDef) and node.name == "CompletionCreateParamsBase"
    ).body
    index = next(
        i for i, node in enumerate(body)
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "model"
    )
    docstring = body[index + 1].value.value  # the string right after the annotation
    listing = docstring.split("Deprecated values:", 1)[1]
    dates: dict[str, datetime.date] = {}
    unsupported: set[str] = set()
    for item in re.split(r"\n\s*- ", listing)[1:]:
        ids = re.findall(r'"([^"]+)"', item.split(":", 1)[0])
        found = re.search(r"shutdown\s+date:\s+(\d{4}-\d{2}-\d{2})", item)
        if found:
            dates.update(dict.fromkeys(ids, datetime.date.fromisoformat(found.group(1))))
        elif "Not a supported model ID" in item:
            unsupported.update(ids)
    return dates, unsupported


def test_the_catalogue_holds_every_id_the_sdk_knows():
    sdk_ids = set(typing.get_args(ChatModel))
    assert {info.id for info in known_models()} | UNSUPPORTED_IDS == sdk_ids


def test_every_shutdown_date_is_the_one_the_sdk_announces():
    dates, unsupported = sdk_deprecations()
    assert len(dates) > 50  # the docstring was found and read
    assert unsupported == set(UNSUPPORTED_IDS)
    for info in known_models():
        assert info.shutdown == dates.get(info.id), info.id
    assert set(dates) <= {info.id for info in known_models()}


def soon(model_id: str) -> bool:
    info = known_model(model_id)
    return info is not None and info.shutdown is not None and (
        info.shutdown - TODAY).days <= WARNING_DAYS


def test_the_default_model_and_its_replacements_are_not_about_to_be_shut_down():
    assert known_model(DEFAULT_MODEL) is not None
    assert not soon(DEFAULT_MODEL)
    assert known_model(DEFAULT_MODEL).reasoning is not None  # so the course's rules for it apply
    for info in known_models():
        assert not soon(info.replacement), (info.id, info.replacement)


# A model counts as recommended where the course tells a learner to use it: an `.env` line, a
# `model=` argument, a `--models` list, or a named model next to "default", "such as" or "use".
# Lines that speak of retired or shut-down models are history, not advice.
_RECOMMENDED = re.compile(
    r"WORKSHOP_MODEL=([\w.\-]+)|model=[\"']([\w.\-]+)|--models ([\w.,\-]+)"
    r"|(?:default|such as|use|switch to)[^.`]*`([\w.\-]+)`",
    re.IGNORECASE,
)
_HISTORY = re.compile(r"retire|shut|deprecat|older|no longer", re.IGNORECASE)


def recommended_models() -> dict[str, set[str]]:
    pages = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md")),
             *sorted((REPO_ROOT / "exercises").glob("*/README.md"))]
    found: dict[str, set[str]] = {}
    for page in pages:
        for line in page.read_text(encoding="utf-8").splitlines():
            if _HISTORY.search(line):
                continue
            for match in _RECOMMENDED.finditer(line):
                for group in filter(None, match.groups()):
                    for model_id in group.split(","):
                        if known_model(model_id) is not None:
                            found.setdefault(model_id, set()).add(page.name)
    return found


def test_no_page_recommends_a_model_that_is_shut_down_or_about_to_be():
    recommended = recommended_models()
    assert DEFAULT_MODEL in recommended  # the scan sees the pages that name the default
    doomed = {model_id: pages for model_id, pages in recommended.items() if soon(model_id)}
    assert not doomed, f"pages recommend models shut down within {WARNING_DAYS} days: {doomed}"


def test_the_default_model_has_a_labelled_price():
    assert DEFAULT_MODEL in PRICES


# --- which ids the practice model answers ------------------------------------------------------


@pytest.fixture(scope="module")
def practice():
    with PracticeServer(port=0, stream_delay=0) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="practice", max_retries=0)
        with client:
            yield client


def refusal(client: openai.OpenAI, error: type[openai.APIStatusError], **request) -> dict:
    with pytest.raises(error) as raised:
        client.chat.completions.create(**{"model": DEFAULT_MODEL, "messages": MESSAGES, **request})
    body = raised.value.body
    assert set(body) == {"message", "type", "param", "code"}  # the API's error object
    assert body["type"] == "invalid_request_error"
    return body


def test_a_shut_down_model_answers_404_with_its_date_and_what_to_use(practice):
    body = refusal(practice, openai.NotFoundError, model="gpt-4.1-nano")
    first, second = body["message"].splitlines()
    assert first == "The model `gpt-4.1-nano` does not exist or you do not have access to it."
    assert second == "gpt-4.1-nano was shut down on 2026-10-23: use gpt-5.4-mini or another current model."
    assert body["code"] == "model_not_found"
    with pytest.raises(openai.NotFoundError):
        practice.models.retrieve("gpt-3.5-turbo")
    listed = {model.id for model in practice.models.list().data}
    assert "gpt-3.5-turbo-simulated" not in listed and "gpt-5.4-simulated" in listed


def test_a_misspelled_model_answers_404_with_the_closest_id(practice):
    body = refusal(practice, openai.NotFoundError, model="gpt-5.4-mnii")
    assert body["message"].endswith("\nDid you mean gpt-5.4-mini?")
    assert body["code"] == "model_not_found"
    assert refusal(practice, openai.NotFoundError, model="gtp-5.4")["message"].endswith(
        "\nDid you mean gpt-5.4?")
    with pytest.raises(SimulatedAPIError) as raised:  # on a day gpt-4o-mini was still served
        model_rules.check_model("gtp-4o-mini", today=datetime.date(2026, 12, 1))
    assert raised.value.message.endswith("\nDid you mean gpt-4o-mini?")
    assert "Did you mean" not in refusal(practice, openai.NotFoundError, model="gpt-5.1-mini")["message"]


@pytest.mark.parametrize("model", ["gpt-5.4-mini", "gpt-5.4-mini-2026-03-17", "gpt-5.5",
                                   "gpt-6-astra", "gpt-5.4-mini-simulated", "llama3.2",
                                   "qwen2.5-7b-instruct", "Qwen/Qwen2.5-1.5B-Instruct"])
def test_known_simulated_and_local_ids_are_answered(practice, model):
    reply = practice.chat.completions.create(model=model, messages=MESSAGES)
    assert reply.model == model.removesuffix("-simulated") + "-simulated"


def test_ids_given_with_models_and_the_configured_model_are_answered(monkeypatch):
    with PracticeServer(port=0, stream_delay=0, models=["gpt-4.1-nano", "gpt4o-mini"]) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="practice", max_retries=0)
        for model in ("gpt-4.1-nano", "gpt4o-mini"):  # shut down, and a near-miss: served anyway
            assert client.chat.completions.create(model=model, messages=MESSAGES).choices
        assert client.models.retrieve("gpt-4.1-nano").id == "gpt-4.1-nano-simulated"
    monkeypatch.setattr(settings, "MODEL", "gpt4o-mini")  # e.g. an Azure deployment's name
    with SimulatedAPI():
        client = openai.OpenAI(api_key="sk-test", max_retries=0)
        assert client.chat.completions.create(model="gpt4o-mini", messages=MESSAGES).choices
        with pytest.raises(openai.NotFoundError):
            client.chat.completions.create(model="gpt-4.1-nano", messages=MESSAGES)


# --- what reasoning models refuse ---------------------------------------------------------------

REFUSALS = [
    # (model, request, status code, API code, param, start of the message)
    ("gpt-5-mini", {"temperature": 0.7}, "unsupported_value", "temperature",
     "Unsupported value: 'temperature' does not support 0.7 with this model. "
     "Only the default (1) value is supported."),
    ("gpt-5-nano", {"top_p": 0.5}, "unsupported_value", "top_p", "Unsupported value: 'top_p'"),
    ("gpt-5", {"logprobs": True}, "unsupported_parameter", "logprobs",
     "Unsupported parameter: 'logprobs' is not supported with this model."),
    ("gpt-5-mini", {"max_tokens": 20}, "unsupported_parameter", "max_tokens",
     "Unsupported parameter: 'max_tokens' is not supported with this model. "
     "Use 'max_completion_tokens' instead."),
    ("gpt-5-mini", {"reasoning_effort": "none"}, "unsupported_value", "reasoning_effort",
     "Unsupported value: 'reasoning_effort' does not support 'none'"),
    ("gpt-5.4-mini", {"temperature": 0.2, "reasoning_effort": "low"}, "unsupported_value",
     "temperature", "Unsupported value: 'temperature' does not support 0.2"),
    ("gpt-5.4-mini", {"max_tokens": 20}, "unsupported_parameter", "max_tokens", "Unsupported parameter"),
    ("gpt-5.5", {"temperature": 0.2, "reasoning_effort": "none"}, "unsupported_parameter",
     "temperature", "Unsupported parameter: 'temperature' is not supported with this model."),
    ("gpt-6-astra", {"top_p": 0.9}, "unsupported_parameter", "top_p", "Unsupported parameter"),
    ("o3", {"stop": ["\n"]}, "unsupported_parameter", "stop", "Unsupported parameter: 'stop'"),
    ("o3", {"temperature": 0}, "unsupported_value", "temperature", "Unsupported value"),
    ("gpt-4.1-mini", {"reasoning_effort": "low"}, "unsupported_parameter", "reasoning_effort",
     "Unsupported parameter: 'reasoning_effort' is not supported with this model."),
]


@pytest.mark.parametrize(("model", "request_options", "code", "param", "message"), REFUSALS)
def test_reasoning_models_refuse_what_their_family_refuses(model, request_options, code, param,
                                                           message):
    # The family's rules, checked whatever the day (several of these models shut down soon).
    with pytest.raises(SimulatedAPIError) as raised:
        model_rules.check_parameters({"model": model, "messages": MESSAGES, **request_options})
    body = raised.value.body()["error"]
    assert raised.value.status == 400 and body["type"] == "invalid_request_error"
    assert (body["code"], body["param"]) == (code, param)
    assert body["message"].startswith(message)


def test_the_default_models_refusal_reaches_the_sdk_as_the_api_sends_it(practice):
    body = refusal(practice, openai.BadRequestError, temperature=0.7, reasoning_effort="medium")
    assert body == {
        "message": "Unsupported value: 'temperature' does not support 0.7 with this model. "
                   "Only the default (1) value is supported.",
        "type": "invalid_request_error", "param": "temperature", "code": "unsupported_value",
    }
    assert refusal(practice, openai.BadRequestError, max_tokens=20)["param"] == "max_tokens"


@pytest.mark.parametrize(("model", "request_options"), [
    ("gpt-5.4-mini", {"temperature": 0.7, "top_p": 0.9, "logprobs": True}),  # effort "none" by default
    ("gpt-5.4-mini", {"temperature": 1.5, "reasoning_effort": "none"}),
    ("gpt-5-mini", {"temperature": 1, "top_p": 1, "max_completion_tokens": 300}),  # the defaults
    ("gpt-5.5", {"reasoning_effort": "high"}),
    ("gpt-4.1-mini", {"temperature": 0, "max_tokens": 50, "stop": ["\n"]}),
    ("llama3.2", {"temperature": 0.3, "reasoning_effort": "low"}),  # a local model: not ours to judge
])
def test_what_each_family_accepts_is_answered(model, request_options):
    model_rules.check_parameters({"model": model, "messages": MESSAGES, **request_options})


def test_the_default_model_takes_sampling_parameters_at_its_default_effort(practice):
    reply = practice.chat.completions.create(model=DEFAULT_MODEL, messages=MESSAGES, temperature=0.7,
                                             top_p=0.9, n=2)
    assert len(reply.choices) == 2


def test_reasoning_tokens_are_reported_and_billed_as_output(practice):
    def usage(**options):
        return practice.chat.completions.create(messages=MESSAGES, **options).usage

    plain = usage(model="llama3.2", temperature=0)
    thinking = usage(model="gpt-5.5")
    assert plain.completion_tokens_details.reasoning_tokens == 0
    reasoning = thinking.completion_tokens_details.reasoning_tokens
    assert reasoning > 0
    assert thinking.completion_tokens > reasoning  # the visible reply is counted too
    assert thinking.total_tokens == thinking.prompt_tokens + thinking.completion_tokens
    assert usage(model="gpt-5.5").completion_tokens_details.reasoning_tokens == reasoning
    low = usage(model="gpt-5.5", reasoning_effort="low").completion_tokens_details.reasoning_tokens
    high = usage(model="gpt-5.5", reasoning_effort="high").completion_tokens_details.reasoning_tokens
    assert 0 < low < reasoning < high
    assert usage(model=DEFAULT_MODEL).completion_tokens_details.reasoning_tokens == 0  # effort "none"
    capped = usage(model="gpt-5.5", reasoning_effort="high", max_completion_tokens=60)
    assert capped.completion_tokens <= 60 and capped.completion_tokens_details.reasoning_tokens > 0


def test_a_stream_reports_the_same_reasoning_tokens(practice):
    chunks = list(practice.chat.completions.create(
        model="gpt-5.5", messages=MESSAGES, stream=True, stream_options={"include_usage": True},
    ))
    whole = practice.chat.completions.create(model="gpt-5.5", messages=MESSAGES)
    assert chunks[-1].usage.completion_tokens_details.reasoning_tokens == (
        whole.usage.completion_tokens_details.reasoning_tokens)


def test_limits_above_the_models_are_refused_as_the_api_does(practice):
    body = refusal(practice, openai.BadRequestError, max_completion_tokens=128_001)
    assert body == {
        "message": "max_completion_tokens is too large: 128001. This model supports at most 128000 "
                   "completion tokens, whereas you provided 128001.",
        "type": "invalid_request_error", "param": "max_completion_tokens", "code": "invalid_value",
    }
    assert practice.chat.completions.create(model=DEFAULT_MODEL, messages=MESSAGES,
                                            max_completion_tokens=128_000).choices
    long_prompt = [{"role": "user", "content": "Lisbon trams and tiles. " * 2000}]  # ~10k tokens
    with pytest.raises(SimulatedAPIError) as raised:
        model_rules.check_limits({"model": "gpt-4", "messages": long_prompt})
    error = raised.value.body()["error"]
    assert (error["code"], error["param"]) == ("context_length_exceeded", "messages")
    assert error["message"].startswith("This model's maximum context length is 8192 tokens. However, "
                                       "your messages resulted in ")
    model_rules.check_limits({"model": DEFAULT_MODEL, "messages": long_prompt})  # 400k fits it
