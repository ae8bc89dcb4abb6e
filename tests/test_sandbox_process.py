"""The sandbox as a child process, and the `sixtyfour-tui sandbox` command keeping its tasks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from sixtyfour_tui.sandbox.process import SandboxProcess, SandboxStartError
from tests.conftest import wait_for

pytestmark = pytest.mark.timeout(120)


def running(pid: int) -> bool:
    """True while the process exists and is not a zombie (an orphan may wait for a reaper)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state != "Z"


def test_the_child_announces_itself_and_answers_over_http():
    with SandboxProcess(speed=2000.0, api_key="sk-child-test") as sandbox:
        base_url, api_key = sandbox.wait_ready(timeout=30)
        assert base_url.startswith("http://127.0.0.1:") and api_key == "sk-child-test" and sandbox.alive
        assert "sk-child-test" not in " ".join(sandbox.command())  # the key travels in the environment
        with httpx.Client(base_url=base_url, headers={"x-api-key": api_key}, timeout=30) as api:
            page = api.post("/search/query", json={"query": "engineers in Austin", "mode": "people"})
            assert page.status_code == 200 and page.json()["results"]
            assert api.get("/search/status/x", headers={"x-api-key": "sk-sandbox-demo"}).status_code == 401
    assert not sandbox.alive and sandbox.returncode == 0


def test_the_child_exits_when_its_parent_is_killed(tmp_path):
    parent = tmp_path / "parent.py"
    parent.write_text(textwrap.dedent("""
        import json, sys, time
        from sixtyfour_tui.sandbox.process import SandboxProcess
        sandbox = SandboxProcess(speed=100.0).start()
        base_url, _ = sandbox.wait_ready(timeout=30)
        print(json.dumps({"pid": sandbox.pid, "base_url": base_url}), flush=True)
        time.sleep(600)
    """))
    process = subprocess.Popen([sys.executable, str(parent)], stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    child_pid = None
    try:
        announced = json.loads(process.stdout.readline())
        child_pid = announced["pid"]
        assert httpx.get(f"{announced['base_url']}/", timeout=10).status_code == 200
        assert running(child_pid)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        wait_for(lambda: not running(child_pid), timeout=20)
    finally:
        process.kill()
        process.wait(10)
        if child_pid is not None and running(child_pid):
            os.kill(child_pid, signal.SIGKILL)


def test_the_child_exits_cleanly_on_sigterm():
    sandbox = SandboxProcess(speed=100.0).start()
    try:
        sandbox.wait_ready(timeout=30)
        assert sandbox.pid is not None
        os.kill(sandbox.pid, signal.SIGTERM)
        wait_for(lambda: not sandbox.alive, timeout=20)
        assert sandbox.returncode == 0
    finally:
        sandbox.stop()


def test_a_state_file_carries_tasks_across_a_child_restart(tmp_path):
    state_file = tmp_path / "sandbox-tasks.json"
    with SandboxProcess(speed=2000.0, state_file=state_file) as first:
        base_url, key = first.wait_ready(timeout=30)
        with httpx.Client(base_url=base_url, headers={"x-api-key": key}, timeout=30) as api:
            task = api.post("/search/start-deep-search", json={"query": "designers in Paris", "max_results": 9}).json()
            done = wait_for(lambda: (b := api.get(f"/search/status/{task['task_id']}").json())["status"] == "completed"
                            and b)
    with SandboxProcess(speed=2000.0, state_file=state_file) as second:
        base_url, key = second.wait_ready(timeout=30)
        with httpx.Client(base_url=base_url, headers={"x-api-key": key}, timeout=30) as api:
            after = api.get(f"/search/status/{task['task_id']}")  # waits for the restore, never a 404
            assert after.status_code == 200 and after.json()["status"] == "completed"
            assert after.json()["search_id"] == done["search_id"] and after.json()["total_results"] == 9


def test_a_child_that_cannot_start_says_why():
    sandbox = SandboxProcess(extra_args=["--speed", "0"]).start()
    try:
        with pytest.raises(SandboxStartError, match="greater than 0"):
            sandbox.wait_ready(timeout=30)
    finally:
        sandbox.stop()


@pytest.fixture
def cli_env(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("SIXTYFOUR_")}
    env.update({"XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config")})
    return env


def serve_once(env, *flags, earlier=()):
    """Run `sixtyfour-tui sandbox`, poll `earlier` tasks, start one search, stop with ctrl+c."""
    process = subprocess.Popen([sys.executable, "-m", "sixtyfour_tui", "sandbox", "--port", "0", "--speed", "1000",
                                *flags], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = [process.stdout.readline()]
        while "stop:" not in banner[-1] and banner[-1]:
            banner.append(process.stdout.readline())
        url = banner[0].rsplit(" ", 1)[-1].strip()
        with httpx.Client(base_url=url, headers={"x-api-key": "sk-sandbox-demo"}, timeout=30) as api:
            statuses = {task_id: api.get(f"/search/status/{task_id}").status_code for task_id in earlier}
            task = api.post("/search/start-deep-search", json={"query": "CTOs in Berlin"}).json()["task_id"]
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    return task, statuses, "".join(banner)


def test_the_sandbox_command_keeps_tasks_in_the_state_folder_unless_told_not_to(cli_env, tmp_path):
    first, _, out = serve_once(cli_env)
    default_file = tmp_path / "state" / "sixtyfour-tui" / "sandbox-server-tasks.json"
    assert str(default_file) in out and first in default_file.read_text()
    _, seen, _ = serve_once(cli_env, earlier=[first])
    assert seen == {first: 200}
    _, forgotten, out = serve_once(cli_env, "--no-state", earlier=[first])
    assert forgotten == {first: 404} and "not kept" in out
    chosen = tmp_path / "elsewhere.json"
    second, _, _ = serve_once(cli_env, "--state", str(chosen))
    assert second in chosen.read_text() and second not in default_file.read_text()


def test_the_parent_side_handle_imports_neither_textual_nor_the_server():
    probe = ("import sys, sixtyfour_tui.sandbox.process; "
             "print(sorted(m for m in ('textual', 'starlette', 'uvicorn', 'httpx') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _answered_within(base_url: str, api_key: str, seconds: float) -> bool:
    """Whether a request sent now gets any answer within `seconds` (it waits in the backlog else)."""
    import select
    import socket
    from urllib.parse import urlsplit

    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as connection:
        connection.sendall(f"GET /search/status/x HTTP/1.1\r\nHost: sandbox\r\nx-api-key: {api_key}\r\n"
                           "Connection: close\r\n\r\n".encode())
        readable, _, _ = select.select([connection], [], [], seconds)
        return bool(readable) and connection.recv(64).startswith(b"HTTP/1.1 ")


def test_a_deferred_sandbox_listens_at_once_and_serves_what_waited_once_released():
    """The app opens the socket at launch and spawns the process once it is ready, so the two do
    not compete for the cores; a request sent in between waits and is answered after the release."""
    with SandboxProcess(speed=2000.0, deferred=True) as sandbox:
        base_url, api_key = sandbox.wait_ready(timeout=30)  # at once: the socket is ours
        assert base_url.startswith("http://127.0.0.1:") and sandbox.pid is None
        import socket
        from urllib.parse import urlsplit

        address = urlsplit(base_url)
        waiting = socket.create_connection((address.hostname, address.port), timeout=30)
        with waiting:
            waiting.sendall(f"GET /search/status/x HTTP/1.1\r\nHost: sandbox\r\nx-api-key: {api_key}\r\n"
                            "Connection: close\r\n\r\n".encode())
            sandbox.release()
            sandbox.wait_started(timeout=30)
            assert "--fd" in " ".join(sandbox.command(3)) and sandbox.alive
            assert waiting.recv(64).startswith(b"HTTP/1.1 404")  # the request made before the spawn
        with httpx.Client(base_url=base_url, headers={"x-api-key": api_key}, timeout=30) as api:
            assert api.get("/search/status/x").status_code == 404
    assert sandbox.returncode == 0


def test_a_deferred_sandbox_never_released_stops_without_a_process():
    sandbox = SandboxProcess(speed=2000.0, deferred=True).start()
    base_url, _ = sandbox.wait_ready(timeout=30)
    assert sandbox.stop() is None and sandbox.pid is None
    with pytest.raises(httpx.ConnectError):  # the socket closed with it
        httpx.get(base_url + "/search/status/x", timeout=10)


def test_a_deferred_sandbox_that_fails_to_start_says_why_and_refuses_connections():
    sandbox = SandboxProcess(deferred=True, extra_args=["--speed", "0"]).start()
    base_url, _ = sandbox.wait_ready(timeout=30)
    try:
        sandbox.release()
        with pytest.raises(SandboxStartError, match="speed"):
            sandbox.wait_started(timeout=30)
        with pytest.raises(httpx.ConnectError):  # not left waiting in a backlog nobody serves
            httpx.get(base_url + "/search/status/x", timeout=10)
    finally:
        sandbox.stop()
