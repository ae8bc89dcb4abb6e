"""Which API the app talks to: the real one (key from settings) or the embedded sandbox.

The embedded sandbox runs as its own process (`sandbox/child.py`). The app opens its listening
socket the moment it launches (so the address is known at once) and spawns the process on it once
the app is ready, so the two do not compete for the cores while the UI starts. It exits with the
app, however the app ends: its stdin is a pipe only the app holds.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from sixtyfour_tui.config import Settings

if TYPE_CHECKING:
    from sixtyfour_tui.api.client import SixtyfourClient
    from sixtyfour_tui.sandbox.process import SandboxProcess

SANDBOX_BACKEND = "sandbox"
EMBEDDED_SPEED_VARIABLE = "SIXTYFOUR_SANDBOX_SPEED"
EMBEDDED_SPEED = 5.0  # a demo search takes a few seconds instead of half a minute
READY_TIMEOUT = 30.0


class NoApiKey(Exception):
    """No key in the config file or SIXTYFOUR_API_KEY, and the sandbox was not asked for."""


class SandboxHandle(Protocol):
    """A running sandbox the backend may stop: the child process, or (in tests) a server thread."""

    def stop(self) -> object: ...


@dataclass
class Backend:
    base_url: str
    api_key: str = field(repr=False)
    label: str  # shown on screen: "Sandbox (local)" or the API host
    workspace_key: str  # jobs are kept per backend so sandbox and real jobs never mix
    poll_interval: float
    server: SandboxHandle | None = None  # the embedded sandbox, when there is one
    close_with_app: bool = True  # tests share one sandbox between two app runs

    @property
    def is_sandbox(self) -> bool:
        return self.workspace_key == SANDBOX_BACKEND

    def client(self, **options: object) -> SixtyfourClient:
        from sixtyfour_tui.api.client import SixtyfourClient

        return SixtyfourClient(self.api_key, self.base_url, **options)  # type: ignore[arg-type]

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


def spawn_sandbox(env: Mapping[str, str] = os.environ, *, deferred: bool = False) -> SandboxProcess:
    """Start the embedded sandbox process now (it answers once `wait_ready` returns). `deferred`:
    only its socket opens now; `SandboxProcess.release` spawns it."""
    from sixtyfour_tui.locations import state_dir
    from sixtyfour_tui.sandbox.process import SandboxProcess

    return SandboxProcess(speed=embedded_speed(env), state_file=state_dir() / "sandbox-tasks.json",
                          deferred=deferred).start()


def sandbox_backend(settings: Settings, process: SandboxProcess | None = None) -> Backend:
    """The embedded sandbox as a backend; waits (bounded) for its process to listen."""
    process = process or spawn_sandbox()
    base_url, api_key = process.wait_ready(timeout=READY_TIMEOUT)
    return Backend(
        base_url=base_url,
        api_key=api_key,
        label="Sandbox (local)",
        workspace_key=SANDBOX_BACKEND,
        poll_interval=settings.effective_poll_interval(is_sandbox=True),
        server=process,
    )


def embedded_speed(env: Mapping[str, str]) -> float:
    """The embedded sandbox's clock speed; a bad SIXTYFOUR_SANDBOX_SPEED is a clear error."""
    text = env.get(EMBEDDED_SPEED_VARIABLE)
    if text is None or not text.strip():
        return EMBEDDED_SPEED
    try:
        speed = float(text)
    except ValueError:
        speed = -1.0
    if not speed > 0 or speed == float("inf"):
        raise ValueError(f"{EMBEDDED_SPEED_VARIABLE} must be a positive number, got {text!r}")
    return speed


def real_backend(settings: Settings) -> Backend:
    if not settings.api_key:
        raise NoApiKey(
            "No API key configured. Set SIXTYFOUR_API_KEY, add api_key to the config file, "
            "or use --sandbox."
        )
    host = settings.base_url.split("://", 1)[-1]
    return Backend(
        base_url=settings.base_url,
        api_key=settings.api_key,
        label=host,
        workspace_key=settings.base_url,
        poll_interval=settings.effective_poll_interval(is_sandbox=False),
    )
