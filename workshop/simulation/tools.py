"""Tool calling: when a request offers `tools`, the simulated model asks for calls as the API does.

What it asks for comes from the latest user message: a tool whose name or description covers what
the user wants (the weather, a conversion...) is called, with arguments filled from the user's own
words (the city named, the amount and currencies given) and shaped by the tool's `parameters`.
Several things asked at once give parallel calls, unless `parallel_tool_calls` is false; once every
call has its `tool` message, the reply is written from what those messages said. `tool_choice`
("auto", "required", "none", a named function or `allowed_tools`) is honoured, and so are the
deprecated `functions` / `function_call`, which the API still accepts.

Nothing here is random but the call ids, so the same request always asks for the same calls.
The 400s follow the wording the API is publicly reported to send (public issue threads of SDKs
and client libraries, 2024-2026).
"""

from __future__ import annotations

import json
import re
import secrets
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workshop import tokens
from workshop.simulation.errors import SimulatedAPIError
from workshop.simulation.strict import check_strict_schema
from workshop.simulation.structured import instance_of

MAX_TOOLS = 128
_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_ID_ALPHABET = string.ascii_letters + string.digits
ARGUMENT_PIECE = 8  # characters of arguments per streamed fragment


@dataclass(frozen=True)
class Tool:
    """One function the request offers: its name, what it says it does, its parameters."""

    name: str
    description: str
    parameters: Mapping[str, Any]
    strict: bool


@dataclass(frozen=True)
class Call:
    name: str
    arguments: str  # a JSON text, as the API sends it


# --- request rules ---------------------------------------------------------------------------


def validate_tools(request: Mapping[str, Any]) -> None:
    """Refuse malformed `tools`, `tool_choice` and tool messages with the API's 400s."""
    tools = request.get("tools")
    if tools is not None:
        _check_definitions(tools, "tools")
    functions = request.get("functions")
    if functions is not None:
        _check_definitions(functions, "functions")
    _check_choice(request)
    _check_parallel(request)
    _check_tool_messages(request.get("messages") or [])


def _check_definitions(definitions: Any, param: str) -> None:
    if not isinstance(definitions, list):
        raise _invalid_type(param, "an array", definitions)
    if not definitions:
        raise SimulatedAPIError(
            400, f"Invalid '{param}': empty array. Expected an array with minimum length 1, "
            "but got an empty array instead.", param=param, code="empty_array",
        )
    if len(definitions) > MAX_TOOLS:
        raise SimulatedAPIError(
            400, f"Invalid '{param}': array too long. Expected an array with maximum length "
            f"{MAX_TOOLS}, but got an array with length {len(definitions)} instead.",
            param=param, code="array_above_max_length",
        )
    for index, definition in enumerate(definitions):
        where = f"{param}[{index}]"
        if not isinstance(definition, Mapping):
            raise _invalid_type(where, "an object", definition)
        if param == "tools":
            kind = definition.get("type")
            if kind is None:
                raise _missing(f"{where}.type")
            if kind == "custom":
                continue
            if kind != "function":
                raise SimulatedAPIError(
                    400, f"Invalid value: '{kind}'. Supported values are: 'function' and 'custom'.",
                    param=f"{where}.type", code="invalid_value",
                )
            function = definition.get("function")
            if function is None:
                raise _missing(f"{where}.function")
            if not isinstance(function, Mapping):
                raise _invalid_type(f"{where}.function", "an object", function)
            where = f"{where}.function"
        else:
            function = definition
        _check_function(function, where)


def _check_function(function: Mapping[str, Any], where: str) -> None:
    name = function.get("name")
    if name is None:
        raise _missing(f"{where}.name")
    if not isinstance(name, str):
        raise _invalid_type(f"{where}.name", "a string", name)
    if not _NAME_PATTERN.match(name):
        raise SimulatedAPIError(
            400, f"Invalid '{where}.name': string does not match pattern. Expected a string that "
            "matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.",
            param=f"{where}.name", code="invalid_value",
        )
    description = function.get("description")
    if description is not None and not isinstance(description, str):
        raise _invalid_type(f"{where}.description", "a string", description)
    parameters = function.get("parameters")
    if parameters is not None and not isinstance(parameters, Mapping):
        raise _invalid_type(f"{where}.parameters", "an object", parameters)
    strict = function.get("strict")
    if strict is not None and not isinstance(strict, bool):
        raise _invalid_type(f"{where}.strict", "a boolean", strict)
    if strict and parameters is not None:
        check_strict_schema(
            parameters, subject=f"function '{name}'", param=f"{where}.parameters",
            code="invalid_function_parameters",
        )


def _check_choice(request: Mapping[str, Any]) -> None:
    for option, offered in (("tool_choice", "tools"), ("function_call", "functions")):
        choice = request.get(option)
        if choice is None:
            continue
        if not request.get(offered):
            raise SimulatedAPIError(
                400, f"Invalid value for '{option}': '{option}' is only allowed when "
                f"'{offered}' are specified.", param=option, code=None,
            )
        if isinstance(choice, str):
            _check_mode(option, choice)
        elif not isinstance(choice, Mapping):
            raise _invalid_type(option, "one of a string or object", choice)
        elif option == "function_call":
            _check_named(request, option, offered, choice.get("name"), "function_call.name")
        elif choice.get("type") == "allowed_tools":
            _check_allowed(choice, request)
        elif choice.get("type") == "function":
            _check_named(request, option, offered, _named(choice), "tool_choice.function.name")
        elif "type" not in choice:
            raise _missing("tool_choice.type")
        elif choice["type"] != "custom":
            raise SimulatedAPIError(
                400, f"Invalid value: '{choice['type']}'. Supported values are: 'function', "
                "'custom', and 'allowed_tools'.", param="tool_choice.type", code="invalid_value",
            )


def _check_mode(option: str, choice: str) -> None:
    modes = ("none", "auto", "required") if option == "tool_choice" else ("none", "auto")
    if choice not in modes:
        shown = ", ".join(f"'{mode}'" for mode in modes[:-1])
        raise SimulatedAPIError(
            400, f"Invalid value: '{choice}'. Supported values are: {shown}, and '{modes[-1]}'.",
            param=option, code="invalid_value",
        )


def _check_named(request: Mapping[str, Any], option: str, offered: str, wanted: Any, where: str) -> None:
    if not isinstance(wanted, str):
        raise _missing(where)
    if wanted not in {tool.name for tool in offered_tools(request, offered)}:
        raise SimulatedAPIError(
            400, f"Invalid value for '{option}': no function named '{wanted}' was specified "
            f"in the '{offered}' parameter.", param=option, code=None,
        )


def _check_allowed(choice: Mapping[str, Any], request: Mapping[str, Any]) -> None:
    allowed = choice.get("allowed_tools")
    if not isinstance(allowed, Mapping):
        raise _missing("tool_choice.allowed_tools")
    if allowed.get("mode") not in ("auto", "required"):
        raise SimulatedAPIError(
            400, f"Invalid value: '{allowed.get('mode')}'. Supported values are: 'auto' and "
            "'required'.", param="tool_choice.allowed_tools.mode", code="invalid_value",
        )
    listed = allowed.get("tools")
    if not isinstance(listed, list):
        raise _invalid_type("tool_choice.allowed_tools.tools", "an array", listed)
    known = {tool.name for tool in offered_tools(request, "tools")}
    for index, entry in enumerate(listed):
        name = _named(entry) if isinstance(entry, Mapping) else None
        if name not in known:
            raise SimulatedAPIError(
                400, f"Invalid value for 'tool_choice.allowed_tools.tools[{index}]': no function "
                f"named '{name}' was specified in the 'tools' parameter.",
                param=f"tool_choice.allowed_tools.tools[{index}]", code=None,
            )


def _check_parallel(request: Mapping[str, Any]) -> None:
    parallel = request.get("parallel_tool_calls")
    if parallel is None:
        return
    if not isinstance(parallel, bool):
        raise _invalid_type("parallel_tool_calls", "a boolean", parallel)
    if not request.get("tools"):
        raise SimulatedAPIError(
            400, "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed "
            "when 'tools' are specified.", param="parallel_tool_calls", code=None,
        )


def _check_tool_messages(messages: Sequence[Any]) -> None:
    """Every call answered by one `tool` message, and every `tool` message answering a call."""
    pending: dict[str, int] = {}  # call ids still waiting for their tool message
    asked_at: int | None = None  # the assistant message that asked for them
    for index, message in enumerate(messages):
        if not isinstance(message, Mapping):
            continue
        role = message.get("role")
        if role == "tool":
            call_id = message.get("tool_call_id")
            if asked_at is None:
                raise SimulatedAPIError(
                    400, "Invalid parameter: messages with role 'tool' must be a response to a "
                    "preceeding message with 'tool_calls'.", param=f"messages.[{index}].role",
                )
            if call_id not in pending:
                raise SimulatedAPIError(
                    400, f"Invalid parameter: 'tool_call_id' of '{call_id}' not found in "
                    "'tool_calls' of previous message.", param=f"messages.[{index}].tool_call_id",
                )
            del pending[call_id]
            continue
        if pending and asked_at is not None:
            raise _unanswered(asked_at, pending)
        asked_at, pending = None, {}
        if role == "assistant" and message.get("function_call") is not None:
            _check_function_call(message["function_call"], index)
        calls = message.get("tool_calls") if role == "assistant" else None
        if calls:
            pending = {call_id: index for call_id in _call_ids(calls, index)}
            asked_at = index
    if pending and asked_at is not None:
        raise _unanswered(asked_at, pending)


def _call_ids(calls: Any, index: int) -> list[str]:
    where = f"messages[{index}].tool_calls"
    if not isinstance(calls, list):
        raise _invalid_type(where, "an array", calls)
    ids = []
    for number, call in enumerate(calls):
        if not isinstance(call, Mapping):
            raise _invalid_type(f"{where}[{number}]", "an object", call)
        for key in ("id", "type", "function"):
            if key not in call:
                raise _missing(f"{where}[{number}].{key}")
        function = call["function"]
        for key in ("name", "arguments"):
            if not isinstance(function, Mapping) or key not in function:
                raise _missing(f"{where}[{number}].function.{key}")
        ids.append(str(call["id"]))
    return ids


def _check_function_call(function_call: Any, index: int) -> None:
    where = f"messages[{index}].function_call"
    if not isinstance(function_call, Mapping):
        raise _invalid_type(where, "an object", function_call)
    for key in ("name", "arguments"):
        if key not in function_call:
            raise _missing(f"{where}.{key}")


def _unanswered(index: int, pending: Mapping[str, int]) -> SimulatedAPIError:
    return SimulatedAPIError(
        400, "An assistant message with 'tool_calls' must be followed by tool messages responding "
        "to each 'tool_call_id'. The following tool_call_ids did not have response messages: "
        f"{', '.join(pending)}", param=f"messages.[{index}].role",
    )


def _missing(param: str) -> SimulatedAPIError:
    return SimulatedAPIError(
        400, f"Missing required parameter: '{param}'.", param=param,
        code="missing_required_parameter",
    )


def _invalid_type(param: str, expected: str, value: Any) -> SimulatedAPIError:
    got = {bool: "a boolean", int: "an integer", float: "a decimal", str: "a string",
           list: "an array", dict: "an object", type(None): "null"}.get(type(value), "an object")
    return SimulatedAPIError(
        400, f"Invalid type for '{param}': expected {expected}, but got {got} instead.",
        param=param, code="invalid_type",
    )


def _named(choice: Mapping[str, Any]) -> str | None:
    function = choice.get("function")
    name = function.get("name") if isinstance(function, Mapping) else choice.get("name")
    return name if isinstance(name, str) else None


# --- what the model does with the tools --------------------------------------------------------


def offered_tools(request: Mapping[str, Any], key: str | None = None) -> list[Tool]:
    """The function tools a (validated) request offers: `tools`, or else the older `functions`."""
    key = key or ("tools" if request.get("tools") else "functions")
    found = []
    for definition in request.get(key) or []:
        function = definition.get("function") if key == "tools" else definition
        if key == "tools" and definition.get("type") != "function":
            continue
        found.append(Tool(
            name=function["name"], description=function.get("description") or "",
            parameters=function.get("parameters") or {"type": "object", "properties": {}},
            strict=bool(function.get("strict")),
        ))
    return found


def tool_call_choices(
    request: Mapping[str, Any], messages: Sequence[Mapping[str, Any]], count: int
) -> list[dict[str, Any]] | None:
    """The choices of a reply that asks for tool calls, or None when the model answers in text."""
    legacy = not request.get("tools") and bool(request.get("functions"))
    tools, mode = _choosable(request, legacy)
    if not tools or mode == "none":
        return None
    calls = _calls_wanted(tools, mode, messages, legacy)
    if not calls:
        return None
    if legacy or request.get("parallel_tool_calls") is False:
        calls = calls[:1]
    return [_choice(index, calls, legacy) for index in range(count)]


def reply_from_results(messages: Sequence[Mapping[str, Any]]) -> str | None:
    """The answer written from the tool results that came after the latest user message."""
    results = _results_since_question(messages)
    if not results:
        return None
    return " ".join(["Here is what I found.", *(_sentence(*result) for result in results)])


def generated_text(message: Mapping[str, Any]) -> str:
    """What the model wrote in a reply: its text, or the names and arguments of its calls."""
    calls = message.get("tool_calls") or []
    if message.get("function_call"):
        calls = [{"function": message["function_call"]}]
    written = "".join(f"{call['function']['name']}{call['function']['arguments']}" for call in calls)
    return (message.get("content") or "") + written


def tool_prompt_tokens(request: Mapping[str, Any], messages: Sequence[Mapping[str, Any]]) -> int:
    """The prompt tokens that tool definitions and earlier calls add, estimated: the API counts
    them too, in a rendering of its own that it does not publish."""
    definitions = [
        {"name": tool.name, "description": tool.description, "parameters": tool.parameters}
        for tool in offered_tools(request)
    ]
    written = json.dumps(definitions, ensure_ascii=False) if definitions else ""
    for message in messages:
        if message.get("role") == "assistant":
            written += generated_text({"tool_calls": message.get("tool_calls"),
                                       "function_call": message.get("function_call")})
    return tokens.count_tokens(written) if written else 0


def tool_call_deltas(message: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """A reply's calls as streamed deltas: each call's index, id and name first, then its
    arguments in fragments. None for a reply without calls."""
    opening: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
    if message.get("function_call"):
        function = message["function_call"]
        deltas = [{**opening, "function_call": {"name": function["name"], "arguments": ""}}]
        deltas += [{"function_call": {"arguments": piece}} for piece in _fragments(function["arguments"])]
        return deltas
    calls = message.get("tool_calls")
    if not calls:
        return None
    deltas = []
    for index, call in enumerate(calls):
        head = {"index": index, "id": call["id"], "type": "function",
                "function": {"name": call["function"]["name"], "arguments": ""}}
        deltas.append({**(opening if index == 0 else {}), "tool_calls": [head]})
        deltas += [
            {"tool_calls": [{"index": index, "function": {"arguments": piece}}]}
            for piece in _fragments(call["function"]["arguments"])
        ]
    return deltas


def _fragments(arguments: str) -> list[str]:
    return [arguments[start:start + ARGUMENT_PIECE] for start in range(0, len(arguments), ARGUMENT_PIECE)]


def new_call_id() -> str:
    return "call_" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(24))


def _choosable(request: Mapping[str, Any], legacy: bool) -> tuple[list[Tool], str]:
    """The tools the model may call and whether it must ("required"), may ("auto") or may not."""
    tools = offered_tools(request)
    choice = request.get("function_call" if legacy else "tool_choice") or "auto"
    if isinstance(choice, str):
        return tools, choice
    if choice.get("type") == "allowed_tools":
        allowed = choice["allowed_tools"]
        names = {_named(entry) for entry in allowed["tools"]}
        return [tool for tool in tools if tool.name in names], allowed["mode"]
    if choice.get("type") == "custom":
        return [], "none"
    name = _named(choice)
    return [tool for tool in tools if tool.name == name], "required"


def _calls_wanted(
    tools: Sequence[Tool], mode: str, messages: Sequence[Mapping[str, Any]], legacy: bool
) -> list[Call]:
    question = _latest_user_text(messages)
    results = _results_since_question(messages)
    wanted = [call for tool in tools if _covers(tool, question) for call in _calls_for(tool, question)]
    if legacy and results:
        wanted = []
    answered = {(name, _canonical(arguments)) for name, arguments, _ in results}
    remaining = [call for call in wanted if (call.name, _canonical(call.arguments)) not in answered]
    if remaining or mode != "required":
        return remaining
    return _calls_for(tools[0], question)[:1]


def _latest_user_text(messages: Sequence[Mapping[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return tokens.message_text(message)
    return ""


def _results_since_question(messages: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, str]]:
    """(function name, arguments, result) of each call answered after the latest user message."""
    asked: dict[str, tuple[str, str]] = {}
    results = []
    for message in messages:
        role = message.get("role")
        if role == "user":
            asked, results = {}, []
        elif role == "assistant":
            for call in message.get("tool_calls") or []:
                function = call.get("function") or {}
                asked[str(call.get("id"))] = (str(function.get("name")), str(function.get("arguments")))
            if message.get("function_call"):
                function = message["function_call"]
                asked["function"] = (str(function.get("name")), str(function.get("arguments")))
        elif role == "tool" and str(message.get("tool_call_id")) in asked:
            name, arguments = asked[str(message.get("tool_call_id"))]
            results.append((name, arguments, tokens.message_text(message)))
        elif role == "function":
            name, arguments = asked.get("function", (str(message.get("name")), "{}"))
            results.append((str(message.get("name") or name), arguments, tokens.message_text(message)))
    return results


def _canonical(arguments: str) -> str:
    try:
        return json.dumps(json.loads(arguments), sort_keys=True)
    except (TypeError, ValueError):
        return arguments


def _choice(index: int, calls: Sequence[Call], legacy: bool) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None, "annotations": []}
    if legacy:
        message["function_call"] = {"name": calls[0].name, "arguments": calls[0].arguments}
    else:
        message["tool_calls"] = [
            {"id": new_call_id(), "type": "function",
             "function": {"name": call.name, "arguments": call.arguments}}
            for call in calls
        ]
    return {
        "index": index, "message": message, "logprobs": None,
        "finish_reason": "function_call" if legacy else "tool_calls",
    }


# --- which tool covers the question ----------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_GENERIC = {
    "get", "gets", "fetch", "find", "look", "lookup", "return", "returns", "give", "given", "the",
    "for", "and", "with", "from", "into", "this", "that", "what", "current", "currently", "city",
    "cities", "name", "list", "one", "another", "amount", "value", "values", "some", "any", "data",
    "information", "info", "details", "tool", "function", "call", "use", "using", "user", "about",
    "between", "other", "two", "specific", "location", "place", "today", "now", "check",
}
# Words that ask for the same thing as a tool's own words, so "Will it rain in Oslo?" finds a
# weather tool and "How much is 100 EUR in NOK?" a currency one.
_CONCEPTS = (
    {"weather", "forecast", "temperature", "rain", "raining", "sunny", "snow", "snowing", "warm",
     "cold", "hot", "umbrella", "degrees", "wind", "windy", "climate"},
    {"currency", "currencies", "convert", "conversion", "exchange", "rate", "rates", "money",
     "worth", "euros", "euro", "dollars", "dollar", "pounds", "yen", "kroner",
     "krone", "francs", "franc"},
    {"flight", "flights", "fly", "flying", "plane", "airline", "airport", "departure", "depart"},
    {"hotel", "hotels", "stay", "room", "rooms", "accommodation", "booking"},
    {"time", "clock", "timezone", "hour"},
)


def _stem(word: str) -> str:
    word = word.lower().removesuffix("'s")
    for suffix in ("ies", "es", "s", "ing", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


_CONCEPT_STEMS = tuple(frozenset(_stem(word) for word in concept) for concept in _CONCEPTS)


def _words(text: str) -> set[str]:
    return {_stem(word) for word in _WORD.findall(_plain_quotes(text))}


def _plain_quotes(text: str) -> str:
    return text.replace("\u2019", "'")


def _covers(tool: Tool, question: str) -> bool:
    own = {
        word for word in _words(re.sub(r"[_-]", " ", tool.name) + " " + tool.description)
        if len(word) >= 3 and word not in _GENERIC
    }
    asked = _words(question)
    if _currency_amount(question) is not None:
        asked |= {"currency", "convert"}
    for stems in _CONCEPT_STEMS:
        if own & stems:
            own |= stems
    return bool(own & asked)


# --- filling in the arguments ----------------------------------------------------------------

_CURRENCY_NAMES = {
    "euro": "EUR", "euros": "EUR", "dollar": "USD", "dollars": "USD", "pound": "GBP",
    "pounds": "GBP", "sterling": "GBP", "yen": "JPY", "franc": "CHF", "francs": "CHF",
    "krone": "NOK", "kroner": "NOK", "kronor": "SEK", "krona": "SEK", "yuan": "CNY",
    "rupee": "INR", "rupees": "INR", "peso": "MXN", "pesos": "MXN", "real": "BRL", "reais": "BRL",
    "zloty": "PLN", "forint": "HUF", "lira": "TRY", "won": "KRW", "baht": "THB",
    "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY",
}
_CURRENCY = re.compile(
    r"(?<![A-Za-z])(?:[A-Z]{3})(?![A-Za-z])|[$€£¥]|\b(?:" + "|".join(
        name for name in _CURRENCY_NAMES if name.isalpha()
    ) + r")\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])\d+(?:\.\d+)?")
_NOT_CODES = {"THE", "AND", "FOR", "YOU", "ARE", "CAN", "HOW", "WHAT", "NOT", "BUT", "ALL",
              "ANY", "OUT", "NOW", "PLZ", "API"}
_NOT_PLACES = {
    "what", "what's", "whats", "how", "is", "are", "was", "will", "would", "could", "can",
    "should", "do", "does", "tell", "please", "give", "show", "i", "i'm", "i'd", "we", "my", "our",
    "the", "a", "an", "and", "also", "then", "hi", "hello", "hey", "thanks", "thank", "convert",
    "weather", "in", "on", "at", "for", "to", "from", "or", "if", "it", "it's", "which",
    "where", "when", "who", "why", "any", "get", "find", "check", "look", "need", "want", "let",
    "let's", "today", "tomorrow", "tonight", "yesterday", "now", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november", "december",
    "celsius", "fahrenheit", "ok", "okay", "yes", "no", "so", "me", "you", "your", "there",
    "one", "two", "three", "both", "each", "of", "by", "with", "about", "much", "many",
}
_PLACE_WORDS = ("city", "location", "place", "destination", "town", "where", "origin", "country")


def _places(question: str) -> list[str]:
    """The places a question names: runs of capitalised words that are not ordinary words."""
    found: list[str] = []
    run: list[str] = []
    for word in [*re.findall(r"[^\s,.;:!?()\"]+", _plain_quotes(question)), ""]:
        bare = word.strip("'")
        capitalised = bare[:1].isupper() and not bare.isupper() and bare.lower() not in _NOT_PLACES
        if capitalised and bare.lower().rstrip("s") not in _CURRENCY_NAMES:
            run.append(bare.removesuffix("'s"))
            continue
        if run:
            place = " ".join(run)
            if place not in found:
                found.append(place)
        run = []
    return found


def _currency_codes(question: str) -> list[str]:
    codes = []
    for match in _CURRENCY.finditer(question):
        text = match.group(0)
        if text.isupper() and len(text) == 3:
            if text in _NOT_CODES:
                continue
            codes.append(text)
        elif text.lower() in _CURRENCY_NAMES or text in _CURRENCY_NAMES:
            codes.append(_CURRENCY_NAMES.get(text.lower(), _CURRENCY_NAMES.get(text, "")))
    return codes


def _currency_amount(question: str) -> float | None:
    """The amount of money a question converts, when it names one with a currency."""
    numbers = _NUMBER.findall(question)
    if not numbers or not _currency_codes(question):
        return None
    return float(numbers[0].replace(",", ""))


def _calls_for(tool: Tool, question: str) -> list[Call]:
    """The calls of `tool` a question asks for: one per place named, when the tool takes one."""
    properties = tool.parameters.get("properties")
    properties = properties if isinstance(properties, Mapping) else {}
    place_keys = [key for key in properties if _is_place(key, properties[key])]
    places = _places(question)
    if len(place_keys) == 1 and len(places) > 1:
        return [Call(tool.name, _arguments(tool, question, [place])) for place in places]
    return [Call(tool.name, _arguments(tool, question, places))]


def _is_place(key: str, schema: Any) -> bool:
    described = f"{key} {schema.get('description', '') if isinstance(schema, Mapping) else ''}"
    return any(word in described.lower() for word in _PLACE_WORDS) and not _is_currency(key, schema)


def _is_currency(key: str, schema: Any) -> bool:
    described = f"{key} {schema.get('description', '') if isinstance(schema, Mapping) else ''}"
    return "currency" in described.lower() or key.lower() in ("from", "to", "base", "target")


def _arguments(tool: Tool, question: str, places: Sequence[str]) -> str:
    """The JSON arguments for one call, valid against the tool's parameters."""
    schema = tool.parameters
    properties = schema.get("properties")
    properties = properties if isinstance(properties, Mapping) else {}
    required = schema.get("required") if isinstance(schema.get("required"), list) else []
    codes = iter(_currency_codes(question))
    places_left = iter(places)
    numbers = [float(number.replace(",", "")) for number in _NUMBER.findall(question)]
    values: dict[str, Any] = {}
    for key, sub in properties.items():
        sub = sub if isinstance(sub, Mapping) else {}
        value: Any = None
        if _is_currency(key, sub) and _accepts(sub, "string"):
            value = next(codes, None)
        elif _is_place(key, sub) and _accepts(sub, "string"):
            value = next(places_left, None)
        elif _accepts(sub, "number") or _accepts(sub, "integer"):
            value = _fitting_number(sub, numbers)
        elif "enum" in sub:
            value = _mentioned_option(sub["enum"], question)
        if isinstance(sub.get("enum"), list) and value not in sub["enum"]:
            value = None
        if value is None:
            if not (tool.strict or key in required):
                continue
            value = None if _accepts(sub, "null") else instance_of(sub, question)
        values[str(key)] = value
    return json.dumps(values, ensure_ascii=False)


def _accepts(schema: Mapping[str, Any], kind: str) -> bool:
    declared = schema.get("type")
    kinds = declared if isinstance(declared, list) else [declared]
    if kind == "string" and isinstance(schema.get("enum"), list):
        return all(isinstance(option, str) for option in schema["enum"]) and "string" in kinds
    options = schema.get("anyOf") if isinstance(schema.get("anyOf"), list) else []
    return kind in kinds or any(isinstance(o, Mapping) and o.get("type") == kind for o in options)


def _fitting_number(schema: Mapping[str, Any], numbers: Sequence[float]) -> float | int | None:
    whole = _accepts(schema, "integer") and not _accepts(schema, "number")
    low, high = schema.get("minimum"), schema.get("maximum")
    for number in numbers:
        if whole and not number.is_integer():
            continue
        if isinstance(low, (int, float)) and number < low:
            continue
        if isinstance(high, (int, float)) and number > high:
            continue
        return int(number) if whole or number.is_integer() else number
    return None


def _mentioned_option(options: Any, question: str) -> Any:
    if not isinstance(options, list) or not options:
        return None
    lowered = question.lower()
    return next((option for option in options if str(option).lower() in lowered), None)


# --- writing the answer from the results -----------------------------------------------------


def _sentence(name: str, arguments: str, content: str) -> str:
    try:
        data = json.loads(content)
    except ValueError:
        data = None
    if not isinstance(data, Mapping):
        text = content.strip() or "nothing"
        return f"{name} answered: {text[:300]}{'...' if len(text) > 300 else ''}"
    if "error" in data:
        return f"I could not use {name}: {_shown_value(data['error'])}."
    facts = [
        f"{_label(key)} {_shown(key, value)}" for key, value in data.items()
        if not isinstance(value, (Mapping, list))
    ]
    return f"From {name}: {', '.join(facts) or 'no details'}."


def _label(key: str) -> str:
    label = str(key).replace("_", " ")
    if "temp" in label.lower():
        label = re.sub(r"\s(?:c|f|celsius|fahrenheit)$", "", label, flags=re.IGNORECASE)
    return label


def _shown(key: str, value: Any) -> str:
    lowered = key.lower()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "temp" in lowered:
        unit = "°F" if lowered.endswith(("_f", "fahrenheit")) else "°C"
        return f"{value:g} {unit}"
    return _shown_value(value)


def _shown_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)

