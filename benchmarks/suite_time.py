"""How long the course's own suite takes (`python start.py pytest`), and where its CPU time goes.

Runs the suite the way the README's second command does, several times, and prints the median
wall time next to the target (60 s on a 2-core machine), the CPU time the run used and (on
Linux) how busy the cores were meanwhile. A suite that keeps every core busy is CPU-bound: its
CPU time over the number of cores is then the floor for its wall time. After that come the CPU
of the tests that grade a submission, and the files that use the most CPU (each test's own time
and its child processes', the Chromium and grading processes included).

    python benchmarks/suite_time.py [--runs N] [--files N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0
OUTPUT_VARIABLE = "WORKSHOP_SUITE_CPU_DIR"


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _busy_jiffies() -> tuple[int, int] | None:
    """The machine's busy and total CPU time so far, from /proc/stat (None where there is none)."""
    try:
        line = Path("/proc/stat").read_text().split("\n", 1)[0]
        # user, nice, system, idle, iowait, irq, softirq, steal (guest time is inside user's)
        user, nice, system, idle, iowait, irq, softirq, steal = (int(v) for v in line.split()[1:9])
    except (OSError, ValueError):
        return None
    busy = user + nice + system + irq + softirq + steal
    return busy, busy + idle + iowait


class _CpuByTest:
    """Loaded into each xdist worker with `-p benchmarks.suite_time`: CPU seconds per test, and
    whether the test grades a submission (it takes the suite's `grade` fixture)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.tests: dict[str, tuple[float, bool]] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item):
        before = _cpu_seconds()
        yield
        self.tests[item.nodeid] = (_cpu_seconds() - before, "grade" in getattr(item, "fixturenames", ()))

    def pytest_sessionfinish(self) -> None:
        if self.tests:
            (self.folder / f"{os.getpid()}.json").write_text(json.dumps(self.tests))


def pytest_configure(config: pytest.Config) -> None:
    folder = os.environ.get(OUTPUT_VARIABLE)
    if folder:
        config.pluginmanager.register(_CpuByTest(Path(folder)), "suite-cpu-by-test")


@dataclass
class Run:
    wall: float
    cpu: float
    busy: float | None  # the share of the machine's CPU time that was busy, where it is known


def run_suite(folder: Path) -> Run:
    """One run of the suite; a failing one ends the benchmark with pytest's own summary of it."""
    environment = {**os.environ, OUTPUT_VARIABLE: str(folder), "PYTHONPATH": str(ROOT)}
    jiffies, cpu, start = _busy_jiffies(), _cpu_seconds(), time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "start.py", "pytest", "-q", "-rfE", "-p", "no:cacheprovider",
         "-p", "benchmarks.suite_time"],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=False,
    )
    wall, cpu, after = time.perf_counter() - start, _cpu_seconds() - cpu, _busy_jiffies()
    if completed.returncode != 0:
        print("\n".join(completed.stdout.splitlines()[-20:]))
        sys.exit(f"The suite failed (exit code {completed.returncode}); time a green run.")
    busy = None
    if jiffies and after and after[1] > jiffies[1]:
        busy = (after[0] - jiffies[0]) / (after[1] - jiffies[1])
    return Run(wall, cpu, busy)


def recorded_tests(folder: Path) -> dict[str, tuple[float, bool]]:
    tests: dict[str, tuple[float, bool]] = {}
    for record in folder.glob("*.json"):
        tests.update({nodeid: (seconds, grades) for nodeid, (seconds, grades)
                      in json.loads(record.read_text()).items()})
    return tests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--files", type=int, default=10, help="how many of the costliest files to list")
    options = parser.parse_args()
    runs, tests = [], {}
    for _ in range(options.runs):
        with tempfile.TemporaryDirectory() as folder:
            runs.append(run_suite(Path(folder)))
            tests = recorded_tests(Path(folder))
    cores = os.cpu_count() or 1
    wall, cpu = statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs)
    print(f"suite wall time:   {wall:.0f} s, median of {options.runs} (target: {TARGET_SECONDS:.0f} s "
          "on 2 cores)")
    print(f"suite CPU time:    {cpu:.0f} s on {cores} cores, so at least {cpu / cores:.0f} s of wall time")
    busy = [r.busy for r in runs if r.busy is not None]
    if busy:
        print(f"cores busy:        {statistics.median(busy):.0%} of the run")
    grading = [seconds for seconds, grades in tests.values() if grades]
    print(f"grading tests:     {len(grading)} of {len(tests)} tests grade a submission, "
          f"{sum(grading):.0f} s of CPU (last run)")
    by_file: Counter[str] = Counter()
    for nodeid, (seconds, _) in tests.items():
        by_file[nodeid.split("::", 1)[0]] += seconds
    print("CPU by file (last run):")
    for path, seconds in by_file.most_common(options.files):
        print(f"  {seconds:6.1f} s  {path}")


if __name__ == "__main__":
    main()
