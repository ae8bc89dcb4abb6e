"""Run the benchmark suite and print one table.

    .venv/bin/python -m bench              # everything, under 5 minutes on 2 cores
    .venv/bin/python -m bench --smoke      # tiny sizes, 1 repetition: checks the code paths only
    .venv/bin/python -m bench --only table # one benchmark (names: see --help)

Every benchmark runs in its own Python process, so memory readings start clean and one crash
does not take the others down. The exit status is 1 only when a benchmark crashed; a missed
target is reported in the table, never as a failure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import traceback
from importlib import import_module
from pathlib import Path

from bench.common import REPO, Row

BENCHMARKS = ("ttff", "table", "download", "idle", "sandbox_latency", "workspace")
COLUMNS = (("figure", "figure"), ("value", "measured"), ("baseline", "baseline"), ("ratio", "ratio"),
           ("target", "target"), ("status", "result"), ("note", "how / note"))


def print_table(rows: list[Row], out=None) -> None:
    out = out or sys.stdout
    cells = [[str(getattr(row, key)) for key, _ in COLUMNS] for row in rows]
    headers = [title for _, title in COLUMNS]
    widths = [max([len(headers[i])] + [len(line[i]) for line in cells]) for i in range(len(COLUMNS))]

    def line(values: list[str]) -> str:
        return "| " + " | ".join(value.ljust(widths[i]) for i, value in enumerate(values)) + " |"

    print(line(headers), file=out)
    print("|" + "|".join("-" * (width + 2) for width in widths) + "|", file=out)
    for values in cells:
        print(line(values), file=out)


def run_child(name: str, smoke: bool, result_path: Path) -> None:
    """Inside the child process: run one benchmark and write its rows as JSON."""
    module = import_module(f"bench.{name}")
    rows = module.run(smoke=smoke)
    result_path.write_text(json.dumps([row.as_dict() for row in rows]))


def run_isolated(name: str, smoke: bool, timeout: float) -> tuple[list[Row], bool]:
    """(rows, crashed) for one benchmark run in a fresh interpreter."""
    with tempfile.TemporaryDirectory(prefix="sixtyfour-bench-") as folder:
        result_path = Path(folder) / "rows.json"
        command = [sys.executable, "-m", "bench", "--child", name, "--result", str(result_path)]
        if smoke:
            command.append("--smoke")
        try:
            done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=timeout)
            failure = done.stderr if done.returncode else ""
        except subprocess.TimeoutExpired as expired:
            failure = f"timed out after {timeout:.0f} s\n{expired.stderr or ''}"
        if not failure and result_path.exists():
            return [Row(**row) for row in json.loads(result_path.read_text())], False
    last = [text for text in (failure or "no result written").strip().splitlines() if text.strip()]
    print(f"--- {name} crashed ---\n{failure}", file=sys.stderr)
    return [Row(figure=name, value="CRASHED", status="CRASH", note=(last[-1] if last else "")[:120])], True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, 1 repetition, never judged")
    parser.add_argument("--only", choices=BENCHMARKS, help="run one benchmark")
    parser.add_argument("--child", choices=BENCHMARKS, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)

    if arguments.child:
        try:
            run_child(arguments.child, arguments.smoke, arguments.result)
        except Exception:
            traceback.print_exc()
            return 1
        return 0

    names = [arguments.only] if arguments.only else list(BENCHMARKS)
    timeout = 90 if arguments.smoke else 240
    rows: list[Row] = []
    crashed = False
    started = time.perf_counter()
    for name in names:
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        part_started = time.perf_counter()
        part, failed = run_isolated(name, arguments.smoke, timeout)
        crashed |= failed
        rows.extend(part)
        print(f"[bench] {name} done in {time.perf_counter() - part_started:.1f} s", file=sys.stderr, flush=True)
    mode = "smoke run: code paths only, timings not judged" if arguments.smoke else "full run"
    print(f"\nsixtyfour-tui benchmarks ({mode}; {time.perf_counter() - started:.0f} s total)\n")
    print_table(rows)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
