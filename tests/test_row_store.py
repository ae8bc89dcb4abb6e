"""RowStore: the results table's data model (no Textual needed)."""

from __future__ import annotations

import json
import subprocess
import sys

from sixtyfour_tui.table.row_store import MAX_COLUMN_WIDTH, RowStore, display_text

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
        "Name\tScore\tCompany name\tNote\n"  # the table's labels, as a view's export has them
        "Ada\t9.5\tAnalytical\t\n"
        "bob\t10\tPipe|Works\ttab here\n"
    )


def test_export_csv() -> None:
    store = RowStore(PEOPLE + [{"name": 'Quote "Q", Esq.'}])
    assert store.as_csv([3, 0], ["name", "score"]) == (
        'Name,Score\n'
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
        "| Name | Company name |\n"
        "| --- | --- |\n"
        "| Ada | Analytical |\n"
        "| bob | Pipe\\|Works |\n"
    )


def test_row_store_does_not_import_textual() -> None:
    code = (
        "import sys, sixtyfour_tui.table.row_store;"
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


# -- marks, flags, value filters, multi-key sort, find --------------------------------------

from sixtyfour_tui.table.row_store import RowFlag  # noqa: E402

TEAM = [
    {"publicId": "p0", "name": "Ada", "level": "VP", "city": "Berlin", "n": 3},
    {"publicId": "p1", "name": "Bo", "level": "Director", "city": "Paris", "n": 1},
    {"publicId": "p2", "name": "Cy", "level": "VP", "city": "Paris", "n": 2},
    {"publicId": "p3", "name": "Di", "level": "Manager", "city": "Berlin", "n": 2},
    {"publicId": "p4", "name": "Ed", "level": "VP", "city": "Rome", "n": None},
]


def test_marks_toggle_mark_all_invert_and_clear() -> None:
    store = RowStore(TEAM)
    assert store.toggle_mark(1) is True and store.toggle_mark(3) is True
    assert store.mark_count == 2 and store.marked_in_view() == [1, 3]
    assert store.toggle_mark(1) is False
    assert store.mark_view() == 4  # unfiltered: every row, one pass
    assert store.mark_count == 5
    store.invert_marks()
    assert store.mark_count == 0
    store.mark([0, 4])
    store.invert_marks()
    assert store.marked_in_view() == [1, 2, 3]
    assert store.clear_marks() == 3 and store.mark_count == 0


def test_mark_all_and_invert_with_a_filter_touch_only_the_rows_it_keeps() -> None:
    store = RowStore(TEAM)
    store.mark([1])  # Bo, a Director: hidden by the filter below
    store.set_filter("vp")
    assert store.mark_view() == 3
    assert store.mark_count == 4
    assert store.marked_in_view() == [0, 2, 4]  # what you see is what you copy
    store.toggle_mark(2)
    store.invert_marks()
    assert store.marked_in_view() == [2]
    assert store.is_marked(1)  # outside the view: untouched
    store.sort_by("name", descending=True)
    store.mark_view()
    assert store.marked_in_view() == [4, 2, 0]  # view order


def test_mark_by_pattern_and_by_values_within_the_view() -> None:
    store = RowStore(TEAM + [{"name": "Dev [lead", "level": "IC"}])
    assert store.mark_matching("city", "^par") == 2  # a regular expression, case-insensitive
    assert store.marked_in_view() == [1, 2]
    assert store.mark_matching("city", "PARIS", on=False) == 2
    assert store.mark_matching("name", "[LEAD") == 1  # not a valid expression: matched literally
    assert store.marked_in_view() == [5]
    store.clear_marks()
    store.set_filter("berlin")
    assert store.mark_values("level", ["VP", "Manager"]) == 2  # rows 0 and 3 only: the view
    store.set_filter("")
    assert store.marked_in_view() == [0, 3]


def test_flags_are_set_in_bulk_and_new_only_hides_seen_rows() -> None:
    store = RowStore(TEAM)
    store.set_flag(RowFlag.SEEN, [0, 2, 3])
    assert [store.has_flag(i, RowFlag.SEEN) for i in range(5)] == [True, False, True, True, False]
    assert store.flag_count(RowFlag.SEEN) == 3
    store.set_new_only(True)
    assert view(store) == [1, 4]
    store.set_flag(RowFlag.SEEN, [3], on=False)
    assert view(store) == [1, 3, 4]
    store.append([{"name": "Fay"}])  # new rows are new
    assert view(store) == [1, 3, 4, 5]
    store.set_new_only(False)
    assert store.view_len == 6


def test_value_filters_and_across_columns_or_within_and_compose_with_text_and_sort() -> None:
    store = RowStore(TEAM)
    store.set_value_filter("level", ["VP", "Manager"])
    assert view(store) == [0, 2, 3, 4]
    store.set_value_filter("city", ["Berlin", "Rome"])
    assert view(store) == [0, 3, 4]
    store.set_filter("e")  # every kept row has an "e" somewhere: Berlin, Manager, Ed
    assert view(store) == [0, 3, 4] and store.filter_text == "e"
    store.set_filter("ed")
    assert view(store) == [4]
    store.set_filter("")
    store.sort_by("n")
    assert view(store) == [3, 0, 4]
    store.append([{"name": "Gus", "level": "VP", "city": "Rome", "n": 0}, {"name": "Hal", "level": "VP"}])
    assert view(store) == [5, 3, 0, 4]
    store.set_value_filter("city", [])  # empty lifts the column's filter
    assert store.value_filters == {"level": frozenset({"VP", "Manager"})}
    assert view(store) == [5, 2, 3, 0, 4, 6]


def test_multi_key_sort_with_mixed_directions_and_appends_match_a_full_sort() -> None:
    store = RowStore(TEAM)
    store.set_sort([("level", False), ("n", True)])
    # Director, Manager, then the VPs by n descending with the missing n last
    assert view(store) == [1, 3, 0, 2, 4]
    assert store.sort_column == "level" and not store.sort_descending
    store.append([{"level": "VP", "n": 5}, {"level": "Director", "n": 0}, {"level": "VP", "n": 3}, {"n": 9}])
    appended = view(store)
    store.set_sort([("level", False), ("n", False)])
    store.set_sort([("level", False), ("n", True)])
    assert appended == view(store) == [1, 6, 3, 5, 0, 7, 2, 4, 8]


def test_only_marked_view_follows_the_marks() -> None:
    store = RowStore(TEAM)
    store.mark([4, 1, 2])
    store.sort_by("name")
    store.set_only_marked(True)
    assert view(store) == [1, 2, 4]
    store.toggle_mark(2)
    assert view(store) == [1, 4]
    store.append([{"name": "Zed"}])
    assert view(store) == [1, 4]  # new rows are not marked
    store.mark([5, 0])
    assert view(store) == [0, 1, 4, 5]
    store.set_only_marked(False)
    assert store.view_len == 6


def test_set_view_rebuilds_once_and_appends_do_not_count_as_rebuilds() -> None:
    store = RowStore(TEAM)
    before = store.view_version
    store.set_view(text_filter="paris", value_filters={"level": ["VP"]}, sort=[("name", True)])
    assert store.view_version == before + 1
    assert view(store) == [2]
    store.append([{"name": "Zoe", "level": "VP", "city": "Paris"}])
    assert store.view_version == before + 1 and view(store) == [5, 2]
    store.set_view(text_filter="paris")  # unchanged: no rebuild
    assert store.view_version == before + 1


def test_find_positions_count_only_the_given_columns_and_follow_the_view() -> None:
    store = RowStore(TEAM)
    assert store.find_positions("PAR", ["name", "city"]) == [1, 2]
    assert store.find_positions("par", ["name"]) == []  # in the city column only
    assert store.find_positions("d", ["name"]) == [0, 3, 4]  # Ada, Di, Ed
    store.sort_by("name", descending=True)  # Ed Di Cy Bo Ada
    assert store.find_positions("d", ["name"]) == [0, 1, 4]
    assert store.find_positions("", ["name"]) == []


def test_texts_and_identities() -> None:
    store = RowStore(TEAM + [{"source_id": "c9", "name": "Co"}])
    assert store.row_texts(1, ["name", "n", "missing"]) == ["Bo", "1", ""]
    assert list(store.texts([4, 0], ["name", "n"])) == [["Ed", ""], ["Ada", "3"]]
    assert store.identity(0) == "publicId:p0" and store.identity(5) == "source_id:c9"
    assert store.indices_of({"publicId:p3", "source_id:c9", "publicId:nobody"}) == [3, 5]


def test_value_counts_cover_the_view() -> None:
    store = RowStore(TEAM)
    assert store.value_counts("level") == {"VP": 3, "Director": 1, "Manager": 1}
    store.set_filter("paris")
    assert store.value_counts("level") == {"VP": 1, "Director": 1}


def test_the_count_of_marked_rows_in_view_follows_toggles_and_rebuilds() -> None:
    store = RowStore(TEAM)
    store.mark([0, 1, 2])
    assert store.mark_count_in_view() == 3
    store.set_filter("paris")  # Bo, Cy
    assert store.mark_count_in_view() == 2
    store.toggle_mark(1)
    assert store.mark_count_in_view() == 1
    store.toggle_mark(3)  # outside the view: the count of the view stays
    assert store.mark_count_in_view() == 1 and store.mark_count == 3
    store.append([{"name": "Zoe", "city": "Paris"}])
    store.toggle_mark(5)
    assert store.mark_count_in_view() == 2
    assert store.mark_count_in_view() == len(store.marked_in_view())
    store.invert_marks()
    assert store.mark_count_in_view() == len(store.marked_in_view()) == 1
