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
  pages down through rows never drawn before, which is what paging through fresh data costs.
* memory: RSS growth of a fresh process from "table mounted, nothing loaded" to "N rows loaded
  page by page (JSON-decoded pages of 100, as from /search/query), first and last screen drawn".

Rows are the sandbox's people rows (`load_dataset().row("people", i)`), the realistic shape.

Run alone: .venv/bin/python -m bench.table [--smoke]
"""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
import time

from bench.common import Row, judged, median, mib, ms, percentile, rss_bytes, secs

SCREEN = (160, 48)
KEYS = ("down", "pagedown", "end")
PAGE = 100
SAME_PATH_ROWS = 100
LOAD_TARGET = 20.0
KEY_RATIO_TARGET = 1.2
KEY_P95_TARGET = 0.016
MEMORY_TARGET = 150 * 2**20


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
    from textual import events

    from sixtyfour_tui.table.row_store import RowStore

    TableApp, _, ResultsTable = _apps()
    app = TableApp(RowStore(rows))
    timings: dict[str, list[float]] = {key: [] for key in keys}
    async with app.run_test(size=SCREEN) as pilot:
        await pilot.pause()
        table = app.query_one(ResultsTable)
        assert table.has_focus
        clock = FrameClock(app)

        async def press(key: str) -> float:
            await asyncio.sleep(0.03)  # idle, as between two human keypresses
            clock.frame.clear()
            started = time.perf_counter()
            event = events.Key(key, None)
            event.set_sender(app)
            app._driver.send_message(event)
            return await clock.next_frame() - started

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
