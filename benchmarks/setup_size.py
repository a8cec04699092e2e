"""What a learner's first `python start.py` costs: setup time, download size and `.venv` size.

Copies the course's tracked files to a temporary folder and runs `python start.py` there with an
empty pip cache, as on a new laptop, adding up the sizes pip reports as it downloads, then says
whether the course's test tools stayed out. With
`--course-tools` it goes on to time `python start.py pytest`'s one-off addition of those tools.
The target is a learner's `.venv` of 200 MB or less.

    python benchmarks/setup_size.py [--course-tools]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
# What only the course's own tests use; none of it belongs in a learner's environment.
COURSE_ONLY = ("playwright", "hypothesis", "ruff", "xdist", "uv")
DOWNLOADING = re.compile(r"Downloading \S+ \(([\d.]+) (kB|MB|GB)\)")
UNITS = {"kB": 1000, "MB": 1000 * 1000, "GB": 1000 * 1000 * 1000}


def folder_size(folder: Path) -> int:
    """The bytes of the files in `folder`, symbolic links not followed."""
    return sum(path.lstat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def disk_usage(folder: Path) -> int:
    """What `du` counts: whole file-system blocks, so many small files weigh more than their bytes."""
    return sum(getattr(path.lstat(), "st_blocks", 0) * 512 for path in folder.rglob("*"))


def copy_tracked_files(target: Path) -> None:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    for name in listed.stdout.decode().split("\0"):
        source = ROOT / name
        if name and source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())


def timed_start(course: Path, args: list[str], cache: Path) -> tuple[float, int]:
    """Seconds that `python start.py ARGS` took, and the bytes pip said it downloaded."""
    environment = {**os.environ, "PIP_CACHE_DIR": str(cache), "WORKSHOP_VERBOSE_SETUP": "1"}
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "start.py", *args], cwd=course, env=environment,
                               capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"`python start.py {' '.join(args)}` failed:\n{completed.stdout}{completed.stderr}")
    downloaded = sum(float(size) * UNITS[unit] for size, unit in DOWNLOADING.findall(completed.stdout))
    return elapsed, int(downloaded)


def site_packages(venv: Path) -> list[str]:
    found = [*venv.glob("lib/python3*/site-packages"), venv / "Lib" / "site-packages"]
    return sorted(entry.name.lower() for folder in found if folder.is_dir() for entry in folder.iterdir())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course-tools", action="store_true", help="also time adding the test tools")
    course_tools = parser.parse_args().course_tools
    with tempfile.TemporaryDirectory() as folder:
        course, cache = Path(folder, "course"), Path(folder, "pip-cache")
        copy_tracked_files(course)
        seconds, downloaded = timed_start(course, ["python", "-c", "pass"], cache)
        venv = course / ".venv"
        installed = site_packages(venv)
        carried = [name for name in COURSE_ONLY if any(entry.startswith(name) for entry in installed)]
        print(f"first-run setup time:    {seconds:.1f} s")
        print(f"download size:           {downloaded / MB:.1f} MB")
        print(f".venv size:              {folder_size(venv) / MB:.1f} MB of files (target: 200 MB or less), "
              f"{disk_usage(venv) / MB:.1f} MB of disk blocks here")
        print(f"course-only tools in it: {', '.join(carried) or 'none'}")
        if course_tools:
            seconds, downloaded = timed_start(course, ["pytest", "--version"], cache)
            print(f"adding the test tools:   {seconds:.1f} s, {downloaded / MB:.1f} MB more download, "
                  f".venv now {folder_size(venv) / MB:.1f} MB")


if __name__ == "__main__":
    main()
