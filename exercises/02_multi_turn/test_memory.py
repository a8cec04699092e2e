"""Checks for exercise 02. You don't need to read them: each failure says what to change."""

from collections.abc import Mapping
from typing import Any

import pytest

from workshop.harness.checks import (
    check_model,
    check_roles,
    expect_reply_text,
    message_list,
    single_request,
)
from workshop.harness.feedback import GradingFailure
from workshop.tokens import message_text

PROMPT = "You are a friendly travel assistant."
OTHER_PROMPT = "You are a patient maths tutor."
NAME = "Hi, my name is Ada."
QUESTION = "What is my name?"
SIGHTS = "What should I see in Lisbon?"

ONE_REQUEST = "each turn is one request that carries the whole conversation"
STATELESS = "the API remembers nothing: every request must carry the whole conversation"
APPEND_REPLY = "after each reply, append it to the history as an assistant message"
ONE_SYSTEM = "the system message comes once, at the start of the history"
OWN_HISTORY = "each conversation keeps its own history"
FRESH_START = "a fresh conversation still starts with the system message"

REMEMBERS_NOTHING = "lessons/03-conversation-history.md#the-api-remembers-nothing"
SENDING_HISTORY = "lessons/03-conversation-history.md#sending-the-history"
COMMON_MISTAKES = "lessons/03-conversation-history.md#common-mistakes"



# --- talking to the learner's class ------------------------------------------------------------


def start(learner, prompt: str = PROMPT):
    """A new Conversation, built the way the learner's code would build one."""
    conversation_class = learner.attribute("Conversation", kind="class")
    return learner.invoke(f"Conversation({prompt!r})", conversation_class, prompt).result()


def send(learner, conversation, text: str, *, name: str = "conversation"):
    """One turn: the call's outcome and the single request it sent."""
    learner.api.requests.clear()
    outcome = learner.invoke(f"{name}.send({text!r})", method(learner, conversation, "send"), text)
    request = single_request(learner, outcome, idea=ONE_REQUEST)
    if outcome.error is not None:  # a request the API refused is the mistake to name first
        sent = message_list(learner, request.json().get("messages"), what="the request")
        check_roles(learner, sent, request)
        check_model(learner, request)
    outcome.result()  # a crash after the request was sent still needs fixing first
    return outcome, request


def method(learner, conversation, name: str):
    """A method of the learner's object, or a MISSING message when the class has none by that name."""
    found = getattr(conversation, name, None)
    if not callable(found):
        raise GradingFailure(
            f"MISSING METHOD: a Conversation has no method named {name} in {learner.file_name}: "
            "did you rename it or delete it? The checks look for that exact name."
        )
    return found


def reply_of(request) -> str:
    texts = request.reply_texts()
    return texts[0] if texts else ""


def history(learner, conversation, *, after: str, name: str = "conversation") -> list[tuple[Any, str]]:
    """`conversation.messages` as (role, text) pairs, or a failure that says what is wrong with it."""
    try:
        value = conversation.messages
    except AttributeError:
        learner.fail(
            f"After {after}, the object has no attribute messages, but the tests read the history "
            "from it. Keep the conversation in self.messages, a list that __init__ creates.",
            idea="the history is a list of messages that your object keeps",
            lesson=SENDING_HISTORY,
        )
    if isinstance(value, (list, tuple)):
        value = [_as_mapping(message) for message in value]
    messages = message_list(learner, value, what=f"{name}.messages")
    check_roles(learner, messages)
    return _pairs(messages)


def _as_mapping(message: Any) -> Any:
    """Dicts stay as they are; the SDK's reply message (which `messages` accepts) becomes a dict."""
    if not isinstance(message, Mapping) and hasattr(message, "role") and hasattr(message, "content"):
        return {"role": message.role, "content": message.content}
    return message


def _pairs(messages: list[Mapping[str, Any]]) -> list[tuple[Any, str]]:
    return [(message.get("role"), message_text(message)) for message in messages]


def _show(pairs: list[tuple[Any, str]]) -> str:
    return "[" + ", ".join(f"{role}: {text!r}" for role, text in pairs) + "]"


def _show_any(messages: Any) -> str:
    """`_show` for a list that has not been checked yet, falling back to its repr."""
    items = [_as_mapping(message) for message in messages] if isinstance(messages, list) else None
    if items is not None and all(isinstance(item, Mapping) for item in items):
        return _show(_pairs(items))
    text = repr(messages)
    return text if len(text) <= 200 else text[:197] + "..."


def _system_count(pairs: list[tuple[Any, str]]) -> int:
    return sum(role == "system" for role, _ in pairs)


# --- the shared verdicts -----------------------------------------------------------------------


def check_one_system_message(learner, pairs, *, where: str, request=None) -> None:
    count = _system_count(pairs)
    if count > 1:
        learner.fail(
            f"{where} has {count} system messages, but a conversation has exactly one system "
            "message, at the start. Add it once, in __init__; send() adds only the user message "
            "and the reply.",
            idea=ONE_SYSTEM,
            lesson=COMMON_MISTAKES,
            request=request,
        )


def check_reply_kept(learner, pairs, reply: str, *, where: str) -> None:
    """After a turn, the model's reply must be in the history, as the assistant's message."""
    check_reply_not_from_user(learner, pairs, [reply], where=where)
    if ("assistant", reply) not in pairs:
        _reply_never_added(learner, pairs, reply, where=where)


def check_reply_not_from_user(learner, pairs, replies: list[str], *, where: str, request=None) -> None:
    for reply in replies:
        if ("user", reply) in pairs and ("assistant", reply) not in pairs:
            learner.fail(
                f"{where} holds the model's reply {reply!r} with the role 'user', so the model is "
                "told that you said it. The reply is the assistant speaking: append it as "
                '{"role": "assistant", "content": reply}.',
                idea=APPEND_REPLY,
                lesson=SENDING_HISTORY,
                request=request,
            )


def _reply_never_added(learner, pairs, reply: str, *, where: str, request=None) -> None:
    learner.fail(
        f"{where} is {_show(pairs)}: the model's reply {reply!r} was never added to the history, "
        "so the model sees your messages without its answers. After each request, append "
        '{"role": "assistant", "content": reply} to self.messages.',
        idea=APPEND_REPLY,
        lesson=SENDING_HISTORY,
        request=request,
    )


def _user_message_never_stored(learner, pairs, text: str, *, where: str, request=None) -> None:
    learner.fail(
        f"{where} is {_show(pairs)}: it holds the model's replies but not your message {text!r}, "
        "so the model reads answers to questions it never saw. send() sent the message without "
        "storing it (self.messages + [message] builds a new list and leaves self.messages as "
        'it was). Append it first: self.messages.append({"role": "user", "content": text}), '
        "then send self.messages.",
        idea=STATELESS,
        lesson=SENDING_HISTORY,
        request=request,
    )


def check_whole_history_sent(learner, request, expected, *, earlier: list[str]) -> None:
    """The request must carry `expected`, the whole conversation so far, in order."""
    messages = message_list(learner, request.json().get("messages"), what="the request")
    check_roles(learner, messages, request)
    sent = _pairs(messages)
    if sent == expected:
        return
    before = f"Before this call, the test ran {', then '.join(earlier)}. " if earlier else ""
    reply = reply_of(request)
    check_one_system_message(learner, sent, where=f"{before}The request", request=request)
    told = [text for role, text in expected[:-1] if role == "user"]
    replies = [text for role, text in expected if role == "assistant"]
    if told and not any(("user", text) in sent for text in told) and any(
        ("assistant", text) in sent for text in replies
    ):
        _user_message_never_stored(learner, sent, told[0], where=f"{before}The request",
                                   request=request)
    if told and not any(("user", text) in sent for text in told):
        learner.fail(
            f"{before}The request carried only the newest message, so the model never saw "
            f"{told[0]!r}. It replied:\n    {reply}\nThe API remembers nothing between requests: "
            "the model knows only what this one request contains. Send the whole conversation "
            "every time: messages=self.messages.",
            idea=STATELESS,
            lesson=REMEMBERS_NOTHING,
            request=request,
        )
    if _system_count(sent) == 0:
        learner.fail(
            f"{before}The request has no system message, so the model never hears "
            f"{expected[0][1]!r}. Send self.messages, which starts with the system message from "
            "__init__.",
            idea=ONE_SYSTEM,
            lesson=SENDING_HISTORY,
            request=request,
        )
    latest = expected[-1][1]
    if sent[-1] != ("user", latest):
        learner.fail(
            f"{before}The request does not end with your new message {latest!r} as a user "
            "message. Append it to self.messages first, then send the whole list.",
            idea=ONE_REQUEST,
            lesson=SENDING_HISTORY,
            request=request,
        )
    check_reply_not_from_user(learner, sent, replies, where=f"{before}The request", request=request)
    if replies and not any(("assistant", text) in sent for text in replies):
        _reply_never_added(learner, sent, replies[0], where=f"{before}The request", request=request)
    missing = [pair for pair in expected if pair not in sent]
    if missing:
        learner.fail(
            f"{before}The request left out earlier turns: it sent {len(sent)} of the "
            f"{len(expected)} messages in the conversation so far, without {_show(missing)}. "
            f"The model replied:\n    {reply}\nEvery turn stays in the history: send all of "
            "self.messages, never a slice of it.",
            idea=STATELESS,
            lesson=SENDING_HISTORY,
            request=request,
        )
    learner.fail(
        f"{before}The request sent {_show(sent)}, but the tests expected the conversation so far, "
        f"once and in order: {_show(expected)}.",
        idea=ONE_REQUEST,
        lesson=SENDING_HISTORY,
        request=request,
    )


# --- the checks --------------------------------------------------------------------------------


@pytest.mark.task(1)
def test_a_new_conversation_holds_just_the_system_message(learner):
    conversation = start(learner)
    pairs = history(learner, conversation, after=f"Conversation({PROMPT!r})")
    check_one_system_message(learner, pairs, where="conversation.messages")
    if pairs != [("system", PROMPT)]:
        learner.fail(
            f"A new conversation's messages are {_show(pairs)}, but the tests expected exactly one "
            f"system message with the prompt it was given: [system: {PROMPT!r}]. In __init__: "
            'self.messages = [{"role": "system", "content": system_prompt}].',
            idea=ONE_SYSTEM,
            lesson=SENDING_HISTORY,
        )


@pytest.mark.task(2)
def test_send_makes_one_request_and_returns_the_reply_text(learner):
    conversation = start(learner)
    outcome, request = send(learner, conversation, NAME)
    check_model(learner, request)
    check_whole_history_sent(learner, request, [("system", PROMPT), ("user", NAME)], earlier=[])
    expect_reply_text(learner, outcome, request, function="conversation.send", quiet=True)


@pytest.mark.task(2)
def test_send_adds_your_message_and_the_reply_to_the_history(learner):
    conversation = start(learner)
    _, request = send(learner, conversation, NAME)
    reply = reply_of(request)
    after = f"conversation.send({NAME!r})"
    pairs = history(learner, conversation, after=after)
    where = f"After {after}, conversation.messages"
    check_one_system_message(learner, pairs, where=where)
    check_reply_kept(learner, pairs, reply, where=where)
    if ("user", NAME) not in pairs:
        _user_message_never_stored(learner, pairs, NAME, where=where)
    expected = [("system", PROMPT), ("user", NAME), ("assistant", reply)]
    if pairs != expected:
        learner.fail(
            f"{where} is {_show(pairs)}, but the tests expected {_show(expected)}: the system "
            "message, your words as they were, then the model's reply.",
            idea=APPEND_REPLY,
            lesson=SENDING_HISTORY,
        )


@pytest.mark.task(2)
def test_the_second_request_carries_the_first_turn(learner):
    conversation = start(learner)
    _, first = send(learner, conversation, NAME)
    _, second = send(learner, conversation, QUESTION)
    expected = [("system", PROMPT), ("user", NAME), ("assistant", reply_of(first)), ("user", QUESTION)]
    check_whole_history_sent(learner, second, expected, earlier=[f"conversation.send({NAME!r})"])


@pytest.mark.task(2)
def test_every_turn_stays_in_the_history(learner):
    conversation = start(learner)
    expected = [("system", PROMPT)]
    earlier = []
    for text in (NAME, SIGHTS, QUESTION):
        _, request = send(learner, conversation, text)
        expected.append(("user", text))
        check_whole_history_sent(learner, request, expected, earlier=earlier)
        expected.append(("assistant", reply_of(request)))
        earlier.append(f"conversation.send({text!r})")


@pytest.mark.task(1)
def test_two_conversations_keep_separate_histories(learner):
    first = start(learner)
    second = start(learner, OTHER_PROMPT)
    made = f"first = Conversation({PROMPT!r}) and second = Conversation({OTHER_PROMPT!r})"
    first_messages = getattr(first, "messages", None)
    if first_messages is not None and first_messages is getattr(second, "messages", None):
        learner.fail(
            f"{made} share one history: both hold the very same messages list, which now reads "
            f"{_show_any(first_messages)}. Whatever one conversation says shows up in the other "
            "(in a chat app, one user would read another's messages). "
            f"{_where_the_shared_list_comes_from(learner, first_messages)}",
            idea=OWN_HISTORY,
            lesson=COMMON_MISTAKES,
        )
    send(learner, first, NAME, name="first")
    _, request = send(learner, second, QUESTION, name="second")
    sent = _pairs(message_list(learner, request.json().get("messages"), what="the request"))
    if ("user", NAME) in sent:
        learner.fail(
            f"After {made}, first.send({NAME!r}) was heard by the second conversation: its request "
            "carried that message, so the two share one history. Each object needs its own list, "
            "created in __init__.",
            idea=OWN_HISTORY,
            lesson=COMMON_MISTAKES,
            request=request,
        )
    check_whole_history_sent(
        learner,
        request,
        [("system", OTHER_PROMPT), ("user", QUESTION)],
        earlier=[f"first.send({NAME!r})"],
    )


def _where_the_shared_list_comes_from(learner, shared: Any) -> str:
    make_one = (
        'Create a new list inside __init__ instead: self.messages = [{"role": "system", '
        '"content": system_prompt}].'
    )
    conversation_class = learner.attribute("Conversation", kind="class")
    if any(value is shared for value in vars(conversation_class).values()):
        return (
            "The list is a class attribute: a list written in the class body is created once and "
            f"shared by every object. {make_one}"
        )
    defaults = getattr(getattr(conversation_class, "__init__", None), "__defaults__", None) or ()
    if any(value is shared for value in defaults):
        return (
            "The list is a default argument of __init__: a default such as messages=[] is created "
            "once, when Python reads the def, and every call that leaves it out gets that same "
            f"list. {make_one}"
        )
    return f"The list was made once, outside __init__. {make_one}"


@pytest.mark.task(3)
def test_reset_keeps_only_the_system_message(learner):
    conversation = start(learner)
    send(learner, conversation, NAME)
    call = "conversation.reset()"
    learner.invoke(call, method(learner, conversation, "reset")).result()
    pairs = history(learner, conversation, after=call)
    if ("system", PROMPT) not in pairs:
        learner.fail(
            f"After conversation.send({NAME!r}) and {call}, conversation.messages is {_show(pairs)}: "
            "reset() removed the system message too, so the next turn would lose the assistant's "
            "instructions. Keep the first message: self.messages = self.messages[:1].",
            idea=FRESH_START,
            lesson=SENDING_HISTORY,
        )
    check_one_system_message(learner, pairs, where=f"After {call}, conversation.messages")
    if pairs != [("system", PROMPT)]:
        learner.fail(
            f"After conversation.send({NAME!r}) and {call}, conversation.messages is {_show(pairs)}, "
            f"but the tests expected only the system message: [system: {PROMPT!r}]. reset() forgets "
            "every turn.",
            idea=FRESH_START,
            lesson=SENDING_HISTORY,
        )
    _, request = send(learner, conversation, QUESTION)
    check_whole_history_sent(
        learner,
        request,
        [("system", PROMPT), ("user", QUESTION)],
        earlier=[f"conversation.send({NAME!r})", call],
    )
