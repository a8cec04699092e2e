"""Set up the workshop on first use, then run a command inside its environment.

    python start.py                      open the workshop
    python start.py pytest               run the course's own test suite
    python start.py pytest exercises/    grade your exercises
    python start.py check 01             any other words go to the `workshop` command

Only the standard library is used here, because nothing else is installed yet.
The environment lives in `.venv/` and is rebuilt whenever `requirements.lock` changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / "workshop-lock.sha256"
TOOLS_IN_VENV = ("pytest", "workshop", "mkdocs", "ruff", "python")


def venv_executable(name: str) -> Path:
    folder = VENV / ("Scripts" if os.name == "nt" else "bin")
    suffix = ".exe" if os.name == "nt" else ""
    return folder / f"{name}{suffix}"


def lock_fingerprint() -> str:
    digest = hashlib.sha256(LOCK.read_bytes())
    digest.update((ROOT / "pyproject.toml").read_bytes())
    return digest.hexdigest()


def environment_is_current() -> bool:
    return (
        venv_executable("python").exists()
        and STAMP.exists()
        and STAMP.read_text().strip() == lock_fingerprint()
    )


def build_environment() -> None:
    """Create .venv and install the exact, hash-checked versions from the lock file."""
    print("Setting up the workshop in .venv (first run only; this takes a minute)...", flush=True)
    venv.EnvBuilder(clear=True, with_pip=True).create(VENV)
    python = str(venv_executable("python"))
    quiet = [] if os.environ.get("WORKSHOP_VERBOSE_SETUP") else ["--quiet"]
    pip = [python, "-m", "pip", "install", "--disable-pip-version-check", *quiet]
    subprocess.run([*pip, "--require-hashes", "-r", str(LOCK)], check=True)
    subprocess.run([*pip, "--no-deps", "--no-build-isolation", "-e", str(ROOT)], check=True)
    STAMP.write_text(lock_fingerprint())
    print("Setup complete.\n", flush=True)


def command_for(args: list[str]) -> list[str]:
    if args and args[0] in TOOLS_IN_VENV:
        return [str(venv_executable(args[0])), *args[1:]]
    return [str(venv_executable("workshop")), *args]


def main() -> int:
    if sys.version_info < (3, 10):  # noqa: UP036 - start.py must run on old Pythons to say so
        version = ".".join(map(str, sys.version_info[:2]))
        print(f"This workshop needs Python 3.10 or newer; this is Python {version}.")
        return 1
    if not environment_is_current():
        try:
            build_environment()
        except subprocess.CalledProcessError:
            print("Setup stopped: pip could not install the packages (see its message above). "
                  "Check your network connection and run `python start.py` again.")
            return 1
        except OSError as error:
            print(f"Setup stopped: could not create .venv ({error}).")
            return 1
    try:
        return subprocess.call(command_for(sys.argv[1:]), cwd=ROOT)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
