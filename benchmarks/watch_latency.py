"""How long `workshop watch` takes from saving an exercise file to showing its verdict.

Runs the same watcher as `workshop watch` on a scratch copy of exercise 01 (your own files are
never touched), saves it alternately as a failing attempt and as the reference solution, half the
time in place and half the time the way many editors do (write a temporary file, rename it over
the original), and prints the median time from each write to its verdict. The target is under
0.5 s.

    python benchmarks/watch_latency.py [--saves N] [--show]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from rich.console import Console

from workshop.catalog import find_exercise
from workshop.commands.watch import Watcher
from workshop.commands.workspace import Workspace
from workshop.harness.grading import ExerciseReport
from workshop.progress import DONE, FAILING

TARGET_SECONDS = 0.5


def save(path: Path, text: str, *, via_rename: bool) -> None:
    if via_rename:
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    else:
        path.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=12, help="how many saves to time (default 12)")
    parser.add_argument("--show", action="store_true", help="print the watcher's output too")
    options = parser.parse_args()

    exercise = find_exercise("01")
    solution = exercise.solution.read_text(encoding="utf-8")
    stub = exercise.stub.read_text(encoding="utf-8")
    failing = stub.replace('SYSTEM_PROMPT = ""', 'SYSTEM_PROMPT = "You are a travel assistant."')
    verdicts: list[tuple[float, str]] = []
    arrived = threading.Condition()
    latencies: list[float] = []
    problems: list[str] = []

    def on_verdict(report: ExerciseReport) -> None:
        with arrived:
            verdicts.append((time.perf_counter(), report.status))
            arrived.notify_all()

    with tempfile.TemporaryDirectory() as folder:
        workspace = Workspace(Path(folder))
        path = workspace.file(exercise)
        path.parent.mkdir(parents=True)
        path.write_text(failing, encoding="utf-8")
        console = Console() if options.show else Console(file=io.StringIO())
        watcher = Watcher(console, workspace, start=exercise, on_verdict=on_verdict)

        def saver() -> None:
            try:
                if not watcher.ready.wait(60):
                    problems.append("the watcher never started")
                    return
                for number in range(options.saves):
                    passing = number % 2 == 0
                    time.sleep(0.3)  # a pause between saves, as when someone types
                    with arrived:
                        seen = len(verdicts)
                        written = time.perf_counter()
                        save(path, solution if passing else failing, via_rename=number % 4 >= 2)
                        if not arrived.wait_for(lambda seen=seen: len(verdicts) > seen, timeout=10):
                            problems.append(f"save {number + 1} got no verdict within 10 s")
                            return
                        at, status = verdicts[seen]
                    latencies.append(at - written)
                    if status != (DONE if passing else FAILING):
                        problems.append(f"save {number + 1} was graded {status!r}")
            finally:
                watcher.stop_event.set()

        thread = threading.Thread(target=saver, daemon=True)
        thread.start()
        watcher.run()
        thread.join()

    if problems:
        print("; ".join(problems))
        return 1
    median = statistics.median(latencies)
    print(f"saves timed:          {len(latencies)}")
    print(f"each, in order:       {' '.join(f'{seconds:.2f}' for seconds in latencies)} s")
    print(f"fastest / slowest:    {min(latencies):.3f} s / {max(latencies):.3f} s")
    print(f"median save→verdict:  {median:.3f} s (target: under {TARGET_SECONDS} s)")
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
