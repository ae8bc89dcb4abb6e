"""The sandbox child process seen from the parent: spawn it, wait for its ready line, stop it.

No Textual and no server imports here, so the app can start the sandbox before its first frame:

    sandbox = SandboxProcess(speed=5.0, state_file=state_dir() / "sandbox-tasks.json").start()
    base_url, api_key = sandbox.wait_ready(timeout=10)   # the child is listening
    ...
    sandbox.stop()

`deferred=True` (the app's way): `start` only opens the listening socket here, so the address is
known at once; `release` spawns the child on that socket (connections made meanwhile wait in its
backlog) and `wait_started` says whether it came up. The app releases it once it is ready, so the
child's start does not compete with the UI's for the machine's cores.

The child's stdin is a pipe only this process holds: when this process ends in any way (kill -9
included) the child reads end of file and exits. It runs in its own session, so a ctrl+c meant for
the parent's terminal does not reach it. Its stderr goes to a private temporary file, quoted when
it fails to start.
"""

from __future__ import annotations

import os
import selectors
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from sixtyfour_tui.sandbox.keys import DEMO_API_KEY, KEY_VARIABLE

STDERR_TAIL = 2000


class SandboxStartError(RuntimeError):
    """The child exited, or said nothing, before it was ready."""


class SandboxProcess:
    def __init__(self, *, speed: float = 1.0, state_file: Path | None = None, api_key: str = DEMO_API_KEY,
                 extra_args: Sequence[str] = (), python: str = sys.executable,
                 env: Mapping[str, str] | None = None, deferred: bool = False) -> None:
        self.speed = speed
        self.deferred = deferred
        self.state_file = state_file
        self.api_key = api_key
        self.extra_args = tuple(extra_args)
        self.python = python
        self.env = dict(env) if env is not None else None
        self.base_url: str | None = None
        self.storage_base_url: str | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._listening: socket.socket | None = None  # a deferred child's socket, until it is spawned

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def returncode(self) -> int | None:
        return self._process.poll() if self._process is not None else None

    def command(self, listening_fd: int | None = None) -> list[str]:
        command = [self.python, "-m", "sixtyfour_tui.sandbox.child", "--speed", repr(float(self.speed))]
        if self.state_file is not None:
            command += ["--state", str(self.state_file)]
        if listening_fd is not None:
            command += ["--fd", str(listening_fd)]
        return command + list(self.extra_args)

    def start(self) -> SandboxProcess:
        """Spawn the child and return at once (`wait_ready` says when it listens); deferred, only
        open its socket."""
        if self._process is not None or self._listening is not None:
            raise RuntimeError("this sandbox process was already started")
        if not self.deferred:
            self._spawn(None)
            return self
        from sixtyfour_tui.sandbox.sockets import base_url, bind

        self._listening = bind("127.0.0.1", 0)
        self.base_url = self.storage_base_url = base_url(self._listening)
        return self

    def release(self) -> None:
        """Spawn a deferred child now, on the socket `start` opened (a no-op otherwise). Raises
        OSError if it cannot be spawned."""
        listening = self._listening
        if listening is None:
            return
        self._listening = None
        try:
            self._spawn(listening)
        finally:
            # The child has its own copy: should it die, connections are refused, not left waiting.
            listening.close()

    def _spawn(self, listening: socket.socket | None) -> None:
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ if self.env is None else self.env)
        env[KEY_VARIABLE] = self.api_key
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
        self._stderr = tempfile.TemporaryFile(prefix="sixtyfour-sandbox-", suffix=".log")
        fds = (listening.fileno(),) if listening is not None else ()
        self._process = subprocess.Popen(
            self.command(fds[0] if fds else None), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, env=env, close_fds=True, pass_fds=fds, start_new_session=True,
        )

    def wait_ready(self, timeout: float = 10.0) -> tuple[str, str]:
        """Block until the child prints its ready line; (base_url, api_key). Deferred, the socket
        listens from `start` on, so this returns at once."""
        if self.base_url is None:
            self.wait_started(timeout)
        assert self.base_url is not None
        return self.base_url, self.api_key

    def wait_started(self, timeout: float = 10.0) -> None:
        """Block until the spawned child says it listens; SandboxStartError (quoting its stderr)
        if it exits or stays silent first."""
        process = self._require_process()
        assert process.stdout is not None
        fd = process.stdout.fileno()
        received = b""
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in received:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise SandboxStartError(f"the sandbox was not ready within {timeout:g} s{self._stderr_tail()}")
                if not selector.select(remaining):
                    continue
                chunk = os.read(fd, 4096)
                if not chunk:
                    process.wait(5)
                    raise SandboxStartError(
                        f"the sandbox exited (status {process.returncode}) before it was ready{self._stderr_tail()}"
                    )
                received += chunk
        import json  # here, on the app's backend thread, not on the way to the first frame

        try:
            ready: dict[str, Any] = json.loads(received.split(b"\n", 1)[0])
            self.base_url = str(ready["base_url"])
            self.storage_base_url = str(ready.get("storage_base_url") or self.base_url)
        except (ValueError, KeyError, TypeError):
            raise SandboxStartError("the sandbox's ready line was not understood") from None

    def stop(self, timeout: float = 5.0) -> int | None:
        """Close the child's stdin (it exits on end of file); terminate, then kill, if it lingers."""
        if self._listening is not None:  # deferred and never released
            self._listening.close()
            self._listening = None
        process = self._process
        if process is None:
            return None
        if process.stdin is not None and not process.stdin.closed:
            try:
                process.stdin.close()
            except OSError:
                pass
        for step in (None, process.terminate, process.kill):
            if step is not None:
                step()
            try:
                process.wait(timeout if step is not process.kill else 5)
                break
            except subprocess.TimeoutExpired:
                continue
        if process.stdout is not None:
            process.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        return process.returncode

    def __enter__(self) -> SandboxProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _require_process(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            raise RuntimeError("start() the sandbox process first")
        return self._process

    def _stderr_tail(self) -> str:
        if self._stderr is None:
            return ""
        try:
            self._stderr.seek(0)
            text = self._stderr.read().decode("utf-8", "replace")[-STDERR_TAIL:].strip()
        except (OSError, ValueError):
            return ""
        return f": {text}" if text else ""
