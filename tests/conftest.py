"""Shared fixtures: real sandbox servers on loopback, waited on by condition, never by sleep."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import httpx
import pytest

from sixtyfour_tui.sandbox.config import DEMO_API_KEY, SandboxConfig
from sixtyfour_tui.sandbox.server import SandboxServer

OTHER_KEY = "sk-sandbox-other"

# Tests never read or write the user's cached sandbox data set (sixtyfour_tui/sandbox/dataset_cache.py).
os.environ.setdefault("SIXTYFOUR_SANDBOX_DATA_CACHE", "off")


def wait_for(condition: Callable[[], object], timeout: float = 20.0, interval: float = 0.01):
    """Poll `condition` until it returns something truthy; fail with a clear message on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


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
