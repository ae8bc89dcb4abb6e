"""Shared pieces of the benchmark suite: result rows, statistics, memory and CPU readings."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
"""The repository root (bench/ sits directly inside it)."""


@dataclass
class Row:
    """One line of the final table.

    `ratio` compares `value` with `baseline` measured in the same run; `status` is PASS or MISS
    when there is a target to judge, INFO when the line is context only, SKIP when the benchmark
    could not run here (then `note` says why), and SMOKE in smoke runs (never judged).
    """

    figure: str
    value: str
    baseline: str = "—"
    ratio: str = "—"
    target: str = "—"
    status: str = "INFO"
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def judged(ok: bool, smoke: bool) -> str:
    """PASS/MISS, except in smoke runs where timings mean nothing."""
    if smoke:
        return "SMOKE"
    return "PASS" if ok else "MISS"


def skipped(figure: str, why: str) -> Row:
    return Row(figure=figure, value=f"skipped: {why}", status="SKIP")


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of a non-empty list."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[rank]


def median(values: list[float]) -> float:
    return statistics.median(values)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def secs(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def mib(amount_bytes: float) -> str:
    return f"{amount_bytes / 2**20:.1f} MB"


# -- /proc readings ----------------------------------------------------------------------------

def proc_status_kib(field: str, pid: int | str = "self") -> int | None:
    """A `kB` field of /proc/PID/status (VmRSS, VmHWM...), or None where /proc is missing."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else None


def rss_bytes(pid: int | str = "self") -> int:
    """Resident set size now; falls back to the peak from `resource` where /proc is missing."""
    kib = proc_status_kib("VmRSS", pid)
    if kib is not None:
        return kib * 1024
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a whole process (all its threads) from /proc/PID/stat."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2:].split()  # the command name may contain spaces
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, parents before children."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(text[text.rindex(")") + 2:].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop(0)
        for child in sorted(children.get(current, [])):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


# -- running the app ---------------------------------------------------------------------------

def app_command() -> list[str]:
    """How to start `sixtyfour-tui`: the venv's console script when present, else `-m`."""
    script = Path(sys.executable).parent / "sixtyfour-tui"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "sixtyfour_tui"]


def isolated_env_args(root: Path, **extra: str) -> list[str]:
    """`env NAME=value ...` prefix that keeps the app away from the user's config and state.

    Passed on the command line because a tmux server that is already running would not pass our
    environment on to a new pane.
    """
    values = {
        "XDG_STATE_HOME": str(root / "state"),
        "XDG_CONFIG_HOME": str(root / "config"),
        "XDG_CACHE_HOME": str(root / "cache"),
        "XDG_DATA_HOME": str(root / "data"),  # the workspace: never the user's own
        "SIXTYFOUR_TUI_CONFIG": str(root / "config" / "sixtyfour-tui" / "config.toml"),
        **extra,
    }
    return ["env", "-u", "SIXTYFOUR_API_KEY", "-u", "SIXTYFOUR_API_ENDPOINT", "-u", "SIXTYFOUR_TUI_WORKSPACE",
            *(f"{name}={value}" for name, value in values.items())]


def temp_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"sixtyfour-bench-{prefix}-"))


def have(program: str) -> bool:
    return shutil.which(program) is not None
