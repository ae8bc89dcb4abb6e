"""Serve the sandbox with uvicorn: in the foreground for people, in a thread for the app and tests."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import uvicorn

from sixtyfour_tui.sandbox.app import build_app
from sixtyfour_tui.sandbox.config import SandboxConfig
from sixtyfour_tui.sandbox.sockets import base_url, bind
from sixtyfour_tui.sandbox.state import SandboxState

KEEP_ALIVE_SECONDS = 60
"""Idle connections stay open this long, as behind the API's load balancer (uvicorn's own default
is 5 s, shorter than the wait between two polls of a quiet search)."""


class SandboxServer:
    """A running sandbox on loopback; use as a context manager or call start()/stop().

    With `background_load` the server listens at once and restores tasks and builds the data set in
    a thread; API requests wait for that (the child process uses this to be reachable fast).
    """

    def __init__(self, config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0,
                 *, background_load: bool = False, listening: socket.socket | None = None) -> None:
        """`listening` is a socket bound already (the child process announces it before importing us)."""
        self.config = config or SandboxConfig()
        self.background_load = background_load
        self.state = SandboxState(self.config)
        self._sockets = [listening if listening is not None else bind(host, port)]
        if self.config.storage_host:
            self._sockets.append(bind(self.config.storage_host, 0))
        self.base_url = base_url(self._sockets[0])
        self.storage_base_url = self.base_url
        if self.config.storage_host:
            self.storage_base_url = base_url(self._sockets[1])
            self.state.storage_base_url = self.storage_base_url
        self.app = build_app(state=self.state)
        self._server = uvicorn.Server(
            uvicorn.Config(self.app, lifespan="off", log_level="warning", access_log=False,
                           timeout_graceful_shutdown=2, timeout_keep_alive=KEEP_ALIVE_SECONDS)
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
