"""Seal a grading process before any learner code is imported into it.

A sealed process holds no real key (its environment has a placeholder, and a `.env` the learner's
code loads yields placeholders too), cannot reach another machine (Python's sockets and name
lookups are guarded for its whole life and, on Linux where the kernel allows it, it has a network
namespace of its own with nothing but loopback in it), answers every SDK request from the
simulated API, cannot wait for typing, and cannot take all of the machine's memory.
"""

from __future__ import annotations

import ctypes
import os
import re
import socket
import struct
import sys
from collections.abc import MutableMapping
from typing import Any

from workshop.harness.network import block_network_for_good

# Grading never needs a real key; this stands in for one, so a real key is never sent anywhere.
PLACEHOLDER_KEY = "sk-workshop-grading-placeholder"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL)", re.IGNORECASE)
MEMORY_LIMIT = 3 * 1024**3  # bytes of address space: far above any exercise, far below a runaway

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
SIOCSIFFLAGS = 0x8914
IFF_UP, IFF_LOOPBACK, IFF_RUNNING = 0x1, 0x8, 0x40


def sealed_environment(environ: MutableMapping[str, str]) -> None:
    """Replace the key with the placeholder and drop every other secret-looking variable."""
    for name in [name for name in environ if SECRET_NAME.search(name)]:
        del environ[name]
    environ["OPENAI_API_KEY"] = PLACEHOLDER_KEY
    environ["OPENAI_BASE_URL"] = DEFAULT_BASE_URL


def _neutralise_dotenv() -> None:
    """Whatever `.env` the learner's code loads, its secrets arrive as the placeholder."""
    try:
        from dotenv import main as dotenv_main
    except ImportError:
        return
    original = dotenv_main.DotEnv.dict

    def placeholders(self: Any) -> dict[str, str | None]:
        values = dict(original(self))
        for name, value in values.items():
            if SECRET_NAME.search(name):
                values[name] = PLACEHOLDER_KEY
            elif name == "OPENAI_BASE_URL" and not (value or "").strip():
                values[name] = None  # an empty address would break the SDK's default
        return values

    dotenv_main.DotEnv.dict = placeholders  # type: ignore[method-assign]


def enter_network_namespace() -> bool:
    """On Linux, move this (single-threaded) process into a network namespace of its own.

    Only an unprivileged user namespace is needed, which most distributions allow; where the
    kernel refuses, Python's guards still apply and this returns False.
    """
    if not sys.platform.startswith("linux"):
        return False
    uid, gid = os.getuid(), os.getgid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
            return False
    except (OSError, AttributeError):
        return False
    for path, text in (("/proc/self/setgroups", "deny"), ("/proc/self/uid_map", f"{uid} {uid} 1"),
                       ("/proc/self/gid_map", f"{gid} {gid} 1")):
        try:
            with open(path, "w") as file:
                file.write(text)
        except OSError:
            pass
    _loopback_up()
    return True


def _loopback_up() -> None:
    """A new network namespace starts with loopback down; bring it up so local sockets work."""
    import fcntl

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING
            fcntl.ioctl(probe, SIOCSIFFLAGS, struct.pack("16sH14s", b"lo", flags, b""))
    except OSError:
        pass


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:
        return
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ValueError):
        pass


def _no_keyboard() -> None:
    """Standard input reads nothing: code waiting for typing ends at once instead of hanging."""
    try:
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
    except OSError:
        pass


def seal(*, namespace: bool = True) -> None:
    """Seal this process for grading: call it before learner code is imported, while it has one thread."""
    if namespace:
        enter_network_namespace()
    sealed_environment(os.environ)
    _neutralise_dotenv()
    _limit_memory()
    _no_keyboard()
    block_network_for_good()
    from workshop.simulation.api import SimulatedAPI

    SimulatedAPI().__enter__()  # answers any request for the process's whole life
