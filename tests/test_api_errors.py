"""Every error class from every body shape, through the real httpx stack (MockTransport)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from sixtyfour_tui.api import (
    ApiError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NetworkError,
    NotFoundError,
    PaymentRequiredError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    SixtyfourClient,
    UnauthorizedError,
    ValidationError,
    error_from_response,
)
from sixtyfour_tui.api.errors import parse_retry_after

API_KEY = "sk-test-SECRET-0123456789"

SHAPES = {
    "error_message": ({"error": "Something", "message": "the message text"}, "the message text"),
    "detail_string": ({"detail": "the detail text"}, "the detail text"),
    "detail_list": (
        {
            "detail": [
                {"loc": ["body", "max_results"], "msg": "must be <= 10000", "type": "value_error"},
                {"loc": ["body", "query"], "msg": "field required", "type": "missing"},
            ]
        },
        "body.max_results: must be <= 10000; body.query: field required",
    ),
}

STATUS_CLASSES = [
    (400, BadRequestError),
    (401, UnauthorizedError),
    (402, PaymentRequiredError),
    (403, ForbiddenError),
    (404, NotFoundError),
    (409, ConflictError),
    (422, ValidationError),
    (429, RateLimitedError),
    (500, ServerError),
    (503, ServerError),
    (418, ApiError),
]


def client_answering(response: httpx.Response) -> SixtyfourClient:
    """A client whose every request gets `response`; one attempt so errors surface at once."""
    return SixtyfourClient(
        API_KEY,
        "https://api.test",
        retry=RetryPolicy(max_attempts=1),
        transport=httpx.MockTransport(lambda request: response),
    )


@pytest.mark.parametrize("status,cls", STATUS_CLASSES)
@pytest.mark.parametrize("shape", sorted(SHAPES))
async def test_each_status_and_body_shape_maps_to_its_class(status, cls, shape):
    body, expected_message = SHAPES[shape]
    async with client_answering(httpx.Response(status, json=body)) as client:
        with pytest.raises(ApiError) as caught:
            await client.task_status("t-1")
    error = caught.value
    assert type(error) is cls
    assert error.status == status
    assert error.message == expected_message
    assert str(error) == expected_message
    assert error.body == body


async def test_validation_error_keeps_details_list():
    body, _ = SHAPES["detail_list"]
    async with client_answering(httpx.Response(422, json=body)) as client:
        with pytest.raises(ValidationError) as caught:
            await client.query_next("c")
    assert [d["loc"] for d in caught.value.details] == [["body", "max_results"], ["body", "query"]]


async def test_validation_error_with_string_detail_has_empty_details():
    async with client_answering(httpx.Response(422, json={"detail": "bad"})) as client:
        with pytest.raises(ValidationError) as caught:
            await client.query_next("c")
    assert caught.value.details == []
    assert caught.value.message == "bad"


def test_conflict_carries_task_id_from_body():
    response = httpx.Response(
        409, json={"error": "Conflict", "message": "export running", "task_id": "exp-42"}
    )
    error = error_from_response(response)
    assert isinstance(error, ConflictError)
    assert error.task_id == "exp-42"
    assert error.message == "export running"


def test_conflict_without_task_id_has_none():
    error = error_from_response(httpx.Response(409, json={"detail": "already exporting"}))
    assert isinstance(error, ConflictError)
    assert error.task_id is None


def test_rate_limited_reads_retry_after_seconds():
    response = httpx.Response(
        429, headers={"Retry-After": "7"}, json={"error": "Too Many Requests", "message": "slow down"}
    )
    error = error_from_response(response)
    assert isinstance(error, RateLimitedError)
    assert error.retry_after == 7.0
    assert error.message == "slow down"


def test_rate_limited_without_retry_after_is_none():
    error = error_from_response(httpx.Response(429, json={"message": "slow"}))
    assert isinstance(error, RateLimitedError)
    assert error.retry_after is None


def test_retry_after_parsing_variants():
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("") is None
    assert parse_retry_after(None) is None
    future = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 55 <= parse_retry_after(future) <= 60


def test_non_json_body_gives_short_text_message():
    response = httpx.Response(502, text="<html>\n  Bad   gateway\n</html>")
    error = error_from_response(response)
    assert isinstance(error, ServerError)
    assert error.status == 502
    assert error.message == "<html> Bad gateway </html>"


def test_long_text_body_is_truncated():
    error = error_from_response(httpx.Response(500, text="x" * 5000))
    assert len(error.message) == 200
    assert error.message.endswith("…")


def test_empty_body_falls_back_to_status_line():
    error = error_from_response(httpx.Response(503))
    assert isinstance(error, ServerError)
    assert error.message == "HTTP 503 Service Unavailable"


def test_json_without_known_fields_falls_back_to_status_line():
    error = error_from_response(httpx.Response(404, json={"weird": True}))
    assert isinstance(error, NotFoundError)
    assert error.message == "HTTP 404 Not Found"


def test_error_only_shape_uses_error_text():
    error = error_from_response(httpx.Response(401, json={"error": "Unauthorized"}))
    assert error.message == "Unauthorized"


async def test_api_key_echoed_by_server_never_reaches_message_or_body():
    body = {"error": "Unauthorized", "message": f"Invalid API key {API_KEY}", "echo": [API_KEY]}
    async with client_answering(httpx.Response(401, json=body)) as client:
        with pytest.raises(UnauthorizedError) as caught:
            await client.task_status("t-1")
    error = caught.value
    assert error.message == "Invalid API key [redacted]"
    for rendered in (str(error), repr(error), error.message, json.dumps(error.body)):
        assert API_KEY not in rendered


async def test_api_key_not_in_text_body_error():
    async with client_answering(httpx.Response(500, text=f"boom key={API_KEY}")) as client:
        with pytest.raises(ServerError) as caught:
            await client.task_status("t-1")
    assert API_KEY not in caught.value.message
    assert API_KEY not in caught.value.body


async def test_network_error_has_no_status_and_no_key():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = SixtyfourClient(
        API_KEY, "https://api.test", retry=RetryPolicy(max_attempts=1),
        transport=httpx.MockTransport(refuse),
    )
    async with client:
        with pytest.raises(NetworkError) as caught:
            await client.task_status("t-1")
    assert caught.value.status is None
    assert caught.value.connect_failed is True
    assert "connection refused" in caught.value.message
    assert API_KEY not in str(caught.value)


async def test_client_repr_hides_key():
    async with SixtyfourClient(API_KEY, "https://api.test") as client:
        assert API_KEY not in repr(client)
        assert API_KEY not in str(client)
        assert "redacted" in repr(client)


def test_an_absurd_retry_after_is_capped_and_the_error_says_so():
    error = error_from_response(httpx.Response(429, headers={"Retry-After": "1000000000000"}, json={"message": "slow"}))
    assert isinstance(error, RateLimitedError)
    assert error.retry_after == 900.0 and error.requested_retry_after == 1e12
    assert error.wait_note == "the server asked to wait 31,710 years; waits are capped at 15 min"
    modest = error_from_response(httpx.Response(429, headers={"Retry-After": "30"}, json={"message": "slow"}))
    assert (modest.retry_after, modest.wait_note) == (30.0, None)
