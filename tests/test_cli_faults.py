"""The headless commands against servers that misbehave or lie: every wait ends within
--timeout (exit 4, saying what was going on), and no string a server sent reaches the terminal
as an escape sequence, on stdout or stderr, in plain or JSON output."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import pytest

from tests.misbehaving_server import MisbehavingServer as Server
from tests.misbehaving_server import SeenRequest, json_answer, redirect, short_body, trickle

KEY = "sk-misbehaving-0123456789"
HOSTILE = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\x9b31m\u202eevil\x07\x7f[bold]x[/]"
"""An OSC 52 clipboard write, a screen clear, an 8-bit CSI, a bidi override, BEL, DEL, markup."""


def routes(status_answer, *, query_rows: list[dict] | None = None, search_id: str = "s-1"):
    """Start answers normally; the status route answers with `status_answer`."""

    async def answer(request: SeenRequest, reader, writer) -> None:
        if request.path.startswith("/search/start-deep-search"):
            await json_answer(200, {"task_id": "t-1", "status": "queued"})(request, reader, writer)
        elif request.path.startswith("/search/status/"):
            await status_answer(request, reader, writer)
        elif request.path.startswith("/search/query"):
            body = {"results": query_rows or [], "next_cursor": None, "has_more": False, "search_id": search_id,
                    "total_available": len(query_rows or [])}
            await json_answer(200, body)(request, reader, writer)
        else:
            await json_answer(404, {"detail": "Not Found"})(request, reader, writer)

    return answer


async def run_cli(server: Server, *args: str, timeout: float = 120) -> tuple[int, str, str]:
    env = {**os.environ, "SIXTYFOUR_API_ENDPOINT": server.base_url, "SIXTYFOUR_API_KEY": KEY}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "sixtyfour_tui", *args, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def status_body(**fields) -> dict:
    return {"task_id": "t-1", "status": "running", "progress_message": "Searching", **fields}


@pytest.mark.parametrize(
    "misbehaviour",
    [
        pytest.param(trickle(json.dumps(status_body()).encode(), every=3.0), id="a body trickling a byte every 3 s"),
        pytest.param(short_body(b'{"task_id": "t-1", "sta', declared=400), id="a body shorter than its length"),
        pytest.param(json_answer(429, {"error": "Too Many Requests", "message": "slow down"},
                                 {"retry-after": "1000000000000"}), id="429 with an absurd Retry-After"),
    ],
)
async def test_search_gives_up_at_its_timeout_and_says_what_was_going_on(misbehaviour):
    async with Server(routes(misbehaviour)) as server:
        code, out, err = await run_cli(server, "search", "CTOs in Paris", "--timeout", "4")
    assert code == 4, err
    assert "gave up after 4 s (--timeout)" in err and "the search was still going" in err
    assert "Traceback" not in err and out == ""


async def test_a_redirect_from_the_status_route_fails_at_once_naming_the_target():
    async with Server(json_answer(200, status_body())) as elsewhere:
        async with Server(routes(redirect(f"{elsewhere.base_url}/steal"))) as server:
            code, out, err = await run_cli(server, "search", "CTOs in Paris", "--timeout", "60")
        assert not elsewhere.requests  # never followed, so the key never went there
    assert code == 1, err
    assert "redirect" in err.lower() and "/steal" in err


def no_escapes(text: str) -> None:
    for forbidden in ("\x1b", "\x07", "\x9b", "\u202e", "\x7f"):
        assert forbidden not in text, repr(text)


async def test_server_text_never_reaches_the_terminal_raw_on_any_command():
    rows = [{"publicId": "p1", "fullName": HOSTILE, "title": "CTO", "headline": HOSTILE}]
    done = status_body(status="completed", total_results=1, search_id="s-\x1b[2J1" + HOSTILE,
                       progress_message="Done " + HOSTILE, iterations=[{"iteration": 1, "message": HOSTILE}])
    async with Server(routes(json_answer(200, done), query_rows=rows)) as server:
        code, out, err = await run_cli(server, "search", "CTOs in Paris", "--timeout", "60")
        assert code == 0, err
        no_escapes(out)
        no_escapes(err)
        printed = json.loads(out.splitlines()[0])
        assert printed["fullName"] == HOSTILE  # escaped the JSON way, the data itself intact

        code, listing, err = await run_cli(server, "jobs")
        assert code == 0, err
        no_escapes(listing)
        no_escapes(err)
        assert "[bold]x[/]" in listing and "CTOs in Paris" in listing

        code, as_json, err = await run_cli(server, "jobs", "--json")
        no_escapes(as_json)
        record = json.loads(as_json.splitlines()[-1])
        assert record["search_id"].startswith("s-\x1b[2J1")  # JSON escapes parse back to the server's text

        job = record["job_id"]
        for args in (("rows", job), ("rows", job, "--csv"), ("rows", job, "--columns", "fullName,headline")):
            code, printed_rows, err = await run_cli(server, *args)
            assert code == 0, err
            no_escapes(printed_rows)
            no_escapes(err)


async def test_a_failed_search_with_a_hostile_error_is_shown_safely():
    failed = status_body(status="failed", error=HOSTILE, progress_message=HOSTILE)
    async with Server(routes(json_answer(200, failed))) as server:
        code, out, err = await run_cli(server, "search", "CTOs in Paris", "--timeout", "60")
    assert code == 1
    no_escapes(out)
    no_escapes(err)
    assert "search failed" in err and "evil" in err


async def test_a_bad_endpoint_is_a_clear_configuration_error():
    for endpoint, words in (("http://127.0.0.1:abc", "port that is not a number"),
                            ("http://127.0.0.1:99999", "port"), ("ftp://example.com", "http:// or https://")):
        env = {**os.environ, "SIXTYFOUR_API_ENDPOINT": endpoint, "SIXTYFOUR_API_KEY": KEY}
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "sixtyfour_tui", "search", "CTOs",
                                                       env=env, stdout=asyncio.subprocess.PIPE,
                                                       stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(process.communicate(), 60)
        text = err.decode()
        assert process.returncode == 2, text
        assert "SIXTYFOUR_API_ENDPOINT" in text and words in text and "Traceback" not in text
