"""The model catalogue: which model ids the simulation knows, their limits, and their rules.

Each family entry says what the simulated model enforces for it (its context window and output
limit, whether it is a reasoning model and which sampling parameters it refuses) and when OpenAI
shuts it down, as announced in the installed SDK's docstrings ("Deprecated values" under `model`
in `openai/types/chat/completion_create_params.py`). The course's tests compare the dates here
with that docstring, so a newer SDK with new dates is noticed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

SIMULATED_SUFFIX = "-simulated"


@dataclass(frozen=True)
class ModelInfo:
    """What the simulation knows of one model id."""

    id: str
    context_window: int
    max_output_tokens: int
    reasoning: bool = False
    shutdown: datetime.date | None = None


def simulated_model_name(requested: str) -> str:
    """The `model` a reply reports: the requested name, marked so nobody mistakes it for real."""
    return requested if requested.endswith(SIMULATED_SUFFIX) else f"{requested}{SIMULATED_SUFFIX}"


def requested_model(name: str) -> str:
    """The id a client asked for, without the simulation's marker."""
    return name.removesuffix(SIMULATED_SUFFIX)


_CATALOGUE: dict[str, ModelInfo] = {
    "gpt-5.4-mini": ModelInfo(
        "gpt-5.4-mini", context_window=400_000, max_output_tokens=128_000, reasoning=True
    ),
}


def known_model(model_id: str) -> ModelInfo | None:
    """The catalogue's entry for `model_id` (dated snapshots included), or None if it is unknown."""
    return _CATALOGUE.get(requested_model(model_id))


def known_models() -> tuple[ModelInfo, ...]:
    return tuple(_CATALOGUE.values())
