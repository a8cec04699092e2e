"""Keep a process off the network: connections to anything but this machine are refused.

Every way Python code reaches another host goes through one of a few doors: a socket's connect,
its sendto/sendmsg (UDP, and TCP Fast Open), a name lookup, or a raw socket. Each door is guarded
here, on the `socket` module and on `_socket` underneath it, and each refusal says the same thing.
Only addresses that are loopback by their numbers pass: `127.example.com` is a host name, not
an address, so it is refused like any other name but `localhost`.
"""

from __future__ import annotations

import _socket
import ipaddress
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

LOOPBACK_NAMES = {"localhost", "localhost.", ""}
INTERNET_FAMILIES = {socket.AF_INET, socket.AF_INET6}
REFUSED_TYPES = {socket.SOCK_RAW}
REFUSED_FAMILIES = {getattr(socket, "AF_PACKET", None)} - {None}


class NetworkBlockedError(OSError):
    """Raised instead of opening a connection that would leave this machine."""


def is_loopback_host(host: Any) -> bool:
    """True only for `localhost` and addresses whose numbers are loopback (127.0.0.0/8, ::1)."""
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if host is None:
        return True
    host = str(host).strip().strip("[]").split("%")[0]
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def refusal(host: Any, port: Any = None) -> NetworkBlockedError:
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    where = f"{host}:{port}" if port not in (None, "", 0) else f"{host}"
    return NetworkBlockedError(
        f"a connection to {where} was blocked: grading runs offline, "
        "so use the OpenAI client, which the grader answers"
    )


def _check_address(family: int, address: Any) -> None:
    if family not in INTERNET_FAMILIES or not isinstance(address, tuple) or not address:
        return  # Unix sockets and the like stay on this machine
    if not is_loopback_host(address[0]):
        raise refusal(address[0], address[1] if len(address) > 1 else None)


def _check_kind(family: int, kind: int) -> None:
    if family in REFUSED_FAMILIES or (family in INTERNET_FAMILIES and kind & 0xF in REFUSED_TYPES):
        raise NetworkBlockedError(
            "a raw network socket was blocked: grading runs offline, "
            "so use the OpenAI client, which the grader answers"
        )


def _check_new_socket(family: Any, kind: Any) -> None:
    _check_kind(socket.AF_INET if family == -1 else int(family),
                socket.SOCK_STREAM if kind == -1 else int(kind))


def _sendto_address(args: tuple[Any, ...]) -> Any:
    return args[-1] if len(args) in (2, 3) else None


def _guarded_methods(base: type) -> dict[str, Callable[..., Any]]:
    """Replacements for a socket class's doors, each checking before calling `base`'s own."""

    def connect(self: Any, address: Any) -> Any:
        _check_address(self.family, address)
        return base.connect(self, address)

    def connect_ex(self: Any, address: Any) -> Any:
        _check_address(self.family, address)
        return base.connect_ex(self, address)

    def sendto(self: Any, *args: Any) -> Any:
        _check_address(self.family, _sendto_address(args))
        return base.sendto(self, *args)

    def sendmsg(self: Any, *args: Any) -> Any:
        if len(args) >= 4:
            _check_address(self.family, args[3])
        return base.sendmsg(self, *args)

    return {"connect": connect, "connect_ex": connect_ex, "sendto": sendto, "sendmsg": sendmsg}


def _guarded_raw_socket_class() -> type:
    original = _socket.socket

    class GuardedSocket(original):  # type: ignore[misc, valid-type]
        __slots__ = ()

        # `socket.socket.__init__` calls `_socket.socket.__init__` by name, so this runs for
        # instances of the original class too: call its `__init__` directly, not through super().
        def __init__(self, family: int = -1, type: int = -1, proto: int = -1, fileno: Any = None) -> None:
            if fileno is None:
                _check_new_socket(family, type)
            original.__init__(self, family, type, proto, fileno)

    for name, method in _guarded_methods(original).items():
        setattr(GuardedSocket, name, method)
    GuardedSocket.__name__ = GuardedSocket.__qualname__ = "socket"
    GuardedSocket.__module__ = "_socket"
    return GuardedSocket


def _guarded_lookup(original: Callable[..., Any]) -> Callable[..., Any]:
    def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, tuple):  # getnameinfo((host, port), flags)
            _check_address(socket.AF_INET, host)
        elif not is_loopback_host(host):
            port = args[0] if args and isinstance(args[0], (int, str)) else None
            raise refusal(host, port)
        return original(host, *args, **kwargs)

    return lookup


LOOKUPS = ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "getnameinfo")


@contextmanager
def network_blocked() -> Iterator[None]:
    """Within this block, any way of reaching another machine fails at once with a clear error."""
    saved: list[tuple[Any, str, Any]] = []

    def replace(owner: Any, name: str, value: Any) -> None:
        saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    for name, method in _guarded_methods(_socket.socket).items():
        replace(socket.socket, name, method)
    original_init = socket.socket.__init__

    def guarded_init(self: socket.socket, family: Any = -1, type: Any = -1, proto: int = -1,
                     fileno: Any = None) -> None:
        if fileno is None:
            _check_new_socket(family, type)
        original_init(self, family, type, proto, fileno)

    replace(socket.socket, "__init__", guarded_init)
    guarded_raw = _guarded_raw_socket_class()
    replace(_socket, "socket", guarded_raw)
    replace(_socket, "SocketType", guarded_raw)
    for name in LOOKUPS:
        replace(_socket, name, _guarded_lookup(getattr(_socket, name)))
        replace(socket, name, _guarded_lookup(getattr(socket, name)))
    try:
        yield
    finally:
        for owner, name, value in reversed(saved):
            setattr(owner, name, value)


def block_network_for_good() -> None:
    """Block the network for the rest of this process's life (a grading process's, say)."""
    network_blocked().__enter__()
