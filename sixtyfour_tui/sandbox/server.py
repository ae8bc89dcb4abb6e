"""Serve the sandbox with uvicorn: in the foreground for people, in a thread for the app and tests."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import uvicorn

from sixtyfour_tui.sandbox.app import build_app
from sixtyfour_tui.sandbox.config import SandboxConfig
from sixtyfour_tui.sandbox.state import SandboxState


def _bind(host: str, port: int) -> socket.socket:
    # Naming TCP lets asyncio switch off Nagle (TCP_NODELAY); without it small replies wait ~40 ms.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


class SandboxServer:
    """A running sandbox on loopback; use as a context manager or call start()/stop().

    With `background_load` the server listens at once and restores tasks and builds the data set in
    a thread; API requests wait for that (the child process uses this to be reachable fast).
    """

    def __init__(self, config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0,
                 *, background_load: bool = False) -> None:
        self.config = config or SandboxConfig()
        self.background_load = background_load
        self.state = SandboxState(self.config)
        self._sockets = [_bind(host, port)]
        if self.config.storage_host:
            self._sockets.append(_bind(self.config.storage_host, 0))
        api_host, api_port = self._sockets[0].getsockname()[:2]
        self.base_url = f"http://{api_host}:{api_port}"
        self.storage_base_url = self.base_url
        if self.config.storage_host:
            storage_host, storage_port = self._sockets[1].getsockname()[:2]
            self.storage_base_url = f"http://{storage_host}:{storage_port}"
            self.state.storage_base_url = self.storage_base_url
        self.app = build_app(state=self.state)
        self._server = uvicorn.Server(
            uvicorn.Config(self.app, lifespan="off", log_level="warning", access_log=False,
                           timeout_graceful_shutdown=2)
        )
        self._thread: threading.Thread | None = None

    @property
    def api_key(self) -> str:
        return self.config.api_keys[0]

    def warm_up(self) -> None:
        """Build the data set now rather than on the first search."""
        _ = self.state.dataset

    def _prepare(self) -> None:
        if self.background_load:
            threading.Thread(target=self.state.prepare, kwargs={"warm": True}, name="sandbox-load", daemon=True).start()
        else:
            self.state.prepare()

    def serve_forever(self) -> None:
        """Run in the calling thread until interrupted (ctrl+c stops it cleanly)."""
        self._prepare()
        self._server.run(sockets=self._sockets)

    async def serve(self) -> None:
        """Serve on the running event loop until `request_exit()` (or a signal, in the main thread)."""
        self._prepare()
        await self._server.serve(sockets=self._sockets)

    @property
    def started(self) -> bool:
        return bool(self._server.started)

    def request_exit(self) -> None:
        self._server.should_exit = True

    def start(self) -> SandboxServer:
        self._prepare()
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._server.serve(sockets=self._sockets)),
            name="sixtyfour-sandbox",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("sandbox server did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        for sock in self._sockets:
            sock.close()
        self.state.storage.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
