"""The model catalogue: which model ids the simulation knows, their limits, and their rules.

Each family entry says what the simulated model enforces for it (its context window and output
limit, whether it is a reasoning model and which sampling parameters it refuses) and when OpenAI
shuts it down, as announced in the installed SDK's docstrings ("Deprecated values" under `model`
in `openai/types/chat/completion_create_params.py`). The course's tests compare the dates here
with that docstring, so a newer SDK with new dates is noticed.

Where the figures come from (read 2026-12-01):

- the ids and the shutdown dates: the SDK's `ChatModel` list and its "Deprecated values"
  (openai 3.54, the version the lock pins);
- the limits: third-party listings that quote OpenAI's model pages (gpt-4.1: 1,047,576 and
  32,768; gpt-4o: 128,000 and 16,384; o3 and o4-mini: 200,000 and 100,000; gpt-3.5-turbo:
  16,385 and 4,096; gpt-5 and the gpt-5.4 minis: 400,000 and 128,000; gpt-5.4: 1,050,000).
  The older gpt-4 and o1 figures are OpenAI's long-published ones. Families with no listing we
  could check (gpt-5.5, gpt-5.6, gpt-6, gpt-5.1, gpt-5.2) get gpt-5's 400k / 128k, the smallest
  figures of their generation, so the simulation never allows more than the real model does.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

SIMULATED_SUFFIX = "-simulated"
# Ids the SDK lists but says are "not a supported model ID": the API answers 404 for them.
UNSUPPORTED_IDS = frozenset({"gpt-5.1-mini"})


@dataclass(frozen=True)
class Reasoning:
    """What a family of reasoning models refuses.

    Documented (the official spec): `max_tokens` "is not compatible with o-series models", and
    `stop` is "not supported with latest reasoning models o3 and o4-mini". Everything else here is
    reported in public issue threads of 2025-2026 (LiteLLM, LangChain, the Vercel AI SDK and tools
    built on them), not documented in the spec or the SDK:

    - gpt-5, gpt-5-mini, gpt-5-nano and the o-series refuse any temperature but 1 (400
      `unsupported_value`, "Only the default (1) value is supported."), and `top_p` and `logprobs`;
    - gpt-5.1, gpt-5.2 and gpt-5.4 accept temperature, `top_p` and `logprobs` only while the
      reasoning effort is "none", which is their default;
    - gpt-5.5, gpt-5.6, gpt-6 and the pro and codex variants accept none of the three;
    - every reasoning model refuses `max_tokens` (use `max_completion_tokens`).

    The default values (temperature 1, top_p 1, logprobs false) are accepted everywhere: the
    reports all concern other values.
    """

    name: str
    default_effort: str
    # Temperature, top_p and logprobs are refused, except (gpt-5.1 to gpt-5.4) at effort "none".
    sampling_when_effort_none: bool = False
    refuses_stop: bool = False
    # The reasoning_effort values the family takes; empty when no source says which it refuses.
    efforts: tuple[str, ...] = ()
    # "unsupported_value" answers name the value ("does not support 0.7"); the newest families
    # are reported to answer "Unsupported parameter: 'temperature' is not supported".
    refusal: str = "unsupported_value"


O_SERIES = Reasoning("o-series", default_effort="medium", efforts=("low", "medium", "high"))
O_SERIES_NO_STOP = Reasoning(
    "o3 and o4-mini", default_effort="medium", refuses_stop=True, efforts=("low", "medium", "high")
)
GPT_5 = Reasoning("gpt-5", default_effort="medium", efforts=("minimal", "low", "medium", "high"))
GPT_5_1_AND_LATER = Reasoning(
    "gpt-5.1 to gpt-5.4", default_effort="none", sampling_when_effort_none=True,
)
NEWEST = Reasoning("gpt-5.5 and later", default_effort="medium", refusal="unsupported_parameter")
PRO_AND_CODEX = Reasoning(
    "the pro and codex variants", default_effort="medium", refusal="unsupported_parameter"
)


@dataclass(frozen=True)
class ModelInfo:
    """What the simulation knows of one model id."""

    id: str
    context_window: int
    max_output_tokens: int
    reasoning: Reasoning | None = None  # None: a chat model that takes every sampling parameter
    shutdown: datetime.date | None = None

    def is_shut_down(self, today: datetime.date | None = None) -> bool:
        return self.shutdown is not None and self.shutdown <= (today or datetime.date.today())

    @property
    def replacement(self) -> str:
        """A current model to use instead: the small one for small models, else the large one."""
        small = any(word in self.id for word in ("mini", "nano", "3.5"))
        return "gpt-5.4-mini" if small else "gpt-5.4"


def simulated_model_name(requested: str) -> str:
    """The `model` a reply reports: the requested name, marked so nobody mistakes it for real."""
    return requested if requested.endswith(SIMULATED_SUFFIX) else f"{requested}{SIMULATED_SUFFIX}"


def requested_model(name: str) -> str:
    """The id a client asked for, without the simulation's marker."""
    return name.removesuffix(SIMULATED_SUFFIX)


# (ids, context window, max output tokens, reasoning rules), newest first, as the SDK lists them.
_FAMILIES: tuple[tuple[tuple[str, ...], int, int, Reasoning | None], ...] = (
    (("gpt-6-astra", "gpt-6.2-astra", "gpt-6.1-sol", "gpt-6.2-sol", "gpt-6.1-terra", "gpt-6-sol",
      "gpt-6-luna", "gpt-5.6-sol", "gpt-5.6-terra", "gpt-5.6-luna", "gpt-5.5", "gpt-5.5-2026-04-23"),
     400_000, 128_000, NEWEST),
    (("gpt-5.4",), 1_050_000, 128_000, GPT_5_1_AND_LATER),
    (("gpt-5.4-mini", "gpt-5.4-nano", "gpt-5.4-mini-2026-03-17", "gpt-5.4-nano-2026-03-17",
      "gpt-5.2", "gpt-5.2-2025-12-11", "gpt-5.1", "gpt-5.1-2025-11-13"),
     400_000, 128_000, GPT_5_1_AND_LATER),
    (("gpt-5.2-pro", "gpt-5.2-pro-2025-12-11", "gpt-5.1-codex"), 400_000, 128_000, PRO_AND_CODEX),
    (("gpt-5.3-chat-latest", "gpt-5.2-chat-latest", "gpt-5.1-chat-latest", "gpt-5-chat-latest"),
     128_000, 16_384, None),
    (("gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-5-2025-08-07", "gpt-5-mini-2025-08-07",
      "gpt-5-nano-2025-08-07"), 400_000, 128_000, GPT_5),
    (("gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4.1-2025-04-14", "gpt-4.1-mini-2025-04-14",
      "gpt-4.1-nano-2025-04-14"), 1_047_576, 32_768, None),
    (("o4-mini", "o4-mini-2025-04-16", "o3", "o3-2025-04-16"), 200_000, 100_000, O_SERIES_NO_STOP),
    (("o3-mini", "o3-mini-2025-01-31", "o1", "o1-2024-12-17", "codex-mini-latest"),
     200_000, 100_000, O_SERIES),
    (("o1-preview", "o1-preview-2024-09-12"), 128_000, 32_768, O_SERIES),
    (("o1-mini", "o1-mini-2024-09-12"), 128_000, 65_536, O_SERIES),
    (("gpt-4o", "gpt-4o-2024-11-20", "gpt-4o-2024-08-06", "gpt-4o-mini", "gpt-4o-mini-2024-07-18",
      "chatgpt-4o-latest", "gpt-audio-mini", "gpt-audio-mini-2025-12-15", "gpt-4o-audio-preview",
      "gpt-4o-audio-preview-2024-10-01", "gpt-4o-audio-preview-2024-12-17",
      "gpt-4o-audio-preview-2025-06-03", "gpt-4o-mini-audio-preview",
      "gpt-4o-mini-audio-preview-2024-12-17", "gpt-4o-search-preview", "gpt-4o-mini-search-preview",
      "gpt-4o-search-preview-2025-03-11", "gpt-4o-mini-search-preview-2025-03-11"),
     128_000, 16_384, None),
    (("gpt-4o-2024-05-13", "gpt-4-turbo", "gpt-4-turbo-2024-04-09", "gpt-4-0125-preview",
      "gpt-4-turbo-preview", "gpt-4-1106-preview", "gpt-4-vision-preview"), 128_000, 4_096, None),
    (("gpt-4", "gpt-4-0314", "gpt-4-0613"), 8_192, 8_192, None),
    (("gpt-4-32k", "gpt-4-32k-0314", "gpt-4-32k-0613"), 32_768, 8_192, None),
    (("gpt-3.5-turbo", "gpt-3.5-turbo-16k", "gpt-3.5-turbo-1106", "gpt-3.5-turbo-0125",
      "gpt-3.5-turbo-16k-0613"), 16_385, 4_096, None),
    (("gpt-3.5-turbo-0301", "gpt-3.5-turbo-0613"), 4_096, 4_096, None),
)

# The SDK's announced shutdown dates (openai 3.54, "Deprecated values").
_SHUTDOWNS: dict[str, tuple[str, ...]] = {
    "2027-04-01": ("gpt-5.4-nano", "gpt-5.4-nano-2026-03-17", "gpt-5.1", "gpt-5.1-2025-11-13"),
    "2026-08-10": ("gpt-5.3-chat-latest", "gpt-5.2-chat-latest"),
    "2026-07-23": ("gpt-5.1-codex", "gpt-5.1-chat-latest", "gpt-5-chat-latest",
                   "gpt-4o-search-preview", "gpt-4o-mini-search-preview",
                   "gpt-4o-search-preview-2025-03-11", "gpt-4o-mini-search-preview-2025-03-11"),
    "2026-12-11": ("gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-5-2025-08-07", "gpt-5-mini-2025-08-07",
                   "gpt-5-nano-2025-08-07", "o3", "o3-2025-04-16"),
    "2027-01-14": ("gpt-4.1", "gpt-4.1-mini", "gpt-4.1-2025-04-14", "gpt-4.1-mini-2025-04-14",
                   "gpt-4o", "gpt-4o-2024-11-20", "gpt-4o-2024-08-06", "gpt-4o-mini",
                   "gpt-4o-mini-2024-07-18"),
    "2026-10-23": ("gpt-4.1-nano", "gpt-4.1-nano-2025-04-14", "o4-mini", "o4-mini-2025-04-16",
                   "o3-mini", "o3-mini-2025-01-31", "o1", "o1-2024-12-17", "gpt-4o-2024-05-13",
                   "gpt-4-turbo", "gpt-4-turbo-2024-04-09", "gpt-4-1106-preview", "gpt-4",
                   "gpt-4-0613", "gpt-3.5-turbo", "gpt-3.5-turbo-0125"),
    "2025-07-28": ("o1-preview", "o1-preview-2024-09-12"),
    "2025-10-27": ("o1-mini", "o1-mini-2024-09-12"),
    "2027-01-20": ("gpt-audio-mini", "gpt-audio-mini-2025-12-15"),
    "2026-05-07": ("gpt-4o-audio-preview", "gpt-4o-audio-preview-2024-12-17",
                   "gpt-4o-audio-preview-2025-06-03", "gpt-4o-mini-audio-preview",
                   "gpt-4o-mini-audio-preview-2024-12-17"),
    "2025-10-10": ("gpt-4o-audio-preview-2024-10-01",),
    "2026-02-17": ("chatgpt-4o-latest",),
    "2026-02-12": ("codex-mini-latest",),
    "2026-03-26": ("gpt-4-0125-preview", "gpt-4-turbo-preview", "gpt-4-0314"),
    "2024-12-06": ("gpt-4-vision-preview",),
    "2025-06-06": ("gpt-4-32k", "gpt-4-32k-0314", "gpt-4-32k-0613"),
    "2024-09-13": ("gpt-3.5-turbo-16k", "gpt-3.5-turbo-0301", "gpt-3.5-turbo-0613",
                   "gpt-3.5-turbo-16k-0613"),
    "2026-09-28": ("gpt-3.5-turbo-1106",),
}


def _catalogue() -> dict[str, ModelInfo]:
    shutdown_of = {
        model_id: datetime.date.fromisoformat(day)
        for day, model_ids in _SHUTDOWNS.items() for model_id in model_ids
    }
    return {
        model_id: ModelInfo(model_id, context, output, reasoning, shutdown_of.get(model_id))
        for model_ids, context, output, reasoning in _FAMILIES for model_id in model_ids
    }


_CATALOGUE: dict[str, ModelInfo] = _catalogue()


def known_model(model_id: str) -> ModelInfo | None:
    """The catalogue's entry for `model_id` (dated snapshots included), or None if it is unknown."""
    return _CATALOGUE.get(requested_model(model_id))


def known_models() -> tuple[ModelInfo, ...]:
    return tuple(_CATALOGUE.values())


def current_models(today: datetime.date | None = None) -> tuple[ModelInfo, ...]:
    """The known models that are not shut down yet, as `GET /models` lists them."""
    return tuple(info for info in _CATALOGUE.values() if not info.is_shut_down(today))


def model_listing(configured: str, today: datetime.date | None = None) -> list[str]:
    """The ids `GET /models` lists: the configured model first, then every current known one."""
    others = [info.id for info in current_models(today) if info.id != requested_model(configured)]
    return [configured, *others]
