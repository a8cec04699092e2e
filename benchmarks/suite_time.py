"""How long the course's own suite takes (`python start.py pytest`), and where its CPU time goes.

Runs the suite the way the README's second command does, several times, and prints the median
wall time next to the target (60 s on a 2-core machine) and the CPU time the run used. The suite
is CPU-bound, so the CPU time over the number of cores is the floor for its wall time; the files
that use most of that CPU come after (each test's own time and its child processes', the
Chromium and grading processes included).

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
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0
OUTPUT_VARIABLE = "WORKSHOP_SUITE_CPU_DIR"


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class _CpuByTest:
    """Loaded into each xdist worker with `-p benchmarks.suite_time`: CPU seconds per test."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.seconds: dict[str, float] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item):
        before = _cpu_seconds()
        yield
        self.seconds[item.nodeid] = _cpu_seconds() - before

    def pytest_sessionfinish(self) -> None:
        if self.seconds:
            (self.folder / f"{os.getpid()}.json").write_text(json.dumps(self.seconds))


def pytest_configure(config: pytest.Config) -> None:
    folder = os.environ.get(OUTPUT_VARIABLE)
    if folder:
        config.pluginmanager.register(_CpuByTest(Path(folder)), "suite-cpu-by-test")


def run_suite(folder: Path) -> tuple[float, float, int]:
    """One run of the suite: its wall seconds, its CPU seconds and its exit code."""
    environment = {**os.environ, OUTPUT_VARIABLE: str(folder), "PYTHONPATH": str(ROOT)}
    cpu, start = _cpu_seconds(), time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "start.py", "pytest", "-q", "-p", "no:cacheprovider", "-p", "benchmarks.suite_time"],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=False,
    )
    return time.perf_counter() - start, _cpu_seconds() - cpu, completed.returncode


def cpu_by_file(folder: Path) -> Counter[str]:
    totals: Counter[str] = Counter()
    for record in folder.glob("*.json"):
        for nodeid, seconds in json.loads(record.read_text()).items():
            totals[nodeid.split("::", 1)[0]] += seconds
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--files", type=int, default=10, help="how many of the costliest files to list")
    options = parser.parse_args()
    walls, cpus, by_file = [], [], Counter()
    for _ in range(options.runs):
        with tempfile.TemporaryDirectory() as folder:
            wall, cpu, code = run_suite(Path(folder))
            if code != 0:
                sys.exit(f"The suite failed (exit code {code}); time a green run.")
            walls.append(wall)
            cpus.append(cpu)
            by_file = cpu_by_file(Path(folder))
    cores = os.cpu_count() or 1
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(f"suite wall time:   {wall:.0f} s, median of {options.runs} (target: {TARGET_SECONDS:.0f} s "
          "on 2 cores)")
    print(f"suite CPU time:    {cpu:.0f} s on {cores} cores, so at least {cpu / cores:.0f} s of wall time")
    print("CPU by file (last run):")
    for path, seconds in by_file.most_common(options.files):
        print(f"  {seconds:6.1f} s  {path}")


if __name__ == "__main__":
    main()
