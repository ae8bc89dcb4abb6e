"""Signed-URL downloads: atomic, key-free, resilient to drops and expired links, flat in memory."""

from __future__ import annotations

import gzip
import tracemalloc
from pathlib import Path

import httpx
import pytest

from sixtyfour_tui.api import (
    DownloadLink,
    ForbiddenError,
    NetworkError,
    NotFoundError,
    RetryPolicy,
    SixtyfourClient,
    TruncatedDownloadError,
)
from sixtyfour_tui.api.download import count_csv_rows

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


def test_count_csv_rows_handles_quoted_newlines_and_blank_lines(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b'a,b\n"multi\nline\nvalue",2\n\n3,4\n')
    assert count_csv_rows(path) == 2
    path.write_bytes(b"")
    assert count_csv_rows(path) == 0
    path.write_bytes(b"only,header\n")
    assert count_csv_rows(path) == 0


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


def _random_csv(rng) -> bytes:
    """Multi-column CSV as csv.writer makes it, with quoted commas, quotes and line breaks."""
    import csv
    import io

    pieces = ["plain", "a,b", 'say "hi"', "two\nlines", "cr\r\nlf", "", " ", '""', "é ü"]
    if rng.random() < 0.3:
        pieces.append("lone\rcr")  # left unquoted by csv.writer when the line end is "\n"
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=rng.choice(["\r\n", "\n"]))
    columns = rng.randint(2, 5)
    for _ in range(rng.randint(0, 40)):
        writer.writerow([rng.choice(pieces) + rng.choice(pieces) for _ in range(columns)])
    text = out.getvalue()
    if text and rng.random() < 0.5:
        text = text[:-len(writer.dialect.lineterminator)]  # last record without a line end
    return text.encode()


def _chunked(data: bytes, rng) -> list[bytes]:
    cuts = sorted(rng.sample(range(len(data) + 1), min(len(data) + 1, rng.randint(0, 6))))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)])]


def test_streaming_row_count_matches_the_csv_module_however_the_bytes_are_cut(tmp_path):
    import random

    from sixtyfour_tui.api.download import CsvRecordCounter, _count_with_csv_module

    rng = random.Random(64)
    path = tmp_path / "r.csv"
    fast = 0
    for _ in range(400):
        data = _random_csv(rng)
        path.write_bytes(data)
        counter = CsvRecordCounter()
        for chunk in _chunked(data, rng):
            counter.feed(chunk)
        expected = _count_with_csv_module(path)
        assert counter.rows() in (None, expected), data
        assert count_csv_rows(path) == expected
        fast += counter.rows() is not None
    assert fast > 100  # most of these need no csv module at all


def test_an_export_shaped_csv_is_counted_without_the_csv_module():
    from sixtyfour_tui.api.download import CsvRecordCounter

    data = b'name,title\r\n' + b'Ada,"VP, Eng"\r\n"Bob ""B""",CTO\r\n' * 1000 + b'"Cy\r\nJr",x'
    counter = CsvRecordCounter()
    for start in range(0, len(data), 7):
        counter.feed(data[start:start + 7])
    assert counter.rows() == 2001


def test_blank_lines_and_single_column_files_fall_back_to_the_csv_module(tmp_path):
    from sixtyfour_tui.api.download import CsvRecordCounter

    cases = [(b"a,b\n\n1,2\n", 1), (b"name\nAda\nBob\n", 2), (b"\na,b\n1,2\n", 1), (b'a,b\n"open', 1),
             (b"a,b\rlone\n1,2\n", 2)]
    for data, rows in cases:
        counter = CsvRecordCounter()
        counter.feed(data)
        assert counter.rows() is None
        path = tmp_path / "x.csv"
        path.write_bytes(data)
        assert count_csv_rows(path) == rows
