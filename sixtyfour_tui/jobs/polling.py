"""Poll one task until it ends. The next poll is armed only after the last one returned, so polls
for a task never overlap or pile up, and errors stretch the interval instead of hammering."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sixtyfour_tui.api.errors import ApiError, NotFoundError, UnauthorizedError
from sixtyfour_tui.api.models import TaskStatus

MAX_ERROR_BACKOFF = 60.0


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
    while True:
        try:
            status = await fetch()
        except (NotFoundError, UnauthorizedError) as error:
            raise TaskLost(error.message) from error
        except ApiError as error:
            failures += 1
            if on_error is not None:
                on_error(error)
            await sleep(min(MAX_ERROR_BACKOFF, interval * 2**failures))
            continue
        failures = 0
        on_status(status)
        if status.is_terminal:
            return status
        await sleep(interval)
