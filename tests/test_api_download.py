"""Signed-URL downloads: atomic, key-free, resilient to drops and expired links, flat in memory."""

from __future__ import annotations

import asyncio
import csv
import gzip
import tracemalloc
from pathlib import Path

import httpx
import pytest

from sixtyfour_tui.api import (
    DownloadLink,
    ForbiddenError,
    IncompleteDownloadError,
    NetworkError,
    NotFoundError,
    RetryPolicy,
    SixtyfourClient,
    TruncatedDownloadError,
    UnexpectedResponseError,
)
from sixtyfour_tui.jobs.polling import poll_until_done
from sixtyfour_tui.sandbox.config import FaultConfig

API_KEY = "sk-test-download-key"
CSV = b'full_name,title,email\r\nAda Lovelace,CTO,ada@x.io\r\n"Bob, Jr.","Head of\nGrowth",\r\nCy,VP,cy@x.io\r\n'
CSV_ROWS = 3


class FakeSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class DroppingStream(httpx.AsyncByteStream):
    """Sends the first `keep` bytes, then the connection 'resets'."""

    def __init__(self, data: bytes, keep: int) -> None:
        self.data, self.keep = data, keep

    async def __aiter__(self):
        yield self.data[: self.keep]
        raise httpx.ReadError("connection reset by peer")


class Api:
    """The API side: hands out signed links, numbered so a refresh is visible."""

    def __init__(self) -> None:
        self.link_requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/search/download"
        self.link_requests.append(request)
        sig = f"sig{len(self.link_requests)}"
        return httpx.Response(200, json={"url": f"https://storage.test/f.csv?{sig}", "bucket": "b", "path": "f.csv"})


class Storage:
    """The storage side: `answers` is consumed one per request; the last one repeats."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return answer(request) if callable(answer) else answer


def ok(body: bytes = CSV) -> httpx.Response:
    return httpx.Response(200, content=body, headers={"content-type": "text/csv"})


def cut(body: bytes = CSV, at: bytes = b",VP") -> httpx.Response:
    """The body ends early and cleanly, with no Content-Length: what a truncating host sends."""
    kept = body[: body.index(at) + len(at)]
    return httpx.Response(200, headers={"content-type": "text/csv"}, stream=httpx.ByteStream(kept))


def dropped(body: bytes = CSV, keep: int = 20) -> httpx.Response:
    return httpx.Response(200, headers={"content-length": str(len(body))}, stream=DroppingStream(body, keep))


def make_client(api: Api, storage: Storage, sleep: FakeSleep | None = None, **policy) -> SixtyfourClient:
    policy.setdefault("jitter", False)
    return SixtyfourClient(
        API_KEY,
        "https://api.test",
        retry=RetryPolicy(sleep=sleep or FakeSleep(), **policy),
        transport=httpx.MockTransport(api),
        download_transport=httpx.MockTransport(storage),
    )


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


async def test_download_fetches_link_then_file_without_sending_the_key(tmp_path):
    api, storage = Api(), Storage(ok())
    progress: list[tuple[int, int | None]] = []
    dest = tmp_path / "out" / "people.csv"
    async with make_client(api, storage) as client:
        result = await client.download_to("rh_1", dest, on_progress=lambda done, total: progress.append((done, total)))
    assert dest.read_bytes() == CSV
    assert result.path == dest
    assert result.bytes_written == len(CSV)
    assert result.rows == CSV_ROWS
    assert leftovers(dest.parent) == ["people.csv"]
    assert api.link_requests[0].headers["x-api-key"] == API_KEY
    assert api.link_requests[0].url.params["resource_handle_id"] == "rh_1"
    storage_request = storage.requests[0]
    assert str(storage_request.url) == "https://storage.test/f.csv?sig1"
    assert "x-api-key" not in storage_request.headers
    assert "authorization" not in storage_request.headers
    assert progress[0] == (0, len(CSV))
    assert progress[-1] == (len(CSV), len(CSV))


async def test_given_link_skips_the_link_request(tmp_path):
    api, storage = Api(), Storage(ok())
    link = DownloadLink(url="https://storage.test/given.csv?sig=pre")
    async with make_client(api, storage) as client:
        result = await client.download_to("rh_1", tmp_path / "a.csv", link=link)
    assert api.link_requests == []
    assert storage.requests[0].url.path == "/given.csv"
    assert result.rows == CSV_ROWS


async def test_redirects_are_followed_without_the_key(tmp_path):
    def redirect(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": "https://cdn.test/real.csv"})

    api, storage = Api(), Storage(redirect, ok())
    async with make_client(api, storage) as client:
        await client.download_to("rh_1", tmp_path / "a.csv")
    assert [r.url.host for r in storage.requests] == ["storage.test", "cdn.test"]
    assert all("x-api-key" not in r.headers for r in storage.requests)
    assert (tmp_path / "a.csv").read_bytes() == CSV


async def test_drop_mid_body_leaves_nothing_behind(tmp_path):
    api, storage = Api(), Storage(dropped())
    dest = tmp_path / "a.csv"
    async with make_client(api, storage, max_attempts=1) as client:
        with pytest.raises(NetworkError, match="connection reset"):
            await client.download_to("rh_1", dest)
    assert leftovers(tmp_path) == []


async def test_drop_mid_body_is_retried_to_completion(tmp_path):
    sleep = FakeSleep()
    api, storage = Api(), Storage(dropped(keep=10), dropped(keep=40), ok())
    dest = tmp_path / "a.csv"
    async with make_client(api, storage, sleep, base_delay=0.5) as client:
        result = await client.download_to("rh_1", dest)
    assert dest.read_bytes() == CSV
    assert result.bytes_written == len(CSV)
    assert len(storage.requests) == 3
    assert len(api.link_requests) == 1  # the link was still valid: no refresh needed
    assert sleep.delays == [0.5, 1.0]
    assert leftovers(tmp_path) == ["a.csv"]


async def test_content_length_longer_than_body_counts_as_dropped(tmp_path):
    short = httpx.Response(200, headers={"content-length": str(len(CSV) + 100)}, content=CSV)
    api, storage = Api(), Storage(short)
    dest = tmp_path / "a.csv"
    async with make_client(api, storage, max_attempts=2) as client:
        with pytest.raises(TruncatedDownloadError, match=f"got {len(CSV)} of {len(CSV) + 100} bytes"):
            await client.download_to("rh_1", dest)
    assert len(storage.requests) == 2
    assert leftovers(tmp_path) == []


async def test_failed_download_leaves_existing_destination_untouched(tmp_path):
    dest = tmp_path / "a.csv"
    dest.write_bytes(b"previous export\n")
    api, storage = Api(), Storage(lambda request: dropped())  # a fresh stream per attempt
    async with make_client(api, storage, max_attempts=2) as client:
        with pytest.raises(NetworkError):
            await client.download_to("rh_1", dest)
    assert dest.read_bytes() == b"previous export\n"
    assert leftovers(tmp_path) == ["a.csv"]


async def test_successful_download_replaces_existing_destination(tmp_path):
    dest = tmp_path / "a.csv"
    dest.write_bytes(b"old")
    async with make_client(Api(), Storage(ok())) as client:
        await client.download_to("rh_1", dest)
    assert dest.read_bytes() == CSV


async def test_expired_signature_403_fetches_a_fresh_link(tmp_path):
    def storage_host(request: httpx.Request) -> httpx.Response:
        if request.url.query == b"sig1":
            return httpx.Response(403, text="<Error><Code>SignatureExpired</Code></Error>")
        return ok()

    api, storage = Api(), Storage(storage_host)
    async with make_client(api, storage) as client:
        result = await client.download_to("rh_1", tmp_path / "a.csv")
    assert len(api.link_requests) == 2
    assert [r.url.query for r in storage.requests] == [b"sig1", b"sig2"]
    assert result.rows == CSV_ROWS
    assert leftovers(tmp_path) == ["a.csv"]


async def test_persistent_403_gives_up_with_forbidden(tmp_path):
    api, storage = Api(), Storage(httpx.Response(403, text="denied"))
    async with make_client(api, storage, max_attempts=3) as client:
        with pytest.raises(ForbiddenError) as caught:
            await client.download_to("rh_1", tmp_path / "a.csv")
    assert caught.value.message == "denied"
    assert len(api.link_requests) == 3
    assert leftovers(tmp_path) == []


async def test_storage_404_is_not_retried(tmp_path):
    api, storage = Api(), Storage(httpx.Response(404, text="NoSuchKey"))
    async with make_client(api, storage) as client:
        with pytest.raises(NotFoundError):
            await client.download_to("rh_1", tmp_path / "a.csv")
    assert len(storage.requests) == 1
    assert leftovers(tmp_path) == []


async def test_streaming_keeps_memory_flat(tmp_path):
    line = b"x" * 1000 + b",y\r\n"
    chunk = line * 64  # ~64 KiB
    chunks = 512  # ~32 MiB in total
    total = len(chunk) * chunks

    async def body():
        for _ in range(chunks):
            yield chunk

    calls: list[tuple[int, int | None]] = []
    storage = Storage(lambda request: httpx.Response(200, content=body()))
    dest = tmp_path / "big.csv"
    tracemalloc.start()
    try:
        async with make_client(Api(), storage) as client:
            result = await client.download_to("rh_1", dest, on_progress=lambda d, t: calls.append((d, t)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.bytes_written == total == dest.stat().st_size
    assert result.rows == 64 * chunks - 1
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes while streaming {total}"
    assert len(calls) > chunks // 2  # progress reported as it streamed, not once at the end
    assert calls[-1] == (total, None)


async def test_gzip_encoded_body_is_saved_decoded_and_length_checked_on_the_wire(tmp_path):
    packed = gzip.compress(CSV)

    def encoded(request: httpx.Request) -> httpx.Response:
        headers = {"content-encoding": "gzip", "content-length": str(len(packed))}
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(packed))

    async with make_client(Api(), Storage(encoded)) as client:
        result = await client.download_to("rh_1", tmp_path / "a.csv")
    assert (tmp_path / "a.csv").read_bytes() == CSV
    assert result.bytes_written == len(CSV)
    assert result.rows == CSV_ROWS


async def test_aborting_from_progress_callback_cleans_up_and_does_not_retry(tmp_path):
    def abort(done: int, total: int | None) -> None:
        if done > 0:
            raise RuntimeError("user cancelled")

    storage = Storage(ok())
    async with make_client(Api(), storage) as client:
        with pytest.raises(RuntimeError, match="user cancelled"):
            await client.download_to("rh_1", tmp_path / "a.csv", on_progress=abort)
    assert len(storage.requests) == 1
    assert leftovers(tmp_path) == []




# -- a body that ends early but cleanly is not a complete file --------------------------------------


async def test_a_csv_cut_mid_line_without_a_length_is_retried_until_whole(tmp_path):
    storage = Storage(cut(), ok())
    async with make_client(Api(), storage) as client:
        result = await client.download_to("rh_1", tmp_path / "a.csv")
    assert (tmp_path / "a.csv").read_bytes() == CSV
    assert result.rows == CSV_ROWS
    assert len(storage.requests) == 2


async def test_a_csv_that_keeps_arriving_cut_fails_and_leaves_the_destination_alone(tmp_path):
    dest = tmp_path / "a.csv"
    dest.write_bytes(b"previous export\n")
    storage, sleep = Storage(lambda request: cut()), FakeSleep()
    async with make_client(Api(), storage, sleep, error_budget=2.0, base_delay=0.5) as client:
        with pytest.raises(IncompleteDownloadError) as caught:
            await client.download_to("rh_1", dest)
    assert caught.value.message == "download incomplete: the last record has 2 of 3 fields"
    assert not isinstance(caught.value, NetworkError)  # the file is bad, the network was fine: exit 1, not 4
    assert sleep.delays == [0.5, 1.0, 0.5]  # the last wait is what the error budget had left
    assert len(storage.requests) == 4
    assert dest.read_bytes() == b"previous export\n"
    assert leftovers(tmp_path) == ["a.csv"]


async def test_a_short_last_record_is_incomplete_even_when_the_length_checks_out(tmp_path):
    short = CSV[: CSV.index(b",VP") + 3]
    async with make_client(Api(), Storage(ok(short)), max_attempts=1) as client:
        with pytest.raises(IncompleteDownloadError, match="the last record has 2 of 3 fields"):
            await client.download_to("rh_1", tmp_path / "a.csv")
    assert leftovers(tmp_path) == []


async def test_a_last_record_without_a_line_break_is_whole_when_the_length_is_verified(tmp_path):
    unterminated = CSV[:-2]
    async with make_client(Api(), Storage(ok(unterminated)), max_attempts=1) as client:
        result = await client.download_to("rh_1", tmp_path / "a.csv")
    assert result.rows == CSV_ROWS


# -- an echoed key never reaches the saved file ---------------------------------------------------


@pytest.mark.parametrize("split", range(0, len(API_KEY) + 1, 4))
async def test_a_key_echoed_in_the_csv_is_redacted_even_across_chunks(tmp_path, split):
    body = b"full_name,note\r\nAda,key is " + API_KEY.encode() + b"!\r\nBob,x\r\n"
    at = body.index(API_KEY.encode()) + split

    async def chunks():
        yield body[:at]
        yield body[at:]

    storage = Storage(lambda request: httpx.Response(200, headers={"content-length": str(len(body))}, content=chunks()))
    async with make_client(Api(), storage, max_attempts=1) as client:
        result = await client.download_to("rh_1", tmp_path / "a.csv")
    saved = (tmp_path / "a.csv").read_bytes()
    assert saved == body.replace(API_KEY.encode(), b"[redacted]")
    assert result.bytes_written == len(saved) and result.rows == 2


# -- the sandbox's truncating storage, as the issue ran it ----------------------------------------


async def finished_csv(client: SixtyfourClient, max_results: int) -> tuple[str, int]:
    started = await client.start_deep_search("engineers in Austin", max_results=max_results)
    final = await poll_until_done(lambda: client.task_status(started.task_id), lambda status: None, 0.02)
    assert final.is_completed and final.resource_handle_id
    return final.resource_handle_id, final.total_results


def csv_records(path: Path) -> list[list[str]]:
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


async def test_the_sandbox_truncating_a_one_row_csv_gets_a_retry_not_a_corrupt_file(make_sandbox, tmp_path):
    server = make_sandbox(speed=2000.0, faults=FaultConfig(truncate_downloads=1))
    policy = RetryPolicy(base_delay=0.01, error_budget=0.3)
    async with SixtyfourClient(server.api_key, server.base_url, retry=policy) as client:
        handle, total = await finished_csv(client, max_results=1)
        result = await client.download_to(handle, tmp_path / "one.csv")
        server.state.faults.break_downloads(truncations=1000)
        with pytest.raises(IncompleteDownloadError):
            await client.download_to(handle, tmp_path / "never.csv")
    header, *rows = csv_records(tmp_path / "one.csv")
    assert result.rows == total == len(rows) == 1
    assert len(header) == 9 and len(rows[0]) == 9
    assert not (tmp_path / "never.csv").exists()
    assert leftovers(tmp_path) == ["one.csv"]


async def test_a_download_storm_with_drops_and_truncations_saves_only_whole_files(make_sandbox, tmp_path):
    server = make_sandbox(speed=2000.0, faults=FaultConfig(drop_downloads=2, truncate_downloads=2))
    async with SixtyfourClient(server.api_key, server.base_url, retry=RetryPolicy(base_delay=0.01)) as client:
        handle, total = await finished_csv(client, max_results=40)
        results = await asyncio.gather(*(client.download_to(handle, tmp_path / f"{n}.csv") for n in range(10)))
    assert [r.rows for r in results] == [total] * 10
    for n in range(10):
        header, *rows = csv_records(tmp_path / f"{n}.csv")
        assert len(rows) == total and all(len(row) == len(header) for row in rows)


async def test_a_corrupt_gzip_body_is_incomplete_and_a_broken_link_is_an_api_error(tmp_path):
    def corrupt(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip at all"))

    async with make_client(Api(), Storage(corrupt), max_attempts=2) as client:
        with pytest.raises(IncompleteDownloadError, match="undecodable body"):
            await client.download_to("rh_1", tmp_path / "a.csv")
        with pytest.raises(UnexpectedResponseError, match="not a usable URL"):
            await client.download_to("rh_1", tmp_path / "b.csv", link=DownloadLink(url="https://a\x00b.test/x"))
    assert leftovers(tmp_path) == []
