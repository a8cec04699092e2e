"""`workshop doctor` tells good setups from broken ones, sends nothing offline, and never shows a key."""

from __future__ import annotations

import datetime
import io
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rich.console import Console

from workshop.commands import cli
from workshop.commands.doctor import doctor_command
from workshop.settings import DEFAULT_MODEL
from workshop.simulation.api import SimulatedAPI
from workshop.simulation.server import PracticeServer

KEY = "sk-proj-" + "q" * 40 + "W7xZ"
TODAY = datetime.date(2026, 12, 1)


def doctor(tmp_path: Path, env_text: str | bytes | None, *, live: bool = False,
           environ: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """Run the doctor on a `.env` with `env_text` (None: no file); its exit code, rows and output."""
    env_file = tmp_path / ".env"
    if isinstance(env_text, bytes):
        env_file.write_bytes(env_text)
    elif env_text is not None:
        env_file.write_text(env_text, encoding="utf-8")
    console = Console(file=io.StringIO(), width=400, highlight=False, markup=False, emoji=False)
    code = doctor_command(console, live, environ=environ or {}, env_file=env_file, today=TODAY)
    out = console.file.getvalue()
    rows = {}
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.split("│")]
        if len(cells) == 6 and cells[2]:
            rows[cells[2]] = " | ".join([cells[1], *cells[3:5]])
    return code, rows, out


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens here once the probe is closed


# --- offline -------------------------------------------------------------------------------------


def test_a_good_setup_is_ready_and_nothing_is_sent(tmp_path):
    with SimulatedAPI() as api:
        code, rows, out = doctor(tmp_path, f"OPENAI_API_KEY={KEY}\n")
    assert api.requests == []  # offline means offline
    assert code == 0 and "Ready for the workshop." in out
    assert rows["Python"].startswith("✓") and rows["Packages"].startswith("✓")
    assert "openai 3." in rows["Packages"]
    assert rows[".env"].startswith("✓") and "OPENAI_API_KEY" in rows[".env"]
    assert rows["Provider"] == "✓ | OpenAI, key ending in …W7xZ | "
    assert rows["Model"].startswith(f"✓ | {DEFAULT_MODEL} (the course's default): no shutdown date")
    assert KEY not in out and KEY[:-4] not in out
    assert "Nothing was sent" in out


def test_no_env_file_means_the_practice_model(tmp_path):
    code, rows, _ = doctor(tmp_path, None)
    assert code == 0
    assert rows[".env"].startswith("! | not found at")
    assert "copy .env.example to .env" in rows[".env"]
    assert "offline practice model" in rows["Provider"]


@pytest.mark.parametrize("make_unreadable", [
    lambda path: path.mkdir(),  # a folder where the file should be
    lambda path: path.write_bytes(b"OPENAI_API_KEY=\xff\xfe\x00sk"),  # not text
])
def test_an_unreadable_env_file_is_a_problem_with_a_fix(tmp_path, make_unreadable):
    make_unreadable(tmp_path / ".env")
    code, rows, out = doctor(tmp_path, None)
    assert code == 1 and "1 problem(s) to fix." in out
    assert rows[".env"].startswith("✗ | found, but it cannot be read")
    assert "save it as plain UTF-8 text" in rows[".env"]


def test_a_shut_down_model_fails_and_names_a_current_one(tmp_path):
    code, rows, _ = doctor(tmp_path, f"OPENAI_API_KEY={KEY}\nWORKSHOP_MODEL=gpt-4.1-nano\n")
    assert code == 1
    assert rows["Model"] == ("✗ | gpt-4.1-nano (WORKSHOP_MODEL) was shut down on 2026-10-23 | "
                             "Set WORKSHOP_MODEL in .env to a current model, such as gpt-5.4-mini.")


def test_a_model_about_to_be_shut_down_is_a_warning(tmp_path):
    code, rows, _ = doctor(tmp_path, f"OPENAI_API_KEY={KEY}\nWORKSHOP_MODEL=gpt-4.1-mini\n")
    assert code == 0
    assert rows["Model"].startswith("! | gpt-4.1-mini (WORKSHOP_MODEL) is to be shut down on "
                                    "2027-01-14, in 44 days")


def test_a_misspelled_model_is_caught_for_openai_but_local_names_are_left_to_the_server(tmp_path):
    code, rows, _ = doctor(tmp_path, f"OPENAI_API_KEY={KEY}\nWORKSHOP_MODEL=gtp-4o-mini\n")
    assert code == 1 and "Did you mean gpt-4o-mini?" in rows["Model"]
    local = "OPENAI_API_KEY=ollama\nOPENAI_BASE_URL=http://localhost:11434/v1\nWORKSHOP_MODEL=llama3.2\n"
    code, rows, _ = doctor(tmp_path, local)
    assert code == 0 and rows["Model"].startswith("✓ | llama3.2 (WORKSHOP_MODEL): not an OpenAI id")
    assert rows["Provider"].startswith(
        "✓ | the local server at http://localhost:11434/v1 (Ollama), a short key")


def test_the_environment_wins_over_env_as_in_the_course(tmp_path):
    code, rows, _ = doctor(tmp_path, "WORKSHOP_MODEL=gpt-4.1-nano\n",
                           environ={"OPENAI_API_KEY": KEY, "WORKSHOP_MODEL": "gpt-5.4"})
    assert code == 0 and rows["Model"].startswith("✓ | gpt-5.4 (WORKSHOP_MODEL)")


def test_a_broken_base_url_is_found_offline_and_a_dead_one_live(tmp_path):
    code, rows, _ = doctor(tmp_path, f"OPENAI_API_KEY={KEY}\nOPENAI_BASE_URL=localhost:11434\n")
    assert code == 1 and rows["Provider"].startswith("✗")
    assert "must be a web address that starts with http://" in rows["Provider"]
    dead = f"OPENAI_API_KEY={KEY}\nOPENAI_BASE_URL=http://127.0.0.1:{_closed_port()}/v1\n"
    code, rows, _ = doctor(tmp_path, dead)
    assert code == 0 and "Plain request" not in rows  # offline: not tried
    code, rows, out = doctor(tmp_path, dead, live=True)
    assert code == 1
    assert rows["Plain request"].startswith("✗ | refused | Nothing answers at http://127.0.0.1:")
    assert rows["Other live checks"].startswith("! | skipped: the plain request failed")
    assert "Temperature" not in rows  # one failure, said once
    assert KEY not in out


def test_live_with_nothing_configured_sends_nothing(tmp_path):
    with SimulatedAPI() as api:
        code, rows, _ = doctor(tmp_path, None, live=True)
    assert api.requests == [] and code == 0
    assert rows["Live checks"].startswith("! | skipped: no provider is configured")


# --- live ----------------------------------------------------------------------------------------


def test_live_against_the_practice_model_checks_what_the_course_uses(tmp_path):
    with PracticeServer(port=0, stream_delay=0, api_key=KEY) as server:
        code, rows, out = doctor(tmp_path, f"OPENAI_API_KEY={KEY}\nOPENAI_BASE_URL={server.base_url}\n",
                                 live=True)
        answered = server.counters.completions
    assert code == 0, out
    for check in ("Plain request", "Temperature", "Several choices (n)", "Structured output",
                  "Streaming with usage"):
        assert rows[check].startswith("✓"), rows[check]
    assert rows["Plain request"] == f"✓ | answered as {DEFAULT_MODEL}-simulated | "
    assert rows["Tools"].startswith("✓ | called get_weather")
    assert answered == 6 and KEY not in out


class _ReasoningModel(BaseHTTPRequestHandler):
    """A provider that answers like a reasoning model: anything but temperature 1 is refused."""

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["content-length"])))
        if request.get("temperature", 1) != 1:
            self._send(400, {"error": {
                "message": f"Unsupported value: 'temperature' does not support "
                           f"{request['temperature']} with this model. Only the default (1) value "
                           "is supported.",
                "type": "invalid_request_error", "param": "temperature", "code": "unsupported_value",
            }})
            return
        if request.get("response_format"):
            message = {"role": "assistant", "content": '{"city": "Porto"}'}
        elif request.get("tools"):
            message = {"role": "assistant", "content": None, "tool_calls": [{
                "id": "call_1", "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Lisbon"}'}}]}
        else:
            message = {"role": "assistant", "content": "OK"}
        choices = [{"index": i, "message": message, "finish_reason": "stop", "logprobs": None}
                   for i in range(request.get("n") or 1)]
        usage = {"prompt_tokens": 12, "completion_tokens": 40, "total_tokens": 52,
                 "completion_tokens_details": {"reasoning_tokens": 38}}
        completion = {"id": "chatcmpl-1", "object": "chat.completion", "created": 0,
                      "model": "thinker-1", "choices": choices, "usage": usage}
        if not request.get("stream"):
            self._send(200, completion)
            return
        chunks = [
            {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0, "model": "thinker-1",
             "choices": [{"index": 0, "delta": {"role": "assistant", "content": "OK"},
                          "finish_reason": "stop"}]},
            {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0, "model": "thinker-1",
             "choices": [], "usage": usage},
        ]
        body = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks) + "data: [DONE]\n\n"
        self._send(200, body.encode(), content_type="text/event-stream")

    def _send(self, status: int, body: object, content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def reasoning_provider() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ReasoningModel)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_live_against_a_provider_that_refuses_temperature(tmp_path, reasoning_provider):
    env = f"OPENAI_API_KEY={KEY}\nOPENAI_BASE_URL={reasoning_provider}\nWORKSHOP_MODEL=thinker-1\n"
    code, rows, out = doctor(tmp_path, env, live=True)
    assert code == 1 and "1 problem(s) to fix." in out
    temperature = rows["Temperature"]
    assert temperature.startswith("✗ | refused | ")
    assert "refused temperature for this model (400), as reasoning models do" in temperature
    assert 'reasoning_effort="none"' in temperature
    for check in ("Plain request", "Several choices (n)", "Structured output", "Streaming with usage",
                  "Tools"):
        assert rows[check].startswith("✓"), rows[check]
    assert rows["Tools"] == "✓ | called get_weather | "
    assert KEY not in out


def test_the_command_is_registered(capsys):
    assert cli.main(["doctor", "--help"]) == 0
    assert "--live" in capsys.readouterr().out
    assert cli.main(["doctor", "--now"]) == 2
    assert "`workshop doctor` does not take --now" in capsys.readouterr().err
