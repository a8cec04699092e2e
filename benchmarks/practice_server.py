"""How fast the practice model answers, and whether 50 clients at once all get answers.

Starts `python -m workshop.simulation.server` on a free loopback port in its own process, then:

1. sends non-streaming chat requests one after another over one kept-alive connection, first
   with a bare HTTP client (the server's own answer time plus the loopback round trip), then
   with the openai SDK (what a learner's script sees), and prints the median of each;
2. starts 50 clients at once, each with its own SDK client, each sending a few requests, and
   prints how many succeeded, how many failed and the latency spread.

The targets: a median under 5 ms for a non-streaming request, and no errors with 50 clients.
Every phase is bounded in requests and in time.

    python benchmarks/practice_server.py [--requests 300] [--clients 50] [--per-client 10]
"""

from __future__ import annotations

import argparse
import http.client
import json
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
PHASE_SECONDS = 60.0  # no phase runs longer than this, whatever the counts
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


def concurrent_clients(base_url: str, clients: int, per_client: int) -> tuple[list[float], list[str], float]:
    from openai import OpenAI

    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    deadline = time.monotonic() + PHASE_SECONDS

    def client_run() -> None:
        with OpenAI(base_url=base_url, api_key="practice", max_retries=0, timeout=30) as client:
            start.wait()
            for _ in range(per_client):
                if time.monotonic() > deadline:
                    return
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
        thread.join(timeout=PHASE_SECONDS + 30)
    return timings, errors, time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="sequential requests per client kind")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--per-client", type=int, default=10)
    args = parser.parse_args()
    server, base_url = start_server()
    try:
        bare_http_latencies(base_url, 20)  # warm up: imports, the tokenizer, the connection
        bare = bare_http_latencies(base_url, args.requests)
        sdk = sdk_latencies(base_url, args.requests)
        timings, errors, seconds = concurrent_clients(base_url, args.clients, args.per_client)
    finally:
        server.terminate()
        server.wait(timeout=10)
    bare_median = statistics.median(bare) * 1000
    print(f"practice server at {base_url}, {len(bare)} sequential non-streaming requests each:")
    print(f"  median latency, bare HTTP client:  {bare_median:.2f} ms   "
          f"(p95 {percentile(bare, 0.95) * 1000:.2f} ms; target: under {TARGET_MEDIAN_MS:g} ms)")
    print(f"  median latency, openai SDK:        {statistics.median(sdk) * 1000:.2f} ms   "
          f"(p95 {percentile(sdk, 0.95) * 1000:.2f} ms)")
    sent = args.clients * args.per_client
    print(f"{args.clients} concurrent clients x {args.per_client} requests: {len(timings)}/{sent} answered, "
          f"{len(errors)} errors, in {seconds:.2f} s")
    if timings:
        print(f"  latency under load: median {statistics.median(timings) * 1000:.1f} ms, "
              f"p95 {percentile(timings, 0.95) * 1000:.1f} ms")
    for error in sorted(set(errors))[:5]:
        print(f"  error: {error}")
    met = bare_median < TARGET_MEDIAN_MS and not errors and len(timings) == sent
    print("targets met" if met else "targets NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
