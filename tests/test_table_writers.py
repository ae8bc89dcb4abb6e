"""Writing a view to a file: formats, quoting, formula injection, and the temporary file."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest

from sixtyfour_tui.table.row_store import RowStore
from sixtyfour_tui.table.view import SortKey, ViewSpec
from sixtyfour_tui.table.writers import defuse_formula, write_view

ROWS = [
    {"fullName": "Ada, PhD", "title": 'The "Boss"', "n": -12.5, "note": "=HYPERLINK(\"http://x\")"},
    {"fullName": "Bo", "title": "CTO", "n": 3, "note": "+44 20 7946 0000"},
    {"fullName": "Cy 中文", "title": "@handle", "n": None, "note": "line\nbreak\x1b[31m"},
]
SPEC = ViewSpec(columns=("fullName", "title", "n", "note"), sort=(SortKey("fullName", descending=True),))


class Unprintable:
    """A value whose text cannot be made: writing stops half-way, as a full disk would."""

    def __str__(self) -> str:
        raise OSError("no space left on device")


def test_csv_is_utf8_rfc4180_with_the_table_labels_in_view_order(tmp_path) -> None:
    destination = tmp_path / "view.csv"
    written = write_view(RowStore(ROWS), SPEC, destination, "csv")
    assert written.rows == 3 and written.path == destination and written.format == "csv"
    data = destination.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 4 and data.endswith(b"\r\n")  # header + 3 records, CRLF
    assert data.splitlines()[0] == b"Full name,Title,N,Note"
    records = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert records[1:] == [
        ["Cy 中文", "@handle", "", "line break"],  # sanitized display text, as the table shows it
        ["Bo", "CTO", "3", "+44 20 7946 0000"],
        ["Ada, PhD", 'The "Boss"', "-12.5", '=HYPERLINK("http://x")'],  # plain CSV keeps cells exact
    ]
    assert b'"Ada, PhD","The ""Boss"""' in data  # quoted and doubled as RFC 4180 says


def test_json_lines_map_labels_to_cell_text(tmp_path) -> None:
    destination = tmp_path / "view.jsonl"
    write_view(RowStore(ROWS), SPEC, destination, "jsonl")
    lines = destination.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"Full name": "Cy 中文", "Title": "@handle", "N": "", "Note": "line break"},
        {"Full name": "Bo", "Title": "CTO", "N": "3", "Note": "+44 20 7946 0000"},
        {"Full name": "Ada, PhD", "Title": 'The "Boss"', "N": "-12.5", "Note": '=HYPERLINK("http://x")'},
    ]
    assert "中文" in lines[0]  # UTF-8, not \\u escapes


def test_excel_csv_has_a_bom_and_defuses_formulas_but_not_numbers(tmp_path) -> None:
    destination = tmp_path / "view.csv"
    write_view(RowStore(ROWS), SPEC, destination, "excel-csv")
    data = destination.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    records = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))
    assert records[1] == ["Cy 中文", "'@handle", "", "line break"]
    assert records[2] == ["Bo", "CTO", "3", "'+44 20 7946 0000"]
    assert records[3] == ["Ada, PhD", 'The "Boss"', "-12.5", "'=HYPERLINK(\"http://x\")"]
    assert [defuse_formula(cell) for cell in ("-3", "+1.5e3", "-", "-1+1", "=1", "a=b", "")] == [
        "-3", "+1.5e3", "'-", "'-1+1", "'=1", "a=b", ""]


def test_only_marked_rows_and_filters_decide_the_rows(tmp_path) -> None:
    store = RowStore(ROWS)
    store.mark([0, 2])
    spec = ViewSpec(columns=("fullName",), only_marked=True)
    assert write_view(store, spec, tmp_path / "marked.csv").rows == 2
    assert (tmp_path / "marked.csv").read_text(encoding="utf-8").splitlines() == ["Full name", '"Ada, PhD"', "Cy 中文"]
    spec = ViewSpec(columns=("fullName",), value_filters={"title": ("CTO",)})
    assert write_view(store, spec, tmp_path / "cto.csv").rows == 1


def test_the_file_appears_whole_or_not_at_all(tmp_path) -> None:
    destination = tmp_path / "view.csv"
    destination.write_text("the old export\n")
    rows = [{"v": f"row {i}"} for i in range(5000)] + [{"v": Unprintable()}]
    with pytest.raises(OSError, match="no space left"):
        write_view(RowStore(rows), ViewSpec(), destination, overwrite=True)
    assert destination.read_text() == "the old export\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["view.csv"]  # no temporary file left


def test_an_existing_file_is_kept_unless_overwrite(tmp_path) -> None:
    destination = tmp_path / "view.csv"
    destination.write_text("keep me\n")
    with pytest.raises(FileExistsError):
        write_view(RowStore(ROWS), SPEC, destination)
    assert destination.read_text() == "keep me\n"
    write_view(RowStore(ROWS), SPEC, destination, overwrite=True)
    assert destination.read_text(encoding="utf-8").startswith("Full name,")
    with pytest.raises(ValueError, match="unknown format"):
        write_view(RowStore(ROWS), SPEC, tmp_path / "x.xlsx", "xlsx")  # type: ignore[arg-type]


def test_an_export_gets_the_mode_a_new_file_would_get(tmp_path) -> None:
    old = os.umask(0o027)
    try:
        from sixtyfour_tui.table import writers

        writers._umask.cache_clear()
        write_view(RowStore(ROWS), SPEC, tmp_path / "view.csv")
    finally:
        os.umask(old)
        writers._umask.cache_clear()
    assert (tmp_path / "view.csv").stat().st_mode & 0o777 == 0o640
