"""`workshop run --solutions [--live]`: run every reference solution as a script, with the bill.

Each solution runs as `python solutions/<id>/<module>.py` would, in its own process: against the
offline practice model by default, or with `--live` against the provider configured in `.env`.
The table shows what each run did, the tokens its chat requests used and an estimate of what
they cost. Tokens are read from the responses themselves (`usage`, or for a stream without
usage, counted from the streamed text with o200k and marked "~"). Costs come from the list
prices in `PRICES` below, for the model each response names; a model not listed there shows
"unknown price". A solution that is missing or still raises NotImplementedError is reported as
such, not as a failure.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import runpy
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from workshop import providers, settings, tokens
from workshop.catalog import Exercise, load_catalog
from workshop.settings import REPO_ROOT

# List prices in US$ per million tokens: (input, cached input, output), for standard processing,
# read on 2026-12-01. The gpt-5.4 and gpt-5.5 figures come from third-party listings of OpenAI's
# pricing page (which we could not read directly; gpt-5.4-nano's cached price assumes the family's
# 90% discount); the older ones are OpenAI's published prices.
# Prices change: check the provider's pricing page before quoting these, and add the models you use.
PRICES_READ = "2026-12-01"
PRICES: dict[str, tuple[float, float, float]] = {
    "gpt-5.5": (5.00, 0.50, 30.00),
    "gpt-5.4": (2.50, 0.25, 15.00),
    "gpt-5.4-mini": (0.75, 0.075, 4.50),
    "gpt-5.4-nano": (0.20, 0.02, 1.25),
    "gpt-5": (1.25, 0.125, 10.00),
    "gpt-5-mini": (0.25, 0.025, 2.00),
    "gpt-5-nano": (0.05, 0.005, 0.40),
    "gpt-4.1": (2.00, 0.50, 8.00),
    "gpt-4.1-mini": (0.40, 0.10, 1.60),
    "gpt-4o": (2.50, 1.25, 10.00),
    "gpt-4o-mini": (0.15, 0.075, 0.60),
}
UNKNOWN_PRICE = "unknown price"
PRACTICE_TIMEOUT = 60.0  # seconds one solution may run against the practice model
LIVE_TIMEOUT = 180.0  # ...and against a real provider, which is slower and retries
PARALLEL_RUNS = max(2, min(4, os.cpu_count() or 2))

RAN, MISSING, UNFINISHED, FAILED, TIMED_OUT = "ran", "no solution yet", "unfinished", "failed", "timed out"


# --- prices ------------------------------------------------------------------------------------------

_DATED = re.compile(r"-\d{4}-\d{2}-\d{2}$")


def priced_as(model: str | None) -> str | None:
    """The entry of `PRICES` for a model as a response names it (dated or simulated names too)."""
    if not model:
        return None
    name = _DATED.sub("", model.removesuffix("-simulated"))
    return name if name in PRICES else None


def price_of(model: str | None) -> tuple[float, float, float] | None:
    """The list price of a model as a response names it: (input, cached input, output)."""
    name = priced_as(model)
    return PRICES[name] if name is not None else None


@dataclass
class Call:
    """One chat completion request a solution sent, as its response reported it."""

    status: int
    model: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    estimated: bool = False  # counted from the streamed text: the response reported no usage

    def cost(self) -> float | None:
        price = price_of(self.model)
        if price is None:
            return None if self.status < 400 else 0.0
        input_price, cached_price, output_price = price
        cached = min(self.cached_tokens, self.prompt_tokens)
        dollars = ((self.prompt_tokens - cached) * input_price + cached * cached_price
                   + self.completion_tokens * output_price)
        return dollars / 1_000_000


@dataclass
class Outcome:
    """What running one exercise's reference solution did."""

    exercise: Exercise
    status: str
    detail: str = ""
    calls: list[Call] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.calls)

    @property
    def prompt_tokens(self) -> int:
        return sum(call.prompt_tokens for call in self.calls)

    @property
    def completion_tokens(self) -> int:
        return sum(call.completion_tokens for call in self.calls)

    @property
    def estimated(self) -> bool:
        return any(call.estimated for call in self.calls)

    def cost(self) -> float | None:
        costs = [call.cost() for call in self.calls]
        return None if any(cost is None for cost in costs) else sum(c for c in costs if c is not None)


# --- measuring usage inside the solution's process ------------------------------------------------


class UsageMeter:
    """Reads `usage` from every chat completion response the SDK receives in this process.

    It wraps the transport httpx2 uses under the SDK, so it sees exactly the bytes the provider
    sent, streamed or not, and changes nothing the SDK or the script sees.
    """

    def __init__(self) -> None:
        self.calls: list[Call] = []

    def install(self) -> None:
        import httpx2

        meter = self
        sync_send = httpx2.HTTPTransport.handle_request
        async_send = httpx2.AsyncHTTPTransport.handle_async_request

        def handle_request(transport: Any, request: Any) -> Any:
            if not meter.wants(request):
                return sync_send(transport, request)
            request.headers["accept-encoding"] = "identity"
            response = sync_send(transport, request)
            response.stream = _sync_tap(response.stream, meter.recorder(request, response))
            return response

        async def handle_async_request(transport: Any, request: Any) -> Any:
            if not meter.wants(request):
                return await async_send(transport, request)
            request.headers["accept-encoding"] = "identity"
            response = await async_send(transport, request)
            response.stream = _async_tap(response.stream, meter.recorder(request, response))
            return response

        httpx2.HTTPTransport.handle_request = handle_request  # type: ignore[method-assign]
        httpx2.AsyncHTTPTransport.handle_async_request = handle_async_request  # type: ignore[method-assign]

    @staticmethod
    def wants(request: Any) -> bool:
        return request.method == "POST" and request.url.path.rstrip("/").endswith("/chat/completions")

    def recorder(self, request: Any, response: Any) -> Callable[[bytes], None]:
        def record(data: bytes) -> None:
            content_type = response.headers.get("content-type", "")
            self.calls.append(read_call(_json_or_none(request.content), response.status_code,
                                        content_type, data))

        return record

    def save(self, path: Path) -> None:
        path.write_text(json.dumps([asdict(call) for call in self.calls]), encoding="utf-8")


def _json_or_none(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (ValueError, TypeError):
        return None


def _sync_byte_stream() -> type:
    import httpx2

    return httpx2.SyncByteStream


def _async_byte_stream() -> type:
    import httpx2

    return httpx2.AsyncByteStream


class _Once:
    def __init__(self, record: Callable[[bytes], None]) -> None:
        self.parts: list[bytes] = []
        self._record: Callable[[bytes], None] | None = record

    def done(self) -> None:
        if self._record is not None:
            record, self._record = self._record, None
            record(b"".join(self.parts))


def _sync_tap(stream: Any, record: Callable[[bytes], None]) -> Any:
    """`stream`, passed on unchanged, with `record` called once with all of it at its end."""
    base = _sync_byte_stream()

    class SyncTap(base):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            self.once = _Once(record)

        def __iter__(self) -> Iterator[bytes]:
            for part in stream:
                self.once.parts.append(part)
                yield part
            self.once.done()

        def close(self) -> None:
            self.once.done()
            stream.close()

    return SyncTap()


def _async_tap(stream: Any, record: Callable[[bytes], None]) -> Any:
    """The same as `_sync_tap`, for the async client."""
    base = _async_byte_stream()

    class AsyncTap(base):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            self.once = _Once(record)

        async def __aiter__(self) -> Any:
            async for part in stream:
                self.once.parts.append(part)
                yield part
            self.once.done()

        async def aclose(self) -> None:
            self.once.done()
            await stream.aclose()

    return AsyncTap()


def read_call(request: Any, status: int, content_type: str, data: bytes) -> Call:
    """The tokens one response reports, from its JSON body or its server-sent events."""
    request = request if isinstance(request, dict) else {}
    call = Call(status=status, model=request.get("model") if isinstance(request.get("model"), str) else None)
    if status >= 400:
        return call
    texts: dict[int, list[str]] = {}
    usage: Any = None
    if "text/event-stream" in content_type:
        for line in data.decode("utf-8", errors="replace").splitlines():
            payload = line[5:].strip() if line.startswith("data:") else ""
            chunk = _json_or_none(payload.encode()) if payload and payload != "[DONE]" else None
            if not isinstance(chunk, dict):
                continue
            call.model = chunk.get("model") or call.model
            usage = chunk.get("usage") or usage
            for choice in chunk.get("choices") or []:
                delta = choice.get("delta") or {}
                texts.setdefault(choice.get("index", 0), []).append(delta.get("content") or "")
    else:
        body = _json_or_none(data)
        if isinstance(body, dict):
            call.model = body.get("model") or call.model
            usage = body.get("usage")
            for choice in body.get("choices") or []:
                message = choice.get("message") or {}
                texts.setdefault(choice.get("index", 0), []).append(message.get("content") or "")
    if isinstance(usage, dict):
        call.prompt_tokens = int(usage.get("prompt_tokens") or 0)
        call.completion_tokens = int(usage.get("completion_tokens") or 0)
        call.cached_tokens = int((usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0)
        return call
    messages = request.get("messages")
    if isinstance(messages, list):
        call.prompt_tokens = tokens.count_message_tokens(m for m in messages if isinstance(m, dict))
    call.completion_tokens = sum(tokens.count_tokens("".join(parts)) for parts in texts.values())
    call.estimated = True
    return call


def run_metered(usage_file: str, script: str) -> None:
    """Run `script` as `python script` would, saving its chat requests' usage to `usage_file`."""
    meter = UsageMeter()
    meter.install()
    atexit.register(meter.save, Path(usage_file))
    path = Path(script).resolve()
    sys.argv = [str(path)]
    sys.path[0] = str(path.parent)
    runpy.run_path(str(path), run_name="__main__")


_BOOTSTRAP = (
    "import sys; from workshop.commands.solutions_report import run_metered; "
    "run_metered(*sys.argv[1:3])"
)


# --- running the solutions -------------------------------------------------------------------------


def run_solution(exercise: Exercise, script: Path, environ: Mapping[str, str], timeout: float) -> Outcome:
    """Run one solution file in its own process and read what it did."""
    if not script.is_file():
        shown = script.relative_to(REPO_ROOT).as_posix() if script.is_relative_to(REPO_ROOT) else script
        return Outcome(exercise, MISSING, f"{shown} does not exist yet")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        usage_file = Path(folder) / "usage.json"
        command = [sys.executable, "-c", _BOOTSTRAP, str(usage_file), str(script)]
        try:
            completed = subprocess.run(
                command, cwd=REPO_ROOT, env=dict(environ), capture_output=True, text=True,
                timeout=timeout, stdin=subprocess.DEVNULL, encoding="utf-8", errors="replace",
            )
        except subprocess.TimeoutExpired:
            return Outcome(exercise, TIMED_OUT, f"stopped after {timeout:g} s",
                           seconds=time.perf_counter() - started)
        calls = _load_calls(usage_file)
    seconds = time.perf_counter() - started
    if completed.returncode == 0:
        return Outcome(exercise, RAN, "", calls, seconds)
    last_line = _last_line(completed.stderr)
    status = UNFINISHED if _is_unfinished(completed.stderr) else FAILED
    return Outcome(exercise, status, providers.redact(last_line, environ), calls, seconds)


def _is_unfinished(stderr: str) -> bool:
    from workshop.script import UNFINISHED as UNFINISHED_SENTENCE

    return UNFINISHED_SENTENCE in stderr or stderr.rstrip().endswith(("NotImplementedError", "TODO"))


def _load_calls(path: Path) -> list[Call]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [Call(**item) for item in data if isinstance(item, dict)]


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "it ended with an error and printed nothing"


def run_solutions(
    exercises: Sequence[Exercise], environ: Mapping[str, str], *, timeout: float,
    scripts: Mapping[str, Path] | None = None,
) -> list[Outcome]:
    """Run the solutions a few at a time; the outcomes come back in the exercises' order."""
    scripts = scripts or {}

    def run(exercise: Exercise) -> Outcome:
        return run_solution(exercise, scripts.get(exercise.id, exercise.solution), environ, timeout)

    with ThreadPoolExecutor(max_workers=PARALLEL_RUNS) as pool:
        return list(pool.map(run, exercises))


# --- the report --------------------------------------------------------------------------------------


def _money(value: float | None) -> str:
    return UNKNOWN_PRICE if value is None else f"${value:.6f}"


def print_report(outcomes: Sequence[Outcome], heading: str, *, practice: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    table = Table(title=heading, title_justify="left")
    for name, justify in (("#", "left"), ("Exercise", "left"), ("Result", "left"),
                          ("Requests", "right"), ("Prompt", "right"), ("Completion", "right"),
                          ("Est. cost", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for outcome in outcomes:
        exercise = outcome.exercise
        mark = "~" if outcome.estimated else ""
        ran_requests = outcome.requests > 0
        table.add_row(
            exercise.number, exercise.title, outcome.status,
            str(outcome.requests) if ran_requests or outcome.status == RAN else "",
            f"{mark}{outcome.prompt_tokens}" if ran_requests else "",
            f"{mark}{outcome.completion_tokens}" if ran_requests else "",
            _money(outcome.cost()) if ran_requests else "",
        )
    total_cost = [outcome.cost() for outcome in outcomes if outcome.requests]
    known = None if any(cost is None for cost in total_cost) else sum(c for c in total_cost if c is not None)
    table.add_section()
    table.add_row(
        "", "Total", _summary(outcomes), str(sum(o.requests for o in outcomes)),
        str(sum(o.prompt_tokens for o in outcomes)), str(sum(o.completion_tokens for o in outcomes)),
        _money(known),
    )
    console.print(table)
    for outcome in outcomes:
        if outcome.detail and outcome.status != MISSING:
            console.print(f"{outcome.exercise.number} {outcome.status}: {outcome.detail}")
    models = sorted({call.model for o in outcomes for call in o.calls if call.model})
    prices = "; ".join(_price_note(model) for model in models)
    if prices:
        console.print(f"Estimated at list prices in US$ per million tokens, as read on {PRICES_READ}: "
                      f"{prices}.")
    if practice:
        console.print("The practice model is a simulation and costs nothing: the costs are what "
                      "these tokens would cost on the model named.")
    if any(o.estimated for o in outcomes):
        console.print("~ marks tokens counted from streamed text, as the response reported no usage.")


def _price_note(model: str) -> str:
    name = priced_as(model)
    if name is None:
        return f"{model}: {UNKNOWN_PRICE}"
    input_price, cached_price, output_price = PRICES[name]
    shown = model if name == model else f"{model} (priced as {name})"
    return f"{shown}: {input_price:g} input, {cached_price:g} cached input, {output_price:g} output"


def _summary(outcomes: Iterable[Outcome]) -> str:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    order = (RAN, FAILED, TIMED_OUT, UNFINISHED, MISSING)
    return ", ".join(f"{counts[status]} {status}" for status in order if counts.get(status))


def main(live: bool, *, exercises: Sequence[Exercise] | None = None,
         scripts: Mapping[str, Path] | None = None) -> int:
    """Run every reference solution and print the table; 0 when every existing one finished.

    Without `live`, a practice model started for this run answers; with it, the provider
    configured in `.env`. Missing and unfinished solutions are listed but do not fail the run.
    """
    chosen = list(exercises) if exercises is not None else list(load_catalog())
    with ExitStack() as stack:
        if live:
            environ = dict(os.environ)
            settings.tidy_environment(environ)
            if providers.needs_practice_model(environ):
                print("--live needs a provider configured in .env (docs/providers.md shows how); "
                      "without --live, the solutions run against the offline practice model.")
                return 1
            problem = providers.configuration_problem(environ)
            if problem:
                print(problem)
                return 1
            from workshop.settings import MODEL

            heading = (f"Reference solutions against {providers.current(environ).label}, "
                       f"model {environ.get('WORKSHOP_MODEL') or MODEL}")
            timeout = LIVE_TIMEOUT
        else:
            from workshop.simulation.server import running_in_background

            base_url = stack.enter_context(running_in_background(stream_delay=0))
            environ = providers.practice_environment(base_url)
            heading = f"Reference solutions against the offline practice model ({base_url})"
            timeout = PRACTICE_TIMEOUT
        outcomes = run_solutions(chosen, environ, timeout=timeout, scripts=scripts)
    print_report(outcomes, heading, practice=not live)
    return 1 if any(outcome.status in (FAILED, TIMED_OUT) for outcome in outcomes) else 0
