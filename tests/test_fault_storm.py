"""Fault storms: a sandbox answering 30% of requests with 500/503, a 429 every third request, slow
answers, and downloads that drop or end early — with ten headless searches five at a time and ten
at once. Every search must end with a byte-correct file, or a clear non-zero exit and no file."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from sixtyfour_tui.sandbox.config import DEMO_API_KEY, FaultConfig, SandboxConfig
from sixtyfour_tui.sandbox.server import SandboxServer
from sixtyfour_tui.workspace.store import Workspace

STORM = FaultConfig(error_rate=0.3, rate_limit_every=3, drop_downloads=2, truncate_downloads=2, latency_ms=800)


@pytest.fixture
def storm(tmp_path):
    with SandboxServer(SandboxConfig(speed=200.0, requests_per_minute=0, faults=STORM)) as server:
        config = tmp_path / "config.toml"
        config.write_text("poll_interval = 1\n")  # the floor against a real API; the storm is what is slow
        env = {**os.environ, "SIXTYFOUR_API_ENDPOINT": server.base_url, "SIXTYFOUR_API_KEY": DEMO_API_KEY,
               "SIXTYFOUR_TUI_CONFIG": str(config)}
        yield server, env


def search(env, query: str, out) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sixtyfour_tui", "search", query, "--max-results", "30",
                           "--output", str(out), "--timeout", "240"], env=env, capture_output=True, text=True,
                          timeout=300)


def verdicts(server, env, tmp_path, results) -> list[str]:
    """Per search: 'whole' (the file is exactly the server's file) or 'refused' (non-zero exit, no file)."""
    workspace = Workspace().open()
    jobs = {job.query: job for job in workspace.recent_jobs(server.base_url, limit=None)}
    outcome = []
    for query, out, done in results:
        if done.returncode == 0:
            job = jobs[query]
            stored = server.state.storage.get(job.resource_handle_id)
            expected = server.state.storage.materialize(stored).read_bytes()
            assert out.read_bytes() == expected, (query, done.stderr)
            outcome.append("whole")
        else:
            assert not out.exists(), (query, done.stderr)
            assert "Traceback" not in done.stderr and done.stderr.strip(), query
            outcome.append("refused")
        assert not [p for p in out.parent.iterdir() if p.name.startswith(".")], "temporary files left behind"
    return outcome


@pytest.mark.parametrize("at_once", [5, 10], ids=["five at a time", "ten at once"])
def test_a_fault_storm_ends_with_whole_files_or_clear_failures(storm, tmp_path, at_once):
    server, env = storm
    folder = tmp_path / "out"
    folder.mkdir()
    queries = [f"software engineers in Seattle {n}" for n in range(10)]
    outs = [folder / f"{n}.csv" for n in range(10)]
    with ThreadPoolExecutor(max_workers=at_once) as pool:
        done = list(pool.map(lambda pair: search(env, *pair), zip(queries, outs)))
    outcome = verdicts(server, env, tmp_path, list(zip(queries, outs, done)))
    assert outcome.count("whole") >= 8, [d.stderr[-300:] for d in done if d.returncode]
