"""ResultsTable rendered for real through Textual's test harness."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.message import Message

from sixtyfour_tui.table.row_store import RowStore
from sixtyfour_tui.ui.widgets.results_table import FindResult, ResultsTable
from tests.waiting import wait_until

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

    def on_results_table_find_moved(self, message: ResultsTable.FindMoved) -> None:
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
        assert "ID" in lines[0] and "Company name" in lines[0]  # readable labels
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
        # A click on the "[@click=app.quit]" cell would quit had the text been parsed as markup;
        # it only moves the cursor there (and the table says so), and the app goes on.
        await pilot.click(ResultsTable, offset=(4, 2))
        await wait_until(lambda: any(m.row_index == 1 for m in app.of_type(ResultsTable.CursorMoved)), pilot=pilot)
        await pilot.press("enter")
        await wait_until(lambda: app.of_type(ResultsTable.RowActivated), pilot=pilot)
        assert app.is_running and app.of_type(ResultsTable.RowActivated)[-1].row_index == 1
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
        assert "Company name" not in screen_lines(table)[0]
        assert "Co 3" not in screen_lines(table)[4]
        assert table.toggle_column("company.name") is True
        await pilot.pause()
        assert "Company name" in screen_lines(table)[0]


async def test_caller_default_columns() -> None:
    app = TableApp(RowStore(make_rows(20)), columns=["name"])
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        await pilot.pause()
        assert table.visible_columns == ["name"]
        assert "ID" not in screen_lines(table)[0]
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
        assert "Col20" in header and "value 20-0" in first
        assert header.index("Col20") == first.index("value 20-0")  # header scrolls with the body
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
        assert "Title" in header and "RED" in header
        assert "\x1b" not in header and "PWNED" not in header


# -- columns: pinned, labels, widths, order, sort ---------------------------------------------

def wide_rows(count: int = 10, columns: int = 30) -> list[dict]:
    return [{"name": f"Person {r}", **{f"col{c}": f"value {c}-{r}" for c in range(columns)}} for r in range(count)]


async def test_pinned_column_stays_while_scrolling_sideways_a_column_at_a_time() -> None:
    app = TableApp(RowStore(wide_rows()))
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(ResultsTable)
        table.pinned_column = "name"
        for _ in range(20):
            await pilot.press("l")
        await pilot.pause()
        assert table.current_column() == "col19" and table.scroll_x > 0
        header, first = screen_lines(table)[:2]
        pinned = table.column_width("name") + 2
        assert header[2:2 + pinned].strip() == "Name" and first[2:2 + pinned].strip() == "Person 0"
        assert header.index("Col19") == first.index("value 19-0")
        # The first scrolled column starts whole: its label and its values begin right after the pin.
        body_header, body_first = header[2 + pinned:], first[2 + pinned:]
        assert body_header.startswith(" Col") and body_first.startswith(" value ")
        assert body_header.split()[0][3:] == body_first.split()[1].split("-")[0]
        for _ in range(10):
            await pilot.press("l")
        await pilot.pause()
        first = screen_lines(table)[1]
        assert table.current_column() == "col29" and "value 29-0" in first
        assert first[2 + pinned:].startswith(" value ")  # even at the far right, no cut column


async def test_header_click_sorts_and_shift_click_adds_a_key() -> None:
    app = TableApp(RowStore(make_rows(30)))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        name_x = screen_lines(table)[0].index("Name")
        await pilot.click(ResultsTable, offset=(name_x, 0))
        assert table.store.sort_keys == (("name", False),)
        await pilot.click(ResultsTable, offset=(name_x, 0))
        assert table.store.sort_keys == (("name", True),)
        assert table.current_row_index() == 0  # the cursor stayed on its row: "Person 0" sorts last
        assert table.cursor_row == 29
        company_x = screen_lines(table)[0].index("Company")
        await pilot.click(ResultsTable, offset=(company_x, 0), shift=True)
        await pilot.pause()
        assert table.store.sort_keys == (("name", True), ("company.name", False))
        header = screen_lines(table)[0]
        assert "Name ▼1" in header and "Company … ▲2" in header  # a cut label keeps its arrow


async def test_sort_arrow_stays_visible_when_the_header_is_cut() -> None:
    app = TableApp(RowStore(make_rows(10)))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        await pilot.press("l", "l")
        assert table.current_column() == "company.name"
        table.sort_by_column("company.name")
        await pilot.press("less_than_sign", "less_than_sign")
        await pilot.pause()
        assert table.column_width("company.name") == 4
        header = screen_lines(table)[0]
        assert "C… ▲" in header
        await pilot.press("less_than_sign", "less_than_sign")
        assert table.column_width("company.name") == 3  # the narrowest
        assert "▲" in screen_lines(table)[0]


async def test_widen_narrow_and_move_columns() -> None:
    app = TableApp(RowStore(make_rows(10)))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        await pilot.press("l")
        before = table.column_width("name")
        await pilot.press("greater_than_sign")
        assert table.column_width("name") == before + 4
        await pilot.press("less_than_sign", "less_than_sign")
        assert table.column_width("name") == before - 4
        await pilot.press("L")
        assert table.visible_columns == ["id", "company.name", "name"] and table.current_column() == "name"
        await pilot.press("L")  # already last
        assert table.visible_columns == ["id", "company.name", "name"]
        await pilot.press("H", "H")
        assert table.visible_columns == ["name", "id", "company.name"]
        await pilot.press("exclamation_mark")  # pin it: it stays first and does not move
        assert table.pinned_column == "name"
        await pilot.press("L")
        assert table.visible_columns[0] == "name"
        await pilot.press("l", "H")  # nothing moves in front of the pinned column
        assert table.visible_columns == ["name", "id", "company.name"]


# -- find -------------------------------------------------------------------------------------

def styled_segments(table: ResultsTable, y: int) -> list[tuple[str, object]]:
    return [(segment.text, segment.style.bgcolor if segment.style else None) for segment in table.render_line(y)]


async def test_find_highlights_matches_and_moves_between_them() -> None:
    app = TableApp(RowStore(make_rows(300)))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        table.set_find("SON 1")  # case-insensitive, in the shown columns
        await pilot.pause()
        assert table.cursor_row == 1  # the first match at or after the cursor
        assert table.current_column() == "name"
        match_colour = table.get_component_rich_style("results-table--match").bgcolor
        segments = styled_segments(table, 2)
        highlighted = [text for text, colour in segments if colour == match_colour]
        assert highlighted == ["son 1"]  # only the matching text, in its own case
        assert all(colour != match_colour for _, colour in styled_segments(table, 3))  # Person 2: no match
        assert table.find_next() == FindResult("son 1", 2, 111, False)
        assert table.cursor_row == 10
        table.find_next()
        table.find_next()
        assert table.cursor_row == 12
        for _ in range(3):
            table.find_next(forward=False)
        assert table.cursor_row == 1
        assert table.find_next(forward=False) == FindResult("son 1", 111, 111, True)  # round to the last
        assert table.cursor_row == 199
        await pilot.pause()
        moved = app.of_type(ResultsTable.FindMoved)  # posted too, for any listener
        assert moved[-1].result.wrapped and not moved[-2].result.wrapped
        table.clear_find()
        await pilot.pause()
        assert all(colour != match_colour for _, colour in styled_segments(table, 2))


async def test_find_ignores_hidden_columns() -> None:
    app = TableApp(RowStore(make_rows(50)))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        table.toggle_column("company.name")
        table.set_find("co 4")
        await pilot.pause()
        assert table.find_matches() == []
        table.toggle_column("company.name")
        assert table.find_matches() == [4, *range(40, 50)]  # Co 4, Co 40…Co 49


# -- marks, seen rows, focus ------------------------------------------------------------------

async def test_clear_and_invert_selection_keys() -> None:
    app = TableApp(RowStore(make_rows(40)))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        await pilot.press("space", "space", "asterisk")
        assert table.selection_count == 38
        assert table.selected_indices()[:2] == [2, 3]
        await pilot.press("u")
        await pilot.pause()
        assert table.selection_count == 0
        assert [m.count for m in app.of_type(ResultsTable.SelectionChanged)][-2:] == [38, 0]


async def test_seen_rows_carry_a_mark_in_the_gutter() -> None:
    from sixtyfour_tui.table.row_store import RowFlag

    store = RowStore(make_rows(10))
    app = TableApp(store)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        store.set_flag(RowFlag.SEEN, [1, 2])
        table.refresh_rows()
        await pilot.press("j", "space")
        await pilot.pause()
        lines = screen_lines(table)
        assert lines[1][:2] == "  " and lines[2][:2] == "●◦" and lines[3][:2] == " ◦"


async def test_the_cursor_row_looks_different_without_focus() -> None:
    app = TableApp(RowStore(make_rows(10)))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        await pilot.pause()
        focused = list(table.render_line(1))[-1].style.bgcolor
        table.blur()
        await pilot.pause()
        assert not table.has_focus
        assert list(table.render_line(1))[-1].style.bgcolor != focused


async def test_clearing_a_filter_keeps_the_cursor_on_its_row() -> None:
    store = RowStore(make_rows(1_000))
    app = TableApp(store)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        store.set_filter("person 7")
        table.refresh_rows()
        assert table.current_row_index() == 7  # the old row left the view: the first match
        await pilot.press("j", "j", "j")
        assert table.current_row_index() == 72
        store.set_filter("")
        table.refresh_rows()
        await pilot.pause()
        assert table.current_row_index() == 72 and table.cursor_row == 72
        top = round(table.scroll_y)
        assert "Person 72 " in screen_lines(table)[72 - top + 1]


async def test_the_next_screen_is_drawn_ahead_while_idle() -> None:
    app = TableApp(RowStore(make_rows(1_000)))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResultsTable)
        shown = table.rows_drawn
        await pilot.press("pagedown")
        last = [-1]

        def drawn_ahead_and_quiet() -> bool:  # the next screen is in the cache and drawing has stopped
            now, previous = table.rows_drawn, last[0]
            last[0] = now
            return now >= shown + 2 * body_height(table) and now == previous

        await wait_until(drawn_ahead_and_quiet, pilot=pilot)
        table.prepare_delay = 3600  # and from now on nothing is drawn ahead
        drawn = table.rows_drawn
        await pilot.press("pagedown")
        await pilot.pause()
        screen_lines(table)
        assert table.cursor_row == 2 * body_height(table)
        assert table.rows_drawn - drawn <= 1  # only the cursor row: the rest was ready
        await pilot.press("pagedown")
        await pilot.pause()
        screen_lines(table)
        assert table.rows_drawn - drawn > body_height(table)  # the control: without it, a screenful
