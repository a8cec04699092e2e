"""Checks for exercise 07. You don't need to read them: each failure says what to change."""

import copy
from collections.abc import Mapping

import pytest

from workshop.harness.checks import (
    check_model,
    check_roles,
    expect_reply_text,
    message_list,
    single_request,
)
from workshop.harness.sandbox import LearnerCodeError
from workshop.tokens import count_message_tokens

SYSTEM = {"role": "system", "content": "You are a friendly travel assistant. Answer briefly."}
TURNS = [
    [
        {"role": "user", "content": "Hi, my name is Ada and I'm planning a trip to Lisbon."},
        {"role": "assistant", "content": "Nice to meet you, Ada! Lisbon is a lovely choice."},
    ],
    [
        {"role": "user", "content": "What should I pack for four days in November?"},
        {
            "role": "assistant",
            "content": "Pack layers you can combine: a warm sweater, a light waterproof jacket, a "
            "compact umbrella and comfortable shoes with a good grip, because the hills and the "
            "polished cobblestones get slippery in the rain. Add a scarf for windy evenings by "
            "the river and a power adapter for your phone.",
        },
    ],
    [
        {"role": "user", "content": "Which sights should we see first?"},
        {
            "role": "assistant",
            "content": "Start with the old town on foot, then take a tram up to a viewpoint at sunset.",
        },
    ],
    [
        {"role": "user", "content": "Where should we eat on the first evening?"},
        {
            "role": "assistant",
            "content": "Try a family-run tavern in Alfama and ask for the dish of the day.",
        },
    ],
    [{"role": "user", "content": "What is my name?"}],
]

LESSON = "lessons/08-context-management.md"
TURN_IDEA = "a turn is a user message and the reply to it: kept or dropped together"
BUDGET_IDEA = "keep the system message and the newest turns that fit; drop the oldest first"
UNCHANGED_IDEA = "build a new list: the caller's conversation is not yours to change"
SEND_IDEA = "trim before every request: send only what fits the budget"



def flat(turns):
    return [message for turn in turns for message in turn]


def conversation(turns=TURNS):
    """A fresh copy every time, so code that changes its argument can't change the tests."""
    return copy.deepcopy([SYSTEM, *flat(turns)])


def tokens_of(turns):
    return count_message_tokens([SYSTEM, *flat(turns)])


def numbers(indexes):
    """Turn indexes as a learner counts them: 'turns 2, 3 and 4'."""
    shown = [str(index + 1) for index in indexes]
    if not shown:
        return "no turns"
    if len(shown) == 1:
        return f"turn {shown[0]}"
    return f"turns {', '.join(shown[:-1])} and {shown[-1]}"


def describe_turns(turns):
    return "; ".join(
        f"turn {number}: " + " + ".join(message["role"] for message in turn)
        for number, turn in enumerate(turns, start=1)
    )


# --- Task 1: split_turns -----------------------------------------------------------------------


@pytest.mark.task(1)
def test_split_turns_groups_each_question_with_its_reply(learner):
    check_split(learner)


def split_first(learner):
    """A trim_to_budget() built on split_turns() fails for split_turns()'s mistake: name that one."""
    real_split = learner.attribute("split_turns")
    calls = []

    def watched_split(messages):
        calls.append(messages)
        return real_split(messages)

    learner.module.split_turns = watched_split
    try:
        learner.run("trim_to_budget", conversation(), tokens_of(TURNS))
    finally:
        learner.module.split_turns = real_split
    if not calls:
        return
    try:
        check_split(learner)
    except LearnerCodeError as error:
        if not isinstance(error.__cause__, NotImplementedError):
            raise


def check_split(learner):
    for turns in (TURNS, TURNS[:-1]):
        value = learner.call("split_turns", conversation(turns))
        if not isinstance(value, (list, tuple)) or not all(
            isinstance(turn, (list, tuple)) and all(isinstance(m, Mapping) for m in turn)
            for turn in value
        ):
            learner.fail(
                f"split_turns() returned {value!r:.120}, but the tests expected a list of turns, "
                "each a list of messages, such as [[user, assistant], [user, assistant], [user]].",
                idea=TURN_IDEA,
                lesson=LESSON,
            )
        got = [[dict(message) for message in turn] for turn in value]
        if got == turns:
            continue
        if got and SYSTEM in got[0]:
            learner.fail(
                "split_turns() put the system message into a turn, but turns are the messages "
                "after it: the system message is kept apart, and always kept. Start at "
                "messages[1:].",
                idea=TURN_IDEA,
                lesson=LESSON,
            )
        if flat(got) == flat(turns[:-1]) and len(turns[-1]) == 1:
            learner.fail(
                "split_turns() left out the newest turn, the user's question that has no reply "
                "yet. A turn starts at every user message, whether or not a reply follows.",
                idea=TURN_IDEA,
                lesson=LESSON,
            )
        learner.fail(
            f"split_turns() returned {len(got)} turns ({describe_turns(got)}), but the messages "
            f"after the system message make {len(turns)} ({describe_turns(turns)}). Each user "
            "message starts a new turn, and the assistant's reply joins the turn before it.",
            idea=TURN_IDEA,
            lesson=LESSON,
        )


# --- Task 2: trim_to_budget --------------------------------------------------------------------


def check_trimmed(learner, budget, expected_turns):
    """Run trim_to_budget on the test conversation; it must keep exactly `expected_turns`."""
    split_first(learner)
    value = learner.call("trim_to_budget", conversation(), budget)
    what = f"trim_to_budget(messages, {budget})"
    messages = [dict(message) for message in message_list(learner, value, what=what)]
    check_roles(learner, messages)
    if not messages or messages[0] != SYSTEM:
        first = repr(messages[0].get("role")) if messages else "nothing"
        learner.fail(
            f"{what} returned messages that start with {first}: the system message is missing "
            "from the front. Always keep messages[0], the system message, first: it holds the "
            "assistant's instructions, and dropping it changes who the assistant is.",
            idea=BUDGET_IDEA,
            lesson=LESSON,
        )
    kept = kept_turns(learner, what, messages[1:])
    newest = len(TURNS) - 1
    size = count_message_tokens(messages)
    expected = expected_turns
    if not kept:
        learner.fail(
            f"{what} returned only the system message, so the model would never see the "
            "question. The newest turn is always kept, even when it alone is over the budget: "
            "it holds what the user is asking now.",
            idea=BUDGET_IDEA,
            lesson=LESSON,
        )
    if kept[-1] != newest:
        dropped = list(range(kept[-1] + 1, newest + 1))
        learner.fail(
            f"{what} kept {numbers(kept)} of {len(TURNS)} but dropped the newest, "
            f"{numbers(dropped)}, so the model would not see the question being asked. Drop "
            "from the oldest end: start from the newest turn and go back in time while the "
            "turns fit.",
            idea=BUDGET_IDEA,
            lesson=LESSON,
        )
    if kept != list(range(kept[0], newest + 1)):
        dropped = [index for index in range(kept[0], newest + 1) if index not in kept]
        learner.fail(
            f"{what} kept {numbers(kept)} of {len(TURNS)} but dropped {numbers(dropped)}, which "
            "came later: that left a gap in the conversation. Drop from the oldest end only, so "
            "what is kept is the newest turns in a row; stop at the first turn that doesn't fit.",
            idea=BUDGET_IDEA,
            lesson=LESSON,
        )
    if size > budget and len(kept) > 1:
        learner.fail(
            f"{what} kept {numbers(kept)} of {len(TURNS)}: {size} tokens by count_message_tokens "
            f"(the count the API reports as prompt_tokens), over the budget of {budget}. Count "
            "the whole list you would send, system message included, and keep a turn only if "
            "the total stays within the budget.",
            idea=BUDGET_IDEA,
            lesson=LESSON,
        )
    if kept != expected:
        learner.fail(
            f"{what} kept {numbers(kept)} of {len(TURNS)} ({size} tokens), but {numbers(expected)} "
            f"fit in the budget of {budget} ({tokens_of(TURNS[expected[0]:])} tokens): it dropped "
            "a turn that still fit. Keep adding turns while the count is within the budget "
            f"(<= {budget}, so a list of exactly {budget} tokens fits), and count tokens with "
            "count_message_tokens, not characters or words.",
            idea=BUDGET_IDEA,
            lesson=LESSON,
        )


def kept_turns(learner, what, messages):
    """The indexes of the turns `messages` consists of, or a failure if a turn was split."""
    where = {}
    for index, turn in enumerate(TURNS):
        for position, message in enumerate(turn):
            where[(message["role"], message["content"])] = (index, position)
    found = []
    for message in messages:
        key = (message.get("role"), message.get("content"))
        if message == SYSTEM:
            learner.fail(
                f"{what} returned the system message more than once. Keep it exactly once, "
                "first, followed by the turns.",
                idea=BUDGET_IDEA,
                lesson=LESSON,
            )
        if key not in where:
            learner.fail(
                f"{what} returned a message that is not in the conversation: {message!r:.120}. "
                "Return messages from the list you were given, unchanged.",
                idea=BUDGET_IDEA,
                lesson=LESSON,
            )
        found.append(where[key])
    kept = []
    for index, _position in found:
        if not kept or kept[-1] != index:
            if kept and index < kept[-1]:
                learner.fail(
                    f"{what} returned the turns out of order. Keep them in the order they were "
                    "spoken: the oldest kept turn first, the newest last.",
                    idea=BUDGET_IDEA,
                    lesson=LESSON,
                )
            kept.append(index)
    for index in kept:
        positions = [position for turn, position in found if turn == index]
        if positions != list(range(len(TURNS[index]))):
            missing = [
                message["role"] for position, message in enumerate(TURNS[index])
                if position not in positions
            ]
            learner.fail(
                f"{what} split a turn: it kept part of turn {index + 1} but dropped its "
                f"{' and '.join(missing)} message. A user message and the reply to it belong "
                "together: a reply without its question (or a question without its answer) "
                "confuses the model. Drop and keep whole turns, as split_turns() gives them.",
                idea=TURN_IDEA,
                lesson=LESSON,
            )
    return kept


@pytest.mark.task(2)
def test_trim_to_budget_keeps_everything_when_it_fits(learner):
    everything = list(range(len(TURNS)))
    check_trimmed(learner, tokens_of(TURNS) + 50, everything)
    check_trimmed(learner, tokens_of(TURNS), everything)


@pytest.mark.task(2)
def test_trim_to_budget_drops_the_oldest_turns_first(learner):
    for count in (4, 3, 2):
        newest = TURNS[-count:]
        check_trimmed(learner, tokens_of(newest), list(range(len(TURNS) - count, len(TURNS))))
        check_trimmed(learner, tokens_of(newest) + 1, list(range(len(TURNS) - count, len(TURNS))))


@pytest.mark.task(2)
def test_trim_to_budget_never_splits_a_turn(learner):
    # Room for the third turn's reply, but not for the question before it.
    budget = count_message_tokens([SYSTEM, TURNS[2][1], *flat(TURNS[3:])])
    assert tokens_of(TURNS[2:]) > budget
    check_trimmed(learner, budget, [3, 4])


@pytest.mark.task(2)
def test_trim_to_budget_leaves_no_gap(learner):
    # The first turn is short and would fit, but the long second turn before the rest does not.
    budget = count_message_tokens([SYSTEM, *TURNS[0], *flat(TURNS[2:])])
    assert tokens_of(TURNS[1:]) > budget >= tokens_of(TURNS[2:])
    check_trimmed(learner, budget, [2, 3, 4])


@pytest.mark.task(2)
def test_trim_to_budget_always_keeps_the_newest_turn(learner):
    check_trimmed(learner, 10, [len(TURNS) - 1])


@pytest.mark.task(2)
def test_trim_to_budget_leaves_the_callers_list_unchanged(learner):
    messages = conversation()
    learner.call("trim_to_budget", messages, tokens_of(TURNS[-2:]))
    if messages != conversation():
        learner.fail(
            f"trim_to_budget() changed the list it was given: it had {len(conversation())} "
            f"messages before the call and {len(messages)} after. The caller's history is not "
            "yours to change (it may be shown to the user or saved); build and return a new list "
            "instead of deleting from or appending to `messages`.",
            idea=UNCHANGED_IDEA,
            lesson=LESSON,
        )


# --- Task 3: reply -----------------------------------------------------------------------------

REPLY_BUDGET = tokens_of(TURNS[-2:]) + 5


@pytest.mark.task(3)
def test_reply_sends_the_trimmed_conversation(learner):
    trimmed = learner.call("trim_to_budget", conversation(), REPLY_BUDGET)
    what = f"trim_to_budget(messages, {REPLY_BUDGET})"
    expected = [dict(m) for m in message_list(learner, trimmed, what=what)]
    outcome = learner.run("reply", conversation(), REPLY_BUDGET)
    request = single_request(learner, outcome, idea=SEND_IDEA)
    sent = message_list(learner, request.json().get("messages"), what="the request")
    check_roles(learner, sent, request)
    check_model(learner, request)
    prompt_tokens = ((request.reply or {}).get("usage") or {}).get("prompt_tokens")
    if sent == conversation():
        learner.fail(
            f"reply() sent the whole conversation: {len(sent)} messages, {prompt_tokens} prompt "
            f"tokens, over the budget of {REPLY_BUDGET}. Trim it first: "
            "messages=trim_to_budget(messages, budget).",
            idea=SEND_IDEA,
            lesson=LESSON,
            request=request,
        )
    if sent != expected:
        learner.fail(
            "reply() sent messages that differ from trim_to_budget(messages, budget). Trim in "
            "one place and send exactly what it returns: messages=trim_to_budget(messages, "
            "budget).",
            idea=SEND_IDEA,
            lesson=LESSON,
            request=request,
        )


@pytest.mark.task(3)
def test_reply_leaves_the_callers_list_unchanged(learner):
    messages = conversation()
    outcome = learner.run("reply", messages, REPLY_BUDGET)
    single_request(learner, outcome, idea=SEND_IDEA)
    if messages != conversation():
        advice = (
            "Return the reply's text and let the caller add it to the history (main() does)."
            if len(messages) > len(conversation())
            else "If trim_to_budget() deletes from the list, fix that first: it should build a "
            "new list."
        )
        learner.fail(
            f"reply() changed the list it was given: it had {len(conversation())} messages "
            f"before the call and {len(messages)} after. {advice}",
            idea=UNCHANGED_IDEA,
            lesson=LESSON,
        )


@pytest.mark.task(3)
def test_reply_returns_the_reply_text(learner):
    outcome = learner.run("reply", conversation(), REPLY_BUDGET)
    request = single_request(learner, outcome, idea=SEND_IDEA)
    expect_reply_text(learner, outcome, request, function="reply", quiet=True)
