"""Running the practice server: in a background thread, or in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from workshop.providers import PRACTICE_KEY
from workshop.simulation.server.practice import PracticeServer
from workshop.simulation.server.settings import DEFAULT_HOST, DEFAULT_PORT, STREAM_DELAY


@contextlib.contextmanager
def running_in_background(port: int = 0, **options: Any) -> Iterator[str]:
    """Serve the practice model from a thread of this process; yields its base URL.

    `port=0` picks a free port. Options are those of `PracticeServer` (`models`, `api_key`,
    `stream_delay`, `log`). The server stops, and its port is free again, when the block ends.
    """
    with PracticeServer(DEFAULT_HOST, port, **options) as server:
        yield server.base_url


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, **options: Any) -> None:
    """Serve the practice model until Ctrl-C, printing its address and each request it answers.

    A port that is taken (or not allowed) ends the program with one sentence saying so.
    Options are those of `PracticeServer`; requests are logged to stdout unless `log=None`.
    """
    options.setdefault("log", sys.stdout)
    try:
        server = PracticeServer(host, port, **options)
    except OSError as error:
        raise SystemExit(_cannot_listen(host, port, error)) from None
    print(banner(server.base_url, api_key=server.api_key, models=server.models), flush=True)
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        counters = server.counters
        print(f"\nStopped the practice model after {counters.completions} chat completions "
              f"({counters.prompt_tokens + counters.completion_tokens} simulated tokens).")
    finally:
        server.stop()


def banner(base_url: str, *, api_key: str | None = None, models: Iterable[str] = ()) -> str:
    """How to point the openai SDK at a practice server, in a few lines."""
    key = api_key or PRACTICE_KEY
    shown_key = "the key you passed with --api-key" if api_key else key
    served = ", ".join(models) if models else "any model name but shut-down or misspelled OpenAI ids"
    return "\n".join([
        f"The practice model (a simulation, not a real model) is answering at {base_url}",
        f"It serves {served}; replies say '-simulated' in their model name.",
        "Point the openai SDK at it with these two lines in .env (or export them in your shell):",
        f"    OPENAI_BASE_URL={base_url}",
        f"    OPENAI_API_KEY={key if not api_key else '<' + shown_key + '>'}",
        f'or in Python: OpenAI(base_url="{base_url}", api_key="...")',
        "Press Ctrl-C to stop.",
    ])


def _cannot_listen(host: str, port: int, error: OSError) -> str:
    import errno

    if error.errno == errno.EADDRINUSE:
        return (f"Port {port} on {host} is already in use (is a practice model already running?): "
                "stop that program, or choose another port with --port.")
    if error.errno == errno.EACCES:
        return f"This computer does not allow listening on port {port}: choose another with --port."
    return (f"The practice model could not listen on {host}:{port} ({error.strerror or error}): "
            "check --host and --port.")


def build_parser(prog: str = "python -m workshop.simulation.server") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Serve the offline practice model: an OpenAI-compatible API on this machine, "
        "answered by the same simulated model the graders use.",
    )
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser, *, port: bool = True) -> None:
    """The practice server's options, for any command that starts it (`port=False`: all but --port)."""
    if port:
        parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                            help=f"the port to listen on (default {DEFAULT_PORT}; 0 picks a free one)")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"the address to listen on (default {DEFAULT_HOST}, this machine only)")
    parser.add_argument("--models", default="", metavar="A,B",
                        help="serve only these model names; others get 404 model_not_found "
                        "(default: any name)")
    parser.add_argument("--api-key", default=None, metavar="KEY",
                        help="accept only this key; others get 401 (default: any key)")
    parser.add_argument("--stream-delay", type=float, default=STREAM_DELAY, metavar="SECONDS",
                        help=f"pause between streamed events (default {STREAM_DELAY})")
    parser.add_argument("--quiet", action="store_true", help="do not print each request")


def serve_from_arguments(args: argparse.Namespace) -> None:
    """`serve()` with the options `add_arguments` defined; any that are missing keep their defaults.

    `serve` is looked up on the package, `workshop.simulation.server.serve`, where callers and
    tests know it, so replacing it there replaces it here too.
    """
    from workshop.simulation import server

    models = getattr(args, "models", "") or ""
    server.serve(
        getattr(args, "host", DEFAULT_HOST), getattr(args, "port", DEFAULT_PORT),
        models=[name.strip() for name in models.split(",") if name.strip()],
        api_key=getattr(args, "api_key", None), stream_delay=getattr(args, "stream_delay", STREAM_DELAY),
        log=None if getattr(args, "quiet", False) else sys.stdout,
    )


def main(argv: list[str] | None = None) -> int:
    serve_from_arguments(build_parser().parse_args(argv))
    return 0

