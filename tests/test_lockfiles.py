"""The two lock files agree with pyproject.toml and with each other.

`requirements.lock` is what every learner installs; `requirements-dev.lock` adds the course's own
test and authoring tools on top. `python .ci/lock.py` writes both.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from workshop.settings import REPO_ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

LEARNER_LOCK = REPO_ROOT / "requirements.lock"
DEV_LOCK = REPO_ROOT / "requirements-dev.lock"
ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)(?: ; (.+?))? \\$")
# The Pythons and platforms the course supports; a pin must exist for each of them.
ENVIRONMENTS = [
    {"python_version": version, "python_full_version": f"{version}.0", "sys_platform": platform,
     "platform_system": system, "os_name": os_name, "implementation_name": "cpython",
     "platform_python_implementation": "CPython", "platform_machine": "x86_64"}
    for version in ("3.10", "3.11", "3.12", "3.13")
    for platform, system, os_name in (("linux", "Linux", "posix"), ("darwin", "Darwin", "posix"),
                                      ("win32", "Windows", "nt"))
]


@dataclass(frozen=True)
class Pin:
    name: str
    version: Version
    marker: Marker | None
    hashes: tuple[str, ...]

    def applies(self, environment: dict[str, str]) -> bool:
        return self.marker is None or self.marker.evaluate(environment)


@cache
def pins(lock: Path) -> tuple[Pin, ...]:
    found: list[Pin] = []
    for line in lock.read_text(encoding="utf-8").splitlines():
        if match := ENTRY.match(line):
            name, version, marker = match.groups()
            found.append(Pin(canonicalize_name(name), Version(version), marker and Marker(marker), ()))
        elif line.strip().startswith("--hash=sha256:"):
            last, digest = found[-1], line.split(":", 1)[1].rstrip(" \\")
            found[-1] = Pin(last.name, last.version, last.marker, (*last.hashes, digest))
    return tuple(found)


def pinned(lock: Path, environment: dict[str, str]) -> dict[str, Version]:
    return {pin.name: pin.version for pin in pins(lock) if pin.applies(environment)}


@cache
def project() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def check_requirements(requirements: list[str], lock: Path) -> None:
    for environment in ENVIRONMENTS:
        versions = pinned(lock, environment)
        for requirement in map(Requirement, requirements):
            if requirement.marker is not None and not requirement.marker.evaluate(environment):
                continue
            name = canonicalize_name(requirement.name)
            where = f"{lock.name}, Python {environment['python_version']} on {environment['sys_platform']}"
            assert name in versions, f"{requirement} is not pinned in {where}"
            assert requirement.specifier.contains(versions[name], prereleases=True), (
                f"{lock.name} pins {name} {versions[name]}, outside pyproject.toml's {requirement}"
            )


def test_every_pin_is_exact_and_hash_checked():
    for lock in (LEARNER_LOCK, DEV_LOCK):
        assert pins(lock), f"{lock.name} has no pins"
        for pin in pins(lock):
            assert pin.hashes, f"{lock.name}: {pin.name} has no hash"
            assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in pin.hashes)


def test_the_learners_lock_pins_what_pyproject_requires():
    check_requirements(project()["dependencies"], LEARNER_LOCK)


def test_the_dev_lock_pins_the_requirements_and_the_dev_tools():
    check_requirements([*project()["dependencies"], *project()["optional-dependencies"]["dev"]], DEV_LOCK)


def test_the_learners_lock_carries_none_of_the_course_tools():
    names = {pin.name for pin in pins(LEARNER_LOCK)}
    for requirement in map(Requirement, project()["optional-dependencies"]["dev"]):
        assert canonicalize_name(requirement.name) not in names
    assert not names & {"playwright", "hypothesis", "ruff", "pytest-xdist", "hatchling", "greenlet"}


def test_both_locks_agree_on_every_package_they_share():
    dev = {(pin.name, pin.marker and str(pin.marker)): pin for pin in pins(DEV_LOCK)}
    for pin in pins(LEARNER_LOCK):
        twin = dev.get((pin.name, pin.marker and str(pin.marker)))
        assert twin == pin, f"{pin.name}: {pin.version} in {LEARNER_LOCK.name}, {twin} in {DEV_LOCK.name}"


@pytest.mark.parametrize("lock", [LEARNER_LOCK, DEV_LOCK], ids=lambda lock: lock.name)
def test_a_lock_names_no_package_index(lock):
    text = lock.read_text(encoding="utf-8")
    assert "://" not in text
    assert not re.search(r"^\s*--(index-url|extra-index-url|find-links|trusted-host)", text, re.MULTILINE)
    assert not re.search(r"\b[a-z0-9-]+\.(org|com|net|io|dev)\b", text), "a lock names a host"


@pytest.mark.parametrize("lock", [LEARNER_LOCK, DEV_LOCK], ids=lambda lock: lock.name)
def test_a_lock_says_how_it_was_made(lock):
    header = lock.read_text(encoding="utf-8").splitlines()[1]
    assert "pip compile pyproject.toml --universal --generate-hashes --python-version 3.10" in header
    assert header.endswith(f"-o {lock.name}")


def _left_out() -> list[str]:
    spec = importlib.util.spec_from_file_location("lock_script", REPO_ROOT / ".ci" / "lock.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return [canonicalize_name(name) for name in script.LEFT_OUT]


@pytest.mark.parametrize("lock", [LEARNER_LOCK, DEV_LOCK], ids=lambda lock: lock.name)
def test_a_lock_holds_everything_its_packages_need_but_what_is_left_out_on_purpose(lock):
    """start.py installs a lock with --no-deps, so a lock must be whole by itself."""
    here = {name: str(value) for name, value in default_environment().items()}
    locked = pinned(lock, here)
    left_out = _left_out()
    for name in locked:
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is not None and not requirement.marker.evaluate({**here, "extra": ""}):
                continue
            needed = canonicalize_name(requirement.name)
            assert needed in locked or needed in left_out, f"{name} needs {needed}, which {lock.name} lacks"
    assert not set(left_out) & set(locked)


def test_what_is_left_out_is_not_installed():
    """The environment built from the locks lacks it, and the strict site build (tests/test_docs.py)
    runs in that environment, so the site is known to build without it."""
    for name in _left_out():
        with pytest.raises(metadata.PackageNotFoundError):
            metadata.version(name)
