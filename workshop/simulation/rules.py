"""The request rules: what the API refuses, with its status, wording, `param` and `code`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from workshop import tokens
from workshop.simulation import model_rules
from workshop.simulation.errors import SimulatedAPIError
from workshop.simulation.strict import check_strict_schema
from workshop.simulation.tools import validate_tools

VALID_ROLES = ("system", "assistant", "user", "function", "tool", "developer")

# Every argument `CreateChatCompletionRequest` has in the official OpenAPI spec (with the
# properties it takes from `CreateModelResponseProperties`), which is also the list of
# `CompletionCreateParamsBase` in the SDK's `completion_create_params.py`. Anything else gets
# the API's 400 "Unrecognized request argument supplied" (param and code null, as reported).
KNOWN_ARGUMENTS = frozenset({
    "audio", "frequency_penalty", "function_call", "functions", "logit_bias", "logprobs",
    "max_completion_tokens", "max_tokens", "messages", "metadata", "modalities", "model",
    "moderation", "n", "parallel_tool_calls", "prediction", "presence_penalty",
    "prompt_cache_key", "prompt_cache_options", "prompt_cache_retention", "reasoning_effort",
    "response_format", "safety_identifier", "seed", "service_tier", "stop", "store", "stream",
    "stream_options", "temperature", "tool_choice", "tools", "top_logprobs", "top_p", "user",
    "verbosity", "web_search_options",
})
# The content part types each role may send, from the spec's `...MessageContentPart` unions.
CONTENT_PART_TYPES = {
    "user": ("text", "image_url", "input_audio", "file"),
    "system": ("text",),
    "developer": ("text",),
    "assistant": ("text", "refusal"),
    "tool": ("text",),
    "function": ("text",),
}
# The pattern the API reports for a participant's `name` (the spec gives it for function
# names; a message `name` with a space gets the same 400, "string does not match pattern").
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_-]+$")
MAX_TOP_LOGPROBS = 20

def validate(request: Any) -> None:
    """Refuse what the API refuses, with the API's wording and error codes."""
    if not isinstance(request, Mapping):
        raise SimulatedAPIError(400, "The request body must be a JSON object.", code="invalid_type")
    unknown = [name for name in request if name not in KNOWN_ARGUMENTS]
    if unknown:
        raise SimulatedAPIError(400, f"Unrecognized request argument supplied: {unknown[0]}")
    if not request.get("model"):
        raise SimulatedAPIError(
            400, "You must provide a model parameter.", param="model",
            code="missing_required_parameter",
        )
    if not isinstance(request["model"], str):
        raise _invalid_type("model", "a string", request["model"])
    if "messages" not in request:
        raise SimulatedAPIError(
            400, "Missing required parameter: 'messages'.", param="messages",
            code="missing_required_parameter",
        )
    messages = request["messages"]
    if not isinstance(messages, list):
        raise _invalid_type("messages", "an array", messages)
    if not messages:
        raise SimulatedAPIError(
            400,
            "Invalid 'messages': empty array. Expected an array with minimum length 1, "
            "but got an empty array instead.",
            param="messages", code="empty_array",
        )
    for index, message in enumerate(messages):
        _validate_message(index, message)
    _validate_number(request, "temperature", 0, 2, decimal=True)
    _validate_number(request, "top_p", 0, 1, decimal=True)
    _validate_number(request, "presence_penalty", -2, 2, decimal=True)
    _validate_number(request, "frequency_penalty", -2, 2, decimal=True)
    _validate_number(request, "n", 1, 128, decimal=False)
    _validate_number(request, "max_completion_tokens", 1, None, decimal=False)
    _validate_number(request, "max_tokens", 1, None, decimal=False)
    _validate_number(request, "seed", -(2**63), 2**63 - 1, decimal=False)
    _validate_stop(request.get("stop"))
    _validate_logprobs(request)
    _validate_response_format(request.get("response_format"), messages)
    _validate_stream(request)
    model_rules.check(request)
    validate_tools(request)  # tools, tool_choice and tool messages: tools.py


def _validate_logprobs(request: Mapping[str, Any]) -> None:
    """`top_logprobs` is 0 to 20 and needs `logprobs: true`, as the spec and the SDK's
    docstring say; the wording of the second 400 follows the API's "Invalid value" family."""
    logprobs = request.get("logprobs")
    if logprobs is not None and not isinstance(logprobs, bool):
        raise _invalid_type("logprobs", "a boolean", logprobs)
    _validate_number(request, "top_logprobs", 0, MAX_TOP_LOGPROBS, decimal=False)
    if request.get("top_logprobs") is not None and logprobs is not True:
        raise SimulatedAPIError(
            400,
            "Invalid value for 'top_logprobs': 'logprobs' must be set to true when "
            "'top_logprobs' is used.",
            param="top_logprobs", code="invalid_value",
        )


def _validate_message(index: int, message: Any) -> None:
    where = f"messages[{index}]"
    if not isinstance(message, Mapping):
        raise _invalid_type(where, "an object", message)
    role = message.get("role")
    if role is None:
        raise SimulatedAPIError(
            400, f"Missing required parameter: '{where}.role'.", param=f"{where}.role",
            code="missing_required_parameter",
        )
    if role not in VALID_ROLES:
        supported = ", ".join(f"'{name}'" for name in VALID_ROLES[:-1])
        raise SimulatedAPIError(
            400,
            f"Invalid value: '{role}'. Supported values are: {supported}, and '{VALID_ROLES[-1]}'.",
            param=f"{where}.role", code="invalid_value",
        )
    content = message.get("content")
    if content is None and role != "assistant":
        raise SimulatedAPIError(
            400, f"Missing required parameter: '{where}.content'.", param=f"{where}.content",
            code="missing_required_parameter",
        )
    if content is not None and not isinstance(content, (str, list)):
        raise _invalid_type(f"{where}.content", "one of a string or array", content)
    if isinstance(content, list):
        _validate_parts(f"{where}.content", str(role), content)
    name = message.get("name")
    if name is not None:
        if not isinstance(name, str):
            raise _invalid_type(f"{where}.name", "a string", name)
        if not NAME_PATTERN.match(name):
            raise SimulatedAPIError(
                400,
                f"Invalid '{where}.name': string does not match pattern. Expected a string that "
                f"matches the pattern '{NAME_PATTERN.pattern}'.",
                param=f"{where}.name", code="invalid_value",
            )
    if role == "tool" and not message.get("tool_call_id"):
        raise SimulatedAPIError(
            400, f"Missing required parameter: '{where}.tool_call_id'.",
            param=f"{where}.tool_call_id", code="missing_required_parameter",
        )
    if role == "tool" and not isinstance(message["tool_call_id"], str):
        raise _invalid_type(f"{where}.tool_call_id", "a string", message["tool_call_id"])


def _validate_parts(where: str, role: str, parts: Sequence[Any]) -> None:
    """Content parts: at least one, each an object of a type this role may send."""
    if not parts:
        raise SimulatedAPIError(
            400,
            f"Invalid '{where}': empty array. Expected an array with minimum length 1, "
            "but got an empty array instead.",
            param=where, code="empty_array",
        )
    allowed = CONTENT_PART_TYPES.get(role, ("text",))
    for index, part in enumerate(parts):
        at = f"{where}[{index}]"
        if not isinstance(part, Mapping):
            raise _invalid_type(at, "an object", part)
        kind = part.get("type")
        if kind not in allowed:
            raise SimulatedAPIError(
                400, f"Invalid value: '{kind}'. Supported values are: {_listed(allowed)}.",
                param=f"{at}.type", code="invalid_value",
            )
        if kind == "text" and not isinstance(part.get("text"), str):
            if part.get("text") is None:
                raise SimulatedAPIError(
                    400, f"Missing required parameter: '{at}.text'.", param=f"{at}.text",
                    code="missing_required_parameter",
                )
            raise _invalid_type(f"{at}.text", "a string", part.get("text"))
        if kind == "image_url":
            image = part.get("image_url")
            if not isinstance(image, Mapping) or not isinstance(image.get("url"), str):
                raise SimulatedAPIError(
                    400, f"Missing required parameter: '{at}.image_url.url'.",
                    param=f"{at}.image_url.url", code="missing_required_parameter",
                )
            detail = image.get("detail")
            if detail is not None and detail not in ("auto", "low", "high"):
                raise SimulatedAPIError(
                    400,
                    f"Invalid value: '{detail}'. Supported values are: 'auto', 'low', and 'high'.",
                    param=f"{at}.image_url.detail", code="invalid_value",
                )


def _listed(values: Sequence[str]) -> str:
    quoted = [f"'{value}'" for value in values]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])}, and {quoted[-1]}"


def _validate_number(
    request: Mapping[str, Any], name: str, low: float, high: float | None, *, decimal: bool
) -> None:
    value = request.get(name)
    if value is None:
        return
    kind = "decimal" if decimal else "integer"
    accepted = (int, float) if decimal else (int,)
    if isinstance(value, bool) or not isinstance(value, accepted):
        raise _invalid_type(name, f"a{'' if decimal else 'n'} {kind}", value)
    if value < low:
        raise SimulatedAPIError(
            400,
            f"Invalid '{name}': {kind} below minimum value. "
            f"Expected a value >= {low}, but got {value} instead.",
            param=name, code=f"{kind}_below_min_value",
        )
    if high is not None and value > high:
        raise SimulatedAPIError(
            400,
            f"Invalid '{name}': {kind} above maximum value. "
            f"Expected a value <= {high}, but got {value} instead.",
            param=name, code=f"{kind}_above_max_value",
        )


def _validate_stop(stop: Any) -> None:
    if stop is None or isinstance(stop, str):
        return
    if not isinstance(stop, list) or not all(isinstance(item, str) for item in stop):
        raise _invalid_type("stop", "a string or an array of strings", stop)
    if len(stop) > 4:
        raise SimulatedAPIError(
            400,
            f"Invalid 'stop': array too long. Expected an array with maximum length 4, "
            f"but got an array with length {len(stop)} instead.",
            param="stop", code="array_above_max_length",
        )


def _validate_response_format(response_format: Any, messages: Sequence[Any]) -> None:
    if response_format is None:
        return
    if not isinstance(response_format, Mapping):
        raise _invalid_type("response_format", "an object", response_format)
    kind = response_format.get("type")
    if kind not in ("text", "json_object", "json_schema"):
        raise SimulatedAPIError(
            400,
            f"Invalid value: '{kind}'. Supported values are: 'text', 'json_object', "
            "and 'json_schema'.",
            param="response_format.type", code="invalid_value",
        )
    if kind == "json_schema":
        spec = response_format.get("json_schema")
        if not isinstance(spec, Mapping) or not spec.get("name"):
            raise SimulatedAPIError(
                400, "Missing required parameter: 'response_format.json_schema.name'.",
                param="response_format.json_schema.name", code="missing_required_parameter",
            )
        schema = spec.get("schema")
        if schema is not None and not isinstance(schema, Mapping):
            raise _invalid_type("response_format.json_schema.schema", "an object", schema)
        if spec.get("strict") is True:
            check_strict_schema(
                schema, subject=f"response_format '{spec['name']}'", param="response_format", code=None,
            )
    if kind == "json_object" and not any(
        "json" in tokens.message_text(message).lower() for message in messages
    ):
        # The API's documented rule for JSON mode, in the wording of its 400.
        raise SimulatedAPIError(
            400,
            "'messages' must contain the word 'json' in some form, to use 'response_format' "
            "of type 'json_object'.",
            param="messages",
        )


def _validate_stream(request: Mapping[str, Any]) -> None:
    stream = request.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise _invalid_type("stream", "a boolean", stream)
    options = request.get("stream_options")
    if options is None:
        return
    if not stream:
        raise SimulatedAPIError(
            400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            param="stream_options", code="invalid_value",
        )
    if not isinstance(options, Mapping):
        raise _invalid_type("stream_options", "an object", options)


def _invalid_type(param: str, expected: str, value: Any) -> SimulatedAPIError:
    got = {
        bool: "a boolean", int: "an integer", float: "a decimal", str: "a string",
        list: "an array", dict: "an object", type(None): "null",
    }.get(type(value), "an object")
    return SimulatedAPIError(
        400, f"Invalid type for '{param}': expected {expected}, but got {got} instead.",
        param=param, code="invalid_type",
    )

