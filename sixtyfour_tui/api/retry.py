"""When and how long to wait before trying a request again.

Retries spend time budgets, not a fixed number of attempts:
- the error budget: seconds spent on failed attempts (5xx, network trouble) and the backoff
  waits after them; once spent, the last error goes to the caller;
- the busy budget: seconds spent on 429 answers and the waits they asked for. A busy server is
  not a broken one, so 429s never use up the error budget; but they never make the client spin
  either: every busy wait lasts at least `base_delay`. A wait that would overrun the busy budget
  is not started: the RateLimitedError goes to the caller, whose `retry_after` (the server's
  advice, capped at MAX_RETRY_AFTER) says how long to wait. Long waits thus happen where they
  can be shown (the job queue, the poll loop), not silently inside one request.

The policy is data plus injectable functions (`sleep`, `clock`, `random`) so tests can run
retries instantly, spend budgets without waiting, and assert the exact delays.
"""

from __future__ import annotations

import asyncio
import random as _random
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

from .errors import MAX_RETRY_AFTER, ApiError, NetworkError, RateLimitedError, ServerError, format_duration

__all__ = [
    "MAX_RETRY_AFTER",
    "Clock",
    "RetryNotice",
    "RetryPolicy",
    "Sleep",
    "call_with_retry",
    "format_duration",
    "is_transient",
    "is_transient_fault",
]

T = TypeVar("T")

Sleep = Callable[[float], Awaitable[object]]
Clock = Callable[[], float]


@dataclass(frozen=True)
class RetryNotice:
    """One retry about to happen, for whoever wants to tell the user (`RetryPolicy.on_retry`)."""

    what: str  # "GET /search/status/t-1", or "download"
    error: ApiError
    delay: float  # seconds the client will now wait
    advised: float | None  # the server's Retry-After, when it sent one
    attempt: int  # the attempt that just failed, 1-based

    @property
    def capped(self) -> bool:
        """True when the server asked for a longer wait than the client will do."""
        return self.advised is not None and self.advised > self.delay

    def describe(self) -> str:
        """One line for people: 'GET /x: server busy (429); retrying in 15 min (the server asked for
        31,710 years; waits are capped at 15 min)'."""
        busy = isinstance(self.error, RateLimitedError)
        cause = f"server busy ({self.error.status})" if busy else self.error.message
        wait = format_duration(self.delay)
        line = f"{self.what}: {cause}; retrying in {wait}"
        if self.capped and self.advised is not None:
            line += f" (the server asked for {format_duration(self.advised)}; waits are capped at {wait})"
        return line



retry_listener: ContextVar[Callable[[RetryNotice], object] | None] = ContextVar("retry_listener", default=None)
"""Who hears about the retries of calls made in this task, beside the policy's own `on_retry`: a
job's task sets it around its calls, so a shared client's waits show on that job's line."""

@dataclass(frozen=True)
class RetryPolicy:
    """How one client retries. Budgets are in seconds; `max_attempts` (None: no limit) caps the
    attempts of one call whatever the budgets say, e.g. 1 for no retries at all."""

    error_budget: float = 30.0
    busy_budget: float = 60.0
    max_retry_after: float = MAX_RETRY_AFTER
    base_delay: float = 0.5
    max_delay: float = 30.0
    jitter: bool = True
    max_attempts: int | None = None
    sleep: Sleep | None = field(default=None, repr=False, compare=False)
    clock: Clock = field(default=time.monotonic, repr=False, compare=False)
    random: Callable[[], float] = field(default=_random.random, repr=False, compare=False)
    on_retry: Callable[[RetryNotice], object] | None = field(default=None, repr=False, compare=False)

    def delay_for(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failure number `attempt` (1-based) of one kind.

        A server's Retry-After wins, floored at `base_delay` (a "retry now" must not turn into a
        spin) and capped at `max_retry_after`; otherwise exponential backoff, with full jitter.
        """
        if retry_after is not None and retry_after >= 0:
            return min(max(float(retry_after), self.base_delay), self.max_retry_after)
        backoff: float = min(self.max_delay, self.base_delay * (2 ** max(0, attempt - 1)))
        return self.random() * backoff if self.jitter else backoff

    async def pause(self, seconds: float) -> None:
        await (self.sleep or asyncio.sleep)(seconds)


async def call_with_retry(
    policy: RetryPolicy,
    operation: Callable[[], Awaitable[T]],
    should_retry: Callable[[ApiError], bool],
    *,
    what: str = "request",
    attempts_spend_budget: bool = True,
) -> T:
    """Run `operation` until it succeeds, fails with an error not worth retrying, or the budget
    for its kind of failure is spent. The last error is re-raised unchanged: callers see the real
    cause.

    `attempts_spend_budget=False` counts only the waits against the error budget: a download
    attempt may rightly take minutes before it fails, and is bounded by its own stall detection.
    """
    attempt = 0
    errors = busy = 0
    error_spent = busy_spent = 0.0
    while True:
        attempt += 1
        started = policy.clock()
        try:
            return await operation()
        except ApiError as error:
            took = max(0.0, policy.clock() - started)
            if not should_retry(error) or (policy.max_attempts is not None and attempt >= policy.max_attempts):
                raise
            advised = error.requested_retry_after if isinstance(error, RateLimitedError) else None
            if isinstance(error, RateLimitedError):
                busy += 1
                busy_spent += took
                delay = max(policy.delay_for(busy, error.retry_after), policy.base_delay)
                if busy_spent + delay > policy.busy_budget:
                    raise
                busy_spent += delay
            else:
                errors += 1
                error_spent += took if attempts_spend_budget else 0.0
                if error_spent >= policy.error_budget:
                    raise
                delay = min(policy.delay_for(errors), policy.error_budget - error_spent)
                error_spent += delay
            listeners = [hear for hear in (policy.on_retry, retry_listener.get()) if hear is not None]
            if listeners:
                notice = RetryNotice(what, error, delay, advised, attempt)
                for hear in listeners:
                    hear(notice)
            await policy.pause(delay)


def is_transient(error: ApiError) -> bool:
    """Worth retrying a read or an idempotent write: rate limits, server faults, network trouble."""
    return isinstance(error, RateLimitedError) or is_transient_fault(error)


def is_transient_fault(error: ApiError) -> bool:
    """The server or the network failed (5xx, no usable response): another try may get through."""
    return isinstance(error, (ServerError, NetworkError))
