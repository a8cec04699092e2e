"""The lessons site is tested like code: it builds strictly, its examples run, its commands exist.

Python blocks run against the simulated model (no key, no network), in page order and in one
namespace per page, so a block may use what an earlier block on the same page defined. A block
directly followed by a ```text title="Output" block must print exactly that text. A block that is
deliberately partial is marked with `<!-- skip-test: reason -->` on the line before it.
"""

from __future__ import annotations

import html
import importlib
import importlib.util
import os
import re
import shlex
import subprocess
import sys
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest

from tests.docs_support import (
    DOCS,
    MKDOCS_YML,
    PYTHON_LANGUAGES,
    SHELL_LANGUAGES,
    CodeBlock,
    all_lessons,
    all_pages,
    block_id,
    blocks_of,
    build_site,
    built_site,
    code_blocks,
    fresh_copy,
    handwritten_pages,
    hooks,
    inline_commands,
    nav_lessons,
    skip_markers_without_block,
    strict_build,
)
from workshop.catalog import load_catalog
from workshop.settings import REPO_ROOT
from workshop.simulation.api import SimulatedAPI

LESSONS = [
    "lessons/01-first-request.md",
    "lessons/02-messages-and-roles.md",
    "lessons/03-conversation-history.md",
    "lessons/04-parameters.md",
    "lessons/05-tokens-and-usage.md",
    "lessons/06-finish-reason.md",
    "lessons/07-structured-output.md",
    "lessons/08-context-management.md",
    "lessons/09-streaming.md",
    "lessons/10-errors-and-retries.md",
    "lessons/11-tool-calling.md",
]
MAX_SKIPPED_BLOCKS = 5
MAX_CODE_WIDTH = 79
PROVIDER_VARIABLES = ("OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_API_KEY")

PYTHON_BLOCKS = blocks_of(PYTHON_LANGUAGES)
SHELL_BLOCKS = blocks_of(SHELL_LANGUAGES)


# --- the build --------------------------------------------------------------------------------


def test_site_builds_strictly_without_warnings() -> None:
    build = strict_build()
    assert build.returncode == 0, f"mkdocs build --strict failed:\n{build.output}"
    assert "WARNING" not in build.output, build.output


def test_a_second_copy_of_the_course_builds_its_own_exercise_pages(tmp_path: Path) -> None:
    """The hooks read the course next to the mkdocs.yml being built, not the installed package."""
    copy = fresh_copy(tmp_path / "second-course")
    first = load_catalog()[0]
    catalog = copy / "info.toml"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace(
        f'title = "{first.title}"', 'title = "Only in the second copy"', 1), encoding="utf-8")
    readme = copy / "exercises" / first.id / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nA line only the copy has.\n",
                      encoding="utf-8")
    # Run from elsewhere, so that `workshop` is imported from this repository, not the copy.
    build = build_site(config=copy / "mkdocs.yml", cwd=tmp_path)
    assert build.returncode == 0, build.output
    page = (build.site / "exercises" / first.id / "index.html").read_text(encoding="utf-8")
    assert "Only in the second copy" in page and "A line only the copy has." in page
    assert first.title not in page
    assert "Only in the second copy" in (build.site / "index.html").read_text(encoding="utf-8")


def _site() -> Path:
    build = built_site()
    if build.returncode != 0:
        pytest.fail(f"the site did not build:\n{build.output}")
    return build.site


def _html(page_url: str) -> str:
    return (_site() / page_url / "index.html").read_text(encoding="utf-8")


def _text(page_url: str) -> str:
    """A built page's text, without tags (code blocks are split into spans by highlighting)."""
    return html.unescape(re.sub(r"<[^>]+>", "", _html(page_url)))


def test_every_lesson_exists_and_is_in_the_nav_in_order() -> None:
    assert [page for _, page in nav_lessons()] == LESSONS
    for page in LESSONS:
        assert (DOCS / page).is_file(), page
    sidebar = _html("").split('class="md-nav__title"', 1)[1]
    for _, page in all_lessons():
        assert f'href="{page.removesuffix(".md")}/"' in sidebar, f"{page} is not in the nav"


def test_every_lesson_has_goals_mistakes_and_hidden_answers() -> None:
    for _, page in all_lessons():
        text = (DOCS / page).read_text(encoding="utf-8")
        assert '!!! abstract "Goals"' in text, page
        assert "## Common mistakes" in text, page
        assert text.rstrip().split("\n## Next\n")[0].rstrip().rsplit("\n!!! ", 1)[-1].startswith(
            'success "Key takeaways"'
        ), f"{page} must close with a Key takeaways box"
        questions = re.findall(r'^\?\?\? question "', text, re.MULTILINE)
        assert len(questions) >= 3, f"{page} has {len(questions)} knowledge-check questions"


def test_each_exercise_has_a_generated_page_with_its_files_and_commands() -> None:
    for exercise in load_catalog():
        page = f"exercises/{exercise.id}"
        text = _text(page)
        assert exercise.title in text
        assert exercise.relative(exercise.stub) in text
        assert exercise.relative(exercise.solution) in text
        assert f"pytest exercises/{exercise.id}" in text
        hints = re.findall(r"\bHint (\d+)\b", text)
        assert hints == [str(number) for number in range(1, len(exercise.hints) + 1)]
        lesson = exercise.lesson.partition("#")[0].removesuffix(".md")
        assert f'href="../../{lesson}/' in _html(page), f"{exercise.id} must link to its lesson"


def test_home_page_lists_every_exercise_from_the_catalog() -> None:
    home = _html("")
    for exercise in load_catalog():
        assert f'href="exercises/{exercise.id}/"' in home, exercise.id
        assert exercise.title in home


def test_lessons_end_with_the_exercises_that_name_them() -> None:
    """The last lesson an exercise names links to it (the earlier ones lead to the next lesson)."""
    for exercise in load_catalog():
        page = exercise.lessons[-1].partition("#")[0]
        if (DOCS / page).is_file():
            assert f'href="../../exercises/{exercise.id}/"' in _html(page.removesuffix(".md")), exercise.id


def test_progress_comes_from_saved_statuses(tmp_path: Path) -> None:
    module = hooks()
    exercises = module.exercises()
    statuses = {exercises[0].id: "done"}
    if len(exercises) > 1:
        statuses[exercises[1].id] = "failing"
    table = module.exercise_table("index.md", DOCS, statuses)
    rows = [line for line in table.splitlines() if line.startswith(f"| {exercises[0].number} ")]
    assert rows and "done" in rows[0]
    if len(exercises) > 1:
        assert "failing" in table
    empty = module.exercise_table("index.md", DOCS, {})
    assert empty.count(module.NOT_GRADED) == len(exercises)


def test_exercise_readme_links_are_rewritten_for_the_site() -> None:
    module = hooks()
    exercise = load_catalog()[0]
    readme = (
        "See [the lesson](../../docs/lessons/01-first-request.md#the-response-object), "
        f"[your file]({exercise.stub.name}) and [the web](https://example.org/)."
    )
    rewritten = module._rewrite_links(readme, exercise, DOCS)
    assert "[the lesson](../lessons/01-first-request.md#the-response-object)" in rewritten
    assert f"your file (`{exercise.relative(exercise.stub)}`)" in rewritten
    assert "[the web](https://example.org/)" in rewritten


# --- offline ------------------------------------------------------------------------------------


class _Assets(HTMLParser):
    """Collects every URL a page would load by itself: scripts, styles, fonts, images, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.urls.append(values["src"] or "")
        if tag == "link" and values.get("href"):
            self.urls.append(values["href"] or "")
        if tag in ("img", "iframe", "source", "audio", "video", "embed") and values.get("src"):
            self.urls.append(values["src"] or "")
        if values.get("style"):
            self.styles.append(values["style"] or "")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", re.IGNORECASE)


def test_site_loads_nothing_from_other_hosts() -> None:
    site = _site()
    problems = []
    for page in site.rglob("*.html"):
        parser = _Assets()
        parser.feed(page.read_text(encoding="utf-8"))
        urls = parser.urls + [url for style in parser.styles for url in CSS_URL.findall(style)]
        problems += [f"{page.relative_to(site)}: {url}" for url in urls if EXTERNAL.match(url)]
    for stylesheet in site.rglob("*.css"):
        urls = CSS_URL.findall(stylesheet.read_text(encoding="utf-8"))
        problems += [f"{stylesheet.relative_to(site)}: {url}" for url in urls if EXTERNAL.match(url)]
    assert not problems, "pages load assets from other hosts:\n" + "\n".join(problems)


def test_mermaid_is_loaded_only_by_pages_with_a_diagram() -> None:
    script = "assets/vendor/mermaid/mermaid.min.js"
    with_diagram = without = 0
    for page in _site().rglob("index.html"):
        text = page.read_text(encoding="utf-8")
        if 'class="mermaid"' in text:
            with_diagram += 1
            assert text.count(script) == 1, page
            assert '<div class="workshop-diagram"><pre class="mermaid">' in text, page
        else:
            without += 1
            assert script not in text, f"{page} loads Mermaid but draws no diagram"
    assert with_diagram >= 5 and without >= 5


def test_every_lesson_says_how_to_run_its_examples_offline() -> None:
    for _, page in all_lessons():
        number = page.split("/")[-1][:2]
        text = _text(page.removesuffix(".md"))
        assert f"workshop try {number} runs every example below" in text, page
        assert "offline practice model answers" in text, page


def test_mermaid_is_served_locally_with_its_licence() -> None:
    config = MKDOCS_YML.read_text(encoding="utf-8")
    assert re.search(r"^\s+font: false$", config, re.MULTILINE), "theme.font must be false"
    vendored = DOCS / "assets" / "vendor" / "mermaid"
    assert (vendored / "mermaid.min.js").stat().st_size > 1_000_000
    assert "MIT License" in (vendored / "LICENSE").read_text(encoding="utf-8")
    page = _html("lessons/01-first-request")
    assert 'src="../../assets/vendor/mermaid/mermaid.min.js"' in page
    assert (_site() / "assets" / "vendor" / "mermaid" / "mermaid.min.js").is_file()
    assert not (_site() / "hooks.py").exists(), "the build code must not be published"


# --- Python examples ----------------------------------------------------------------------------


def test_only_a_few_blocks_are_skipped_and_each_says_why() -> None:
    skipped = [block for block in PYTHON_BLOCKS if block.skip is not None]
    assert len(skipped) <= MAX_SKIPPED_BLOCKS, [block_id(b, PYTHON_BLOCKS) for b in skipped]
    assert all(block.skip for block in skipped), "a skip-test marker needs a reason"
    for page in all_pages():
        assert not skip_markers_without_block(page.markdown), (
            f"{page.uri}: a skip-test marker must stand right before a code block"
        )


def test_examples_fit_the_width_of_the_page() -> None:
    """Code lines up to 79 characters show without a horizontal scroll bar on a laptop screen."""
    pages = {"index.md", "setup.md", *LESSONS}
    too_long = [
        f"{block.page}:{block.line + number}"
        for block in PYTHON_BLOCKS + SHELL_BLOCKS
        if block.page in pages
        for number, line in enumerate(block.source.splitlines(), start=1)
        if len(line) > MAX_CODE_WIDTH
    ]
    assert not too_long, too_long


def test_docs_have_python_examples() -> None:
    pages_with_code = {block.page for block in PYTHON_BLOCKS}
    assert set(LESSONS) <= pages_with_code


def _run(block: CodeBlock, namespace: dict[str, object]) -> None:
    # Leading newlines make tracebacks point at the block's lines in the Markdown file.
    code = compile("\n" * block.line + block.source, block.filename, "exec")
    exec(code, namespace)


@pytest.mark.parametrize(
    "block", PYTHON_BLOCKS, ids=[block_id(block, PYTHON_BLOCKS) for block in PYTHON_BLOCKS]
)
def test_python_example_runs(
    block: CodeBlock,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if block.skip is not None:
        pytest.skip(f"marked as partial: {block.skip}")
    for name in PROVIDER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-docs-placeholder")
    monkeypatch.chdir(tmp_path)
    earlier = [
        other
        for other in PYTHON_BLOCKS
        if other.page == block.page and other.line < block.line and other.skip is None
    ]
    namespace: dict[str, object] = {"__name__": "__main__"}
    with SimulatedAPI() as api:
        for other in earlier:
            try:
                _run(other, namespace)
            except Exception as error:
                pytest.fail(
                    f"an earlier block of this page, line {other.line}, failed: {error!r}"
                )
        capsys.readouterr()
        _run(block, namespace)
    output = capsys.readouterr().out
    assert not api.unanswered, [request.url for request in api.unanswered]
    if block.output is not None:
        assert output == block.output


# --- shell commands -----------------------------------------------------------------------------


@cache
def _pyproject() -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


@cache
def _pytest_options() -> frozenset[str]:
    """Every option `pytest exercises/` accepts, the grading plugin's options included."""
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--help", "exercises/"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return frozenset(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", completed.stdout))


@cache
def _workshop_help() -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "workshop", "--help"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False,
    )
    return completed.stdout + completed.stderr


def _known_variables() -> set[str]:
    """Environment variables that the `openai` client or the workshop's settings really read."""
    from openai import OpenAI

    probe = {
        "OPENAI_API_KEY": "sk-probe",
        "OPENAI_BASE_URL": "http://127.0.0.1:9/probe/",
        "OPENAI_ORG_ID": "org-probe",
        "OPENAI_PROJECT_ID": "proj-probe",
    }
    with mock.patch.dict(os.environ, probe):
        client = OpenAI()
    seen = {
        "OPENAI_API_KEY": client.api_key == "sk-probe",
        "OPENAI_BASE_URL": "/probe/" in str(client.base_url),
        "OPENAI_ORG_ID": client.organization == "org-probe",
        "OPENAI_PROJECT_ID": client.project == "proj-probe",
    }
    settings = (REPO_ROOT / "workshop" / "settings.py").read_text(encoding="utf-8")
    return {name for name, read in seen.items() if read} | set(
        re.findall(r'"(WORKSHOP_[A-Z_]+)"', settings)
    )


def _check_path(argument: str, problems: list[str]) -> None:
    if not (REPO_ROOT / argument).exists():
        problems.append(f"{argument} does not exist in the repository")


def _check_pytest(args: list[str], problems: list[str]) -> None:
    paths = tuple(arg for arg in args if not arg.startswith("-"))
    for path in paths:
        _check_path(path, problems)
    options = _pytest_options()
    for arg in args:
        if arg.startswith("-") and arg.split("=", 1)[0] not in options:
            problems.append(f"pytest has no option {arg}")


def _check_workshop(args: list[str], problems: list[str]) -> None:
    script = _pyproject()["project"]["scripts"].get("workshop")
    if script is None:
        problems.append("pyproject.toml declares no `workshop` command")
        return
    module_name, _, function = script.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        problems.append(f"the `workshop` command's module {module_name} is missing: {error}")
        return
    if not hasattr(module, function):
        problems.append(f"{module_name} has no {function}()")
    words = [arg for arg in args if not arg.startswith("-")]
    if words and not re.search(rf"\b{re.escape(words[0])}\b", _workshop_help()):
        problems.append(f"`workshop --help` does not list {words[0]!r}")


def _check_mkdocs(args: list[str], problems: list[str]) -> None:
    from mkdocs.__main__ import cli

    if not args:
        return  # the bare name, as in "`mkdocs` is found directly"
    if args[0] not in cli.commands:
        problems.append(f"mkdocs has no command {args[:1]}")
        return
    command = cli.commands[args[0]]
    options = {option for param in command.params for option in (*param.opts, *param.secondary_opts)}
    for arg in args[1:]:
        if arg.split("=", 1)[0] not in options:
            problems.append(f"mkdocs {args[0]} has no option {arg}")


def _start_py():
    spec = importlib.util.spec_from_file_location("workshop_start", REPO_ROOT / "start.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check_tool(words: list[str], problems: list[str]) -> None:
    tool, args = words[0], words[1:]
    if tool == "pytest":
        _check_pytest(args, problems)
    elif tool == "workshop":
        _check_workshop(args, problems)
    elif tool == "mkdocs":
        _check_mkdocs(args, problems)
    else:
        problems.append(f"unknown command {tool!r}")


def command_problems(command: str, language: str) -> list[str]:
    """What is wrong with a command the docs show (nothing, if it works in this repository)."""
    problems: list[str] = []
    windows = language in ("powershell", "pwsh", "bat")
    words = shlex.split(command, posix=not windows)
    if windows:
        words = [word.strip("'\"") for word in words]
    tool = words[0]
    if tool == "python" and words[1:2] == ["start.py"]:
        start = _start_py()
        args = words[2:]
        if args and args[0] in start.TOOLS_IN_VENV:
            _check_tool(args, problems)
        elif args:
            _check_workshop(args, problems)
    elif tool == "python" and len(words) == 2 and words[1].endswith(".py"):
        _check_path(words[1], problems)
    elif tool in ("pytest", "workshop", "mkdocs"):
        _check_tool(words, problems)
    elif tool == "pip" and words[1:2] == ["install"] and len(words) == 3:
        # For a learner's own project: the package must be one the course itself installs.
        locked = (REPO_ROOT / "requirements.lock").read_text(encoding="utf-8")
        if not re.search(rf"^{re.escape(words[2])}==", locked, re.MULTILINE):
            problems.append(f"{words[2]} is not a package the course installs")
    elif words in (["source", ".venv/bin/activate"], [".venv\\Scripts\\activate"]):
        if _start_py().VENV.name != ".venv":
            problems.append("start.py does not create .venv")
    elif tool in ("cp", "copy") and len(words) == 3:
        _check_path(words[1], problems)
        if ".env" not in (REPO_ROOT / ".gitignore").read_text(encoding="utf-8").split():
            problems.append(".env is not in .gitignore")
    elif tool == "export" or tool.startswith("$env:"):
        name = (words[1] if tool == "export" else tool[len("$env:"):]).split("=", 1)[0]
        if name not in _known_variables():
            problems.append(f"nothing reads the environment variable {name}")
    else:
        problems.append(f"unknown command {tool!r}")
    return problems


def _commands() -> list[tuple[str, str, str]]:
    found = []
    for block in SHELL_BLOCKS:
        for line in block.source.splitlines():
            command = line.strip()
            if block.language == "console":
                if not command.startswith("$ "):
                    continue
                command = command[2:]
            if command and not command.startswith("#"):
                found.append((block_id(block, SHELL_BLOCKS), block.language, command))
    for page in all_pages():
        for command in dict.fromkeys(inline_commands(page.markdown)):
            found.append((f"{page.uri} inline", "bash", command))
    return found


COMMANDS = _commands()


@pytest.mark.parametrize(
    ("where", "language", "command"), COMMANDS, ids=[f"{w}: {c}" for w, _, c in COMMANDS]
)
def test_shell_command_works_in_this_repository(where: str, language: str, command: str) -> None:
    assert not command_problems(command, language)


def test_docs_show_the_main_commands() -> None:
    commands = {command for _, _, command in COMMANDS}
    for expected in ("python start.py", "pytest exercises/", "mkdocs serve", "workshop"):
        assert expected in commands


def test_env_file_examples_only_set_real_settings() -> None:
    known = _known_variables()
    for page in handwritten_pages():
        for block in code_blocks(page.uri, page.markdown):
            if block.title != ".env":
                continue
            for line in block.source.splitlines():
                if line.strip() and not line.startswith("#"):
                    name = line.split("=", 1)[0].strip()
                    assert name in known, f"{page.uri}:{block.line}: {name}"


def test_inline_commands_are_found_in_running_text() -> None:
    text = "Run `pytest exercises/`, then `workshop`; `python-dotenv` is a package.\n"
    assert inline_commands(text + "```bash\n`mkdocs serve`\n```\n") == ["pytest exercises/", "workshop"]


def test_command_checker_rejects_what_does_not_exist() -> None:
    assert command_problems("pytest exercises/no_such_exercise", "bash")
    assert command_problems("pytest exercises/ --no-such-option", "bash")
    assert command_problems("mkdocs serve --no-such-option", "bash")
    assert command_problems("mkdocs deploy", "bash")
    assert command_problems("python start.py pytest missing/", "bash")
    assert command_problems("export NOT_A_SETTING=1", "bash")
    assert command_problems("make lessons", "bash")
    assert command_problems("pip install openai-unknown", "bash")
    assert not command_problems("pip install openai", "bash")
    assert not command_problems("mkdocs build --strict", "bash")
