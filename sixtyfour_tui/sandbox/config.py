"""What a sandbox is built with: keys, clock speed, expiries, limits and injected faults."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sixtyfour_tui.sandbox.keys import DEMO_API_KEY


@dataclass(frozen=True)
class FaultConfig:
    """Faults the sandbox injects on purpose, so clients can be tested against bad days."""

    latency_ms: float = 0.0  # added to every API answer
    error_rate: float = 0.0  # share of API answers replaced by a 500 or 503
    rate_limit_every: int = 0  # every Nth API request answers 429 (0 = never)
    drop_downloads: int = 0  # the first N downloads lose their connection half-way
    truncate_downloads: int = 0  # the next N downloads end early without a Content-Length
    seed: int = 7


@dataclass(frozen=True)
class SandboxConfig:
    api_keys: tuple[str, ...] = (DEMO_API_KEY,)
    speed: float = 1.0
    url_ttl: float = 900.0  # signed download URLs, real seconds
    cursor_ttl: float = 600.0  # /search/query cursors, real seconds
    max_concurrent_searches: int = 5
    requests_per_minute: int = 500  # per key; 0 turns the limit off
    export_row_cap: int = 5000
    seed: int = 64
    people: int = 100_000
    companies: int = 10_000
    payment_required_keys: tuple[str, ...] = ()  # answer 402, as if the balance ran out
    forbidden_keys: tuple[str, ...] = ()  # answer 403, as if deep search were not enabled
    storage_host: str | None = None  # serve signed URLs from another loopback address
    state_file: Path | None = None  # keep tasks across restarts, as the real service does
    faults: FaultConfig = field(default_factory=FaultConfig)
