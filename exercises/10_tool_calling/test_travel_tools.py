"""Checks for exercise 10. You don't need to read them: each failure says what to change."""

import inspect
import json

import pytest

from workshop.harness.checks import check_model, check_roles, message_list
from workshop.harness.sandbox import short_repr
from workshop.simulation.faults import always_calls_tool, invalid_tool_arguments, unknown_tool_argument
from workshop.tokens import message_text

ROME = "What's the weather in Rome today?"
OSLO = "What's the weather in Oslo today?"
TWO_CITIES = "What's the weather in Oslo and in Rome today?"
PARAMETERS = {
    "get_weather": {"city": ("string",)},
    "convert_currency": {
        "amount": ("number",), "from_currency": ("string",), "to_currency": ("string",),
    },
}
DEFAULT_ROUNDS = 5
CAP = 3  # the max_rounds the cap checks pass, fewer than the default, so a fixed cap shows
ENDLESS = 8  # rounds of tool calls the never-satisfied model asks for before it gives in

DEFINING = "a tool is a name, a description and a JSON Schema for its arguments"
STRICT = "strict mode needs every property listed as required and no other keys allowed"
DEFENSIVE = "the model's arguments are text it wrote: check them, and turn every problem into a result"
LOOP = "the loop: send, run each call, append the calls and their results, send again"
PAIRING = "each tool message answers one call: right after the assistant message, with its id"
CAPPED = "a loop that depends on the model needs a cap on its rounds"
ANSWER = "the answer is the model's final text, written from the tool results"
TOOL_MESSAGE = '{"role": "tool", "tool_call_id": call.id, "content": run_tool(...)}'


def tools_of(learner):
    return learner.attribute("TOOLS", kind="variable")


def definitions(learner):
    """TOOLS as {name: function definition}, or a failure that says how a tool looks."""
    tools = tools_of(learner)
    if not isinstance(tools, (list, tuple)) or not tools:
        learner.fail(
            f"TOOLS is {short_repr(tools)}, but the tests expected a list of tool definitions, "
            'each {"type": "function", "function": {"name": ..., "parameters": ...}}.',
            idea=DEFINING,
        )
    found = {}
    for index, tool in enumerate(tools):
        if isinstance(tool, dict) and "name" in tool and "function" not in tool:
            learner.fail(
                f"TOOLS[{index}] is {short_repr(tool)}: that is the shape of the deprecated "
                '`functions` parameter. Tools wrap it: {"type": "function", "function": {...}}.',
                idea=DEFINING,
            )
        function = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(tool, dict) or tool.get("type") != "function" or not isinstance(function, dict):
            learner.fail(
                f'TOOLS[{index}] is {short_repr(tool)}, but a tool is {{"type": "function", '
                '"function": {"name": ..., "description": ..., "strict": True, "parameters": ...}}.',
                idea=DEFINING,
            )
        found[function.get("name")] = function
    missing = [name for name in PARAMETERS if name not in found]
    if missing:
        learner.fail(
            f"TOOLS defines the tools {sorted(map(str, found))}, but not {missing[0]!r}. Name each "
            "tool exactly as its Python function, so run_tool can find the function.",
            idea=DEFINING,
        )
    return found


def aside(learner, name, *args):
    """What one of the learner's functions returns, called to compare with; the report still
    names the call being checked."""
    checked = learner.last_call
    try:
        return learner.call(name, *args)
    finally:
        learner.last_call = checked


def calls_of(request):
    return request.reply_tool_calls()


def crashed(outcome):
    cause = outcome.error.__cause__ if outcome.error is not None else None
    return isinstance(cause, Exception) and not isinstance(cause, NotImplementedError)


def what_it_raised(outcome):
    return str(outcome.error).removeprefix(f"{outcome.call} ")


# --- Task 1: TOOLS -------------------------------------------------------------------------------


@pytest.mark.task(1)
def test_tools_describe_get_weather_and_convert_currency(learner):
    for name, function in definitions(learner).items():
        if name not in PARAMETERS:
            continue
        if not isinstance(function.get("description"), str) or not function["description"].strip():
            learner.fail(
                f"The {name} tool has no description. The model picks a tool by its name and "
                f'description, so say when to use it, such as "Get today\'s weather in a city."',
                idea=DEFINING,
            )
        schema = function.get("parameters")
        properties = schema.get("properties") if isinstance(schema, dict) else None
        if not isinstance(schema, dict) or schema.get("type") != "object" or not isinstance(properties, dict):
            learner.fail(
                f'The {name} tool\'s "parameters" is {short_repr(schema)}, but it must be a JSON '
                'Schema object: {"type": "object", "properties": {...}, ...}.',
                idea=DEFINING,
            )
        expected = PARAMETERS[name]
        if set(properties) != set(expected):
            learner.fail(
                f"The {name} tool has the properties {sorted(properties)}, but its function takes "
                f"{list(expected)}. Give the schema one property per parameter, named the same.",
                idea=DEFINING,
            )
        for key, kinds in expected.items():
            kind = properties[key].get("type") if isinstance(properties[key], dict) else None
            if kind not in kinds:
                learner.fail(
                    f'The {name} tool\'s property "{key}" has the type {kind!r}, but the tests '
                    f'expected "{kinds[0]}".',
                    idea=DEFINING,
                )


@pytest.mark.task(1)
def test_tools_are_strict(learner):
    for name, function in definitions(learner).items():
        if name in PARAMETERS and function.get("strict") is not True:
            found = f'has "strict": {function["strict"]!r}' if "strict" in function else 'has no "strict"'
            learner.fail(
                f'The {name} tool {found}. With "strict": True (Python\'s True, inside "function") '
                "the model's arguments always match the schema.",
                idea=STRICT,
            )


@pytest.mark.task(1)
def test_strict_schemas_forbid_extra_keys_and_require_every_property(learner):
    for name, function in definitions(learner).items():
        schema = function.get("parameters")
        if name not in PARAMETERS or not isinstance(schema, dict):
            continue
        allowed = schema.get("additionalProperties", "missing")
        if allowed is not False:
            found = "has no" if allowed == "missing" else f"has {allowed!r} as its"
            learner.fail(
                f'The {name} tool\'s schema {found} "additionalProperties", but strict mode needs '
                '"additionalProperties": False (Python\'s False), and the API refuses a strict '
                "tool without it (400 invalid_function_parameters).",
                idea=STRICT,
            )
        required = schema.get("required")
        properties = schema.get("properties") or {}
        if not isinstance(required, list) or set(required) != set(properties):
            learner.fail(
                f'The {name} tool\'s schema has "required": {required!r}, but strict mode needs '
                f'every property listed: "required": {list(properties)}.',
                idea=STRICT,
            )


# --- Task 2: run_tool ------------------------------------------------------------------------------


def tool_result(learner, name, arguments):
    """run_tool's answer parsed, or a failure that says why it is not a JSON object."""
    outcome = learner.run("run_tool", name, arguments)
    if crashed(outcome):
        return outcome, None
    value = outcome.result()
    if isinstance(value, dict):
        learner.fail(
            f"run_tool() returned the dict {short_repr(value)}, but a tool message's content is "
            "text: return json.dumps(...) of the result.",
            idea=DEFENSIVE,
        )
    if not isinstance(value, str):
        learner.fail(
            f"run_tool() returned {short_repr(value)}, but the tests expected a JSON string.",
            idea=DEFENSIVE,
        )
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        learner.fail(
            f"run_tool() returned {short_repr(value)}, which is not valid JSON. Return "
            "json.dumps(...) of the result, so the model reads it as data.",
            idea=DEFENSIVE,
        )
    return outcome, parsed


@pytest.mark.task(2)
def test_run_tool_calls_the_named_function(learner):
    cases = [
        ("get_weather", '{"city": "Rome"}', aside(learner, "get_weather", "Rome")),
        ("convert_currency", '{"amount": 100, "from_currency": "USD", "to_currency": "EUR"}',
         aside(learner, "convert_currency", 100, "USD", "EUR")),
    ]
    for name, arguments, expected in cases:
        outcome, parsed = tool_result(learner, name, arguments)
        if outcome.error is not None:
            outcome.result()
        if parsed != json.loads(json.dumps(expected)):
            learner.fail(
                f"run_tool() returned {short_repr(outcome.value)}, but {name} gives "
                f"{short_repr(expected)} for those arguments, so the tests expected its JSON: "
                f"{json.dumps(expected)}. Parse the arguments and call the function with them.",
                idea=DEFENSIVE,
            )


def expect_error_object(learner, name, arguments, what, advice):
    outcome, parsed = tool_result(learner, name, arguments)
    if outcome.error is not None:
        learner.fail(
            f"run_tool() crashed on {what}: it {what_it_raised(outcome)} The model writes these "
            f"arguments, and it can get them wrong. {advice}",
            idea=DEFENSIVE,
        )
    if not isinstance(parsed, dict) or "error" not in parsed:
        learner.fail(
            f'run_tool() returned {short_repr(outcome.value)} for {what}, but the tests expected a '
            'JSON object with an "error" key, such as {"error": "..."}, so the model can tell the '
            "user what went wrong.",
            idea=DEFENSIVE,
        )


@pytest.mark.task(2)
def test_run_tool_returns_an_error_for_an_unknown_tool(learner):
    expect_error_object(
        learner, "book_hotel", '{"city": "Rome"}', "a tool that does not exist ('book_hotel')",
        'Look the function up with FUNCTIONS.get(name), and return json.dumps({"error": ...}) '
        "when it is None.",
    )


@pytest.mark.task(2)
def test_run_tool_returns_an_error_for_arguments_that_are_not_json(learner):
    for arguments, what in (('{"city": "Ro', "arguments cut off halfway"), ("", "empty arguments")):
        expect_error_object(
            learner, "get_weather", arguments, f"{what} ({arguments!r}, not valid JSON)",
            "Put json.loads in a try block and return an error object in "
            "`except json.JSONDecodeError:`.",
        )


@pytest.mark.task(2)
def test_run_tool_returns_an_error_for_arguments_that_do_not_fit(learner):
    cases = (
        ('{"city": "Rome", "units": "metric"}', "a parameter get_weather does not take ('units')",
         "Calling get_weather(**values) raises TypeError then: catch it and return an error object."),
        ('"Rome"', "arguments that are JSON but not an object",
         "Check isinstance(values, dict) before calling the function with **values."),
    )
    for arguments, what, advice in cases:
        expect_error_object(learner, "get_weather", arguments, what, advice)


# --- Task 3: ask -----------------------------------------------------------------------------------


def first_request(learner, outcome, question):
    """ask()'s first request, checked for tools, the model and the question."""
    learner.reject_unanswered_requests()
    sent = learner.chat_requests
    if not sent:
        if outcome.error is not None:
            outcome.result()
        learner.fail(
            f"ask() returned {short_repr(outcome.value)} without sending a request, so the answer "
            "did not come from the model. Send the question with "
            "client.chat.completions.create(model=MODEL, messages=..., tools=TOOLS).",
            idea=LOOP,
        )
    request = sent[0]
    body = request.json()
    if "functions" in body or "function_call" in body:
        learner.fail(
            "ask() sent `functions=`, the deprecated older form of tools: the API still takes it, "
            "but the replies then come back in message.function_call, not message.tool_calls. "
            "Send tools=TOOLS instead.",
            idea=DEFINING,
            request=request,
        )
    check_roles(learner, message_list(learner, body.get("messages"), what="the request"), request)
    check_model(learner, request)
    expected = json.loads(json.dumps(tools_of(learner), default=str))
    if body.get("tools") != expected:
        sent_tools = "no tools" if "tools" not in body else f"tools={short_repr(body['tools'])}"
        learner.fail(
            f"ask() sent {sent_tools}, but the tests expected tools=TOOLS, so the model knows "
            "which functions it may ask for.",
            idea=DEFINING,
            request=request,
        )
    refusal = (request.reply or {}).get("error")
    if refusal:
        learner.fail(
            f"The API refused ask()'s first request: {refusal.get('message')} Fix that first (the "
            "checks of task 1 say more about TOOLS).",
            idea=DEFINING,
            request=request,
        )
    if body.get("tool_choice") == "required":
        learner.fail(
            'ask() sent tool_choice="required", which makes the model call a tool in every reply, '
            "so it can never answer in text. Leave tool_choice out: the model then decides.",
            idea=LOOP,
            request=request,
        )
    users = [message_text(m) for m in body["messages"] if m.get("role") == "user"]
    if users[:1] != [question]:
        learner.fail(
            f"ask() sent the user messages {short_repr(users)}, but the question was "
            f"{question!r}. Send it unchanged as the user message.",
            idea="the user message carries the user's own words",
            request=request,
        )
    return request


def second_request(learner, outcome, first):
    """The request that sent the first round's results, checked call by call."""
    tool_calls = calls_of(first)
    if not tool_calls:
        learner.fail(
            "The model answered ask()'s first request in text, without asking for a tool, so "
            "there was no loop to check. Keep the names get_weather and convert_currency, and "
            "describe in each tool's description what it is for.",
            idea=DEFINING,
            request=first,
        )
    sent = learner.chat_requests
    if len(sent) < 2:
        if crashed(outcome):
            learner.fail(
                f"ask() crashed after the model asked for a tool call: it {what_it_raised(outcome)} "
                "When finish_reason is \"tool_calls\", message.content is None and "
                "message.tool_calls lists the calls to run.",
                idea=LOOP,
                request=first,
            )
        outcome.result()
        results = [aside(learner, "run_tool", c["function"]["name"], c["function"]["arguments"])
                   for c in tool_calls]
        if outcome.value in results:
            learner.fail(
                f"ask() returned a tool's result, {short_repr(outcome.value)}, but the tests "
                "expected the model's answer written from it. Send the results back in tool "
                "messages and return the text of the reply that follows.",
                idea=ANSWER,
                request=first,
            )
        learner.fail(
            f"ask() returned {short_repr(outcome.value)} after the first reply, but that reply "
            f"asked for {len(tool_calls)} tool call(s) and had no text. Run each call with "
            "run_tool(), send the results back, and return the text of the reply that follows.",
            idea=LOOP,
            request=first,
        )
    request = sent[1]
    messages = message_list(learner, request.json().get("messages"), what="the second request")
    tool_messages = [m for m in messages if m.get("role") == "tool"]
    if not tool_messages:
        asked_before = [m for m in first.json().get("messages") or [] if m.get("role") == "user"]
        results = [m for m in messages if m.get("role") == "user"][len(asked_before):]
        if results:
            learner.fail(
                f"ask() sent the tool results as user messages ({short_repr(message_text(results[0]))}). "
                f"A result goes back in a tool message, {TOOL_MESSAGE}, so the model knows it "
                "answers its call and not a new question from the user.",
                idea=PAIRING,
                request=request,
            )
        learner.fail(
            "ask()'s second request added no tool messages, so the model never saw the results "
            f"of its calls. Append one per call: {TOOL_MESSAGE}.",
            idea=PAIRING,
            request=request,
        )
    start = messages.index(tool_messages[0])
    before = messages[start - 1] if start > 0 else {}
    asked = before.get("tool_calls") if before.get("role") == "assistant" else None
    ids = [call["id"] for call in tool_calls]
    asked_ids = [call.get("id") if isinstance(call, dict) else None for call in asked or []]
    if asked_ids and set(asked_ids) < set(ids):
        fail_only_some(learner, ids, asked_ids, request)
    if asked_ids != ids:
        learner.fail(
            "ask() sent the tool messages without the assistant message that asked for them "
            "right before, so the API refuses them (400: messages with role 'tool' must be a "
            "response to a preceding message with 'tool_calls'). Append the assistant message "
            "with its tool_calls unchanged first, then the tool messages.",
            idea=PAIRING,
            request=request,
        )
    answers = [m for m in messages[start:] if m.get("role") == "tool"]
    for message in answers:
        if "tool_call_id" not in message:
            learner.fail(
                f"A tool message ask() sent has no tool_call_id: {short_repr(message)}. Each one "
                f"says which call it answers: {TOOL_MESSAGE}.",
                idea=PAIRING,
                request=request,
            )
        if message["tool_call_id"] not in ids:
            learner.fail(
                f"A tool message ask() sent has the tool_call_id {message['tool_call_id']!r}, but the "
                f"model's calls had the ids {ids}. Use call.id of the call it answers.",
                idea=PAIRING,
                request=request,
            )
    answered = {message["tool_call_id"]: message for message in answers}
    if not set(ids) <= set(answered):
        fail_only_some(learner, ids, answered, request)
    for call in tool_calls:
        function, message = call["function"], answered[call["id"]]
        expected = aside(learner, "run_tool", function["name"], function["arguments"])
        if message_text(message) != expected:
            learner.fail(
                f"The tool message for {function['name']}({function['arguments']}) carried "
                f"{short_repr(message.get('content'))}, but run_tool() returns {short_repr(expected)} "
                "for that call. Send what run_tool() returns as the content.",
                idea=LOOP,
                request=request,
            )
    return request


def fail_only_some(learner, ids, answered, request):
    learner.fail(
        f"The model asked for {len(ids)} calls at once, but ask() answered only "
        f"{len(set(answered))} of them; the API refuses that (400: every tool_call_id needs its "
        "tool message). Loop over every call in message.tool_calls, not just the first.",
        idea=LOOP,
        request=request,
    )


def final_answer(learner, outcome):
    """The model's last reply and what ask() returned, checked to be the same text."""
    value = outcome.result()
    last = learner.chat_requests[-1]
    expected = last.reply_texts()[0] if last.reply_texts() else None
    if calls_of(last):
        learner.fail(
            f"ask() returned {short_repr(value)}, but the model's last reply asked for more tool "
            f"calls ({', '.join(call['function']['name'] for call in calls_of(last))}) and had no "
            "text. Keep looping until a reply has no tool calls, and return its text.",
            idea=LOOP,
            request=last,
        )
    if value == expected:
        return value
    results = [message_text(m) for m in last.json().get("messages", []) if m.get("role") == "tool"]
    if value in results:
        learner.fail(
            f"ask() returned a tool's result, {short_repr(value)}, but the tests expected the "
            f"model's answer written from it: {expected!r}. Send the results back and return the "
            "text of the reply that follows.",
            idea=ANSWER,
        )
    learner.fail(
        f"ask() returned {short_repr(value)}, but the model's final answer was {expected!r}. "
        "Return the text of the last reply, response.choices[0].message.content, unchanged.",
        idea=ANSWER,
        request=last,
    )


@pytest.mark.task(3)
def test_ask_sends_the_question_with_the_tools(learner):
    outcome = learner.run("ask", ROME)
    first_request(learner, outcome, ROME)


@pytest.mark.task(3)
def test_ask_sends_each_result_back_in_a_tool_message(learner):
    outcome = learner.run("ask", ROME)
    second_request(learner, outcome, first_request(learner, outcome, ROME))


@pytest.mark.task(3)
def test_ask_answers_every_call_of_a_parallel_reply(learner):
    outcome = learner.run("ask", TWO_CITIES)
    first = first_request(learner, outcome, TWO_CITIES)
    second_request(learner, outcome, first)
    final_answer(learner, outcome)


@pytest.mark.task(3)
def test_ask_returns_the_models_answer(learner):
    outcome = learner.run("ask", ROME)
    second_request(learner, outcome, first_request(learner, outcome, ROME))
    answer = final_answer(learner, outcome)
    learner.api.requests.clear()
    other = learner.run("ask", OSLO)
    if other.error is None and other.value == answer:
        learner.fail(
            f"ask() returned {short_repr(answer)} for two different questions ({ROME!r} and "
            f"{OSLO!r}). Return the model's answer to each, not a text written in your code.",
            idea=ANSWER,
        )
    final_answer(learner, other)


@pytest.mark.task(3)
def test_ask_keeps_going_while_the_model_asks_again(learner):
    learner.api.queue(always_calls_tool(), always_calls_tool())
    outcome = learner.run("ask", ROME)
    second_request(learner, outcome, first_request(learner, outcome, ROME))
    final_answer(learner, outcome)


@pytest.mark.task(3)
def test_ask_copes_with_arguments_the_model_got_wrong(learner):
    for fault, what in ((invalid_tool_arguments(), "arguments that are not valid JSON"),
                        (unknown_tool_argument(), "an argument the tool does not take")):
        learner.api.requests.clear()
        learner.api.queue(fault)
        outcome = learner.run("ask", ROME)
        first = first_request(learner, outcome, ROME)
        if len(learner.chat_requests) > 1:
            second_request(learner, outcome, first)
        if crashed(outcome):
            arguments = calls_of(first)[0]["function"]["arguments"] if calls_of(first) else ""
            learner.fail(
                f"ask() crashed when the model sent {what} ({arguments!r}): it "
                f"{what_it_raised(outcome)} Models do that now and then. Let run_tool() turn the "
                "problem into an error result, and send that back like any other.",
                idea=DEFENSIVE,
                request=first,
            )
        second_request(learner, outcome, first)
        final_answer(learner, outcome)


# --- Task 4: the cap -------------------------------------------------------------------------------


@pytest.mark.task(4)
def test_ask_takes_max_rounds_with_a_default_of_5(learner):
    ask = learner.attribute("ask")
    parameter = inspect.signature(ask).parameters.get("max_rounds")
    if parameter is None or parameter.default != DEFAULT_ROUNDS:
        shown = "no max_rounds parameter" if parameter is None else f"max_rounds={parameter.default!r}"
        learner.fail(
            f"ask() has {shown}, but the tests expected ask(question: str, max_rounds: int = 5).",
            idea=CAPPED,
        )


@pytest.mark.task(4)
def test_ask_gives_up_after_max_rounds(learner):
    learner.api.queue(*(always_calls_tool() for _ in range(ENDLESS)))
    outcome = learner.run("ask", ROME, max_rounds=CAP)
    sent = len(learner.chat_requests)
    if sent == DEFAULT_ROUNDS:
        learner.fail(
            f"ask(max_rounds={CAP}) sent {sent} requests to a model that never stops calling tools: "
            f"as many as the default, so the loop seems to count to a fixed {DEFAULT_ROUNDS}. Use "
            "the max_rounds parameter: `for _ in range(max_rounds):`.",
            idea=CAPPED,
        )
    if sent > CAP + 1:
        learner.fail(
            f"With a model that never stops calling tools, ask(max_rounds={CAP}) sent {sent} "
            f"requests. Without a cap on the rounds, such a model keeps the loop (and the bill) "
            f"going for ever: send at most max_rounds requests, then raise RuntimeError.",
            idea=CAPPED,
        )
    if sent < CAP:
        learner.fail(
            f"ask(max_rounds={CAP}) gave up after {sent} request(s), but the model may take up to "
            "max_rounds rounds: loop `for _ in range(max_rounds):`.",
            idea=CAPPED,
        )
    if outcome.error is None:
        learner.fail(
            f"After {CAP} rounds of tool calls without an answer, ask(max_rounds={CAP}) returned "
            f"{short_repr(outcome.value)}, but the tests expected RuntimeError, so the caller "
            "knows there is no answer.",
            idea=CAPPED,
        )
    raised = outcome.error.__cause__
    if not isinstance(raised, RuntimeError):
        learner.fail(
            f"After {CAP} rounds without an answer, ask() {what_it_raised(outcome)} The tests "
            f"expected RuntimeError, raised after the loop: raise RuntimeError(f\"No answer after "
            '{max_rounds} rounds.")',
            idea=CAPPED,
        )
    if str(CAP) not in str(raised):
        learner.fail(
            f"ask() raised RuntimeError({str(raised)!r}), which does not say what the cap was. "
            "Name max_rounds in the message, such as f\"No answer after {max_rounds} rounds.\"",
            idea=CAPPED,
        )
