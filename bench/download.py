"""Download of a large CSV from the sandbox's storage route: the app's downloader against curl.

A CSV of sandbox people rows (200 MB; 2 MB in smoke runs) is put in a SandboxServer's storage
(`state.put_file`) and one signed URL is fetched from `/search/download`. Then, alternating,
`curl -o` and the app's downloader (`SixtyfourClient.download_to` with that link, in a fresh
Python process so its memory can be read) fetch it to a temp folder.

* throughput: bytes / transfer time. For curl, its own `%{time_total}`; for the app, from the
  call until the last body chunk is written (the `on_progress` callback). The app then fsyncs
  the file and counts its CSV rows before renaming it into place; that total is reported on its
  own line, because curl does neither.
* memory: peak RSS of the downloading process (VmHWM after the download) minus its RSS just
  before it (after imports).

Run alone: .venv/bin/python -m bench.download [--smoke]
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.common import Row, have, judged, median, mib, proc_status_kib, rss_bytes, secs, temp_dir

THROUGHPUT_TARGET = 0.8
MEMORY_TARGET = 50 * 2**20


def write_csv(path: Path, size: int) -> int:
    """Write a people CSV of at least `size` bytes; returns its data rows."""
    from sixtyfour_tui.sandbox.dataset import load_dataset

    dataset = load_dataset()
    block = io.StringIO()
    writer = csv.writer(block)
    block_rows = 5_000
    for index in range(block_rows):
        writer.writerow(dataset.csv_row("people", index))
    data = block.getvalue().encode()
    header = io.StringIO()
    csv.writer(header).writerow(dataset.csv_header("people"))
    rows = 0
    with path.open("wb") as handle:
        handle.write(header.getvalue().encode())
        written = 0
        while written < size:
            handle.write(data)
            written += len(data)
            rows += block_rows
    return rows


def curl_once(url: str, dest: Path) -> tuple[float, int]:
    """(seconds, bytes) as curl reports them."""
    done = subprocess.run(["curl", "-sS", "-o", str(dest), "-w", "%{time_total} %{size_download}", url],
                          capture_output=True, text=True, check=True, timeout=300)
    seconds, size = done.stdout.split()
    return float(seconds), int(float(size))


def app_once(url: str, base_url: str, api_key: str, dest: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.download", "--child", url, base_url, str(dest)],
                          input=api_key, capture_output=True, text=True, timeout=300)
    if done.returncode:
        raise RuntimeError(f"downloader failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


async def _child(url: str, base_url: str, api_key: str, dest: Path) -> dict:
    from sixtyfour_tui.api.client import SixtyfourClient
    from sixtyfour_tui.api.models import DownloadLink

    last_chunk = 0.0

    def progress(done: int, total: int | None) -> None:
        nonlocal last_chunk
        last_chunk = time.perf_counter()

    async with SixtyfourClient(api_key, base_url) as client:
        client.load()  # httpx, as the app has it long before a download (it loads it once ready)
        before = rss_bytes()
        started = time.perf_counter()
        result = await client.download_to("unused", dest, link=DownloadLink(url=url), on_progress=progress)
        finished = time.perf_counter()
    peak = proc_status_kib("VmHWM")
    return {
        "transfer": last_chunk - started,
        "total": finished - started,
        "bytes": result.bytes_written,
        "rows": result.rows,
        "before": before,
        "peak": peak * 1024 if peak is not None else rss_bytes(),
    }


def run(smoke: bool = False) -> list[Row]:
    figure = "download: CSV, app vs curl"
    if not have("curl"):
        return [Row(figure=figure, value="skipped: curl not found", status="SKIP")]
    import httpx

    from sixtyfour_tui.sandbox.config import SandboxConfig
    from sixtyfour_tui.sandbox.server import SandboxServer

    size = 2 * 2**20 if smoke else 200 * 2**20
    reps = 1 if smoke else 3
    folder = temp_dir("download")
    server = SandboxServer(SandboxConfig(speed=1.0, requests_per_minute=0)).start()
    try:
        source = folder / "source.csv"
        rows = write_csv(source, size)
        handle = server.state.put_file(server.api_key, "people", source)
        link = httpx.get(f"{server.base_url}/search/download", params={"resource_handle_id": handle},
                         headers={"x-api-key": server.api_key}, timeout=30)
        link.raise_for_status()
        url = link.json()["url"]
        curl_rates, app_rates, totals, growths = [], [], [], []
        for _ in range(reps):
            dest = folder / "curl.csv"
            seconds, got = curl_once(url, dest)
            dest.unlink()
            curl_rates.append(got / seconds)
            dest = folder / "app.csv"
            child = app_once(url, server.base_url, server.api_key, dest)
            dest.unlink()
            if child["rows"] != rows:
                raise RuntimeError(f"downloader counted {child['rows']} rows, wrote {rows}")
            app_rates.append(child["bytes"] / child["transfer"])
            totals.append(child["total"])
            growths.append(child["peak"] - child["before"])
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    app_rate, curl_rate = median(app_rates), median(curl_rates)
    ratio = app_rate / curl_rate
    growth = max(growths)
    label = f"{source_size_label(size)} CSV"
    return [
        Row(
            figure=f"download: {label} throughput",
            value=f"{app_rate / 2**20:.0f} MB/s",
            baseline=f"curl {curl_rate / 2**20:.0f} MB/s",
            ratio=f"{ratio:.2f}x",
            target=f">= {THROUGHPUT_TARGET}x",
            status=judged(ratio >= THROUGHPUT_TARGET, smoke),
            note=f"median of {reps}; transfer only (to last chunk written)",
        ),
        Row(
            figure=f"download: {label} incl. fsync + row count",
            value=secs(median(totals)),
            baseline=f"curl {secs(size / curl_rate)}",
            ratio=f"{median(totals) / (size / curl_rate):.2f}x time",
            note=f"{rows:,} rows counted, then renamed into place",
        ),
        Row(
            figure=f"download: {label} memory",
            value=f"+{mib(growth)} peak RSS",
            baseline="RSS before download",
            target=f"< +{mib(MEMORY_TARGET)}",
            status=judged(growth < MEMORY_TARGET, smoke),
            note="VmHWM of the downloading process, worst of runs",
        ),
    ]


def source_size_label(size: int) -> str:
    return f"{size / 2**20:.0f} MB"


if __name__ == "__main__":
    if "--child" in sys.argv:
        url, base_url, dest = sys.argv[sys.argv.index("--child") + 1:][:3]
        key = sys.stdin.read().strip()
        print(json.dumps(asyncio.run(_child(url, base_url, key, Path(dest)))))
    else:
        from bench.__main__ import print_table

        print_table(run("--smoke" in sys.argv))
