"""Checks for exercise 01. You don't need to read them: each failure says what to change."""

import pytest

from workshop.harness.checks import (
    ROLES_LESSON,
    check_model,
    check_roles,
    expect_reply_text,
    message_list,
    single_request,
)

QUESTION = "Which museums in Porto are worth a rainy afternoon?"  # not the one main() asks
ONE_REQUEST = "one question is one request: model plus messages"



def built_messages(learner):
    """build_messages(QUESTION), checked for the shape of a message list and its roles."""
    messages = message_list(
        learner, learner.call("build_messages", QUESTION), what="build_messages()"
    )
    check_roles(learner, messages)
    return messages


def sent_request(learner, outcome, expected):
    """The one request ask() sent, checked for its messages' shape, their roles and the model."""
    request = single_request(learner, outcome, idea=ONE_REQUEST, expected=expected)
    sent = message_list(learner, request.json().get("messages"), what="the request")
    check_roles(learner, sent, request)
    check_model(learner, request)
    return request, sent


@pytest.mark.task(1)
def test_system_prompt_describes_the_assistant(learner):
    prompt = learner.attribute("SYSTEM_PROMPT", kind="variable")
    if not isinstance(prompt, str) or not prompt.strip():
        learner.fail(
            f"SYSTEM_PROMPT is {prompt!r}, but the tests expected a sentence or two that tells "
            "the model who it is, such as 'You are a friendly travel assistant...'.",
            idea="the system message sets the assistant's persona and rules",
            lesson=ROLES_LESSON,
        )


@pytest.mark.task(2)
def test_build_messages_puts_the_system_message_first(learner):
    messages = built_messages(learner)
    roles = [message["role"] for message in messages]
    if "system" not in roles:
        learner.fail(
            f"build_messages() returned messages with the roles {roles}, but there is no system "
            "message, so the model never hears SYSTEM_PROMPT.",
            idea="the system message sets the assistant's persona and rules",
            lesson=ROLES_LESSON,
        )
    if roles != ["system", "user"]:
        learner.fail(
            f"build_messages() returned messages with the roles {roles}, but the tests expected "
            "['system', 'user']: the system message comes first, then the traveller's question.",
            idea="order matters: instructions first, then the conversation",
            lesson=ROLES_LESSON,
        )


@pytest.mark.task(2)
def test_build_messages_keeps_the_prompt_and_question_unchanged(learner):
    messages = built_messages(learner)
    prompt = learner.attribute("SYSTEM_PROMPT", kind="variable")
    system = [m["content"] for m in messages if m.get("role") == "system"]
    user = [m["content"] for m in messages if m.get("role") == "user"]
    if system and system[0] != prompt:
        learner.fail(
            f"The system message says {system[0]!r}, but SYSTEM_PROMPT is {prompt!r}. "
            "Use SYSTEM_PROMPT itself as the system message's content.",
            idea="the system message sets the assistant's persona and rules",
            lesson=ROLES_LESSON,
        )
    if user != [QUESTION]:
        learner.fail(
            f"The user messages say {user!r}, but the question was {QUESTION!r}. Send the "
            "traveller's words as one user message, as they are: no prefixes, no changes.",
            idea="the user message carries the user's own words",
            lesson=ROLES_LESSON,
        )


@pytest.mark.task(3)
def test_ask_sends_one_request_with_model_and_messages(learner):
    expected = built_messages(learner)
    outcome = learner.run("ask", QUESTION)
    request, sent = sent_request(learner, outcome, expected)
    if [dict(message) for message in sent] != [dict(message) for message in expected]:
        learner.fail(
            "ask() sent messages that differ from build_messages(question). Build the messages "
            "in one place and send exactly those: messages=build_messages(question).",
            idea="one function builds the messages, another sends them",
            request=request,
        )


@pytest.mark.task(3)
def test_ask_uses_build_messages(learner):
    module = learner.module
    real_build_messages = learner.attribute("build_messages")
    expected = built_messages(learner)
    calls = []

    def watched_build_messages(question):
        calls.append(question)
        return real_build_messages(question)

    module.build_messages = watched_build_messages
    outcome = learner.run("ask", QUESTION)
    sent_request(learner, outcome, expected)
    if not calls:
        learner.fail(
            "ask() sent a request without calling build_messages(), so the two can drift apart. "
            "Inside ask(), pass messages=build_messages(question).",
            idea="one function builds the messages, another sends them",
        )


@pytest.mark.task(3)
def test_ask_returns_the_reply_text(learner):
    expected = built_messages(learner)
    outcome = learner.run("ask", QUESTION)
    request, _ = sent_request(learner, outcome, expected)
    expect_reply_text(learner, outcome, request, function="ask", quiet=True)
