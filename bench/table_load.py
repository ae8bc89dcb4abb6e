"""How fast is the results table at 100,000 rows compared with 100, and with stock DataTable?

Run: .venv/bin/python bench/table_load.py [--datatable-rows 20000] [--samples 40]

Measures, in a headless Textual app (real compositor, no terminal):
  * mount + first frame with N rows, ResultsTable vs DataTable (DataTable is measured at a
    smaller size and extrapolated linearly, labelled as such, because it is O(rows) on ingest);
  * keypress-to-frame median and p95 for down / pagedown / end at 100 and 100,000 rows,
    two ways: through Pilot (press + pause; Pilot's idle detection sleeps in fixed slices, so
    this has a floor of tens of ms that is harness, not table), and the table's own share
    (the key's action plus re-rendering every visible line, as the compositor would).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import DataTable

from sixtyfour_tui.ui.widgets.results_table import ResultsTable
from sixtyfour_tui.ui.widgets.row_store import RowStore

SCREEN = (160, 48)
BIG = 100_000


def make_rows(count: int) -> list[dict]:
    """Cheap rows shaped roughly like people results."""
    return [
        {
            "id": f"p-{i:07d}",
            "name": f"Person {i}",
            "title": ("VP Engineering", "Founder", "Data Scientist")[i % 3],
            "company": {"name": f"Company {i % 997}", "employees": (i * 37) % 20_000},
            "location": ("Berlin", "San Francisco", "東京", "London")[i % 4],
            "score": round((i % 1000) / 7, 3),
        }
        for i in range(count)
    ]


class ResultsApp(App):
    def __init__(self, store: RowStore) -> None:
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


async def time_first_frame(app: App) -> float:
    started = time.perf_counter()
    async with app.run_test(size=SCREEN) as pilot:
        await pilot.pause()
        return time.perf_counter() - started


async def time_keys(rows: list[dict], key: str, samples: int) -> list[float]:
    """Seconds from pressing `key` until the app is idle with the new frame rendered."""
    app = ResultsApp(RowStore(rows))
    timings = []
    async with app.run_test(size=SCREEN) as pilot:
        await pilot.pause()
        for _ in range(samples):
            if key == "end":
                await pilot.press("home")
                await pilot.pause()
            started = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            timings.append(time.perf_counter() - started)
    return timings


ACTIONS = {"down": "action_cursor_down", "pagedown": "action_page_down", "end": "action_last_row"}


async def time_actions(rows: list[dict], key: str, samples: int) -> list[float]:
    """Seconds for the key's action plus rendering the table's visible lines."""
    app = ResultsApp(RowStore(rows))
    timings = []
    async with app.run_test(size=SCREEN) as pilot:
        await pilot.pause()
        table = app.query_one(ResultsTable)
        action = getattr(table, ACTIONS[key])
        region = Region(0, 0, table.size.width, table.size.height)
        for _ in range(samples):
            if key == "end" or table.cursor_row >= table.store.view_len - 1:
                table.action_first_row()
                table.render_lines(region)
            started = time.perf_counter()
            action()
            table.render_lines(region)
            timings.append(time.perf_counter() - started)
            await pilot.pause()
    return timings


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def main(datatable_rows: int, samples: int) -> None:
    big_rows = make_rows(BIG)

    started = time.perf_counter()
    store = RowStore(big_rows)
    store_seconds = time.perf_counter() - started
    frame_seconds = await time_first_frame(ResultsApp(store))
    print(f"ResultsTable, {BIG:,} rows: RowStore ingest {store_seconds:.2f} s "
          f"+ mount & first frame {frame_seconds:.3f} s")

    small_store = RowStore(big_rows[:100])
    print(f"ResultsTable, 100 rows: mount & first frame {await time_first_frame(ResultsApp(small_store)):.3f} s")

    columns = store.columns
    cells = [[store.cell_text(i, column) for column in columns] for i in range(datatable_rows)]
    stock_seconds = await time_first_frame(StockApp(columns, cells))
    label = "measured" if datatable_rows >= BIG else f"extrapolated x{BIG / datatable_rows:g} from {datatable_rows:,}"
    print(f"DataTable, {datatable_rows:,} rows: mount & first frame {stock_seconds:.2f} s "
          f"-> {BIG:,} rows ~{stock_seconds * BIG / datatable_rows:.1f} s ({label})")

    print(f"\nkeypress -> frame, {samples} samples each (ms)")
    print(f"{'':<19}{'Pilot press+pause':>20}{'action + render lines':>24}")
    print(f"{'key':<10}{'rows':>9}{'median':>10}{'p95':>10}{'median':>12}{'p95':>12}")
    for key in ("down", "pagedown", "end"):
        for count in (100, BIG):
            pilot_times = await time_keys(big_rows[:count], key, samples)
            own_times = await time_actions(big_rows[:count], key, samples)
            print(f"{key:<10}{count:>9,}"
                  f"{statistics.median(pilot_times) * 1000:>10.2f}{p95(pilot_times) * 1000:>10.2f}"
                  f"{statistics.median(own_times) * 1000:>12.3f}{p95(own_times) * 1000:>12.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datatable-rows", type=int, default=20_000)
    parser.add_argument("--samples", type=int, default=40)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.datatable_rows, arguments.samples))
