"""The simulated model: a stand-in for a chat model that behaves the way the real API does.

Both the graders (through `SimulatedAPI`) and the offline practice server answer from
`complete()`, so what a learner sees while practising is exactly what the graders check against.
Its parts, one module each: the request rules (`rules`, with `strict` for strict schemas),
the choices of a reply (`replies`), which the reply writer (`writer`) composes from what the
conversation says about the user (`memory`), what the system and developer messages ask for
(`instructions`), what the question is about (`topics`) and the words in five languages
(`phrases`); structured output (`structured`, with `patterns` for strings that match a
`pattern`), log probabilities (`logprobs`), streaming (`streaming`), the API's errors
(`errors`), the prompt cache (`cache`), the model catalogue (`models`), what each model
refuses (`model_rules`) and tool calls (`tools`).
"""

from workshop.simulation.cache import PromptCache
from workshop.simulation.completion import SYSTEM_FINGERPRINT, complete
from workshop.simulation.errors import (
    SimulatedAPIError,
    invalid_api_key,
    model_not_found,
    rate_limited,
    server_error,
)
from workshop.simulation.models import simulated_model_name
from workshop.simulation.rules import VALID_ROLES, validate
from workshop.simulation.streaming import event_stream, server_sent_events, stream_chunks

__all__ = [
    "SYSTEM_FINGERPRINT",
    "VALID_ROLES",
    "PromptCache",
    "SimulatedAPIError",
    "complete",
    "event_stream",
    "invalid_api_key",
    "model_not_found",
    "rate_limited",
    "server_error",
    "server_sent_events",
    "simulated_model_name",
    "stream_chunks",
    "validate",
]
