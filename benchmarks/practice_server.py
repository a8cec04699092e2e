"""How fast the practice model answers, how it holds up under load, and what memory it keeps.

Starts `python -m workshop.simulation.server` on a free loopback port in its own process, then:

1. sends non-streaming chat requests one after another over one kept-alive connection, first
   with a bare HTTP client (the server's own answer time plus the loopback round trip), then
   with the openai SDK (what a learner's script sees), and prints the median of each;
2. runs 50 clients at once for 10 seconds, each with its own SDK client, and prints how many
   requests succeeded, how many failed and the latency spread;
3. sends one prompt of about 100,000 tokens and times its answer;
4. sends 10,000 varied requests (memory, instructions, JSON modes, logprobs, long runs...) and
   reads the server's resident memory afterwards (Linux and macOS);
5. fills a prompt cache, in this process, with far more long prompts than it may hold, and
   prints the bytes it keeps.

The targets: an SDK median of at most 5 ms, no errors with 50 clients, the 100k-token prompt in
at most 2 s, under 250 MB of memory after the varied requests, and the cache within its bound.
Every phase is bounded in requests and in time.

    python benchmarks/practice_server.py [--requests 300] [--clients 50] [--seconds 10]
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
TARGET_MEDIAN_MS = 5.0
TARGET_LONG_PROMPT_SECONDS = 2.0
TARGET_MEMORY_MB = 250.0
PHASE_SECONDS = 120.0  # no phase runs longer than this, whatever the counts
REQUEST = {
    "model": "gpt-4.1-mini",
    "messages": [
        {"role": "system", "content": "You are a friendly, practical travel assistant. Answer briefly."},
        {"role": "user", "content": "What should I pack for three days in Lisbon in November?"},
    ],
}


def start_server() -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "workshop.simulation.server", "--port", "0", "--quiet",
               "--stream-delay", "0"]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        found = re.search(r"http://\S+/v1", line)
        if found:
            return server, found.group(0)
        if not line and server.poll() is not None:
            break
    server.kill()
    raise SystemExit("The practice server did not start.")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def bare_http_latencies(base_url: str, count: int) -> list[float]:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    body = json.dumps(REQUEST).encode()
    headers = {"content-type": "application/json", "authorization": "Bearer practice"}
    timings = []
    deadline = time.monotonic() + PHASE_SECONDS
    for _ in range(count):
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        connection.request("POST", f"{parts.path}/chat/completions", body, headers)
        response = connection.getresponse()
        response.read()
        timings.append(time.perf_counter() - started)
        if response.status != 200:
            raise SystemExit(f"The practice server answered {response.status}.")
    connection.close()
    return timings


def sdk_latencies(base_url: str, count: int) -> list[float]:
    from openai import OpenAI

    timings = []
    deadline = time.monotonic() + PHASE_SECONDS
    with OpenAI(base_url=base_url, api_key="practice", max_retries=0, timeout=10) as client:
        for _ in range(count):
            if time.monotonic() > deadline:
                break
            started = time.perf_counter()
            client.chat.completions.create(**REQUEST)
            timings.append(time.perf_counter() - started)
    return timings


def concurrent_clients(base_url: str, clients: int, seconds: float) -> tuple[list[float], list[str], float]:
    from openai import OpenAI

    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client_run() -> None:
        with OpenAI(base_url=base_url, api_key="practice", max_retries=0, timeout=30) as client:
            start.wait()
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                began = time.perf_counter()
                try:
                    client.chat.completions.create(**REQUEST)
                except Exception as error:  # every failure is counted, whatever it is
                    with lock:
                        errors.append(f"{type(error).__name__}: {error}")
                    continue
                with lock:
                    timings.append(time.perf_counter() - began)

    threads = [threading.Thread(target=client_run, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return timings, errors, time.perf_counter() - began


def long_prompt_seconds(base_url: str) -> tuple[float, int]:
    """How long a prompt of about 100,000 tokens takes to answer, and its counted size."""
    words = ["Lisbon", "Porto", "tram", "tiles", "pastry", "river", "viewpoint", "museum", "station",
             "market", "harbour", "castle", "bridge", "sunset", "azulejo", "fado"]
    rng = random.Random(100)
    text = " ".join(rng.choice(words) for _ in range(100_000))
    body = {"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": text}]}
    started = time.perf_counter()
    status, reply = post(base_url, body)
    seconds = time.perf_counter() - started
    if status != 200:
        raise SystemExit(f"The 100k-token prompt was answered with {status}: {reply}")
    return seconds, reply["usage"]["prompt_tokens"]


def varied_requests(base_url: str, count: int) -> tuple[int, int]:
    """`count` requests of many kinds over one connection; how many were answered 200 and 400."""
    rng = random.Random(7)
    questions = ["What should I pack for Oslo in January?", "When should I visit Kyoto?", "What is my name?",
                 "Any budget tips for Paris?", "What is 12 * 7?", "Who are you?", "Where do I live?",
                 "Suggest a name for a travel blog about Portugal.", "x" * 800, "=" * 300]
    systems = ["Answer in French.", "Answer in one sentence.", "Talk like a pirate.", "You are Ada, a guide.",
               "Use a bullet list.", "Reply in JSON.", "Be formal."]
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    answered = refused = 0
    deadline = time.monotonic() + PHASE_SECONDS
    for number in range(count):
        if time.monotonic() > deadline:
            break
        messages = [{"role": "system", "content": rng.choice(systems)},
                    {"role": "user", "content": f"Hi, I'm Priya{number}. I live in Leeds."},
                    {"role": "assistant", "content": "Nice to meet you!"},
                    {"role": "user", "content": rng.choice(questions)}]
        body: dict = {"model": rng.choice(["gpt-4.1-mini", "gpt-5.4-mini", "llama3.2"]), "messages": messages,
                      "temperature": rng.choice([0, 0.7, 1.5]), "n": rng.choice([1, 2]), "seed": number}
        if number % 5 == 0:
            body.update(logprobs=True, top_logprobs=3)
        if number % 7 == 0:
            body["response_format"] = {"type": "json_object"}
        connection.request("POST", f"{parts.path}/chat/completions", json.dumps(body).encode(),
                           {"content-type": "application/json"})
        response = connection.getresponse()
        response.read()
        answered += response.status == 200
        refused += response.status == 400
    connection.close()
    return answered, refused


def post(base_url: str, body: dict) -> tuple[int, dict]:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    connection.request("POST", f"{parts.path}/chat/completions", json.dumps(body).encode(),
                       {"content-type": "application/json"})
    response = connection.getresponse()
    data = json.loads(response.read())
    connection.close()
    return response.status, data


def resident_megabytes(pid: int) -> float | None:
    """A process's resident memory, from /proc (Linux) or ps (macOS); None elsewhere."""
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        found = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
        return int(found.group(1)) / 1024 if found else None
    try:
        output = subprocess.run(["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True,
                                check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return int(output.strip()) / 1024 if output.strip() else None


def cache_stays_bounded() -> tuple[int, int, int]:
    """Feed a small prompt cache 300 long, different prompts; (bytes kept, bound, prompts seen)."""
    sys.path.insert(0, str(ROOT))
    from workshop.simulation.cache import PromptCache

    cache = PromptCache(max_bytes=512 * 1024)
    for number in range(300):
        text = f"Guide number {number}. " + " ".join(f"stop{number}-{index}" for index in range(1500))
        cache.cached_tokens([{"role": "user", "content": text}])
    return cache.size_in_bytes, cache.max_bytes, 300


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="sequential requests per client kind")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the clients keep sending")
    parser.add_argument("--varied", type=int, default=10_000, help="varied requests before memory is read")
    args = parser.parse_args()
    server, base_url = start_server()
    try:
        bare_http_latencies(base_url, 20)  # warm up: imports, the tokenizer, the connection
        bare = bare_http_latencies(base_url, args.requests)
        sdk = sdk_latencies(base_url, args.requests)
        timings, errors, seconds = concurrent_clients(base_url, args.clients, args.seconds)
        long_seconds, long_tokens = long_prompt_seconds(base_url)
        answered, refused = varied_requests(base_url, args.varied)
        memory = resident_megabytes(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    kept, bound, prompts = cache_stays_bounded()
    bare_median = statistics.median(bare) * 1000
    print(f"practice server at {base_url}, {len(bare)} sequential non-streaming requests each:")
    print(f"  median latency, bare HTTP client:  {bare_median:.2f} ms   "
          f"(p95 {percentile(bare, 0.95) * 1000:.2f} ms; target: under {TARGET_MEDIAN_MS:g} ms)")
    sdk_median = statistics.median(sdk) * 1000
    print(f"  median latency, openai SDK:        {sdk_median:.2f} ms   "
          f"(p95 {percentile(sdk, 0.95) * 1000:.2f} ms; target: at most {TARGET_MEDIAN_MS:g} ms)")
    print(f"{args.clients} concurrent clients for {args.seconds:g} s: {len(timings)} answered, "
          f"{len(errors)} errors, in {seconds:.2f} s")
    if timings:
        print(f"  latency under load: median {statistics.median(timings) * 1000:.1f} ms, "
              f"p95 {percentile(timings, 0.95) * 1000:.1f} ms")
    for error in sorted(set(errors))[:5]:
        print(f"  error: {error}")
    print(f"a {long_tokens}-token prompt answered in {long_seconds:.2f} s "
          f"(target: at most {TARGET_LONG_PROMPT_SECONDS:g} s)")
    shown = f"{memory:.0f} MB" if memory is not None else "not measurable on this system"
    print(f"after {answered + refused} varied requests ({answered} answered, {refused} refused as the API "
          f"would): server memory {shown} (target: under {TARGET_MEMORY_MB:g} MB)")
    print(f"prompt cache after {prompts} long prompts: {kept} bytes kept, bound {bound} bytes")
    met = (sdk_median <= TARGET_MEDIAN_MS and not errors and timings
           and long_seconds <= TARGET_LONG_PROMPT_SECONDS and (memory is None or memory < TARGET_MEMORY_MB)
           and kept <= bound)
    print("targets met" if met else "targets NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
