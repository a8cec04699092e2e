"""Checks for exercise 09. You don't need to read them: each failure says what to change."""

import re

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
from workshop.simulation import invalid_api_key, model_not_found, rate_limited, server_error
from workshop.simulation.faults import connection_error, error_reply, timeout

QUESTION = "Is a Lisbon travel card worth buying?"  # not the one main() asks
MAX_RETRIES = 3
TIMEOUT = 20
RETRY_AFTER = 5
SDK_TEXT = ("Error code:", "{'error'", '{"error"', "Traceback")
SDK_MESSAGES = ("Request timed out.", "Connection error.")
MANY = 10  # more failures than any sensible client retries: the client has to give up
RETRY_IDEA = "the SDK retries failed requests by itself; you choose how often and how long to wait"
SENTENCE_IDEA = "each failure gets one plain sentence for the user, never a traceback"
ORDER_IDEA = "except clauses are tried in order: put a subclass before its parent class"
BEFORE_PARENTS = " (before any except clause for a parent class, such as openai.APIStatusError)"
# A timeout sentence says that the wait ran out: with the seconds, or in words.
TOOK_TOO_LONG = re.compile(rf"\b{TIMEOUT}\b|too long|time|slow|wait|took", re.IGNORECASE)



def attempts(learner):
    """The attempt number of each request sent, from the SDK's x-stainless-retry-count header."""
    return [int(request.headers.get("x-stainless-retry-count", "0")) for request in learner.chat_requests]


def check_attempts(learner, what):
    if learner.chat_requests:
        check_client_used(learner, learner.chat_requests[0])
    sent = attempts(learner)
    if sent.count(0) > 1:
        learner.fail(
            f"After {what}, your code sent {len(sent)} requests (attempt numbers {sent}): it "
            "called create() again after the client had given up. The client already retries "
            "MAX_RETRIES times, waiting longer each time; a retry loop of your own on top "
            "multiplies the attempts and the waiting. Remove it and let the client retry.",
            idea=RETRY_IDEA,
        )
    if len(sent) < MAX_RETRIES + 1:
        call = learner.last_call
        check_make_client(learner)  # a make_client() that is wrong is the mistake to name
        learner.last_call = call
        learner.fail(
            f"After {what}, the client gave up after {len(sent)} attempt(s), but a client from "
            f"make_client() tries {MAX_RETRIES + 1} times: once, then MAX_RETRIES ({MAX_RETRIES}) "
            "retries. Check that make_client() passes max_retries=MAX_RETRIES, and that ask() "
            "sends the request with that client.",
            idea=RETRY_IDEA,
        )


@pytest.mark.task(1)
def test_make_client_sets_retries_and_timeout(learner):
    check_make_client(learner)


def client_first(learner, outcome):
    """ask() crashed on something other than the API: a make_client() that is wrong comes first."""
    cause = outcome.error.__cause__ if outcome.error is not None else None
    if cause is None or isinstance(cause, (openai.OpenAIError, NotImplementedError)):
        return
    saved = list(learner.api.requests)
    try:
        check_make_client(learner)
    except LearnerCodeError as error:
        if not isinstance(error.__cause__, NotImplementedError):
            raise
    learner.api.requests[:] = saved
    learner.last_call = outcome.call


def check_make_client(learner):
    client = learner.call("make_client")
    if not isinstance(client, openai.OpenAI):
        learner.fail(
            f"make_client() returned {type(client).__name__}, but the tests expected an OpenAI "
            "client: return OpenAI(max_retries=..., timeout=...).",
            idea=RETRY_IDEA,
        )
    if client.max_retries != MAX_RETRIES:
        default = " (the SDK's default)" if client.max_retries == 2 else ""
        learner.fail(
            f"make_client() built a client with max_retries={client.max_retries}{default}, but "
            f"the tests expected MAX_RETRIES ({MAX_RETRIES}). Pass max_retries=MAX_RETRIES to "
            "OpenAI(...).",
            idea=RETRY_IDEA,
        )
    seconds = getattr(client.timeout, "read", client.timeout)
    if seconds != TIMEOUT:
        default = " (the SDK's default of 10 minutes)" if seconds == 600 else ""
        learner.fail(
            f"make_client() built a client that waits up to {seconds} seconds for an "
            f"answer{default}, "
            f"but the tests expected TIMEOUT ({TIMEOUT}). A user should not wait minutes for a "
            "reply that is not coming: pass timeout=TIMEOUT to OpenAI(...).",
            idea=RETRY_IDEA,
        )


@pytest.mark.task(2)
def test_ask_returns_the_reply_text(learner):
    outcome = learner.run("ask", QUESTION)
    client_first(learner, outcome)
    request = single_request(learner, outcome, idea="one question is one request")
    sent = message_list(learner, request.json().get("messages"), what="the request")
    check_roles(learner, sent, request)
    check_model(learner, request)
    if QUESTION not in [message.get("content") for message in sent if message["role"] == "user"]:
        learner.fail(
            f"The request's user messages do not include the question {QUESTION!r}. Send it "
            'as it is, as a user message: {"role": "user", "content": question}.',
            idea="the user message carries the user's own words",
            request=request,
        )
    expect_reply_text(learner, outcome, request, function="ask", quiet=True)


@pytest.mark.task(2)
def test_ask_sends_with_the_client_from_make_client(learner):
    outcome = learner.run("ask", QUESTION)
    client_first(learner, outcome)
    request = single_request(learner, outcome, idea="one question is one request")
    check_client_used(learner, request)


def check_client_used(learner, request):
    """The request went out through make_client()'s client: its timeout travels with it."""
    waits = request.headers.get("x-stainless-read-timeout")
    if waits is not None and float(waits) != TIMEOUT:
        call = learner.last_call
        check_make_client(learner)  # a make_client() that is wrong is the mistake to name
        learner.last_call = call
        learner.fail(
            f"ask() sent its request with a client that waits {float(waits):g} seconds for an "
            f"answer, not TIMEOUT ({TIMEOUT}). Send it with the client that make_client() "
            "returns, so its retries and timeout apply.",
            idea=RETRY_IDEA,
        )


@pytest.mark.task(2)
def test_ask_lets_the_client_retry_server_errors(learner):
    learner.api.queue(*[error_reply(server_error(503))] * MAX_RETRIES)
    outcome = learner.run("ask", QUESTION)
    client_first(learner, outcome)
    check_attempts(learner, f"{MAX_RETRIES} server errors in a row")
    request = learner.chat_requests[-1]
    expect_reply_text(learner, outcome, request, function="ask", quiet=True)


@pytest.mark.task(2)
def test_ask_does_not_retry_on_top_of_the_client(learner):
    learner.api.queue(*[error_reply(server_error(503))] * MANY)
    outcome = learner.run("ask", QUESTION)
    learner.api.clear_queue()
    client_first(learner, outcome)
    check_attempts(learner, "a server that keeps failing")
    sent = attempts(learner)
    if len(sent) > MAX_RETRIES + 1:
        learner.fail(
            f"The client tried {len(sent)} times (attempt numbers {sent}), but MAX_RETRIES is "
            f"{MAX_RETRIES}: set max_retries=MAX_RETRIES in make_client().",
            idea=RETRY_IDEA,
        )


def sentence_for(learner, what, *faults):
    """What ask() returns when every attempt fails with `faults`: it must be one plain sentence."""
    learner.api.queue(*faults)
    outcome = learner.run("ask", QUESTION)
    learner.api.clear_queue()
    client_first(learner, outcome)
    cause = outcome.error.__cause__ if outcome.error is not None else None
    if isinstance(cause, openai.OpenAIError):
        name = type(cause).__name__
        learner.fail(
            f"After {what}, ask() let openai.{name} escape, so the user would see a traceback. "
            f"Catch it (except openai.{name}:) and return one sentence that says what happened.",
            idea=SENTENCE_IDEA,
        )
    if isinstance(cause, KeyError) and "retry-after" in str(cause).lower():
        learner.fail(
            f"After {what}, ask() raised KeyError: {cause}. Not every 429 carries a Retry-After "
            "header: read it with error.response.headers.get(\"retry-after\") and say something "
            "like \"in a minute\" when it is missing.",
            idea=SENTENCE_IDEA,
        )
    value = outcome.result()
    if value is None and outcome.printed.strip():
        learner.fail(
            f"After {what}, ask() printed {outcome.printed.strip()!r} and returned None, but the "
            "tests expected it to return the sentence: main() does the printing.",
            idea="return values, print only in main()",
        )
    if not isinstance(value, str) or not value.strip():
        learner.fail(
            f"After {what}, ask() returned {value!r}, but the tests expected one sentence for "
            "the user, as a str.",
            idea=SENTENCE_IDEA,
        )
    if value.strip() in SDK_MESSAGES or any(raw in value for raw in SDK_TEXT):
        learner.fail(
            f"After {what}, ask() returned {value!r}: that is the SDK's error text, written for "
            "developers. Write your own sentence that tells the user what happened and what to "
            "do, in plain words.",
            idea=SENTENCE_IDEA,
        )
    if "\n" in value.strip():
        learner.fail(
            f"After {what}, ask() returned several lines: {value!r}. One sentence is enough.",
            idea=SENTENCE_IDEA,
        )
    if value.strip() in outcome.printed:
        learner.fail(
            f"After {what}, ask() returned its sentence and printed it too, so the user would "
            "read it twice: main() prints what ask() returns. Remove the print().",
            idea="return values, print only in main()",
        )
    return value


def refused_key(learner):
    return sentence_for(learner, "a refused API key (401)", error_reply(invalid_api_key()))


def unknown_model(learner):
    model = learner.attribute("MODEL", kind="variable")
    return sentence_for(learner, "an unknown model (404)", error_reply(model_not_found(model)))


def rate_limit(learner):
    fault = error_reply(rate_limited(), retry_after=RETRY_AFTER)
    return sentence_for(learner, f"rate limits (429, Retry-After: {RETRY_AFTER})", *[fault] * MANY)


def server_failure(learner):
    return sentence_for(learner, "server errors (503)", *[error_reply(server_error(503))] * MANY)


def timed_out(learner):
    return sentence_for(learner, "timeouts", *[timeout()] * MANY)


def no_connection(learner):
    return sentence_for(learner, "connection errors", *[connection_error()] * MANY)


@pytest.mark.task(3)
def test_a_refused_key_gets_a_sentence_about_the_key(learner):
    sentence = refused_key(learner)
    if "key" not in sentence.lower():
        learner.fail(
            f"After a refused API key (401), ask() returned {sentence!r}, which does not mention "
            f"the key. Catch openai.AuthenticationError{BEFORE_PARENTS} and say that the API "
            "key was refused.",
            idea=SENTENCE_IDEA,
        )


@pytest.mark.task(3)
def test_an_unknown_model_gets_a_sentence_naming_it(learner):
    sentence = unknown_model(learner)
    model = learner.attribute("MODEL", kind="variable")
    if model not in sentence:
        learner.fail(
            f"After an unknown model (404), ask() returned {sentence!r}, which does not name the "
            f"model, {model!r}. Catch openai.NotFoundError{BEFORE_PARENTS} and say which model "
            "was not found.",
            idea=SENTENCE_IDEA,
        )


@pytest.mark.task(3)
def test_a_rate_limit_is_retried_then_gets_a_sentence_with_the_wait(learner):
    sentence = rate_limit(learner)
    check_attempts(learner, "rate limits")
    if not re.search(rf"\b{RETRY_AFTER}\b", sentence):
        waits = ", ".join(f"{wait:g}" for wait in learner.api.retry_waits)
        learner.fail(
            f"After rate limits (429), ask() returned {sentence!r}, which does not say how long "
            f"to wait. The API's Retry-After header asked for {RETRY_AFTER} seconds (the client "
            f"waited {waits} seconds between its attempts). Catch openai.RateLimitError"
            f'{BEFORE_PARENTS} and tell the user: error.response.headers.get("retry-after").',
            idea=SENTENCE_IDEA,
        )


@pytest.mark.task(3)
def test_a_rate_limit_without_retry_after_still_gets_a_sentence(learner):
    sentence_for(learner, "rate limits (429) without a Retry-After header",
                 *[error_reply(rate_limited())] * MANY)


@pytest.mark.task(3)
def test_a_server_error_is_retried_then_gets_a_sentence_with_its_status(learner):
    sentence = server_failure(learner)
    check_attempts(learner, "server errors")
    if "503" not in sentence:
        learner.fail(
            f"After server errors (503), ask() returned {sentence!r}, which does not give the "
            f"status code. Catch openai.InternalServerError{BEFORE_PARENTS} and include "
            "error.status_code.",
            idea=SENTENCE_IDEA,
        )


@pytest.mark.task(3)
def test_a_timeout_gets_its_own_sentence_with_the_time_waited(learner):
    sentence = timed_out(learner)
    check_attempts(learner, "timeouts")
    learner.api.requests.clear()
    if sentence == no_connection(learner) != refused_key(learner):
        learner.fail(
            f"After timeouts, ask() returned {sentence!r}, the same sentence as for a connection "
            "error. openai.APITimeoutError is a kind of openai.APIConnectionError, so an "
            "`except openai.APIConnectionError` placed first catches timeouts too. Put "
            "`except openai.APITimeoutError` before it.",
            idea=ORDER_IDEA,
        )
    if not TOOK_TOO_LONG.search(sentence):
        learner.fail(
            f"After timeouts, ask() returned {sentence!r}, which does not say that the service "
            "took too long. Catch openai.APITimeoutError and say so: in words (\"took too long\") "
            "or with TIMEOUT, the seconds the client waited.",
            idea=SENTENCE_IDEA,
        )


@pytest.mark.task(3)
def test_a_connection_error_gets_a_sentence_about_connecting(learner):
    sentence = no_connection(learner)
    check_attempts(learner, "connection errors")
    if "connect" not in sentence.lower():
        learner.fail(
            f"After connection errors, ask() returned {sentence!r}, which does not say that the "
            "service could not be reached. Catch openai.APIConnectionError and say it could not "
            "connect.",
            idea=SENTENCE_IDEA,
        )


@pytest.mark.task(3)
def test_each_failure_gets_its_own_sentence(learner):
    sentences = {}
    for what, cause in (
        ("a refused key", refused_key),
        ("an unknown model", unknown_model),
        ("a rate limit", rate_limit),
        ("a server error", server_failure),
        ("a timeout", timed_out),
        ("a connection error", no_connection),
    ):
        sentences[what] = cause(learner)
    if len(set(sentences.values())) == 1:
        learner.fail(
            f"Every failure got the same sentence, {next(iter(sentences.values()))!r}, so the "
            "user cannot tell a wrong key from a busy server. Catch each error class in its own "
            "except clause, most specific first, and say what happened and what to do.",
            idea=SENTENCE_IDEA,
        )
    shared = {}
    for what, sentence in sentences.items():
        shared.setdefault(sentence, []).append(what)
    for sentence, causes in shared.items():
        if len(causes) > 1:
            learner.fail(
                f"{' and '.join(causes).capitalize()} got the same sentence, {sentence!r}, so "
                "the user cannot tell them apart. Check that no except clause for a parent class "
                "(openai.APIConnectionError, openai.APIStatusError, openai.APIError, Exception) "
                "comes before the specific ones.",
                idea=ORDER_IDEA,
            )
