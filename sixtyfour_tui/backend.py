"""Which API the app talks to: the real one (key from settings) or the embedded sandbox."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from sixtyfour_tui.config import Settings

SANDBOX_BACKEND = "sandbox"
EMBEDDED_SPEED_VARIABLE = "SIXTYFOUR_SANDBOX_SPEED"
EMBEDDED_SPEED = 5.0  # a demo search takes a few seconds instead of half a minute


class NoApiKey(Exception):
    """No key in the config file or SIXTYFOUR_API_KEY, and the sandbox was not asked for."""


@dataclass
class Backend:
    base_url: str
    api_key: str = field(repr=False)
    label: str  # shown on screen: "Sandbox (local)" or the API host
    workspace_key: str  # jobs are kept per backend so sandbox and real jobs never mix
    poll_interval: float
    server: object | None = None  # the embedded SandboxServer, when there is one
    close_with_app: bool = True  # tests share one sandbox between two app runs

    @property
    def is_sandbox(self) -> bool:
        return self.server is not None

    def client(self, **options):
        from sixtyfour_tui.api.client import SixtyfourClient

        return SixtyfourClient(self.api_key, self.base_url, **options)

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


def start_sandbox_backend(settings: Settings, *, speed: float | None = None) -> Backend:
    from sixtyfour_tui.sandbox.config import SandboxConfig
    from sixtyfour_tui.sandbox.server import SandboxServer

    if speed is None:
        speed = embedded_speed(os.environ)
    from sixtyfour_tui.locations import state_dir

    state_file = state_dir() / "sandbox-tasks.json"
    server = SandboxServer(SandboxConfig(speed=speed, state_file=state_file)).start()
    return Backend(
        base_url=server.base_url,
        api_key=server.api_key,
        label="Sandbox (local)",
        workspace_key=SANDBOX_BACKEND,
        poll_interval=settings.effective_poll_interval(is_sandbox=True),
        server=server,
    )


def embedded_speed(env) -> float:
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
