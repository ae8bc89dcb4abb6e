"""Sixtyfour's documented flow, verbatim, against a running sandbox (only the host changed)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import textwrap

import httpx

from sixtyfour_tui.sandbox.keys import DEMO_API_KEY
from tests.conftest import wait_for

FLAGSHIP = "VP of Engineering at Series B SaaS startups in New York"


def start(api, query=FLAGSHIP, **extra):
    response = api.post(
        "/search/start-deep-search", json={"query": query, "mode": "people", "max_results": 500, **extra}
    )
    assert response.status_code == 200, response.text
    return response.json()


def wait_completed(api, task_id, route="status"):
    def finished():
        body = api.get(f"/search/{route}/{task_id}").json()
        return body if body["status"] in ("completed", "failed") else None

    return wait_for(finished)


def test_documented_flow_gives_a_csv_whose_rows_match(api):
    started = start(api)
    assert set(started) >= {"task_id", "status", "message"}
    assert started["status"] in ("queued", "running")
    status = wait_completed(api, started["task_id"])
    assert status["status"] == "completed"
    assert 0 < status["total_results"] <= 500
    link = api.get("/search/download", params={"resource_handle_id": status["resource_handle_id"]})
    assert link.status_code == 200
    assert set(link.json()) >= {"url", "bucket", "path"}
    csv_response = httpx.get(link.json()["url"])  # a plain GET, no key
    assert csv_response.status_code == 200
    assert int(csv_response.headers["content-length"]) == len(csv_response.content)
    rows = list(csv.DictReader(io.StringIO(csv_response.text)))
    assert len(rows) == status["total_results"]
    for row in rows:
        assert row["seniority"] == "VP"
        assert row["job_function"] == "Engineering"
        assert "New York" in row["location"]
        assert row["linkedin_url"].startswith("https://www.linkedin.com/in/")


def test_status_moves_from_queued_through_running_with_growing_iterations(make_sandbox):
    server = make_sandbox(speed=40.0)
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
        task_id = start(api)["task_id"]
        seen = []

        def record():
            body = api.get(f"/search/status/{task_id}").json()
            if (
                not seen
                or seen[-1]["status"] != body["status"]
                or len(seen[-1]["iterations"]) != len(body["iterations"])
            ):
                seen.append(body)
            return body["status"] == "completed"

        wait_for(record, timeout=30)
    statuses = [body["status"] for body in seen]
    assert statuses[0] in ("queued", "running")
    assert "running" in statuses and statuses[-1] == "completed"
    counts = [len(body["iterations"]) for body in seen]
    assert counts == sorted(counts) and counts[-1] >= 3
    messages = {body["progress_message"] for body in seen if body["status"] == "running"}
    assert any(any(ch.isdigit() for ch in message) for message in messages), messages
    results = [body["total_results"] for body in seen]
    assert results == sorted(results)
    final = seen[-1]
    assert [i["iteration"] for i in final["iterations"]] == list(range(1, len(final["iterations"]) + 1))
    assert final["close_time"] and final["start_time"] and final["search_id"]


def test_both_status_routes_give_the_same_body(api):
    task_id = start(api)["task_id"]
    wait_completed(api, task_id)
    assert api.get(f"/search/status/{task_id}").json() == api.get(f"/search/deep-search-status/{task_id}").json()


def test_a_search_can_be_made_to_fail_on_purpose(api):
    status = wait_completed(api, start(api, query="CTOs in Berlin #fail")["task_id"])
    assert status["status"] == "failed"
    assert "#fail" in status["error"]


def test_a_query_with_no_matches_completes_with_zero_results(api):
    status = wait_completed(api, start(api, query="zzqxj wibblefrotz nonexistentword")["task_id"])
    assert status["status"] == "completed"
    assert status["total_results"] == 0


def test_max_results_is_respected(api):
    status = wait_completed(api, start(api, query="engineers in San Francisco", max_results=7)["task_id"])
    assert status["total_results"] == 7


def test_a_client_written_like_sixtyfours_scripts_works(fast_sandbox, tmp_path):
    """Plain urllib, configured only through SIXTYFOUR_API_KEY and SIXTYFOUR_API_ENDPOINT."""
    script = tmp_path / "client.py"
    script.write_text(
        textwrap.dedent("""
        import json, os, sys, time, urllib.request
        KEY = os.environ["SIXTYFOUR_API_KEY"]
        BASE = os.environ.get("SIXTYFOUR_API_ENDPOINT", "https://api.sixtyfour.ai")
        def call(method, path, body=None):
            data = json.dumps(body).encode() if body is not None else None
            req = urllib.request.Request(BASE + path, data=data, method=method,
                headers={"x-api-key": KEY, "Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.load(resp)
        task = call("POST", "/search/start-deep-search",
                    {"query": "Founders of fintech startups in London", "mode": "people", "max_results": 50})
        for _ in range(2000):
            status = call("GET", "/search/status/" + task["task_id"])
            if status["status"] in ("completed", "failed"):
                break
            time.sleep(0.02)
        link = call("GET", "/search/download?resource_handle_id=" + status["resource_handle_id"])
        with urllib.request.urlopen(link["url"], timeout=30) as resp:
            text = resp.read().decode()
        print(json.dumps({"status": status["status"], "lines": len(text.splitlines()),
                          "total": status["total_results"]}))
    """)
    )
    env = {**os.environ, "SIXTYFOUR_API_KEY": DEMO_API_KEY, "SIXTYFOUR_API_ENDPOINT": fast_sandbox.base_url}
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "completed"
    assert result["lines"] == result["total"] + 1 and result["total"] > 0
