"""Listening sockets for the sandbox, kept apart from the server so a process can listen (and say
where) before it has imported the web framework."""

from __future__ import annotations

import socket


def bind(host: str, port: int) -> socket.socket:
    # Naming TCP lets asyncio switch off Nagle (TCP_NODELAY); without it small replies wait ~40 ms.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def inherited(fd: int) -> socket.socket:
    """A listening socket a parent opened (`bind`) and passed down as file descriptor `fd`."""
    sock = socket.socket(fileno=fd)
    sock.setblocking(False)
    return sock


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"
