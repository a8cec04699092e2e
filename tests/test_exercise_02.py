"""Exercise 02's grader: accepts every correct way to write it and names each common mistake."""

import pytest

from tests.conftest import editor, solution_source, stub_source
from tests.verdicts import fails_only, named, one_cause

SOLUTION = solution_source("02")

SEND = "            response = client.chat.completions.create(model=MODEL, messages=self.messages)"
APPEND_REPLY = '        self.messages.append({"role": "assistant", "content": reply})'


changed = editor(SOLUTION)


def test_a_started_stub_points_at_the_first_todo(grade):
    grading = grade("02", stub_source("02") + "\n# started\n")
    assert (
        "Conversation('You are a friendly travel assistant.') is not written yet: "
        "it still raises NotImplementedError (TODO 1: __init__)"
    ) in grading.failures


CORRECT_VARIANTS = {
    "module-level client": changed(
        "class Conversation:",
        "client = OpenAI()\n\n\nclass Conversation:",
        changed("        with OpenAI() as client:\n    ", ""),
    ),
    "a client kept on the object, reset by calling __init__ again": changed(
        "        self.messages = self.messages[:1]",
        '        self.__init__(self.messages[0]["content"])',
        changed(
            "        with OpenAI() as client:\n            response = client.chat",
            "        if True:\n            response = self.client.chat",
            changed(
                "        self.messages: list[dict] = [",
                "        self.client = OpenAI()\n        self.messages: list[dict] = [",
            ),
        ),
    ),
    "typed message params": changed(
        "class Conversation:",
        "from openai.types.chat import (\n    ChatCompletionAssistantMessageParam,\n"
        "    ChatCompletionSystemMessageParam,\n    ChatCompletionUserMessageParam,\n)\n\n\n"
        "class Conversation:",
        changed(
            '[{"role": "system", "content": system_prompt}]',
            '[ChatCompletionSystemMessageParam(role="system", content=system_prompt)]',
            changed(
                '{"role": "user", "content": text}',
                'ChatCompletionUserMessageParam(role="user", content=text)',
                changed(
                    '{"role": "assistant", "content": reply}',
                    'ChatCompletionAssistantMessageParam(role="assistant", content=reply)',
                ),
            ),
        ),
    ),
    "the SDK's reply message appended": changed(
        "        reply = response.choices[0].message.content\n" + APPEND_REPLY + "\n        return reply",
        "        self.messages.append(response.choices[0].message)\n"
        "        return response.choices[0].message.content",
    ),
    "model_dump of the reply appended": changed(
        APPEND_REPLY,
        "        self.messages.append(response.choices[0].message.model_dump(exclude_none=True))",
    ),
    "with_raw_response and extra parameters": changed(
        SEND,
        "            raw = client.chat.completions.with_raw_response.create(\n"
        "                model=MODEL, messages=self.messages, temperature=0.3,\n"
        "                max_completion_tokens=300)\n"
        "            response = raw.parse()",
    ),
    "a copy of the list sent, reset rebuilt from a stored prompt": changed(
        "        self.messages = self.messages[:1]",
        '        self.messages = [{"role": "system", "content": self.system_prompt}]',
        changed(
            "        self.messages: list[dict] = [",
            "        self.system_prompt = system_prompt\n        self.messages: list[dict] = [",
            changed("messages=self.messages)", "messages=list(self.messages))"),
        ),
    ),
    "reset that empties the list in place": changed(
        "        self.messages = self.messages[:1]", "        del self.messages[1:]"
    ),
    "the turn written as one list of two messages, reply read from a message object": changed(
        '        self.messages.append({"role": "user", "content": text})\n',
        "",
        changed(
            "        reply = response.choices[0].message.content\n" + APPEND_REPLY,
            "        message = response.choices[0].message\n        reply = message.content\n"
            "        self.messages += [{'role': message.role, 'content': reply}]",
            changed(
                "        with OpenAI() as client:",
                '        self.messages += [{"role": "user", "content": text}]\n'
                "        with OpenAI() as client:",
            ),
        ),
    ),
    "the history rebuilt with extend, and reset by slicing in place": changed(
        "        self.messages = self.messages[:1]",
        "        self.messages[:] = self.messages[:1]",
        changed(
            '        self.messages.append({"role": "user", "content": text})',
            '        self.messages.extend([{"role": "user", "content": text}])',
        ),
    ),
    "a default argument used safely": changed(
        "    def __init__(self, system_prompt: str) -> None:\n"
        '        self.messages: list[dict] = [{"role": "system", "content": system_prompt}]',
        "    def __init__(self, system_prompt: str, messages: list | None = None) -> None:\n"
        '        self.messages = [{"role": "system", "content": system_prompt}, *(messages or [])]',
    ),
}


@pytest.mark.parametrize("variant", CORRECT_VARIANTS)
def test_correct_variants_pass(grade, variant):
    grading = grade("02", CORRECT_VARIANTS[variant])
    assert grading.passed(), grading.failures


MISTAKES = {
    "sending only the latest message": (
        changed(
            "messages=self.messages)",
            'messages=[self.messages[0], {"role": "user", "content": text}])',
        ),
        "The request carried only the newest message, so the model never saw 'Hi, my name is Ada.'",
    ),
    "sending only the user's message, without a history at all": (
        changed("messages=self.messages)", 'messages=[{"role": "user", "content": text}])'),
        "The request has no system message",
    ),
    "not appending the reply": (
        changed(APPEND_REPLY + "\n", ""),
        "was never added to the history",
    ),
    "appending the reply as a user message": (
        changed('{"role": "assistant", "content": reply}', '{"role": "user", "content": reply}'),
        "with the role 'user', so the model is told that you said it",
    ),
    "a system message added on every send": (
        changed(SEND, SEND.replace("messages=self.messages", "messages=[self.messages[0], *self.messages]")),
        "has 2 system messages, but a conversation has exactly one",
    ),
    "a system message stored on every send": (
        changed(
            '        self.messages.append({"role": "user", "content": text})',
            "        self.messages.append(self.messages[0])\n"
            '        self.messages.append({"role": "user", "content": text})',
        ),
        "has 2 system messages, but a conversation has exactly one",
    ),
    "history as a class attribute": (
        changed(
            "    def __init__(self, system_prompt: str) -> None:\n"
            '        self.messages: list[dict] = [{"role": "system", "content": system_prompt}]',
            "    messages: list[dict] = []\n\n"
            "    def __init__(self, system_prompt: str) -> None:\n"
            '        self.messages.append({"role": "system", "content": system_prompt})',
        ),
        "The list is a class attribute",
    ),
    "history as a mutable default argument": (
        changed(
            "    def __init__(self, system_prompt: str) -> None:\n"
            '        self.messages: list[dict] = [{"role": "system", "content": system_prompt}]',
            "    def __init__(self, system_prompt: str, messages: list = []) -> None:\n"
            "        self.messages = messages\n"
            '        self.messages.append({"role": "system", "content": system_prompt})',
        ),
        "The list is a default argument of __init__",
    ),
    "history in a module-level list": (
        changed(
            "class Conversation:",
            "HISTORY: list[dict] = []\n\n\nclass Conversation:",
            changed(
                '        self.messages: list[dict] = [{"role": "system", "content": system_prompt}]',
                "        self.messages = HISTORY\n"
                '        self.messages.append({"role": "system", "content": system_prompt})',
            ),
        ),
        "share one history",
    ),
    "reset dropping the system message": (
        changed("        self.messages = self.messages[:1]", "        self.messages = []"),
        "reset() removed the system message too",
    ),
    "reset clearing the list in place": (
        changed("        self.messages = self.messages[:1]", "        self.messages.clear()"),
        "reset() removed the system message too",
    ),
    "reset that forgets nothing": (
        changed("        self.messages = self.messages[:1]", "        pass"),
        "but the tests expected only the system message",
    ),
    "dropping earlier turns": (
        changed("messages=self.messages)", "messages=[self.messages[0], *self.messages[1:][-3:]])"),
        "The request left out earlier turns: it sent 4 of the 6 messages",
    ),
    "the reply not returned": (
        changed("        return reply", "        print(reply)"),
        "printed the reply and returned None",
    ),
    "another model": (
        changed("model=MODEL,", 'model="gpt-5.4",'),
        "asked for the model 'gpt-5.4'",
    ),
}


MISTAKES |= {
    "the user message sent but never stored": (
        changed(
            '        self.messages.append({"role": "user", "content": text})\n', "",
            changed("messages=self.messages)",
                    'messages=self.messages + [{"role": "user", "content": text}])'),
        ),
        "it holds the model's replies but not your message 'Hi, my name is Ada.'",
    ),
    "the reply printed as well as returned": (
        changed("        return reply", "        print(reply)\n        return reply"),
        "returned the reply, and printed it too",
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_mistake_is_named(grade, mistake):
    source, phrase = MISTAKES[mistake]
    named(grade("02", source), phrase)


def test_a_user_message_never_stored_is_not_called_a_lone_message(grade):
    source, _ = MISTAKES["the user message sent but never stored"]
    grading = grade("02", source)
    assert "carried only the newest message" not in grading.failures
    one_cause(grading, "self.messages + [message] builds a new list")


def test_a_method_renamed_is_named_missing(grade):
    renamed = changed("    def send(self, text: str) -> str:", "    def ask(self, text: str) -> str:")
    grading = grade("02", renamed)
    named(grading, "MISSING METHOD: a Conversation has no method named send in memory.py")


def test_a_role_that_does_not_exist_is_the_one_reason_given(grade):
    one_cause(
        grade("02", changed('{"role": "user", "content": text}', '{"role": "human", "content": text}')),
        "has the role 'human', which the API does not know",
    )


def test_sending_only_the_latest_message_shows_what_the_model_said(grade):
    source, _ = MISTAKES["sending only the latest message"]
    failure = grade("02", source).messages["test_the_second_request_carries_the_first_turn"]
    assert failure.startswith("Called conversation.send('What is my name?').")
    assert "Before this call, the test ran conversation.send('Hi, my name is Ada.')." in failure
    reply = failure.split("It replied:\n    ", 1)[1].splitlines()[0]
    assert "your name" in reply and "Ada" not in reply  # the model could not know it
    assert '"content": "What is my name?"' in failure  # the request that was sent


def test_each_mistake_fails_only_the_checks_it_concerns(grade):
    source, _ = MISTAKES["history as a class attribute"]
    fails_only(grade("02", source), "test_two_conversations_keep_separate_histories")
    source, _ = MISTAKES["the reply printed as well as returned"]
    fails_only(grade("02", source), "test_send_makes_one_request_and_returns_the_reply_text")
