"""Set up the workshop on first use, then run a command inside its environment.

    python start.py                      open the workshop
    python start.py pytest exercises/    grade your exercises
    python start.py check 01             any other words go to the `workshop` command
    python start.py pytest               run the course's own test suite (adds its test tools)

Only the standard library is used here, because nothing else is installed yet. The environment
lives in `.venv/`: the packages in `requirements.lock`, rebuilt whenever that file changes, plus the
course's own test tools from `requirements-dev.lock` once the course's suite or ruff is run.
A new `.venv` is built while the old one waits beside it, so a failed or interrupted setup leaves
the old one as it was. Set WORKSHOP_VERBOSE_SETUP=1 to watch pip at work.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
TOOLS_IN_VENV = ("pytest", "workshop", "mkdocs", "ruff", "python")
# What `.venv` must hold to be of any use; a missing one means the environment is rebuilt.
REQUIRED_TOOLS = ("python", "pytest", "workshop")
# Tools that come only with the course's own test and authoring tools.
COURSE_TOOLS = ("ruff",)
# The course package as pyproject.toml declares it (tests/test_start.py keeps the two in step).
PROJECT_NAME = "chat-completions-workshop"
PROJECT_VERSION = "0.1.0"
CONSOLE_SCRIPTS = {"workshop": "workshop.commands.cli:main"}
# The course suite runs on every core, with one worker more than there are cores: many of its tests
# spend a second waiting (for a time limit, a browser, a paced stream), and the extra worker uses
# that second. pyproject.toml turns plugin autoloading off.
COURSE_SUITE_WORKERS = str((os.cpu_count() or 1) + 1)
COURSE_SUITE_OPTIONS = ("-p", "xdist.plugin", "-n", COURSE_SUITE_WORKERS, "--dist", "worksteal")
# pip's error lines that say nothing about what went wrong.
PIP_ASIDES = ("ERROR: Ignored the following versions",)
INTERRUPTED = "Setup interrupted; .venv is as it was before. Run `python start.py` again to finish."
# pytest options whose value is the next word, which is then no path to test.
PYTEST_OPTIONS_WITH_A_VALUE = frozenset({
    "-k", "-m", "-p", "-c", "-o", "-n", "-W", "--deselect", "--ignore", "--ignore-glob", "--rootdir",
    "--confcutdir", "--basetemp", "--override-ini", "--durations", "--maxfail", "--tb",
})


class SetupError(Exception):
    """A setup step that failed: `what` is one sentence for the learner, `output` is pip's text."""

    def __init__(self, what: str, output: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.output = output


def venv_executable(venv_dir: Path, name: str, windows: bool = os.name == "nt") -> Path:
    """Where a virtual environment keeps a command (Scripts\\NAME.exe on Windows, bin/NAME elsewhere)."""
    if windows:
        return venv_dir / "Scripts" / f"{name}.exe"
    return venv_dir / "bin" / name


class Workshop:
    """The course folder at `root` and the `.venv` that start.py keeps there."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.venv = root / ".venv"
        self.previous = root / ".venv-previous"
        self.learner_lock = root / "requirements.lock"
        self.dev_lock = root / "requirements-dev.lock"
        self.log = root / ".workshop" / "setup.log"

    # --- what is installed --------------------------------------------------------------------

    def stamp(self, lock: Path) -> Path:
        return self.venv / f"workshop-{lock.stem}.sha256"

    def fingerprint(self, lock: Path) -> str:
        digest = hashlib.sha256(lock.read_bytes())
        digest.update((self.root / "pyproject.toml").read_bytes())
        return digest.hexdigest()

    def installed(self, lock: Path, tools: tuple[str, ...]) -> bool:
        """Whether `.venv` holds the packages of `lock`, as it is now, with each of `tools`."""
        stamp = self.stamp(lock)
        if not all(venv_executable(self.venv, tool).exists() for tool in tools):
            return False
        try:
            return stamp.read_text(encoding="utf-8").strip() == self.fingerprint(lock)
        except OSError:
            return False

    def learner_ready(self) -> bool:
        return self.installed(self.learner_lock, REQUIRED_TOOLS)

    def course_tools_ready(self) -> bool:
        return self.installed(self.dev_lock, COURSE_TOOLS)

    # --- building -----------------------------------------------------------------------------

    def ensure(self, course_tools: bool) -> None:
        """Make `.venv` current, with the course's test tools too if `course_tools`."""
        self.recover_interrupted_build()
        if not self.learner_ready():
            self.rebuild(course_tools)
        elif course_tools and not self.course_tools_ready():
            print("Adding the course's test tools to .venv (once)...", flush=True)
            self.install_lock(self.dev_lock, "the course's test tools")

    def recover_interrupted_build(self) -> None:
        """Finish what a setup that was cut short (power off, a killed terminal) left behind."""
        if not self.previous.exists():
            return
        if self.stamp(self.learner_lock).exists():
            discard(self.previous)  # the new .venv had been finished
        else:
            discard(self.venv)
            self.previous.rename(self.venv)

    def rebuild(self, course_tools: bool) -> None:
        """Build a new `.venv` while the old one waits beside it; put the old one back on failure."""
        if self.venv.exists():
            print("Updating .venv to match requirements.lock (the one you have is kept until the new "
                  "one is ready)...", flush=True)
        else:
            print("Setting up the workshop in .venv (first run only; this takes a minute or two)...",
                  flush=True)
        if self.venv.exists():
            try:
                self.venv.rename(self.previous)
            except OSError as error:
                raise SetupError(
                    f"could not move the old .venv aside to build a new one ({error.strerror}); "
                    "close any window that uses the workshop"
                ) from None
        try:
            self.create_venv()
            # Python 3.11's venv adds setuptools, which nothing here uses: 9 MB a learner is spared.
            self.pip(["--yes", "setuptools"], "pip could not tidy the new .venv", action="uninstall")
            self.install_lock(self.learner_lock, "the workshop's packages")
            self.install_course()
            self.stamp(self.learner_lock).write_text(self.fingerprint(self.learner_lock), encoding="utf-8")
            if course_tools:
                self.install_lock(self.dev_lock, "the course's test tools")
        except BaseException:
            previous_handler = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl+C waits
            try:
                discard(self.venv)
                if self.previous.exists():
                    self.previous.rename(self.venv)
            finally:
                signal.signal(signal.SIGINT, previous_handler)
            raise
        discard(self.previous)
        print("Setup complete.\n", flush=True)

    def create_venv(self) -> None:
        try:
            venv.EnvBuilder(with_pip=True, symlinks=os.name != "nt").create(self.venv)
        except subprocess.CalledProcessError as error:
            output = error.output.decode(errors="replace") if isinstance(error.output, bytes) else ""
            raise SetupError(
                "Python could not install pip into .venv (on Debian or Ubuntu, "
                "`sudo apt install python3-venv` adds what is missing)", output
            ) from None
        except OSError as error:
            raise SetupError(f"could not create .venv ({error})") from None

    def install_lock(self, lock: Path, what: str) -> None:
        """Install exactly the pins of `lock`: it is resolved already, and leaves out on purpose
        what nothing here imports (see .ci/lock.py), which pip would otherwise add back."""
        self.pip(["--require-hashes", "--no-deps", "-r", str(lock)],
                 f"pip could not install {what} from {lock.name}")
        if lock == self.dev_lock:
            self.stamp(lock).write_text(self.fingerprint(lock), encoding="utf-8")

    def install_course(self) -> None:
        """Install the course folder itself, editable, from a wheel made here (no build backend)."""
        with tempfile.TemporaryDirectory() as folder:
            wheel = write_editable_wheel(self.root, Path(folder))
            self.pip(["--no-deps", "--no-index", "--force-reinstall", str(wheel)],
                     "pip could not install the workshop's own package")

    def pip(self, args: list[str], failure: str, action: str = "install") -> None:
        """Run pip in `.venv`: quiet unless WORKSHOP_VERBOSE_SETUP is set, its output kept for a failure."""
        command = [str(venv_executable(self.venv, "python")), "-m", "pip", action,
                   "--disable-pip-version-check", "--no-input", *args]
        if os.environ.get("WORKSHOP_VERBOSE_SETUP"):
            returncode, output = subprocess.call(command, cwd=self.root), ""
        else:
            completed = subprocess.run(command, cwd=self.root, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, check=False)
            returncode, output = completed.returncode, completed.stdout.decode(errors="replace")
        if returncode != 0:
            raise SetupError(failure, output)

    # --- reporting ----------------------------------------------------------------------------

    def explain(self, error: SetupError) -> str:
        """The failure in one sentence, how to retry, then the lines of pip's output that say why."""
        kept = " The .venv you had is kept." if self.venv.exists() else ""
        lines = [f"Setup stopped: {error.what}.{kept}"]
        retry = "Check your internet connection, then run `python start.py` again"
        if error.output and self.write_log(error.output):
            retry += f" (pip's full output is in {self.log.relative_to(self.root)})"
        lines.append(retry + ".")
        lines.extend(f"  pip: {line}" for line in pip_reasons(error.output))
        return "\n".join(lines)

    def write_log(self, output: str) -> bool:
        try:
            self.log.parent.mkdir(parents=True, exist_ok=True)
            self.log.write_text(output, encoding="utf-8")
        except OSError:
            return False
        return True


def pip_reasons(output: str, limit: int = 4, width: int = 160) -> list[str]:
    """pip's own error lines, or else its last lines, kept short; never its warnings and asides."""
    lines = [re.sub(r" \(from versions: [^)]*\)", "", line.rstrip()) for line in output.splitlines()]
    errors = [line for line in lines if line.startswith("ERROR:") and not line.startswith(PIP_ASIDES)]
    chosen = errors or [line for line in lines if line.strip() and not line.startswith("WARNING:")]
    return [line if len(line) <= width else line[: width - 4] + " ..." for line in chosen[-limit:]]


def discard(folder: Path) -> None:
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    elif folder.exists():
        shutil.rmtree(folder, ignore_errors=True)


def write_editable_wheel(root: Path, folder: Path) -> Path:
    """A wheel whose only content is a .pth file pointing at `root`, plus the `workshop` command.

    pip installs it like any wheel, so it writes the command's launcher (an .exe on Windows) and
    can uninstall it; the learner's environment needs no build backend for it.
    """
    distribution = PROJECT_NAME.replace("-", "_")
    info = f"{distribution}-{PROJECT_VERSION}.dist-info"
    scripts = "".join(f"{name} = {target}\n" for name, target in CONSOLE_SCRIPTS.items())
    files = {
        f"_{distribution}.pth": f"{root}\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {PROJECT_NAME}\nVersion: {PROJECT_VERSION}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: start.py\nRoot-Is-Purelib: true\n"
                         "Tag: py3-none-any\n",
        f"{info}/entry_points.txt": f"[console_scripts]\n{scripts}",
    }
    record = []
    for name, text in files.items():
        data = text.encode("utf-8")
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}\n")
    files[f"{info}/RECORD"] = "".join(record) + f"{info}/RECORD,,\n"
    wheel = folder / f"{distribution}-{PROJECT_VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return wheel


def grades_exercises(args: list[str], root: Path) -> bool:
    """Whether a pytest command line names the exercises (a learner's grading run)."""
    exercises = (root / "exercises").resolve()
    for before, arg in zip(["", *args], args, strict=False):
        if arg.startswith("-") or before in PYTEST_OPTIONS_WITH_A_VALUE:
            continue
        path = (root / arg.split("::", 1)[0]).resolve()
        if path == exercises or exercises in path.parents:
            return True
    return False


def needs_course_tools(args: list[str], root: Path) -> bool:
    """The course's own suite (`pytest` without the exercises) and ruff need the test tools."""
    if not args:
        return False
    return args[0] in COURSE_TOOLS or (args[0] == "pytest" and not grades_exercises(args[1:], root))


def command_for(args: list[str], venv_dir: Path, root: Path) -> list[str]:
    if not args or args[0] not in TOOLS_IN_VENV:
        return [str(venv_executable(venv_dir, "workshop")), *args]
    command = [str(venv_executable(venv_dir, args[0])), *args[1:]]
    if needs_course_tools(args, root) and args[0] == "pytest":
        command[1:1] = COURSE_SUITE_OPTIONS
    return command


def environment_for(args: list[str], venv_dir: Path, root: Path) -> dict[str, str]:
    """The course's suite starts hundreds of Python processes and pytest runs: there, compiled
    modules are kept (in .venv, out of the course's folders) even where the shell says not to."""
    environment = dict(os.environ)
    if args[:1] == ["pytest"] and needs_course_tools(args, root):
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
        environment.setdefault("PYTHONPYCACHEPREFIX", str(venv_dir / "pycache"))
    return environment


def run(command: list[str], root: Path, environment: dict[str, str] | None = None) -> int:
    """Run the command and pass on its exit status; Ctrl+C is the command's to handle."""
    if not Path(command[0]).exists():
        print(f"`.venv` has no `{Path(command[0]).stem}` command: delete the .venv folder and run "
              "`python start.py` again to rebuild it.")
        return 1
    with subprocess.Popen(command, cwd=root, env=environment) as process:
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:
                continue  # the command got the same Ctrl+C and decides how to end


def main(args: list[str] | None = None, root: Path = ROOT) -> int:
    if sys.version_info < (3, 10):  # noqa: UP036 - start.py must run on old Pythons to say so
        version = ".".join(map(str, sys.version_info[:2]))
        print(f"This workshop needs Python 3.10 or newer; this is Python {version}.")
        return 1
    args = sys.argv[1:] if args is None else args
    workshop = Workshop(root)
    try:
        workshop.ensure(course_tools=needs_course_tools(args, root))
    except SetupError as error:
        print(workshop.explain(error), flush=True)
        return 1
    except KeyboardInterrupt:
        print(f"\n{INTERRUPTED}")
        return 130
    command = command_for(args, workshop.venv, root)
    return run(command, root, environment_for(args, workshop.venv, root))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # a Ctrl+C that came just as setup ended
        print(f"\n{INTERRUPTED}")
        sys.exit(130)
