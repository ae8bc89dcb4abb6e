"""ResultsTable rendered for real through Textual's test harness."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.message import Message

from sixtyfour_tui.table.row_store import RowStore
from sixtyfour_tui.ui.widgets.results_table import ResultsTable

SIZE = (100, 24)
BODY_HEIGHT = SIZE[1] - 1 - 1  # minus header, minus horizontal scrollbar (if shown)


def make_rows(count: int, start: int = 0) -> list[dict]:
    return [{"id": i, "name": f"Person {i}", "company": {"name": f"Co {i % 97}"}} for i in range(start, start + count)]


class TableApp(App):
    """Hosts one table and records the messages it posts."""

    def __init__(self, store: RowStore, **table_options) -> None:
        super().__init__()
        self.store = store
        self.table_options = table_options
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield ResultsTable(self.store, **self.table_options)

    def on_results_table_cursor_moved(self, message: ResultsTable.CursorMoved) -> None:
        self.messages.append(message)

    def on_results_table_row_activated(self, message: ResultsTable.RowActivated) -> None:
        self.messages.append(message)

    def on_results_table_near_end(self, message: ResultsTable.NearEnd) -> None:
        self.messages.append(message)

    def on_results_table_selection_changed(self, message: ResultsTable.SelectionChanged) -> None:
        self.messages.append(message)

    def of_type(self, kind: type[Message]) -> list:
        return [message for message in self.messages if isinstance(message, kind)]


def screen_lines(table: ResultsTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


def body_height(table: ResultsTable) -> int:
    return table.scrollable_content_region.height - 1


async def test_mounts_100k_rows_and_end_shows_last_row() -> None:
    app = TableApp(RowStore(make_rows(100_000)))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        assert table.has_focus
        assert table.virtual_size.height == 100_001
        lines = screen_lines(table)
        assert "id" in lines[0] and "company.name" in lines[0]
        assert "Person 0 " in lines[1]

        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == 99_999
        assert table.current_row_index() == 99_999
        assert any("Person 99999" in line for line in screen_lines(table))
        snapshot = app.export_screenshot()
        assert "Person" in snapshot and "99999" in snapshot

        await pilot.press("g")
        await pilot.pause()
        assert table.cursor_row == 0
        assert table.scroll_y == 0


async def test_navigation_keys_move_the_cursor() -> None:
    app = TableApp(RowStore(make_rows(1_000)))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        page = body_height(table)
        await pilot.press("j", "j", "down")
        assert table.cursor_row == 3
        await pilot.press("k", "up")
        assert table.cursor_row == 1
        await pilot.press("pagedown")
        assert table.cursor_row == 1 + page
        await pilot.press("pageup", "pageup")
        assert table.cursor_row == 0
        await pilot.press("G")
        assert table.cursor_row == 999
        await pilot.press("j")
        assert table.cursor_row == 999
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.pause()
        moved = app.of_type(ResultsTable.CursorMoved)
        assert moved[-1].row_index == 0 and moved[-1].position == 0
        assert moved[0].control is table


async def test_cursor_row_stays_on_screen_when_paging() -> None:
    app = TableApp(RowStore(make_rows(500)))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        for _ in range(5):
            await pilot.press("pagedown")
        await pilot.pause()
        top = round(table.scroll_y)
        assert top <= table.cursor_row < top + body_height(table)
        assert f"Person {table.cursor_row} " in screen_lines(table)[table.cursor_row - top + 1]


async def test_space_selects_and_enter_activates() -> None:
    app = TableApp(RowStore(make_rows(50)))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        assert table.selected_indices() == [0]  # nothing marked: the cursor row
        await pilot.press("j", "space", "j", "space")  # space also moves down a row
        await pilot.pause()
        assert table.selected_indices() == [1, 3]
        assert table.current_row_index() == 4
        assert [m.count for m in app.of_type(ResultsTable.SelectionChanged)] == [1, 2]
        lines = screen_lines(table)
        assert lines[2].startswith("●") and lines[4].startswith("●")
        assert not lines[3].startswith("●")

        await pilot.press("k", "space")  # back on row 3: toggles it off
        await pilot.press("enter")
        await pilot.pause()
        assert table.selected_indices() == [1]
        activated = app.of_type(ResultsTable.RowActivated)
        assert [m.row_index for m in activated] == [4]


async def test_selection_follows_view_order_when_sorted() -> None:
    app = TableApp(RowStore(make_rows(10)))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        await pilot.press("space", "j", "space")
        table.store.sort_by("id", descending=True)
        table.refresh_rows()
        assert table.selected_indices() == [2, 0]


async def test_click_moves_cursor() -> None:
    app = TableApp(RowStore(make_rows(50)))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        await pilot.click(ResultsTable, offset=(5, 4))  # line 4 = view position 3
        assert table.cursor_row == 3


async def test_near_end_posted_once_per_store_length() -> None:
    store = RowStore(make_rows(200))
    app = TableApp(store)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        await pilot.pause()
        assert app.of_type(ResultsTable.NearEnd) == []  # 200 rows is more than two pages away
        last_quiet_row = 199 - 2 * body_height(table) - 1
        table.cursor_row = last_quiet_row
        await pilot.pause()
        assert app.of_type(ResultsTable.NearEnd) == []
        await pilot.press("j")
        await pilot.pause()
        assert len(app.of_type(ResultsTable.NearEnd)) == 1
        await pilot.press("j", "j", "end")
        await pilot.pause()
        assert len(app.of_type(ResultsTable.NearEnd)) == 1  # not again for the same length

        store.append(make_rows(10, start=200))
        table.refresh_rows()
        await pilot.pause()
        assert len(app.of_type(ResultsTable.NearEnd)) == 2  # new length, still near the end
        assert table.virtual_size.height == 211


async def test_small_first_page_asks_for_more_immediately() -> None:
    app = TableApp(RowStore(make_rows(5)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(app.of_type(ResultsTable.NearEnd)) == 1


HOSTILE = [
    {"text": "[bold]x[/]"},
    {"text": "[@click=app.quit]q"},
    {"text": "\x1b[31mred\x1b[0m"},
    {"text": "tab\there"},
    {"text": "wide 中文字 😀 end"},
    {"text": "[link=https://evil]l[/link] \x1b]8;;https://evil\x07osc\x1b]8;;\x07"},
]


async def test_hostile_strings_render_literally() -> None:
    app = TableApp(RowStore(HOSTILE))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        await pilot.pause()
        lines = screen_lines(table)
        body = "\n".join(lines[1:7])
        assert "[bold]x[/]" in body
        assert "[@click=app.quit]q" in body
        assert "red" in body and "\x1b" not in body and "[31m" not in body
        assert "tab here" in body and "\t" not in body
        assert "中文字 😀 end" in body
        assert "[link=https://evil]l[/link] osc" in body
        for y in range(table.size.height):
            strip = table.render_line(y)
            assert strip.cell_length == table.size.width
            assert all(segment.style is None or segment.style.meta == {} or "@click" not in segment.style.meta
                       for segment in strip)
        await pilot.press("enter")  # would quit if "[@click=app.quit]" had been parsed
        await pilot.pause()
        assert app.is_running
        assert "\x1b[31m" not in app.export_screenshot()


async def test_wide_characters_are_cropped_to_column_width() -> None:
    app = TableApp(RowStore([{"a": "字" * 60, "b": "after"}]))
    async with app.run_test(size=(120, 10)) as pilot:
        table = app.query_one(ResultsTable)
        await pilot.pause()
        line = table.render_line(1)
        assert line.cell_length == 120
        assert "…" in line.text and "after" in line.text


async def test_hidden_columns_disappear_and_come_back() -> None:
    app = TableApp(RowStore(make_rows(20)))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        assert table.visible_columns == ["id", "name", "company.name"]
        assert table.toggle_column("company.name") is False
        await pilot.pause()
        assert "company.name" not in screen_lines(table)[0]
        assert "Co 3" not in screen_lines(table)[4]
        assert table.toggle_column("company.name") is True
        await pilot.pause()
        assert "company.name" in screen_lines(table)[0]


async def test_caller_default_columns() -> None:
    app = TableApp(RowStore(make_rows(20)), columns=["name"])
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        await pilot.pause()
        assert table.visible_columns == ["name"]
        assert "id" not in screen_lines(table)[0]
        table.toggle_column("id")
        assert table.visible_columns == ["name", "id"]


async def test_cell_cursor_scrolls_horizontally() -> None:
    rows = [{f"col{c}": f"value {c}-{r}" for c in range(30)} for r in range(10)]
    app = TableApp(RowStore(rows))
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(ResultsTable)
        for _ in range(20):
            await pilot.press("l")
        await pilot.pause()
        assert table.cursor_column == 20
        assert table.current_column() == "col20"
        assert table.scroll_x > 0
        header, first = screen_lines(table)[:2]
        assert "col20" in header and "value 20-0" in first
        assert header.index("col20") == first.index("value 20-0")  # header scrolls with the body
        await pilot.press("h")
        assert table.cursor_column == 19


async def test_empty_state_and_filtering() -> None:
    store = RowStore()
    app = TableApp(store)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        await pilot.pause()
        assert "No rows" in screen_lines(table)[1]
        await pilot.press("enter", "j", "space")
        assert table.current_row_index() is None
        assert table.selected_indices() == []

        store.append(make_rows(30))
        table.refresh_rows()
        await pilot.pause()
        assert "Person 0 " in screen_lines(table)[1]

        store.set_filter("person 2")
        table.refresh_rows()
        await pilot.pause()
        assert table.store.view_len == 11
        await pilot.press("end")
        assert table.current_row_index() == 29

        store.set_filter("nobody")
        table.refresh_rows()
        await pilot.pause()
        assert "No rows match" in screen_lines(table)[1]


async def test_set_store_resets_cursor_and_selection() -> None:
    app = TableApp(RowStore(make_rows(100)))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        await pilot.press("end", "space")
        table.set_store(RowStore(make_rows(3, start=1000)))
        await pilot.pause()
        assert table.cursor_row == 0 and table.scroll_y == 0
        assert table.selection_count == 0
        assert "Person 1000" in screen_lines(table)[1]


async def test_scrolling_near_the_end_asks_for_more() -> None:
    app = TableApp(RowStore(make_rows(1_000)))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        table.scroll_to(y=500, animate=False)
        await pilot.pause()
        assert app.of_type(ResultsTable.NearEnd) == []
        table.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert len(app.of_type(ResultsTable.NearEnd)) == 1
        assert table.cursor_row == 0  # scrolling alone leaves the cursor where it was


async def test_cursor_row_is_highlighted() -> None:
    app = TableApp(RowStore(make_rows(10)))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        await pilot.press("j")
        await pilot.pause()

        def background(y: int):
            return [segment.style.bgcolor for segment in table.render_line(y) if segment.text.strip()][-1]

        assert background(2) != background(1)
        assert background(2) != background(3)
        assert background(1) != background(4)  # zebra: neighbours differ from the cursor row too


async def test_hostile_column_names_are_cleaned_in_the_header():
    from textual.app import App

    from sixtyfour_tui.table.row_store import RowStore
    from sixtyfour_tui.ui.widgets.results_table import ResultsTable

    store = RowStore()
    store.append([{"\x1b]2;PWNED\x07title": "boss", "\x1b[41mRED": "x"}])

    class Host(App):
        def compose(self):
            yield ResultsTable(store)

    app = Host()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(ResultsTable)
        header = table.render_line(0).text
        assert "title" in header and "RED" in header
        assert "\x1b" not in header and "PWNED" not in header
