"""start.py, run against a course folder of its own with a stand-in for pip: no network, no downloads.

The stand-in pip "installs" a lock file by writing a small command for each tool the lock names,
and the course's own wheel by writing the `workshop` command it declares. What it does is set by
a file in the course folder: succeed (talking as much as pip does), fail as pip does offline, or
press Ctrl+C in the middle.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

from workshop.settings import REPO_ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

spec = importlib.util.spec_from_file_location("start_under_test", REPO_ROOT / "start.py")
start = importlib.util.module_from_spec(spec)
spec.loader.exec_module(start)

pytestmark = pytest.mark.skipif(os.name == "nt", reason="the stand-in tools are POSIX scripts")

FAKE_PIP = textwrap.dedent('''
    """A stand-in for `python -m pip install`, steered by the course folder's fake-pip-mode file."""
    import os, signal, sys, zipfile
    from pathlib import Path

    course = Path.cwd()
    mode = (course / "fake-pip-mode").read_text().strip()
    args = sys.argv[1:]
    with open(course / "pip-calls.txt", "a") as calls:
        calls.write(" ".join(Path(arg).name if os.sep in arg else arg for arg in args) + "\\n")
    print("WARNING: Location 'file:///opt/simple/openai/' is ignored: it is neither a file nor a directory.")
    if args[0] == "uninstall":
        sys.exit(0)
    print("Collecting openai==3.54.0")
    if mode == "offline":
        print("ERROR: Could not find a version that satisfies the requirement openai==3.54.0")
        sys.exit(1)
    if mode == "interrupt":  # Ctrl+C reaches start.py and pip alike; pip then stops
        os.kill(os.getppid(), signal.SIGINT)
        print("ERROR: Operation cancelled by user")
        sys.exit(1)
    bin_dir = Path(sys.prefix) / "bin"
    def tool(name):
        path = bin_dir / name
        path.write_text("#!" + sys.executable + "\\nimport sys\\nprint('ran', %r, *sys.argv[1:])\\n" % name)
        path.chmod(0o755)
    for arg in args:
        if arg.endswith(".lock"):
            for line in Path(arg).read_text().splitlines():
                name = line.split("==")[0]
                if name in ("pytest", "ruff"):
                    tool(name)
        if arg.endswith(".whl"):
            with zipfile.ZipFile(arg) as wheel:
                scripts = [n for n in wheel.namelist() if n.endswith("entry_points.txt")]
                for line in wheel.read(scripts[0]).decode().splitlines()[1:]:
                    tool(line.split("=")[0].strip())
    print("Successfully installed openai-3.54.0")
''')


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A course folder with lock files and a `.venv` that gets the stand-in pip when it is made."""
    root = tmp_path / "course"
    (root / "exercises" / "01_single_turn").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "chat-completions-workshop"\n')
    (root / "requirements.lock").write_text("openai==3.54.0\npytest==9.2.0\n")
    (root / "requirements-dev.lock").write_text("openai==3.54.0\npytest==9.2.0\nruff==0.17.6\n")
    (root / "fake-pip-mode").write_text("ok")
    monkeypatch.delenv("WORKSHOP_VERBOSE_SETUP", raising=False)

    def create_venv(self) -> None:
        venv.EnvBuilder(with_pip=False, symlinks=True).create(self.venv)
        site = next(self.venv.glob("lib/python3*/site-packages"))
        (site / "pip").mkdir()
        (site / "pip" / "__init__.py").write_text("")
        (site / "pip" / "__main__.py").write_text(FAKE_PIP)

    monkeypatch.setattr(start.Workshop, "create_venv", create_venv)
    return root


def pip_calls(root: Path) -> list[str]:
    path = root / "pip-calls.txt"
    return path.read_text().splitlines() if path.exists() else []


def set_pip(root: Path, mode: str) -> None:
    (root / "fake-pip-mode").write_text(mode)


def test_first_setup_installs_the_lock_then_runs_the_command_without_pip_chatter(course, capfd):
    assert start.main(["pytest", "exercises/"], root=course) == 0
    out = capfd.readouterr().out
    assert out.splitlines() == [
        "Setting up the workshop in .venv (first run only; this takes a minute or two)...",
        "Setup complete.",
        "",
        "ran pytest exercises/",
    ]
    assert [call.split()[-1] for call in pip_calls(course)] == [
        "setuptools", "requirements.lock", "chat_completions_workshop-0.1.0-py3-none-any.whl"]
    assert pip_calls(course)[0].startswith("uninstall ")
    assert "--require-hashes" in pip_calls(course)[1]
    assert not (course / ".venv-previous").exists()


def test_a_second_run_starts_at_once(course, capfd):
    start.main(["pytest", "exercises/"], root=course)
    capfd.readouterr()
    assert start.main(["check", "01"], root=course) == 0
    assert capfd.readouterr().out == "ran workshop check 01\n"
    assert len(pip_calls(course)) == 3


def test_pip_is_shown_when_asked_for(course, capfd, monkeypatch):
    monkeypatch.setenv("WORKSHOP_VERBOSE_SETUP", "1")
    assert start.main(["pytest", "exercises/"], root=course) == 0
    assert "Successfully installed openai-3.54.0" in capfd.readouterr().out


def test_pip_failing_offline_keeps_the_working_environment_and_says_how_to_retry(course, capfd):
    start.main(["pytest", "exercises/"], root=course)
    (course / ".venv" / "mine").write_text("the old environment")
    (course / "requirements.lock").write_text("openai==3.54.0\npytest==9.2.1\n")  # after a `git pull`
    set_pip(course, "offline")
    capfd.readouterr()
    assert start.main(["pytest", "exercises/"], root=course) == 1
    out = capfd.readouterr().out.splitlines()
    assert out[0].startswith("Updating .venv")
    assert out[1] == ("Setup stopped: pip could not install the workshop's packages from requirements.lock. "
                      "The .venv you had is kept.")
    assert out[2] == ("Check your internet connection, then run `python start.py` again "
                      f"(pip's full output is in {Path('.workshop', 'setup.log')}).")
    assert out[3:] == ["  pip: ERROR: Could not find a version that satisfies the requirement openai==3.54.0"]
    assert (course / ".venv" / "mine").read_text() == "the old environment"
    assert start.venv_executable(course / ".venv", "pytest").exists()
    assert not (course / ".venv-previous").exists()
    assert "is ignored" in (course / ".workshop" / "setup.log").read_text()


def test_a_first_setup_that_fails_leaves_no_half_built_environment(course, capfd):
    set_pip(course, "offline")
    assert start.main([], root=course) == 1
    out = capfd.readouterr().out
    assert "Setup stopped: pip could not install the workshop's packages from requirements.lock.\n" in out
    assert "Traceback" not in out and "WARNING" not in out
    assert not (course / ".venv").exists()
    set_pip(course, "ok")
    assert start.main(["pytest", "exercises/"], root=course) == 0


@pytest.fixture
def ctrl_c_raises():
    """Ctrl+C raises KeyboardInterrupt here, as in a terminal, even where CI started us ignoring it."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_during_setup_is_one_line_and_keeps_the_old_environment(course, capfd, ctrl_c_raises):
    start.main(["pytest", "exercises/"], root=course)
    (course / ".venv" / "mine").write_text("the old environment")
    (course / "requirements.lock").write_text("openai==3.54.0\npytest==9.2.1\n")
    set_pip(course, "interrupt")
    capfd.readouterr()
    assert start.main(["pytest", "exercises/"], root=course) == 130
    captured = capfd.readouterr()
    assert captured.out.splitlines()[-1] == (
        "Setup interrupted; .venv is as it was before. Run `python start.py` again to finish.")
    assert "Traceback" not in captured.out + captured.err
    assert (course / ".venv" / "mine").read_text() == "the old environment"
    assert not (course / ".venv-previous").exists()


def test_a_missing_pytest_or_workshop_command_rebuilds_the_environment(course, capfd):
    start.main(["pytest", "exercises/"], root=course)
    for tool in ("pytest", "workshop"):
        start.venv_executable(course / ".venv", tool).unlink()
        capfd.readouterr()
        assert start.main(["pytest", "exercises/"], root=course) == 0
        assert capfd.readouterr().out.splitlines()[-1] == "ran pytest exercises/"


def test_a_command_the_environment_lacks_gets_one_sentence(course, capfd):
    start.main(["pytest", "exercises/"], root=course)
    capfd.readouterr()
    assert start.main(["mkdocs", "serve"], root=course) == 1
    assert capfd.readouterr().out == (
        "`.venv` has no `mkdocs` command: delete the .venv folder and run `python start.py` again "
        "to rebuild it.\n")


def test_a_setup_cut_short_is_undone_on_the_next_run(course, capfd):
    start.main(["pytest", "exercises/"], root=course)
    (course / ".venv").rename(course / ".venv-previous")
    (course / ".venv" / "bin").mkdir(parents=True)  # half built when the laptop died
    capfd.readouterr()
    assert start.main(["pytest", "exercises/"], root=course) == 0
    assert capfd.readouterr().out == "ran pytest exercises/\n"
    assert not (course / ".venv-previous").exists()
    assert len(pip_calls(course)) == 3


def test_the_course_tools_come_only_with_the_course_suite_and_ruff(course, capfd):
    start.main(["pytest", "exercises/01_single_turn::test_x", "-q"], root=course)
    assert not start.venv_executable(course / ".venv", "ruff").exists()
    capfd.readouterr()
    assert start.main(["pytest", "--durations=5"], root=course) == 0
    out = capfd.readouterr().out.splitlines()
    assert out == ["Adding the course's test tools to .venv (once)...",
                   f"ran pytest -p xdist.plugin -n {start.COURSE_SUITE_WORKERS} --dist worksteal "
                   "--durations=5"]
    assert pip_calls(course)[-1].split()[-1] == "requirements-dev.lock"
    assert start.main(["ruff", "check", "."], root=course) == 0
    assert capfd.readouterr().out == "ran ruff check .\n"
    assert len(pip_calls(course)) == 4


def test_which_runs_grade_the_exercises(tmp_path):
    (tmp_path / "exercises" / "01_single_turn").mkdir(parents=True)
    assert start.grades_exercises(["exercises/"], tmp_path)
    assert start.grades_exercises(["-q", "exercises/01_single_turn/test_x.py::test_y"], tmp_path)
    assert not start.grades_exercises(["tests/", "-k", "exercises"], tmp_path)
    assert not start.grades_exercises(["--ignore", "exercises", "tests/"], tmp_path)
    assert start.needs_course_tools(["pytest"], tmp_path)
    assert start.needs_course_tools(["pytest", "tests/test_start.py"], tmp_path)
    assert not start.needs_course_tools(["pytest", "exercises", "--solutions"], tmp_path)
    assert not start.needs_course_tools([], tmp_path)
    assert not start.needs_course_tools(["check", "01"], tmp_path)


def test_commands_are_found_where_windows_and_posix_keep_them():
    folder = Path("C:/Users/ada/course/.venv")
    assert start.venv_executable(folder, "workshop", windows=True) == folder / "Scripts" / "workshop.exe"
    assert start.venv_executable(folder, "pytest", windows=False) == folder / "bin" / "pytest"


def test_the_editable_wheel_gives_the_workshop_command_and_imports_this_folder(tmp_path):
    wheel = start.write_editable_wheel(REPO_ROOT, tmp_path)
    target = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--disable-pip-version-check", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    (pth,) = target.glob("*.pth")
    assert pth.read_text().strip() == str(REPO_ROOT)
    assert "from workshop.commands.cli import main" in (target / "bin" / "workshop").read_text()
    with zipfile.ZipFile(wheel) as archive:
        assert "chat_completions_workshop-0.1.0.dist-info/RECORD" in archive.namelist()


def test_the_package_start_py_installs_is_the_one_pyproject_declares():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == start.PROJECT_NAME
    assert project["version"] == start.PROJECT_VERSION
    assert project["scripts"] == start.CONSOLE_SCRIPTS


def test_only_the_course_suite_keeps_compiled_modules_and_keeps_them_in_the_venv(tmp_path, monkeypatch):
    (tmp_path / "exercises").mkdir()
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.delenv("PYTHONPYCACHEPREFIX", raising=False)
    suite = start.environment_for(["pytest", "tests/"], tmp_path / ".venv", tmp_path)
    assert "PYTHONDONTWRITEBYTECODE" not in suite
    assert suite["PYTHONPYCACHEPREFIX"] == str(tmp_path / ".venv" / "pycache")
    grading = start.environment_for(["pytest", "exercises/"], tmp_path / ".venv", tmp_path)
    assert grading["PYTHONDONTWRITEBYTECODE"] == "1"
    assert "PYTHONPYCACHEPREFIX" not in grading


def test_only_pip_lines_that_say_why_reach_the_learner():
    output = "\n".join([
        "WARNING: Location 'file:///opt/simple/rich/' is ignored: it is neither a file nor a directory.",
        "Collecting rich==99.0.0",
        "ERROR: Ignored the following versions that require a different python version: 0.0.0",
        "ERROR: Could not find a version that satisfies the requirement rich==99.0.0 (from versions: "
        + ", ".join(f"{major}.0.0" for major in range(200)) + ")",
        "ERROR: No matching distribution found for rich==99.0.0",
    ])
    assert start.pip_reasons(output) == [
        "ERROR: Could not find a version that satisfies the requirement rich==99.0.0",
        "ERROR: No matching distribution found for rich==99.0.0",
    ]
    assert start.pip_reasons("Collecting rich\n" + "x" * 500) == ["Collecting rich", "x" * 156 + " ..."]
