"""The sandbox: how fast its data set is ready, and `/search/query` page latency over loopback.

* data set ready: a fresh Python process imports `sixtyfour_tui.sandbox.dataset` and calls
  `load_dataset()` (100,000 people, 10,000 companies); the time covers import and build, as at
  the app's start. Median of 3 processes (1 in smoke runs).
* page latency: a SandboxServer (clock 1000x, no rate limit) runs a deep search for
  "engineers" (max_results 10,000) to completion; then chains of first page (`search_id`,
  page_size 100) + cursor pages are timed with httpx from this process, 300 cursor pages in
  all (30 in smoke runs). Times are client-side round trips on loopback: HTTP, JSON, server.

Run alone: .venv/bin/python -m bench.sandbox_latency [--smoke]
"""

from __future__ import annotations

import subprocess
import sys
import time

from bench.common import Row, judged, median, ms, percentile, secs

READY_TARGET = 1.0
P99_TARGET = 0.050
_READY_SCRIPT = """
import time
started = time.perf_counter()
from sixtyfour_tui.sandbox.dataset import load_dataset
load_dataset()
print(time.perf_counter() - started)
"""


def dataset_ready_seconds() -> float:
    done = subprocess.run([sys.executable, "-c", _READY_SCRIPT], capture_output=True, text=True,
                          check=True, timeout=60)
    return float(done.stdout.strip().splitlines()[-1])


def page_latencies(cursor_pages: int) -> tuple[list[float], list[float]]:
    """(first-page seconds, cursor-page seconds)."""
    import httpx

    from sixtyfour_tui.sandbox.config import SandboxConfig
    from sixtyfour_tui.sandbox.server import SandboxServer

    with SandboxServer(SandboxConfig(speed=1000.0, requests_per_minute=0)) as server, \
            httpx.Client(base_url=server.base_url, headers={"x-api-key": server.api_key}, timeout=30) as http:
        started = http.post("/search/start-deep-search",
                            json={"query": "engineers", "mode": "people", "max_results": 10_000})
        started.raise_for_status()
        task_id = started.json()["task_id"]
        deadline = time.monotonic() + 60
        while True:
            status = http.get(f"/search/status/{task_id}").json()
            if status.get("status") == "completed":
                break
            if status.get("status") == "failed" or time.monotonic() > deadline:
                raise RuntimeError(f"deep search did not complete: {status}")
            time.sleep(0.05)
        search_id = status.get("search_id") or started.json().get("search_id")
        if not search_id:
            raise RuntimeError(f"no search_id in {status}")
        first_times, cursor_times = [], []
        while len(cursor_times) < cursor_pages:
            began = time.perf_counter()
            page = http.post("/search/query", json={"search_id": search_id, "mode": "people",
                                                    "page_size": 100, "max_results": 10_000})
            first_times.append(time.perf_counter() - began)
            page.raise_for_status()
            cursor = page.json().get("next_cursor")
            while cursor and len(cursor_times) < cursor_pages:
                began = time.perf_counter()
                page = http.post("/search/query", json={"cursor": cursor})
                cursor_times.append(time.perf_counter() - began)
                page.raise_for_status()
                cursor = page.json().get("next_cursor")
            if not first_times or len(first_times) > cursor_pages:
                raise RuntimeError("the search returns no cursor pages")
    return first_times, cursor_times


def run(smoke: bool = False) -> list[Row]:
    ready = median([dataset_ready_seconds() for _ in range(1 if smoke else 3)])
    first, cursor = page_latencies(30 if smoke else 300)
    p99 = percentile(cursor, 0.99)
    first_p99 = percentile(first, 0.99)
    return [
        Row(
            figure="sandbox: data set ready (fresh process)",
            value=secs(ready),
            target=f"< {READY_TARGET:g} s",
            status=judged(ready < READY_TARGET, smoke),
            note="import + load_dataset(), 100k people + 10k companies",
        ),
        Row(
            figure="sandbox: /search/query cursor page",
            value=f"p50 {ms(median(cursor))} p99 {ms(p99)}",
            target=f"p99 < {P99_TARGET * 1000:g} ms",
            status=judged(p99 < P99_TARGET, smoke),
            note=f"{len(cursor)} pages of 100, httpx over loopback",
        ),
        Row(
            figure="sandbox: /search/query first page (search_id)",
            value=f"p50 {ms(median(first))} p99 {ms(first_p99)}",
            target=f"p99 < {P99_TARGET * 1000:g} ms",
            status=judged(first_p99 < P99_TARGET, smoke),
            note=f"{len(first)} first pages of 100",
        ),
    ]


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run("--smoke" in sys.argv))
