"""Idle cost: CPU of `sixtyfour-tui --sandbox` while 5 searches run and 5 wait, nothing typed.

The app runs in a detached tmux pane (160x50) with its own XDG dirs and
SIXTYFOUR_SANDBOX_SPEED=0.05, so a search takes many minutes and the jobs stay "5/5 running ·
5 queued" through the window. Ten queries are typed into the composer (text, then ctrl+s); once
the header shows "5/5 running · 5 queued" the CPU time (utime + stime of all threads,
/proc/PID/stat) of two processes is read over 30 s (3 s in smoke runs):

- the app (the UI and the job engine polling every second), judged against the target;
- the embedded sandbox, its own child process (`python -m sixtyfour_tui.sandbox.child`),
  answering those polls: reported beside it, not judged (it stands in for the real API).

Run alone: .venv/bin/python -m bench.idle [--smoke]
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
import uuid

from bench.common import (
    Row,
    app_command,
    cmdline,
    cpu_seconds,
    descendants,
    have,
    isolated_env_args,
    judged,
    skipped,
    temp_dir,
)

TARGET_PERCENT = 1.0
SANDBOX_MODULE = "sixtyfour_tui.sandbox.child"
SEARCHES = 10
READY = "5/5 running · 5 queued"


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def _wait_for(session: str, text: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.1)
    raise RuntimeError(f"{text!r} never showed; last screen:\n{screen}")


def _processes(session: str) -> tuple[int, int | None]:
    """(app pid, embedded sandbox pid) inside the pane (the pane may start a shell or `env` first)."""
    pane = int(_tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip())
    pids = [pane, *descendants(pane)]
    sandboxes = [pid for pid in pids if SANDBOX_MODULE in cmdline(pid)]
    apps = [pid for pid in pids if "sixtyfour" in cmdline(pid) and pid not in sandboxes
            and not cmdline(pid).startswith(("env ", "sh ", "/bin/sh "))]
    if not apps:
        raise RuntimeError("could not find the app's process in the tmux pane")
    return apps[-1], (sandboxes[-1] if sandboxes else None)


def run(smoke: bool = False) -> list[Row]:
    figure = "idle: 5 running + 5 queued searches (app process)"
    if not have("tmux"):
        return [skipped(figure, "tmux not found")]
    window = 3.0 if smoke else 30.0
    root = temp_dir("idle")
    session = "bench-idle-" + uuid.uuid4().hex[:8]
    command = [*isolated_env_args(root, SIXTYFOUR_SANDBOX_SPEED="0.05"), *app_command(), "--sandbox"]
    _tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "50", shlex.join(command))
    try:
        # Wait for the backend, not just the first frame: keys typed in the first milliseconds of
        # start-up can be lost by the terminal layer, and then "5 queued" never shows.
        _wait_for(session, "SANDBOX", 30)
        time.sleep(0.5)
        for number in range(1, SEARCHES + 1):
            _tmux("send-keys", "-t", session, f"VP of Engineering at Series B SaaS startups {number}", "C-s")
            time.sleep(0.2)
        _wait_for(session, READY, 30)
        app_pid, sandbox_pid = _processes(session)
        time.sleep(1.0)  # let the submissions' own work settle
        pids = [pid for pid in (app_pid, sandbox_pid) if pid is not None]
        before, started = [cpu_seconds(pid) for pid in pids], time.monotonic()
        time.sleep(window)
        after, elapsed = [cpu_seconds(pid) for pid in pids], time.monotonic() - started
        still = READY in _tmux("capture-pane", "-p", "-t", session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
    percents = [(end - start) / elapsed * 100 for start, end in zip(before, after)]
    percent = percents[0]
    note = f"UI + job engine, {window:.0f} s window"
    if not still:
        note += "; WARNING: job counts changed during the window"
    rows = [Row(
        figure=figure,
        value=f"{percent:.2f}% of a core",
        baseline="—",
        ratio="—",
        target=f"< {TARGET_PERCENT:g}%",
        status=judged(percent < TARGET_PERCENT, smoke),
        note=note,
    )]
    sandbox_figure = "idle: the embedded sandbox answering those polls"
    if sandbox_pid is None:
        rows.append(skipped(sandbox_figure, "no sandbox child process found"))
    else:
        rows.append(Row(figure=sandbox_figure, value=f"{percents[1]:.2f}% of a core", baseline="—", ratio="—",
                        target="—", status="INFO", note="its own process; stands in for the real API"))
    return rows


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run("--smoke" in sys.argv))
