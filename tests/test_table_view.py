"""ViewSpec, apply_view, the sort cycle and header labels: the Textual-free view layer."""

from __future__ import annotations

import msgspec
import pytest

from sixtyfour_tui.table.labels import column_label, header_labels
from sixtyfour_tui.table.row_store import RowStore
from sixtyfour_tui.table.view import SortKey, ViewSpec, apply_view, next_sort, spec_of

ROWS = [
    {"fullName": "Ada", "seniority": "VP", "locationName": "Berlin", "n": 2},
    {"fullName": "Bo", "seniority": "Director", "locationName": "Paris", "n": 1},
    {"fullName": "Cy", "seniority": "VP", "locationName": "Paris", "n": 3},
    {"fullName": "Di", "seniority": "VP", "locationName": "Rome", "n": 1},
]


def view(store: RowStore) -> list[int]:
    return [store.view_row(position) for position in range(store.view_len)]


def test_apply_view_sets_every_part_and_returns_the_columns() -> None:
    store = RowStore(ROWS)
    store.mark([0, 2, 3])
    spec = ViewSpec(
        columns=("locationName", "fullName"),
        text_filter="",
        value_filters={"seniority": ("VP",)},
        sort=(SortKey("n", descending=True), SortKey("fullName")),
        only_marked=True,
    )
    assert apply_view(store, spec) == ["locationName", "fullName"]
    assert view(store) == [2, 0, 3]
    assert apply_view(store, ViewSpec()) == store.columns  # no columns named: all of them
    assert view(store) == [0, 1, 2, 3]


def test_spec_of_a_store_round_trips_through_json() -> None:
    store = RowStore(ROWS)
    store.set_view(text_filter="Paris", value_filters={"seniority": ["VP", "Director"]},
                   sort=[("n", False)], new_only=True)
    spec = spec_of(store, ["fullName", "n"])
    encoded = msgspec.json.encode(spec)
    decoded = msgspec.json.decode(encoded, type=ViewSpec)
    assert decoded == spec
    assert decoded.value_filters == {"seniority": ("Director", "VP")}  # sorted: stable bytes
    assert decoded.sort == (SortKey("n", False),) and decoded.new_only and decoded.text_filter == "paris"
    fresh = RowStore(ROWS)
    apply_view(fresh, decoded)
    assert view(fresh) == view(store)


def test_unknown_fields_in_a_saved_spec_are_refused() -> None:
    with pytest.raises(msgspec.ValidationError, match="unknown field"):
        msgspec.json.decode(b'{"columns": [], "colour": "red"}', type=ViewSpec)


def test_next_sort_cycles_alone_and_as_an_added_key() -> None:
    assert next_sort((), "a") == (("a", False),)
    assert next_sort((("a", False),), "a") == (("a", True),)
    assert next_sort((("a", True),), "a") == ()
    assert next_sort((("a", False), ("b", True)), "a") == (("a", False),)  # alone: only key
    keys = next_sort((("a", False),), "b", add=True)
    assert keys == (("a", False), ("b", False))
    keys = next_sort(keys, "b", add=True)
    assert keys == (("a", False), ("b", True))
    assert next_sort(keys, "b", add=True) == (("a", False),)
    assert next_sort(keys, "a", add=True) == (("a", True), ("b", True))


def test_labels_are_readable_and_unique() -> None:
    assert [column_label(c) for c in ("fullName", "title", "currentCompanies", "locationName",
                                      "last_funding_round.type")] == [
        "Full name", "Title", "Company", "Location", "Funding"]
    assert column_label("jobTitleHistory") == "Job title history"
    assert column_label("company.linkedin_url") == "Company linkedin URL"
    assert column_label("hq_city") == "HQ city"
    assert column_label("\x1b]2;PWNED\x07owner_id") == "Owner ID"  # sanitized before it is spelled out
    assert header_labels(["currentCompanies", "company_name", "fullName"]) == [
        "Company", "Company (company_name)", "Full name"]
