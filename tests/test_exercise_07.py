"""Exercise 07's grader: accepts every correct way to write it and names each common mistake."""

import pytest

from tests.conftest import editor, solution_source
from tests.verdicts import fails_only, named, one_cause

SOLUTION = solution_source("07")

TRIM_BODY = '''    system = messages[0]
    kept: list[dict] = []
    for turn in reversed(split_turns(messages)):
        if kept and count_message_tokens([system, *turn, *kept]) > budget:
            break
        kept = [*turn, *kept]
    return [system, *kept]
'''


changed = editor(SOLUTION)


CORRECT_VARIANTS = {
    "module-level client": changed(
        "def reply(messages: list[dict], budget: int) -> str:\n    with OpenAI() as client:",
        "client = OpenAI()\n\n\ndef reply(messages: list[dict], budget: int) -> str:\n    if True:",
    ),
    "oldest turns popped from a copy": changed(
        TRIM_BODY,
        "    system, turns = messages[0], split_turns(messages)\n"
        "    while len(turns) > 1 and count_message_tokens(\n"
        "        [system] + [m for turn in turns for m in turn]\n"
        "    ) > budget:\n"
        "        turns.pop(0)\n"
        "    return [system] + [m for turn in turns for m in turn]\n",
    ),
    "indexes instead of a second list": changed(
        "    turns: list[list[dict]] = []\n"
        "    for message in messages[1:]:\n"
        '        if message["role"] == "user" or not turns:\n'
        "            turns.append([message])\n"
        "        else:\n"
        "            turns[-1].append(message)\n"
        "    return turns\n",
        "    starts = [i for i, m in enumerate(messages) if i > 0 and m.get('role') == 'user']\n"
        "    if len(messages) > 1 and 1 not in starts:\n"
        "        starts.insert(0, 1)\n"
        "    ends = [*starts[1:], len(messages)]\n"
        "    return [list(messages[start:end]) for start, end in zip(starts, ends)]\n",
    ),
    "with_raw_response and extra parameters": changed(
        "        response = client.chat.completions.create(\n"
        "            model=MODEL, messages=trim_to_budget(messages, budget)\n        )",
        "        raw = client.chat.completions.with_raw_response.create(\n"
        "            model=MODEL, messages=trim_to_budget(messages, budget),\n"
        "            temperature=0.3, max_completion_tokens=200,\n        )\n"
        "        response = raw.parse()",
    ),
}


CORRECT_VARIANTS |= {
    "turns counted one by one, without split_turns, from the newest back": changed(
        TRIM_BODY,
        "    system, rest = messages[0], list(messages[1:])\n"
        "    starts = [i for i, m in enumerate(rest) if m['role'] == 'user']\n"
        "    keep_from = starts[-1]\n"
        "    for start in reversed(starts[:-1]):\n"
        "        if count_message_tokens([system, *rest[start:]]) > budget:\n"
        "            break\n"
        "        keep_from = start\n"
        "    return [system, *rest[keep_from:]]\n",
    ),
    "the trimmed list kept in a variable, typed messages untouched": changed(
        "            model=MODEL, messages=trim_to_budget(messages, budget)\n",
        "            model=MODEL, messages=trimmed\n",
        changed(
            "    with OpenAI() as client:\n        response",
            "    trimmed = trim_to_budget(messages, budget)\n"
            "    with OpenAI() as client:\n        response",
        ),
    ),
}


@pytest.mark.parametrize("variant", CORRECT_VARIANTS)
def test_correct_variants_pass(grade, variant):
    grading = grade("07", CORRECT_VARIANTS[variant])
    assert grading.passed(), grading.failures


MISTAKES = {
    "system message dropped": (
        changed("    return [system, *kept]\n", "    return kept\n"),
        "the system message is missing from the front",
    ),
    "turns split into single messages": (
        changed(
            "for turn in reversed(split_turns(messages)):",
            "for turn in reversed([[message] for message in messages[1:]]):",
        ),
        "split a turn: it kept part of turn 3 but dropped its user message",
    ),
    "system message left out of the count": (
        changed(
            "count_message_tokens([system, *turn, *kept])", "count_message_tokens([*turn, *kept])"
        ),
        "over the budget of",
    ),
    "a list of exactly the budget counted as too long": (
        changed("*kept]) > budget:", "*kept]) >= budget:"),
        "it dropped a turn that still fit",
    ),
    "newest turn dropped when it alone is too long": (
        changed("        if kept and count_message_tokens(", "        if count_message_tokens("),
        "returned only the system message",
    ),
    "the caller's list changed": (
        changed(
            TRIM_BODY,
            "    while len(split_turns(messages)) > 1 and count_message_tokens(messages) > budget:\n"
            "        del messages[1 : 1 + len(split_turns(messages)[0])]\n"
            "    return messages\n",
        ),
        "trim_to_budget() changed the list it was given",
    ),
    "a turn that doesn't fit skipped, an older one kept": (
        changed("            break\n", "            continue\n"),
        "that left a gap in the conversation",
    ),
    "whole history sent": (
        changed("model=MODEL, messages=trim_to_budget(messages, budget)", "model=MODEL, messages=messages"),
        "reply() sent the whole conversation",
    ),
    # More messages the grader gives, for mistakes seen less often.
    "newest turns dropped instead of the oldest": (
        changed("for turn in reversed(split_turns(messages)):", "for turn in split_turns(messages):")
        .replace("kept = [*turn, *kept]", "kept = [*kept, *turn]"),
        "but dropped the newest",
    ),
    "system message put into a turn": (
        changed("    for message in messages[1:]:\n", "    for message in messages:\n"),
        "split_turns() put the system message into a turn",
    ),
    "unanswered question left out of the turns": (
        changed(
            "    turns: list[list[dict]] = []\n"
            "    for message in messages[1:]:\n"
            '        if message["role"] == "user" or not turns:\n'
            "            turns.append([message])\n"
            "        else:\n"
            "            turns[-1].append(message)\n"
            "    return turns\n",
            "    return [[user, answer] for user, answer in zip(messages[1::2], messages[2::2])]\n",
        ),
        "split_turns() left out the newest turn",
    ),
    "reply added to the caller's list": (
        changed(
            "    return response.choices[0].message.content",
            '    messages.append({"role": "assistant", "content": response.choices[0].message.content})\n'
            "    return response.choices[0].message.content",
        ),
        "reply() changed the list it was given",
    ),
}


MISTAKES |= {
    "turns holding the texts instead of the messages": (
        changed(
            "            turns.append([message])\n",
            '            turns.append([message["content"]])\n',
            changed(
                "            turns[-1].append(message)\n",
                '            turns[-1].append(message["content"])\n',
            ),
        ),
        "but the tests expected a list of turns, each a list of messages",
    ),
    "the reply printed as well as returned": (
        changed(
            "    return response.choices[0].message.content",
            "    print(response.choices[0].message.content)\n"
            "    return response.choices[0].message.content",
        ),
        "returned the reply, and printed it too",
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_mistake_is_named(grade, mistake):
    source, phrase = MISTAKES[mistake]
    named(grade("07", source), phrase)


@pytest.mark.parametrize(
    "mistake", ["system message put into a turn", "unanswered question left out of the turns"]
)
def test_a_wrong_split_turns_is_the_one_reason_trimming_fails(grade, mistake):
    source, phrase = MISTAKES[mistake]
    one_cause(grade("07", source), phrase)


def test_printing_the_reply_fails_only_the_check_of_what_reply_returns(grade):
    source, _ = MISTAKES["the reply printed as well as returned"]
    fails_only(grade("07", source), "test_reply_returns_the_reply_text")
