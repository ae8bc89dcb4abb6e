"""The process's beat: periodic waits end on whole seconds, so an idle app wakes once a second for
all of its polls, change-feed reads and clocks together; idle connections outlive those waits."""

from __future__ import annotations

import math

import pytest

from sixtyfour_tui.api.session import KEEPALIVE_SECONDS
from sixtyfour_tui.jobs import beat
from sixtyfour_tui.jobs import engine as engine_module
from sixtyfour_tui.jobs.polling import CONTRACT_CEILING
from sixtyfour_tui.sandbox.server import KEEP_ALIVE_SECONDS
from tests.engines import close, finished_search, start_engine


@pytest.mark.parametrize("now", [0.0, 12.25, 12.5, 12.75, 100.999, 7_000_000.4])
@pytest.mark.parametrize("delay", [1.0, 1.5, 2.25, 8.0, 15.0])
def test_a_wait_of_a_beat_or_more_ends_on_a_beat_close_to_when_it_was_asked(now, delay):
    wait = beat.until_beat(delay, now)
    end = now + wait
    assert math.isclose(end, round(end), abs_tol=1e-6)  # on a whole beat
    assert abs(wait - delay) <= beat.BEAT / 2 + 1e-6  # within half a beat of the wish
    assert wait > 0


@pytest.mark.parametrize("now", [0.0, 12.25, 12.5, 12.75, 100.999])
@pytest.mark.parametrize("delay", [1.0, 1.5, 15.0, 20.0])
def test_an_at_least_wait_is_never_shorter_than_asked_and_ends_on_the_next_beat(now, delay):
    wait = beat.until_beat(delay, now, at_least=True)
    end = now + wait
    assert math.isclose(end, round(end), abs_tol=1e-6)
    assert delay - 1e-6 <= wait < delay + beat.BEAT


@pytest.mark.parametrize("delay", [0.0, 0.02, 0.5, 0.99])
def test_waits_shorter_than_a_beat_are_left_alone(delay):
    assert beat.until_beat(delay, 12.3) == delay


@pytest.mark.parametrize("now", [0.0, 3.0, 3.2, 3.999])
def test_the_next_beat_is_the_next_whole_second(now):
    wait = beat.next_beat(now)
    assert 0 < wait <= beat.BEAT
    assert math.isclose(now + wait, math.floor(now) + 1, abs_tol=1e-6)


def test_waits_from_different_moments_end_on_the_same_beat():
    """Two jobs whose polls come due 0.3 s apart wake together."""
    assert 40.0 + beat.until_beat(2.0, 40.0) == pytest.approx(40.3 + beat.until_beat(2.0, 40.3))


async def test_the_engine_waits_between_polls_through_the_beat(make_sandbox, tmp_path, monkeypatch):
    waits: list[float] = []
    real = engine_module.sleep_to_beat

    async def recording(delay: float) -> None:
        waits.append(delay)
        await real(delay)

    monkeypatch.setattr(engine_module, "sleep_to_beat", recording)
    engine = await start_engine(make_sandbox(speed=50.0), tmp_path, poll_interval=0.02)
    try:
        await finished_search(engine, max_results=5)
    finally:
        await close(engine)
    assert any(wait < engine_module.WATCH_INTERVAL for wait in waits)  # the polls' waits, not only the feed's


def test_idle_connections_outlive_the_longest_wait_between_polls():
    """A quiet search is polled every 15 s at most: its connection must still be open by then, and
    the sandbox (like the API's load balancer) must not close it before the client does."""
    assert KEEPALIVE_SECONDS > CONTRACT_CEILING
    assert KEEP_ALIVE_SECONDS > KEEPALIVE_SECONDS
