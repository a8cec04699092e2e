"""Exercise 01's grader: accepts every correct way to write it and names each common mistake."""

import pytest

from tests.conftest import editor, solution_source
from tests.verdicts import fails_only, named, one_cause

SOLUTION = solution_source("01")


changed = editor(SOLUTION)


CORRECT_VARIANTS = {
    "module-level client": changed(
        "def ask(question: str) -> str:\n    with OpenAI() as client:\n        response",
        "client = OpenAI()\n\n\ndef ask(question: str) -> str:\n    if True:\n        response",
    ),
    "typed message params": changed(
        'return [\n        {"role": "system", "content": SYSTEM_PROMPT},\n'
        '        {"role": "user", "content": question},\n    ]',
        "from openai.types.chat import (\n"
        "        ChatCompletionSystemMessageParam, ChatCompletionUserMessageParam)\n"
        "    return [ChatCompletionSystemMessageParam(role='system', content=SYSTEM_PROMPT),\n"
        "            ChatCompletionUserMessageParam(role='user', content=question)]",
    ),
    "extra parameters": changed(
        "messages=build_messages(question))",
        "messages=build_messages(question), temperature=0.2,\n"
        "            max_completion_tokens=200)",
    ),
    "with_raw_response": changed(
        "response = client.chat.completions.create(model=MODEL, messages=build_messages(question))",
        "raw = client.chat.completions.with_raw_response.create(\n"
        "            model=MODEL, messages=build_messages(question))\n        response = raw.parse()",
    ),
    "model_dump": changed(
        "return response.choices[0].message.content",
        'return response.model_dump()["choices"][0]["message"]["content"]',
    ),
    "messages built with dict() and kept in a variable": changed(
        'return [\n        {"role": "system", "content": SYSTEM_PROMPT},\n'
        '        {"role": "user", "content": question},\n    ]',
        'system = dict(role="system", content=SYSTEM_PROMPT)\n'
        '    user = dict(role="user", content=question)\n    return [system, user]',
    ),
    "keyword arguments in another order, the client closed by hand": changed(
        "    with OpenAI() as client:\n        response = client.chat.completions.create("
        "model=MODEL, messages=build_messages(question))\n"
        "    return response.choices[0].message.content",
        "    client = OpenAI()\n    try:\n        messages = build_messages(question)\n"
        "        response = client.chat.completions.create(messages=messages, model=MODEL)\n"
        "    finally:\n        client.close()\n    reply = response.choices[0].message\n"
        "    return reply.content",
    ),
    "a system prompt written on several lines": changed(
        'SYSTEM_PROMPT = (\n    "You are a friendly, practical travel assistant. Answer in at most '
        'three sentences, "\n    "with concrete suggestions a traveller can act on."\n)',
        'SYSTEM_PROMPT = """You are a travel assistant.\nAnswer briefly and practically."""',
    ),
}


@pytest.mark.parametrize("variant", CORRECT_VARIANTS)
def test_correct_variants_pass(grade, variant):
    grading = grade("01", CORRECT_VARIANTS[variant])
    assert grading.passed(), grading.failures


MISTAKES = {
    "no system message": (
        changed('        {"role": "system", "content": SYSTEM_PROMPT},\n', ""),
        "there is no system message",
    ),
    "system not first": (
        changed(
            '        {"role": "system", "content": SYSTEM_PROMPT},\n'
            '        {"role": "user", "content": question},\n',
            '        {"role": "user", "content": question},\n'
            '        {"role": "system", "content": SYSTEM_PROMPT},\n',
        ),
        "the system message comes first",
    ),
    "a role that does not exist": (
        changed('{"role": "user", "content": question}', '{"role": "human", "content": question}'),
        "which the API does not know",
    ),
    "question altered": (
        changed('"content": question}', '"content": "Question: " + question}'),
        "no prefixes, no changes",
    ),
    "response object returned": (
        changed("return response.choices[0].message.content", "return response"),
        "returned a ChatCompletion object",
    ),
    "message object returned": (
        changed("return response.choices[0].message.content", "return response.choices[0].message"),
        "returned a ChatCompletionMessage object",
    ),
    "printing instead of returning": (
        changed(
            "return response.choices[0].message.content",
            "print(response.choices[0].message.content)",
        ),
        "printed the reply and returned None",
    ),
    "hard-coded answer": (
        changed(
            "    with OpenAI() as client:\n        response = client.chat.completions.create("
            "model=MODEL, messages=build_messages(question))\n"
            "    return response.choices[0].message.content",
            "    build_messages(question)\n    return 'Pack an umbrella.'",
        ),
        "No request reached the API",
    ),
    "more than one request": (
        changed(
            "    return response.choices[0].message.content",
            "        client.chat.completions.create(model=MODEL, "
            "messages=build_messages(question))\n"
            "    return response.choices[0].message.content",
        ),
        "sent the same request 2 times, but this needs exactly one",
    ),
    "another model": (
        changed("model=MODEL,", 'model="gpt-5.4",'),
        "asked for the model 'gpt-5.4'",
    ),
    "empty system prompt": (
        changed(
            'SYSTEM_PROMPT = (\n    "You are a friendly, practical travel assistant. Answer in at most '
            'three sentences, "\n    "with concrete suggestions a traveller can act on."\n)',
            'SYSTEM_PROMPT = ""',
        ),
        "SYSTEM_PROMPT is ''",
    ),
    "main()'s question written in place of the parameter": (
        changed('"content": question}',
                '"content": "What should I pack for three days in Lisbon in November?"}'),
        "but the question was 'Which museums in Porto are worth a rainy afternoon?'",
    ),
    "ask not using build_messages": (
        changed(
            "messages=build_messages(question))",
            'messages=[{"role": "system", "content": SYSTEM_PROMPT},\n'
            '                      {"role": "user", "content": question}])',
        ),
        "without calling build_messages()",
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_mistake_is_named(grade, mistake):
    source, phrase = MISTAKES[mistake]
    named(grade("01", source), phrase)


# Mistakes that every failing check must blame on the same cause, not on a consequence of it.
ROOT_CAUSES = {
    "a role that does not exist": (
        changed('{"role": "user", "content": question}', '{"role": "human", "content": question}'),
        "Message 1 has the role 'human', which the API does not know",
    ),
    "a misspelt attribute of the response": (
        changed("response.choices[0]", "response.choice[0]"),
        "'ChatCompletion' object has no attribute 'choice'",
    ),
    "another model": (changed("model=MODEL,", 'model="gpt-5.4",'), "asked for the model 'gpt-5.4'"),
    "a test request left in before the real one": (
        changed(
            "        response = client.chat.completions.create(",
            '        client.chat.completions.create(model=MODEL, messages=[{"role": "user", '
            '"content": "test"}])\n        response = client.chat.completions.create(',
        ),
        "sent 2 requests, but this needs exactly one",
    ),
}


@pytest.mark.parametrize("mistake", ROOT_CAUSES)
def test_checks_that_depend_on_a_mistake_name_that_mistake(grade, mistake):
    source, phrase = ROOT_CAUSES[mistake]
    one_cause(grade("01", source), phrase)


def test_a_stray_request_is_shown_as_the_evidence(grade):
    source, _ = ROOT_CAUSES["a test request left in before the real one"]
    failures = grade("01", source).failures
    evidence = failures.split("The request your code sent", 1)[1]
    assert '"content": "test"' in evidence and "is the one that should not be there" in failures


def test_the_same_request_twice_is_called_a_repeat(grade):
    source, _ = MISTAKES["more than one request"]
    assert "sent the same request 2 times" in grade("01", source).failures


def test_printing_the_reply_as_well_as_returning_it_is_named(grade):
    grading = grade("01", changed(
        "    return response.choices[0].message.content",
        "    print(response.choices[0].message.content)\n"
        "    return response.choices[0].message.content",
    ))
    named(grading, "returned the reply, and printed it too")
    fails_only(grading, "test_ask_returns_the_reply_text")
