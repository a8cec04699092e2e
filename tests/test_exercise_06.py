"""Exercise 06's grader, and the simulated API's broken replies that it relies on."""

import json

import pytest
from openai import OpenAI

from tests.conftest import editor, solution_source
from tests.verdicts import named, one_cause
from workshop import tokens
from workshop.simulation import complete
from workshop.simulation.api import SimulatedAPI
from workshop.simulation.faults import missing_field, truncated

SOLUTION = solution_source("06")
TYPE_CHECK = (
    'if not isinstance(trip.get("city"), str) or not isinstance(days, int) or isinstance(days, bool):'
)


changed = editor(SOLUTION)


CORRECT_VARIANTS = {
    "module-level client": changed(
        "def ask_json(question: str) -> dict:",
        "client = OpenAI()\n\n\ndef ask_json(question: str) -> dict:",
    ).replace("    with OpenAI() as client:\n", "    if True:\n"),
    "typed params": changed(
        'response_format = {\n        "type": "json_schema",\n'
        '        "json_schema": {"name": "trip", "schema": TRIP_SCHEMA, "strict": True},\n    }',
        "from openai.types.shared_params import ResponseFormatJSONSchema\n"
        "    response_format = ResponseFormatJSONSchema(\n"
        '        type="json_schema",\n'
        '        json_schema={"name": "trip", "schema": TRIP_SCHEMA, "strict": True},\n    )',
        changed(
            '        {"role": "user", "content": text},\n',
            "        ChatCompletionUserMessageParam(role='user', content=text),\n",
        ).replace(
            "import json\n",
            "import json\n\nfrom openai.types.chat import ChatCompletionUserMessageParam\n",
        ),
    ),
    "with_raw_response and extra parameters": changed(
        "        response = client.chat.completions.create(\n"
        "            model=MODEL, messages=messages, response_format=response_format\n        )",
        "        raw = client.chat.completions.with_raw_response.create(\n"
        "            model=MODEL, messages=messages, response_format=response_format,\n"
        "            temperature=0, max_completion_tokens=300,\n        )\n"
        "        response = raw.parse()",
    ),
    "validation driven by the schema, ValueError caught": changed(
        "    except json.JSONDecodeError:\n        return None\n"
        "    if not isinstance(trip, dict):\n        return None\n"
        '    days = trip.get("days")\n'
        f'    {TYPE_CHECK}\n'
        "        return None  # a JSON true is a bool, and Python counts a bool as an int\n",
        "    except ValueError:\n        return None\n"
        '    python_types = {"string": str, "integer": int}\n'
        "    if not isinstance(trip, dict):\n        return None\n"
        '    for key, rule in TRIP_SCHEMA["properties"].items():\n'
        '        if type(trip.get(key)) is not python_types[rule["type"]]:\n'
        "            return None\n",
    ),
    "finish_reason checked first": changed(
        "    return parse_trip(response.choices[0].message.content)",
        "    choice = response.choices[0]\n"
        '    if choice.finish_reason != "stop":\n        return None\n'
        "    return parse_trip(choice.message.content)",
    ),
    "model_dump": changed(
        "    return json.loads(response.choices[0].message.content)",
        '    return json.loads(response.model_dump()["choices"][0]["message"]["content"])',
    ),
}


CORRECT_VARIANTS |= {
    "types compared with type() is, the question after a developer message": changed(
        '    days = trip.get("days")\n'
        f'    {TYPE_CHECK}\n',
        '    if type(trip.get("city")) is not str or type(trip.get("days")) is not int:\n',
        changed(
            '        {"role": "system", "content": \'Reply with a JSON object with one key, "answer".\'},',
            '        {"role": "developer", "content": \'Answer in JSON: {"answer": "..."}\'},',
        ),
    ),
    "the format kept in a constant, the reply checked with a set of keys": changed(
        "    if not isinstance(trip, dict):\n        return None\n",
        "    if not isinstance(trip, dict) or not {\"city\", \"days\"} <= trip.keys():\n"
        "        return None\n",
        changed(
            "    response_format = {\n",
            "    response_format = TRIP_FORMAT\n    unused = {\n",
            changed(
                "\n\ndef ask_json(",
                '\n\nTRIP_FORMAT = {\n    "type": "json_schema",\n'
                '    "json_schema": {"name": "trip", "strict": True, "schema": TRIP_SCHEMA},\n}\n'
                "\n\ndef ask_json(",
            ),
        ),
    ),
}


@pytest.mark.parametrize("variant", CORRECT_VARIANTS)
def test_correct_variants_pass(grade, variant):
    grading = grade("06", CORRECT_VARIANTS[variant])
    assert grading.passed(), grading.failures


MISTAKES = {
    "JSON mode never switched on": (
        changed(
            'model=MODEL, messages=messages, response_format={"type": "json_object"}',
            "model=MODEL, messages=messages",
        ),
        "ask_json() sent no response_format",
    ),
    "JSON never mentioned in the messages": (
        changed("'Reply with a JSON object with one key, \"answer\".'", "'Answer briefly.'"),
        "None of the messages ask_json() sent mentions JSON",
    ),
    "reply text returned unparsed": (
        changed(
            "    return json.loads(response.choices[0].message.content)",
            "    return response.choices[0].message.content",
        ),
        "returned the reply's text, the str",
    ),
    "schema without required": (
        changed('    "required": ["city", "days"],\n', ""),
        'TRIP_SCHEMA has no "required"',
    ),
    "schema requiring only some properties": (
        changed('"required": ["city", "days"]', '"required": ["city"]'),
        "TRIP_SCHEMA has \"required\": ['city']",
    ),
    "schema allowing extra keys": (
        changed('    "additionalProperties": False,\n', ""),
        'needs "additionalProperties": False',
    ),
    "schema without strict": (
        changed('"schema": TRIP_SCHEMA, "strict": True}', '"schema": TRIP_SCHEMA}'),
        "so the model is only asked to follow it, not held to it",
    ),
    "JSON mode where the schema belongs": (
        changed(
            'response_format = {\n        "type": "json_schema",\n'
            '        "json_schema": {"name": "trip", "schema": TRIP_SCHEMA, "strict": True},\n    }',
            'response_format = {"type": "json_object"}',
        ),
        "JSON mode, which promises JSON but not its keys",
    ),
    "invalid JSON crashes parse_trip": (
        changed(
            "    try:\n        trip = json.loads(content)\n"
            "    except json.JSONDecodeError:\n        return None\n",
            "    trip = json.loads(content)\n",
        ),
        "parse_trip() crashed on text that is not valid JSON",
    ),
    "parsed JSON trusted without checking its shape": (
        changed(
            "    if not isinstance(trip, dict):\n        return None\n"
            '    days = trip.get("days")\n'
            f'    {TYPE_CHECK}\n'
            "        return None  # a JSON true is a bool, and Python counts a bool as an int\n",
            "",
        ),
        "but that does not match TRIP_SCHEMA: it has no \"days\"",
    ),
    "shape checked by indexing, which crashes": (
        changed(
            f'    {TYPE_CHECK}',
            '    if not isinstance(trip["city"], str) or not isinstance(trip["days"], int):',
        ),
        "parse_trip() crashed on JSON that does not match TRIP_SCHEMA",
    ),
    "extract_trip parsing without parse_trip": (
        changed(
            "    return parse_trip(response.choices[0].message.content)",
            "    return json.loads(response.choices[0].message.content)",
        ),
        "extract_trip() crashed when the reply was cut off halfway",
    ),
}


FORMAT = (
    'response_format = {\n        "type": "json_schema",\n'
    '        "json_schema": {"name": "trip", "schema": TRIP_SCHEMA, "strict": True},\n    }'
)
ASK_JSON_MESSAGES = (
    '        {"role": "system", "content": \'Reply with a JSON object with one key, "answer".\'},\n'
    '        {"role": "user", "content": question},\n'
)

MISTAKES |= {
    "only a list ruled out, so a JSON null is trusted to be an object": (
        changed("    if not isinstance(trip, dict):\n", "    if isinstance(trip, list):\n"),
        "parse_trip() crashed on JSON that does not match TRIP_SCHEMA (it is null (None), not an object)",
    ),
    "a bool accepted as the number of days": (
        changed(' or isinstance(days, bool)', ""),
        'Python counts a bool as an int (isinstance(True, int) is True)',
    ),
    "a number in a string accepted as days": (
        changed(
            "or not isinstance(days, int) or isinstance(days, bool)",
            "or not str(days).isdigit()",
        ),
        '"days" is the str "4", not an int',
    ),
    "a float accepted as days": (
        changed(
            "or not isinstance(days, int) or isinstance(days, bool)",
            "or not isinstance(days, (int, float)) or isinstance(days, bool)",
        ),
        '"days" is a float, not an int',
    ),
    "the question folded into the system message": (
        changed(
            ASK_JSON_MESSAGES,
            '        {"role": "system", "content": \'Reply with a JSON object with one key, "answer". \''
            " + question},\n",
        ),
        "put the question 'Which river flows through Porto?' inside the system message",
    ),
    "the key never named": (
        changed("'Reply with a JSON object with one key, \"answer\".'", "'Reply in JSON.'"),
        'never name the key "answer"',
    ),
    "the schema put straight under json_schema": (
        changed(FORMAT, 'response_format = {"type": "json_schema", "json_schema": TRIP_SCHEMA}'),
        'put the schema itself straight under "json_schema"',
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_mistake_is_named(grade, mistake):
    source, phrase = MISTAKES[mistake]
    named(grade("06", source), phrase)


@pytest.mark.parametrize(
    ("mistake", "cause"),
    [
        ("the schema put straight under json_schema", 'put the schema itself straight under "json_schema"'),
        ("schema without required", 'TRIP_SCHEMA has no "required"'),
        ("schema allowing extra keys", 'needs "additionalProperties": False'),
    ],
)
def test_a_request_strict_mode_refuses_is_named_for_its_cause_in_every_check(grade, mistake, cause):
    grading = grade("06", MISTAKES[mistake][0])
    assert "crashed when the reply was" not in grading.failures
    one_cause(grading, cause)



# --- the simulated API's broken replies ---------------------------------------------------------

JSON_REQUEST = {
    "model": "llama3.2",
    "messages": [
        {"role": "system", "content": "Reply in JSON."},
        {"role": "user", "content": "Plan four days in Lisbon."},
    ],
    "temperature": 0,
    "response_format": {
        "type": "json_schema",
        "json_schema": {
            "name": "trip",
            "strict": True,
            "schema": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                "required": ["city", "days"],
                "additionalProperties": False,
            },
        },
    },
}


def ask_twice(fault):
    """The same request sent twice with the fault queued: the first reply is broken, not the second."""
    with SimulatedAPI() as api:
        api.queue(fault)
        with OpenAI(api_key="sk-test", max_retries=0) as client:
            broken = client.chat.completions.create(**JSON_REQUEST)
            intact = client.chat.completions.create(**JSON_REQUEST)
    assert api.chat_requests[0].reply_texts() == [broken.choices[0].message.content]
    return broken, intact


def test_a_truncated_reply_is_cut_off_halfway_and_says_so():
    broken, intact = ask_twice(truncated())
    whole = complete(JSON_REQUEST)["choices"][0]["message"]["content"]
    cut = broken.choices[0].message.content
    assert intact.choices[0].message.content == whole
    assert whole.startswith(cut) and 0 < len(cut) < len(whole)
    assert broken.choices[0].finish_reason == "length"
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut)
    assert broken.usage.completion_tokens == tokens.count_tokens(cut)
    assert broken.usage.total_tokens == broken.usage.prompt_tokens + tokens.count_tokens(cut)


def test_a_reply_missing_a_field_is_still_json_without_that_field():
    broken, intact = ask_twice(missing_field("days"))
    whole = json.loads(intact.choices[0].message.content)
    assert json.loads(broken.choices[0].message.content) == {"city": whole["city"]}
    assert broken.choices[0].finish_reason == "stop"
    assert broken.usage.completion_tokens == tokens.count_tokens(broken.choices[0].message.content)


def test_broken_replies_leave_text_replies_and_invalid_requests_alone():
    prose = {"model": "llama3.2", "messages": [{"role": "user", "content": "Hi"}], "temperature": 0}
    with SimulatedAPI() as api:
        api.queue(missing_field("days"), truncated())
        with OpenAI(api_key="sk-test", max_retries=0) as client:
            untouched = client.chat.completions.create(**prose)
            with pytest.raises(Exception, match="temperature"):
                client.chat.completions.create(**prose | {"temperature": 5})
    assert untouched.choices[0].message.content == complete(prose)["choices"][0]["message"]["content"]
    assert api.chat_requests[1].reply["error"]["param"] == "temperature"
