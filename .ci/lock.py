"""Rewrite both lock files from pyproject.toml, hash-pinned for every platform and Python 3.10+.

    python .ci/lock.py            keep the pinned versions that still fit pyproject.toml
    python .ci/lock.py --upgrade  move every pin to the newest version that fits

`requirements.lock` holds what a learner's `python start.py` installs; `requirements-dev.lock`
holds the same pins plus the course's own test and authoring tools (the `dev` extra). The learner's
pins are resolved first and constrain the second file, so both agree on every shared package.
Needs uv (it is in the `dev` extra, or `pip install uv`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Required by a package but never imported by the course: Babel (34 MB of locale data) serves only
# mkdocs-material's blog plugin, which the lessons site does not use. start.py installs a lock
# with `--no-deps`, so what is left out here stays out; tests/test_lockfiles.py keeps this list
# and the locks in step.
LEFT_OUT = ["babel"]
COMMON = ["pip", "compile", "pyproject.toml", "--universal", "--generate-hashes",
          "--python-version", "3.10", "--quiet",
          *[option for name in LEFT_OUT for option in ("--no-emit-package", name)]]


def uv_command() -> list[str]:
    """uv from PATH, or from this Python's packages."""
    found = shutil.which("uv")
    if found:
        return [found]
    try:
        from uv import find_uv_bin
    except ImportError:
        sys.exit("uv is not installed: `pip install uv`, or run this with .venv's Python.")
    return [find_uv_bin()]


def main(args: list[str]) -> int:
    uv = uv_command()
    upgrade = ["--upgrade"] if "--upgrade" in args else []
    steps = [
        [*uv, *COMMON, *upgrade, "-o", "requirements.lock"],
        [*uv, *COMMON, *upgrade, "--extra", "dev", "-c", "requirements.lock", "-o", "requirements-dev.lock"],
    ]
    for step in steps:
        completed = subprocess.run(step, cwd=ROOT, check=False)
        if completed.returncode != 0:
            return completed.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
