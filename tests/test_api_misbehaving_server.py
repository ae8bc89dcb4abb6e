"""Every request and every poll loop ends, against a real loopback server that misbehaves the
ways the issue lists: a 307 from the status route, a body shorter than its Content-Length, a body
trickling in byte by byte, a body without end, and 429 with an absurd Retry-After."""

from __future__ import annotations

import json
import re
import tracemalloc

import pytest

from sixtyfour_tui.api import (
    DeadlineExceededError,
    DownloadLink,
    DownloadStalledError,
    NetworkError,
    RateLimitedError,
    RedirectError,
    ResponseTooLargeError,
    RetryPolicy,
    SixtyfourClient,
)
from sixtyfour_tui.api.download import StallRule
from sixtyfour_tui.jobs.polling import PollingGaveUp, poll_until_done
from tests.misbehaving_server import MisbehavingServer, endless, json_answer, redirect, short_body, trickle

API_KEY = "sk-misbehaving-0123456789"
STATUS = {"task_id": "t", "status": "running", "progress_message": "Searching"}


class FakeTime:
    """A clock that only moves when something sleeps: long waits, spent instantly."""

    def __init__(self) -> None:
        self.now = 0.0
        self.delays: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def quick_retries(**overrides) -> RetryPolicy:
    """Real time, small budgets: a test ends in about a second whatever the server does."""
    overrides.setdefault("error_budget", 0.3)
    return RetryPolicy(base_delay=0.05, max_delay=0.1, jitter=False, **overrides)


async def poll(client: SixtyfourClient, **budgets) -> None:
    await poll_until_done(lambda: client.task_status("t"), lambda status: None, 0.05, **budgets)


async def test_a_307_from_the_status_route_is_an_error_and_the_key_never_reaches_the_target():
    async with MisbehavingServer(json_answer(200, STATUS)) as elsewhere:
        target = f"{elsewhere.base_url}/search/status/t"
        async with MisbehavingServer(redirect(target)) as api:
            async with SixtyfourClient(API_KEY, api.base_url, retry=quick_retries()) as client:
                with pytest.raises(RedirectError) as caught:
                    await client.task_status("t")
                with pytest.raises(PollingGaveUp) as gave_up:
                    await poll(client)
    expected = f"GET /search/status/t was redirected to {target} (307); redirects are not followed"
    assert caught.value.message == expected
    assert caught.value.status == 307 and caught.value.location == target
    assert gave_up.value.error is not None and gave_up.value.error.message == expected
    assert len(api.requests) == 2  # once per call: a redirect is not retried, nor polled through
    assert api.requests[0].headers["x-api-key"] == API_KEY
    assert elsewhere.requests == []


async def test_a_body_shorter_than_its_content_length_ends_in_a_network_error_and_polling_ends():
    partial = json.dumps(STATUS).encode()[:20]
    async with MisbehavingServer(short_body(partial, declared=500)) as api:
        async with SixtyfourClient(API_KEY, api.base_url, timeout=0.2, retry=quick_retries()) as client:
            with pytest.raises(NetworkError) as caught:
                await client.task_status("t")
            with pytest.raises(PollingGaveUp) as gave_up:
                await poll(client, error_budget=0.5)
    assert caught.value.message == "GET /search/status/t timed out after 0.2s"
    assert "errors in a row; the last one: GET /search/status/t timed out" in gave_up.value.message


async def test_a_trickling_body_is_ended_by_the_per_request_deadline():
    body = json.dumps({**STATUS, "progress_message": "x" * 2000}).encode()
    async with MisbehavingServer(trickle(body, every=0.02)) as api:
        client = SixtyfourClient(API_KEY, api.base_url, timeout=5.0, request_deadline=0.4, retry=quick_retries())
        async with client:
            with pytest.raises(DeadlineExceededError) as caught:
                await client.task_status("t")
    assert caught.value.message == (
        "GET /search/status/t did not complete within 0.4 s (the deadline covers the whole response)"
    )
    assert len(api.requests) == 1  # that attempt alone spent more than the error budget


@pytest.mark.parametrize("declared", [None, 400 * 2**20], ids=["no-length", "declared-400MB"])
async def test_a_huge_body_is_cut_off_at_the_cap_in_flat_memory(declared):
    async with MisbehavingServer(endless(declared=declared, limit=200 * 2**20)) as api:
        client = SixtyfourClient(API_KEY, api.base_url, max_response_bytes=2**20, retry=quick_retries())
        tracemalloc.start()
        try:
            async with client:
                with pytest.raises(ResponseTooLargeError) as caught:
                    await client.task_status("t")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert caught.value.message == "GET /search/status/t: response larger than 1 MB"
    assert peak < 8 * 2**20, f"peak {peak} bytes"
    assert api.sent_bytes < 50 * 2**20  # the rest was never asked for


async def test_429_with_an_absurd_retry_after_is_waited_out_by_polling_for_at_most_15_minutes():
    answer = json_answer(429, {"error": "Too Many Requests", "message": "slow down"},
                         headers={"retry-after": "1000000000000"})
    time = FakeTime()
    policy = RetryPolicy(sleep=time.sleep, clock=time.clock)  # default budgets
    async with MisbehavingServer(answer) as api:
        async with SixtyfourClient(API_KEY, api.base_url, retry=policy) as client:
            with pytest.raises(RateLimitedError) as caught:
                await client.task_status("t")  # a 15-minute wait is not done silently inside one request
            with pytest.raises(PollingGaveUp) as gave_up:
                await poll_until_done(lambda: client.task_status("t"), lambda status: None, 1.0,
                                      sleep=time.sleep, clock=time.clock)
    assert (caught.value.retry_after, caught.value.requested_retry_after) == (900.0, 1e12)
    assert time.delays == [900.0]  # the poll loop waited the capped time once, visibly, then gave up
    assert gave_up.value.message == (
        "Gave up polling: the server answered 429 (busy) for 15 min in a row (the server asked to wait "
        "31,710 years; waits are capped at 15 min); the last answer: slow down"
    )
    assert len(api.requests) == 3


async def test_a_download_that_trickles_is_stalled_and_leaves_nothing(tmp_path):
    csv_body = b"full_name,title\r\n" + b"Ada Lovelace,CTO\r\n" * 200
    async with MisbehavingServer(trickle(csv_body, every=0.01, content_type="text/csv")) as storage:
        client = SixtyfourClient(API_KEY, storage.base_url, retry=RetryPolicy(max_attempts=1),
                                 download_stall=StallRule(window=0.2, min_bytes=64 * 1024))
        async with client:
            with pytest.raises(DownloadStalledError) as caught:
                await client.download_to("rh_1", tmp_path / "a.csv", link=DownloadLink(url=f"{storage.base_url}/f"))
    assert re.fullmatch(r"download stalled: [\d,]+ bytes in 0\.\d+ s \(at least 65,536 bytes per 0\.2 s expected\)",
                        caught.value.message)
    assert list(tmp_path.iterdir()) == []
    assert "x-api-key" not in storage.requests[0].headers
