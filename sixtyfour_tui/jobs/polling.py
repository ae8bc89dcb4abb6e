"""Poll one task until it ends. The next poll is armed only after the last one returned, so polls
for a task never overlap or pile up, and errors stretch the interval instead of hammering.

A search spends most of its life between iterations, where poll after poll returns the same
status. Each unchanged answer stretches the wait by half, up to `idle_ceiling(interval)`; any
change snaps it back to `interval`, so fresh progress shows within one base interval of the
previous change and at most one ceiling after a quiet spell.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sixtyfour_tui.api.errors import ApiError, NotFoundError, UnauthorizedError
from sixtyfour_tui.api.models import TaskStatus

MAX_ERROR_BACKOFF = 60.0
IDLE_STRETCH = 1.5
IDLE_FACTOR = 8  # at most 8x the interval while nothing changes (8 s against the sandbox)
CONTRACT_CEILING = 15.0  # the API asks for a poll every 10-15 s; never wait longer than that


def idle_ceiling(interval: float) -> float:
    """The longest wait while nothing changes: a few times the interval, but within the API
    contract (and never below the interval someone configured)."""
    return max(interval, min(interval * IDLE_FACTOR, CONTRACT_CEILING))


class TaskLost(Exception):
    """The server no longer knows the task, or will not let us see it."""


async def poll_until_done(
    fetch: Callable[[], Awaitable[TaskStatus]],
    on_status: Callable[[TaskStatus], None],
    interval: float,
    on_error: Callable[[ApiError], None] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> TaskStatus:
    failures = 0
    wait = interval
    previous: TaskStatus | None = None
    while True:
        try:
            status = await fetch()
        except (NotFoundError, UnauthorizedError) as error:
            raise TaskLost(error.message) from error
        except ApiError as error:
            failures += 1
            previous = None  # the error was shown: the next answer must be shown again
            if on_error is not None:
                on_error(error)
            await sleep(min(MAX_ERROR_BACKOFF, interval * 2**failures))
            continue
        failures = 0
        if status == previous:
            wait = min(wait * IDLE_STRETCH, idle_ceiling(interval))
        else:
            on_status(status)
            wait = interval
        previous = status
        if status.is_terminal:
            return status
        await sleep(wait)
