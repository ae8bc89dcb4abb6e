"""Shared fixtures: real sandbox servers on loopback, and folders of the test's own."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from sixtyfour_tui.sandbox.config import DEMO_API_KEY, SandboxConfig
from sixtyfour_tui.sandbox.server import SandboxServer
from tests.waiting import wait_for  # noqa: F401 - re-exported for older test modules

OTHER_KEY = "sk-sandbox-other"

# Tests never read or write the user's cached sandbox data set (sixtyfour_tui/sandbox/dataset_cache.py).
os.environ.setdefault("SIXTYFOUR_SANDBOX_DATA_CACHE", "off")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the developer's settings, workspace, logs or caches."""
    root = tmp_path_factory.mktemp("xdg")
    for name, folder in (("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"), ("XDG_DATA_HOME", "data"),
                         ("XDG_CACHE_HOME", "cache")):
        monkeypatch.setenv(name, str(root / folder))
    for name in ("SIXTYFOUR_API_KEY", "SIXTYFOUR_API_ENDPOINT", "SIXTYFOUR_TUI_CONFIG", "SIXTYFOUR_TUI_WORKSPACE"):
        monkeypatch.delenv(name, raising=False)
    return root


@pytest.fixture(scope="session")
def fast_sandbox():
    """Searches finish in tens of milliseconds; two keys for isolation tests."""
    config = SandboxConfig(api_keys=(DEMO_API_KEY, OTHER_KEY), speed=2000.0, requests_per_minute=0)
    with SandboxServer(config) as server:
        yield server


@pytest.fixture
def make_sandbox():
    """Build a sandbox with its own config for one test; stopped afterwards."""
    servers: list[SandboxServer] = []

    def build(**overrides) -> SandboxServer:
        overrides.setdefault("requests_per_minute", 0)
        server = SandboxServer(SandboxConfig(**overrides)).start()
        servers.append(server)
        return server

    yield build
    for server in servers:
        server.stop()


@pytest.fixture
def api(fast_sandbox):
    with httpx.Client(base_url=fast_sandbox.base_url, headers={"x-api-key": DEMO_API_KEY}, timeout=30) as client:
        yield client


@pytest.fixture
async def engine_on(tmp_path):
    """`await engine_on(server, **options)`: a started engine on a workspace in tmp_path; closed afterwards."""
    from tests.engines import close, start_engine

    engines = []

    async def build(server, **options):
        engine = await start_engine(server, tmp_path, **options)
        engines.append(engine)
        return engine

    yield build
    for engine in engines:
        await close(engine)


@pytest.fixture
def tiny_disk(tmp_path):
    """`tiny_disk(name, size="64k", readonly=False)`: a real, small file system (tmpfs) mounted in
    tmp_path, to fill up or make read-only. Needs the right to mount (root here and in CI)."""
    import subprocess

    mounted: list[Path] = []

    def mount(name: str = "disk", size: str = "64k", readonly: bool = False) -> Path:
        point = tmp_path / name
        point.mkdir()
        options = f"size={size},mode=0700" + (",ro" if readonly else "")
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def fill(folder: Path) -> None:
    """Use up every byte of the file system `folder` is on."""
    with open(folder / "filler", "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass
