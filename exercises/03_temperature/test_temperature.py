"""Checks for exercise 03. You don't need to read them: each failure says what to change."""

import math
from collections.abc import Mapping
from typing import Any

import pytest

from workshop.harness.checks import check_model, check_roles, message_list, single_request
from workshop.harness.sandbox import short_repr
from workshop.simulation.faults import scripted_choices
from workshop.tokens import message_text

PROMPT = "Suggest a name for a travel blog about Portugal."
DEFAULT_TEMPERATURES = (0.0, 0.7, 1.5)
TEMPERATURES = (0.3, 1.0, 1.8)

TEMPERATURE_LESSON = "lessons/04-parameters.md#temperature"
CHOICES_LESSON = "lessons/04-parameters.md#n-several-choices-at-once"
MISTAKES_LESSON = "lessons/04-parameters.md#common-mistakes"

ONE_REQUEST = "n asks for several choices in one request"
TEMPERATURE = "temperature, a number from 0 to 2, sets how varied the replies are"
ALL_CHOICES = "every choice is in response.choices, in index order"
VALIDATE = "check arguments before sending: the API refuses values out of range (400)"
EXPERIMENT = "an experiment changes one thing, the temperature, and keeps the rest the same"
RATIO = "a ratio compares a part with the whole: distinct answers / all answers"
MAX_N = 128  # the most choices the API gives for one request
# Chosen replies, one repeated as a real model may repeat itself: the order must be kept as it is.
BLOG_NAMES = (
    "Postcards from Porto", "Lisbon Letters", "Postcards from Porto", "Tiles and Trams",
    "Algarve Afternoons",
)



# --- sample() -----------------------------------------------------------------------------------


def sampling_request(learner, outcome, n: int):
    """The one request sample() should send, or a failure that says what it sent instead."""
    learner.reject_unanswered_requests()
    sent = learner.chat_requests
    if len(sent) == n > 1 and all(request.json().get("n") in (None, 1) for request in sent):
        learner.fail(
            f"sample() sent {n} separate requests, one per answer, but the tests expected one "
            f"request with n={n}. With n set, one response carries all {n} choices, and the "
            f"prompt is sent (and billed) once instead of {n} times.",
            idea=ONE_REQUEST,
            lesson=CHOICES_LESSON,
            request=sent[0],
        )
    return single_request(learner, outcome, idea=ONE_REQUEST)


def check_prompt_sent(learner, request) -> None:
    messages = message_list(learner, request.json().get("messages"), what="the request")
    check_roles(learner, messages, request)
    last = messages[-1] if messages else {}
    if last.get("role") != "user" or message_text(last) != PROMPT:
        learner.fail(
            f"The last message sent is {dict(last)!r}, but the tests expected the prompt, "
            f'unchanged, as the last user message: {{"role": "user", "content": {PROMPT!r}}}.',
            idea="the user message carries the user's own words",
            request=request,
        )


def check_temperature_sent(learner, request, expected: float) -> None:
    body = request.json()
    if "temperature" not in body:
        learner.fail(
            f"The request has no temperature, so the model used its default (1) instead of "
            f"{expected}. Pass it to create() as a parameter: temperature=temperature.",
            idea=TEMPERATURE,
            lesson=TEMPERATURE_LESSON,
            request=request,
        )
    sent = body["temperature"]
    if isinstance(sent, str):
        learner.fail(
            f"The request sent the temperature as a string ({sent!r}), but the API expects a "
            "number and refuses a string with 400 Bad Request. Pass the number itself: "
            "temperature=temperature, not str(temperature) or an f-string.",
            idea=TEMPERATURE,
            lesson=TEMPERATURE_LESSON,
            request=request,
        )
    if not _is_number(sent) or not math.isclose(sent, expected):
        learner.fail(
            f"The request sent temperature={sent!r}, but sample() was called with the "
            f"temperature {expected}. Send the temperature you were given.",
            idea=TEMPERATURE,
            lesson=TEMPERATURE_LESSON,
            request=request,
        )


def check_n_sent(learner, request, expected: int) -> None:
    body = request.json()
    if "n" not in body:
        learner.fail(
            f"The request does not set n, so the API answered with one choice instead of "
            f"{expected}. Ask for all of them in the same request: n=n.",
            idea=ONE_REQUEST,
            lesson=CHOICES_LESSON,
            request=request,
        )
    if body["n"] != expected or not _is_number(body["n"]):
        learner.fail(
            f"The request sent n={body['n']!r}, but sample() was called with n={expected}. "
            "Pass the number of choices you were given: n=n.",
            idea=ONE_REQUEST,
            lesson=CHOICES_LESSON,
            request=request,
        )


def checked_sampling(learner, outcome, temperature: float, n: int):
    """sample()'s one request, checked for everything it must carry, before its result is read.

    Every check that calls sample() goes through this, so a request the API would refuse is
    named for what is wrong with it, not for the error the refusal raised later.
    """
    request = sampling_request(learner, outcome, n)
    check_sampling_request(learner, request, temperature, n)
    return request


def check_sampling_request(learner, request, temperature: float, n: int) -> None:
    check_prompt_sent(learner, request)
    check_model(learner, request)
    check_temperature_sent(learner, request, temperature)
    check_n_sent(learner, request, n)


@pytest.mark.task(2)
def test_sample_sends_one_request_with_the_prompt_temperature_and_n(learner):
    outcome = learner.run("sample", PROMPT, 0.7, n=3)
    checked_sampling(learner, outcome, 0.7, 3)
    outcome.result()


@pytest.mark.task(2)
def test_sample_returns_the_text_of_every_choice_in_order(learner):
    learner.api.queue(scripted_choices(*BLOG_NAMES))
    outcome = learner.run("sample", PROMPT, 1.5, n=len(BLOG_NAMES))
    request = checked_sampling(learner, outcome, 1.5, len(BLOG_NAMES))
    value = outcome.result()
    expected = request.reply_texts()
    if isinstance(value, (list, tuple)) and list(value) == expected:
        return
    first = expected[0] if expected else None
    if len(expected) > 1 and (value == first or _as_list(value) == [first]):
        learner.fail(
            f"sample() returned only the first choice, {short_repr(value)}, but the response held "
            f"{len(expected)} choices. Return a list with the text of each one, in order: "
            "[choice.message.content for choice in response.choices].",
            idea=ALL_CHOICES,
            lesson=CHOICES_LESSON,
        )
    items = _as_list(value)
    kind = type(items[0]).__name__ if items else type(value).__name__
    if kind in ("Choice", "ChatCompletionMessage", "ChatCompletion"):
        learner.fail(
            f"sample() returned {kind} objects, but the tests expected the reply texts (a list "
            "of str). Each choice's text is in choice.message.content.",
            idea=ALL_CHOICES,
            lesson=CHOICES_LESSON,
        )
    if items is not None and sorted(map(str, items)) == sorted(expected):
        learner.fail(
            f"sample() returned the right texts in another order: {short_repr(items)}. Keep the "
            "order of response.choices, so that item i is the text of choice i.",
            idea=ALL_CHOICES,
            lesson=CHOICES_LESSON,
        )
    learner.fail(
        f"sample() returned {short_repr(value)}, but the model answered with the choices "
        f"{expected!r}, so the tests expected exactly that list of texts.",
        idea=ALL_CHOICES,
        lesson=CHOICES_LESSON,
        request=request,
    )


def expect_value_error(learner, *, problem: str, temperature: float, n: int) -> None:
    """sample() must raise ValueError for `problem` without sending a request."""
    outcome = learner.run("sample", PROMPT, temperature, n=n)
    learner.reject_unanswered_requests()
    if learner.chat_requests:
        if "error" in (learner.chat_requests[0].reply or {}):
            consequence = (
                "the API refused it with 400 Bad Request. Check the arguments at the top of "
                "sample() and raise ValueError before sending anything: a request that is bound "
                "to fail still costs a round trip."
            )
        else:
            consequence = (
                "so the value must have been changed on the way. Don't fix it quietly: raise "
                "ValueError before sending anything, so the caller learns of the mistake."
            )
        learner.fail(
            f"sample() sent a request even though {problem}, and {consequence}",
            idea=VALIDATE,
            lesson=MISTAKES_LESSON,
            request=learner.chat_requests[0],
        )
    error = outcome.error.__cause__ if outcome.error is not None else None
    if isinstance(error, ValueError):
        return
    if outcome.error is not None and (error is None or isinstance(error, NotImplementedError)):
        outcome.result()
    if outcome.error is not None:
        learner.fail(
            f"sample() rightly refused the call, since {problem}, but it raised "
            f"{type(error).__name__}; the tests expected ValueError, Python's exception for an "
            'argument of the right type with a wrong value. Write raise ValueError("...").',
            idea=VALIDATE,
            lesson=MISTAKES_LESSON,
        )
    learner.fail(
        f"sample() returned {short_repr(outcome.value)} without complaint, but {problem}. "
        'Raise ValueError("...") before sending anything, so the caller learns of the mistake.',
        idea=VALIDATE,
        lesson=MISTAKES_LESSON,
    )


@pytest.mark.task(1)
def test_sample_refuses_a_temperature_outside_0_to_2(learner):
    for temperature in (2.5, -0.1):
        expect_value_error(
            learner,
            problem=f"temperature={temperature} is outside 0 to 2, the range the API accepts",
            temperature=temperature,
            n=3,
        )


@pytest.mark.task(1)
def test_sample_refuses_fewer_than_one_choice(learner):
    expect_value_error(
        learner, problem="n=0 is below 1, the smallest n the API accepts", temperature=0.7, n=0
    )


@pytest.mark.task(1)
def test_sample_accepts_the_edges_of_each_range(learner):
    for temperature, n in ((0.0, 1), (2.0, 1), (1.0, MAX_N)):
        learner.api.requests.clear()
        outcome = learner.run("sample", PROMPT, temperature, n=n)
        if isinstance(outcome.error.__cause__ if outcome.error else None, ValueError):
            learner.fail(
                f"sample() raised ValueError, but temperature={temperature} and n={n} are "
                "allowed: the API accepts every temperature from 0 to 2, both ends included, "
                f"and n from 1 to {MAX_N}. Refuse only a temperature below 0 or above 2, and "
                f"an n below 1 (or above {MAX_N}).",
                idea=VALIDATE,
                lesson=MISTAKES_LESSON,
            )
        checked_sampling(learner, outcome, temperature, n)
        outcome.result()


# --- run_experiment() ---------------------------------------------------------------------------


def watch_sample(learner) -> list[tuple[Any, Any, Any]]:
    """Record every call run_experiment() makes to sample(), and let each one through.

    Each call is (prompt, temperature, n) and, once sample() has returned, what it returned.
    """
    real_sample = learner.attribute("sample")
    calls = []

    def watched_sample(prompt, temperature, n=3):
        call = [prompt, temperature, n]
        calls.append(call)
        call.append(real_sample(prompt, temperature, n))
        return call[-1]

    learner.module.sample = watched_sample
    return calls


def temperatures_ignored(learner, used) -> None:
    if _same_items(used, DEFAULT_TEMPERATURES):
        learner.fail(
            f"run_experiment() was given the temperatures {TEMPERATURES}, but it ignored the "
            f"temperatures argument and used the defaults {DEFAULT_TEMPERATURES} instead. Loop "
            "over the parameter: for temperature in temperatures.",
            idea=EXPERIMENT,
            lesson=TEMPERATURE_LESSON,
        )


def experiment(learner, calls):
    """Run the experiment; a sample() that failed on the way is judged as sample() is."""
    outcome = learner.run("run_experiment", PROMPT, TEMPERATURES, n=2)
    if outcome.error is not None and calls and learner.chat_requests:
        prompt, temperature, n = calls[-1][:3]
        if prompt == PROMPT and n == 2:
            check_sampling_request(learner, learner.chat_requests[-1], temperature, n)
    return outcome


@pytest.mark.task(3)
def test_run_experiment_samples_once_at_each_temperature_it_is_given(learner):
    calls = watch_sample(learner)
    outcome = experiment(learner, calls)
    outcome.result()
    if not calls:
        learner.fail(
            "run_experiment() never called sample(), so the checks and the request written "
            "there are not reused. Call sample(prompt, temperature, n) once per temperature.",
            idea="one function sends the request, the other runs the experiment with it",
        )
    used = [call[1] for call in calls]
    temperatures_ignored(learner, used)
    if not _same_items(used, TEMPERATURES):
        learner.fail(
            f"run_experiment() called sample() with the temperatures {used}, but the tests "
            f"expected one call for each of {list(TEMPERATURES)}.",
            idea=EXPERIMENT,
            lesson=TEMPERATURE_LESSON,
        )
    prompts = {call[0] for call in calls}
    if prompts != {PROMPT}:
        learner.fail(
            f"run_experiment() called sample() with the prompts {sorted(map(repr, prompts))}, but "
            f"it was given {PROMPT!r}. Pass the same prompt at every temperature, so that only "
            "the temperature changes.",
            idea=EXPERIMENT,
            lesson=TEMPERATURE_LESSON,
        )
    counts = [call[2] for call in calls]
    if any(n != 2 for n in counts):
        shown = " or n=".join(sorted({repr(n) for n in counts}))
        learner.fail(
            f"run_experiment() was called with n=2, but it called sample() with n={shown}. "
            "Pass n on: sample(prompt, temperature, n).",
            idea=EXPERIMENT,
            lesson=CHOICES_LESSON,
        )


@pytest.mark.task(3)
def test_run_experiment_keys_the_samples_by_temperature(learner):
    calls = watch_sample(learner)
    outcome = experiment(learner, calls)
    value = outcome.result()
    if not isinstance(value, Mapping):
        learner.fail(
            f"run_experiment() returned {short_repr(value)}, but the tests expected a dict from each "
            "temperature to its samples, such as {0.3: ['...', '...'], 1.0: [...], 1.8: [...]}.",
            idea=EXPERIMENT,
        )
    keys = list(value)
    temperatures_ignored(learner, keys)
    if not _same_items(keys, TEMPERATURES):
        learner.fail(
            f"The dict's keys are {keys!r}, which are not the temperatures: the tests "
            f"expected {list(TEMPERATURES)}, the numbers themselves, so that results[1.0] holds "
            "the samples taken at temperature 1.0. Use the temperature as the key, not a "
            "string or a position.",
            idea=EXPERIMENT,
        )
    # What sample() returned at each temperature; without calls to sample(), what the API sent.
    returned: dict[Any, Any] = {call[1]: call[3] for call in calls if len(call) == 4}
    if not calls:
        for request in learner.chat_requests:
            texts = returned.setdefault(request.json().get("temperature"), [])
            texts.extend(request.reply_texts())
    for temperature in TEMPERATURES:
        expected = returned.get(temperature)
        found = value[temperature]
        if found != expected and (_as_list(found) is None or _as_list(found) != _as_list(expected)):
            learner.fail(
                f"results[{temperature}] is {short_repr(found)}, but the samples taken "
                f"at temperature {temperature} were {short_repr(expected)}. Store each temperature's "
                "samples under that temperature: results[temperature] = sample(...).",
                idea=EXPERIMENT,
            )


# --- distinct_ratio() ---------------------------------------------------------------------------


def expect_ratio(learner, samples: list[str], *, distinct: int) -> None:
    value = learner.call("distinct_ratio", list(samples))
    expected = distinct / len(samples)
    if _is_number(value) and math.isclose(value, expected):
        return
    if value == distinct:
        learner.fail(
            f"distinct_ratio() returned {value!r}, the number of distinct answers: a count instead "
            f"of a ratio. Divide it by the number of samples: {distinct} / {len(samples)} = "
            f"{expected:g}, so 1.0 always means that every answer differs.",
            idea=RATIO,
            lesson=TEMPERATURE_LESSON,
        )
    stripped = len({text.strip() for text in samples})
    unstripped = len(set(samples))
    if stripped != unstripped and _is_number(value) and math.isclose(value, unstripped / len(samples)):
        learner.fail(
            f"distinct_ratio() returned {value!r}: it counted {unstripped} distinct answers, but "
            f"some differ only in spaces or line breaks around them, so there are {distinct}. "
            "Strip each answer before comparing: text.strip().",
            idea=RATIO,
            lesson=TEMPERATURE_LESSON,
        )
    learner.fail(
        f"distinct_ratio() returned {value!r}, but {distinct} of the {len(samples)} answers are "
        f"distinct, so the tests expected {distinct} / {len(samples)} = {expected:g}.",
        idea=RATIO,
        lesson=TEMPERATURE_LESSON,
    )


@pytest.mark.task(4)
def test_distinct_ratio_divides_distinct_answers_by_all_answers(learner):
    expect_ratio(learner, ["Porto", "Porto", "Lisbon", "Faro"], distinct=3)


@pytest.mark.task(4)
def test_distinct_ratio_ignores_whitespace_around_answers(learner):
    expect_ratio(learner, ["Porto", " Porto", "Porto\n", "Faro"], distinct=2)


@pytest.mark.task(4)
def test_distinct_ratio_of_no_samples_is_zero(learner):
    outcome = learner.run("distinct_ratio", [])
    error = outcome.error.__cause__ if outcome.error is not None else None
    if error is not None and not isinstance(error, NotImplementedError):
        if isinstance(error, ZeroDivisionError):
            reason = "with no samples there is nothing to divide by"
        else:
            reason = "an experiment can come back with no samples"
        learner.fail(
            f"distinct_ratio() crashed on an empty list with {type(error).__name__}: {reason}. "
            "Return 0.0 first when the list is empty.",
            idea=RATIO,
            lesson=TEMPERATURE_LESSON,
        )
    value = outcome.result()
    if not (_is_number(value) and value == 0):
        learner.fail(
            f"distinct_ratio() returned {short_repr(value)} for an empty list, but the tests expected "
            "0.0: no samples, so no distinct ones either.",
            idea=RATIO,
            lesson=TEMPERATURE_LESSON,
        )


# --- helpers ------------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same_items(found: Any, expected: Any) -> bool:
    """True when both hold the same values, in any order (1 and 1.0 count as the same)."""
    left = list(expected)
    for item in found:
        if item not in left:
            return False
        left.remove(item)
    return not left


def _as_list(value: Any) -> list[Any] | None:
    return list(value) if isinstance(value, (list, tuple)) else None


