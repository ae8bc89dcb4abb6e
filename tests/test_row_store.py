"""RowStore: the results table's data model (no Textual needed)."""

from __future__ import annotations

import json
import subprocess
import sys

from sixtyfour_tui.ui.widgets.row_store import MAX_COLUMN_WIDTH, RowStore, display_text

PEOPLE = [
    {"name": "Ada", "age": 36, "score": 9.5, "active": True,
     "company": {"name": "Analytical", "size": 12}},
    {"name": "bob", "age": None, "score": 10, "active": False,
     "company": {"name": "Pipe|Works", "size": 3}, "note": "tab\there"},
    {"name": "Cy", "age": 7, "score": None, "tags": ["a", "b"]},
]


def view(store: RowStore) -> list[int]:
    return [store.view_row(position) for position in range(store.view_len)]


def test_columns_are_flattened_in_first_seen_order() -> None:
    store = RowStore(PEOPLE)
    assert store.columns == [
        "name", "age", "score", "active", "company.name", "company.size", "note", "tags",
    ]
    assert len(store) == 3
    assert store.raw(1) is PEOPLE[1]
    assert store.flat(0)["company.name"] == "Analytical"


def test_cell_text_formats_values() -> None:
    store = RowStore(PEOPLE)
    assert store.cell_text(0, "age") == "36"
    assert store.cell_text(0, "score") == "9.5"
    assert store.cell_text(0, "active") == "yes"
    assert store.cell_text(1, "active") == "no"
    assert store.cell_text(1, "age") == ""
    assert store.cell_text(2, "company.name") == ""
    assert store.cell_text(2, "tags") == "a, b"
    assert store.cell_text(1, "note") == "tab here"
    assert display_text(1234567) == "1234567"
    assert display_text(0.125) == "0.125"
    assert display_text(1 / 3) == repr(1 / 3)
    assert display_text(2.0) == "2"


def test_cell_text_is_sanitized_but_markup_stays_literal() -> None:
    store = RowStore([{"a": "\x1b[31mred\x1b[0m", "b": "[bold]x[/]", "c": "line\nbreak\x07"}])
    assert store.cell_text(0, "a") == "red"
    assert store.cell_text(0, "b") == "[bold]x[/]"
    assert store.cell_text(0, "c") == "line break"


def test_column_width_uses_header_and_is_capped() -> None:
    store = RowStore([{"id": 1, "long": "x" * 500, "a_rather_long_header": 1}])
    assert store.column_width("id") == 3  # minimum
    assert store.column_width("long") == MAX_COLUMN_WIDTH
    assert store.column_width("a_rather_long_header") == len("a_rather_long_header")


def test_column_width_samples_rather_than_measuring_every_row() -> None:
    rows = [{"v": "x"} for _ in range(1000)]
    rows[500]["v"] = "y" * 30  # a row outside the sample never widens the column
    store = RowStore(rows)
    store.append([{"v": "z" * 12}] + [{"v": "x"}] * 100)  # first row of a page is sampled
    assert store.column_width("v") == 12


def test_filter_is_case_insensitive_across_all_cells() -> None:
    store = RowStore(PEOPLE)
    store.set_filter("ANALYT")
    assert view(store) == [0]
    store.set_filter("b")  # bob, and "a, b" tags
    assert view(store) == [1, 2]
    store.set_filter("bo")  # narrowing reuses the previous matches
    assert view(store) == [1]
    store.set_filter("no-such-thing")
    assert store.view_len == 0
    store.set_filter("")
    assert view(store) == [0, 1, 2]


def test_sort_numbers_numerically_and_none_last() -> None:
    store = RowStore([{"n": 10}, {"n": 9}, {"n": None}, {"n": 100}, {"n": "11"}])
    store.sort_by("n")
    assert view(store) == [1, 0, 4, 3, 2]
    store.sort_by("n", descending=True)
    assert view(store) == [3, 4, 0, 1, 2]
    store.clear_sort()
    assert view(store) == [0, 1, 2, 3, 4]


def test_sort_text_case_insensitively_and_stably() -> None:
    store = RowStore([{"s": "b"}, {"s": "A"}, {"s": "a"}, {}, {"s": "C"}])
    store.sort_by("s")
    assert view(store) == [1, 2, 0, 4, 3]
    store.sort_by("s", descending=True)
    assert view(store) == [4, 0, 1, 2, 3]


def test_append_while_sorted_and_filtered_keeps_view_consistent() -> None:
    store = RowStore([{"n": 5, "t": "keep"}, {"n": 1, "t": "keep"}, {"n": 3, "t": "drop"}])
    store.set_filter("keep")
    store.sort_by("n")
    assert view(store) == [1, 0]
    store.append([{"n": 2, "t": "keep"}, {"n": 9, "t": "drop"}, {"n": 5, "t": "keep"}, {"t": "keep"}])
    assert view(store) == [1, 3, 0, 5, 6]  # equal 5s keep arrival order; missing last
    store.sort_by("n", descending=True)
    store.append([{"n": 5, "t": "keep"}])
    assert view(store) == [0, 5, 7, 3, 1, 6]


def test_append_while_unsorted_and_unfiltered_is_identity_view() -> None:
    store = RowStore()
    assert store.view_len == 0
    store.append([{"a": 1}] * 3)
    assert view(store) == [0, 1, 2]
    assert store.view_position(2) == 2


EXPORT_COLUMNS = ["name", "score", "company.name", "note"]


def test_export_tsv() -> None:
    store = RowStore(PEOPLE)
    assert store.as_tsv([0, 1], EXPORT_COLUMNS) == (
        "name\tscore\tcompany.name\tnote\n"
        "Ada\t9.5\tAnalytical\t\n"
        "bob\t10\tPipe|Works\ttab here\n"
    )


def test_export_csv() -> None:
    store = RowStore(PEOPLE + [{"name": 'Quote "Q", Esq.'}])
    assert store.as_csv([3, 0], ["name", "score"]) == (
        'name,score\n'
        '"Quote ""Q"", Esq.",\n'
        'Ada,9.5\n'
    )


def test_export_json_is_raw_rows() -> None:
    store = RowStore(PEOPLE)
    text = store.as_json([2, 0], EXPORT_COLUMNS)
    assert json.loads(text) == [PEOPLE[2], PEOPLE[0]]
    assert text.startswith('[\n  {\n    "name": "Cy",')


def test_export_markdown_escapes_pipes() -> None:
    store = RowStore(PEOPLE)
    assert store.as_markdown([0, 1], ["name", "company.name"]) == (
        "| name | company.name |\n"
        "| --- | --- |\n"
        "| Ada | Analytical |\n"
        "| bob | Pipe\\|Works |\n"
    )


def test_row_store_does_not_import_textual() -> None:
    code = (
        "import sys, sixtyfour_tui.ui.widgets.row_store;"
        "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_raw_rows_survive_the_decoded_block_cache() -> None:
    rows = [{"id": i, "nested": {"tags": ["a", i], "empty": {}}, "score": i / 3} for i in range(1000)]
    store = RowStore()
    for start in range(0, 1000, 100):
        store.append([dict(row) for row in rows[start:start + 100]])
    assert [store.raw(i) for i in range(1000)] == rows  # every block decoded again, in turn
    assert store.raw(-1) == rows[-1]
    assert json.loads(store.as_json([999, 0])) == [rows[999], rows[0]]


def test_store_does_not_keep_old_pages_alive() -> None:
    import gc
    import weakref

    class Row(dict):
        pass

    store = RowStore()
    first_page = [Row(n=i) for i in range(100)]
    probe = weakref.ref(first_page[0])
    store.append(first_page)
    del first_page
    for start in range(100, 1100, 100):
        store.append([{"n": i} for i in range(start, start + 100)])
    gc.collect()
    assert probe() is None
    assert store.raw(0) == {"n": 0}


def test_flat_values_keep_their_types_when_strings_are_shared() -> None:
    store = RowStore([{"v": 1}, {"v": True}, {"v": 1.0}, {"v": "1"}, {"v": "1"}] * 30)
    assert [type(store.flat(i)["v"]) for i in range(5)] == [int, bool, float, str, str]
    assert [store.cell_text(i, "v") for i in range(5)] == ["1", "yes", "1", "1", "1"]
    assert store.flat(3)["v"] is store.flat(4)["v"]


def test_sort_insertion_matches_a_full_sort() -> None:
    store = RowStore([{"n": n} for n in (5, "b", None, 2, "A")])
    store.sort_by("n", descending=True)
    store.append([{"n": n} for n in (3, "a", None, 5, "c", 2.0)])
    appended = view(store)
    store.sort_by("n", descending=True)
    assert appended == view(store)
