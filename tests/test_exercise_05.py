"""Exercise 05's grader: accepts every correct way to write it and names each common mistake."""

import pytest

from tests.conftest import editor, solution_source, stub_source
from tests.verdicts import named, one_cause
from workshop.simulation import complete

SOLUTION = solution_source("05")

LIMIT = "model=MODEL, messages=messages, max_completion_tokens=max_tokens"
BREAK = '        if finish_reason != "length":\n            break\n'
CONTINUE_MESSAGES = (
    '        messages += [\n'
    '            {"role": "assistant", "content": text},\n'
    '            {"role": "user", "content": CONTINUE},\n'
    '        ]\n'
)
RAISE = '    if finish_reason != "stop":\n        raise IncompleteAnswer(finish_reason, answer)\n'


changed = editor(SOLUTION)


def test_a_started_stub_points_at_the_todos(grade):
    grading = grade("05", stub_source("05") + "\n# started\n")
    assert "it still raises NotImplementedError (TODO 1: send)" in grading.failures
    assert "it still raises NotImplementedError (TODO 2: ask)" in grading.failures


def test_the_simulated_model_continues_a_cut_off_reply_when_asked():
    question = {"role": "user", "content": "What should I pack for a week in Iceland?"}
    request = {"model": "llama3.2", "temperature": 0}
    whole = complete({**request, "messages": [question]})["choices"][0]["message"]["content"]
    messages, parts = [question], []
    for _ in range(20):
        choice = complete({**request, "messages": messages, "max_completion_tokens": 5})["choices"][0]
        parts.append(choice["message"]["content"])
        if choice["finish_reason"] == "stop":
            break
        messages = [
            *messages,
            {"role": "assistant", "content": parts[-1]},
            {"role": "user", "content": "Please continue where you left off."},
        ]
    assert len(parts) > 2
    assert "".join(parts) == whole


def test_the_simulated_model_does_not_continue_what_it_did_not_write():
    messages = [
        {"role": "user", "content": "What should I pack for a week in Iceland?"},
        {"role": "assistant", "content": "Something I never said"},
        {"role": "user", "content": "Continue."},
    ]
    reply = complete({"model": "llama3.2", "messages": messages})["choices"][0]["message"]["content"]
    assert not reply.startswith(" ")


CORRECT_VARIANTS = {
    "module-level client and typed params": changed(
        "def send(messages: list[dict], max_tokens: int) -> tuple[str, str]:\n"
        "    with OpenAI() as client:\n        response",
        "from openai.types.chat import (\n    ChatCompletionAssistantMessageParam,\n"
        "    ChatCompletionUserMessageParam,\n)\n\nclient = OpenAI()\n\n\n"
        "def send(messages: list[dict], max_tokens: int) -> tuple[str, str]:\n    if True:\n"
        "        response",
        changed(
            '        messages += [\n            {"role": "assistant", "content": text},\n'
            '            {"role": "user", "content": CONTINUE},\n        ]',
            '        messages += [\n'
            '            ChatCompletionAssistantMessageParam(role="assistant", content=text),\n'
            '            ChatCompletionUserMessageParam(role="user", content=CONTINUE),\n        ]',
        ),
    ),
    "with_raw_response and temperature": changed(
        "        response = client.chat.completions.create(\n"
        f"            {LIMIT}\n        )",
        "        raw = client.chat.completions.with_raw_response.create(\n"
        f"            {LIMIT}, temperature=0.3\n        )\n        response = raw.parse()",
    ),
    "a while loop that counts requests": changed(
        "    for _ in range(MAX_REQUESTS):\n        text, finish_reason = send(messages, max_tokens)\n"
        "        parts.append(text)\n" + BREAK,
        "    finish_reason = 'length'\n"
        "    while finish_reason == 'length' and len(parts) < MAX_REQUESTS:\n"
        "        if parts:\n"
        "            messages = messages + [{'role': 'assistant', 'content': parts[-1]},\n"
        "                                   {'role': 'user', 'content': CONTINUE}]\n"
        "        text, finish_reason = send(messages, max_tokens)\n"
        "        parts.append(text)\n"
        "    if False:\n",
        changed(CONTINUE_MESSAGES, "        pass\n"),
    ),
    "the parts kept in one assistant message": changed(
        "    for _ in range(MAX_REQUESTS):\n        text, finish_reason = send(messages, max_tokens)\n"
        "        parts.append(text)\n" + BREAK + CONTINUE_MESSAGES,
        "    for _ in range(MAX_REQUESTS):\n"
        "        text, finish_reason = send(messages, max_tokens)\n"
        "        parts.append(text)\n" + BREAK +
        "        messages = [messages[0], {'role': 'assistant', 'content': ''.join(parts)},\n"
        "                    {'role': 'user', 'content': CONTINUE}]\n",
    ),
    "each finish reason handled by name": changed(
        RAISE,
        '    if finish_reason == "content_filter":\n'
        '        raise IncompleteAnswer("content_filter", answer)\n'
        '    if finish_reason == "length":\n'
        '        raise IncompleteAnswer("length", answer)\n',
    ),
}


def with_ask(body: str) -> str:
    """The solution with another ask() in place of its own."""
    start, end = SOLUTION.index("def ask("), SOLUTION.index("def main(")
    return SOLUTION[:start] + body + "\n\n" + SOLUTION[end:]


README_ASK = """def ask(question: str, max_tokens: int) -> str:
    messages = [{"role": "user", "content": question}]
    parts = []
    for _ in range(MAX_REQUESTS):
        text, finish_reason = send(messages, max_tokens)
        if finish_reason == "content_filter":
            raise IncompleteAnswer("content_filter", text)
        parts.append(text)
        if finish_reason == "stop":
            return "".join(parts)
        messages.append({"role": "assistant", "content": text})
        messages.append({"role": "user", "content": CONTINUE})
    raise IncompleteAnswer("length", "".join(parts))
"""

CORRECT_VARIANTS |= {
    "written as the README words it": with_ask(README_ASK),
    "each part printed as it comes, as lesson 06 does": with_ask(README_ASK.replace(
        "        parts.append(text)\n",
        '        parts.append(text)\n        print(f"{finish_reason:>6}: {text!r}")\n',
    )),
    "a recursive continuation with an explicit request count": with_ask(
        """def ask(question: str, max_tokens: int) -> str:
    return _rest([{"role": "user", "content": question}], max_tokens, [], 1)


def _rest(messages, max_tokens, parts, number):
    text, reason = send(messages, max_tokens)
    parts = [*parts, text]
    if reason == "stop":
        return "".join(parts)
    if reason != "length" or number == MAX_REQUESTS:
        raise IncompleteAnswer(reason, "".join(parts))
    more = [{"role": "assistant", "content": text}, {"role": "user", "content": CONTINUE}]
    return _rest(messages + more, max_tokens, parts, number + 1)
"""
    ),
}


@pytest.mark.parametrize("variant", CORRECT_VARIANTS)
def test_correct_variants_pass(grade, variant):
    grading = grade("05", CORRECT_VARIANTS[variant])
    assert grading.passed(), grading.failures


MISTAKES = {
    # The eight common mistakes.
    "no output limit": (
        changed(LIMIT, "model=MODEL, messages=messages"),
        "The request has no output limit",
    ),
    "the deprecated max_tokens": (
        changed(LIMIT, "model=MODEL, messages=messages, max_tokens=max_tokens"),
        "set max_tokens, the older name for the output limit",
    ),
    "a cut-off answer returned as whole": (
        changed(BREAK + CONTINUE_MESSAGES, "        break\n", changed(RAISE, "")),
        "but that reply's finish_reason was 'length'",
    ),
    "the part not sent back": (
        changed('            {"role": "assistant", "content": text},\n', ""),
        "as an assistant message, so the model cannot know where it stopped",
    ),
    "only the last part returned": (
        changed('    answer = "".join(parts)', "    answer = parts[-1]"),
        "returned only the last part",
    ),
    "no limit on the requests": (
        changed("    for _ in range(MAX_REQUESTS):", "    for _ in range(100):"),
        "but MAX_REQUESTS is 3",
    ),
    "the cut-off text returned when the requests run out": (
        changed(RAISE, '    if finish_reason == "content_filter":\n'
                       "        raise IncompleteAnswer(finish_reason, answer)\n"),
        "raise IncompleteAnswer(\"length\", text) instead of returning it",
    ),
    "a withheld reply returned as an empty answer": (
        changed(RAISE, '    if finish_reason == "length":\n'
                       "        raise IncompleteAnswer(finish_reason, answer)\n"),
        "ask() returned '' as if it were the answer",
    ),
    # More that the grader names.
    "a hard-coded limit": (
        changed(LIMIT, "model=MODEL, messages=messages, max_completion_tokens=100"),
        "The request set max_completion_tokens=100, but max_tokens was 13",
    ),
    "send returns only the text": (
        changed("    return choice.message.content or \"\", choice.finish_reason",
                "    return choice.message.content",
                changed("        text, finish_reason = send(messages, max_tokens)",
                        "        text, finish_reason = send(messages, max_tokens), 'stop'")),
        "send() returned only the text",
    ),
    "the part sent back as a user message": (
        changed('{"role": "assistant", "content": text}', '{"role": "user", "content": text}'),
        "it went back as a user message",
    ),
    "no request to continue": (
        changed('            {"role": "user", "content": CONTINUE},\n', ""),
        "ends with the assistant's part",
    ),
    "parts joined with spaces": (
        changed('    answer = "".join(parts)', '    answer = " ".join(parts)'),
        "Each part already carries its own spaces",
    ),
    "a content filter treated as a cut": (
        changed(BREAK, '        if finish_reason == "stop":\n            break\n'),
        "there is nothing to continue",
    ),
    "a generic exception": (
        changed("        raise IncompleteAnswer(finish_reason, answer)",
                "        raise RuntimeError(f'incomplete: {finish_reason}')"),
        "raise IncompleteAnswer(finish_reason, text)",
    ),
    "finish_reason looked for on the response": (
        changed('return choice.message.content or "", choice.finish_reason',
                'return choice.message.content or "", response.finish_reason'),
        "Each choice has its own finish_reason",
    ),
    "the reason left out of the exception": (
        changed("IncompleteAnswer(finish_reason, answer)", "IncompleteAnswer(answer)"),
        "the reason comes first",
    ),
}


MISTAKES |= {
    "a full stop taken for the end of the answer": (
        with_ask(README_ASK.replace(
            '        if finish_reason == "stop":',
            '        if text.rstrip().endswith(".") or finish_reason == "stop":',
        )),
        "it was cut off, although it happens to end with a full stop",
    ),
    "a missing full stop taken for a cut": (
        with_ask(README_ASK.replace(
            '        if finish_reason == "stop":',
            '        if finish_reason == "stop" and text.rstrip().endswith("."):',
        )),
        "it was whole, although it does not end with a full stop",
    ),
    "only the last part in the exception": (
        with_ask(README_ASK.replace('raise IncompleteAnswer("length", "".join(parts))',
                                    'raise IncompleteAnswer("length", text)')),
        "but the text received so far was",
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_mistake_is_named(grade, mistake):
    source, phrase = MISTAKES[mistake]
    named(grade("05", source), phrase)


@pytest.mark.parametrize("run", range(3))
def test_a_full_stop_guess_fails_every_time(grade, run):
    source, phrase = MISTAKES["a full stop taken for the end of the answer"]
    named(grade("05", source), phrase)


def test_a_send_that_returns_only_the_text_is_the_one_reason_given(grade):
    source, phrase = MISTAKES["send returns only the text"]
    one_cause(grade("05", source), phrase)


@pytest.mark.parametrize(
    ("source", "cause"),
    [
        (changed('[{"role": "user", "content": question}]', '[{"role": "human", "content": question}]'),
         "has the role 'human', which the API does not know"),
        (MISTAKES["the deprecated max_tokens"][0], MISTAKES["the deprecated max_tokens"][1]),
    ],
    ids=["a role that does not exist", "the deprecated max_tokens"],
)
def test_a_wrong_request_is_the_one_reason_every_check_gives(grade, source, cause):
    one_cause(grade("05", source), cause)
