"""When and how long to wait before trying a request again.

The policy is data plus two injectable functions (`sleep`, `random`) so tests can run retries
instantly and assert the exact delays.
"""

from __future__ import annotations

import asyncio
import random as _random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from .errors import ApiError, NetworkError, RateLimitedError, ServerError

T = TypeVar("T")

Sleep = Callable[[float], Awaitable[object]]


@dataclass(frozen=True)
class RetryPolicy:
    """`max_attempts` counts the first try. Delays: Retry-After (capped) else full-jitter backoff."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    jitter: bool = True
    sleep: Sleep | None = field(default=None, repr=False, compare=False)
    random: Callable[[], float] = field(default=_random.random, repr=False, compare=False)

    def delay_for(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        if retry_after is not None and retry_after >= 0:
            return min(float(retry_after), self.max_delay)
        backoff = min(self.max_delay, self.base_delay * (2 ** max(0, attempt - 1)))
        return self.random() * backoff if self.jitter else backoff

    async def pause(self, seconds: float) -> None:
        await (self.sleep or asyncio.sleep)(seconds)


async def call_with_retry(
    policy: RetryPolicy,
    operation: Callable[[], Awaitable[T]],
    should_retry: Callable[[ApiError], bool],
) -> T:
    """Run `operation` until it succeeds, fails with a non-retryable error, or attempts run out.

    The last error is re-raised unchanged, so callers see the real cause.
    """
    attempt = 1
    while True:
        try:
            return await operation()
        except ApiError as error:
            if attempt >= policy.max_attempts or not should_retry(error):
                raise
            retry_after = error.retry_after if isinstance(error, RateLimitedError) else None
            await policy.pause(policy.delay_for(attempt, retry_after))
            attempt += 1


def is_transient(error: ApiError) -> bool:
    """Worth retrying a read or an idempotent write: rate limits, server faults, network trouble."""
    return isinstance(error, (RateLimitedError, ServerError, NetworkError))


def is_unsent(error: ApiError) -> bool:
    """Safe to retry even a non-idempotent write: the server refused it or never saw it."""
    return isinstance(error, RateLimitedError) or (
        isinstance(error, NetworkError) and error.connect_failed
    )
