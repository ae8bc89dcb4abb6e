"""Time to first frame: `sixtyfour-tui --sandbox` against a minimal Textual app, both in tmux.

Every launch is timed the way `../shared/tools/ttff.py` times one: the command starts in a
detached 160x50 tmux pane and `capture-pane` is polled every 5 ms until a marker shows, with 0.3 s
between launches. The judged figures come from **interleaved rounds**: each round launches the
minimal app, the app (timed to its first frame, "New search", and on to "ready", "0/5 running") and
the app on a workspace of 10,000 jobs, one after the other, so the machine's drift (10-20% within a
minute here) reaches the baseline and the app alike; a warm-up round is discarded. When the shared
tool is beside the repo, its own sequential medians (7 runs of each program, one after the other)
are printed too, as context. Both programs run with XDG folders in a fresh temp dir, after the
package is byte-compiled (`ensure_bytecode`: what a first launch leaves behind on a user's machine).

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
TOOL_CANDIDATES = (REPO.parent / "shared" / "tools" / "ttff.py",)
_MEDIAN = re.compile(r"ttff median ([0-9.]+)s")


def shared_tool() -> Path | None:
    for candidate in TOOL_CANDIDATES:
        if candidate.is_file():
            return candidate
    return None


def time_launch(markers: list[str], command: list[str], timeout: float = 30.0) -> list[float]:
    """Seconds from `tmux new-session` until each marker first shows (in one launch)."""
    patterns = [re.compile(marker) for marker in markers]
    seen: list[float | None] = [None] * len(patterns)
    name = "bench-ttff-" + uuid.uuid4().hex[:8]
    started = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "160", "-y", "50",
                    shlex.join(command)], check=True)
    screen = ""
    try:
        while time.perf_counter() - started < timeout and None in seen:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", name],
                                    capture_output=True, text=True).stdout
            now = time.perf_counter() - started
            for index, pattern in enumerate(patterns):
                if seen[index] is None and pattern.search(screen):
                    seen[index] = now
            time.sleep(0.005)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
    time.sleep(0.3)
    missing = [marker for marker, at in zip(markers, seen, strict=True) if at is None]
    if missing:
        raise RuntimeError(f"marker {missing[0]!r} never showed; last screen:\n{screen}")
    return [at for at in seen if at is not None]


def interleaved(rounds: int, programs: dict[str, tuple[list[str], list[str]]]) -> dict[str, list[float]]:
    """Median seconds to each (program, marker), from `rounds` rounds after a warm-up round; each
    round launches every program once, in order. `programs`: name -> (markers, command)."""
    samples: dict[str, list[list[float]]] = {name: [] for name in programs}
    for attempt in range(rounds + 1):
        for name, (markers, command) in programs.items():
            times = time_launch(markers, command)
            if attempt:
                samples[name].append(times)
    return {name: [statistics.median(column) for column in zip(*rows, strict=True)]
            for name, rows in samples.items()}


def shared_tool_median(runs: int, marker: str, command: list[str]) -> float:
    """The shared tool's median over `runs` launches of one program (after its own warm-up)."""
    tool = shared_tool()
    assert tool is not None
    done = subprocess.run([sys.executable, str(tool), str(runs), marker, "--", *command],
                          capture_output=True, text=True, timeout=60 + 40 * runs)
    match = _MEDIAN.search(done.stdout)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"{tool} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return float(match.group(1))


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
    rounds = 1 if smoke else 15
    root, crowded = temp_dir("ttff"), temp_dir("ttff-jobs")
    many = 200 if smoke else 10_000
    shared: tuple[float, float] | None = None
    try:
        env = isolated_env_args(root)
        minimal_command = [*env, sys.executable, str(REPO / "bench" / "minimal_app.py")]
        app = [*env, *app_command(), "--sandbox"]
        from bench.minimal_app import MARKER

        fill_workspace(crowded, many)
        medians = interleaved(rounds, {
            "minimal": ([MARKER], minimal_command),
            "app": ([APP_MARKER, READY_MARKER], app),
            "many": ([READY_MARKER], [*isolated_env_args(crowded), *app_command(), "--sandbox"]),
        })
        if shared_tool() is not None and not smoke:
            shared = (shared_tool_median(7, MARKER, minimal_command), shared_tool_median(7, APP_MARKER, app))
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(crowded, ignore_errors=True)
    (baseline,), (first, ready), (ready_many,) = medians["minimal"], medians["app"], medians["many"]
    note = f"medians of {rounds} interleaved rounds after 1 warm-up round, package byte-compiled"
    first_ratio, ready_ratio, many_ratio = first / baseline, ready / baseline, ready_many / ready
    rows = [
        Row(figure="ttff: first frame, sixtyfour-tui --sandbox vs minimal app", value=secs(first),
            baseline=secs(baseline), ratio=f"{first_ratio:.2f}x", target=f"<= {FIRST_FRAME_TARGET}x",
            status=judged(first_ratio <= FIRST_FRAME_TARGET, smoke), note=note),
        Row(figure="ttff: ready (sandbox connected, '0/5 running') vs minimal app's first frame",
            value=secs(ready), baseline=secs(baseline), ratio=f"{ready_ratio:.2f}x", target=f"<= {READY_TARGET}x",
            status=judged(ready_ratio <= READY_TARGET, smoke), note=note),
        Row(figure=f"ttff: ready with {many:,} stored jobs vs an empty workspace", value=secs(ready_many),
            baseline=secs(ready), ratio=f"{many_ratio:.2f}x", target=f"<= {MANY_JOBS_TARGET}x",
            status=judged(many_ratio <= MANY_JOBS_TARGET, smoke), note="the panel loads the newest 200"),
    ]
    if shared is not None:
        minimal_alone, app_alone = shared
        rows.append(Row(figure="ttff: first frame by the shared ttff.py, each program's 7 runs in a row",
                        value=secs(app_alone), baseline=secs(minimal_alone), ratio=f"{app_alone / minimal_alone:.2f}x",
                        status="INFO", note="not interleaved: the machine's drift between the two blocks is in it"))
    return rows


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run("--smoke" in sys.argv))
