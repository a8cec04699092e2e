"""Each exercise is graded in a sealed process: code that hangs, exits, crashes, forks or reaches
for the network fails with its own sentence, on time, and cannot touch the session or the others."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import editor, solution_source
from workshop.catalog import find_exercise
from workshop.settings import REPO_ROOT

SOLUTION = solution_source("01")
changed = editor(SOLUTION)
ASK = "def ask(question: str) -> str:"
LIMIT = 1.0
# Unique to this test process (fixed width, so no pid is a prefix of another), so a sleep another
# xdist worker started is never counted here.
SLEEP = f"sleep 25.{os.getpid():07d}"


def in_ask(*lines: str) -> str:
    """The reference solution with `lines` run first thing in ask()."""
    return changed(ASK, "\n    ".join([ASK, *lines]))


@pytest.fixture(params=["fork", "spawn"])
def start_method(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways a grading process can start: forked (Linux), spawned (Windows, macOS)."""
    monkeypatch.setenv("WORKSHOP_GRADING_START", request.param)
    return request.param


class Timings:
    def __init__(self) -> None:
        self.calls: dict[str, pytest.TestReport] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call":
            self.calls[report.nodeid.rsplit("::", 1)[-1]] = report


def grade_timed(tmp_path: Path, source: str, *options: str) -> tuple[Timings, int, float]:
    folder = tmp_path / "submission" / "01_single_turn"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "travel_assistant.py").write_text(source, encoding="utf-8")
    timings = Timings()
    started = time.monotonic()
    code = pytest.main([
        str(REPO_ROOT / "exercises" / "01_single_turn"), "-q", "-p", "no:cacheprovider",
        f"--grade-dir={tmp_path / 'submission'}", f"--exercise-timeout={LIMIT}", *options,
    ], plugins=[timings])
    return timings, int(code), time.monotonic() - started


def processes_with(argument: str) -> list[str]:
    """Command lines of running processes that contain `argument`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if argument in command and "pgrep" not in command:
                found.append(command)
    return found


HANGS = {
    "a retry loop with a bare except": in_ask(
        "import time", "while True:", "    try:", "        time.sleep(0.01)", "    except:",
        "        print('retrying')",
    ),
    "a loop that ignores the time-limit signal": in_ask(
        "import signal", "signal.signal(signal.SIGALRM, signal.SIG_IGN)", "while True:", "    pass",
    ),
    "a shell command that sleeps": in_ask("import os", f"os.system('{SLEEP}')"),
    "a wait on a lock nobody releases": in_ask(
        "import threading", "lock = threading.Lock()", "lock.acquire()", "lock.acquire()",
    ),
}


@pytest.mark.parametrize("shape", HANGS)
def test_each_hang_ends_within_the_limit_and_a_second(tmp_path, shape, start_method, capsys):
    timings, code, _ = grade_timed(tmp_path, HANGS[shape])
    report = timings.calls["test_ask_sends_one_request_with_model_and_messages"]
    assert report.failed
    assert "was still running after 1 second" in report.longreprtext
    assert "so it was stopped" in report.longreprtext
    assert report.stop - report.start <= LIMIT + 1.0
    assert code == 1
    assert processes_with(SLEEP) == []


def test_a_thread_left_running_does_not_keep_grading_alive(tmp_path, capsys):
    source = in_ask(
        "import threading, time",
        "threading.Thread(target=time.sleep, args=(300,)).start()",
    )
    timings, code, seconds = grade_timed(tmp_path, source)
    assert code == 0 and seconds < 10
    assert all(report.passed for report in timings.calls.values())


def test_a_huge_allocation_fails_at_once_instead_of_filling_the_memory(tmp_path, capsys):
    timings, _code, _ = grade_timed(tmp_path, in_ask("blob = bytearray(10 * 1024**3)"))
    report = timings.calls["test_ask_sends_one_request_with_model_and_messages"]
    assert "raised MemoryError" in report.longreprtext
    assert report.stop - report.start <= LIMIT + 1.0


EXITS = {
    "os._exit(0)": (in_ask("import os", "os._exit(0)"),
                    "ended the Python process that was grading it before it returned: it exited "
                    "with status 0"),
    "os._exit(3)": (in_ask("import os", "os._exit(3)"), "it exited with status 3"),
    "sys.exit()": (in_ask("import sys", "sys.exit(0)"), "called exit() or sys.exit()"),
    "SIGTERM": (in_ask("import os, signal", "os.kill(os.getpid(), signal.SIGTERM)"),
                "the signal SIGTERM ended it"),
    "a crash": (in_ask("import ctypes", "ctypes.string_at(0)"),
                "the Python interpreter crashed (SIGSEGV)"),
    "the whole group killed": (in_ask("import os, signal", "os.killpg(0, signal.SIGKILL)"),
                               "it was killed (SIGKILL)"),
}


@pytest.mark.parametrize("shape", EXITS)
def test_each_way_of_ending_the_process_fails_with_its_own_sentence(grade, shape, start_method):
    source, sentence = EXITS[shape]
    grading = grade("01", source, f"--exercise-timeout={LIMIT}")
    assert grading.exit_code == 1
    assert grading.outcomes["test_ask_returns_the_reply_text"] == "failed"
    assert grading.outcomes["test_system_prompt_describes_the_assistant"] == "passed"
    assert sentence in grading.messages["test_ask_sends_one_request_with_model_and_messages"]
    assert grading.output.count("workshop progress") == 1


def test_an_exit_handler_cannot_turn_failures_into_success(tmp_path):
    source = changed("def build_messages", "import atexit, os\natexit.register(lambda: os._exit(0))\n\n\n"
                     "def build_messages").replace("return response.choices[0].message.content",
                                                   "return response")
    folder = tmp_path / "submission" / "01_single_turn"
    folder.mkdir(parents=True)
    (folder / "travel_assistant.py").write_text(source, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "exercises/01_single_turn", "-q", "-p", "no:cacheprovider",
         f"--grade-dir={tmp_path / 'submission'}"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1, result.stdout[-2000:]
    assert "returned a ChatCompletion object" in result.stdout


def test_forks_and_subprocesses_of_learner_code_end_with_the_exercise(grade):
    source = in_ask("import os, subprocess", "subprocess.Popen(['sleep', '31.75'])",
                    "os.fork()")
    grading = grade("01", source)
    assert grading.passed()
    assert grading.output.count("workshop progress") == 1
    assert grading.output.count("1/1 complete") == 1
    time.sleep(0.3)
    assert processes_with("sleep 31.75") == []


POISON = "\n".join([
    "import json, os, sys",
    "import openai",
    "from dotenv import load_dotenv",
    "load_dotenv(override=True)",
    "os.environ.pop('OPENAI_API_KEY', None)",
    "openai.OpenAI = None",
    "json.loads = None",
    "sys.setrecursionlimit(60)",
    "",
])


def test_a_poisoned_exercise_leaves_the_others_verdicts_alone(tmp_path, start_method):
    submission = tmp_path / "submission"
    shutil.copytree(REPO_ROOT / "solutions", submission)
    poisoned = submission / "01_single_turn" / "travel_assistant.py"
    poisoned.write_text(POISON + poisoned.read_text(encoding="utf-8"), encoding="utf-8")
    from workshop.harness.grading import grade

    reports = grade([find_exercise("01"), find_exercise("02")], grade_dir=submission, capture="sys")
    assert [report.status for report in reports] == ["failing", "done"]


NETWORK_SHAPES = {
    "tcp": "socket.create_connection(('192.0.2.1', 80), timeout=0.5)",
    "udp": "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('192.0.2.1', 53))",
    "tcp fast open": "socket.socket().sendto(b'x', getattr(socket, 'MSG_FASTOPEN', 0x20000000), "
                     "('192.0.2.1', 80))",
    "the C socket": "_socket.socket().connect(('192.0.2.1', 80))",
    "gethostbyname": "socket.gethostbyname('example.com')",
    "getaddrinfo": "socket.getaddrinfo('example.com', 443)",
    "a loopback-looking name": "socket.create_connection(('127.example.com', 80), timeout=0.5)",
    "raw socket": "socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)",
    "ipv6": "socket.socket(socket.AF_INET6).connect(('2001:db8::1', 80, 0, 0))",
}

PROBE = '''
import _socket, json, socket

results = {}
for name, line in SHAPES.items():
    try:
        exec(line)
        results[name] = "REACHED"
    except OSError as error:
        results[name] = str(error)
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen()
try:
    socket.create_connection(server.getsockname(), timeout=1).close()
    results["loopback"] = "REACHED"
except OSError as error:
    results["loopback"] = str(error)
with open(OUT, "w") as file:
    json.dump(results, file)

'''


def test_every_way_to_the_network_is_refused_with_the_same_message(grade, tmp_path, start_method):
    out = tmp_path / "network.json"
    probe = f"SHAPES = {NETWORK_SHAPES!r}\nOUT = {str(out)!r}\n{PROBE}"
    grade("01", changed("def build_messages", probe + "\ndef build_messages"))
    results = json.loads(out.read_text())
    assert results.pop("loopback") == "REACHED"  # this machine itself stays reachable
    for shape, message in results.items():
        assert "was blocked: grading runs offline" in message, shape


def test_stdin_reads_fail_at_once_even_with_capture_off(tmp_path):
    source = in_ask("import sys", "sys.stdin.readline()")
    folder = tmp_path / "submission" / "01_single_turn"
    folder.mkdir(parents=True)
    (folder / "travel_assistant.py").write_text(source, encoding="utf-8")
    with subprocess.Popen(
        [sys.executable, "-m", "pytest", "exercises/01_single_turn", "-q", "-s", "-p",
         "no:cacheprovider", f"--grade-dir={tmp_path / 'submission'}"],
        cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    ) as run:  # a terminal that never types anything
        output, _ = run.communicate(timeout=60)
    assert "called input()" in output


def test_a_flood_of_output_is_cut_to_a_few_kilobytes(grade):
    source = in_ask("print('y' * 5_000_000)", "raise RuntimeError('x' * 5_000_000)")
    grading = grade("01", source)
    message = grading.messages["test_ask_returns_the_reply_text"]
    assert "raised RuntimeError: xxx" in message
    assert "... cut, 4999700 more characters" in message
    assert "Your code printed:" in message
    assert len(grading.output) < 40_000


def test_print_output_of_a_failing_check_is_shown_short(grade):
    source = changed("return response.choices[0].message.content",
                     "return print('debug: got a reply') or response")
    grading = grade("01", source)
    message = grading.messages["test_ask_returns_the_reply_text"]
    assert "Your code printed:\n    debug: got a reply" in message


ASYNC_STREAMING = '''"""Exercise 08 with AsyncOpenAI and asyncio.run."""

import asyncio
from collections.abc import Callable

from openai import AsyncOpenAI
from openai.types import CompletionUsage

from workshop.settings import MODEL


def show(text: str) -> None:
    print(text, end="", flush=True)


async def _stream(question: str, on_text: Callable[[str], None]) -> tuple[str, CompletionUsage]:
    pieces, usage = [], None
    async with AsyncOpenAI() as client:
        stream = await client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": question}],
            stream=True, stream_options={"include_usage": True},
        )
        async for chunk in stream:
            usage = chunk.usage or usage
            if chunk.choices and chunk.choices[0].delta.content:
                on_text(chunk.choices[0].delta.content)
                pieces.append(chunk.choices[0].delta.content)
    return "".join(pieces), usage


def stream_reply(question: str, on_text: Callable[[str], None] = show) -> tuple[str, CompletionUsage]:
    return asyncio.run(_stream(question, on_text))
'''


def test_an_async_solution_with_a_stream_is_graded_like_a_sync_one(grade):
    grading = grade("08", ASYNC_STREAMING)
    assert grading.passed(), grading.failures


def test_progress_that_cannot_be_written_costs_one_sentence(grade, monkeypatch, tmp_path):
    from workshop import progress
    from workshop.harness import plugin

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setattr(progress, "PROGRESS_FILE", blocker / "progress.json")
    monkeypatch.setattr(plugin.GradingRun, "grades_learner_files", property(lambda self: True))
    grading = grade("01", SOLUTION)
    assert grading.passed()
    assert "Your progress could not be saved" in grading.output
    assert "Traceback" not in grading.output


def test_a_partial_run_keeps_the_saved_progress_of_what_it_did_not_finish(grade, monkeypatch, tmp_path):
    from workshop import progress
    from workshop.harness import plugin

    monkeypatch.setattr(progress, "PROGRESS_FILE", tmp_path / "progress.json")
    monkeypatch.setattr(plugin.GradingRun, "grades_learner_files", property(lambda self: True))
    progress.save_statuses({"01_single_turn": "done"})
    broken = changed("return response.choices[0].message.content", "return response")
    grade("01", broken, "-k", "returns_the_reply_text")
    assert progress.saved_statuses() == {"01_single_turn": "done"}
    no_prompt = changed("SYSTEM_PROMPT = (", "SYSTEM_PROMPT = '' and (")
    grade("01", no_prompt, "-x")
    assert progress.saved_statuses() == {"01_single_turn": "done"}
    grade("01", broken)
    assert progress.saved_statuses() == {"01_single_turn": "failing"}


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_a_dotenv_file_that_is_not_utf8_is_read_with_one_line(tmp_path, encoding):
    env_file = tmp_path / ".env"
    env_file.write_bytes("WORKSHOP_MODEL=modèle\n".encode(encoding))
    result = subprocess.run(
        [sys.executable, "-c", "import os, sys\nfrom pathlib import Path\nfrom workshop import settings\n"
         f"settings.load_dotenv_file(Path({str(env_file)!r}))\nprint(os.environ['WORKSHOP_MODEL'])"],
        cwd=REPO_ROOT, capture_output=True, text=True, encoding="utf-8", timeout=60,
        env={k: v for k, v in os.environ.items() if k != "WORKSHOP_MODEL"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "modèle"
    assert len(result.stderr.strip().splitlines()) <= 1
    assert "Traceback" not in result.stderr


def test_the_grading_process_holds_no_real_key_even_when_it_loads_a_dotenv(grade, tmp_path, monkeypatch,
                                                                           start_method):
    canary = "sk-canary-" + "9" * 40
    monkeypatch.setenv("OPENAI_API_KEY", canary)
    monkeypatch.setenv("MY_SERVICE_TOKEN", canary)
    env_file = tmp_path / "copied.env"
    env_file.write_text(f"OPENAI_API_KEY={canary}\nOPENAI_BASE_URL=\n")
    out = tmp_path / "seen.json"
    probe = (
        "import json, os\nfrom dotenv import dotenv_values, load_dotenv\n"
        f"load_dotenv({str(env_file)!r}, override=True)\n"
        f"json.dump({{'environ': dict(os.environ), 'values': dotenv_values({str(env_file)!r})}}, "
        f"open({str(out)!r}, 'w'))\n"
    )
    grading = grade("01", changed("def build_messages", probe + "\n\ndef build_messages"))
    assert grading.passed(), grading.failures
    seen = out.read_text()
    assert canary not in seen
    assert json.loads(seen)["environ"]["OPENAI_API_KEY"] == "sk-workshop-grading-placeholder"


def test_on_linux_the_grading_process_has_a_network_of_its_own(grade, tmp_path):
    if not Path("/proc/self/ns/net").exists():
        pytest.skip("no network namespaces here")
    if shutil.which("unshare") is None or subprocess.run(
        ["unshare", "-rn", "true"], capture_output=True
    ).returncode != 0:
        pytest.skip("this kernel does not allow an unprivileged network namespace")
    out = tmp_path / "namespace.txt"
    grade("01", changed("def build_messages", f"import os\nopen({str(out)!r}, 'w').write("
                        "os.readlink('/proc/self/ns/net'))\n\n\ndef build_messages"))
    assert out.read_text() != os.readlink("/proc/self/ns/net")


def test_an_exercise_graded_ahead_is_held_to_the_same_time_limit(tmp_path, monkeypatch):
    """With a core to spare, exercise 02 is graded while 01 still runs; its hang still ends on time."""
    from workshop.harness import plugin
    from workshop.harness.grading import grade

    monkeypatch.setattr(plugin, "exercises_ahead", lambda: 1)
    marks = tmp_path / "marks"
    marks.mkdir()
    submission = tmp_path / "submission"
    for key in ("01", "02"):
        exercise = find_exercise(key)
        (submission / exercise.id).mkdir(parents=True)
        shutil.copy(exercise.solution, submission / exercise.id / exercise.stub.name)
    slow = in_ask("import time", "time.sleep(0.2)",
                  f"open({str(marks / 'ask')!r}, 'a').write(f'{{time.monotonic()}}\\n')")
    (submission / "01_single_turn" / "travel_assistant.py").write_text(slow, encoding="utf-8")
    second = submission / "02_multi_turn" / find_exercise("02").stub.name
    send = "    def send(self, text: str) -> str:"
    hang = (f"{send}\n        import os, time\n"
            f"        open({str(marks / 'send')!r}, 'w').write(str(time.monotonic()))\n"
            "        os.system('sleep 27.5')")
    second.write_text(second.read_text(encoding="utf-8").replace(send, hang), encoding="utf-8")

    reports = grade([find_exercise("01"), find_exercise("02")], grade_dir=submission, capture="sys",
                    timeout=LIMIT)
    assert [report.status for report in reports] == ["done", "failing"]
    assert "was still running after 1 second" in (reports[1].first_failure or "")
    last_ask = max(float(line) for line in (marks / "ask").read_text().split())
    assert float((marks / "send").read_text()) < last_ask, "exercise 02 did not start ahead"
    assert processes_with("sleep 27.5") == []
