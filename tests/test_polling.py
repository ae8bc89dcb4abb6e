"""Polling one task: unchanged answers stretch the wait, any change snaps it back."""

from __future__ import annotations

import pytest

from sixtyfour_tui.api.errors import NotFoundError, ServerError
from sixtyfour_tui.api.models import TaskStatus
from sixtyfour_tui.jobs.polling import TaskLost, idle_ceiling, poll_until_done


class Script:
    """Answers polls from a list; an exception in the list is raised instead."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.delays: list[float] = []
        self.shown: list[TaskStatus] = []

    async def fetch(self) -> TaskStatus:
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)

    async def run(self, interval: float = 1.0, errors: list | None = None) -> TaskStatus:
        return await poll_until_done(self.fetch, self.shown.append, interval,
                                     on_error=(errors.append if errors is not None else None), sleep=self.sleep)


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
