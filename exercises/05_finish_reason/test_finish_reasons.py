"""Checks for exercise 05. You don't need to read them: each failure says what to change."""

import openai
import pytest

from workshop.harness.checks import (
    check_model,
    check_roles,
    expect_reply_text,
    message_list,
    single_request,
)
from workshop.harness.sandbox import LearnerCodeError
from workshop.simulation.faults import content_filtered, scripted_reply

QUESTION = "What should I wear for hiking in Iceland in October?"  # not main()'s
ROOMY = 500  # far more tokens than any answer needs
TIGHT = 13  # cuts every answer once; two requests always finish it
TINY = 2  # cuts every answer many times over

LIMIT = "max_completion_tokens caps the reply; finish_reason says whether it was cut"
NOT_WHOLE = "finish_reason 'length' means the text is cut off: never pass it off as the whole answer"
CONTINUING = "a cut-off reply goes back as the assistant's words, then a user message asks for the rest"
WITHHELD = "finish_reason 'content_filter' means the reply was withheld: there is no answer to return"
# A cut-off first part that happens to end like a sentence, and the rest of the answer.
FIRST_PART = "Pack warm layers and a waterproof jacket."
REST = " Bring sturdy boots and a hat for the wind."
# A whole answer that happens to end without a full stop.
UNPUNCTUATED = "Layers, a waterproof jacket, boots and a hat"
# Errors that mean the code has a bug (or the API refused it), not a decision to give up.
CRASHES = (
    AttributeError, TypeError, KeyError, IndexError, NameError, NotImplementedError,
    ZeroDivisionError, openai.OpenAIError,
)



def check_limit(learner, request, max_tokens):
    body = request.json()
    if "max_completion_tokens" in body:
        if body["max_completion_tokens"] != max_tokens:
            learner.fail(
                f"The request set max_completion_tokens={body['max_completion_tokens']!r}, but "
                f"max_tokens was {max_tokens}. Pass the argument on: "
                "max_completion_tokens=max_tokens.",
                idea=LIMIT,
                request=request,
            )
        return
    if "max_tokens" in body:
        learner.fail(
            "The request set max_tokens, the older name for the output limit. It is deprecated, "
            "and reasoning models refuse it; set max_completion_tokens=max_tokens instead.",
            idea=LIMIT,
            request=request,
        )
    learner.fail(
        f"The request has no output limit, although max_tokens was {max_tokens}: "
        "max_completion_tokens is missing, so the model may write as much as it likes, and you "
        "pay for every token. Pass max_completion_tokens=max_tokens.",
        idea=LIMIT,
        request=request,
    )


def incomplete_answer(learner, outcome, idea=NOT_WHOLE):
    """The IncompleteAnswer the call raised, or None when it raised nothing or something else."""
    if outcome.error is None:
        return None
    raised = outcome.error.__cause__
    expected = learner.attribute("IncompleteAnswer", kind="class")
    if isinstance(raised, expected):
        return raised
    if not isinstance(raised, Exception) or isinstance(raised, CRASHES):
        outcome.result()  # a crash: its own message says best what went wrong
    learner.fail(
        f"{outcome.error} The caller can't tell that apart from a bug. When the answer is not "
        'whole, raise IncompleteAnswer(finish_reason, text), e.g. IncompleteAnswer("length", '
        '"".join(parts)).',
        idea=idea,
    )


def check_incomplete(learner, error, reason, text):
    if error.args[:1] != (reason,):
        learner.fail(
            f"ask() raised {shown(error)}, but the last finish_reason was "
            f"{reason!r}, so the tests expected IncompleteAnswer({reason!r}, text): the reason "
            "comes first, so the caller knows what happened.",
            idea=WITHHELD if reason == "content_filter" else NOT_WHOLE,
        )
    if error.args[1:2] != (text,):
        learner.fail(
            f"ask() raised {shown(error)}, but the text received so far was "
            f"{text!r}. Pass it as the second argument, so the caller can still show the part "
            "that arrived.",
            idea=NOT_WHOLE,
        )


def shown(error):
    return f"IncompleteAnswer({', '.join(repr(arg) for arg in error.args)})"


def max_requests(learner):
    value = learner.attribute("MAX_REQUESTS", kind="variable")
    if not isinstance(value, int) or value < 2:
        learner.fail(
            f"MAX_REQUESTS is {value!r}, but it must allow at least one request to continue "
            "(the exercise sets it to 3).",
            idea=CONTINUING,
        )
    return value


def parts_of(requests):
    return [request.reply_texts()[0] if request.reply_texts() else "" for request in requests]


def finish_reason_of(request):
    choices = (request.reply or {}).get("choices") or [{}]
    return choices[0].get("finish_reason")


# --- 1 · send ---------------------------------------------------------------------------------


@pytest.mark.task(1)
def test_send_sets_the_output_limit(learner):
    messages = [{"role": "user", "content": QUESTION}]
    outcome = learner.run("send", messages, TIGHT)
    request = single_request(learner, outcome, idea=LIMIT)
    check_model(learner, request)
    check_limit(learner, request, TIGHT)
    if request.json().get("messages") != messages:
        learner.fail(
            "send() changed the messages before sending them. Send exactly the messages it "
            "was given; ask() decides what they are.",
            idea=LIMIT,
            request=request,
        )


@pytest.mark.task(1)
def test_send_returns_the_text_and_the_finish_reason(learner):
    check_send(learner)


def send_first(learner):
    """ask() is built on send(): when send() is wrong, that is the mistake to name in every check.

    A send() that is not written yet is left to its own checks, so that ask()'s TODO is named too.
    """
    try:
        check_send(learner)
    except LearnerCodeError as error:
        if not isinstance(error.__cause__, NotImplementedError):
            raise
    finally:
        learner.api.requests.clear()


def check_send(learner):
    for max_tokens, reason in ((TIGHT, "length"), (ROOMY, "stop")):
        learner.api.requests.clear()
        outcome = learner.run("send", [{"role": "user", "content": QUESTION}], max_tokens)
        request = single_request(learner, outcome, idea=LIMIT)
        if outcome.error is not None:
            check_limit(learner, request, max_tokens)  # a refused limit explains the crash best
        if "object has no attribute 'finish_reason'" in str(outcome.error):
            learner.fail(
                f"{outcome.error} Each choice has its own finish_reason, so it is not on the "
                "response itself: read response.choices[0].finish_reason.",
                idea=LIMIT,
            )
        value = outcome.result()
        expected = (request.reply_texts()[0], finish_reason_of(request))
        if isinstance(value, (tuple, list)) and tuple(value) == expected:
            continue
        if isinstance(value, str):
            learner.fail(
                f"send() returned only the text {value!r}, but the tests expected the text and "
                f"the finish_reason ({reason!r} here): return (text, finish_reason), so ask() "
                "can tell a whole answer from a cut one.",
                idea=LIMIT,
            )
        if isinstance(value, (tuple, list)) and tuple(value) == expected[::-1]:
            learner.fail(
                f"send() returned {value!r}: the two are the wrong way round. Return "
                "(text, finish_reason).",
                idea=LIMIT,
            )
        learner.fail(
            f"send() returned {value!r}, but the tests expected {expected!r}: the first "
            "choice's message.content and its finish_reason, both from "
            "response.choices[0].",
            idea=LIMIT,
            request=request,
        )


# --- 2 · a whole answer, and a withheld one ---------------------------------------------------


def check_first_request(learner, request, max_tokens):
    """ask()'s first request: the model, the limit, and the question as the last user message.

    Every check of ask() looks at it first, so a request the API refuses is named for what is
    wrong with it rather than for the error that came back.
    """
    check_model(learner, request)
    check_limit(learner, request, max_tokens)
    sent = message_list(learner, request.json().get("messages"), what="the request")
    check_roles(learner, sent, request)
    if not sent or sent[-1].get("role") != "user" or sent[-1].get("content") != QUESTION:
        learner.fail(
            f"ask() did not send the question {QUESTION!r} as the last message, a user "
            'message: [{"role": "user", "content": question}].',
            idea="the user message carries the user's own words",
            request=request,
        )


@pytest.mark.task(2)
def test_ask_returns_a_whole_answer_as_it_came(learner):
    send_first(learner)
    outcome = learner.run("ask", QUESTION, ROOMY)
    request = single_request(learner, outcome, idea=LIMIT)
    check_first_request(learner, request, ROOMY)
    expect_reply_text(learner, outcome, request, function="ask")


@pytest.mark.task(2)
def test_ask_reports_a_withheld_answer_instead_of_returning_it(learner):
    send_first(learner)
    learner.api.queue(content_filtered())
    outcome = learner.run("ask", QUESTION, ROOMY)
    requests = learner.chat_requests
    if not requests:
        single_request(learner, outcome, idea=WITHHELD)
    check_first_request(learner, requests[0], ROOMY)
    if len(requests) > 1:
        learner.fail(
            f"After a reply with finish_reason 'content_filter', ask() sent {len(requests) - 1} "
            "more request(s). The filter withheld the reply; it was not cut off, so there is "
            'nothing to continue. Raise IncompleteAnswer("content_filter", text) at once.',
            idea=WITHHELD,
            request=requests[1],
        )
    error = incomplete_answer(learner, outcome, WITHHELD)
    if error is None:
        value = outcome.value
        learner.fail(
            f"ask() returned {value!r} as if it were the answer, but the reply's finish_reason "
            "was 'content_filter': the content filter withheld it, so there is no answer. "
            'Raise IncompleteAnswer("content_filter", text) instead.',
            idea=WITHHELD,
        )
    check_incomplete(learner, error, "content_filter", "")


# --- 3 · a cut-off answer ---------------------------------------------------------------------


def check_continuation(learner, requests, max_tokens):
    """Every request after the first sends the parts back as assistant words, then asks on."""
    parts = parts_of(requests)
    for number, request in enumerate(requests, start=1):
        check_limit(learner, request, max_tokens)
        if number == 1:
            continue
        sent = message_list(learner, request.json().get("messages"), what=f"request {number}")
        check_roles(learner, sent, request)
        so_far = squeezed("".join(parts[: number - 1]))
        said = squeezed("".join(str(m.get("content")) for m in sent if m.get("role") == "assistant"))
        if said != so_far:
            as_user = any(
                squeezed(str(m.get("content"))) == squeezed(parts[number - 2])
                for m in sent if m.get("role") == "user"
            )
            learner.fail(
                f"Request {number} did not carry the part the model had already written "
                f"({parts[number - 2]!r}) as an assistant message"
                + (": it went back as a user message, but those are the model's words, so "
                   'their role is "assistant".' if as_user else
                   ", so the model cannot know where it stopped and starts all over again. "
                   'Add {"role": "assistant", "content": text} to the messages.'),
                idea=CONTINUING,
                request=request,
            )
        if not sent or sent[-1].get("role") != "user":
            learner.fail(
                f"Request {number} ends with the assistant's part, with no request after it. Add "
                'a user message that asks for the rest: {"role": "user", "content": CONTINUE}.',
                idea=CONTINUING,
                request=request,
            )


def requests_made(requests):
    return "1 request" if len(requests) == 1 else f"{len(requests)} requests"


def squeezed(text):
    return "".join(text.split())


@pytest.mark.task(3)
def test_ask_continues_a_cut_off_answer_and_joins_the_parts(learner):
    send_first(learner)
    limit = max_requests(learner)
    outcome = learner.run("ask", QUESTION, TIGHT)
    requests = learner.chat_requests
    if not requests:
        single_request(learner, outcome, idea=CONTINUING)
    check_first_request(learner, requests[0], TIGHT)
    check_limit(learner, requests[0], TIGHT)
    parts = parts_of(requests)
    if len(requests) == 1:
        if incomplete_answer(learner, outcome) is not None:
            learner.fail(
                "ask() raised IncompleteAnswer after the first reply was cut off. Try to get "
                "the rest first: send the part back as an assistant message, then CONTINUE as "
                f"a user message, up to MAX_REQUESTS ({limit}) requests.",
                idea=CONTINUING,
            )
        learner.fail(
            f"ask() returned {outcome.result()!r} after one request, but that reply's "
            f"finish_reason was 'length': max_completion_tokens={TIGHT} cut it off. Check "
            "finish_reason, and ask the model to continue instead of returning half an answer.",
            idea=NOT_WHOLE,
            request=requests[0],
        )
    check_continuation(learner, requests, TIGHT)
    if len(requests) > limit:
        learner.fail(
            f"ask() sent {len(requests)} requests, but MAX_REQUESTS is {limit}.",
            idea=CONTINUING,
        )
    whole = "".join(parts)
    error = incomplete_answer(learner, outcome)
    if error is not None:
        learner.fail(
            f"ask() raised {shown(error)}, but the answer was complete: reply "
            f"{len(requests)} ended with finish_reason {finish_reason_of(requests[-1])!r}. "
            "Return the parts joined.",
            idea=CONTINUING,
        )
    value = outcome.value
    if value == whole:
        return
    if isinstance(value, str) and value == parts[-1]:
        learner.fail(
            f"ask() returned only the last part, {value!r}, but the model wrote the answer in "
            f"{len(parts)} parts: {parts!r}. Keep every part and return them joined: "
            '"".join(parts).',
            idea=CONTINUING,
        )
    if isinstance(value, str) and squeezed(value) == squeezed(whole):
        learner.fail(
            f"ask() returned {value!r}, but the parts joined as they came are {whole!r}. Each "
            'part already carries its own spaces, so join them with "".join(parts), and '
            "don't strip them.",
            idea=CONTINUING,
        )
    learner.fail(
        f"ask() returned {value!r}, but the model wrote the answer in {len(parts)} parts, "
        f"{parts!r}, so the tests expected them joined: {whole!r}.",
        idea=CONTINUING,
    )


@pytest.mark.task(3)
def test_ask_gives_up_after_max_requests_without_passing_off_the_part(learner):
    send_first(learner)
    limit = max_requests(learner)
    outcome = learner.run("ask", QUESTION, TINY)
    requests = learner.chat_requests
    if not requests:
        single_request(learner, outcome, idea=CONTINUING)
    check_first_request(learner, requests[0], TINY)
    if len(requests) > limit:
        learner.fail(
            f"ask() sent {len(requests)} requests for one question, but MAX_REQUESTS is {limit}. "
            "A tight limit can cut every reply, so stop asking after MAX_REQUESTS requests, "
            "however much of the answer is missing.",
            idea="a loop that calls an API needs an upper bound: every request costs money",
            request=requests[-1],
        )
    check_continuation(learner, requests, TINY)
    parts = parts_of(requests)
    error = incomplete_answer(learner, outcome)
    if len(requests) < limit:
        what = "raised IncompleteAnswer" if error else f"returned {outcome.value!r}"
        learner.fail(
            f"ask() {what} after {requests_made(requests)}, but the last reply's finish_reason "
            f"was 'length' and MAX_REQUESTS is {limit}: keep asking the model to continue while "
            "finish_reason is 'length', up to MAX_REQUESTS requests.",
            idea=CONTINUING,
        )
    if error is None:
        learner.fail(
            f"ask() returned {outcome.value!r} after {requests_made(requests)}, but the last "
            "reply's finish_reason was still 'length', so that text is cut off. When "
            'MAX_REQUESTS requests are used up, raise IncompleteAnswer("length", text) instead '
            "of returning it.",
            idea=NOT_WHOLE,
        )
    check_incomplete(learner, error, "length", "".join(parts))


@pytest.mark.task(3)
def test_ask_trusts_the_finish_reason_not_the_punctuation(learner):
    send_first(learner)
    learner.api.queue(scripted_reply(FIRST_PART, "length"), scripted_reply(REST, "stop"))
    outcome = learner.run("ask", QUESTION, TIGHT)
    requests = learner.chat_requests
    if not requests:
        single_request(learner, outcome, idea=NOT_WHOLE)
    check_first_request(learner, requests[0], TIGHT)
    if len(requests) == 1 and outcome.error is None:
        learner.fail(
            f"ask() returned {outcome.value!r} after one request, but that reply's "
            "finish_reason was 'length': it was cut off, although it happens to end with a "
            "full stop. Only finish_reason says whether an answer is whole; punctuation can "
            "look finished when it is not. Ask the model to continue.",
            idea=NOT_WHOLE,
            request=requests[0],
        )
    check_continuation(learner, requests, TIGHT)
    error = incomplete_answer(learner, outcome)
    whole = FIRST_PART + REST
    if error is None and outcome.value != whole:
        learner.fail(
            f"ask() returned {outcome.value!r}, but the model wrote the answer in two parts, "
            f"{FIRST_PART!r} (cut off, finish_reason 'length') and {REST!r} (finish_reason "
            f"'stop'), so the tests expected them joined: {whole!r}.",
            idea=CONTINUING,
        )
    if error is not None:
        learner.fail(
            f"ask() raised {shown(error)}, but the second reply ended with finish_reason "
            "'stop': the answer was complete. Return the parts joined.",
            idea=CONTINUING,
        )
    learner.api.clear_queue()
    learner.api.requests.clear()
    learner.api.queue(scripted_reply(UNPUNCTUATED, "stop"))
    outcome = learner.run("ask", QUESTION, ROOMY)
    requests = learner.chat_requests
    if len(requests) > 1:
        learner.fail(
            f"ask() sent {len(requests)} requests, but the first reply, {UNPUNCTUATED!r}, had "
            "finish_reason 'stop': it was whole, although it does not end with a full stop. "
            "Only finish_reason says whether an answer is whole: return it on 'stop'.",
            idea=NOT_WHOLE,
            request=requests[1],
        )
    if outcome.error is None and outcome.value != UNPUNCTUATED:
        learner.fail(
            f"ask() returned {outcome.value!r}, but the reply {UNPUNCTUATED!r} had finish_reason "
            "'stop', so the tests expected it as it came.",
            idea=NOT_WHOLE,
        )
    if incomplete_answer(learner, outcome) is not None:
        learner.fail(
            f"ask() raised IncompleteAnswer, but the reply {UNPUNCTUATED!r} had finish_reason "
            "'stop': it was whole, although it does not end with a full stop. Return it.",
            idea=NOT_WHOLE,
        )
