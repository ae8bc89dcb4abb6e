"""The command line: the headless commands and the sandbox server, run as real processes."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys

import pytest

from tests.conftest import fill


@pytest.fixture
def cli_env(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("SIXTYFOUR_")}
    env.update({
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "SIXTYFOUR_SANDBOX_SPEED": "200",
    })
    return env


def run_cli(env, *args, timeout=120):
    return subprocess.run([sys.executable, "-m", "sixtyfour_tui", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_search_on_the_sandbox_writes_a_matching_csv(cli_env, tmp_path):
    out = tmp_path / "vp.csv"
    done = run_cli(cli_env, "search", "VP of Engineering at Series B SaaS startups in New York", "--sandbox",
                   "--output", str(out))
    assert done.returncode == 0, done.stderr
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(r["seniority"] == "VP" and r["job_function"] == "Engineering" for r in rows)
    assert all("New York" in r["location"] for r in rows)
    assert "Saved" in done.stderr and "iteration" in done.stderr


def test_search_without_output_prints_json_lines_and_jobs_lists_it(cli_env):
    done = run_cli(cli_env, "search", "engineers in San Francisco", "--sandbox", "--max-results", "15")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == 15 and all("fullName" in row for row in rows)
    listed = run_cli(cli_env, "jobs", "--sandbox")
    assert listed.returncode == 0
    assert "engineers in San Francisco" in listed.stdout and "completed" in listed.stdout


def test_export_of_an_earlier_search_after_a_restart(cli_env, tmp_path):
    first = run_cli(cli_env, "search", "designers in Berlin", "--sandbox", "--max-results", "25")
    assert first.returncode == 0, first.stderr
    listed = run_cli(cli_env, "jobs", "--sandbox", "--json")
    search_id = json.loads(listed.stdout.splitlines()[-1])["search_id"]
    out = tmp_path / "designers.csv"
    done = run_cli(cli_env, "export", search_id, "--sandbox", "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert len(out.read_text().splitlines()) == 26


def test_failures_have_clear_messages_and_exit_codes(cli_env, tmp_path):
    no_key = run_cli(cli_env, "search", "CTOs")
    assert no_key.returncode == 2 and "No API key" in no_key.stderr and "Traceback" not in no_key.stderr
    failed = run_cli(cli_env, "search", "CTOs #fail", "--sandbox")
    assert failed.returncode == 1 and "#fail" in failed.stderr
    bad_number = run_cli(cli_env, "search", "CTOs", "--max-results", "lots", "--sandbox")
    assert bad_number.returncode == 2 and "must be a whole number" in bad_number.stderr
    existing = tmp_path / "exists.csv"
    existing.write_text("keep")
    refused = run_cli(cli_env, "search", "CTOs", "--sandbox", "--output", str(existing))
    assert refused.returncode == 2 and "already exists" in refused.stderr and existing.read_text() == "keep"
    bad_key = run_cli({**cli_env, "SIXTYFOUR_API_KEY": "sk-wrong", "SIXTYFOUR_API_ENDPOINT": "http://127.0.0.1:9"},
                      "search", "CTOs")
    assert bad_key.returncode == 4 and "network" in bad_key.stderr


def test_a_broken_config_file_is_named(cli_env, tmp_path):
    config = tmp_path / "broken.toml"
    config.write_text("api_key = \n")
    done = run_cli({**cli_env, "SIXTYFOUR_TUI_CONFIG": str(config)}, "search", "CTOs", "--sandbox")
    assert done.returncode == 2 and str(config) in done.stderr and "Traceback" not in done.stderr


def test_the_sandbox_command_serves_and_stops_on_ctrl_c(cli_env):
    process = subprocess.Popen([sys.executable, "-m", "sixtyfour_tui", "sandbox", "--port", "0", "--speed", "100"],
                               env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()
        assert "listening on http://127.0.0.1:" in first
        url = first.rsplit(" ", 1)[-1].strip()
        key_line = process.stdout.readline()
        assert "sk-sandbox-demo" in key_line
        import httpx

        answer = httpx.post(f"{url}/search/start-deep-search", json={"query": "CTOs"},
                            headers={"x-api-key": "sk-sandbox-demo"})
        assert answer.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "Sandbox stopped." in out and "Traceback" not in err


def test_output_folders_follow_one_rule_with_the_export_screen(cli_env, tmp_path):
    """Missing folders are not created; a folder is called a folder; a file in the way is named."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    for target, words in ((blocker / "out.csv", "not-a-folder is a file"),
                          (tmp_path / "missing" / "out.csv", "missing does not exist"),
                          (tmp_path, "That is a folder")):
        done = run_cli(cli_env, "search", "engineers in Austin", "--sandbox", "--max-results", "5",
                       "--output", str(target), "--force")
        assert done.returncode == 2, done.stderr
        assert words in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "missing").exists()


def test_a_full_disk_exits_5_with_the_path_and_leaves_no_file(cli_env, tmp_path, tiny_disk):
    disk = tiny_disk("small", size="16k")
    fill(disk)
    out = disk / "out.csv"
    done = run_cli(cli_env, "search", "engineers in Austin", "--sandbox", "--max-results", "200",
                   "--output", str(out))
    assert done.returncode == 5, done.stderr
    assert str(out) in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in disk.iterdir()) == ["filler"]
