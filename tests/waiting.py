"""The one way tests wait: on a condition, bounded, never a blind sleep.

`wait_for` polls from plain (sync) tests; `wait_until` awaits inside an event loop, pausing through
the Pilot when one is given (so the app keeps processing messages and repainting).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def wait_for(condition: Callable[[], T], timeout: float = 20.0, interval: float = 0.01, what: str = "condition") -> T:
    """Poll `condition` until it returns something truthy; fail with a clear message on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s")
        time.sleep(interval)


async def wait_until(condition: Callable[[], T], timeout: float = 30.0, *, pilot: Any = None,
                     what: str = "condition") -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s")
        if pilot is not None:
            await pilot.pause(0.02)
        else:
            await asyncio.sleep(0.01)


async def focus_on(pilot: Any, widget: Any) -> Any:
    """Focus the widget and wait until it has it: focus moves on the app's next turn, and a key
    pressed before then goes to the widget that had it."""
    widget.focus()
    await wait_until(lambda: widget.has_focus, pilot=pilot, what=f"focus on {widget!r}")
    return widget
