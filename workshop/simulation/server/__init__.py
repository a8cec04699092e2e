"""The offline practice model: an OpenAI-compatible HTTP server on this machine.

It answers `POST /v1/chat/completions` and `GET /v1/models` with the same simulated model the
graders use (`workshop.simulation.complete`), so code written for a real provider runs
unchanged against it: point the SDK's base URL at it and use any key.

    python -m workshop.simulation.server [--port 8111] [--models a,b] [--api-key KEY]

Every reply says it is a simulation: its `model` ends in `-simulated` and its
`system_fingerprint` is `fp_simulated`. Requests it cannot accept get the API's status codes and
error body (`{"error": {"message", "type", "param", "code"}}`), whatever the client sends.

`--models` and `--api-key` make it stand in for a stricter provider: only those models exist
(others answer 404 `model_not_found`), and only that key is accepted (others answer 401).
"""

from workshop.simulation.server.practice import Counters, Fault, PracticeServer
from workshop.simulation.server.running import (
    add_arguments,
    banner,
    build_parser,
    main,
    running_in_background,
    serve,
    serve_from_arguments,
)
from workshop.simulation.server.settings import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    IDLE_TIMEOUT,
    MAX_BODY_BYTES,
    OWNER,
    STREAM_DELAY,
)

__all__ = [
    "DEFAULT_HOST", "DEFAULT_PORT", "IDLE_TIMEOUT", "MAX_BODY_BYTES", "OWNER", "STREAM_DELAY",
    "Counters", "Fault", "PracticeServer", "add_arguments", "banner", "build_parser", "main",
    "running_in_background", "serve", "serve_from_arguments",
]
