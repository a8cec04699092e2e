"""Helpers for testing the lessons site like code: its code blocks, its commands, its build.

The pages are the hand-written Markdown files under `docs/` plus the exercise pages that
`docs/hooks.py` generates from the exercise list; both are read here the way MkDocs sees them.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from workshop.lesson_code import _FENCE, PYTHON_LANGUAGES, SKIP_MARKER, CodeBlock, code_blocks
from workshop.settings import REPO_ROOT

__all__ = ["PYTHON_LANGUAGES", "CodeBlock", "code_blocks"]

DOCS = REPO_ROOT / "docs"
MKDOCS_YML = REPO_ROOT / "mkdocs.yml"
SHELL_LANGUAGES = {"bash", "sh", "shell", "console", "powershell", "pwsh", "bat"}


@dataclass(frozen=True)
class Page:
    uri: str
    markdown: str
    generated: bool = False


_INLINE_COMMAND = re.compile(r"(?<!`)`((?:python|pytest|mkdocs|workshop)(?: [^`]+)?)`(?!`)")


def inline_commands(markdown: str) -> list[str]:
    """Commands shown in running text, such as `pytest exercises/`, outside code blocks."""
    lines = markdown.splitlines()
    for block in code_blocks("", markdown):
        for number in range(block.line - 1, block.end):
            lines[number] = ""
    return _INLINE_COMMAND.findall("\n".join(lines))


def skip_markers_without_block(markdown: str) -> list[int]:
    """Lines of skip markers that are not directly followed by a code block."""
    lines = markdown.splitlines()
    orphans = []
    for number, line in enumerate(lines):
        if SKIP_MARKER.match(line):
            following = next((later for later in lines[number + 1 :] if later.strip()), "")
            if not _FENCE.match(following):
                orphans.append(number + 1)
    return orphans


# --- the pages --------------------------------------------------------------------------------


@cache
def hooks() -> ModuleType:
    """The MkDocs hooks module, loaded the way MkDocs loads it."""
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def handwritten_pages() -> list[Page]:
    return [
        Page(path.relative_to(DOCS).as_posix(), path.read_text(encoding="utf-8"))
        for path in sorted(DOCS.rglob("*.md"))
        if "vendor" not in path.relative_to(DOCS).parts
    ]


def generated_pages() -> list[Page]:
    """The exercise pages exactly as the build generates them (without saved progress)."""
    module = hooks()
    pages = [Page(module.OVERVIEW_URI, module.overview_markdown(DOCS, {}), generated=True)]
    for exercise in module.exercises():
        markdown = module.exercise_markdown(exercise, DOCS, {})
        pages.append(Page(module.page_uri(exercise), markdown, generated=True))
    return pages


def all_pages() -> list[Page]:
    return handwritten_pages() + generated_pages()


def blocks_of(languages: set[str]) -> list[CodeBlock]:
    return [
        block
        for page in all_pages()
        for block in code_blocks(page.uri, page.markdown)
        if block.language in languages
    ]


def block_id(block: CodeBlock, blocks: list[CodeBlock]) -> str:
    """A readable test id: the page and the block's number among that page's blocks."""
    same_page = [other for other in blocks if other.page == block.page]
    return f"{block.page}#{same_page.index(block) + 1}"


# --- the built site ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    returncode: int
    output: str
    site: Path


def fresh_copy(destination: Path) -> Path:
    """The course as a clone would have it: the files git tracks (or would), no progress, no .env."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT, capture_output=True, check=True, timeout=60,
    ).stdout.decode().split("\0")
    for relative in filter(None, listed):
        source = REPO_ROOT / relative
        if source.is_file():
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    return destination


def _mkdocs_build(site: Path, options: tuple[str, ...], config: Path, cwd: Path) -> Build:
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", *options, "--config-file", str(config),
         "--site-dir", str(site)],
        cwd=cwd,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return Build(completed.returncode, completed.stdout + completed.stderr, site)


def build_site(*options: str, config: Path = MKDOCS_YML, cwd: Path = REPO_ROOT) -> Build:
    """Run `mkdocs build` into a new temporary folder (removed when the tests end)."""
    folder = Path(tempfile.mkdtemp(prefix="workshop-site-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return _mkdocs_build(folder / "site", options, config, cwd)


_SHARED_PREFIX = "workshop-sites-run-"
_STALE_SECONDS = 24 * 60 * 60


def _remove_stale_shared_builds() -> None:
    """Shared builds are left for the other workers of their run; a day later, no run uses them."""
    for folder in Path(tempfile.gettempdir()).glob(_SHARED_PREFIX + "*"):
        with contextlib.suppress(FileNotFoundError):  # another run removed it first
            if time.time() - folder.stat().st_mtime > _STALE_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)


def _shared_build(name: str, *options: str) -> Build:
    """Build the course's site once per pytest-xdist run, not once per worker.

    The first worker to ask builds it under an exclusive lock; the others wait for it and read
    the recorded result. Without xdist (or without `fcntl`), each process builds its own.
    """
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")
    if fcntl is None or not run.isalnum():
        return build_site(*options)
    folder = Path(tempfile.gettempdir()) / f"{_SHARED_PREFIX}{run}"
    if not folder.exists():
        _remove_stale_shared_builds()
        folder.mkdir(exist_ok=True)
    record = folder / f"{name}.json"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            build = _mkdocs_build(folder / name, options, MKDOCS_YML, REPO_ROOT)
            record.write_text(json.dumps([build.returncode, build.output]), encoding="utf-8")
            return build
    returncode, output = json.loads(record.read_text(encoding="utf-8"))
    return Build(returncode, output, folder / name)


@cache
def strict_build() -> Build:
    """`mkdocs build --strict`, run once per test session."""
    return _shared_build("strict", "--strict")


@cache
def built_site() -> Build:
    """The site, built once per test session for the tests that look at its pages.

    A warning must fail only the strict-build test, so that the other tests can still say what
    is right or wrong with the pages: when the strict build fails, the site is built again
    without `--strict`. When it succeeds, its site is that site (strict mode only aborts at the
    end of a build that logged warnings).
    """
    strict = strict_build()
    return strict if strict.returncode == 0 else _shared_build("lenient")


def nav_lessons() -> list[tuple[str, str]]:
    """(nav title, docs-relative page) of each lesson, in the order of the nav."""
    text = MKDOCS_YML.read_text(encoding="utf-8")
    section = text.split("  - Lessons:", 1)[1].split("\n  - ", 1)[0]
    return re.findall(r"^\s+- (.+?): (lessons/\S+\.md)$", section, re.MULTILINE)


def all_lessons() -> list[tuple[str, str]]:
    """(nav title, docs-relative page) of every lesson, as the built nav lists them."""
    listed = nav_lessons()
    known = {page for _, page in listed}
    extra = [
        path.relative_to(DOCS).as_posix()
        for path in sorted((DOCS / "lessons").glob("*.md"))
        if path.relative_to(DOCS).as_posix() not in known
    ]
    return listed + [(hooks().lesson_nav_title(DOCS, page), page) for page in extra]


def first_heading(markdown: str) -> str:
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise AssertionError("the page has no level-one heading")
