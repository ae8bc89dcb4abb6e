"""A simulated clock so a search that takes a minute can finish in a blink under test."""

from __future__ import annotations

import time
from datetime import UTC, datetime


class SimClock:
    """Simulated seconds run `speed` times faster than real ones, starting from real wall time."""

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._real_start = time.monotonic()
        self._wall_start = time.time()

    def resume_from(self, simulated: float) -> None:
        """Never run behind a time already handed out (after a restart with a faster clock)."""
        behind = simulated - self.now()
        if behind > 0:
            self._wall_start += behind

    def set_speed(self, speed: float) -> None:
        """Run faster or slower from now on, without a jump in simulated time (tests use this to
        let a search run slowly until it is interrupted, then finish it quickly)."""
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._wall_start = self.now()
        self._real_start = time.monotonic()
        self.speed = speed

    def now(self) -> float:
        """Simulated seconds since the epoch."""
        return self._wall_start + (time.monotonic() - self._real_start) * self.speed

    def real_seconds(self, simulated: float) -> float:
        """How long `simulated` seconds take on the wall clock."""
        return simulated / self.speed

    @staticmethod
    def iso(timestamp: float | None) -> str | None:
        if timestamp is None:
            return None
        moment = datetime.fromtimestamp(timestamp, tz=UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
