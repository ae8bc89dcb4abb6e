"""One beat for the process's periodic work: polls, the change-feed reads and the on-screen clocks
all wake on whole seconds of the monotonic clock, so an idle app wakes about once a second instead
of once per job and per timer.

Each wake-up of a process that slept costs more than the work it does: here the same small piece of
work took 2.4x as long right after a 1 s sleep as it did in a busy loop (caches and the CPU have
gone cold). Waking everything together pays that once.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

BEAT = 1.0
"""Seconds between beats. Waits shorter than a beat are not moved (tests and fast retries)."""


def until_beat(delay: float, now: float | None = None, *, at_least: bool = False,
               clock: Callable[[], float] = time.monotonic) -> float:
    """A wait that ends on a beat: the beat nearest to `delay` from now (within half a beat), or
    with `at_least` the first beat not before it (a server's Retry-After is a minimum)."""
    if delay < BEAT:
        return max(0.0, delay)
    now = clock() if now is None else now
    slack = 0.0 if at_least else BEAT / 2
    target = math.ceil((now + delay - slack) / BEAT) * BEAT
    return max(0.0, target - now)


def next_beat(now: float | None = None, *, clock: Callable[[], float] = time.monotonic) -> float:
    """Seconds to the next beat (a timer started then stays on the beat)."""
    now = clock() if now is None else now
    return math.ceil(now / BEAT) * BEAT - now or BEAT


async def sleep_to_beat(delay: float) -> None:
    """asyncio.sleep, ending on the beat nearest to `delay` (see `until_beat`)."""
    await asyncio.sleep(until_beat(delay))


async def sleep_past(delay: float) -> None:
    """asyncio.sleep for at least `delay`, ending on the first beat after it."""
    await asyncio.sleep(until_beat(delay, at_least=True))
