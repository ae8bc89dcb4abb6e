"""Polling one task: unchanged answers stretch the wait, any change snaps it back."""

from __future__ import annotations

import pytest

from sixtyfour_tui.api.errors import (
    ApiError,
    BadRequestError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RedirectError,
    ServerError,
    UnexpectedResponseError,
)
from sixtyfour_tui.api.models import TaskStatus
from sixtyfour_tui.jobs.polling import PollingGaveUp, TaskLost, idle_ceiling, poll_until_done


class Script:
    """Answers polls from a list (an exception in it is raised instead) on a fake clock that
    moves only when the poller sleeps, or when an answer says it took a while (`took`)."""

    def __init__(self, *answers, took: float = 0.0) -> None:
        self.answers = list(answers)
        self.delays: list[float] = []
        self.shown: list[TaskStatus] = []
        self.now = 0.0
        self.took = took
        self.fetches = 0

    async def fetch(self) -> TaskStatus:
        self.fetches += 1
        self.now += self.took
        answer = self.answers.pop(0)  # running out is a failure: polling must have ended before
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now

    async def run(self, interval: float = 1.0, errors: list | None = None, **budgets) -> TaskStatus:
        return await poll_until_done(self.fetch, self.shown.append, interval,
                                     on_error=(errors.append if errors is not None else None), sleep=self.sleep,
                                     clock=self.clock, **budgets)


def running(message: str = "Searching", results: int = 0) -> TaskStatus:
    return TaskStatus(task_id="t1", status="running", progress_message=message, total_results=results)


DONE = TaskStatus(task_id="t1", status="completed", total_results=9)


async def test_unchanged_answers_stretch_the_wait_up_to_the_ceiling_and_are_not_reported_again():
    script = Script(*[running()] * 8, DONE)
    assert await script.run(1.0) == DONE
    assert script.delays == [1.0, 1.5, 2.25, 3.375, 5.0625, 7.59375, 8.0, 8.0]
    assert script.shown == [running(), DONE]


async def test_a_change_snaps_back_to_the_base_interval():
    script = Script(running(), running(), running(), running("Iteration 2", 40), running("Iteration 2", 40), DONE)
    await script.run(1.0)
    assert script.delays == [1.0, 1.5, 2.25, 1.0, 1.5]
    assert script.shown == [running(), running("Iteration 2", 40), DONE]


def test_the_ceiling_stays_within_the_api_contract_and_never_below_the_configured_interval():
    assert idle_ceiling(1.0) == 8.0
    assert idle_ceiling(10.0) == 15.0
    assert idle_ceiling(20.0) == 20.0


async def test_after_an_error_the_same_answer_is_reported_again():
    errors: list = []
    script = Script(running(), ServerError("boom", status=503), running(), DONE)
    await script.run(1.0, errors)
    assert len(errors) == 1
    assert script.shown == [running(), running(), DONE]  # replaces the "connection trouble" message
    assert script.delays == [1.0, 2.0, 1.0]


async def test_a_task_the_server_forgot_is_lost():
    script = Script(running(), NotFoundError("gone"))
    with pytest.raises(TaskLost):
        await script.run(1.0)


def server_error() -> ApiError:
    return ServerError("Something went wrong on our side", status=503)


async def test_errors_without_end_give_up_when_the_error_budget_is_spent():
    script = Script(*[server_error()] * 1000)
    with pytest.raises(PollingGaveUp) as caught:
        await script.run(1.0, error_budget=60.0)
    assert caught.value.message == (
        "Gave up polling after 60 s of errors in a row; the last one: Something went wrong on our side"
    )
    assert isinstance(caught.value.error, ServerError)
    assert script.delays == [2.0, 4.0, 8.0, 16.0, 30.0]  # the last wait is what the budget had left
    assert script.fetches == 6


async def test_slow_failing_fetches_spend_the_budget_by_the_clock():
    script = Script(*[NetworkError("GET /search/status/t1 timed out after 30s")] * 100, took=45.0)
    with pytest.raises(PollingGaveUp, match="timed out after 30s"):
        await script.run(1.0, error_budget=60.0)
    assert script.fetches == 2  # 45 s + a 2 s wait + 45 s is past the budget


async def test_a_success_between_errors_starts_the_budget_again():
    answers = [server_error()] * 4 + [running()] + [server_error()] * 4 + [DONE]
    script = Script(*answers)
    assert await script.run(1.0, error_budget=31.0) == DONE  # 2+4+8+16 = 30 s of errors each time


@pytest.mark.parametrize("error", [
    RedirectError("GET /search/status/t1 was redirected to https://evil.example/ (307); redirects are not followed",
                  status=307),
    BadRequestError("bad task id"),
])
async def test_an_error_polling_cannot_fix_ends_polling_at_once(error):
    script = Script(running(), error, running())
    with pytest.raises(PollingGaveUp) as caught:
        await script.run(1.0)
    assert caught.value.message == f"Polling stopped: {error.message}"
    assert caught.value.error is error
    assert script.fetches == 2


async def test_a_malformed_answer_is_polled_through_like_a_5xx():
    script = Script(UnexpectedResponseError("GET /search/status/t1: response is not JSON"), DONE)
    assert await script.run(1.0) == DONE


async def test_busy_answers_wait_as_asked_and_do_not_use_up_the_error_budget():
    busy = RateLimitedError("slow down", retry_after=20.0)
    script = Script(server_error(), busy, busy, busy, server_error(), busy, DONE)
    assert await script.run(1.0, error_budget=5.0) == DONE  # 2 + 4 s of errors: within budget
    assert script.delays == [2.0, 20.0, 20.0, 20.0, 3.0, 20.0]


async def test_a_429_storm_never_spins_and_ends_when_the_busy_budget_is_spent():
    storm = RateLimitedError("slow down", retry_after=0.0)
    script = Script(*[storm] * 1000)
    with pytest.raises(PollingGaveUp) as caught:
        await script.run(2.0, busy_budget=60.0)
    assert set(script.delays) == {2.0}  # "retry now" still waits the interval
    assert script.fetches == 31
    assert caught.value.message == (
        "Gave up polling: the server answered 429 (busy) for 60 s in a row; the last answer: slow down"
    )


async def test_an_absurd_retry_after_is_waited_once_capped_at_15_minutes():
    script = Script(RateLimitedError("slow down", retry_after=1e12), DONE, took=0.01)  # a poll takes time
    await script.run(1.0)
    assert script.delays == [900.0]


async def test_a_429s_pause_goes_to_the_at_least_sleep_and_other_waits_to_the_plain_one():
    """The engine moves ordinary waits onto its beat, either way by up to half a second; a 429's
    pause is the least the server asked for, so it goes to the sleep that never shortens."""
    script = Script(running(), RateLimitedError("slow down", retry_after=20.0), running("Iteration 2", 3), DONE)
    at_least: list[float] = []

    async def sleep_at_least(seconds: float) -> None:
        at_least.append(seconds)
        script.now += seconds

    await poll_until_done(script.fetch, script.shown.append, 1.0, sleep=script.sleep,
                          sleep_at_least=sleep_at_least, clock=script.clock)
    assert at_least == [20.0]
    assert script.delays == [1.0, 1.0]
