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

ROLES_LESSON = "lessons/02-messages-and-roles.md"
RESPONSE_LESSON = "lessons/01-first-request.md"
TEXT_LIVES_AT = "response.choices[0].message.content"


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
    learner: Learner, outcome: Outcome, request: RecordedRequest, *, function: str
) -> str:
    """The call must return the reply's text: not the response object, not printed output."""
    value = outcome.result()
    expected = request.reply_texts()[0] if request.reply_texts() else None
    if isinstance(value, str) and value == expected:
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
