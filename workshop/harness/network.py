"""Keep a process off the network: connections to anything but this machine are refused."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", ""}


class NetworkBlockedError(OSError):
    """Raised instead of opening a connection that would leave this machine."""


def _is_loopback(address: Any) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0]
        if isinstance(host, bytes):
            host = host.decode()
        host = str(host or "")
        return host in LOOPBACK_NAMES or host.startswith("127.")
    return isinstance(address, (str, bytes))  # a Unix socket path stays on this machine


@contextmanager
def network_blocked() -> Iterator[None]:
    """Within this block, any connection to another machine fails at once with a clear error."""
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_getaddrinfo = socket.getaddrinfo

    def refuse(address: Any) -> NetworkBlockedError:
        host = address[0] if isinstance(address, tuple) else address
        port = f":{address[1]}" if isinstance(address, tuple) and len(address) > 1 else ""
        return NetworkBlockedError(
            f"a connection to {host}{port} was blocked: grading runs offline, "
            "so use the OpenAI client, which the grader answers"
        )

    def guarded_connect(self: socket.socket, address: Any) -> None:
        if not _is_loopback(address):
            raise refuse(address)
        return original_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        if not _is_loopback(address):
            raise refuse(address)
        return original_connect_ex(self, address)

    def guarded_getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback((host, port)):
            raise refuse((host, port))
        return original_getaddrinfo(host, port, *args, **kwargs)

    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = guarded_getaddrinfo
    try:
        yield
    finally:
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = original_getaddrinfo
