"""Time to first frame: `sixtyfour-tui --sandbox` against a minimal Textual app, both in tmux.

Both programs are timed by the shared tool `../shared/tools/ttff.py` when it is beside the repo
(it starts the command in a detached 160x50 tmux pane and polls `capture-pane` for a marker,
discarding one warm-up run); otherwise by `poll_ttff` below, which does the same. The app's
marker is "New search" (the composer's border title); the minimal app shows its own marker.
Both run with XDG_STATE_HOME / XDG_CONFIG_HOME in a fresh temp dir, after the package is byte-compiled
(`ensure_bytecode`: what a first launch leaves behind on a user's machine).

Run alone: .venv/bin/python -m bench.ttff [--smoke]
"""

from __future__ import annotations

import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench.common import REPO, Row, app_command, have, isolated_env_args, judged, secs, skipped, temp_dir

APP_MARKER = "New search"
TARGET_RATIO = 1.5
TOOL_CANDIDATES = (REPO.parent / "shared" / "tools" / "ttff.py",)
_MEDIAN = re.compile(r"ttff median ([0-9.]+)s")


def shared_tool() -> Path | None:
    for candidate in TOOL_CANDIDATES:
        if candidate.is_file():
            return candidate
    return None


def poll_ttff(runs: int, marker: str, command: list[str], timeout: float = 30.0) -> float:
    """Median seconds from `tmux new-session` until `marker` shows, after one warm-up run."""
    pattern = re.compile(marker)
    times = []
    for attempt in range(runs + 1):
        name = "bench-ttff-" + uuid.uuid4().hex[:8]
        started = time.perf_counter()
        subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "160", "-y", "50",
                        shlex.join(command)], check=True)
        seen, screen = None, ""
        try:
            while time.perf_counter() - started < timeout:
                screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", name],
                                        capture_output=True, text=True).stdout
                if pattern.search(screen):
                    seen = time.perf_counter() - started
                    break
                time.sleep(0.005)
        finally:
            subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
        if seen is None:
            raise RuntimeError(f"marker {marker!r} never showed; last screen:\n{screen}")
        if attempt:
            times.append(seen)
        time.sleep(0.3)
    return statistics.median(times)


def measure(runs: int, marker: str, command: list[str]) -> tuple[float, str]:
    """(median seconds, which timer was used)."""
    tool = shared_tool()
    if tool is None:
        return poll_ttff(runs, marker, command), "built-in poller"
    done = subprocess.run([sys.executable, str(tool), str(runs), marker, "--", *command],
                          capture_output=True, text=True, timeout=60 + 40 * runs)
    match = _MEDIAN.search(done.stdout)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"{tool} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return float(match.group(1)), "shared ttff.py"


READY_MARKER = r"\d/5 running"
"""The top bar once the backend is connected and the workspace's jobs are on screen."""
FIRST_FRAME_TARGET = 1.2
READY_TARGET = 1.5
MANY_JOBS_TARGET = 1.2


def fill_workspace(root: Path, jobs: int) -> None:
    """A workspace holding `jobs` finished searches, where the app started in `root` will look."""
    import time

    from sixtyfour_tui.jobs.records import JobRecord, JobStatus
    from sixtyfour_tui.workspace.store import Workspace

    workspace = Workspace(root / "data" / "sixtyfour-tui" / "workspace.sqlite3").open()
    now = time.time()
    batch = [JobRecord(query=f"search number {n}", backend="sandbox", status=JobStatus.COMPLETED,
                       created_at=now - jobs + n, total_results=n) for n in range(jobs)]
    for first in range(0, jobs, 1000):
        workspace.save_jobs(batch[first:first + 1000])
    workspace.close()


def ensure_bytecode() -> None:
    """Byte-compile the package, as a user's first launch (or a non-editable install) would.

    The warm-up run is meant to leave bytecode behind, but with PYTHONDONTWRITEBYTECODE set (as on
    these machines) it cannot, and every timed launch would compile the app's modules from source
    while Textual, installed by pip, is compiled: ~80 ms on the way to "ready" that no user pays
    twice."""
    import compileall

    compileall.compile_dir(REPO / "sixtyfour_tui", quiet=1)


def run(smoke: bool = False) -> list[Row]:
    figure = "ttff: sixtyfour-tui --sandbox vs minimal app"
    if not have("tmux"):
        return [skipped(figure, "tmux not found")]
    ensure_bytecode()
    runs = 1 if smoke else 7
    root, crowded = temp_dir("ttff"), temp_dir("ttff-jobs")
    many = 200 if smoke else 10_000
    try:
        env = isolated_env_args(root)
        minimal_command = [*env, sys.executable, str(REPO / "bench" / "minimal_app.py")]
        from bench.minimal_app import MARKER

        fill_workspace(crowded, many)
        # The baseline is timed before and after the app, and the two medians averaged: this
        # machine's speed drifts by 10-15% within a minute, and one baseline taken first would
        # carry that drift into every ratio.
        before, how = measure(runs, MARKER, minimal_command)
        app, _ = measure(runs, APP_MARKER, [*env, *app_command(), "--sandbox"])
        ready, _ = measure(runs, READY_MARKER, [*env, *app_command(), "--sandbox"])
        ready_many, _ = measure(runs, READY_MARKER, [*isolated_env_args(crowded), *app_command(), "--sandbox"])
        after, _ = measure(runs, MARKER, minimal_command)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(crowded, ignore_errors=True)
    baseline = (before + after) / 2
    note = (f"median of {runs} after 1 warm-up, {how}, package byte-compiled; baseline = mean of its medians "
            f"before ({before:.3f} s) and after ({after:.3f} s) the app's runs")
    first_ratio, ready_ratio, many_ratio = app / baseline, ready / baseline, ready_many / ready
    return [
        Row(figure="ttff: first frame, sixtyfour-tui --sandbox vs minimal app", value=secs(app),
            baseline=secs(baseline), ratio=f"{first_ratio:.2f}x", target=f"<= {FIRST_FRAME_TARGET}x",
            status=judged(first_ratio <= FIRST_FRAME_TARGET, smoke), note=note),
        Row(figure="ttff: ready (sandbox connected, '0/5 running') vs minimal app's first frame",
            value=secs(ready), baseline=secs(baseline), ratio=f"{ready_ratio:.2f}x", target=f"<= {READY_TARGET}x",
            status=judged(ready_ratio <= READY_TARGET, smoke), note=note),
        Row(figure=f"ttff: ready with {many:,} stored jobs vs an empty workspace", value=secs(ready_many),
            baseline=secs(ready), ratio=f"{many_ratio:.2f}x", target=f"<= {MANY_JOBS_TARGET}x",
            status=judged(many_ratio <= MANY_JOBS_TARGET, smoke), note="the panel loads the newest 200"),
    ]


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run("--smoke" in sys.argv))
