"""The results browser's table (`ResultsTable` over a `RowStore`) at 100,000 rows.

Figures (all in headless Textual apps: the real compositor, no terminal):

* load: ingest N rows into a RowStore, mount the table and reach the first frame, against stock
  `DataTable` given the same cells as ready-made strings (its preparation is not counted, which
  flatters the baseline). DataTable is O(rows) on ingest; when it is measured below N the figure
  is scaled linearly and labelled "extrapolated".
* keypress-to-frame for down / pagedown / end at N rows against the same at 100 rows. A key
  event goes in the way a terminal's does (the driver's `send_message`, as Pilot does) and the
  clock stops when the compositor hands the next frame to `App._display` and that frame has been
  turned into terminal bytes (`CompositorUpdate.render_segments`, which the headless driver
  would otherwise skip). Samples are spaced 30 ms apart, like discrete keypresses, so Textual's
  60 fps frame pacing adds nothing; a held-down key would add up to one frame period.
  For the ratio the cursor follows the same path at both sizes (rows 0-99); a further line
  pages down through rows never drawn before, which is what paging through fresh data costs
  (the table draws likely next screens while idle, so this should cost what the others do).
* find-next (`n`) and select-all (`ctrl+a`, after an untimed `u`) keypress-to-frame in the real
  results browser, at N rows against 100, on the same path (matches within rows 0-99).
* writing a view: `table.writers.write_view` writing N rows (the people default columns, CSV,
  synced and renamed into place) against the `csv` module writing the same cells, already
  extracted, to a file that is synced too.
* memory: RSS growth of a fresh process from "table mounted, nothing loaded" to "N rows loaded
  page by page (JSON-decoded pages of 100, as from /search/query), first and last screen drawn".

Rows are the sandbox's people rows (`load_dataset().row("people", i)`), the realistic shape.

Run alone: .venv/bin/python -m bench.table [--smoke]
"""

from __future__ import annotations

import asyncio
import gc
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.common import Row, judged, median, mib, ms, percentile, rss_bytes, secs, temp_dir

SCREEN = (160, 48)
KEYS = ("down", "pagedown", "end")
PAGE = 100
SAME_PATH_ROWS = 100
LOAD_TARGET = 20.0
KEY_RATIO_TARGET = 1.2
KEY_P95_TARGET = 0.016
MEMORY_TARGET = 150 * 2**20
FIND_TEXT = "infra"
"""Matches a few percent of people rows ('VP of Infrastructure'…): `n` usually moves a few rows."""


def sandbox_rows(count: int) -> list[dict]:
    """People rows as a client holds them: JSON-decoded, one page of 100 at a time."""
    from sixtyfour_tui.sandbox.dataset import load_dataset

    dataset = load_dataset()
    total = dataset.count("people")
    rows: list[dict] = []
    for start in range(0, count, PAGE):
        page = [dataset.row("people", i % total) for i in range(start, min(count, start + PAGE))]
        rows.extend(json.loads(json.dumps(page)))
    return rows


def _apps():
    """App classes, imported late so that `python -m bench` itself stays light."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from sixtyfour_tui.ui.widgets.results_table import ResultsTable

    class TableApp(App):
        def __init__(self, store) -> None:
            super().__init__()
            self.store = store

        def compose(self) -> ComposeResult:
            yield ResultsTable(self.store)

    class StockApp(App):
        def __init__(self, columns: list[str], cells: list[list[str]]) -> None:
            super().__init__()
            self.columns, self.cells = columns, cells

        def compose(self) -> ComposeResult:
            yield DataTable()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns(*self.columns)
            table.add_rows(self.cells)

    return TableApp, StockApp, ResultsTable


def _browser_app():
    from textual.app import App, ComposeResult

    from sixtyfour_tui.ui.widgets.results_browser import PINNED_COLUMNS, ResultsBrowser, default_columns

    class BrowserApp(App):
        def __init__(self, rows: list[dict]) -> None:
            super().__init__()
            self.rows = rows

        def compose(self) -> ComposeResult:
            yield ResultsBrowser()

        def on_mount(self) -> None:
            browser = self.query_one(ResultsBrowser)
            browser.store.append(self.rows)
            browser.table.visible_columns = default_columns("people", browser.store.columns) or []
            browser.table.pinned_column = PINNED_COLUMNS["people"]
            browser.table.refresh_rows()
            browser.table.focus()

    return BrowserApp, ResultsBrowser


# -- load --------------------------------------------------------------------------------------

async def _first_frame(app) -> None:
    async with app.run_test(size=SCREEN) as pilot:
        await pilot.pause()


async def time_results_table(rows: list[dict]) -> float:
    """Seconds to ingest `rows` into a RowStore, mount a ResultsTable and show the first frame."""
    from sixtyfour_tui.table.row_store import RowStore

    TableApp, _, _ = _apps()
    started = time.perf_counter()
    store = RowStore(rows)
    await _first_frame(TableApp(store))
    return time.perf_counter() - started


async def time_datatable(columns: list[str], cells: list[list[str]]) -> float:
    """Seconds for a stock DataTable to take the same cells and show the first frame."""
    _, StockApp, _ = _apps()
    started = time.perf_counter()
    await _first_frame(StockApp(columns, cells))
    return time.perf_counter() - started


def stock_cells(rows: list[dict]) -> tuple[list[str], list[list[str]]]:
    """The cells a DataTable would be given: the same display text the RowStore produces."""
    from sixtyfour_tui.table.row_store import RowStore

    store = RowStore(rows)
    columns = store.columns
    return columns, [[store.cell_text(i, column) for column in columns] for i in range(len(store))]


# -- keypress to frame -------------------------------------------------------------------------

class FrameClock:
    """Wraps `App._display`: records when each frame has been rendered to terminal bytes."""

    def __init__(self, app) -> None:
        from textual._compositor import CompositorUpdate

        self.frame = asyncio.Event()
        self.at = 0.0
        original = app._display

        def display(screen, renderable) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)
            self.at = time.perf_counter()
            self.frame.set()

        app._display = display

    async def next_frame(self, timeout: float = 2.0) -> float:
        await asyncio.wait_for(self.frame.wait(), timeout)
        return self.at


async def time_keys(rows: list[dict], samples: int, keys: tuple[str, ...] = KEYS,
                    same_path: bool = True) -> dict[str, list[float]]:
    """Seconds from sending each key until its frame is rendered, `samples` per key.

    With `same_path` the cursor stays within the first SAME_PATH_ROWS rows (back to the top when
    the next step would leave them), so 100 and 100,000 rows do exactly the same drawing work and
    the ratio shows only what the size costs. Without it, down/pagedown keep going into rows
    never drawn before, whose cell text is formatted on first use.
    """

    from sixtyfour_tui.table.row_store import RowStore

    TableApp, _, ResultsTable = _apps()
    app = TableApp(RowStore(rows))
    timings: dict[str, list[float]] = {key: [] for key in keys}
    async with app.run_test(size=SCREEN) as pilot:
        await pilot.pause()
        table = app.query_one(ResultsTable)
        assert table.has_focus
        clock = FrameClock(app)

        press = _presser(app, clock)
        page = max(1, table.size.height - 1)
        limit = min(table.store.view_len, SAME_PATH_ROWS) - 1
        for key in keys:
            step = {"down": 1, "pagedown": page}.get(key, 0)
            for _ in range(samples):
                if key == "end":
                    if table.cursor_row != 0:
                        await press("home")
                elif same_path and table.cursor_row + step > limit:
                    await press("home")
                timings[key].append(await press(key))
    return timings


def _presser(app, clock: FrameClock):
    from textual import events

    async def press(key: str) -> float:
        """Seconds from a key reaching the app, as a terminal's would, to its frame."""
        await asyncio.sleep(0.03)  # idle, as between two human keypresses
        clock.frame.clear()
        started = time.perf_counter()
        event = events.Key(key, None)
        event.set_sender(app)
        app._driver.send_message(event)
        return await clock.next_frame() - started

    return press


async def time_browser_keys(rows: list[dict], samples: int) -> dict[str, list[float]]:
    """Find-next and select-all in the results browser, on the same path at every size."""
    BrowserApp, ResultsBrowser = _browser_app()
    app = BrowserApp(rows)
    timings: dict[str, list[float]] = {"n": [], "ctrl+a": []}
    async with app.run_test(size=SCREEN) as pilot:
        await pilot.pause()
        browser = app.query_one(ResultsBrowser)
        table = browser.table
        assert table.has_focus
        table.set_find(FIND_TEXT)
        matches = [position for position in table.find_matches() if position < SAME_PATH_ROWS]
        assert len(matches) >= 2, "the find text should match a few of the first rows"
        await pilot.pause()
        clock = FrameClock(app)
        press = _presser(app, clock)
        for _ in range(samples):
            if table.cursor_row >= matches[-1]:
                await press("home")  # the next match would lie past the shared path
            timings["n"].append(await press("n"))
        for _ in range(samples):
            table.clear_selection()  # untimed: each sample marks every row afresh
            await pilot.pause()
            timings["ctrl+a"].append(await press("ctrl+a"))
            assert table.selection_count == len(rows)
    return timings


# -- memory (in a fresh process) -----------------------------------------------------------------

async def _memory_probe(count: int) -> dict:
    from sixtyfour_tui.sandbox.dataset import load_dataset
    from sixtyfour_tui.table.row_store import RowStore

    TableApp, _, ResultsTable = _apps()
    dataset = load_dataset()
    store = RowStore()
    app = TableApp(store)
    async with app.run_test(size=SCREEN) as pilot:
        await pilot.pause()
        table = app.query_one(ResultsTable)
        gc.collect()
        before = rss_bytes()
        total = dataset.count("people")
        for start in range(0, count, PAGE):
            page = [dataset.row("people", i % total) for i in range(start, min(count, start + PAGE))]
            store.append(json.loads(json.dumps(page)))
            table.refresh_rows()
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        gc.collect()
        after = rss_bytes()
        return {"before": before, "after": after, "rows": len(store)}


# -- writing a view ------------------------------------------------------------------------------

def time_writes(rows: list[dict], folder: Path) -> tuple[float, float]:
    """(seconds for write_view, seconds for the csv module) on the same cells, best of three."""
    import csv
    import os

    from sixtyfour_tui.table.row_store import RowStore
    from sixtyfour_tui.table.view import ViewSpec
    from sixtyfour_tui.table.writers import write_view
    from sixtyfour_tui.ui.widgets.results_browser import default_columns

    store = RowStore(rows)
    columns = default_columns("people", store.columns) or store.columns
    spec = ViewSpec(columns=tuple(columns))
    cells = list(store.texts(range(len(store)), columns))
    ours, theirs = [], []
    for _ in range(3):
        started = time.perf_counter()
        write_view(store, spec, folder / "view.csv", "csv", overwrite=True)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        with open(folder / "plain.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(columns)
            writer.writerows(cells)
            handle.flush()
            os.fsync(handle.fileno())
        theirs.append(time.perf_counter() - started)
    return min(ours), min(theirs)


def memory_growth(count: int) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.table", "--memory-probe", str(count)],
                          capture_output=True, text=True, timeout=180)
    if done.returncode:
        raise RuntimeError(f"memory probe failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the figures -------------------------------------------------------------------------------

def run(smoke: bool = False) -> list[Row]:
    big = 2_000 if smoke else 100_000
    stock_size = 500 if smoke else 20_000
    samples = 2 if smoke else 50
    tag = f"{big:,}"

    memory = memory_growth(big)
    rows_out: list[Row] = []

    rows = sandbox_rows(big)
    table_seconds = median([asyncio.run(time_results_table(rows)) for _ in range(1 if smoke else 3)])
    columns, cells = stock_cells(rows[:stock_size])
    stock_seconds = asyncio.run(time_datatable(columns, cells))
    del cells
    stock_at_big = stock_seconds * big / stock_size
    label = "measured" if stock_size >= big else f"extrapolated x{big / stock_size:g} from {stock_size:,} rows"
    speedup = stock_at_big / table_seconds
    rows_out.append(Row(
        figure=f"table: load {tag} rows -> first frame",
        value=secs(table_seconds),
        baseline=f"DataTable ~{secs(stock_at_big)}",
        ratio=f"{speedup:.1f}x faster",
        target=f">= {LOAD_TARGET:g}x faster",
        status=judged(speedup >= LOAD_TARGET, smoke),
        note=f"median of {1 if smoke else 3}: RowStore ingest + mount + frame; DataTable {label}",
    ))

    first = rows[:PAGE]
    first_table = asyncio.run(time_results_table(first))
    first_stock = asyncio.run(time_datatable(*stock_cells(first)))
    rows_out.append(Row(
        figure=f"table: first page ({PAGE} rows) -> first frame",
        value=secs(first_table),
        baseline=f"DataTable {secs(first_stock)}",
        ratio=f"{first_stock / first_table:.2f}x faster",
        note="includes headless app start-up on both sides",
    ))

    # Interleave the two sizes over a few rounds, so a machine that slows down or speeds up
    # mid-run shifts both sides alike instead of biasing the ratio.
    rounds = 1 if smoke else 3
    small: dict[str, list[float]] = {key: [] for key in KEYS}
    large: dict[str, list[float]] = {key: [] for key in KEYS}
    for _ in range(rounds):
        for pool, data in ((small, rows[:100]), (large, rows)):
            for key, times in asyncio.run(time_keys(data, samples)).items():
                pool[key].extend(times)
    for key in KEYS:
        ratio = median(large[key]) / median(small[key])
        p95 = percentile(large[key], 0.95)
        rows_out.append(Row(
            figure=f"table: key {key} -> frame at {tag} rows",
            value=f"p50 {ms(median(large[key]))} p95 {ms(p95)}",
            baseline=f"100 rows: p50 {ms(median(small[key]))} p95 {ms(percentile(small[key], 0.95))}",
            ratio=f"{ratio:.2f}x",
            target=f"<= {KEY_RATIO_TARGET}x, p95 < {KEY_P95_TARGET * 1000:g} ms",
            status=judged(ratio <= KEY_RATIO_TARGET and p95 < KEY_P95_TARGET, smoke),
            note=f"{samples * rounds} samples in {rounds} interleaved rounds, same cursor path in rows 0-99",
        ))

    fresh = asyncio.run(time_keys(rows, samples, ("pagedown",), same_path=False))["pagedown"]
    p95 = percentile(fresh, 0.95)
    rows_out.append(Row(
        figure=f"table: key pagedown into never-drawn rows at {tag}",
        value=f"p50 {ms(median(fresh))} p95 {ms(p95)}",
        target=f"p95 < {KEY_P95_TARGET * 1000:g} ms",
        status=judged(p95 < KEY_P95_TARGET, smoke),
        note=f"{samples} pages down from the top, each screen new",
    ))

    small_keys: dict[str, list[float]] = {"n": [], "ctrl+a": []}
    large_keys: dict[str, list[float]] = {"n": [], "ctrl+a": []}
    for _ in range(rounds):
        for pool, data in ((small_keys, rows[:100]), (large_keys, rows)):
            for key, times in asyncio.run(time_browser_keys(data, samples)).items():
                pool[key].extend(times)
    for key, what in (("n", "find next"), ("ctrl+a", "select all")):
        ratio = median(large_keys[key]) / median(small_keys[key])
        p95 = percentile(large_keys[key], 0.95)
        rows_out.append(Row(
            figure=f"table: {what} ({key}) -> frame at {tag} rows",
            value=f"p50 {ms(median(large_keys[key]))} p95 {ms(p95)}",
            baseline=f"100 rows: p50 {ms(median(small_keys[key]))} p95 {ms(percentile(small_keys[key], 0.95))}",
            ratio=f"{ratio:.2f}x",
            target=f"<= {KEY_RATIO_TARGET}x, p95 < {KEY_P95_TARGET * 1000:g} ms",
            status=judged(ratio <= KEY_RATIO_TARGET and p95 < KEY_P95_TARGET, smoke),
            note=f"results browser; {samples * rounds} samples in {rounds} interleaved rounds, rows 0-99",
        ))

    folder = temp_dir("table-write")
    try:
        ours, theirs = time_writes(rows, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rows_out.append(Row(
        figure=f"table: write a {tag}-row view as CSV",
        value=secs(ours),
        baseline=f"csv module {secs(theirs)}",
        ratio=f"{ours / theirs:.2f}x time",
        note="write_view (apply view, display text, temp file, fsync, rename) vs csv.writer on ready cells + fsync",
    ))

    growth = memory["after"] - memory["before"]
    rows_out.append(Row(
        figure=f"table: memory holding {memory['rows']:,} rows",
        value=f"+{mib(growth)} (RSS {mib(memory['after'])})",
        baseline=f"before loading {mib(memory['before'])}",
        ratio="—",
        target=f"< +{mib(MEMORY_TARGET)}",
        status=judged(growth < MEMORY_TARGET, smoke),
        note="fresh process; VmRSS after gc, table mounted both times",
    ))
    return rows_out


if __name__ == "__main__":
    if "--memory-probe" in sys.argv:
        count = int(sys.argv[sys.argv.index("--memory-probe") + 1])
        print(json.dumps(asyncio.run(_memory_probe(count))))
    else:
        from bench.__main__ import print_table

        print_table(run("--smoke" in sys.argv))
