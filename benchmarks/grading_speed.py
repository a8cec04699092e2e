"""How long grading every reference solution takes, next to pytest's bare start-up cost.

Prints the ratio of `pytest exercises/ --solutions` (each exercise in a grading process of its
own) to a pytest run of one trivial test that imports openai and respx, each the median of
several runs on this machine, taken in turn so a busy moment weighs on both alike. The target is
1.5 or less.

    python benchmarks/grading_speed.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIVIAL_TEST = "import openai\nimport respx\n\n\ndef test_nothing():\n    assert openai and respx\n"


# As on a learner's machine, Python keeps compiled bytecode between runs (some shells and
# containers switch that off, which makes every run compile everything again, both sides alike).
ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def seconds(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=False, capture_output=True, env=ENVIRONMENT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    baselines, gradings = [], []
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "test_trivial.py").write_text(TRIVIAL_TEST)
        seconds([*pytest, "test_trivial.py"], Path(folder))  # unmeasured: the caches are written
        seconds([*pytest, "exercises/", "--solutions"], ROOT)
        for _ in range(runs):
            baselines.append(seconds([*pytest, "test_trivial.py"], Path(folder)))
            gradings.append(seconds([*pytest, "exercises/", "--solutions"], ROOT))
    baseline, grading = statistics.median(baselines), statistics.median(gradings)
    print(f"trivial pytest run:      {baseline:.2f} s")
    print(f"grading all solutions:   {grading:.2f} s")
    print(f"ratio:                   {grading / baseline:.2f} (target: 1.5 or less)")


if __name__ == "__main__":
    main()
