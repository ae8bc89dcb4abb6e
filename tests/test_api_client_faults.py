"""Client requests, retry rules and fault handling, against httpx.MockTransport handlers."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import httpx
import pytest

from sixtyfour_tui.api import (
    BadRequestError,
    ConflictError,
    NetworkError,
    RateLimitedError,
    RedirectError,
    ResponseTooLargeError,
    RetryNotice,
    RetryPolicy,
    ServerError,
    SixtyfourClient,
    UnauthorizedError,
    UnexpectedResponseError,
)

API_KEY = "sk-test-key"
BASE = "https://api.test"
STARTED = {"task_id": "task-1", "status": "queued", "message": "Search started"}
PAGE = {"results": [{"fullName": "Ada"}], "next_cursor": "cur-2", "has_more": True}


class Recorder:
    """A MockTransport handler replaying scripted answers and recording every request."""

    def __init__(self, *answers: httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    def bodies(self) -> list[dict]:
        return [json.loads(r.content) for r in self.requests]


class FakeSleep:
    """Records delays and moves a fake clock on by them: time budgets are spent without waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.now = 0.0

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def make_client(handler: Recorder, sleep: FakeSleep | None = None, **policy) -> SixtyfourClient:
    policy.setdefault("jitter", False)
    sleep = sleep or FakeSleep()
    return SixtyfourClient(
        API_KEY,
        BASE,
        retry=RetryPolicy(sleep=sleep, clock=sleep.clock, **policy),
        transport=httpx.MockTransport(handler),
    )


# -- retry policy ---------------------------------------------------------------------------------


def test_backoff_doubles_and_caps_without_jitter():
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0, jitter=False)
    assert [policy.delay_for(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0]


def test_full_jitter_scales_backoff_by_random():
    policy = RetryPolicy(base_delay=1.0, max_delay=30.0, random=lambda: 0.25)
    assert policy.delay_for(3) == 1.0  # 0.25 * 4


def test_retry_after_wins_over_backoff_within_its_floor_and_cap():
    policy = RetryPolicy(max_delay=10.0, base_delay=0.5, max_retry_after=900.0, random=lambda: 0.0)
    assert policy.delay_for(1, retry_after=3.0) == 3.0
    assert policy.delay_for(1, retry_after=120.0) == 120.0  # the server's advice, not our backoff cap
    assert policy.delay_for(1, retry_after=1e12) == 900.0
    assert policy.delay_for(1, retry_after=0.0) == 0.5  # "retry now" must not become a spin


# -- what every request carries --------------------------------------------------------------------


async def test_requests_carry_key_json_and_timeout():
    handler = Recorder(httpx.Response(200, json=STARTED))
    client = SixtyfourClient(
        API_KEY, BASE, timeout=12.0, transport=httpx.MockTransport(handler), user_agent="ua-test/1"
    )
    async with client:
        await client.start_deep_search("CTOs in Berlin")
    request = handler.requests[0]
    assert request.method == "POST"
    assert str(request.url) == f"{BASE}/search/start-deep-search"
    assert request.headers["x-api-key"] == API_KEY
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == "ua-test/1"
    assert request.extensions["timeout"] == {"connect": 12.0, "read": 12.0, "write": 12.0, "pool": 12.0}


async def test_base_url_with_path_prefix_and_trailing_slash():
    handler = Recorder(httpx.Response(200, json={"task_id": "t", "status": "running"}))
    client = SixtyfourClient(API_KEY, "http://127.0.0.1:9/v1/", transport=httpx.MockTransport(handler))
    async with client:
        await client.task_status("t")
    assert str(handler.requests[0].url) == "http://127.0.0.1:9/v1/search/status/t"


def test_empty_key_rejected():
    with pytest.raises(ValueError):
        SixtyfourClient("  ")


# -- start_deep_search ------------------------------------------------------------------------------


async def test_start_sends_documented_fields_and_a_generated_uuid4_search_id():
    handler = Recorder(httpx.Response(200, json=STARTED))
    async with make_client(handler) as client:
        task = await client.start_deep_search(
            "Series B fintechs", mode="company", max_results=50, exclude_entity_ids=["e1"]
        )
    body = handler.bodies()[0]
    assert uuid.UUID(body["search_id"]).version == 4
    assert body == {
        "query": "Series B fintechs",
        "mode": "company",
        "max_results": 50,
        "output_mode": "csv",
        "search_id": body["search_id"],
        "exclude_entity_ids": ["e1"],
    }
    assert task.task_id == "task-1"
    assert task.search_id == body["search_id"]


async def test_start_retried_after_503_resends_the_same_search_id():
    sleep = FakeSleep()
    handler = Recorder(
        httpx.Response(503, json={"detail": "search backend unavailable"}),
        httpx.Response(200, json=STARTED),
    )
    async with make_client(handler, sleep, base_delay=0.5) as client:
        task = await client.start_deep_search("founders")
    first, second = handler.bodies()
    assert first == second
    assert first["search_id"] == task.search_id
    assert sleep.delays == [0.5]


async def test_a_429_on_start_goes_straight_back_for_the_callers_queue_to_wait_on():
    """Five searches already run: waiting for a slot is the job queue's business, shown as such."""
    handler = Recorder(httpx.Response(429, headers={"Retry-After": "1000000000000"}, json={"message": "5 running"}),
                       httpx.Response(200, json=STARTED))
    async with make_client(handler) as client:
        with pytest.raises(RateLimitedError) as caught:
            await client.start_deep_search("founders")
    assert len(handler.requests) == 1
    assert caught.value.retry_after == 900.0  # capped, so no queue can be paused for ever
    assert caught.value.requested_retry_after == 1e12


async def test_a_start_rides_out_more_5xx_in_a_row_than_a_fixed_count_allowed():
    handler = Recorder(*[httpx.Response(500, json={"detail": "oops"})] * 6, httpx.Response(200, json=STARTED))
    async with make_client(handler, base_delay=0.5) as client:  # default 30 s budget
        task = await client.start_deep_search("founders", search_id="s-7")
    assert task.task_id == "task-1"
    assert {b["search_id"] for b in handler.bodies()} == {"s-7"} and len(handler.requests) == 7


async def test_start_keeps_a_caller_chosen_search_id():
    handler = Recorder(httpx.ReadError("connection reset by peer"), httpx.Response(200, json=STARTED))
    async with make_client(handler) as client:
        task = await client.start_deep_search("x", search_id="my-id")
    assert [b["search_id"] for b in handler.bodies()] == ["my-id", "my-id"]
    assert task.search_id == "my-id"


# -- retry behaviour ------------------------------------------------------------------------------


async def test_retry_after_header_is_honoured():
    sleep = FakeSleep()
    handler = Recorder(
        httpx.Response(429, headers={"Retry-After": "3"}, json={"error": "Too Many", "message": "slow"}),
        httpx.Response(429, headers={"Retry-After": "1.5"}, json={"error": "Too Many", "message": "slow"}),
        httpx.Response(200, json={"task_id": "t", "status": "running"}),
    )
    async with make_client(handler, sleep) as client:
        status = await client.task_status("t")
    assert status.status == "running"
    assert sleep.delays == [3.0, 1.5]
    assert len(handler.requests) == 3


async def test_a_wait_longer_than_the_busy_budget_goes_to_the_caller_capped_at_15_minutes():
    handler = Recorder(
        httpx.Response(429, headers={"Retry-After": "1000000000000"}, json={"message": "slow"}),
        httpx.Response(200, json={"task_id": "t", "status": "running"}),
    )
    async with make_client(handler) as client:  # default busy budget: a minute
        with pytest.raises(RateLimitedError) as caught:
            await client.task_status("t")
    assert len(handler.requests) == 1
    assert caught.value.retry_after == 900.0
    assert caught.value.wait_note == "the server asked to wait 31,710 years; waits are capped at 15 min"


async def test_a_capped_wait_within_the_busy_budget_is_waited_and_the_client_says_so():
    sleep = FakeSleep()
    notices: list[RetryNotice] = []
    handler = Recorder(
        httpx.Response(429, headers={"Retry-After": "1000000000000"}, json={"message": "slow"}),
        httpx.Response(200, json={"task_id": "t", "status": "running"}),
    )
    async with make_client(handler, sleep, busy_budget=3600.0, on_retry=notices.append) as client:
        await client.task_status("t")
    assert sleep.delays == [900.0]
    [notice] = notices
    assert notice.capped and notice.advised == 1e12 and notice.delay == 900.0
    assert notice.describe() == (
        "GET /search/status/t: server busy (429); retrying in 15 min "
        "(the server asked for 31,710 years; waits are capped at 15 min)"
    )


# -- retries spend time budgets -------------------------------------------------------------------


async def test_errors_are_retried_until_the_error_budget_is_spent_not_for_a_fixed_count():
    sleep = FakeSleep()
    handler = Recorder(httpx.Response(503, json={"detail": "unavailable"}))
    async with make_client(handler, sleep, error_budget=10.0, base_delay=1.0) as client:
        with pytest.raises(ServerError):
            await client.task_status("t")
    assert sleep.delays == [1.0, 2.0, 4.0, 3.0]  # the last wait is cut to what the budget has left
    assert len(handler.requests) == 5


async def test_slow_failures_spend_the_error_budget_by_the_clock():
    sleep = FakeSleep()

    def slow_failure(request: httpx.Request) -> httpx.Response:
        sleep.now += 20.0  # the server took 20 s to fail
        return httpx.Response(500, json={"detail": "oops"})

    async with make_client(Recorder(slow_failure), sleep, error_budget=30.0, base_delay=0.5) as client:
        with pytest.raises(ServerError):
            await client.task_status("t")
    assert sleep.delays == [0.5]  # 20 s + 0.5 s + 20 s is past 30 s: no third attempt


async def test_busy_answers_do_not_use_up_the_error_budget():
    """The issue's run: 500, 500, 500, 429, 503 failed a job within 2.2 s; it must get through."""
    sleep = FakeSleep()
    handler = Recorder(
        httpx.Response(500, json={"detail": "oops"}),
        httpx.Response(500, json={"detail": "oops"}),
        httpx.Response(500, json={"detail": "oops"}),
        httpx.Response(429, headers={"Retry-After": "1"}, json={"message": "slow"}),
        httpx.Response(503, json={"detail": "unavailable"}),
        httpx.Response(200, json=PAGE),
    )
    async with make_client(handler, sleep, error_budget=5.0, base_delay=0.5) as client:
        page = await client.query_first(mode="people", search_id="s-1")
    assert page.next_cursor == "cur-2"
    # errors back off 0.5, 1, 2 and then 1.5 (the budget's rest); the 429 waits what it asked
    assert sleep.delays == [0.5, 1.0, 2.0, 1.0, 1.5]


async def test_a_429_storm_waits_never_spins_and_ends_when_the_busy_budget_is_spent():
    sleep = FakeSleep()
    handler = Recorder(httpx.Response(429, headers={"Retry-After": "0"}, json={"message": "slow"}))
    async with make_client(handler, sleep, busy_budget=60.0, base_delay=0.5) as client:
        with pytest.raises(RateLimitedError):
            await client.task_status("t")
    assert set(sleep.delays) == {0.5}
    assert sum(sleep.delays) == 60.0
    assert len(handler.requests) == 121


async def test_max_attempts_still_caps_one_call_when_given():
    handler = Recorder(httpx.Response(429, headers={"Retry-After": "1"}, json={"message": "slow"}))
    async with make_client(handler, max_attempts=1) as client:
        with pytest.raises(RateLimitedError):
            await client.task_status("t")
    assert len(handler.requests) == 1


async def test_retries_stop_at_max_attempts_and_raise_last_error():
    sleep = FakeSleep()
    handler = Recorder(httpx.Response(503, json={"detail": "unavailable"}))
    async with make_client(handler, sleep, max_attempts=3, base_delay=1.0) as client:
        with pytest.raises(ServerError) as caught:
            await client.task_status("t")
    assert len(handler.requests) == 3
    assert sleep.delays == [1.0, 2.0]
    assert caught.value.status == 503
    assert caught.value.message == "unavailable"


async def test_rate_limit_exhausted_surfaces_rate_limited_error():
    handler = Recorder(httpx.Response(429, headers={"Retry-After": "2"}, json={"message": "slow"}))
    async with make_client(handler, max_attempts=2) as client:
        with pytest.raises(RateLimitedError) as caught:
            await client.query_next("c")
    assert caught.value.retry_after == 2.0
    assert len(handler.requests) == 2


async def test_timeouts_are_retried_then_reported_as_network_error():
    handler = Recorder(httpx.ReadTimeout("read timed out"))
    async with make_client(handler, max_attempts=2) as client:
        with pytest.raises(NetworkError) as caught:
            await client.download_link("rh_1")
    assert len(handler.requests) == 2
    assert caught.value.status is None
    assert caught.value.connect_failed is False
    assert "timed out" in caught.value.message


async def test_client_errors_are_not_retried():
    handler = Recorder(httpx.Response(401, json={"error": "Unauthorized", "message": "Invalid API key"}))
    async with make_client(handler) as client:
        with pytest.raises(UnauthorizedError):
            await client.task_status("t")
    assert len(handler.requests) == 1


async def test_non_json_success_is_unexpected_response():
    handler = Recorder(httpx.Response(200, text="<html>proxy login</html>"))
    async with make_client(handler) as client:
        with pytest.raises(UnexpectedResponseError):
            await client.task_status("t")


async def test_success_body_missing_required_field_is_unexpected_response():
    handler = Recorder(httpx.Response(200, json={"status": "queued"}))
    async with make_client(handler) as client:
        with pytest.raises(UnexpectedResponseError, match="task_id"):
            await client.start_deep_search("x")


# -- status ---------------------------------------------------------------------------------------


async def test_status_routes_and_id_quoting():
    handler = Recorder(httpx.Response(200, json={"task_id": "a/b", "status": "queued"}))
    async with make_client(handler) as client:
        await client.task_status("t-1")
        await client.task_status("t-1", route="deep-search-status")
        await client.task_status("a/b")
        with pytest.raises(ValueError):
            await client.task_status("t-1", route="nope")
    assert [r.url.raw_path for r in handler.requests] == [
        b"/search/status/t-1",
        b"/search/deep-search-status/t-1",
        b"/search/status/a%2Fb",
    ]
    assert all(r.method == "GET" for r in handler.requests)


# -- query ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sources",
    [
        {},
        {"search_id": "s", "query": "q"},
        {"parsed_query": {"a": 1}, "simple_filters": {"b": 2}},
    ],
)
async def test_query_first_needs_exactly_one_source_before_any_request(sources):
    handler = Recorder(httpx.Response(200, json=PAGE))
    async with make_client(handler) as client:
        with pytest.raises(ValueError, match="exactly one"):
            await client.query_first(mode="people", **sources)
    assert handler.requests == []


async def test_query_first_body():
    handler = Recorder(httpx.Response(200, json=PAGE))
    async with make_client(handler) as client:
        page = await client.query_first(
            mode="company",
            simple_filters={"industry": "fintech", "$sort": {"founded_year": -1}},
            page_size=25,
            exclude_public_ids=["p1", "p2"],
        )
    assert handler.bodies() == [
        {
            "mode": "company",
            "page_size": 25,
            "max_results": 1000,
            "simple_filters": {"industry": "fintech", "$sort": {"founded_year": -1}},
            "exclude_public_ids": ["p1", "p2"],
        }
    ]
    assert handler.requests[0].url.path == "/search/query"
    assert page.next_cursor == "cur-2"
    assert page.results == [{"fullName": "Ada"}]


async def test_query_next_sends_only_the_cursor():
    handler = Recorder(httpx.Response(200, json={"results": [], "next_cursor": None, "has_more": False}))
    async with make_client(handler) as client:
        page = await client.query_next("opaque-cursor==")
    assert handler.requests[0].content == b'{"cursor":"opaque-cursor=="}'
    assert handler.bodies() == [{"cursor": "opaque-cursor=="}]
    assert page.has_more is False


async def test_query_reads_are_retried_on_5xx():
    handler = Recorder(httpx.Response(500, json={"detail": "oops"}), httpx.Response(200, json=PAGE))
    async with make_client(handler) as client:
        page = await client.query_first(mode="people", search_id="s-1")
    assert len(handler.requests) == 2
    assert handler.bodies()[0] == handler.bodies()[1]
    assert page.has_more is True


# -- export -----------------------------------------------------------------------------------------


async def test_export_body_and_result():
    handler = Recorder(httpx.Response(200, json={"task_id": "exp-1", "status": "queued"}))
    async with make_client(handler) as client:
        task = await client.export(mode="people", search_id="s-1")
    assert handler.bodies() == [{"mode": "people", "max_results": 5000, "search_id": "s-1"}]
    assert handler.requests[0].url.path == "/search/export"
    assert task.task_id == "exp-1"


@pytest.mark.parametrize("kwargs", [{}, {"search_id": "s", "parsed_query": {"a": 1}}])
async def test_export_needs_exactly_one_source(kwargs):
    handler = Recorder(httpx.Response(200, json={"task_id": "exp-1"}))
    async with make_client(handler) as client:
        with pytest.raises(ValueError):
            await client.export(mode="people", **kwargs)
    assert handler.requests == []


@pytest.mark.parametrize(
    "failure", [httpx.Response(503, json={"detail": "down"}), httpx.ReadError("reset")], ids=["5xx", "dropped-read"]
)
async def test_export_is_retried_after_a_5xx_or_a_dropped_read(failure):
    handler = Recorder(failure, httpx.Response(200, json={"task_id": "exp-2", "status": "queued"}))
    async with make_client(handler) as client:
        task = await client.export(mode="people", search_id="s-1")
    assert task.task_id == "exp-2"
    assert handler.bodies() == [{"mode": "people", "max_results": 5000, "search_id": "s-1"}] * 2


async def test_an_export_retry_that_meets_the_export_it_started_reports_that_export():
    """The first attempt started an export but its answer was lost; the repeat gets 409 naming it."""
    handler = Recorder(
        httpx.Response(502, text="Bad Gateway"),
        httpx.Response(409, json={"error": "Conflict", "message": "export running", "task_id": "exp-first"}),
    )
    async with make_client(handler) as client:
        with pytest.raises(ConflictError) as caught:
            await client.export(mode="people", search_id="s-1")
    assert caught.value.task_id == "exp-first"
    assert len(handler.requests) == 2


async def test_export_is_retried_on_429_and_connect_errors():
    sleep = FakeSleep()
    handler = Recorder(
        httpx.Response(429, headers={"Retry-After": "4"}, json={"message": "slow"}),
        httpx.ConnectError("refused"),
        httpx.Response(200, json={"task_id": "exp-9", "status": "queued"}),
    )
    async with make_client(handler, sleep, base_delay=0.5) as client:
        task = await client.export(mode="company", parsed_query={"must": []})
    assert task.task_id == "exp-9"
    assert sleep.delays == [4.0, 0.5]  # the connect error is the first error: backoff starts over
    assert len(handler.requests) == 3


async def test_export_conflict_carries_running_task_id():
    handler = Recorder(
        httpx.Response(409, json={"error": "Conflict", "message": "export running", "task_id": "exp-running"})
    )
    async with make_client(handler) as client:
        with pytest.raises(ConflictError) as caught:
            await client.export(mode="people", search_id="s-1")
    assert caught.value.task_id == "exp-running"
    assert len(handler.requests) == 1


# -- download link ----------------------------------------------------------------------------------


async def test_download_link_request():
    handler = Recorder(
        httpx.Response(200, json={"url": "https://storage.test/f.csv?sig=abc", "bucket": "b", "path": "f.csv"})
    )
    async with make_client(handler) as client:
        link = await client.download_link("rh_123")
    request = handler.requests[0]
    assert request.method == "GET"
    assert request.url.path == "/search/download"
    assert request.url.params["resource_handle_id"] == "rh_123"
    assert link.url == "https://storage.test/f.csv?sig=abc"


async def test_context_manager_closes_the_http_client():
    handler = Recorder(httpx.Response(200, json={"task_id": "t", "status": "queued"}))
    client = make_client(handler)
    async with client:
        await client.task_status("t")
    with pytest.raises(RuntimeError):
        await client.task_status("t")


# -- an echoed API key is redacted from every JSON answer -----------------------------------------


async def test_a_key_echoed_in_a_status_is_redacted_before_the_model_sees_it():
    echo = {"task_id": "t", "status": "running", "progress_message": f"Searching with key {API_KEY}",
            "iterations": [{"iteration": 1, "message": f"{API_KEY}{API_KEY}"}], API_KEY: "as a field name"}
    async with make_client(Recorder(httpx.Response(200, json=echo))) as client:
        status = await client.task_status("t")
    assert status.progress_message == "Searching with key [redacted]"
    assert status.iterations[0].message == "[redacted][redacted]"
    assert API_KEY not in json.dumps(status.raw)
    assert status.raw["[redacted]"] == "as a field name"


async def test_a_key_spelled_with_json_escapes_is_redacted_too():
    escaped = "".join(f"\\u{ord(c):04x}" for c in API_KEY)
    body = b'{"results": [{"fullName": "Ada", "note": "' + escaped.encode() + b'"}], "next_cursor": null}'
    assert API_KEY.encode() not in body
    handler = Recorder(httpx.Response(200, content=body, headers={"content-type": "application/json"}))
    async with make_client(handler) as client:
        page = await client.query_next("c")
    assert page.results == [{"fullName": "Ada", "note": "[redacted]"}]


async def test_a_key_echoed_in_an_error_past_the_message_length_is_not_half_kept():
    text = "x" * 195 + API_KEY  # the key straddles the 200-character cut of a text message
    async with make_client(Recorder(httpx.Response(400, text=text))) as client:
        with pytest.raises(BadRequestError) as caught:
            await client.task_status("t")
    assert caught.value.message == "x" * 195 + "[red…"


# -- what is read is capped; redirects are errors --------------------------------------------------


async def test_a_body_past_the_cap_is_a_clear_error():
    big = {"task_id": "t", "status": "running", "progress_message": "x" * 5000}
    handler = Recorder(httpx.Response(200, json=big))
    client = SixtyfourClient(API_KEY, BASE, max_response_bytes=4096, transport=httpx.MockTransport(handler),
                             retry=RetryPolicy(sleep=FakeSleep()))
    async with client:
        with pytest.raises(ResponseTooLargeError) as caught:
            await client.task_status("t")
    assert caught.value.message == "GET /search/status/t: response larger than 4,096 bytes"
    assert caught.value.status == 200 and caught.value.limit == 4096
    assert len(handler.requests) == 1  # not worth retrying


async def test_a_redirect_names_its_target_and_is_not_followed():
    target = f"https://evil.example/grab?k={API_KEY}"
    handler = Recorder(httpx.Response(307, headers={"location": target}))
    async with make_client(handler) as client:
        with pytest.raises(RedirectError) as caught:
            await client.task_status("x")
    assert caught.value.message == (
        "GET /search/status/x was redirected to https://evil.example/grab?k=[redacted] (307); "
        "redirects are not followed"
    )
    assert caught.value.status == 307
    assert [r.url.host for r in handler.requests] == ["api.test"]


def test_a_plain_http_api_gets_a_tls_context_that_trusts_no_one_and_https_keeps_verifying():
    """The sandbox's client skips loading the CA bundle; should TLS ever happen through it, the
    handshake fails (verification on, nothing trusted) instead of going unverified."""
    import ssl

    from sixtyfour_tui.api.session import _tls_for

    plain = _tls_for("http://127.0.0.1:8064")
    assert isinstance(plain, ssl.SSLContext)
    assert plain.verify_mode == ssl.CERT_REQUIRED and plain.check_hostname
    assert plain.get_ca_certs() == []
    assert _tls_for(BASE) is True
