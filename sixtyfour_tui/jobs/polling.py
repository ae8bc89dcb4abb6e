"""Poll one task until it ends. The next poll is armed only after the last one returned, so polls
for a task never overlap or pile up, and errors stretch the interval instead of hammering.

A search spends most of its life between iterations, where poll after poll returns the same
status. Each unchanged answer stretches the wait by half, up to `idle_ceiling(interval)`; any
change snaps it back to `interval`, so fresh progress shows within one base interval of the
previous change and at most one ceiling after a quiet spell.

Polling always ends. Errors that may pass (network trouble, 5xx, a malformed answer) are polled
through until they have lasted `error_budget` seconds in a row. 429s wait as long as the server
asks (its Retry-After, capped at 15 minutes, and never less than the interval) without using up
that budget, until they have lasted `busy_budget` seconds in a row. An error
that cannot pass (a redirect, a 4xx, a body past the size cap) ends polling at once. Budgets
spend measured time (`clock`), so a fetch that itself waited long counts in full.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from sixtyfour_tui.api.errors import (
    ApiError,
    NotFoundError,
    RateLimitedError,
    UnauthorizedError,
    UnexpectedResponseError,
)
from sixtyfour_tui.api.models import TaskStatus
from sixtyfour_tui.api.retry import format_duration, is_transient

MAX_ERROR_BACKOFF = 60.0
IDLE_STRETCH = 1.5
IDLE_FACTOR = 8  # at most 8x the interval while nothing changes (8 s against the sandbox)
CONTRACT_CEILING = 15.0  # the API asks for a poll every 10-15 s; never wait longer than that
ERROR_BUDGET = 5 * 60.0
BUSY_BUDGET = 15 * 60.0


def idle_ceiling(interval: float) -> float:
    """The longest wait while nothing changes: a few times the interval, but within the API
    contract (and never below the interval someone configured)."""
    return max(interval, min(interval * IDLE_FACTOR, CONTRACT_CEILING))


class TaskLost(Exception):
    """Polling cannot go on: the server no longer knows the task, or will not let us see it.
    `error` is the ApiError that said so."""

    def __init__(self, message: str, error: ApiError | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.error = error


class PollingGaveUp(TaskLost):
    """Polling stopped without a final status: errors lasted past their budget, or one came that
    no amount of polling will fix. The task may still be running on the server."""


async def poll_until_done(
    fetch: Callable[[], Awaitable[TaskStatus]],
    on_status: Callable[[TaskStatus], None],
    interval: float,
    on_error: Callable[[ApiError], None] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    *,
    sleep_at_least: Callable[[float], Awaitable[None]] | None = None,
    error_budget: float = ERROR_BUDGET,
    busy_budget: float = BUSY_BUDGET,
    clock: Callable[[], float] = time.monotonic,
) -> TaskStatus:
    """The task's final status. Raises TaskLost (404/401) or PollingGaveUp (see the module doc).
    `sleep` may move a wait a little either way; `sleep_at_least` (default: `sleep`) waits out a
    429's pause, which is the least the server asked for."""
    failures = 0
    error_spent = busy_spent = 0.0
    wait = interval
    previous: TaskStatus | None = None
    while True:
        started = clock()
        try:
            status = await fetch()
        except (NotFoundError, UnauthorizedError) as error:
            raise TaskLost(error.message, error) from error
        except ApiError as error:
            took = max(0.0, clock() - started)
            previous = None  # the error was shown: the next answer must be shown again
            if on_error is not None:
                on_error(error)
            if isinstance(error, RateLimitedError):
                busy_spent += took
                if busy_spent >= busy_budget:
                    note = f" ({error.wait_note})" if error.wait_note else ""
                    raise PollingGaveUp(
                        f"Gave up polling: the server answered 429 (busy) for {format_duration(busy_spent)} "
                        f"in a row{note}; the last answer: {error.message}",
                        error,
                    ) from error
                pause = max(interval, error.retry_after or 0.0)
                busy_spent += pause
                await (sleep_at_least or sleep)(pause)
                continue
            elif is_transient(error) or isinstance(error, UnexpectedResponseError):
                failures += 1
                error_spent += took
                if error_spent >= error_budget:
                    raise PollingGaveUp(
                        f"Gave up polling after {format_duration(error_spent)} of errors in a row; "
                        f"the last one: {error.message}",
                        error,
                    ) from error
                pause = min(MAX_ERROR_BACKOFF, interval * 2**failures, error_budget - error_spent)
                error_spent += pause
            else:
                raise PollingGaveUp(f"Polling stopped: {error.message}", error) from error
            await sleep(pause)
            continue
        failures = 0
        error_spent = busy_spent = 0.0
        if status == previous:
            wait = min(wait * IDLE_STRETCH, idle_ceiling(interval))
        else:
            on_status(status)
            wait = interval
        previous = status
        if status.is_terminal:
            return status
        await sleep(wait)
