"""Exercise 10's grader: accepts every correct way to write the tool loop and names each mistake."""

import pytest

from tests.conftest import editor, solution_source

SOLUTION = solution_source("10")
CREATE = "client.chat.completions.create(model=MODEL, messages=messages, tools=TOOLS)"
ASSISTANT_APPEND = """            messages.append({
                "role": "assistant",
                "content": message.content,
                "tool_calls": [call.model_dump() for call in message.tool_calls],
            })
"""
TOOL_APPEND = '{"role": "tool", "tool_call_id": call.id, "content": result}'
LOOP = "        for _ in range(max_rounds):\n"
EVERY_CALL = "            for call in message.tool_calls:\n"
FIRST_CALL = "            for call in message.tool_calls[:1]:\n"
CURRENCY_TOOL = (
    '    {\n        "type": "function",\n        "function": {\n            "name": "convert_currency"'
)
CAP_ERROR = '    raise RuntimeError(f"The model had no answer after {max_rounds} rounds of tool calls.")'
TOOLS_START, TOOLS_END = "TOOLS = [\n", "\nFUNCTIONS = "
RUN_TOOL_START, RUN_TOOL_END = "def run_tool(", "\n\ndef ask("

changed = editor(SOLUTION)


def replaced(start: str, end: str, new: str, source: str = SOLUTION) -> str:
    """`source` with the text from `start` up to `end` replaced by `new`."""
    first = source.index(start)
    return source[:first] + new + source[source.index(end, first):]


PYDANTIC_TOOLS = '''class GetWeather(BaseModel):
    city: str


class ConvertCurrency(BaseModel):
    amount: float
    from_currency: str
    to_currency: str


TOOLS = [
    pydantic_function_tool(GetWeather, name="get_weather", description="Today's weather in a city."),
    pydantic_function_tool(
        ConvertCurrency, name="convert_currency", description="Convert money between currencies."
    ),
]
'''
IF_CHAIN_RUN_TOOL = '''def run_tool(name: str, arguments: str) -> str:
    try:
        values = json.loads(arguments)
        if name == "get_weather":
            result = get_weather(**values)
        elif name == "convert_currency":
            result = convert_currency(**values)
        else:
            result = {"error": f"Unknown tool {name}"}
    except (ValueError, TypeError) as error:
        result = {"error": str(error)}
    return json.dumps(result)
'''
ONE_ROUND_ASK = '''def ask(question: str, max_rounds: int = 5) -> str:
    messages = [{"role": "user", "content": question}]
    with OpenAI() as client:
        response = client.chat.completions.create(model=MODEL, messages=messages, tools=TOOLS)
        message = response.choices[0].message
        if not message.tool_calls:
            return message.content
        messages.append(message)
        for call in message.tool_calls:
            result = run_tool(call.function.name, call.function.arguments)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
        response = client.chat.completions.create(model=MODEL, messages=messages, tools=TOOLS)
    return response.choices[0].message.content
'''

WHILE_TOOL_CALLS_ASK = '''def ask(question: str, max_rounds: int = 5) -> str:
    messages = [{"role": "user", "content": question}]
    client = OpenAI()
    response = client.chat.completions.create(model=MODEL, messages=messages, tools=TOOLS)
    rounds = 1
    while response.choices[0].message.tool_calls:
        if rounds >= max_rounds:
            raise RuntimeError(f"Gave up after max_rounds={max_rounds} rounds.")
        message = response.choices[0].message
        messages.append(message.model_dump())
        for call in message.tool_calls:
            output = run_tool(call.function.name, call.function.arguments)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": output})
        response = client.chat.completions.create(model=MODEL, messages=messages, tools=TOOLS)
        rounds += 1
    return response.choices[0].message.content
'''

CORRECT_VARIANTS = {
    "a while loop on tool_calls, model_dump() of the message": replaced(
        "def ask(", "\n\ndef main(", WHILE_TOOL_CALLS_ASK
    ),
    "the message object appended as it came": changed(
        ASSISTANT_APPEND, "            messages.append(message)\n"
    ),
    "a while loop on finish_reason": changed(
        LOOP, "        rounds = 0\n        while rounds < max_rounds:\n            rounds += 1\n"
    ).replace(
        "            if not message.tool_calls:\n",
        '            if response.choices[0].finish_reason != "tool_calls":\n',
    ),
    "typed message params": changed(
        TOOL_APPEND,
        'ChatCompletionToolMessageParam(role="tool", tool_call_id=call.id, content=result)',
    ).replace(
        "import json\n",
        "import json\n\nfrom openai.types.chat import ChatCompletionToolMessageParam\n",
    ),
    "tools from pydantic models": replaced(TOOLS_START, TOOLS_END, PYDANTIC_TOOLS).replace(
        "from openai import OpenAI\n",
        "from openai import OpenAI, pydantic_function_tool\nfrom pydantic import BaseModel\n",
    ),
    "run_tool as an if chain with one except": replaced(RUN_TOOL_START, RUN_TOOL_END, IF_CHAIN_RUN_TOOL),
    "one call per round": changed("tools=TOOLS)", "tools=TOOLS, parallel_tool_calls=False)"),
    "a module-level client": changed(
        "def ask(question: str", "client = OpenAI()\n\n\ndef ask(question: str"
    ).replace("    with OpenAI() as client:\n", "    if True:\n"),
    "a client per request, extra parameters": changed(
        f"response = {CREATE}",
        "response = OpenAI().chat.completions.create(\n"
        "                model=MODEL, messages=messages, tools=TOOLS, temperature=0,\n"
        "                parallel_tool_calls=True, tool_choice=\"auto\",\n            )",
    ),
}


@pytest.mark.parametrize("variant", CORRECT_VARIANTS)
def test_correct_variants_pass(grade, variant):
    grading = grade("10", CORRECT_VARIANTS[variant])
    assert grading.passed(), grading.failures


MISTAKES = {
    "the deprecated functions parameter": (
        changed("tools=TOOLS)", 'functions=[tool["function"] for tool in TOOLS])'),
        "sent `functions=`, the deprecated older form of tools",
    ),
    "the deprecated functions shape in TOOLS": (
        replaced(TOOLS_START, TOOLS_END,
                 'TOOLS = [{"name": "get_weather", "parameters": {"type": "object"}}]\n'),
        "that is the shape of the deprecated `functions` parameter",
    ),
    "no additionalProperties under strict": (
        changed('                "additionalProperties": False,\n', ""),
        "schema has no \"additionalProperties\"",
    ),
    "a schema strict mode refuses, seen from ask()": (
        changed('                "additionalProperties": False,\n', ""),
        "The API refused ask()'s first request: Invalid schema for function 'get_weather'",
    ),
    "a property left out of required": (
        changed('"required": ["amount", "from_currency", "to_currency"]', '"required": ["amount"]'),
        "strict mode needs every property listed",
    ),
    "not strict": (
        changed('            "strict": True,\n', ""),
        'has no "strict"',
    ),
    "convert_currency missing": (
        replaced(CURRENCY_TOOL, "\n]\n", ""),
        "but not 'convert_currency'",
    ),
    "no assistant message before the tool results": (
        changed(ASSISTANT_APPEND, ""),
        "without the assistant message that asked for them",
    ),
    "the assistant message without its tool_calls": (
        changed(ASSISTANT_APPEND, '            messages.append({"role": "assistant", "content": ""})\n'),
        "without the assistant message that asked for them",
    ),
    "a tool message without tool_call_id": (
        changed(TOOL_APPEND, '{"role": "tool", "content": result}'),
        "has no tool_call_id",
    ),
    "the wrong tool_call_id": (
        changed(TOOL_APPEND, '{"role": "tool", "tool_call_id": call.function.name, "content": result}'),
        "has the tool_call_id 'get_weather'",
    ),
    "only the first of parallel calls": (
        changed(EVERY_CALL, FIRST_CALL),
        "answered only 1 of them",
    ),
    "only the first call, in the assistant message too": (
        changed("[call.model_dump() for call in message.tool_calls]",
                "[message.tool_calls[0].model_dump()]").replace(EVERY_CALL, FIRST_CALL),
        "answered only 1 of them",
    ),
    "tool results sent as user messages": (
        changed(TOOL_APPEND, '{"role": "user", "content": result}'),
        "sent the tool results as user messages",
    ),
    "stopping after one round": (
        replaced("def ask(", "\n\ndef main(", ONE_ROUND_ASK),
        "the model's last reply asked for more tool calls",
    ),
    "tool_choice required": (
        changed("tools=TOOLS)", 'tools=TOOLS, tool_choice="required")'),
        'sent tool_choice="required"',
    ),
    "no round cap": (
        changed(LOOP, "        while True:\n"),
        "Without a cap on the rounds",
    ),
    "a fixed cap instead of max_rounds": (
        changed("range(max_rounds)", "range(5)"),
        "seems to count to a fixed 5",
    ),
    "no error once the rounds run out": (
        changed(CAP_ERROR, '    return ""'),
        "but the tests expected RuntimeError",
    ),
    "an error that does not name the cap": (
        changed(CAP_ERROR, '    raise RuntimeError("The model never answered.")'),
        "does not say what the cap was",
    ),
    "json.loads without handling bad JSON": (
        changed("    try:\n        values = json.loads(arguments)\n"
                "    except json.JSONDecodeError:\n"
                '        return json.dumps({"error": "The arguments are not valid JSON."})\n',
                "    values = json.loads(arguments)\n"),
        "run_tool() crashed on arguments cut off halfway",
    ),
    "run_tool raising on an unknown tool": (
        changed("    function = FUNCTIONS.get(name)\n    if function is None:\n"
                '        return json.dumps({"error": f"There is no tool named {name!r}."})\n',
                "    function = FUNCTIONS[name]\n"),
        "run_tool() crashed on a tool that does not exist",
    ),
    "run_tool raising on an unknown parameter": (
        changed("    try:\n        result = function(**values)\n    except TypeError:\n"
                '        return json.dumps({"error": f"Wrong arguments for {name}: {arguments}"})\n',
                "    result = function(**values)\n"),
        "run_tool() crashed on a parameter get_weather does not take",
    ),
    "run_tool returning a dict": (
        changed("    return json.dumps(result)", "    return result"),
        "run_tool() returned the dict",
    ),
    "the tool result returned instead of the answer": (
        changed(f"                messages.append({TOOL_APPEND})\n",
                f"                messages.append({TOOL_APPEND})\n                return result\n"),
        "ask() returned a tool's result",
    ),
    "a hard-coded answer after the loop": (
        changed("                return message.content", '                return "It is sunny in Rome."'),
        "but the model's final answer was",
    ),
    "a hard-coded answer without a request": (
        replaced("def ask(", "\n\ndef main(",
                 'def ask(question: str, max_rounds: int = 5) -> str:\n'
                 '    return "It is 18 °C and sunny in Rome."\n'),
        "without sending a request",
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_mistake_is_named(grade, mistake):
    source, phrase = MISTAKES[mistake]
    grading = grade("10", source)
    assert not grading.passed()
    assert phrase in grading.failures, grading.failures
