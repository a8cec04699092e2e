"""Checks for exercise 06. You don't need to read them: each failure says what to change."""

import json

import pytest

from workshop.harness.checks import (
    check_model,
    check_question_sent,
    check_roles,
    message_list,
    single_request,
)
from workshop.simulation.faults import missing_field, truncated
from workshop.tokens import message_text

QUESTION = "Which river flows through Porto?"  # not the one main() asks
TRIP_TEXT = "We'd like to spend four days in Lisbon next spring."
PROPERTIES = {"city": {"type": "string"}, "days": {"type": "integer"}}
STRICT_FORMAT = (
    '{"type": "json_schema", "json_schema": {"name": "trip", "schema": TRIP_SCHEMA, "strict": True}}'
)

LESSON = "lessons/07-structured-output.md"
JSON_MODE_LESSON = f"{LESSON}#json-mode"
SCHEMA_LESSON = f"{LESSON}#structured-outputs-with-a-schema"
CHECKING_LESSON = f"{LESSON}#never-trust-the-reply-blindly"

ONE_REQUEST = "one question is one request: model, messages and response_format"
JSON_MODE = "JSON mode makes the reply valid JSON; your messages say which keys it should have"
STRICT = "strict mode needs every property listed as required and no other keys allowed"
SCHEMA = 'json_schema with "strict": True makes the reply follow your schema'
PARSE = "the reply is text: json.loads turns it into Python data"
CHECK = "check what came back: broken or wrong-shaped JSON becomes None, not a crash"



def crashed(outcome):
    """True when the learner's code raised an ordinary exception (not a TODO, a hang or an exit)."""
    cause = outcome.error.__cause__ if outcome.error is not None else None
    return isinstance(cause, Exception) and not isinstance(cause, NotImplementedError)


def what_it_raised(outcome):
    """The learner's error without the call it came from, which the report already names."""
    return str(outcome.error).removeprefix(f"{outcome.call} ")


def trip_schema(learner):
    return learner.attribute("TRIP_SCHEMA", kind="variable")


# --- Task 1: TRIP_SCHEMA -----------------------------------------------------------------------


@pytest.mark.task(1)
def test_trip_schema_still_describes_a_city_and_a_number_of_days(learner):
    check_properties_kept(learner)


@pytest.mark.task(1)
def test_trip_schema_requires_every_property(learner):
    check_required(learner)


@pytest.mark.task(1)
def test_trip_schema_forbids_extra_keys(learner):
    check_no_extra_keys(learner)


def check_strict_schema(learner):
    """TRIP_SCHEMA as strict mode needs it; a request that sends it depends on that."""
    check_properties_kept(learner)
    check_required(learner)
    check_no_extra_keys(learner)


def check_properties_kept(learner):
    schema = trip_schema(learner)
    if not isinstance(schema, dict) or schema.get("type") != "object" or (
        schema.get("properties") != PROPERTIES
    ):
        learner.fail(
            f"TRIP_SCHEMA is {schema!r}, but the tests expected the object schema from the stub "
            f'with its properties unchanged: {PROPERTIES!r}. Add keys to it; don\'t change those.',
            idea="a JSON Schema describes the keys and types of the object you want",
            lesson=SCHEMA_LESSON,
        )


def check_required(learner):
    schema = trip_schema(learner)
    required = schema.get("required") if isinstance(schema, dict) else None
    if not isinstance(required, list) or sorted(required) != ["city", "days"]:
        found = f'has "required": {required!r}' if required is not None else 'has no "required"'
        learner.fail(
            f"TRIP_SCHEMA {found}, but strict mode needs every property listed there: "
            '"required": ["city", "days"]. OpenAI refuses a strict schema that leaves one out.',
            idea=STRICT,
            lesson=SCHEMA_LESSON,
        )


def check_no_extra_keys(learner):
    schema = trip_schema(learner)
    allowed = schema.get("additionalProperties", "missing") if isinstance(schema, dict) else None
    if allowed is not False:
        found = (
            'has no "additionalProperties"' if allowed == "missing"
            else f'has "additionalProperties": {allowed!r}'
        )
        learner.fail(
            f'TRIP_SCHEMA {found}, but strict mode needs "additionalProperties": False (the Python '
            "False), so the reply can hold no keys other than the ones you listed.",
            idea=STRICT,
            lesson=SCHEMA_LESSON,
        )


# --- Task 2: ask_json --------------------------------------------------------------------------


def json_mode_request(learner):
    """ask_json's one request, checked for the model and JSON mode."""
    outcome = learner.run("ask_json", QUESTION)
    request = single_request(learner, outcome, idea=ONE_REQUEST)
    messages = message_list(learner, request.json().get("messages"), what="the request")
    check_roles(learner, messages, request)
    check_model(learner, request)
    response_format = request.json().get("response_format")
    if response_format is None:
        learner.fail(
            "ask_json() sent no response_format, so the model is free to answer in prose, which "
            'json.loads cannot read. Add response_format={"type": "json_object"} to the request.',
            idea=JSON_MODE,
            lesson=JSON_MODE_LESSON,
            request=request,
        )
    if not isinstance(response_format, dict) or response_format.get("type") != "json_object":
        learner.fail(
            f"ask_json() sent response_format={response_format!r}, but this task practises JSON "
            'mode: response_format={"type": "json_object"}. (The schema belongs in extract_trip().)',
            idea=JSON_MODE,
            lesson=JSON_MODE_LESSON,
            request=request,
        )
    return outcome, request


@pytest.mark.task(2)
def test_ask_json_switches_on_json_mode(learner):
    json_mode_request(learner)


@pytest.mark.task(2)
def test_ask_json_sends_the_question_as_a_user_message(learner):
    _, request = json_mode_request(learner)
    messages = request.json().get("messages") or []
    check_question_sent(learner, messages, QUESTION, request, function="ask_json()")


@pytest.mark.task(2)
def test_ask_json_asks_for_json_in_its_messages(learner):
    _, request = json_mode_request(learner)
    messages = request.json().get("messages") or []
    instructions = [message_text(m) for m in messages if m.get("role") != "user"] or [""]
    if not any("json" in message_text(message).lower() for message in messages):
        learner.fail(
            "None of the messages ask_json() sent mentions JSON. With JSON mode, OpenAI refuses "
            "such a request (400: the messages must contain the word 'json'), because the model "
            'needs to be told what to write. Say it in the system message, for example: '
            '\'Reply with a JSON object with one key, "answer".\'',
            idea=JSON_MODE,
            lesson=JSON_MODE_LESSON,
            request=request,
        )
    if not any("answer" in text.lower() for text in instructions):
        learner.fail(
            'The messages ask_json() sent never name the key "answer", so the model has to guess '
            "which keys to write, and the caller cannot know where to find the answer. Say it in "
            'the instructions, for example: \'Reply with a JSON object with one key, "answer".\'',
            idea=JSON_MODE,
            lesson=JSON_MODE_LESSON,
            request=request,
        )


@pytest.mark.task(2)
def test_ask_json_returns_the_parsed_object(learner):
    outcome, request = json_mode_request(learner)
    value = outcome.result()
    reply = request.reply_texts()[0]
    expected = json.loads(reply)
    if value == expected and isinstance(value, dict):
        return
    if value == reply:
        learner.fail(
            f"ask_json() returned the reply's text, the str {reply!r}, but the tests expected the "
            f"dict inside it, {expected!r}. Turn the text into Python data: "
            "json.loads(response.choices[0].message.content).",
            idea=PARSE,
            lesson=JSON_MODE_LESSON,
        )
    learner.fail(
        f"ask_json() returned {value!r}, but the model replied {reply!r}, so the tests expected "
        f"json.loads of that text: {expected!r}.",
        idea=PARSE,
        lesson=JSON_MODE_LESSON,
        request=request,
    )


# --- Task 3: parse_trip ------------------------------------------------------------------------


@pytest.mark.task(3)
def test_parse_trip_returns_a_trip_that_matches_the_schema(learner):
    content = '{"city": "Lisbon", "days": 4}'
    outcome = learner.run("parse_trip", content)
    value = outcome.result()
    if value != {"city": "Lisbon", "days": 4}:
        learner.fail(
            f"parse_trip() returned {value!r}, but {content} is valid JSON that matches "
            "TRIP_SCHEMA, so the tests expected the dict {'city': 'Lisbon', 'days': 4}.",
            idea=PARSE,
            lesson=CHECKING_LESSON,
        )


NOT_JSON = {
    "Sure! Four days in Lisbon sounds lovely.": "prose instead of JSON",
    '{"city": "Lisbon", "da': "JSON cut off halfway",
    "": "an empty reply",
}


@pytest.mark.task(3)
def test_parse_trip_returns_none_for_text_that_is_not_json(learner):
    for content, what in NOT_JSON.items():
        outcome = learner.run("parse_trip", content)
        if crashed(outcome):
            learner.fail(
                f"parse_trip() crashed on text that is not valid JSON ({what}): it "
                f"{what_it_raised(outcome)} A reply can be cut off or come back as prose. Put "
                "json.loads in a try block, catch json.JSONDecodeError and return None.",
                idea=CHECK,
                lesson=CHECKING_LESSON,
            )
        if outcome.result() is not None:
            learner.fail(
                f"parse_trip() returned {outcome.result()!r} for {what}, but the tests expected "
                "None: text that is not valid JSON holds no trip.",
                idea=CHECK,
                lesson=CHECKING_LESSON,
            )


WRONG_SHAPE = {
    '{"city": "Lisbon"}': 'it has no "days"',
    '{"city": "Lisbon", "days": "four"}': '"days" is a str, not an int',
    '{"city": 4, "days": 4}': '"city" is an int, not a str',
    '["Lisbon", 4]': "it is a list, not an object",
    "null": "it is null (None), not an object",
    "4": "it is a number, not an object",
    '{"city": "Lisbon", "days": "4"}': '"days" is the str "4", not an int',
    '{"city": "Lisbon", "days": 4.5}': '"days" is a float, not an int',
    '{"city": null, "days": 4}': '"city" is null (None), not a str',
    '{"city": "Lisbon", "days": true}': (
        '"days" is true, a bool, not an int. Careful: Python counts a bool as an int '
        "(isinstance(True, int) is True), so check for bool as well"
    ),
}


@pytest.mark.task(3)
def test_parse_trip_returns_none_when_the_json_does_not_match(learner):
    for content, why in WRONG_SHAPE.items():
        outcome = learner.run("parse_trip", content)
        if crashed(outcome):
            learner.fail(
                f"parse_trip() crashed on JSON that does not match TRIP_SCHEMA ({why}): it "
                f"{what_it_raised(outcome)} Check the shape before you use it: return None unless "
                'it is a dict whose "city" is a str and whose "days" is an int.',
                idea=CHECK,
                lesson=CHECKING_LESSON,
            )
        if outcome.result() is not None:
            learner.fail(
                f"parse_trip() returned {outcome.result()!r}, but that does not match TRIP_SCHEMA: "
                f"{why}. Valid JSON can still have the wrong shape, so return None unless it is a "
                'dict whose "city" is a str and whose "days" is an int.',
                idea=CHECK,
                lesson=CHECKING_LESSON,
            )


# --- Task 4: extract_trip ----------------------------------------------------------------------


def schema_request(learner):
    """extract_trip's one request, checked for the model, the text and a strict TRIP_SCHEMA."""
    outcome = learner.run("extract_trip", TRIP_TEXT)
    request = single_request(learner, outcome, idea=ONE_REQUEST)
    check_schema_request(learner, outcome, request)
    return outcome, request


def check_schema_request(learner, outcome, request):
    messages = message_list(learner, request.json().get("messages"), what="the request")
    check_roles(learner, messages, request)
    check_model(learner, request)
    check_question_sent(learner, messages, TRIP_TEXT, request, function="extract_trip()")
    response_format = request.json().get("response_format")
    kind = response_format.get("type") if isinstance(response_format, dict) else None
    if kind != "json_schema":
        used = (
            "no response_format" if response_format is None
            else "JSON mode, which promises JSON but not its keys"
            if kind == "json_object" else f"response_format={response_format!r}"
        )
        learner.fail(
            f"extract_trip() sent {used}. Ask for your schema instead: "
            f"response_format={STRICT_FORMAT}.",
            idea=SCHEMA,
            lesson=SCHEMA_LESSON,
            request=request,
        )
    spec = response_format.get("json_schema")
    spec = spec if isinstance(spec, dict) else {}
    if "schema" not in spec and ("properties" in spec or spec.get("type") == "object"):
        learner.fail(
            "extract_trip() put the schema itself straight under \"json_schema\", but that "
            'key holds a description of the schema: its "name", the schema under "schema", '
            f'and "strict". Wrap it: response_format={STRICT_FORMAT}.',
            idea=SCHEMA,
            lesson=SCHEMA_LESSON,
            request=request,
        )
    if not spec.get("name"):
        learner.fail(
            'extract_trip() sent a json_schema without a "name". The API needs one (any short '
            f'name, such as "trip"): response_format={STRICT_FORMAT}.',
            idea=SCHEMA,
            lesson=SCHEMA_LESSON,
            request=request,
        )
    expected = json.loads(json.dumps(trip_schema(learner)))
    if spec.get("schema") != expected:
        learner.fail(
            f"extract_trip() sent the schema {spec.get('schema')!r}, but TRIP_SCHEMA is "
            f'{expected!r}. Send TRIP_SCHEMA itself as "schema", so one definition says what a '
            "trip is.",
            idea=SCHEMA,
            lesson=SCHEMA_LESSON,
            request=request,
        )
    if spec.get("strict") is not True:
        sent = f'with "strict": {spec["strict"]!r}' if "strict" in spec else 'without "strict"'
        learner.fail(
            f"extract_trip() sent the schema {sent}, so the model is "
            'only asked to follow it, not held to it. Add "strict": True next to "name" and '
            '"schema".',
            idea=SCHEMA,
            lesson=SCHEMA_LESSON,
            request=request,
        )
    if outcome.error is not None and not isinstance(outcome.error.__cause__, NotImplementedError):
        check_strict_schema(learner)  # a schema strict mode refuses makes the request fail


@pytest.mark.task(4)
def test_extract_trip_asks_for_trip_schema_in_strict_mode(learner):
    schema_request(learner)


@pytest.mark.task(4)
def test_extract_trip_returns_the_trip_from_the_reply(learner):
    outcome, request = schema_request(learner)
    value = outcome.result()
    reply = request.reply_texts()[0]
    expected = json.loads(reply)
    if value == expected and isinstance(value, dict):
        return
    advice = (
        "It returned the text itself: pass it to parse_trip() and return what that gives."
        if value == reply
        else "Return parse_trip(response.choices[0].message.content)."
    )
    learner.fail(
        f"extract_trip() returned {value!r}, but the model replied {reply!r}, which matches "
        f"TRIP_SCHEMA, so the tests expected the dict {expected!r}. {advice}",
        idea=PARSE,
        lesson=CHECKING_LESSON,
        request=request,
    )


def expect_none_after_a_bad_reply(learner, fault, what):
    learner.api.queue(fault)
    outcome = learner.run("extract_trip", TRIP_TEXT)
    request = single_request(learner, outcome, idea=ONE_REQUEST)
    check_schema_request(learner, outcome, request)
    reply = request.reply_texts()[0] if request.reply_texts() else None
    if crashed(outcome):
        learner.fail(
            f"extract_trip() crashed when the reply was {what}: it {what_it_raised(outcome)} "
            f"The model replied {reply!r}. Replies like this happen: let parse_trip() check the "
            "text, and return its None.",
            idea=CHECK,
            lesson=CHECKING_LESSON,
            request=request,
        )
    value = outcome.result()
    if value is not None:
        learner.fail(
            f"extract_trip() returned {value!r}, but the reply was {what}: {reply!r}. The tests "
            "expected None, so the caller knows there is no trip. Return "
            "parse_trip(response.choices[0].message.content).",
            idea=CHECK,
            lesson=CHECKING_LESSON,
            request=request,
        )


@pytest.mark.task(4)
def test_extract_trip_returns_none_when_the_reply_is_cut_off(learner):
    expect_none_after_a_bad_reply(learner, truncated(), "cut off halfway (finish_reason 'length')")


@pytest.mark.task(4)
def test_extract_trip_returns_none_when_the_reply_lacks_a_field(learner):
    expect_none_after_a_bad_reply(learner, missing_field("days"), 'JSON without "days"')
