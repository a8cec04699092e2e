"""Checks that several graders share: message lists, roles, the model, and returning reply text.

Each one accepts every correct way of writing the code (dicts or the SDK's typed params, extra
parameters, a client per call or per module) and names the common mistakes one by one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workshop.harness.learner import Learner
from workshop.harness.sandbox import Outcome, short_repr
from workshop.simulation import VALID_ROLES
from workshop.simulation.recording import RecordedRequest
from workshop.tokens import message_text

ROLES_LESSON = "lessons/02-messages-and-roles.md"
RESPONSE_LESSON = "lessons/01-first-request.md"
TEXT_LIVES_AT = "response.choices[0].message.content"


def single_request(
    learner: Learner,
    outcome: Outcome,
    *,
    idea: str,
    expected: list[Mapping[str, Any]] | None = None,
) -> RecordedRequest:
    """The one chat request a call should make; with more, the evidence is the stray one.

    `expected` is the message list the right request carries: the request shown is the first
    that differs from it, or the repeat when the same request went out twice.
    """
    sent = learner.chat_requests
    if len(sent) <= 1:
        return learner.one_chat_request(outcome, idea=idea)
    learner.reject_unanswered_requests()
    if all(_sent_messages(request) == _sent_messages(sent[0]) for request in sent):
        what, stray, which = f"the same request {len(sent)} times", sent[1], "is a repeat"
    else:
        wanted = [_plain(message) for message in expected] if expected is not None else None
        stray = next((r for r in sent if wanted is not None and _sent_messages(r) != wanted), None)
        what = f"{len(sent)} requests"
        which = "is the second" if stray is None else "is the one that should not be there"
        stray = stray or sent[1]
    learner.fail(
        f"Your code sent {what}, but this needs exactly one. Each request costs time and money, "
        f"so make one call and use its answer. The request below {which}.",
        idea=idea,
        request=stray,
    )


def _sent_messages(request: RecordedRequest) -> list[Any]:
    messages = request.json().get("messages")
    return [_plain(message) for message in messages] if isinstance(messages, list) else []


def _plain(message: Any) -> Any:
    return dict(message) if isinstance(message, Mapping) else message


def check_question_sent(
    learner: Learner,
    messages: list[Mapping[str, Any]],
    question: str,
    request: RecordedRequest,
    *,
    function: str,
) -> None:
    """The question must go out as a user message of its own, unchanged."""
    users = [message_text(message) for message in messages if message.get("role") == "user"]
    if question in users:
        return
    folded = [
        message.get("role") for message in messages
        if message.get("role") != "user" and question in message_text(message)
    ]
    if folded:
        learner.fail(
            f"{function} put the question {question!r} inside the {folded[0]} message, but the "
            "question is the user speaking: send it as a user message of its own, "
            '{"role": "user", "content": question}, after the instructions.',
            idea="the system message gives instructions; the user message carries the question",
            lesson=ROLES_LESSON,
            request=request,
        )
    if any(question in text for text in users):
        learner.fail(
            f"{function} sent the user message {short_repr(next(t for t in users if question in t))}, "
            f"but the question was {question!r}. Send it as it came, with nothing added.",
            idea="the user message carries the user's own words",
            lesson=ROLES_LESSON,
            request=request,
        )
    learner.fail(
        f"{function} sent the user messages {short_repr(users)}, but the question was "
        f"{question!r}. Send it unchanged as a user message: "
        '{"role": "user", "content": question}.',
        idea="the user message carries the user's own words",
        lesson=ROLES_LESSON,
        request=request,
    )


def message_list(learner: Learner, value: Any, *, what: str) -> list[Mapping[str, Any]]:
    """`value` as a list of messages, or a failure that says what a message list looks like."""
    if not isinstance(value, (list, tuple)):
        learner.fail(
            f"{what} returned {type(value).__name__} {short_repr(value)}, but the tests expected a list "
            'of messages such as [{"role": "system", "content": "..."}, ...].',
            idea="messages are a list of dicts, each with a role and content",
            lesson=ROLES_LESSON,
        )
    for index, message in enumerate(value):
        if not isinstance(message, Mapping) or "role" not in message or "content" not in message:
            learner.fail(
                f"Message {index} from {what} is {short_repr(message)}, but every message needs a "
                '"role" and a "content", like {"role": "user", "content": "Hello"}.',
                idea="messages are a list of dicts, each with a role and content",
                lesson=ROLES_LESSON,
            )
    return list(value)


def check_roles(
    learner: Learner, messages: list[Mapping[str, Any]], request: RecordedRequest | None = None
) -> None:
    """Every role must be one the API knows."""
    for index, message in enumerate(messages):
        role = message.get("role")
        if role not in VALID_ROLES:
            known = ", ".join(repr(name) for name in ("system", "user", "assistant", "developer"))
            learner.fail(
                f"Message {index} has the role {role!r}, which the API does not know, so it would "
                f"refuse the request (400 Bad Request). Chat roles are {known} (and 'tool').",
                idea="each message's role says who is speaking",
                lesson=ROLES_LESSON,
                request=request,
            )


def check_model(learner: Learner, request: RecordedRequest) -> None:
    """The request must name the workshop's model, imported as MODEL."""
    expected = learner.attribute("MODEL", kind="variable")
    sent = request.json().get("model")
    if sent != expected:
        learner.fail(
            f"The request asked for the model {sent!r}, but this exercise uses MODEL "
            f"({expected!r}), so every exercise switches model from one setting in .env.",
            idea="name the model through the MODEL setting, never a hard-coded string",
            lesson=RESPONSE_LESSON,
            request=request,
        )


def expect_reply_text(
    learner: Learner, outcome: Outcome, request: RecordedRequest, *, function: str,
    quiet: bool = False,
) -> str:
    """The call must return the reply's text: not the response object, not printed output.

    `quiet` is for a function whose instructions say not to print the reply (main() does).
    """
    value = outcome.result()
    expected = request.reply_texts()[0] if request.reply_texts() else None
    if isinstance(value, str) and value == expected:
        if quiet and expected and expected in outcome.printed:
            learner.fail(
                f"{function}() returned the reply, and printed it too. main() prints what "
                f"{function}() returns, so the reader would see the reply twice: remove the "
                "print() and only return the text.",
                idea="return values, print only in main()",
            )
        return value
    if value is None and expected and expected in outcome.printed:
        learner.fail(
            f"{function}() printed the reply and returned None, but the tests expected it to "
            "return the text. Printing shows it to a person; returning hands it to the code "
            "that called you.",
            idea="return values, print only in main()",
        )
    kind = type(value).__name__
    if kind in ("ChatCompletion", "Choice", "ChatCompletionMessage", "LegacyAPIResponse",
                "APIResponse") or isinstance(value, Mapping):
        learner.fail(
            f"{function}() returned a {kind} object, but the tests expected the reply text "
            f"(a str). The text lives in {TEXT_LIVES_AT}.",
            idea="the response is an object; the reply text is one field inside it",
            lesson=RESPONSE_LESSON,
        )
    learner.fail(
        f"{function}() returned {short_repr(value)}, but the model replied {expected!r}, "
        f"so the tests expected exactly that text, from {TEXT_LIVES_AT}.",
        idea="return the model's reply as it came back",
        lesson=RESPONSE_LESSON,
        request=request,
    )
