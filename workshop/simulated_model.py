"""The simulated model: a stand-in for a chat model that behaves the way the real API does.

Both the graders and the offline practice server answer from `complete()`, so what a learner sees
while practising is exactly what the graders check against. It validates a request the way the
API does (raising `SimulatedAPIError` with the API's status code and error body), and its replies
show the behaviour the lessons teach:

- it knows only what is in the messages it is sent, so a name told in an earlier request is
  forgotten unless the application sends the history again;
- at temperature 0 the same messages always get the same reply, and every one of `n` choices is
  the same; higher temperatures make choices differ (reproducibly for a given `seed`);
- `max_completion_tokens` / `max_tokens` cut the reply (`finish_reason: "length"`), `stop` ends it
  early, `response_format` returns JSON, and `usage` holds real o200k token counts;
- asked to continue right after a reply that was cut off (the cut part sent back as an assistant
  message, then a user message such as "Continue where you stopped."), it writes the rest;
- given a `PromptCache`, it reports a long prompt's repeated beginning as cached tokens, the way
  the API's automatic prompt caching does.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workshop import tokens

SYSTEM_FINGERPRINT = "fp_simulated"
VALID_ROLES = ("system", "assistant", "user", "function", "tool", "developer")


@dataclass
class SimulatedAPIError(Exception):
    """A request the real API would refuse, with the status code and error body it would send."""

    status: int
    message: str
    type: str = "invalid_request_error"
    param: str | None = None
    code: str | None = None

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }


def complete(request: Mapping[str, Any], *, cache: PromptCache | None = None) -> dict[str, Any]:
    """Answer one Chat Completions request body with a `chat.completion` object (as a dict).

    With a `cache`, the part of the prompt it has seen before is reported as cached tokens.
    """
    validate(request)
    messages: list[Mapping[str, Any]] = list(request["messages"])
    choice_count = int(request.get("n") or 1)
    contents = _choose_replies(messages, request, choice_count)
    choices = [
        _finish(content, request, index) for index, content in enumerate(contents)
    ]
    completion_tokens = sum(tokens.count_tokens(choice["message"]["content"]) for choice in choices)
    prompt_tokens = tokens.count_message_tokens(messages)
    cached_tokens = cache.cached_tokens(messages) if cache is not None else 0
    return {
        "id": f"chatcmpl-sim{secrets.token_hex(12)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": simulated_model_name(str(request["model"])),
        "choices": choices,
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": cached_tokens, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        "system_fingerprint": SYSTEM_FINGERPRINT,
        "service_tier": "default",
    }


class PromptCache:
    """Automatic prompt caching as the API does it, for one session of requests.

    A prompt of at least 1,024 tokens whose beginning matches a prompt seen earlier has that
    shared beginning served from the cache, counted in whole blocks of 128 tokens. Cached tokens
    are still part of `prompt_tokens`; `prompt_tokens_details.cached_tokens` says how many.
    """

    MINIMUM_TOKENS = 1024
    BLOCK_TOKENS = 128

    def __init__(self) -> None:
        self._seen: list[list[int]] = []

    def cached_tokens(self, messages: Sequence[Mapping[str, Any]]) -> int:
        """How many of these messages' prompt tokens come from the cache; then remember them."""
        prompt = _prompt_token_ids(messages)
        shared = max((_shared_prefix(prompt, seen) for seen in self._seen), default=0)
        self._seen.append(prompt)
        if shared < self.MINIMUM_TOKENS:
            return 0
        return shared // self.BLOCK_TOKENS * self.BLOCK_TOKENS


def _prompt_token_ids(messages: Sequence[Mapping[str, Any]]) -> list[int]:
    """A prompt as one token sequence, as long as `tokens.count_message_tokens` counts it."""
    framing = [-1] * tokens.TOKENS_PER_MESSAGE
    ids: list[int] = []
    for message in messages:
        ids += framing + tokens.encode(str(message.get("role", ""))) + tokens.encode(
            tokens.message_text(message)
        )
        if message.get("name"):
            ids += [-2] * tokens.TOKENS_PER_NAME + tokens.encode(str(message["name"]))
    return ids + [-3] * tokens.REPLY_PRIMING_TOKENS


def _shared_prefix(first: Sequence[int], second: Sequence[int]) -> int:
    length = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        length += 1
    return length


def stream_chunks(completion: Mapping[str, Any], *, include_usage: bool) -> list[dict[str, Any]]:
    """The `chat.completion.chunk` objects a streamed request gets for the same completion.

    Each choice opens with its role, sends its text a few tokens at a time and closes with its
    finish_reason; with `include_usage` a last chunk with no choices carries the usage.
    """
    common = {
        "id": completion["id"],
        "object": "chat.completion.chunk",
        "created": completion["created"],
        "model": completion["model"],
        "system_fingerprint": completion["system_fingerprint"],
        "service_tier": completion["service_tier"],
    }
    usage_field = {"usage": None} if include_usage else {}

    def chunk(index: int, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        choice = {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return {**common, "choices": [choice], **usage_field}

    chunks = []
    for choice in completion["choices"]:
        index = choice["index"]
        chunks.append(chunk(index, {"role": "assistant", "content": "", "refusal": None}))
        chunks.extend(chunk(index, {"content": piece}) for piece in _pieces(choice["message"]["content"]))
        chunks.append(chunk(index, {}, choice["finish_reason"]))
    if include_usage:
        chunks.append({**common, "choices": [], "usage": completion["usage"]})
    return chunks


def _pieces(text: str, tokens_per_piece: int = 3) -> list[str]:
    encoded = tokens.encode(text)
    return [
        tokens.decode(encoded[start : start + tokens_per_piece])
        for start in range(0, len(encoded), tokens_per_piece)
    ]


def server_sent_events(chunks: Sequence[Mapping[str, Any]]) -> bytes:
    """A stream's body on the wire: one `data:` event per chunk, then `data: [DONE]`."""
    return b"".join(event_stream(chunks))


def event_stream(chunks: Sequence[Mapping[str, Any]]) -> Iterator[bytes]:
    """The same body as `server_sent_events`, one event at a time, as a server sends it."""
    for chunk in chunks:
        yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode()
    yield b"data: [DONE]\n\n"


# --- the API's own errors ---------------------------------------------------------------------


def invalid_api_key() -> SimulatedAPIError:
    return SimulatedAPIError(
        401, "Incorrect API key provided. Check the key your provider gave you.",
        code="invalid_api_key",
    )


def model_not_found(model: str) -> SimulatedAPIError:
    return SimulatedAPIError(
        404, f"The model `{model}` does not exist or you do not have access to it.",
        code="model_not_found",
    )


def rate_limited() -> SimulatedAPIError:
    return SimulatedAPIError(
        429, "Rate limit reached for requests. Please try again in a moment.",
        type="requests", code="rate_limit_exceeded",
    )


def server_error(status: int = 500) -> SimulatedAPIError:
    return SimulatedAPIError(
        status, "The server had an error while processing your request. Sorry about that!",
        type="server_error",
    )


def simulated_model_name(requested: str) -> str:
    """The `model` a reply reports: the requested name, marked so nobody mistakes it for real."""
    return requested if requested.endswith("-simulated") else f"{requested}-simulated"


# --- validation -------------------------------------------------------------------------------


def validate(request: Any) -> None:
    """Refuse what the API refuses, with the API's wording and error codes."""
    if not isinstance(request, Mapping):
        raise SimulatedAPIError(400, "The request body must be a JSON object.", code="invalid_type")
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
    _validate_response_format(request.get("response_format"))
    _validate_stream(request)


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
    if role == "tool" and not message.get("tool_call_id"):
        raise SimulatedAPIError(
            400, f"Missing required parameter: '{where}.tool_call_id'.",
            param=f"{where}.tool_call_id", code="missing_required_parameter",
        )


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


def _validate_response_format(response_format: Any) -> None:
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


# --- choosing what to say ---------------------------------------------------------------------


def _choose_replies(
    messages: Sequence[Mapping[str, Any]], request: Mapping[str, Any], count: int
) -> list[str]:
    """One reply per choice: the most likely one at temperature 0, varied ones above it."""
    rest = _continuation(messages)
    if rest is not None:
        return [rest] * count
    variants = _reply_variants(messages)
    fingerprint = _fingerprint(messages)
    most_likely = variants[fingerprint % len(variants)]
    temperature = float(request.get("temperature", 1.0))
    top_p = float(request.get("top_p", 1.0))
    if temperature == 0 or top_p == 0:
        return [most_likely] * count
    seed = request.get("seed")
    rng = random.Random(f"{seed}:{fingerprint}") if seed is not None else random.Random()
    chance_to_vary = min(1.0, temperature) * top_p
    unused = [variant for variant in variants if variant != most_likely]
    rng.shuffle(unused)
    replies: list[str] = []
    for _ in range(count):
        reply = unused.pop() if unused and rng.random() < chance_to_vary else most_likely
        if temperature > 1.2:
            reply = f"{reply} {rng.choice(_WANDERING_THOUGHTS)}"
        replies.append(reply)
    return replies


def _fingerprint(messages: Sequence[Mapping[str, Any]]) -> int:
    text = json.dumps(
        [[m.get("role"), tokens.message_text(m)] for m in messages], ensure_ascii=False
    )
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


_CONTINUE_REQUEST = re.compile(
    r"\b(continue|go on|keep going|carry on|keep writing|where you (?:stopped|left off)|"
    r"finish (?:your|the) (?:answer|reply|sentence))\b",
    re.IGNORECASE,
)


def _continuation(messages: Sequence[Mapping[str, Any]]) -> str | None:
    """The rest of a cut-off reply, when the user asks to continue right after the cut part.

    The cut part must come back as the last assistant message, and be the beginning of a reply
    the model would have given to the messages before it. Otherwise there is nothing to continue.
    """
    if len(messages) < 3 or messages[-1].get("role") != "user":
        return None
    if messages[-2].get("role") != "assistant":
        return None
    if not _CONTINUE_REQUEST.search(tokens.message_text(messages[-1])):
        return None
    written = tokens.message_text(messages[-2]).strip()
    earlier = messages[:-2]
    if not written or not any(m.get("role") == "user" for m in earlier):
        return None
    intended = _continuation(earlier)
    if intended is not None:
        candidates = [intended.lstrip()]
    else:
        variants = _reply_variants(earlier)
        most_likely = variants[_fingerprint(earlier) % len(variants)]
        candidates = [most_likely, *variants]
    for candidate in candidates:
        if candidate.startswith(written) and len(candidate) > len(written):
            return candidate[len(written):]
    return None


_NAME_STATEMENT = re.compile(
    r"\b(?:my name is|my name's|call me|i am|i'm)\s+([A-Z][\w'-]*)", re.IGNORECASE
)
_NAME_QUESTION = re.compile(
    r"\b(what(?:'s| is) my name|who am i|do you (?:know|remember) my name|my name\?)",
    re.IGNORECASE,
)
_NOT_NAMES = {"a", "an", "the", "not", "so", "very", "just", "here", "going", "looking", "trying"}


def _reply_variants(messages: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every reply the model might give to these messages; choices pick among them."""
    user_texts = [tokens.message_text(m) for m in messages if m.get("role") == "user"]
    latest = user_texts[-1] if user_texts else ""
    name = _remembered_name(user_texts)
    if _NAME_QUESTION.search(latest):
        if name:
            return [template.format(name=name) for template in _NAME_RECALLED]
        return list(_NAME_UNKNOWN)
    told_name = _remembered_name([latest])
    if told_name:
        return [template.format(name=told_name) for template in _GREETINGS]
    topic = _topic(latest)
    return [
        f"{opener} {advice}"
        for opener in _OPENERS
        for advice in _ADVICE[topic]
    ]


def _remembered_name(texts: Sequence[str]) -> str | None:
    """The last name the user gave, looking only at the texts the model was sent."""
    found = None
    for text in texts:
        for match in _NAME_STATEMENT.finditer(text):
            candidate = match.group(1)
            if candidate.lower() not in _NOT_NAMES:
                found = candidate
    return found


def _topic(question: str) -> str:
    lowered = question.lower()
    for topic, words in _TOPIC_WORDS.items():
        if any(word in lowered for word in words):
            return topic
    return "general"


_NAME_RECALLED = (
    "Your name is {name}.",
    "You told me your name is {name}.",
    "You're {name}!",
    "It's {name}, unless you've changed it since you told me.",
)
_NAME_UNKNOWN = (
    "I don't know your name: you haven't told me in this conversation.",
    "I'm sorry, I don't know your name. Nothing in our conversation mentions it.",
    "You haven't told me your name yet, so I can't say.",
)
_GREETINGS = (
    "Nice to meet you, {name}! How can I help?",
    "Hello, {name}! What would you like to talk about?",
    "Hi {name}, good to meet you. What can I do for you?",
)
_OPENERS = (
    "Good question!",
    "Happy to help.",
    "Here's my suggestion:",
    "Sure.",
    "Let me help with that.",
)
_TOPIC_WORDS = {
    "packing": ("pack", "bring", "luggage", "suitcase", "wear"),
    "weather": ("weather", "rain", "temperature", "climate", "season"),
    "sights": ("see", "visit", "itinerary", "do in", "sights", "museum", "trip"),
    "food": ("eat", "food", "restaurant", "dish", "drink"),
}
_ADVICE = {
    "packing": (
        "Pack layers you can combine, comfortable walking shoes and a light rain jacket.",
        "Bring a compact umbrella, a warm sweater for the evenings and shoes made for cobblestones.",
        "Keep it light: a few versatile outfits, one warm layer and a waterproof jacket.",
        "Roll your clothes, leave room for souvenirs, and pack a power adapter.",
    ),
    "weather": (
        "Expect mild days and cool evenings; check the forecast a few days before you leave.",
        "The weather can change quickly, so plan indoor options for rainy afternoons.",
        "Mornings are often cool, afternoons pleasant; dress in layers.",
        "Rain is likely now and then, but long sunny spells are common too.",
    ),
    "sights": (
        "Start with the old town on foot, then take a tram to the viewpoints at sunset.",
        "Spend one day on museums, one on neighbourhoods and keep one free for a day trip.",
        "Book popular sights ahead, and wander the side streets between them.",
        "A free walking tour on the first morning is a great way to find your bearings.",
    ),
    "food": (
        "Try the local bakeries in the morning and a family-run tavern for dinner.",
        "Ask for the dish of the day: it is usually fresh, local and good value.",
        "Markets are the best place to taste regional specialities cheaply.",
        "Eat where the locals queue, and leave room for dessert.",
    ),
    "general": (
        "I'd start by deciding what matters most to you, then plan around it.",
        "Break it into small steps and take them one at a time.",
        "There are a few good options; tell me more and I can narrow them down.",
        "The short answer is: it depends on your goals, but here is a sensible default.",
    ),
}
_WANDERING_THOUGHTS = (
    "Also, pigeons are excellent navigators.",
    "Somewhere a kettle is whistling in B flat.",
    "Maps are just poems about distance.",
    "Bring a kite, just in case.",
)


# --- shaping a choice -------------------------------------------------------------------------


def _finish(content: str, request: Mapping[str, Any], index: int) -> dict[str, Any]:
    """Apply response_format, stop sequences and the token limit to one choice."""
    content = _formatted(content, request.get("response_format"))
    finish_reason = "stop"
    stop = request.get("stop")
    for sequence in [stop] if isinstance(stop, str) else stop or []:
        if sequence and sequence in content:
            content = content[: content.index(sequence)]
    limit = request.get("max_completion_tokens") or request.get("max_tokens")
    if limit is not None:
        encoded = tokens.encode(content)
        if len(encoded) > limit:
            content = tokens.decode(encoded[:limit])
            finish_reason = "length"
    return {
        "index": index,
        "message": {"role": "assistant", "content": content, "refusal": None, "annotations": []},
        "logprobs": None,
        "finish_reason": finish_reason,
    }


def _formatted(reply: str, response_format: Mapping[str, Any] | None) -> str:
    kind = (response_format or {}).get("type")
    if kind == "json_object":
        return json.dumps({"answer": reply})
    if kind == "json_schema":
        schema = response_format["json_schema"].get("schema") or {}
        return json.dumps(_instance_of(schema, reply))
    return reply


def _instance_of(schema: Any, text: str, root: Any = None, depth: int = 0,
                 budget: list[int] | None = None) -> Any:
    """A value that matches a JSON schema, filled with the reply's words where text is wanted.

    Follows local `$ref`s (such as the `#/$defs/...` the SDK's `.parse()` sends), `allOf`,
    `anyOf`/`oneOf`, `enum`, `const`, string formats and lengths, number bounds and item counts.
    Recursive schemas stop growing after a few levels: optional parts are left empty there. The
    whole value stays within `_MAX_VALUES`, whatever the schema asks for.
    """
    root = schema if root is None else root
    budget = [_MAX_VALUES] if budget is None else budget
    budget[0] -= 1
    schema = _resolved(schema, root)
    if depth > _HARD_DEPTH or budget[0] < 0:
        return None
    if "enum" in schema:
        options = schema["enum"]
        return options[0] if isinstance(options, list) and options else None
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf"):
        options = [option for option in _as_list(schema.get(key)) if isinstance(option, Mapping)]
        if options:
            return _instance_of(_preferred_option(options, root, depth), text, root, depth + 1, budget)
    if _as_list(schema.get("allOf")):
        return _instance_of(_merged(schema, root), text, root, depth + 1, budget)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties")
        properties = properties if isinstance(properties, Mapping) else {}
        return {
            str(name): _instance_of(sub, text, root, depth + 1, budget) for name, sub in properties.items()
        }
    if kind == "array":
        return _array_of(schema, text, root, depth, budget)
    if kind == "string":
        value = _string_for(schema, text)
        budget[0] -= len(value) // 100
        return value
    if kind == "integer":
        return _integer_for(schema)
    if kind == "number":
        return _number_for(schema)
    if kind == "boolean":
        return True
    return None


_SOFT_DEPTH = 6  # below this, optional parts (null choices, empty arrays) are preferred
_HARD_DEPTH = 40
# However much a schema asks for (nested arrays with a large minItems, a huge minLength), the
# value stays small: every part costs 1 from this budget, and every 100 characters of text 1 more.
_MAX_VALUES = 2000
_MAX_TEXT = 2000  # the longest string a minLength can ask for
_FORMATS = {
    "date-time": "2025-05-01T09:00:00Z",
    "date": "2025-05-01",
    "time": "09:00:00",
    "duration": "P3D",
    "email": "traveller@example.com",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "0e4a1f3c-5b7d-4c2e-9a6b-8d1f2e3c4b5a",
}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _resolved(schema: Any, root: Any, hops: int = 0) -> Mapping[str, Any]:
    """The schema itself, or what its local `$ref` points at (anything else counts as `{}`)."""
    if not isinstance(schema, Mapping):
        return {}
    reference = schema.get("$ref")
    if not isinstance(reference, str) or hops > 20:
        return schema
    target: Any = root
    if reference != "#":
        if not reference.startswith("#/"):
            return {key: value for key, value in schema.items() if key != "$ref"}
        for part in reference[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, Mapping) else None
    if not isinstance(target, Mapping):
        return {}
    siblings = {key: value for key, value in schema.items() if key != "$ref"}
    return {**_resolved(target, root, hops + 1), **siblings}


def _preferred_option(options: list[Mapping[str, Any]], root: Any, depth: int) -> Mapping[str, Any]:
    """The first option that is not null; deep in a recursive schema, null when it is allowed."""
    def is_null(option: Mapping[str, Any]) -> bool:
        return _resolved(option, root).get("type") == "null"

    if depth >= _SOFT_DEPTH:
        nulls = [option for option in options if is_null(option)]
        if nulls:
            return nulls[0]
    return next((option for option in options if not is_null(option)), options[0])


def _merged(schema: Mapping[str, Any], root: Any) -> dict[str, Any]:
    """`allOf` as one schema: the parts' keys together, their properties and requirements joined."""
    merged: dict[str, Any] = {key: value for key, value in schema.items() if key != "allOf"}
    for part in _as_list(schema.get("allOf")):
        part = _resolved(part, root)
        for key, value in part.items():
            if key == "properties" and isinstance(value, Mapping):
                merged["properties"] = {**(merged.get("properties") or {}), **value}
            elif key == "required" and isinstance(value, list):
                merged["required"] = [*(merged.get("required") or []), *value]
            elif key != "allOf":
                merged.setdefault(key, value)
    return merged


def _bound(schema: Mapping[str, Any], key: str) -> float | None:
    value = schema.get(key)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _array_of(schema: Mapping[str, Any], text: str, root: Any, depth: int, budget: list[int]) -> list[Any]:
    least = int(_bound(schema, "minItems") or 0)
    most = _bound(schema, "maxItems")
    count = least if depth >= _SOFT_DEPTH else max(least, 1)
    if most is not None:
        count = max(0, min(count, int(most)))
    count = min(count, 50, max(0, budget[0]))
    prefix = _as_list(schema.get("prefixItems"))
    items = schema.get("items")
    values = []
    for index in range(count):
        item_schema = prefix[index] if index < len(prefix) else items if isinstance(items, Mapping) else {
            "type": "string"
        }
        item_text = text if index == 0 else f"{text} ({index + 1})"
        values.append(_instance_of(item_schema, item_text, root, depth + 1, budget))
    return values


def _string_for(schema: Mapping[str, Any], text: str) -> str:
    fixed = _FORMATS.get(str(schema.get("format", "")))
    value = fixed if fixed is not None else text
    least, most = _bound(schema, "minLength"), _bound(schema, "maxLength")
    if least is not None and len(value) < least:
        wanted = min(int(least), _MAX_TEXT)
        padding = " More to follow." * (wanted // 16 + 1)  # words: cheap to count, unlike "....."
        value = (value + padding)[:wanted]
    if most is not None and len(value) > most:
        value = value[: max(0, int(most))]
    return value


def _integer_for(schema: Mapping[str, Any]) -> int:
    import math

    low, high = _bound(schema, "minimum"), _bound(schema, "maximum")
    above, below = _bound(schema, "exclusiveMinimum"), _bound(schema, "exclusiveMaximum")
    step = _bound(schema, "multipleOf")
    step = int(step) if step and float(step).is_integer() and step > 0 else 1

    def fits(value: int) -> bool:
        return _within(value, low, high, above, below) and value % step == 0

    edges = [math.ceil(low) if low is not None else None, math.floor(high) if high is not None else None,
             math.floor(above) + 1 if above is not None else None,
             math.ceil(below) - 1 if below is not None else None]
    candidates = [1, *(edge for edge in edges if edge is not None)]
    for candidate in candidates:
        for value in (candidate, candidate + (-candidate) % step, candidate - candidate % step):
            if fits(value):
                return value
    return next((edge for edge in edges if edge is not None), 1)


def _number_for(schema: Mapping[str, Any]) -> float:
    low, high = _bound(schema, "minimum"), _bound(schema, "maximum")
    above, below = _bound(schema, "exclusiveMinimum"), _bound(schema, "exclusiveMaximum")
    floors = [bound for bound in (low, above) if bound is not None]
    ceilings = [bound for bound in (high, below) if bound is not None]
    candidates = [1.0, low, high, above + 1 if above is not None else None,
                  below - 1 if below is not None else None]
    if floors and ceilings:
        candidates.append((max(floors) + min(ceilings)) / 2)
    for candidate in candidates:
        if candidate is not None and _within(float(candidate), low, high, above, below):
            return float(candidate)
    return float(max(floors) if floors else min(ceilings) if ceilings else 1.0)


def _within(value: float, low: float | None, high: float | None, above: float | None,
            below: float | None) -> bool:
    return ((low is None or value >= low) and (high is None or value <= high)
            and (above is None or value > above) and (below is None or value < below))
